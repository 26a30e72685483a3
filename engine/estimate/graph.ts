// The estimate of a Tessera design: graph + HLS config → per-layer descriptions of what Tessera's own
// templates (hls-templates/nnet) do → the model (model.ts) → an EstimateReport labelled 'estimate'.
// Geometry comes from the op's own HLS descriptor (config-struct fields, product blocks, weight arrays),
// so the estimate sees exactly the numbers the generated C++ gets.
import type { Model } from '../graph/model';
import type { Diagnostic } from '../diagnostics/diagnostics';
import { getOp } from '../ops/registry';
import type { HlsConfig } from '../hls/config';
import type { CppStruct, HlsLayerContext } from '../ops/hls-layer';
import { layerContext, resolveGraph, type ResolvedNode } from '../hls/resolve';
import { buildStreamNetwork } from '../hls/stream-network';
import { fifoDepths, fifoList } from '../hls/fifo-depth';
import { CONST_DSP_MIN_MAGNITUDE, timingModel, type EstimateTool, type LayerDescription, type LayerSchedule, type MacCore } from './model';
import { assembleEstimate, type EstimateReport } from './report';

export interface EstimateOptions {
  /** Timing rules of this tool (default Vitis HLS). */
  tool?: EstimateTool;
}

export type EstimateResult =
  | { report: EstimateReport; diagnostics: Diagnostic[] }
  | { report: null; diagnostics: Diagnostic[] };

