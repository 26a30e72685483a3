// `tessera build MODEL --out DIR … --on slurm`: the build `tessera build` would run here, as a Slurm job.
// The spec is made here (model, weights and test inputs read on this machine) and written into DIR; the job
// runs `tessera build --spec DIR/tessera-build-spec.json` on a node — the same pipeline — with DIR and this
// checkout on storage the nodes see at the same paths. Its log is printed as it grows; Ctrl-C cancels the
// job (scancel). Sbatch settings: the project's (when MODEL is a .tessera project) and this user's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './types';
import type { BuildSpec } from '../../../api/build-spec';
import { defaultUserDataDir } from '../../services/store/appdirs';
import { readProjectDocument } from '../../services/store/project';
import { readSlurmAppSettings } from '../../services/slurm/app-settings';
import { checkAppSettings, checkProjectSettings, SlurmProjectSettings } from '../../../api/slurm-settings';
import { nodeCommand, TESSERA_CLI } from '../../services/slurm/project-backend';
import { SlurmClient } from '../../services/slurm/client';
import { buildStateOf } from '../../services/slurm/states';
import { BUILD_LOG, followJob, submitJob } from '../../services/slurm/job';
import { BUILD_RESULT_FILE, readBuildResultFile, writeBuildSpecFile } from '../../services/builds/pipeline/backend';

export async function runBuildOnSlurm(spec: BuildSpec, model: string, toolRootFlag: string | undefined): Promise<number> {
  const out = spec.dir;
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
  const appProblems = checkAppSettings(app);
  if (refusals.length || appProblems.length) throw new CliError(`the Slurm settings break their rules: ${[...appProblems, ...refusals].map((r) => r.message).join(' ')}`);
  const toolRoot = toolRootFlag ?? app.toolRoot ?? undefined;
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(path.join(out, BUILD_LOG), { force: true });
  writeBuildSpecFile(spec);
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
    // the batch script appends DIR/tessera-build-spec.json
    id = await submitJob(client, {
      jobDir: path.join(out, 'slurm-job'), buildDirs: [out], name: `tessera-build-${crypto.randomBytes(3).toString('hex')}`,
      command: [nodeCommand(app), TESSERA_CLI, 'build', ...(toolRoot ? [`--tool-root=${toolRoot}`] : []), '--spec'], setup: app.setup, sbatchArgs,
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
  const result = readBuildResultFile(out);
  const state = buildStateOf(job);
  if (state.phase === 'stopped' && !result) {
    if (cancelled) return 130;
    throw new CliError(state.why ?? job.state);
  }
  if (!result) throw new CliError(`Slurm job ${task} ended (${job.state}) without writing ${path.join(out, BUILD_RESULT_FILE)}; see its log ${path.join(out, BUILD_LOG)}`);
  return result.status === 'succeeded' ? 0 : result.status === 'cancelled' ? 130 : 1;
}
