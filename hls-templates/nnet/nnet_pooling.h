// Tessera layer templates: MaxPool / AveragePool (1D/2D; stride, pads, ceil mode, count_include_pad) for
// io_parallel and io_stream. Tessera's own code. 1D uses height 1.
//
// Output (oh, ow) reads the window rows h0 … h0 + pool_height − 1 (h0 = oh · stride_height − pad_top),
// clipped to the input, likewise for columns; pads are never read.
//   Max:     y = (res_T) max of the window (the first real value, then ">" in raster order).
//   Average: s = Σ window (exact: sum_t has ⌈log2(pool_height · pool_width)⌉ more integer bits than the input,
//            so it cannot overflow and the order cannot matter); y = (res_T)(s · recip[count]) where count is
//            the number of real values (or, with count_include_pad, the window clipped to the padded input)
//            and recip[k] = 1 / k quantized into recip_t (a table the generator writes, computed by the engine).
#ifndef TESSERA_NNET_POOLING_H
#define TESSERA_NNET_POOLING_H

#include "nnet_common.h"

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

/** Channel c of the io_stream line buffer (rows kept modulo pool_height). */
template <class pix_T, class in_T, typename CONFIG_T> struct pool_px_lines {
  const pix_T (*lines)[CONFIG_T::in_width];
  unsigned c;
  in_T operator()(int h, int w) const { return lines[h % CONFIG_T::pool_height][w][c]; }
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
 * io_stream: a line buffer of pool_height input rows (circular). After input row h has arrived, every output
 * row whose window ends at h (clipped to the input) is written, one output pixel per clock.
 */
template <class data_T, class res_T, typename CONFIG_T>
void pooling_stream(hls::stream<data_T>& data, hls::stream<res_T>& res,
                    const typename CONFIG_T::recip_t recip[CONFIG_T::pool_height * CONFIG_T::pool_width + 1]) {
  typedef typename data_T::value_type in_T;
  typedef typename res_T::value_type out_T;
  data_T lines[CONFIG_T::pool_height][CONFIG_T::in_width];
#pragma HLS ARRAY_PARTITION variable = lines complete dim = 1
  unsigned oh = 0;
Rows:
  for (unsigned h = 0; h < CONFIG_T::in_height; h++) {
  ReadRow:
    for (unsigned w = 0; w < CONFIG_T::in_width; w++) {
#pragma HLS PIPELINE II = 1
      lines[h % CONFIG_T::pool_height][w] = data.read();
    }
  Emit:
    while (oh < CONFIG_T::out_height) {
      const pool_span sh = pool_axis(oh, CONFIG_T::stride_height, CONFIG_T::pad_top, CONFIG_T::pad_bottom, CONFIG_T::pool_height, CONFIG_T::in_height);
      if (sh.hi - 1 != (int)h) break;
    Cols:
      for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
#pragma HLS PIPELINE II = 1
        res_T y;
        for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
          const pool_px_lines<data_T, in_T, CONFIG_T> px = {lines, c};
          y[c] = pool_window<out_T, CONFIG_T, in_T>(px, oh, ow, recip);
        }
        res.write(y);
      }
      oh++;
    }
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_POOLING_H
