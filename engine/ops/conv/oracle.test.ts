// Oracle sweeps: the engine's Conv family against onnxruntime-node on random configurations
// (k 1–5, s 1–3, d 1–2, asymmetric pads, output padding, groups 1–4, bias, non-square shapes,
// random weights). Each case checks the reference kernel, the fast kernel and the op itself
// (through the ONNX convention adapter, in NCX or NXC).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { oneNodeModel } from './oracle-helpers';
import { referenceConv, referenceConvTranspose } from './reference';
import { jsConv, jsConvTranspose, fastConv, fastConvTranspose } from './kernels';
import { fromOnnx, type OnnxConvAttrs } from './conventions';
import { resolveGeometry } from './params';
import { conv1dOp, conv2dOp, convTranspose1dOp, convTranspose2dOp } from './ops';
import { DiagnosticSink } from '../../diagnostics/diagnostics';
import { randomTensor, transpose, type Tensor } from '../../tensor/tensor';
import { effectiveKernel } from './geometry';
import { setWasmConvFlavor, type WasmConvFlavor } from './wasm';

// Every WebAssembly kernel flavour this runtime has (vitest runs with relaxed SIMD: FMA and SIMD128).
const FLAVOURS = (['fma', 'simd'] as WasmConvFlavor[]).filter((f) => setWasmConvFlavor(f));
setWasmConvFlavor('auto');

/** Runs fast() once per kernel flavour. */
function eachFlavour(fast: () => void): void {
  try {
    for (const f of FLAVOURS) {
      setWasmConvFlavor(f);
      fast();
    }
  } finally {
    setWasmConvFlavor('auto');
  }
}

interface Case {
  rank: 1 | 2;
  transpose: boolean;
  n: number;
  groups: number;
  cinG: number;
  coutG: number;
  k: number[];
  s: number[];
  d: number[];
  pb: number[];
  pe: number[];
  op: number[];
  sp: number[];
  bias: boolean;
  nxc: boolean;
  seed: number;
}

function caseArb(rank: 1 | 2, isT: boolean): fc.Arbitrary<Case> {
  const axis = fc.record({
    k: fc.integer({ min: 1, max: 5 }),
    s: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 2 }),
    pb: fc.integer({ min: 0, max: 3 }),
    pe: fc.integer({ min: 0, max: 3 }),
    op: fc.integer({ min: 0, max: 2 }),
    sp: fc.integer({ min: 1, max: 7 }),
  });
  return fc.record({
    n: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 4 }),
    cinG: fc.integer({ min: 1, max: 3 }),
    coutG: fc.integer({ min: 1, max: 5 }),
    axes: fc.array(axis, { minLength: rank, maxLength: rank }),
    bias: fc.boolean(),
    nxc: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  }).map(({ axes, ...r }) => {
    const c: Case = { ...r, rank, transpose: isT, k: [], s: [], d: [], pb: [], pe: [], op: [], sp: [] };
    for (const a of axes) {
      const kEff = effectiveKernel(a.k, a.d);
      let { pb, pe, sp } = a;
      let op = 0;
      if (isT) {
        // onnxruntime accepts only op < s (PyTorch allows op < max(s, d); those are covered by the
        // reference/fast/adjoint tests in kernels.test.ts)
        op = a.op % a.s;
        const full = (sp - 1) * a.s + kEff + op;
        // keep at least one output: crop less when the pads would eat everything
        while (pb + pe >= full) { if (pe > 0) pe--; else pb--; }
      } else {
        sp = Math.max(sp, kEff - pb - pe);
      }
      c.k.push(a.k); c.s.push(a.s); c.d.push(a.d); c.pb.push(pb); c.pe.push(pe); c.op.push(op); c.sp.push(sp);
    }
    return c;
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function expectClose(got: Tensor, wantShape: readonly number[], want: Float32Array, what: string, c: Case): void {
  expect(got.shape, `${what} shape, case ${JSON.stringify(c)}`).toEqual([...wantShape]);
  const tol = 1e-4 * Math.max(1, maxAbs(want));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got.data[i] - want[i]));
  if (!(err <= tol)) expect.fail(`${what}: max abs error ${err} > ${tol}, case ${JSON.stringify(c)}`);
}

const opFor = (rank: 1 | 2, isT: boolean) => (isT ? (rank === 1 ? convTranspose1dOp : convTranspose2dOp) : rank === 1 ? conv1dOp : conv2dOp);

