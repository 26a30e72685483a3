// loadModelBytes dispatch: .onnx names are ONNX; otherwise zip → .keras, HDF5 → .h5, '{' → model JSON.
import { describe, expect, it } from 'vitest';
import { strToU8 } from 'fflate';
import { randomTensor } from '../tensor/tensor';
import { loadModelBytes, modelFileKind } from './load';
import { dense, keras2H5, keras3File, type ModelSpec } from './keras/writer.testutil';

const spec: ModelSpec = { kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 3] }], layers: [dense('d', { units: 2, activation: 'tanh' }, [randomTensor([3, 2], 1), randomTensor([2], 2)])] };

describe('loadModelBytes', () => {
  it('picks the kind from the bytes, and .onnx names are always ONNX', async () => {
    const k3 = await keras3File(spec);
    const h5 = await keras2H5(spec);
    expect(modelFileKind('m.bin', k3)).toBe('keras3');
    expect(modelFileKind('m.keras', h5)).toBe('h5');
    expect(modelFileKind('m', strToU8(' {"class_name": "Sequential"}'))).toBe('json');
    expect(modelFileKind('m.onnx', strToU8('{"graph": 1}'))).toBe('onnx');
    expect(modelFileKind('m', Uint8Array.of(8, 7, 18, 0))).toBe('onnx');
    const a = await loadModelBytes('m.bin', k3);
    const b = await loadModelBytes('m.h5', h5);
    expect([a.kind, b.kind]).toEqual(['keras3', 'h5']);
    expect(a.source).toMatch(/^Keras 3\.6\.0 \.keras, model 'sequential'$/);
    expect(a.freeBatchInputs).toEqual(['x']);
    expect(a.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Dense', 'Tanh']);
    const fixed = await loadModelBytes('m.keras', await keras3File({ ...spec, inputs: [{ name: 'x', shape: [2, 3] }] }));
    expect(fixed.freeBatchInputs).toEqual([]);
    expect(fixed.inputs[0].shape).toEqual([2, 3]);
    await expect(loadModelBytes('m.json', strToU8('{"class_name": "Sequential", "config": {"layers": []}}'))).rejects.toThrow(/without weights/);
  });
});
