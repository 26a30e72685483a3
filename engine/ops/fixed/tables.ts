// Lookup tables of the table activations (Sigmoid, Tanh, Selu's negative part, Softmax's exp and 1/x),
// computed here in float64 and quantized into the table type once; the generator writes these very
// entries into the weights headers, so the engine and the C++ read the same numbers (nnet_activation.h).
//
// | table          | entries | input range          | entry i                                      |
// |----------------|---------|----------------------|----------------------------------------------|
// | sigmoid        | 1024    | [−8, 8)              | sigmoid(−8 + (i + ½)/64)                      |
// | tanh           | 1024    | [−4, 4)              | tanh(−4 + (i + ½)/128)                        |
// | selu (x ≤ 0)   | 1024    | [−8, 0)              | γ·α·(exp(−8 + (i + ½)/128) − 1)               |
// | softmax exp    | 1024    | max − x in [0, 8)    | exp(−i/128)                                   |
// | softmax 1/x    | 1024    | Σ in [0, 2^r), 2^r ≥ n | 1 / max(1, (i + ½)·2^r/1024)                |
//
// Index: idx = clamp(⌊x·2^shift⌋ + offset, 0, size − 1) — inputs beyond the range take the end entries.
import type { FixedType } from '../../fixed/types';
import { fixedType, fracBits } from '../../fixed/types';
import { fromDouble, type Mantissa } from '../../fixed/arith';
import { mantissaArray, setM } from './common';

export const TABLE_SIZE = 1024;
const LOG2_SIZE = 10;

/** hls4ml's default table type, rounding and saturating (entries are exact in it after quantization). */
export const DEFAULT_TABLE_TYPE: FixedType = fixedType(18, 8, { Q: 'AP_RND', O: 'AP_SAT' });

export interface TableSpec {
  size: number;
  /** idx = ⌊x · 2^shift⌋ + offset, clamped. */
  shift: number;
  offset: number;
  /** Entry i as a double. */
  entry(i: number): number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** A table over [lo, lo + 2^span) (span = log2 of the range), entries at bin centres. */
function centred(lo: number, logRange: number, f: (v: number) => number): TableSpec {
  const shift = LOG2_SIZE - logRange;
  const step = 2 ** -shift;
  return { size: TABLE_SIZE, shift, offset: -lo * 2 ** shift, entry: (i) => f(lo + (i + 0.5) * step) };
}

export const sigmoidTable = (): TableSpec => centred(-8, 4, sigmoid);
export const tanhTable = (): TableSpec => centred(-4, 3, Math.tanh);
export const seluTable = (alpha: number, gamma: number): TableSpec => centred(-8, 3, (v) => gamma * alpha * (Math.exp(v) - 1));
export const softmaxExpTable = (): TableSpec => ({ size: TABLE_SIZE, shift: LOG2_SIZE - 3, offset: 0, entry: (i) => Math.exp(-i / 128) });

/** 2^r ≥ n values summed; r ≤ 10 so the shift stays ≥ 0. */
export function softmaxInvTable(n: number): TableSpec {
  let r = 0;
  while (2 ** r < n) r++;
  const shift = LOG2_SIZE - r;
  return { size: TABLE_SIZE, shift, offset: 0, entry: (i) => 1 / Math.max(1, (i + 0.5) * 2 ** (r - LOG2_SIZE)) };
}

/** The table's entries quantized into `type` (mantissas). */
export function tableMantissas(spec: TableSpec, type: FixedType): Float64Array | bigint[] {
  const out = mantissaArray(spec.size, type);
  for (let i = 0; i < spec.size; i++) setM(out, i, fromDouble(spec.entry(i), type), type);
  return out;
}

/** idx = clamp(⌊m · 2^(shift − F)⌋ + offset, 0, size − 1) for a value m · 2^−F of type t (exact). */
export function tableIndex(m: Mantissa, t: FixedType, spec: TableSpec): number {
  const k = spec.shift - fracBits(t);
  let f: number;
  if (typeof m === 'number' && Math.abs(m) < 2 ** 53) {
    f = Math.floor(m * 2 ** k);
  } else {
    const b = typeof m === 'bigint' ? m : BigInt(m);
    const q = k >= 0 ? b << BigInt(k) : b >> BigInt(-k);
    const lim = 1n << 40n;
    f = Number(q > lim ? lim : q < -lim ? -lim : q);
  }
  const i = f + spec.offset;
  return i < 0 ? 0 : i >= spec.size ? spec.size - 1 : i;
}
