// Resize against onnxruntime (float: single-node ONNX models, the importer, the exporter), tfjs (Keras
// bilinear = half-pixel centres) and an exact reference for fixed point (the rational value of the
// quantized input, exact in float64 here, assigned into result_t).
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildOnnxModel } from '../interop/onnx/proto';
import { importOnnx } from '../interop/onnx/import';
import { exportOnnx } from '../interop/onnx/export';
import { simulateFloat } from '../sim/float';
import { getOp } from './registry';
import { DiagnosticSink } from '../diagnostics/diagnostics';
import { randomTensor, tensor, type Tensor } from '../tensor/tensor';
import { fixedTypeOf } from '../fixed/types';
import { toDouble } from '../fixed/arith';
import { quantizeScalar, quantizeTensor } from '../fixed/tensor';
import { defaultPrecision } from '../fixed/precision';
import { resizeTaps, type ResizeParams } from './resize';
import { estimateDesign } from '../estimate/index';
import { defaultHlsConfig } from '../hls/config';
import type { Model } from '../graph/model';
import { CURRENT_GRAPH_VERSION } from '../graph/schema';

const op = getOp('Resize')!;

function ours(params: Partial<ResizeParams>, x: Tensor): Tensor {
  const p = op.params.parse(params);
  const sink = new DiagnosticSink('r', 'Resize');
  const shape = op.infer(p, [x.shape], sink);
  expect(sink.items).toEqual([]);
  const y = op.float(p, [x], {});
  expect(y.shape).toEqual(shape);
  return y;
}

async function ortResize(x: Tensor, scales: number[], attrs: Record<string, string>): Promise<Tensor> {
  const outShape = x.shape.map((d, i) => d * scales[i]);
  const bytes = buildOnnxModel({
    inputs: [{ name: 'x', shape: [...x.shape] }],
    outputs: [{ name: 'y', shape: outShape }],
    nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs }],
    initializers: [{ name: 'scales', dims: [scales.length], data: Float32Array.from(scales) }],
    opset: 13,
  });
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const out = await session.run({ x: new ort.Tensor('float32', x.data, [...x.shape]) });
  return tensor(out.y.dims.map(Number), Float32Array.from(out.y.data as Float32Array));
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

const LINEAR = { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
const NEAREST = { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };

describe('Resize float vs onnxruntime', () => {
  const cases: { name: string; shape: number[]; scale: number[] }[] = [
    { name: '2D ×2', shape: [2, 3, 5, 4], scale: [2, 2] },
    { name: '2D ×4 / ×2', shape: [1, 2, 3, 6], scale: [4, 2] },
    { name: '2D ×1 / ×8 (one input row)', shape: [1, 2, 1, 3], scale: [1, 8] },
    { name: '2D one pixel', shape: [1, 1, 1, 1], scale: [2, 4] },
  ];
  for (const c of cases) {
    it(`bilinear ${c.name}`, async () => {
      const x = randomTensor(c.shape, c.shape.length * 31 + c.scale[0], -2, 2);
      const ref = await ortResize(x, [1, 1, ...c.scale], LINEAR);
      expect(maxDiff(ours({ scale: c.scale, mode: 'bilinear', dataFormat: 'NCX' }, x), ref)).toBeLessThan(1e-6);
    });
    it(`nearest ${c.name}`, async () => {
      const x = randomTensor(c.shape, c.shape.length * 17 + c.scale[1], -2, 2);
      const ref = await ortResize(x, [1, 1, ...c.scale], NEAREST);
      expect(maxDiff(ours({ scale: c.scale, mode: 'nearest', dataFormat: 'NCX' }, x), ref)).toBe(0);
    });
  }
  it('nearest by 3 (any integer scale), channels-last', async () => {
    const x = randomTensor([1, 4, 3, 2], 5, -1, 1);
    const ref = await ortResize(x, [1, 3, 2, 1], NEAREST);
    expect(maxDiff(ours({ scale: [3, 2], mode: 'nearest', dataFormat: 'NXC' }, x), ref)).toBe(0);
  });
  it('bilinear 1D and channels-last equal the 2D channels-first result', async () => {
    const x = randomTensor([1, 3, 1, 7], 9, -2, 2);
    const ref = await ortResize(x, [1, 1, 1, 4], LINEAR);
    const y1 = ours({ scale: [4], mode: 'bilinear', dataFormat: 'NCX' }, { shape: [1, 3, 7], data: x.data });
    expect(maxDiff({ shape: [1, 3, 1, 28], data: y1.data }, ref)).toBeLessThan(1e-6);
    const xl = tf.tidy(() => tf.transpose(tf.tensor(x.data, [...x.shape]), [0, 2, 3, 1]).dataSync());
    const yl = ours({ scale: [1, 4], mode: 'bilinear', dataFormat: 'NXC' }, { shape: [1, 1, 7, 3], data: Float32Array.from(xl) });
    const back = tf.tidy(() => tf.transpose(tf.tensor(yl.data, [...yl.shape]), [0, 3, 1, 2]).dataSync());
    expect(maxDiff({ shape: ref.shape, data: Float32Array.from(back) }, ref)).toBeLessThan(1e-6);
  });
  it('Keras bilinear: tf.image.resizeBilinear with half-pixel centres', () => {
    const x = randomTensor([1, 5, 3, 2], 4, -2, 2);
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [10, 12], false, true).dataSync());
    const y = ours({ scale: [2, 4], mode: 'bilinear', dataFormat: 'NXC' }, x);
    expect(maxDiff(y, { shape: y.shape, data: Float32Array.from(ref) })).toBeLessThan(1e-5);
  });
});

