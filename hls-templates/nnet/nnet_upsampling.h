// Tessera layer templates: UpSampling (nearest, integer scale) for io_parallel and io_stream. Tessera's own code.
// out[h][w][c] = (res_T) in[h / scale_height][w / scale_width][c]; 1D uses height 1.
#ifndef TESSERA_NNET_UPSAMPLING_H
#define TESSERA_NNET_UPSAMPLING_H

#include "nnet_common.h"

namespace nnet {

struct upsampling_config {
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned scale_height = 1;
  static const unsigned scale_width = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void upsampling(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE
  for (unsigned h = 0; h < CONFIG_T::out_height; h++)
    for (unsigned w = 0; w < CONFIG_T::out_width; w++)
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++)
        res[(h * CONFIG_T::out_width + w) * CONFIG_T::n_chan + c] =
            (res_T)data[((h / CONFIG_T::scale_height) * CONFIG_T::in_width + w / CONFIG_T::scale_width) * CONFIG_T::n_chan + c];
}

/**
 * io_stream: one input row is kept (one write per clock), then written scale_height times, each pixel
 * scale_width times (one read per clock; the pixel index is a counter, not a division).
 */
template <class data_T, class res_T, typename CONFIG_T> void upsampling_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  res_T row[CONFIG_T::in_width];
Rows:
  for (unsigned h = 0; h < CONFIG_T::in_height; h++) {
  ReadRow:
    for (unsigned w = 0; w < CONFIG_T::in_width; w++) {
#pragma HLS PIPELINE II = 1
      const data_T x = data.read();
      row[w] = cast_pixel<res_T, CONFIG_T::n_chan>(x);
    }
    unsigned wi = 0, rep = 0;
  Repeat:
    for (unsigned i = 0; i < CONFIG_T::scale_height * CONFIG_T::out_width; i++) {
#pragma HLS PIPELINE II = 1
      res.write(row[wi]);
      if (rep == CONFIG_T::scale_width - 1) {
        rep = 0;
        wi = wi == CONFIG_T::in_width - 1 ? 0 : wi + 1;
      } else {
        rep++;
      }
    }
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_UPSAMPLING_H
