import { describe, expect, it } from 'vitest';
import { buildOnnxModel, type NodeSpec, type TensorInit, type AttrValue } from './proto';
import { importOnnx } from './import';
import { expectClose, expectMatchesOrt, runImported, runOrt } from './oracle.testutil';
import { randomTensor, seededRandom, tensor } from '../../tensor/tensor';
import { TesseraError } from '../../diagnostics/diagnostics';

const rnd = (dims: number[], seed: number, lo = -1, hi = 1): TensorInit & { data: Float32Array } => ({
  name: '', dims, data: randomTensor(dims, seed, lo, hi).data,
});
const init = (name: string, dims: number[], seed: number, lo = -1, hi = 1): TensorInit => ({ ...rnd(dims, seed, lo, hi), name });
const ints = (name: string, data: number[]): TensorInit => ({ name, dims: [data.length], data, dtype: 'int64' });
const floats = (name: string, data: number[]): TensorInit => ({ name, dims: [data.length], data });

/** A model with one input x, nodes, initializers, output y. */
function model(xShape: number[], nodes: NodeSpec[], initializers: TensorInit[] = [], opset = 13, extraInputs: { name: string; shape: number[] }[] = []) {
  return buildOnnxModel({ inputs: [{ name: 'x', shape: xShape }, ...extraInputs], outputs: [{ name: 'y' }], nodes, initializers, opset });
}
const one = (op: string, inputs: string[], attrs?: Record<string, AttrValue | undefined>, name?: string): NodeSpec => ({ op, inputs, outputs: ['y'], attrs, name });

