// Tessera layer templates: ConvTranspose1D / ConvTranspose2D by phase (sub-pixel) decomposition, for
// io_parallel and io_stream. Tessera's own code. 1D is 2D with height 1.
//
// Output o has full position f = o + pad (pad = outputs cropped at the begin), phase r = f mod s and block
// q = f div s. The taps reaching phase r are the t with t·d ≡ r (mod s); listed in descending t they read
// the input pixels i = q − (t·d − r)/s in ascending order. Every phase is a small ordinary convolution
// with phase_taps_height × phase_taps_width taps (the most of any phase; a phase with fewer taps is padded
// with zero terms at the end of its list), so no product with an inserted zero is computed, every phase
// has the same cost, and the output pixel rate does not depend on the phase (no slow phase sets the pace).
// Window term n = (a · phase_taps_width + b) · cin_g + c; weights w[phase · n_filt · n_in + o · n_in + n],
// phase = r_h · stride_width + r_w. Output padding only enlarges out_height / out_width: the extra outputs
// receive what lands there (often only the bias).
#ifndef TESSERA_NNET_CONV_TRANSPOSE_H
#define TESSERA_NNET_CONV_TRANSPOSE_H

#include "nnet_conv_common.h"

namespace nnet {

struct conv_transpose_config : conv_config {
  /** Most taps of any phase per axis (the generator computes them; 0 when no phase has taps). */
  static const unsigned phase_taps_height = 1;
  static const unsigned phase_taps_width = 1;
};

/** The a-th tap (descending t) with t·d ≡ r (mod s), or -1 when phase r has fewer than a + 1 taps. */
inline int phase_tap(unsigned r, unsigned a, unsigned k, unsigned s, unsigned d) {
#pragma HLS INLINE
  unsigned seen = 0;
  for (int t = (int)k - 1; t >= 0; t--) {
    if (((unsigned)t * d) % s == r) {
      if (seen == a) return t;
      seen++;
    }
  }
  return -1;
}

/** Input index along one axis of the a-th tap of output position o, or -1 when none / outside. */
inline int phase_input(unsigned o, unsigned a, unsigned pad, unsigned k, unsigned s, unsigned d, unsigned size) {
#pragma HLS INLINE
  const unsigned f = o + pad;
  const unsigned r = f % s;
  const int t = phase_tap(r, a, k, s, d);
  if (t < 0) return -1;
  const int i = (int)(f / s) - (int)(((unsigned)t * d - r) / s);
  return i >= 0 && i < (int)size ? i : -1;
}

template <typename CONFIG_T> inline unsigned phase_of(unsigned oh, unsigned ow) {
#pragma HLS INLINE
  return ((oh + CONFIG_T::pad_top) % CONFIG_T::stride_height) * CONFIG_T::stride_width + (ow + CONFIG_T::pad_left) % CONFIG_T::stride_width;
}

template <typename CONFIG_T> struct conv_transpose_dims {
  static constexpr unsigned taps = CONFIG_T::phase_taps_height * CONFIG_T::phase_taps_width;
  static constexpr unsigned n_in = (CONFIG_T::n_chan / CONFIG_T::n_groups) * taps;
  static constexpr unsigned phase_size = CONFIG_T::n_filt * n_in;
  /** Input rows (columns) one output can read: floor((k−1)·d / s) + 1. */
  static constexpr unsigned rows = ((CONFIG_T::filt_height - 1) * CONFIG_T::dilation_height) / CONFIG_T::stride_height + 1;
  /** The window dot product's size (a phase without taps still has one zero tap). */
  static constexpr unsigned dot_taps = taps > 0 ? taps : 1;
  /** Weights: stride_height · stride_width phases of phase_size (phase_size is a multiple of the RF). */
  static constexpr unsigned n_weights = CONFIG_T::stride_height * CONFIG_T::stride_width * conv_mults<CONFIG_T, dot_taps>::n_prod;
  static constexpr unsigned n_mult = conv_mults<CONFIG_T, dot_taps>::n_mult;
};

/**
 * io_parallel ConvTranspose2D pixel loop, shared by both strategies and inlined into each strategy's
 * function: parallelization_factor output pixels per iteration, PIPELINE II = reuse_factor, at most
 * n_mult · PF multipliers (ALLOCATION forces the sharing over the RF cycles, whatever the strategy).
 */
template <class data_T, class res_T, typename CONFIG_T, class TAG>
void conv_transpose_2d_pixels(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                              res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                              const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                              const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  typedef conv_transpose_dims<CONFIG_T> D;
  constexpr unsigned TH = CONFIG_T::phase_taps_height, TW = CONFIG_T::phase_taps_width;
  constexpr unsigned n_pix = CONFIG_T::out_height * CONFIG_T::out_width;
  constexpr unsigned pf = CONFIG_T::parallelization_factor;
  static_assert(n_pix % pf == 0, "parallelization_factor must divide the output pixels (engine/hls/reuse.ts)");
  constexpr unsigned mult_limit = D::n_mult * pf;
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
      data_T win[D::dot_taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
      for (unsigned a = 0; a < TH; a++) {
        const int ih = phase_input(oh, a, CONFIG_T::pad_top, CONFIG_T::filt_height, CONFIG_T::stride_height, CONFIG_T::dilation_height, CONFIG_T::in_height);
        for (unsigned b = 0; b < TW; b++) {
          const int iw = phase_input(ow, b, CONFIG_T::pad_left, CONFIG_T::filt_width, CONFIG_T::stride_width, CONFIG_T::dilation_width, CONFIG_T::in_width);
          const bool inside = ih >= 0 && iw >= 0;
          for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
            win[a * TW + b][c] = inside ? data[(ih * CONFIG_T::in_width + iw) * CONFIG_T::n_chan + c] : (data_T)0;
          }
        }
      }
      window_dot<data_T, res_T, CONFIG_T, D::dot_taps>(win, &res[pix * CONFIG_T::n_filt], &weights[phase_of<CONFIG_T>(oh, ow) * D::phase_size], biases, TAG());
    }
  }
}

