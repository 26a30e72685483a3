// Casting a value into a fixed-point type: quantization then overflow, bit for bit as AMD's ap_fixed
// assignment does it (including its flag logic for rounding carries, N saturation bits and AP_WRAP_SM).
// Two implementations of one algorithm: BigInt (any width, the reference) and float64 (exact while every
// intermediate is an integer below 2^53: source W ≤ 53, or a signed 54-bit double mantissa, and target W ≤ 53).

import type { FixedType } from './types';
import { fracBits } from './types';

/** The source of a cast: its mantissa's width, integer bits and signedness. */
export interface SourceFormat {
  readonly W: number;
  readonly I: number;
  readonly signed: boolean;
}

/** 2^k from a table: Math.pow is slow on the hot paths. */
const P2 = new Float64Array(2201);
for (let k = -1100; k <= 1100; k++) P2[k + 1100] = Math.pow(2, k);
export const p2 = (k: number): number => (k >= -1100 && k <= 1100 ? P2[k + 1100] : Math.pow(2, k));

const TRN_LIKE = (t: FixedType, srcSigned: boolean): boolean => t.Q === 'AP_TRN' || (t.Q === 'AP_TRN_ZERO' && !srcSigned);

/** Whether overflow handling runs at all (AMD skips it when the target provably has room). */
function overflowGate(src: SourceFormat, t: FixedType, quanInc: boolean): boolean {
  if (t.O === 'AP_WRAP' && t.N === 0) return false;
  if (!t.signed && src.signed) return true;
  const extra = quanInc || (src.signed && t.O === 'AP_SAT_SYM') ? 1 : 0;
  return t.I - (t.signed ? 1 : 0) < src.I - (src.signed ? 1 : 0) + extra;
}

function roundIncrement(t: FixedType, qb: boolean, r: boolean, s: boolean, lsb: boolean): boolean {
  switch (t.Q) {
    case 'AP_TRN':
      return false;
    case 'AP_TRN_ZERO':
      return s && (qb || r);
    case 'AP_RND':
      return qb;
    case 'AP_RND_ZERO':
      return qb && (s || r);
    case 'AP_RND_MIN_INF':
      return qb && r;
    case 'AP_RND_INF':
      return qb && (!s || r);
    case 'AP_RND_CONV':
      return qb && (lsb || r);
  }
}

interface Flags {
  overflow: boolean;
  underflow: boolean;
  lD: boolean;
  negSrc: boolean;
}

// ---------------------------------------------------------------------------------------------
// The bit-level algorithm, written once over the integers it runs on (BigInt or float64 integers)

/** The integer operations the bit-level cast uses; values are integers, masks and fields non-negative. */
interface Ints<T> {
  readonly zero: T;
  /** x mod 2^n (non-negative). */
  low(x: T, n: number): T;
  /** floor(x / 2^k), k ≥ 0. */
  shr(x: T, k: number): T;
  /** x · 2^k, k ≥ 0. */
  shl(x: T, k: number): T;
  plus1(x: T): T;
  bit(x: T, k: number): boolean;
  isZero(x: T): boolean;
  isNeg(x: T): boolean;
  /** 2^n − 1 (0 when n ≤ 0). */
  ones(n: number): T;
  equal(a: T, b: T): boolean;
  /** v (0 ≤ v < 2^W) with bits lo … hi all set to ones or to zeros. */
  setRange(v: T, lo: number, hi: number, ones: boolean): T;
  /** v (0 ≤ v < 2^W) with its W bits inverted. */
  not(v: T, W: number): T;
  /** v (0 ≤ v < 2^W) read as a signed W-bit value. */
  signed(v: T, W: number): T;
}

function adjust<T>(ints: Ints<T>, t: FixedType, v: T, f: Flags): T {
  const { W, N } = t;
  if (!f.underflow && !f.overflow) return v;
  switch (t.O) {
    case 'AP_WRAP':
      if (N === 0) return v;
      if (!t.signed) return ints.setRange(v, W - N, W - 1, true);
      v = ints.setRange(v, W - 1, W - 1, f.negSrc);
      return N > 1 ? ints.setRange(v, W - N, W - 2, !f.negSrc) : v;
    case 'AP_SAT_ZERO':
      return ints.zero;
    case 'AP_WRAP_SM': {
      const ro = ints.bit(v, W - 1);
      if (N === 0) {
        if (f.lD !== ro) v = ints.setRange(ints.not(v, W), W - 1, W - 1, f.lD);
        return v;
      }
      if (N === 1) {
        if (f.negSrc !== ro) v = ints.not(v, W);
      } else {
        if (ints.bit(v, W - N) === f.negSrc) v = ints.not(v, W);
        v = ints.setRange(v, W - N, W - 2, !f.negSrc);
      }
      return ints.setRange(v, W - 1, W - 1, f.negSrc);
    }
    default: // AP_SAT, AP_SAT_SYM
      if (t.signed) {
        if (f.overflow) return ints.ones(W - 1);
        const min = ints.setRange(ints.zero, W - 1, W - 1, true);
        return t.O === 'AP_SAT_SYM' ? ints.setRange(min, 0, 0, true) : min; // W = 1: the extra bit is the sign bit
      }
      return f.overflow ? ints.ones(W) : ints.zero;
  }
}

