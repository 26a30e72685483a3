// One submission to Slurm: a job folder with the batch script and the lists it reads, submitted as one
// job array (task i builds build folder i). The script's text is fixed except for the setup lines of the
// user's app settings: build folders and the command come from NUL-separated files that bash reads into
// arrays, so no value from a project (variant names, paths) is ever parsed as shell. Everything a user may
// set for the job reaches sbatch as separate, allow-listed arguments (api/slurm-settings.ts).
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTask, type SlurmClient, type SlurmJob } from './client';
import { buildStateOf } from './states';
import { sanitizeFolderName } from '../builds/variants';
import { BUILD_SPEC_FILE } from '../builds/pipeline/backend';

export interface JobSpec {
  /** The job's own folder (script, lists, Slurm's output for failures before a build folder is known). */
  jobDir: string;
  /** One build folder per array task (absolute, on storage the compute nodes see at the same path). */
  buildDirs: string[];
  /** The program that runs a build's steps, with its arguments; the task's spec file (<build folder>/tessera-build-spec.json) is appended. */
  command: string[];
  /** Shell lines run before it on the node (app settings only), e.g. `module load vitis/2024.1`. */
  setup: string[];
  /** Checked sbatch arguments from the Slurm settings (partition, time, memory, allow-listed options…). */
  sbatchArgs: string[];
  /** Job name shown by squeue (letters, digits, - and _). */
  name: string;
}

/** Where each task writes its output: appended to the build folder's log, which the app tails. */
export const BUILD_LOG = 'build.log';


/** The build folder of a run under a build root (the local queue's naming: both backends agree). */
export function buildFolderOf(buildRoot: string, variantName: string, runId: string): string {
  return join(buildRoot, `${sanitizeFolderName(variantName)}-${runId.slice(-8)}`);
}

function nulList(items: string[], what: string): string {
  for (const s of items) if (s.includes('\0')) throw new Error(`${what} ${JSON.stringify(s)} contains a NUL character`);
  return items.map((s) => `${s}\0`).join('');
}

/** The batch script (bash). Only `setup` is user text, and only from the app's own settings. */
export function batchScript(setup: string[]): string {
  for (const l of setup) if (/[\r\n\0]/.test(l)) throw new Error(`setup line ${JSON.stringify(l)} holds a line break or NUL; give one command per line`);
  return [
    '#!/bin/bash',
    '# A Tessera build on a Slurm node, written by Tessera (electron/services/slurm/job.ts). It reads, from the job',
    '# folder (the working directory): `builds`, the build folder of each array task, and `command`, the program that',
    '# runs the build steps (both NUL-separated), and runs that program on the build spec in the task\'s build folder.',
    'set -u',
    'mapfile -d \'\' builds < builds || exit 90',
    'dir=${builds[${SLURM_ARRAY_TASK_ID:-0}]:-}',
    '[[ -n $dir && -d $dir ]] || { echo "tessera: no build folder for array task ${SLURM_ARRAY_TASK_ID:-0}" >&2; exit 91; }',
    'mapfile -d \'\' command < command || exit 92',
    `exec >>"$dir/${BUILD_LOG}" 2>&1`,
    'echo "tessera: Slurm job ${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}_${SLURM_ARRAY_TASK_ID:-0} (job id ${SLURM_JOB_ID}) on $(hostname) at $(date -Iseconds)"',
    ...(setup.length
      ? ['# setup lines from the app settings of the user who submitted (a failing line ends the job)', 'set -e', ...setup, 'set +e']
      : []),
    `exec "\${command[@]}" "$dir/${BUILD_SPEC_FILE}"`,
    '',
  ].join('\n');
}

/** Writes the job folder (script + lists); returns the script's path. */
export function writeJobFolder(spec: JobSpec): string {
  if (!spec.buildDirs.length) throw new Error('a Slurm job needs at least one build folder');
  // Only the submitting user may change what the job runs (the lists are read when the job starts, maybe hours later).
  mkdirSync(spec.jobDir, { recursive: true, mode: 0o700 });
  const script = join(spec.jobDir, 'job.sh');
  writeFileSync(join(spec.jobDir, 'builds'), nulList(spec.buildDirs, 'build folder'), { mode: 0o600 });
  writeFileSync(join(spec.jobDir, 'command'), nulList(spec.command, 'command argument'), { mode: 0o600 });
  writeFileSync(script, batchScript(spec.setup), { mode: 0o700 });
  return script;
}

/** The sbatch arguments of a job array over the spec's build folders (Tessera's own, then the settings'). */
export function sbatchArgs(spec: JobSpec): string[] {
  if (spec.jobDir.includes('%')) throw new Error(`the job folder ${spec.jobDir} contains %, which Slurm expands in file names; choose a Slurm build folder without % (app settings)`);
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(spec.name)) throw new Error(`job name ${JSON.stringify(spec.name)}: letters, digits, - and _ only`);
  return [
    `--job-name=${spec.name}`,
    `--chdir=${spec.jobDir}`,
    // only reached when the script fails before it has a build folder to write into
    `--output=${join(spec.jobDir, 'slurm-%A_%a.out')}`,
    `--array=0-${spec.buildDirs.length - 1}`,
    '--ntasks=1',
    ...spec.sbatchArgs,
  ];
}

/** Writes the job folder and submits it; returns the array job id (task i is "<id>_<i>"). */
export async function submitJob(client: SlurmClient, spec: JobSpec): Promise<string> {
  const script = writeJobFolder(spec);
  return client.submit(script, sbatchArgs(spec));
}

/**
 * The text a log gained since byte `from`: whole lines only (a line still being written waits), or
 * everything when `all`; `next` is where to read from next time. Nothing when the file does not exist yet.
 */
export function readLogFrom(file: string, from: number, all = false): { text: string; next: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { text: '', next: from };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= from) return { text: '', next: from };
    const buf = Buffer.alloc(Math.min(size - from, 8 * 1024 * 1024));
    const n = readSync(fd, buf, 0, buf.length, from);
    const end = all ? n : buf.lastIndexOf(0x0a, n - 1) + 1;
    if (end <= 0) return { text: '', next: from };
    return { text: buf.subarray(0, end).toString('utf8'), next: from + end };
  } finally {
    closeSync(fd);
  }
}

/**
 * Follows one job (or array task, "123_0") to its end, passing its log's new lines to `print` as they come;
 * resolves with Slurm's last word on it. Slurm losing every record of the job is an error.
 */
export async function followJob(client: SlurmClient, id: string, logFile: string, opts: { pollMs?: number; print: (text: string) => void }): Promise<SlurmJob> {
  let offset = 0;
  let unknown = 0;
  for (;;) {
    const [jobId, task] = id.split('_');
    const job = findTask(await client.jobs([jobId]), jobId, Number(task ?? 0));
    const phase = job ? buildStateOf(job).phase : null;
    const done = phase === 'ended' || phase === 'stopped';
    const { text, next } = readLogFrom(logFile, offset, done);
    offset = next;
    if (text) opts.print(text);
    if (done) return job!;
    if (!job && ++unknown >= 3) throw new Error(`Slurm has no record of job ${id}; its log so far is in ${logFile}`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
}