/** io_parallel ConvTranspose2D, Latency strategy: weights fully partitioned. */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_latency(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                               res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                               const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                               const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_pixels<data_T, res_T, CONFIG_T, latency_tag>(data, res, weights, biases);
}

/**
 * io_parallel ConvTranspose2D, Resource strategy: weights reshaped cyclic by n_mult (RF words per phase,
 * word = one reuse round; a phase starts on a word boundary since phase_size = RF · n_mult).
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_resource(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                                res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                                const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  constexpr unsigned n_mult = conv_transpose_dims<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_pixels<data_T, res_T, CONFIG_T, resource_tag>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights,
                                const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  conv_transpose_2d_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights,
                                const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  conv_transpose_2d_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_parallel ConvTranspose2D: calls the function of the configured strategy (only that one is instantiated). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                       res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                       const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                       const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  conv_transpose_2d_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_1d(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan], res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
                       const typename CONFIG_T::weight_t weights[], const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  conv_transpose_2d<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/**
 * io_stream ConvTranspose2D. Output pixels leave in raster order, one per pipeline iteration (II = RF) in
 * steady state: each iteration reads at most one input pixel (into a line buffer of the
 * floor((k_h−1)·d_h/s_h) + 1 rows an output can read) and writes one output pixel as soon as the last input
 * pixel it reads has arrived. There is no per-row output buffer and no end-of-row burst. Cropped outputs
 * (pads) are never computed; output padding at the end needs no input. One image per call: all cursors
 * start at zero and the input is drained, so images never leak into each other. The loop runs exactly
 * CONFIG_T::stream_steps times (the generator's replay of this cursor): static trip count, no data-dependent exit.
 * Shared by both strategies; inlined into each strategy's function.
 */
