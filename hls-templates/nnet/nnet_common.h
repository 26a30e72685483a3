// Tessera layer templates: what every layer header shares. Tessera's own code.
//
// Conventions (engine/hls/README.md):
// - Firmware tensors are one image, channels-last: [H][W][C] (2D), [L][C] (1D), flat otherwise.
// - io_parallel: a tensor is a C array of its element type in that order.
// - io_stream: a tensor is an hls::stream<nnet::array<T, C>>, one element = one pixel = all channels,
//   pixels in raster order (rows outer). Each call of a layer processes exactly one image and keeps no
//   state between calls (every cursor and buffer is re-initialised at the start of the call).
// - Products are exact; each is assigned to accum_t before it is added; the accumulator starts at the bias
//   (assigned to accum_t) and adds terms in the documented order; the sum is assigned to result_t.
#ifndef TESSERA_NNET_COMMON_H
#define TESSERA_NNET_COMMON_H

#include <ap_fixed.h>
#include <ap_int.h>
#include <hls_stream.h>
#include <cmath>
#include <cstdio>

namespace nnet {

enum strategy { latency = 0, resource = 1 };

/** Strategy tags: each strategy's layer function is a separate overload carrying its own pragmas (Vitis does not
 * apply a pragma conditionally, so an `if` on the strategy would give both functions' weight pragmas). */
struct latency_tag {};
struct resource_tag {};
template <unsigned S> struct strategy_tag { typedef latency_tag type; };
template <> struct strategy_tag<resource> { typedef resource_tag type; };

/** One pixel of a stream: N channel values. */
template <typename T, unsigned N> struct array {
  typedef T value_type;
  static const unsigned size = N;
  T data[N];
  T& operator[](unsigned i) { return data[i]; }
  const T& operator[](unsigned i) const { return data[i]; }
};

/** ceil(a / b) at compile time. */
constexpr unsigned ceil_div(unsigned a, unsigned b) { return (a + b - 1) / b; }
constexpr unsigned cmax(unsigned a, unsigned b) { return a > b ? a : b; }
constexpr unsigned cmin(unsigned a, unsigned b) { return a < b ? a : b; }

/** Greatest common divisor at compile time. */
constexpr unsigned cgcd(unsigned a, unsigned b) { return b == 0 ? a : cgcd(b, a % b); }

/** The MAC step every template uses: acc = (accum_t)(acc + (accum_t)(x · w)). */
template <class accum_T, class x_T, class w_T> inline void mac(accum_T& acc, const x_T& x, const w_T& w) {
#pragma HLS INLINE
  accum_T p = x * w;
  acc = acc + p;
}

/**
 * How a layer with N_OUT outputs of N_IN terms each (per pixel) spreads its P = N_OUT · N_IN products over RF
 * reuse rounds of n_mult = P / RF multipliers, one round per clock (engine/hls/README.md, "Reuse rounds").
 * The products form an N_OUT × N_IN grid cut into tiles of `outs` outputs × `terms` terms: round
 * ir = tb · groups + og multiplies the tile of output group og (outputs og·outs …) and term block tb (terms
 * tb·terms …), and multiplier lane m = i · terms + j always computes output i of the front group and term j of
 * the current block. Term blocks ascend for every output, so each output adds its terms in ascending order
 * whatever the RF (the engine's order). groups = RF / gcd(RF, N_IN) is the fewest output groups that make
 * the tiles whole; with RF dividing N_IN every round covers all outputs (groups = 1).
 */
template <unsigned N_OUT, unsigned N_IN, unsigned RF> struct mac_tiling {
  static_assert(RF >= 1 && (N_OUT * N_IN) % RF == 0, "reuse_factor must divide the products per pixel (engine/hls/reuse.ts)");
  static constexpr unsigned n_mult = N_OUT * N_IN / RF;
  static constexpr unsigned blocks = cgcd(RF, N_IN);
  static constexpr unsigned groups = RF / blocks;
  static constexpr unsigned outs = N_OUT / groups;
  static constexpr unsigned terms = N_IN / blocks;
  static_assert(groups * outs == N_OUT && blocks * terms == N_IN && outs * terms == n_mult, "mac_tiling: RF = groups · blocks");
};

/**
 * One reuse round: the n_mult = OUTS · TERMS multipliers, lane m = i · TERMS + j, each wired to weight lane m of
 * the round's weight word (w[base + m]) and to operand x[i][j]; output i adds its TERMS products in order.
 * ALLOCATION bounds exactly this region (the index arithmetic around it is not counted).
 */
template <class accum_T, class x_T, class w_T, unsigned OUTS, unsigned TERMS>
void mac_round(accum_T acc[OUTS], const x_T x[OUTS][TERMS], const w_T* w, unsigned base) {
#pragma HLS INLINE
  constexpr unsigned n_mult = OUTS * TERMS;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
  {
#pragma HLS ALLOCATION operation instances = mul limit = n_mult
  RoundOut:
    for (unsigned i = 0; i < OUTS; i++) {
#pragma HLS UNROLL
    RoundTerm:
      for (unsigned j = 0; j < TERMS; j++) {
#pragma HLS UNROLL
        mac(acc[i], x[i][j], w[base + i * TERMS + j]);
      }
    }
  }
}

/**
 * The accumulators of one output pixel: GROUPS groups of OUTS, the group being worked on in front (acc[0]).
 * After a round the front group moves to the back, so group og is in front in round og, og + GROUPS, …:
 * every index is a compile-time constant, and a group's sum is next needed GROUPS rounds later.
 */
template <class accum_T, unsigned GROUPS, unsigned OUTS> inline void rotate_groups(accum_T acc[GROUPS][OUTS], const accum_T front[OUTS]) {
#pragma HLS INLINE
  for (unsigned g = 0; g + 1 < GROUPS; g++) {
#pragma HLS UNROLL
    for (unsigned i = 0; i < OUTS; i++) {
#pragma HLS UNROLL
      acc[g][i] = acc[g + 1][i];
    }
  }
  for (unsigned i = 0; i < OUTS; i++) {
#pragma HLS UNROLL
    acc[GROUPS - 1][i] = front[i];
  }
}

/** Every accumulator back to its output's bias (0 without). */
template <class accum_T, class bias_T, unsigned GROUPS, unsigned OUTS, bool HAS_BIAS>
inline void reset_groups(accum_T acc[GROUPS][OUTS], const bias_T* b) {
#pragma HLS INLINE
  for (unsigned g = 0; g < GROUPS; g++) {
#pragma HLS UNROLL
    for (unsigned i = 0; i < OUTS; i++) {
#pragma HLS UNROLL
      acc[g][i] = HAS_BIAS ? (accum_T)b[g * OUTS + i] : (accum_T)0;
    }
  }
}

/** Shifts a vector of N values left by S (the next term block moves to the front); the last S keep theirs. */
template <class T, unsigned N, unsigned S> inline void shift_left(T v[N]) {
#pragma HLS INLINE
  for (unsigned k = 0; k + S < N; k++) {
#pragma HLS UNROLL
    v[k] = v[k + S];
  }
}

/** io_stream: pixel x with its first N channel values assigned to res_T's element type (the layers that move pixels). */
template <class res_T, unsigned N, class data_T> inline res_T cast_pixel(const data_T& x) {
#pragma HLS INLINE
  res_T y;
  for (unsigned c = 0; c < N; c++) {
#pragma HLS UNROLL
    y[c] = (typename res_T::value_type)x[c];
  }
  return y;
}

/**
 * io_stream elementwise layers (activations, batch normalization): each of N_PIXELS elements is read, each of
 * its N_CHAN values x[c] becomes OP::one(x[c], c, a, b) in res_T's element type, and the element is written;
 * one element per clock, channels unrolled. a and b are the layer's constants (slope, table, scales, biases),
 * 0 where OP takes none.
 */
template <class OP, unsigned N_PIXELS, unsigned N_CHAN, class data_T, class res_T, class A, class B>
void map_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const A& a, const B& b) {
#pragma HLS INLINE
  for (unsigned p = 0; p < N_PIXELS; p++) {
#pragma HLS PIPELINE II = 1
    const data_T x = data.read();
    res_T y;
    for (unsigned c = 0; c < N_CHAN; c++) {
#pragma HLS UNROLL
      y[c] = OP::template one<typename res_T::value_type>(x[c], c, a, b);
    }
    res.write(y);
  }
}

