// Kernel semantics that need no other library: fast vs reference over the full canonical range
// (including outputPadding in [s, max(s, d)), which onnxruntime refuses), the adjoint identity,
// the SEMANTICS.md impulse example, the 1×1-input path, and the cases hls4ml's branch got wrong.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { referenceConv, referenceConvTranspose } from './reference';
import { jsConv, jsConvTranspose } from './kernels';
import { effectiveKernel, type ConvGeometry } from './geometry';
import { fromKeras, fromPyTorch } from './conventions';
import { resolveGeometry } from './params';
import { convTranspose1dOp, convTranspose2dOp } from './ops';
import { DiagnosticSink } from '../../diagnostics/diagnostics';
import { randomTensor, tensor, type Tensor } from '../../tensor/tensor';

function maxErr(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let e = 0;
  for (let i = 0; i < a.data.length; i++) e = Math.max(e, Math.abs(a.data[i] - b.data[i]));
  return e;
}

function scale(t: Tensor): number {
  let m = 1;
  for (const v of t.data) m = Math.max(m, Math.abs(v));
  return m;
}

const geomArb = (rank: 1 | 2, isT: boolean) =>
  fc.record({
    g: fc.integer({ min: 1, max: 4 }),
    cinG: fc.integer({ min: 1, max: 3 }),
    coutG: fc.integer({ min: 1, max: 6 }),
    n: fc.integer({ min: 1, max: 2 }),
    bias: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
    axes: fc.array(fc.record({
      k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 3 }),
      pb: fc.integer({ min: 0, max: 4 }), pe: fc.integer({ min: 0, max: 4 }), op: fc.integer({ min: 0, max: 2 }), sp: fc.integer({ min: 1, max: 9 }),
    }), { minLength: rank, maxLength: rank }),
  }).map((c) => {
    const geo: ConvGeometry = { kernel: [], stride: [], dilation: [], padsBegin: [], padsEnd: [], outputPadding: [], groups: c.g };
    const sp: number[] = [];
    for (const a of c.axes) {
      const kEff = effectiveKernel(a.k, a.d);
      let { pb, pe, sp: size } = a;
      const op = isT ? a.op % Math.max(a.s, a.d) : 0;
      if (isT) { while (pb + pe >= (size - 1) * a.s + kEff + op) { if (pe > 0) pe--; else pb--; } }
      else size = Math.max(size, kEff - pb - pe);
      geo.kernel.push(a.k); geo.stride.push(a.s); geo.dilation.push(a.d); geo.padsBegin.push(pb); geo.padsEnd.push(pe); geo.outputPadding.push(op); sp.push(size);
    }
    return { ...c, geo, sp };
  });

describe.each([1, 2] as const)('%iD fast kernels vs reference', (rank) => {
  it('ConvTranspose (phase decomposition) matches scatter, incl. op ≥ s with dilation and tap-less phases', () => {
    fc.assert(fc.property(geomArb(rank, true), (c) => {
      const x = randomTensor([c.n, c.cinG * c.g, ...c.sp], c.seed);
      const w = randomTensor([c.cinG * c.g, c.coutG, ...c.geo.kernel], c.seed + 1);
      const b = c.bias ? randomTensor([c.coutG * c.g], c.seed + 2).data : null;
      const ref = referenceConvTranspose(x, w, b, c.geo);
      expect(maxErr(jsConvTranspose(x, w, b, c.geo), ref)).toBeLessThanOrEqual(1e-4 * scale(ref));
    }), { numRuns: 300 });
  });
  it('Conv matches the definition', () => {
    fc.assert(fc.property(geomArb(rank, false), (c) => {
      const x = randomTensor([c.n, c.cinG * c.g, ...c.sp], c.seed);
      const w = randomTensor([c.coutG * c.g, c.cinG, ...c.geo.kernel], c.seed + 1);
      const b = c.bias ? randomTensor([c.coutG * c.g], c.seed + 2).data : null;
      const ref = referenceConv(x, w, b, c.geo);
      expect(maxErr(jsConv(x, w, b, c.geo), ref)).toBeLessThanOrEqual(1e-4 * scale(ref));
    }), { numRuns: 300 });
  });
});

