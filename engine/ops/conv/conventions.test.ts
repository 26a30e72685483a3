// Convention adapters into canonical params (the numeric oracles are in oracle.test.ts for ONNX and
// keras.test.ts for Keras/TF; these pin down the mapping rules and the error messages).
import { describe, expect, it } from 'vitest';
import { fromKeras, fromOneDnn, fromOnnx, fromPyTorch, toOnnx } from './conventions';
import { resolveGeometry } from './params';
import { convOutputSize, convTransposeOutputSize } from './geometry';
import { referenceConv } from './reference';
import { randomTensor } from '../../tensor/tensor';

describe('PyTorch', () => {
  it('ConvTranspose2d(padding=p, output_padding=op): pb = pe = p, op as given, NCX', () => {
    const p = fromPyTorch(2, true, { outChannels: 8, kernelSize: [4, 3], stride: 2, padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2], groups: 2 });
    expect(p).toEqual({ filters: 8, kernel: [4, 3], stride: [2, 2], dilation: [1, 2], padsBegin: [1, 0], padsEnd: [1, 0], outputPadding: [1, 0], groups: 2, bias: true, dataFormat: 'NCX', autoPad: 'explicit' });
  });
  it("Conv padding='same' (stride 1): total d·(k−1), odd unit at the end; output size = input size", () => {
    const p = fromPyTorch(1, false, { outChannels: 2, kernelSize: 4, padding: 'same', dilation: 1 });
    expect([p.padsBegin, p.padsEnd]).toEqual([[1], [2]]);
    const q = fromPyTorch(2, false, { outChannels: 2, kernelSize: [4, 3], padding: 'same', dilation: [2, 1] });
    expect([q.padsBegin, q.padsEnd]).toEqual([[3, 1], [3, 1]]);
    const x = randomTensor([1, 3, 7, 5], 1);
    const y = referenceConv(x, randomTensor([2, 3, 4, 3], 2), null, resolveGeometry(q, [7, 5]));
    expect(y.shape).toEqual([1, 2, 7, 5]);
    expect(fromPyTorch(2, false, { outChannels: 2, kernelSize: 3, padding: 'valid' }).padsBegin).toEqual([0, 0]);
  });
  it('refuses what PyTorch refuses or what is not a zero-padded conv, naming the argument', () => {
    expect(() => fromPyTorch(1, false, { outChannels: 1, kernelSize: 3, stride: 2, padding: 'same' })).toThrow(/padding = 'same' needs stride 1/);
    expect(() => fromPyTorch(1, false, { outChannels: 1, kernelSize: 3, paddingMode: 'reflect' })).toThrow(/padding_mode = 'reflect'/);
    expect(() => fromPyTorch(1, false, { outChannels: 1, kernelSize: 3, outputPadding: 1 })).toThrow(/output_padding is a ConvTranspose argument/);
    expect(() => fromPyTorch(2, true, { outChannels: 1, kernelSize: [3, 3, 3] })).toThrow(/kernel_size = \[3, 3, 3\] has 3 values; this layer has 2 spatial axes/);
  });
});

describe('ONNX', () => {
  it('pads [begins…, ends…], group and filters from the weight shape', () => {
    const t = fromOnnx(true, { strides: [2, 3], pads: [1, 0, 2, 1], output_padding: [1, 2], dilations: [1, 1], group: 2 }, [4, 3, 3, 4], true);
    expect(t).toMatchObject({ filters: 6, kernel: [3, 4], padsBegin: [1, 0], padsEnd: [2, 1], outputPadding: [1, 2], groups: 2, bias: true });
    const c = fromOnnx(false, { auto_pad: 'SAME_LOWER' }, [5, 2, 3], false);
    expect(c).toMatchObject({ filters: 5, kernel: [3], autoPad: 'same_lower' });
  });
  it('toOnnx → fromOnnx is the identity on explicit params', () => {
    const p = fromPyTorch(2, true, { outChannels: 6, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 3 });
    expect(fromOnnx(true, toOnnx(p), [9, 2, 3, 2], true)).toEqual(p);
  });
  it('output_shape: total = (in−1)·s + op + k_eff − output_shape; refuses a larger output', () => {
    const p = fromOnnx(true, { strides: [2], output_shape: [10] }, [1, 1, 3], false, [5]);
    // (5−1)·2 + 3 − 10 = 1: odd unit at the begin (NOTSET), as onnxruntime
    expect([p.padsBegin, p.padsEnd]).toEqual([[1], [0]]);
    expect(convTransposeOutputSize(5, resolveGeometry(p, [5]), 0)).toBe(10);
    expect(() => fromOnnx(true, { strides: [2], output_shape: [12] }, [1, 1, 3], false, [5])).toThrow(/output_shape\[0\] = 12 is larger than the layer can produce \(11\)/);
    expect(() => fromOnnx(true, { strides: [2], output_shape: [10] }, [1, 1, 3], false)).toThrow(/needs the input size/);
  });
  it('rejects an unknown auto_pad and a kernel_shape that disagrees with the weight', () => {
    expect(() => fromOnnx(false, { auto_pad: 'SAME' }, [1, 1, 3], false)).toThrow(/auto_pad = 'SAME' is not one of/);
    expect(() => fromOnnx(false, { kernel_shape: [5] }, [1, 1, 3], false)).toThrow(/kernel_shape = \[5\] disagrees/);
  });
});

