// Tessera layer templates: Flatten / Reshape / Transpose as data reordering, io_parallel and io_stream.
// Tessera's own code.
//
// Firmware tensors are channels-last; the graph's flat order may differ (a Flatten of channels-first data
// reads C, H, W). The engine computes, per output value in firmware order, which input value (firmware
// order) it is: index[i]. When that is the identity the generator calls the copy / repack variants (no
// table; in io_parallel a copy is only wires). Values are assigned to res_T.
#ifndef TESSERA_NNET_RESHAPE_H
#define TESSERA_NNET_RESHAPE_H

#include "nnet_common.h"

namespace nnet {

struct reorder_config {
  static const unsigned n_elem = 1;
  /** io_stream: values per input element / per output element. */
  static const unsigned in_chan = 1;
  static const unsigned out_chan = 1;
  typedef ap_uint<32> index_t;
};

template <class data_T, class res_T, typename CONFIG_T> void copy(const data_T data[CONFIG_T::n_elem], res_T res[CONFIG_T::n_elem]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) res[i] = (res_T)data[i];
}

template <class data_T, class res_T, typename CONFIG_T>
void gather(const data_T data[CONFIG_T::n_elem], res_T res[CONFIG_T::n_elem], const typename CONFIG_T::index_t index[CONFIG_T::n_elem]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) res[i] = (res_T)data[index[i].to_uint()];
}

/**
 * io_stream, same order: elements of in_chan values regrouped into elements of out_chan values. A pass-through
 * when the sizes agree; otherwise out_chan (or in_chan) values are collected first.
 */
template <class data_T, class res_T, typename CONFIG_T> void repack_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  typedef typename res_T::value_type out_T;
  constexpr unsigned n_in_el = CONFIG_T::n_elem / CONFIG_T::in_chan;
  res_T y;
  unsigned k = 0;
  for (unsigned e = 0; e < n_in_el; e++) {
    const data_T x = data.read();
    for (unsigned c = 0; c < CONFIG_T::in_chan; c++) {
#pragma HLS PIPELINE II = 1
      y[k] = (out_T)x[c];
      if (++k == CONFIG_T::out_chan) {
        res.write(y);
        k = 0;
      }
    }
  }
}

/** io_stream, any order: the whole tensor is buffered, then written in the new order. */
template <class data_T, class res_T, typename CONFIG_T>
void gather_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::index_t index[CONFIG_T::n_elem]) {
  typedef typename data_T::value_type in_T;
  typedef typename res_T::value_type out_T;
  in_T buf[CONFIG_T::n_elem];
Read:
  for (unsigned e = 0; e < CONFIG_T::n_elem / CONFIG_T::in_chan; e++) {
#pragma HLS PIPELINE II = 1
    const data_T x = data.read();
    for (unsigned c = 0; c < CONFIG_T::in_chan; c++) buf[e * CONFIG_T::in_chan + c] = x[c];
  }
Write:
  for (unsigned e = 0; e < CONFIG_T::n_elem / CONFIG_T::out_chan; e++) {
#pragma HLS PIPELINE II = 1
    res_T y;
    for (unsigned c = 0; c < CONFIG_T::out_chan; c++) y[c] = (out_T)buf[index[e * CONFIG_T::out_chan + c].to_uint()];
    res.write(y);
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_RESHAPE_H
