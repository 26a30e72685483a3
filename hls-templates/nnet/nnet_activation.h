// Tessera layer templates: activations for io_parallel and io_stream. Tessera's own code.
//
// Every activation reads its input type and writes res_T (the layer's result_t); the tables are written
// by the generator (computed by the engine, engine/ops/fixed/tables.ts) into the weights headers, so the
// C++ and the engine's preview read the very same entries.
//
//   ReLU       y = x > 0 ? (res_T) x : 0
//   LeakyReLU  y = x ≥ 0 ? (res_T) x : (res_T)(x · alpha)      alpha in alpha_t (exact product)
//   Sigmoid    y = (res_T) table[idx(x)], 1024 entries over [−8, 8): entry i = sigmoid(−8 + (i + ½) / 64)
//   Tanh       y = (res_T) table[idx(x)], 1024 entries over [−4, 4): entry i = tanh(−4 + (i + ½) / 128)
//   Selu       x ≥ 0: y = (res_T)(x · gamma); else y = (res_T) table[idx(x)], 1024 entries over [−8, 0):
//              entry i = gamma · alpha · (exp(−8 + (i + ½) / 128) − 1)
//   Softmax    per vector of n_in values (the last firmware axis): m = max x; e_i = exp_table[idx(m − x_i)]
//              (1024 entries over [0, 8]: entry i = exp(−i / 128)); s = Σ e_i exactly (sum_t = exp_table_t
//              with ⌈log2 n_in⌉ more integer bits, chosen by the generator: it cannot overflow); y_i = (res_T)(e_i · inv_table[idx(s)]) with inv_table entries
//              1 / max(1, (i + ½) · 2^r / 1024) over [0, 2^r), 2^r ≥ n_in.
//
// Table index (table_index): idx = clamp(⌊x · 2^table_shift⌋ + table_offset, 0, table_size − 1), computed
// exactly: the product by the constant 2^table_shift is exact, the assignment to a 32-bit integer-valued
// AP_TRN/AP_SAT type floors (and saturates far outside the table).
#ifndef TESSERA_NNET_ACTIVATION_H
#define TESSERA_NNET_ACTIVATION_H

#include "nnet_common.h"

namespace nnet {

struct activ_config {
  /** Values per image (io_parallel) = n_pixels · n_chan. */
  static const unsigned n_in = 1;
  /** io_stream: values per element and elements per image. */
  static const unsigned n_chan = 1;
  static const unsigned n_pixels = 1;
  typedef ap_fixed<18, 8> table_t;
  static const unsigned table_size = 1024;
  static const unsigned table_shift = 6;
  static const int table_offset = 512;
  /** LeakyReLU slope / Selu scale, exact in alpha_t. */
  typedef ap_fixed<18, 2> alpha_t;
};

struct softmax_config {
  static const unsigned n_in = 1;
  static const unsigned n_pixels = 1;
  typedef ap_fixed<18, 8> exp_table_t;
  typedef ap_fixed<18, 8> inv_table_t;
  /** Exact sum of n_in exp entries: exp_table_t widened by ⌈log2 n_in⌉ integer bits. */
  typedef ap_fixed<18, 8> sum_t;
  static const unsigned exp_table_size = 1024;
  static const unsigned exp_table_shift = 7;
  static const unsigned inv_table_size = 1024;
  static const unsigned inv_table_shift = 7;
};

/** idx = clamp(⌊x · 2^SHIFT⌋ + OFFSET, 0, SIZE − 1). */
template <unsigned SIZE, unsigned SHIFT, int OFFSET, class data_T> inline unsigned table_index(const data_T& x) {
#pragma HLS INLINE
  static_assert(SHIFT < 63, "table_shift must be below 63");
  const ap_uint<SHIFT + 1> scale = (ap_uint<SHIFT + 1>)(1ULL << SHIFT);
  const ap_fixed<32, 32, AP_TRN, AP_SAT> f = x * scale;
  const int i = f.to_int();
  if (i < -OFFSET) return 0;
  if (i >= (int)SIZE - OFFSET) return SIZE - 1;
  return (unsigned)(i + OFFSET);
}

// ---------------------------------------------------------------------------------------------
// Elementwise kernels (one value)

template <class res_T, class data_T> inline res_T relu_one(const data_T& x) {
#pragma HLS INLINE
  return x > 0 ? (res_T)x : (res_T)0;
}

template <class res_T, typename CONFIG_T, class data_T> inline res_T leaky_relu_one(const data_T& x, const typename CONFIG_T::alpha_t alpha) {
#pragma HLS INLINE
  return x >= 0 ? (res_T)x : (res_T)(x * alpha);
}

template <class res_T, typename CONFIG_T, class data_T> inline res_T table_one(const data_T& x, const typename CONFIG_T::table_t* table) {
#pragma HLS INLINE
  return (res_T)table[table_index<CONFIG_T::table_size, CONFIG_T::table_shift, CONFIG_T::table_offset>(x)];
}

template <class res_T, typename CONFIG_T, class data_T>
inline res_T selu_one(const data_T& x, const typename CONFIG_T::alpha_t gamma, const typename CONFIG_T::table_t* table) {
#pragma HLS INLINE
  if (x >= 0) return (res_T)(x * gamma);
  return (res_T)table[table_index<CONFIG_T::table_size, CONFIG_T::table_shift, CONFIG_T::table_offset>(x)];
}

// ---------------------------------------------------------------------------------------------
// io_parallel

template <class data_T, class res_T, typename CONFIG_T> void relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = relu_one<res_T>(data[i]);
}

