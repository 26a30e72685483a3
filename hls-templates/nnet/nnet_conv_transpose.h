// Tessera layer templates: ConvTranspose1D / ConvTranspose2D by phase (sub-pixel) decomposition, for
// io_parallel and io_stream. Tessera's own code. 1D is 2D with height 1.
//
// Output o has full position f = o + pad (pad = outputs cropped at the begin), phase r = f mod s and block
// q = f div s. The taps reaching phase r are the t with t·d ≡ r (mod s); listed in descending t they read
// the input pixels i = q − (t·d − r)/s in ascending order. Every phase is a small ordinary convolution
// with phase_taps_height × phase_taps_width taps (the most of any phase; a phase with fewer taps is padded
// with zero terms at the end of its list), so no product with an inserted zero is computed, every phase
// has the same cost, and the output pixel rate does not depend on the phase (no slow phase sets the pace).
// Window term n = (a · phase_taps_width + b) · cin_g + c; weights w[phase · n_filt · n_in + o · n_in + n],
// phase = r_h · stride_width + r_w. Output padding only enlarges out_height / out_width: the extra outputs
// receive what lands there (often only the bias).
#ifndef TESSERA_NNET_CONV_TRANSPOSE_H
#define TESSERA_NNET_CONV_TRANSPOSE_H

#include "nnet_conv_common.h"

