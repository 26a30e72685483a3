// Bit-exact fixed-point kernels of the Conv family: the model of hls-templates/nnet/nnet_conv.h and
// nnet_conv_transpose.h. Casts and accumulation order as engine/hls/README.md states:
//   acc = (accum_t) bias; for each term in order: acc = (accum_t)(acc + (accum_t)(x · w)); out = (result_t) acc
// Conv terms: kh ascending, kw ascending, channels of the group innermost.
// ConvTranspose terms: input pixels ascending in row-major order (t_h descending, t_w descending), channels
// innermost. Out-of-range taps are zero products (never change the sum) and are skipped.
import type { Shape, Tensor } from '../../tensor/tensor';
import { sizeOf } from '../../tensor/tensor';
import { MacPlan } from '../../fixed/arith';
import { castBig, castClosedNum, castNum, formatOf, hasClosedForm, p2 } from '../../fixed/cast';
import { fixedType, formatFixedType, fracBits, type FixedType } from '../../fixed/types';
import { fitsFloat64 } from '../../fixed/arith';
import type { FixedKernel } from '../hls-layer';
import type { LayerPrecision } from '../../fixed/precision';
import { permuteMantissas, quantizeTensor, type FixedTensor } from '../../fixed/tensor';
import { convView, type ConvGeometry, type ConvView } from './geometry';
import { resolveGeometry, type ConvParams } from './params';
import { cachedPreparation, channelsLastInt32, quantizeFast, int32AccValue, int32ChainOk, int32ConvSums, int32Mac, int32Results, toInt32, type Int32Mac } from '../../fixed/fast';
import { wasmConvAvailable, wasmConvInt32, wasmConvSums64, wasmConvTransposeInt32 } from './wasm/index';

/** Term lists per output position along one axis: [input index, tap] pairs in accumulation order. */
function axisTerms(transpose: boolean, outSize: number, inSize: number, k: number, s: number, d: number, pad: number): Int32Array[] {
  const lists: Int32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const pairs: number[] = [];
    if (!transpose) {
      for (let t = 0; t < k; t++) {
        const i = o * s - pad + t * d;
        if (i >= 0 && i < inSize) pairs.push(i, t);
      }
    } else {
      const f = o + pad;
      for (let t = k - 1; t >= 0; t--) {
        const num = f - t * d;
        if (num < 0 || num % s !== 0) continue;
        const i = num / s;
        if (i < inSize) pairs.push(i, t);
      }
    }
    lists.push(Int32Array.from(pairs));
  }
  return lists;
}

/** Weights as [co][kh][kw][cinG] (+ an int32 copy when W ≤ 32), Σ|w| and max |w| per output channel. */
interface TapLayout {
  taps: Float64Array;
  taps32: Int32Array | null;
  sums: Float64Array;
  maxs: Float64Array;
}

/** The quantized weights of one weight array and type (cached by the array's identity, engine/fixed/fast.ts). */
interface PreparedWeights {
  w: { m: Float64Array | bigint[] };
  /** int32 copy in the source layout (OIX / IOX) for the WebAssembly kernels. */
  w32: Int32Array | null;
  layouts: Map<string, TapLayout>;
}

/** What every path of one layer call shares: geometry, term lists, quantized operands, types. */
interface ConvJob {
  transpose: boolean;
  D: ConvView & { N: number };
  g: ConvGeometry;
  /** Input and output shapes in NCX. */
  xs: Shape;
  ys: Shape;
  xType: FixedType;
  xm: Float64Array | bigint[];
  weightShape: Shape;
  prep: PreparedWeights;
  b: { m: Float64Array | bigint[] } | null;
  prec: LayerPrecision;
  plan: MacPlan;
  cinG: number;
  coutG: number;
  /** Per output row / column: [input index, tap] pairs in accumulation order. */
  rowsH: Int32Array[];
  colsW: Int32Array[];
  total: number;
  /** Weight index of (output channel co, input channel c of its group, tap th, tw) in the source layout. */
  wIndex: (co: number, c: number, th: number, tw: number) => number;
}