#if defined(TESSERA_TRACE) && !defined(__SYNTHESIS__)
/** C simulation only (tessera build --csim, io_parallel): where trace_array writes; set by the testbench. */
inline std::FILE*& trace_file() {
  static std::FILE* f = 0;
  return f;
}
/** Writes one line "<name> m0 m1 …" of a layer's output for the current image: each value's mantissa (value
 * times 2^frac_bits, an integer of at most 53 bits: exact through double), printed as an integer (several times
 * faster to print and to read than the value's %.17g; the DCGAN example traces ~600 000 values). */
template <class T> void trace_array(const char* name, const T* data, unsigned n, int frac_bits) {
  if (!trace_file()) return;
  std::fprintf(trace_file(), "%s", name);
  for (unsigned i = 0; i < n; i++) std::fprintf(trace_file(), " %lld", static_cast<long long>(std::ldexp(data[i].to_double(), frac_bits)));
  std::fprintf(trace_file(), "\n");
}
#endif

#ifndef __SYNTHESIS__
/** C simulation: fills a weight array from its mantissas, packed in a string as little-endian two's-complement
 * integers of `bytes` bytes each; value = mantissa * 2^-frac_bits, exact in T. (g++ reads a string literal
 * about 20x faster than the same values as a list of numbers: the build's compile time was mostly that.) */