async function checkCase(c: Case): Promise<void> {
  const cin = c.cinG * c.groups;
  const cout = c.coutG * c.groups;
  const x = randomTensor([c.n, cin, ...c.sp], c.seed);
  const w = randomTensor(c.transpose ? [cin, c.coutG, ...c.k] : [cout, c.cinG, ...c.k], c.seed + 1);
  const b = c.bias ? randomTensor([cout], c.seed + 2) : null;
  const attrs: OnnxConvAttrs = { kernel_shape: c.k, strides: c.s, dilations: c.d, pads: [...c.pb, ...c.pe], group: c.groups };
  if (c.transpose) attrs.output_padding = c.op;
  const inputs = [{ name: 'x', shape: x.shape }, { name: 'w', shape: w.shape }];
  if (b) inputs.push({ name: 'b', shape: b.shape });
  const model = oneNodeModel({ opType: c.transpose ? 'ConvTranspose' : 'Conv', inputs, output: { name: 'y' }, attributes: { ...attrs } });
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', x.data, [...x.shape]),
    w: new ort.Tensor('float32', w.data, [...w.shape]),
  };
  if (b) feeds.b = new ort.Tensor('float32', b.data, [...b.shape]);
  const out = (await session.run(feeds)).y;
  await session.release();
  const want = out.data as Float32Array;
  const wantShape = out.dims;

  const params = fromOnnx(c.transpose, attrs, w.shape, !!b);
  const g = resolveGeometry(params, c.sp);
  const bias = b ? b.data : null;
  if (c.transpose) {
    expectClose(referenceConvTranspose(x, w, bias, g), wantShape, want, 'reference ConvTranspose', c);
    expectClose(jsConvTranspose(x, w, bias, g), wantShape, want, 'JS ConvTranspose', c);
    eachFlavour(() => expectClose(fastConvTranspose(x, w, bias, g), wantShape, want, 'fast ConvTranspose', c));
  } else {
    expectClose(referenceConv(x, w, bias, g), wantShape, want, 'reference Conv', c);
    expectClose(jsConv(x, w, bias, g), wantShape, want, 'JS Conv', c);
    eachFlavour(() => expectClose(fastConv(x, w, bias, g), wantShape, want, 'fast Conv', c));
  }
  // The op itself, optionally channels-last.
  const op = opFor(c.rank, c.transpose);
  const toNXC = c.rank === 1 ? [0, 2, 1] : [0, 2, 3, 1];
  const p = { ...params, dataFormat: c.nxc ? ('NXC' as const) : ('NCX' as const) };
  const xin = c.nxc ? transpose(x, toNXC) : x;
  const sink = new DiagnosticSink('n1', 'conv');
  const shape = op.infer(p, [xin.shape], sink);
  expect(sink.items, JSON.stringify(c)).toEqual([]);
  const weights: Record<string, Tensor> = { weight: w };
  if (b) weights.bias = b;
  const slots = op.weights(p, [xin.shape]);
  expect(slots.map((s) => [s.name, s.shape])).toEqual(Object.entries(weights).map(([k, t]) => [k, [...t.shape]]));
  const y = op.float(p, [xin], weights);
  const wantT = c.nxc ? transpose({ shape: wantShape, data: want }, toNXC) : { shape: wantShape, data: want };
  expect(shape).toEqual(wantT.shape);
  expectClose(y, wantT.shape, wantT.data, `op ${op.type} ${p.dataFormat}`, c);
}

describe.each([
  ['Conv1D', 1, false],
  ['Conv2D', 2, false],
  ['ConvTranspose1D', 1, true],
  ['ConvTranspose2D', 2, true],
] as const)('%s against onnxruntime', (_name, rank, isT) => {
  it('matches on 300 random configurations (reference, fast, op)', async () => {
    await fc.assert(fc.asyncProperty(caseArb(rank, isT), checkCase), { numRuns: 300 });
  });
});