function convJob(transpose: boolean, x: FixedTensor, xNCX: Float64Array | bigint[], ysNCX: Shape, p: ConvParams, weights: Readonly<Record<string, Tensor>>, prec: LayerPrecision): ConvJob {
  const xs = p.dataFormat === 'NCX' ? x.shape : [x.shape[0], x.shape[x.shape.length - 1], ...x.shape.slice(1, x.shape.length - 1)];
  const g = resolveGeometry(p, xs.slice(2));
  const D = { N: xs[0], ...convView(g, xs.slice(2), ysNCX.slice(2), xs[1], ysNCX[1]) };
  // One validated cache entry per weight array and type: the quantized weights, and their tap layouts.
  const prep = cachedPreparation(weights.weight.data, `q:${formatFixedType(prec.weight_t)}`, (): PreparedWeights => {
    const wq = quantizeFast(weights.weight.data, prec.weight_t);
    const w = wq ? { m: wq } : quantizeTensor(weights.weight, prec.weight_t);
    // One int32 copy per weights and type, so the WebAssembly kernels' packed copy stays cached too.
    const w32 = prec.weight_t.W <= 32 && w.m instanceof Float64Array ? toInt32(w.m) : null;
    return { w, w32, layouts: new Map<string, TapLayout>() };
  });
  const hasBias = p.bias && !!weights.bias;
  const cinG = D.C / D.groups;
  const coutG = D.Co / D.groups;
  return {
    transpose, D, g, xs, ys: ysNCX, xType: x.type, xm: xNCX, weightShape: weights.weight.shape, prep,
    b: hasBias ? quantizeTensor(weights.bias, prec.bias_t) : null,
    prec, plan: new MacPlan(x.type, prec.weight_t, prec.accum_t, hasBias ? prec.bias_t : undefined),
    cinG, coutG,
    rowsH: axisTerms(transpose, D.Ho, D.H, D.kh, D.sh, D.dh, D.ph),
    colsW: axisTerms(transpose, D.Wo, D.W, D.kw, D.sw, D.dw, D.pw),
    total: sizeOf(ysNCX),
    wIndex: transpose
      ? (co, c, th, tw) => ((((Math.floor(co / coutG) * cinG + c) * coutG + (co % coutG)) * D.kh + th) * D.kw + tw)
      : (co, c, th, tw) => ((co * cinG + c) * D.kh + th) * D.kw + tw,
  };
}

/** Visits every output element of the channels `use` selects, in NCX order (o = its flat index). */
function forOutputs(job: ConvJob, use: (co: number) => boolean, visit: (o: number, n: number, co: number, oh: number, ow: number) => void): void {
  const { D } = job;
  const plane = D.Ho * D.Wo;
  for (let n = 0; n < D.N; n++)
    for (let co = 0; co < D.Co; co++) {
      if (!use(co)) continue;
      let o = (n * D.Co + co) * plane;
      for (let oh = 0; oh < D.Ho; oh++) for (let ow = 0; ow < D.Wo; ow++) visit(o++, n, co, oh, ow);
    }
}

/**
 * Wide operands (bigint mantissas or types past float64): every channel's chain term by term in bigint,
 * exactly as the template orders it.
 */
function bigintConv(job: ConvJob): FixedTensor {
  const { D, plan, prec, cinG, xm, wIndex } = job;
  const outType = prec.result_t;
  const out: Float64Array | bigint[] = fitsFloat64(outType) ? new Float64Array(job.total) : new Array<bigint>(job.total);
  const accFmt = formatOf(prec.accum_t);
  const wm = job.prep.w.m;
  const plane = D.H * D.W;
  forOutputs(job, () => true, (o, n, co, oh, ow) => {
    const xBase = (n * D.C + Math.floor(co / job.coutG) * cinG) * plane;
    const wc0 = wIndex(co, 0, 0, 0);
    const wcStride = cinG > 1 ? wIndex(co, 1, 0, 0) - wc0 : 0;
    const rl = job.rowsH[oh], cl = job.colsW[ow];
    let acc = plan.startBig(job.b ? BigInt(job.b.m[co]) : 0n);
    for (let a = 0; a < rl.length; a += 2)
      for (let e = 0; e < cl.length; e += 2)
        for (let c = 0; c < cinG; c++) acc = plan.stepBig(acc, BigInt(xm[xBase + c * plane + rl[a] * D.W + cl[e]]), BigInt(wm[wc0 + c * wcStride + rl[a + 1] * D.kw + cl[e + 1]]));
    const r = castBig(acc, accFmt, outType);
    out[o] = (fitsFloat64(outType) ? Number(r) : r) as never;
  });
  return { shape: [...job.ys], type: outType, m: out };
}

