// Keras import against Keras semantics: each model is written by the tests in Keras' own formats (Keras 3
// .keras, Keras 2 .h5, model JSON + weights .h5), imported, simulated, and compared with
// @tensorflow/tfjs (cpu) running the same Keras 2 config with the same random weights
// (tf.models.modelFromJSON), or with tf ops / hand-checked values where tfjs has no such layer.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { simulateFloat } from '../../sim/float';
import { randomTensor, seededRandom, type Tensor } from '../../tensor/tensor';
import { TesseraError } from '../../diagnostics/diagnostics';
import { importKeras, importKeras3, importKerasH5, importKerasJson, type KerasImportResult } from './import';
import {
  batchNorm, conv, dense, depthwise, separable, keras2H5, keras2Json, keras2WeightsH5, keras3File, keras3Json, plain, writeH5, type LayerSpec, type ModelSpec,
} from './writer.testutil';
import { keras3LayerPaths } from './weights';
import { normalizeModelConfig } from './config';
import { parseFixedType } from '../../fixed/types';
import { strToU8 } from 'fflate';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

let seed = 1;
const rnd = (shape: number[], lo = -1, hi = 1) => randomTensor(shape, seed++, lo, hi);

function relErr(a: Tensor, b: { shape: readonly number[]; data: ArrayLike<number> }): number {
  let scale = 1;
  for (let i = 0; i < b.data.length; i++) scale = Math.max(scale, Math.abs(b.data[i]));
  let err = 0;
  for (let i = 0; i < a.data.length; i++) err = Math.max(err, Math.abs(a.data[i] - b.data[i]));
  return err / scale;
}

function expectClose(a: Tensor, b: { shape: readonly number[]; data: ArrayLike<number> }, what: string, tol = 2e-5): void {
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

describe('Keras import vs tfjs: channels_first, Functional 1D, the required transposed case', () => {
  it('Sequential CNN, channels_first: Conv2D, pools, ZeroPadding, UpSampling, DepthwiseConv2D, Conv2DTranspose, Flatten(channels_first) moves channels last', async () => {
    const cf = { data_format: 'channels_first' };
    const spec: ModelSpec = {
      kind: 'Sequential',
      inputs: [{ name: 'x', shape: [null, 3, 7, 6] }],
      layers: [
        conv('Conv2D', 'c1', 2, { ...cf, filters: 4, kernel_size: [2, 3], strides: [1, 2], padding: 'same', activation: 'relu' }, [rnd([2, 3, 3, 4]), rnd([4])]),
        plain('AveragePooling2D', 'ap', { ...cf, pool_size: [3, 2], strides: [2, 1], padding: 'same' }),
        plain('ZeroPadding2D', 'zp', { ...cf, padding: [1, 2] }),
        plain('MaxPooling2D', 'mp', { ...cf, pool_size: [2, 2], strides: [1, 1], padding: 'valid' }),
        plain('UpSampling2D', 'up', { ...cf, size: [1, 2], interpolation: 'nearest' }),
        depthwise('DepthwiseConv2D', 'dw', 2, { ...cf, kernel_size: [2, 2], depth_multiplier: 1, padding: 'valid' }, [rnd([2, 2, 4, 1]), rnd([4])]),
        conv('Conv2DTranspose', 'ct', 2, { ...cf, filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }, [rnd([3, 3, 3, 4]), rnd([3])]),
        plain('Flatten', 'flat', cf),
        // 7×6 → c1 7×3 → ap 4×3 → zp 6×7 → mp 5×6 → up 5×12 → dw 4×11 → ct 8×22 ×3 channels
        dense('d', { units: 5 }, [rnd([8 * 22 * 3, 5]), rnd([5])]),
      ],
    };
    const rs = await checkAgainstTfjs(spec);
    const g = rs[0].model.graph;
    expect(g.nodes.filter((n) => n.params.dataFormat !== undefined && n.type !== 'Input').every((n) => n.params.dataFormat === 'NCX')).toBe(true);
    expect(g.nodes.map((n) => n.type)).toContain('Transpose');
  });

  it('Functional 1D with two outputs: Conv1D (same, dilated), Add, Concatenate, Activation, ReLU, pools, Reshape, Permute, Dense on rank 3', async () => {
    const spec: ModelSpec = {
      kind: 'Functional',
      inputs: [{ name: 'seq', shape: [null, 12, 3] }],
      layers: [
        { ...conv('Conv1D', 'a', 1, { filters: 4, kernel_size: [3], padding: 'same' }, [rnd([3, 3, 4]), rnd([4])]), inputs: ['seq'] },
        { ...conv('Conv1D', 'b', 1, { filters: 4, kernel_size: [2], padding: 'same', dilation_rate: [2], activation: 'tanh' }, [rnd([2, 3, 4]), rnd([4])]), inputs: ['seq'] },
        plain('Add', 'sum', {}, ['a', 'b']),
        plain('ReLU', 'relu', { max_value: null, negative_slope: 0, threshold: 0 }, ['sum']),
        plain('Activation', 'act', { activation: 'selu' }, ['b']),
        plain('Concatenate', 'cat', { axis: -1 }, ['relu', 'act']),
        plain('MaxPooling1D', 'mp', { pool_size: [3], strides: [2], padding: 'same', data_format: 'channels_last' }, ['cat']),
        plain('AveragePooling1D', 'ap', { pool_size: [2], strides: [1], padding: 'same', data_format: 'channels_last' }, ['mp']),
        plain('Reshape', 'rs', { target_shape: [2, 24] }, ['ap']),
        { ...dense('d', { units: 2, activation: 'sigmoid' }, [rnd([24, 2]), rnd([2])]), inputs: ['rs'] },
        plain('Concatenate', 'cat0', { axis: 1 }, ['a', 'b']),
        plain('Permute', 'perm', { dims: [2, 1] }, ['cat0']),
      ],
      outputs: ['d', 'perm'],
    };
    const rs = await checkAgainstTfjs(spec);
    expect(rs[0].outputs.map((o) => o.shape)).toEqual([[1, 2, 2], [1, 4, 24]]);
  });

  it("required case: Conv2DTranspose(128, (2,2), strides=(2,2), padding='same') on 8×8×256 (Keras XOI kernel → canonical IOX)", async () => {
    const spec: ModelSpec = {
      kind: 'Sequential',
      inputs: [{ name: 'feat', shape: [null, 8, 8, 256] }],
      layers: [conv('Conv2DTranspose', 'up', 2, { filters: 128, kernel_size: [2, 2], strides: [2, 2], padding: 'same' }, [rnd([2, 2, 128, 256]), rnd([128])])],
    };
    const rs = await checkAgainstTfjs(spec, 1e-5);
    const r = rs[0];
    const node = r.model.graph.nodes.find((n) => n.name === 'up')!;
    expect(node.type).toBe('ConvTranspose2D');
    expect(node.params).toMatchObject({ filters: 128, kernel: [2, 2], stride: [2, 2], padsBegin: [0, 0], padsEnd: [0, 0], outputPadding: [0, 0], dataFormat: 'NXC' });
    expect(r.model.weights[node.id].weight.shape).toEqual([256, 128, 2, 2]);
    expect(r.outputs[0].shape).toEqual([1, 16, 16, 128]);
    // The layout is not symmetric: reading the Keras kernel as (k, k, Cin, Cout) would not even fit.
    const k = spec.layers[0].weights![0];
    const w = r.model.weights[node.id].weight;
    // canonical [ci, co, kh, kw] = Keras [kh, kw, co, ci]
    for (const [ci, co, kh, kw] of [[0, 0, 0, 0], [255, 3, 1, 0], [17, 127, 0, 1]])
      expect(w.data[((ci * 128 + co) * 2 + kh) * 2 + kw]).toBe(k.data[((kh * 2 + kw) * 128 + co) * 256 + ci]);
  });
});

/** Keras deconv_output_length. */
function deconvLength(inLen: number, k: number, padding: 'valid' | 'same', op: number | null, s: number, d = 1): number {
  const kEff = (k - 1) * d + 1;
  if (op === null) return padding === 'valid' ? inLen * s + Math.max(kEff - s, 0) : inLen * s;
  const pad = padding === 'same' ? Math.floor(kEff / 2) : 0;
  return (inLen - 1) * s + kEff - 2 * pad + op;
}

/** Keras Conv2DTranspose on NHWC data as TensorFlow computes it (tf.nn.conv2d_transpose with Keras' output shape). */
function tfConv2DTranspose(x: Tensor, kernel: Tensor, bias: Tensor, strides: [number, number], padding: 'valid' | 'same', op: [number, number] | null): Tensor {
  const [n, h, w] = x.shape;
  const [kh, kw, cout] = kernel.shape;
  const out: [number, number, number, number] = [n, deconvLength(h, kh, padding, op && op[0], strides[0]), deconvLength(w, kw, padding, op && op[1], strides[1]), cout];
  return tf.tidy(() => {
    const y = tf.conv2dTranspose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), tf.tensor4d(kernel.data, kernel.shape as [number, number, number, number]), out, strides, padding).add(tf.tensor1d(bias.data));
    return { shape: y.shape, data: Float32Array.from(y.dataSync()) };
  });
}

