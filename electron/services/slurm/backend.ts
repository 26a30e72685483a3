// The Slurm build backend of one open project: Slurm schedules, Tessera submits, tracks, cancels and collects.
//
// enqueue: one run per variant is stored 'queued' with its Slurm bookkeeping (run.config.slurm), its build
// folder is prepared on this machine (`prepare`: its BuildSpec written there), and the prepared folders go to
// sbatch as ONE job array. Each task runs `command <spec file>` (`tessera build --spec`) on a node: the build
// pipeline of a local build, which writes the build's result (tessera-run.json) and, through the batch
// script, its log (build.log, with the pipeline's phase lines) into the folder.
// tracking: every `pollMs`, one squeue (sacct for jobs the controller forgot) for all tracked runs; each
// log's new lines are appended to the project store and streamed as build.log events; Slurm's states map to
// the app's build states (states.ts). A task that ended is collected from its folder; one Slurm stopped
// (node failure, time limit, cancel) is finished with the reason and the log it left.
// faults: the app closing stops the tracking only, the jobs go on; a new backend over the same project picks
// up every run left queued or running (reconcile) and collects what finished meanwhile, never submitting
// a run twice. sbatch / squeue failing (cluster unreachable, misconfigured) fails the affected runs, or is
// reported in each run's log while tracking, with the command and its output; local builds do not care.
import crypto from 'node:crypto';
import path from 'node:path';
import type { ProjectFile } from '../store/project';
import type { BuildRunRecord, BuildStatus } from '../store/runs';
import type { BuildEvent, RunConfig, RunReport } from '../builds/queue';
import { BUILD_RESULT_FILE, parsePhaseLine, readBuildResultFile } from '../builds/pipeline/backend';
import type { VariantConfig } from '../builds/variants';
import { SlurmError, findTask, type SlurmClient, type SlurmJob } from './client';
import { buildStateOf } from './states';
import { BUILD_LOG, buildFolderOf, readLogFrom, submitJob } from './job';

/** What a Slurm run keeps in its config (next to the variant snapshot), to be found again after a restart. */
export interface SlurmRunInfo {
  /** Array job id; null until sbatch answered. */
  jobId: string | null;
  /** Array task index of this run. */
  task: number;
  /** squeue's job name of the submission (to find a job whose id was never stored). */
  jobName: string;
  jobDir: string;
  /** Build folder. */
  dir: string;
  /** Bytes of build.log already copied into the project store. */
  logBytes: number;
  /** Last Slurm state seen, with the node(s). */
  state: string | null;
  nodes: string | null;
  /** The user asked to cancel (scancel sent). */
  cancelRequested?: boolean;
}

export type SlurmRunConfig = RunConfig & { slurm: SlurmRunInfo };

export interface JobSettings {
  /** The program (argv) that runs a build folder's steps on the node; the folder is appended. */
  command: string[];
  /** Checked sbatch arguments (api/slurm-settings.ts checkProjectSettings). */
  sbatchArgs: string[];
  /** Setup lines from the app settings. */
  setup: string[];
}

/**
 * The Slurm bookkeeping of a run, or null for a local run. A run record comes from a project file, which may
 * come from anyone: its job id goes to scancel and its folders are read, so a record is used only when every
 * field has the shape this backend writes (a job id of digits, never an option; absolute folders).
 */
export function slurmInfo(run: Pick<BuildRunRecord, 'config'>): SlurmRunInfo | null {
  const c = run.config as Partial<SlurmRunConfig> | null;
  const s = c && typeof c === 'object' && c.slurm && typeof c.slurm === 'object' ? (c.slurm as Partial<SlurmRunInfo>) : null;
  if (!s) return null;
  const wellFormed = (s.jobId === null || (typeof s.jobId === 'string' && /^\d{1,12}$/.test(s.jobId)))
    && Number.isInteger(s.task) && s.task! >= -1
    && typeof s.jobName === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(s.jobName)
    && typeof s.jobDir === 'string' && path.isAbsolute(s.jobDir)
    && typeof s.dir === 'string' && path.isAbsolute(s.dir)
    && Number.isInteger(s.logBytes) && s.logBytes! >= 0;
  return wellFormed ? (s as SlurmRunInfo) : null;
}

