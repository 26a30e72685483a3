// Tessera's arbitrary-precision types for g++ C simulation: ap_int<W>, ap_uint<W>, ap_fixed<W,I,Q,O,N>,
// ap_ufixed<W,I,Q,O,N>. Written for Tessera (not derived from vendor sources); it follows the behaviour
// documented in UG1399 and Tessera's FIXED_POINT.md, and the engine (engine/fixed) implements the same
// algorithm bit for bit. Include <ap_int.h> or <ap_fixed.h>, not this file.
//
// Supported: every quantization mode (AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF,
// AP_RND_CONV) and overflow mode (AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP_SM) with N saturation
// bits; widths 1..128 (declare up to 64 bits; the product of two 64-bit values needs 128), growth rules of
// + − * in the result types, assignment quantization/overflow, compound assignment, comparisons, shifts,
// conversions to/from C integers, float and double, bit reads and writes, range reads, printing, integer and
// fixed-point division and remainder.
// Comparisons, / and % of operands of different signedness follow the C simulation of AMD's headers (what
// Vitis computes), which converts like C does in some width/signedness combinations (see int_less and
// int_div_rule below): e.g. ap_int<22>(-1) == ap_uint<38>(all ones) is true, ap_int<8>(-7) / ap_uint<16>(2) is -4.
// Not supported (compile-time error): W < 1 or W > 128, AP_WRAP_SM on unsigned types, N outside 0..W.
// Not provided: string constructors, concatenation.

#ifndef TESSERA_AP_TYPES_H
#define TESSERA_AP_TYPES_H

#ifndef __cplusplus
#error "Tessera's ap_int/ap_fixed headers need C++ (g++ -std=c++17)"
#endif
#if __cplusplus < 201703L
#error "Tessera's ap_int/ap_fixed headers need C++17 or later (compile with -std=c++17)"
#endif

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <type_traits>

enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

template <int W, bool S> struct ap_int_base;
template <int W, int I, bool S, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0> struct ap_fixed_base;