describe('ONNX import: each supported op matches onnxruntime', () => {
  const cases: [string, Uint8Array][] = [
    ['Relu', model([2, 3, 4], [one('Relu', ['x'])])],
    ['Sigmoid', model([2, 7], [one('Sigmoid', ['x'])])],
    ['Tanh', model([1, 2, 3, 3], [one('Tanh', ['x'])])],
    ['LeakyRelu alpha 0.3', model([2, 9], [one('LeakyRelu', ['x'], { alpha: 0.3 })])],
    ['LeakyRelu default', model([2, 9], [one('LeakyRelu', ['x'])])],
    ['Selu custom', model([3, 5], [one('Selu', ['x'], { alpha: 1.2, gamma: 0.7 })])],
    ['Selu default', model([3, 5], [one('Selu', ['x'])])],
    ['Softmax default axis (opset 13: last)', model([1, 3, 4, 5], [one('Softmax', ['x'])])],
    ['Softmax axis 1', model([1, 3, 4, 5], [one('Softmax', ['x'], { axis: 1 })])],
    ['Softmax opset 11 2D', model([2, 6], [one('Softmax', ['x'])], [], 11)],
    ['Softmax opset 11 rank 4, default axis 1 (over C·H·W)', model([2, 3, 2, 4], [one('Softmax', ['x'])], [], 11)],
    ['Flatten', model([2, 3, 4, 5], [one('Flatten', ['x'])])],
    ['Flatten axis 2', model([2, 3, 4, 5], [one('Flatten', ['x'], { axis: 2 })])],
    ['Reshape with 0 and -1', model([2, 3, 4, 5], [one('Reshape', ['x', 's'])], [ints('s', [0, -1, 10])])],
    ['Reshape from Constant', model([1, 12], [{ op: 'Constant', inputs: [], outputs: ['s'], attrs: { value: { tensor: { dims: [3], data: [1, 3, 4], dtype: 'int64' } } } }, one('Reshape', ['x', 's'])])],
    ['Transpose', model([1, 2, 3, 4], [one('Transpose', ['x'], { perm: [0, 3, 1, 2] })])],
    ['Transpose default perm', model([2, 3, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, one('Transpose', ['r'])])],
    ['Identity', model([2, 3], [{ op: 'Identity', inputs: ['x'], outputs: ['i'] }, one('Relu', ['i'])])],
    [
      'BatchNormalization',
      model([2, 4, 3, 3], [one('BatchNormalization', ['x', 'g', 'b', 'm', 'v'], { epsilon: 1e-3 })], [
        init('g', [4], 1), init('b', [4], 2), init('m', [4], 3), init('v', [4], 4, 0.2, 2),
      ]),
    ],
    ['BatchNormalization 2D input', model([3, 4], [one('BatchNormalization', ['x', 'g', 'b', 'm', 'v'])], [init('g', [4], 1), init('b', [4], 2), init('m', [4], 3), init('v', [4], 4, 0.2, 2)])],
    ['MaxPool k3 s2 pads', model([1, 2, 9, 8], [one('MaxPool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1] })])],
    ['MaxPool 1D ceil_mode', model([1, 2, 10], [one('MaxPool', ['x'], { kernel_shape: [3], strides: [2], ceil_mode: 1 })])],
    ['MaxPool SAME_UPPER', model([1, 2, 7, 6], [one('MaxPool', ['x'], { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' })])],
    ['AveragePool pads', model([1, 3, 7, 7], [one('AveragePool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })])],
    ['AveragePool count_include_pad', model([1, 3, 7, 7], [one('AveragePool', ['x'], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 1, 1, 0], count_include_pad: 1 })])],
    ['AveragePool SAME_LOWER', model([1, 2, 5, 6], [one('AveragePool', ['x'], { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' })])],
    ['Add of two branches', model([1, 3, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['a'] }, { op: 'Sigmoid', inputs: ['x'], outputs: ['b'] }, one('Add', ['a', 'b'])])],
    ['Concat axis 1', model([1, 3, 4, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['a'] }, { op: 'Tanh', inputs: ['x'], outputs: ['b'] }, one('Concat', ['a', 'b', 'x'], { axis: 1 })])],
    ['Concat axis -1', model([2, 3, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['a'] }, one('Concat', ['a', 'x'], { axis: -1 })])],
    ['Pad opset 13', model([1, 2, 4, 5], [one('Pad', ['x', 'p'])], [ints('p', [0, 0, 1, 2, 0, 0, 3, 0])])],
    ['Pad opset 13 with constant 0', model([1, 2, 6], [one('Pad', ['x', 'p', 'c'])], [ints('p', [0, 0, 2, 0, 0, 1]), floats('c', [0]).dims.length ? { name: 'c', dims: [], data: [0] } : floats('c', [0])])],
    ['Pad opset 2 attribute', model([1, 2, 4, 5], [one('Pad', ['x'], { pads: [0, 0, 1, 1, 0, 0, 2, 0] })], [], 9)],
    ['Resize scales (half_pixel default)', model([1, 2, 3, 4], [one('Resize', ['x', '', 'sc'], { mode: 'nearest' })], [floats('sc', [1, 1, 2, 3])])],
    ['Resize sizes asymmetric floor', model([1, 2, 3, 4], [one('Resize', ['x', '', '', 'sz'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' })], [ints('sz', [1, 2, 6, 8])])],
    ['Resize opset 11 roi input', model([1, 1, 3, 3], [one('Resize', ['x', 'roi', 'sc'], { mode: 'nearest' })], [floats('roi', []), floats('sc', [1, 1, 2, 2])], 11)],
    ['Resize align_corners 3 → 6 (happens to repeat)', model([1, 1, 3, 3], [one('Resize', ['x', '', 'sc'], { mode: 'nearest', coordinate_transformation_mode: 'align_corners' })], [floats('sc', [1, 1, 2, 2])])],
    ['Resize 1D', model([1, 2, 5], [one('Resize', ['x', '', 'sc'], { mode: 'nearest' })], [floats('sc', [1, 1, 3])])],
    ['Upsample opset 9', model([1, 2, 3, 3], [one('Upsample', ['x', 'sc'], { mode: 'nearest' })], [floats('sc', [1, 1, 2, 2])], 9)],
    ['Gemm transB alpha beta', model([3, 5], [one('Gemm', ['x', 'w', 'c'], { transB: 1, alpha: 0.5, beta: 2 })], [init('w', [4, 5], 9), init('c', [4], 10)])],
    ['Gemm transA', model([5, 3], [one('Gemm', ['x', 'w', 'c'], { transA: 1 })], [init('w', [5, 4], 9), init('c', [4], 10)])],
    ['Gemm no bias', model([3, 5], [one('Gemm', ['x', 'w'])], [init('w', [5, 4], 11)])],
    ['Gemm bias (1, N)', model([2, 5], [one('Gemm', ['x', 'w', 'c'])], [init('w', [5, 3], 11), init('c', [1, 3], 12)])],
    ['MatMul + Add', model([2, 6], [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'fc' }, one('Add', ['m', 'b'], undefined, 'fc_bias')], [init('w', [6, 4], 13), init('b', [4], 14)])],
    ['MatMul rank 3 + Add (const first)', model([2, 3, 6], [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] }, one('Add', ['b', 'm'])], [init('w', [6, 4], 13), init('b', [1, 1, 4], 14)])],
    ['MatMul alone', model([2, 6], [one('MatMul', ['x', 'w'])], [init('w', [6, 4], 15)])],
    ['Conv + Add bias folded', model([1, 2, 5, 5], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, one('Add', ['c', 'b'])], [init('w', [3, 2, 3, 3], 16), init('b', [1, 3, 1, 1], 17)])],
    ['MatMul → Identity → Add bias, and a second reader of the MatMul (no bias folding)', model([2, 6], [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'fc' },
      { op: 'Identity', inputs: ['m'], outputs: ['m2'] },
      { op: 'Relu', inputs: ['m'], outputs: ['r'] },
      { op: 'Add', inputs: ['m2', 'b'], outputs: ['s'] },
      one('Add', ['s', 'r']),
    ], [init('w', [6, 4], 13), init('b', [4], 14)])],
    ['MatMul → Identity → Add bias (folded)', model([2, 6], [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'fc' },
      { op: 'Identity', inputs: ['m'], outputs: ['m2'] },
      one('Add', ['m2', 'b']),
    ], [init('w', [6, 4], 13), init('b', [4], 14)])],
    ['Mul by a per-channel constant (→ BatchNormalization)', model([1, 3, 4, 5], [one('Mul', ['x', 'k'])], [init('k', [1, 3, 1, 1], 21)])],
    ['Sub scalar, constant − x, Div by per-feature constant', model([2, 5], [
      { op: 'Sub', inputs: ['x', 'c0'], outputs: ['a'] },
      { op: 'Sub', inputs: ['c1', 'a'], outputs: ['b'] },
      one('Div', ['b', 'c2']),
    ], [{ name: 'c0', dims: [], data: [0.25] }, init('c1', [5], 22), init('c2', [1, 5], 23, 0.5, 2)])],
    ['x · scale + shift on the last axis of a rank-3 tensor (NXC BatchNormalization)', model([2, 3, 4], [
      { op: 'Mul', inputs: ['x', 'k'], outputs: ['m'] },
      one('Add', ['m', 'b']),
    ], [init('k', [4], 24), init('b', [4], 25)])],
    ['Add per-channel after Relu (not foldable)', model([1, 3, 4, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, one('Add', ['r', 'b'])], [init('b', [3, 1, 1], 26)])],
    ['Dropout (inference)', model([2, 3], [{ op: 'Dropout', inputs: ['x'], outputs: ['d'] }, one('Relu', ['d'])])],
    ['Constant weights', model([1, 2, 4, 4], [
      { op: 'Constant', inputs: [], outputs: ['w'], attrs: { value: { tensor: { dims: [3, 2, 2, 2], data: rnd([3, 2, 2, 2], 20).data } } } },
      { op: 'Constant', inputs: [], outputs: ['b'], attrs: { value: { tensor: { dims: [3], data: rnd([3], 21).data } } } },
      one('Conv', ['x', 'w', 'b']),
    ])],
  ];
  for (const [name, bytes] of cases) {
    it(name, async () => {
      await expectMatchesOrt(bytes, name.length);
    });
  }

  it('accepts nodes written out of topological order', async () => {
    await expectMatchesOrt(model([2, 6], [one('Sigmoid', ['r'], undefined, 'last'), { op: 'Relu', inputs: ['m'], outputs: ['r'], name: 'mid' }, { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'first' }], [init('w', [6, 4], 3)]).slice(), 2)
      .catch(async (e) => {
        // onnxruntime itself may refuse an unsorted graph; then check Tessera alone against the sorted model.
        if (e instanceof TesseraError) throw e;
        const sorted = model([2, 6], [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'first' }, { op: 'Relu', inputs: ['m'], outputs: ['r'], name: 'mid' }, one('Sigmoid', ['r'], undefined, 'last')], [init('w', [6, 4], 3)]);
        const unsorted = model([2, 6], [one('Sigmoid', ['r'], undefined, 'last'), { op: 'Relu', inputs: ['m'], outputs: ['r'], name: 'mid' }, { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'first' }], [init('w', [6, 4], 3)]);
        const x = randomTensor([2, 6], 5);
        expectClose(runImported(importOnnx(unsorted), { x }).y, (await runOrt(sorted, { x })).y);
      });
  });

  it('a tensor nobody produces is an error naming it', () => {
    expect(() => importOnnx(model([2, 6], [one('Add', ['x', 'ghost'], undefined, 'r')]))).toThrow(/"r" \(Add\): input "ghost" is used before any node produces it/);
  });

  it('keeps node names (unique) and folds MatMul + Add into one Dense', () => {
    const bytes = model([2, 6], [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'fc' },
      { op: 'Add', inputs: ['m', 'b'], outputs: ['a'], name: 'fc_bias' },
      { op: 'Relu', inputs: ['a'], outputs: ['r'], name: 'act' },
      one('Sigmoid', ['r'], undefined, 'act'),
    ], [init('w', [6, 4], 13), init('b', [4], 14)]);
    const imp = importOnnx(bytes);
    const nodes = imp.model.graph.nodes.map((n) => [n.name, n.type]);
    expect(nodes).toEqual([['x', 'Input'], ['fc', 'Dense'], ['act', 'ReLU'], ['act_2', 'Sigmoid']]);
    expect(imp.model.graph.nodes[1].params).toMatchObject({ units: 4, bias: true });
  });
});

describe('ONNX import: Conv and ConvTranspose attributes', () => {
  interface Cfg { rank: 1 | 2; transpose: boolean; attrs: Record<string, AttrValue | undefined>; cin: number; cout: number; k: number[]; group: number; bias: boolean; size: number[] }
  function convModel(c: Cfg, seed: number) {
    const wDims = c.transpose ? [c.cin, c.cout / c.group, ...c.k] : [c.cout, c.cin / c.group, ...c.k];
    const inits = [init('w', wDims, seed)];
    if (c.bias) inits.push(init('b', [c.cout], seed + 1));
    return model([1, c.cin, ...c.size], [one(c.transpose ? 'ConvTranspose' : 'Conv', c.bias ? ['x', 'w', 'b'] : ['x', 'w'], { ...c.attrs, group: c.group }, 'layer')], inits);
  }
  const r = seededRandom(2024);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const cfgs: Cfg[] = [];
  for (let i = 0; i < 48; i++) {
    const rank = (i % 2 === 0 ? 1 : 2) as 1 | 2;
    const transpose = i % 4 >= 2;
    const group = pick([1, 1, 2, 3]);
    const cin = group * pick([1, 2]);
    const cout = group * pick([1, 2, 3]);
    const k = Array.from({ length: rank }, () => pick([1, 2, 3, 4, 5]));
    const s = Array.from({ length: rank }, () => pick([1, 2, 3]));
    const d = Array.from({ length: rank }, () => pick([1, 1, 2]));
    const size = Array.from({ length: rank }, (_, a) => pick([4, 5, 7]) + (k[a] - 1) * d[a]);
    const mode = pick(['NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID', 'OUTPUT_SHAPE']);
    const attrs: Record<string, AttrValue | undefined> = { strides: s, dilations: d, kernel_shape: pick([k, undefined]) };
    if (mode === 'NOTSET') attrs.pads = [...k.map((kk) => Math.floor(r() * kk)), ...k.map((kk) => Math.floor(r() * kk))];
    else if (mode !== 'OUTPUT_SHAPE') attrs.auto_pad = mode;
    if (transpose) {
      const op = s.map((ss, a) => Math.floor(r() * Math.max(ss, d[a])));
      if (op.some((v) => v > 0) && mode !== 'VALID') attrs.output_padding = op;
      if (mode === 'OUTPUT_SHAPE') {
        // From the full output minus 2 up to stride − 1 beyond it (onnxruntime's limit; it also wants output_padding < stride).
        attrs.output_shape = size.map((n, a) => {
          const full = (n - 1) * s[a] + (k[a] - 1) * d[a] + 1;
          return Math.min(full + op[a] - 2 + Math.floor(r() * 4), full + s[a] - 1);
        });
        if (r() < 0.5) attrs.auto_pad = pick(['SAME_UPPER', 'SAME_LOWER', 'NOTSET']);
      }
      // onnxruntime rejects output_padding ≥ stride (PyTorch allows < max(stride, dilation)).
      if (attrs.output_padding) attrs.output_padding = op.map((v, a) => Math.min(v, s[a] - 1));
    } else if (mode === 'OUTPUT_SHAPE') attrs.auto_pad = 'SAME_UPPER';
    // onnxruntime's Conv does not support dilation with SAME_* auto_pad.
    if (!transpose && String(attrs.auto_pad).startsWith('SAME')) attrs.dilations = d.map(() => 1);
    cfgs.push({ rank, transpose, attrs, cin, cout, k, group, bias: r() < 0.6, size });
  }
  cfgs.forEach((c, i) => {
    it(`${c.transpose ? 'ConvTranspose' : 'Conv'}${c.rank}D ${JSON.stringify(c.attrs)} g${c.group} cin${c.cin} cout${c.cout} in${c.size}`, async () => {
      await expectMatchesOrt(convModel(c, 100 + i), i + 1);
    });
  });
});

describe('ONNX import: pooling attributes', () => {
  const r = seededRandom(77);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  for (let i = 0; i < 24; i++) {
    const rank = i % 2 === 0 ? 1 : 2;
    const op = i % 4 < 2 ? 'MaxPool' : 'AveragePool';
    const k = Array.from({ length: rank }, () => pick([1, 2, 3, 4]));
    const attrs: Record<string, AttrValue | undefined> = { kernel_shape: k, strides: Array.from({ length: rank }, () => pick([1, 2, 3])) };
    const mode = pick(['NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
    if (mode === 'NOTSET') attrs.pads = [...k.map((kk) => Math.floor(r() * kk)), ...k.map((kk) => Math.floor(r() * kk))];
    else attrs.auto_pad = mode;
    // onnxruntime computes negative SAME pads (and fails) when the kernel is smaller than the stride.
    if (mode.startsWith('SAME')) attrs.strides = (attrs.strides as number[]).map((s, a) => Math.min(s, k[a]));
    if (mode === 'NOTSET' && r() < 0.5) attrs.ceil_mode = 1;
    if (op === 'AveragePool' && r() < 0.5) attrs.count_include_pad = 1;
    const size = Array.from({ length: rank }, () => pick([5, 6, 7, 9]));
    it(`${op} ${rank}D ${JSON.stringify(attrs)} in ${size}`, async () => {
      await expectMatchesOrt(model([1, 3, ...size], [one(op, ['x'], attrs, 'pool')]), i + 1);
    });
  }
});

describe('ONNX import: models', () => {
  it('folds only what is safe: branches, outputs and non-layout ops keep their Transposes', async () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 6, 5, 2] }],
      outputs: [{ name: 'y' }, { name: 'side' }],
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['t0'], attrs: { perm: [0, 3, 1, 2] }, name: 't0' },
        { op: 'Conv', inputs: ['t0', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 1], pads: [1, 0, 1, 0] }, name: 'conv' },
        { op: 'Relu', inputs: ['c'], outputs: ['r'], name: 'relu' },
        { op: 'Sigmoid', inputs: ['c'], outputs: ['side'], name: 'side' },
        { op: 'Transpose', inputs: ['r'], outputs: ['t1'], attrs: { perm: [0, 2, 3, 1] }, name: 't1' },
        { op: 'Softmax', inputs: ['t1'], outputs: ['s'], attrs: { axis: -1 }, name: 'softmax' },
        { op: 'Transpose', inputs: ['s'], outputs: ['t2'], attrs: { perm: [0, 3, 1, 2] }, name: 't2' },
        { op: 'Transpose', inputs: ['t2'], outputs: ['t3'], attrs: { perm: [0, 2, 3, 1] }, name: 't3' },
        { op: 'Tanh', inputs: ['t3'], outputs: ['y'], name: 'tanh' },
      ],
      initializers: [init('w', [3, 2, 3, 1], 77)],
    });
    const imp = await expectMatchesOrt(bytes, 8);
    // conv has two readers: nothing folds around it; t2 → t3 cancel.
    expect(imp.model.graph.nodes.map((n) => n.name)).toEqual(['x', 't0', 'conv', 'relu', 'side', 't1', 'softmax', 'tanh']);
  });

  it('channels-last model wrapped in Transposes (tf2onnx style)', async () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'input_1', shape: ['N', 12, 10, 3] }],
      outputs: [{ name: 'out', shape: ['N', 24, 20, 4] }],
      nodes: [
        { op: 'Transpose', inputs: ['input_1'], outputs: ['t0'], attrs: { perm: [0, 3, 1, 2] }, name: 'conv2d/Conv2D__6' },
        { op: 'Conv', inputs: ['t0', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER', strides: [1, 1] }, name: 'conv2d/Conv2D' },
        { op: 'Relu', inputs: ['c1'], outputs: ['r1'], name: 'conv2d/Relu' },
        { op: 'Transpose', inputs: ['r1'], outputs: ['t1'], attrs: { perm: [0, 2, 3, 1] }, name: 'conv2d/Relu__9' },
        { op: 'Transpose', inputs: ['t1'], outputs: ['t2'], attrs: { perm: [0, 3, 1, 2] }, name: 'conv2d_transpose__12' },
        { op: 'ConvTranspose', inputs: ['t2', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, name: 'conv2d_transpose' },
        { op: 'Transpose', inputs: ['c2'], outputs: ['out'], attrs: { perm: [0, 2, 3, 1] }, name: 'conv2d_transpose__15' },
      ],
      initializers: [init('w1', [8, 3, 3, 3], 31), init('b1', [8], 32), init('w2', [8, 4, 3, 3], 33), init('b2', [4], 34)],
    });
    const imp = await expectMatchesOrt(bytes, 5);
    expect(imp.outputs[0].shape).toEqual([1, 24, 20, 4]);
    expect(imp.model.graph.nodes[0].params).toMatchObject({ shape: [1, 12, 10, 3], dataFormat: 'NXC' });
    expect(imp.diagnostics.some((d) => d.code === 'onnx-batch')).toBe(true);
    // The Transposes fold into channels-last layers.
    expect(imp.model.graph.nodes.map((n) => [n.name, n.type, n.params.dataFormat])).toEqual([
      ['input_1', 'Input', 'NXC'], ['conv2d/Conv2D', 'Conv2D', 'NXC'], ['conv2d/Relu', 'ReLU', undefined], ['conv2d_transpose', 'ConvTranspose2D', 'NXC'],
    ]);
    expect(imp.outputs[0].nodeId).toBe('conv2d_transpose');
    // Without folding, the Transposes stay and the result is the same.
    const kept = await expectMatchesOrt(bytes, 6, 1e-4, { foldTransposes: false });
    expect(kept.model.graph.nodes.filter((n) => n.type === 'Transpose')).toHaveLength(4);
  });

  for (const [label, chans] of [['channels scaled down 8×', [100, 64, 32, 16, 8, 3]], ['full size', [100, 512, 256, 128, 64, 3]]] as const)
  it(`DCGAN generator (${label}): 100×1×1 → 3×64×64`, async () => {
    const nodes: NodeSpec[] = [];
    const inits: TensorInit[] = [];
    let prev = 'z';
    for (let l = 0; l < 5; l++) {
      const [ci, co] = [chans[l], chans[l + 1]];
      inits.push(init(`w${l}`, [ci, co, 4, 4], 40 + l, -0.2, 0.2));
      const attrs = l === 0 ? { strides: [1, 1], pads: [0, 0, 0, 0] } : { strides: [2, 2], pads: [1, 1, 1, 1] };
      nodes.push({ op: 'ConvTranspose', inputs: [prev, `w${l}`], outputs: [`ct${l}`], attrs, name: `main.${l * 3}` });
      if (l < 4) {
        inits.push(init(`g${l}`, [co], 50 + l, 0.5, 1.5), init(`be${l}`, [co], 60 + l), init(`m${l}`, [co], 70 + l, -0.1, 0.1), init(`v${l}`, [co], 80 + l, 0.5, 1.5));
        nodes.push({ op: 'BatchNormalization', inputs: [`ct${l}`, `g${l}`, `be${l}`, `m${l}`, `v${l}`], outputs: [`bn${l}`], name: `main.${l * 3 + 1}` });
        nodes.push({ op: 'Relu', inputs: [`bn${l}`], outputs: [`r${l}`], name: `main.${l * 3 + 2}` });
        prev = `r${l}`;
      } else {
        nodes.push({ op: 'Tanh', inputs: [`ct${l}`], outputs: ['img'], name: 'main.13' });
      }
    }
    const bytes = buildOnnxModel({ inputs: [{ name: 'z', shape: [1, 100, 1, 1] }], outputs: [{ name: 'img', shape: [1, 3, 64, 64] }], nodes, initializers: inits });
    const imp = await expectMatchesOrt(bytes, 3);
    expect(imp.outputs[0].shape).toEqual([1, 3, 64, 64]);
    expect(imp.model.graph.nodes.filter((n) => n.type === 'ConvTranspose2D')).toHaveLength(5);
  });
});

describe('ONNX ConvTranspose conformance cases (onnx/docs/Operators.md)', () => {
  const x3 = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const ones = (n: number) => new Array<number>(n).fill(1);
  async function conformance(xShape: number[], x: number[], wDims: number[], w: number[], attrs: Record<string, AttrValue>, yShape: number[], y: number[]) {
    const bytes = model(xShape, [one('ConvTranspose', ['x', 'w'], attrs)], [{ name: 'w', dims: wDims, data: w }]);
    const feeds = { x: tensor(xShape, x) };
    const expected = tensor(yShape, y);
    const ort = await runOrt(bytes, feeds);
    expectClose(ort.y, expected, 1e-6);
    const got = runImported(importOnnx(bytes), feeds);
    expectClose(got.y, expected, 1e-6);
  }
  const twice = (a: number[]) => [...a, ...a];

  it('convtranspose', () =>
    conformance([1, 1, 3, 3], x3, [1, 2, 3, 3], ones(18), {}, [1, 2, 5, 5],
      twice([0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8])));

  it('convtranspose_1d', () => conformance([1, 1, 3], [0, 1, 2], [1, 2, 3], ones(6), {}, [1, 2, 5], twice([0, 1, 3, 3, 2])));

  const attrsY = twice([
    0, 0, 1, 1, 3, 2, 2, 0, 0, 0, 1, 1, 3, 2, 2, 0, 0, 0, 1, 1, 3, 2, 2, 0,
    3, 3, 7, 4, 9, 5, 5, 0, 3, 3, 7, 4, 9, 5, 5, 0, 3, 3, 7, 4, 9, 5, 5, 0,
    6, 6, 13, 7, 15, 8, 8, 0, 6, 6, 13, 7, 15, 8, 8, 0, 6, 6, 13, 7, 15, 8, 8, 0,
    0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  it('convtranspose_output_shape', () => conformance([1, 1, 3, 3], x3, [1, 2, 3, 3], ones(18), { strides: [3, 2], output_shape: [10, 8] }, [1, 2, 10, 8], attrsY));
  it('convtranspose_pad (output_padding)', () => conformance([1, 1, 3, 3], x3, [1, 2, 3, 3], ones(18), { strides: [3, 2], output_padding: [1, 1] }, [1, 2, 10, 8], attrsY));
  it('convtranspose_kernel_shape', () =>
    conformance([1, 1, 3, 3], x3, [1, 2, 3, 3], ones(18), { strides: [3, 2], output_shape: [10, 8], kernel_shape: [3, 3], output_padding: [1, 1] }, [1, 2, 10, 8], attrsY));

  it('convtranspose_pads', () =>
    conformance([1, 1, 3, 3], x3, [1, 2, 3, 3], ones(18), { strides: [3, 2], pads: [1, 2, 1, 2] }, [1, 2, 7, 3],
      twice([1, 1, 3, 1, 1, 3, 7, 4, 9, 7, 4, 9, 7, 4, 9, 13, 7, 15, 13, 7, 15])));

  it('convtranspose_dilations', () =>
    conformance([1, 1, 3, 3], [3, 8, 1, 9, 5, 7, 3, 2, 6], [1, 1, 2, 2], [7, 2, 1, 9], { dilations: [2, 2] }, [1, 1, 5, 5],
      [21, 56, 13, 16, 2, 63, 35, 67, 10, 14, 24, 22, 76, 76, 21, 9, 5, 88, 45, 63, 3, 2, 33, 18, 54]));

  it('convtranspose_autopad_same (SAME_UPPER)', () =>
    conformance([1, 1, 3, 3], x3, [1, 2, 3, 3], ones(18), { auto_pad: 'SAME_UPPER', strides: [2, 2] }, [1, 2, 6, 6],
      twice([0, 0, 1, 1, 3, 2, 0, 0, 1, 1, 3, 2, 3, 3, 8, 5, 12, 7, 3, 3, 7, 4, 9, 5, 9, 9, 20, 11, 24, 13, 6, 6, 13, 7, 15, 8])));

  it('convtranspose_group_2', () =>
    conformance([1, 2, 3, 3], [...x3, ...x3.map((v) => v + 9)], [2, 1, 3, 3], ones(18), { group: 2 }, [1, 2, 5, 5], [
      0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8,
      9, 19, 30, 21, 11, 21, 44, 69, 48, 25, 36, 75, 117, 81, 42, 27, 56, 87, 60, 31, 15, 31, 48, 33, 17,
    ]));

  // Two Conv cases of the same document, through the same path.
  async function convCase(xShape: number[], wDims: number[], attrs: Record<string, AttrValue>, yShape: number[], y: number[]) {
    const n = xShape.reduce((p, d) => p * d, 1);
    const bytes = model(xShape, [one('Conv', ['x', 'w'], attrs)], [{ name: 'w', dims: wDims, data: ones(wDims.reduce((p, d) => p * d, 1)) }]);
    const feeds = { x: tensor(xShape, Array.from({ length: n }, (_, i) => i)) };
    expectClose((await runOrt(bytes, feeds)).y, tensor(yShape, y), 1e-6);
    expectClose(runImported(importOnnx(bytes), feeds).y, tensor(yShape, y), 1e-6);
  }
  it('conv_with_autopad_same (SAME_LOWER)', () =>
    convCase([1, 1, 5, 5], [1, 1, 3, 3], { auto_pad: 'SAME_LOWER', kernel_shape: [3, 3], strides: [2, 2] }, [1, 1, 3, 3], [12, 27, 24, 63, 108, 81, 72, 117, 84]));
  it('conv_with_strides_padding', () =>
    convCase([1, 1, 7, 5], [1, 1, 3, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }, [1, 1, 4, 3], [12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124]));

  it.skip('convtranspose_3d: 3D convolutions are not supported by Tessera (import gives an error instead)', () => {});
  it('convtranspose_3d gives an error naming the node', () => {
    const bytes = model([1, 1, 3, 4, 5], [one('ConvTranspose', ['x', 'w'], {}, 'deconv3d')], [init('w', [1, 2, 3, 3, 3], 1)]);
    expect(() => importOnnx(bytes)).toThrow(/"deconv3d" \(ConvTranspose\).*3 spatial axes/);
  });
});

describe('ONNX import: errors name the op, attribute and node', () => {
  const err = (bytes: Uint8Array): string => {
    try {
      importOnnx(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(TesseraError);
      return (e as Error).message;
    }
    throw new Error('import succeeded');
  };
  it('unsupported op', () => {
    expect(err(model([1, 4], [one('Erf', ['x'], undefined, 'my_erf')]))).toMatch(/ONNX node "my_erf" \(Erf\): op "Erf" is not supported.*supported ops: Conv, ConvTranspose/);
  });
  it('unsupported attribute values', () => {
    expect(err(model([1, 2, 3, 3], [one('Resize', ['x', '', 'sc'], { mode: 'cubic' }, 'up')], [floats('sc', [1, 1, 2, 2])]))).toMatch(/"up" \(Resize\): mode "cubic" is not supported/);
    expect(err(model([1, 2, 3, 3], [one('Resize', ['x', '', 'sc'], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }, 'up')], [floats('sc', [1, 1, 2, 2])]))).toMatch(/"up" \(Resize\): linear resize with coordinate_transformation_mode "asymmetric" is not supported/);
    expect(err(model([1, 2, 3, 3], [one('Resize', ['x', '', 'sc'], { mode: 'nearest' }, 'up')], [floats('sc', [1, 1, 1.5, 2])]))).toMatch(/"up" \(Resize\).*not positive integers/);
    expect(err(model([1, 2, 3, 3], [one('Resize', ['x', '', 'sc'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric' }, 'up')], [floats('sc', [1, 1, 3, 3])]))).toMatch(/"up" \(Resize\).*"asymmetric".*"round_prefer_floor" by 3 does not repeat/);
    expect(err(model([1, 2, 3, 3], [one('Resize', ['x', '', 'sc'], { mode: 'nearest', coordinate_transformation_mode: 'tf_crop_and_resize' }, 'up')], [floats('sc', [1, 1, 2, 2])]))).toMatch(/"up" \(Resize\).*tf_crop_and_resize/);
    expect(err(model([1, 2, 3, 3], [one('BatchNormalization', ['x', 'g', 'b', 'm', 'v'], { training_mode: 1 }, 'bn')], ['g', 'b', 'm', 'v'].map((n, i) => init(n, [2], i + 1, 0.5, 1))))).toMatch(/"bn" \(BatchNormalization\): training_mode = 1/);
    expect(err(model([1, 2, 4], [one('Pad', ['x', 'p'], { mode: 'reflect' }, 'pad')], [ints('p', [0, 0, 1, 0, 0, 1])]))).toMatch(/"pad" \(Pad\): mode "reflect"/);
    expect(err(model([3, 5], [one('Gemm', ['x', 'w', 'c'], {}, 'fc')], [init('w', [5, 4], 1), init('c', [3, 4], 2)]))).toMatch(/"fc" \(Gemm\): bias C has shape \[3, 4\]; Tessera supports one bias value per output/);
    expect(err(model([1, 2, 5], [one('MaxPool', ['x'], { kernel_shape: [2], dilations: [2] }, 'pool')]))).toMatch(/"pool" \(MaxPool\): dilations \[2\]/);
    expect(err(model([1, 2, 5], [one('Add', ['x', 'c'], undefined, 'shift')], [init('c', [1, 2, 5], 1)]))).toMatch(/"shift" \(Add\): the constant of shape \[1, 2, 5\] is not one value per channel/);
    expect(err(model([1, 2, 5, 3], [one('Mul', ['x', 'c'], undefined, 'scale')], [init('c', [5, 1], 1)]))).toMatch(/"scale" \(Mul\): the constant of shape \[5, 1\] is not one value per channel/);
  });
  it('Softmax before opset 13 over a middle axis', () => {
    expect(err(model([2, 3, 2, 4], [one('Softmax', ['x'], { axis: 2 }, 'sm')], [], 11))).toMatch(/"sm" \(Softmax\): Softmax before opset 13 with axis 2/);
  });
  it('unknown attribute', () => {
    expect(err(model([1, 2, 5], [one('Conv', ['x', 'w'], { kernel_shape: [3], fancy_mode: 1 }, 'c1')], [init('w', [2, 2, 3], 1)]))).toMatch(/"c1" \(Conv\): attribute "fancy_mode" is not supported/);
  });
  it('a used second output', () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 2, 6] }], outputs: [{ name: 'y' }, { name: 'idx' }],
      nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y', 'idx'], attrs: { kernel_shape: [2] }, name: 'mp' }],
    });
    expect(err(bytes)).toMatch(/"mp" \(MaxPool\): output 1 \("idx"\) is used/);
  });
  it('not an ONNX file', () => {
    expect(err(new TextEncoder().encode('{"this": "is json"}'))).toMatch(/not an ONNX model/);
    expect(err(new Uint8Array([1, 2, 3, 4, 5]))).toMatch(/not an ONNX model/);
  });
});

describe('ONNX import: shape arithmetic on constants is folded', () => {
  it('PyTorch x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape', async () => {
    const bytes = model([1, 4, 3, 3], [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: 'conv' },
      { op: 'Relu', inputs: ['c'], outputs: ['r'], name: 'relu' },
      { op: 'Shape', inputs: ['r'], outputs: ['s'] },
      { op: 'Constant', inputs: [], outputs: ['zero'], attrs: { value: { tensor: { dims: [], data: [0], dtype: 'int64' } } } },
      { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n', 'ax0'], outputs: ['n1'] },
      { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['r', 'target'], outputs: ['f'], name: 'flatten' },
      { op: 'Gemm', inputs: ['f', 'fc', 'fcb'], outputs: ['y'], attrs: { transB: 1 }, name: 'fc' },
    ], [init('w', [5, 4, 3, 3], 1), ints('ax0', [0]), ints('minus1', [-1]), init('fc', [3, 45], 2), init('fcb', [3], 3)]);
    const imp = await expectMatchesOrt(bytes, 4);
    expect(imp.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'ReLU', 'Reshape', 'Dense']);
  });

  it('Resize sizes computed from Shape → Slice → Mul → Cast → Concat', async () => {
    const bytes = model([1, 2, 3, 4], [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Slice', inputs: ['s', 'st0', 'en2'], outputs: ['nc'] },
      { op: 'Slice', inputs: ['s', 'st2', 'en4'], outputs: ['hw'] },
      { op: 'Cast', inputs: ['hw'], outputs: ['hwf'], attrs: { to: 1 } },
      { op: 'Mul', inputs: ['hwf', 'two'], outputs: ['hw2f'] },
      { op: 'Cast', inputs: ['hw2f'], outputs: ['hw2'], attrs: { to: 7 } },
      { op: 'Concat', inputs: ['nc', 'hw2'], outputs: ['sizes'], attrs: { axis: 0 } },
      one('Resize', ['x', '', '', 'sizes'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, 'up'),
    ], [ints('st0', [0]), ints('en2', [2]), ints('st2', [2]), ints('en4', [4]), floats('two', [2])]);
    const imp = await expectMatchesOrt(bytes, 5);
    expect(imp.model.graph.nodes.map((n) => [n.type, n.params.scale])).toEqual([['Input', undefined], ['UpSampling', [2, 2]]]);
  });

  it('arithmetic on computed data is an error naming the op', () => {
    expect(() => importOnnx(model([1, 4], [one('Mul', ['x', 'x'], undefined, 'square')]))).toThrow(/"square" \(Mul\): Mul of two computed tensors is not supported/);
    expect(() => importOnnx(model([1, 4], [one('Div', ['k', 'x'], undefined, 'inv')], [floats('k', [2])]))).toThrow(/"inv" \(Div\): a constant divided by computed data is not supported/);
    // (A Slice of computed data on spatial axes is a Cropping: engine/interop/onnx/cropping.test.ts.)
    expect(() => importOnnx(model([1, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, one('Slice', ['r', 's', 'e', 'a'], undefined, 'cut')], [ints('s', [0]), ints('e', [2]), ints('a', [1])]))).toThrow(/"cut" \(Slice\): Slice on the batch or channel axis of computed data/);
  });
});

describe('ONNX import: damaged files', () => {
  it('truncated or corrupted bytes give a TesseraError (or a valid import), never another exception', () => {
    const good = model([1, 2, 6, 6], [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: 'conv' },
      { op: 'BatchNormalization', inputs: ['c', 'g', 'be', 'm', 'v'], outputs: ['n'], name: 'bn' },
      { op: 'Relu', inputs: ['n'], outputs: ['r'] },
      { op: 'Flatten', inputs: ['r'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'fc', 'fcb'], outputs: ['y'], attrs: { transB: 1 } },
    ], [init('w', [3, 2, 3, 3], 1), init('b', [3], 2), init('g', [3], 3), init('be', [3], 4), init('m', [3], 5), init('v', [3], 6, 0.5, 1), init('fc', [4, 108], 7), init('fcb', [4], 8)]);
    const r = seededRandom(99);
    let errors = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = good.slice(0, trial % 3 === 0 ? Math.floor(r() * good.length) : good.length);
      const flips = trial % 3 === 0 ? 0 : 1 + Math.floor(r() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      try {
        importOnnx(bytes);
      } catch (e) {
        if (!(e instanceof TesseraError)) throw new Error(`trial ${trial}: ${(e as Error).stack}`);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});
