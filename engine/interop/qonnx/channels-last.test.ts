// QONNX channels-last models (qonnx.custom_op.channels_last Conv / MaxPool / BatchNormalization on NHWC data,
// as QONNX's channels-last transformation writes them and hls4ml's QONNX tests read them). Our own small
// models, checked against the equivalent standard NCHW graph run by onnxruntime-node; with
// TESSERA_QONNX_MODELS=<folder> also the real *_ch_last.onnx files found there.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOnnxModel, decodeModelProto, encodeModelProto, type NodeSpec, type TensorInit } from '../onnx/proto';
import { runImported, runOrt } from '../onnx/oracle.testutil';
import { importQonnx } from './import';
import { loadModelBytes } from '../load';
import { getOp } from '../../ops/registry';
import { randomTensor, type Tensor } from '../../tensor/tensor';
import { simulateFixed } from '../../hls/simulate';
import { fixedValues } from '../../fixed/tensor';
import { TesseraError } from '../../diagnostics/diagnostics';
import { qonnxAsStandardOnnx } from './channels-last.testutil';

const CL = 'qonnx.custom_op.channels_last';
const QD = 'qonnx.custom_op.general';

/** Random values on the grid 2^-4 in [lo, hi] (unchanged by an 8-bit 2^-4 quantizer). */
const grid = (dims: number[], seed: number, lo = -1, hi = 1): Tensor => {
  const t = randomTensor(dims, seed, lo, hi);
  return { shape: t.shape, data: t.data.map((v) => Math.round(v * 16) / 16) };
};
const permute = (t: Tensor, perm: number[]): Tensor => getOp('Transpose')!.float({ perm }, [t], {}) as Tensor;
const toNHWC = (t: Tensor) => permute(t, [0, 2, 3, 1]);
const toNCHW = (t: Tensor) => permute(t, [0, 3, 1, 2]);
/** OIHW → (O, kH, kW, I): the channels-last weight layout. */
const toOHWI = toNHWC;
const init = (name: string, t: Tensor): TensorInit => ({ name, dims: t.shape, data: t.data });
const quant = (x: string, y: string, k: number): { node: NodeSpec; inits: TensorInit[] } => ({
  node: { op: 'Quant', domain: QD, name: `quant_${y}`, inputs: [x, `qs${k}`, `qz${k}`, `qb${k}`], outputs: [y], attrs: { signed: 1, narrow: 0, rounding_mode: 'ROUND' } },
  inits: [{ name: `qs${k}`, dims: [], data: [2 ** -4] }, { name: `qz${k}`, dims: [], data: [0] }, { name: `qb${k}`, dims: [], data: [8] }],
});

// Canonical (OIHW) weights of the small U-Net-like model.
const W1 = grid([3, 1, 3, 3], 1); // depthwise 3×3, group 3
const W2 = grid([8, 3, 1, 1], 2); // pointwise 3 → 8
const B2 = grid([8], 3);
const bn = { g: grid([8], 4, 0.5, 1.5), b: grid([8], 5), m: grid([8], 6), v: grid([8], 7, 0.25, 2) };
const W3 = grid([4, 16, 3, 3], 8); // 3×3, stride (2, 1), over the concatenation
const alpha = 0.1015625;

/**
 * The same network twice: 'standard' is NCHW with standard ONNX ops; 'channels-last' is NHWC with QONNX's
 * channels-last Conv / MaxPool / BatchNormalization, OHWI weights, Resize scales and Concat axis on NHWC,
 * and Quant nodes on the input and a weight (grid values: they do not change them).
 */
