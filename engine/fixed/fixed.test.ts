import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../diagnostics/diagnostics';
import { seededRandom } from '../tensor/tensor';
import {
  add,
  cast,
  castBig,
  castDoubleBig,
  castDoubleNum,
  castNum,
  castScaled,
  doubleQuantizer,
  fixedType,
  fixedTypeOf,
  formatFixedType,
  formatOf,
  fromDouble,
  inferAccumType,
  intType,
  MacPlan,
  mantissaRange,
  mul,
  mulType,
  addType,
  subType,
  negType,
  O_MODES,
  parseFixedType,
  Q_MODES,
  quantizeMantissas,
  quantizeMantissasBig,
  quantizeValues,
  resolvePrecision,
  sub,
  toDouble,
  ufixedType,
  type FixedType,
} from './index';

const val = (v: number, s: string): number => {
  const t = fixedTypeOf(s);
  return toDouble(fromDouble(v, t), t);
};

describe('UG1399 / FIXED_POINT.md examples', () => {
  it('rounding modes on ±1.25 into ap_fixed<3,2,Q,AP_SAT>', () => {
    const expected: Record<string, [number, number]> = {
      AP_RND: [1.5, -1.0],
      AP_RND_ZERO: [1.0, -1.0],
      AP_RND_MIN_INF: [1.0, -1.5],
      AP_RND_INF: [1.5, -1.5],
      AP_RND_CONV: [1.0, -1.0],
      AP_TRN: [1.0, -1.5],
      AP_TRN_ZERO: [1.0, -1.0],
    };
    for (const [q, [p, n]] of Object.entries(expected)) {
      expect([val(1.25, `ap_fixed<3,2,${q},AP_SAT>`), val(-1.25, `ap_fixed<3,2,${q},AP_SAT>`)], q).toEqual([p, n]);
    }
  });

  it('overflow modes on ap_fixed<4,4>', () => {
    expect(val(19, 'ap_fixed<4,4,AP_TRN,AP_SAT>')).toBe(7);
    expect(val(-19, 'ap_fixed<4,4,AP_TRN,AP_SAT>')).toBe(-8);
    expect(val(-19, 'ap_fixed<4,4,AP_TRN,AP_SAT_SYM>')).toBe(-7);
    expect(val(19, 'ap_fixed<4,4,AP_TRN,AP_SAT_ZERO>')).toBe(0);
    expect(val(19, 'ap_fixed<4,4>')).toBe(3); // 19 = 0b10011 → 0011
    expect(val(9, 'ap_fixed<4,4,AP_TRN,AP_WRAP,1>')).toBe(1);
    expect(val(9, 'ap_fixed<4,4,AP_TRN,AP_WRAP,2>')).toBe(5);
    // sign-magnitude wrap (UG1399's AP_WRAP_SM example)
    expect(val(19, 'ap_fixed<4,4,AP_TRN,AP_WRAP_SM>')).toBe(-4);
    expect(val(-19, 'ap_fixed<4,4,AP_TRN,AP_WRAP_SM>')).toBe(2);
    // a rounding carry overflows: 7.75 rounds to 8 then saturates
    expect(val(7.75, 'ap_fixed<4,4,AP_RND,AP_SAT>')).toBe(7);
    expect(val(7.75, 'ap_fixed<4,4,AP_RND,AP_WRAP>')).toBe(-8);
  });
});

