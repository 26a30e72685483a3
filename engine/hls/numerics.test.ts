import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fixedType, fixedTypeOf, formatFixedType, fracBits, type FixedType } from '../fixed/types';
import { quantizeTensor, fixedToTensor } from '../fixed/tensor';
import { randomTensor, seededRandom } from '../tensor/tensor';
import { simulateFloat } from '../sim/float';
import type { Model } from '../graph/model';
import { convCaseModel } from './conv-cases';
import { defaultHlsConfig } from './config';
import { fittingType, profileDesign, profileValues, typeRange, underflows, UNDERFLOW_SHARE, type ValueProfile } from './numerics';

const range = (text: string) => typeRange(fixedTypeOf(text));

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

describe('type ranges and value profiles', () => {
  it('gives the representable range and LSB of fixed and unsigned types', () => {
    const a = range('ap_fixed<16,6>');
    expect([a.min, a.max, a.lsb]).toEqual([-32, 32 - 2 ** -10, 2 ** -10]);
    const u = range('ap_ufixed<8,3>');
    expect([u.min, u.max, u.lsb]).toEqual([0, 8 - 2 ** -5, 2 ** -5]);
    const i = range('ap_int<5>');
    expect([i.min, i.max, i.lsb]).toEqual([-16, 15, 1]);
    const big = range('ap_fixed<4,8>'); // LSB 16
    expect([big.min, big.max, big.lsb]).toEqual([-128, 112, 16]);
  });

  it('counts overflow, underflow, zeros and log2 bins like a direct count', () => {
    const rnd = seededRandom(77);
    const data = new Float32Array(3001);
    for (let i = 0; i < data.length; i++) {
      const r = rnd();
      data[i] = r < 0.05 ? 0 : (rnd() < 0.3 ? -1 : 1) * 2 ** (-16 + 24 * rnd());
    }
    const p = profileValues(data, range('ap_fixed<12,4>'));
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
    expect([p.count, p.zeros, p.overflow, p.underflow]).toEqual([data.length, zeros, over, under]);
    expect(over).toBeGreaterThan(0);
    expect(under).toBeGreaterThan(0);
    for (const [b, c] of bins) expect(p.bins[b - p.lowBin]).toBe(c);
    expect(p.log2.p01).toBeLessThan(p.log2.q1);
    expect(p.log2.q1).toBeLessThan(p.log2.median);
    expect([p.min, p.max]).toEqual([Math.min(...data), Math.max(...data)]);
  });

  it('an all-zero tensor has no bins and nothing out of range', () => {
    const p = profileValues(new Float32Array(7), range('ap_fixed<8,2>'));
    expect(p.bins).toEqual([]);
    expect([p.zeros, p.overflow, p.underflow]).toEqual([7, 0, 0]);
    expect(Number.isNaN(p.log2.median)).toBe(true);
  });
});

describe('a type that fits, found from the profile', () => {
  /** What the quantizer really does with the values in `t` (engine/fixed, AP_TRN / AP_WRAP or the type's modes). */
  function lost(values: Float32Array, t: FixedType): { wrapped: number; vanished: number; nonZero: number } {
    const q = fixedToTensor(quantizeTensor({ shape: [values.length], data: values }, t)).data;
    let wrapped = 0;
    let vanished = 0;
    let nonZero = 0;
    const lsb = 2 ** -fracBits(t);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 0) continue;
      nonZero++;
      if (Math.abs(q[i] - values[i]) >= lsb) wrapped++; // an overflow wraps far away
      else if (Math.abs(values[i]) < lsb) vanished++;
    }
    return { wrapped, vanished, nonZero };
  }

  it('holds every value and keeps all but a small share above one LSB, checked by quantizing (sweep)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: -24, max: 12 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 2, max: 24 }),
        fc.integer({ min: -6, max: 12 }),
        fc.boolean(),
        (seed, center, spread, W, I, signed) => {
          const rnd = seededRandom(seed);
          const values = new Float32Array(400);
          for (let i = 0; i < values.length; i++) values[i] = rnd() < 0.1 ? 0 : (signed && rnd() < 0.5 ? -1 : 1) * 2 ** (center + spread * (rnd() - 0.5));
          const current = fixedType(W, I, { signed });
          const p = profileValues(values, typeRange(current));
          const fit = fittingType(p, current);
          const again = profileValues(values, typeRange(fit));
          expect(again.overflow).toBe(0);
          expect(underflows(again)).toBe(false);
          const q = lost(values, fit);
          expect(q.wrapped).toBe(0);
          expect(q.vanished / q.nonZero).toBeLessThan(UNDERFLOW_SHARE);
          if (fit !== current) {
            // Never coarser than the user's type, never narrower, and no integer bit to spare.
            expect(fracBits(fit)).toBeGreaterThanOrEqual(fracBits(current));
            expect(fit.W).toBeGreaterThanOrEqual(W);
            expect(profileValues(values, typeRange({ ...fit, I: fit.I - 1, W: fit.W - 1 })).overflow).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300, examples: [[531857, 0, 15, 2, 0, false]] }, // 4 of 360 values below the LSB of the interpolated 1 % quantile
    );
  });

  it('keeps a type that already holds the values', () => {
    const t = fixedTypeOf('ap_fixed<16,6>');
    const p: ValueProfile = profileValues(Float32Array.from([0.5, -3, 12, 0]), typeRange(t));
    expect(fittingType(p, t)).toBe(t);
  });
});

