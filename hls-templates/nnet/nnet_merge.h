// Tessera layer templates: Add and Concatenate of 2 to 4 inputs, io_parallel and io_stream. Tessera's own code.
//
// Add: y = (res_T)(x0 + x1 [+ x2 [+ x3]]), the sum exact (the growth rules of + widen it), one assignment.
// Concatenate joins firmware tensors along one axis: viewed as [n_outer][size_k], input k contributes
// size_k values per outer index (io_parallel). In io_stream, a channel concatenation (the last firmware axis)
// joins the elements of each pixel; any other axis joins blocks of whole pixels: per outer index, input k
// contributes pix_k pixels.
#ifndef TESSERA_NNET_MERGE_H
#define TESSERA_NNET_MERGE_H

#include "nnet_common.h"

namespace nnet {

struct merge_config {
  /** Add: values per image (io_parallel); n_chan values per element and n_pixels elements (io_stream). */
  static const unsigned n_elem = 1;
  static const unsigned n_chan = 1;
  static const unsigned n_pixels = 1;
};

struct concat_config {
  static const unsigned n_outer = 1;
  /** Values per outer index of each input (io_parallel), or pixels per outer index (io_stream, not channel). */
  static const unsigned size0 = 0;
  static const unsigned size1 = 0;
  static const unsigned size2 = 0;
  static const unsigned size3 = 0;
  /** io_stream: the axis is the channel axis (elements are joined), and the channels of each input. */
  static const bool channel_axis = true;
  static const unsigned n_pixels = 1;
  static const unsigned chan0 = 0;
  static const unsigned chan1 = 0;
  static const unsigned chan2 = 0;
  static const unsigned chan3 = 0;
};

// ---------------------------------------------------------------------------------------------
// Add

template <class in0_T, class in1_T, class res_T, typename CONFIG_T>
void add(const in0_T a[CONFIG_T::n_elem], const in1_T b[CONFIG_T::n_elem], res_T res[CONFIG_T::n_elem]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) res[i] = (res_T)(a[i] + b[i]);
}
template <class in0_T, class in1_T, class in2_T, class res_T, typename CONFIG_T>
void add(const in0_T a[CONFIG_T::n_elem], const in1_T b[CONFIG_T::n_elem], const in2_T c[CONFIG_T::n_elem], res_T res[CONFIG_T::n_elem]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) res[i] = (res_T)(a[i] + b[i] + c[i]);
}
template <class in0_T, class in1_T, class in2_T, class in3_T, class res_T, typename CONFIG_T>
void add(const in0_T a[CONFIG_T::n_elem], const in1_T b[CONFIG_T::n_elem], const in2_T c[CONFIG_T::n_elem], const in3_T d[CONFIG_T::n_elem],
         res_T res[CONFIG_T::n_elem]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_elem; i++) res[i] = (res_T)(a[i] + b[i] + c[i] + d[i]);
}

template <class in0_T, class in1_T, class res_T, typename CONFIG_T>
void add_stream(hls::stream<in0_T>& a, hls::stream<in1_T>& b, hls::stream<res_T>& res) {
  for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
    const in0_T x0 = a.read();
    const in1_T x1 = b.read();
    res_T y;
    for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
      y[c] = (typename res_T::value_type)(x0[c] + x1[c]);
    }
    res.write(y);
  }
}
template <class in0_T, class in1_T, class in2_T, class res_T, typename CONFIG_T>
void add_stream(hls::stream<in0_T>& a, hls::stream<in1_T>& b, hls::stream<in2_T>& c2, hls::stream<res_T>& res) {
  for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
    const in0_T x0 = a.read();
    const in1_T x1 = b.read();
    const in2_T x2 = c2.read();
    res_T y;
    for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
      y[c] = (typename res_T::value_type)(x0[c] + x1[c] + x2[c]);
    }
    res.write(y);
  }
}
template <class in0_T, class in1_T, class in2_T, class in3_T, class res_T, typename CONFIG_T>
void add_stream(hls::stream<in0_T>& a, hls::stream<in1_T>& b, hls::stream<in2_T>& c2, hls::stream<in3_T>& c3, hls::stream<res_T>& res) {
  for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
    const in0_T x0 = a.read();
    const in1_T x1 = b.read();
    const in2_T x2 = c2.read();
    const in3_T x3 = c3.read();
    res_T y;
    for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
      y[c] = (typename res_T::value_type)(x0[c] + x1[c] + x2[c] + x3[c]);
    }
    res.write(y);
  }
}

