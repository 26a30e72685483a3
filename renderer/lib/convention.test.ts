import { describe, expect, it } from 'vitest';
import { convTranspose2dParams, conv2dParams, resolveGeometry } from '../../engine/ops/conv/params';
import { convTransposeOutputSize } from '../../engine/ops/conv/geometry';
import { detectConvention, explicitFrom, fromKeras, fromTorch, initialConvention, outputFormulas } from './convention';

describe('padding convention picker', () => {
  it('Keras same on a ConvTranspose k3 s2 crops 0 at the begin and 1 at the end (out = in·s)', () => {
    const p = fromKeras({ ...convTranspose2dParams.parse({}), kernel: [3, 3], stride: [2, 2] }, { padding: 'same' });
    expect(detectConvention(p)).toBe('keras');
    const g = resolveGeometry(p, [7, 5]);
    expect(g.padsBegin).toEqual([0, 0]);
    expect(g.padsEnd).toEqual([1, 1]);
    expect([0, 1].map((a) => convTransposeOutputSize([7, 5][a], g, a))).toEqual([14, 10]);
  });

  it('PyTorch padding=1, output_padding=1 crops 1 at each end and adds 1 (a different layer from Keras same)', () => {
    const p = fromTorch({ ...convTranspose2dParams.parse({}), kernel: [3, 3], stride: [2, 2] }, { padding: [1, 2], outputPadding: [1, 0] });
    expect(detectConvention(p)).toBe('pytorch');
    expect(p.padsBegin).toEqual([1, 2]);
    expect(p.padsEnd).toEqual([1, 2]);
    const f = outputFormulas(p, [7, 5], ['H', 'W']);
    // (7−1)·2 + 3 − 1 − 1 + 1 = 14 ; (5−1)·2 + 3 − 2 − 2 + 0 = 7
    expect(f.map((x) => x.out)).toEqual([14, 7]);
    expect(f[0].text).toContain('= 14');
  });

  it('explicit asymmetric pads are detected as explicit; Conv formula floors', () => {
    const p = { ...conv2dParams.parse({}), kernel: [3, 5], stride: [2, 3], padsBegin: [0, 1], padsEnd: [1, 2] };
    expect(detectConvention(p)).toBe('explicit');
    // ⌊(9+0+1−3)/2⌋+1 = 4 ; ⌊(11+1+2−5)/3⌋+1 = 4
    expect(outputFormulas(p, [9, 11], ['H', 'W']).map((x) => x.out)).toEqual([4, 4]);
  });

  it('explicit mode resolves auto pads for the input size, so the pads shown are the pads used', () => {
    const p = { ...conv2dParams.parse({}), kernel: [4, 3], stride: [2, 1], autoPad: 'same_upper' as const };
    const e = explicitFrom(p, [9, 6])!;
    expect(e.autoPad).toBe('explicit');
    // out = ⌈9/2⌉ = 5: total pad (5−1)·2 + 4 − 9 = 3 → 1 before, 2 after; W: k 3 s 1 → 1 / 1
    expect(e.padsBegin).toEqual([1, 1]);
    expect(e.padsEnd).toEqual([2, 1]);
    expect(outputFormulas(e, [9, 6], ['H', 'W']).map((x) => x.out)).toEqual(outputFormulas(p, [9, 6], ['H', 'W']).map((x) => x.out));
    expect(explicitFrom(p, null)).toBeNull();
    expect(explicitFrom(p, [9])).toBeNull();
    const already = { ...p, autoPad: 'explicit' as const };
    expect(explicitFrom(already, [9, 6])).toBe(already);
  });

  it('opens on the preferred convention of the project when it describes the layer, else on the one that does', () => {
    const fresh = convTranspose2dParams.parse({});
    // A new layer (zero pads) is valid in every convention: the project's choice wins (it opened on Keras).
    expect(initialConvention(fresh, 'pytorch')).toBe('pytorch');
    expect(initialConvention(fresh, 'keras')).toBe('keras');
    expect(initialConvention(fresh, 'explicit')).toBe('explicit');
    // Keras 'same' with k3 s2 crops 0 / 1 (asymmetric): no PyTorch padding gives it, it opens on Keras…
    const same = fromKeras({ ...fresh, kernel: [3, 3], stride: [2, 2] }, { padding: 'same' });
    expect(initialConvention(same, 'pytorch')).toBe('keras');
    // …while with k4 s2 it crops 1 / 1, which is PyTorch's padding=1: the project's choice again.
    expect(initialConvention(fromKeras({ ...fresh, kernel: [4, 4], stride: [2, 2] }, { padding: 'same' }), 'pytorch')).toBe('pytorch');
    // PyTorch padding 1 / output_padding 1 is no Keras padding: it opens on PyTorch.
    const torch = fromTorch({ ...fresh, kernel: [3, 3], stride: [2, 2] }, { padding: [1, 1], outputPadding: [1, 1] });
    expect(initialConvention(torch, 'keras')).toBe('pytorch');
  });
});
