// Tessera layer templates: Dense (fully connected) for io_parallel and io_stream. Tessera's own code.
//
// The layer maps the last firmware axis: n_pixels vectors of n_in values (1 for a flat input; H·W or L
// for a channels-last input, where Dense acts per pixel like a 1×1 convolution) to n_pixels vectors of
// n_out values.
//
// Per output o (engine/hls/README.md): acc = (accum_t) b[o]; for n = 0 … n_in−1 ascending:
// acc = (accum_t)(acc + (accum_t)(x[n] · w(o, n))); out[o] = (res_T) acc.
// Both strategies and both io types run one loop, pipelined at II 1, of n_pixels · reuse_factor reuse rounds
// (mac_tiling in nnet_common.h): each round multiplies n_mult = n_in · n_out / reuse_factor products on
// n_mult multipliers, lane m wired to weight m of the round's word. The generator writes the weights round
// by round (w[ir · n_mult + m], engine/ops/reuse-rounds.ts roundMajorOrder); at reuse factor 1 that is output-major
// (w[o · n_in + n]). The strategies differ only in where the weights live: Latency, in registers (each lane
// selects its reuse_factor constants); Resource, in a ROM of reuse_factor words of n_mult weights.
// Valid reuse factors: the divisors of n_in · n_out (static_assert; engine/hls/reuse.ts lists them).
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

template <typename CONFIG_T> struct dense_mults {
  typedef mac_tiling<CONFIG_T::n_out, CONFIG_T::n_in, CONFIG_T::reuse_factor> tiling;
  static constexpr unsigned n_mult = tiling::n_mult;
};

/**
 * One reuse round of the vector held in x (n_in values, the current term block in front): the front output
 * group's accumulators take the round's products; the group moves to the back; after the last group of a
 * term block, the next block moves to the front of x. Returns whether the vector is finished (round RF − 1).
 */
template <class in_T, typename CONFIG_T>
void dense_round(typename CONFIG_T::accum_t acc[dense_mults<CONFIG_T>::tiling::groups][dense_mults<CONFIG_T>::tiling::outs], in_T x[CONFIG_T::n_in],
                 const typename CONFIG_T::weight_t* w, unsigned ir, unsigned og) {
#pragma HLS INLINE
  typedef typename dense_mults<CONFIG_T>::tiling T;
  typedef typename CONFIG_T::accum_t acc_T;
  in_T lanes[T::outs][T::terms];
#pragma HLS ARRAY_PARTITION variable = lanes complete dim = 0
  for (unsigned i = 0; i < T::outs; i++) {
#pragma HLS UNROLL
    for (unsigned j = 0; j < T::terms; j++) {
#pragma HLS UNROLL
      lanes[i][j] = x[j];
    }
  }
  acc_T front[T::outs];
#pragma HLS ARRAY_PARTITION variable = front complete
  for (unsigned i = 0; i < T::outs; i++) {
#pragma HLS UNROLL
    front[i] = acc[0][i];
  }
  mac_round<acc_T, in_T, typename CONFIG_T::weight_t, T::outs, T::terms>(front, lanes, w, ir * T::n_mult);
  rotate_groups<acc_T, T::groups, T::outs>(acc, front);
  if (og == T::groups - 1) shift_left<in_T, CONFIG_T::n_in, T::terms>(x);
}

/** Output o of the finished vector (acc back in group order after the last round). */
template <typename CONFIG_T, class res_T>
inline res_T dense_result(const typename CONFIG_T::accum_t acc[dense_mults<CONFIG_T>::tiling::groups][dense_mults<CONFIG_T>::tiling::outs], unsigned o) {
#pragma HLS INLINE
  typedef typename dense_mults<CONFIG_T>::tiling T;
  return (res_T)acc[o / T::outs][o % T::outs];
}

