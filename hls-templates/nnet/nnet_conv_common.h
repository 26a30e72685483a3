// Tessera layer templates: what Conv and ConvTranspose share — the config base, the per-pixel
// multiply-accumulate over a gathered window (Latency and Resource strategies, reuse factor), and the
// stream cursor that reads an input pixel only when an output needs it. Tessera's own code.
//
// Per output pixel the layer multiplies a window of n_in = cin_g · taps terms (per group) by the weights
// of every output channel: P = n_filt · n_in products, walked output-major (p = o · n_in + n) in
// reuse_factor rounds of n_mult = P / reuse_factor multiplications. For each output channel the terms are
// therefore added in ascending n whatever the strategy and RF (engine/hls/README.md).
#ifndef TESSERA_NNET_CONV_COMMON_H
#define TESSERA_NNET_CONV_COMMON_H

#include "nnet_common.h"
#include <cstdlib>

namespace nnet {

/** Defaults of every Conv / ConvTranspose config (1D uses height 1). The generator derives from it. */
struct conv_config {
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_fixed<16, 6> accum_t;
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
  static const unsigned n_filt = 1;
  static const unsigned filt_height = 1;
  static const unsigned filt_width = 1;
  static const unsigned stride_height = 1;
  static const unsigned stride_width = 1;
  static const unsigned dilation_height = 1;
  static const unsigned dilation_width = 1;
  /** Conv: zeros added before the first row / column. ConvTranspose: outputs cropped at the begin. */
  static const unsigned pad_top = 0;
  static const unsigned pad_left = 0;
  static const unsigned n_groups = 1;
  static const bool has_bias = true;
  static const unsigned reuse_factor = 1;
  /** io_parallel: output pixels computed in parallel (divides out_height · out_width). */
  static const unsigned parallelization_factor = 1;
  static const unsigned strategy = latency;
  /**
   * io_stream: the exact number of steps of the layer's cursor loop (reads + writes interleaved), computed by
   * the generator (engine/ops/conv/hls.ts, streamCursorSteps). The loop runs exactly this many times (static
   * trip count, no data-dependent exit); 0 = not set, which the stream templates reject at compile time.
   */
  static const unsigned stream_steps = 0;
};


/** Multiplications per output pixel per reuse round: P / reuse_factor (the multiplier budget). */
template <typename CONFIG_T, unsigned TAPS> struct conv_mults {
  static constexpr unsigned n_in = (CONFIG_T::n_chan / CONFIG_T::n_groups) * TAPS;
  static constexpr unsigned n_prod = CONFIG_T::n_filt * n_in;
  static_assert(n_prod % CONFIG_T::reuse_factor == 0, "reuse_factor must divide the products per pixel (engine/hls/reuse.ts)");
  static constexpr unsigned n_mult = n_prod / CONFIG_T::reuse_factor;
};

/**
 * out[o] = (res_T)( bias[o] + Σ_n win(o, n) · w[o · n_in + n] ), n ascending, where win(o, n) is the
 * window term n of output channel o's group: win[n / cin_g][grp(o) · cin_g + n % cin_g].
 * win holds TAPS positions × n_chan channels (zeros where a tap falls outside the input).
 * Both strategies compute the same products in the same order; only the layer function's storage of the
 * weights differs (Latency: fully partitioned; Resource: reshaped cyclic by n_mult, so reuse round ir reads
 * word ir, i.e. w[ir·n_mult … ir·n_mult + n_mult − 1]).
 */
template <class data_T, class res_T, typename CONFIG_T, unsigned TAPS>
void window_dot_rounds(const data_T win[TAPS][CONFIG_T::n_chan], res_T out[CONFIG_T::n_filt],
                       const typename CONFIG_T::weight_t* w, const typename CONFIG_T::bias_t* b) {
#pragma HLS INLINE
  constexpr unsigned cin_g = CONFIG_T::n_chan / CONFIG_T::n_groups;
  constexpr unsigned cout_g = CONFIG_T::n_filt / CONFIG_T::n_groups;
  constexpr unsigned n_in = cin_g * TAPS;
  constexpr unsigned n_prod = CONFIG_T::n_filt * n_in;
  static_assert(n_prod % CONFIG_T::reuse_factor == 0, "reuse_factor must divide the products per pixel (engine/hls/reuse.ts)");
  constexpr unsigned n_mult = n_prod / CONFIG_T::reuse_factor;
  // Inlined into the caller's pixel loop (PIPELINE II = reuse_factor, ALLOCATION mul ≤ n_mult · PF there):
  // the RF rounds are unrolled and scheduled over the RF cycles of one iteration, sharing n_mult multipliers
  // (Resource: one ROM word per cycle).
  typename CONFIG_T::accum_t acc[CONFIG_T::n_filt];
#pragma HLS ARRAY_PARTITION variable = acc complete
Init:
  for (unsigned o = 0; o < CONFIG_T::n_filt; o++) {
#pragma HLS UNROLL
    acc[o] = CONFIG_T::has_bias ? (typename CONFIG_T::accum_t)b[o] : (typename CONFIG_T::accum_t)0;
  }
Reuse:
  for (unsigned ir = 0; ir < CONFIG_T::reuse_factor; ir++) {
  Mult:
    for (unsigned m = 0; m < n_mult; m++) {
#pragma HLS UNROLL
      const unsigned p = ir * n_mult + m;
      const unsigned o = p / n_in;
      const unsigned n = p % n_in;
      mac(acc[o], win[n / cin_g][(o / cout_g) * cin_g + n % cin_g], w[p]);
    }
  }
Result:
  for (unsigned o = 0; o < CONFIG_T::n_filt; o++) {
#pragma HLS UNROLL
    out[o] = (res_T)acc[o];
  }
}

/** The window dot product, called with the layer's strategy tag (the same products for both strategies). */
template <class data_T, class res_T, typename CONFIG_T, unsigned TAPS, class TAG>
void window_dot(const data_T win[TAPS][CONFIG_T::n_chan], res_T out[CONFIG_T::n_filt], const typename CONFIG_T::weight_t* w,
                const typename CONFIG_T::bias_t* b, TAG) {
#pragma HLS INLINE
  window_dot_rounds<data_T, res_T, CONFIG_T, TAPS>(win, out, w, b);
}

/**
 * Rows [lo, hi] ∩ [0, size) and the last one of them, or none. Used by the stream cursors: an output can
 * be computed once every input pixel it reads has arrived (raster order).
 */
struct span {
  int lo, hi;
  bool empty() const { return hi < lo; }
};
inline span clip(int lo, int hi, int size) {
  span s;
  s.lo = lo < 0 ? 0 : lo;
  s.hi = hi > size - 1 ? size - 1 : hi;
  return s;
}

/**
 * The stream cursor's pixel counts; using them checks the config at compile time: io_stream takes
 * parallelization_factor 1, and stream_steps (the generator's count of the cursor loop's steps) is set and
 * lies between the larger of the two counts and their sum.
 */
template <typename CONFIG_T> struct stream_cursor {
  static constexpr unsigned n_in_px = CONFIG_T::in_height * CONFIG_T::in_width;
  static constexpr unsigned n_out_px = CONFIG_T::out_height * CONFIG_T::out_width;
  static_assert(CONFIG_T::parallelization_factor == 1, "io_stream layers take parallelization_factor 1");
  static_assert(CONFIG_T::stream_steps >= (n_in_px > n_out_px ? n_in_px : n_out_px) && CONFIG_T::stream_steps <= n_in_px + n_out_px,
                "stream_steps: set by the generator (engine/ops/conv/hls.ts streamCursorSteps)");
};

/**
 * The read half of a cursor step: the next input pixel goes into the line buffer (row n_read / W mod ROWS)
 * when an output still needs it (n_read ≤ need) or when every output is written (draining the stream).
 */
template <class data_T, typename CONFIG_T, unsigned ROWS>
void stream_read_step(hls::stream<data_T>& data, data_T line[ROWS][CONFIG_T::in_width], unsigned& n_read, int need, unsigned n_written) {
#pragma HLS INLINE
  constexpr unsigned W = CONFIG_T::in_width;
  if (n_read < stream_cursor<CONFIG_T>::n_in_px && (n_written == stream_cursor<CONFIG_T>::n_out_px || (int)n_read <= need)) {
    const data_T px = data.read();
    line[(n_read / W) % ROWS][n_read % W] = px;
    n_read++;
  }
}

/** Writes output pixel y (n_filt channels) and moves the output cursor (oh, ow) on in raster order. */
template <class res_T, typename CONFIG_T>
void stream_write_pixel(hls::stream<res_T>& res, const typename res_T::value_type y[CONFIG_T::n_filt], unsigned& oh, unsigned& ow, unsigned& n_written) {
#pragma HLS INLINE
  res_T opx;
  for (unsigned o = 0; o < CONFIG_T::n_filt; o++) opx[o] = y[o];
  res.write(opx);
  n_written++;
  if (++ow == CONFIG_T::out_width) {
    ow = 0;
    oh++;
  }
}

/**
 * C simulation only: after a stream layer's fixed-count loop every input pixel must have been read and every
 * output pixel written (else stream_steps disagrees with the cursor). Compiled out for synthesis.
 */
inline void stream_cursor_check(const char* layer, unsigned n_read, unsigned n_in, unsigned n_written, unsigned n_out) {
#pragma HLS INLINE
#ifndef __SYNTHESIS__
  if (n_read != n_in || n_written != n_out) {
    std::fprintf(stderr, "%s: stream_steps too small: read %u of %u input pixels, wrote %u of %u outputs\n", layer, n_read, n_in, n_written, n_out);
    std::abort();
  }
#else
  (void)layer; (void)n_read; (void)n_in; (void)n_written; (void)n_out;
#endif
}

}  // namespace nnet

#endif  // TESSERA_NNET_CONV_COMMON_H
