import { describe, expect, it } from 'vitest';
import { buildOnnxModel, type NodeSpec, type TensorInit } from '../onnx/proto';
import { importQonnx, isQonnx, qonnxRound } from './import';
import { loadModelBytes } from '../load';
import { simulateFixed } from '../../hls/simulate';
import { fixedValues } from '../../fixed/tensor';
import { seededRandom, tensor } from '../../tensor/tensor';
import { TesseraError } from '../../diagnostics/diagnostics';

// Independent float64 reference of QONNX Quant (numpy semantics: np.round is half-to-even).
function roundRef(v: number, mode: string): number {
  switch (mode) {
    case 'ROUND': {
      const r = Math.round(v); // half up
      return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
    case 'FLOOR': return Math.floor(v);
    case 'DOWN': return v < 0 ? Math.ceil(v) : Math.floor(v);
    case 'HALF_UP': return v < 0 ? -Math.round(-v) : Math.round(v);
    case 'HALF_DOWN': return v < 0 ? -Math.ceil(-v - 0.5) : Math.ceil(v - 0.5);
    default: throw new Error(mode);
  }
}
function quant(x: number, scale: number, bits: number, signed: boolean, narrow: boolean, mode: string): number {
  const lo = signed ? -(2 ** (bits - 1)) + (narrow ? 1 : 0) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Math.min(hi, Math.max(lo, roundRef(x / scale, mode))) * scale + 0; // +0: no negative zero
}

const Q = 'qonnx.custom_op.general';
let qn = 0;
/** A Quant node plus its scale / zero-point / bitwidth initializers. */
function q(x: string, y: string, scale: number | { dims: number[]; data: number[] }, bits: number, attrs: { signed?: number; narrow?: number; rounding_mode?: string } = {}, zp = 0): { node: NodeSpec; inits: TensorInit[] } {
  const k = ++qn;
  const s = typeof scale === 'number' ? { name: `s${k}`, dims: [], data: [scale] } : { name: `s${k}`, ...scale };
  return {
    node: { op: 'Quant', domain: Q, name: `quant_${y}`, inputs: [x, `s${k}`, `z${k}`, `b${k}`], outputs: [y], attrs: { signed: 1, narrow: 0, rounding_mode: 'ROUND', ...attrs } },
    inits: [s, { name: `z${k}`, dims: [], data: [zp] }, { name: `b${k}`, dims: [], data: [bits] }],
  };
}

/** Random values on a grid of 2^-frac (so roundings hit ties) in [lo, hi]. */
function gridData(n: number, seed: number, frac: number, lo: number, hi: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Math.round((lo + (hi - lo) * r()) * 2 ** frac) / 2 ** frac);
}

describe('QONNX rounding', () => {
  it('ROUND is half-to-even, and every mode matches the QONNX table', () => {
    const xs = [5.5, 2.5, 1.6, 1.1, 1.0, -1.0, -1.1, -1.6, -2.5, -5.5];
    const table: Record<string, number[]> = {
      ROUND: [6, 2, 2, 1, 1, -1, -1, -2, -2, -6],
      FLOOR: [5, 2, 1, 1, 1, -1, -2, -2, -3, -6],
      CEIL: [6, 3, 2, 2, 1, -1, -1, -1, -2, -5],
      UP: [6, 3, 2, 2, 1, -1, -2, -2, -3, -6],
      DOWN: [5, 2, 1, 1, 1, -1, -1, -1, -2, -5],
      HALF_UP: [6, 3, 2, 1, 1, -1, -1, -2, -3, -6],
      HALF_DOWN: [5, 2, 2, 1, 1, -1, -1, -2, -2, -5],
    };
    for (const [mode, want] of Object.entries(table)) expect(xs.map((x) => qonnxRound(x, mode))).toEqual(want);
  });
});