/** io_parallel: data[n_pixels · n_in] → res[n_pixels · n_out], one reuse round per clock. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_rounds(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
                  const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS INLINE
  typedef typename dense_mults<CONFIG_T>::tiling T;
  constexpr unsigned RF = CONFIG_T::reuse_factor;
  typename CONFIG_T::accum_t acc[T::groups][T::outs];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
  data_T x[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = x complete
  reset_groups<typename CONFIG_T::accum_t, typename CONFIG_T::bias_t, T::groups, T::outs, CONFIG_T::has_bias>(acc, biases);
  unsigned px = 0, ir = 0, og = 0;
Rounds:
  for (unsigned it = 0; it < CONFIG_T::n_pixels * RF; it++) {
#pragma HLS PIPELINE II = 1
    if (ir == 0) {
      for (unsigned n = 0; n < CONFIG_T::n_in; n++) {
#pragma HLS UNROLL
        x[n] = data[px * CONFIG_T::n_in + n];
      }
    }
    dense_round<data_T, CONFIG_T>(acc, x, weights, ir, og);
    if (ir == RF - 1) {
      for (unsigned o = 0; o < CONFIG_T::n_out; o++) {
#pragma HLS UNROLL
        res[px * CONFIG_T::n_out + o] = dense_result<CONFIG_T, res_T>(acc, o);
      }
      reset_groups<typename CONFIG_T::accum_t, typename CONFIG_T::bias_t, T::groups, T::outs, CONFIG_T::has_bias>(acc, biases);
      px++;
    }
    ir = ir == RF - 1 ? 0 : ir + 1;
    og = og == T::groups - 1 ? 0 : og + 1;
  }
}

/** io_parallel, strategy Latency (the layer function vendor reports name): weights in registers. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_latency(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
                   const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  dense_rounds<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_parallel, strategy Resource: a ROM of reuse_factor words of n_mult weights (word ir = round ir). */
template <class data_T, class res_T, typename CONFIG_T>
void dense_resource(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  constexpr unsigned n_mult = dense_mults<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  dense_rounds<data_T, res_T, CONFIG_T>(data, res, weights, biases);
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

/** io_parallel: data[n_pixels · n_in] → res[n_pixels · n_out]; weights round by round. */
template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_out],
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out], const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  dense_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

/** io_stream loop: one vector in at its first round, one vector out after its last; II 1 per round. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_rounds(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                         const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS INLINE
  static_assert(data_T::size == CONFIG_T::n_in, "Dense: input element size must be n_in");
  static_assert(res_T::size == CONFIG_T::n_out, "Dense: output element size must be n_out");
  typedef typename data_T::value_type in_T;
  typedef typename dense_mults<CONFIG_T>::tiling T;
  constexpr unsigned RF = CONFIG_T::reuse_factor;
  typename CONFIG_T::accum_t acc[T::groups][T::outs];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
  in_T x[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = x complete
  reset_groups<typename CONFIG_T::accum_t, typename CONFIG_T::bias_t, T::groups, T::outs, CONFIG_T::has_bias>(acc, biases);
  unsigned ir = 0, og = 0;
Rounds:
  for (unsigned it = 0; it < CONFIG_T::n_pixels * RF; it++) {
#pragma HLS PIPELINE II = 1
    if (ir == 0) {
      const data_T v = data.read();
      for (unsigned n = 0; n < CONFIG_T::n_in; n++) {
#pragma HLS UNROLL
        x[n] = v[n];
      }
    }
    dense_round<in_T, CONFIG_T>(acc, x, weights, ir, og);
    if (ir == RF - 1) {
      res_T y;
      for (unsigned o = 0; o < CONFIG_T::n_out; o++) {
#pragma HLS UNROLL
        y[o] = dense_result<CONFIG_T, typename res_T::value_type>(acc, o);
      }
      res.write(y);
      reset_groups<typename CONFIG_T::accum_t, typename CONFIG_T::bias_t, T::groups, T::outs, CONFIG_T::has_bias>(acc, biases);
    }
    ir = ir == RF - 1 ? 0 : ir + 1;
    og = og == T::groups - 1 ? 0 : og + 1;
  }
}

/** io_stream, strategy Latency: weights in registers. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_latency(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                          const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  dense_stream_rounds<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_stream, strategy Resource: a ROM of reuse_factor words of n_mult weights. */
template <class data_T, class res_T, typename CONFIG_T>
void dense_stream_resource(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  constexpr unsigned n_mult = dense_mults<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  dense_stream_rounds<data_T, res_T, CONFIG_T>(data, res, weights, biases);
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
  dense_stream_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

}  // namespace nnet

#endif  // TESSERA_NNET_DENSE_H
