// The int32 fast path (fast.ts) against an independent step-by-step reference: the documented MAC chain
// acc = (accum_t) bias; acc = (accum_t)(acc + (accum_t)(x·w)) per term in the documented order, evaluated with
// BigInt (MacPlan.stepBig), on random Conv / ConvTranspose / Dense cases — bit for bit. Cases with accumulators
// that wrap heavily (modular), with wide accumulators (no overflow), and with saturating accumulators that do
// saturate (which must not take the int32 path and must still agree).
import { describe, expect, it } from 'vitest';
import { convCaseModel, denseCaseModel, type ConvCase } from '../hls/conv-cases';
import { defaultHlsConfig } from '../hls/config';
import { quantizeTensor } from './tensor';
import { simulateFixed } from '../hls/simulate';
import { randomTensor, type Tensor } from '../tensor/tensor';
import { resolveGeometry, type ConvParams } from '../ops/conv/params';
import { MacPlan } from './arith';
import { castBig, castNum, formatOf } from './cast';
import { fixedTypeOf, type FixedType } from './types';
import { int32ChainOk, int32DenseSums, int32Mac, quantizeFast } from './fast';
import { invalidateWeightCaches } from '../ops/weight-caches';
import { setWasmConvFlavor } from '../ops/conv/wasm/index';
import { quantizeMantissas } from './arith';
import type { Model } from '../graph/model';

type Prec = { weight_t: string; bias_t: string; accum_t: string; result_t: string };

/** Reference conv / conv-transpose in NCX, 1D as H = 1, BigInt MAC chain in the documented order. */
function referenceConv(transpose: boolean, xm: ArrayLike<number | bigint>, xs: readonly number[], xT: FixedType, c: ConvCase, model: Model, prec: Prec, outShape: readonly number[]): bigint[] {
  const params = model.graph.nodes[1].params as unknown as ConvParams;
  const two = xs.length === 4;
  const g = resolveGeometry(params, xs.slice(2));
  const [N, C] = xs;
  const H = two ? xs[2] : 1;
  const W = xs[xs.length - 1];
  const Co = outShape[1];
  const Ho = two ? outShape[2] : 1;
  const Wo = outShape[outShape.length - 1];
  const kh = two ? g.kernel[0] : 1, kw = g.kernel[two ? 1 : 0];
  const sh = two ? g.stride[0] : 1, sw = g.stride[two ? 1 : 0];
  const dh = two ? g.dilation[0] : 1, dw = g.dilation[two ? 1 : 0];
  const ph = two ? g.padsBegin[0] : 0, pw = g.padsBegin[two ? 1 : 0];
  const groups = g.groups;
  const cinG = C / groups, coutG = Co / groups;
  const wT = fixedTypeOf(prec.weight_t), bT = fixedTypeOf(prec.bias_t), aT = fixedTypeOf(prec.accum_t), rT = fixedTypeOf(prec.result_t);
  const wq = quantizeTensor(model.weights.layer.weight, wT).m;
  const bq = model.weights.layer.bias ? quantizeTensor(model.weights.layer.bias, bT).m : null;
  const plan = new MacPlan(xT, wT, aT, bq ? bT : undefined);
  const out: bigint[] = [];
  const wAt = (co: number, ci: number, th: number, tw: number): bigint => {
    const grp = Math.floor(co / coutG);
    const i = transpose ? (((grp * cinG + ci) * coutG + (co % coutG)) * kh + th) * kw + tw : ((co * cinG + ci) * kh + th) * kw + tw;
    return BigInt(wq[i]);
  };
  for (let n = 0; n < N; n++)
    for (let co = 0; co < Co; co++) {
      const grp = Math.floor(co / coutG);
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let acc = plan.startBig(bq ? BigInt(bq[co]) : 0n);
          const term = (ih: number, iw: number, th: number, tw: number) => {
            for (let ci = 0; ci < cinG; ci++) acc = plan.stepBig(acc, BigInt(xm[((n * C + grp * cinG + ci) * H + ih) * W + iw]), wAt(co, ci, th, tw));
          };
          if (!transpose) {
            // taps kh ascending, kw ascending, channels innermost
            for (let th = 0; th < kh; th++)
              for (let tw = 0; tw < kw; tw++) {
                const ih = oh * sh - ph + th * dh, iw = ow * sw - pw + tw * dw;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) term(ih, iw, th, tw);
              }
          } else {
            // input pixels ascending (row-major), channels innermost
            for (let ih = 0; ih < H; ih++)
              for (let iw = 0; iw < W; iw++) {
                const nh = oh + ph - ih * sh, nw = ow + pw - iw * sw;
                if (nh < 0 || nw < 0 || nh % dh || nw % dw) continue;
                const th = nh / dh, tw = nw / dw;
                if (th < kh && tw < kw) term(ih, iw, th, tw);
              }
          }
          out.push(castBig(acc, formatOf(aT), rT));
        }
    }
  return out;
}

