// The build steps, one named function each: codegen, compile, csim run, compare, estimate, vendor synth,
// report parse, error vs float. Each does one thing and says in a BuildFailure why it could not; the
// pipeline (run.ts) decides which steps run and in what order. Processes go through the toolchain runner
// (argument arrays, own process group; the caller's AbortSignal kills the whole tree).
import fs from 'node:fs';
import path from 'node:path';
import type { Model } from '../../../../engine/graph/model';
import type { Diagnostic } from '../../../../engine/diagnostics/diagnostics';
import type { HlsConfig } from '../../../../engine/hls/config';
import { firmwareValues, generateProject, layerObjectUnits, packedValueUnits, sortedFiles, vendorSources, type FileMap, type GenerateResult, type GenerateRest } from '../../../../engine/hls/generate';
import type { FixedSimResult } from '../../../../engine/hls/simulate';
import { fixedVsFloat, lsb } from '../../../../engine/fixed/tensor';
import { floatRunKey, simulateFloat } from '../../../../engine/sim/float';
import { formatFixedType, fracBits } from '../../../../engine/fixed/types';
import { estimateDesign, fifoReadAhead, layerNames } from '../../../../engine/estimate/graph';
import { measuredPipelineDepths, type MeasuredDepth } from '../../../../engine/reports/loop-depth';
import type { EstimateTool } from '../../../../engine/estimate/model';
import type { EstimateReport } from '../../../../engine/estimate/report';
import type { BuildSpec, CsimSpec, VendorStep } from '../../../../api/build-spec';
import { parseCxxFlags } from '../../../../engine/safety';
import type { ErrorVsFloat, ValueComparison } from '../../../../api/build-report';
import { CSIM_EXE, compileCsim, projectLayerObjects, projectSources, type CompileOptions, readExpected, readResults, readTrace, runCsimProgram, writeFiles, type ProcessStep } from '../../csim/csim';
import { startRun, type LineEvent, type RunRecord } from '../../toolchain/runner';
import type { FlowId, Toolchain } from '../../toolchain/detect';
import { prepareBuild } from '../../toolchain/prepare';
import { findReports, type SolutionReports } from '../../toolchain/find-reports';
import { isGraphInput } from '../../../../engine/ops/input';
import { fixedRuns, floatRuns } from './reference-runs';

/** A step could not do its work; the message says why in words (diagnostics when the design is at fault). */
export class BuildFailure extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message);
  }
}

/** The build was cancelled (its AbortSignal fired). */
export class BuildCancelled extends Error {}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BuildCancelled(typeof signal.reason === 'string' ? signal.reason : 'cancelled');
}

/** How a step's processes are run: cancelled by `signal`, their output lines to `onLine`. */
export interface StepIo {
  signal?: AbortSignal;
  onLine?: (e: LineEvent) => void;
  /** Grace between SIGTERM and SIGKILL when cancelled (default the runner's). */
  killGraceMs?: number;
}

// ---------------------------------------------------------------------------------------------
// codegen
// ---------------------------------------------------------------------------------------------

/** A generation that succeeded: files written, the engine's fixed-point run on the test inputs. */
export type Generated = GenerateResult & { files: FileMap; sim: FixedSimResult };

/**
 * Generates the HLS project of the spec and writes it into spec.dir (nothing is written when it fails). The
 * stream FIFOs are sized with every layer's pixels in flight at the estimate's pipeline depths. The test
 * vectors of a design whose values an earlier build computed are that build's (reference-runs.ts).
 */
export function codegen(spec: Pick<BuildSpec, 'dir' | 'model' | 'config' | 'inputs' | 'fifo'>, templates: Record<string, string>, measuredDepth?: Record<string, number>): Generated {
  const pending = codegenSources(spec, templates, measuredDepth);
  const g = pending.finish();
  pending.writeSynthesis();
  return g;
}

/** Code generation in three parts: what g++ compiles, written at once; the test vectors; the synthesis-only files. */
export interface PendingCodegen {
  /** Writes the test vectors (the engine's fixed-point run); the whole generation (its files all listed). */
  finish(): Generated;
  /**
   * Writes the synthesis-only weight lists (weights/*.inc, ~15 MB for DCGAN: 0.1–0.45 s, on the compile's
   * critical path when written while g++ runs), after finish(). A build does it while its testbench runs.
   * Returns the paths written (none when they already were); throws BuildFailure when they cannot be, and
   * tries again on the next call.
   */
  writeSynthesis(): string[];
  /** The paths writeSynthesis writes (after finish()). */
  synthesisPaths(): string[];
  /** The units the C simulation compiles beside the top one and the testbench. */
  units: CsimUnits;
}