const nhwcToNchw = (t: Tensor): Tensor => tf.tidy(() => {
  const y = tf.tensor(t.data, [...t.shape]).transpose(t.shape.length === 4 ? [0, 3, 1, 2] : [0, 2, 1]);
  return { shape: y.shape, data: Float32Array.from(y.dataSync()) };
});

describe('Keras layers tfjs has no layer for, against tf ops', () => {
  const cases: { what: string; rank: 1 | 2; k: number[]; s: number[]; padding: 'valid' | 'same'; op: number[] | null; cf?: boolean }[] = [
    { what: 'Conv2DTranspose k3 s2 same output_padding 1', rank: 2, k: [3, 3], s: [2, 2], padding: 'same', op: [1, 1] },
    { what: 'Conv2DTranspose k(3,4) s(2,3) valid output_padding (1,0)', rank: 2, k: [3, 4], s: [2, 3], padding: 'valid', op: [1, 0] },
    { what: 'Conv2DTranspose k1 s3 same (k < s: output padding)', rank: 2, k: [1, 2], s: [3, 3], padding: 'same', op: null },
    { what: 'Conv2DTranspose k3 s2 same channels_first', rank: 2, k: [3, 3], s: [2, 2], padding: 'same', op: null, cf: true },
    { what: 'Conv1DTranspose k4 s3 valid', rank: 1, k: [4], s: [3], padding: 'valid', op: null },
    { what: 'Conv1DTranspose k3 s2 same', rank: 1, k: [3], s: [2], padding: 'same', op: null },
    { what: 'Conv1DTranspose k5 s2 same output_padding 0, channels_first', rank: 1, k: [5], s: [2], padding: 'same', op: [0], cf: true },
  ];
  it.each(cases)('$what', async ({ rank, k, s, padding, op, cf }) => {
    const [cin, cout] = [3, 4];
    const sp = rank === 2 ? [5, 4] : [6];
    const kernel = rnd([...k, cout, cin]);
    const bias = rnd([cout]);
    const xl = rnd([1, ...sp, cin]); // channels_last data
    const spec: ModelSpec = {
      kind: 'Sequential',
      inputs: [{ name: 'x', shape: cf ? [null, cin, ...sp] : [null, ...sp, cin] }],
      layers: [conv(rank === 2 ? 'Conv2DTranspose' : 'Conv1DTranspose', 't', rank, {
        filters: cout, kernel_size: k, strides: s, padding, output_padding: op, data_format: cf ? 'channels_first' : 'channels_last',
      }, [kernel, bias])],
    };
    let yl: Tensor;
    if (rank === 2) yl = tfConv2DTranspose(xl, kernel, bias, s as [number, number], padding, op as [number, number] | null);
    else {
      // Conv1DTranspose = Conv2DTranspose on (N, 1, W, C), as Keras 2 implemented it.
      const y2 = tfConv2DTranspose({ shape: [1, 1, sp[0], cin], data: xl.data }, { shape: [1, k[0], cout, cin], data: kernel.data }, bias, [1, s[0]], padding, op ? [0, op[0]] : null);
      yl = { shape: [1, y2.shape[2], cout], data: y2.data };
    }
    const x = cf ? nhwcToNchw(xl) : xl;
    const want = cf ? nhwcToNchw(yl) : yl;
    await checkAllForms(spec, [x], [want]);
  });

  it('Conv2D and Conv1D with groups (vs tf.conv2d per group)', async () => {
    for (const rank of [1, 2] as const) {
      const [cin, cout, g] = [6, 4, 2];
      const sp = rank === 2 ? [6, 5] : [9];
      const k = rank === 2 ? [3, 2] : [3];
      const kernel = rnd([...k, cin / g, cout]);
      const bias = rnd([cout]);
      const x = rnd([1, ...sp, cin]);
      const spec: ModelSpec = {
        kind: 'Sequential', inputs: [{ name: 'x', shape: [null, ...sp, cin] }],
        layers: [conv(rank === 2 ? 'Conv2D' : 'Conv1D', 'gc', rank, { filters: cout, kernel_size: k, groups: g, padding: 'same', strides: rank === 2 ? [2, 1] : [2] }, [kernel, bias])],
      };
      const want = tf.tidy(() => {
        const x4 = tf.tensor4d(x.data, (rank === 2 ? [1, ...sp, cin] : [1, 1, sp[0], cin]) as [number, number, number, number]);
        const k4 = tf.tensor4d(kernel.data, (rank === 2 ? [...k, cin / g, cout] : [1, k[0], cin / g, cout]) as [number, number, number, number]);
        const parts: tf.Tensor4D[] = [];
        for (let gi = 0; gi < g; gi++) {
          const xs = x4.slice([0, 0, 0, gi * (cin / g)], [-1, -1, -1, cin / g]);
          const ks = k4.slice([0, 0, 0, gi * (cout / g)], [-1, -1, -1, cout / g]);
          parts.push(tf.conv2d(xs, ks, rank === 2 ? [2, 1] : [1, 2], 'same'));
        }
        const y = tf.concat(parts, 3).add(tf.tensor1d(bias.data));
        return { shape: rank === 2 ? y.shape : [1, y.shape[2] as number, cout], data: Float32Array.from(y.dataSync()) };
      });
      await checkAllForms(spec, [x], [want]);
    }
  });

  it('SeparableConv2D vs tfjs (depth_multiplier 2, strides, same), SeparableConv1D vs tf.separableConv2d on H = 1', async () => {
    const spec2 = single([7, 6, 3], separable('SeparableConv2D', 'sep', 2, { filters: 5, kernel_size: [3, 2], strides: [2, 1], padding: 'same', depth_multiplier: 2, activation: 'relu' },
      [rnd([3, 2, 3, 2]), rnd([1, 1, 6, 5]), rnd([5])]));
    const [r] = await checkAgainstTfjs(spec2);
    expect(r.model.graph.nodes.map((n) => [n.name, n.type, n.params.groups])).toEqual([['x', 'Input', undefined], ['sep_depthwise', 'Conv2D', 3], ['sep', 'Conv2D', 1], ['sep_relu', 'ReLU', undefined]]);
    const [dk, pk, b] = [rnd([3, 4, 2]), rnd([1, 8, 3]), rnd([3])];
    const x = rnd([1, 9, 4]);
    const want = tf.tidy(() => {
      const y = tf.separableConv2d(tf.tensor4d(x.data, [1, 1, 9, 4]), tf.tensor4d(dk.data, [1, 3, 4, 2]), tf.tensor4d(pk.data, [1, 1, 8, 3]), [1, 1], 'valid', [1, 2]).add(tf.tensor1d(b.data));
      return { shape: [1, y.shape[2] as number, 3], data: Float32Array.from(y.dataSync()) };
    });
    await checkAllForms(single([9, 4], separable('SeparableConv1D', 'sep1', 1, { filters: 3, kernel_size: [3], dilation_rate: [2], depth_multiplier: 2 }, [dk, pk, b])), [x], [want]);
  });

  it('DepthwiseConv1D with depth_multiplier 3 (vs tf.depthwiseConv2d on H = 1)', async () => {
    const [cin, dm] = [4, 3];
    const kernel = rnd([3, cin, dm]);
    const bias = rnd([cin * dm]);
    const x = rnd([1, 10, cin]);
    const spec: ModelSpec = {
      kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 10, cin] }],
      layers: [depthwise('DepthwiseConv1D', 'dw1', 1, { kernel_size: [3], depth_multiplier: dm, strides: [2], padding: 'same', activation: 'relu' }, [kernel, bias])],
    };
    const want = tf.tidy(() => {
      const y = tf.depthwiseConv2d(tf.tensor4d(x.data, [1, 1, 10, cin]), tf.tensor4d(kernel.data, [1, 3, cin, dm]), [1, 2], 'same').add(tf.tensor1d(bias.data)).relu();
      return { shape: [1, y.shape[2] as number, cin * dm], data: Float32Array.from(y.dataSync()) };
    });
    await checkAllForms(spec, [x], [want]);
  });
});