describe('type strings', () => {
  it('parses the hls4ml and C++ spellings and prints them back', () => {
    const cases: [string, string, string][] = [
      ['ap_fixed<16,6>', 'ap_fixed<16,6>', 'fixed<16,6>'],
      ['ap_ufixed<8,0>', 'ap_ufixed<8,0>', 'ufixed<8,0>'],
      ['fixed<16,6,RND_CONV,SAT>', 'ap_fixed<16,6,AP_RND_CONV,AP_SAT>', 'fixed<16,6,RND_CONV,SAT>'],
      ['ufixed< 10 , -2 , AP_RND >', 'ap_ufixed<10,-2,AP_RND>', 'ufixed<10,-2,RND>'],
      ['ap_fixed<8,3,AP_TRN,AP_WRAP,2>', 'ap_fixed<8,3,AP_TRN,AP_WRAP,2>', 'fixed<8,3,TRN,WRAP,2>'],
      ['ap_fixed<8,12,AP_TRN_ZERO,AP_WRAP_SM,0>', 'ap_fixed<8,12,AP_TRN_ZERO,AP_WRAP_SM>', 'fixed<8,12,TRN_ZERO,WRAP_SM>'],
      ['ap_int<8>', 'ap_int<8>', 'int<8>'],
      ['ap_uint<1>', 'ap_uint<1>', 'uint<1>'],
      ['int<33>', 'ap_int<33>', 'int<33>'],
    ];
    for (const [s, cpp, h] of cases) {
      const t = fixedTypeOf(s);
      expect(formatFixedType(t), s).toBe(cpp);
      expect(formatFixedType(t, 'hls4ml'), s).toBe(h);
      expect(fixedTypeOf(cpp)).toEqual(t);
      expect(fixedTypeOf(h)).toEqual(t);
    }
    expect(fixedTypeOf('uint<1>')).toEqual(intType(1, false));
  });

  it('rejects bad strings naming the string and the rule', () => {
    const bad: [string, RegExp][] = [
      ['ap_fixed<0,6>', /1 ≤ W/],
      ['ap_fixed<16>', /2 to 5 parameters/],
      ['ap_fixed<16,6,RND_HALF>', /quantization mode/],
      ['ap_fixed<16,6,RND,CLAMP>', /overflow mode/],
      ['ap_ufixed<8,2,TRN,WRAP_SM>', /AP_WRAP_SM needs a signed type/],
      ['ap_fixed<8,2,TRN,WRAP,9>', /0 ≤ N ≤ W/],
      ['ap_int<8,2>', /exactly one parameter/],
      ['float', /one of the forms/],
      ['ap_fixed<16,x>', /I is an integer/],
    ];
    for (const [s, rule] of bad) {
      const r = parseFixedType(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) {
        expect(r.message).toContain(JSON.stringify(s));
        expect(r.message, s).toMatch(rule);
      }
    }
    expect(() => fixedTypeOf('ap_fixed<0,1>')).toThrow(/ap_fixed<0,1>/);
  });
});

describe('growth rules', () => {
  it('follow FIXED_POINT.md', () => {
    const a = fixedType(16, 6);
    const b = ufixedType(8, 3);
    expect(mulType(a, b)).toMatchObject({ W: 24, I: 9, signed: true });
    expect(addType(a, b)).toMatchObject({ W: 17, I: 7, signed: true }); // max(6, 3+1)+1 = 7, F = 10
    expect(addType(b, b)).toMatchObject({ W: 9, I: 4, signed: false });
    expect(subType(b, b)).toMatchObject({ W: 9, I: 4, signed: true });
    expect(negType(b)).toMatchObject({ W: 9, I: 4, signed: true });
    expect(mulType(intType(8), intType(4, false))).toEqual(intType(12, true));
    expect(addType(intType(8), intType(4, false))).toEqual(intType(9, true));
  });
});

// An independent oracle from the FIXED_POINT.md tables: round the exact value, then clamp/wrap.
function oracle(m: bigint, F2: number, t: FixedType): bigint {
  const F = t.W - t.I;
  let r: bigint;
  if (F2 <= F) {
    r = m << BigInt(F - F2);
  } else {
    const d = BigInt(F2 - F);
    const fl = m >> d; // floor
    const rem = m - (fl << d); // 0 ≤ rem < 2^d
    const half = 1n << (d - 1n);
    const s = m < 0n;
    const qb = rem >= half;
    const rr = (rem & (half - 1n)) !== 0n;
    const lsb = (fl & 1n) === 1n;
    const inc: Record<string, boolean> = {
      AP_TRN: false,
      AP_TRN_ZERO: s && (qb || rr),
      AP_RND: qb,
      AP_RND_ZERO: qb && (s || rr),
      AP_RND_MIN_INF: qb && rr,
      AP_RND_INF: qb && (!s || rr),
      AP_RND_CONV: qb && (lsb || rr),
    };
    r = fl + (inc[t.Q] ? 1n : 0n);
  }
  const { min, max } = mantissaRange(t);
  // AP_SAT_SYM's lower bound is −max; for W = 1 (max = 0) the vendor behaviour keeps min.
  const symMin = t.W > 1 ? min + 1n : min;
  if (r >= min && r <= max) return t.O === 'AP_SAT_SYM' && t.signed && r === min ? symMin : r;
  switch (t.O) {
    case 'AP_SAT':
      return r > max ? max : min;
    case 'AP_SAT_SYM':
      return r > max ? max : t.signed ? symMin : 0n;
    case 'AP_SAT_ZERO':
      return 0n;
    default:
      return t.signed ? BigInt.asIntN(t.W, r) : BigInt.asUintN(t.W, r);
  }
}

