// The one build pipeline: the build queue (the app, `tessera sweep`) and `tessera build` both build
// through runBuild, and a remote backend runs it from a serialised spec (`tessera build --spec`).
//
//   codegen ──▶ csim: compile ─▶ run ─▶ compare ──▶ synthesis: vendor synth ─▶ report parse ──▶ error vs float
//                                                        └─ or the estimate
//
// Decisions, each in one place:
// - A failed codegen ends the build (nothing else has anything to work on).
// - A failed C simulation is recorded and the build goes on to the estimate (not the vendor tool, which
//   would compile the same sources) and the error vs float, neither of which depends on it; the build
//   then ends 'failed' with the C simulation's message, its report keeping the figures.
// - Synthesis 'vendor' runs the vendor tool when the toolchain has an HLS flow, else the estimate.
// - A vendor run that fails, writes no synthesis report or whose co-simulation fails, fails the build.
import { formatFit } from '../../../../engine/reports/fit';
import type { Diagnostic } from '../../../../engine/diagnostics/diagnostics';
import type { BuildSpec } from '../../../../api/build-spec';
import type { RunArtifacts, RunReport, StepName } from '../../../../api/build-report';
import { chooseHlsFlow } from '../../toolchain/commands';
import type { Toolchain } from '../../toolchain/detect';
import type { BuildStep } from '../../toolchain/runner';
import type { ProcessStep } from '../../csim/csim';
import {
  BuildCancelled, BuildFailure, codegenSources, measuredDepthsIn, compareWithEngine, compile, csimRun, errorVsFloat, estimate, estimateToolOf, generatedArtifacts,
  isExact, readVendorReports, writeEstimate, reportFiles, throwIfCancelled, vendorSynth, type CsimComparison, type CsimUnits, type Generated, type StepIo, type VendorReports, type VendorRun,
} from './steps';

/** The parts of a build that progress is reported in ('estimate' stands where 'synthesis' would when no vendor tool runs). */
export type BuildPhase = 'codegen' | 'csim' | 'synthesis' | 'estimate' | 'error';

export interface BuildObserver {
  /** A phase starts. */
  phase?(phase: BuildPhase): void;
  /** Codegen succeeded: the files are written. */
  generated?(g: Generated): void;
  /** A program starts ('g++', 'testbench', the vendor tool's label): what a cancel would stop. */
  program?(label: string): void;
  /** A line of the build's log: the pipeline's own ('info') or a program's output, with the tool's step and progress. */
  line?(text: string, stream: 'info' | 'stdout' | 'stderr', tool?: { step: BuildStep; progress: number }): void;
}

export interface BuildContext {
  /** hls-templates/nnet/* by file name. */
  templates: Record<string, string>;
  /** The tools where the build runs; synthesis 'vendor' without an HLS flow in it falls back to the estimate. */
  toolchain: Toolchain | null;
  observer?: BuildObserver;
  /** Aborting it cancels the build (process trees killed); the result is 'cancelled'. */
  signal?: AbortSignal;
  /** Grace between SIGTERM and SIGKILL when cancelled (default the runner's). */
  killGraceMs?: number;
}

/** What a build ends with: serialisable (tessera-run.json, a build run's columns). */
export interface BuildResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  report: RunReport;
  artifacts: RunArtifacts;
}

/** A local build's result with what it has in memory, for a caller that shows more than the report. */
export interface BuildOutcome extends BuildResult {
  /** The generation (null when codegen failed). */
  generated: Generated | null;
  /** Design errors behind a failure (codegen, estimate), for a caller that lists them one by one. */
  diagnostics: Diagnostic[];
  /** The C simulation's processes (compile, then run when it compiled) and its comparison. */
  csim: { compile: ProcessStep; run: ProcessStep | null; comparison: CsimComparison | null } | null;
  /** The vendor run and the reports it left (null when no vendor tool ran). */
  vendor: (VendorRun & { reports: VendorReports }) | null;
}

/** The phases a spec goes through with this toolchain, in order (for progress). */
export function buildPhases(spec: BuildSpec, toolchain: Toolchain | null): BuildPhase[] {
  const vendor = spec.synthesis === 'vendor' && !!toolchain && chooseHlsFlow(toolchain) !== null;
  const synthesis: BuildPhase[] = spec.synthesis === 'none' ? [] : [vendor ? 'synthesis' : 'estimate'];
  return ['codegen', ...(spec.csim ? (['csim'] as const) : []), ...synthesis, ...(spec.errorVsFloat ? (['error'] as const) : [])];
}

