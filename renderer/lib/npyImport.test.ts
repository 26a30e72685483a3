import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../engine/interop/npy';
import { randomTensor } from '../../engine/tensor/tensor';
import { expectedShape, importNpyWeight, layoutChoices } from './npyImport';

const convSlot = { name: 'weight', shape: [5, 3, 2, 4], layout: 'OIX (Cout, Cin/g, kh, kw)' };

describe('importNpyWeight', () => {
  it('reads a Keras/TF (kh, kw, Cin, Cout) conv kernel into canonical OIX by index', () => {
    const keras = randomTensor([2, 4, 3, 5], 11);
    const r = importNpyWeight(writeNpy(keras), 'k.npy', 'Conv2D', 'conv1', convSlot, 'keras');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tensor.shape).toEqual([5, 3, 2, 4]);
    for (let o = 0; o < 5; o++)
      for (let i = 0; i < 3; i++)
        for (let y = 0; y < 2; y++)
          for (let x = 0; x < 4; x++) expect(r.tensor.data[((o * 3 + i) * 2 + y) * 4 + x]).toBe(keras.data[((y * 4 + x) * 3 + i) * 5 + o]);
  });

  it('takes PyTorch ConvTranspose (Cin, Cout, k) as is, and a Dense PyTorch (units, in) transposed', () => {
    const w = randomTensor([6, 2, 3, 3], 5);
    const r = importNpyWeight(writeNpy(w), 'w.npy', 'ConvTranspose2D', 'up', { name: 'weight', shape: [6, 2, 3, 3], layout: 'IOX' }, 'pytorch');
    expect(r.ok && Array.from(r.tensor.data)).toEqual(Array.from(w.data));
    const d = randomTensor([4, 7], 9); // (units, in)
    const rd = importNpyWeight(writeNpy(d), 'd.npy', 'Dense', 'fc', { name: 'weight', shape: [7, 4], layout: 'IO (in, units)' }, 'pytorch');
    expect(rd.ok).toBe(true);
    if (rd.ok) {
      expect(rd.tensor.shape).toEqual([7, 4]);
      expect(rd.tensor.data[2 * 4 + 3]).toBe(d.data[3 * 7 + 2]);
    }
  });

  it('a shape that does not fit names the file, its shape, the needed shape in that layout and the fix', () => {
    const w = randomTensor([5, 3, 2, 4], 3); // PyTorch order, but the user says Keras
    const r = importNpyWeight(writeNpy(w), 'conv1_w.npy', 'Conv2D', 'conv1', convSlot, 'keras');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('conv1_w.npy has shape (5, 3, 2, 4)');
      expect(r.message).toContain('needs (2, 4, 3, 5)');
      expect(r.message).toContain('conv1');
      expect(r.message).toContain('pick the layout');
    }
    const bad = importNpyWeight(new Uint8Array([1, 2, 3]), 'junk.npy', 'Conv2D', 'conv1', convSlot, 'pytorch');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('junk.npy is not a .npy array');
  });

  it('offers every conv layout and computes the file shape for each', () => {
    const ids = layoutChoices('Conv2D', 'weight').map((c) => c.id);
    expect(ids).toContain('cudnnKRSC');
    expect(expectedShape('Conv2D', convSlot, 'cudnnKRSC')).toEqual([5, 2, 4, 3]);
    expect(layoutChoices('BatchNorm', 'gamma').map((c) => c.id)).toEqual(['as-is']);
  });
});