describe('QONNX import: Conv2D with quantized input, per-channel weights, bias and activations, ReLU', () => {
  qn = 0;
  const W = { name: 'W', dims: [4, 3, 3, 3], data: gridData(108, 2, 9, -1.3, 1.1) };
  const B = { name: 'B', dims: [4], data: gridData(4, 3, 9, -2, 2.5) };
  const qin = q('x', 'xq', 2 ** -4, 8);
  const qw = q('W', 'Wq', { dims: [4, 1, 1, 1], data: [2 ** -5, 2 ** -4, 2 ** -5, 2 ** -6] }, 6, { narrow: 1 });
  const qb = q('B', 'Bq', 2 ** -6, 10);
  const qc = q('c', 'cq', 2 ** -3, 10);
  const qr = q('r', 'rq', 2 ** -2, 6, { signed: 0, rounding_mode: 'FLOOR' });
  const bytes = buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 3, 6, 5] }],
    outputs: [{ name: 'rq', shape: [1, 4, 3, 5] }],
    nodes: [qin.node, qw.node, qb.node, { op: 'Conv', name: 'conv', inputs: ['xq', 'Wq', 'Bq'], outputs: ['c'], attrs: { kernel_shape: [3, 3], strides: [2, 1], pads: [1, 1, 1, 1] } }, qc.node, { op: 'Relu', name: 'relu', inputs: ['cq'], outputs: ['r'] }, qr.node],
    initializers: [W, B, ...qin.inits, ...qw.inits, ...qb.inits, ...qc.inits, ...qr.inits],
  });

  it('derives per-layer precisions', () => {
    expect(isQonnx(bytes)).toBe(true);
    const r = importQonnx(bytes);
    expect(r.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'ReLU']);
    expect(r.precisions).toEqual({
      x: { result_t: 'ap_fixed<8,4,AP_RND_CONV,AP_SAT>' },
      // per-channel scales 2^-5, 2^-4, 2^-5, 2^-6 at 6 bits: I = max(1, 2, 1, 0) = 2, F = 6
      conv: { weight_t: 'ap_fixed<8,2>', bias_t: 'ap_fixed<10,4>', result_t: 'ap_fixed<10,7,AP_RND_CONV,AP_SAT>', accum_t: 'auto' },
      relu: { result_t: 'ap_ufixed<6,4,AP_TRN,AP_SAT>' },
    });
    expect(r.config.layers.conv.precision?.weight_t).toBe('ap_fixed<8,2>');
    expect(r.quantizers.map((x) => x.on)).toEqual(['activation', 'weight', 'weight', 'activation', 'activation']);
  });

  it('keeps the float graph with quantized-value-exact weights', () => {
    const r = importQonnx(bytes);
    const scales = [2 ** -5, 2 ** -4, 2 ** -5, 2 ** -6];
    const wq = W.data.map((v, i) => quant(v, scales[Math.floor(i / 27)], 6, true, true, 'ROUND'));
    expect(Array.from(r.model.weights.conv.weight.data)).toEqual(wq);
    expect(wq.some((v, i) => v !== W.data[i])).toBe(true);
    expect(Array.from(r.model.weights.conv.bias.data)).toEqual(B.data.map((v) => quant(v, 2 ** -6, 10, true, false, 'ROUND')));
  });

  it('simulateFixed with the derived config equals the quantized float64 reference bit for bit', () => {
    const r = importQonnx(bytes);
    const N = 2;
    const x = gridData(N * 90, 7, 6, -10, 9); // beyond ±8: the input quantizer saturates; ties on the 2^-5 grid
    const scales = [2 ** -5, 2 ** -4, 2 ** -5, 2 ** -6];
    const wq = W.data.map((v, i) => quant(v, scales[Math.floor(i / 27)], 6, true, true, 'ROUND'));
    const bq = B.data.map((v) => quant(v, 2 ** -6, 10, true, false, 'ROUND'));
    const want: number[] = [];
    for (let n = 0; n < N; n++) {
      const xq = (c: number, h: number, w: number) => (h < 0 || h >= 6 || w < 0 || w >= 5 ? 0 : quant(x[n * 90 + c * 30 + h * 5 + w], 2 ** -4, 8, true, false, 'ROUND'));
      for (let o = 0; o < 4; o++)
        for (let oh = 0; oh < 3; oh++)
          for (let ow = 0; ow < 5; ow++) {
            let s = bq[o];
            for (let c = 0; c < 3; c++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) s += xq(c, oh * 2 - 1 + kh, ow - 1 + kw) * wq[((o * 3 + c) * 3 + kh) * 3 + kw];
            const cq = quant(s, 2 ** -3, 10, true, false, 'ROUND');
            want.push(quant(Math.max(0, cq), 2 ** -2, 6, false, false, 'FLOOR'));
          }
    }
    const res = simulateFixed(r.model, { x: tensor([N, 3, 6, 5], x) }, r.config);
    const got = Array.from(fixedValues(res.outputs.relu));
    expect(got).toEqual(want);
    expect(new Set(want).size).toBeGreaterThan(10);
    expect(want.filter((v) => v === 15.75).length).toBeGreaterThan(0); // saturated
  });
});