namespace tessera_ap {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define TAP_INLINE inline __attribute__((always_inline))

constexpr int imax(int a, int b) { return a > b ? a : b; }
constexpr int imin(int a, int b) { return a < b ? a : b; }

template <int W, bool S> struct store {
  static_assert(W >= 1, "Tessera ap types: the width W must be at least 1");
  static_assert(W <= 128,
                "Tessera ap types: W > 128 is not supported (declare at most 64 bits; products of two 64-bit "
                "values use 128). Narrow the type, or build with the vendor headers ($XILINX_HLS/include).");
  typedef typename std::conditional<
      (W <= 64), typename std::conditional<S, int64_t, uint64_t>::type,
      typename std::conditional<S, i128, u128>::type>::type type;
};

TAP_INLINE u128 lowmask(int n) { return n <= 0 ? (u128)0 : n >= 128 ? ~(u128)0 : (((u128)1 << n) - 1); }
/** Bit k of a value held sign-extended in 128 bits; bits above 127 repeat the sign. */
TAP_INLINE bool getbit(u128 x, int k, bool neg) { return k >= 128 ? neg : ((x >> k) & 1) != 0; }
/** floor(x / 2^d) of a sign-extended value, d >= 0. */
TAP_INLINE u128 floor_shr(u128 x, int d, bool neg) {
  if (d <= 0) return x;
  if (d >= 128) return neg ? ~(u128)0 : (u128)0;
  return neg ? ~((~x) >> d) : (x >> d);
}
TAP_INLINE u128 shl(u128 x, int d) { return d >= 128 ? (u128)0 : (x << d); }
TAP_INLINE u128 set_range(u128 v, int lo, int hi, bool ones) {
  if (hi < lo) return v;
  u128 m = lowmask(hi - lo + 1) << lo;
  return ones ? (v | m) : (v & ~m);
}
/** The low W bits of v as a value of W bits with signedness S, sign- or zero-extended to 128 bits. */
TAP_INLINE u128 extend(u128 v, int W, bool S) {
  if (W >= 128) return v;
  v &= lowmask(W);
  if (S && ((v >> (W - 1)) & 1)) v |= ~lowmask(W);
  return v;
}
template <typename T> TAP_INLINE u128 pattern(T v) { return (u128)v; }

/** Rounding increment for the quantization modes (FIXED_POINT.md table). */
TAP_INLINE bool round_inc(ap_q_mode Q, bool qb, bool r, bool s, bool lsb) {
  switch (Q) {
    case AP_TRN: return false;
    case AP_TRN_ZERO: return s && (qb || r);
    case AP_RND: return qb;
    case AP_RND_ZERO: return qb && (s || r);
    case AP_RND_MIN_INF: return qb && r;
    case AP_RND_INF: return qb && (!s || r);
    case AP_RND_CONV: return qb && (lsb || r);
  }
  return false;
}

/**
 * Casts a value of format (W2, I2, S2) whose bits are m (sign-extended) into (W, I, S, Q, O, N); returns the
 * target's W-bit pattern (sign-extended). Quantization first, then overflow; the overflow flags are derived
 * from the dropped high bits and the rounding carry, as in the engine's castBig (engine/fixed/cast.ts).
 */
TAP_INLINE u128 cast_fixed(u128 m, int W2, int I2, bool S2, int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N) {
  const int F = W - I, F2 = W2 - I2;
  const bool isneg = S2 && ((m >> 127) & 1);
  const bool quan_inc = F2 > F && !(Q == AP_TRN || (Q == AP_TRN_ZERO && !S2));
  u128 v;
  bool carry = false;
  if (F2 == F) {
    v = m & lowmask(W);
  } else if (F2 > F) {
    const int d = F2 - F;
    v = floor_shr(m, d, isneg) & lowmask(W);
    if (quan_inc) {
      const bool qb = getbit(m, d - 1, isneg);
      const bool r = d >= 2 ? (m & lowmask(imin(d - 1, W2))) != 0 : false;
      const bool before = getbit(v, W - 1, false);
      if (round_inc(Q, qb, r, isneg, v & 1)) v = (v + 1) & lowmask(W);
      carry = before && !getbit(v, W - 1, false);
    }
  } else {
    const int sh = F - F2;
    v = sh < W ? (shl(m, sh) & lowmask(W)) : (u128)0;
  }
  bool gate = !(O == AP_WRAP && N == 0) &&
              ((!S && S2) || (I - (S ? 1 : 0) < I2 - (S2 ? 1 : 0) + ((quan_inc || (S2 && O == AP_SAT_SYM)) ? 1 : 0)));
  if (gate) {
    const bool newsign = getbit(v, W - 1, false);
    const int pos1 = F2 - F + W, pos2 = pos1 + 1;
    const bool lD = (pos1 < W2 && pos1 >= 0) ? getbit(m, pos1, isneg) : false;
    bool deleted_zeros = S2 ? true : !carry;
    bool deleted_ones = true;
    bool neg_src;
    if (pos1 < W2) {
      bool r1_ones = true, r1_zeros = true, r2_ones = true;
      if (pos2 < W2 && pos2 >= 0) r2_ones = ((m >> pos2) & lowmask(W2 - pos2)) == lowmask(W2 - pos2);
      else if (pos2 < 0) r2_ones = false;
      if (pos1 >= 0 && pos2 < W2) {
        const u128 r1 = (m >> pos1) & lowmask(W2 - pos1);
        r1_ones = r1 == lowmask(W2 - pos1);
        r1_zeros = r1 == 0;
      } else if (pos2 == W2) {
        r1_ones = lD;
        r1_zeros = !lD;
      } else if (pos1 < 0) {
        r1_zeros = (m & lowmask(W2)) == 0;
        r1_ones = false;
      }
      deleted_zeros = deleted_zeros && (carry ? r1_ones : r1_zeros);
      deleted_ones = carry ? (r2_ones && (pos1 < 0 || !lD)) : r1_ones;
      neg_src = isneg && !(carry && r1_ones);
    } else {
      neg_src = isneg && newsign;
    }
    const bool neg_trg = S && newsign;
    const bool overflow = (neg_trg || !deleted_zeros) && !isneg;
    bool underflow = (!neg_trg || !deleted_ones) && neg_src;
    if (O == AP_SAT_SYM && S2 && S) underflow = underflow || (neg_src && (W > 1 ? (v & lowmask(W - 1)) == 0 : true));
    if (overflow || underflow) {
      const bool sign = neg_src;
      switch (O) {
        case AP_WRAP:
          if (N == 0) break;
          if (!S) {
            v = set_range(v, W - N, W - 1, true);
          } else {
            v = set_range(v, W - 1, W - 1, sign);
            if (N > 1) v = set_range(v, W - N, W - 2, !sign);
          }
          break;
        case AP_SAT_ZERO:
          v = 0;
          break;
        case AP_WRAP_SM: {
          const bool ro = getbit(v, W - 1, false);
          if (N == 0) {
            if (lD != ro) v = set_range((~v) & lowmask(W), W - 1, W - 1, lD);
          } else {
            if (N == 1) {
              if (sign != ro) v = (~v) & lowmask(W);
            } else {
              if (getbit(v, W - N, false) == sign) v = (~v) & lowmask(W);
              v = set_range(v, W - N, W - 2, !sign);
            }
            v = set_range(v, W - 1, W - 1, sign);
          }
          break;
        }
        default:  // AP_SAT, AP_SAT_SYM
          if (S) {
            if (overflow) v = lowmask(W - 1);
            else v = ((u128)1 << (W - 1)) | (O == AP_SAT_SYM ? 1 : 0);
          } else {
            v = overflow ? lowmask(W) : (u128)0;
          }
      }
    }
  }
  return extend(v, W, S);
}

/** Whether cast_closed applies: modes with a closed form, and widths where it stays within 128 bits. */
TAP_INLINE bool closed_ok(int W2, int I2, int W, int I, ap_o_mode O, int N) {
  const int F = W - I, F2 = W2 - I2;
  const bool mode = O == AP_SAT || O == AP_SAT_ZERO || O == AP_SAT_SYM || (O == AP_WRAP && N == 0);
  return mode && W <= 64 && W2 <= 100 && F2 - F <= 100 && (F2 >= F || F - F2 >= W || W2 + (F - F2) <= 120);
}

/**
 * The closed form of cast_fixed for AP_SAT / AP_SAT_ZERO / AP_SAT_SYM / AP_WRAP(N = 0): round by the
 * FIXED_POINT.md table, then clamp / zero / wrap (AP_SAT_SYM: lower bound -max, min when W = 1).
 * Equal to cast_fixed (the engine's tests check both against each other); much faster in C simulation.
 */
TAP_INLINE u128 cast_closed(u128 m, int W2, int I2, bool S2, int W, int I, bool S, ap_q_mode Q, ap_o_mode O) {
  const int F = W - I, F2 = W2 - I2;
  const i128 x = (i128)m;  // the value's mantissa (m is sign- or zero-extended)
  const bool neg = S2 && x < 0;
  i128 r;
  bool big = false;  // |value| ≥ 2^W ulps: out of range whatever the mode
  if (F2 > F) {
    const int d = F2 - F;
    const i128 fl = x >> d;  // floor (arithmetic shift)
    const u128 rem = m & lowmask(d);
    const u128 half = (u128)1 << (d - 1);
    const bool qb = rem >= half;
    const bool rr = qb ? rem != half : rem != 0;
    r = round_inc(Q, qb, rr, neg, (fl & 1) != 0) ? fl + 1 : fl;
  } else if (F2 == F) {
    r = x;
  } else {
    const int sh = F - F2;
    if (sh >= W && x != 0) {
      big = true;
      r = 0;
    } else {
      r = (i128)((u128)x << sh);
    }
  }
  const i128 mn = S ? -((i128)1 << (W - 1)) : 0;
  const i128 mx = S ? ((i128)1 << (W - 1)) - 1 : ((i128)1 << W) - 1;
  const i128 lo = (O == AP_SAT_SYM && S && W > 1) ? mn + 1 : mn;
  if (!big && r >= lo && r <= mx) return (u128)r;
  switch (O) {
    case AP_WRAP:
      return extend(big ? 0 : (u128)r, W, S);
    case AP_SAT_ZERO:
      return (!big && r >= mn && r <= mx) ? (u128)r : 0;
    default:
      if (big) return (u128)(x > 0 ? mx : lo);
      return (u128)(r > mx ? mx : lo);
  }
}

/** Assignment: the closed form where it applies, else the bit-level algorithm. */
TAP_INLINE u128 cast_assign(u128 m, int W2, int I2, bool S2, int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N) {
  if (closed_ok(W2, I2, W, I, O, N)) return cast_closed(m, W2, I2, S2, W, I, S, Q, O);
  return cast_fixed(m, W2, I2, S2, W, I, S, Q, O, N);
}

/** C semantics into an ap_int: truncate toward zero, then wrap. */
TAP_INLINE u128 cast_int(u128 m, int W2, int I2, bool S2, int W, bool S) {
  const int F2 = W2 - I2;
  const bool neg = S2 && ((m >> 127) & 1);
  u128 q;
  if (F2 > 0) {
    q = floor_shr(m, F2, neg);
    if (neg && (m & lowmask(F2)) != 0) q += 1;
  } else {
    q = shl(m, -F2);
  }
  return extend(q, W, S);
}

/** A double as a signed 54-bit mantissa with I = exponent + 2; false for ±0. */
TAP_INLINE bool double_parts(double d, u128& m, int& I2) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  if ((bits & 0x7fffffffffffffffULL) == 0) return false;
  const int exp = (int)((bits >> 52) & 0x7ff) - 1023;
  const uint64_t man = (bits & 0xfffffffffffffULL) | (1ULL << 52);
  m = (bits >> 63) ? (u128)(-(i128)man) : (u128)man;
  I2 = exp + 2;
  return true;
}

