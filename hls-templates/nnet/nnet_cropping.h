// Tessera layer templates: Cropping (1D/2D) for io_parallel and io_stream. Tessera's own code.
// out[h][w][c] = (res_T) in[h + crop_top][w + crop_left][c]; 1D uses height 1.
#ifndef TESSERA_NNET_CROPPING_H
#define TESSERA_NNET_CROPPING_H

#include "nnet_common.h"

namespace nnet {

struct cropping_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned crop_top = 0;
  static const unsigned crop_bottom = 0;
  static const unsigned crop_left = 0;
  static const unsigned crop_right = 0;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void cropping(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
              res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE
  for (unsigned h = 0; h < CONFIG_T::out_height; h++)
    for (unsigned w = 0; w < CONFIG_T::out_width; w++)
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++)
        res[(h * CONFIG_T::out_width + w) * CONFIG_T::n_chan + c] =
            (res_T)data[((h + CONFIG_T::crop_top) * CONFIG_T::in_width + (w + CONFIG_T::crop_left)) * CONFIG_T::n_chan + c];
}

/** io_stream: every input pixel is read once (one per clock); those inside the kept window are written. */
template <class data_T, class res_T, typename CONFIG_T> void cropping_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
Rows:
  for (unsigned h = 0; h < CONFIG_T::in_height; h++)
  Cols:
    for (unsigned w = 0; w < CONFIG_T::in_width; w++) {
#pragma HLS PIPELINE II = 1
      const data_T x = data.read();
      const bool inside = h >= CONFIG_T::crop_top && h < CONFIG_T::crop_top + CONFIG_T::out_height && w >= CONFIG_T::crop_left &&
                          w < CONFIG_T::crop_left + CONFIG_T::out_width;
      if (inside) res.write(cast_pixel<res_T, CONFIG_T::n_chan>(x));
    }
}

}  // namespace nnet

#endif  // TESSERA_NNET_CROPPING_H