// ---------------------------------------------------------------------------------------------
// Concatenate

/** Copies input k's part: out[o · total + offset + j] = (res_T) in[o · size + j]. */
template <class in_T, class res_T, unsigned N_OUTER, unsigned SIZE, unsigned OFFSET, unsigned TOTAL>
inline void concat_part(const in_T* in, res_T* res) {
#pragma HLS INLINE
  for (unsigned o = 0; o < N_OUTER; o++)
    for (unsigned j = 0; j < SIZE; j++) res[o * TOTAL + OFFSET + j] = (res_T)in[o * SIZE + j];
}

template <class in0_T, class in1_T, class res_T, typename CONFIG_T>
void concatenate(const in0_T a[CONFIG_T::n_outer * CONFIG_T::size0], const in1_T b[CONFIG_T::n_outer * CONFIG_T::size1],
                 res_T res[CONFIG_T::n_outer * (CONFIG_T::size0 + CONFIG_T::size1)]) {
#pragma HLS PIPELINE
  constexpr unsigned T = CONFIG_T::size0 + CONFIG_T::size1;
  concat_part<in0_T, res_T, CONFIG_T::n_outer, CONFIG_T::size0, 0, T>(a, res);
  concat_part<in1_T, res_T, CONFIG_T::n_outer, CONFIG_T::size1, CONFIG_T::size0, T>(b, res);
}
template <class in0_T, class in1_T, class in2_T, class res_T, typename CONFIG_T>
void concatenate(const in0_T a[CONFIG_T::n_outer * CONFIG_T::size0], const in1_T b[CONFIG_T::n_outer * CONFIG_T::size1],
                 const in2_T c[CONFIG_T::n_outer * CONFIG_T::size2], res_T res[CONFIG_T::n_outer * (CONFIG_T::size0 + CONFIG_T::size1 + CONFIG_T::size2)]) {
#pragma HLS PIPELINE
  constexpr unsigned T = CONFIG_T::size0 + CONFIG_T::size1 + CONFIG_T::size2;
  concat_part<in0_T, res_T, CONFIG_T::n_outer, CONFIG_T::size0, 0, T>(a, res);
  concat_part<in1_T, res_T, CONFIG_T::n_outer, CONFIG_T::size1, CONFIG_T::size0, T>(b, res);
  concat_part<in2_T, res_T, CONFIG_T::n_outer, CONFIG_T::size2, CONFIG_T::size0 + CONFIG_T::size1, T>(c, res);
}
template <class in0_T, class in1_T, class in2_T, class in3_T, class res_T, typename CONFIG_T>
void concatenate(const in0_T a[CONFIG_T::n_outer * CONFIG_T::size0], const in1_T b[CONFIG_T::n_outer * CONFIG_T::size1],
                 const in2_T c[CONFIG_T::n_outer * CONFIG_T::size2], const in3_T d[CONFIG_T::n_outer * CONFIG_T::size3],
                 res_T res[CONFIG_T::n_outer * (CONFIG_T::size0 + CONFIG_T::size1 + CONFIG_T::size2 + CONFIG_T::size3)]) {
#pragma HLS PIPELINE
  constexpr unsigned T = CONFIG_T::size0 + CONFIG_T::size1 + CONFIG_T::size2 + CONFIG_T::size3;
  concat_part<in0_T, res_T, CONFIG_T::n_outer, CONFIG_T::size0, 0, T>(a, res);
  concat_part<in1_T, res_T, CONFIG_T::n_outer, CONFIG_T::size1, CONFIG_T::size0, T>(b, res);
  concat_part<in2_T, res_T, CONFIG_T::n_outer, CONFIG_T::size2, CONFIG_T::size0 + CONFIG_T::size1, T>(c, res);
  concat_part<in3_T, res_T, CONFIG_T::n_outer, CONFIG_T::size3, CONFIG_T::size0 + CONFIG_T::size1 + CONFIG_T::size2, T>(d, res);
}

/** io_stream, channel axis: input k's channels of the current pixel into y at OFFSET. */
template <class in_T, class res_T, unsigned CHAN, unsigned OFFSET> inline void concat_channels(const in_T& x, res_T& y) {
#pragma HLS INLINE
  for (unsigned c = 0; c < CHAN; c++) {
#pragma HLS UNROLL
    y[OFFSET + c] = (typename res_T::value_type)x[c];
  }
}

