// Exact int32 accumulation for MAC chains (conv family, Dense): the fast path of
//   acc = (accum_t) start; acc = (accum_t)(acc + (accum_t)(x · w)) per term; result = acc
// when the chain is order-free and every intermediate is exact in 32-bit integer arithmetic.
//
// Why it is exact (FIXED_POINT.md):
// - The per-term cast (accum_t)(x·w) with F_acc < F_x + F_w and AP_TRN is floor(p / 2^k): an arithmetic
//   right shift of the exact product p (needs |p| < 2^31: W_x + W_w ≤ 32, or a data bound). With
//   F_acc ≥ F_x + F_w it is p · 2^k, exact modulo 2^32 (Math.imul / <<).
// - A modular accumulator (ap_fixed, AP_WRAP, N = 0, W_acc ≤ 32) computes the sum modulo 2^W_acc, and 2^W_acc
//   divides 2^32: int32 wrap-around arithmetic followed by one final wrap into accum_t is the same value, in
//   any order, for any data.
// - Any other accumulator (AP_SAT…, or W_acc > 32) is exact only when no partial sum can overflow:
//   |start| + Σ|term| bounded from the actual data below both the accumulator's range and 2^31. Then every
//   per-step cast is the identity and int32 never wraps.
// Everything else (rounding modes other than AP_TRN on the term, AP_WRAP with N > 0, AP_WRAP_SM, saturation
// that can trigger) stays on the step-by-step MacPlan path.
import type { FixedType } from './types';
import { fracBits } from './types';
import { p2 } from './cast';

/** Static part of the decision: how each product becomes an accumulator term, or null (not int32-able). */
export interface Int32Mac {
  /** ≥ 0: term = p << shift (mod 2^32); < 0: term = p >> −shift (floor). */
  shift: number;
  /** The accumulator wraps modulo 2^W (W ≤ 32): exact for any data. */
  modular: boolean;
  /** Products are exact in int32 for any values of the types (else a right shift needs |x|·|w| < 2^31 from the data). */
  productsFitByType: boolean;
  /** Largest accumulator mantissa (for the no-overflow proof of non-modular accumulators). */
  accMax: number;
  accMin: number;
}

export function int32Mac(xT: FixedType, wT: FixedType, accT: FixedType): Int32Mac | null {
  if (xT.W > 32 || wT.W > 32 || accT.kind !== 'fixed') return null;
  const exactShift = fracBits(accT) - (fracBits(xT) + fracBits(wT));
  if (exactShift < 0 && accT.Q !== 'AP_TRN') return null;
  if (exactShift > 31) return null;
  // Products the right shift sees are exact (|p| < 2^31), so floor(p / 2^k) for any k ≥ 31 is floor(p / 2^31)
  // (0 or −1): clamp, as shift counts are taken modulo 32.
  const shift = Math.max(exactShift, -31);
  const modular = accT.O === 'AP_WRAP' && accT.N === 0 && accT.W <= 32;
  const accMax = accT.signed ? p2(accT.W - 1) - 1 : p2(accT.W) - 1;
  const accMin = accT.signed ? -p2(accT.W - 1) : 0;
  // |x·w| < 2^(Wx+Ww−1) when either type is signed (at most 2^(Wx−1)·2^(Ww−1), or below (2^Wx)·2^(Ww−1)),
  // but only < 2^(Wx+Ww) for unsigned × unsigned.
  const productBits = xT.W + wT.W - (xT.signed || wT.signed ? 1 : 0);
  return { shift, modular, productsFitByType: productBits <= 31, accMax, accMin };
}

/**
 * Data-dependent part: may a chain with this start (accumulator mantissa), inputs bounded by maxAbsX and
 * Σ|w| = sumAbsW over its terms (maxAbsW the largest |w|) use the int32 path? Conservative.
 */
export function int32ChainOk(mac: Int32Mac, start: number, maxAbsX: number, maxAbsW: number, sumAbsW: number, nTerms: number): boolean {
  if (mac.shift < 0 && !mac.productsFitByType && maxAbsX * maxAbsW >= 2 ** 31) return false;
  if (mac.modular) return Number.isInteger(start) && Math.abs(start) < 2 ** 32;
  // Σ|term| ≤ Σ|x·w|·2^shift (+1 per term for the floor of a negative product).
  const bound = Math.abs(start) + maxAbsX * sumAbsW * p2(mac.shift) + (mac.shift < 0 ? nTerms : 0);
  // An unsigned accumulator overflows on any negative partial sum, which magnitude bounds cannot exclude.
  return bound < 2 ** 31 && bound <= mac.accMax && mac.accMin < 0;
}

/** The accumulator mantissa of an int32 sum: one final wrap for modular accumulators, else the sum itself. */
export function int32AccValue(mac: Int32Mac, sum: number, wrap: (m: number) => number): number {
  return mac.modular ? wrap(sum) : sum;
}

