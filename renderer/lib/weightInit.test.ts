import { describe, expect, it } from 'vitest';
import { fans, initWeights, weightsFit } from './weightInit';

describe('weight initialisation', () => {
  it('PyTorch default for ConvTranspose2D IOX: U[-sqrt(k), sqrt(k)], k = 1/(Cout*kh*kw)', () => {
    const cin = 5, cout = 7, kh = 3, kw = 2;
    const w = initWeights([{ name: 'weight', shape: [cin, cout, kh, kw], layout: 'IOX' }, { name: 'bias', shape: [cout], layout: 'O' }], 'pytorch', 42, 'up');
    const bound = Math.sqrt(1 / (cout * kh * kw));
    const data = Array.from(w.weight.data);
    expect(Math.max(...data.map(Math.abs))).toBeLessThanOrEqual(bound);
    // spread close to the bound (not a narrower distribution): max |w| within 10% of it over 210 draws
    expect(Math.max(...data.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    expect(Math.abs(mean)).toBeLessThan(bound / 4);
    expect(Math.max(...Array.from(w.bias.data).map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('is reproducible for a seed and differs between seeds and nodes', () => {
    const slots = [{ name: 'weight', shape: [4, 3, 3, 3], layout: 'OIX' }];
    const a = initWeights(slots, 'he', 7, 'n1').weight.data;
    const b = initWeights(slots, 'he', 7, 'n1').weight.data;
    const c = initWeights(slots, 'he', 8, 'n1').weight.data;
    const d = initWeights(slots, 'he', 7, 'n2').weight.data;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(d));
  });

  it('He normal has variance 2/fan_in and Glorot stays within its bound', () => {
    const shape = [64, 32, 3, 3];
    const { fanIn, fanOut } = fans(shape);
    expect(fanIn).toBe(32 * 9);
    expect(fanOut).toBe(64 * 9);
    const he = initWeights([{ name: 'weight', shape, layout: 'OIX' }], 'he', 3, 'x').weight.data;
    let s2 = 0;
    for (const v of he) s2 += v * v;
    expect(s2 / he.length).toBeGreaterThan(0.9 * (2 / fanIn));
    expect(s2 / he.length).toBeLessThan(1.1 * (2 / fanIn));
    const gl = initWeights([{ name: 'weight', shape, layout: 'OIX' }], 'glorot', 3, 'x').weight.data;
    const a = Math.sqrt(6 / (fanIn + fanOut));
    expect(Math.max(...Array.from(gl).map(Math.abs))).toBeLessThanOrEqual(a);
  });

  it('checks stored weights against slots', () => {
    const slots = [{ name: 'weight', shape: [2, 3], layout: 'OI' }];
    expect(weightsFit(slots, initWeights(slots, 'pytorch', 1, 'a'))).toBe(true);
    expect(weightsFit(slots, { weight: { shape: [3, 2], data: new Float32Array(6) } })).toBe(false);
    expect(weightsFit(slots, undefined)).toBe(false);
  });
});