/** AMD's ap_fixed assignment of mantissa m (format src) into fixed type t: quantization, then overflow. */
function castBits<T>(ints: Ints<T>, m: T, src: SourceFormat, t: FixedType): T {
  const { W, I } = t;
  const W2 = src.W;
  const S2 = src.signed;
  const F = W - I;
  const F2 = W2 - src.I;
  const isneg = S2 && ints.isNeg(m);
  const quanInc = F2 > F && !TRN_LIKE(t, S2);
  let v: T;
  let carry = false;
  if (F2 === F) {
    v = ints.low(m, W);
  } else if (F2 > F) {
    const d = F2 - F;
    v = ints.low(ints.shr(m, d), W);
    if (quanInc) {
      const qb = ints.bit(m, d - 1);
      const r = d >= 2 ? !ints.isZero(ints.low(m, Math.min(d - 1, W2))) : false;
      const before = ints.bit(v, W - 1);
      if (roundIncrement(t, qb, r, isneg, ints.bit(v, 0))) v = ints.low(ints.plus1(v), W);
      carry = before && !ints.bit(v, W - 1);
    }
  } else {
    const sh = F - F2;
    v = sh < W ? ints.low(ints.shl(m, sh), W) : ints.zero;
  }
  if (overflowGate(src, t, quanInc)) {
    const newSign = ints.bit(v, W - 1);
    const pos1 = F2 - F + W;
    const pos2 = pos1 + 1;
    const lD = pos1 < W2 && pos1 >= 0 ? ints.bit(m, pos1) : false;
    let deletedZeros = S2 ? true : !carry;
    let deletedOnes = true;
    let negSrc: boolean;
    if (pos1 < W2) {
      let r1Ones = true;
      let r1Zeros = true;
      let r2Ones = true;
      if (pos2 < W2 && pos2 >= 0) r2Ones = ints.equal(ints.low(ints.shr(m, pos2), W2 - pos2), ints.ones(W2 - pos2));
      else if (pos2 < 0) r2Ones = false;
      if (pos1 >= 0 && pos2 < W2) {
        const r1 = ints.low(ints.shr(m, pos1), W2 - pos1);
        r1Ones = ints.equal(r1, ints.ones(W2 - pos1));
        r1Zeros = ints.isZero(r1);
      } else if (pos2 === W2) {
        r1Ones = lD;
        r1Zeros = !lD;
      } else if (pos1 < 0) {
        r1Zeros = ints.isZero(m);
        r1Ones = false;
      }
      deletedZeros = deletedZeros && (carry ? r1Ones : r1Zeros);
      deletedOnes = carry ? r2Ones && (pos1 < 0 || !lD) : r1Ones;
      negSrc = isneg && !(carry && r1Ones);
    } else {
      negSrc = isneg && newSign;
    }
    const negTrg = t.signed && newSign;
    const overflow = (negTrg || !deletedZeros) && !isneg;
    let underflow = (!negTrg || !deletedOnes) && negSrc;
    if (t.O === 'AP_SAT_SYM' && S2 && t.signed) underflow ||= negSrc && (W > 1 ? ints.isZero(ints.low(v, W - 1)) : true);
    v = adjust(ints, t, v, { overflow, underflow, lD, negSrc });
  }
  return t.signed ? ints.signed(v, W) : v;
}

// ---------------------------------------------------------------------------------------------
// BigInt path

const maskB = (n: number): bigint => (n <= 0 ? 0n : (1n << BigInt(n)) - 1n);
const bitB = (x: bigint, k: number): boolean => ((x >> BigInt(k)) & 1n) === 1n;

