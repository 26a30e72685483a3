// The build queue of one open project: per variant one build through the build pipeline (pipeline/run.ts:
// codegen → C simulation (g++) → synthesis with the vendor tool when one is detected (else the estimate)
// → error vs float), on a build backend (local by default). Runs `concurrency` builds at a time; every
// state change is written to the project file (build_runs) at once, so after a restart runs left
// 'running' are marked 'interrupted' and 'queued' ones can be resumed. Cancel kills the whole process tree.
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { ProjectFile, StoredDocument } from '../store/project';
import type { BuildRunRecord, BuildStatus } from '../store/runs';
import { weightsToEngine } from '../store/tensors';
import type { RunArtifacts, RunReport } from '../../../api/build-report';
import type { BuildSpec } from '../../../api/build-spec';
import type { Toolchain } from '../toolchain/detect';
import { checkDefaultPrecision } from '../../../engine/hls/project-precision';
import { hlsConfigOf, sanitizeFolderName, withProjectPrecisions, type VariantConfig } from './variants';
import { LocalBackend, writeBuildResultFile, type BuildBackend, type BuildJob } from './pipeline/backend';
import { buildPhases, emptyReport, phaseProgress, type BuildPhase, type BuildResult } from './pipeline/run';
import { BuildFailure, checkedCxxFlags, csimCompileOptions } from './pipeline/steps';
import { CSIM_EXE, projectLayerObjects, warmLayerObjects } from '../csim/csim';
import { layerObjectUnits } from '../../../engine/hls/generate';
import { checkVariantStrings } from '../../../engine/safety';

export type { RunArtifacts, RunReport, CsimOutcome, ErrorVsFloat, StepName } from '../../../api/build-report';

/** What a run stores in its `config` column: a snapshot of the variant when it was queued. */
export interface RunConfig {
  variantName: string;
  variant: VariantConfig;
  /** Run the g++ C simulation (default true). */
  csim: boolean;
  /** io_stream FIFO depths: 'rule' (absent) from the modelled read-ahead, 'safe' every fork edge its whole tensor. */
  fifo?: 'rule' | 'safe';
}

export type BuildEvent =
  | { type: 'build.status'; runId: string; variantId: string | null; status: BuildStatus; step?: string; progress?: number }
  | { type: 'build.log'; runId: string; stream: 'stdout' | 'stderr' | 'info'; text: string };

export interface BuildQueueOptions {
  project: ProjectFile;
  /** Default: <project folder>/<project stem>.builds */
  buildRoot?: string;
  /** Builds at a time; default the number of cores. */
  concurrency?: number;
  emit?: (e: BuildEvent) => void;
  /** A detected toolchain; a vendor HLS flow in it runs synthesis instead of the estimate. */
  toolchain?: Toolchain | null;
  /** Where the builds run; default in this process (LocalBackend with `toolchain`). */
  backend?: BuildBackend;
  /** Per-step timeout of the C simulation (ms); default 10 minutes. */
  csimTimeoutMs?: number;
  /** Test images in the generated testbench; default 2. */
  testImages?: number;
  /**
   * While nothing is queued or running, compile the layer objects of the last local build that the object
   * cache lacks (csim warmLayerObjects, at the lowest priority; stopped when a build is queued), so that a
   * variant changing one layer then compiles that layer only. The app's queue does; a CLI run that exits
   * after its builds does not.
   */
  warmLayerObjects?: boolean;
}

interface Job {
  runId: string;
  cancelled: boolean;
  build: BuildJob | null;
}

export interface VariantBuildOptions {
  /** Test images in the generated testbench; default 2. */
  testImages?: number;
  /** Time limit of each C simulation process (ms); default 10 minutes. */
  csimTimeoutMs?: number;
  /** A vendor HLS tool may run where the build runs (else the estimate). */
  vendor: boolean;
}

/**
 * The build of a variant of a project: the variant over the project's precisions, in `dir`. Throws
 * BuildFailure (nothing is built) when the variant's strings fail the allow-lists or the project's
 * settings cannot make a design.
 */
