import { describe, expect, it } from 'vitest';
import { effectiveType, profileLayers, typeRange, type TypeRange } from './profile';

function range(text: string): TypeRange {
  const r = typeRange(text);
  if (!r.ok) throw new Error(r.message);
  return r;
}


describe('typeRange of a field text', () => {
  it('is the engine range of the type, or why the text is not one (the numbers: engine/hls/numerics.test.ts)', () => {
    expect(range(' ap_fixed<16,6> ')).toMatchObject({ ok: true, text: 'ap_fixed<16,6>', min: -32, lsb: 2 ** -10 });
    const bad = typeRange('ap_fixd<16,6>');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('ap_fixd<16,6>');
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
