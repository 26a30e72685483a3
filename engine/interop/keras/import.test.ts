// Keras import against Keras semantics: each model is written by the tests in Keras' own formats (Keras 3
// .keras, Keras 2 .h5, model JSON + weights .h5), imported, simulated, and compared with
// @tensorflow/tfjs (cpu) running the same Keras 2 config with the same random weights
// (tf.models.modelFromJSON), or with tf ops / hand-checked values where tfjs has no such layer.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { simulateFloat } from '../../sim/float';
import { randomTensor, type Tensor } from '../../tensor/tensor';
import { importKeras, importKeras3, importKerasH5, importKerasJson, type KerasImportResult } from './import';
import {
  batchNorm, conv, dense, depthwise, keras2H5, keras2Json, keras2WeightsH5, keras3File, plain, type LayerSpec, type ModelSpec,
} from './writer.testutil';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

let seed = 1;
const rnd = (shape: number[], lo = -1, hi = 1) => randomTensor(shape, seed++, lo, hi);

function relErr(a: Tensor, b: { shape: number[]; data: ArrayLike<number> }): number {
  let scale = 1;
  for (let i = 0; i < b.data.length; i++) scale = Math.max(scale, Math.abs(b.data[i]));
  let err = 0;
  for (let i = 0; i < a.data.length; i++) err = Math.max(err, Math.abs(a.data[i] - b.data[i]));
  return err / scale;
}

function expectClose(a: Tensor, b: { shape: number[]; data: ArrayLike<number> }, what: string, tol = 2e-5): void {
  expect(a.shape, what).toEqual(b.shape);
  const e = relErr(a, b);
  if (!(e <= tol)) expect.fail(`${what}: relative error ${e}`);
}

/** Runs the Keras 2 config of `spec` in tfjs with the spec's weights. */
async function tfjsPredict(spec: ModelSpec, xs: Tensor[]): Promise<Tensor[]> {
  const model = await tf.models.modelFromJSON(keras2Json(spec) as any);
  for (const l of spec.layers) if (l.weights?.length) model.getLayer(l.name).setWeights(l.weights.map((w) => tf.tensor(w.data, [...w.shape])));
  const out = model.predict(xs.map((x) => tf.tensor(x.data, [...x.shape]))) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(out) ? out : [out];
  const res = list.map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) }));
  tf.dispose(list);
  model.layers.forEach((l) => l.dispose?.());
  return res;
}

function run(r: KerasImportResult, xs: Tensor[]): Tensor[] {
  const feeds: Record<string, Tensor> = {};
  r.inputs.forEach((inp, i) => (feeds[inp.name] = xs[i]));
  const sim = simulateFloat(r.model, feeds, { keep: 'outputs' });
  return r.outputs.map((o) => {
    const node = r.model.graph.nodes.find((n) => n.id === o.nodeId)!;
    return sim.outputs[node.name] ?? sim.values[o.nodeId];
  });
}

/** Imports `spec` in the three file forms; each must simulate to `expected`. */
async function checkAllForms(spec: ModelSpec, xs: Tensor[], expected: Tensor[], tol = 2e-5): Promise<KerasImportResult[]> {
  const forms: [string, () => Promise<KerasImportResult>][] = [
    ['keras3', async () => importKeras3(await keras3File(spec))],
    ['h5', async () => importKerasH5(await keras2H5(spec))],
    ['json+h5', async () => importKerasJson(JSON.stringify(keras2Json(spec)), await keras2WeightsH5(spec))],
  ];
  const results: KerasImportResult[] = [];
  for (const [form, load] of forms) {
    const r = await load();
    const ys = run(r, xs);
    ys.forEach((y, i) => expectClose(y, expected[i], `${form} output ${i}`, tol));
    results.push(r);
  }
  return results;
}

async function checkAgainstTfjs(spec: ModelSpec, tol = 2e-5): Promise<KerasImportResult[]> {
  const xs = spec.inputs.map((i) => rnd(i.shape.map((d) => d ?? 2) as number[]));
  const expected = await tfjsPredict(spec, xs);
  return checkAllForms(spec, xs, expected, tol);
}

const k2 = (shape: number[]) => shape; // readability: Keras kernel shapes are written as Keras stores them

describe('Keras import vs tfjs (same config, same random weights)', () => {
  it('Sequential CNN, channels_last: Conv2D same+relu, BatchNorm, MaxPool same, Conv2D dilated, AvgPool same, ZeroPadding, UpSampling, DepthwiseConv2D, LeakyReLU, Flatten, Dense, Dropout, softmax', async () => {
    const spec: ModelSpec = {
      kind: 'Sequential',
      inputs: [{ name: 'image', shape: [null, 9, 10, 3] }],
      layers: [
        conv('Conv2D', 'c1', 2, { filters: 4, kernel_size: [3, 2], padding: 'same', activation: 'relu' }, [rnd(k2([3, 2, 3, 4])), rnd([4])]),
        batchNorm('bn', {}, [rnd([4]), rnd([4]), rnd([4]), rnd([4], 0.5, 1.5)]),
        plain('MaxPooling2D', 'mp', { pool_size: [2, 2], strides: [2, 2], padding: 'same', data_format: 'channels_last' }),
        conv('Conv2D', 'c2', 2, { filters: 5, kernel_size: [2, 2], dilation_rate: [2, 1], activation: 'tanh' }, [rnd(k2([2, 2, 4, 5])), rnd([5])]),
        plain('AveragePooling2D', 'ap', { pool_size: [2, 3], strides: [1, 2], padding: 'same', data_format: 'channels_last' }),
        plain('ZeroPadding2D', 'zp', { padding: [[1, 0], [2, 1]], data_format: 'channels_last' }),
        plain('UpSampling2D', 'up', { size: [2, 1], data_format: 'channels_last', interpolation: 'nearest' }),
        depthwise('DepthwiseConv2D', 'dw', 2, { kernel_size: [3, 3], depth_multiplier: 2, padding: 'same', strides: [2, 1] }, [rnd(k2([3, 3, 5, 2])), rnd([10])]),
        plain('LeakyReLU', 'lrelu', { alpha: 0.3 }),
        plain('Flatten', 'flat', { data_format: 'channels_last' }),
        // 9×10 → c1 9×10 → mp 5×5 → c2 3×4 → ap 3×2 → zp 4×5 → up 8×5 → dw 4×5×10: 200 features
        dense('d1', { units: 7, activation: 'sigmoid' }, [rnd([200, 7]), rnd([7])]),
        plain('Dropout', 'drop', { rate: 0.5, noise_shape: null, seed: null }),
        dense('d2', { units: 3, activation: 'softmax' }, [rnd([7, 3]), rnd([3])]),
      ],
    };
    const rs = await checkAgainstTfjs(spec);
    const types = rs[0].model.graph.nodes.map((n) => n.type);
    expect(types).toEqual(['Input', 'Conv2D', 'ReLU', 'BatchNormalization', 'MaxPool', 'Conv2D', 'Tanh', 'AveragePool', 'ZeroPadding', 'UpSampling', 'Conv2D', 'LeakyReLU', 'Flatten', 'Dense', 'Sigmoid', 'Dense', 'Softmax']);
    expect(rs[0].model.graph.nodes.find((n) => n.name === 'c1')!.params.dataFormat).toBe('NXC');
    expect(rs.map((r) => r.format)).toEqual(['keras3', 'h5', 'json+h5']);
  });
});