namespace nnet {

struct conv_transpose_config : conv_config {
  /** Most taps of any phase per axis (the generator computes them; 0 when no phase has taps). */
  static const unsigned phase_taps_height = 1;
  static const unsigned phase_taps_width = 1;
  /**
   * io_stream: the fewest loop iterations between two accesses of one line-buffer column (the generator's
   * replay; the DEPENDENCE pragma's distance). 1 is always safe.
   */
  static const unsigned line_distance = 1;
};

/**
 * Tap a (the a-th largest t with t·d ≡ r mod s) of phase r on one axis: its input offset (t·d − r) / s (the tap
 * reads input q − offset), or −1 when phase r has fewer than a + 1 taps. Called with compile-time arguments only.
 */
constexpr int phase_offset(unsigned r, unsigned a, unsigned k, unsigned s, unsigned d) {
  int found = -1;
  unsigned seen = 0;
  for (int t = (int)k - 1; t >= 0; t--) {
    if (((unsigned)t * d) % s == r) {
      if (seen == a) found = (int)(((unsigned)t * d - r) / s);
      seen++;
    }
  }
  return found;
}

/** The offset of tap a for the run-time phase r: each phase's constant, chosen by comparing r (no division). */
template <unsigned K, unsigned S, unsigned D> inline int tap_offset(unsigned r, unsigned a) {
#pragma HLS INLINE
  int off = -1;
  for (unsigned rr = 0; rr < S; rr++) {
#pragma HLS UNROLL
    if (r == rr) off = phase_offset(rr, a, K, S, D);
  }
  return off;
}

/** Position o + pad on one axis as block q and phase r (q · S + r), moved on by STEP positions (no division). */
template <unsigned S, unsigned STEP> inline void advance_phase(unsigned& q, unsigned& r) {
#pragma HLS INLINE
  q += STEP / S;
  r += STEP % S;
  if (r >= S) {
    r -= S;
    q++;
  }
}
/** … moved back by STEP positions (never below position 0). */
template <unsigned S, unsigned STEP> inline void retreat_phase(unsigned& q, unsigned& r) {
#pragma HLS INLINE
  q -= STEP / S;
  if (r < STEP % S) {
    r += S - STEP % S;
    q--;
  } else {
    r -= STEP % S;
  }
}

template <typename CONFIG_T> struct conv_transpose_dims {
  static constexpr unsigned taps = CONFIG_T::phase_taps_height * CONFIG_T::phase_taps_width;
  /** The window dot product's size (a phase without taps still has one zero tap). */
  static constexpr unsigned dot_taps = taps > 0 ? taps : 1;
  typedef conv_mults<CONFIG_T, dot_taps> M;
  static constexpr unsigned n_in = M::n_in;
  static constexpr unsigned phase_size = M::n_prod;
  /** Input rows (columns) one output can read: floor((k−1)·d / s) + 1. */
  static constexpr unsigned rows = ((CONFIG_T::filt_height - 1) * CONFIG_T::dilation_height) / CONFIG_T::stride_height + 1;
  static constexpr unsigned cols = ((CONFIG_T::filt_width - 1) * CONFIG_T::dilation_width) / CONFIG_T::stride_width + 1;
  /** Weights: stride_height · stride_width phases of phase_size (phase_size = RF · n_mult: a phase is RF words). */
  static constexpr unsigned n_weights = CONFIG_T::stride_height * CONFIG_T::stride_width * phase_size;
  static constexpr unsigned n_mult = M::n_mult;
};

/**
 * io_parallel ConvTranspose2D, shared by both strategies: one loop of (output pixels / PF) · reuse_factor
 * rounds pipelined at II 1; PF output pixels per round, each the sub-convolution of its phase (weight word
 * phase · RF + round).
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_pixels(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                              res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                              const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                              const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  typedef conv_transpose_dims<CONFIG_T> D;
  typedef typename D::M M;
  typedef typename M::tiling T;
  constexpr unsigned TH = CONFIG_T::phase_taps_height, TW = CONFIG_T::phase_taps_width;
  constexpr unsigned SH = CONFIG_T::stride_height, SW = CONFIG_T::stride_width;
  constexpr unsigned WO = CONFIG_T::out_width;
  constexpr unsigned n_pix = CONFIG_T::out_height * WO;
  constexpr unsigned pf = CONFIG_T::parallelization_factor;
  constexpr unsigned RF = CONFIG_T::reuse_factor;
  static_assert(n_pix % pf == 0, "parallelization_factor must divide the output pixels (engine/hls/reuse.ts)");
  typename CONFIG_T::accum_t acc[pf][T::groups][T::outs];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
  data_T opnd[pf][M::n_groups][M::n_in];
#pragma HLS ARRAY_PARTITION variable = opnd complete dim = 0
  // Per parallel pixel: output column ow, and both axes' full position (o + pad) as block q and phase r.
  unsigned ow[pf], qh[pf], rh[pf], qw[pf], rw[pf], phase[pf];
#pragma HLS ARRAY_PARTITION variable = ow complete
#pragma HLS ARRAY_PARTITION variable = qh complete
#pragma HLS ARRAY_PARTITION variable = rh complete
#pragma HLS ARRAY_PARTITION variable = qw complete
#pragma HLS ARRAY_PARTITION variable = rw complete
#pragma HLS ARRAY_PARTITION variable = phase complete
  for (unsigned j = 0; j < pf; j++) {
#pragma HLS UNROLL
    ow[j] = j % WO;
    qh[j] = (j / WO + CONFIG_T::pad_top) / SH;
    rh[j] = (j / WO + CONFIG_T::pad_top) % SH;
    qw[j] = (j % WO + CONFIG_T::pad_left) / SW;
    rw[j] = (j % WO + CONFIG_T::pad_left) % SW;
    conv_reset<CONFIG_T, D::dot_taps>(acc[j], biases);
  }
  unsigned ir = 0, og = 0;
Rounds:
  for (unsigned it = 0; it < n_pix / pf * RF; it++) {
#pragma HLS PIPELINE II = 1
    for (unsigned j = 0; j < pf; j++) {
#pragma HLS UNROLL
      if (ir == 0) {
        data_T win[D::dot_taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
        for (unsigned t = 0; t < D::dot_taps; t++) {
#pragma HLS UNROLL
          for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
            win[t][c] = 0;
          }
        }
        for (unsigned a = 0; a < TH; a++) {
#pragma HLS UNROLL
          const int offh = tap_offset<CONFIG_T::filt_height, SH, CONFIG_T::dilation_height>(rh[j], a);
          const int ih = (int)qh[j] - offh;
          for (unsigned b = 0; b < TW; b++) {
#pragma HLS UNROLL
            const int offw = tap_offset<CONFIG_T::filt_width, SW, CONFIG_T::dilation_width>(rw[j], b);
            const int iw = (int)qw[j] - offw;
            const bool inside = offh >= 0 && offw >= 0 && ih >= 0 && ih < (int)CONFIG_T::in_height && iw >= 0 && iw < (int)CONFIG_T::in_width;
            for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
              win[a * TW + b][c] = inside ? data[(ih * CONFIG_T::in_width + iw) * CONFIG_T::n_chan + c] : (data_T)0;
            }
          }
        }
        load_operands<data_T, CONFIG_T, D::dot_taps>(win, opnd[j]);
        phase[j] = rh[j] * SW + rw[j];
      }
      conv_round<data_T, CONFIG_T, D::dot_taps>(acc[j], opnd[j], weights, phase[j] * RF + ir, og);
      if (ir == RF - 1) {
        const unsigned oh = qh[j] * SH + rh[j] - CONFIG_T::pad_top;
        for (unsigned o = 0; o < CONFIG_T::n_filt; o++) {
#pragma HLS UNROLL
          res[(oh * WO + ow[j]) * CONFIG_T::n_filt + o] = conv_result<CONFIG_T, D::dot_taps, res_T>(acc[j], o);
        }
        conv_reset<CONFIG_T, D::dot_taps>(acc[j], biases);
        // Next pixel of this lane: pf positions on in raster order.
        ow[j] += pf % WO;
        advance_phase<SW, pf % WO>(qw[j], rw[j]);
        advance_phase<SH, pf / WO>(qh[j], rh[j]);
        if (ow[j] >= WO) {
          ow[j] -= WO;
          retreat_phase<SW, WO>(qw[j], rw[j]);
          advance_phase<SH, 1>(qh[j], rh[j]);
        }
      }
    }
    next_round<RF, T::groups>(ir, og);
  }
}

/** io_parallel ConvTranspose2D, Latency strategy: weights in registers. */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_latency(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                               res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                               const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                               const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_pixels<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/**
 * io_parallel ConvTranspose2D, Resource strategy: weights reshaped cyclic by n_mult (RF words per phase,
 * word phase · RF + round; a phase starts on a word boundary since phase_size = RF · n_mult).
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_resource(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                                res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                                const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  constexpr unsigned n_mult = conv_transpose_dims<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_pixels<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights,
                                const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  conv_transpose_2d_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_strategy(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights,
                                const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  conv_transpose_2d_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_parallel ConvTranspose2D: calls the function of the configured strategy (only that one is instantiated). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                       res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
                       const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                       const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  conv_transpose_2d_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_1d(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan], res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
                       const typename CONFIG_T::weight_t weights[], const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  conv_transpose_2d<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/**
 * io_stream ConvTranspose2D (shared by both strategies). Output pixels leave in raster order, one per iteration
 * at reuse factor 1 (II 1; reuse_factor iterations per output otherwise): no per-row output buffer, no end-of-row
 * burst, every phase the same padded cost. The walk makes one pass over the columns per output row: a pass
 * shifts input columns into a window of rows × cols pixels (registers) from `rows` line buffers (one bank per
 * row, indexed by the column) as the outputs need them; the first pass over an input row reads it from the
 * stream (and shifts it into the line buffers), later passes over the same row re-read the line buffers.
 * Input rows before the first output's are read in lead passes, rows after the last output's are drained,
 * columns beyond the input and rows beyond it are zeros. Tap (a, b) of phase (rh, rw) is the window register
 * at row rows − 1 − offset_h, column cols − 1 − offset_w (each phase's constants, chosen by the phase). The
 * loop runs exactly CONFIG_T::stream_steps times (the generator's replay): static trip count, no early exit.
 */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_steps(hls::stream<data_T>& data, hls::stream<res_T>& res,
                                    const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  typedef typename data_T::value_type in_t;
  typedef typename res_T::value_type out_t;
  typedef conv_transpose_dims<CONFIG_T> D;
  typedef typename D::M M;
  typedef typename M::tiling T;
  constexpr unsigned TH = CONFIG_T::phase_taps_height, TW = CONFIG_T::phase_taps_width;
  constexpr unsigned SH = CONFIG_T::stride_height, SW = CONFIG_T::stride_width;
  constexpr unsigned ROWS = D::rows, COLS = D::cols;
  constexpr int H = CONFIG_T::in_height, W = CONFIG_T::in_width;
  constexpr unsigned HO = CONFIG_T::out_height, WO = CONFIG_T::out_width;
  constexpr unsigned RF = CONFIG_T::reuse_factor;
  // Input rows / columns of the first and last outputs.
  constexpr unsigned q0h = CONFIG_T::pad_top / SH, r0h = CONFIG_T::pad_top % SH;
  constexpr unsigned q0w = CONFIG_T::pad_left / SW, r0w = CONFIG_T::pad_left % SW;
  constexpr unsigned qlast_h = (HO - 1 + CONFIG_T::pad_top) / SH;
  constexpr unsigned line_distance = CONFIG_T::line_distance;
  (void)line_distance;  // read by a pragma only (g++ ignores pragmas)
  (void)stream_cursor<CONFIG_T>::n_in_px;
  data_T line[ROWS][W];
#pragma HLS ARRAY_PARTITION variable = line complete dim = 1
#pragma HLS AGGREGATE variable = line
#pragma HLS DEPENDENCE variable = line inter RAW distance = line_distance true
  data_T win[ROWS][COLS];
#pragma HLS ARRAY_PARTITION variable = win complete dim = 0
  window_clear<data_T, ROWS, COLS>(win);
  data_T zero;
  for (unsigned k = 0; k < data_T::size; k++) {
#pragma HLS UNROLL
    zero[k] = 0;
  }
  typename CONFIG_T::accum_t acc[T::groups][T::outs];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 0
  in_t opnd[M::n_groups][M::n_in];
#pragma HLS ARRAY_PARTITION variable = opnd complete dim = 0
  conv_reset<CONFIG_T, D::dot_taps>(acc, biases);
  // The pass: kind (0 lead rows, 1 output rows, 2 drain rows), its input row qr, whether it is the first pass
  // over qr; the output row oh (block qh, phase rh); the next column to shift cn; the next output ow (qw, rw).
  unsigned kind = q0h > 0 ? 0 : 1;
  int qr = q0h > 0 ? 0 : (int)q0h;
  bool first = true;
  unsigned oh = 0, qh = q0h, rh = r0h;
  int cn = 0;
  unsigned ow = 0, qw = q0w, rw = r0w, phase = 0;
  unsigned ir = 0, og = 0;
  bool busy = false;
  unsigned n_read = 0, n_written = 0;
Cycle:
  for (unsigned it = 0; it < CONFIG_T::stream_steps; it++) {
#pragma HLS PIPELINE II = 1
    if (!busy) {
      const bool outputs = kind == 1 && ow < WO;
      const bool shift = !outputs || cn <= (int)qw;
      const bool out = outputs && (!shift || cn == (int)qw);
      if (shift) {
        // Column cn of rows qr − ROWS + 1 … qr into the window (and, on a first pass, qr into the line buffers).
        const bool in_col = cn < W;
        const bool fresh = first && in_col;
        data_T px = zero;
        if (fresh && qr < H) {
          px = data.read();
          n_read++;
        }
        data_T old[ROWS], col[ROWS];
        for (unsigned k = 0; k < ROWS; k++) {
#pragma HLS UNROLL
          old[k] = in_col ? line[k][cn] : zero;
        }
        for (unsigned k = 0; k < ROWS; k++) {
#pragma HLS UNROLL
          col[k] = fresh ? (k + 1 < ROWS ? old[k + 1] : px) : old[k];
          if (fresh) line[k][cn] = col[k];
          if (qr + (int)k < (int)ROWS - 1) col[k] = zero;
          for (unsigned q = 0; q + 1 < COLS; q++) {
#pragma HLS UNROLL
            win[k][q] = win[k][q + 1];
          }
          win[k][COLS - 1] = col[k];
        }
        cn++;
      }
      if (out) {
        in_t tv[D::dot_taps][CONFIG_T::n_chan];
#pragma HLS ARRAY_PARTITION variable = tv complete dim = 0
        for (unsigned t = 0; t < D::dot_taps; t++) {
#pragma HLS UNROLL
          for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
            tv[t][c] = 0;
          }
        }
        for (unsigned a = 0; a < TH; a++) {
#pragma HLS UNROLL
          const int offh = tap_offset<CONFIG_T::filt_height, SH, CONFIG_T::dilation_height>(rh, a);
          for (unsigned b = 0; b < TW; b++) {
#pragma HLS UNROLL
            const int offw = tap_offset<CONFIG_T::filt_width, SW, CONFIG_T::dilation_width>(rw, b);
            if (offh >= 0 && offw >= 0) {
              for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
#pragma HLS UNROLL
                tv[a * TW + b][c] = win[ROWS - 1 - offh][COLS - 1 - offw][c];
              }
            }
          }
        }
        load_operands<in_t, CONFIG_T, D::dot_taps>(tv, opnd);
        phase = rh * SW + rw;
        busy = true;
        ow++;
        advance_phase<SW, 1>(qw, rw);
      }
      // End of the pass: every output written and (on a first pass over a real row) every column read.
      const bool drained = !first || qr >= H || cn >= W;
      if (kind == 1 ? ow == WO && drained : cn >= W) {
        cn = 0;
        ow = 0;
        qw = q0w;
        rw = r0w;
        window_clear<data_T, ROWS, COLS>(win);
        if (kind == 0) {
          qr++;
          if (qr == (int)q0h) kind = 1;
        } else if (kind == 1) {
          oh++;
          const unsigned q_before = qh;
          advance_phase<SH, 1>(qh, rh);
          first = qh != q_before;
          qr = (int)qh;
          if (oh == HO) {
            kind = 2;
            qr = (int)qlast_h + 1;
            first = true;
          }
        } else {
          qr++;
        }
      }
    }
    if (busy) {
      conv_round<in_t, CONFIG_T, D::dot_taps>(acc, opnd, weights, phase * RF + ir, og);
      if (ir == RF - 1) {
        res_T y;
        for (unsigned o = 0; o < CONFIG_T::n_filt; o++) {
#pragma HLS UNROLL
          y[o] = conv_result<CONFIG_T, D::dot_taps, out_t>(acc, o);
        }
        res.write(y);
        n_written++;
        conv_reset<CONFIG_T, D::dot_taps>(acc, biases);
        busy = false;
      }
      next_round<RF, T::groups>(ir, og);
    }
  }
  stream_cursor_check("conv_transpose_2d_stream", n_read, stream_cursor<CONFIG_T>::n_in_px, n_written, stream_cursor<CONFIG_T>::n_out_px);
}