/** codegen's first part: every file g++ reads, written into spec.dir (the build compiles while finish() runs). */
export function codegenSources(spec: Pick<BuildSpec, 'dir' | 'model' | 'config' | 'inputs' | 'fifo'>, templates: Record<string, string>, measuredDepth?: Record<string, number>): PendingCodegen {
  const readAhead = spec.config.io === 'io_stream' ? fifoReadAhead(spec.model, spec.config, { measuredDepth }) ?? undefined : undefined;
  const g = generateProject({ model: spec.model, config: spec.config, templates, inputs: spec.inputs ?? undefined, fifoReadAhead: readAhead, fifo: spec.fifo, simMemo: fixedRuns, deferred: true });
  const failed = (errors: Diagnostic[]) => new BuildFailure(`code generation failed: ${errors.map((d) => d.message).join(' ') || 'no files'}`, errors);
  const errors = g.diagnostics.filter((d) => d.severity === 'error');
  if (!g.files || !g.rest || errors.length) throw failed(errors);
  try {
    fs.mkdirSync(spec.dir, { recursive: true });
  } catch (e) {
    throw new BuildFailure(`cannot create the build folder ${spec.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check that its parent folder exists and is writable`);
  }
  writeFiles(spec.dir, g.files);
  const { rest, ...sources } = g;
  let done: Generated | null = null;
  let synthesis: FileMap | null = null;
  const synthesisKeys = new Set<string>();
  return {
    units: { layerObjects: layerObjectUnits(Object.keys(g.files)), values: packedValueUnits(Object.keys(g.files)) },
    synthesisPaths: () => [...synthesisKeys],
    writeSynthesis: () => {
      if (!synthesis) return [];
      try {
        writeFiles(spec.dir, synthesis);
      } catch (e) {
        throw new BuildFailure(`cannot write the synthesis weight lists (weights/*.inc) into ${spec.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the free space and that the folder is writable`);
      }
      const written = Object.keys(synthesis);
      synthesis = null;
      return written;
    },
    finish: () => {
      if (done) return done;
      let r: GenerateRest;
      try {
        r = rest();
      } catch (e) {
        const ds = (e as { diagnostics?: Diagnostic[] }).diagnostics;
        throw ds?.length ? failed(ds.filter((d) => d.severity === 'error')) : new BuildFailure(`code generation failed: the fixed-point run of the test inputs failed (${(e as Error).message})`);
      }
      writeFiles(spec.dir, r.files);
      synthesis = r.synthesis;
      for (const k of Object.keys(r.synthesis)) synthesisKeys.add(k);
      done = { ...sources, files: sortedFiles({ ...sources.files, ...r.files, ...r.synthesis }), sim: r.sim };
      return done;
    },
  };
}

/** The generated files a build lists as its own (the template headers copied under firmware/nnet are not). */
export function generatedArtifacts(g: Generated): string[] {
  return Object.keys(g.files).filter((f) => !f.startsWith('firmware/nnet/'));
}