function runCase(c: ConvCase, prec: Prec, inType: string, seed: number, xRange: number): { got: bigint[]; want: bigint[]; i32: boolean[] } {
  const model = convCaseModel({ ...c, dataFormat: 'NCX' }, seed);
  // Non-symmetric weights with a wide range (so narrow accumulators wrap / saturate).
  const w = model.weights.layer.weight;
  const rw = randomTensor(w.shape, seed + 100, -2.5, 3.5);
  w.data.set(rw.data);
  const x = randomTensor([2, c.cin, ...c.size], seed + 1, -xRange * 0.8, xRange);
  const cfg = defaultHlsConfig({ defaults: { precision: { ...prec } }, layers: { x: { precision: { result_t: inType } } } });
  const r = simulateFixed(model, { x }, cfg);
  const fx = r.outputs.conv;
  const xin = r.values.in;
  const want = referenceConv(c.op.startsWith('ConvTranspose'), xin.m, xin.shape, xin.type, c, model, prec, fx.shape);
  // Which output channels the int32 path may take (the kernel's own decision rule).
  const mac = int32Mac(xin.type, fixedTypeOf(prec.weight_t), fixedTypeOf(prec.accum_t));
  const i32: boolean[] = [];
  if (mac) {
    const wq = quantizeTensor(w, fixedTypeOf(prec.weight_t)).m as Float64Array;
    const maxX = Math.max(...Array.from(xin.m as Float64Array, Math.abs));
    const per = wq.length / c.cout;
    const aT = fixedTypeOf(prec.accum_t);
    const plan = new MacPlan(xin.type, fixedTypeOf(prec.weight_t), aT, fixedTypeOf(prec.bias_t));
    const bq = quantizeTensor(model.weights.layer.bias, fixedTypeOf(prec.bias_t)).m as Float64Array;
    for (let co = 0; co < c.cout && !c.op.startsWith('ConvTranspose') && (c.groups ?? 1) === 1; co++) {
      const ws = Array.from(wq.slice(co * per, (co + 1) * per), Math.abs);
      i32.push(int32ChainOk(mac, plan.start(bq[co]), maxX, Math.max(...ws), ws.reduce((a, b) => a + b, 0), per));
    }
  }
  return { got: Array.from(fx.m as ArrayLike<number | bigint>, (v) => BigInt(v)), want, i32 };
}

const P16 = { weight_t: 'ap_fixed<16,6>', bias_t: 'ap_fixed<16,6>', accum_t: 'ap_fixed<16,6>', result_t: 'ap_fixed<16,6>' };