describe('QONNX import: ConvTranspose1D → Flatten → MatMul + Add (Dense)', () => {
  qn = 100;
  const W = { name: 'W', dims: [3, 2, 3], data: gridData(18, 11, 8, -1.7, 1.9) };
  const M = { name: 'M', dims: [20, 6], data: gridData(120, 12, 8, -1, 0.9) };
  const C = { name: 'C', dims: [6], data: gridData(6, 13, 8, -3, 3) };
  const qin = q('x', 'xq', 2 ** -5, 7, { rounding_mode: 'HALF_UP' });
  const qw = q('W', 'Wq', 2 ** -4, 5, { rounding_mode: 'FLOOR' });
  const qt = q('t', 'tq', 2 ** -2, 8, { narrow: 1, rounding_mode: 'DOWN' });
  const qm = q('M', 'Mq', 2 ** -3, 4);
  const qc = q('C', 'Cq', 2 ** -4, 8);
  const qo = q('d', 'dq', 1, 9, { rounding_mode: 'half_down' });
  const bytes = buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 3, 5] }],
    outputs: [{ name: 'dq', shape: [1, 6] }],
    nodes: [
      qin.node, qw.node,
      { op: 'ConvTranspose', name: 'deconv', inputs: ['xq', 'Wq'], outputs: ['t'], attrs: { kernel_shape: [3], strides: [2], pads: [1, 0] } },
      qt.node,
      { op: 'Flatten', name: 'flat', inputs: ['tq'], outputs: ['f'], attrs: { axis: 1 } },
      qm.node, qc.node,
      { op: 'MatMul', name: 'dense', inputs: ['f', 'Mq'], outputs: ['mm'] },
      { op: 'Add', name: 'dense_bias', inputs: ['mm', 'Cq'], outputs: ['d'] },
      qo.node,
    ],
    initializers: [W, M, C, ...qin.inits, ...qw.inits, ...qt.inits, ...qm.inits, ...qc.inits, ...qo.inits],
  });

  it('maps rounding modes, narrow and pass-through layers', () => {
    const r = importQonnx(bytes);
    expect(r.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'ConvTranspose1D', 'Flatten', 'Dense']);
    expect(r.precisions).toEqual({
      x: { result_t: 'ap_fixed<7,2,AP_RND_INF,AP_SAT>' },
      deconv: { weight_t: 'ap_fixed<5,1>', result_t: 'ap_fixed<8,6,AP_TRN_ZERO,AP_SAT_SYM>', accum_t: 'auto' },
      flat: { result_t: 'ap_fixed<8,6,AP_TRN_ZERO,AP_SAT_SYM>' },
      dense: { weight_t: 'ap_fixed<4,1>', bias_t: 'ap_fixed<8,4>', result_t: 'ap_fixed<9,9,AP_RND_ZERO,AP_SAT>', accum_t: 'auto' },
    });
  });

  it('simulateFixed equals the quantized reference (independent scatter ConvTranspose, dense)', () => {
    const r = importQonnx(bytes);
    const N = 3;
    const x = gridData(N * 15, 21, 7, -2.5, 2.5);
    const wq = W.data.map((v) => quant(v, 2 ** -4, 5, true, false, 'FLOOR'));
    const mq = M.data.map((v) => quant(v, 2 ** -3, 4, true, false, 'ROUND'));
    const cq = C.data.map((v) => quant(v, 2 ** -4, 8, true, false, 'ROUND'));
    const want: number[] = [];
    for (let n = 0; n < N; n++) {
      const t = new Array<number>(20).fill(0);
      for (let ci = 0; ci < 3; ci++)
        for (let i = 0; i < 5; i++) {
          const xv = quant(x[n * 15 + ci * 5 + i], 2 ** -5, 7, true, false, 'HALF_UP');
          for (let co = 0; co < 2; co++)
            for (let k = 0; k < 3; k++) {
              const p = i * 2 + k - 1;
              if (p >= 0 && p < 10) t[co * 10 + p] += xv * wq[(ci * 2 + co) * 3 + k];
            }
        }
      const tq = t.map((v) => quant(v, 2 ** -2, 8, true, true, 'DOWN'));
      for (let j = 0; j < 6; j++) {
        let s = cq[j];
        for (let k = 0; k < 20; k++) s += tq[k] * mq[k * 6 + j];
        want.push(quant(s, 1, 9, true, false, 'HALF_DOWN'));
      }
    }
    const res = simulateFixed(r.model, { x: tensor([N, 3, 5], x) }, r.config);
    expect(Array.from(fixedValues(res.outputs.dense))).toEqual(want);
    expect(want.some((v) => !Number.isInteger(v * 1))).toBe(false);
    expect(new Set(want).size).toBeGreaterThan(5);
  });

  it('loadModelBytes detects QONNX and returns the precisions', async () => {
    const l = await loadModelBytes('m.onnx', bytes);
    expect(l.source).toMatch(/^QONNX/);
    expect(l.precisions.deconv.weight_t).toBe('ap_fixed<5,1>');
  });
});

