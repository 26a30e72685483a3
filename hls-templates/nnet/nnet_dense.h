// Tessera layer templates: Dense (fully connected) for io_parallel and io_stream. Tessera's own code.
//
// The layer maps the last firmware axis: n_pixels vectors of n_in values (1 for a flat input; H·W or L
// for a channels-last input, where Dense acts per pixel like a 1×1 convolution) to n_pixels vectors of
// n_out values. Weights are read output-major: w[o · n_in + n] (the generator writes them in that order).
//
// Per output o (engine/hls/README.md): acc = (accum_t) b[o]; for n = 0 … n_in−1 ascending:
// acc = (accum_t)(acc + (accum_t)(x[n] · w[o · n_in + n])); out[o] = (res_T) acc.
// Strategy Latency unrolls every product; Resource walks the P = n_out · n_in products output-major
// (p = o · n_in + n) in reuse_factor rounds of P / reuse_factor multiplications (one round per clock), so
// the per-output order is the same in both: the strategy and the reuse factor never change the values.
// Valid reuse factors: the divisors of P (static_assert; engine/hls/reuse.ts lists them).
#ifndef TESSERA_NNET_DENSE_H
#define TESSERA_NNET_DENSE_H

#include "nnet_common.h"

namespace nnet {

struct dense_config {
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_fixed<16, 6> accum_t;
  static const unsigned n_in = 1;
  static const unsigned n_out = 1;
  /** Vectors per image (1 for a flat input). */
  static const unsigned n_pixels = 1;
  static const bool has_bias = true;
  static const unsigned reuse_factor = 1;
  static const unsigned strategy = latency;
};

/** One vector, strategy Latency: every product in parallel (an adder chain per output). */
template <class data_T, class res_T, typename CONFIG_T>
void dense_vector_latency(const data_T* x, res_T* y, const typename CONFIG_T::weight_t* w, const typename CONFIG_T::bias_t* b) {
#pragma HLS INLINE
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable = acc complete
Out:
  for (unsigned o = 0; o < CONFIG_T::n_out; o++) {
#pragma HLS UNROLL
    acc[o] = CONFIG_T::has_bias ? (typename CONFIG_T::accum_t)b[o] : (typename CONFIG_T::accum_t)0;
  In:
    for (unsigned n = 0; n < CONFIG_T::n_in; n++) {
#pragma HLS UNROLL
      mac(acc[o], x[n], w[o * CONFIG_T::n_in + n]);
    }
    y[o] = (res_T)acc[o];
  }
}

/** One vector, strategy Resource: reuse_factor rounds of P / reuse_factor multipliers, output-major. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_vector_resource(const data_T* x, res_T* y, const typename CONFIG_T::weight_t* w, const typename CONFIG_T::bias_t* b) {
#pragma HLS INLINE
  constexpr unsigned n_prod = CONFIG_T::n_in * CONFIG_T::n_out;
  constexpr unsigned n_mult = n_prod / CONFIG_T::reuse_factor;
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable = acc complete
Init:
  for (unsigned o = 0; o < CONFIG_T::n_out; o++) {
#pragma HLS UNROLL
    acc[o] = CONFIG_T::has_bias ? (typename CONFIG_T::accum_t)b[o] : (typename CONFIG_T::accum_t)0;
  }
ReuseRound:
  for (unsigned ir = 0; ir < CONFIG_T::reuse_factor; ir++) {
#pragma HLS PIPELINE II = 1
  RoundMult:
    for (unsigned m = 0; m < n_mult; m++) {
#pragma HLS UNROLL
      const unsigned p = ir * n_mult + m;
      mac(acc[p / CONFIG_T::n_in], x[p % CONFIG_T::n_in], w[p]);
    }
  }
Result:
  for (unsigned o = 0; o < CONFIG_T::n_out; o++) {
#pragma HLS UNROLL
    y[o] = (res_T)acc[o];
  }
}

/** Multiplications per reuse round: P / reuse_factor (P = n_in · n_out). */
template <typename CONFIG_T> struct dense_mults {
  static_assert((CONFIG_T::n_in * CONFIG_T::n_out) % CONFIG_T::reuse_factor == 0,
                "Dense: reuse_factor must divide n_in * n_out (engine/hls/reuse.ts lists the valid values)");
  static constexpr unsigned n_mult = CONFIG_T::n_in * CONFIG_T::n_out / CONFIG_T::reuse_factor;
};

template <class data_T, class res_T, typename CONFIG_T>
void dense_vector(const data_T* x, res_T* y, const typename CONFIG_T::weight_t* w, const typename CONFIG_T::bias_t* b, latency_tag) {
#pragma HLS INLINE
  dense_vector_latency<data_T, res_T, CONFIG_T>(x, y, w, b);
}
template <class data_T, class res_T, typename CONFIG_T>
void dense_vector(const data_T* x, res_T* y, const typename CONFIG_T::weight_t* w, const typename CONFIG_T::bias_t* b, resource_tag) {
#pragma HLS INLINE
  dense_vector_resource<data_T, res_T, CONFIG_T>(x, y, w, b);
}

/**
 * io_parallel, strategy Latency (the layer function vendor reports name): every pixel and product in parallel,
 * each multiplier with its own weight register.
 */
template <class data_T, class res_T, typename CONFIG_T>
void dense_latency(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
                   const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
Pixels:
  for (unsigned px = 0; px < CONFIG_T::n_pixels; px++) {
#pragma HLS UNROLL
    dense_vector_latency<data_T, res_T, CONFIG_T>(data + px * CONFIG_T::n_in, res + px * CONFIG_T::n_out, weights, biases);
  }
}

/**
 * io_parallel, strategy Resource: round ir reads the n_mult consecutive weights w[ir·n_mult …], so the weights
 * are reshaped cyclically by n_mult: word ir holds exactly round ir's weights (one ROM read per round).
 */
template <class data_T, class res_T, typename CONFIG_T>
void dense_resource(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  constexpr unsigned n_mult = dense_mults<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
Pixels:
  for (unsigned px = 0; px < CONFIG_T::n_pixels; px++) {
    dense_vector_resource<data_T, res_T, CONFIG_T>(data + px * CONFIG_T::n_in, res + px * CONFIG_T::n_out, weights, biases);
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void dense_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights, const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  dense_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void dense_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights, const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  dense_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_parallel: data[n_pixels · n_in] → res[n_pixels · n_out]; weights[n_out · n_in] output-major. */
template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  static_assert(dense_mults<CONFIG_T>::n_mult > 0, "Dense: at least one multiplier");
  dense_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

/** io_stream loop: one vector in, one vector out per iteration, II = reuse_factor. */
template <class data_T, class res_T, typename CONFIG_T, class TAG>
void dense_stream_pixels(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                         const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS INLINE
  static_assert(data_T::size == CONFIG_T::n_in, "Dense: input element size must be n_in");
  static_assert(res_T::size == CONFIG_T::n_out, "Dense: output element size must be n_out");
  typedef typename data_T::value_type in_T;
  typedef typename res_T::value_type out_T;
Pixels:
  for (unsigned px = 0; px < CONFIG_T::n_pixels; px++) {
#pragma HLS PIPELINE II = CONFIG_T::reuse_factor
    const data_T x = data.read();
    in_T xv[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = xv complete
    for (unsigned n = 0; n < CONFIG_T::n_in; n++) {
#pragma HLS UNROLL
      xv[n] = x[n];
    }
    out_T yv[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable = yv complete
    dense_vector<in_T, out_T, CONFIG_T>(xv, yv, weights, biases, TAG());
    res_T y;
    for (unsigned o = 0; o < CONFIG_T::n_out; o++) {
#pragma HLS UNROLL
      y[o] = yv[o];
    }
    res.write(y);
  }
}

/** io_stream, strategy Latency: weights partitioned (every product of a vector in parallel). */
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_latency(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                          const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  dense_stream_pixels<data_T, res_T, CONFIG_T, latency_tag>(data, res, weights, biases);
}

/** io_stream, strategy Resource: weights reshaped cyclically by n_mult (one word per reuse round). */
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_resource(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  constexpr unsigned n_mult = dense_mults<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  dense_stream_pixels<data_T, res_T, CONFIG_T, resource_tag>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                           const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  dense_stream_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                           const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  dense_stream_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_stream: one element = one vector (nnet::array<T, n_in>) in, one vector (nnet::array<T, n_out>) out. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                  const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  static_assert(dense_mults<CONFIG_T>::n_mult > 0, "Dense: at least one multiplier");
  dense_stream_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

}  // namespace nnet

#endif  // TESSERA_NNET_DENSE_H
