// The non-conv ops against onnxruntime on single-op ONNX models built here: the ONNX importer maps
// onto these ops, so their semantics must be ONNX's where ONNX has the op.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildOnnxModel, type NodeSpec } from '../interop/onnx/proto';
import { getOp } from './registry';
import { DiagnosticSink } from '../diagnostics/diagnostics';
import { randomTensor, type Tensor } from '../tensor/tensor';

async function ortRun(node: Omit<NodeSpec, 'inputs' | 'outputs'>, inputs: Tensor[], outShape: number[], initializers: { name: string; t: Tensor }[] = [], opset = 13): Promise<Float32Array> {
  const names = inputs.map((_, i) => `x${i}`);
  const bytes = buildOnnxModel({
    inputs: inputs.map((t, i) => ({ name: names[i], shape: [...t.shape] })),
    outputs: [{ name: 'y', shape: outShape }],
    nodes: [{ ...node, inputs: [...names, ...initializers.map((i) => i.name)], outputs: ['y'] } as NodeSpec],
    initializers: initializers.map((i) => ({ name: i.name, dims: [...i.t.shape], data: i.t.data })),
    opset,
  });
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const feeds = Object.fromEntries(inputs.map((t, i) => [names[i], new ort.Tensor('float32', t.data, [...t.shape])]));
  const out = await session.run(feeds);
  expect([...out.y.dims]).toEqual(outShape);
  return out.y.data as Float32Array;
}

function ours(type: string, params: Record<string, unknown>, inputs: Tensor[], weights: Record<string, Tensor> = {}): Tensor {
  const op = getOp(type)!;
  const p = op.params.parse(params);
  const sink = new DiagnosticSink('n', type);
  const shape = op.infer(p, inputs.map((t) => t.shape), sink);
  expect(sink.items).toEqual([]);
  const y = op.float(p, inputs, weights);
  expect(y.shape).toEqual(shape);
  return y;
}

function expectClose(a: Float32Array, b: Float32Array, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  expect(max).toBeLessThanOrEqual(tol);
}

