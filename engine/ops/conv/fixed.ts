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
import { fixedType, formatFixedType, fracBits } from '../../fixed/types';
import { fitsFloat64 } from '../../fixed/arith';
import type { FixedKernel } from '../hls-layer';
import type { LayerPrecision } from '../../fixed/precision';
import { permuteMantissas, quantizeTensor, type FixedTensor } from '../../fixed/tensor';
import { convView } from './geometry';
import { resolveGeometry, type ConvParams } from './params';
import { cachedPreparation, channelsLastInt32, quantizeFast, int32AccValue, int32ChainOk, int32ConvSums, int32Mac, int32Results, toInt32 } from '../../fixed/fast';
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

/** Core: x in NCX (1D as H = 1), weights OIX (conv) or IOX (transpose); returns NCX mantissas. */
function convFixedCore(transpose: boolean, x: FixedTensor, xNCX: Float64Array | bigint[], ysNCX: Shape, p: ConvParams, weights: Readonly<Record<string, Tensor>>, prec: LayerPrecision): FixedTensor {
  const xsNCX = p.dataFormat === 'NCX' ? x.shape : [x.shape[0], x.shape[x.shape.length - 1], ...x.shape.slice(1, x.shape.length - 1)];
  const g = resolveGeometry(p, xsNCX.slice(2));
  const D = { N: xsNCX[0], ...convView(g, xsNCX.slice(2), ysNCX.slice(2), xsNCX[1], ysNCX[1]) };
  const wKey = formatFixedType(prec.weight_t);
  // One validated cache entry per weight array and type: the quantized weights, and their tap layouts.
  const wPrep = cachedPreparation(weights.weight.data, `q:${wKey}`, () => {
    const wq = quantizeFast(weights.weight.data, prec.weight_t);
    const w = wq ? { m: wq } : quantizeTensor(weights.weight, prec.weight_t);
    // The int32 copy in the source layout (OIX / IOX) for the WebAssembly kernels: one array per weights and
    // type, so their packed copy stays cached too.
    const w32 = prec.weight_t.W <= 32 && w.m instanceof Float64Array ? toInt32(w.m) : null;
    return { w, w32, layouts: new Map<string, TapLayout>() };
  });
  const w = wPrep.w;
  const hasBias = p.bias && !!weights.bias;
  const b = hasBias ? quantizeTensor(weights.bias, prec.bias_t) : null;
  const plan = new MacPlan(x.type, prec.weight_t, prec.accum_t, hasBias ? prec.bias_t : undefined);
  const cinG = D.C / D.groups;
  const coutG = D.Co / D.groups;
  const rowsH = axisTerms(transpose, D.Ho, D.H, D.kh, D.sh, D.dh, D.ph);
  const colsW = axisTerms(transpose, D.Wo, D.W, D.kw, D.sw, D.dw, D.pw);
  const outType = prec.result_t;
  const total = sizeOf(ysNCX);
  const fast = plan.fast && xNCX instanceof Float64Array && w.m instanceof Float64Array && (!b || b.m instanceof Float64Array) && fitsFloat64(outType);
  const out: Float64Array | bigint[] = fitsFloat64(outType) ? new Float64Array(total) : new Array<bigint>(total);
  const accFmt = formatOf(prec.accum_t);
  const plane = D.H * D.W;
  // Weight index of (output channel co, input channel of group c, tap th, tw).
  const wIndex = transpose
    ? (co: number, c: number, th: number, tw: number) => {
        const grp = Math.floor(co / coutG);
        return (((grp * cinG + c) * coutG + (co % coutG)) * D.kh + th) * D.kw + tw;
      }
    : (co: number, c: number, th: number, tw: number) => ((co * cinG + c) * D.kh + th) * D.kw + tw;
  // Fast path (FIXED_POINT.md): with a wrap-around accumulator (AP_WRAP, N = 0) the chain is a modular sum, and
  // with any accumulator whose partial sums provably stay in range (bound from the actual input and weights)
  // no step overflows; either way the result is the exact sum of the per-term quantized products, cast once.
  const accT = prec.accum_t;
  const accF = fracBits(accT);
  const prodF = fracBits(x.type) + fracBits(prec.weight_t);
  const shift = accF - prodF;
  const termMode = shift >= 0 ? 0 : accT.Q === 'AP_TRN' ? 1 : 2;
  const termScale = p2(shift);
  const wide = fixedType(53, 53 - accF, { Q: accT.Q });
  const nTerms = cinG * D.kh * D.kw;
  let maxAbsX = 0;
  if (xNCX instanceof Float64Array) for (let i = 0; i < xNCX.length; i++) maxAbsX = Math.max(maxAbsX, Math.abs(xNCX[i]));
  const fastCo = new Uint8Array(D.Co);
  const noOvfCo = new Uint8Array(D.Co);
  const startCo = new Float64Array(D.Co);
  // Weights as [co][kh][kw][cinG] (contiguous per output channel), their Σ|w| and max |w| per output channel.
  let wTaps: Float64Array | null = null;
  let wTaps32: Int32Array | null = null;
  let sumAbsW: Float64Array = new Float64Array(D.Co);
  let maxAbsW: Float64Array = new Float64Array(D.Co);
  if (fast) {
    const wm = w.m as Float64Array;
    const layoutKey = `${transpose}:${D.Co}:${cinG}:${D.kh}:${D.kw}:${D.groups}`;
    const prep = wPrep.layouts.get(layoutKey) ?? ((): TapLayout => {
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
      wPrep.layouts.set(layoutKey, made);
      return made;
    })();
    wTaps = prep.taps;
    wTaps32 = prep.taps32;
    sumAbsW = prep.sums;
    maxAbsW = prep.maxs;
    const modular = accT.kind === 'fixed' && accT.O === 'AP_WRAP' && accT.N === 0;
    const accMax = accT.signed ? p2(accT.W - 1) - 1 : -1;
    for (let co = 0; co < D.Co; co++) {
      const sw = sumAbsW[co];
      startCo[co] = plan.start(b ? (b.m as Float64Array)[co] : 0);
      const bound = Math.abs(startCo[co]) + maxAbsX * sw * termScale + (termMode === 0 ? 0 : nTerms);
      const exact = bound < 2 ** 52 && maxAbsX * sw < 2 ** 53;
      noOvfCo[co] = bound <= accMax ? 1 : 0;
      fastCo[co] = exact && accT.kind === 'fixed' && (noOvfCo[co] === 1 || (modular && hasClosedForm(accT))) ? 1 : 0;
    }
  }
  // Int32 path (engine/fixed/fast.ts): exact for modular accumulators or data-bounded sums, output channels tiled.
  const mac = fast ? int32Mac(x.type, prec.weight_t, accT) : null;
  const i32Co = new Uint8Array(D.Co);
  let i32Acc: Int32Array | null = null;
  // The exact float64 channels' sums can come from the WebAssembly int64 kernels where the operands are int32
  // values and each term is the exact product or its floor (AP_TRN); otherwise (rounding terms, no SIMD) from
  // the JavaScript loop below.
  const int32Exact = (t: typeof accT) => t.W <= 32 && (t.signed || t.W <= 31);
  let x32: Int32Array | null = null;
  const xInt32 = () => (x32 ??= toInt32(xNCX as Float64Array));
  const wideKernels = fast && termMode !== 2 && !!wPrep.w32 && int32Exact(x.type) && int32Exact(prec.weight_t) && wasmConvAvailable();
  if (mac) {
    for (let co = 0; co < D.Co; co++) i32Co[co] = int32ChainOk(mac, startCo[co], maxAbsX, maxAbsW[co], sumAbsW[co], nTerms) ? 1 : 0;
    // Each kernel computes every channel: when some channels need the wide one and it can serve all of them,
    // run it alone.
    let needWide = false;
    let wideServesAll = true;
    for (let co = 0; co < D.Co; co++) {
      if (fastCo[co] && !i32Co[co]) needWide = true;
      if (i32Co[co] && !fastCo[co]) wideServesAll = false;
    }
    if (wideKernels && needWide && wideServesAll) i32Co.fill(0);
    if (i32Co.some((f) => f === 1)) {
      const start32 = Int32Array.from(startCo);
      // WebAssembly i32x4 kernels (the float kernels' phase decomposition and tiling, in wrapping integer
      // arithmetic: order-free, so equal to the C++ order); plain JS where they can't run.
      if (wPrep.w32) {
        const shifts = { term: Math.max(0, -mac.shift), sum: Math.max(0, mac.shift) };
        const run = transpose ? wasmConvTransposeInt32 : wasmConvInt32;
        i32Acc = run({ shape: xsNCX, data: xInt32() }, { shape: weights.weight.shape, data: wPrep.w32 }, start32, g, shifts)?.data ?? null;
      }
      if (!i32Acc) {
        i32Acc = new Int32Array(total);
        int32ConvSums({
          x: channelsLastInt32(xNCX as Float64Array, D.N, D.C, plane), w: wTaps32 ?? new Int32Array(wTaps!), N: D.N, C: D.C, H: D.H, W: D.W, Co: D.Co, groups: D.groups,
          kh: D.kh, kw: D.kw, rows: rowsH, cols: colsW, shift: mac.shift, start: start32, use: i32Co, acc: i32Acc,
        });
      }
      for (let co = 0; co < D.Co; co++) if (i32Co[co]) fastCo[co] = 0;
    }
  }
  // Results of the int32 channels, cast in one pass where the result type allows; all channels int32 (the
  // common case): that is the whole output.
  const i32Out = i32Acc && fitsFloat64(outType) ? int32Results(i32Acc, mac!, accT, outType) : null;
  if (i32Out && i32Co.every((f) => f === 1)) return { shape: [...ysNCX], type: outType, m: i32Out };
  const wrapAcc = (m: number) => castClosedNum(m, accF, accT);
  // The accumulator value of an exact channel from its sum of per-term products.
  const exactAcc = (co: number, sum: number) => {
    const total = startCo[co] + (termMode === 0 ? sum * termScale : sum);
    return noOvfCo[co] ? total : castClosedNum(total, accF, accT);
  };
  let sums64: Float64Array | null = null;
  if (wideKernels && fastCo.some((f) => f === 1)) {
    sums64 = wasmConvSums64({ shape: xsNCX, data: xInt32() }, { shape: weights.weight.shape, data: wPrep.w32! }, g, termMode === 1 ? Math.min(63, -shift) : 0, transpose)?.data ?? null;
    // Every channel exact (the usual case of a wide accumulator): accumulator values, then one cast pass.
    if (sums64 && fastCo.every((f) => f === 1) && fitsFloat64(outType)) {
      const accs = new Float64Array(total);
      const outPlane = D.Ho * D.Wo;
      for (let n = 0, o = 0; n < D.N; n++)
        for (let co = 0; co < D.Co; co++)
          for (let i = 0; i < outPlane; i++, o++) accs[o] = exactAcc(co, sums64[o]);
      const m = quantizeFast(accs, outType, accF);
      if (m) return { shape: [...ysNCX], type: outType, m };
    }
  }
  let xl: Float64Array | null = null;
  let wl: Float64Array | null = null;
  if (!sums64 && fastCo.some((f) => f === 1)) {
    const xm = xNCX as Float64Array;
    xl = new Float64Array(xm.length);
    for (let n = 0; n < D.N; n++)
      for (let c = 0; c < D.C; c++) {
        const src = (n * D.C + c) * plane;
        const dst = n * plane * D.C + c;
        for (let i = 0; i < plane; i++) xl[dst + i * D.C] = xm[src + i];
      }
    wl = wTaps;
  }
  let o = 0;
  for (let n = 0; n < D.N; n++) {
    for (let co = 0; co < D.Co; co++) {
      const grp = Math.floor(co / coutG);
      const xBase = (n * D.C + grp * cinG) * plane;
      // Weight offsets per channel for this co (stride between consecutive c).
      const wc0 = wIndex(co, 0, 0, 0);
      const wcStride = cinG > 1 ? wIndex(co, 1, 0, 0) - wc0 : 0;
      for (let oh = 0; oh < D.Ho; oh++) {
        const rl = rowsH[oh];
        for (let ow = 0; ow < D.Wo; ow++) {
          const cl = colsW[ow];
          if (i32Co[co]) {
            (out as Float64Array)[o] = i32Out ? i32Out[o] : castNum(int32AccValue(mac!, i32Acc![o], wrapAcc), accFmt, outType);
            o++;
          } else if (fastCo[co]) {
            // Exact sum of the per-term quantized products (order-free: modular or provably no overflow).
            // Channels-last copies: the channel loop reads contiguous memory.
            let sum = 0;
            if (sums64) sum = sums64[o];
            else {
              const xm = xl!;
              const wm = wl!;
              const xb = n * plane * D.C + grp * cinG;
              const wb = co * D.kh * D.kw * cinG;
              for (let a = 0; a < rl.length; a += 2) {
                const ih = rl[a], th = rl[a + 1];
                for (let e = 0; e < cl.length; e += 2) {
                  const iw = cl[e], tw = cl[e + 1];
                  const xi = xb + (ih * D.W + iw) * D.C;
                  const wi = wb + (th * D.kw + tw) * cinG;
                  if (termMode === 0) for (let c = 0; c < cinG; c++) sum += xm[xi + c] * wm[wi + c];
                  else if (termMode === 1) for (let c = 0; c < cinG; c++) sum += Math.floor(xm[xi + c] * wm[wi + c] * termScale);
                  else for (let c = 0; c < cinG; c++) sum += castClosedNum(xm[xi + c] * wm[wi + c], prodF, wide);
                }
              }
            }
            (out as Float64Array)[o++] = castNum(exactAcc(co, sum), accFmt, outType);
          } else if (fast) {
            const xm = xNCX as Float64Array;
            const wm = w.m as Float64Array;
            let acc = plan.start(b ? (b.m as Float64Array)[co] : 0);
            for (let a = 0; a < rl.length; a += 2) {
              const ih = rl[a], th = rl[a + 1];
              for (let e = 0; e < cl.length; e += 2) {
                const iw = cl[e], tw = cl[e + 1];
                let xi = xBase + ih * D.W + iw;
                let wi = wc0 + th * D.kw + tw;
                for (let c = 0; c < cinG; c++, xi += plane, wi += wcStride) acc = plan.step(acc, xm[xi], wm[wi]);
              }
            }
            (out as Float64Array)[o++] = castNum(acc, accFmt, outType);
          } else {
            let acc = plan.startBig(b ? BigInt(b.m[co]) : 0n);
            for (let a = 0; a < rl.length; a += 2) {
              const ih = rl[a], th = rl[a + 1];
              for (let e = 0; e < cl.length; e += 2) {
                const iw = cl[e], tw = cl[e + 1];
                for (let c = 0; c < cinG; c++) {
                  acc = plan.stepBig(acc, BigInt(xNCX[xBase + c * plane + ih * D.W + iw]), BigInt(w.m[wc0 + c * wcStride + th * D.kw + tw]));
                }
              }
            }
            const r = castBig(acc, accFmt, outType);
            out[o++] = (fitsFloat64(outType) ? Number(r) : r) as never;
          }
        }
      }
    }
  }
  return { shape: [...ysNCX], type: outType, m: out };
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
