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
  /**
   * io_stream gather: index[i] holds input element e and its value c as (e << chan_bits) | c (chan_bits bits
   * hold in_chan − 1), so the template splits it with a shift and a mask. io_parallel: the flat index (0).
   */
  static const unsigned chan_bits = 0;
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

/** Shifts the N values of an element one place down; the last keeps its value. */
template <class T, unsigned N> inline void shift_down(T& x) {
#pragma HLS INLINE
  for (unsigned k = 0; k + 1 < N; k++) {
#pragma HLS UNROLL
    x[k] = x[k + 1];
  }
}

/**
 * io_stream, same order: elements of in_chan values regrouped into elements of out_chan values, one loop
 * pipelined at II 1 with every index a constant. The same size: a copy per element. in_chan a multiple of
 * out_chan: one output element per clock, cut from the front of the input element (shifted on by out_chan).
 * out_chan a multiple of in_chan: one input element per clock, shifted into the output element. Otherwise one
 * value per clock through two shift registers.
 */
template <class data_T, class res_T, typename CONFIG_T> void repack_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  typedef typename res_T::value_type out_T;
  constexpr unsigned IN = CONFIG_T::in_chan, OUT = CONFIG_T::out_chan, N = CONFIG_T::n_elem;
  if (IN == OUT) {
  Copy:
    for (unsigned e = 0; e < N / IN; e++) {
#pragma HLS PIPELINE II = 1
      res.write(cast_pixel<res_T, OUT>(data.read()));
    }
  } else if (IN % OUT == 0) {
    data_T x;
    unsigned k = 0;
  Split:
    for (unsigned e = 0; e < N / OUT; e++) {
#pragma HLS PIPELINE II = 1
      if (k == 0) x = data.read();
      res_T y;
      for (unsigned c = 0; c < OUT; c++) {
#pragma HLS UNROLL
        y[c] = (out_T)x[c];
      }
      res.write(y);
      for (unsigned c = 0; c + OUT < IN; c++) {
#pragma HLS UNROLL
        x[c] = x[c + OUT];
      }
      k = k == IN / OUT - 1 ? 0 : k + 1;
    }
  } else if (OUT % IN == 0) {
    res_T y;
    unsigned k = 0;
  Merge:
    for (unsigned e = 0; e < N / IN; e++) {
#pragma HLS PIPELINE II = 1
      const data_T x = data.read();
      for (unsigned c = 0; c + IN < OUT; c++) {
#pragma HLS UNROLL
        y[c] = y[c + IN];
      }
      for (unsigned c = 0; c < IN; c++) {
#pragma HLS UNROLL
        y[OUT - IN + c] = (out_T)x[c];
      }
      if (k == OUT / IN - 1) res.write(y);
      k = k == OUT / IN - 1 ? 0 : k + 1;
    }
  } else {
    data_T x;
    res_T y;
    unsigned kin = 0, kout = 0;
  Values:
    for (unsigned i = 0; i < N; i++) {
#pragma HLS PIPELINE II = 1
      if (kin == 0) x = data.read();
      shift_down<res_T, OUT>(y);
      y[OUT - 1] = (out_T)x[0];
      shift_down<data_T, IN>(x);
      if (kout == OUT - 1) res.write(y);
      kin = kin == IN - 1 ? 0 : kin + 1;
      kout = kout == OUT - 1 ? 0 : kout + 1;
    }
  }
}

/**
 * io_stream, any order: the whole tensor is buffered (one input element per clock, its in_chan values in
 * in_chan banks), then written in the new order one value per clock (index[i] names the element and the
 * bank: one read per bank), out_chan values shifted into each output element.
 */
template <class data_T, class res_T, typename CONFIG_T>
void gather_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::index_t index[CONFIG_T::n_elem]) {
  typedef typename data_T::value_type in_T;
  typedef typename res_T::value_type out_T;
  constexpr unsigned IN = CONFIG_T::in_chan, OUT = CONFIG_T::out_chan;
  static_assert((1u << CONFIG_T::chan_bits) >= IN, "gather_stream: chan_bits must hold in_chan - 1 (the generator sets it)");
  in_T buf[CONFIG_T::n_elem / IN][IN];
#pragma HLS ARRAY_PARTITION variable = buf complete dim = 2
Read:
  for (unsigned e = 0; e < CONFIG_T::n_elem / IN; e++) {
#pragma HLS PIPELINE II = 1
    const data_T x = data.read();
    for (unsigned c = 0; c < IN; c++) {
#pragma HLS UNROLL
      buf[e][c] = x[c];
    }
  }
  res_T y;
  unsigned k = 0;
Write:
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) {
#pragma HLS PIPELINE II = 1
    const unsigned code = index[i].to_uint();
    shift_down<res_T, OUT>(y);
    y[OUT - 1] = (out_T)buf[code >> CONFIG_T::chan_bits][code & ((1u << CONFIG_T::chan_bits) - 1)];
    if (k == OUT - 1) res.write(y);
    k = k == OUT - 1 ? 0 : k + 1;
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_RESHAPE_H
