// Tessera layer templates: MaxPool / AveragePool (1D/2D; stride, pads, ceil mode, count_include_pad) for
// io_parallel and io_stream. Tessera's own code. 1D uses height 1.
//
// Output (oh, ow) reads the window rows h0 … h0 + pool_height − 1 (h0 = oh · stride_height − pad_top),
// clipped to the input, likewise for columns; pads are never read (io_parallel: the clipped loops are unrolled
// inside the pipelined function; io_stream: the window's taps outside the input are masked).
//   Max:     y = (res_T) max of the window (the first real value, then ">" in raster order).
//   Average: s = Σ window (exact: sum_t has ⌈log2(pool_height · pool_width)⌉ more integer bits than the input,
//            so it cannot overflow and the order cannot matter); y = (res_T)(s · recip[count]) where count is
//            the number of real values (or, with count_include_pad, the window clipped to the padded input)
//            and recip[k] = 1 / k quantized into recip_t (a table the generator writes, computed by the engine).
#ifndef TESSERA_NNET_POOLING_H
#define TESSERA_NNET_POOLING_H

#include "nnet_conv_common.h"

namespace nnet {

enum pool_op { pool_max = 0, pool_average = 1 };

struct pooling_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
  static const unsigned pool_height = 1;
  static const unsigned pool_width = 1;
  static const unsigned stride_height = 1;
  static const unsigned stride_width = 1;
  static const unsigned pad_top = 0;
  static const unsigned pad_bottom = 0;
  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
  static const unsigned pool_op = pool_max;
  static const bool count_include_pad = false;
  typedef ap_fixed<24, 14> sum_t;
  typedef ap_ufixed<18, 1, AP_RND_CONV, AP_SAT> recip_t;
};

/** Window rows [lo, hi) and the divisor's extent along one axis. */
struct pool_span {
  int lo, hi, count_pad;
};
inline pool_span pool_axis(int o, int stride, int pad_begin, int pad_end, int k, int size) {
#pragma HLS INLINE
  const int s0 = o * stride - pad_begin;
  pool_span r;
  r.lo = s0 < 0 ? 0 : s0;
  r.hi = s0 + k > size ? size : s0 + k;
  r.count_pad = (s0 + k > size + pad_end ? size + pad_end : s0 + k) - s0;
  return r;
}

/** One output value of channel c; px(h, w) returns the input pixel's channel value. */
template <class res_T, typename CONFIG_T, class data_T, class Pix>
inline res_T pool_window(const Pix& px, int oh, int ow, const typename CONFIG_T::recip_t* recip) {
#pragma HLS INLINE
  const pool_span sh = pool_axis(oh, CONFIG_T::stride_height, CONFIG_T::pad_top, CONFIG_T::pad_bottom, CONFIG_T::pool_height, CONFIG_T::in_height);
  const pool_span sw = pool_axis(ow, CONFIG_T::stride_width, CONFIG_T::pad_left, CONFIG_T::pad_right, CONFIG_T::pool_width, CONFIG_T::in_width);
  if (CONFIG_T::pool_op == pool_max) {
    data_T m = px(sh.lo, sw.lo);
    for (int h = sh.lo; h < sh.hi; h++)
      for (int w = sw.lo; w < sw.hi; w++) {
        const data_T v = px(h, w);
        if (v > m) m = v;
      }
    return (res_T)m;
  }
  typename CONFIG_T::sum_t s = 0;
  for (int h = sh.lo; h < sh.hi; h++)
    for (int w = sw.lo; w < sw.hi; w++) s = s + px(h, w);
  const int count = CONFIG_T::count_include_pad ? sh.count_pad * sw.count_pad : (sh.hi - sh.lo) * (sw.hi - sw.lo);
  return (res_T)(s * recip[count]);
}

/** Channel c of an io_parallel input (channels-last array). */
template <class data_T, typename CONFIG_T> struct pool_px_array {
  const data_T* data;
  unsigned c;
  data_T operator()(int h, int w) const { return data[(h * CONFIG_T::in_width + w) * CONFIG_T::n_chan + c]; }
};

template <class data_T, class res_T, typename CONFIG_T>
void pooling(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
             res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan],
             const typename CONFIG_T::recip_t recip[CONFIG_T::pool_height * CONFIG_T::pool_width + 1]) {
#pragma HLS PIPELINE
  for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
    const pool_px_array<data_T, CONFIG_T> px = {data, c};
    for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++)
      for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++)
        res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c] = pool_window<res_T, CONFIG_T, data_T>(px, oh, ow, recip);
  }
}