describe('QONNX import refuses what is not an ap_fixed cast', () => {
  const model = (scale: number, zp: number, attrs: Record<string, string | number> = {}, op = 'Quant') => {
    qn = 500;
    const qa = q('x', 'xq', scale, 8, attrs, zp);
    if (op === 'BipolarQuant') {
      qa.node = { op, domain: Q, name: 'quant_xq', inputs: ['x', qa.node.inputs[1]], outputs: ['xq'] };
    }
    return buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y', shape: [1, 4] }],
      nodes: [qa.node, { op: 'Relu', name: 'relu', inputs: ['xq'], outputs: ['y'] }],
      initializers: qa.inits,
    });
  };
  const err = (b: Uint8Array): string => {
    try {
      importQonnx(b);
    } catch (e) {
      expect(e).toBeInstanceOf(TesseraError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('non-power-of-two scale', () => {
    expect(err(model(0.3, 0))).toMatch(/QONNX node "quant_xq" \(Quant\): scale 0\.3 is not a power of two/);
  });
  it('non-zero zero point', () => {
    expect(err(model(0.25, 3))).toMatch(/quant_xq.*zero_point is 3; Tessera maps only zero_point 0/);
  });
  it('rounding modes without an ap_fixed mode, unsigned narrow, bipolar activations', () => {
    expect(err(model(0.25, 0, { rounding_mode: 'CEIL' }))).toMatch(/rounding_mode "CEIL" has no ap_fixed quantization mode/);
    expect(err(model(0.25, 0, { rounding_mode: 'STOCHASTIC' }))).toMatch(/rounding_mode "STOCHASTIC" is not a QONNX rounding mode/);
    expect(err(model(0.25, 0, { signed: 0, narrow: 1 }))).toMatch(/narrow = 1 with signed = 0/);
    expect(err(model(0.25, 0, {}, 'BipolarQuant'))).toMatch(/BipolarQuant on computed data/);
  });
  it('accepts a plain power-of-two quantizer on the same graph', () => {
    const r = importQonnx(model(0.25, 0));
    expect(r.precisions.x).toEqual({ result_t: 'ap_fixed<8,6,AP_RND_CONV,AP_SAT>' });
    expect(r.precisions.relu).toEqual({ result_t: 'ap_fixed<8,6,AP_RND_CONV,AP_SAT>' });
  });
});

describe('BipolarQuant on weights', () => {
  it('quantizes to ±scale with a 2-bit type', () => {
    const W = { name: 'W', dims: [4, 3], data: gridData(12, 5, 6, -1, 1) };
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y', shape: [1, 3] }],
      nodes: [
        { op: 'BipolarQuant', domain: Q, name: 'bq', inputs: ['W', 'sw'], outputs: ['Wb'] },
        { op: 'MatMul', name: 'fc', inputs: ['x', 'Wb'], outputs: ['y'] },
      ],
      initializers: [W, { name: 'sw', dims: [], data: [0.5] }],
    });
    const r = importQonnx(bytes);
    expect(Array.from(r.model.weights.fc.weight.data)).toEqual(W.data.map((v) => (v >= 0 ? 0.5 : -0.5)));
    expect(r.precisions.fc.weight_t).toBe('ap_fixed<2,1>');
  });
});