/** io_stream ConvTranspose2D, Latency strategy: weights in registers. */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_latency(hls::stream<data_T>& data, hls::stream<res_T>& res,
                                      const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                      const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_stream_steps<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_stream ConvTranspose2D, Resource strategy: weights reshaped cyclic by n_mult (one ROM word per reuse round). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_resource(hls::stream<data_T>& data, hls::stream<res_T>& res,
                                       const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                                       const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  constexpr unsigned n_mult = conv_transpose_dims<CONFIG_T>::n_mult;
  (void)n_mult;  // read by a pragma only (g++ ignores pragmas)
#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult
#pragma HLS ARRAY_PARTITION variable = biases complete
  conv_transpose_2d_stream_steps<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                                       const typename CONFIG_T::bias_t* biases, latency_tag) {
#pragma HLS INLINE
  conv_transpose_2d_stream_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream_strategy(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t* weights,
                                       const typename CONFIG_T::bias_t* biases, resource_tag) {
#pragma HLS INLINE
  conv_transpose_2d_stream_resource<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

/** io_stream ConvTranspose2D: calls the function of the configured strategy (only that one is instantiated). */
template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_2d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res,
                              const typename CONFIG_T::weight_t weights[conv_transpose_dims<CONFIG_T>::n_weights],
                              const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS INLINE
  conv_transpose_2d_stream_strategy<data_T, res_T, CONFIG_T>(data, res, weights, biases, typename strategy_tag<CONFIG_T::strategy>::type());
}

template <class data_T, class res_T, typename CONFIG_T>
void conv_transpose_1d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, const typename CONFIG_T::weight_t weights[],
                              const typename CONFIG_T::bias_t biases[]) {
#pragma HLS INLINE
  conv_transpose_2d_stream<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

}  // namespace nnet

#endif  // TESSERA_NNET_CONV_TRANSPOSE_H
