// Keras / TensorFlow semantics against @tensorflow/tfjs (cpu backend): 'valid' and 'same' for k 1–5,
// s 1–3 (k < s and Keras-same with odd k included), explicit output_padding, channels_last data and
// Keras weight layouts (XOI for ConvTranspose, XIO for Conv) converted to canonical.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fromKeras } from './conventions';
import { conv1dOp, conv2dOp, convTranspose1dOp, convTranspose2dOp } from './ops';
import { DiagnosticSink } from '../../diagnostics/diagnostics';
import { WEIGHT_LAYOUTS, weightToCanonical } from '../../tensor/layouts';
import { randomTensor, type Tensor } from '../../tensor/tensor';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Keras deconv_output_length. */
function kerasDeconvLength(inLen: number, k: number, padding: 'valid' | 'same', op: number | null, s: number): number {
  if (op === null) return padding === 'valid' ? inLen * s + Math.max(k - s, 0) : inLen * s;
  const pad = padding === 'same' ? Math.floor(k / 2) : 0;
  return (inLen - 1) * s + k - 2 * pad + op;
}

function close(ours: Tensor, theirs: tf.Tensor, what: string): void {
  expect(ours.shape, what).toEqual(theirs.shape);
  const want = theirs.dataSync();
  let m = 1;
  for (const v of want) m = Math.max(m, Math.abs(v));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(ours.data[i] - want[i]));
  if (!(err <= 1e-4 * m)) expect.fail(`${what}: max abs error ${err}`);
}

function runOp(op: typeof conv2dOp, p: ReturnType<typeof fromKeras>, x: Tensor, w: Tensor, what: string): Tensor {
  const sink = new DiagnosticSink();
  const shape = op.infer(p, [x.shape], sink);
  expect(sink.items, what).toEqual([]);
  const y = op.float(p, [x], { weight: w });
  expect(y.shape, what).toEqual(shape);
  return y;
}

const ks = [1, 2, 3, 4, 5];
const ss = [1, 2, 3];
const paddings = ['valid', 'same'] as const;

describe('Keras Conv2DTranspose vs tf.conv2dTranspose', () => {
  const cases: [number, number, 'valid' | 'same', number | null][] = [];
  for (const k of ks) for (const s of ss) for (const pad of paddings) {
    cases.push([k, s, pad, null]);
    for (let op = 0; op < s; op++) cases.push([k, s, pad, op]);
  }
  it.each(cases)('k %i s %i %s output_padding %s (kernel (k, k+1 capped at 5))', (k, s, padding, op) => {
    const kh = k, kw = Math.min(k + 1, 5);
    const [h, w, cin, cout] = [3, 4, 3, 2];
    const x = randomTensor([1, h, w, cin], 10 * k + s);
    const wk = randomTensor([kh, kw, cout, cin], 100 * k + s); // Keras XOI
    const outShape: [number, number, number, number] = [1, kerasDeconvLength(h, kh, padding, op, s), kerasDeconvLength(w, kw, padding, op, s), cout];
    if (outShape[1] < 1 || outShape[2] < 1) return;
    // TensorFlow rejects an output size whose SAME forward conv does not give back the input size
    // (ceil(out/s) ≠ in: "Conv2DCustomBackpropInput: size of out_backprop doesn't match computed");
    // tfjs does not check and pads differently there, so there is no oracle for those.
    if (padding === 'same' && (Math.ceil(outShape[1] / s) !== h || Math.ceil(outShape[2] / s) !== w)) return;
    const theirs = tf.conv2dTranspose(tf.tensor4d(x.data, [1, h, w, cin]), tf.tensor4d(wk.data, [kh, kw, cout, cin]), outShape, [s, s], padding);
    const p = fromKeras(2, true, { filters: cout, kernelSize: [kh, kw], strides: s, padding, outputPadding: op, useBias: false });
    const canonical = weightToCanonical(wk, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.keras);
    close(runOp(convTranspose2dOp, p, x, canonical, `k${k} s${s} ${padding} op ${op}`), theirs, `k${k} s${s} ${padding} op ${op}`);
    theirs.dispose();
  });
});

