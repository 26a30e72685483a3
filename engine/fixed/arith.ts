// Exact arithmetic on mantissas (results in the growth-rule types, never rounded), casts that pick the
// float64 or BigInt path from the types, and the vectorised helpers the fixed-point kernels use.

import { TesseraError } from '../diagnostics/diagnostics';
import { p2, castBig, closedRound, doubleQuantizer, castDoubleBig, castDoubleNum, castFitsFloat64, castNum, formatOf, hasClosedForm, toDouble, type SourceFormat } from './cast';
import type { FixedType } from './types';
import { addType, formatFixedType, fracBits, mulType, subType } from './types';

/** A mantissa: a float64 integer when the type's W ≤ 53, else a bigint. */
export type Mantissa = number | bigint;

export const FLOAT64_MAX_W = 53;

export function fitsFloat64(t: FixedType): boolean {
  return t.W <= FLOAT64_MAX_W;
}

const big = (m: Mantissa): bigint => (typeof m === 'bigint' ? m : BigInt(m));

/** Normalises a mantissa to the representation its type uses (number for W ≤ 53, bigint above). */
export function normalize(m: Mantissa, t: FixedType): Mantissa {
  if (fitsFloat64(t)) return typeof m === 'number' ? m : Number(m);
  return big(m);
}

/** Casts mantissa m of type src into dst (quantization + overflow as the C++ assignment). */
export function cast(m: Mantissa, src: FixedType, dst: FixedType): Mantissa {
  const f = formatOf(src);
  if (typeof m === 'number' && castFitsFloat64(f, dst)) return castNum(m, f, dst);
  return normalize(castBig(big(m), f, dst), dst);
}

/**
 * Casts a bare mantissa m with F fractional bits (no declared type) into dst, taking the narrowest
 * signed source type that holds m. For every mode except AP_WRAP with N > 0 and AP_WRAP_SM the result
 * depends only on the value; for those two the C++ result depends on the source type: use `cast`.
 */
export function castScaled(m: Mantissa, F: number, dst: FixedType): Mantissa {
  const b = big(m);
  const W = (b < 0n ? -b - 1n : b).toString(2).length + 1;
  return cast(normalize(b, { kind: 'fixed', signed: true, W, I: W - F, Q: 'AP_TRN', O: 'AP_WRAP', N: 0 }), { kind: 'fixed', signed: true, W, I: W - F, Q: 'AP_TRN', O: 'AP_WRAP', N: 0 }, dst);
}

/** Casts a double into t. */
export function fromDouble(v: number, t: FixedType): Mantissa {
  return fitsFloat64(t) ? castDoubleNum(v, t) : castDoubleBig(v, t);
}

export { toDouble };

function shiftUp(m: Mantissa, k: number): Mantissa {
  return typeof m === 'number' ? m * p2(k) : m << BigInt(k);
}

/** a·b exactly, in mulType(ta, tb). */
export function mul(a: Mantissa, ta: FixedType, b: Mantissa, tb: FixedType): { m: Mantissa; t: FixedType } {
  const t = mulType(ta, tb);
  if (fitsFloat64(t) && typeof a === 'number' && typeof b === 'number') return { m: a * b, t };
  return { m: normalize(big(a) * big(b), t), t };
}

function addSub(a: Mantissa, ta: FixedType, b: Mantissa, tb: FixedType, t: FixedType, sign: 1 | -1): { m: Mantissa; t: FixedType } {
  const F = fracBits(t);
  const x = shiftUp(a, F - fracBits(ta));
  const y = shiftUp(b, F - fracBits(tb));
  if (fitsFloat64(t) && typeof x === 'number' && typeof y === 'number') return { m: sign === 1 ? x + y : x - y, t };
  return { m: normalize(sign === 1 ? big(x) + big(y) : big(x) - big(y), t), t };
}

