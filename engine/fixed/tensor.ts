// Fixed-point tensors: quantize / cast / compare, and firmware order (batch dropped, channels-last). Shared
// by the fixed kernels, the fixed-point simulation and the generator.
import type { Shape, Tensor } from '../tensor/tensor';
import { sizeOf, tensor, transpose } from '../tensor/tensor';
import { TesseraError } from '../diagnostics/diagnostics';
import type { FixedType } from './types';
import { fracBits } from './types';
import { cast, fitsFloat64, fromDouble, quantizeMantissas, quantizeMantissasBig, toDouble, castMantissas } from './arith';

/**
 * A tensor of fixed-point values: shape as in the graph (batch axis included, the op's data format),
 * row-major mantissas m (value = m · 2^−F, F = W − I of `type`). `m` is a Float64Array of integers when
 * type.W ≤ 53 (exact), else an array of bigint.
 */
export interface FixedTensor {
  readonly shape: Shape;
  readonly type: FixedType;
  readonly m: Float64Array | bigint[];
}

/** How a tensor is laid out in the graph; the firmware always stores spatial tensors channels-last. */
export type TensorLayout = 'NCX' | 'NXC' | 'flat';

/** Quantizes a float tensor into `type` (the C++ assignment from double). */
export function quantizeTensor(t: Tensor, type: FixedType): FixedTensor {
  return { shape: [...t.shape], type, m: fitsFloat64(type) ? quantizeMantissas(t.data, type) : quantizeMantissasBig(t.data, type) };
}

/** Exact values as float64 (as the C++ `to_double()`), shape kept. */
export function fixedValues(t: FixedTensor): Float64Array {
  const out = new Float64Array(t.m.length);
  for (let i = 0; i < out.length; i++) out[i] = toDouble(t.m[i], t.type);
  return out;
}

/** Values as a float32 Tensor (for previews and .npy; rounds values wider than float32). */
export function fixedToTensor(t: FixedTensor): Tensor {
  return tensor(t.shape, Float32Array.from(fixedValues(t)));
}

/** Casts every element into `dst` (assignment semantics). */
export function castTensor(t: FixedTensor, dst: FixedType): FixedTensor {
  if (t.m instanceof Float64Array && fitsFloat64(t.type) && fitsFloat64(dst)) return { shape: t.shape, type: dst, m: castMantissas(t.m, t.type, dst) };
  const n = t.m.length;
  if (fitsFloat64(dst)) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(cast(t.m[i], t.type, dst));
    return { shape: t.shape, type: dst, m: out };
  }
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = BigInt(cast(t.m[i], t.type, dst));
  return { shape: t.shape, type: dst, m: out };
}

/** An all-zero tensor of a type. */
export function zerosFixed(shape: Shape, type: FixedType): FixedTensor {
  const n = sizeOf(shape);
  return { shape: [...shape], type, m: fitsFloat64(type) ? new Float64Array(n) : new Array<bigint>(n).fill(0n) };
}

/** One double into `type`, as a mantissa of the tensor representation. */
export function quantizeScalar(v: number, type: FixedType): number | bigint {
  return fromDouble(v, type);
}

/** Elements equal bit for bit (same type and shape assumed by the caller). */
export function mantissasEqual(a: FixedTensor, b: FixedTensor): boolean {
  if (a.m.length !== b.m.length) return false;
  for (let i = 0; i < a.m.length; i++) if (BigInt(a.m[i]) !== BigInt(b.m[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Firmware order: batch dropped, spatial tensors channels-last.

/** Firmware dims of one image: NCX [N, C, …X] → [...X, C]; NXC [N, …X, C] → [...X, C]; flat [N, …] → [...]. */
export function firmwareDims(shape: Shape, layout: TensorLayout): number[] {
  if (layout === 'NCX' && shape.length >= 3) return [...shape.slice(2), shape[1]];
  return shape.slice(1);
}

/** The permutation taking a graph-layout tensor to batch-major channels-last (identity when not NCX). */
export function toChannelsLastPerm(rank: number, layout: TensorLayout): number[] | null {
  if (layout !== 'NCX' || rank < 3) return null;
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** A float tensor in firmware order (batch kept as the outer axis). */
export function toFirmwareOrder(t: Tensor, layout: TensorLayout): Tensor {
  const perm = toChannelsLastPerm(t.shape.length, layout);
  return perm ? transpose(t, perm) : t;
}

/** Back from firmware order (batch outer, channels last) to the graph layout, given the graph shape. */
export function fromFirmwareOrder(t: Tensor, layout: TensorLayout): Tensor {
  const rank = t.shape.length;
  if (layout !== 'NCX' || rank < 3) return t;
  return transpose(t, [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)]);
}

/** Permutes a row-major mantissa array: result axis i is input axis perm[i]. */
export function permuteMantissas(m: Float64Array | bigint[], shape: Shape, perm: readonly number[]): { m: Float64Array | bigint[]; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= shape[a];
  }
  const src = perm.map((p) => inStrides[p]);
  const n = m.length;
  const out: Float64Array | bigint[] = m instanceof Float64Array ? new Float64Array(n) : new Array<bigint>(n);
  const idx = new Array<number>(rank).fill(0);
  let at = 0;
  for (let o = 0; o < n; o++) {
    out[o] = m[at];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      at += src[a];
      if (idx[a] < outShape[a]) break;
      at -= src[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return { m: out, shape: outShape };
}

// ---------------------------------------------------------------------------------------------
// Fixed against float

export interface FixedError {
  maxAbs: number;
  rms: number;
  /** maxAbs in units of the fixed tensor's LSB (2^−F). */
  maxLsb: number;
  /** Index of the largest error. */
  argMax: number;
}

/** Error of a fixed-point tensor against a float reference of the same shape. */
export function fixedVsFloat(fx: FixedTensor, ref: Tensor): FixedError {
  if (fx.m.length !== ref.data.length) throw new TesseraError(`fixedVsFloat: ${fx.m.length} values vs ${ref.data.length}`);
  const v = fixedValues(fx);
  let maxAbs = 0;
  let sq = 0;
  let argMax = 0;
  for (let i = 0; i < v.length; i++) {
    const e = Math.abs(v[i] - ref.data[i]);
    sq += e * e;
    if (e > maxAbs) {
      maxAbs = e;
      argMax = i;
    }
  }
  return { maxAbs, rms: v.length ? Math.sqrt(sq / v.length) : 0, maxLsb: maxAbs / lsb(fx.type), argMax };
}

export function lsb(t: FixedType): number {
  return Math.pow(2, -fracBits(t));
}