export function variantBuildSpec(doc: Pick<StoredDocument, 'graph' | 'weights' | 'settings'>, cfg: RunConfig, dir: string, opts: VariantBuildOptions): BuildSpec {
  // The variant came from the project file (or a run queued before): the allow-lists again, before
  // anything is written or run (the compile step checks the flags once more, for specs from elsewhere).
  // A variant without its own part builds for the project's target part (settings.part), if one is set.
  const variant: VariantConfig = cfg.variant.part === undefined && doc.settings.part !== undefined ? { ...cfg.variant, part: doc.settings.part } : cfg.variant;
  const refused = checkVariantStrings(variant);
  if (refused.length) throw new BuildFailure(`the variant's settings are refused, nothing was built: ${refused.map((r) => r.message).join(' ')}`);
  checkedCxxFlags(cfg.variant.cxxFlags ?? []);
  const badDefault = checkDefaultPrecision(doc.settings.defaultPrecision);
  if (badDefault.length) throw new BuildFailure(`the project's default precision: ${badDefault.map((d) => d.message).join(' ')}`, badDefault);
  const model = { graph: doc.graph, weights: weightsToEngine(doc.weights) };
  return {
    dir,
    name: cfg.variantName,
    model,
    config: hlsConfigOf(withProjectPrecisions(variant, doc.graph, doc.settings), opts.testImages ?? 2, model),
    inputs: null,
    csim: cfg.csim ? { cxxFlags: cfg.variant.cxxFlags ?? [], trace: false, timeoutMs: opts.csimTimeoutMs ?? 600_000 } : null,
    synthesis: opts.vendor ? 'vendor' : 'estimate',
    vendor: { steps: ['csynth', 'cosim', 'export'], stepTimeoutMs: null },
    errorVsFloat: true,
    // 'safe' only means something for io_stream (io_parallel has no FIFOs); the generator refuses it there.
    ...(cfg.fifo === 'safe' && variant.io === 'io_stream' ? { fifo: 'safe' as const } : {}),
  };
}

export function defaultBuildRoot(projectPath: string): string {
  return path.join(path.dirname(projectPath), `${path.basename(projectPath, path.extname(projectPath))}.builds`);
}

const nowIso = () => new Date().toISOString();

export class BuildQueue {
  readonly buildRoot: string;
  readonly concurrency: number;
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, Job>();
  private idleWaiters: (() => void)[] = [];
  private readonly backend: BuildBackend;
  /** Largest number of builds seen running at once (for tests and the status line). */
  maxObservedConcurrency = 0;
  /** BuildQueueOptions.warmLayerObjects: the last local build's layer objects to warm, and the warming under way. */
  private warmNext: { dir: string; top: string; csim: NonNullable<BuildSpec['csim']>; units: string[] } | null = null;
  private warming: { abort: AbortController; done: Promise<void> } | null = null;
  private disposed = false;

  constructor(private readonly opts: BuildQueueOptions) {
    this.buildRoot = opts.buildRoot ?? defaultBuildRoot(opts.project.path);
    this.concurrency = Math.max(1, opts.concurrency ?? os.availableParallelism?.() ?? os.cpus().length);
    this.backend = opts.backend ?? new LocalBackend({ toolchain: opts.toolchain ?? null, killGraceMs: 500 });
    // Runs a crash or quit left 'running' are 'interrupted'; queued ones wait for resume().
    opts.project.markInterruptedRuns();
  }

  private emit(e: BuildEvent): void {
    try {
      this.opts.emit?.(e);
    } catch {
      /* a listener must not break a build */
    }
  }