/** a + b exactly, in addType(ta, tb). */
export function add(a: Mantissa, ta: FixedType, b: Mantissa, tb: FixedType): { m: Mantissa; t: FixedType } {
  return addSub(a, ta, b, tb, addType(ta, tb), 1);
}

/** a − b exactly, in subType(ta, tb). */
export function sub(a: Mantissa, ta: FixedType, b: Mantissa, tb: FixedType): { m: Mantissa; t: FixedType } {
  return addSub(a, ta, b, tb, subType(ta, tb), -1);
}

// ---------------------------------------------------------------------------------------------
// Vectorised helpers

function needFloat64(t: FixedType, what: string): void {
  if (!fitsFloat64(t)) {
    throw new TesseraError(
      `${what}: type ${formatFixedType(t)} has W = ${t.W} > ${FLOAT64_MAX_W}, beyond the exact float64 path; use the BigInt variant`,
    );
  }
}

/** Quantizes every value into t and returns the mantissas (t.W ≤ 53). */
export function quantizeMantissas(x: ArrayLike<number>, t: FixedType): Float64Array {
  needFloat64(t, 'quantizeMantissas');
  const out = new Float64Array(x.length);
  const q = doubleQuantizer(t);
  for (let i = 0; i < x.length; i++) out[i] = q(x[i]);
  return out;
}

/** Quantizes every value into t and returns the exact values m·2^−F (t.W ≤ 53). */
export function quantizeValues(x: ArrayLike<number>, t: FixedType): Float64Array {
  const out = quantizeMantissas(x, t);
  for (let i = 0; i < out.length; i++) out[i] = toDouble(out[i], t);
  return out;
}

/** Quantizes every value into t (any width) and returns bigint mantissas. */
export function quantizeMantissasBig(x: ArrayLike<number>, t: FixedType): bigint[] {
  const out = new Array<bigint>(x.length);
  for (let i = 0; i < x.length; i++) out[i] = castDoubleBig(x[i], t);
  return out;
}

/** Casts an array of mantissas of type src into dst (both ≤ 53 bits). */
export function castMantissas(m: Float64Array, src: FixedType, dst: FixedType): Float64Array {
  needFloat64(src, 'castMantissas');
  needFloat64(dst, 'castMantissas');
  const f = formatOf(src);
  const out = new Float64Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = castNum(m[i], f, dst);
  return out;
}

/**
 * A scaled product p = x·w·2^−d rounded to accum_t's F by the inlined mode qm of MacPlan.accumulate:
 * 0 exact (p unchanged), 1 AP_TRN, 2 AP_RND, 3 AP_RND_CONV.
 */
function roundProduct(p: number, qm: number): number {
  if (qm === 0) return p;
  const fl = Math.floor(p);
  if (qm === 1) return fl;
  const frac = p - fl;
  return qm === 2 ? (frac >= 0.5 ? fl + 1 : fl) : frac > 0.5 || (frac === 0.5 && fl - 2 * Math.floor(fl * 0.5) === 1) ? fl + 1 : fl;
}

/**
 * One multiply-accumulate chain as the C++ layers compute it (README.md, "Accumulation order"):
 *   acc = (accum_t) bias;  for each term: acc = (accum_t)(acc + (accum_t)(x · w));
 * Each assignment quantizes and overflows in accum_t's modes, so AP_SAT saturates per step.
 */
export class MacPlan {
  readonly prod: FixedType;
  readonly sum: FixedType;
  /** Every intermediate fits the exact float64 path. */
  readonly fast: boolean;
  /** acc = (accum_t)(acc + (accum_t)(x·w)) on float64 mantissas; requires this.fast. Specialised per mode. */
  readonly step: (acc: number, xm: number, wm: number) => number;
  /**
   * n steps in one call: acc, then x[xOff + i·xStride] · w[wOff + i·wStride] for i = 0…n−1 in order.
   * Same result as n calls of step; faster (AP_WRAP wraps once per run when that is exact).
   */
  readonly accumulate: (acc: number, xs: Float64Array, xOff: number, xStride: number, ws: Float64Array, wOff: number, wStride: number, n: number) => number;
  private readonly biasFmt: SourceFormat | undefined;