TAP_INLINE u128 double_to_fixed(double d, int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N) {
  u128 m;
  int I2;
  if (!double_parts(d, m, I2)) return 0;
  return cast_assign(m, 54, I2, true, W, I, S, Q, O, N);
}

TAP_INLINE u128 double_to_int(double d, int W, bool S) {
  if (!std::isfinite(d)) return 0;
  u128 m;
  int I2;
  if (!double_parts(d, m, I2)) return 0;
  return cast_int(m, 54, I2, true, W, S);
}

/** m · 2^-F as a double, rounded to nearest even once. */
TAP_INLINE double to_double(u128 m, bool neg, int F) {
  if (neg) return std::ldexp((double)(i128)m, -F);
  return std::ldexp((double)m, -F);
}
TAP_INLINE float to_float(u128 m, bool neg, int F) {
  if (neg) return std::ldexp((float)(i128)m, -F);
  return std::ldexp((float)m, -F);
}

/** Compares two values (bits a with F1 fraction bits, b with F2); -1, 0 or 1. */
TAP_INLINE int compare(u128 a, bool na, int F1, u128 b, bool nb, int F2) {
  if (na != nb) return na ? -1 : 1;
  if (F1 >= F2) {
    const int d = F1 - F2;
    const u128 qa = floor_shr(a, d, na);
    if (qa != b) return qa < b ? -1 : 1;
    return (a & lowmask(d)) != 0 ? 1 : 0;
  }
  const int d = F2 - F1;
  const u128 qb = floor_shr(b, d, nb);
  if (a != qb) return a < qb ? -1 : 1;
  return (b & lowmask(d)) != 0 ? -1 : 0;
}

/** The M low bits of a value held sign-extended in 128 bits (M ≤ 128). */
TAP_INLINE u128 low_bits(u128 x, int M) { return x & lowmask(M); }
/** Those M bits read as signed (true) or unsigned: the 128-bit sign-extended form. */
TAP_INLINE u128 as_m_bits(u128 x, int M, bool s) { return extend(low_bits(x, M), M, s); }

/**
 * Equality of two integers as AMD's C simulation decides it: both operands in M = max(W1, W2, 32) bits
 * (sign-extended when signed), the bit patterns compared; two operands of one width ≤ 64 and different
 * signedness are compared in 64 bits instead (their C storage types converted to uint64_t).
 */
TAP_INLINE bool int_equal(u128 a, int W1, bool S1, u128 b, int W2, bool S2) {
  const int M = W1 == W2 && S1 != S2 && W1 <= 64 ? 64 : imin(imax(imax(W1, W2), 32), 128);
  return low_bits(a, M) == low_bits(b, M);
}

/**
 * a < b as AMD's C simulation decides it: the value order, except when the signedness differs, the wider
 * width is at least 32 and the unsigned operand is at least as wide as the signed one; then, like C's usual
 * conversions, both are compared as unsigned numbers of M = max(W1, W2) + 1 bits (a negative signed value
 * is then above every unsigned one).
 */
TAP_INLINE bool int_less(u128 a, bool na, int W1, bool S1, u128 b, bool nb, int W2, bool S2) {
  const bool unsigned_compare = S1 != S2 && (W1 >= 32 || W2 >= 32) && (S1 ? W2 >= W1 : W1 >= W2);
  if (unsigned_compare) {
    const int M = imin(imax(W1, W2) + 1, 128);
    return low_bits(a, M) < low_bits(b, M);
  }
  if (na != nb) return na;
  return na ? (i128)a < (i128)b : a < b;
}

/**
 * Integer / and % as AMD's C simulation computes them: both operands are first put in M = max(W1, W2) +
 * (S1 || S2) bits with the signedness of the wider operand (either's, or signed, when equally wide); the
 * quotient is a signed division of those values when either operand is signed, else an unsigned one; the
 * remainder is signed when the dividend is signed, else an unsigned remainder of the M-bit patterns. A
 * signed operand read as unsigned (the wider operand unsigned) takes the value 2^M + v: C's conversion.
 */
struct int_div_rule {
  int M;
  bool T;
  TAP_INLINE int_div_rule(int W1, bool S1, int W2, bool S2)
      : M(imin(imax(W1, W2) + ((S1 || S2) ? 1 : 0), 128)), T(W1 > W2 ? S1 : W2 > W1 ? S2 : (S1 || S2)) {}
};
TAP_INLINE u128 int_div(u128 a, int W1, bool S1, u128 b, int W2, bool S2) {
  const int_div_rule r(W1, S1, W2, S2);
  const u128 x = as_m_bits(a, r.M, r.T), y = as_m_bits(b, r.M, r.T);
  if ((S1 || S2) && r.T) return (u128)((i128)x / (i128)y);
  return low_bits(x, r.M) / low_bits(y, r.M);
}
TAP_INLINE u128 int_rem(u128 a, int W1, bool S1, u128 b, int W2, bool S2) {
  const int_div_rule r(W1, S1, W2, S2);
  const u128 x = as_m_bits(a, r.M, r.T), y = as_m_bits(b, r.M, r.T);
  if (S1 && r.T) return (u128)((i128)x % (i128)y);
  return low_bits(x, r.M) % low_bits(y, r.M);
}