function constFields(structs: readonly CppStruct[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of structs) for (const f of s.fields) if (f.kind === 'const') out[f.name] = typeof f.value === 'boolean' ? Number(f.value) : f.value;
  return out;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Stream pixels of a firmware tensor: all but the last axis (a flat tensor is one element). */
function streamShape(dims: readonly number[]): { pixels: number; values: number } {
  if (dims.length <= 1) return { pixels: 1, values: prod(dims) };
  return { pixels: prod(dims.slice(0, -1)), values: dims[dims.length - 1] };
}

interface Span { lo: number; hi: number }
function clip(lo: number, hi: number, size: number): Span {
  return { lo: Math.max(0, lo), hi: Math.min(size - 1, hi) };
}

/** Cursor steps of Tessera's stream Conv / ConvTranspose loop (nnet_conv.h, nnet_conv_transpose.h), exactly. */
export function streamConvIterations(f: Record<string, number>, transpose: boolean): number {
  const H = f.in_height, W = f.in_width, Ho = f.out_height, Wo = f.out_width;
  const nIn = H * W, nOut = Ho * Wo;
  const rows = transpose ? Math.floor(((f.filt_height - 1) * f.dilation_height) / f.stride_height) + 1 : 0;
  const cols = transpose ? Math.floor(((f.filt_width - 1) * f.dilation_width) / f.stride_width) + 1 : 0;
  let nRead = 0, nWritten = 0, oh = 0, ow = 0, it = 0;
  for (; it < nIn + nOut; it++) {
    if (nRead === nIn && nWritten === nOut) break;
    let need = -1;
    if (nWritten < nOut) {
      let r: Span, c: Span;
      if (transpose) {
        const qh = Math.floor((oh + f.pad_top) / f.stride_height);
        const qw = Math.floor((ow + f.pad_left) / f.stride_width);
        r = clip(qh - rows + 1, qh, H);
        c = clip(qw - cols + 1, qw, W);
      } else {
        const top = oh * f.stride_height - f.pad_top;
        const left = ow * f.stride_width - f.pad_left;
        r = clip(top, top + (f.filt_height - 1) * f.dilation_height, H);
        c = clip(left, left + (f.filt_width - 1) * f.dilation_width, W);
      }
      if (r.hi >= r.lo && c.hi >= c.lo) need = r.hi * W + c.hi;
    }
    if (nRead < nIn && (nWritten === nOut || nRead <= need)) nRead++;
    if (nWritten < nOut && nRead > need) {
      nWritten++;
      if (++ow === Wo) {
        ow = 0;
        oh++;
      }
    }
  }
  return it;
}

/** Fractions of constant weights that are zero / need a real multiplier (|m| ≥ threshold, not ±2^k). */
function constantWeightFractions(m: Float64Array | bigint[]): { wide: number; zero: number } {
  if (m.length === 0) return { wide: 1, zero: 0 };
  let zero = 0, wide = 0;
  for (let i = 0; i < m.length; i++) {
    const a = Math.abs(Number(m[i]));
    if (a === 0) zero++;
    else if (a >= CONST_DSP_MIN_MAGNITUDE && (a & (a - 1)) !== 0) wide++;
  }
  return { wide: wide / m.length, zero: zero / m.length };
}

function describe(model: Model, r: ResolvedNode, io: HlsConfig['io']): LayerDescription | null {
  const op = getOp(r.node.type);
  if (!op?.hls) return null;
  const ctx = layerContext(model, r) as HlsLayerContext<unknown>;
  const cfg = r.config;
  const inDims = r.inputDims[0] ?? [];
  const outS = streamShape(r.outputDims);
  const inS = streamShape(inDims);
  const inBits = r.inputTypes[0]?.W ?? 16;
  const outBits = r.outputType.W;
  const stream = io === 'io_stream';
  const base = {
    name: r.name, type: r.node.type, flavour: 'tessera' as const,
    outValuesPerPixel: outS.values, outPixels: outS.pixels, outBits,
    inValuesPerPixel: inS.values, inPixels: inS.pixels, inBits,
  };
  const sched = (iterations: number, ii: number, looped: boolean, extra: Partial<LayerSchedule> = {}): LayerSchedule => ({
    io, strategy: cfg.strategy, reuseFactor: cfg.reuseFactor, parallelizationFactor: cfg.parallelizationFactor, iterations, ii, overhead: 0, looped, ...extra,
  });
  const t = r.node.type;
  const blocks = op.hls.productBlocks(ctx);
  const macCore = (nOut: number): MacCore => {
    const products = Math.max(0, ...blocks.map((b) => b.products));
    const m: MacCore = {
      nIn: nOut > 0 ? Math.max(1, Math.round(products / nOut)) : 1, nOut, products,
      dataBits: inBits, weightBits: cfg.precision.weight_t.W, accumBits: cfg.precision.accum_t.W,
      hasBias: Boolean((r.params as { bias?: boolean }).bias) && Boolean(ctx.weights.bias),
    };
    if (cfg.reuseFactor === 1) {
      const w = op.hls!.weightArrays(ctx).find((a) => a.name.endsWith('_w'));
      if (w) {
        const fr = constantWeightFractions(w.m);
        m.wideConstantFraction = fr.wide;
        m.zeroFraction = fr.zero;
      }
    }
    return m;
  };

  if (t.startsWith('Conv')) {
    const transpose = t.startsWith('ConvTranspose');
    const f = constFields(op.hls.configStructs(ctx));
    const pixels = f.out_height * f.out_width;
    const mac = macCore(f.n_filt);
    mac.windowValues = (transpose ? f.phase_taps_height * f.phase_taps_width : f.filt_height * f.filt_width) * f.n_chan;
    const notes: string[] = [];
    if (transpose && blocks.length > 1) {
      // Phases are padded to the largest one: the multipliers are sized (and the loop paced) for it.
      const useful = blocks.reduce((a, b) => a + b.nIn * b.nOut, 0) / (blocks.length * mac.products);
      if (useful < 0.999) notes.push(`uneven phases padded to ${f.phase_taps_height}×${f.phase_taps_width} taps: ${Math.round(useful * 100)} % of the product slots hold real weights${cfg.reuseFactor === 1 ? ' (the zero ones cost nothing at RF 1)' : ''}`);
    }
    if (!stream) {
      const pf = cfg.parallelizationFactor;
      return { ...base, kind: 'mac', mac, schedule: sched(pixels / pf, cfg.reuseFactor, true), notes };
    }
    const rows = transpose ? Math.floor(((f.filt_height - 1) * f.dilation_height) / f.stride_height) + 1 : (f.filt_height - 1) * f.dilation_height + 1;
    return {
      ...base, kind: 'mac', mac,
      schedule: sched(streamConvIterations(f, transpose), cfg.reuseFactor, true),
      lineBuffer: { rows, width: f.in_width, impl: 'ram' },
      notes: [...notes, `stream cursor: ${streamConvIterations(f, transpose)} steps for ${f.in_height * f.in_width} input and ${pixels} output pixels`],
    };
  }
  if (t === 'Dense') {
    const nOut = r.outputDims[r.outputDims.length - 1];
    const nPix = prod(r.outputDims.slice(0, -1));
    const mac = macCore(nOut);
    if (stream) return { ...base, kind: 'mac', mac, schedule: sched(outS.pixels, cfg.reuseFactor, outS.pixels > 1) };
    if (cfg.strategy === 'resource') return { ...base, kind: 'mac', mac, schedule: sched(nPix * cfg.reuseFactor, 1, true, { parallelizationFactor: 1 }) };
    return { ...base, kind: 'mac', mac, schedule: sched(1, cfg.reuseFactor, false, { parallelizationFactor: nPix }) };
  }
  const perValue = (): LayerSchedule => (stream ? sched(outS.pixels, 1, outS.pixels > 1) : sched(1, 1, false));
  if (t === 'Sigmoid' || t === 'Tanh' || t === 'Selu' || t === 'Softmax') {
    return { ...base, kind: 'table', table: { entries: 1024, bits: cfg.precision.table_t?.W ?? 18, tables: t === 'Softmax' ? 2 : 1 }, schedule: perValue() };
  }
  if (t === 'ReLU') return { ...base, kind: 'elementwise', elementwise: { cmpMux: 1, adds: 0, constMults: 0 }, schedule: perValue() };
  if (t === 'LeakyReLU') return { ...base, kind: 'elementwise', elementwise: { cmpMux: 1, adds: 0, constMults: 1 }, schedule: perValue() };
  if (t === 'BatchNormalization') return { ...base, kind: 'elementwise', elementwise: { cmpMux: 0, adds: 1, constMults: 1 }, schedule: perValue() };
  if (t === 'Add') return { ...base, kind: 'elementwise', elementwise: { cmpMux: 0, adds: Math.max(1, r.inputDims.length - 1), constMults: 0 }, schedule: perValue() };
  if (t === 'MaxPool' || t === 'AveragePool') {
    const f = constFields(op.hls.configStructs(ctx));
    const win = (f.pool_height ?? 1) * (f.pool_width ?? 1);
    const poolOp = t === 'MaxPool' ? 'max' as const : 'average' as const;
    if (!stream) return { ...base, kind: 'pool', poolWindow: win, poolOp, schedule: sched(1, 1, false) };
    const H = f.in_height ?? 1;
    // Row loop: read W inputs (II 1), then emit the finished output rows (II 1); not overlapped.
    return {
      ...base, kind: 'pool', poolWindow: win, poolOp,
      schedule: sched(inS.pixels + outS.pixels, 1, true, { overhead: 2 * H }),
      lineBuffer: { rows: f.pool_height ?? 1, width: f.in_width ?? inS.pixels, impl: 'ram' },
    };
  }
  // Reordering layers (Flatten, Reshape, Transpose, Concatenate, ZeroPadding, UpSampling): wiring in
  // io_parallel, one element per cycle in io_stream.
  return { ...base, kind: 'reorder', schedule: stream ? sched(Math.max(outS.pixels, inS.pixels), 1, Math.max(outS.pixels, inS.pixels) > 1) : sched(1, 1, false) };
}

/** Estimates a Tessera design as its generated project would be (same resolution and checks as the generator). */
export function estimateDesign(model: Model, cfg: HlsConfig, opts: EstimateOptions = {}): EstimateResult {
  const resolved = resolveGraph(model, cfg, { hardware: true });
  if (resolved.hasErrors) return { report: null, diagnostics: resolved.diagnostics };
  const layers: LayerDescription[] = [];
  const notes: string[] = [];
  let inputBits = 0;
  const fifos: { depth: number; bits: number }[] = [];
  for (const r of resolved.nodes) {
    if (r.node.type === 'Input') {
      inputBits += prod(r.outputDims) * r.outputType.W;
      continue;
    }
    const d = describe(model, r, cfg.io);
    if (!d) {
      notes.push(`${r.name} (${r.node.type}): no estimate rule, counted as free`);
      continue;
    }
    layers.push(d);
  }
  // io_stream: one FIFO per hls::stream of the generated top, with the generator's depths (fifo-depth.ts:
  // 2 on a chain, more on an edge around a branch that reconverges); clone_stream outputs included.
  if (cfg.io === 'io_stream') {
    const net = buildStreamNetwork(model, resolved);
    for (const f of fifoList(net, fifoDepths(net))) fifos.push({ depth: f.depth, bits: f.bits });
  }
  const report = assembleEstimate({ io: cfg.io, layers, fifos, timing: timingModel(cfg.clockPeriodNs, opts.tool ?? 'vitis_hls'), inputBits, flavour: 'tessera', top: cfg.top, part: cfg.part, notes });
  return { report, diagnostics: resolved.diagnostics };
}