template <class T> bool fill_packed(T* w, unsigned n, const char* packed, unsigned bytes, int frac_bits) {
  for (unsigned i = 0; i < n; i++) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(packed) + static_cast<unsigned long>(i) * bytes;
    unsigned long long u = 0;
    for (unsigned b = 0; b < bytes; b++) u |= static_cast<unsigned long long>(p[b]) << (8 * b);
    const bool negative = bytes < 8 && ((u >> (8 * bytes - 1)) & 1);
    const long long m = negative ? static_cast<long long>(u) - (1LL << (8 * bytes)) : static_cast<long long>(u);
    w[i] = std::ldexp(static_cast<double>(m), -frac_bits);
  }
  return true;
}
#endif

/** io_stream fan-out: copies each of N_PIXELS pixels to every output stream (2, 3 or 4 consumers). */
template <class T, unsigned N_PIXELS, unsigned N_OUT> void clone_stream(hls::stream<T>& in, hls::stream<T>& a, hls::stream<T>& b) {
  static_assert(N_OUT == 2, "clone_stream: N_OUT is the number of output streams");
Clone:
  for (unsigned i = 0; i < N_PIXELS; i++) {
#pragma HLS PIPELINE II = 1
    const T px = in.read();
    a.write(px);
    b.write(px);
  }
}
template <class T, unsigned N_PIXELS, unsigned N_OUT>
void clone_stream(hls::stream<T>& in, hls::stream<T>& a, hls::stream<T>& b, hls::stream<T>& c) {
  static_assert(N_OUT == 3, "clone_stream: N_OUT is the number of output streams");
Clone:
  for (unsigned i = 0; i < N_PIXELS; i++) {
#pragma HLS PIPELINE II = 1
    const T px = in.read();
    a.write(px);
    b.write(px);
    c.write(px);
  }
}
template <class T, unsigned N_PIXELS, unsigned N_OUT>
void clone_stream(hls::stream<T>& in, hls::stream<T>& a, hls::stream<T>& b, hls::stream<T>& c, hls::stream<T>& d) {
  static_assert(N_OUT == 4, "clone_stream: N_OUT is the number of output streams");
Clone:
  for (unsigned i = 0; i < N_PIXELS; i++) {
#pragma HLS PIPELINE II = 1
    const T px = in.read();
    a.write(px);
    b.write(px);
    c.write(px);
    d.write(px);
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_COMMON_H
