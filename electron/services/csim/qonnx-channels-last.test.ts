// A QONNX channels-last model (qonnx.custom_op.channels_last Conv / MaxPool on NHWC data, Resize and Concat on
// that layout, a requantization Quant → Quant, every tensor quantized) imported and built in io_stream: the g++
// C simulation equals the engine's fixed-point run bit for bit, and the engine's run equals onnxruntime running
// the graph as QONNX executes it (channels-last ops between Transposes, Quant as Div/Round/Clip/Mul).
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig } from '../../../engine/hls/config';
import { fixedValues } from '../../../engine/fixed/tensor';
import { randomTensor, type Tensor } from '../../../engine/tensor/tensor';
import { buildOnnxModel, decodeModelProto, encodeModelProto, type NodeSpec, type TensorInit } from '../../../engine/interop/onnx/proto';
import { runOrt } from '../../../engine/interop/onnx/oracle.testutil';
import { importQonnx } from '../../../engine/interop/qonnx/import';
import { qonnxAsStandardOnnx } from '../../../engine/interop/qonnx/channels-last.testutil';
import { csimMatchesEngine, type CsimProject } from './graph.testutil';

const CL = 'qonnx.custom_op.channels_last';
let k = 0;
/** A Quant node (scale 2^-frac, bits) and its constants. */
function quant(x: string, y: string, frac: number, bits: number): { node: NodeSpec; inits: TensorInit[] } {
  k++;
  return {
    node: { op: 'Quant', domain: 'qonnx.custom_op.general', name: `q_${y}`, inputs: [x, `s${k}`, `z${k}`, `b${k}`], outputs: [y], attrs: { signed: 1, narrow: 0, rounding_mode: 'ROUND' } },
    inits: [{ name: `s${k}`, dims: [], data: [2 ** -frac] }, { name: `z${k}`, dims: [], data: [0] }, { name: `b${k}`, dims: [], data: [bits] }],
  };
}
const w = (name: string, dims: number[], seed: number): TensorInit => ({ name, dims, data: randomTensor(dims, seed, -1, 1).data });

const qs = [
  quant('x', 'xq', 4, 8), quant('W1', 'W1q', 5, 8), quant('c1', 'c1q', 3, 10), quant('W2', 'W2q', 5, 6), quant('B2', 'B2q', 6, 10),
  quant('l1', 'l1q', 4, 8), quant('k1', 'k1a', 3, 9), quant('k1a', 'k1b', 2, 6), quant('W3', 'W3q', 4, 6), quant('y0', 'y', 4, 12),
];
const bytes = buildOnnxModel({
  inputs: [{ name: 'x', shape: [1, 8, 6, 3] }],
  outputs: [{ name: 'y' }],
  opset: 17,
  initializers: [w('W1', [3, 3, 3, 1], 1), w('W2', [8, 1, 1, 3], 2), w('B2', [8], 3), w('W3', [2, 1, 1, 16], 4), { name: 'sc', dims: [4], data: [1, 2, 2, 1] }, ...qs.flatMap((q) => q.inits)],
  nodes: [
    ...qs.slice(0, 2).map((q) => q.node),
    { op: 'Conv', domain: CL, name: 'dw', inputs: ['xq', 'W1q'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 3 } },
    ...qs.slice(2, 5).map((q) => q.node),
    { op: 'Conv', domain: CL, name: 'pw', inputs: ['c1q', 'W2q', 'B2q'], outputs: ['c2'], attrs: { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 } },
    { op: 'LeakyRelu', name: 'act', inputs: ['c2'], outputs: ['l1'], attrs: { alpha: 0.1015625 } },
    qs[5].node,
    { op: 'MaxPool', domain: CL, name: 'pool', inputs: ['l1q'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 } },
    { op: 'Resize', name: 'up', inputs: ['p1', '', 'sc'], outputs: ['r1'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } },
    { op: 'Concat', name: 'skip', inputs: ['r1', 'l1q'], outputs: ['k1'], attrs: { axis: -1 } },
    qs[6].node, qs[7].node, qs[8].node,
    { op: 'Conv', domain: CL, name: 'head', inputs: ['k1b', 'W3q'], outputs: ['y0'], attrs: { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 } },
    qs[9].node,
  ],
});

const top = 'qonnx_cl_str';
const imported = importQonnx(bytes);
const project: CsimProject = { top, model: imported.model as Model, cfg: defaultHlsConfig({ io: 'io_stream', top, testImages: 2, layers: imported.config.layers }) };

describe('QONNX channels-last model with a requantization in io_stream: g++ csim bit-exact, engine = onnxruntime', () => {
  const gens = csimMatchesEngine('tessera-qonnx-cl-', [project], { distinct: 10 });

  it('imports as NXC layers, the requantization as a Linear cast', () => {
    const nodes = imported.model.graph.nodes;
    expect(nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'Conv2D', 'LeakyReLU', 'MaxPool', 'UpSampling', 'Concatenate', 'Linear', 'Conv2D']);
    for (const n of nodes) if ('dataFormat' in n.params) expect(n.params.dataFormat, n.name).toBe('NXC');
  });

  it('the engine fixed-point output equals onnxruntime on the quantized graph (first test image)', async () => {
    const g = gens[top];
    const x = g.inputs.x;
    const one: Tensor = { shape: [1, ...x.shape.slice(1)], data: x.data.slice(0, x.data.length / x.shape[0]) };
    const want = (await runOrt(encodeModelProto(qonnxAsStandardOnnx(decodeModelProto(bytes), { activationQuant: true })), { x: one })).y;
    const out = Object.values(g.sim!.outputs)[0];
    const got = Array.from(fixedValues(out)).slice(0, want.data.length);
    expect(got.map((v) => v + 0)).toEqual(Array.from(want.data, (v) => v + 0));
  });
});