function unetLike(kind: 'standard' | 'channels-last'): Uint8Array {
  const cl = kind === 'channels-last';
  const d = cl ? { domain: CL } : {};
  const w = (t: Tensor) => (cl ? toOHWI(t) : t);
  const q1 = quant('x', 'xq', 1);
  const q2 = quant('W2', 'W2q', 2);
  const nodes: NodeSpec[] = [
    ...(cl ? [q1.node, q2.node] : []),
    { op: 'Conv', ...d, name: 'dw', inputs: [cl ? 'xq' : 'x', 'W1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 3 } },
    { op: 'Conv', ...d, name: 'pw', inputs: ['c1', cl ? 'W2q' : 'W2', 'B2'], outputs: ['c2'], attrs: { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 } },
    { op: 'LeakyRelu', name: 'act', inputs: ['c2'], outputs: ['l1'], attrs: { alpha } },
    { op: 'MaxPool', ...d, name: 'pool', inputs: ['l1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 } },
    { op: 'BatchNormalization', ...d, name: 'bn', inputs: ['p1', 'g', 'b', 'm', 'v'], outputs: ['b1'], attrs: { epsilon: 1e-3, momentum: 0.9 } },
    { op: 'Resize', name: 'up', inputs: ['b1', '', 'sc'], outputs: ['r1'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } },
    { op: 'Concat', name: 'skip', inputs: ['r1', 'l1'], outputs: ['k1'], attrs: { axis: cl ? -1 : 1 } },
    { op: 'Conv', ...d, name: 'head', inputs: ['k1', 'W3'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 } },
  ];
  return buildOnnxModel({
    inputs: [{ name: 'x', shape: cl ? [1, 6, 8, 3] : [1, 3, 6, 8] }],
    outputs: [{ name: 'y' }],
    nodes,
    initializers: [
      init('W1', w(W1)), init('W2', w(W2)), init('B2', B2), init('W3', w(W3)),
      init('g', bn.g), init('b', bn.b), init('m', bn.m), init('v', bn.v),
      { name: 'sc', dims: [4], data: cl ? [1, 2, 2, 1] : [1, 1, 2, 2] },
      ...(cl ? [...q1.inits, ...q2.inits] : []),
    ],
    opset: 17,
  });
}

const maxAbs = (a: Tensor, b: Tensor) => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);

describe('QONNX channels-last ops import (qonnx.custom_op.channels_last)', () => {
  it('a depthwise/pointwise Conv, LeakyReLU, MaxPool, BatchNormalization, Resize and Concat skip on NHWC data match the standard NCHW graph in onnxruntime', async () => {
    const r = importQonnx(unetLike('channels-last'));
    expect(r.inputs[0].shape).toEqual([1, 6, 8, 3]);
    expect(r.outputs[0].shape).toEqual([1, 3, 8, 4]);
    const nodes = r.model.graph.nodes;
    expect(nodes.find((n) => n.type === 'Input')!.params.dataFormat).toBe('NXC');
    for (const n of nodes) if ('dataFormat' in n.params) expect(n.params.dataFormat, n.name).toBe('NXC');
    expect(nodes.map((n) => n.type).sort()).toEqual(['BatchNormalization', 'Concatenate', 'Conv2D', 'Conv2D', 'Conv2D', 'Input', 'LeakyReLU', 'MaxPool', 'UpSampling']);
    const x = grid([1, 3, 6, 8], 11, -2, 2);
    const want = (await runOrt(unetLike('standard'), { x })).y;
    const got = runImported(r, { x: toNHWC(x) }).y;
    expect(got.shape).toEqual([1, 3, 8, 4]);
    const err = maxAbs(toNCHW(got), want);
    expect(err, `max abs error ${err}`).toBeLessThan(1e-5);
    // The weights really were read as channels-last: the same bytes read as OIHW give another result.
    expect(maxAbs(toNCHW(got), (await runOrt(unetLike('standard'), { x: grid([1, 3, 6, 8], 12, -2, 2) })).y)).toBeGreaterThan(1e-2);
  });

  it('QONNX wrapped in Transposes (NCHW graph input and output) folds into NCHW layers and matches onnxruntime', async () => {
    const nodes: NodeSpec[] = [
      { op: 'Transpose', name: 't_in', inputs: ['x'], outputs: ['xt'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Conv', domain: CL, name: 'conv', inputs: ['xt', 'W', 'B'], outputs: ['c'], attrs: { kernel_shape: [3, 3], strides: [1, 2], pads: [1, 0, 1, 1], dilations: [1, 1], group: 1 } },
      { op: 'BatchNormalization', domain: CL, name: 'bn', inputs: ['c', 'g', 'b', 'm', 'v'], outputs: ['n'], attrs: { epsilon: 1e-3 } },
      { op: 'Relu', name: 'relu', inputs: ['n'], outputs: ['r'] },
      { op: 'MaxPool', domain: CL, name: 'pool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Transpose', name: 't_out', inputs: ['p'], outputs: ['y'], attrs: { perm: [0, 3, 1, 2] } },
    ];
    const W = grid([5, 3, 3, 3], 21);
    const inits = [init('B', grid([5], 22)), init('g', grid([5], 23, 0.5, 1.5)), init('b', grid([5], 24)), init('m', grid([5], 25)), init('v', grid([5], 26, 0.25, 2))];
    const bytes = buildOnnxModel({ inputs: [{ name: 'x', shape: [1, 3, 7, 9] }], outputs: [{ name: 'y' }], nodes, initializers: [init('W', toOHWI(W)), ...inits], opset: 17 });
    const r = importQonnx(bytes);
    expect(r.model.graph.nodes.map((n) => n.type)).not.toContain('Transpose');
    for (const n of r.model.graph.nodes) if ('dataFormat' in n.params) expect(n.params.dataFormat, n.name).toBe('NCX');
    const standard = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 3, 7, 9] }], outputs: [{ name: 'y' }], opset: 17, initializers: [init('W', W), ...inits],
      nodes: nodes.slice(1, -1).map((n, i) => ({ ...n, domain: undefined, inputs: i === 0 ? ['x', ...n.inputs.slice(1)] : n.inputs, outputs: n.name === 'pool' ? ['y'] : n.outputs })),
    });
    const x = grid([1, 3, 7, 9], 27, -2, 2);
    const want = (await runOrt(standard, { x })).y;
    const got = runImported(r, { x }).y;
    expect(got.shape).toEqual(want.shape);
    expect(maxAbs(got, want)).toBeLessThan(1e-5);
  });

  it('1D (N, L, C): channels-last Conv (weight (Cout, k, Cin)), MaxPool and BatchNormalization match the standard NCL graph', async () => {
    const W = grid([4, 2, 3], 61); // (Cout, Cin, k)
    const Wcl = permute(W, [0, 2, 1]); // (Cout, k, Cin)
    const inits = [init('B', grid([4], 62)), init('g', grid([4], 63, 0.5, 1.5)), init('b', grid([4], 64)), init('m', grid([4], 65)), init('v', grid([4], 66, 0.25, 2))];
    const nodes = (cl: boolean): NodeSpec[] => [
      { op: 'Conv', ...(cl ? { domain: CL } : {}), name: 'conv', inputs: ['x', 'W', 'B'], outputs: ['c'], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1], dilations: [1], group: 1 } },
      { op: 'MaxPool', ...(cl ? { domain: CL } : {}), name: 'pool', inputs: ['c'], outputs: ['p'], attrs: { kernel_shape: [2], strides: [1] } },
      { op: 'BatchNormalization', ...(cl ? { domain: CL } : {}), name: 'bn', inputs: ['p', 'g', 'b', 'm', 'v'], outputs: ['y'], attrs: { epsilon: 1e-3 } },
    ];
    const cl = buildOnnxModel({ inputs: [{ name: 'x', shape: [1, 11, 2] }], outputs: [{ name: 'y' }], opset: 17, nodes: nodes(true), initializers: [init('W', Wcl), ...inits] });
    const std = buildOnnxModel({ inputs: [{ name: 'x', shape: [1, 2, 11] }], outputs: [{ name: 'y' }], opset: 17, nodes: nodes(false), initializers: [init('W', W), ...inits] });
    const r = importQonnx(cl);
    expect(r.model.graph.nodes.map((n) => [n.type, n.params.dataFormat])).toEqual([['Input', 'NXC'], ['Conv1D', 'NXC'], ['MaxPool', 'NXC'], ['BatchNormalization', 'NXC']]);
    const x = grid([1, 2, 11], 67, -2, 2);
    const want = (await runOrt(std, { x })).y;
    const got = runImported(r, { x: permute(x, [0, 2, 1]) }).y;
    expect(got.shape).toEqual([1, 5, 4]);
    expect(maxAbs(permute(got, [0, 2, 1]), want)).toBeLessThan(1e-5);
  });

  it('other ops of the domain, and channels-last weights that do not fit the input, are refused naming node, op and rule', () => {
    const relu = buildOnnxModel({ inputs: [{ name: 'x', shape: [1, 4, 4, 2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', domain: CL, name: 'r', inputs: ['x'], outputs: ['y'] }] });
    expect(() => importQonnx(relu)).toThrow(/ONNX node "r" \(Relu\): op "Relu" of domain "qonnx.custom_op.channels_last" is not supported; that domain's ops Tessera imports: Conv, MaxPool, BatchNormalization/);
    const other = buildOnnxModel({ inputs: [{ name: 'x', shape: [1, 4, 4, 2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Conv', domain: 'com.example', name: 'c', inputs: ['x'], outputs: ['y'] }] });
    expect(() => importQonnx(other)).toThrow(/op "Conv" of domain "com.example" is not supported/);
    // An OIHW weight given to a channels-last Conv: (4, 2, 3, 3) read as (Cout, kH, kW, Cin) has 3 input channels.
    const oihw = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 5, 5, 2] }], outputs: [{ name: 'y' }], initializers: [init('W', grid([4, 2, 3, 3], 31))],
      nodes: [{ op: 'Conv', domain: CL, name: 'c', inputs: ['x', 'W'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } }],
    });
    expect(() => importQonnx(oihw)).toThrow(TesseraError);
    expect(() => importQonnx(oihw)).toThrow(/kernel_shape \[3, 3\] differs from the weight's kernel \[2, 3\]/);
  });
});

describe('QONNX requantization (Quant → Quant, as in tiny_unet_ch_last)', () => {
  it('the outer Quant becomes a Linear (cast) layer: the fixed-point run equals onnxruntime on the quantized graph bit for bit (was refused: two types for one layer)', async () => {
    const q1 = quant('c', 'cq', 1); // 2^-4, 8 bits: ap_fixed<8,4>
    const q2 = { node: quant('cq', 'cqq', 2).node, inits: quant('cq', 'cqq', 2).inits.map((t) => (t.name === 'qs2' ? { ...t, data: [2 ** -2] } : { ...t, data: t.name === 'qb2' ? [5] : t.data })) }; // 2^-2, 5 bits
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 5, 6, 2] }], outputs: [{ name: 'y' }], opset: 17,
      initializers: [init('W', grid([3, 1, 1, 2], 51, -2, 2)), ...q1.inits, ...q2.inits],
      nodes: [{ op: 'Conv', domain: CL, name: 'conv', inputs: ['x', 'W'], outputs: ['c'], attrs: { kernel_shape: [1, 1] } }, q1.node, q2.node, { op: 'Relu', name: 'relu', inputs: ['cqq'], outputs: ['y'] }],
    });
    const r = importQonnx(bytes);
    const byName = Object.fromEntries(r.model.graph.nodes.map((n) => [n.name, n]));
    expect(r.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'Linear', 'ReLU']);
    expect(r.precisions[byName.conv.id].result_t).toBe('ap_fixed<8,4,AP_RND_CONV,AP_SAT>');
    expect(r.precisions[byName.quant_cqq.id].result_t).toBe('ap_fixed<5,3,AP_RND_CONV,AP_SAT>');
    expect(r.diagnostics.filter((d) => d.code.startsWith('qonnx'))).toEqual([]);
    // Values where rounding twice differs from rounding once (x·W on the 2^-6 grid, ties of both quantizers).
    const x: Tensor = { shape: [1, 5, 6, 2], data: Float32Array.from({ length: 60 }, (_, i) => ((i * 37) % 61 - 30) / 16) };
    const want = (await runOrt(encodeModelProto(qonnxAsStandardOnnx(decodeModelProto(bytes), { activationQuant: true })), { x })).y;
    const got = simulateFixed(r.model, { x }, r.config).outputs.relu;
    const plus0 = (v: number) => v + 0; // onnxruntime's Relu keeps −0
    expect(Array.from(fixedValues(got), plus0)).toEqual(Array.from(want.data, plus0));
    expect(new Set(want.data).size).toBeGreaterThan(4);
    // Rounding once (the outer quantizer alone, what a single layer type gives) differs on this input.
    const onceBytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 5, 6, 2] }], outputs: [{ name: 'y' }], opset: 17,
      initializers: [init('W', grid([3, 1, 1, 2], 51, -2, 2)), ...q2.inits],
      nodes: [{ op: 'Conv', domain: CL, name: 'conv', inputs: ['x', 'W'], outputs: ['c'], attrs: { kernel_shape: [1, 1] } }, { ...q2.node, inputs: ['c', ...q2.node.inputs.slice(1)] }, { op: 'Relu', name: 'relu', inputs: ['cqq'], outputs: ['y'] }],
    });
    const once = (await runOrt(encodeModelProto(qonnxAsStandardOnnx(decodeModelProto(onceBytes), { activationQuant: true })), { x })).y;
    expect(Array.from(once.data, plus0)).not.toEqual(Array.from(want.data, plus0));
  });
});