describe('Resize through the ONNX importer and exporter', () => {
  it('imports ONNX Resize linear (half_pixel) as Resize bilinear, nearest as UpSampling; runs as onnxruntime does', async () => {
    const x = randomTensor([1, 2, 3, 4], 3, -1, 1);
    for (const [attrs, type] of [[LINEAR, 'Resize'], [NEAREST, 'UpSampling']] as const) {
      const bytes = buildOnnxModel({
        inputs: [{ name: 'x', shape: [1, 2, 3, 4] }],
        outputs: [{ name: 'y', shape: [1, 2, 6, 8] }],
        nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs }],
        initializers: [{ name: 'scales', dims: [4], data: Float32Array.from([1, 1, 2, 2]) }],
        opset: 13,
      });
      const imp = importOnnx(bytes);
      const node = imp.model.graph.nodes.find((n) => n.type !== 'Input')!;
      expect(node.type).toBe(type);
      const got = simulateFloat(imp.model, { [imp.inputs[0].nodeId]: x }, { keep: 'outputs' }).outputs[node.name];
      expect(maxDiff(got, await ortResize(x, [1, 1, 2, 2], attrs))).toBeLessThan(1e-6);
    }
  });
  it('refuses what Resize does not compute, naming the attribute and the fix', () => {
    const model = (attrs: Record<string, string>, scales: number[]) => buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 2, 3, 4] }],
      outputs: [{ name: 'y', shape: [1, 2, 3 * scales[2], 4 * scales[3]] }],
      nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs }],
      initializers: [{ name: 'scales', dims: [4], data: Float32Array.from(scales) }],
      opset: 13,
    });
    expect(() => importOnnx(model({ mode: 'linear', coordinate_transformation_mode: 'align_corners' }, [1, 1, 2, 2]))).toThrow(/coordinate_transformation_mode "align_corners" is not supported.*half_pixel/);
    expect(() => importOnnx(model(LINEAR, [1, 1, 3, 3]))).toThrow(/power of two/);
    expect(() => importOnnx(model({ mode: 'cubic' }, [1, 1, 2, 2]))).toThrow(/mode "cubic" is not supported/);
  });
  it('exports Resize (both modes, both layouts) as ONNX Resize that onnxruntime runs to the same values', async () => {
    for (const mode of ['bilinear', 'nearest'] as const)
      for (const dataFormat of ['NCX', 'NXC'] as const) {
        const shape = dataFormat === 'NCX' ? [1, 2, 3, 5] : [1, 3, 5, 2];
        const model: Model = {
          graph: {
            version: CURRENT_GRAPH_VERSION,
            nodes: [
              { id: 'in', type: 'Input', name: 'x', params: { shape, dataFormat } },
              { id: 'r', type: 'Resize', name: 'up', params: { scale: [2, 4], mode, dataFormat } },
            ],
            edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'r', targetPort: 0 }],
          },
          weights: {},
        };
        const x = randomTensor(shape, 12, -2, 2);
        const bytes = exportOnnx(model);
        const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
        const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, shape) });
        const y = res[session.outputNames[0]];
        const ref = ours({ scale: [2, 4], mode, dataFormat }, x);
        expect(maxDiff(ref, tensor(y.dims.map(Number), Float32Array.from(y.data as Float32Array)))).toBeLessThan(1e-6);
      }
  });
});