/** Test images of a generation (the batch of its inputs). */
export function testImagesOf(g: GenerateResult): number {
  return Object.values(g.inputs)[0]?.shape[0] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// compile, csim run
// ---------------------------------------------------------------------------------------------

/** Extra g++ flags as arguments, after the allow-list (engine/safety/cxx-flags.ts). Throws BuildFailure naming the flag. */
export function checkedCxxFlags(flags: readonly string[]): string[] {
  const parsed = parseCxxFlags(flags);
  if (parsed.refusals.length) throw new BuildFailure(parsed.refusals.map((r) => r.message).join(' '));
  return parsed.flags;
}

/** g++ on the generated firmware and testbench (tracing every layer when the spec asks). */
export function compile(dir: string, top: string, csim: CsimSpec, io: StepIo = {}, whileCompiling?: () => void, units: CsimUnits = { layerObjects: [], values: [] }): Promise<ProcessStep> {
  return compileCsim(dir, projectSources(top, units.values), CSIM_EXE, { ...csimCompileOptions(top, csim, units.layerObjects), ...io, whileCompiling });
}

/** The sources a generation splits its C simulation into (generate.ts layerObjectUnits, packedValueUnits). */
export interface CsimUnits {
  /** firmware/layers/*.cpp and firmware/weights/csim_arrays.cpp */
  layerObjects: string[];
  /** firmware/weights/values/*.cpp */
  values: string[];
}

/** How a build compiles its C simulation (compile, and warmLayerObjects after it). */
export function csimCompileOptions(top: string, csim: CsimSpec, layerObjects: string[]): CompileOptions {
  const flags = checkedCxxFlags(csim.cxxFlags);
  return { flags, defines: csim.trace ? ['TESSERA_TRACE'] : [], timeoutMs: csim.timeoutMs, layers: projectLayerObjects(top, layerObjects) };
}

/** Runs the compiled testbench on tb_data (it writes tb_data/csim_results.dat, and trace.dat when traced). */
export function csimRun(dir: string, csim: CsimSpec, io: StepIo = {}): Promise<ProcessStep> {
  // Results of an earlier run in the same folder must not pass for this run's.
  for (const f of ['csim_results.dat', 'trace.dat']) fs.rmSync(path.join(dir, 'tb_data', f), { force: true });
  return runCsimProgram(dir, CSIM_EXE, ['.'], { timeoutMs: csim.timeoutMs, ...io });
}

// ---------------------------------------------------------------------------------------------
// compare
// ---------------------------------------------------------------------------------------------

/** Compares values image by image (a missing value counts as different). */
export function compareValues(got: readonly (readonly number[])[], want: readonly (readonly number[])[]): ValueComparison {
  let mismatches = 0;
  let first: string | null = null;
  for (let b = 0; b < want.length; b++) {
    for (let i = 0; i < want[b].length; i++) {
      const v = got[b]?.[i];
      if (v === want[b][i]) continue;
      mismatches++;
      first ??= `image ${b} value ${i}: csim ${v ?? 'missing'}, engine ${want[b][i]}`;
    }
  }
  return { images: want.length, values: want[0]?.length ?? 0, gotImages: got.length, mismatches, first };
}

export function isExact(c: ValueComparison): boolean {
  return c.mismatches === 0 && c.gotImages === c.images;
}

export interface CsimComparison {
  /** The outputs (tb_data/csim_results.dat vs expected.dat). */
  output: ValueComparison;
  /** Traced builds: every inner layer (not inputs, not outputs) by node name. */
  layers: Record<string, ValueComparison> | null;
}

/** The C simulation's values against the engine's fixed-point run, the outputs and, when traced, every inner layer. */
export function compareWithEngine(dir: string, g: Generated, traced: boolean): CsimComparison {
  const output = compareValues(readResults(dir), readExpected(dir));
  if (!traced) return { output, layers: null };
  const trace = readTrace(dir);
  const images = testImagesOf(g);
  const layers: Record<string, ValueComparison> = {};
  for (const r of g.resolved.nodes) {
    if (isGraphInput(r.node) || g.resolved.analysis.outputs.includes(r.id)) continue;
    // The trace holds mantissas: times 2^-F, exact (|m| < 2^53), the values compared as before.
    const scale = 2 ** -fracBits(r.outputType);
    layers[r.node.name] = compareValues((trace[r.name] ?? []).map((row) => row.map((m) => m * scale)), firmwareValues(g.sim.values[r.id], r.layout, images));
  }
  return { output, layers };
}

// ---------------------------------------------------------------------------------------------
// estimate
// ---------------------------------------------------------------------------------------------

/** The estimate's timing rules for a vendor flow (Vitis HLS unless the flow is Vivado HLS). */
export function estimateToolOf(flow: FlowId | null): EstimateTool {
  return flow === 'vivado-hls-tcl' ? 'vivado_hls' : 'vitis_hls';
}

/** The analytical estimate of the design (engine/estimate). */
export function estimate(model: Model, config: HlsConfig, tool: EstimateTool = 'vitis_hls'): EstimateReport {
  const e = estimateDesign(model, config, { tool });
  const errors = e.diagnostics.filter((d) => d.severity === 'error');
  if (!e.report) throw new BuildFailure(`estimate failed: ${errors.map((d) => d.message).join(' ')}`, errors);
  return e.report;
}

/** Writes the estimate into the build folder; returns the file name. */
export function writeEstimate(dir: string, report: EstimateReport): string {
  fs.writeFileSync(path.join(dir, 'estimate.json'), JSON.stringify(report, null, 2));
  return 'estimate.json';
}

// ---------------------------------------------------------------------------------------------
// vendor synth, report parse
// ---------------------------------------------------------------------------------------------

/** The vendor runner's record in the build folder (status, steps, exit codes, log, artifacts). */
export const VENDOR_RECORD = 'tessera_run.json';

/** Node names whose output feeds more than one layer (a skip connection's fork), in graph order. */
export function forkingLayers(model: Model): string[] {
  const uses = new Map<string, number>();
  const forks = new Set<string>();
  for (const e of model.graph.edges) {
    const key = JSON.stringify([e.source, e.sourcePort]);
    uses.set(key, (uses.get(key) ?? 0) + 1);
    if (uses.get(key)! > 1) forks.add(e.source);
  }
  return model.graph.nodes.filter((n) => forks.has(n.id)).map((n) => n.name);
}

/**
 * The pipeline depths an earlier vendor build in `dir` measured for this design's io_stream layers (its csynth
 * reports' loops, engine/reports/loop-depth.ts), by C name; empty without reports or for io_parallel.
 */
export function measuredDepthsIn(dir: string, model: Model, config: HlsConfig): Record<string, MeasuredDepth> {
  if (config.io !== 'io_stream' || !fs.existsSync(dir)) return {};
  const functions = findReports(dir).flatMap((s) => s.functions);
  return functions.length ? measuredPipelineDepths(functions, layerNames(model, config)) : {}; // (layerNames resolves the graph)
}

/**
 * The vendor steps a build runs: C synthesis, then C/RTL co-simulation when asked for or when an io_stream graph
 * forks (a fork's FIFOs can deadlock in RTL where C simulation, which runs each process to the end in turn,
 * cannot show it: co-simulation is the check of the FIFO depths; io_parallel has no FIFOs), then the IP export
 * when asked for.
 */
export function vendorSteps(model: Model, io: HlsConfig['io'], asked: { cosim?: boolean; export?: boolean }): VendorStep[] {
  const forkCheck = io === 'io_stream' && forkingLayers(model).length > 0;
  return ['csynth', ...(asked.cosim || forkCheck ? (['cosim'] as const) : []), ...(asked.export ? (['export'] as const) : [])];
}

export interface VendorRun {
  flow: FlowId;
  /** The programs run, e.g. 'vitis_hls'. */
  toolLabel: string;
  /** Scripts written into the build folder. */
  written: string[];
  record: RunRecord;
}

/**
 * Writes the flow's scripts and runs the vendor steps (csynth, cosim, export) in the build folder.
 * `announce` hears what will run before it starts. The record says how it ended; the reports are read
 * by readVendorReports.
 */
export async function vendorSynth(
  dir: string,
  toolchain: Toolchain,
  flow: FlowId,
  config: HlsConfig,
  vendor: BuildSpec['vendor'],
  io: StepIo & { announce?: (run: Omit<VendorRun, 'record'>) => void } = {},
): Promise<VendorRun> {
  const top = config.top;
  const prep = prepareBuild({
    toolchain,
    layout: { dir, projectName: `${top}_prj`, top, sources: [], testbench: [] },
    script: {
      part: config.part,
      clockPeriodNs: config.clockPeriodNs,
      ...vendorSources(top),
    },
    steps: vendor.steps,
    flow,
  });
  if (!prep.plan) throw new BuildFailure(`cannot prepare the ${flow} build: ${prep.problem}`, prep.diagnostics);
  const run = { flow, toolLabel: prep.plan.commands.map((c) => c.label).join(' + '), written: prep.written };
  io.announce?.(run);
  const handle = startRun(prep.plan, {
    stepTimeoutMs: vendor.stepTimeoutMs ?? undefined,
    recordPath: path.join(dir, VENDOR_RECORD),
    onLine: io.onLine,
    signal: io.signal,
    killGraceMs: io.killGraceMs,
  });
  return { ...run, record: await handle.done };
}

export interface VendorReports {
  /** Every solution with reports under the build folder. */
  solutions: SolutionReports[];
  /** The one with the synthesis report (null when the tool wrote none). */
  synth: SolutionReports | null;
}

/** Finds and parses the vendor reports in the build folder. */
export function readVendorReports(dir: string): VendorReports {
  const solutions = findReports(dir);
  return { solutions, synth: solutions.find((s) => s.synth) ?? null };
}

/** A solution's report files, relative to the build folder. */
export function reportFiles(s: SolutionReports): string[] {
  return s.files.map((f) => (f.startsWith(`${s.dir}/`) ? f : path.join(s.dir, f)));
}

// ---------------------------------------------------------------------------------------------
// error vs float
// ---------------------------------------------------------------------------------------------

/** The engine's float run on the test inputs against the fixed-point outputs (the first output). */
export function errorVsFloat(model: Model, g: Generated): ErrorVsFloat | null {
  const name = Object.keys(g.sim.outputs)[0];
  if (name === undefined) return null;
  const key = floatRunKey(model, g.inputs);
  let float = floatRuns.get(key);
  if (!float) {
    float = simulateFloat(model, g.inputs, { keep: 'outputs' }).outputs;
    floatRuns.set(key, float);
  }
  const fx = g.sim.outputs[name];
  const e = fixedVsFloat(fx, float[name]);
  const unit = lsb(fx.type);
  return { output: name, outputType: formatFixedType(fx.type), maxAbs: e.maxAbs, rms: e.rms, maxLsb: e.maxLsb, rmsLsb: e.rms / unit };
}
