// hls4ml-equivalent descriptions of the layers in hls4ml's Keras API tests, whose real synthesis results
// are the baselines in test-data/hls4ml/hls4ml-baselines (README there). They follow hls4ml's templates
// (where they differ from Tessera's: README.md of this folder), with hls4ml's defaults: ap_fixed<16,6>
// everywhere, RF 1, Latency strategy, 1024-entry ap_fixed<18,8> activation tables, Keras' glorot-uniform
// weights (the values are unknown, their distribution is not).
import type { IoType, Strategy } from '../hls/config';
import { CONST_DSP_MIN_MAGNITUDE, type LayerDescription, type LayerSchedule, type MacCore } from './model';

/** Fraction of uniform(−limit, limit) weights quantized with `frac` fraction bits that still need a multiplier. */
export function uniformWideFraction(limit: number, frac: number): { wide: number; zero: number } {
  const mMax = limit * 2 ** frac;
  if (mMax <= 0) return { wide: 0, zero: 1 };
  const wide = Math.max(0, (mMax - CONST_DSP_MIN_MAGNITUDE) / mMax);
  const zero = Math.min(1, 0.5 / mMax);
  return { wide, zero };
}

/** Keras glorot_uniform limit. */
export function glorotLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

function sched(io: IoType, strategy: Strategy, iterations: number, looped: boolean, pf = 1): LayerSchedule {
  return { io, strategy, reuseFactor: 1, parallelizationFactor: pf, iterations, ii: 1, overhead: 0, looped };
}

const W16 = 16;

function dense(io: IoType, nIn: number, nOut: number): LayerDescription {
  const g = uniformWideFraction(glorotLimit(nIn, nOut), 10);
  const mac: MacCore = { nIn, nOut, products: nIn * nOut, dataBits: W16, weightBits: W16, accumBits: W16, hasBias: true, wideConstantFraction: g.wide, zeroFraction: g.zero };
  return {
    name: 'dense', type: 'Dense', kind: 'mac', flavour: 'hls4ml', schedule: sched(io, 'latency', 1, false),
    outValuesPerPixel: nOut, outPixels: 1, outBits: W16, inValuesPerPixel: nIn, inPixels: 1, inBits: W16, mac,
  };
}

function activation(io: IoType, act: string, n: number): LayerDescription {
  const base = {
    name: act, type: act, flavour: 'hls4ml' as const, schedule: sched(io, 'latency', 1, false),
    outValuesPerPixel: n, outPixels: 1, outBits: W16, inValuesPerPixel: n, inPixels: 1, inBits: W16,
  };
  if (act === 'elu' || act === 'sigmoid') return { ...base, kind: 'table', table: { entries: 1024, bits: 18, tables: 1 } };
  const constMults = act === 'relu' ? 0 : 1;
  return { ...base, kind: 'elementwise', elementwise: { cmpMux: 1, adds: 0, constMults } };
}

export interface BaselineCase {
  /** File stem without "test_keras_api_test_" and the tool suffix. */
  stem: string;
  io: IoType;
  layers: LayerDescription[];
  /** Bits of the top's input (registered ports in io_parallel). */
  inputBits: number;
  /** Stream element widths between layers (io_stream FIFOs), in bits, with their depths. */
  fifos: { depth: number; bits: number }[];
}

function pool(kind: 'Max' | 'Average', dims: 1 | 2, same: boolean): BaselineCase {
  const C = 3;
  let inPx: number;
  let outPx: number;
  if (dims === 2) {
    const [H, W] = [18, 15];
    inPx = H * W;
    outPx = (same ? Math.ceil(H / 2) * Math.ceil(W / 2) : Math.floor(H / 2) * Math.floor(W / 2));
  } else {
    inPx = 121;
    outPx = same ? Math.ceil(121 / 2) : Math.floor(121 / 2);
  }
  const d: LayerDescription = {
    name: 'pool', type: `${kind}Pooling${dims}D`, kind: 'pool', flavour: 'hls4ml', schedule: sched('io_parallel', 'latency', 1, false, 1),
    outValuesPerPixel: C, outPixels: outPx, outBits: W16, inValuesPerPixel: C, inPixels: inPx, inBits: W16,
    poolWindow: dims === 2 ? 4 : 2, poolOp: kind === 'Max' ? 'max' : 'average',
  };
  return { stem: `pooling-channels_last-${same ? 'same' : 'valid'}-${kind}Pooling${dims}D`, io: 'io_parallel', layers: [d], inputBits: inPx * C * W16, fifos: [] };
}

