import { describe, expect, it } from 'vitest';
import { heatColor, heatLegend, heatScale, stats } from './TensorView';

describe('heatmap colour scale', () => {
  it('keeps contrast for one-signed tensors: sequential over [min, max]', () => {
    const sig = Float32Array.from([0.31, 0.5, 0.69]);
    const s = heatScale(stats(sig));
    expect(s).toMatchObject({ kind: 'positive' });
    expect(heatColor(0.31, s)).toEqual([255, 255, 255]);
    expect(heatColor(0.69, s)).toEqual([255, 0, 0]);
    expect(heatColor(0.5, s)[1]).toBeGreaterThan(100);
    expect(heatColor(0.5, s)[1]).toBeLessThan(155);
    expect(heatLegend(s)).toBe('white 0.31 → red 0.69');
    const neg = heatScale(stats(Float32Array.from([-4, -1, -2.5])));
    expect(neg.kind).toBe('negative');
    expect(heatColor(-4, neg)).toEqual([0, 0, 255]);
    expect(heatColor(-1, neg)).toEqual([255, 255, 255]);
  });

  it('is diverging around zero for mixed signs, and never divides by zero', () => {
    const s = heatScale(stats(Float32Array.from([-2, 0.5, 1])));
    expect(s).toEqual({ kind: 'diverging', lo: -2, hi: 2 });
    expect(heatColor(0, s)).toEqual([255, 255, 255]);
    expect(heatColor(2, s)).toEqual([255, 0, 0]);
    expect(heatColor(-1, s)).toEqual([128, 128, 255]);
    expect(heatLegend(s)).toBe('blue < 0 < red');
    for (const flat of [[0, 0], [3, 3], [-1, -1]]) {
      const f = heatScale(stats(Float32Array.from(flat)));
      expect(heatColor(flat[0], f).every((c) => Number.isFinite(c))).toBe(true);
    }
  });
});