/** True when `folder` lies inside `root` (after resolving . and ..). */
function inside(root: string, folder: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(folder));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export interface SlurmBackendOptions {
  project: ProjectFile;
  client: SlurmClient;
  /** Where build folders are made (on storage the compute nodes see at the same path). */
  buildRoot: string;
  /** Prepares a run's build folder on this machine before submission; an Error fails the run with its message. */
  prepare(run: BuildRunRecord, dir: string, jobDir: string): Promise<void> | void;
  /**
   * The job's settings, read when builds are queued; throws (with every problem) when a setting breaks
   * its rule, and nothing is queued then.
   */
  jobSettings(): JobSettings;
  emit?: (e: BuildEvent) => void;
  /** Between two looks at the jobs; default 2000 ms. */
  pollMs?: number;
  /**
   * How long a task that ended may take to show its result file (shared file systems cache directory
   * listings for up to a minute); default 60 s.
   */
  resultGraceMs?: number;
}

const nowIso = () => new Date().toISOString();
const FINAL: ReadonlySet<BuildStatus> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

interface Tracked {
  runId: string;
  /** When the task was first seen ended without a result file (for resultGraceMs). */
  endedAt: number | null;
  /** Polls in a row in which no Slurm source knew the task. */
  unknownPolls: number;
}