/** How one output channel's accumulator chain is computed (FIXED_POINT.md). */
const INT32 = 1; // order-free and exact in int32 (modular, or provably in range): the int32 kernels
const EXACT = 2; // order-free, exact in float64: the exact sum of the quantized products, cast once
const STEP = 3; //  anything else: the template's chain term by term (MacPlan.step)

/** The path of every output channel, decided once from the types, the actual input and the weights. */
interface ChannelPaths {
  path: Uint8Array;
  count: number[];
  /** Each channel's accumulator start (bias) and whether its exact sum provably never overflows. */
  start: Float64Array;
  noOverflow: Uint8Array;
  taps: TapLayout;
  int32: Int32Mac | null;
  /** The WebAssembly int64 kernels can give the exact channels' sums. */
  wideKernels: boolean;
  /** The input as int32 (computed once, for whichever WebAssembly kernels run). */
  x32(): Int32Array;
  /** Accumulator arithmetic: bits of the product's fraction below the accumulator's (termMode 1, 2) or above (0). */
  shift: number;
  termMode: 0 | 1 | 2;
  termScale: number;
}

function tapLayout(job: ConvJob, nTerms: number): TapLayout {
  const { D, cinG, wIndex, prec } = job;
  const key = `${job.transpose}:${D.Co}:${cinG}:${D.kh}:${D.kw}:${D.groups}`;
  const cached = job.prep.layouts.get(key);
  if (cached) return cached;
  const wm = job.prep.w.m as Float64Array;
  const taps = new Float64Array(D.Co * nTerms);
  // Blocked over input channels: each block reads a few source rows sequentially and writes contiguously.
  for (let c0 = 0; c0 < cinG; c0 += 16) {
    const c1 = Math.min(cinG, c0 + 16);
    for (let co = 0; co < D.Co; co++)
      for (let th = 0; th < D.kh; th++)
        for (let tw = 0; tw < D.kw; tw++) {
          const dst = ((co * D.kh + th) * D.kw + tw) * cinG;
          const src = wIndex(co, 0, th, tw);
          const step = cinG > 1 ? wIndex(co, 1, th, tw) - src : 0;
          for (let c = c0; c < c1; c++) taps[dst + c] = wm[src + c * step];
        }
  }
  const sums = new Float64Array(D.Co);
  const maxs = new Float64Array(D.Co);
  for (let co = 0; co < D.Co; co++) {
    let sw = 0;
    let mw = 0;
    for (let i = co * nTerms; i < (co + 1) * nTerms; i++) {
      const a = Math.abs(taps[i]);
      sw += a;
      if (a > mw) mw = a;
    }
    sums[co] = sw;
    maxs[co] = mw;
  }
  const made = { taps, taps32: prec.weight_t.W <= 32 ? new Int32Array(taps) : null, sums, maxs };
  job.prep.layouts.set(key, made);
  return made;
}

/**
 * With a wrap-around accumulator (AP_WRAP, N = 0) the chain is a modular sum, and with any accumulator whose
 * partial sums provably stay in range (bound from the actual input and weights) no step overflows: either way
 * the result is the exact sum of the per-term quantized products, cast once (INT32 or EXACT). Other channels
 * STEP. When the int64 kernels must run for some channel and can serve every int32 one too, they serve all.
 */