/**
 * Fixed-point comparison as AMD's C simulation does it: the operand with fewer fraction bits is widened to the
 * other's (the left operand with one integer bit more), then the integer rules above compare the mantissas.
 * Returns -1, 0 or 1 for <, ==, > (the equality and the order each by their own rule: a value can be
 * "equal" and "less" only where C would say so too).
 */
struct fixed_cmp {
  u128 a, b;
  bool na, nb;
  int W1, W2;
  bool S1, S2;
};
TAP_INLINE fixed_cmp align_fixed(u128 a, bool na, int W1, int F1, bool S1, u128 b, bool nb, int W2, int F2, bool S2) {
  fixed_cmp c{a, b, na, nb, W1, W2, S1, S2};
  if (F1 > F2) {
    c.b = shl(b, F1 - F2);
    c.W2 = W2 + F1 - F2;
  } else if (F1 < F2) {
    c.a = shl(a, F2 - F1);
    c.W1 = W1 + F2 - F1 + 1;
  }
  return c;
}

/** C integer types as ap types: ap_int_base<bits, signed>. */
template <typename T> struct c_int {
  enum { W = std::is_same<T, bool>::value ? 1 : (int)(8 * sizeof(T)), S = std::is_signed<T>::value };
};

template <typename T> using enable_c_int = typename std::enable_if<std::is_integral<T>::value, int>::type;
template <typename T> using enable_c_float = typename std::enable_if<std::is_floating_point<T>::value, int>::type;

}  // namespace tessera_ap

// =============================================================================================
// ap_int_base<W, S>: integers of W bits

template <int W, bool S> struct ap_int_base {
  typedef typename tessera_ap::store<W, S>::type store_t;
  static constexpr int width = W;
  static constexpr int iwidth = W;
  static constexpr bool sign_flag = S;
  static constexpr bool is_fixed = false;
  store_t V;

  inline bool neg() const { return S && V < 0; }
  inline tessera_ap::u128 bits() const { return tessera_ap::pattern(V); }
  inline void set_pattern(tessera_ap::u128 p) { V = (store_t)tessera_ap::extend(p, W, S); }

  ap_int_base() : V(0) {}
  template <int W2, bool S2> ap_int_base(const ap_int_base<W2, S2>& o) { set_pattern(o.bits()); }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_int_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& o) {
    V = (store_t)tessera_ap::cast_int(o.bits(), W2, I2, S2, W, S);
  }
  template <typename T, tessera_ap::enable_c_int<T> = 0> ap_int_base(T x) {
    set_pattern(tessera_ap::pattern(x));
  }
  template <typename T, tessera_ap::enable_c_float<T> = 0> ap_int_base(T x) {
    V = (store_t)tessera_ap::double_to_int((double)x, W, S);
  }

  // conversions
  inline int to_int() const { return (int)V; }
  inline unsigned to_uint() const { return (unsigned)V; }
  inline long to_long() const { return (long)V; }
  inline unsigned long to_ulong() const { return (unsigned long)V; }
  inline int64_t to_int64() const { return (int64_t)V; }
  inline uint64_t to_uint64() const { return (uint64_t)V; }
  inline double to_double() const { return tessera_ap::to_double(bits(), neg(), 0); }
  inline float to_float() const { return tessera_ap::to_float(bits(), neg(), 0); }
  typedef typename std::conditional<S, long long, unsigned long long>::type c_type;
  inline operator c_type() const { return (c_type)V; }
  inline int length() const { return W; }

  // bits
  inline bool operator[](int i) const { return tessera_ap::getbit(bits(), i, neg()); }
  inline bool get_bit(int i) const { return (*this)[i]; }
  inline void set_bit(int i, bool b) { set_pattern(tessera_ap::set_range(bits(), i, i, b)); }
  struct bit_ref {
    ap_int_base& x;
    int i;
    inline operator bool() const { return x.get_bit(i); }
    inline bit_ref& operator=(bool b) { x.set_bit(i, b); return *this; }
    inline bit_ref& operator=(const bit_ref& o) { x.set_bit(i, (bool)o); return *this; }
  };
  inline bit_ref operator[](int i) { return bit_ref{*this, i}; }
  /** Bits hi..lo as an unsigned value (read only). */
  inline ap_int_base<W, false> range(int hi, int lo) const {
    ap_int_base<W, false> r;
    r.set_pattern((bits() >> lo) & tessera_ap::lowmask(hi - lo + 1));
    return r;
  }
  inline ap_int_base<W, false> range() const { return range(W - 1, 0); }
  inline void set_range(int hi, int lo, tessera_ap::u128 val) {
    const tessera_ap::u128 m = tessera_ap::lowmask(hi - lo + 1);
    set_pattern((bits() & ~(m << lo)) | ((val & m) << lo));
  }

  // shifts keep the type (bits move, no growth)
  inline ap_int_base operator<<(int sh) const {
    ap_int_base r;
    if (sh < 0) return *this >> -sh;
    r.set_pattern(tessera_ap::shl(bits(), sh));
    return r;
  }
  inline ap_int_base operator>>(int sh) const {
    ap_int_base r;
    if (sh < 0) return *this << -sh;
    r.set_pattern(tessera_ap::floor_shr(bits(), sh, neg()));
    return r;
  }
  template <int W2, bool S2> inline ap_int_base operator<<(const ap_int_base<W2, S2>& s) const { return *this << (int)s.V; }
  template <int W2, bool S2> inline ap_int_base operator>>(const ap_int_base<W2, S2>& s) const { return *this >> (int)s.V; }
  inline ap_int_base& operator<<=(int sh) { return *this = *this << sh; }
  inline ap_int_base& operator>>=(int sh) { return *this = *this >> sh; }

  inline ap_int_base<W + 1, true> operator-() const {
    ap_int_base<W + 1, true> r;
    r.set_pattern(-bits());
    return r;
  }
  inline ap_int_base operator+() const { return *this; }
  inline ap_int_base operator~() const {
    ap_int_base r;
    r.set_pattern(~bits());
    return r;
  }
  inline bool operator!() const { return V == 0; }

  inline ap_int_base& operator++() { set_pattern(bits() + 1); return *this; }
  inline ap_int_base& operator--() { set_pattern(bits() - 1); return *this; }
  inline ap_int_base operator++(int) { ap_int_base r = *this; ++*this; return r; }
  inline ap_int_base operator--(int) { ap_int_base r = *this; --*this; return r; }

  template <typename T> inline ap_int_base& operator+=(const T& o) { return *this = *this + o; }
  template <typename T> inline ap_int_base& operator-=(const T& o) { return *this = *this - o; }
  template <typename T> inline ap_int_base& operator*=(const T& o) { return *this = *this * o; }
  template <typename T> inline ap_int_base& operator/=(const T& o) { return *this = *this / o; }
  template <typename T> inline ap_int_base& operator%=(const T& o) { return *this = *this % o; }
  template <typename T> inline ap_int_base& operator&=(const T& o) { return *this = *this & o; }
  template <typename T> inline ap_int_base& operator|=(const T& o) { return *this = *this | o; }
  template <typename T> inline ap_int_base& operator^=(const T& o) { return *this = *this ^ o; }

  std::string to_string(int radix = 10) const {
    if (radix == 10) {
      tessera_ap::u128 mag = neg() ? -bits() : bits();
      std::string s;
      do { s.insert(s.begin(), char('0' + (int)(mag % 10))); mag /= 10; } while (mag != 0);
      return neg() ? "-" + s : s;
    }
    std::string s;
    const char* dig = "0123456789abcdef";
    const int step = radix == 16 ? 4 : radix == 8 ? 3 : 1;
    for (int i = ((W + step - 1) / step - 1) * step; i >= 0; i -= step) s += dig[(int)((bits() >> i) & tessera_ap::lowmask(step))];
    return (radix == 16 ? "0x" : radix == 8 ? "0o" : "0b") + s;
  }
};