export class SlurmBackend {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];
  private disposed = false;
  /** The last tracking error (cluster unreachable…), shown once per change in the runs' logs. */
  private lastPollError: string | null = null;

  constructor(private readonly opts: SlurmBackendOptions) {
    this.reconcile();
  }

  private emit(e: BuildEvent): void {
    try {
      this.opts.emit?.(e);
    } catch {
      /* a listener must not break tracking */
    }
  }

  private get p(): ProjectFile {
    return this.opts.project;
  }

  private run(runId: string): BuildRunRecord | null {
    return this.p.getBuildRun(runId);
  }

  private update(run: BuildRunRecord, change: Partial<Omit<BuildRunRecord, 'log' | 'config'>>, slurm?: Partial<SlurmRunInfo>): BuildRunRecord {
    const config = slurm ? { ...(run.config as SlurmRunConfig), slurm: { ...slurmInfo(run)!, ...slurm } } : run.config;
    return this.p.putBuildRun({ ...run, ...change, config, log: undefined });
  }

  private note(runId: string, text: string): void {
    const line = `tessera: ${text}\n`;
    this.p.appendBuildLog(runId, line);
    this.emit({ type: 'build.log', runId, stream: 'info', text: line });
  }

  /** Runs tracked now (submitted or being submitted, not yet finished). */
  get activeCount(): number {
    return this.tracked.size;
  }

  /** Picks up every Slurm run of the project that is not finished (after the app was closed). */
  reconcile(): string[] {
    const ids: string[] = [];
    for (const r of this.p.listBuildRuns()) {
      const info = slurmInfo(r);
      if (FINAL.has(r.status) || !info || this.tracked.has(r.id)) continue;
      if (!inside(this.opts.buildRoot, info.dir) || !inside(this.opts.buildRoot, info.jobDir)) {
        // not a folder this backend made: neither read nor cancelled
        this.finish(r.id, 'failed', `its build folder ${JSON.stringify(info.dir)} is not inside the Slurm build folder ${this.opts.buildRoot}; start the build again`);
        continue;
      }
      this.tracked.set(r.id, { runId: r.id, endedAt: null, unknownPolls: 0 });
      ids.push(r.id);
    }
    if (ids.length) this.schedule(0);
    return ids;
  }

  /**
   * Queues one run per variant: stored at once, then prepared and submitted as one job array. Resolves when
   * sbatch has answered (runs that could not be prepared or submitted are then 'failed', with the reason).
   */
  async enqueue(variantIds: string[], options: { csim?: boolean; fifo?: 'rule' | 'safe' } = {}): Promise<BuildRunRecord[]> {
    const variants = new Map(this.p.listVariants().map((v) => [v.id, v]));
    for (const id of variantIds) if (!variants.has(id)) throw new Error(`no variant with id ${id}; list the variants again`);
    const settings = this.opts.jobSettings();
    const batch = crypto.randomBytes(4).toString('hex');
    const jobName = `tessera-${batch}`;
    const jobDir = path.join(this.opts.buildRoot, 'slurm-jobs', jobName);
    const runs: BuildRunRecord[] = [];
    for (const vid of variantIds) {
      const v = variants.get(vid)!;
      const id = `r_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
      const dir = buildFolderOf(this.opts.buildRoot, v.name, id);
      const slurm: SlurmRunInfo = { jobId: null, task: -1, jobName, jobDir, dir, logBytes: 0, state: null, nodes: null };
      const config: SlurmRunConfig = { variantName: v.name, variant: v.config as VariantConfig, csim: options.csim ?? true, ...(options.fifo === 'safe' ? { fifo: 'safe' as const } : {}), slurm };
      const run = this.p.putBuildRun({
        id, variantId: v.id, config, status: 'queued', step: null, createdAt: nowIso(), startedAt: null, finishedAt: null,
        report: null, artifacts: null, log: '',
      });
      runs.push(run);
      this.tracked.set(id, { runId: id, endedAt: null, unknownPolls: 0 });
      this.emit({ type: 'build.status', runId: id, variantId: v.id, status: 'queued' });
    }
    await this.submit(runs, settings);
    return runs.map((r) => this.run(r.id)!);
  }

  private async submit(runs: BuildRunRecord[], settings: JobSettings): Promise<void> {
    const prepared: BuildRunRecord[] = [];
    for (const run of runs) {
      const info = slurmInfo(run)!;
      try {
        this.note(run.id, `preparing the build folder ${info.dir} on this machine`);
        await this.opts.prepare(run, info.dir, info.jobDir);
        prepared.push(run);
      } catch (e) {
        this.finish(run.id, 'failed', e instanceof Error ? e.message : String(e));
      }
    }
    if (!prepared.length) return;
    const first = slurmInfo(prepared[0])!;
    let jobId: string;
    try {
      jobId = await submitJob(this.opts.client, {
        jobDir: first.jobDir, name: first.jobName, buildDirs: prepared.map((r) => slurmInfo(r)!.dir),
        command: settings.command, setup: settings.setup, sbatchArgs: settings.sbatchArgs,
      });
    } catch (e) {
      const why = e instanceof SlurmError ? e.message : `cannot submit to Slurm: ${e instanceof Error ? e.message : String(e)}`;
      for (const r of prepared) this.finish(r.id, 'failed', why);
      return;
    }
    const cancel: string[] = [];
    prepared.forEach((r, task) => {
      const cur = this.run(r.id);
      if (!cur) return;
      this.update(cur, {}, { jobId, task });
      this.note(r.id, `submitted to Slurm as job ${jobId}_${task} (job folder ${first.jobDir})`);
      if (slurmInfo(cur)!.cancelRequested) cancel.push(`${jobId}_${task}`);
    });
    if (cancel.length) await this.opts.client.cancel(cancel).catch(() => {});
    this.schedule(0);
  }

  /** Asks Slurm to cancel a run (scancel); the next look finishes it. False when it is not a tracked Slurm run. */
  async cancel(runId: string): Promise<boolean> {
    return (await this.cancelRuns([runId])) === 1;
  }

  async cancelAll(): Promise<number> {
    return this.cancelRuns([...this.tracked.keys()]);
  }

  /** Marks the tracked runs among `runIds` cancelled and scancels their tasks in one call (Ctrl-C must not wait
   * for one scancel per task while the later tasks go on). Returns how many it marked. */
  private async cancelRuns(runIds: string[]): Promise<number> {
    const marked: { id: string; task: string | null }[] = [];
    for (const id of runIds) {
      const run = this.run(id);
      const info = run && slurmInfo(run);
      if (!run || !info || FINAL.has(run.status) || !this.tracked.has(id)) continue;
      this.update(run, {}, { cancelRequested: true });
      // a run whose sbatch has not answered yet has no task: the submission cancels it when it answers
      marked.push({ id, task: info.jobId === null ? null : `${info.jobId}_${info.task}` });
    }
    const tasks = marked.flatMap((m) => (m.task ? [m.task] : []));
    if (tasks.length) {
      await this.opts.client.cancel(tasks);
      for (const m of marked) if (m.task) this.note(m.id, `cancel requested (scancel ${m.task})`);
      this.schedule(0);
    }
    return marked.length;
  }

  /** Resolves when no run is tracked any more. */
  idle(): Promise<void> {
    if (!this.tracked.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops tracking (the app closes the project): the jobs go on and a later backend collects them. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
  }

  private schedule(ms = this.opts.pollMs ?? 2000): void {
    if (this.disposed || this.polling) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling = this.poll().finally(() => {
        this.polling = null;
        if (this.tracked.size) this.schedule();
        else this.wakeIdle();
      });
    }, ms);
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** One look at every tracked run; never throws (a failure is noted in the runs' logs, and tried again). */
  async poll(): Promise<void> {
    try {
      await this.pollOnce();
    } catch (e) {
      if (this.disposed || this.p.isClosed) return;
      const msg = `tracking failed: ${e instanceof Error ? e.message : String(e)}`;
      if (msg !== this.lastPollError) for (const id of this.tracked.keys()) this.note(id, `${msg}; trying again`);
      this.lastPollError = msg;
    }
  }

  private async pollOnce(): Promise<void> {
    const runs = [...this.tracked.keys()].map((id) => this.run(id)).filter((r): r is BuildRunRecord => !!r && !FINAL.has(r.status));
    for (const id of this.tracked.keys()) if (!runs.some((r) => r.id === id)) this.tracked.delete(id);
    const submitted = runs.filter((r) => slurmInfo(r)!.jobId !== null);
    if (!submitted.length) return;
    let jobs: Map<string, SlurmJob>;
    try {
      jobs = await this.opts.client.jobs([...new Set(submitted.map((r) => slurmInfo(r)!.jobId!))]);
      this.lastPollError = null;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== this.lastPollError) for (const r of submitted) this.note(r.id, `cannot look at the job: ${msg}; trying again`);
      this.lastPollError = msg;
      return;
    }
    for (const run of submitted) {
      if (this.disposed) return;
      this.look(run, findTask(jobs, slurmInfo(run)!.jobId!, slurmInfo(run)!.task));
    }
  }

  /** Copies the log's new complete lines (all of it when `all`) into the store; returns the text. */
  private tail(run: BuildRunRecord, all = false): string {
    const info = slurmInfo(run)!;
    const { text, next } = readLogFrom(path.join(info.dir, BUILD_LOG), info.logBytes, all);
    if (!text) return '';
    this.p.appendBuildLog(run.id, text);
    this.update(this.run(run.id)!, {}, { logBytes: next });
    this.emit({ type: 'build.log', runId: run.id, stream: 'stdout', text });
    return text;
  }

  private look(run: BuildRunRecord, job: SlurmJob | null): void {
    const t = this.tracked.get(run.id);
    if (!t) return;
    const info = slurmInfo(run)!;
    const text = this.tail(run);
    run = this.run(run.id)!;
    const step = text.split('\n').map(parsePhaseLine).filter((p) => p !== null).pop() ?? run.step;
    if (!job) {
      // the controller and accounting no longer know it (or not yet): a result settles it
      if (this.collect(run)) return;
      // a task cancelled before it started leaves no record at all (Slurm drops it from its array)
      if (info.cancelRequested) {
        this.finish(run.id, 'cancelled', `Slurm job ${info.jobId}_${info.task} was cancelled before it started`);
        return;
      }
      t.unknownPolls++;
      if (t.unknownPolls >= 3) {
        this.finish(run.id, 'failed', `Slurm has no record of job ${info.jobId}_${info.task} any more and it left no result in ${info.dir}; build it again`);
      }
      return;
    }
    t.unknownPolls = 0;
    const state = buildStateOf(job);
    if (job.state !== info.state || job.nodes !== info.nodes) {
      if (info.state === 'RUNNING' && state.phase === 'queued') this.note(run.id, `Slurm requeued job ${job.id} (${job.state}${job.reason && job.reason !== 'None' ? `, ${job.reason}` : ''})`);
      run = this.update(run, {}, { state: job.state, nodes: job.nodes || null });
    }
    switch (state.phase) {
      case 'queued':
        if (run.status !== 'queued') {
          this.update(run, { status: 'queued', step: null });
          this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: 'queued' });
        }
        return;
      case 'running':
        if (run.status !== 'running' || run.step !== step) {
          this.update(run, { status: 'running', step, startedAt: run.startedAt ?? nowIso() });
          this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: 'running', step: step ?? undefined });
        }
        return;
      case 'ended': {
        if (this.collect(run)) return;
        t.endedAt ??= Date.now();
        if (Date.now() - t.endedAt >= (this.opts.resultGraceMs ?? 60_000)) {
          this.tail(run, true);
          this.finish(run.id, 'failed', `Slurm job ${job.id} ended (${job.state}${job.exitCode ? `, exit ${job.exitCode}` : ''}) without writing its result ${path.join(info.dir, BUILD_RESULT_FILE)}; see its log (a failing setup line, or the build program missing on the node)`);
        }
        return;
      }
      case 'stopped':
        if (this.collect(run)) return; // it wrote its result before Slurm stopped it: nothing is lost
        this.tail(run, true);
        this.finish(run.id, state.status, state.why ?? job.state);
    }
  }

  /** Reads a finished build's result from its folder into the store; false when there is none (yet). */
  private collect(run: BuildRunRecord): boolean {
    const info = slurmInfo(run)!;
    // the build folder is this run's alone (its name ends with the run id), and a rerun removes the old result first
    const result = readBuildResultFile(info.dir);
    if (!result) return false;
    this.tail(run, true);
    const cur = this.run(run.id)!;
    this.update(cur, {
      status: result.status, finishedAt: nowIso(), step: null, report: result.report, artifacts: result.artifacts,
    });
    this.tracked.delete(run.id);
    this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: result.status, progress: 1 });
    return true;
  }

  private finish(runId: string, status: BuildStatus, why: string): void {
    const run = this.run(runId);
    this.tracked.delete(runId);
    if (!run) return;
    this.note(runId, status === 'cancelled' ? why : `build failed: ${why}`);
    const report = (run.report as RunReport | null) ?? null;
    this.update(this.run(runId)!, {
      status, finishedAt: nowIso(), step: null,
      report: status === 'cancelled' ? report : { ...(report ?? emptyReport()), failure: why },
      artifacts: run.artifacts ?? { dir: slurmInfo(run)!.dir, files: [] },
    });
    this.emit({ type: 'build.status', runId, variantId: run.variantId, status, progress: 1 });
  }
}

function emptyReport(): RunReport {
  return {
    source: 'estimate', estimate: null, hls: null, hlsFit: null, cosim: null,
    csim: { status: 'skipped', images: 0, values: 0, mismatches: 0, first: null, compileMs: null, runMs: null },
    error: null, buildMs: 0, steps: [], failure: null,
  };
}