describe('Keras Conv1DTranspose vs tf.conv2dTranspose with H = 1', () => {
  const cases: [number, number, 'valid' | 'same'][] = [];
  for (const k of ks) for (const s of ss) for (const pad of paddings) cases.push([k, s, pad]);
  it.each(cases)('k %i s %i %s', (k, s, padding) => {
    const [w, cin, cout] = [5, 2, 3];
    const x = randomTensor([1, w, cin], 7 * k + s);
    const wk = randomTensor([k, cout, cin], 9 * k + s);
    const theirs = tf.conv2dTranspose(tf.tensor4d(x.data, [1, 1, w, cin]), tf.tensor4d(wk.data, [1, k, cout, cin]),
      [1, 1, kerasDeconvLength(w, k, padding, null, s), cout], [1, s], padding);
    const p = fromKeras(1, true, { filters: cout, kernelSize: k, strides: s, padding, useBias: false });
    const y = runOp(convTranspose1dOp, p, x, weightToCanonical(wk, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.keras), `k${k} s${s} ${padding}`);
    close({ shape: [1, 1, ...y.shape.slice(1)], data: y.data }, theirs, `k${k} s${s} ${padding}`);
    theirs.dispose();
  });
});

describe('Keras Conv2D / Conv1D vs tf.conv2d / tf.conv1d', () => {
  const cases: [number, number, 'valid' | 'same', number][] = [];
  for (const k of ks) for (const s of ss) for (const pad of paddings) cases.push([k, s, pad, 1]);
  for (const k of [2, 3]) for (const pad of paddings) cases.push([k, 1, pad, 2]); // tfjs: dilation needs stride 1
  it.each(cases)('k %i s %i %s dilation %i', (k, s, padding, d) => {
    const [h, w, cin, cout] = [7, 8, 3, 2];
    const kEff = (k - 1) * d + 1;
    if (padding === 'valid' && kEff > h) return;
    const x = randomTensor([1, h, w, cin], 3 * k + s);
    const wk = randomTensor([k, k, cin, cout], 5 * k + s); // Keras XIO
    const theirs = tf.conv2d(tf.tensor4d(x.data, [1, h, w, cin]), tf.tensor4d(wk.data, [k, k, cin, cout]), [s, s], padding, 'NHWC', [d, d]);
    const p = fromKeras(2, false, { filters: cout, kernelSize: k, strides: s, padding, dilationRate: d, useBias: false });
    close(runOp(conv2dOp, p, x, weightToCanonical(wk, 'conv', WEIGHT_LAYOUTS.conv.keras), 'conv2d'), theirs, `conv2d k${k} s${s} ${padding}`);
    theirs.dispose();

    const x1 = randomTensor([1, w, cin], 11 * k + s);
    const wk1 = randomTensor([k, cin, cout], 13 * k + s);
    const theirs1 = tf.conv1d(tf.tensor3d(x1.data, [1, w, cin]), tf.tensor3d(wk1.data, [k, cin, cout]), s, padding, 'NWC', d);
    const p1 = fromKeras(1, false, { filters: cout, kernelSize: k, strides: s, padding, dilationRate: d, useBias: false });
    close(runOp(conv1dOp, p1, x1, weightToCanonical(wk1, 'conv', WEIGHT_LAYOUTS.conv.keras), 'conv1d'), theirs1, `conv1d k${k} s${s} ${padding}`);
    theirs1.dispose();
  });
});

describe('Keras-same with odd k crops 0 at the begin and 1 at the end', () => {
  it.each([[3, 2], [5, 2], [5, 4], [3, 3], [1, 2]])('k %i s %i', (k, s) => {
    const p = fromKeras(1, true, { filters: 1, kernelSize: k, strides: s, padding: 'same' });
    const total = k - s;
    expect([p.padsBegin[0], p.padsEnd[0], p.outputPadding![0]]).toEqual(total >= 0 ? [Math.floor(total / 2), total - Math.floor(total / 2), 0] : [0, 0, s - k]);
    if (k === 3 && s === 2) expect([p.padsBegin[0], p.padsEnd[0]]).toEqual([0, 1]);
  });
});
