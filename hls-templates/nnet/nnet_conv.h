// Tessera layer templates: Conv1D / Conv2D for io_parallel and io_stream. Tessera's own code.
// 1D is 2D with height 1 (the generator sets in/out/filt height 1, stride/dilation height 1, pad_top 0).
//
// Window term n = (kh · filt_width + kw) · cin_g + c (taps row-major, channels of the group innermost);
// weights w[o · n_in + n]. Taps in the zero padding are zero terms (they never change a sum).
#ifndef TESSERA_NNET_CONV_H
#define TESSERA_NNET_CONV_H

#include "nnet_conv_common.h"

namespace nnet {

/** Gathers the window of output pixel (oh, ow) from a channels-last image (io_parallel). */
template <class data_T, typename CONFIG_T>
void conv_gather(const data_T* data, unsigned oh, unsigned ow, data_T win[CONFIG_T::filt_height * CONFIG_T::filt_width][CONFIG_T::n_chan]) {
#pragma HLS INLINE
  for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
    for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
      const int ih = (int)(oh * CONFIG_T::stride_height + kh * CONFIG_T::dilation_height) - (int)CONFIG_T::pad_top;
      const int iw = (int)(ow * CONFIG_T::stride_width + kw * CONFIG_T::dilation_width) - (int)CONFIG_T::pad_left;
      const bool inside = ih >= 0 && ih < (int)CONFIG_T::in_height && iw >= 0 && iw < (int)CONFIG_T::in_width;
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        win[kh * CONFIG_T::filt_width + kw][c] = inside ? data[(ih * CONFIG_T::in_width + iw) * CONFIG_T::n_chan + c] : (data_T)0;
      }
    }
  }
}

/** Weights per Conv layer: n_filt · n_in (n_in = cin_g · filt_height · filt_width). */
template <typename CONFIG_T> struct conv_dims {
  static constexpr unsigned taps = CONFIG_T::filt_height * CONFIG_T::filt_width;
  static constexpr unsigned n_weights = conv_mults<CONFIG_T, taps>::n_prod;
  static constexpr unsigned n_mult = conv_mults<CONFIG_T, taps>::n_mult;
};

/**
 * io_parallel Conv2D pixel loop, shared by both strategies and inlined into each strategy's function:
 * parallelization_factor output pixels per iteration, PIPELINE II = reuse_factor, at most n_mult · PF
 * multipliers (ALLOCATION forces the sharing over the RF cycles, whatever the strategy).
 */