// =============================================================================================
// ap_fixed_base<W, I, S, Q, O, N>: value = V · 2^-(W-I)

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N> struct ap_fixed_base {
  static_assert(!(O == AP_WRAP_SM && !S), "Tessera ap types: AP_WRAP_SM needs a signed type (ap_fixed, not ap_ufixed)");
  static_assert(N >= 0 && N <= W, "Tessera ap types: the saturation bits N must satisfy 0 <= N <= W");
  typedef typename tessera_ap::store<W, S>::type store_t;
  static constexpr int width = W;
  static constexpr int iwidth = I;
  static constexpr bool sign_flag = S;
  static constexpr bool is_fixed = true;
  static constexpr ap_q_mode qmode = Q;
  static constexpr ap_o_mode omode = O;
  static constexpr int sat_bits = N;
  enum { F = W - I };
  store_t V;

  inline bool neg() const { return S && V < 0; }
  inline tessera_ap::u128 bits() const { return tessera_ap::pattern(V); }
  inline void set_pattern(tessera_ap::u128 p) { V = (store_t)tessera_ap::extend(p, W, S); }
  inline void assign_from(tessera_ap::u128 m, int W2, int I2, bool S2) {
    V = (store_t)tessera_ap::cast_assign(m, W2, I2, S2, W, I, S, Q, O, N);
  }

  ap_fixed_base() : V(0) {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  inline ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& o) { assign_from(o.bits(), W2, I2, S2); }
  template <int W2, bool S2> inline ap_fixed_base(const ap_int_base<W2, S2>& o) { assign_from(o.bits(), W2, W2, S2); }
  template <typename T, tessera_ap::enable_c_int<T> = 0> inline ap_fixed_base(T x) {
    assign_from(tessera_ap::pattern(x), tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S);
  }
  template <typename T, tessera_ap::enable_c_float<T> = 0> inline ap_fixed_base(T x) {
    V = (store_t)tessera_ap::double_to_fixed((double)x, W, I, S, Q, O, N);
  }

  /** The raw bits as an unsigned integer / from one (no quantization). */
  inline ap_int_base<W, false> range() const {
    ap_int_base<W, false> r;
    r.set_pattern(bits());
    return r;
  }
  inline ap_int_base<W, false> range(int hi, int lo) const {
    ap_int_base<W, false> r;
    r.set_pattern((bits() >> lo) & tessera_ap::lowmask(hi - lo + 1));
    return r;
  }
  inline void set_range(int hi, int lo, tessera_ap::u128 val) {
    const tessera_ap::u128 m = tessera_ap::lowmask(hi - lo + 1);
    set_pattern((bits() & ~(m << lo)) | ((val & m) << lo));
  }
  inline ap_fixed_base& setBits(uint64_t b) { set_pattern(b); return *this; }
  static inline ap_fixed_base bitsToFixed(uint64_t b) { ap_fixed_base r; r.set_pattern(b); return r; }
  inline bool operator[](int i) const { return tessera_ap::getbit(bits(), i, neg()); }
  inline bool get_bit(int i) const { return (*this)[i]; }
  inline void set_bit(int i, bool b) { set_pattern(tessera_ap::set_range(bits(), i, i, b)); }
  struct bit_ref {
    ap_fixed_base& x;
    int i;
    inline operator bool() const { return x.get_bit(i); }
    inline bit_ref& operator=(bool b) { x.set_bit(i, b); return *this; }
    inline bit_ref& operator=(const bit_ref& o) { x.set_bit(i, (bool)o); return *this; }
  };
  inline bit_ref operator[](int i) { return bit_ref{*this, i}; }

  // conversions
  inline double to_double() const { return tessera_ap::to_double(bits(), neg(), F); }
  inline float to_float() const { return tessera_ap::to_float(bits(), neg(), F); }
  /** Integer part, truncated toward zero (C semantics). */
  inline ap_int_base<(I > 1 ? I : 1), S> to_ap_int_base() const { return ap_int_base<(I > 1 ? I : 1), S>(*this); }
  inline int to_int() const { return (int)ap_int_base<64, S>(*this).V; }
  inline unsigned to_uint() const { return (unsigned)ap_int_base<64, S>(*this).V; }
  inline long to_long() const { return (long)ap_int_base<64, S>(*this).V; }
  inline int64_t to_int64() const { return (int64_t)ap_int_base<64, S>(*this).V; }
  inline uint64_t to_uint64() const { return (uint64_t)ap_int_base<64, S>(*this).V; }
  inline operator double() const { return to_double(); }
  inline int length() const { return W; }

  // shifts keep the type (bits move; no quantization or overflow handling, like the vendor headers)
  inline ap_fixed_base operator<<(int sh) const {
    if (sh < 0) return *this >> -sh;
    ap_fixed_base r;
    r.set_pattern(tessera_ap::shl(bits(), sh));
    return r;
  }
  inline ap_fixed_base operator>>(int sh) const {
    if (sh < 0) return *this << -sh;
    ap_fixed_base r;
    r.set_pattern(tessera_ap::floor_shr(bits(), sh, neg()));
    return r;
  }
  inline ap_fixed_base operator<<(unsigned sh) const { return *this << (int)sh; }
  inline ap_fixed_base operator>>(unsigned sh) const { return *this >> (int)sh; }
  template <int W2, bool S2> inline ap_fixed_base operator<<(const ap_int_base<W2, S2>& s) const { return *this << (int)s.V; }
  template <int W2, bool S2> inline ap_fixed_base operator>>(const ap_int_base<W2, S2>& s) const { return *this >> (int)s.V; }
  inline ap_fixed_base& operator<<=(int sh) { return *this = *this << sh; }
  inline ap_fixed_base& operator>>=(int sh) { return *this = *this >> sh; }

  inline ap_fixed_base<W + 1, I + 1, true> operator-() const {
    ap_fixed_base<W + 1, I + 1, true> r;
    r.set_pattern(-bits());
    return r;
  }
  inline ap_fixed_base operator+() const { return *this; }
  inline bool operator!() const { return V == 0; }

  inline ap_fixed_base& operator++() { return *this = *this + ap_fixed_base<2, 2, false>(1); }
  inline ap_fixed_base& operator--() { return *this = *this - ap_fixed_base<2, 2, false>(1); }
  inline ap_fixed_base operator++(int) { ap_fixed_base r = *this; ++*this; return r; }
  inline ap_fixed_base operator--(int) { ap_fixed_base r = *this; --*this; return r; }

  // compound assignment: full-precision result, then assignment quantizes/overflows in this type
  template <typename T> inline ap_fixed_base& operator+=(const T& o) { return *this = *this + o; }
  template <typename T> inline ap_fixed_base& operator-=(const T& o) { return *this = *this - o; }
  template <typename T> inline ap_fixed_base& operator*=(const T& o) { return *this = *this * o; }
  template <typename T> inline ap_fixed_base& operator/=(const T& o) { return *this = *this / o; }

  /** Exact decimal text of the value (radix 10), or the raw bits (2, 8, 16). */
  std::string to_string(int radix = 10) const {
    if (radix != 10) return range().to_string(radix);
    tessera_ap::u128 mag = neg() ? -bits() : bits();
    std::string ip, fp;
    tessera_ap::u128 ipart = F > 0 ? (F >= 128 ? 0 : mag >> F) : tessera_ap::shl(mag, -F);
    tessera_ap::u128 frac = F > 0 ? (mag & tessera_ap::lowmask(F)) : 0;
    do { ip.insert(ip.begin(), char('0' + (int)(ipart % 10))); ipart /= 10; } while (ipart != 0);
    // fraction digits: multiply by 10 repeatedly (F <= 124 keeps frac*10 within 128 bits)
    if (F > 0 && F <= 124) {
      while (frac != 0) {
        frac *= 10;
        fp += char('0' + (int)(frac >> F));
        frac &= tessera_ap::lowmask(F);
      }
    }
    std::string s = (neg() ? "-" : "") + ip;
    return fp.empty() ? s : s + "." + fp;
  }
};