/**
 * io_stream: the stream window of Conv (nnet_conv_common.h) with the pool size as its span: one position of the
 * padded input per step (one read per input pixel, in raster order), and an output pixel as soon as its window
 * is complete, one per clock at most (loop pipelined at II 1, trip count = the walk's positions, up to the
 * last output or input). The window's
 * taps are registers at fixed positions; a tap outside the input (padding) is left out of the max and the sum,
 * and the divisor of an average comes from the tap counts of the two axes (recip[count], a small table).
 */
template <class data_T, class res_T, typename CONFIG_T>
void pooling_stream(hls::stream<data_T>& data, hls::stream<res_T>& res,
                    const typename CONFIG_T::recip_t recip[CONFIG_T::pool_height * CONFIG_T::pool_width + 1]) {
  typedef typename data_T::value_type in_T;
  typedef typename res_T::value_type out_T;
  constexpr int H = CONFIG_T::in_height, W = CONFIG_T::in_width;
  constexpr unsigned PH = CONFIG_T::pool_height, PW = CONFIG_T::pool_width;
  typedef window_axis<H, PH, CONFIG_T::pad_top, CONFIG_T::stride_height, CONFIG_T::out_height> AH;
  typedef window_axis<W, PW, CONFIG_T::pad_left, CONFIG_T::stride_width, CONFIG_T::out_width> AW;
  constexpr unsigned row_steps = AW::steps;
  (void)row_steps;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_PARTITION variable = recip complete
  data_T line[line_rows(PH)][W];
#pragma HLS ARRAY_PARTITION variable = line complete dim = 1
#pragma HLS AGGREGATE variable = line
#pragma HLS DEPENDENCE variable = line inter RAW distance = row_steps true
  data_T win[PH][PW];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
  window_clear<data_T, PH, PW>(win);
  walk_state ws = walk_start<AH, AW>();
Cycle:
  for (unsigned it = 0; it < window_positions<AH, AW, H, W>::value; it++) {
#pragma HLS PIPELINE II = 1
    window_step<data_T, PH, PW, H, W>(data, line, win, ws.r, ws.c);
    const bool due = walk_due<CONFIG_T::out_height, CONFIG_T::out_width>(ws);
    if (due) {
      // Window row k / column q is input row r − PH + 1 + k / column c − PW + 1 + q.
      bool row_in[PH], col_in[PW];
      unsigned rows = 0, cols = 0, rows_pad = 0, cols_pad = 0;
      for (unsigned k = 0; k < PH; k++) {
#pragma HLS UNROLL
        const int ih = ws.r - (int)PH + 1 + (int)k;
        row_in[k] = ih >= 0 && ih < H;
        if (row_in[k]) rows++;
        if (ih >= -(int)CONFIG_T::pad_top && ih < H + (int)CONFIG_T::pad_bottom) rows_pad++;
      }
      for (unsigned q = 0; q < PW; q++) {
#pragma HLS UNROLL
        const int iw = ws.c - (int)PW + 1 + (int)q;
        col_in[q] = iw >= 0 && iw < W;
        if (col_in[q]) cols++;
        if (iw >= -(int)CONFIG_T::pad_left && iw < W + (int)CONFIG_T::pad_right) cols_pad++;
      }
      res_T y;
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
        if (CONFIG_T::pool_op == pool_max) {
          in_T m = 0;
          bool any = false;
          for (unsigned k = 0; k < PH; k++) {
#pragma HLS UNROLL
            for (unsigned q = 0; q < PW; q++) {
#pragma HLS UNROLL
              const in_T v = win[k][q][c];
              if (row_in[k] && col_in[q] && (!any || v > m)) m = v;
              if (row_in[k] && col_in[q]) any = true;
            }
          }
          y[c] = (out_T)m;
        } else {
          typename CONFIG_T::sum_t sum = 0;
          for (unsigned k = 0; k < PH; k++) {
#pragma HLS UNROLL
            for (unsigned q = 0; q < PW; q++) {
#pragma HLS UNROLL
              if (row_in[k] && col_in[q]) sum = sum + win[k][q][c];
            }
          }
          const unsigned count = CONFIG_T::count_include_pad ? rows_pad * cols_pad : rows * cols;
          y[c] = (out_T)(sum * recip[count]);
        }
      }
      res.write(y);
    }
    if (walk_next<AH, AW, CONFIG_T::stride_height, CONFIG_T::stride_width>(ws, due)) window_clear<data_T, PH, PW>(win);
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_POOLING_H