describe('int32 fast path: static decision', () => {
  it('AP_TRN / AP_WRAP narrow accumulators are modular with a right shift; rounding or WRAP with N > 0 are not int32', () => {
    const t = fixedTypeOf;
    expect(int32Mac(t('ap_fixed<16,6>'), t('ap_fixed<16,6>'), t('ap_fixed<16,6>'))).toMatchObject({ shift: -10, modular: true, productsFitByType: true });
    expect(int32Mac(t('ap_fixed<8,3>'), t('ap_fixed<8,1>'), t('ap_fixed<32,12>'))).toMatchObject({ shift: 8, modular: true });
    expect(int32Mac(t('ap_fixed<18,6>'), t('ap_fixed<18,6>'), t('ap_fixed<40,16>'))).toMatchObject({ shift: 0, modular: false, productsFitByType: false });
    expect(int32Mac(t('ap_fixed<16,6>'), t('ap_fixed<16,6>'), t('ap_fixed<16,6,AP_RND>'))).toBeNull();
    expect(int32Mac(t('ap_fixed<16,6>'), t('ap_fixed<16,6>'), t('ap_fixed<16,6,AP_TRN,AP_WRAP,1>'))).toMatchObject({ modular: false });
    expect(int32Mac(t('ap_fixed<40,6>'), t('ap_fixed<16,6>'), t('ap_fixed<16,6>'))).toBeNull();
    expect(int32Mac(t('ap_fixed<16,6>'), t('ap_fixed<16,6>'), t('ap_int<32>'))).toBeNull();
  });

  it('a saturating accumulator takes int32 only when no partial sum can reach its range', () => {
    const t = fixedTypeOf;
    const mac = int32Mac(t('ap_fixed<8,4>'), t('ap_fixed<8,4>'), t('ap_fixed<12,8,AP_TRN,AP_SAT>'))!;
    expect(mac.modular).toBe(false);
    // products in accum LSBs: |x|·|w|·2^-4; accMax = 2047
    expect(int32ChainOk(mac, 0, 16, 16, 100, 10)).toBe(true); // 16·100/16 + 10 = 110
    expect(int32ChainOk(mac, 0, 128, 128, 2000, 40)).toBe(false); // 128·2000/16 ≫ 2047
    expect(int32ChainOk(mac, 2000, 16, 16, 100, 10)).toBe(false);
  });

  it('int32DenseSums equals BigInt step-by-step chains, also when int32 itself wraps', () => {
    const t = fixedTypeOf;
    const xT = t('ap_fixed<16,4>'), wT = t('ap_fixed<16,2>'), aT = t('ap_fixed<20,8>');
    const mac = int32Mac(xT, wT, aT)!;
    const plan = new MacPlan(xT, wT, aT, aT);
    const rnd = randomTensor([3 * 50 + 7 * 50 + 7], 5, -1, 1).data;
    const x = Int32Array.from(rnd.slice(0, 150), (v) => Math.round(v * 32767));
    const w = Int32Array.from(rnd.slice(150, 500), (v) => Math.round(v * 32000));
    const start = Int32Array.from(rnd.slice(500), (v) => Math.round(v * 500000));
    const acc = new Int32Array(21);
    int32DenseSums(x, w, 3, 50, 7, mac.shift, start, new Uint8Array(7).fill(1), acc);
    for (let r = 0; r < 3; r++)
      for (let u = 0; u < 7; u++) {
        let a = BigInt(start[u]);
        for (let n = 0; n < 50; n++) a = plan.stepBig(a, BigInt(x[r * 50 + n]), BigInt(w[u * 50 + n]));
        expect(castBig(BigInt(acc[r * 7 + u]), formatOf(aT), aT)).toBe(a);
      }
  });
});

describe('quantizeFast', () => {
  it('equals quantizeMantissas on random, tie, boundary and out-of-range values; refuses what it does not cover', () => {
    const rnd = randomTensor([4000], 77, -1, 1).data;
    const vals: number[] = [];
    for (let i = 0; i < rnd.length; i++) vals.push(rnd[i] * [1, 8, 40, 300, 70000][i % 5]);
    for (let k = -300; k <= 300; k++) vals.push(k / 64, k / 128 + 1 / 4096, (k * 1000) / 7);
    vals.push(0, -0, 31.99, -32, 32, -32.0001, 2 ** 30, -(2 ** 30));
    for (const ts of ['ap_fixed<16,6>', 'ap_fixed<8,3,AP_RND,AP_SAT>', 'ap_fixed<12,4,AP_RND>', 'ap_ufixed<10,4>', 'ap_ufixed<9,2,AP_TRN,AP_SAT>', 'ap_fixed<32,20,AP_RND,AP_SAT>', 'ap_fixed<5,7>', 'ap_fixed<6,-2,AP_RND>']) {
      const t = fixedTypeOf(ts);
      const got = quantizeFast(vals, t);
      expect(got, ts).not.toBeNull();
      expect(Array.from(got!), ts).toEqual(Array.from(quantizeMantissas(vals, t)));
    }
    expect(quantizeFast(vals, fixedTypeOf('ap_fixed<16,6,AP_RND_CONV>'))).toBeNull();
    expect(quantizeFast(vals, fixedTypeOf('ap_fixed<16,6,AP_TRN,AP_SAT_SYM>'))).toBeNull();
    expect(quantizeFast(vals, fixedTypeOf('ap_fixed<40,6>'))).toBeNull();
    expect(quantizeFast([1, NaN], fixedTypeOf('ap_fixed<16,6>'))).toBeNull();
  });

  it('with srcFracBits casts mantissas between fixed-point types exactly as castNum does', () => {
    const rnd = randomTensor([3000], 78, -1, 1).data;
    for (const [src, dst] of [['ap_fixed<16,6>', 'ap_fixed<16,6>'], ['ap_fixed<32,12>', 'ap_fixed<8,3,AP_RND,AP_SAT>'], ['ap_fixed<24,4>', 'ap_ufixed<10,4>'], ['ap_ufixed<20,2>', 'ap_fixed<12,6,AP_RND>'], ['ap_fixed<10,8>', 'ap_fixed<16,6,AP_TRN,AP_SAT>']]) {
      const sT = fixedTypeOf(src), dT = fixedTypeOf(dst);
      const span = 2 ** sT.W;
      const m = Array.from(rnd, (v) => Math.floor(sT.signed ? v * span / 2 : Math.abs(v) * span));
      const got = quantizeFast(m, dT, sT.W - sT.I);
      expect(got, `${src} → ${dst}`).not.toBeNull();
      expect(Array.from(got!), `${src} → ${dst}`).toEqual(m.map((v) => castNum(v, formatOf(sT), dT)));
    }
  });
});