/**
 * int32 sums → result_t mantissas in one pass, where quantizeFast covers result_t (else null: cast element by
 * element with int32AccValue). A modular accumulator's value is the low W bits of the sum (sign-extended when
 * signed: the same as the final wrap); any other is the sum itself.
 */
export function int32Results(sums: Int32Array, mac: Int32Mac, accT: FixedType, resultT: FixedType): Float64Array | null {
  const acc = new Float64Array(sums.length);
  const sh = 32 - accT.W;
  if (!mac.modular) for (let i = 0; i < sums.length; i++) acc[i] = sums[i];
  else if (accT.signed) for (let i = 0; i < sums.length; i++) acc[i] = (sums[i] << sh) >> sh;
  else for (let i = 0; i < sums.length; i++) acc[i] = (sums[i] << sh) >>> sh;
  return quantizeFast(acc, resultT, fracBits(accT));
}

/** NCX float64 mantissas [N][C][plane] → channels-last Int32 [N][plane][C]. */
export function channelsLastInt32(m: Float64Array, N: number, C: number, plane: number): Int32Array {
  const out = new Int32Array(m.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const src = (n * C + c) * plane;
      const dst = n * plane * C + c;
      for (let i = 0; i < plane; i++) out[dst + i * C] = m[src + i];
    }
  return out;
}

/** Converts float64 integer mantissas (each |m| < 2^31 or taken modulo 2^32) to an Int32Array. */
export function toInt32(m: Float64Array): Int32Array {
  const out = new Int32Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = m[i];
  return out;
}

/**
 * Conv-family accumulation over term lists (the engine's conv kernel structure), output channels tiled by 4.
 * x: channels-last input [N][H·W][C] (Int32); w: [Co][kh][kw][cinG] (Int32); rows[oh] / cols[ow]: (input index,
 * tap) pairs. Writes start[co] + Σ terms (mod 2^32) to acc in NCX order [N][Co][Ho][Wo] for the output channels
 * co with use[co] = 1 (others untouched). Channels of group g: x channels g·cinG…, output channels g·coutG….
 * The WebAssembly path keeps `w` resident between calls by identity: never mutate a `w` array once passed.
 */
export function int32ConvSums(a: {
  x: Int32Array;
  w: Int32Array;
  N: number;
  C: number;
  H: number;
  W: number;
  Co: number;
  groups: number;
  kh: number;
  kw: number;
  rows: readonly Int32Array[];
  cols: readonly Int32Array[];
  shift: number;
  start: Int32Array;
  use: Uint8Array;
  acc: Int32Array;
}): void {
  const { x, w, N, C, W, Co, groups, kh, kw, rows, cols, start, use, acc } = a;
  const Ho = rows.length;
  const Wo = cols.length;
  const cinG = C / groups;
  const coutG = Co / groups;
  const wCo = kh * kw * cinG;
  const plane = Ho * Wo;
  const H = a.H;
  const ls = a.shift >= 0 ? a.shift : 0;
  const rs = a.shift < 0 ? -a.shift : 0;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      const xb = n * H * W * C + g * cinG;
      for (let t0 = 0; t0 < coutG; t0 += 4) {
        const co0 = g * coutG + t0;
        const nt = Math.min(4, coutG - t0);
        let any = false;
        for (let j = 0; j < nt; j++) if (use[co0 + j]) any = true;
        if (!any) continue;
        // Missing lanes of a partial tile reuse lane 0's weights and are not stored.
        const w0 = co0 * wCo;
        const w1 = (nt > 1 ? co0 + 1 : co0) * wCo;
        const w2 = (nt > 2 ? co0 + 2 : co0) * wCo;
        const w3 = (nt > 3 ? co0 + 3 : co0) * wCo;
        for (let oh = 0; oh < Ho; oh++) {
          const rl = rows[oh];
          for (let ow = 0; ow < Wo; ow++) {
            const cl = cols[ow];
            let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (let r = 0; r < rl.length; r += 2) {
              const ih = rl[r], th = rl[r + 1];
              for (let e = 0; e < cl.length; e += 2) {
                const iw = cl[e], tw = cl[e + 1];
                const xi = xb + (ih * W + iw) * C;
                const wo = (th * kw + tw) * cinG;
                const a0 = w0 + wo, a1 = w1 + wo, a2 = w2 + wo, a3 = w3 + wo;
                if (rs > 0) {
                  for (let c = 0; c < cinG; c++) {
                    const xv = x[xi + c];
                    s0 = (s0 + (Math.imul(xv, w[a0 + c]) >> rs)) | 0;
                    s1 = (s1 + (Math.imul(xv, w[a1 + c]) >> rs)) | 0;
                    s2 = (s2 + (Math.imul(xv, w[a2 + c]) >> rs)) | 0;
                    s3 = (s3 + (Math.imul(xv, w[a3 + c]) >> rs)) | 0;
                  }
                } else {
                  for (let c = 0; c < cinG; c++) {
                    const xv = x[xi + c];
                    s0 = (s0 + Math.imul(xv, w[a0 + c])) | 0;
                    s1 = (s1 + Math.imul(xv, w[a1 + c])) | 0;
                    s2 = (s2 + Math.imul(xv, w[a2 + c])) | 0;
                    s3 = (s3 + Math.imul(xv, w[a3 + c])) | 0;
                  }
                }
              }
            }
            if (ls > 0) {
              s0 <<= ls;
              s1 <<= ls;
              s2 <<= ls;
              s3 <<= ls;
            }
            const o = (n * Co + co0) * plane + oh * Wo + ow;
            if (use[co0]) acc[o] = (start[co0] + s0) | 0;
            if (nt > 1 && use[co0 + 1]) acc[o + plane] = (start[co0 + 1] + s1) | 0;
            if (nt > 2 && use[co0 + 2]) acc[o + 2 * plane] = (start[co0 + 2] + s2) | 0;
            if (nt > 3 && use[co0 + 3]) acc[o + 3 * plane] = (start[co0 + 3] + s3) | 0;
          }
        }
      }
    }
  }
}

