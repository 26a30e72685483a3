// The tensor wire codec: every dtype decodes to the same float32 values the typed arrays hold, float32
// round-trips bit for bit, a short buffer is an error naming shape and sizes, and the store's Buffer-based
// base64 agrees with the codec's (the server encodes, the renderer decodes).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64ToBytes, bytesToBase64, tensorFromBytes, tensorFromJson, tensorToJson, weightsFromJson, weightsToJson } from './tensor-codec';
import { jsonToStored, storedToJson, storedToTensor, tensorToStored } from '../electron/services/store/tensors';

describe('tensor wire codec', () => {
  it('decodes each dtype little-endian into float32', () => {
    const cases = [
      ['float64', new Float64Array([1.5, -2.25, 1e-3])],
      ['int8', new Int8Array([-128, 0, 127])],
      ['uint8', new Uint8Array([0, 128, 255])],
      ['int16', new Int16Array([-32768, 5, 32767])],
      ['int32', new Int32Array([-(2 ** 31), 7, 2 ** 24])],
    ] as const;
    for (const [dtype, arr] of cases) {
      const bytes = new Uint8Array(arr.buffer);
      const t = tensorFromJson({ dtype, shape: [3], layout: '', dataBase64: bytesToBase64(bytes) });
      expect([...t.data], dtype).toEqual([...Float32Array.from(arr as ArrayLike<number>)]);
    }
  });

  it('round-trips float32 bit for bit, also from an unaligned byte offset', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 64 }), (xs) => {
        const t = { shape: [xs.length], data: Float32Array.from(xs) };
        const back = tensorFromJson(tensorToJson(t, 'O'));
        expect([...back.data].map((v) => Object.is(v, -0) ? '-0' : v)).toEqual([...t.data].map((v) => Object.is(v, -0) ? '-0' : v));
        const shifted = new Uint8Array(xs.length * 4 + 1);
        shifted.set(new Uint8Array(t.data.buffer), 1);
        expect([...tensorFromBytes('float32', [xs.length], shifted.subarray(1)).data]).toEqual([...t.data]);
      }),
    );
  });

  it('names shape, dtype and sizes when the bytes do not fit the shape', () => {
    expect(() => tensorFromBytes('int16', [2, 3], new Uint8Array(10))).toThrow('tensor of shape [2, 3] (int16) needs 12 bytes, got 10');
  });

  it('agrees with the store: Buffer base64 and btoa/atob are the same text and the same values', () => {
    const t = { shape: [2, 2], data: Float32Array.from([0.1, -3, 65504, 1e-8]) };
    const stored = tensorToStored(t, 'OI');
    const wire = storedToJson(stored);
    expect(wire).toEqual(tensorToJson(t, 'OI'));
    expect([...storedToTensor(jsonToStored(wire)).data]).toEqual([...t.data]);
    expect(base64ToBytes(wire.dataBase64)).toEqual(stored.data);
    const w = weightsFromJson(weightsToJson({ n1: { weight: t } }, (id, slot) => `${id}/${slot}`));
    expect([...w.n1.weight.data]).toEqual([...t.data]);
  });
});