// =============================================================================================
// Result types (FIXED_POINT.md): mult W1+W2, I1+I2; plus/minus I = max(I1 + (S2&&!S1), I2 + (S1&&!S2)) + 1,
// W = I + max(F1, F2); minus always signed.

namespace tessera_ap {
template <int W1, int I1, bool S1, int W2, int I2, bool S2> struct rtype {
  enum {
    F1 = W1 - I1,
    F2 = W2 - I2,
    mult_w = W1 + W2,
    mult_i = I1 + I2,
    mult_s = S1 || S2,
    plus_i = imax(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1,
    plus_w = plus_i + imax(F1, F2),
    plus_s = S1 || S2,
    logic_i = imax(I1 + (S2 && !S1), I2 + (S1 && !S2)),
    logic_w = logic_i + imax(F1, F2),
  };
  typedef ap_fixed_base<mult_w, mult_i, mult_s> mult;
  typedef ap_fixed_base<plus_w, plus_i, plus_s> plus;
  typedef ap_fixed_base<plus_w, plus_i, true> minus;
  typedef ap_int_base<mult_w, mult_s> imult;
  typedef ap_int_base<plus_w, plus_s> iplus;
  typedef ap_int_base<plus_w, true> iminus;
  typedef ap_int_base<logic_w, plus_s> ilogic;
  typedef ap_int_base<W1 + S2, S1 || S2> idiv;
  typedef ap_int_base<imin(W1, W2 + (!S2 && S1)), S1> imod;
};

template <typename T> struct as_fixed;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N> struct as_fixed<ap_fixed_base<W, I, S, Q, O, N>> {
  typedef ap_fixed_base<W, I, S, Q, O, N> type;
};
template <int W, bool S> struct as_fixed<ap_int_base<W, S>> { typedef ap_fixed_base<W, W, S> type; };

template <typename R, typename A, typename B> inline R add_impl(const A& a, const B& b, bool sub) {
  R r;
  const u128 x = shl(a.bits(), (int)(R::F) - (int)(A::F));
  const u128 y = shl(b.bits(), (int)(R::F) - (int)(B::F));
  r.set_pattern(sub ? x - y : x + y);
  return r;
}
}  // namespace tessera_ap

// fixed ⊗ fixed
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
inline typename tessera_ap::rtype<W1, I1, S1, W2, I2, S2>::mult operator*(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a,
                                                                            const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& b) {
  typename tessera_ap::rtype<W1, I1, S1, W2, I2, S2>::mult r;
  r.set_pattern(a.bits() * b.bits());
  return r;
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
inline typename tessera_ap::rtype<W1, I1, S1, W2, I2, S2>::plus operator+(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a,
                                                                            const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& b) {
  typedef typename tessera_ap::rtype<W1, I1, S1, W2, I2, S2>::plus R;
  return tessera_ap::add_impl<R>(a, b, false);
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
inline typename tessera_ap::rtype<W1, I1, S1, W2, I2, S2>::minus operator-(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a,
                                                                             const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& b) {
  typedef typename tessera_ap::rtype<W1, I1, S1, W2, I2, S2>::minus R;
  return tessera_ap::add_impl<R>(a, b, true);
}

// int ⊗ int
template <int W1, bool S1, int W2, bool S2>
inline typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::imult operator*(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::imult r;
  r.set_pattern(a.bits() * b.bits());
  return r;
}
template <int W1, bool S1, int W2, bool S2>
inline typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::iplus operator+(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::iplus r;
  r.set_pattern(a.bits() + b.bits());
  return r;
}
template <int W1, bool S1, int W2, bool S2>
inline typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::iminus operator-(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::iminus r;
  r.set_pattern(a.bits() - b.bits());
  return r;
}
template <int W1, bool S1, int W2, bool S2>
inline typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::idiv operator/(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::idiv r;
  r.set_pattern(tessera_ap::int_div(a.bits(), W1, S1, b.bits(), W2, S2));
  return r;
}
template <int W1, bool S1, int W2, bool S2>
inline typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::imod operator%(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::imod r;
  r.set_pattern(tessera_ap::int_rem(a.bits(), W1, S1, b.bits(), W2, S2));
  return r;
}
#define TAP_INT_LOGIC(OP)                                                                                             \
  template <int W1, bool S1, int W2, bool S2>                                                                        \
  inline typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::ilogic operator OP(const ap_int_base<W1, S1>& a,      \
                                                                                   const ap_int_base<W2, S2>& b) {    \
    typename tessera_ap::rtype<W1, W1, S1, W2, W2, S2>::ilogic r;                                                    \
    r.set_pattern(a.bits() OP b.bits());                                                                             \
    return r;                                                                                                         \
  }
TAP_INT_LOGIC(&)
TAP_INT_LOGIC(|)
TAP_INT_LOGIC(^)
#undef TAP_INT_LOGIC

// comparisons of any two ap values (AMD's C simulation rules: tessera_ap::int_equal / int_less / align_fixed)
namespace tessera_ap {
TAP_INLINE bool cmp_eq(const fixed_cmp& c) { return int_equal(c.a, c.W1, c.S1, c.b, c.W2, c.S2); }
TAP_INLINE bool cmp_lt(const fixed_cmp& c) { return int_less(c.a, c.na, c.W1, c.S1, c.b, c.nb, c.W2, c.S2); }
TAP_INLINE bool cmp_gt(const fixed_cmp& c) { return int_less(c.b, c.nb, c.W2, c.S2, c.a, c.na, c.W1, c.S1); }
}  // namespace tessera_ap
#define TAP_CMP(OP, EXPR)                                                                                             \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, int I2, bool S2, ap_q_mode Q2,     \
            ap_o_mode O2, int N2>                                                                                     \
  inline bool operator OP(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a,                                        \
                              const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& b) {                                      \
    const tessera_ap::fixed_cmp c = tessera_ap::align_fixed(a.bits(), a.neg(), W1, W1 - I1, S1, b.bits(), b.neg(), W2, W2 - I2, S2); \
    return EXPR;                                                                                                      \
  }                                                                                                                   \
  template <int W1, bool S1, int W2, bool S2>                                                                        \
  inline bool operator OP(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {                          \
    const tessera_ap::fixed_cmp c{a.bits(), b.bits(), a.neg(), b.neg(), W1, W2, S1, S2};                             \
    return EXPR;                                                                                                      \
  }
TAP_CMP(==, tessera_ap::cmp_eq(c))
TAP_CMP(!=, !tessera_ap::cmp_eq(c))
TAP_CMP(<, tessera_ap::cmp_lt(c))
TAP_CMP(>=, !tessera_ap::cmp_lt(c))
TAP_CMP(>, tessera_ap::cmp_gt(c))
TAP_CMP(<=, !tessera_ap::cmp_gt(c))
#undef TAP_CMP

// fixed / fixed (AMD's C simulation): the dividend's mantissa shifted left by the divisor's fraction bits,
// divided (truncated toward zero) by the divisor's mantissa; result ap_fixed<S2 + W1 + max(F2, 0),
// S2 + I1 + F2>, signed when either is, so the quotient keeps the dividend's fraction bits.
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
inline ap_fixed_base<(int)S2 + W1 + tessera_ap::imax(W2 - I2, 0), (int)S2 + I1 + (W2 - I2), S1 || S2> operator/(
    const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a, const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& b) {
  constexpr int F2 = tessera_ap::imax(W2 - I2, 0);
  static_assert(W1 + F2 + 2 <= 128, "Tessera ap types: fixed-point division needs W1 + fraction bits of the divisor + 2 <= 128");
  ap_fixed_base<(int)S2 + W1 + F2, (int)S2 + I1 + (W2 - I2), S1 || S2> r;
  // Both mantissas are exact in 128 bits (sign-extended); AMD divides in WD bits, so the one quotient that does
  // not fit there (the most negative dividend over −1) wraps as it does in their C simulation.
  constexpr int WD = tessera_ap::imax(W1 + F2 + ((S2 && !S1) ? 1 : 0), W2 + ((S1 && !S2) ? 1 : 0));
  const tessera_ap::i128 x = (tessera_ap::i128)tessera_ap::shl(a.bits(), F2), y = (tessera_ap::i128)b.bits();
  const tessera_ap::u128 q = (S1 || S2) ? (tessera_ap::u128)(x / y) : (tessera_ap::u128)x / (tessera_ap::u128)y;
  r.set_pattern(tessera_ap::extend(tessera_ap::low_bits(q, WD), WD, S1 || S2));
  return r;
}

// Mixed operands: ap_int with ap_fixed → the int as ap_fixed<W,W>; C integers → ap_int<bits>
// (ap_fixed<bits,bits> with fixed); float/double only in comparisons (as doubles).
#define TAP_MIXED(OP)                                                                                                 \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, bool S2>                           \
  inline auto operator OP(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a, const ap_int_base<W2, S2>& b) {         \
    return a OP ap_fixed_base<W2, W2, S2>(b);                                                                         \
  }                                                                                                                   \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, bool S2>                           \
  inline auto operator OP(const ap_int_base<W2, S2>& b, const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a) {         \
    return ap_fixed_base<W2, W2, S2>(b) OP a;                                                                         \
  }                                                                                                                   \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, typename T, tessera_ap::enable_c_int<T> = 0> \
  inline auto operator OP(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a, T b) {                                 \
    return a OP ap_fixed_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b);         \
  }                                                                                                                   \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, typename T, tessera_ap::enable_c_int<T> = 0> \
  inline auto operator OP(T b, const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a) {                                 \
    return ap_fixed_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b) OP a;         \
  }                                                                                                                   \
  template <int W1, bool S1, typename T, tessera_ap::enable_c_int<T> = 0>                                           \
  inline auto operator OP(const ap_int_base<W1, S1>& a, T b) {                                                   \
    return a OP ap_int_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b);                                   \
  }                                                                                                                   \
  template <int W1, bool S1, typename T, tessera_ap::enable_c_int<T> = 0>                                           \
  inline auto operator OP(T b, const ap_int_base<W1, S1>& a) {                                                   \
    return ap_int_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b) OP a;                                   \
  }
