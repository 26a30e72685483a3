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
#pragma HLS UNROLL
    for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
#pragma HLS UNROLL
      const int ih = (int)(oh * CONFIG_T::stride_height + kh * CONFIG_T::dilation_height) - (int)CONFIG_T::pad_top;
      const int iw = (int)(ow * CONFIG_T::stride_width + kw * CONFIG_T::dilation_width) - (int)CONFIG_T::pad_left;
      const bool inside = ih >= 0 && ih < (int)CONFIG_T::in_height && iw >= 0 && iw < (int)CONFIG_T::in_width;
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
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

/** Output pixel counters (oh, ow) moved on by PF pixels in raster order (no division at run time). */
template <unsigned WO, unsigned PF> inline void advance_pixel(unsigned& oh, unsigned& ow) {
#pragma HLS INLINE
  ow += PF % WO;
  oh += PF / WO;
  if (ow >= WO) {
    ow -= WO;
    oh++;
  }
}

/**
 * io_parallel Conv2D, shared by both strategies and inlined into each strategy's function: one loop of
 * (output pixels / PF) · reuse_factor reuse rounds pipelined at II 1; each round multiplies the n_mult products
 * of PF output pixels (n_mult · PF multipliers). A pixel's window is gathered at its first round.
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_pixels(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                    res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                    const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  constexpr unsigned taps = conv_dims<CONFIG_T>::taps;
  typedef conv_mults<CONFIG_T, taps> M;
  typedef typename M::tiling T;
  constexpr unsigned n_pix = CONFIG_T::out_height * CONFIG_T::out_width;
  constexpr unsigned pf = CONFIG_T::parallelization_factor;
  constexpr unsigned RF = CONFIG_T::reuse_factor;
  static_assert(n_pix % pf == 0, "parallelization_factor must divide the output pixels (engine/hls/reuse.ts)");
  typename CONFIG_T::accum_t acc[pf][T::groups][T::outs];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
  data_T opnd[pf][M::n_groups][M::n_in];
#pragma HLS ARRAY_PARTITION variable = opnd complete dim = 0
  unsigned oh[pf], ow[pf];
#pragma HLS ARRAY_PARTITION variable = oh complete
#pragma HLS ARRAY_PARTITION variable = ow complete
  for (unsigned j = 0; j < pf; j++) {
#pragma HLS UNROLL
    oh[j] = j / CONFIG_T::out_width;
    ow[j] = j % CONFIG_T::out_width;
    conv_reset<CONFIG_T, taps>(acc[j], biases);
  }
  unsigned ir = 0, og = 0;
Rounds:
  for (unsigned it = 0; it < n_pix / pf * RF; it++) {
#pragma HLS PIPELINE II = 1
    for (unsigned j = 0; j < pf; j++) {
#pragma HLS UNROLL
      if (ir == 0) {
        data_T win[taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
        conv_gather<data_T, CONFIG_T>(data, oh[j], ow[j], win);
        load_operands<data_T, CONFIG_T, taps>(win, opnd[j]);
      }
      conv_round<data_T, CONFIG_T, taps>(acc[j], opnd[j], weights, ir, og);
      if (ir == RF - 1) {
        for (unsigned o = 0; o < CONFIG_T::n_filt; o++) {
#pragma HLS UNROLL
          res[(oh[j] * CONFIG_T::out_width + ow[j]) * CONFIG_T::n_filt + o] = conv_result<CONFIG_T, taps, res_T>(acc[j], o);
        }
        conv_reset<CONFIG_T, taps>(acc[j], biases);
        advance_pixel<CONFIG_T::out_width, pf>(oh[j], ow[j]);
      }
    }
    next_round<RF, T::groups>(ir, og);
  }
}

/** io_parallel Conv2D, Latency strategy: weights in registers (each multiplier lane selects its RF constants). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_latency(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                     res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                     const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                     const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_2d_pixels<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/**
 * io_parallel Conv2D, Resource strategy: weights reshaped cyclic by n_mult = P / RF, i.e. RF words of n_mult
 * weights (word ir = the weights of reuse round ir, lane m for multiplier m), one word read per round; the
 * tool maps the ROM to BRAM or LUTRAM by size.
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
  conv_2d_pixels<data_T, res_T, CONFIG_T>(data, res, weights, biases);
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
 * io_stream Conv2D (shared by both strategies; inlined into each strategy's function). One image per call. A
 * stream window (nnet_conv_common.h) walks the padded input one position per step, reading each input pixel
 * once in raster order; where an output's window is complete, the output is computed in reuse_factor rounds
 * (one per iteration, the walk waits) and written. The loop is pipelined at II 1 and runs exactly
 * CONFIG_T::stream_steps times (= walk positions + (reuse_factor − 1) per output, the generator's replay):
 * static trip count, no data-dependent exit. Every tap of the window is a register at a fixed position.
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream_steps(hls::stream<data_T>& data, hls::stream<res_T>& res,
                          const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                          const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  typedef typename data_T::value_type in_t;
  typedef typename res_T::value_type out_t;
  constexpr unsigned taps = conv_dims<CONFIG_T>::taps;
  typedef conv_mults<CONFIG_T, taps> M;
  typedef typename M::tiling T;
  constexpr unsigned RF = CONFIG_T::reuse_factor;
  constexpr int H = CONFIG_T::in_height, W = CONFIG_T::in_width;
  constexpr unsigned span_h = (CONFIG_T::filt_height - 1) * CONFIG_T::dilation_height + 1;
  constexpr unsigned span_w = (CONFIG_T::filt_width - 1) * CONFIG_T::dilation_width + 1;
  typedef window_axis<H, span_h, CONFIG_T::pad_top, CONFIG_T::stride_height, CONFIG_T::out_height> AH;
  typedef window_axis<W, span_w, CONFIG_T::pad_left, CONFIG_T::stride_width, CONFIG_T::out_width> AW;
  // A line buffer column is rewritten one row later: at least a row of steps apart.
  constexpr unsigned row_steps = AW::steps;
  (void)row_steps;  // read by a pragma only (g++ ignores pragmas)
  (void)stream_cursor<CONFIG_T>::n_in_px;
  data_T line[line_rows(span_h)][W];
#pragma HLS ARRAY_PARTITION variable = line complete dim = 1
#pragma HLS AGGREGATE variable = line
#pragma HLS DEPENDENCE variable = line inter RAW distance = row_steps true
  data_T win[span_h][span_w];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
  window_clear<data_T, span_h, span_w>(win);
  typename CONFIG_T::accum_t acc[T::groups][T::outs];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
  in_t opnd[M::n_groups][M::n_in];
#pragma HLS ARRAY_PARTITION variable = opnd complete dim = 0
  conv_reset<CONFIG_T, taps>(acc, biases);
  walk_state ws = walk_start<AH, AW>();
  unsigned ir = 0, og = 0;
  bool busy = false;
  unsigned n_read = 0, n_written = 0;
Cycle:
  for (unsigned it = 0; it < CONFIG_T::stream_steps; it++) {
#pragma HLS PIPELINE II = 1
    if (!busy) {
      if (ws.r >= 0 && ws.r < H && ws.c >= 0 && ws.c < W) n_read++;
      window_step<data_T, span_h, span_w, H, W>(data, line, win, ws.r, ws.c);
      busy = walk_due<CONFIG_T::out_height, CONFIG_T::out_width>(ws);
      if (busy) {
        in_t taps_v[taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = taps_v complete dim = 0
        for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
#pragma HLS UNROLL
          for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
#pragma HLS UNROLL
            for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
              taps_v[kh * CONFIG_T::filt_width + kw][c] = win[kh * CONFIG_T::dilation_height][kw * CONFIG_T::dilation_width][c];
            }
          }
        }
        load_operands<in_t, CONFIG_T, taps>(taps_v, opnd);
      }
      if (walk_next<AH, AW, CONFIG_T::stride_height, CONFIG_T::stride_width>(ws, busy)) window_clear<data_T, span_h, span_w>(win);
    }
    if (busy) {
      conv_round<in_t, CONFIG_T, taps>(acc, opnd, weights, ir, og);
      if (ir == RF - 1) {
        res_T y;
        for (unsigned o = 0; o < CONFIG_T::n_filt; o++) {
#pragma HLS UNROLL
          y[o] = conv_result<CONFIG_T, taps, out_t>(acc, o);
        }
        res.write(y);
        n_written++;
        conv_reset<CONFIG_T, taps>(acc, biases);
        busy = false;
      }
      next_round<RF, T::groups>(ir, og);
    }
  }
  stream_cursor_check("conv_2d_stream", n_read, stream_cursor<CONFIG_T>::n_in_px, n_written, stream_cursor<CONFIG_T>::n_out_px);
}

/** io_stream Conv2D, Latency strategy: weights in registers. */
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream_latency(hls::stream<data_T>& data, hls::stream<res_T>& res,
                            const typename CONFIG_T::weight_t weights[conv_dims<CONFIG_T>::n_weights],
                            const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_2d_stream_steps<data_T, res_T, CONFIG_T>(data, res, weights, biases);
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
  conv_2d_stream_steps<data_T, res_T, CONFIG_T>(data, res, weights, biases);
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