describe('casts', () => {
  const sources = [fixedType(8, 3), ufixedType(8, 3), fixedType(6, -2), ufixedType(5, 9), fixedType(7, 10), fixedType(8, 8)];
  const targets: FixedType[] = [];
  for (const [W, I, signed] of [[4, 2, true], [4, 2, false], [3, -1, true], [5, 7, true], [3, 5, false], [1, 1, true], [6, 3, true]] as const) {
    for (const Q of Q_MODES) for (const O of ['AP_WRAP', 'AP_SAT', 'AP_SAT_ZERO', 'AP_SAT_SYM'] as const) targets.push(fixedType(W, I, { signed, Q, O }));
  }

  it('equal the rounding/saturation tables (independent oracle) for WRAP, SAT, SAT_ZERO, SAT_SYM', () => {
    let n = 0;
    for (const s of sources) {
      const { min, max } = mantissaRange(s);
      for (let m = min; m <= max; m++) {
        for (const t of targets) {
          const want = oracle(m, s.W - s.I, t);
          const got = castBig(m, formatOf(s), t);
          if (got !== want) expect(`${m} of ${formatFixedType(s)} → ${formatFixedType(t)} = ${got}`).toBe(`… = ${want}`);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100_000);
  });

  it('float64 and BigInt paths agree, including N bits and AP_WRAP_SM, wide types and doubles', () => {
    const rnd = seededRandom(7);
    const randInt = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    for (let k = 0; k < 8000; k++) {
      const sW = randInt(1, 53);
      const src = fixedType(sW, randInt(-10, sW + 10), { signed: rnd() < 0.6 });
      const W = randInt(1, 53);
      const signed = rnd() < 0.6;
      const O = O_MODES[randInt(0, signed ? 4 : 3)];
      const t = fixedType(W, randInt(-8, W + 8), { signed, Q: Q_MODES[randInt(0, 6)], O, N: randInt(0, Math.min(W, 3)) });
      const { min, max } = mantissaRange(src);
      const span = Number(max - min);
      const m = Number(min) + Math.floor(rnd() * (span + 1));
      const mm = Math.min(Math.max(m, Number(min)), Number(max));
      expect(castNum(mm, formatOf(src), t), `${mm} ${formatFixedType(src)} → ${formatFixedType(t)}`).toBe(Number(castBig(BigInt(mm), formatOf(src), t)));
      const d = (rnd() - 0.5) * 2 ** randInt(-20, 60);
      const want = Number(castDoubleBig(d, t));
      expect(castDoubleNum(d, t), `${d} → ${formatFixedType(t)}`).toBe(want);
      expect(doubleQuantizer(t)(d), `quantizer: ${d} → ${formatFixedType(t)}`).toBe(want);
      // exact ties and near-ties at the target's resolution
      const tie = (Math.floor((rnd() - 0.5) * 2 ** Math.min(W, 20)) + 0.5) * 2 ** (t.I - t.W);
      for (const e of [tie, tie + 2 ** (t.I - t.W - 30), tie - 2 ** (t.I - t.W - 30), -tie]) {
        expect(doubleQuantizer(t)(e), `quantizer: ${e} → ${formatFixedType(t)}`).toBe(Number(castDoubleBig(e, t)));
      }
    }
  });

  it('doubles cast exactly like their exact mantissa', () => {
    const rnd = seededRandom(11);
    const t = fixedType(12, 4, { Q: 'AP_RND_CONV', O: 'AP_SAT' });
    for (let k = 0; k < 2000; k++) {
      const m = Math.floor((rnd() - 0.5) * 2 ** 20);
      const v = m / 2 ** 14; // exactly ap_fixed<21,7>
      expect(castDoubleNum(v, t)).toBe(castNum(m, formatOf(fixedType(21, 7)), t));
    }
    expect(castDoubleNum(0, t)).toBe(0);
    expect(castDoubleNum(-0, t)).toBe(0);
    // specials and subnormals: the closed form and the bit-level algorithm agree
    for (const d of [Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2e-308, -1e-310, 1e308, -1e308]) {
      for (const tt of [t, fixedType(8, 3), fixedType(8, 3, { O: 'AP_SAT_SYM', Q: 'AP_RND' }), ufixedType(6, 2, { O: 'AP_SAT' })]) {
        expect(castDoubleNum(d, tt), `${d} → ${formatFixedType(tt)}`).toBe(Number(castDoubleBig(d, tt)));
      }
    }
  });

  it('ap_int targets truncate toward zero then wrap', () => {
    expect(cast(-7, fixedType(8, 4), intType(8))).toBe(0); // −7/16 → 0
    expect(cast(-24, fixedType(8, 4), intType(8))).toBe(-1); // −1.5 → −1
    expect(castDoubleNum(-3.99, intType(4))).toBe(-3);
    expect(castDoubleNum(9.5, intType(4))).toBe(-7); // 9 wraps in 4 bits
    expect(castDoubleNum(300.7, intType(8, false))).toBe(44);
    expect(castDoubleBig(-(2 ** 70) - 2 ** 60, intType(72))).toBe(-(2n ** 70n) - 2n ** 60n);
  });

  it('exact arithmetic picks BigInt when the result passes 53 bits', () => {
    const a = fixedType(40, 10);
    const b = fixedType(30, 5);
    const x = 2 ** 38 + 12345;
    const y = -(2 ** 28) + 7;
    const p = mul(x, a, y, b);
    expect(p.t.W).toBe(70);
    expect(typeof p.m).toBe('bigint');
    expect(p.m).toBe(BigInt(x) * BigInt(y));
    const s = add(3, fixedType(8, 4), -5, ufixedType(8, 2));
    expect(s.t).toMatchObject({ W: 11, I: 5 }); // I = max(4, 2 + 1) + 1, F = max(4, 6)
    expect(toDouble(s.m, s.t)).toBe(3 / 16 - 5 / 64);
    expect(castScaled(-13, 3, fixedType(6, 4, { Q: 'AP_RND' }))).toBe(-6); // −1.625 → −1.5 (ties up)
    expect(castScaled(2n ** 80n + 1n, 81, fixedType(4, 1, { Q: 'AP_RND_CONV' }))).toBe(4); // ≈ 0.5
    const d = sub(3, ufixedType(8, 4), 5, ufixedType(8, 4));
    expect(toDouble(d.m, d.t)).toBe(-2 / 16);
    expect(typeof add(1, fixedType(53, 10), 1, fixedType(53, 10)).m).toBe('bigint');
  });
});

describe('vector helpers', () => {
  it('quantize arrays into mantissas and exact values', () => {
    const t = fixedTypeOf('ap_fixed<8,3,AP_RND,AP_SAT>');
    const x = Float32Array.from([0.1, -0.1, 3.99, -5, 0.03125, 100]);
    const m = quantizeMantissas(x, t);
    expect(Array.from(m)).toEqual([3, -3, 127, -128, 1, 127]);
    expect(Array.from(quantizeValues(x, t))).toEqual([3 / 32, -3 / 32, 127 / 32, -4, 1 / 32, 127 / 32]);
    expect(quantizeMantissasBig(x, t)).toEqual([3n, -3n, 127n, -128n, 1n, 127n]);
    expect(() => quantizeMantissas(x, fixedType(60, 10))).toThrow(/W = 60/);
  });

  it('MAC saturates per step (not once at the end) and matches the BigInt chain', () => {
    const xT = fixedType(8, 3);
    const wT = fixedType(8, 1);
    const bT = fixedType(8, 3);
    const rnd = seededRandom(3);
    for (const acc of [fixedType(10, 4, { O: 'AP_SAT', Q: 'AP_RND' }), fixedType(12, 5), fixedType(9, 3, { O: 'AP_SAT_SYM', Q: 'AP_RND_CONV' }), fixedType(20, 8)]) {
      const plan = new MacPlan(xT, wT, acc, bT);
      for (let k = 0; k < 200; k++) {
        const n = 1 + Math.floor(rnd() * 30);
        const xs = Float64Array.from({ length: n }, () => Math.floor(rnd() * 256) - 128);
        const ws = Float64Array.from({ length: n }, () => Math.floor(rnd() * 256) - 128);
        const b = Math.floor(rnd() * 256) - 128;
        const got = plan.dot(b, xs, 0, 1, ws, 0, 1, n);
        const big = plan.dotBig(BigInt(b), Array.from(xs, BigInt), Array.from(ws, BigInt));
        expect(got).toBe(Number(big));
      }
    }
    // every mode's specialised float64 step equals the BigInt chain (products rounded, widened or exact)
    const shapes: [FixedType, FixedType][] = [
      [fixedType(8, 3), fixedType(6, 1)], // F_prod = 10
      [ufixedType(6, 2), fixedType(5, -1)], // F_prod = 10
      [fixedType(4, 4), fixedType(3, 3)], // F_prod = 0: the product is widened into the accumulator
    ];
    for (const [xT2, wT2] of shapes) {
      for (const Q of Q_MODES) {
        for (const O of O_MODES) {
          for (const [W, I, signed] of [[9, 4, true], [7, 2, true], [8, 5, false], [12, 12, true], [1, 1, true]] as const) {
            if (O === 'AP_WRAP_SM' && !signed) continue;
            const a = fixedType(W, I, { signed, Q, O, N: O === 'AP_WRAP' || O === 'AP_WRAP_SM' ? W % 3 : 0 });
            const p = new MacPlan(xT2, wT2, a, bT);
            const [xr, wr] = [mantissaRange(xT2), mantissaRange(wT2)];
            for (let k = 0; k < 12; k++) {
              const xsR = Float64Array.from({ length: 40 }, () => Number(xr.min) + Math.floor(rnd() * Number(xr.max - xr.min + 1n)));
              const wsR = Float64Array.from({ length: 40 }, () => Number(wr.min) + Math.floor(rnd() * Number(wr.max - wr.min + 1n)));
              const b0 = Math.floor(rnd() * 256) - 128;
              const n0 = k % 4 === 0 ? 40 : 1 + Math.floor(rnd() * 20);
              expect(p.dot(b0, xsR, 0, 1, wsR, 0, 1, n0), `dot ${formatFixedType(a)}`).toBe(Number(p.dotBig(BigInt(b0), Array.from(xsR.subarray(0, n0), BigInt), Array.from(wsR.subarray(0, n0), BigInt))));
              expect(p.accumulate(5, xsR, 3, 2, wsR, 1, 3, 12), `accumulate ${formatFixedType(a)}`).toBe(
                Array.from({ length: 12 }, (_, i) => i).reduce((acc2, i) => p.step(acc2, xsR[3 + 2 * i], wsR[1 + 3 * i]), 5),
              );
              let acc = p.start(Math.floor(rnd() * 256) - 128);
              let accB = BigInt(acc);
              for (let i = 0; i < 12; i++) {
                const xm = Number(xr.min) + Math.floor(rnd() * Number(xr.max - xr.min + 1n));
                const wm = Number(wr.min) + Math.floor(rnd() * Number(wr.max - wr.min + 1n));
                acc = p.step(acc, xm, wm);
                accB = p.stepBig(accB, BigInt(xm), BigInt(wm));
                if (acc !== Number(accB)) expect(`${formatFixedType(a)} step ${i}: ${acc}`).toBe(`${accB}`);
              }
            }
          }
        }
      }
    }
    // a zero product (a padding tap) never changes the accumulator, in every mode
    for (const Q of Q_MODES) {
      for (const O of O_MODES) {
        for (const N of [0, 1, 2]) {
          const a = fixedType(7, 3, { Q, O, N });
          const p = new MacPlan(xT, wT, a, bT);
          for (let b = -128; b < 128; b++) {
            const acc0 = p.start(b);
            expect(p.step(acc0, 0, 77), `${formatFixedType(a)} bias ${b}`).toBe(acc0);
            expect(p.stepBig(BigInt(acc0), 0n, 77n)).toBe(BigInt(acc0));
          }
        }
      }
    }
    // saturation order matters: +big, +big (saturates), −big
    const acc = fixedType(6, 6, { O: 'AP_SAT' }); // [−32, 31]
    const plan = new MacPlan(intType(8), intType(8), acc);
    const r = plan.dot(0, Float64Array.from([5, 5, -5]), 0, 1, Float64Array.from([5, 5, 5]), 0, 1, 3);
    expect(r).toBe(31 - 25); // step-wise: 25, 31 (sat), 6; a single final saturation would give 25
  });
});

describe('precision', () => {
  it('defaults to ap_fixed<16,6> and infers a non-overflowing accumulator', () => {
    const sink = new DiagnosticSink('n1', 'conv1');
    const p = resolvePrecision({}, { input: fixedType(16, 6), nTerms: 9, hasBias: true }, sink);
    expect(p.table_t).toBeUndefined();
    expect(formatFixedType(resolvePrecision({}, { input: fixedType(16, 6), nTerms: 1, hasBias: false, hasTable: true }, sink).table_t!)).toBe('ap_fixed<18,8>');
    expect(formatFixedType(p.weight_t)).toBe('ap_fixed<16,6>');
    expect(formatFixedType(p.result_t)).toBe('ap_fixed<16,6>');
    const acc = inferAccumType(fixedType(16, 6), fixedType(8, 2), 27);
    expect(acc).toMatchObject({ W: 16 + 8 + 5, I: 6 + 2 + 5, signed: true });
    const withBias = inferAccumType(fixedType(16, 6), fixedType(8, 2), 27, fixedType(8, 20));
    expect(withBias).toMatchObject({ I: 21, W: 21 + 16 });
    const uns = inferAccumType(ufixedType(8, 0), ufixedType(8, 1), 1);
    expect(uns).toMatchObject({ W: 16, I: 1, signed: false });
  });

  it('auto accumulator never overflows (SAT equals exact) on extreme data', () => {
    const xT = fixedType(6, 2);
    const wT = fixedType(5, 1);
    const bT = fixedType(7, 4);
    const rnd = seededRandom(5);
    for (const n of [1, 2, 3, 8, 9, 27, 64]) {
      const acc = inferAccumType(xT, wT, n, bT);
      const sat = { ...acc, O: 'AP_SAT' as const };
      const plan = new MacPlan(xT, wT, sat, bT);
      for (let k = 0; k < 50; k++) {
        const xs = Float64Array.from({ length: n }, () => (rnd() < 0.5 ? -32 : 31));
        const ws = Float64Array.from({ length: n }, () => (rnd() < 0.5 ? -16 : 15));
        if (k === 0) {
          xs.fill(-32);
          ws.fill(-16);
        }
        const b = k === 0 ? 63 : rnd() < 0.5 ? -64 : 63;
        const got = plan.dot(b, xs, 0, 1, ws, 0, 1, n);
        // exact: bias·2^(F−Fb) + Σ x·w·2^(F−Fp)
        const F = acc.W - acc.I;
        let exact = b * 2 ** (F - 3);
        for (let i = 0; i < n; i++) exact += xs[i] * ws[i] * 2 ** (F - 8);
        expect(got).toBe(exact);
      }
    }
  });

  it('reports bad strings as diagnostics naming node, field, value and rule', () => {
    const sink = new DiagnosticSink('n7', 'deconv2');
    const p = resolvePrecision(
      { weight_t: 'ap_fixed<0,3>', bias_t: 'auto', accum_t: 'auto', result_t: 'fixed<12,4,RND,SAT>' },
      { input: fixedType(16, 6), nTerms: 16, hasBias: true, forCpp: true },
      sink,
    );
    expect(sink.items.map((d) => d.field)).toEqual(['precision.weight_t', 'precision.bias_t']);
    expect(sink.items[0].message).toMatch(/deconv2: precision.weight_t = "ap_fixed<0,3>" breaks the rule 1 ≤ W/);
    expect(formatFixedType(p.result_t)).toBe('ap_fixed<12,4,AP_RND,AP_SAT>');
    expect(p.accum_t.W).toBe(16 + 16 + 4 + 1);
    const sink2 = new DiagnosticSink('n8');
    resolvePrecision({ accum_t: 'ap_fixed<200,100>' }, { input: fixedType(16, 6), nTerms: 1, hasBias: false, forCpp: true }, sink2);
    expect(sink2.items[0].rule).toMatch(/W ≤ 128/);
  });
});
