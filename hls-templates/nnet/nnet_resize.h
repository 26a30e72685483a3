// Tessera layer templates: Resize (integer upsampling, nearest or bilinear) for io_parallel and io_stream.
// Tessera's own code; the engine's model is engine/ops/resize.ts. 1D uses height 1.
// nearest:  out[h][w][c] = (res_T) in[h / scale_height][w / scale_width][c]
// bilinear: half-pixel source coordinate (2o + 1 - s) / 2s per axis, clamped to [0, in - 1]; its two
//           neighbours weigh (2s - k1) / 2s and k1 / 2s. The sum of k_h * k_w * x is exact in accum_t, the
//           division by 4 * scale_height * scale_width (powers of two) is a right shift, then one cast to res_T.
#ifndef TESSERA_NNET_RESIZE_H
#define TESSERA_NNET_RESIZE_H

#include "nnet_common.h"

namespace nnet {

struct resize_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned scale_height = 1;
  static const unsigned scale_width = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
  static const bool bilinear = false;
  /** log2(2 * scale): fraction bits of one axis's weights (bilinear). */
  static const unsigned weight_bits_height = 1;
  static const unsigned weight_bits_width = 1;
  typedef ap_fixed<32, 16> accum_t;
};

/** The sources of an output index along one axis and the second one's weight k1 (in units of 1 / 2s). */
struct resize_tap {
  unsigned i0, i1, k1;
};

/** Nearest: one source (the callers count it or divide a loop counter, as upsampling does). */
inline resize_tap resize_source(unsigned i) {
#pragma HLS INLINE
  resize_tap t;
  t.i0 = i;
  t.i1 = i;
  t.k1 = 0;
  return t;
}

/** Bilinear along an axis of IN values scaled by S = 2^(BITS - 1): shifts and masks only. */
template <unsigned S, unsigned IN, unsigned BITS> inline resize_tap resize_bilinear(unsigned o) {
#pragma HLS INLINE
  int v = 2 * (int)o + 1 - (int)S;
  if (v < 0) v = 0;
  if (v > (int)(2 * S * (IN - 1))) v = 2 * S * (IN - 1);
  resize_tap t;
  t.i0 = (unsigned)v >> BITS;
  t.k1 = (unsigned)v & ((1u << BITS) - 1);
  t.i1 = t.i0 + 1 < IN ? t.i0 + 1 : IN - 1;
  return t;
}

template <typename CONFIG_T> inline resize_tap resize_bilinear_row(unsigned h) {
#pragma HLS INLINE
  return resize_bilinear<CONFIG_T::scale_height, CONFIG_T::in_height, CONFIG_T::weight_bits_height>(h);
}

template <typename CONFIG_T> inline resize_tap resize_bilinear_col(unsigned w) {
#pragma HLS INLINE
  return resize_bilinear<CONFIG_T::scale_width, CONFIG_T::in_width, CONFIG_T::weight_bits_width>(w);
}

/** One output value from its four sources x[row][col] (nearest: x00 only). */
template <class x_T, class res_T, typename CONFIG_T>
inline res_T resize_value(const x_T& x00, const x_T& x01, const x_T& x10, const x_T& x11, const resize_tap& th, const resize_tap& tw) {
#pragma HLS INLINE
  if (!CONFIG_T::bilinear) return (res_T)x00;
  typedef typename CONFIG_T::accum_t acc_T;
  const int kh0 = (2 * CONFIG_T::scale_height) - th.k1, kw0 = (2 * CONFIG_T::scale_width) - tw.k1;
  acc_T acc = (acc_T)x00 * (kh0 * kw0);
  acc = acc + (acc_T)x01 * (kh0 * (int)tw.k1);
  acc = acc + (acc_T)x10 * ((int)th.k1 * kw0);
  acc = acc + (acc_T)x11 * ((int)th.k1 * (int)tw.k1);
  acc = acc >> (CONFIG_T::weight_bits_height + CONFIG_T::weight_bits_width);
  return (res_T)acc;
}