function channelPaths(job: ConvJob): ChannelPaths {
  const { D, prec, plan } = job;
  const accT = prec.accum_t;
  const accF = fracBits(accT);
  const shift = accF - (fracBits(job.xType) + fracBits(prec.weight_t));
  const termMode = shift >= 0 ? 0 : accT.Q === 'AP_TRN' ? 1 : 2;
  const termScale = p2(shift);
  const nTerms = job.cinG * D.kh * D.kw;
  const xm = job.xm as Float64Array;
  let maxAbsX = 0;
  for (let i = 0; i < xm.length; i++) maxAbsX = Math.max(maxAbsX, Math.abs(xm[i]));
  const taps = tapLayout(job, nTerms);
  const modular = accT.kind === 'fixed' && accT.O === 'AP_WRAP' && accT.N === 0;
  const accMax = accT.signed ? p2(accT.W - 1) - 1 : -1;
  const start = new Float64Array(D.Co);
  const noOverflow = new Uint8Array(D.Co);
  const exact = new Uint8Array(D.Co);
  for (let co = 0; co < D.Co; co++) {
    start[co] = plan.start(job.b ? (job.b.m as Float64Array)[co] : 0);
    const bound = Math.abs(start[co]) + maxAbsX * taps.sums[co] * termScale + (termMode === 0 ? 0 : nTerms);
    noOverflow[co] = bound <= accMax ? 1 : 0;
    const inFloat64 = bound < 2 ** 52 && maxAbsX * taps.sums[co] < 2 ** 53;
    exact[co] = inFloat64 && accT.kind === 'fixed' && (noOverflow[co] === 1 || (modular && hasClosedForm(accT))) ? 1 : 0;
  }
  const int32 = int32Mac(job.xType, prec.weight_t, accT);
  // The int64 kernels take int32 operands whose terms are the exact product or its floor (AP_TRN).
  const int32Exact = (t: FixedType) => t.W <= 32 && (t.signed || t.W <= 31);
  const wideKernels = termMode !== 2 && !!job.prep.w32 && int32Exact(job.xType) && int32Exact(prec.weight_t) && wasmConvAvailable();
  const i32 = new Uint8Array(D.Co);
  if (int32) {
    for (let co = 0; co < D.Co; co++) i32[co] = int32ChainOk(int32, start[co], maxAbsX, taps.maxs[co], taps.sums[co], nTerms) ? 1 : 0;
    // Each kernel computes every channel: when some channels need the wide one and it can serve all, it runs alone.
    let needWide = false;
    let wideServesAll = true;
    for (let co = 0; co < D.Co; co++) {
      if (exact[co] && !i32[co]) needWide = true;
      if (i32[co] && !exact[co]) wideServesAll = false;
    }
    if (wideKernels && needWide && wideServesAll) i32.fill(0);
  }
  const path = new Uint8Array(D.Co);
  const count = [0, 0, 0, 0];
  for (let co = 0; co < D.Co; co++) {
    path[co] = i32[co] ? INT32 : exact[co] ? EXACT : STEP;
    count[path[co]]++;
  }
  let x32: Int32Array | null = null;
  return { path, count, start, noOverflow, taps, int32, wideKernels, x32: () => (x32 ??= toInt32(xm)), shift, termMode, termScale };
}

/** INT32 channels: the WebAssembly i32x4 kernels, or plain JS where they cannot run; the whole result when every channel is INT32. */
function int32Channels(job: ConvJob, cp: ChannelPaths, out: Float64Array): FixedTensor | null {
  const { D, prec } = job;
  const mac = cp.int32!;
  const start32 = Int32Array.from(cp.start);
  let acc: Int32Array | null = null;
  // The float kernels' phase decomposition and tiling in wrapping integer arithmetic: order-free, so equal to the C++ order.
  if (job.prep.w32) {
    const shifts = { term: Math.max(0, -mac.shift), sum: Math.max(0, mac.shift) };
    const run = job.transpose ? wasmConvTransposeInt32 : wasmConvInt32;
    acc = run({ shape: job.xs, data: cp.x32() }, { shape: job.weightShape, data: job.prep.w32 }, start32, job.g, shifts)?.data ?? null;
  }
  if (!acc) {
    acc = new Int32Array(job.total);
    int32ConvSums({
      x: channelsLastInt32(job.xm as Float64Array, D.N, D.C, D.H * D.W), w: cp.taps.taps32 ?? new Int32Array(cp.taps.taps), N: D.N, C: D.C, H: D.H, W: D.W, Co: D.Co, groups: D.groups,
      kh: D.kh, kw: D.kw, rows: job.rowsH, cols: job.colsW, shift: mac.shift, start: start32, use: cp.path.map((p) => (p === INT32 ? 1 : 0)), acc,
    });
  }
  // Results cast in one pass where the result type allows; every channel INT32 (the common case): that is the output.
  const outType = prec.result_t;
  const results = int32Results(acc, mac, prec.accum_t, outType);
  if (results && cp.count[INT32] === D.Co) return { shape: [...job.ys], type: outType, m: results };
  const accF = fracBits(prec.accum_t);
  const accFmt = formatOf(prec.accum_t);
  const wrap = (m: number) => castClosedNum(m, accF, prec.accum_t);
  forOutputs(job, (co) => cp.path[co] === INT32, (o) => {
    out[o] = results ? results[o] : castNum(int32AccValue(mac, acc![o], wrap), accFmt, outType);
  });
  return null;
}