const BIG: Ints<bigint> = {
  zero: 0n,
  low: (x, n) => x & maskB(n),
  shr: (x, k) => x >> BigInt(k),
  shl: (x, k) => x << BigInt(k),
  plus1: (x) => x + 1n,
  bit: bitB,
  isZero: (x) => x === 0n,
  isNeg: (x) => x < 0n,
  ones: maskB,
  equal: (a, b) => a === b,
  setRange: (v, lo, hi, ones) => {
    if (hi < lo) return v;
    const m = maskB(hi - lo + 1) << BigInt(lo);
    return ones ? v | m : v & ~m;
  },
  not: (v, W) => v ^ maskB(W),
  signed: (v, W) => BigInt.asIntN(W, v),
};

/**
 * Casts mantissa m of a value in format src (m = value·2^F2, within src's range) into type t and
 * returns t's mantissa. Exact for every width.
 */
export function castBig(m: bigint, src: SourceFormat, t: FixedType): bigint {
  if (t.kind === 'int') {
    // C semantics: truncate toward zero, then wrap.
    const F2 = src.W - src.I;
    const q = F2 >= 0 ? m / (1n << BigInt(F2)) : m << BigInt(-F2);
    return t.signed ? BigInt.asIntN(t.W, q) : BigInt.asUintN(t.W, q);
  }
  return castBits(BIG, m, src, t);
}

// ---------------------------------------------------------------------------------------------
// float64 path (integers below 2^53 only)

/** floor(x / 2^k), k ≥ 0. */
function shr(x: number, k: number): number {
  if (k >= 1000) return x < 0 ? -1 : 0;
  return Math.floor(x / p2(k));
}
/** x mod 2^n (non-negative), n ≥ 0; exact for any integer x representable in float64. */
function low(x: number, n: number): number {
  if (n >= 1000) return x;
  const p = p2(n);
  return x - Math.floor(x / p) * p;
}

const NUM: Ints<number> = {
  zero: 0,
  low,
  shr,
  shl: (x, k) => x * p2(k),
  plus1: (x) => x + 1,
  bit: (x, k) => low(shr(x, k), 1) === 1,
  isZero: (x) => x === 0,
  isNeg: (x) => x < 0,
  ones: (n) => p2(n) - 1,
  equal: (a, b) => a === b,
  setRange: (v, lo, hi, ones) => {
    if (hi < lo) return v;
    const below = low(v, lo);
    const above = shr(v, hi + 1) * p2(hi + 1);
    return above + below + (ones ? (p2(hi - lo + 1) - 1) * p2(lo) : 0);
  },
  not: (v, W) => p2(W) - 1 - v,
  signed: (v, W) => (v >= p2(W - 1) ? v - p2(W) : v),
};
/** Whether castNum is exact for this source format and target. */
export function castFitsFloat64(src: SourceFormat, t: FixedType): boolean {
  return t.W <= 53 && (src.signed ? src.W <= 54 : src.W <= 53);
}

/** Whether the overflow mode has a closed form (round, then clamp/zero/wrap) equal to the bit-level algorithm. */
export function hasClosedForm(t: FixedType): boolean {
  return t.kind === 'fixed' && (t.O === 'AP_SAT' || t.O === 'AP_SAT_ZERO' || t.O === 'AP_SAT_SYM' || (t.O === 'AP_WRAP' && t.N === 0));
}

/**
 * The closed form of the cast for hasClosedForm(t) types, on float64 integers (|m| < 2^54, t.W ≤ 53):
 * the FIXED_POINT.md tables — add one ulp per the quantization mode, then AP_SAT clamps to [min, max],
 * AP_SAT_SYM to [−max, max] (min when W = 1), AP_SAT_ZERO gives 0, AP_WRAP keeps the low W bits.
 * Tests check it against the bit-level algorithm (castBig) and the C++ headers.
 */
export function castClosedNum(m: number, F2: number, t: FixedType): number {
  const W = t.W;
  const F = W - t.I;
  if (F2 <= F) {
    const sh = F - F2;
    // |value| ≥ 2^W ulps when sh ≥ W: out of range (WRAP keeps 0 low bits)
    return closedRange(sh >= W && m !== 0 ? (m > 0 ? Infinity : -Infinity) : m * p2(sh), t);
  }
  const d = F2 - F;
  if (d >= 55) {
    // |m| < 2^54 ≤ 2^(d−1): floor is 0 or −1, qb is the sign, the rest is non-zero
    return closedRange(m === 0 ? 0 : closedRound(m < 0 ? -1 : 0, m < 0, true, m < 0, t.Q), t);
  }
  const p = p2(d);
  const fl = Math.floor(m / p);
  const rem = m - fl * p;
  const half = p / 2;
  const qb = rem >= half;
  return closedRange(closedRound(fl, qb, qb ? rem !== half : rem !== 0, m < 0, t.Q), t);
}