describe('many input channels (the reduction is blocked by 64 channels)', () => {
  it.each([1, 2] as const)('%iD Conv and ConvTranspose with Cin/g = 75 and 130 match the reference', (rank) => {
    for (const [cin, g] of [[150, 2], [130, 1]]) {
      const k = rank === 1 ? [3] : [3, 2];
      const geo: ConvGeometry = { kernel: k, stride: k.map(() => 2), dilation: k.map(() => 1), padsBegin: k.map(() => 1), padsEnd: k.map(() => 0), outputPadding: k.map(() => 1), groups: g };
      const sp = rank === 1 ? [5] : [4, 5];
      const x = randomTensor([1, cin, ...sp], cin);
      const b = randomTensor([6], 3).data;
      const wt = randomTensor([cin, 6 / g, ...k], cin + 1);
      const refT = referenceConvTranspose(x, wt, b, geo);
      expect(maxErr(jsConvTranspose(x, wt, b, geo), refT)).toBeLessThanOrEqual(1e-4 * scale(refT));
      const wc = randomTensor([6, cin / g, ...k], cin + 2);
      const geoC = { ...geo, outputPadding: k.map(() => 0) };
      const refC = referenceConv(x, wc, b, geoC);
      expect(maxErr(jsConv(x, wc, b, geoC), refC)).toBeLessThanOrEqual(1e-4 * scale(refC));
    }
  });
});

describe('adjoint identity ⟨conv(x, W), y⟩ = ⟨x, convT(y, W)⟩', () => {
  const dot = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };
  it.each([1, 2] as const)('%iD, random geometry with groups, dilation, asymmetric pads', (rank) => {
    fc.assert(fc.property(geomArb(rank, false), (c) => {
      // Conv maps (Cin = cinG·g) → (Cout = coutG·g) with OIX weights (Cout, Cin/g, k); the same memory read
      // as a ConvTranspose from Cout to Cin needs IOX (Cout, Cin/g, k): identical array, roles swapped.
      const x = randomTensor([c.n, c.cinG * c.g, ...c.sp], c.seed);
      const w = randomTensor([c.coutG * c.g, c.cinG, ...c.geo.kernel], c.seed + 1);
      const y1 = referenceConv(x, w, null, c.geo);
      const y = randomTensor(y1.shape, c.seed + 2);
      // ConvTranspose back to x's size: output padding covers the inputs the conv's stride skipped at the end
      const op = c.sp.map((s, a) => s - ((y1.shape[2 + a] - 1) * c.geo.stride[a] + effectiveKernel(c.geo.kernel[a], c.geo.dilation[a]) - c.geo.padsBegin[a] - c.geo.padsEnd[a]));
      const gT = { ...c.geo, outputPadding: op };
      for (const convT of [referenceConvTranspose, jsConvTranspose]) {
        const xt = convT(y, w, null, gT);
        expect(xt.shape).toEqual(x.shape);
        const lhs = dot(y1.data, y.data), rhs = dot(x.data, xt.data);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(lhs)));
      }
      for (const conv of [referenceConv, jsConv]) expect(maxErr(conv(x, w, null, c.geo), y1)).toBeLessThan(1e-4 * scale(y1));
    }), { numRuns: 200 });
  });
});

describe('SEMANTICS.md impulse example: Keras same k3 s2 vs PyTorch padding 1, output_padding 1', () => {
  // impulse [1,0,0,0], w = [1,10,100]
  const x = tensor([1, 1, 4], [1, 0, 0, 0]);
  const w = tensor([1, 1, 3], [1, 10, 100]);
  it('Keras crops 0 at the begin and 1 at the end: [1, 10, 100, 0, …]', () => {
    const p = { ...fromKeras(1, true, { filters: 1, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), dataFormat: 'NCX' as const };
    expect([p.padsBegin, p.padsEnd, p.outputPadding]).toEqual([[0], [1], [0]]);
    const y = convTranspose1dOp.float(p, [x], { weight: w });
    expect(Array.from(y.data)).toEqual([1, 10, 100, 0, 0, 0, 0, 0]);
  });
  it('PyTorch crops 1 at the begin: [10, 100, 0, …]', () => {
    const p = fromPyTorch(1, true, { outChannels: 1, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, bias: false });
    const y = convTranspose1dOp.float(p, [x], { weight: w });
    expect(Array.from(y.data)).toEqual([10, 100, 0, 0, 0, 0, 0, 0]);
  });
});

describe('1×1 input (DCGAN first layer: a matrix–vector product)', () => {
  it('100×1×1 → 512×4×4 k4 s1 p0 and small variants match the reference', () => {
    const cases: [number, number, number, ConvGeometry][] = [
      [100, 512, 1, { kernel: [4, 4], stride: [1, 1], dilation: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], outputPadding: [0, 0], groups: 1 }],
      [6, 4, 2, { kernel: [3, 2], stride: [2, 3], dilation: [2, 1], padsBegin: [1, 0], padsEnd: [0, 1], outputPadding: [1, 2], groups: 2 }],
    ];
    for (const [cin, cout, n, g] of cases) {
      const x = randomTensor([n, cin, 1, 1], 3);
      const w = randomTensor([cin, cout / g.groups, ...g.kernel], 4);
      const b = randomTensor([cout], 5).data;
      const ref = referenceConvTranspose(x, w, b, g);
      expect(maxErr(jsConvTranspose(x, w, b, g), ref)).toBeLessThanOrEqual(1e-4 * scale(ref));
    }
  });
});