/** One-layer Sequential model on `shape` (batch excluded). */
const single = (shape: number[], layer: LayerSpec): ModelSpec => ({ kind: 'Sequential', inputs: [{ name: 'x', shape: [null, ...shape] }], layers: [layer] });
const T = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

describe('hand-checked Keras semantics', () => {
  it('BatchNormalization axis 1 (channels_first), default epsilon 1e-3, center/scale off', async () => {
    for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
      const C = 3;
      const [g, b, m, v] = [rnd([C]), rnd([C]), rnd([C]), rnd([C], 0.2, 2)];
      const weights = [...(scale ? [g] : []), ...(center ? [b] : []), m, v];
      const cfg: Record<string, unknown> = { axis: 1, center, scale };
      const layer = batchNorm('bn', cfg, weights);
      delete layer.config.epsilon; // Keras' default applies
      const x = rnd([1, C, 2, 3]);
      const want = x.data.map((val, i) => {
        const c = Math.floor(i / 6) % C;
        return (scale ? g.data[c] : 1) * (val - m.data[c]) / Math.sqrt(v.data[c] + 1e-3) + (center ? b.data[c] : 0);
      });
      const [r] = await checkAllForms(single([C, 2, 3], layer), [x], [T([1, C, 2, 3], Array.from(want))]);
      expect(r.model.graph.nodes[1].params).toMatchObject({ epsilon: 1e-3, dataFormat: 'NCX' });
    }
  });

  it('LeakyReLU: Keras default slope 0.3 passed explicitly (Keras 2 alpha, Keras 3 negative_slope); ReLU(negative_slope); activation leaky_relu = 0.2', async () => {
    const x = T([1, 4], [-2, -0.5, 0, 1.5]);
    const [r] = await checkAllForms(single([4], plain('LeakyReLU', 'lr')), [x], [T([1, 4], [-0.6, -0.15, 0, 1.5])]);
    expect(r.model.graph.nodes[1].params).toEqual({ alpha: 0.3 });
    await checkAllForms(single([4], plain('LeakyReLU', 'lr', { alpha: 0.1 })), [x], [T([1, 4], [-0.2, -0.05, 0, 1.5])]);
    await checkAllForms(single([4], plain('ReLU', 'r', { max_value: null, negative_slope: 0.25, threshold: 0 })), [x], [T([1, 4], [-0.5, -0.125, 0, 1.5])]);
    await checkAllForms(single([4], plain('Activation', 'a', { activation: 'leaky_relu' })), [x], [T([1, 4], [-0.4, -0.1, 0, 1.5])]);
    await checkAllForms(single([4], plain('Activation', 'a', { activation: 'linear' })), [x], [x]);
  });

  it('UpSampling1D and ZeroPadding1D (always channels_last)', async () => {
    const x = T([1, 2, 2], [1, 2, 3, 4]);
    await checkAllForms(single([2, 2], plain('UpSampling1D', 'up', { size: 3 })), [x], [T([1, 6, 2], [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])]);
    await checkAllForms(single([2, 2], plain('ZeroPadding1D', 'zp', { padding: [2, 1] })), [x], [T([1, 5, 2], [0, 0, 0, 0, 1, 2, 3, 4, 0, 0])]);
  });

  it('Cropping1D (default 1, (start, end)) and Cropping2D (int, (h, w), ((top, bottom), (left, right)), both data formats)', async () => {
    const x = T([1, 5, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await checkAllForms(single([5, 2], plain('Cropping1D', 'c', { cropping: [2, 1] })), [x], [T([1, 2, 2], [5, 6, 7, 8])]);
    await checkAllForms(single([5, 2], plain('Cropping1D', 'c', {})), [x], [T([1, 3, 2], [3, 4, 5, 6, 7, 8])]);
    await checkAllForms(single([5, 2], plain('Cropping1D', 'c', { cropping: 2 })), [x], [T([1, 1, 2], [5, 6])]);
    // channels_last 4×3×2 image, distinct values; value at (h, w, c) = img[(h·3 + w)·2 + c]
    const img = Array.from({ length: 24 }, (_, i) => i * 1.5 - 7);
    const at = (h: number, w: number, c: number) => img[(h * 3 + w) * 2 + c];
    const xl = T([1, 4, 3, 2], img);
    const pick = (hs: number[], ws: number[]) => hs.flatMap((h) => ws.flatMap((w) => [at(h, w, 0), at(h, w, 1)]));
    const [r] = await checkAllForms(single([4, 3, 2], plain('Cropping2D', 'c', { cropping: [[1, 2], [0, 1]], data_format: 'channels_last' })), [xl], [T([1, 1, 2, 2], pick([1], [0, 1]))]);
    expect(r.model.graph.nodes[1]).toMatchObject({ type: 'Cropping', params: { cropBegin: [1, 0], cropEnd: [2, 1], dataFormat: 'NXC' } });
    await checkAllForms(single([4, 3, 2], plain('Cropping2D', 'c', { cropping: [1, 1], data_format: 'channels_last' })), [xl], [T([1, 2, 1, 2], pick([1, 2], [1]))]);
    await checkAllForms(single([4, 3, 2], plain('Cropping2D', 'c', { cropping: 1, data_format: 'channels_last' })), [xl], [T([1, 2, 1, 2], pick([1, 2], [1]))]);
    // channels_first 2×4×3: value at (c, h, w) = data[(c·4 + h)·3 + w]
    const xf = T([1, 2, 4, 3], img);
    const atf = (c: number, h: number, w: number) => img[(c * 4 + h) * 3 + w];
    const [rf] = await checkAllForms(single([2, 4, 3], plain('Cropping2D', 'c', { cropping: [[0, 1], [2, 0]], data_format: 'channels_first' })), [xf], [
      T([1, 2, 3, 1], [0, 1].flatMap((c) => [0, 1, 2].map((h) => atf(c, h, 2)))),
    ]);
    expect(rf.model.graph.nodes[1].params).toEqual({ cropBegin: [0, 2], cropEnd: [1, 0], dataFormat: 'NCX' });
  });

  it('Cropping2D matches tfjs in both data formats', async () => {
    for (const data_format of ['channels_last', 'channels_first']) {
      await checkAgainstTfjs({
        kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 8, 9, 8] }],
        layers: [
          conv('Conv2D', 'c', 2, { filters: 4, kernel_size: [2, 2], data_format }, [rnd([2, 2, 8, 4]), rnd([4])]),
          plain('Cropping2D', 'crop', { cropping: [[1, 2], [3, 0]], data_format }),
        ],
      });
    }
  });

  it('Flatten(data_format=channels_first) flattens in channels_last order; the default keeps the row-major order', async () => {
    const x = T([1, 2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    await checkAllForms(single([2, 2, 2], plain('Flatten', 'f', { data_format: 'channels_first' })), [x], [T([1, 8], [0, 4, 1, 5, 2, 6, 3, 7])]);
    await checkAllForms(single([2, 2, 2], plain('Flatten', 'f', { data_format: 'channels_last' })), [x], [T([1, 8], [0, 1, 2, 3, 4, 5, 6, 7])]);
  });

  it("SEMANTICS.md impulse: Keras Conv1DTranspose k3 s2 'same' crops 0 at the begin and 1 at the end", async () => {
    const layer = conv('Conv1DTranspose', 't', 1, { filters: 1, kernel_size: [3], strides: [2], padding: 'same', use_bias: false }, [T([3, 1, 1], [1, 10, 100])]);
    const [r] = await checkAllForms(single([4, 1], layer), [T([1, 4, 1], [1, 0, 0, 0])], [T([1, 8, 1], [1, 10, 100, 0, 0, 0, 0, 0])]);
    expect(r.model.graph.nodes[1].params).toMatchObject({ padsBegin: [0], padsEnd: [1], outputPadding: [0] });
  });

  it('Conv1DTranspose with dilation 2 (k2 s1 valid): taps land 2 apart, output in + 2', async () => {
    const layer = conv('Conv1DTranspose', 't', 1, { filters: 1, kernel_size: [2], strides: [1], dilation_rate: [2], padding: 'valid', use_bias: false }, [T([2, 1, 1], [3, 7])]);
    // y[i + t·2] += x[i]·w[t]: x = [1, 2, 0] → [3, 6, 7, 14, 0]
    await checkAllForms(single([3, 1], layer), [T([1, 3, 1], [1, 2, 0])], [T([1, 5, 1], [3, 6, 7, 14, 0])]);
  });

  it('Conv1D causal with dilation (vs left zero padding + valid conv in tf)', async () => {
    const kernel = rnd([3, 2, 3]);
    const bias = rnd([3]);
    const x = rnd([1, 9, 2]);
    const layer = conv('Conv1D', 'c', 1, { filters: 3, kernel_size: [3], padding: 'causal', dilation_rate: [2] }, [kernel, bias]);
    const want = tf.tidy(() => {
      const xp = tf.tensor3d(x.data, [1, 9, 2]).pad([[0, 0], [4, 0], [0, 0]]) as tf.Tensor3D;
      const y = tf.conv1d(xp, tf.tensor3d(kernel.data, [3, 2, 3]), 1, 'valid', 'NWC', 2).add(tf.tensor1d(bias.data));
      return { shape: y.shape, data: Float32Array.from(y.dataSync()) };
    });
    await checkAllForms(single([9, 2], layer), [x], [want]);
  });

  it('Softmax layer on axis 1, and GlobalAveragePooling2D / GlobalMaxPooling1D (vs tf ops)', async () => {
    const x = rnd([1, 3, 4]);
    const sm = tf.tidy(() => {
      const y = tf.softmax(tf.tensor3d(x.data, [1, 3, 4]).transpose([0, 2, 1]) as tf.Tensor3D).transpose([0, 2, 1]);
      return { shape: y.shape, data: Float32Array.from(y.dataSync()) };
    });
    await checkAllForms(single([3, 4], plain('Softmax', 's', { axis: 1 })), [x], [sm]);
    const x4 = rnd([1, 3, 5, 2]);
    const gap = tf.tidy(() => tf.tensor4d(x4.data, [1, 3, 5, 2]).mean([1, 2]));
    await checkAllForms(single([3, 5, 2], plain('GlobalAveragePooling2D', 'g', { data_format: 'channels_last', keepdims: false })), [x4], [{ shape: gap.shape, data: Float32Array.from(gap.dataSync()) }]);
    const gmp = tf.tidy(() => tf.tensor3d(x.data, [1, 3, 4]).max([1]));
    await checkAllForms(single([3, 4], plain('GlobalMaxPooling1D', 'g', { data_format: 'channels_last', keepdims: false })), [x], [{ shape: gmp.shape, data: Float32Array.from(gmp.dataSync()) }]);
    tf.dispose([gap, gmp]);
  });

  it('Keras 3 weight paths are snake_case class names with per-class counters, not layer names', () => {
    const spec: ModelSpec = {
      kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 4, 4, 2] }],
      layers: ['Conv2D', 'Conv2D', 'Conv2DTranspose', 'BatchNormalization', 'DepthwiseConv2D', 'QConv2D', 'Dense'].map((cls, i) => plain(cls, `layer${i}`)),
    };
    const paths = keras3LayerPaths(normalizeModelConfig(keras3Json(spec), 'config'));
    expect([...paths.values()]).toEqual(['conv2d', 'conv2d_1', 'conv2d_transpose', 'batch_normalization', 'depthwise_conv2d', 'q_conv2d', 'dense']);
  });
});