/** floor + the quantization increment (FIXED_POINT.md table). */
export function closedRound(fl: number, qb: boolean, rr: boolean, s: boolean, Q: FixedType['Q']): number {
  switch (Q) {
    case 'AP_TRN':
      return fl;
    case 'AP_TRN_ZERO':
      return s && (qb || rr) ? fl + 1 : fl;
    case 'AP_RND':
      return qb ? fl + 1 : fl;
    case 'AP_RND_ZERO':
      return qb && (s || rr) ? fl + 1 : fl;
    case 'AP_RND_MIN_INF':
      return qb && rr ? fl + 1 : fl;
    case 'AP_RND_INF':
      return qb && (!s || rr) ? fl + 1 : fl;
    default: // AP_RND_CONV
      return qb && (rr || fl - 2 * Math.floor(fl / 2) === 1) ? fl + 1 : fl;
  }
}

/** Overflow of a rounded integer r (possibly ±Infinity) into t, closed-form modes only. */
function closedRange(r: number, t: FixedType): number {
  const W = t.W;
  const min = t.signed ? -p2(W - 1) : 0;
  const max = t.signed ? p2(W - 1) - 1 : p2(W) - 1;
  if (r >= min && r <= max) return t.O === 'AP_SAT_SYM' && r === min && t.signed && W > 1 ? min + 1 : r + 0; // + 0: no −0
  switch (t.O) {
    case 'AP_SAT':
      return r > max ? max : min;
    case 'AP_SAT_SYM':
      return r > max ? max : t.signed && W > 1 ? min + 1 : min;
    case 'AP_SAT_ZERO':
      return 0;
    default: {
      if (!Number.isFinite(r)) return 0;
      const u = low(r, W);
      return t.signed && u > max ? u - p2(W) : u;
    }
  }
}

/** A double into a closed-form type without decomposing it (exact: v·2^F is computed without rounding). */
function castDoubleClosed(v: number, t: FixedType): number | undefined {
  const y = v * p2(t.W - t.I);
  const ay = Math.abs(y);
  if (!(ay < 1e300) || (ay < 1e-290 && v !== 0)) return undefined; // inf/NaN/extremes: bit-level path
  if (y < 0 && y > -1) {
    // 1 + y may round; decide from y directly: floor −1, qb = y ≥ −½, rest ≠ 0 unless y = −½
    return closedRange(closedRound(-1, y >= -0.5, y !== -0.5, true, t.Q), t);
  }
  const fl = Math.floor(y);
  const frac = y - fl; // exact for |y| ≥ 1 (Sterbenz) and for 0 ≤ y < 1
  const qb = frac >= 0.5;
  return closedRange(closedRound(fl, qb, qb ? frac !== 0.5 : frac !== 0, y < 0, t.Q), t);
}

/** castBig on float64 integers; the caller guarantees castFitsFloat64(src, t). */
export function castNum(m: number, src: SourceFormat, t: FixedType): number {
  const W = t.W;
  const F2 = src.W - src.I;
  if (t.kind === 'int') {
    const q = F2 >= 0 ? Math.trunc(m / p2(F2)) : -F2 >= W ? 0 : m * p2(-F2);
    const u = low(q, W);
    return t.signed && u >= p2(W - 1) ? u - p2(W) : u;
  }
  if (hasClosedForm(t)) return castClosedNum(m, F2, t);
  return castBits(NUM, m, src, t);
}

// ---------------------------------------------------------------------------------------------
// doubles

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A double as AMD's headers see it: a signed 54-bit mantissa (implicit leading one set) with
 * I = exponent + 2. Returns undefined for ±0. (Subnormals, infinities and NaN get the same bit pattern
 * treatment as in the C++: garbage in, but deterministic and identical.)
 */
export function doubleFormat(v: number): { m: number; src: SourceFormat } | undefined {
  f64[0] = v;
  const hi = u32[LITTLE ? 1 : 0];
  const lo = u32[LITTLE ? 0 : 1];
  const exp = ((hi >>> 20) & 0x7ff) - 1023;
  if ((hi & 0x7fffffff) === 0 && lo === 0) return undefined;
  const man = (hi & 0xfffff) * p2(32) + lo + p2(52);
  return { m: hi >>> 31 ? -man : man, src: { W: 54, I: exp + 2, signed: true } };
}

