// Exact arithmetic on mantissas (results in the growth-rule types, never rounded), casts that pick the
// float64 or BigInt path from the types, and the vectorised helpers the fixed-point kernels use.

import { TesseraError } from '../graph/diagnostics';
import { p2, castBig, castClosedNum, castDoubleBig, castDoubleNum, castFitsFloat64, castNum, formatOf, hasClosedForm, toDouble, type SourceFormat } from './cast';
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
  for (let i = 0; i < x.length; i++) out[i] = castDoubleNum(x[i], t);
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
 * One multiply-accumulate chain as the C++ layers compute it (README.md, "Accumulation order"):
 *   acc = (accum_t) bias;  for each term: acc = (accum_t)(acc + (accum_t)(x · w));
 * Each assignment quantizes and overflows in accum_t's modes, so AP_SAT saturates per step.
 */
export class MacPlan {
  readonly prod: FixedType;
  readonly sum: FixedType;
  /** Every intermediate fits the exact float64 path. */
  readonly fast: boolean;
  private readonly wrapOnly: boolean;
  private readonly closed: boolean;
  private readonly prodShift: number;
  private readonly prodF: number;
  private readonly sumF: number;
  private readonly prodFmt: SourceFormat;
  private readonly sumFmt: SourceFormat;

  constructor(
    readonly x: FixedType,
    readonly w: FixedType,
    readonly acc: FixedType,
    readonly bias?: FixedType,
  ) {
    this.prod = mulType(x, w);
    this.sum = addType(acc, acc);
    this.fast = [x, w, acc, this.prod, this.sum, ...(bias ? [bias] : [])].every(fitsFloat64);
    const shift = fracBits(acc) - fracBits(this.prod);
    // Plain two's complement wrap and no quantization of the product: wrapping once per step is the
    // same modular sum, and every intermediate stays below 2^53.
    this.wrapOnly = acc.kind === 'fixed' && acc.O === 'AP_WRAP' && acc.N === 0 && shift >= 0 && this.prod.W + shift <= 52 && acc.W <= 52;
    this.prodShift = shift;
    this.closed = hasClosedForm(acc);
    this.prodF = fracBits(this.prod);
    this.sumF = fracBits(this.sum);
    this.prodFmt = formatOf(this.prod);
    this.sumFmt = formatOf(this.sum);
  }

  /** acc = (accum_t) bias (0 without a bias). */
  start(biasM: number): number {
    if (!this.bias) return 0;
    return castNum(biasM, formatOf(this.bias), this.acc);
  }

  /** acc = (accum_t)(acc + (accum_t)(x·w)); float64 path, requires this.fast. */
  step(acc: number, xm: number, wm: number): number {
    const A = this.acc;
    if (this.wrapOnly) {
      const W = A.W;
      const p = p2(W);
      let s = acc + xm * wm * p2(this.prodShift);
      s -= Math.floor(s / p) * p;
      return A.signed && s >= p / 2 ? s - p : s;
    }
    if (this.closed) {
      const p = castClosedNum(xm * wm, this.prodF, A);
      return castClosedNum(acc + p, this.sumF, A);
    }
    const p = castNum(xm * wm, this.prodFmt, A);
    return castNum(acc + p, this.sumFmt, A);
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
    let a = this.start(biasM);
    for (let i = 0; i < n; i++) a = this.step(a, xs[xOff + i * xStride], ws[wOff + i * wStride]);
    return a;
  }

  dotBig(biasM: bigint, xs: readonly bigint[], ws: readonly bigint[]): bigint {
    let a = this.startBig(biasM);
    for (let i = 0; i < xs.length; i++) a = this.stepBig(a, xs[i], ws[i]);
    return a;
  }
}