describe('QKeras', () => {
  const qbits = (bits: number, integer: number, extra: Record<string, unknown> = {}) => ({
    class_name: 'quantized_bits', config: { bits, integer, symmetric: 0, alpha: 1, keep_negative: true, use_stochastic_rounding: false, qnoise_factor: 1.0, ...extra },
  });
  const q = (layer: LayerSpec, cls: string, extra: Record<string, unknown>): LayerSpec => ({ ...layer, cls, config: { ...layer.config, kernel_range: null, bias_range: null, ...extra } });

  it('QConv2D / QActivation / QConv2DTranspose / QDense: float layers plus precisions as FIXED_POINT.md maps them', async () => {
    const qspec: ModelSpec = {
      kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 6, 6, 2] }],
      layers: [
        q(conv('Conv2D', 'qc', 2, { filters: 3, kernel_size: [3, 3], padding: 'same' }, [rnd([3, 3, 2, 3]), rnd([3])]), 'QConv2D',
          { kernel_quantizer: 'quantized_bits(6,0,alpha=1)', bias_quantizer: qbits(8, 2) }),
        plain('QActivation', 'qa', { activation: 'quantized_relu(4,0)' }),
        q(conv('Conv2DTranspose', 'qt', 2, { filters: 2, kernel_size: [2, 2], strides: [2, 2], padding: 'same' }, [rnd([2, 2, 2, 3]), rnd([2])]), 'QConv2DTranspose',
          { kernel_quantizer: qbits(8, 1), bias_quantizer: 'quantized_bits(8, 3)' }),
        plain('QActivation', 'qb', { activation: 'quantized_bits(8,2)' }),
        plain('Flatten', 'f', { data_format: 'channels_last' }),
        q(dense('qd', { units: 3, activation: 'quantized_relu(6,2)' }, [rnd([12 * 12 * 2, 3]), rnd([3])]), 'QDense',
          { kernel_quantizer: 'quantized_bits(4,0,keep_negative=False)', bias_quantizer: null }),
      ],
    };
    // The float model Keras computes when the quantizers are ignored: the same layers without Q.
    const fspec: ModelSpec = {
      ...qspec,
      layers: [qspec.layers[0], plain('Activation', 'qa', { activation: 'relu' }), qspec.layers[2], qspec.layers[4], qspec.layers[5]].map((l) => {
        const config = { ...l.config };
        for (const k of ['kernel_quantizer', 'bias_quantizer', 'kernel_range', 'bias_range']) delete config[k];
        if (l.name === 'qd') config.activation = 'relu';
        return { ...l, cls: l.cls.replace(/^Q/, ''), config };
      }),
    };
    const x = rnd([1, 6, 6, 2]);
    const want = await tfjsPredict(fspec, [x]);
    // QKeras models are Keras 2 models: .h5 and JSON + weights.
    const rs = [await importKerasH5(await keras2H5(qspec)), await importKerasJson(JSON.stringify(keras2Json(qspec)), await keras2WeightsH5(qspec))];
    for (const r of rs) {
      expectClose(run(r, [x])[0], want[0], 'QKeras float graph');
      const byName = Object.fromEntries(r.model.graph.nodes.map((n) => [n.name, r.precisions[n.id]]));
      expect(r.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'ReLU', 'ConvTranspose2D', 'Flatten', 'Dense', 'ReLU']);
      expect(byName).toEqual({
        x: undefined,
        qc: { weight_t: 'ap_fixed<6,1,AP_RND_CONV,AP_SAT>', bias_t: 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>' },
        qa: { result_t: 'ap_ufixed<4,0>' },
        qt: { weight_t: 'ap_fixed<8,2,AP_RND_CONV,AP_SAT>', bias_t: 'ap_fixed<8,4,AP_RND_CONV,AP_SAT>', result_t: 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>' },
        f: undefined,
        qd: { weight_t: 'ap_ufixed<4,0,AP_RND_CONV,AP_SAT>' },
        qd_relu: { result_t: 'ap_ufixed<6,2>' },
      });
      for (const spec of Object.values(r.precisions)) for (const t of Object.values(spec)) expect(parseFixedType(t!).ok, t).toBe(true);
      expect(r.hlsLayers.qa).toEqual({ precision: { result_t: 'ap_ufixed<4,0>' } });
      expect(Object.keys(r.hlsLayers).sort()).toEqual(['qa', 'qc', 'qd', 'qd_relu', 'qt']);
    }
  });

  it('refuses quantizers a fixed-point type cannot express, naming layer and argument', async () => {
    const cases: [unknown, RegExp][] = [
      ['quantized_bits(8,0,alpha="auto")', /layer 'qd' \(QDense\) kernel_quantizer quantized_bits: alpha = "auto" is not supported/],
      [{ class_name: 'quantized_bits', config: { bits: 8, integer: 0, symmetric: 1 } }, /symmetric = 1 is not supported/],
      ['quantized_relu_po2(4)', /QKeras quantizer 'quantized_relu_po2' is not supported/],
      ['binary()', /'binary' is not supported/],
    ];
    for (const [quantizer, re] of cases) {
      const spec = single([4], q(dense('qd', { units: 2 }, [rnd([4, 2]), rnd([2])]), 'QDense', { kernel_quantizer: quantizer, bias_quantizer: null }));
      const err = await importKerasH5(await keras2H5(spec)).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(re);
      expect(err?.message).not.toContain('\n');
    }
  });
});