/** How far a build is when `phase` starts (0…1); the estimate takes the synthesis slot (a failed C simulation skips the vendor tool). */
export function phaseProgress(phases: readonly BuildPhase[], phase: BuildPhase): number {
  const slot = phases.indexOf(phase) >= 0 ? phases.indexOf(phase) : phases.findIndex((p) => p === 'synthesis' || p === 'estimate');
  return Math.min(1, Math.max(0, slot) / phases.length);
}

export function emptyReport(): RunReport {
  return {
    source: 'estimate', estimate: null, hls: null, hlsFit: null, cosim: null,
    csim: { status: 'skipped', images: 0, values: 0, mismatches: 0, first: null, compileMs: null, runMs: null },
    error: null, buildMs: 0, steps: [], failure: null,
  };
}

export async function runBuild(spec: BuildSpec, ctx: BuildContext): Promise<BuildOutcome> {
  const t0 = Date.now();
  const report = emptyReport();
  const artifacts: RunArtifacts = { dir: spec.dir, files: [] };
  const out: BuildOutcome = { status: 'succeeded', report, artifacts, generated: null, diagnostics: [], csim: null, vendor: null };
  const info = (text: string, stream: 'info' | 'stderr' = 'info') => ctx.observer?.line?.(text, stream);
  const io: StepIo = {
    signal: ctx.signal,
    killGraceMs: ctx.killGraceMs,
    onLine: (e) => ctx.observer?.line?.(e.line, e.stream, { step: e.step, progress: e.progress }),
  };
  const timed = async <T>(name: StepName, f: () => Promise<T> | T): Promise<T> => {
    const s0 = Date.now();
    try {
      const r = await f();
      report.steps.push({ name, status: 'ok', ms: Date.now() - s0 });
      return r;
    } catch (e) {
      report.steps.push({ name, status: 'failed', ms: Date.now() - s0 });
      throw e;
    }
  };
  const skipped = (name: StepName) => report.steps.push({ name, status: 'skipped', ms: 0 });

  try {
    ctx.observer?.phase?.('codegen');
    // A rebuild in a folder where a vendor build ran sizes its FIFOs from the measured pipeline depths.
    const measured = measuredDepthsIn(spec.dir, spec.model, spec.config);
    if (Object.keys(measured).length) info(`FIFO read-ahead from the pipeline depths an earlier vendor build measured: ${Object.entries(measured).map(([k, d]) => `${k} ${d.cycles} cycles (${d.from})`).join(', ')}`);
    const pending = await timed('codegen', () => codegenSources(spec, ctx.templates, Object.fromEntries(Object.entries(measured).map(([k, d]) => [k, d.cycles]))));
    // The rest of codegen (test vectors, synthesis-only weight lists) is read by neither g++ nor the estimate:
    // with a C simulation it is done while g++ compiles, else now.
    let generated: Generated | null = null;
    const finish = (): Generated => {
      if (generated) return generated;
      const g = pending.finish();
      generated = g;
      out.generated = g;
      const later = new Set(pending.synthesisPaths());
      artifacts.files.push(...generatedArtifacts(g).filter((f) => !later.has(f))); // those once written (writeSynthesis)
      info(`codegen: ${Object.keys(g.files).length} files${spec.fifo === 'safe' ? '; FIFO depths safe (every stream a fork writes holds its whole tensor)' : ''}`);
      ctx.observer?.generated?.(g);
      return g;
    };
    if (!spec.csim) finish();
    throwIfCancelled(ctx.signal);

    // The error vs float and the estimate need nothing from the C simulation: computed while g++ or the
    // testbench runs (other processes), they cost no wall time on a machine with a core to spare; each is
    // reported in its own step as before, and a failure is kept for that step, where it failed before.
    const computeError = ahead(() => errorVsFloat(spec.model, finish()));
    const flow = spec.synthesis === 'vendor' && ctx.toolchain ? chooseHlsFlow(ctx.toolchain) : null;
    // With a vendor tool the estimate stands in only when the C simulation fails: not known before it ran.
    const computeEstimate = ahead(() => estimate(spec.model, spec.config, estimateToolOf(flow)));
    const writeSynthesis = () => artifacts.files.push(...pending.writeSynthesis());
    const whileRunning = () => {
      try {
        writeSynthesis();
      } catch {
        // tried again after the C simulation, where it fails the build
      }
      if (spec.synthesis !== 'none' && !flow) computeEstimate.now();
    };

    let csimFailure: string | null = null;
    if (spec.csim) {
      ctx.observer?.phase?.('csim');
      csimFailure = await timed('csim', () => csimSteps(spec, finish, pending.units, io, out, info, (label) => ctx.observer?.program?.(label), () => { if (spec.errorVsFloat) computeError.now(); }, whileRunning)).then(
        () => null,
        (e: unknown) => {
          if (e instanceof BuildCancelled || ctx.signal?.aborted) throw e;
          report.csim.status = 'failed';
          const why = e instanceof BuildFailure ? e.message : `C simulation failed (${e instanceof Error ? e.message : String(e)})`;
          info(`tessera: ${why}; ${spec.synthesis !== 'none' ? 'the estimate and ' : ''}the error vs float still follow`, 'stderr');
          return why;
        },
      );
    } else skipped('csim');
    finish(); // (done by now unless it failed during the compile: then it fails the build here)
    writeSynthesis(); // (done by now when the testbench ran)
    throwIfCancelled(ctx.signal);

    if (spec.synthesis !== 'none') {
      ctx.observer?.phase?.(flow && csimFailure === null ? 'synthesis' : 'estimate');
      if (flow && csimFailure === null) {
        const toolchain = ctx.toolchain!;
        await timed('synthesis', async () => {
          const v = await vendorSynth(spec.dir, toolchain, flow, spec.config, spec.vendor, {
            ...io,
            announce: (r) => {
              info(`${r.flow}: ${spec.vendor.steps.join(', ')} with ${r.toolLabel} in ${spec.dir} (wrote ${r.written.join(', ')})`);
              ctx.observer?.program?.(r.toolLabel);
            },
          });
          const reports = readVendorReports(spec.dir);
          out.vendor = { ...v, reports };
          if (v.record.status === 'cancelled' || ctx.signal?.aborted) throw new BuildCancelled(v.record.error ?? 'cancelled');
          if (reports.synth) {
            report.hls = reports.synth.synth;
            report.hlsFit = reports.synth.synthFit;
            if (reports.synth.synthFit) info(`${formatFit(reports.synth.synthFit)}   [${reports.synth.synthFile}]`);
            report.cosim = reports.synth.cosim;
            report.source = 'measured';
            artifacts.files.push(...reportFiles(reports.synth));
          }
          const rec = v.record;
          if (rec.status !== 'succeeded') {
            throw new BuildFailure(`vendor build (${flow}) ${rec.status} in step ${rec.currentStep}${rec.exitCode !== null ? ` (exit code ${rec.exitCode})` : ''}: ${rec.error ?? 'see the log'}`);
          }
          if (!reports.synth) throw new BuildFailure(`${v.toolLabel} finished but wrote no synthesis report under ${spec.dir} (looked for csynth.xml / csynth.rpt); see the log`);
          if (spec.vendor.steps.includes('cosim') && report.cosim?.status === 'Fail') throw new BuildFailure('C/RTL co-simulation FAILED (see the cosim report)');
        });
      } else {
        if (flow) {
          skipped('synthesis');
          info('synthesis skipped: the C simulation failed; the estimate instead');
        }
        await timed('estimate', () => {
          try {
            report.estimate = computeEstimate.result();
          } catch (e) {
            if (e instanceof BuildFailure) throw new BuildFailure(`${csimFailure ? `${csimFailure}; ` : ''}${e.message}`, e.diagnostics);
            throw e;
          }
          artifacts.files.push(writeEstimate(spec.dir, report.estimate));
          const e = report.estimate;
          info(`estimate: latency ${e.latency.worst.cycles} cycles, II ${e.interval.min}, DSP ${e.resources.DSP.used}, LUT ${e.resources.LUT.used} [estimate]`);
        });
        report.steps[report.steps.length - 1].ms = computeEstimate.ms(); // the computation's own time, wherever it ran
      }
    }

    if (spec.errorVsFloat) {
      ctx.observer?.phase?.('error');
      await timed('error', () => {
        report.error = computeError.result();
        const e = report.error;
        if (e) info(`error vs float at ${e.output}: max ${e.maxLsb.toFixed(2)} LSB, RMS ${e.rmsLsb.toFixed(3)} LSB`);
      });
      report.steps[report.steps.length - 1].ms = computeError.ms(); // the computation's own time, wherever it ran
    }
    if (csimFailure !== null) throw new BuildFailure(csimFailure);
  } catch (e) {
    if (e instanceof BuildCancelled || ctx.signal?.aborted) {
      out.status = 'cancelled';
      info('tessera: cancelled');
    } else {
      out.status = 'failed';
      report.failure = e instanceof Error ? e.message : String(e);
      if (e instanceof BuildFailure) out.diagnostics = e.diagnostics;
      info(`tessera: build failed: ${report.failure}`, 'stderr');
    }
  }
  report.buildMs = Date.now() - t0;
  return out;
}