template <class data_T, class res_T, typename CONFIG_T, class TAG>
void conv_2d_pixels(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                    res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                    const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  constexpr unsigned taps = conv_dims<CONFIG_T>::taps;
  constexpr unsigned n_pix = CONFIG_T::out_height * CONFIG_T::out_width;
  constexpr unsigned pf = CONFIG_T::parallelization_factor;
  static_assert(n_pix % pf == 0, "parallelization_factor must divide the output pixels (engine/hls/reuse.ts)");
  constexpr unsigned mult_limit = conv_dims<CONFIG_T>::n_mult * pf;
  (void)mult_limit;  // read by a pragma only (g++ ignores pragmas)
PixelBlock:
  for (unsigned blk = 0; blk < n_pix / pf; blk++) {
#pragma HLS PIPELINE II = CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances = mul limit = mult_limit
  Parallel:
    for (unsigned j = 0; j < pf; j++) {
#pragma HLS UNROLL
      const unsigned pix = blk * pf + j;
      const unsigned oh = pix / CONFIG_T::out_width;
      const unsigned ow = pix % CONFIG_T::out_width;
      data_T win[taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
      conv_gather<data_T, CONFIG_T>(data, oh, ow, win);
      window_dot<data_T, res_T, CONFIG_T, taps>(win, &res[pix * CONFIG_T::n_filt], weights, biases, TAG());
    }
  }
}

/** io_parallel Conv2D, Latency strategy: weights fully partitioned (each multiplier muxes its RF constants). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_latency(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                     res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                     const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                     const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_2d_pixels<data_T, res_T, CONFIG_T, latency_tag>(data, res, weights, biases);
}

/**
 * io_parallel Conv2D, Resource strategy: weights reshaped cyclic by n_mult = P / RF, i.e. RF words of n_mult
 * weights (word ir = the weights of reuse round ir), one word read per cycle; the tool maps the ROM to
 * BRAM or LUTRAM by size.
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_resource(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                      res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                      const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                      const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  constexpr unsigned n_mult = conv_dims<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_2d_pixels<data_T, res_T, CONFIG_T, resource_tag>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights, const typename CONFIG_T::bias_t* biases,
                      latency_tag) {
#pragma HLS INLINE
  conv_2d_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights, const typename CONFIG_T::bias_t* biases,
                      resource_tag) {
#pragma HLS INLINE
  conv_2d_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_parallel Conv2D: calls the function of the configured strategy (only that one is instantiated). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
             res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
             const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
             const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  conv_2d_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_1d(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan], res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
             const typename CONFIG_T::weight_t weights[], const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  conv_2d<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/**
 * io_stream Conv2D cursor loop (shared by both strategies; inlined into each strategy's function). One image
 * per call; a line buffer holds the last dilated-kernel-height rows. Each step of the loop (PIPELINE
 * II = reuse_factor, at most n_mult multipliers) reads at most one input pixel and computes at most one
 * output pixel: an output is computed as soon as the last input pixel its window reads has arrived (so
 * padding at the end needs no extra input), and input pixels no output needs are still consumed (the stream
 * is drained by the end of the call). The loop runs exactly CONFIG_T::stream_steps times — the generator's
 * replay of this cursor — so its trip count is static and it has no data-dependent exit. All cursors are
 * local and start at zero on every call; the line buffer is only read where this call has written it.
 */
template <class data_T, class res_T, typename CONFIG_T, class TAG>
void conv_2d_stream_steps(hls::stream<data_T>& data, hls::stream<res_T>& res,
                          const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                          const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  typedef typename data_T::value_type in_t;
  typedef typename res_T::value_type out_t;
  constexpr unsigned taps = conv_dims<CONFIG_T>::taps;
  constexpr unsigned rows = (CONFIG_T::filt_height - 1) * CONFIG_T::dilation_height + 1;
  constexpr unsigned span_w = (CONFIG_T::filt_width - 1) * CONFIG_T::dilation_width + 1;
  (void)span_w;  // read by a pragma only (g++ ignores pragmas)
  constexpr int H = CONFIG_T::in_height, W = CONFIG_T::in_width;
  constexpr unsigned n_in_px = stream_cursor<CONFIG_T>::n_in_px;
  constexpr unsigned n_out_px = stream_cursor<CONFIG_T>::n_out_px;
  constexpr unsigned mult_limit = conv_dims<CONFIG_T>::n_mult;
  (void)mult_limit;  // read by a pragma only (g++ ignores pragmas)
  data_T line[rows][CONFIG_T::in_width];
#pragma HLS ARRAY_PARTITION variable = line complete dim = 1
  // The window's columns are consecutive (dilated) input columns: cyclic banks give every tap its own port.
#pragma HLS ARRAY_PARTITION variable = line cyclic factor = span_w dim = 2
#pragma HLS AGGREGATE variable = line
  unsigned n_read = 0;
  unsigned oh = 0, ow = 0, n_written = 0;
Cycle:
  for (unsigned it = 0; it < CONFIG_T::stream_steps; it++) {
#pragma HLS PIPELINE II = CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances = mul limit = mult_limit
    // The last input pixel (raster index) the current output reads; -1 when it reads none.
    int need = -1;
    if (n_written < n_out_px) {
      const int top = (int)(oh * CONFIG_T::stride_height) - (int)CONFIG_T::pad_top;
      const int left = (int)(ow * CONFIG_T::stride_width) - (int)CONFIG_T::pad_left;
      const span r = clip(top, top + (int)((CONFIG_T::filt_height - 1) * CONFIG_T::dilation_height), H);
      const span c = clip(left, left + (int)((CONFIG_T::filt_width - 1) * CONFIG_T::dilation_width), W);
      if (!r.empty() && !c.empty()) need = r.hi * W + c.hi;
    }
    stream_read_step<data_T, CONFIG_T, rows>(data, line, n_read, need, n_written);
    if (n_written < n_out_px && (int)n_read > need) {
      in_t win[taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
      for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
        for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
          const int ih = (int)(oh * CONFIG_T::stride_height + kh * CONFIG_T::dilation_height) - (int)CONFIG_T::pad_top;
          const int iw = (int)(ow * CONFIG_T::stride_width + kw * CONFIG_T::dilation_width) - (int)CONFIG_T::pad_left;
          const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
          for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
            win[kh * CONFIG_T::filt_width + kw][c] = inside ? line[ih % rows][iw][c] : (in_t)0;
          }
        }
      }
      out_t y[CONFIG_T::n_filt];
      window_dot<in_t, out_t, CONFIG_T, taps>(win, y, weights, biases, TAG());
      stream_write_pixel<res_T, CONFIG_T>(res, y, oh, ow, n_written);
    }
  }
  stream_cursor_check("conv_2d_stream", n_read, n_in_px, n_written, n_out_px);
}

/** io_stream Conv2D, Latency strategy: weights fully partitioned. */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream_latency(hls::stream<data_T>& data, hls::stream<res_T>& res,
                            const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                            const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_2d_stream_steps<data_T, res_T, CONFIG_T, latency_tag>(data, res, weights, biases);
}

/** io_stream Conv2D, Resource strategy: weights reshaped cyclic by n_mult (one ROM word per reuse round). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream_resource(hls::stream<data_T>& data, hls::stream<res_T>& res,
                             const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                             const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  constexpr unsigned n_mult = conv_dims<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_2d_stream_steps<data_T, res_T, CONFIG_T, resource_tag>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                             const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  conv_2d_stream_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                             const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  conv_2d_stream_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_stream Conv2D: calls the function of the configured strategy (only that one is instantiated). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  conv_2d_stream_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_1d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[],
                    const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  conv_2d_stream<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

}  // namespace nnet

#endif  // TESSERA_NNET_CONV_H