describe('bad files and unsupported layers: one-line errors', () => {
  const good: ModelSpec = {
    kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 5, 5, 2] }],
    layers: [conv('Conv2D', 'c', 2, { filters: 2, kernel_size: [3, 3] }, [rnd([3, 3, 2, 2]), rnd([2])]), plain('Flatten', 'f', { data_format: 'channels_last' })],
  };
  const withLayer = (layer: LayerSpec): ModelSpec => ({ ...good, layers: [good.layers[0], layer] });
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['truncated .keras', async () => { const b = await keras3File(good); return importKeras3(b.slice(0, Math.floor(b.length / 2))); }, /damaged or truncated zip archive/],
    ['zip header then garbage', async () => importKeras3(Uint8Array.from([0x50, 0x4b, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9])), /damaged or truncated zip archive/],
    ['not a zip', async () => importKeras3(strToU8('hello')), /not a zip archive/],
    ['.keras without weights', async () => importKeras3(await keras3File(good, (f) => delete f['model.weights.h5'])), /has no model\.weights\.h5/],
    ['.keras with malformed config.json', async () => importKeras3(await keras3File(good, (f) => (f['config.json'] = strToU8('{"class_name": "Sequential", "config": {')))), /config\.json is not valid JSON/],
    ['.keras with a damaged weights file', async () => importKeras3(await keras3File(good, (f) => (f['model.weights.h5'] = f['model.weights.h5'].slice(0, 700)))), /model\.weights\.h5 is a damaged or truncated HDF5 file/],
    ['truncated .h5', async () => { const b = await keras2H5(good); return importKerasH5(b.slice(0, b.length - 200)); }, /damaged or truncated HDF5 file/],
    ['not HDF5', async () => importKerasH5(strToU8('{"class_name": "Sequential"}')), /is not an HDF5 file/],
    ['.h5 without model_config', async () => importKerasH5(await writeH5({ groups: { g: {} } })), /has no model_config attribute/],
    ['weights-only .h5 given as the model', async () => importKerasH5(await keras2WeightsH5(good)), /holds weights only/],
    ['model_config not JSON', async () => importKerasH5(await writeH5({ attrs: { model_config: 'not json' }, groups: { model_weights: {} } })), /model_config is not valid JSON/],
    ['model JSON that is not a model', async () => importKerasJson('{"class_name": "Dense", "config": {}}', await keras2WeightsH5(good)), /'Dense' is not a Sequential or Functional model/],
    ['model JSON without weights', async () => importKeras('m.json', strToU8(JSON.stringify(keras2Json(good)))), /without weights: pass the weights/],
    ['weights of another model', async () => importKerasJson(JSON.stringify(keras2Json(good)), await keras2WeightsH5({ ...good, layers: [conv('Conv2D', 'c', 2, { filters: 3, kernel_size: [3, 3] }, [rnd([3, 3, 2, 3]), rnd([3])])] })), /layer 'c' \(Conv2D\): weight 'kernel' has shape \[3, 3, 2, 3\] but this layer on its input needs \[3, 3, 2, 2\]/],
    ['unknown layer class', async () => importKeras3(await keras3File(withLayer(plain('LSTM', 'rnn', { units: 3 })))), /layer 'rnn': the layer class 'LSTM' is not supported; supported classes: InputLayer, Conv1D/],
    ['Cropping2D that leaves nothing', async () => importKeras3(await keras3File(withLayer(plain('Cropping2D', 'crop', { cropping: [[2, 1], [0, 0]], data_format: 'channels_last' })))), /layer 'crop' \(Cropping2D\): .*cropBegin\[0\] \+ cropEnd\[0\]/],
    ['Cropping1D with a malformed cropping', async () => importKerasH5(await keras2H5({ ...good, inputs: [{ name: 'x', shape: [null, 6, 2] }], layers: [plain('Cropping1D', 'crop', { cropping: [1, 2, 3] })] })), /layer 'crop' \(Cropping1D\): argument cropping = \[1,2,3\] is not supported/],
    ['ReLU max_value', async () => importKeras3(await keras3File(withLayer(plain('ReLU', 'r6', { max_value: 6, negative_slope: 0, threshold: 0 })))), /layer 'r6' \(ReLU\): argument max_value = 6 is not supported/],
    ['UpSampling2D bicubic', async () => importKerasH5(await keras2H5(withLayer(plain('UpSampling2D', 'up', { size: [2, 2], data_format: 'channels_last', interpolation: 'bicubic' })))), /layer 'up' \(UpSampling2D\): argument interpolation = "bicubic" is not supported/],
    ['UpSampling2D bilinear by 3', async () => importKerasH5(await keras2H5(withLayer(plain('UpSampling2D', 'up', { size: [3, 2], data_format: 'channels_last', interpolation: 'bilinear' })))), /layer 'up' \(UpSampling2D\): argument size = \[3,2\] is not supported \(a bilinear size is a power of two/],
    ['unsupported activation', async () => importKerasH5(await keras2H5(withLayer(plain('Activation', 'act', { activation: 'gelu' })))), /layer 'act' \(Activation\): argument activation = "gelu" is not supported/],
    ['unknown argument', async () => importKerasH5(await keras2H5({ ...good, layers: [conv('Conv2D', 'c', 2, { filters: 2, kernel_size: [3, 3], padding_mode: 'reflect' }, good.layers[0].weights)] })), /layer 'c' \(Conv2D\): argument padding_mode = "reflect" is not supported/],
    ['Conv2D padding', async () => importKerasH5(await keras2H5({ ...good, layers: [conv('Conv2D', 'c', 2, { filters: 2, kernel_size: [3, 3], padding: 'full' }, good.layers[0].weights)] })), /layer 'c' \(Conv2D\): argument padding = "full" is not supported/],
    ['BatchNormalization over a spatial axis', async () => importKerasH5(await keras2H5(withLayer(batchNorm('bn', { axis: 2 }, [rnd([3]), rnd([3]), rnd([3]), rnd([3])])))), /layer 'bn' \(BatchNormalization\): argument axis = 2 is not supported/],
    ['Add of mismatched shapes', async () => importKerasH5(await keras2H5({
      kind: 'Functional', inputs: [{ name: 'a', shape: [null, 4] }, { name: 'b', shape: [null, 5] }], layers: [plain('Add', 'sum', {}, ['a', 'b'])],
    })), /layer 'sum' \(Add\): sum: input 1 = "\[1, 5\]" breaks the rule all inputs of Add have the shape of input 0/],
    ['nested model', async () => importKerasJson(JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Sequential', config: { name: 'inner', layers: [] } }] } }), await keras2WeightsH5(good)), /nested Sequential model/],
    ['input without fixed size', async () => importKeras3(await keras3File({ ...good, inputs: [{ name: 'x', shape: [null, null, 5, 2] }] })), /axis 1 of the input shape \[None, None, 5, 2\] is not a fixed size/],
  ];
  it.each(cases)('%s', async (_name, run, re) => {
    const err = await run().then(() => null, (e: unknown) => e as Error);
    expect(err, 'an error').toBeInstanceOf(Error);
    expect(err!.message).toMatch(re);
    expect(err!.message).not.toContain('\n');
  });
});

