// Tessera layer templates: ZeroPadding (1D/2D) for io_parallel and io_stream. Tessera's own code.
// out[h + pad_top][w + pad_left][c] = (res_T) in[h][w][c], zeros elsewhere; 1D uses height 1.
#ifndef TESSERA_NNET_PADDING_H
#define TESSERA_NNET_PADDING_H

#include "nnet_common.h"

namespace nnet {

struct padding_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned pad_top = 0;
  static const unsigned pad_bottom = 0;
  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void zeropad(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
             res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE
  for (unsigned h = 0; h < CONFIG_T::out_height; h++)
    for (unsigned w = 0; w < CONFIG_T::out_width; w++) {
      const bool inside = h >= CONFIG_T::pad_top && h < CONFIG_T::pad_top + CONFIG_T::in_height && w >= CONFIG_T::pad_left &&
                          w < CONFIG_T::pad_left + CONFIG_T::in_width;
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++)
        res[(h * CONFIG_T::out_width + w) * CONFIG_T::n_chan + c] =
            inside ? (res_T)data[((h - CONFIG_T::pad_top) * CONFIG_T::in_width + (w - CONFIG_T::pad_left)) * CONFIG_T::n_chan + c] : (res_T)0;
    }
}

/** io_stream: one output pixel per clock, zeros written around the rows read. */
template <class data_T, class res_T, typename CONFIG_T> void zeropad_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  res_T zero;
  for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
    zero[c] = 0;
  }
Rows:
  for (unsigned h = 0; h < CONFIG_T::out_height; h++)
  Cols:
    for (unsigned w = 0; w < CONFIG_T::out_width; w++) {
#pragma HLS PIPELINE II = 1
      const bool inside = h >= CONFIG_T::pad_top && h < CONFIG_T::pad_top + CONFIG_T::in_height && w >= CONFIG_T::pad_left &&
                          w < CONFIG_T::pad_left + CONFIG_T::in_width;
      if (inside) {
        const data_T x = data.read();
        res.write(cast_pixel<res_T, CONFIG_T::n_chan>(x));
      } else {
        res.write(zero);
      }
    }
}

}  // namespace nnet

#endif  // TESSERA_NNET_PADDING_H
