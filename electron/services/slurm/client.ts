// Slurm's client commands, driven with argument arrays: sbatch --parsable to submit, squeue (then sacct,
// for jobs the controller no longer holds) to track, scancel to cancel. Output is read in the formatted
// text forms that every Slurm release since 17.x prints the same way (the --json forms changed shape
// between 21.08, 23.02 and 23.11). A command that cannot run, fails or hangs becomes a SlurmError that
// names the command line and quotes what it printed.
import { capture, type CaptureResult } from '../toolchain/exec';

/** Slurm's own job states (squeue %T, sacct State), long form. */
export type SlurmState = string;

export interface SlurmJob {
  /** "123" for a plain job, "123_4" for task 4 of array job 123. */
  id: string;
  /** The task's own job id (squeue %A; the same as id for a plain job), when known. */
  rawId: string | null;
  arrayJobId: string | null;
  taskId: number | null;
  state: SlurmState;
  /** Why it waits or ended, e.g. "Priority", "NodeDown" ("None" when nothing to say). */
  reason: string;
  /** Node(s) it runs or ran on ("" when none yet). */
  nodes: string;
  /** "exit:signal" where known (sacct), else null. */
  exitCode: string | null;
  /** Where the answer came from: the controller's queue, or the accounting / job completion records. */
  source: 'squeue' | 'sacct';
}

export interface SlurmClientOptions {
  /** Environment of the commands (SLURM_CONF, PATH…); default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Longest wait for one command; default 30 s (an unreachable controller makes each retry for ~10 s). */
  timeoutMs?: number;
}

/** A Slurm command that could not run, failed, or did not answer in time. */
export class SlurmError extends Error {
  constructor(
    /** The command line as typed in a shell. */
    readonly commandLine: string,
    /** What it printed (stderr, then stdout), trimmed. */
    readonly output: string,
    readonly exitCode: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'SlurmError';
  }
}

/** A word as a shell would need it (for messages only; commands never go through a shell). */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(shellWord).join(' ');
}

const OUTPUT_LIMIT = 2000;