describe('UpSampling2D bilinear', () => {
  // Keras (TF2) resizes with half-pixel centres; tfjs-layers' UpSampling2D does not, so the reference is
  // tf.image.resizeBilinear with halfPixelCenters on the imported model's input.
  it('imports as Resize bilinear and computes tf.image.resizeBilinear(…, halfPixelCenters = true)', async () => {
    const spec: ModelSpec = { kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 3, 4, 2] }], layers: [plain('UpSampling2D', 'up', { size: [2, 4], data_format: 'channels_last', interpolation: 'bilinear' })] };
    const r = await importKerasH5(await keras2H5(spec));
    const up = r.model.graph.nodes.find((n) => n.name === 'up')!;
    expect(up.type).toBe('Resize');
    expect(up.params).toMatchObject({ scale: [2, 4], mode: 'bilinear', dataFormat: 'NXC' });
    const x = randomTensor([1, 3, 4, 2], 8, -2, 2);
    const got = simulateFloat(r.model, { [r.inputs[0].nodeId]: x }, { keep: 'outputs' }).outputs.up;
    const want = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(x.data, [1, 3, 4, 2]), [6, 16], false, true).dataSync());
    expect(got.shape).toEqual([1, 6, 16, 2]);
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got.data[i] - want[i]));
    expect(err).toBeLessThan(1e-5);
  });
});