template <class data_T, class res_T, typename CONFIG_T> void linear(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = (res_T)data[i];
}

template <class data_T, class res_T, typename CONFIG_T>
void leaky_relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], const typename CONFIG_T::alpha_t alpha) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = leaky_relu_one<res_T, CONFIG_T>(data[i], alpha);
}

/** Sigmoid and Tanh (and any 1-input lookup-table activation): the table decides the function. */
template <class data_T, class res_T, typename CONFIG_T>
void table_activation(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = table_one<res_T, CONFIG_T>(data[i], table);
}

template <class data_T, class res_T, typename CONFIG_T>
void sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
#pragma HLS INLINE
  table_activation<data_T, res_T, CONFIG_T>(data, res, table);
}

template <class data_T, class res_T, typename CONFIG_T>
void tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
#pragma HLS INLINE
  table_activation<data_T, res_T, CONFIG_T>(data, res, table);
}

template <class data_T, class res_T, typename CONFIG_T>
void selu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in], const typename CONFIG_T::alpha_t gamma,
          const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
#pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = selu_one<res_T, CONFIG_T>(data[i], gamma, table);
}

/** Softmax of one vector of n_in values. */
template <class data_T, class res_T, typename CONFIG_T>
void softmax_vector(const data_T* x, res_T* y, const typename CONFIG_T::exp_table_t* exp_table, const typename CONFIG_T::inv_table_t* inv_table) {
#pragma HLS INLINE
  data_T m = x[0];
Max:
  for (unsigned i = 1; i < CONFIG_T::n_in; i++) {
    if (x[i] > m) m = x[i];
  }
  typename CONFIG_T::exp_table_t e[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = e complete
  typename CONFIG_T::sum_t s = 0;
Exp:
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    e[i] = exp_table[table_index<CONFIG_T::exp_table_size, CONFIG_T::exp_table_shift, 0>(m - x[i])];
    s = s + e[i];
  }
  const typename CONFIG_T::inv_table_t inv = inv_table[table_index<CONFIG_T::inv_table_size, CONFIG_T::inv_table_shift, 0>(s)];
Norm:
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) y[i] = (res_T)(e[i] * inv);
}

/** io_parallel: n_pixels vectors of n_in values, each normalised on its own. */
template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T data[CONFIG_T::n_pixels * CONFIG_T::n_in], res_T res[CONFIG_T::n_pixels * CONFIG_T::n_in],
             const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::exp_table_size], const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::inv_table_size]) {
#pragma HLS PIPELINE
  for (unsigned p = 0; p < CONFIG_T::n_pixels; p++)
    softmax_vector<data_T, res_T, CONFIG_T>(data + p * CONFIG_T::n_in, res + p * CONFIG_T::n_in, exp_table, inv_table);
}