/** io_stream, another axis: PIX pixels of one input copied through, one per clock. */
template <class in_T, class res_T, unsigned PIX> inline void concat_pixels(hls::stream<in_T>& in, hls::stream<res_T>& res) {
#pragma HLS INLINE
  for (unsigned p = 0; p < PIX; p++) {
#pragma HLS PIPELINE II = 1
    res.write(cast_pixel<res_T, res_T::size>(in.read()));
  }
}

// Channel concatenation: one loop over the pixels, pipelined at II 1, each input read once per pixel. Other
// axes: per outer index, each input's block of pixels in turn (each block a loop pipelined at II 1).
template <class in0_T, class in1_T, class res_T, typename CONFIG_T>
void concatenate_stream(hls::stream<in0_T>& a, hls::stream<in1_T>& b, hls::stream<res_T>& res) {
  if (CONFIG_T::channel_axis) {
  Pixels:
    for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
      res_T y;
      concat_channels<in0_T, res_T, CONFIG_T::chan0, 0>(a.read(), y);
      concat_channels<in1_T, res_T, CONFIG_T::chan1, CONFIG_T::chan0>(b.read(), y);
      res.write(y);
    }
  } else {
  Blocks:
    for (unsigned o = 0; o < CONFIG_T::n_outer; o++) {
      concat_pixels<in0_T, res_T, CONFIG_T::size0>(a, res);
      concat_pixels<in1_T, res_T, CONFIG_T::size1>(b, res);
    }
  }
}
template <class in0_T, class in1_T, class in2_T, class res_T, typename CONFIG_T>
void concatenate_stream(hls::stream<in0_T>& a, hls::stream<in1_T>& b, hls::stream<in2_T>& c, hls::stream<res_T>& res) {
  if (CONFIG_T::channel_axis) {
  Pixels:
    for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
      res_T y;
      concat_channels<in0_T, res_T, CONFIG_T::chan0, 0>(a.read(), y);
      concat_channels<in1_T, res_T, CONFIG_T::chan1, CONFIG_T::chan0>(b.read(), y);
      concat_channels<in2_T, res_T, CONFIG_T::chan2, CONFIG_T::chan0 + CONFIG_T::chan1>(c.read(), y);
      res.write(y);
    }
  } else {
  Blocks:
    for (unsigned o = 0; o < CONFIG_T::n_outer; o++) {
      concat_pixels<in0_T, res_T, CONFIG_T::size0>(a, res);
      concat_pixels<in1_T, res_T, CONFIG_T::size1>(b, res);
      concat_pixels<in2_T, res_T, CONFIG_T::size2>(c, res);
    }
  }
}
template <class in0_T, class in1_T, class in2_T, class in3_T, class res_T, typename CONFIG_T>
void concatenate_stream(hls::stream<in0_T>& a, hls::stream<in1_T>& b, hls::stream<in2_T>& c, hls::stream<in3_T>& d, hls::stream<res_T>& res) {
  if (CONFIG_T::channel_axis) {
  Pixels:
    for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
      res_T y;
      concat_channels<in0_T, res_T, CONFIG_T::chan0, 0>(a.read(), y);
      concat_channels<in1_T, res_T, CONFIG_T::chan1, CONFIG_T::chan0>(b.read(), y);
      concat_channels<in2_T, res_T, CONFIG_T::chan2, CONFIG_T::chan0 + CONFIG_T::chan1>(c.read(), y);
      concat_channels<in3_T, res_T, CONFIG_T::chan3, CONFIG_T::chan0 + CONFIG_T::chan1 + CONFIG_T::chan2>(d.read(), y);
      res.write(y);
    }
  } else {
  Blocks:
    for (unsigned o = 0; o < CONFIG_T::n_outer; o++) {
      concat_pixels<in0_T, res_T, CONFIG_T::size0>(a, res);
      concat_pixels<in1_T, res_T, CONFIG_T::size1>(b, res);
      concat_pixels<in2_T, res_T, CONFIG_T::size2>(c, res);
      concat_pixels<in3_T, res_T, CONFIG_T::size3>(d, res);
    }
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_MERGE_H