describe('damaged files (random byte changes)', () => {
  it('either import or fail with one TesseraError line; never another exception', async () => {
    const spec: ModelSpec = {
      kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 5, 5, 2] }],
      layers: [conv('Conv2D', 'c', 2, { filters: 2, kernel_size: [3, 3] }, [rnd([3, 3, 2, 2]), rnd([2])]), plain('Flatten', 'f', {}), dense('d', { units: 2 }, [rnd([18, 2]), rnd([2])])],
    };
    const files = [['h5', await keras2H5(spec), importKerasH5], ['keras', await keras3File(spec), importKeras3]] as const;
    const r = seededRandom(42);
    let failures = 0;
    for (let t = 0; t < 120; t++) {
      for (const [, base, load] of files) {
        const b = Uint8Array.from(base);
        for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        const err = await load(b).then(() => null, (e: unknown) => e);
        if (err === null) continue;
        failures++;
        expect(err).toBeInstanceOf(TesseraError);
        expect((err as Error).message).not.toContain('\n');
      }
    }
    expect(failures).toBeGreaterThan(100);
  });
});

describe('older and less common model configs', () => {
  it('Keras 2.2 Sequential: config is the layer list, the first layer carries batch_input_shape', async () => {
    const k = rnd([3, 2]);
    const b = rnd([2]);
    const spec = single([3], dense('d', { units: 2, activation: 'tanh' }, [k, b]));
    const layerCfg = { name: 'd', batch_input_shape: [null, 3], ...spec.layers[0].config };
    const json = JSON.stringify({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: layerCfg }], keras_version: '2.2.4', backend: 'tensorflow' });
    const r = await importKerasJson(json, await keras2WeightsH5(spec));
    const x = rnd([1, 3]);
    const want = [0, 1].map((u) => Math.tanh(b.data[u] + x.data[0] * k.data[u] + x.data[1] * k.data[2 + u] + x.data[2] * k.data[4 + u]));
    expectClose(run(r, [x])[0], T([1, 2], want), 'old Sequential');
    expect(r.inputs).toEqual([{ name: 'd_input', nodeId: expect.any(String), shape: [1, 3], freeBatch: true }]);
  });

  it('a shared layer called twice (Keras 2 inbound_nodes with node index 1) matches tfjs', async () => {
    const k = rnd([4, 3]);
    const bias = rnd([3]);
    const dcfg = { name: 'shared', ...dense('shared', { units: 3, activation: 'relu' }).config };
    const inp = (name: string) => ({ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name }, name, inbound_nodes: [] });
    const model = {
      class_name: 'Functional',
      config: {
        name: 'siamese',
        layers: [
          inp('a'), inp('b'),
          { class_name: 'Dense', config: dcfg, name: 'shared', inbound_nodes: [[['a', 0, 0, {}]], [['b', 0, 0, {}]]] },
          { class_name: 'Concatenate', config: { name: 'cat', trainable: true, dtype: 'float32', axis: -1 }, name: 'cat', inbound_nodes: [[['shared', 0, 0, {}], ['shared', 1, 0, {}]]] },
        ],
        input_layers: [['a', 0, 0], ['b', 0, 0]],
        output_layers: [['cat', 0, 0]],
      },
      keras_version: '2.12.0', backend: 'tensorflow',
    };
    const weights = await writeH5({ attrs: { layer_names: ['a', 'b', 'shared', 'cat'] }, groups: { shared: { attrs: { weight_names: ['shared/kernel:0', 'shared/bias:0'] }, groups: { shared: { datasets: { 'kernel:0': k, 'bias:0': bias } } } } } });
    const r = await importKerasJson(JSON.stringify(model), weights);
    expect(r.model.graph.nodes.map((n) => n.name)).toEqual(['a', 'b', 'shared', 'shared_relu', 'shared_1', 'shared_relu_1', 'cat']);
    const xs = [rnd([1, 4]), rnd([1, 4])];
    const tfm = await tf.models.modelFromJSON(model as any);
    tfm.getLayer('shared').setWeights([tf.tensor(k.data, [4, 3]), tf.tensor(bias.data, [3])]);
    const y = tfm.predict(xs.map((x) => tf.tensor(x.data, [1, 4]))) as tf.Tensor;
    expectClose(run(r, xs)[0], { shape: y.shape, data: y.dataSync() }, 'shared layer');
    y.dispose();
  });
});