template <class data_T, class res_T, typename CONFIG_T>
void resize(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
            res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE
  for (unsigned h = 0; h < CONFIG_T::out_height; h++) {
    const resize_tap th = CONFIG_T::bilinear ? resize_bilinear_row<CONFIG_T>(h) : resize_source(h / CONFIG_T::scale_height);
    for (unsigned w = 0; w < CONFIG_T::out_width; w++) {
      const resize_tap tw = CONFIG_T::bilinear ? resize_bilinear_col<CONFIG_T>(w) : resize_source(w / CONFIG_T::scale_width);
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        const data_T x00 = data[(th.i0 * CONFIG_T::in_width + tw.i0) * CONFIG_T::n_chan + c];
        const data_T x01 = data[(th.i0 * CONFIG_T::in_width + tw.i1) * CONFIG_T::n_chan + c];
        const data_T x10 = data[(th.i1 * CONFIG_T::in_width + tw.i0) * CONFIG_T::n_chan + c];
        const data_T x11 = data[(th.i1 * CONFIG_T::in_width + tw.i1) * CONFIG_T::n_chan + c];
        res[(h * CONFIG_T::out_width + w) * CONFIG_T::n_chan + c] = resize_value<data_T, res_T, CONFIG_T>(x00, x01, x10, x11, th, tw);
      }
    }
  }
}

/**
 * io_stream: two input rows are kept, in two arrays (even and odd input rows) so that each is read at two
 * columns per clock. Before output row h the rows up to its second source row are read (at most two: the
 * first output row needs rows 0 and 1), then the row is written, one pixel per clock.
 */
template <class data_T, class res_T, typename CONFIG_T> void resize_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  data_T even[CONFIG_T::in_width];
  data_T odd[CONFIG_T::in_width];
  unsigned read = 0;
Rows:
  for (unsigned h = 0; h < CONFIG_T::out_height; h++) {
    const resize_tap th = CONFIG_T::bilinear ? resize_bilinear_row<CONFIG_T>(h) : resize_source(h / CONFIG_T::scale_height);
  Fill:
    for (unsigned r = 0; r < 2; r++) {
      if (read <= th.i1) {
      ReadRow:
        for (unsigned w = 0; w < CONFIG_T::in_width; w++) {
#pragma HLS PIPELINE II = 1
          const data_T x = data.read();
          if (read & 1) odd[w] = x;
          else even[w] = x;
        }
        read++;
      }
    }
    const bool top_odd = th.i0 & 1, bottom_odd = th.i1 & 1;
    // Nearest: the source column is a counter (no division by a scale that need not be a power of two).
    unsigned wi = 0, rep = 0;
  WriteRow:
    for (unsigned w = 0; w < CONFIG_T::out_width; w++) {
#pragma HLS PIPELINE II = 1
      resize_tap tw;
      if (CONFIG_T::bilinear) {
        tw = resize_bilinear_col<CONFIG_T>(w);
      } else {
        tw = resize_source(wi);
        if (rep == CONFIG_T::scale_width - 1) {
          rep = 0;
          wi++;
        } else {
          rep++;
        }
      }
      const data_T e0 = even[tw.i0], e1 = even[tw.i1], o0 = odd[tw.i0], o1 = odd[tw.i1];
      const data_T& p00 = top_odd ? o0 : e0;
      const data_T& p01 = top_odd ? o1 : e1;
      const data_T& p10 = bottom_odd ? o0 : e0;
      const data_T& p11 = bottom_odd ? o1 : e1;
      res_T px;
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
        px[c] = resize_value<typename data_T::value_type, typename res_T::value_type, CONFIG_T>(p00[c], p01[c], p10[c], p11[c], th, tw);
      }
      res.write(px);
    }
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_RESIZE_H