template <class data_T, class res_T, typename CONFIG_T, class TAG>
void conv_transpose_2d_stream_steps(hls::stream<data_T>& data, hls::stream<res_T>& res,
                                    const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  typedef typename data_T::value_type in_t;
  typedef typename res_T::value_type out_t;
  typedef conv_transpose_dims<CONFIG_T> D;
  constexpr unsigned TH = CONFIG_T::phase_taps_height, TW = CONFIG_T::phase_taps_width;
  constexpr unsigned rows = D::rows;
  constexpr unsigned cols = ((CONFIG_T::filt_width - 1) * CONFIG_T::dilation_width) / CONFIG_T::stride_width + 1;
  (void)cols;  // read by a pragma only (g++ ignores pragmas)
  constexpr int H = CONFIG_T::in_height, W = CONFIG_T::in_width;
  constexpr unsigned n_in_px = stream_cursor<CONFIG_T>::n_in_px;
  constexpr unsigned n_out_px = stream_cursor<CONFIG_T>::n_out_px;
  constexpr unsigned mult_limit = D::n_mult;
  (void)mult_limit;  // read by a pragma only (g++ ignores pragmas)
  data_T line[rows][CONFIG_T::in_width];
#pragma HLS ARRAY_PARTITION variable = line complete dim = 1
  // The window's columns are consecutive (dilated) input columns: cyclic banks give every tap its own port.
#pragma HLS ARRAY_PARTITION variable = line cyclic factor = cols dim = 2
#pragma HLS AGGREGATE variable = line
  unsigned n_read = 0;
  unsigned oh = 0, ow = 0, n_written = 0;
Cycle:
  for (unsigned it = 0; it < CONFIG_T::stream_steps; it++) {
#pragma HLS PIPELINE II = CONFIG_T::reuse_factor
#pragma HLS ALLOCATION operation instances = mul limit = mult_limit
    int need = -1;
    if (n_written < n_out_px) {
      const int qh = (int)((oh + CONFIG_T::pad_top) / CONFIG_T::stride_height);
      const int qw = (int)((ow + CONFIG_T::pad_left) / CONFIG_T::stride_width);
      const span r = clip(qh - (int)rows + 1, qh, H);
      const span c = clip(qw - (int)cols + 1, qw, W);
      if (!r.empty() && !c.empty()) need = r.hi * W + c.hi;
    }
    stream_read_step<data_T, CONFIG_T, rows>(data, line, n_read, need, n_written);
    if (n_written < n_out_px && (int)n_read > need) {
      in_t win[D::dot_taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
      for (unsigned a = 0; a < TH; a++) {
        const int ih = phase_input(oh, a, CONFIG_T::pad_top, CONFIG_T::filt_height, CONFIG_T::stride_height, CONFIG_T::dilation_height, CONFIG_T::in_height);
        for (unsigned b = 0; b < TW; b++) {
          const int iw = phase_input(ow, b, CONFIG_T::pad_left, CONFIG_T::filt_width, CONFIG_T::stride_width, CONFIG_T::dilation_width, CONFIG_T::in_width);
          const bool inside = ih >= 0 && iw >= 0;
          for (unsigned c = 0; c < CONFIG_T::n_chan; c++) win[a * TW + b][c] = inside ? line[ih % rows][iw][c] : (in_t)0;
        }
      }
      out_t y[CONFIG_T::n_filt];
      window_dot<in_t, out_t, CONFIG_T, D::dot_taps>(win, y, &weights[phase_of<CONFIG_T>(oh, ow) * D::phase_size], biases, TAG());
      stream_write_pixel<res_T, CONFIG_T>(res, y, oh, ow, n_written);
    }
  }
  stream_cursor_check("conv_transpose_2d_stream", n_read, n_in_px, n_written, n_out_px);
}

/** io_stream ConvTranspose2D, Latency strategy: weights fully partitioned. */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_latency(hls::stream<data_T>& data, hls::stream<res_T>& res,
                                      const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                      const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_stream_steps<data_T, res_T, CONFIG_T, latency_tag>(data, res, weights, biases);
}

/** io_stream ConvTranspose2D, Resource strategy: weights reshaped cyclic by n_mult (one ROM word per reuse round). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_resource(hls::stream<data_T>& data, hls::stream<res_T>& res,
                                       const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                       const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  constexpr unsigned n_mult = conv_transpose_dims<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_stream_steps<data_T, res_T, CONFIG_T, resource_tag>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                                       const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  conv_transpose_2d_stream_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                                       const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  conv_transpose_2d_stream_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_stream ConvTranspose2D: calls the function of the configured strategy (only that one is instantiated). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res,
                              const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                              const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  conv_transpose_2d_stream_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_1d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[],
                              const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  conv_transpose_2d_stream<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

}  // namespace nnet

#endif  // TESSERA_NNET_CONV_TRANSPOSE_H