describe('non-conv ops vs onnxruntime', () => {
  it('MaxPool and AveragePool: pads, strides, ceil_mode, count_include_pad, 1D and 2D', async () => {
    const configs = [
      { shape: [2, 3, 7, 6], k: [3, 2], s: [2, 1], pb: [1, 0], pe: [2, 1], ceil: 0 },
      { shape: [1, 2, 9, 8], k: [3, 3], s: [2, 3], pb: [1, 2], pe: [0, 1], ceil: 1 },
      { shape: [1, 2, 5, 5], k: [2, 2], s: [2, 2], pb: [1, 1], pe: [1, 1], ceil: 1 },
      { shape: [2, 4, 11], k: [4], s: [3], pb: [2], pe: [1], ceil: 1 },
      { shape: [1, 3, 10], k: [3], s: [2], pb: [0], pe: [0], ceil: 0 },
    ];
    let seed = 1;
    for (const c of configs) {
      const x = randomTensor(c.shape, seed++, -3, 3);
      const params = { kernel: c.k, stride: c.s, padsBegin: c.pb, padsEnd: c.pe, ceilMode: c.ceil === 1 };
      const attrs = { kernel_shape: c.k, strides: c.s, pads: [...c.pb, ...c.pe], ceil_mode: c.ceil };
      const mp = ours('MaxPool', params, [x]);
      expectClose(mp.data, await ortRun({ op: 'MaxPool', attrs }, [x], [...mp.shape]), 0);
      for (const include of [0, 1]) {
        const ap = ours('AveragePool', { ...params, countIncludePad: include === 1 }, [x]);
        expectClose(ap.data, await ortRun({ op: 'AveragePool', attrs: { ...attrs, count_include_pad: include } }, [x], [...ap.shape]));
      }
    }
  });

  it('Softmax on each axis, BatchNormalization, Selu, LeakyRelu, Sigmoid, Tanh, Relu', async () => {
    const x = randomTensor([2, 3, 4, 5], 20, -3, 3);
    for (const axis of [-1, 1, 2]) {
      expectClose(ours('Softmax', { axis }, [x]).data, await ortRun({ op: 'Softmax', attrs: { axis } }, [x], [2, 3, 4, 5]));
    }
    const w = { gamma: randomTensor([3], 21), beta: randomTensor([3], 22), mean: randomTensor([3], 23), variance: randomTensor([3], 24, 0.2, 2) };
    const bn = ours('BatchNormalization', {}, [x], w);
    const init = (['gamma', 'beta', 'mean', 'variance'] as const).map((name) => ({ name, t: w[name] }));
    expectClose(bn.data, await ortRun({ op: 'BatchNormalization', attrs: { epsilon: 1e-5 } }, [x], [2, 3, 4, 5], init));
    expectClose(ours('Selu', {}, [x]).data, await ortRun({ op: 'Selu' }, [x], [2, 3, 4, 5]));
    expectClose(ours('LeakyReLU', {}, [x]).data, await ortRun({ op: 'LeakyRelu' }, [x], [2, 3, 4, 5]));
    expectClose(ours('Sigmoid', {}, [x]).data, await ortRun({ op: 'Sigmoid' }, [x], [2, 3, 4, 5]), 1e-6);
    expectClose(ours('Tanh', {}, [x]).data, await ortRun({ op: 'Tanh' }, [x], [2, 3, 4, 5]), 1e-6);
    expectClose(ours('ReLU', {}, [x]).data, await ortRun({ op: 'Relu' }, [x], [2, 3, 4, 5]), 0);
  });

  it('Flatten, Transpose, Concat, Add, Pad, Resize (nearest), Gemm-style Dense', async () => {
    const x = randomTensor([2, 3, 4, 5], 30);
    for (const axis of [0, 1, 2, -1]) {
      const f = ours('Flatten', { axis }, [x]);
      expectClose(f.data, await ortRun({ op: 'Flatten', attrs: { axis } }, [x], [...f.shape]), 0);
    }
    const t = ours('Transpose', { perm: [0, 2, 3, 1] }, [x]);
    expectClose(t.data, await ortRun({ op: 'Transpose', attrs: { perm: [0, 2, 3, 1] } }, [x], [2, 4, 5, 3]), 0);
    const parts = [randomTensor([2, 3, 1, 5], 31), x, randomTensor([2, 3, 2, 5], 32)];
    const cat = ours('Concatenate', { axis: 2 }, parts);
    expectClose(cat.data, await ortRun({ op: 'Concat', attrs: { axis: 2 } }, parts, [2, 3, 7, 5]), 0);
    const y = randomTensor([2, 3, 4, 5], 33);
    expectClose(ours('Add', {}, [x, y]).data, await ortRun({ op: 'Add' }, [x, y], [2, 3, 4, 5]), 0);
    // Pad (opset 13: pads as an int64 input) ↔ ZeroPadding on the spatial axes.
    const pads = { name: 'pads', t: { shape: [8], data: new Float32Array([0, 0, 1, 2, 0, 0, 3, 0]) } };
    const zp = ours('ZeroPadding', { padsBegin: [1, 2], padsEnd: [3, 0] }, [x]);
    const padBytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [2, 3, 4, 5] }],
      outputs: [{ name: 'y', shape: [2, 3, 8, 7] }],
      nodes: [{ op: 'Pad', inputs: ['x', 'pads'], outputs: ['y'] }],
      initializers: [{ name: 'pads', dims: [8], data: [...pads.t.data], dtype: 'int64' }],
    });
    const padOut = await (await ort.InferenceSession.create(padBytes, { logSeverityLevel: 3 })).run({ x: new ort.Tensor('float32', x.data, [2, 3, 4, 5]) });
    expectClose(zp.data, padOut.y.data as Float32Array, 0);
    // Resize nearest with integer scales (asymmetric, floor) ↔ UpSampling.
    const up = ours('UpSampling', { scale: [2, 3] }, [x]);
    const rsBytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [2, 3, 4, 5] }],
      outputs: [{ name: 'y', shape: [2, 3, 8, 15] }],
      nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } }],
      initializers: [{ name: 'scales', dims: [4], data: [1, 1, 2, 3] }],
    });
    const rsOut = await (await ort.InferenceSession.create(rsBytes, { logSeverityLevel: 3 })).run({ x: new ort.Tensor('float32', x.data, [2, 3, 4, 5]) });
    expectClose(up.data, rsOut.y.data as Float32Array, 0);
    // Dense = Gemm(x, W, b) with W (in, units).
    const xin = randomTensor([3, 7], 34);
    const W = randomTensor([7, 4], 35);
    const b = randomTensor([4], 36);
    const dense = ours('Dense', { units: 4 }, [xin], { weight: W, bias: b });
    expectClose(dense.data, await ortRun({ op: 'Gemm' }, [xin], [3, 4], [{ name: 'W', t: W }, { name: 'b', t: b }]));
  });
});