/**
 * Dense: x [rows][nIn], w transposed to [U][nIn] (Int32); acc[r·U + u] = start[u] + Σ_n term(x[r][n]·w[u][n])
 * (mod 2^32) for units with use[u] = 1.
 */
export function int32DenseSums(x: Int32Array, wT: Int32Array, rows: number, nIn: number, U: number, shift: number, start: Int32Array, use: Uint8Array, acc: Int32Array): void {
  const ls = shift >= 0 ? shift : 0;
  const rs = shift < 0 ? -shift : 0;
  for (let r = 0; r < rows; r++) {
    const xb = r * nIn;
    for (let u = 0; u < U; u++) {
      if (!use[u]) continue;
      const wb = u * nIn;
      let s = 0;
      if (rs > 0) for (let n = 0; n < nIn; n++) s = (s + (Math.imul(x[xb + n], wT[wb + n]) >> rs)) | 0;
      else for (let n = 0; n < nIn; n++) s = (s + Math.imul(x[xb + n], wT[wb + n])) | 0;
      acc[r * U + u] = (start[u] + (s << ls)) | 0;
    }
  }
}

/**
 * Quantizes doubles into t (the C++ assignment from double) on a fast closed form for the common types:
 * ap_fixed / ap_ufixed with AP_TRN or AP_RND and AP_WRAP (N = 0) or AP_SAT, W ≤ 32. Returns null when t or
 * a value is outside that (non-finite, or |v·2^F| ≥ 2^52): callers then use quantizeMantissas. Exact: v·2^F
 * scales by a power of two, +0.5 and floor are exact below 2^52, and the wrap / clamp is integer arithmetic.
 * With srcFracBits, x holds mantissas m of values m·2^−srcFracBits (the cast between fixed-point types).
 */
export function quantizeFast(x: ArrayLike<number>, t: FixedType, srcFracBits = 0): Float64Array | null {
  if (t.kind !== 'fixed' || t.W > 32 || (t.Q !== 'AP_TRN' && t.Q !== 'AP_RND')) return null;
  const wrap = t.O === 'AP_WRAP' && t.N === 0;
  if (!wrap && t.O !== 'AP_SAT') return null;
  const s = p2(fracBits(t) - srcFracBits);
  const half = t.Q === 'AP_RND' ? 0.5 : 0;
  const span = p2(t.W);
  const lo = t.signed ? -p2(t.W - 1) : 0;
  const hi = lo + span - 1;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const y = x[i] * s;
    if (!(Math.abs(y) < 2 ** 52)) return null;
    const q = Math.floor(y + half);
    out[i] = wrap ? q - Math.floor((q - lo) / span) * span : q < lo ? lo : q > hi ? hi : q;
  }
  return out;
}

// Per-layer weight preparation (quantized, re-laid-out, bounds) reused across preview runs while the weights
// are unchanged: keyed by the weight array object and a description of the preparation. Weight arrays are
// values (engine/graph/model.ts): the app replaces an array to change weights; code that edits one in place
// calls invalidateWeightCaches (engine/ops/weight-caches.ts). (A per-use bitwise check cost as much as the integer kernel itself on
// wide layers: 3 ns per weight.)
const prepared = new WeakMap<Float32Array, Map<string, unknown>>();

export function cachedPreparation<T>(data: Float32Array, key: string, build: () => T): T {
  let byKey = prepared.get(data);
  if (!byKey) {
    byKey = new Map();
    prepared.set(data, byKey);
  }
  if (byKey.has(key)) return byKey.get(key) as T;
  const v = build();
  byKey.set(key, v);
  return v;
}

/** Drops the preparations derived from a weight array (engine/ops/weight-caches.ts drops every engine cache). */
export function invalidatePreparedWeights(data: Float32Array): void {
  prepared.delete(data);
}