TAP_MIXED(*)
TAP_MIXED(+)
TAP_MIXED(-)
TAP_MIXED(==)
TAP_MIXED(!=)
TAP_MIXED(<)
TAP_MIXED(<=)
TAP_MIXED(>)
TAP_MIXED(>=)
#undef TAP_MIXED

// fixed / ap_int, ap_int / fixed, fixed / C integer, C integer / fixed: the integer as ap_fixed<W, W>.
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, bool S2>
inline auto operator/(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a, const ap_int_base<W2, S2>& b) {
  return a / ap_fixed_base<W2, W2, S2>(b);
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, int W2, bool S2>
inline auto operator/(const ap_int_base<W2, S2>& b, const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a) {
  return ap_fixed_base<W2, W2, S2>(b) / a;
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, typename T, tessera_ap::enable_c_int<T> = 0>
inline auto operator/(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a, T b) {
  return a / ap_fixed_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b);
}
template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, typename T, tessera_ap::enable_c_int<T> = 0>
inline auto operator/(T b, const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a) {
  return ap_fixed_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b) / a;
}

#define TAP_INT_C(OP)                                                                                                 \
  template <int W1, bool S1, typename T, tessera_ap::enable_c_int<T> = 0>                                           \
  inline auto operator OP(const ap_int_base<W1, S1>& a, T b) {                                                   \
    return a OP ap_int_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b);                                   \
  }                                                                                                                   \
  template <int W1, bool S1, typename T, tessera_ap::enable_c_int<T> = 0>                                           \
  inline auto operator OP(T b, const ap_int_base<W1, S1>& a) {                                                   \
    return ap_int_base<tessera_ap::c_int<T>::W, tessera_ap::c_int<T>::S>(b) OP a;                                   \
  }
