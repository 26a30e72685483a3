import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildOnnxModel, decodeModelProto, tensorProtoValues, makeTensorProto, OnnxDataType } from './proto';
import { randomTensor } from '../../tensor/tensor';

describe('ONNX protobuf', () => {
  it('builds a model onnxruntime runs, and decodes it back', async () => {
    const w = randomTensor([3, 4], 11);
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y', shape: [2, 4] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'], name: 'mm' },
        { op: 'LeakyRelu', inputs: ['m'], outputs: ['y'], name: 'act', attrs: { alpha: 0.25 } },
      ],
      initializers: [{ name: 'w', dims: [3, 4], data: w.data }],
    });
    const x = randomTensor([2, 3], 12);
    const session = await ort.InferenceSession.create(bytes);
    const out = (await session.run({ x: new ort.Tensor('float32', x.data, [2, 3]) })).y.data as Float32Array;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += x.data[i * 3 + k] * w.data[k * 4 + j];
        const e = s >= 0 ? s : 0.25 * s;
        expect(out[i * 4 + j]).toBeCloseTo(e, 5);
      }
    const m = decodeModelProto(bytes);
    expect(m.opsetImport?.[0].version).toBe(13);
    expect(m.graph?.node?.map((n) => n.opType)).toEqual(['MatMul', 'LeakyRelu']);
    expect(m.graph?.node?.[1].attribute?.[0].f).toBeCloseTo(0.25);
    expect(m.graph?.input?.[0].type?.tensorType?.shape?.dim?.map((d) => d.dimValue)).toEqual([2, 3]);
    const init = tensorProtoValues(m.graph!.initializer![0]);
    expect(init.dims).toEqual([3, 4]);
    expect(Float32Array.from(init.values)).toEqual(w.data);
  });

  it('reads float_data and int64_data tensors', () => {
    expect([...tensorProtoValues({ dims: [3], dataType: OnnxDataType.FLOAT, floatData: [1.5, -2, 3] }).values]).toEqual([1.5, -2, 3]);
    expect([...tensorProtoValues({ dims: [2], dataType: OnnxDataType.INT64, int64Data: [-1, 7] }).values]).toEqual([-1, 7]);
    expect([...tensorProtoValues(makeTensorProto({ name: 's', dims: [2], data: [-5, 9], dtype: 'int64' })).values]).toEqual([-5, 9]);
    expect(() => tensorProtoValues({ name: 'w', dims: [4], dataType: OnnxDataType.FLOAT, floatData: [1] })).toThrow(/"w".*needs 4/);
  });

  it('rejects bytes that are not protobuf', () => {
    expect(() => decodeModelProto(new TextEncoder().encode('hello, this is not an onnx model at all'))).toThrow();
  });
});
