// The estimate of a Tessera design: graph + HLS config → per-layer descriptions of what Tessera's own
// templates (hls-templates/nnet) do → the model (model.ts) → an EstimateReport labelled 'estimate'.
// Each layer's description comes from its op's `cost` hook (engine/ops/hls-layer.ts: the loop, what it
// multiplies, its tables, line buffers), which reads the same geometry the generated C++ gets.
import type { Model } from '../graph/model';
import type { Diagnostic } from '../diagnostics/diagnostics';
import type { OpDef } from '../ops/types';
import type { HlsLayerDef } from '../ops/hls-layer';
import { isGraphInput } from '../ops/input';
import type { HlsConfig } from '../hls/config';
import { layerContext, resolveGraph, type ResolvedNode } from '../hls/resolve';
import { buildStreamNetwork } from '../hls/stream-network';
import { fifoDepths, fifoList } from '../hls/fifo-depth';
import { CONST_DSP_MIN_MAGNITUDE, estimateLayer, timingModel, type EstimateTool, type LayerDescription, type MacCore, type TimingModel } from './model';
import { assembleEstimate, type EstimateReport } from './report';

export interface EstimateOptions {
  /** Timing rules of this tool (default Vitis HLS). */
  tool?: EstimateTool;
}

export type EstimateResult =
  | { report: EstimateReport; diagnostics: Diagnostic[] }
  | { report: null; diagnostics: Diagnostic[] };

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Stream pixels of a firmware tensor: all but the last axis (a flat tensor is one element). */
function streamShape(dims: readonly number[]): { pixels: number; values: number } {
  if (dims.length <= 1) return { pixels: 1, values: prod(dims) };
  return { pixels: prod(dims.slice(0, -1)), values: dims[dims.length - 1] };
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

/** The layer's description for the model (model.ts): its op's cost hook, in the layer's types and settings. */
function describe(model: Model, r: ResolvedNode, op: OpDef & { hls: HlsLayerDef<unknown> }): LayerDescription {
  const ctx = layerContext(model, r);
  const cfg = r.config;
  const inBits = r.inputTypes[0]?.W ?? 16;
  const outS = streamShape(r.outputDims);
  const inS = streamShape(r.inputDims[0] ?? []);
  const cost = op.hls.cost(ctx);
  const { loop } = cost;
  const d: LayerDescription = {
    name: r.name, type: r.node.type, flavour: 'tessera', kind: cost.kind,
    outValuesPerPixel: outS.values, outPixels: outS.pixels, outBits: r.outputType.W,
    inValuesPerPixel: inS.values, inPixels: inS.pixels, inBits,
    schedule: {
      io: cfg.io, strategy: cfg.strategy, reuseFactor: cfg.reuseFactor, parallelizationFactor: loop.parallelizationFactor ?? cfg.parallelizationFactor,
      iterations: loop.iterations, ii: loop.ii, overhead: loop.overhead ?? 0, looped: loop.looped,
    },
  };
  switch (cost.kind) {
    case 'mac': {
      const products = Math.max(0, ...op.hls.productBlocks(ctx).map((b) => b.products));
      const mac: MacCore = {
        nIn: cost.nOut > 0 ? Math.max(1, Math.round(products / cost.nOut)) : 1, nOut: cost.nOut, products,
        dataBits: inBits, weightBits: cfg.precision.weight_t.W, accumBits: cfg.precision.accum_t.W, hasBias: cost.hasBias,
        windowValues: cost.windowValues,
      };
      // RF 1: the weights are constants; zeros and ±2^k need no multiplier.
      if (cfg.reuseFactor === 1) {
        const fr = constantWeightFractions(cost.weights.m);
        mac.wideConstantFraction = fr.wide;
        mac.zeroFraction = fr.zero;
      }
      return { ...d, mac, lineBuffer: cost.lineBuffer, notes: cost.notes };
    }
    case 'table':
      return { ...d, table: { entries: cost.entries, bits: cost.bits, tables: cost.tables } };
    case 'elementwise':
      return { ...d, elementwise: { cmpMux: cost.cmpMux, adds: cost.adds, constMults: cost.constMults, perChannelConstant: cost.perChannelConstant } };
    case 'pool':
      return { ...d, poolWindow: cost.window, poolOp: cost.op, lineBuffer: cost.lineBuffer };
    case 'reorder':
      return d;
  }
}

/**
 * Pixels a layer holds in flight: its modelled pipeline depth (cycles from an iteration's read to its write)
 * times the input pixels it reads per cycle, rounded up. The FIFO depth rule's read-ahead for the layer.
 */
function pixelsInFlight(d: LayerDescription, t: TimingModel, measuredFill?: number): number {
  const e = estimateLayer(d, t);
  const cycles = Math.max(1, e.iterations * e.ii);
  // A measured depth only ever deepens the FIFOs: the reports in a reused build folder may belong to an
  // earlier design with the same layer names, and a FIFO below the modelled depth can deadlock.
  return Math.ceil((Math.max(measuredFill ?? 0, e.fill) * d.inPixels) / cycles);
}

/**
 * Read-ahead per io_stream layer (by its C name) for the FIFO depth rule (engine/hls/fifo-depth.ts): the
 * pixels its pipeline holds in flight at the modelled depth. The build pipeline gives it to the generator,
 * so the generated FIFO depths and the estimate's agree. null when the design does not resolve.
 */
export function fifoReadAhead(model: Model, cfg: HlsConfig, opts: EstimateOptions & { measuredDepth?: Record<string, number> } = {}): Record<string, number> | null {
  const d = describeDesign(model, cfg);
  if (!d) return null;
  const t = timingModel(cfg.clockPeriodNs, opts.tool ?? 'vitis_hls');
  // A depth a vendor build measured (engine/reports/loop-depth.ts, by C name) deepens the modelled fill.
  return Object.fromEntries(d.layers.map((l) => [l.name, pixelsInFlight(l, t, opts.measuredDepth?.[l.name])]));
}

/** Each io_stream layer's names (C name, node name) for matching it to a vendor report's functions. */
export function layerNames(model: Model, cfg: HlsConfig): { key: string; names: string[] }[] {
  const d = describeDesign(model, cfg);
  return d ? d.resolved.nodes.filter((r) => !isGraphInput(r.node)).map((r) => ({ key: r.name, names: [r.name, r.node.name] })) : [];
}

function describeDesign(model: Model, cfg: HlsConfig) {
  const resolved = resolveGraph(model, cfg, { hardware: true });
  if (resolved.hasErrors) return null;
  const layers: LayerDescription[] = [];
  let inputBits = 0;
  for (const r of resolved.nodes) {
    if (isGraphInput(r.node)) {
      inputBits += prod(r.outputDims) * r.outputType.W;
      continue;
    }
    // Resolution (hardware: true) has refused every layer without an HLS descriptor.
    layers.push(describe(model, r, resolved.analysis.nodes[r.id].op as OpDef & { hls: HlsLayerDef<unknown> }));
  }
  return { resolved, layers, inputBits };
}

/** Estimates a Tessera design as its generated project would be (same resolution and checks as the generator). */
export function estimateDesign(model: Model, cfg: HlsConfig, opts: EstimateOptions = {}): EstimateResult {
  const d = describeDesign(model, cfg);
  if (!d) return { report: null, diagnostics: resolveGraph(model, cfg, { hardware: true }).diagnostics };
  const { resolved, layers, inputBits } = d;
  const timing = timingModel(cfg.clockPeriodNs, opts.tool ?? 'vitis_hls');
  const notes: string[] = [];
  const fifos: { depth: number; bits: number }[] = [];
  // io_stream: one FIFO per hls::stream of the generated top, with the depths the build pipeline gives the
  // generator (fifo-depth.ts with every layer's pixels in flight: 2 on a chain, more on an edge around a
  // branch that reconverges); clone_stream outputs included.
  if (cfg.io === 'io_stream') {
    const net = buildStreamNetwork(model, resolved);
    const ahead = Object.fromEntries(layers.map((l) => [l.name, pixelsInFlight(l, timing)]));
    for (const f of fifoList(net, fifoDepths(net, { slack: ahead }))) fifos.push({ depth: f.depth, bits: f.bits });
  }
  const report = assembleEstimate({ io: cfg.io, layers, fifos, timing, inputBits, flavour: 'tessera', top: cfg.top, part: cfg.part, notes });
  return { report, diagnostics: resolved.diagnostics };
}