// Opt-in: the real models hls4ml's QONNX tests use (fastmachinelearning/example-models, onnx/*_ch_last.onnx; no
// license, so not in this repository): TESSERA_QONNX_MODELS=<folder holding them>.
const folder = process.env.TESSERA_QONNX_MODELS;
describe.skipIf(!folder)('QONNX channels-last: real models from TESSERA_QONNX_MODELS', () => {
  const files = folder && existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('_ch_last.onnx')).sort() : [];
  it('the folder holds *_ch_last.onnx models', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(`${f}: imports; float matches onnxruntime on the QONNX-executed graph; fixed point vs the quantized graph`, async () => {
      const bytes = new Uint8Array(readFileSync(join(folder!, f)));
      const loaded = await loadModelBytes(f, bytes);
      expect(Object.keys(loaded.precisions ?? {}).length).toBeGreaterThan(0);
      const r = importQonnx(bytes);
      const input = r.inputs[0];
      const x = grid(input.shape, 41, -1, 1);
      const proto = decodeModelProto(bytes);
      const floatRef = (await runOrt(encodeModelProto(qonnxAsStandardOnnx(proto, { activationQuant: false })), { [input.name]: x }))[r.outputs[0].name];
      const got = runImported(r, { [input.name]: x })[r.outputs[0].name];
      expect(got.shape).toEqual(floatRef.shape);
      const floatErr = maxAbs(got, floatRef);
      const quantRef = (await runOrt(encodeModelProto(qonnxAsStandardOnnx(proto, { activationQuant: true })), { [input.name]: x }))[r.outputs[0].name];
      const inputNode = r.model.graph.nodes.find((n) => n.id === input.nodeId)!;
      const fixedOut = simulateFixed(r.model, { [inputNode.name]: x }, r.config).outputs[r.model.graph.nodes.find((n) => n.id === r.outputs[0].nodeId)!.name];
      const fixed: Tensor = { shape: fixedOut.shape, data: Float32Array.from(fixedValues(fixedOut)) };
      const fixedErr = maxAbs(fixed, quantRef);
      let mismatches = 0;
      fixed.data.forEach((v, i) => (mismatches += v === quantRef.data[i] ? 0 : 1));
      const scale = quantRef.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      console.log(`${f}: ${r.model.graph.nodes.length} nodes (${[...new Set(r.model.graph.nodes.map((n) => n.type))].join(', ')}), input [${input.shape.join(', ')}], output [${got.shape.join(', ')}], `
        + `float max abs error ${floatErr.toExponential(2)} (outputs up to ${floatRef.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0).toFixed(3)}); `
        + `fixed vs quantized graph: max abs error ${fixedErr}, ${mismatches} of ${fixed.data.length} values differ (outputs up to ${scale}); warnings: ${r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code).join(', ') || 'none'}`);
      const floatScale = Math.max(1, floatRef.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
      expect(floatErr / floatScale).toBeLessThan(1e-5);
      expect(mismatches).toBe(0);
    }, 600_000);
  }
});