/** EXACT channels: the exact sums (WebAssembly int64 kernels, or a JS loop), then the accumulator cast once; the whole result when every channel is EXACT. */
function exactChannels(job: ConvJob, cp: ChannelPaths, out: Float64Array): FixedTensor | null {
  const { D, prec } = job;
  const accT = prec.accum_t;
  const accF = fracBits(accT);
  const accFmt = formatOf(accT);
  const outType = prec.result_t;
  // The accumulator value of an exact channel from its sum of per-term products.
  const accOf = (co: number, sum: number) => {
    const total = cp.start[co] + (cp.termMode === 0 ? sum * cp.termScale : sum);
    return cp.noOverflow[co] ? total : castClosedNum(total, accF, accT);
  };
  const sums = (cp.wideKernels && wasmConvSums64({ shape: job.xs, data: cp.x32() }, { shape: job.weightShape, data: job.prep.w32! }, job.g, cp.termMode === 1 ? Math.min(63, -cp.shift) : 0, job.transpose)?.data) || exactSumsJs(job, cp);
  if (cp.count[EXACT] === D.Co) {
    // Every channel exact (the usual case of a wide accumulator): accumulator values, then one cast pass.
    const accs = new Float64Array(job.total);
    forOutputs(job, () => true, (o, _n, co) => (accs[o] = accOf(co, sums[o])));
    const m = quantizeFast(accs, outType, accF);
    if (m) return { shape: [...job.ys], type: outType, m };
  }
  forOutputs(job, (co) => cp.path[co] === EXACT, (o, _n, co) => (out[o] = castNum(accOf(co, sums[o]), accFmt, outType)));
  return null;
}

/** The exact sums of the EXACT channels in JS, on channels-last copies (the channel loop reads contiguous memory). */
function exactSumsJs(job: ConvJob, cp: ChannelPaths): Float64Array {
  const { D, cinG } = job;
  const plane = D.H * D.W;
  const xm = job.xm as Float64Array;
  const xl = new Float64Array(xm.length);
  for (let n = 0; n < D.N; n++)
    for (let c = 0; c < D.C; c++) {
      const src = (n * D.C + c) * plane;
      const dst = n * plane * D.C + c;
      for (let i = 0; i < plane; i++) xl[dst + i * D.C] = xm[src + i];
    }
  const wl = cp.taps.taps;
  const prodF = fracBits(job.xType) + fracBits(job.prec.weight_t);
  const wide = fixedType(53, 53 - fracBits(job.prec.accum_t), { Q: job.prec.accum_t.Q });
  const { termMode, termScale } = cp;
  const sums = new Float64Array(job.total);
  forOutputs(job, (co) => cp.path[co] === EXACT, (o, n, co, oh, ow) => {
    const rl = job.rowsH[oh], cl = job.colsW[ow];
    const xb = n * plane * D.C + Math.floor(co / job.coutG) * cinG;
    const wb = co * D.kh * D.kw * cinG;
    let sum = 0;
    for (let a = 0; a < rl.length; a += 2) {
      const ih = rl[a], th = rl[a + 1];
      for (let e = 0; e < cl.length; e += 2) {
        const xi = xb + (ih * D.W + cl[e]) * D.C;
        const wi = wb + (th * D.kw + cl[e + 1]) * cinG;
        if (termMode === 0) for (let c = 0; c < cinG; c++) sum += xl[xi + c] * wl[wi + c];
        else if (termMode === 1) for (let c = 0; c < cinG; c++) sum += Math.floor(xl[xi + c] * wl[wi + c] * termScale);
        else for (let c = 0; c < cinG; c++) sum += castClosedNum(xl[xi + c] * wl[wi + c], prodF, wide);
      }
    }
    sums[o] = sum;
  });
  return sums;
}