  constructor(
    readonly x: FixedType,
    readonly w: FixedType,
    readonly acc: FixedType,
    readonly bias?: FixedType,
  ) {
    this.prod = mulType(x, w);
    this.sum = addType(acc, acc);
    this.fast = [x, w, acc, this.prod, this.sum, ...(bias ? [bias] : [])].every(fitsFloat64);
    this.biasFmt = bias ? formatOf(bias) : undefined;
    this.step = this.buildStep();
    this.accumulate = this.buildAccumulate();
  }

  /**
   * The closed form's constants (accum_t A): d = the product's extra fraction bits (scaled away by sc =
   * 2^−d), A's mantissa range [min, max] and the clamp floor lo (AP_SAT_SYM: min + 1).
   */
  private closedForm(): { W: number; d: number; min: number; max: number; lo: number; sc: number } {
    const A = this.acc;
    const W = A.W;
    const d = fracBits(this.prod) - fracBits(A);
    const min = A.signed ? -p2(W - 1) : 0;
    const max = A.signed ? p2(W - 1) - 1 : p2(W) - 1;
    const lo = A.O === 'AP_SAT_SYM' && A.signed && W > 1 ? min + 1 : min;
    return { W, d, min, max, lo, sc: p2(-d) };
  }

  private buildAccumulate(): MacPlan['accumulate'] {
    const step = this.step;
    const generic: MacPlan['accumulate'] = (acc, xs, xOff, xStride, ws, wOff, wStride, n) => {
      for (let i = 0; i < n; i++) acc = step(acc, xs[xOff + i * xStride], ws[wOff + i * wStride]);
      return acc;
    };
    const A = this.acc;
    if (!this.fast || !hasClosedForm(A)) return generic;
    const { W, d, max, lo, sc } = this.closedForm();
    // product rounding into accum_t's F, inlined for the common modes: 0 exact, 1 TRN, 2 RND, 3 RND_CONV
    const qm = d <= 0 ? 0 : A.Q === 'AP_TRN' ? 1 : A.Q === 'AP_RND' ? 2 : A.Q === 'AP_RND_CONV' ? 3 : -1;
    if (qm < 0 || this.prod.W > 52) return generic;
    // x·w·2^−d is exact (a dyadic number of ≤ 52 bits), so are its floor and fraction; the rounding is a
    // module-level function (not an inner closure: closures from one site share type feedback across plans)
    if (A.O === 'AP_WRAP') {
      // modular: sum the rounded products, wrap once per run while the running sum stays below 2^53
      const qBits = Math.max(this.prod.W - d, W) + 1;
      if (qBits > 52) return generic;
      const maxRun = Math.floor(p2(52 - qBits));
      const P = p2(W);
      const invP = p2(-W);
      const signed = A.signed;
      const wrap = (v: number): number => {
        const u = v - Math.floor(v * invP) * P;
        return signed && u > max ? u - P : u;
      };
      return (acc, xs, xOff, xStride, ws, wOff, wStride, n) => {
        let s = acc;
        let run = 0;
        for (let i = 0; i < n; i++) {
          s += roundProduct(xs[xOff + i * xStride] * ws[wOff + i * wStride] * sc, qm);
          if (++run === maxRun) {
            s = wrap(s);
            run = 0;
          }
        }
        return wrap(s);
      };
    }
    if (A.O === 'AP_SAT' || A.O === 'AP_SAT_SYM') {
      return (acc, xs, xOff, xStride, ws, wOff, wStride, n) => {
        for (let i = 0; i < n; i++) {
          let p = roundProduct(xs[xOff + i * xStride] * ws[wOff + i * wStride] * sc, qm);
          if (p > max) p = max;
          else if (p < lo) p = lo;
          acc += p;
          if (acc > max) acc = max;
          else if (acc < lo) acc = lo;
        }
        return acc + 0;
      };
    }
    return generic;
  }