  /**
   * Queues one run per variant id and returns the run records at once (the builds start on the next turn of
   * the event loop, so the caller's answer is not held up by code generation). A variant already queued or
   * building is not queued again: its current run is returned (a second click on Build all queued duplicates).
   */
  enqueue(variantIds: string[], options: { csim?: boolean; fifo?: 'rule' | 'safe' } = {}): BuildRunRecord[] {
    const p = this.opts.project;
    const variants = new Map(p.listVariants().map((v) => [v.id, v]));
    const active = new Map<string, BuildRunRecord>();
    for (const r of p.listBuildRuns()) {
      if (r.variantId && (this.waiting.includes(r.id) || this.running.has(r.id))) active.set(r.variantId, r);
    }
    const out: BuildRunRecord[] = [];
    for (const id of new Set(variantIds)) {
      const v = variants.get(id);
      if (!v) throw new Error(`no variant with id ${id}; list the variants again`);
      const current = active.get(id);
      if (current) {
        out.push(current);
        continue;
      }
      const config: RunConfig = { variantName: v.name, variant: v.config as VariantConfig, csim: options.csim ?? true, ...(options.fifo === 'safe' ? { fifo: 'safe' as const } : {}) };
      const run = p.putBuildRun({
        id: `r_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`,
        variantId: v.id, config, status: 'queued', step: null, createdAt: nowIso(), startedAt: null, finishedAt: null,
        report: null, artifacts: null, log: '',
      });
      out.push(run);
      this.waiting.push(run.id);
      this.emit({ type: 'build.status', runId: run.id, variantId: v.id, status: 'queued' });
    }
    this.pump();
    return out;
  }

  /** Picks up runs stored as 'queued' (after a restart). Returns their ids. */
  resume(): string[] {
    const ids = this.opts.project.queuedLocalRunIds().filter((id) => !this.waiting.includes(id) && !this.running.has(id));
    this.waiting.push(...ids);
    this.pump();
    return ids;
  }

  /** Cancels a queued or running build; false when it is neither. */
  cancel(runId: string): boolean {
    const qi = this.waiting.indexOf(runId);
    if (qi >= 0) {
      this.waiting.splice(qi, 1);
      this.finish(runId, 'cancelled', null, null, 'cancelled before it started');
      return true;
    }
    const job = this.running.get(runId);
    if (job) {
      job.cancelled = true;
      job.build?.cancel('cancelled by the user');
      return true;
    }
    const stored = this.opts.project.listBuildRuns().find((r) => r.id === runId);
    if (stored?.status === 'queued') {
      this.finish(runId, 'cancelled', null, null, 'cancelled before it started');
      return true;
    }
    return false;
  }

  cancelAll(): number {
    let n = 0;
    for (const id of [...this.waiting]) if (this.cancel(id)) n++;
    for (const id of [...this.running.keys()]) if (this.cancel(id)) n++;
    return n;
  }

  get activeCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.waiting.length && !this.running.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Resolves when nothing is queued or running and no layer objects are being warmed (tests, benchmarks). */
  async settled(): Promise<void> {
    for (;;) {
      await this.idle();
      const warming = this.warming;
      if (warming) await warming.done; // a warming a build stopped starts again when it ends: look again
      else if (!this.waiting.length && !this.running.size) return;
    }
  }

  /** Cancels everything and waits for the processes to end. */
  async dispose(): Promise<void> {
    this.disposed = true; // a build that ends now starts no warming
    this.stopWarming();
    this.cancelAll();
    await this.idle();
    await this.warming?.done;
  }

  private startWarming(): void {
    const w = this.warmNext;
    if (!w || this.warming || this.disposed) return;
    this.warmNext = null;
    const abort = new AbortController();
    const done = Promise.resolve()
      .then(() => warmLayerObjects(w.dir, CSIM_EXE, projectLayerObjects(w.top, w.units), { ...csimCompileOptions(w.top, w.csim, w.units), signal: abort.signal, killGraceMs: 0 }))
      .then(
        () => undefined,
        () => undefined, // background work: the next build compiles what is missing
      )
      .finally(() => {
        if (this.warming?.abort === abort) this.warming = null;
        // stopped for a build: the units it did not reach are warmed at the next idle moment (the cache skips the others)
        if (abort.signal.aborted) this.warmNext ??= w;
        if (!this.waiting.length && !this.running.size && this.opts.warmLayerObjects) this.startWarming();
      });
    this.warming = { abort, done };
  }

  private stopWarming(): void {
    this.warming?.abort.abort();
  }