function depthwise(dims: 1 | 2): BaselineCase {
  const C = 3;
  const bits = dims === 2 ? 32 : 16;
  const frac = dims === 2 ? 20 : 10;
  const k = dims === 2 ? 9 : 3;
  const H = dims === 2 ? 32 : 1;
  const W = 32;
  const inPx = H * W;
  const outPx = (dims === 2 ? H - 2 : 1) * (W - 2);
  // Keras depthwise kernel (kh, kw, C, 1): fan_in = taps·C, fan_out = taps.
  const g = uniformWideFraction(glorotLimit(k * C, k), frac);
  const mac: MacCore = { nIn: k, nOut: C, products: k * C, dataBits: bits, weightBits: bits, accumBits: bits, hasBias: true, wideConstantFraction: g.wide, zeroFraction: g.zero, windowValues: k * C };
  const d: LayerDescription = {
    name: 'depthwise', type: `DepthwiseConv${dims}D`, kind: 'mac', flavour: 'hls4ml',
    // hls4ml's stream convolutions step once per input pixel (line buffer of shift registers).
    schedule: sched('io_stream', 'latency', inPx, true),
    outValuesPerPixel: C, outPixels: outPx, outBits: bits, inValuesPerPixel: C, inPixels: inPx, inBits: bits, mac,
    lineBuffer: dims === 2 ? { rows: 2, width: W, impl: 'srl' } : { rows: 1, width: 2, impl: 'srl' },
  };
  return { stem: `depthwise${dims}d_io_stream`, io: 'io_stream', layers: [d], inputBits: C * bits, fifos: [] };
}

function conv2dResource(): BaselineCase {
  // 28×28×3 → 32 filters 4×4 stride 4 same → 7×7×32, no bias, Resource strategy RF 1.
  const nIn = 4 * 4 * 3;
  const g = uniformWideFraction(glorotLimit(nIn, 4 * 4 * 32), 10);
  const mac: MacCore = { nIn, nOut: 32, products: nIn * 32, dataBits: W16, weightBits: W16, accumBits: W16, hasBias: false, wideConstantFraction: g.wide, zeroFraction: g.zero };
  const d: LayerDescription = {
    name: 'conv2d', type: 'Conv2D', kind: 'mac', flavour: 'hls4ml',
    schedule: { io: 'io_parallel', strategy: 'resource', reuseFactor: 1, parallelizationFactor: 1, iterations: 49, ii: 1, overhead: 0, looped: true },
    outValuesPerPixel: 32, outPixels: 49, outBits: W16, inValuesPerPixel: 3, inPixels: 28 * 28, inBits: W16, mac,
  };
  return { stem: 'conv2d_io_parallel-Resource-same-channels_last', io: 'io_parallel', layers: [d], inputBits: 28 * 28 * 3 * W16, fifos: [] };
}

/** Every baseline configuration of the fixture README, as hls4ml-equivalent layer descriptions. */
export function hls4mlBaselineCases(): BaselineCase[] {
  const cases: BaselineCase[] = [];
  for (const io of ['io_parallel', 'io_stream'] as IoType[]) {
    const stream = io === 'io_stream';
    cases.push({ stem: `dense_${io}`, io, layers: [dense(io, 1, 2), activation(io, 'elu', 2)], inputBits: W16, fifos: stream ? [{ depth: 1, bits: 2 * W16 }] : [] });
    for (const act of ['relu', 'leaky_relu', 'elu', 'prelu', 'sigmoid']) {
      cases.push({ stem: `activations_${io}-${act}`, io, layers: [dense(io, 1, 64), activation(io, act, 64)], inputBits: W16, fifos: stream ? [{ depth: 1, bits: 64 * W16 }] : [] });
    }
  }
  cases.push(conv2dResource(), depthwise(1), depthwise(2));
  for (const kind of ['Max', 'Average'] as const) for (const dims of [1, 2] as const) for (const same of [false, true]) cases.push(pool(kind, dims, same));
  return cases;
}

/** The case a baseline file belongs to: "test_keras_api_test_activations_io_stream-Vitis-elu.json" → stem. */
export function baselineStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop()!.replace(/\.json$/, '').replace(/^test_keras_api_test_/, '');
  return base.replace(/[-_](Vitis|Vivado)(?=-|$)/, '');
}