/** STEP channels: the template's chain, term by term in its order (MacPlan.step casts after every add). */
function stepChannels(job: ConvJob, cp: ChannelPaths, out: Float64Array): void {
  const { D, plan, cinG, wIndex } = job;
  const accFmt = formatOf(job.prec.accum_t);
  const xm = job.xm as Float64Array;
  const wm = job.prep.w.m as Float64Array;
  const plane = D.H * D.W;
  forOutputs(job, (co) => cp.path[co] === STEP, (o, n, co, oh, ow) => {
    const xBase = (n * D.C + Math.floor(co / job.coutG) * cinG) * plane;
    const wc0 = wIndex(co, 0, 0, 0);
    const wcStride = cinG > 1 ? wIndex(co, 1, 0, 0) - wc0 : 0;
    const rl = job.rowsH[oh], cl = job.colsW[ow];
    let acc = cp.start[co];
    for (let a = 0; a < rl.length; a += 2) {
      const ih = rl[a], th = rl[a + 1];
      for (let e = 0; e < cl.length; e += 2) {
        let xi = xBase + ih * D.W + cl[e];
        let wi = wc0 + th * D.kw + cl[e + 1];
        for (let c = 0; c < cinG; c++, xi += plane, wi += wcStride) acc = plan.step(acc, xm[xi], wm[wi]);
      }
    }
    out[o] = castNum(acc, accFmt, job.prec.result_t);
  });
}

/**
 * Core: x in NCX (1D as H = 1), weights OIX (conv) or IOX (transpose); returns NCX mantissas. The path of each
 * output channel is chosen once (channelPaths); then one loop per path.
 */
function convFixedCore(transpose: boolean, x: FixedTensor, xNCX: Float64Array | bigint[], ysNCX: Shape, p: ConvParams, weights: Readonly<Record<string, Tensor>>, prec: LayerPrecision): FixedTensor {
  const job = convJob(transpose, x, xNCX, ysNCX, p, weights, prec);
  const floatPath = job.plan.fast && xNCX instanceof Float64Array && job.prep.w.m instanceof Float64Array && (!job.b || job.b.m instanceof Float64Array) && fitsFloat64(prec.result_t);
  if (!floatPath) return bigintConv(job);
  const cp = channelPaths(job);
  const out = new Float64Array(job.total);
  if (cp.count[INT32]) {
    const all = int32Channels(job, cp, out);
    if (all) return all;
  }
  if (cp.count[EXACT]) {
    const all = exactChannels(job, cp, out);
    if (all) return all;
  }
  if (cp.count[STEP]) stepChannels(job, cp, out);
  return { shape: [...ysNCX], type: prec.result_t, m: out };
}

function makeFixed(transpose: boolean): FixedKernel<ConvParams> {
  return ({ params: p, inputs, weights, precision, outputShape }) => {
    const x = inputs[0];
    const rank = x.shape.length;
    let xm = x.m;
    let ys: Shape = outputShape;
    if (p.dataFormat === 'NXC') {
      xm = permuteMantissas(x.m, x.shape, [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)]).m;
      ys = [outputShape[0], outputShape[rank - 1], ...outputShape.slice(1, rank - 1)];
    }
    const y = convFixedCore(transpose, x, xm, ys, p, weights, precision);
    if (p.dataFormat === 'NCX') return y;
    const back = permuteMantissas(y.m, y.shape, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]);
    return { shape: back.shape, type: y.type, m: back.m };
  };
}

/** Conv1D / Conv2D fixed-point kernel. */
export const convFixed: FixedKernel<ConvParams> = makeFixed(false);
/** ConvTranspose1D / ConvTranspose2D fixed-point kernel (phase order, see the header comment). */
export const convTransposeFixed: FixedKernel<ConvParams> = makeFixed(true);