describe('fast kernels on wider layers with few output channels against onnxruntime', () => {
  // The pixel-vectorised kernels (1–4 output channels) on rows wide enough for every tile width, each flavour.
  const layers = [
    { t: true, cin: 64, cout: 3, sp: [16, 16], k: [4, 4], s: [2, 2], p: [1, 1] },
    { t: true, cin: 7, cout: 1, sp: [3, 37], k: [3, 5], s: [1, 3], p: [0, 2] },
    { t: false, cin: 8, cout: 3, sp: [5, 45], k: [3, 3], s: [1, 1], p: [1, 1] },
    { t: false, cin: 6, cout: 4, sp: [1, 41], k: [1, 4], s: [1, 1], p: [0, 0] },
  ];
  it.each(layers.map((l, i) => [i, l] as const))('layer %i', async (i, l) => {
    expect(FLAVOURS).toEqual(['fma', 'simd']);
    const c: Case = { rank: 2, transpose: l.t, n: 2, groups: 1, cinG: l.cin, coutG: l.cout, k: l.k, s: l.s, d: [1, 1], pb: l.p, pe: l.p, op: [0, 0], sp: l.sp, bias: i % 2 === 0, nxc: false, seed: 500 + i };
    await checkCase(c);
  });
});

describe('ONNX auto_pad and output_shape against onnxruntime', () => {
  const cases: { t: boolean; attrs: OnnxConvAttrs; k: number[]; sp: number[] }[] = [];
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID'])
    for (const k of [1, 2, 3, 4, 5])
      for (const s of [1, 2, 3]) {
        cases.push({ t: true, attrs: { strides: [s, 1], auto_pad: autoPad }, k: [k, 2], sp: [5, 3] });
        cases.push({ t: false, attrs: { strides: [s, 2], auto_pad: autoPad }, k: [k, 3], sp: [7, 6] });
      }
  for (const k of [2, 3, 4]) for (const s of [2, 3]) for (const extra of [0, 1]) {
    const outH = 4 * s + extra - 1;
    cases.push({ t: true, attrs: { strides: [s, 1], output_shape: [outH, 3] }, k: [k, 1], sp: [4, 3] });
    cases.push({ t: true, attrs: { strides: [s, 1], output_shape: [outH, 3], auto_pad: 'SAME_LOWER' }, k: [k, 1], sp: [4, 3] });
    cases.push({ t: true, attrs: { strides: [s, 1], output_shape: [outH, 3], auto_pad: 'SAME_UPPER' }, k: [k, 1], sp: [4, 3] });
  }
  it.each(cases.map((c, i) => [i, c] as const))('case %i', async (i, c) => {
    const cin = 2, cout = 3;
    const x = randomTensor([1, cin, ...c.sp], 100 + i);
    const w = randomTensor(c.t ? [cin, cout, ...c.k] : [cout, cin, ...c.k], 200 + i);
    const model = oneNodeModel({
      opType: c.t ? 'ConvTranspose' : 'Conv',
      inputs: [{ name: 'x', shape: x.shape }, { name: 'w', shape: w.shape }],
      output: { name: 'y' },
      attributes: { ...c.attrs },
    });
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    const out = (await session.run({ x: new ort.Tensor('float32', x.data, [...x.shape]), w: new ort.Tensor('float32', w.data, [...w.shape]) })).y;
    await session.release();
    const natural = 3 * c.attrs.strides![0] + c.k[0];
    if (c.attrs.output_shape && c.attrs.output_shape[0] > natural) {
      // onnxruntime answers with a negative begin pad here; the canonical form has none: we refuse clearly
      expect(() => fromOnnx(c.t, c.attrs, w.shape, false, c.sp)).toThrow(/output_shape\[0\] = \d+ is larger than the layer can produce/);
      return;
    }
    const params = fromOnnx(c.t, c.attrs, w.shape, false, c.sp);
    const op = c.t ? convTranspose2dOp : conv2dOp;
    const sink = new DiagnosticSink();
    expect(op.infer(params, [x.shape], sink), JSON.stringify(c)).toEqual(out.dims);
    const y = op.float(params, [x], { weight: w });
    const ref = c.t ? referenceConvTranspose(x, w, null, resolveGeometry(params, c.sp)) : referenceConv(x, w, null, resolveGeometry(params, c.sp));
    const want = out.data as Float32Array;
    const tol = 1e-4 * Math.max(1, maxAbs(want));
    for (let j = 0; j < want.length; j++) {
      expect(Math.abs(y.data[j] - want[j]), `${JSON.stringify(c)} at ${j}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(ref.data[j] - want[j])).toBeLessThanOrEqual(tol);
    }
  });
});