/** Input 4×4×128 → ConvTranspose2D 128→64, 4×4, stride 2, PyTorch's default init (bound 1/√(64·16)). */
function dcganStage(): Model {
  const m = convCaseModel({ name: 'up', op: 'ConvTranspose2D', size: [4, 4], cin: 128, cout: 64, kernel: [4, 4], stride: [2, 2], dataFormat: 'NXC', io: 'io_parallel' }, 3);
  const bound = 1 / Math.sqrt(64 * 16);
  m.weights.layer = { weight: randomTensor([128, 64, 4, 4], 5, -bound, bound), bias: randomTensor([64], 6, -bound, bound) };
  m.graph.nodes[1].name = 'up1';
  return m;
}

describe('numerical warnings of a design on the preview input', () => {
  const model = dcganStage();
  const input = { in: randomTensor([1, 4, 4, 128], 9, -1, 1) };
  const outputs = simulateFloat(model, input, { keep: 'all' }).values;

  it('at the default ap_fixed<16,6>, PyTorch-initialised ConvTranspose weights vanish below one LSB: a warning with the type that keeps them', () => {
    const r = profileDesign(model, outputs, defaultHlsConfig());
    const w = r.rows.find((x) => x.nodeId === 'layer' && x.what === 'weight')!;
    expect(w.type).toBe('ap_fixed<16,6>');
    // 2^-10 against weights uniform in ±1/32: about 3 % of them.
    expect(w.profile.underflow / w.profile.count).toBeGreaterThan(0.02);
    const d = r.diagnostics.find((x) => x.nodeId === 'layer' && x.field === 'weight_t')!;
    expect(d).toMatchObject({ severity: 'warning', code: 'numeric-underflow', nodeName: 'up1', value: 'ap_fixed<16,6>' });
    const m = /^up1: weight_t = "ap_fixed<16,6>" breaks the rule weight_t holds the layer's weight: [\d,]+ of 131,072 non-zero weight values \([\d.]+ %\) are below one LSB \(2\^-10\) and vanish; set weight_t to (ap_fixed<16,-\d>), which holds them/.exec(d.message);
    expect(m, d.message).not.toBeNull();
    // The fix, applied, leaves nothing to warn about for those weights.
    const fixed = profileDesign(model, outputs, defaultHlsConfig({ layers: { up1: { precision: { weight_t: m![1] } } } }));
    expect(fixed.diagnostics.filter((x) => x.nodeId === 'layer' && x.field === 'weight_t')).toEqual([]);
  });

  it('a type whose LSB is 16 loses every weight; an output beyond the range overflows', () => {
    const r = profileDesign(model, outputs, defaultHlsConfig({ defaults: { precision: { weight_t: 'ap_fixed<4,8>', result_t: 'ap_fixed<6,0>' } } }));
    const w = r.diagnostics.find((x) => x.field === 'weight_t')!;
    expect(w.message).toContain('131,072 of 131,072 non-zero weight values (100.0 %) are below one LSB (2^4)');
    expect(w.message).toMatch(/set weight_t to ap_fixed<\d+,-[34]>/);
    const o = r.diagnostics.find((x) => x.nodeId === 'layer' && x.field === 'result_t')!;
    expect(o.code).toBe('numeric-overflow');
    expect(o.message).toMatch(/output values on the preview input lie outside \[-0.5, 0.484375\]/);
    // Nothing to say at a type that holds everything.
    const ok = profileDesign(model, outputs, defaultHlsConfig({ defaults: { precision: { weight_t: 'ap_fixed<24,-4>', bias_t: 'ap_fixed<24,-4>', result_t: 'ap_fixed<24,6>' } } }));
    expect(ok.diagnostics.filter((x) => x.nodeId === 'layer')).toEqual([]);
  });

  it('BatchNormalization is profiled as stored: the folded scale in weight_t, the shift in bias_t', () => {
    const bn: Model = {
      graph: {
        version: 1,
        nodes: [
          { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 4, 4, 2], dataFormat: 'NXC' } },
          { id: 'bn', type: 'BatchNormalization', name: 'bn', params: { epsilon: 1e-5, dataFormat: 'NXC' } },
        ],
        edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'bn', targetPort: 0 }],
      },
      weights: { bn: { gamma: { shape: [2], data: Float32Array.from([1, 2]) }, beta: { shape: [2], data: Float32Array.from([0.5, 0]) }, mean: { shape: [2], data: Float32Array.from([0, 1]) }, variance: { shape: [2], data: Float32Array.from([0.0001, 4]) } } },
    };
    const r = profileDesign(bn, {}, defaultHlsConfig({ defaults: { precision: { weight_t: 'ap_fixed<8,4>' } } }));
    expect(r.rows.map((x) => [x.what, x.field])).toEqual([['scale', 'weight_t'], ['shift', 'bias_t']]);
    // scale = 1/√(1e-4 + 1e-5) ≈ 95.3 does not fit ap_fixed<8,4> (max 7.9375).
    expect(r.diagnostics[0].message).toMatch(/^bn: weight_t = "ap_fixed<8,4>" .* 1 of 2 scale values lie outside/);
    expect(formatFixedType(fittingType(r.rows[0].profile, fixedTypeOf('ap_fixed<8,4>')))).toBe('ap_fixed<12,8>');
  });
});