/**
 * A computation the build may do ahead of its step, while a program runs: now() computes it once (a throw is
 * kept), result() computes it if it was not yet and returns its value or throws what it threw, ms() its time.
 */
function ahead<T>(compute: () => T): { now(): void; result(): T; ms(): number } {
  let done: { value: T } | { thrown: unknown } | null = null;
  let ms = 0;
  const now = () => {
    if (done) return;
    const s0 = Date.now();
    try {
      done = { value: compute() };
    } catch (e) {
      done = { thrown: e };
    }
    ms = Date.now() - s0;
  };
  return {
    now,
    result: () => {
      now();
      if (done && 'thrown' in done) throw done.thrown;
      return (done as { value: T }).value;
    },
    ms: () => ms,
  };
}

/** compile → run → compare, filling the report's csim part; throws BuildFailure when it did not run through. */
async function csimSteps(
  spec: BuildSpec, finish: () => Generated, units: CsimUnits, io: StepIo, out: BuildOutcome, info: (text: string) => void, program: (label: string) => void,
  whileCompiling: () => void, whileRunning: () => void,
): Promise<void> {
  const csim = spec.csim!;
  const rc = out.report.csim;
  program('g++');
  // Beside g++: the rest of codegen, then the error vs float. A failure there must not leave g++ running
  // unwatched: it is raised again below, once the compile has ended.
  const compiled = await compile(spec.dir, spec.config.top, csim, io, () => {
    try {
      finish();
    } catch {
      return;
    }
    whileCompiling();
  }, units);
  const g = finish();
  out.csim = { compile: compiled, run: null, comparison: null };
  rc.compileMs = compiled.ms;
  rc.runMs = 0;
  if (compiled.cancelled || io.signal?.aborted) throw new BuildCancelled('cancelled');
  if (!compiled.ok) throw new BuildFailure(`C simulation failed (${compiled.record.error ?? compiled.record.status})`);
  program('testbench');
  const running = csimRun(spec.dir, csim, io);
  whileRunning(); // the testbench is spawned: one process, a core left for this one
  const ran = await running;
  out.csim.run = ran;
  rc.runMs = ran.ms;
  if (ran.cancelled || io.signal?.aborted) throw new BuildCancelled('cancelled');
  // The comparison also explains a failed run (the testbench exits 1 on a mismatch).
  const cmp = compareWithEngine(spec.dir, g, csim.trace);
  out.csim.comparison = cmp;
  Object.assign(rc, { images: cmp.output.images, values: cmp.output.values, mismatches: cmp.output.mismatches, first: cmp.output.first });
  if (cmp.layers) rc.layers = cmp.layers;
  if (!ran.ok) throw new BuildFailure(`C simulation failed (${ran.record.error ?? ran.record.status})`);
  const exact = isExact(cmp.output) && Object.values(cmp.layers ?? {}).every(isExact);
  rc.status = exact ? 'bit-exact' : 'mismatch';
  out.artifacts.files.push('csim/csim.exe', 'tb_data/csim_results.dat');
  info(`csim: ${rc.status}${rc.mismatches ? ` (${rc.mismatches} values differ; first ${rc.first})` : ''}, ${rc.images} images`);
}
