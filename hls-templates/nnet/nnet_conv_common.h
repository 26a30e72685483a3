// Tessera layer templates: what Conv and ConvTranspose share — the config base, the per-pixel reuse rounds
// over a gathered window (both strategies, any reuse factor), and the stream window that Conv and pooling
// slide over the input. Tessera's own code.
//
// Per output pixel the layer multiplies a window of n_in = cin_g · taps terms (per group) by the weights
// of every output channel: P = n_filt · n_in products in reuse_factor rounds of n_mult = P / reuse_factor
// (mac_tiling, nnet_common.h). For each output channel the terms are added in ascending n (term
// n = tap · cin_g + c) whatever the strategy and RF (engine/hls/README.md).
#ifndef TESSERA_NNET_CONV_COMMON_H
#define TESSERA_NNET_CONV_COMMON_H

#include "nnet_common.h"
#include <cstdlib>

namespace nnet {

/** Defaults of every Conv / ConvTranspose config (1D uses height 1). The generator derives from it. */
struct conv_config {
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_fixed<16, 6> accum_t;
  static const unsigned in_height = 1;
  static const unsigned in_width = 1;
  static const unsigned n_chan = 1;
  static const unsigned out_height = 1;
  static const unsigned out_width = 1;
  static const unsigned n_filt = 1;
  static const unsigned filt_height = 1;
  static const unsigned filt_width = 1;
  static const unsigned stride_height = 1;
  static const unsigned stride_width = 1;
  static const unsigned dilation_height = 1;
  static const unsigned dilation_width = 1;
  /** Conv: zeros added before the first row / column. ConvTranspose: outputs cropped at the begin. */
  static const unsigned pad_top = 0;
  static const unsigned pad_left = 0;
  static const unsigned n_groups = 1;
  static const bool has_bias = true;
  static const unsigned reuse_factor = 1;
  /** io_parallel: output pixels computed in parallel (divides out_height · out_width). */
  static const unsigned parallelization_factor = 1;
  static const unsigned strategy = latency;
  /**
   * io_stream: the exact trip count of the layer's loop (cursor steps + (reuse_factor − 1) per output pixel),
   * computed by the generator (engine/ops/conv/stream.ts, streamLoopIterations). The loop runs exactly this many
   * times (static trip count, no data-dependent exit); 0 = not set, which the stream templates reject.
   */
  static const unsigned stream_steps = 0;
};

/** The reuse rounds of a Conv-family layer with TAPS window positions per output (per group). */
template <typename CONFIG_T, unsigned TAPS> struct conv_mults {
  static constexpr unsigned n_groups = CONFIG_T::n_groups;
  static constexpr unsigned cin_g = CONFIG_T::n_chan / n_groups;
  static constexpr unsigned cout_g = CONFIG_T::n_filt / n_groups;
  static constexpr unsigned n_in = cin_g * TAPS;
  static constexpr unsigned n_prod = CONFIG_T::n_filt * n_in;
  typedef mac_tiling<CONFIG_T::n_filt, n_in, CONFIG_T::reuse_factor> tiling;
  static constexpr unsigned n_mult = tiling::n_mult;
};

/**
 * The window's terms per conv group, in term order: opnd[g][tap · cin_g + c] = win[tap][g · cin_g + c]
 * (every index a compile-time constant).
 */
template <class in_T, typename CONFIG_T, unsigned TAPS>
inline void load_operands(const in_T win[TAPS][CONFIG_T::n_chan], in_T opnd[conv_mults<CONFIG_T, TAPS>::n_groups][conv_mults<CONFIG_T, TAPS>::n_in]) {
#pragma HLS INLINE
  typedef conv_mults<CONFIG_T, TAPS> M;
  for (unsigned g = 0; g < M::n_groups; g++) {
#pragma HLS UNROLL
    for (unsigned t = 0; t < TAPS; t++) {
#pragma HLS UNROLL
      for (unsigned c = 0; c < M::cin_g; c++) {
#pragma HLS UNROLL
        opnd[g][t * M::cin_g + c] = win[t][g * M::cin_g + c];
      }
    }
  }
}

/**
 * Conv group of output lane i of the front output group og. With one output group (or one conv group) it is a
 * constant; otherwise it is chosen among the groups' constants by comparing og (no division at run time).
 */
template <typename M> inline unsigned lane_group(unsigned og, unsigned i) {
#pragma HLS INLINE
  typedef typename M::tiling T;
  if (T::groups == 1 || M::n_groups == 1) return i / M::cout_g;
  unsigned g = 0;
  for (unsigned k = 0; k < T::groups; k++) {
#pragma HLS UNROLL
    if (og == k) g = (k * T::outs + i) / M::cout_g;
  }
  return g;
}

/**
 * One reuse round of one output pixel: the front output group's accumulators take the round's products (weight
 * word `word`, lane m wired to weight m); the group moves to the back; after the last group of a term block
 * the operands move on to the next block.
 */
template <class in_T, typename CONFIG_T, unsigned TAPS>
void conv_round(typename CONFIG_T::accum_t acc[conv_mults<CONFIG_T, TAPS>::tiling::groups][conv_mults<CONFIG_T, TAPS>::tiling::outs],
                in_T opnd[conv_mults<CONFIG_T, TAPS>::n_groups][conv_mults<CONFIG_T, TAPS>::n_in], const typename CONFIG_T::weight_t* w,
                unsigned word, unsigned og) {
#pragma HLS INLINE
  typedef conv_mults<CONFIG_T, TAPS> M;
  typedef typename M::tiling T;
  typedef typename CONFIG_T::accum_t acc_T;
  in_T lanes[T::outs][T::terms];
#pragma HLS ARRAY_PARTITION variable = lanes complete dim = 0
  for (unsigned i = 0; i < T::outs; i++) {
#pragma HLS UNROLL
    const unsigned g = lane_group<M>(og, i);
    for (unsigned j = 0; j < T::terms; j++) {
#pragma HLS UNROLL
      lanes[i][j] = opnd[g][j];
    }
  }
  acc_T front[T::outs];
#pragma HLS ARRAY_PARTITION variable = front complete
  for (unsigned i = 0; i < T::outs; i++) {
#pragma HLS UNROLL
    front[i] = acc[0][i];
  }
  mac_round<acc_T, in_T, typename CONFIG_T::weight_t, T::outs, T::terms>(front, lanes, w, word * T::n_mult);
  rotate_groups<acc_T, T::groups, T::outs>(acc, front);
  if (og == T::groups - 1) {
    for (unsigned g = 0; g < M::n_groups; g++) {
#pragma HLS UNROLL
      shift_left<in_T, M::n_in, T::terms>(opnd[g]);
    }
  }
}

/** Output channel o of a finished pixel (the accumulators are back in group order after the last round). */
template <typename CONFIG_T, unsigned TAPS, class res_T>
inline res_T conv_result(const typename CONFIG_T::accum_t acc[conv_mults<CONFIG_T, TAPS>::tiling::groups][conv_mults<CONFIG_T, TAPS>::tiling::outs], unsigned o) {
#pragma HLS INLINE
  typedef typename conv_mults<CONFIG_T, TAPS>::tiling T;
  return (res_T)acc[o / T::outs][o % T::outs];
}

template <typename CONFIG_T, unsigned TAPS>
inline void conv_reset(typename CONFIG_T::accum_t acc[conv_mults<CONFIG_T, TAPS>::tiling::groups][conv_mults<CONFIG_T, TAPS>::tiling::outs],
                       const typename CONFIG_T::bias_t* b) {
#pragma HLS INLINE
  typedef typename conv_mults<CONFIG_T, TAPS>::tiling T;
  reset_groups<typename CONFIG_T::accum_t, typename CONFIG_T::bias_t, T::groups, T::outs, CONFIG_T::has_bias>(acc, b);
}

/** Reuse-round counters: round ir (0 … RF − 1) and its output group og (0 … groups − 1). */
template <unsigned RF, unsigned GROUPS> inline void next_round(unsigned& ir, unsigned& og) {
#pragma HLS INLINE
  ir = ir == RF - 1 ? 0 : ir + 1;
  og = og == GROUPS - 1 ? 0 : og + 1;
}

/**
 * One axis of a stream window's walk over the input (engine/ops/conv/stream.ts replays it): positions lo … hi
 * (below 0 or above size − 1: padding, zeros); output o's window is complete at position first + o · STRIDE.
 */
template <int SIZE, int SPAN, int PAD, int STRIDE, int OUT> struct window_axis {
  static constexpr int first = SPAN - 1 - PAD;
  static constexpr int last = first + (OUT - 1) * STRIDE;
  static constexpr int lo = first < 0 ? first : 0;
  static constexpr int hi = last > SIZE - 1 ? last : SIZE - 1;
  static constexpr unsigned steps = hi - lo + 1;
};

/** Positions a walk visits: up to the later (in raster order) of the last output's and the last input pixel's. */
template <class AH, class AW, int H, int W> struct window_positions {
  static constexpr int last_out = (AH::last - AH::lo) * (int)AW::steps + (AW::last - AW::lo);
  static constexpr int last_in = (H - 1 - AH::lo) * (int)AW::steps + (W - 1 - AW::lo);
  static constexpr unsigned value = (last_out > last_in ? last_out : last_in) + 1;
};

/**
 * The sliding window of a stream layer (Conv, pooling): SPAN_H × SPAN_W pixels in registers, fed one column per
 * step from SPAN_H − 1 line buffers (one bank per row, indexed by the column: one read and one write per bank
 * and step) and the new pixel. The walk covers the padded input row by row; a step at a real position reads
 * one pixel, a step in the padding shifts in zeros; rows above the image read as zeros (the line buffers still
 * hold the previous image there). Outputs are due where the window is complete and on the stride.
 */
constexpr unsigned line_rows(unsigned span_h) { return span_h > 1 ? span_h - 1 : 1; }

/** Shifts input column c (position r) into the window; reads the pixel when it is inside the input. */
template <class data_T, unsigned SPAN_H, unsigned SPAN_W, int H, int W>
inline void window_step(hls::stream<data_T>& data, data_T line[line_rows(SPAN_H)][W], data_T win[SPAN_H][SPAN_W],
                        int r, int c) {
#pragma HLS INLINE
  data_T zero;
  for (unsigned k = 0; k < data_T::size; k++) {
#pragma HLS UNROLL
    zero[k] = 0;
  }
  const bool in_col = c >= 0 && c < W;
  data_T px = zero;
  if (in_col && r >= 0 && r < H) px = data.read();
  data_T col[SPAN_H];
  for (unsigned k = 0; k + 1 < SPAN_H; k++) {
#pragma HLS UNROLL
    col[k] = in_col ? line[k][c] : zero;
  }
  col[SPAN_H - 1] = px;
  if (in_col) {
    for (unsigned k = 0; k + 1 < SPAN_H; k++) {
#pragma HLS UNROLL
      line[k][c] = col[k + 1];
    }
  }
  for (unsigned k = 0; k < SPAN_H; k++) {
#pragma HLS UNROLL
    // Window row k holds input row r − (SPAN_H − 1) + k.
    if (r + (int)k < (int)SPAN_H - 1) col[k] = zero;
    for (unsigned q = 0; q + 1 < SPAN_W; q++) {
#pragma HLS UNROLL
      win[k][q] = win[k][q + 1];
    }
    win[k][SPAN_W - 1] = col[k];
  }
}

/** Clears the window (the columns left of the input are zeros at the start of every row). */
template <class data_T, unsigned SPAN_H, unsigned SPAN_W> inline void window_clear(data_T win[SPAN_H][SPAN_W]) {
#pragma HLS INLINE
  for (unsigned k = 0; k < SPAN_H; k++) {
#pragma HLS UNROLL
    for (unsigned q = 0; q < SPAN_W; q++) {
#pragma HLS UNROLL
      for (unsigned c = 0; c < data_T::size; c++) {
#pragma HLS UNROLL
        win[k][q][c] = 0;
      }
    }
  }
}

/**
 * The walk's counters: position (r, c); steps left before the next output row / column is due (wr, wc);
 * outputs done in the image (oh) and in the current row (ow).
 */
struct walk_state {
  int r, c;
  unsigned wr, wc, oh, ow;
};

template <class AH, class AW> inline walk_state walk_start() {
#pragma HLS INLINE
  walk_state s;
  s.r = AH::lo;
  s.c = AW::lo;
  s.wr = AH::first - AH::lo;
  s.wc = AW::first - AW::lo;
  s.oh = 0;
  s.ow = 0;
  return s;
}

/** The step just taken completes the window of output (oh, ow). */
template <unsigned HO, unsigned WO> inline bool walk_due(const walk_state& s) {
#pragma HLS INLINE
  return s.wr == 0 && s.wc == 0 && s.oh < HO && s.ow < WO;
}

/** Moves to the next position; returns true when a row ends (the caller then clears the window). */
template <class AH, class AW, unsigned SH, unsigned SW> inline bool walk_next(walk_state& s, bool due) {
#pragma HLS INLINE
  if (due) s.ow++;
  s.wc = s.wc == 0 ? SW - 1 : s.wc - 1;
  if (s.c == AW::hi) {
    s.c = AW::lo;
    s.r++;
    s.ow = 0;
    s.wc = AW::first - AW::lo;
    if (s.wr == 0) {
      s.wr = SH - 1;
      s.oh++;
    } else {
      s.wr--;
    }
    return true;
  }
  s.c++;
  return false;
}

/**
 * C simulation only: after a stream layer's fixed-count loop every input pixel must have been read and every
 * output pixel written (else stream_steps disagrees with the cursor). Compiled out for synthesis.
 */
inline void stream_cursor_check(const char* layer, unsigned n_read, unsigned n_in, unsigned n_written, unsigned n_out) {
#pragma HLS INLINE
#ifndef __SYNTHESIS__
  if (n_read != n_in || n_written != n_out) {
    std::fprintf(stderr, "%s: stream_steps too small: read %u of %u input pixels, wrote %u of %u outputs\n", layer, n_read, n_in, n_written, n_out);
    std::abort();
  }
#else
  (void)layer; (void)n_read; (void)n_in; (void)n_written; (void)n_out;
#endif
}

/**
 * The stream cursor's pixel counts; using them checks the config at compile time: io_stream takes
 * parallelization_factor 1, and stream_steps (the generator's count of the loop's iterations) is set.
 */
template <typename CONFIG_T> struct stream_cursor {
  static constexpr unsigned n_in_px = CONFIG_T::in_height * CONFIG_T::in_width;
  static constexpr unsigned n_out_px = CONFIG_T::out_height * CONFIG_T::out_width;
  static_assert(CONFIG_T::parallelization_factor == 1, "io_stream layers take parallelization_factor 1");
  static_assert(CONFIG_T::stream_steps >= (n_in_px > n_out_px ? n_in_px : n_out_px), "stream_steps: set by the generator (engine/ops/conv/stream.ts streamLoopIterations)");
};

}  // namespace nnet

#endif  // TESSERA_NNET_CONV_COMMON_H