/**
 * A specialised double → mantissa function for t (t.W ≤ 53); equal to castDoubleNum, faster for the
 * closed-form modes (constants precomputed, no decomposition of the double).
 */
export function doubleQuantizer(t: FixedType): (v: number) => number {
  if (!hasClosedForm(t) || t.W > 53) return (v) => castDoubleNum(v, t);
  const W = t.W;
  const sc = p2(W - t.I);
  const min = t.signed ? -p2(W - 1) : 0;
  const max = t.signed ? p2(W - 1) - 1 : p2(W) - 1;
  const lo = t.O === 'AP_SAT_SYM' && t.signed && W > 1 ? min + 1 : min;
  const Q = t.Q;
  const O = t.O;
  const P = p2(W);
  const signed = t.signed;
  return (v) => {
    const y = v * sc;
    const ay = Math.abs(y);
    if (!(ay < 1e300) || (ay < 1e-290 && v !== 0)) return castDoubleNum(v, t);
    let r: number;
    if (y < 0 && y > -1) {
      r = closedRound(-1, y >= -0.5, y !== -0.5, true, Q);
    } else {
      const fl = Math.floor(y);
      const frac = y - fl;
      if (Q === 'AP_TRN') r = fl;
      else if (Q === 'AP_RND') r = frac >= 0.5 ? fl + 1 : fl;
      else {
        const qb = frac >= 0.5;
        r = closedRound(fl, qb, qb ? frac !== 0.5 : frac !== 0, y < 0, Q);
      }
    }
    if (r >= lo && r <= max) return r + 0;
    if (O === 'AP_WRAP') {
      if (r >= min && r <= max) return r + 0;
      const u = r - Math.floor(r / P) * P;
      return signed && u > max ? u - P : u;
    }
    if (O === 'AP_SAT_ZERO') return r >= min && r <= max ? r + 0 : 0;
    return r > max ? max : lo;
  };
}

/** Casts a double (or float) into t; returns the mantissa (t.W ≤ 53). */
export function castDoubleNum(v: number, t: FixedType): number {
  if (t.kind === 'int') {
    if (!Number.isFinite(v)) return 0;
    const u = low(Math.trunc(v), t.W);
    return t.signed && u >= p2(t.W - 1) ? u - p2(t.W) : u;
  }
  if (hasClosedForm(t)) {
    const r = castDoubleClosed(v, t);
    if (r !== undefined) return r;
  }
  const d = doubleFormat(v);
  return d ? castNum(d.m, d.src, t) : 0;
}

/** Casts a double (or float) into t; returns the mantissa as a bigint (any width). */
export function castDoubleBig(v: number, t: FixedType): bigint {
  if (t.kind === 'int') {
    if (!Number.isFinite(v)) return 0n;
    const q = BigInt(Math.trunc(v));
    return t.signed ? BigInt.asIntN(t.W, q) : BigInt.asUintN(t.W, q);
  }
  const d = doubleFormat(v);
  return d ? castBig(BigInt(d.m), d.src, t) : 0n;
}

/** The source format of values of type t. */
export function formatOf(t: FixedType): SourceFormat {
  return { W: t.W, I: t.I, signed: t.signed };
}

/** The value m·2^−F of a mantissa of type t, as a double (exact when |m| < 2^53; else round to nearest). */
export function toDouble(m: number | bigint, t: FixedType): number {
  const F = fracBits(t);
  if (typeof m === 'number') return Math.abs(F) < 1000 ? m * p2(-F) : m * p2(-Math.trunc(F / 2)) * p2(-(F - Math.trunc(F / 2)));
  return scaleBig(m, -F);
}

/** m·2^e rounded to the nearest double (ties to even), without intermediate overflow. */
function scaleBig(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const bits = a.toString(2).length;
  if (bits > 53) {
    // keep 53 bits + round to nearest even by hand
    const drop = bits - 53;
    const q = a >> BigInt(drop);
    const rem = a & maskB(drop);
    const half = 1n << BigInt(drop - 1);
    let r = q;
    if (rem > half || (rem === half && (q & 1n) === 1n)) r = q + 1n;
    a = r;
    e += drop;
  }
  const x = e < -1000 ? Number(a) * p2(e + 600) * p2(-600) : Number(a) * p2(e);
  return neg ? -x : x;
}
