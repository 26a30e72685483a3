// The build queue of one open project: per variant run codegen → C simulation (g++) → synthesis with
// the vendor tool when one is detected (else the estimate) → error vs float. Runs `concurrency` builds at
// a time; every state change is written to the project file (build_runs) at once, so after a restart
// runs left 'running' are marked 'interrupted' and 'queued' ones can be resumed. Processes go through the
// toolchain runner (argument arrays, own process group): cancel kills the whole tree.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { ProjectFile } from '../store/project';
import type { BuildRunRecord, BuildStatus } from '../store/runs';
import { weightsToEngine } from '../store/tensors';
import type { Model } from '../../../engine/graph/model';
import { generateProject } from '../../../engine/hls/generate';
import { estimateDesign } from '../../../engine/estimate/graph';
import type { EstimateReport } from '../../../engine/estimate/report';
import type { HlsReport, CosimReport } from '../../../engine/reports/types';
import { simulateFloat } from '../../../engine/sim/float';
import { fixedVsFloat, lsb } from '../../../engine/fixed/tensor';
import { formatFixedType } from '../../../engine/fixed/types';
import { apIncludeDir, gxxFlags, readExpected, readResults, readTemplates, writeFiles } from '../csim/csim';
import { startRun, type RunHandle, type RunPlan } from '../toolchain/runner';
import type { Toolchain } from '../toolchain/detect';
import { chooseHlsFlow } from '../toolchain/commands';
import { prepareBuild } from '../toolchain/prepare';
import { findReports } from '../toolchain/find-reports';
import { checkDefaultPrecision } from '../../../engine/hls/project-precision';
import { hlsConfigOf, sanitizeFolderName, withProjectPrecisions, type VariantConfig } from './variants';
import { checkVariantStrings, parseCxxFlags } from '../../../engine/safety';

export type StepName = 'codegen' | 'csim' | 'estimate' | 'synthesis' | 'error';

/** What a run stores in its `config` column: a snapshot of the variant when it was queued. */
export interface RunConfig {
  variantName: string;
  variant: VariantConfig;
  /** Run the g++ C simulation (default true). */
  csim: boolean;
}

export interface CsimOutcome {
  status: 'bit-exact' | 'mismatch' | 'failed' | 'skipped';
  images: number;
  values: number;
  mismatches: number;
  first: string | null;
  compileMs: number | null;
  runMs: number | null;
}

export interface ErrorVsFloat {
  /** Output node and its type. */
  output: string;
  outputType: string;
  maxAbs: number;
  rms: number;
  maxLsb: number;
  rmsLsb: number;
}

/** What a run stores in its `report` column. */
export interface RunReport {
  /** 'measured' when `hls` came from a vendor tool, else 'estimate'. */
  source: 'estimate' | 'measured';
  estimate: EstimateReport | null;
  hls: HlsReport | null;
  cosim: CosimReport | null;
  csim: CsimOutcome;
  error: ErrorVsFloat | null;
  buildMs: number;
  steps: { name: StepName; status: 'ok' | 'failed' | 'skipped'; ms: number }[];
  /** Why the build failed, in words (null when it did not). */
  failure: string | null;
}

export interface RunArtifacts {
  /** Build folder (absolute). */
  dir: string;
  files: string[];
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
  /** Per-step timeout of the C simulation (ms); default 10 minutes. */
  csimTimeoutMs?: number;
  /** Test images in the generated testbench; default 2. */
  testImages?: number;
}

interface Job {
  runId: string;
  cancelled: boolean;
  handle: RunHandle | null;
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
  private templates: Record<string, string> | null = null;
  /** Largest number of builds seen running at once (for tests and the status line). */
  maxObservedConcurrency = 0;

