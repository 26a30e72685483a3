import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../engine/tensor/tensor';
import { effectiveType, profileLayers, profileValues, typeRange, type TypeRange } from './profile';

function range(text: string): TypeRange {
  const r = typeRange(text);
  if (!r.ok) throw new Error(r.message);
  return r;
}

/** Bin by halving/doubling (independent of Math.log2). */
function binOf(a: number): number {
  let e = 0;
  while (a >= 2) {
    a /= 2;
    e++;
  }
  while (a < 1) {
    a *= 2;
    e--;
  }
  return e;
}

describe('typeRange', () => {
  it('gives the representable range and LSB of fixed and unsigned types', () => {
    const a = range('ap_fixed<16,6>');
    expect([a.min, a.max, a.lsb]).toEqual([-32, 32 - 2 ** -10, 2 ** -10]);
    const u = range('ap_ufixed<8,3>');
    expect([u.min, u.max, u.lsb]).toEqual([0, 8 - 2 ** -5, 2 ** -5]);
    const i = range('ap_int<5>');
    expect([i.min, i.max, i.lsb]).toEqual([-16, 15, 1]);
    const bad = typeRange('ap_fixd<16,6>');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('ap_fixd<16,6>');
  });
});

describe('profileValues', () => {
  it('counts overflow, underflow, zeros and log2 bins like a direct count', () => {
    const rnd = seededRandom(77);
    const data = new Float32Array(3001);
    for (let i = 0; i < data.length; i++) {
      const r = rnd();
      data[i] = r < 0.05 ? 0 : (rnd() < 0.3 ? -1 : 1) * 2 ** (-16 + 24 * rnd());
    }
    const t = range('ap_fixed<12,4>');
    const p = profileValues(data, t);
    let over = 0;
    let under = 0;
    let zeros = 0;
    const bins = new Map<number, number>();
    for (const x of data) {
      if (x === 0) {
        zeros++;
        continue;
      }
      if (x >= 8 || x < -8) over++;
      if (Math.abs(x) < 1 / 256) under++;
      const b = binOf(Math.abs(x));
      bins.set(b, (bins.get(b) ?? 0) + 1);
    }
    expect(p.count).toBe(data.length);
    expect(p.zeros).toBe(zeros);
    expect(p.overflow).toBe(over);
    expect(p.underflow).toBe(under);
    expect(over).toBeGreaterThan(0);
    expect(under).toBeGreaterThan(0);
    for (const [b, c] of bins) expect(p.bins[b - p.lowBin]).toBe(c);
    expect(p.bins.reduce((s, c) => s + c, 0)).toBe(data.length - zeros);
    expect(p.log2.q1).toBeLessThan(p.log2.median);
    expect(p.log2.median).toBeLessThan(p.log2.q3);
    expect(p.min).toBe(Math.min(...data));
    expect(p.max).toBe(Math.max(...data));
  });

  it('an all-zero tensor has no bins and nothing out of range', () => {
    const p = profileValues(new Float32Array(7), range('ap_fixed<8,2>'));
    expect(p.bins).toEqual([]);
    expect([p.zeros, p.overflow, p.underflow]).toEqual([7, 0, 0]);
    expect(Number.isNaN(p.log2.median)).toBe(true);
  });
});

describe('per-layer precisions', () => {
  it('a field without a choice falls back to the default type', () => {
    const choices = { a: { weight_t: 'ap_fixed<8,3>' } };
    expect(effectiveType(choices, 'a', 'weight_t', 'ap_fixed<16,6>')).toBe('ap_fixed<8,3>');
    expect(effectiveType(choices, 'a', 'result_t', 'ap_fixed<18,8>')).toBe('ap_fixed<18,8>');
    expect(effectiveType(choices, 'b', 'table_t', 'ap_fixed<12,4>')).toBe('ap_fixed<18,8>');
  });

  it('profiles weights with weight_t/bias_t and outputs with result_t of each layer', () => {
    const w = { data: Float32Array.from([0.5, -3.25, 0.001]) };
    const b = { data: Float32Array.from([100, 0.25]) };
    const out = { data: Float32Array.from([1, 2, 70]) };
    const rows = profileLayers(
      [{ id: 'x', name: 'conv' }],
      { x: { weight: w, bias: b } },
      { x: out },
      { x: { weight_t: 'ap_fixed<8,3>', result_t: 'ap_fixed<10,8>' } },
      'ap_fixed<16,6>',
    );
    expect(rows.map((r) => [r.what, r.typeText])).toEqual([
      ['weight', 'ap_fixed<8,3>'],
      ['bias', 'ap_fixed<16,6>'],
      ['output', 'ap_fixed<10,8>'],
    ]);
    // ap_fixed<8,3>: range [-4, 3.96875], LSB 1/32 → 0.001 underflows, nothing overflows.
    expect([rows[0].profile!.overflow, rows[0].profile!.underflow]).toEqual([0, 1]);
    // ap_fixed<16,6>: 100 overflows.
    expect(rows[1].profile!.overflow).toBe(1);
    // ap_fixed<10,8>: max 127.75, LSB 0.25: nothing lost.
    expect([rows[2].profile!.overflow, rows[2].profile!.underflow]).toEqual([0, 0]);
  });

  it("an 'auto' result_t is profiled against the type the engine resolved for the node", () => {
    const out = { data: Float32Array.from([1, 2, 300]) };
    const rows = profileLayers([{ id: 'x', name: 'conv' }], {}, { x: out }, { x: { result_t: 'auto' } }, 'ap_fixed<16,6>', { x: 'ap_fixed<24,10>' });
    expect(rows[0].typeText).toBe('ap_fixed<24,10>');
    expect(rows[0].range.ok).toBe(true);
    expect(rows[0].profile!.overflow).toBe(0);
    // Unresolved (no engine type): shown as the choice, without a range.
    const raw = profileLayers([{ id: 'x', name: 'conv' }], {}, { x: out }, { x: { result_t: 'auto' } }, 'ap_fixed<16,6>');
    expect(raw[0].typeText).toBe('auto');
    expect(raw[0].range.ok).toBe(false);
  });
});