describe("cases hls4ml's ConvTranspose branch got wrong", () => {
  const run2d = (p: ReturnType<typeof fromKeras>, x: Tensor, w: Tensor) => {
    const sink = new DiagnosticSink();
    const shape = convTranspose2dOp.infer(p, [x.shape], sink);
    const y = convTranspose2dOp.float(p, [x], { weight: w });
    return { shape, y };
  };
  it("valid padding with k > s emits in·s + k − s outputs (not in·s)", () => {
    const p = { ...fromKeras(2, true, { filters: 2, kernelSize: [5, 3], strides: [2, 2], padding: 'valid', useBias: false }), dataFormat: 'NCX' as const };
    const x = randomTensor([1, 3, 4, 6], 1);
    const w = randomTensor([3, 2, 5, 3], 2);
    const { shape, y } = run2d(p, x, w);
    expect(shape).toEqual([1, 2, 4 * 2 + 5 - 2, 6 * 2 + 3 - 2]);
    expect(maxErr(y, referenceConvTranspose(x, w, null, resolveGeometry(p, [4, 6])))).toBeLessThan(1e-5);
  });
  it('no state leaks between images of a batch (each image equals its own single-image result)', () => {
    const g: ConvGeometry = { kernel: [4, 3], stride: [2, 2], dilation: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], outputPadding: [0, 0], groups: 1 };
    const x = randomTensor([3, 2, 3, 5], 7);
    const w = randomTensor([2, 4, 4, 3], 8);
    const all = jsConvTranspose(x, w, null, g);
    const per = all.data.length / 3;
    for (let n = 0; n < 3; n++) {
      const xi = { shape: [1, 2, 3, 5], data: x.data.slice(n * 30, (n + 1) * 30) };
      const yi = jsConvTranspose(xi, w, null, g);
      expect(Array.from(all.data.slice(n * per, (n + 1) * per))).toEqual(Array.from(yi.data));
    }
  });
  it('non-square outputs use each axis’ own size; channels_first (NCX) and channels_last (NXC) agree', () => {
    const pl = fromKeras(2, true, { filters: 3, kernelSize: [3, 4], strides: [2, 3], padding: 'same', useBias: false, dataFormat: 'channels_last' });
    const pf = fromKeras(2, true, { filters: 3, kernelSize: [3, 4], strides: [2, 3], padding: 'same', useBias: false, dataFormat: 'channels_first' });
    expect([pl.dataFormat, pf.dataFormat]).toEqual(['NXC', 'NCX']);
    const x = randomTensor([1, 2, 3, 7], 11); // NCX
    const w = randomTensor([2, 3, 3, 4], 12);
    const yf = convTranspose2dOp.float(pf, [x], { weight: w });
    expect(yf.shape).toEqual([1, 3, 6, 21]);
    const xl = { shape: [1, 3, 7, 2], data: new Float32Array(42) };
    for (let c = 0; c < 2; c++) for (let h = 0; h < 3; h++) for (let ww = 0; ww < 7; ww++) xl.data[(h * 7 + ww) * 2 + c] = x.data[(c * 3 + h) * 7 + ww];
    const yl = convTranspose2dOp.float(pl, [xl], { weight: w });
    expect(yl.shape).toEqual([1, 6, 21, 3]);
    for (let c = 0; c < 3; c++) for (let h = 0; h < 6; h++) for (let ww = 0; ww < 21; ww++)
      expect(yl.data[(h * 21 + ww) * 3 + c]).toBe(yf.data[(c * 6 + h) * 21 + ww]);
  });
});