describe('Keras / TF', () => {
  it("Conv 'same' is same_upper (odd unit at the end), 'causal' pads k_eff−1 at the begin, channels_last → NXC", () => {
    const s = fromKeras(2, false, { filters: 4, kernelSize: 4, strides: 2, padding: 'same' });
    expect([s.autoPad, s.dataFormat]).toEqual(['same_upper', 'NXC']);
    const g = resolveGeometry(s, [9, 8]);
    expect([g.padsBegin, g.padsEnd]).toEqual([[1, 1], [2, 1]]);
    expect(convOutputSize(9, g, 0)).toBe(5);
    const c = fromKeras(1, false, { filters: 4, kernelSize: 3, dilationRate: 2, padding: 'causal' });
    expect([c.padsBegin, c.padsEnd]).toEqual([[4], [0]]);
  });
  it('ConvTranspose valid: out = in·s + max(k_eff − s, 0) (k < s via output padding)', () => {
    for (const [k, s] of [[1, 3], [2, 3], [3, 3], [5, 2]]) {
      const p = fromKeras(1, true, { filters: 1, kernelSize: k, strides: s, padding: 'valid' });
      expect(convTransposeOutputSize(6, resolveGeometry(p, [6]), 0)).toBe(6 * s + Math.max(k - s, 0));
    }
  });
  it('ConvTranspose explicit output_padding: out = (in−1)·s + k_eff − 2·pad + op, ⌊total/2⌋ cropped at the begin', () => {
    for (const padding of ['same', 'valid'] as const)
      for (const [k, s, op] of [[3, 2, 1], [4, 2, 1], [5, 3, 2], [2, 3, 2], [1, 2, 1], [3, 2, 0]]) {
        const p = fromKeras(1, true, { filters: 1, kernelSize: k, strides: s, padding, outputPadding: op, dilationRate: 1 });
        const pad = padding === 'same' ? Math.floor(k / 2) : 0;
        expect(convTransposeOutputSize(4, resolveGeometry(p, [4]), 0)).toBe(3 * s + k - 2 * pad + op);
        const total = 2 * pad - op;
        if (total >= 0) expect(p.padsBegin[0]).toBe(Math.floor(total / 2));
      }
  });
});

describe('oneDNN', () => {
  it('Graph API dilations (1 = none) and primitive API dilations (0 = none) give the same canonical d', () => {
    const a = fromOneDnn(true, { strides: [2, 2], pads_begin: [1, 0], pads_end: [0, 1], dilations: [2, 1], output_padding: [1, 0], groups: 2 }, [3, 3], 8, true);
    const b = fromOneDnn(true, { strides: [2, 2], pads_begin: [1, 0], pads_end: [0, 1], dilations: [1, 0], output_padding: [1, 0], groups: 2 }, [3, 3], 8, true, 'primitive');
    expect(a).toEqual(b);
    expect(a).toMatchObject({ dilation: [2, 1], padsBegin: [1, 0], padsEnd: [0, 1], outputPadding: [1, 0], groups: 2, dataFormat: 'NXC' });
    expect(fromOneDnn(false, { strides: [1], dilations: [0] }, [3], 4, false, 'primitive').dilation).toEqual([1]);
  });
  it('auto_pad maps to canonical autoPad; data_format NCX kept', () => {
    expect(fromOneDnn(false, { strides: [2], auto_pad: 'same_lower', data_format: 'NCX' }, [3], 4, false)).toMatchObject({ autoPad: 'same_lower', dataFormat: 'NCX' });
    expect(() => fromOneDnn(false, { strides: [2], auto_pad: 'bogus' as 'valid' }, [3], 4, false)).toThrow(/auto_pad = 'bogus'/);
  });
});