describe('Gemm (transB) with quantized B and C; a tensor read with and without a quantizer', () => {
  it('maps weight_t / bias_t and matches the reference', () => {
    qn = 700;
    const B = { name: 'Bm', dims: [3, 5], data: gridData(15, 31, 7, -2, 2) }; // (N, K) with transB
    const C = { name: 'C', dims: [3], data: gridData(3, 32, 7, -1, 1) };
    const qx = q('x', 'xq', 2 ** -3, 6);
    const qb = q('Bm', 'Bq', 2 ** -2, 5, { rounding_mode: 'HALF_DOWN' });
    const qc = q('C', 'Cq', 2 ** -5, 9);
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 5] }],
      outputs: [{ name: 'y', shape: [1, 3] }],
      nodes: [qx.node, qb.node, qc.node, { op: 'Gemm', name: 'gemm', inputs: ['xq', 'Bq', 'Cq'], outputs: ['y'], attrs: { transB: 1 } }],
      initializers: [B, C, ...qx.inits, ...qb.inits, ...qc.inits],
    });
    const r = importQonnx(bytes);
    expect(r.precisions.gemm).toEqual({ weight_t: 'ap_fixed<5,3>', bias_t: 'ap_fixed<9,4>', accum_t: 'auto', result_t: 'auto' });
    const x = gridData(4 * 5, 33, 5, -5, 5);
    const bq = B.data.map((v) => quant(v, 2 ** -2, 5, true, false, 'HALF_DOWN'));
    const cq = C.data.map((v) => quant(v, 2 ** -5, 9, true, false, 'ROUND'));
    const want: number[] = [];
    for (let n = 0; n < 4; n++)
      for (let j = 0; j < 3; j++) {
        let s = cq[j];
        for (let k = 0; k < 5; k++) s += quant(x[n * 5 + k], 2 ** -3, 6, true, false, 'ROUND') * bq[j * 5 + k];
        want.push(s);
      }
    const res = simulateFixed(r.model, { x: tensor([4, 5], x) }, r.config);
    expect(Array.from(fixedValues(res.outputs.gemm))).toEqual(want);
    expect(r.diagnostics.filter((d) => d.code.startsWith('qonnx'))).toEqual([]);
  });

  it('warns when the quantized tensor also feeds a node directly', () => {
    qn = 800;
    const qc = q('r', 'rq', 2 ** -4, 8);
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 6] }],
      outputs: [{ name: 'y', shape: [1, 6] }],
      nodes: [
        { op: 'Relu', name: 'relu', inputs: ['x'], outputs: ['r'] },
        qc.node,
        { op: 'Sigmoid', name: 'sig', inputs: ['rq'], outputs: ['s'] },
        { op: 'Add', name: 'add', inputs: ['s', 'r'], outputs: ['y'] },
      ],
      initializers: qc.inits,
    });
    const r = importQonnx(bytes);
    expect(r.precisions.relu).toEqual({ result_t: 'ap_fixed<8,4,AP_RND_CONV,AP_SAT>' });
    const w = r.diagnostics.filter((d) => d.code === 'qonnx-shared-tensor');
    expect(w).toHaveLength(1);
    expect(w[0].message).toMatch(/1 node\(s\) read "r" without this quantizer/);
  });
});