TAP_INT_C(/)
TAP_INT_C(%)
TAP_INT_C(&)
TAP_INT_C(|)
TAP_INT_C(^)
#undef TAP_INT_C

#define TAP_CMP_FLOAT(OP)                                                                                             \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, typename T, tessera_ap::enable_c_float<T> = 0> \
  inline bool operator OP(const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a, T b) {                                 \
    return a.to_double() OP(double) b;                                                                                \
  }                                                                                                                   \
  template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1, typename T, tessera_ap::enable_c_float<T> = 0> \
  inline bool operator OP(T b, const ap_fixed_base<W1, I1, S1, Q1, O1, N1>& a) {                                 \
    return (double)b OP a.to_double();                                                                                \
  }
TAP_CMP_FLOAT(==)
TAP_CMP_FLOAT(!=)
TAP_CMP_FLOAT(<)
TAP_CMP_FLOAT(<=)
TAP_CMP_FLOAT(>)
TAP_CMP_FLOAT(>=)
#undef TAP_CMP_FLOAT

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
inline std::ostream& operator<<(std::ostream& os, const ap_fixed_base<W, I, S, Q, O, N>& x) {
  return os << x.to_double();
}
template <int W, bool S> inline std::ostream& operator<<(std::ostream& os, const ap_int_base<W, S>& x) {
  return os << x.to_string(10);
}
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
inline std::istream& operator>>(std::istream& is, ap_fixed_base<W, I, S, Q, O, N>& x) {
  double d;
  is >> d;
  x = ap_fixed_base<W, I, S, Q, O, N>(d);
  return is;
}

// =============================================================================================
// The user-facing names

template <int W> struct ap_int : ap_int_base<W, true> {
  typedef ap_int_base<W, true> Base;
  ap_int() {}
  template <typename T> ap_int(const T& v) : Base(v) {}
  ap_int(const ap_int&) = default;
  ap_int& operator=(const ap_int&) = default;
};
template <int W> struct ap_uint : ap_int_base<W, false> {
  typedef ap_int_base<W, false> Base;
  ap_uint() {}
  template <typename T> ap_uint(const T& v) : Base(v) {}
  ap_uint(const ap_uint&) = default;
  ap_uint& operator=(const ap_uint&) = default;
};
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed : ap_fixed_base<W, I, true, Q, O, N> {
  typedef ap_fixed_base<W, I, true, Q, O, N> Base;
  ap_fixed() {}
  template <typename T> ap_fixed(const T& v) : Base(v) {}
  ap_fixed(const ap_fixed&) = default;
  ap_fixed& operator=(const ap_fixed&) = default;
};
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_ufixed : ap_fixed_base<W, I, false, Q, O, N> {
  typedef ap_fixed_base<W, I, false, Q, O, N> Base;
  ap_ufixed() {}
  template <typename T> ap_ufixed(const T& v) : Base(v) {}
  ap_ufixed(const ap_ufixed&) = default;
  ap_ufixed& operator=(const ap_ufixed&) = default;
};

#endif  // TESSERA_AP_TYPES_H