  private pump(): void {
    if (this.waiting.length) this.stopWarming(); // a user's build goes first
    while (this.running.size < this.concurrency && this.waiting.length) {
      const runId = this.waiting.shift()!;
      const job: Job = { runId, cancelled: false, build: null };
      this.running.set(runId, job);
      this.maxObservedConcurrency = Math.max(this.maxObservedConcurrency, this.running.size);
      // setImmediate: the build's synchronous start (loading the project, code generation) runs after the
      // caller has its answer.
      void new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.execute(job)).finally(() => {
        this.running.delete(runId);
        this.pump();
        if (!this.waiting.length && !this.running.size) {
          const w = this.idleWaiters;
          this.idleWaiters = [];
          for (const f of w) f();
          if (this.opts.warmLayerObjects) this.startWarming();
        }
      });
    }
  }

  private finish(runId: string, status: BuildStatus, report: RunReport | null, artifacts: RunArtifacts | null, note?: string): void {
    const p = this.opts.project;
    const cur = p.listBuildRuns().find((r) => r.id === runId);
    if (!cur) return;
    if (note) p.appendBuildLog(runId, `tessera: ${note}\n`);
    p.putBuildRun({ ...cur, log: undefined, status, finishedAt: nowIso(), report: report ?? cur.report, artifacts: artifacts ?? cur.artifacts });
    this.emit({ type: 'build.status', runId, variantId: cur.variantId, status, progress: 1 });
  }

  private async execute(job: Job): Promise<void> {
    const p = this.opts.project;
    const run = p.listBuildRuns().find((r) => r.id === job.runId);
    if (!run || run.status !== 'queued') return;
    if (job.cancelled) {
      this.finish(run.id, 'cancelled', null, null, 'cancelled before it started');
      return;
    }
    const cfg = run.config as RunConfig;
    const dir = path.join(this.buildRoot, `${sanitizeFolderName(cfg.variantName)}-${run.id.slice(-8)}`);
    let pending = '';
    let flushTimer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (!pending) return;
      const text = pending;
      pending = '';
      try {
        p.appendBuildLog(run.id, text);
      } catch {
        /* project closed under us: the log stays in the events */
      }
    };
    const log = (text: string, stream: 'stdout' | 'stderr' | 'info' = 'info') => {
      pending += text.endsWith('\n') ? text : `${text}\n`;
      this.emit({ type: 'build.log', runId: run.id, stream, text });
      if (!flushTimer) flushTimer = setTimeout(flush, 250);
    };

    p.putBuildRun({ ...run, log: undefined, status: 'running', startedAt: nowIso(), step: 'codegen' });
    this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: 'running', step: 'codegen', progress: 0 });
    let result: BuildResult;
    let spec: BuildSpec | null = null;
    try {
      spec = variantBuildSpec(p.load(), cfg, dir, { testImages: this.opts.testImages, csimTimeoutMs: this.opts.csimTimeoutMs, vendor: !!this.opts.toolchain });
      const phases = buildPhases(spec, this.opts.toolchain ?? null);
      const setStep = (step: BuildPhase) => {
        try {
          p.putBuildRun({ ...p.listBuildRuns().find((r) => r.id === run.id)!, log: undefined, status: 'running', step });
        } catch {
          /* project closed under us */
        }
        this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: 'running', step, progress: phaseProgress(phases, step) });
      };
      log(`tessera: variant "${cfg.variantName}" (${spec.config.io}), build folder ${dir}${this.backend.name === 'local' ? '' : ` (${this.backend.name})`}`);
      job.build = this.backend.start(spec, { phase: setStep, line: log }, run.id);
      if (job.cancelled) job.build.cancel('cancelled by the user');
      result = await job.build.done;
    } catch (e) {
      // The project could not make a design (nothing was built).
      const report = { ...emptyReport(), failure: e instanceof Error ? e.message : String(e) };
      result = { status: 'failed', report, artifacts: { dir, files: [] } };
      log(`tessera: build failed: ${report.failure}`, 'stderr');
      try {
        writeBuildResultFile(dir, result, run.id);
      } catch {
        /* the build folder cannot be written: the run record says it all */
      }
    }
    job.build = null;
    flush();
    const units = layerObjectUnits(result.artifacts.files);
    if (this.opts.warmLayerObjects && this.backend.name === 'local' && result.status === 'succeeded' && spec?.csim && units.length) {
      this.warmNext = { dir, top: spec.config.top, csim: spec.csim, units };
    }
    try {
      this.finish(run.id, result.status, result.report, result.artifacts);
    } catch {
      /* the project was closed while the build ran */
    }
  }
}
