// `tessera build MODEL --out DIR … --on slurm`: the same `tessera build` command, run as a Slurm job on a
// node (the model, DIR and this checkout on storage the nodes see at the same paths). Its log is printed
// as it grows; Ctrl-C cancels the job (scancel). Sbatch settings: the project's (when MODEL is a .tessera
// project) and this user's Slurm settings.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './types';
import { defaultUserDataDir } from '../../services/store/appdirs';
import { readProjectDocument } from '../../services/store/project';
import { readSlurmAppSettings } from '../../services/slurm/app-settings';
import { checkProjectSettings, SlurmProjectSettings } from '../../../api/slurm-settings';
import { nodeCommand, TESSERA_CLI } from '../../services/slurm/project-backend';
import { SlurmClient } from '../../services/slurm/client';
import { buildStateOf } from '../../services/slurm/states';
import { BUILD_LOG, followJob, submitJob } from '../../services/slurm/job';

/** Flags whose value is a file or folder: made absolute, since the job runs in its own folder. */
const PATH_FLAGS = new Set(['input', 'weights', 'hls4ml-config', 'tool-root']);

export async function runBuildOnSlurm(model: string, flags: Record<string, string | true>): Promise<number> {
  const out = path.resolve(String(flags.out));
  let app;
  try {
    app = readSlurmAppSettings(defaultUserDataDir());
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  let project = SlurmProjectSettings.parse({});
  if (model.endsWith('.tessera')) {
    try {
      project = readProjectDocument(model).settings.slurm ?? project;
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  const { args: sbatchArgs, refusals } = checkProjectSettings(project);
  if (refusals.length) throw new CliError(`the Slurm settings break their rules: ${refusals.map((r) => r.message).join(' ')}`);
  const args = [path.resolve(model)];
  for (const [name, value] of Object.entries(flags)) {
    if (name === 'on' || name === 'out') continue;
    args.push(value === true ? `--${name}` : `--${name}=${PATH_FLAGS.has(name) ? path.resolve(value) : value}`);
  }
  if (app.toolRoot && flags['tool-root'] === undefined) args.push(`--tool-root=${app.toolRoot}`);
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(path.join(out, BUILD_LOG), { force: true });
  const client = new SlurmClient();
  // the handler goes in before sbatch: an unhandled Ctrl-C would end the process with the job left running
  let cancelled = false;
  let task: string | null = null;
  const onSignal = () => {
    cancelled = true;
    console.error(`tessera: cancelling the Slurm job${task ? ` ${task}` : ''} (scancel)…`);
    if (task) void client.cancel([task]).catch((e: unknown) => console.error(`tessera: ${(e as Error).message}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let id: string;
  try {
    // the batch script appends the build folder: "… --out DIR"
    id = await submitJob(client, {
      jobDir: path.join(out, 'slurm-job'), buildDirs: [out], name: `tessera-build-${crypto.randomBytes(3).toString('hex')}`,
      command: [nodeCommand(app), TESSERA_CLI, 'build', ...args, '--out'], setup: app.setup, sbatchArgs,
    });
  } catch (e) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw new CliError((e as Error).message);
  }
  task = `${id}_0`;
  if (cancelled) await client.cancel([task]);
  console.log(`submitted to Slurm as job ${task}; its log (${path.join(out, BUILD_LOG)}) follows`);
  let job;
  try {
    job = await followJob(client, task, path.join(out, BUILD_LOG), { print: (t) => process.stdout.write(t) });
  } catch (e) {
    throw new CliError((e as Error).message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const state = buildStateOf(job);
  if (state.phase === 'stopped') {
    if (cancelled) return 130;
    throw new CliError(state.why ?? job.state);
  }
  return job.state === 'COMPLETED' ? 0 : 1;
}
