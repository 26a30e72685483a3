// The app's import channel returns the per-layer precisions a quantized model carries (QONNX Quant
// nodes) on the returned graph's nodes, so pasting the graph keeps them as the layers' precisions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildOnnxModel, type NodeSpec, type TensorInit } from '../../engine/interop/onnx/proto';
import { seededRandom } from '../../engine/tensor/tensor';
import type { AppServices } from './services';
import { closeTempServices, openTempServices, type TempServices } from './services.testutil';

let temp: TempServices;
let services: AppServices;
beforeEach(() => {
  temp = openTempServices('tessera-api-qonnx-');
  services = temp.services;
});
afterEach(() => closeTempServices(temp));

const QDOMAIN = 'qonnx.custom_op.general';
/** Quant(x) → y with a scalar scale, zero point 0 and the given bit width. */
function quant(x: string, y: string, scale: number, bits: number, signed = 1): { node: NodeSpec; inits: TensorInit[] } {
  return {
    node: { op: 'Quant', domain: QDOMAIN, name: `q_${y}`, inputs: [x, `${y}_s`, `${y}_z`, `${y}_b`], outputs: [y], attrs: { signed, narrow: 0, rounding_mode: 'ROUND' } },
    inits: [{ name: `${y}_s`, dims: [], data: [scale] }, { name: `${y}_z`, dims: [], data: [0] }, { name: `${y}_b`, dims: [], data: [bits] }],
  };
}

/** Values on a 2^-5 grid in [-0.9, 0.7), from a seed. */
function grid(n: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Math.round((-0.9 + 1.6 * r()) * 32) / 32);
}

function qonnxBytes(): Uint8Array {
  const qx = quant('x', 'xq', 2 ** -3, 7);
  const qw = quant('W', 'Wq', 2 ** -5, 6);
  const qy = quant('y', 'yq', 2 ** -2, 9);
  return buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 2, 5, 4] }],
    outputs: [{ name: 'yq', shape: [1, 3, 5, 4] }],
    nodes: [qx.node, qw.node, { op: 'Conv', name: 'mix', inputs: ['xq', 'Wq'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }, qy.node],
    initializers: [{ name: 'W', dims: [3, 2, 3, 3], data: grid(54, 11) }, ...qx.inits, ...qw.inits, ...qy.inits],
  });
}

describe('onnx.import channel with QONNX files', () => {
  it('returns the per-layer precisions on the nodes of the graph; a plain ONNX model has none', async () => {
    const r = await services.invoke('onnx.import', { fileName: 'q.onnx', bytesBase64: Buffer.from(qonnxBytes()).toString('base64') });
    const conv = r.graph.nodes.find((n) => n.type === 'Conv2D')!;
    expect(conv.name).toBe('mix');
    // 6-bit weights at scale 2^-5: 5 fraction bits, 1 integer bit; output 9 bits at 2^-2.
    expect(conv.precision!.weight_t).toBe('ap_fixed<6,1>');
    expect(conv.precision!.result_t).toMatch(/^ap_fixed<9,7/);
    const input = r.graph.nodes.find((n) => n.type === 'Input')!;
    expect(input.precision!.result_t).toMatch(/^ap_fixed<7,4/);

    const plain = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 2, 5, 4] }],
      outputs: [{ name: 'y', shape: [1, 3, 5, 4] }],
      nodes: [{ op: 'Conv', name: 'mix', inputs: ['x', 'W'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }],
      initializers: [{ name: 'W', dims: [3, 2, 3, 3], data: grid(54, 12) }],
    });
    const p = await services.invoke('onnx.import', { fileName: 'p.onnx', bytesBase64: Buffer.from(plain).toString('base64') });
    expect(p.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D']);
    expect(p.graph.nodes.map((n) => n.precision)).toEqual([undefined, undefined]);
  });
});