function outputOf(r: CaptureResult): string {
  const text = [r.stderr.trim(), r.stdout.trim()].filter(Boolean).join('\n');
  return text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}…` : text;
}

/** What to check when a command fails, by what it printed. */
function hintFor(output: string): string {
  if (/Unable to contact slurm controller|Connection refused|connect failure|Socket timed out/i.test(output)) {
    return 'the Slurm controller did not answer: check that the cluster is up (sinfo) and that this machine is one of its submit hosts';
  }
  if (/s_p_parse_file|Unable to process configuration file|cannot stat file|ClusterName needs to be specified/i.test(output)) {
    return 'Slurm could not read its configuration: set SLURM_CONF to the cluster\'s slurm.conf (or install it as /etc/slurm/slurm.conf)';
  }
  if (/munge|Authentication|auth\/|Invalid authentication/i.test(output)) {
    return 'Slurm could not authenticate this machine (munge): check that munged runs here with the cluster\'s key';
  }
  if (/invalid partition|Invalid account|Invalid qos|Invalid generic resource|Requested node configuration is not available|time limit/i.test(output)) {
    return 'the cluster refused the job\'s settings: fix the partition, account, QoS, time limit or resources in the Slurm settings';
  }
  return 'run the command in a terminal to see more';
}

/**
 * Task `task` of array job `jobId` in an answer of `jobs()`. Tasks that never started (pending, then
 * cancelled with their array) have no line of their own: Slurm keeps one record for them under the bare
 * array id, whose state is theirs.
 */
export function findTask(jobs: Map<string, SlurmJob>, jobId: string, task: number): SlurmJob | null {
  return jobs.get(`${jobId}_${task}`) ?? jobs.get(jobId) ?? null;
}

export class SlurmClient {
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(opts: SlurmClientOptions = {}) {
    this.env = opts.env ?? process.env;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Runs one client command; `accept` lets a caller treat a known non-zero exit as an answer. */
  private async run(command: string, args: string[], accept?: (r: CaptureResult) => boolean): Promise<CaptureResult> {
    const line = commandLine(command, args);
    const r = await capture(command, args, { env: this.env, timeoutMs: this.timeoutMs });
    if (r.error !== null) {
      const missing = /ENOENT/.test(r.error);
      throw new SlurmError(
        line, '', null,
        missing
          ? `${command} was not found on PATH (${line}): Tessera submits builds with Slurm's client commands; run it on a machine that has them (a login node) or install them (Debian: slurm-client)`
          : `${line} could not be started: ${r.error}`,
      );
    }
    const out = outputOf(r);
    if (r.timedOut) {
      throw new SlurmError(line, out, null, `${line} did not answer in ${Math.round(this.timeoutMs / 1000)} s${out ? `; it printed: ${out}` : ''}; ${hintFor(out)}`);
    }
    if (r.code !== 0 && !accept?.(r)) {
      throw new SlurmError(line, out, r.code, `${line} failed (exit ${r.code ?? r.signal})${out ? `: ${out}` : ''}; ${hintFor(out)}`);
    }
    return r;
  }

  /**
   * Submits a batch script. `options` are sbatch options, each one argument (e.g. "--partition=fpga");
   * `scriptArgs` are passed to the script as $1… Returns the job id (the array job id for --array).
   */
  async submit(script: string, options: readonly string[], scriptArgs: readonly string[] = []): Promise<string> {
    const r = await this.run('sbatch', ['--parsable', ...options, script, ...scriptArgs]);
    // --parsable prints "jobid" or "jobid;cluster"
    const id = /^(\d+)(;\S+)?\s*$/m.exec(r.stdout)?.[1];
    if (!id) throw new SlurmError(commandLine('sbatch', ['--parsable', ...options, script, ...scriptArgs]), outputOf(r), 0, `sbatch printed no job id: ${outputOf(r) || '(nothing)'}`);
    return id;
  }

  /**
   * The jobs (and array tasks) with these ids, from the controller's queue, then from accounting for the
   * ids it no longer holds. Keys: "123", "123_4". Ids no source knows are absent from the map.
   */
  async jobs(ids: readonly string[], rawIds: readonly string[] = []): Promise<Map<string, SlurmJob>> {
    const out = new Map<string, SlurmJob>();
    if (!ids.length) return out;
    for (const j of await this.queue(ids)) out.set(j.id, j);
    const missing = ids.filter((id) => ![...out.values()].some((j) => j.id === id || j.arrayJobId === id));
    const missingRaw = rawIds.filter((id) => ![...out.values()].some((j) => j.rawId === id));
    if (missing.length || missingRaw.length) {
      for (const j of await this.accounting([...missing, ...missingRaw])) if (!out.has(j.id)) out.set(j.id, j);
    }
    return out;
  }

  /** squeue over every state (finished jobs stay for the controller's MinJobAge), one line per array task. */
  async queue(ids: readonly string[]): Promise<SlurmJob[]> {
    const args = ['--noheader', '--array', '--states=all', `--jobs=${ids.join(',')}`, '--format=%i|%A|%F|%K|%T|%r|%N'];
    // squeue exits 1 with "Invalid job id specified" when it knows none of the ids
    const r = await this.run('squeue', args, (x) => x.code === 1 && /Invalid job id specified/i.test(x.stderr));
    if (r.code !== 0) return [];
    const jobs: SlurmJob[] = [];
    for (const line of r.stdout.split('\n')) {
      const f = line.trim().split('|');
      if (f.length < 7 || !/^\d/.test(f[0])) continue;
      const [id, raw, arrayJob, task, state, reason, nodes] = f;
      const isTask = /^\d+$/.test(task);
      jobs.push({
        id, rawId: raw || null, arrayJobId: isTask ? arrayJob : null, taskId: isTask ? Number(task) : null,
        state, reason, nodes, exitCode: null, source: 'squeue',
      });
    }
    return jobs;
  }

  /**
   * Finished jobs from accounting: `sacct` where the cluster keeps accounting (slurmdbd), else
   * `sacct --completion` (the job completion log, e.g. jobcomp/filetxt). Empty when neither exists.
   */
  async accounting(ids: readonly string[]): Promise<SlurmJob[]> {
    const fields = ['--noheader', '--parsable2', `--jobs=${ids.join(',')}`, '--format=JobID,JobIDRaw,State,ExitCode,NodeList'];
    const disabled = (x: CaptureResult) => x.code !== 0 && /accounting storage is disabled/i.test(x.stderr + x.stdout);
    let r = await this.run('sacct', ['--allocations', ...fields], disabled);
    if (disabled(r)) {
      r = await this.run('sacct', ['--completion', ...fields], (x) => x.code !== 0 && /JobCompType|job completion|jobcomp\/none/i.test(x.stderr + x.stdout));
      if (r.code !== 0) return [];
    }
    const jobs: SlurmJob[] = [];
    for (const line of r.stdout.split('\n')) {
      const f = line.trim().split('|');
      if (f.length < 5 || !/^\d/.test(f[0]) || f[0].includes('.')) continue; // steps (123.batch) are not jobs
      const [id, raw, state, exitCode, nodes] = f;
      const m = /^(\d+)_(\d+)$/.exec(id);
      jobs.push({
        id, rawId: raw || null, arrayJobId: m ? m[1] : null, taskId: m ? Number(m[2]) : null,
        // "CANCELLED by 1000" → "CANCELLED"
        state: state.split(/\s+/)[0], reason: '', nodes: nodes === '(null)' || nodes === 'None assigned' ? '' : nodes, exitCode: exitCode || null,
        source: 'sacct',
      });
    }
    return jobs;
  }

  /** Cancels jobs or array tasks ("123", "123_4"); cancelling a finished job is not an error. */
  async cancel(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.run('scancel', [...ids], (x) => x.code !== 0 && /already completed|Invalid job id|Job\/step already/i.test(x.stderr));
  }

  /** The controller answers and the client commands work: `scontrol ping`'s line, else a SlurmError. */
  async ping(): Promise<string> {
    const r = await this.run('scontrol', ['ping']);
    const line = r.stdout.trim().split('\n').find((l) => /Slurmctld/i.test(l)) ?? r.stdout.trim();
    if (!/\bUP\b/.test(line)) {
      throw new SlurmError('scontrol ping', line, 0, `scontrol ping: ${line || 'no answer'}; ${hintFor('Unable to contact slurm controller')}`);
    }
    return line;
  }
}