  private buildStep(): (acc: number, xm: number, wm: number) => number {
    const A = this.acc;
    const prodFmt = formatOf(this.prod);
    const sumFmt = formatOf(this.sum);
    const generic = (acc: number, xm: number, wm: number): number => castNum(acc + castNum(xm * wm, prodFmt, A), sumFmt, A);
    if (!this.fast || !hasClosedForm(A)) return generic;
    // Closed form (FIXED_POINT.md tables): q = the product rounded to accum_t's F (unbounded), then the
    // overflow mode on q and on the sum. The sum has accum_t's F, so it only overflows.
    const { W, d, min, max, lo, sc } = this.closedForm();
    let q: (p: number) => number;
    if (d <= 0) {
      q = (p) => p * sc;
    } else if (A.Q === 'AP_TRN') {
      q = (p) => Math.floor(p * sc);
    } else if (A.Q === 'AP_RND' && this.prod.W <= 52) {
      q = (p) => Math.floor(p * sc + 0.5);
    } else {
      const Q = A.Q;
      const pd = p2(d);
      const half = pd / 2;
      q = (p) => {
        const fl = Math.floor(p * sc);
        const rem = p - fl * pd;
        const qb = rem >= half;
        return closedRound(fl, qb, qb ? rem !== half : rem !== 0, p < 0, Q);
      };
    }
    switch (A.O) {
      case 'AP_WRAP': {
        // modular: the sum of the unwrapped q stays exact while below 2^53
        if (W > 52 || this.prod.W - d > 52) return generic;
        const P = p2(W);
        const invP = p2(-W);
        const signed = A.signed;
        return (acc, xm, wm) => {
          const s = acc + q(xm * wm);
          const u = s - Math.floor(s * invP) * P;
          return signed && u > max ? u - P : u;
        };
      }
      case 'AP_SAT_ZERO':
        return (acc, xm, wm) => {
          let p = q(xm * wm);
          if (p > max || p < min) p = 0;
          const s = acc + p;
          return s > max || s < min ? 0 : s + 0;
        };
      default: // AP_SAT, AP_SAT_SYM: clamp to [lo, max]
        return (acc, xm, wm) => {
          let p = q(xm * wm);
          if (p > max) p = max;
          else if (p < lo) p = lo;
          const s = acc + p;
          return s > max ? max : s < lo ? lo : s + 0;
        };
    }
  }

  /** acc = (accum_t) bias (0 without a bias). */
  start(biasM: number): number {
    if (!this.biasFmt) return 0;
    return castNum(biasM, this.biasFmt, this.acc);
  }

  /** The same chain on bigints (any width). */
  startBig(biasM: bigint): bigint {
    if (!this.bias) return 0n;
    return castBig(biasM, formatOf(this.bias), this.acc);
  }

  stepBig(acc: bigint, xm: bigint, wm: bigint): bigint {
    const p = castBig(xm * wm, formatOf(this.prod), this.acc);
    return castBig(acc + p, formatOf(this.sum), this.acc);
  }

  /** Dot product of n terms x[xOff + i·xStride] · w[wOff + i·wStride], started at the bias. */
  dot(biasM: number, xs: Float64Array, xOff: number, xStride: number, ws: Float64Array, wOff: number, wStride: number, n: number): number {
    if (!this.fast) throw new TesseraError(`MacPlan.dot: accumulator ${formatFixedType(this.acc)} needs the BigInt path (dotBig)`);
    return this.accumulate(this.start(biasM), xs, xOff, xStride, ws, wOff, wStride, n);
  }

  dotBig(biasM: bigint, xs: readonly bigint[], ws: readonly bigint[]): bigint {
    let a = this.startBig(biasM);
    for (let i = 0; i < xs.length; i++) a = this.stepBig(a, xs[i], ws[i]);
    return a;
  }
}
