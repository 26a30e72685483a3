// Tessera layer templates: BatchNormalization (inference) as a per-channel scale and bias, io_parallel and
// io_stream. Tessera's own code.
//
// The engine folds gamma, beta, mean, variance and epsilon in float64 into scale[c] = gamma / sqrt(var + eps)
// and bias[c] = beta − mean · scale[c], quantized once into weight_t / bias_t (the generator writes them).
// The channel is the last firmware axis. Per value (engine/hls/README.md, one MAC term):
//   acc = (accum_t) bias[c];  acc = (accum_t)(acc + (accum_t)(x · scale[c]));  y = (res_T) acc.
#ifndef TESSERA_NNET_BATCHNORM_H
#define TESSERA_NNET_BATCHNORM_H

#include "nnet_common.h"

namespace nnet {

struct batchnorm_config {
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_fixed<16, 6> accum_t;
  /** Channels (the last firmware axis) and pixels (everything before it); n_in = n_pixels · n_chan. */
  static const unsigned n_chan = 1;
  static const unsigned n_pixels = 1;
  static const unsigned n_in = 1;
  static const unsigned reuse_factor = 1;
};

template <class res_T, typename CONFIG_T, class data_T>
inline res_T batchnorm_one(const data_T& x, const typename CONFIG_T::weight_t& scale, const typename CONFIG_T::bias_t& bias) {
#pragma HLS INLINE
  typename CONFIG_T::accum_t acc = (typename CONFIG_T::accum_t)bias;
  mac(acc, x, scale);
  return (res_T)acc;
}

/** batchnorm_one as a map_stream operation: a, b = the scales and biases, indexed by the channel. */
template <typename CONFIG_T> struct batchnorm_op {
  template <class res_T, class data_T, class A, class B> static res_T one(const data_T& x, unsigned c, const A& scale, const B& bias) {
#pragma HLS INLINE
    return batchnorm_one<res_T, CONFIG_T>(x, scale[c], bias[c]);
  }
};

template <class data_T, class res_T, typename CONFIG_T>
void batchnorm(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], const typename CONFIG_T::weight_t scale[CONFIG_T::n_chan],
               const typename CONFIG_T::bias_t bias[CONFIG_T::n_chan]) {
#pragma HLS PIPELINE
#pragma HLS ARRAY_PARTITION variable = scale complete
#pragma HLS ARRAY_PARTITION variable = bias complete
  for (unsigned p = 0; p < CONFIG_T::n_pixels; p++)
    for (unsigned c = 0; c < CONFIG_T::n_chan; c++)
      res[p * CONFIG_T::n_chan + c] = batchnorm_one<res_T, CONFIG_T>(data[p * CONFIG_T::n_chan + c], scale[c], bias[c]);
}

template <class data_T, class res_T, typename CONFIG_T>
void batchnorm_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t scale[CONFIG_T::n_chan],
                      const typename CONFIG_T::bias_t bias[CONFIG_T::n_chan]) {
#pragma HLS ARRAY_PARTITION variable = scale complete
#pragma HLS ARRAY_PARTITION variable = bias complete
  static_assert(data_T::size == CONFIG_T::n_chan, "BatchNormalization: the stream element holds the channels");
  map_stream<batchnorm_op<CONFIG_T>, CONFIG_T::n_pixels, CONFIG_T::n_chan>(data, res, scale, bias);
}

}  // namespace nnet

#endif  // TESSERA_NNET_BATCHNORM_H