describe('int32 fast path: conv kernels bit-exact with the step-by-step chain', () => {
  const cases: { c: ConvCase; prec: Prec; inType: string; xr: number; expectI32?: 'all' | 'none' | 'some' }[] = [
    // default types, big data: modular accumulator wraps a lot
    { c: { name: 'conv2d', op: 'Conv2D', size: [7, 6], cin: 5, cout: 6, kernel: [3, 2], stride: [2, 1], padsBegin: [1, 0], padsEnd: [1, 1], io: 'io_parallel' }, prec: P16, inType: 'ap_fixed<16,6>', xr: 30, expectI32: 'all' },
    // narrow accumulator, left shift (F_acc > F_x + F_w), groups, dilation
    { c: { name: 'conv2d-g', op: 'Conv2D', size: [6, 7], cin: 4, cout: 6, groups: 2, kernel: [2, 3], stride: [1, 2], dilation: [2, 1], padsBegin: [0, 1], padsEnd: [1, 0], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<30,8>', result_t: 'ap_fixed<12,5,AP_RND,AP_SAT>' }, inType: 'ap_fixed<8,4>', xr: 8 },
    // wide non-modular (SAT) accumulator that cannot overflow: int32 by the data bound
    { c: { name: 'conv1d', op: 'Conv1D', size: [11], cin: 6, cout: 5, kernel: [3], stride: [2], padsBegin: [2], padsEnd: [1], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<10,3>', bias_t: 'ap_fixed<10,3>', accum_t: 'ap_fixed<24,12,AP_TRN,AP_SAT>', result_t: 'ap_fixed<16,8>' }, inType: 'ap_fixed<10,4>', xr: 6, expectI32: 'all' },
    // saturating accumulator that does saturate: must stay on the step path and agree
    { c: { name: 'conv2d-sat', op: 'Conv2D', size: [5, 5], cin: 7, cout: 5, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<10,5,AP_TRN,AP_SAT>', result_t: 'ap_fixed<10,5>' }, inType: 'ap_fixed<8,4>', xr: 7, expectI32: 'none' },
    // transpose, default types, modular
    { c: { name: 'convT2d', op: 'ConvTranspose2D', size: [4, 5], cin: 6, cout: 7, kernel: [4, 3], stride: [2, 2], padsBegin: [1, 0], padsEnd: [1, 1], outputPadding: [1, 0], io: 'io_parallel' }, prec: P16, inType: 'ap_fixed<16,6>', xr: 25 },
    // transpose, groups + dilation, unsigned modular accumulator
    { c: { name: 'convT2d-g', op: 'ConvTranspose2D', size: [5, 4], cin: 4, cout: 6, groups: 2, kernel: [3, 2], stride: [3, 2], dilation: [1, 2], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<12,4>', bias_t: 'ap_fixed<12,4>', accum_t: 'ap_ufixed<18,6>', result_t: 'ap_fixed<16,6>' }, inType: 'ap_fixed<12,5>', xr: 9 },
    // transpose 1D with a saturating narrow accumulator (step path)
    { c: { name: 'convT1d-sat', op: 'ConvTranspose1D', size: [9], cin: 5, cout: 3, kernel: [5], stride: [2], padsBegin: [1], padsEnd: [2], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<9,4,AP_TRN,AP_SAT_SYM>', result_t: 'ap_fixed<9,4>' }, inType: 'ap_fixed<8,4>', xr: 7 },
    // ≥ 8 channels per group: the WebAssembly i32x4 inner loop, with channel tails and partial channel tiles
    { c: { name: 'conv2d-wasm', op: 'Conv2D', size: [6, 5], cin: 13, cout: 6, kernel: [3, 3], stride: [1, 2], padsBegin: [1, 1], padsEnd: [1, 0], io: 'io_parallel' }, prec: P16, inType: 'ap_fixed<16,6>', xr: 30, expectI32: 'all' },
    { c: { name: 'conv2d-wasm-g', op: 'Conv2D', size: [5, 6], cin: 18, cout: 10, groups: 2, kernel: [2, 3], stride: [1, 1], dilation: [2, 1], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<30,8>', result_t: 'ap_fixed<12,5,AP_RND,AP_SAT>' }, inType: 'ap_fixed<8,4>', xr: 8 },
    { c: { name: 'convT2d-wasm', op: 'ConvTranspose2D', size: [4, 3], cin: 10, cout: 5, kernel: [4, 4], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' }, prec: P16, inType: 'ap_fixed<16,6>', xr: 25 },
    { c: { name: 'conv2d-wasm-sat', op: 'Conv2D', size: [4, 4], cin: 16, cout: 4, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<10,4>', bias_t: 'ap_fixed<10,4>', accum_t: 'ap_fixed<24,12,AP_TRN,AP_SAT>', result_t: 'ap_fixed<16,8>' }, inType: 'ap_fixed<10,4>', xr: 6, expectI32: 'all' },
    // unsigned × unsigned 16-bit products reach 2^32 (not exact in int32): the data bound decides, not the widths
    { c: { name: 'conv2d-unsigned', op: 'Conv2D', size: [5, 4], cin: 9, cout: 5, kernel: [2, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [0, 1], io: 'io_parallel' }, prec: { weight_t: 'ap_ufixed<16,6>', bias_t: 'ap_fixed<16,6>', accum_t: 'ap_fixed<32,16>', result_t: 'ap_fixed<32,16>' }, inType: 'ap_ufixed<16,8>', xr: 200 },
    // the per-term right shift is 38 bits (≥ 32: floor to 0 or −1), modular accumulator
    { c: { name: 'convT2d-shift38', op: 'ConvTranspose2D', size: [4, 5], cin: 9, cout: 6, kernel: [3, 3], stride: [2, 1], padsBegin: [1, 0], padsEnd: [0, 1], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<16,-4>', bias_t: 'ap_fixed<16,6>', accum_t: 'ap_fixed<16,14>', result_t: 'ap_fixed<16,14>' }, inType: 'ap_fixed<16,-4>', xr: 1 },
    // a 48-bit accumulator with every product bit (shift 0), sums far past 2^31: the exact int64 kernels
    { c: { name: 'convT2d-acc48', op: 'ConvTranspose2D', size: [5, 4], cin: 24, cout: 10, kernel: [4, 3], stride: [2, 3], padsBegin: [1, 0], padsEnd: [2, 1], outputPadding: [1, 0], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<16,6>', bias_t: 'ap_fixed<16,6>', accum_t: 'ap_fixed<48,28>', result_t: 'ap_fixed<24,14,AP_RND,AP_SAT>' }, inType: 'ap_fixed<16,6>', xr: 30 },
    // products wider than 32 bits (18 + 18): int32 only when the data bound allows, else float64/step path
    { c: { name: 'conv2d-wide', op: 'Conv2D', size: [5, 6], cin: 3, cout: 4, kernel: [3, 3], stride: [1, 1], io: 'io_parallel' }, prec: { weight_t: 'ap_fixed<18,4>', bias_t: 'ap_fixed<18,4>', accum_t: 'ap_fixed<28,10>', result_t: 'ap_fixed<18,8>' }, inType: 'ap_fixed<18,6>', xr: 20 },
  ];
  // Each case through the WebAssembly integer kernels, and through the JavaScript fallback (no SIMD).
  for (const { c, prec, inType, xr, expectI32 } of cases) {
    for (const kernels of ['wasm', 'js'] as const) {
      it(`${c.name}: ${prec.accum_t} (${kernels})`, () => {
        expect(setWasmConvFlavor(kernels === 'js' ? 'off' : 'auto')).toBe(kernels === 'wasm');
        try {
          for (const seed of [3, 17]) {
            const { got, want, i32 } = runCase(c, prec, inType, seed, xr);
            expect(got.length).toBe(want.length);
            expect(got).toEqual(want);
            if (expectI32 === 'all') expect(i32.every(Boolean)).toBe(true);
            if (expectI32 === 'none') expect(i32.some(Boolean)).toBe(false);
          }
        } finally {
          setWasmConvFlavor('auto');
        }
      });
    }
  }

  it('prepared weights are reused; after an in-place edit, invalidateWeightCaches makes the next run use it', () => {
    const c: ConvCase = { name: 'cache', op: 'Conv2D', size: [5, 5], cin: 9, cout: 4, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' };
    const model = convCaseModel(c, 8);
    const x = randomTensor([1, 9, 5, 5], 81, -3, 3);
    const cfg = defaultHlsConfig();
    const a1 = Array.from(simulateFixed(model, { x }, cfg).outputs.conv.m as Float64Array);
    expect(Array.from(simulateFixed(model, { x }, cfg).outputs.conv.m as Float64Array)).toEqual(a1);
    model.weights.layer.weight.data[5] += 0.75; // in place: output channel 0, one tap
    invalidateWeightCaches(model.weights.layer.weight.data);
    const r = simulateFixed(model, { x }, cfg);
    const a2 = Array.from(r.outputs.conv.m as Float64Array);
    expect(a2.slice(25)).toEqual(a1.slice(25));
    expect(a2.slice(0, 25)).not.toEqual(a1.slice(0, 25));
    const want = referenceConv(false, r.values.in.m as Float64Array, r.values.in.shape, r.values.in.type, c, model, { weight_t: 'ap_fixed<16,6>', bias_t: 'ap_fixed<16,6>', accum_t: 'ap_fixed<16,6>', result_t: 'ap_fixed<16,6>' }, r.outputs.conv.shape);
    expect(a2.map((v) => BigInt(v))).toEqual(want);
  });

  it('a dense layer is bit-exact with the chain (modular and saturating accumulators)', () => {
    for (const accum_t of ['ap_fixed<16,6>', 'ap_fixed<12,4,AP_TRN,AP_SAT>', 'ap_fixed<24,10,AP_TRN,AP_SAT>']) {
      const prec = { weight_t: 'ap_fixed<16,6>', bias_t: 'ap_fixed<16,6>', accum_t, result_t: 'ap_fixed<16,6>' };
      const nIn = 37, U = 9;
      const model = denseCaseModel(randomTensor([nIn, U], 41, -3, 2.5), randomTensor([U], 42, -2, 2));
      const x: Tensor = randomTensor([3, nIn], 43, -9, 11);
      const r = simulateFixed(model, { x }, defaultHlsConfig({ defaults: { precision: prec } }));
      const xin = r.values.in;
      const wT = fixedTypeOf(prec.weight_t), aT = fixedTypeOf(accum_t), rT = fixedTypeOf(prec.result_t);
      const wq = quantizeTensor(model.weights.d.weight, wT).m;
      const bq = quantizeTensor(model.weights.d.bias, fixedTypeOf(prec.bias_t)).m;
      const plan = new MacPlan(xin.type, wT, aT, fixedTypeOf(prec.bias_t));
      const want: bigint[] = [];
      for (let row = 0; row < 3; row++)
        for (let u = 0; u < U; u++) {
          let a = plan.startBig(BigInt(bq[u]));
          for (let n = 0; n < nIn; n++) a = plan.stepBig(a, BigInt(xin.m[row * nIn + n]), BigInt(wq[n * U + u]));
          want.push(castBig(a, formatOf(aT), rT));
        }
      expect(Array.from(r.outputs.dense.m as ArrayLike<number>, (v) => BigInt(v))).toEqual(want);
    }
  });
});