describe('Resize fixed point', () => {
  /** The exact value of each output (input mantissas as doubles, weights k / 2s), assigned into result_t. */
  function reference(p: ResizeParams, x: ReturnType<typeof quantizeTensor>, resultType: string): number[] {
    const exact: number[] = Array.from(x.m as ArrayLike<number | bigint>, (m: number | bigint) => toDouble(m, x.type));
    const [sh, sw] = p.scale.length === 1 ? [1, p.scale[0]] : p.scale;
    const [N, C, H, W] = x.shape;
    const rows = resizeTaps(p.mode, sh, H), cols = resizeTaps(p.mode, sw, W);
    const t = fixedTypeOf(resultType);
    const out: number[] = [];
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let h = 0; h < H * sh; h++)
          for (let w = 0; w < W * sw; w++) {
            const at = (i: number, j: number) => exact[((n * C + c) * H + i) * W + j];
            const a = 2 * sh - rows.k1[h], b = rows.k1[h], d = 2 * sw - cols.k1[w], e = cols.k1[w];
            // Exact in float64 for these widths (≤ 44 + 8 bits).
            const v = (a * d * at(rows.i0[h], cols.i0[w]) + a * e * at(rows.i0[h], cols.i1[w]) + b * d * at(rows.i1[h], cols.i0[w]) + b * e * at(rows.i1[h], cols.i1[w])) / (4 * sh * sw);
            out.push(Number(quantizeScalar(v, t)));
          }
    return out;
  }

  const types: [string, string][] = [
    ['ap_fixed<12,4>', 'ap_fixed<12,4>'],
    ['ap_fixed<10,3>', 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>'],
    ['ap_fixed<16,6>', 'ap_fixed<7,2,AP_RND,AP_WRAP>'],
    ['ap_ufixed<9,2>', 'ap_ufixed<6,1,AP_RND_ZERO,AP_SAT>'],
    ['ap_fixed<44,8>', 'ap_fixed<20,6,AP_RND_CONV,AP_SAT>'],
  ];
  for (const [inT, outT] of types)
    for (const scale of [[2, 2], [4, 1], [1, 8]]) {
      it(`bilinear ${scale.join('×')} from ${inT} into ${outT} (accumulator ${inT === 'ap_fixed<44,8>' ? 'bigint' : 'float64'})`, () => {
        const p: ResizeParams = { scale, mode: 'bilinear', dataFormat: 'NCX' };
        const x = quantizeTensor(randomTensor([2, 2, 3, 4], scale[0] * 10 + scale[1], inT.startsWith('ap_u') ? 0 : -3, 3), fixedTypeOf(inT));
        const outShape = [2, 2, 3 * scale[0], 4 * scale[1]];
        const precision = { ...defaultPrecision(), result_t: fixedTypeOf(outT) };
        const y = op.fixed!({ params: p, inputs: [x], weights: {}, precision, config: { io: 'io_parallel', strategy: 'latency', reuseFactor: 1, parallelizationFactor: 1, precision }, outputShape: outShape });
        expect(y.shape).toEqual(outShape);
        expect(Array.from(y.m, Number)).toEqual(reference(p, x, outT));
      });
    }
  it('nearest casts each source value', () => {
    const x = quantizeTensor(randomTensor([1, 2, 3, 3], 2, -3, 3), fixedTypeOf('ap_fixed<12,4>'));
    const precision = { ...defaultPrecision(), result_t: fixedTypeOf('ap_fixed<6,2,AP_RND,AP_SAT>') };
    const p: ResizeParams = { scale: [3, 2], mode: 'nearest', dataFormat: 'NCX' };
    const y = op.fixed!({ params: p, inputs: [x], weights: {}, precision, config: { io: 'io_parallel', strategy: 'latency', reuseFactor: 1, parallelizationFactor: 1, precision }, outputShape: [1, 2, 9, 6] });
    expect(Array.from(y.m, Number)).toEqual(reference(p, x, 'ap_fixed<6,2,AP_RND,AP_SAT>'));
  });
  it('refuses a bilinear scale that is not a power of two, naming the field and the fix', () => {
    const sink = new DiagnosticSink('r', 'Resize');
    expect(op.infer({ scale: [2, 3], mode: 'bilinear', dataFormat: 'NCX' }, [[1, 2, 3, 4]], sink)).toBeNull();
    expect(sink.items[0].message).toMatch(/scale\[1\].*power of two.*use 2, 4 or 8, or mode nearest/);
  });
});

describe('Resize estimate', () => {
  it('prices bilinear as four products and three additions per value, nearest as wiring / one pixel per clock', () => {
    const model = (mode: 'nearest' | 'bilinear'): Model => ({
      graph: {
        version: CURRENT_GRAPH_VERSION,
        nodes: [
          { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 3, 4, 5], dataFormat: 'NCX' } },
          { id: 'r', type: 'Resize', name: 'up', params: { scale: [2, 2], mode, dataFormat: 'NCX' } },
        ],
        edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'r', targetPort: 0 }],
      },
      weights: {},
    });
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const layer = (mode: 'nearest' | 'bilinear') => estimateDesign(model(mode), defaultHlsConfig({ io }), { tool: 'vitis_hls' }).report!.layers.find((l) => l.type === 'Resize')!;
      const bl = layer('bilinear'), nn = layer('nearest');
      expect(bl.kind).toBe('elementwise');
      // io_parallel: every value at once; io_stream: one pixel (3 channels) per clock.
      expect(bl.multipliers).toBe(io === 'io_parallel' ? 3 * 8 * 10 * 4 : 3 * 4);
      expect(bl.resources.LUT + bl.resources.DSP).toBeGreaterThan(nn.resources.LUT + nn.resources.DSP);
      expect(nn.kind).toBe('reorder');
      expect(nn.multipliers).toBe(0);
      if (io === 'io_stream') expect(bl.iterations).toBe(4 * 5 + 8 * 10);
    }
  });
});