  constructor(private readonly opts: BuildQueueOptions) {
    this.buildRoot = opts.buildRoot ?? defaultBuildRoot(opts.project.path);
    this.concurrency = Math.max(1, opts.concurrency ?? os.availableParallelism?.() ?? os.cpus().length);
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
  enqueue(variantIds: string[], options: { csim?: boolean } = {}): BuildRunRecord[] {
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
      const config: RunConfig = { variantName: v.name, variant: v.config as VariantConfig, csim: options.csim ?? true };
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
      job.handle?.cancel('cancelled by the user');
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

  /** Cancels everything and waits for the processes to end. */
  async dispose(): Promise<void> {
    this.cancelAll();
    await this.idle();
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length) {
      const runId = this.waiting.shift()!;
      const job: Job = { runId, cancelled: false, handle: null };
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
    const t0 = Date.now();
    const steps: RunReport['steps'] = [];
    const report: RunReport = {
      source: 'estimate', estimate: null, hls: null, cosim: null,
      csim: { status: 'skipped', images: 0, values: 0, mismatches: 0, first: null, compileMs: null, runMs: null },
      error: null, buildMs: 0, steps, failure: null,
    };
    const dir = path.join(this.buildRoot, `${sanitizeFolderName(cfg.variantName)}-${run.id.slice(-8)}`);
    const artifacts: RunArtifacts = { dir, files: [] };
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
    // Synthesis runs only where a vendor HLS tool was detected; otherwise that step is the estimate, and
    // the status says so (it said 'synthesis' while only the estimate ran).
    const tc = this.opts.toolchain ?? null;
    const flow = tc ? chooseHlsFlow(tc) : null;
    const vendor = !!tc && !!flow && flow !== 'csim-gxx';
    const stepNames: StepName[] = ['codegen', ...(cfg.csim ? (['csim'] as StepName[]) : []), vendor ? 'synthesis' : 'estimate', 'error'];
    const setStep = (step: StepName, fraction = 0) => {
      // The estimate stands in the synthesis slot when a vendor build cannot run (its C simulation failed).
      const slot = step === 'estimate' || step === 'synthesis' ? stepNames.length - 2 : stepNames.indexOf(step);
      const progress = Math.min(1, (slot + fraction) / stepNames.length);
      p.putBuildRun({ ...p.listBuildRuns().find((r) => r.id === run.id)!, log: undefined, status: 'running', step });
      this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: 'running', step, progress });
    };
    const timed = async <T>(name: StepName, f: () => Promise<T> | T): Promise<T> => {
      const s0 = Date.now();
      try {
        const r = await f();
        steps.push({ name, status: 'ok', ms: Date.now() - s0 });
        return r;
      } catch (e) {
        steps.push({ name, status: 'failed', ms: Date.now() - s0 });
        throw e;
      }
    };

    p.putBuildRun({ ...run, log: undefined, status: 'running', startedAt: nowIso(), step: 'codegen' });
    this.emit({ type: 'build.status', runId: run.id, variantId: run.variantId, status: 'running', step: 'codegen', progress: 0 });
    let status: BuildStatus = 'succeeded';
    try {
      // 1. codegen
      setStep('codegen');
      // The variant came from the project file (or a run queued before): the allow-lists again, before
      // anything is written or run.
      const refused = checkVariantStrings(cfg.variant);
      if (refused.length) throw new BuildFailure(`the variant's settings are refused, nothing was built: ${refused.map((r) => r.message).join(' ')}`);
      const cxxFlags = projectCxxFlags(cfg.variant.cxxFlags ?? [], path.dirname(p.path));
      const doc = p.load();
      const badDefault = checkDefaultPrecision(doc.settings.defaultPrecision);
      if (badDefault.length) throw new BuildFailure(`the project's default precision: ${badDefault.map((d) => d.message).join(' ')}`);
      const model: Model = { graph: doc.graph, weights: weightsToEngine(doc.weights) };
      const hls = hlsConfigOf(withProjectPrecisions(cfg.variant, doc.graph, doc.settings), this.opts.testImages ?? 2, model);
      log(`tessera: variant "${cfg.variantName}" (${hls.io}), build folder ${dir}`);
      const g = await timed('codegen', () => {
        this.templates ??= readTemplates();
        const r = generateProject({ model, config: hls, templates: this.templates });
        if (!r.files) {
          const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
          throw new BuildFailure(`code generation failed: ${errs.join(' ') || 'no files'}`);
        }
        fs.mkdirSync(dir, { recursive: true });
        writeFiles(dir, r.files);
        artifacts.files.push(...Object.keys(r.files).filter((f) => !f.startsWith('firmware/nnet/')));
        return r;
      });
      log(`codegen: ${Object.keys(g.files!).length} files`);
      if (job.cancelled) throw new Cancelled();

      // 2. C simulation with g++. A failure is recorded and the build goes on to the estimate and the
      // error vs float (neither depends on it), then ends 'failed' with the C simulation's message.
      let csimFailure = null as string | null;
      if (cfg.csim) {
        setStep('csim');
        await timed('csim', async () => {
          const inc = apIncludeDir();
          fs.mkdirSync(path.join(dir, 'csim'), { recursive: true });
          const plan: RunPlan = {
            flow: 'csim-gxx', cwd: dir, artifactDirs: [],
            commands: [
              { command: 'g++', args: [...gxxFlags(inc.dir), ...cxxFlags, `firmware/${hls.top}.cpp`, `tb/${hls.top}_test.cpp`, '-o', 'csim/csim.exe'], steps: ['csim'], label: 'compile' },
              { command: path.join(dir, 'csim/csim.exe'), args: ['.'], steps: ['csim'], label: 'run' },
            ],
          };
          const c0 = Date.now();
          let compiledAt = 0;
          job.handle = startRun(plan, {
            stepTimeoutMs: this.opts.csimTimeoutMs ?? 600_000,
            killGraceMs: 500,
            onLine: (e) => log(e.line, e.stream),
            onStatus: (r) => {
              if (!compiledAt && r.commands.length > 1) compiledAt = Date.now();
            },
          });
          if (job.cancelled) job.handle.cancel('cancelled by the user');
          const rec = await job.handle.done;
          job.handle = null;
          const t1 = Date.now();
          report.csim.compileMs = (compiledAt || t1) - c0;
          report.csim.runMs = compiledAt ? t1 - compiledAt : 0;
          if (job.cancelled || rec.status === 'cancelled') throw new Cancelled();
          const got = readResults(dir);
          const want = readExpected(dir);
          report.csim.images = want.length;
          report.csim.values = want[0]?.length ?? 0;
          let mism = 0;
          for (let b = 0; b < want.length; b++) {
            for (let i = 0; i < want[b].length; i++) {
              if (got[b]?.[i] !== want[b][i]) {
                if (!report.csim.first) report.csim.first = `image ${b} value ${i}: csim ${got[b]?.[i]}, engine ${want[b][i]}`;
                mism++;
              }
            }
          }
          report.csim.mismatches = mism;
          if (rec.status !== 'succeeded') {
            report.csim.status = 'failed';
            throw new BuildFailure(`C simulation failed (${rec.error ?? rec.status})`);
          }
          report.csim.status = mism === 0 && got.length === want.length ? 'bit-exact' : 'mismatch';
          artifacts.files.push('csim/csim.exe', 'tb_data/csim_results.dat');
          log(`csim: ${report.csim.status}${mism ? ` (${mism} values differ; first ${report.csim.first})` : ''}, ${want.length} images`);
        }).catch((e: unknown) => {
          if (e instanceof Cancelled || job.cancelled) throw e;
          csimFailure = e instanceof BuildFailure ? e.message : `C simulation failed (${e instanceof Error ? e.message : String(e)})`;
          report.csim.status = 'failed';
          log(`tessera: ${csimFailure}; the estimate and the error vs float still follow`, 'stderr');
        });
      } else steps.push({ name: 'csim', status: 'skipped', ms: 0 });
      if (job.cancelled) throw new Cancelled();

      // 3. synthesis with a vendor tool, else the estimate (also when the C simulation failed: the vendor
      // tool would compile the same sources, and the estimate needs only the design and its config)
      setStep(vendor && csimFailure === null ? 'synthesis' : 'estimate');
      if (tc && flow && vendor && csimFailure === null) {
        await timed('synthesis', async () => {
          const prep = prepareBuild({
            toolchain: tc,
            layout: { dir, projectName: `${hls.top}_prj`, top: hls.top, sources: [`firmware/${hls.top}.cpp`], testbench: [`tb/${hls.top}_test.cpp`, 'tb_data'] },
            script: { part: hls.part, clockPeriodNs: hls.clockPeriodNs, sources: [`firmware/${hls.top}.cpp`], testbench: [`tb/${hls.top}_test.cpp`, 'tb_data'], cflags: ['-std=c++14'] },
            steps: ['csynth', 'cosim', 'export'],
            flow,
          });
          if (!prep.plan) throw new BuildFailure(`cannot prepare the vendor build: ${prep.problem}`);
          job.handle = startRun(prep.plan, { onLine: (e) => log(e.line, e.stream) });
          if (job.cancelled) job.handle.cancel('cancelled by the user');
          const rec = await job.handle.done;
          job.handle = null;
          if (job.cancelled || rec.status === 'cancelled') throw new Cancelled();
          const found = findReports(dir).find((s) => s.synth);
          if (found) {
            report.hls = found.synth;
            report.cosim = found.cosim;
            report.source = 'measured';
            artifacts.files.push(...found.files.map((f) => (f.startsWith(`${found.dir}/`) ? f : path.join(found.dir, f))));
          }
          if (rec.status !== 'succeeded') throw new BuildFailure(`vendor build failed (${rec.error ?? rec.status})`);
        });
      } else {
        if (vendor) {
          steps.push({ name: 'synthesis', status: 'skipped', ms: 0 });
          log('synthesis skipped: the C simulation failed; the estimate instead');
        }
        await timed('estimate', () => {
          const e = estimateDesign(model, hls);
          if (!e.report) throw new BuildFailure(`${csimFailure ? `${csimFailure}; ` : ''}estimate failed: ${e.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join(' ')}`);
          report.estimate = e.report;
          fs.writeFileSync(path.join(dir, 'estimate.json'), JSON.stringify(e.report, null, 2));
          artifacts.files.push('estimate.json');
          log(`estimate: latency ${e.report.latency.worst.cycles} cycles, II ${e.report.interval.min}, DSP ${e.report.resources.DSP.used}, LUT ${e.report.resources.LUT.used} [estimate]`);
        });
      }

      // 4. error vs float (the engine's float run on the testbench inputs vs the fixed-point outputs)
      setStep('error');
      await timed('error', () => {
        const fl = simulateFloat(model, g.inputs, { keep: 'outputs' });
        const names = Object.keys(g.sim!.outputs);
        if (!names.length) return;
        const name = names[0];
        const fx = g.sim!.outputs[name];
        const e = fixedVsFloat(fx, fl.outputs[name]);
        const unit = lsb(fx.type);
        report.error = { output: name, outputType: formatFixedType(fx.type), maxAbs: e.maxAbs, rms: e.rms, maxLsb: e.maxLsb, rmsLsb: e.rms / unit };
        log(`error vs float at ${name}: max ${e.maxLsb.toFixed(2)} LSB, RMS ${(e.rms / unit).toFixed(3)} LSB`);
      });
      if (csimFailure !== null) throw new BuildFailure(csimFailure);
    } catch (e) {
      if (e instanceof Cancelled || job.cancelled) {
        status = 'cancelled';
        log('tessera: cancelled');
      } else {
        status = 'failed';
        report.failure = e instanceof Error ? e.message : String(e);
        log(`tessera: build failed: ${report.failure}`, 'stderr');
      }
    }
    report.buildMs = Date.now() - t0;
    flush();
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'tessera-run.json'), JSON.stringify({ runId: run.id, status, report }, null, 2));
      this.finish(run.id, status, report, artifacts);
    } catch {
      /* the project was closed while the build ran */
    }
  }
}

class BuildFailure extends Error {}

/**
 * A variant's g++ flags as arguments (they passed the allow-list): -I / -L folders are relative to the
 * project folder and must stay inside it after links are resolved; they become absolute paths.
 */
export function projectCxxFlags(flags: readonly string[], projectDir: string): string[] {
  const parsed = parseCxxFlags(flags);
  if (parsed.refusals.length) throw new BuildFailure(parsed.refusals.map((r) => r.message).join(' '));
  const root = fs.realpathSync(projectDir);
  return parsed.flags.map((f) => {
    if (f.kind === 'plain') return f.arg;
    let dir: string;
    try {
      dir = fs.realpathSync(path.resolve(root, f.dir));
    } catch {
      throw new BuildFailure(`cxxFlags: ${f.option}${f.dir} names a folder that does not exist in the project folder ${root}; create it or remove the flag`);
    }
    if (dir !== root && !dir.startsWith(root + path.sep)) throw new BuildFailure(`cxxFlags: ${f.option}${f.dir} leads outside the project folder (to ${dir}); include folders must be inside ${root}`);
    return `${f.option}${dir}`;
  });
}
class Cancelled extends Error {}