describe('QONNX import: Resize (tiny U-Net upsampling)', () => {
  it('linear Resize between quantizers: its own result type; simulateFixed equals quantized bilinear bit for bit', () => {
    qn = 0;
    const qin = q('x', 'xq', 2 ** -4, 8);
    const qout = q('u', 'uq', 2 ** -5, 8);
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 2, 3, 4] }],
      outputs: [{ name: 'uq', shape: [1, 2, 6, 8] }],
      nodes: [qin.node, { op: 'Resize', name: 'up', inputs: ['xq', '', 'scales'], outputs: ['u'], attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' } }, qout.node],
      initializers: [{ name: 'scales', dims: [4], data: [1, 1, 2, 2] }, ...qin.inits, ...qout.inits],
      opset: 13,
    });
    const r = importQonnx(bytes);
    expect(r.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Resize']);
    expect(r.precisions.up).toEqual({ result_t: 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>' });
    const x = gridData(24, 5, 6, -9, 9);
    const xq = x.map((v) => quant(v, 2 ** -4, 8, true, false, 'ROUND'));
    // Half-pixel bilinear ×2 per axis: source (o + ½) / 2 − ½ clamped, weights ¼ / ¾.
    const src = (o: number, n: number) => {
      const c = Math.min(Math.max((o + 0.5) / 2 - 0.5, 0), n - 1);
      const i0 = Math.floor(c);
      return { i0, i1: Math.min(i0 + 1, n - 1), f: c - i0 };
    };
    const want: number[] = [];
    for (let c = 0; c < 2; c++)
      for (let h = 0; h < 6; h++)
        for (let w = 0; w < 8; w++) {
          const a = src(h, 3), b = src(w, 4);
          const at = (i: number, j: number) => xq[c * 12 + i * 4 + j];
          const v = (1 - a.f) * ((1 - b.f) * at(a.i0, b.i0) + b.f * at(a.i0, b.i1)) + a.f * ((1 - b.f) * at(a.i1, b.i0) + b.f * at(a.i1, b.i1));
          want.push(quant(v, 2 ** -5, 8, true, false, 'ROUND'));
        }
    const got = Array.from(fixedValues(simulateFixed(r.model, { x: tensor([1, 2, 3, 4], x) }, r.config).outputs.up));
    expect(got).toEqual(want);
    expect(new Set(want).size).toBeGreaterThan(20);
  });

  it('nearest Resize without its own quantizer keeps its input type', () => {
    qn = 0;
    const qin = q('x', 'xq', 2 ** -3, 6);
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
      outputs: [{ name: 'u', shape: [1, 1, 4, 4] }],
      nodes: [qin.node, { op: 'Resize', name: 'up', inputs: ['xq', '', 'scales'], outputs: ['u'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } }],
      initializers: [{ name: 'scales', dims: [4], data: [1, 1, 2, 2] }, ...qin.inits],
      opset: 13,
    });
    const r = importQonnx(bytes);
    expect(r.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'UpSampling']);
    expect(r.precisions.up?.result_t).toBe(r.precisions.x.result_t);
  });
});