// ---------------------------------------------------------------------------------------------
// io_stream (elements of n_chan values)

// The elementwise kernels as map_stream operations: one(x, c, a, b), a and b the layer's constants.
template <typename CONFIG_T> struct relu_op {
  template <class res_T, class data_T, class A, class B> static res_T one(const data_T& x, unsigned, const A&, const B&) {
#pragma HLS INLINE
    return relu_one<res_T>(x);
  }
};
template <typename CONFIG_T> struct linear_op {
  template <class res_T, class data_T, class A, class B> static res_T one(const data_T& x, unsigned, const A&, const B&) {
#pragma HLS INLINE
    return (res_T)x;
  }
};
template <typename CONFIG_T> struct leaky_relu_op {
  template <class res_T, class data_T, class A, class B> static res_T one(const data_T& x, unsigned, const A& alpha, const B&) {
#pragma HLS INLINE
    return leaky_relu_one<res_T, CONFIG_T>(x, alpha);
  }
};
template <typename CONFIG_T> struct table_op {
  template <class res_T, class data_T, class A, class B> static res_T one(const data_T& x, unsigned, const A&, const B& table) {
#pragma HLS INLINE
    return table_one<res_T, CONFIG_T>(x, table);
  }
};
template <typename CONFIG_T> struct selu_op {
  template <class res_T, class data_T, class A, class B> static res_T one(const data_T& x, unsigned, const A& gamma, const B& table) {
#pragma HLS INLINE
    return selu_one<res_T, CONFIG_T>(x, gamma, table);
  }
};

template <class data_T, class res_T, typename CONFIG_T> void relu_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  map_stream<relu_op<CONFIG_T>, CONFIG_T::n_pixels, CONFIG_T::n_chan>(data, res, 0, 0);
}

template <class data_T, class res_T, typename CONFIG_T> void linear_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  map_stream<linear_op<CONFIG_T>, CONFIG_T::n_pixels, CONFIG_T::n_chan>(data, res, 0, 0);
}

template <class data_T, class res_T, typename CONFIG_T>
void leaky_relu_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::alpha_t alpha) {
  map_stream<leaky_relu_op<CONFIG_T>, CONFIG_T::n_pixels, CONFIG_T::n_chan>(data, res, alpha, 0);
}

template <class data_T, class res_T, typename CONFIG_T>
void table_activation_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  map_stream<table_op<CONFIG_T>, CONFIG_T::n_pixels, CONFIG_T::n_chan>(data, res, 0, table);
}

template <class data_T, class res_T, typename CONFIG_T>
void sigmoid_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  table_activation_stream<data_T, res_T, CONFIG_T>(data, res, table);
}

template <class data_T, class res_T, typename CONFIG_T>
void tanh_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  table_activation_stream<data_T, res_T, CONFIG_T>(data, res, table);
}

template <class data_T, class res_T, typename CONFIG_T>
void selu_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::alpha_t gamma,
                 const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
  map_stream<selu_op<CONFIG_T>, CONFIG_T::n_pixels, CONFIG_T::n_chan>(data, res, gamma, table);
}

/** io_stream: each element is one vector of n_in values (the softmax axis is the element). */
template <class data_T, class res_T, typename CONFIG_T>
void softmax_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::exp_table_size],
                    const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::inv_table_size]) {
  static_assert(data_T::size == CONFIG_T::n_in, "Softmax: the stream element must hold the softmax axis (n_in values)");
  typedef typename data_T::value_type in_T;
  typedef typename res_T::value_type out_T;
  for (unsigned p = 0; p < CONFIG_T::n_pixels; p++) {
#pragma HLS PIPELINE II = 1
    const data_T x = data.read();
    in_T xv[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = xv complete
    for (unsigned c = 0; c < CONFIG_T::n_in; c++) xv[c] = x[c];
    out_T yv[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = yv complete
    softmax_vector<in_T, out_T, CONFIG_T>(xv, yv, exp_table, inv_table);
    res_T y;
    for (unsigned c = 0; c < CONFIG_T::n_in; c++) y[c] = yv[c];
    res.write(y);
  }
}

}  // namespace nnet

#endif  // TESSERA_NNET_ACTIVATION_H
