// `tessera builds PROJECT.tessera [--wait] [--cancel RUN|all]`: the project's build runs, with the Slurm
// runs brought up to date from Slurm first (finished ones collected into the project, as opening it in the
// app does); --wait follows the unfinished Slurm runs to their end; --cancel cancels Slurm runs (scancel).
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { ProjectFile, StoreError } from '../../services/store';
import { slurmInfo } from '../../services/slurm/backend';
import { cancelOnInterrupt, cliSlurmBackend, followSlurmRuns } from './slurm-cli';
import { printRuns } from './sweep';

export const buildsCommand: CliCommand = {
  ...COMMANDS.builds,
  async run(args) {
    const { positional, flags } = parseArgs('builds', args, ['cancel'], ['wait', 'help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}
  PROJECT.tessera   the project (it must not be open in the app)
  --wait            wait for the unfinished Slurm runs and collect their results (Ctrl-C cancels them)
  --cancel RUN|all  cancel one Slurm run (its id, as listed) or all unfinished ones, with scancel`);
      return 0;
    }
    if (positional.length !== 1 || !positional[0].endsWith('.tessera')) throw new CliError(`expected one .tessera project; usage: tessera ${this.usage}`, 2);
    const file = positional[0];
    let project: ProjectFile;
    try {
      project = ProjectFile.open(file);
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(e.code === 'locked' ? `${e.message} (close it in the app, then run the command again)` : e.message);
      throw e;
    }
    try {
      const backend = cliSlurmBackend(project);
      const guard = cancelOnInterrupt(backend);
      const followed = project.listBuildRuns().filter((r) => slurmInfo(r) && (r.status === 'queued' || r.status === 'running')).map((r) => r.id);
      let interrupted = false;
      try {
        if (typeof flags.cancel === 'string') {
          if (flags.cancel === 'all') console.log(`cancelling ${await backend.cancelAll()} Slurm runs`);
          else {
            const run = project.getBuildRun(flags.cancel);
            if (!run) throw new CliError(`no run ${flags.cancel} in ${file}; "tessera builds ${file}" lists them`);
            if (!slurmInfo(run)) throw new CliError(`run ${flags.cancel} was built on this machine, not on Slurm; only Slurm runs go on without the app`);
            if (!(await backend.cancel(flags.cancel))) throw new CliError(`run ${flags.cancel} has already ended (${run.status})`);
            console.log(`cancelling ${flags.cancel}`);
          }
        }
        if (flags.wait || flags.cancel !== undefined) interrupted = await followSlurmRuns(backend, guard);
        else await backend.poll();
      } finally {
        guard.release();
        await backend.dispose();
      }
      const names = new Map(project.listVariants().map((v) => [v.id, v.name]));
      const runs = project.listBuildRuns();
      printRuns(project, runs.map((r) => r.id), names, file);
      const open = runs.filter((r) => r.status === 'queued' || r.status === 'running').length;
      if (open) console.log(`${open} still queued or running; "tessera builds ${file} --wait" follows them`);
      // the exit code tells about the Slurm runs this command followed: 1 when one of them ended otherwise than succeeded
      const endedBadly = followed.some((id) => !['succeeded', 'queued', 'running'].includes(project.getBuildRun(id)?.status ?? ''));
      return interrupted ? 130 : flags.cancel === undefined && endedBadly ? 1 : 0;
    } finally {
      project.close();
    }
  },
};
