// The io_stream walks of conv_2d_stream / pooling_stream (a window over the padded input, nnet_conv_common.h)
// and conv_transpose_2d_stream (passes over the input columns, nnet_conv_transpose.h), replayed once here for
// everything that needs them: the templates' static trip count (the `stream_steps` config field), the
// estimate's iterations, the read/write program of the FIFO depth rule and the dataflow simulator, and the
// backlog a skip FIFO around the layer must hold.
import type { ConvView } from './geometry';

/** What the walks read: the 2D geometry without the channels. */
export type CursorGeometry = Omit<ConvView, 'C' | 'Co' | 'groups'>;

/** A window walk's geometry: input H × W, output Ho × Wo, window span (Conv: (k − 1)·d + 1; pooling: the pool size). */
export interface WindowGeometry {
  H: number;
  W: number;
  Ho: number;
  Wo: number;
  spanH: number;
  spanW: number;
  /** Zeros added at the top / left. */
  ph: number;
  pw: number;
  sh: number;
  sw: number;
}

/** One axis of the stream window's walk (nnet_conv_common.h window_axis): positions lo … hi, outputs due from `first` on the stride. */
export function windowAxis(size: number, span: number, pad: number, stride: number, out: number): { first: number; last: number; lo: number; hi: number; steps: number } {
  const first = span - 1 - pad;
  const last = first + (out - 1) * stride;
  const lo = Math.min(first, 0);
  const hi = Math.max(last, size - 1);
  return { first, last, lo, hi, steps: hi - lo + 1 };
}

/** What a stream layer's walk does, step by step: the reads before each output and the step count. */
export interface StreamWalk {
  /** Walk steps (each reads at most one input pixel). */
  steps: number;
  /** Per output pixel (raster order): input pixels read when it is written. */
  readsBeforeWrite: Int32Array;
  nIn: number;
  /** Fewest walk steps between two uses of one line-buffer column (the DEPENDENCE distance). */
  lineDistance: number;
}

/**
 * Replay of the stream window walk of conv_2d_stream and pooling_stream (nnet_conv_common.h): the padded input
 * row by row, one position per step, a read at every position inside the input, an output where its window is
 * complete and on the stride. `span_*` = (k − 1)·d + 1 (Conv) or the pool size.
 */
export function windowWalk(g: WindowGeometry): StreamWalk {
  const ah = windowAxis(g.H, g.spanH, g.ph, g.sh, g.Ho);
  const aw = windowAxis(g.W, g.spanW, g.pw, g.sw, g.Wo);
  const due = (p: number, a: { first: number }, s: number, n: number) => p >= a.first && (p - a.first) % s === 0 && (p - a.first) / s < n;
  const rbw = new Int32Array(g.Ho * g.Wo);
  let read = 0, m = 0;
  for (let r = ah.lo; r <= ah.hi; r++) {
    for (let c = aw.lo; c <= aw.hi; c++) {
      if (r >= 0 && r < g.H && c >= 0 && c < g.W) read++;
      if (due(r, ah, g.sh, g.Ho) && due(c, aw, g.sw, g.Wo)) rbw[m++] = read;
    }
  }
  return { steps: walkPositions(ah, aw, g.H, g.W), readsBeforeWrite: rbw, nIn: g.H * g.W, lineDistance: aw.steps };
}

/** Positions the window walk visits: up to the later of the last output's and the last input pixel's (raster order). */
function walkPositions(ah: ReturnType<typeof windowAxis>, aw: ReturnType<typeof windowAxis>, H: number, W: number): number {
  const pos = (r: number, c: number) => (r - ah.lo) * aw.steps + (c - aw.lo);
  return Math.max(pos(ah.last, aw.last), pos(H - 1, W - 1)) + 1;
}

function convWalk(v: CursorGeometry): StreamWalk {
  return windowWalk({ H: v.H, W: v.W, Ho: v.Ho, Wo: v.Wo, ph: v.ph, pw: v.pw, sh: v.sh, sw: v.sw, spanH: (v.kh - 1) * v.dh + 1, spanW: (v.kw - 1) * v.dw + 1 });
}

/**
 * Replay of conv_transpose_2d_stream's walk (nnet_conv_transpose.h): one pass over the columns per output row
 * (plus lead passes over the input rows before the first output's and drain passes after the last output's);
 * a pass shifts input columns in as its outputs need them, reading the row on the first pass over it.
 */
export function transposeWalk(v: CursorGeometry): StreamWalk {
  const H = v.H, W = v.W, HO = v.Ho, WO = v.Wo, SH = v.sh, SW = v.sw;
  const q0h = Math.floor(v.ph / SH), r0h = v.ph % SH;
  const q0w = Math.floor(v.pw / SW), r0w = v.pw % SW;
  const qlastH = Math.floor((HO - 1 + v.ph) / SH);
  const rbw = new Int32Array(HO * WO);
  const lastUse = new Map<number, number>();
  let lineDistance = Infinity;
  let kind = q0h > 0 ? 0 : 1, qr = q0h > 0 ? 0 : q0h, first = true;
  let oh = 0, qh = q0h, rh = r0h, cn = 0, ow = 0, qw = q0w, rw = r0w;
  let steps = 0, read = 0, m = 0;
  const total = HO * WO;
  while (m < total || read < H * W) {
    const outputs = kind === 1 && ow < WO;
    const shift = !outputs || cn <= qw;
    const out = outputs && (!shift || cn === qw);
    if (shift) {
      if (cn < W) {
        const prev = lastUse.get(cn);
        if (prev !== undefined) lineDistance = Math.min(lineDistance, steps - prev);
        lastUse.set(cn, steps);
      }
      if (first && cn < W && qr < H) read++;
      cn++;
    }
    if (out) {
      rbw[m++] = read;
      ow++;
      if (++rw === SW) {
        rw = 0;
        qw++;
      }
    }
    const drained = !first || qr >= H || cn >= W;
    if (kind === 1 ? ow === WO && drained : cn >= W) {
      cn = 0;
      ow = 0;
      qw = q0w;
      rw = r0w;
      if (kind === 0) {
        qr++;
        if (qr === q0h) kind = 1;
      } else if (kind === 1) {
        oh++;
        const before = qh;
        if (++rh === SH) {
          rh = 0;
          qh++;
        }
        first = qh !== before;
        qr = qh;
        if (oh === HO) {
          kind = 2;
          qr = qlastH + 1;
          first = true;
        }
      } else qr++;
    }
    steps++;
    if (steps > 4 * (H * W + HO * WO) + 4 * (W + WO) * (H + HO) + 16) throw new Error('transposeWalk: the walk does not end (a bug)');
  }
  return { steps, readsBeforeWrite: rbw, nIn: H * W, lineDistance: Number.isFinite(lineDistance) ? Math.max(1, lineDistance) : 1 };
}

/** The walk of a Conv (window) or ConvTranspose (passes) stream layer. */
export function streamWalk(v: CursorGeometry, transpose: boolean): StreamWalk {
  return transpose ? transposeWalk(v) : convWalk(v);
}

/**
 * Iterations of the io_stream loop of conv_2d_stream / conv_transpose_2d_stream (the `stream_steps` config
 * field): the walk's steps, plus reuse_factor − 1 rounds per output pixel (the walk waits while an output's
 * rounds run). The templates loop exactly this many times (static trip count, no early exit); C simulation
 * aborts if the count is short.
 */
export function streamLoopIterations(v: CursorGeometry, transpose: boolean, reuseFactor: number): number {
  const w = streamWalk(v, transpose);
  return w.steps + v.Ho * v.Wo * (Math.max(1, reuseFactor) - 1);
}

/**
 * The read/write order of the io_stream loop: for output pixel m (raster order), the number of input pixels
 * read before it is written; the remaining inputs (to n_in) are read after the last write. Used by the FIFO
 * depth rule and the token-level dataflow simulator (engine/hls/fifo-depth.ts, stream-sim.ts).
 */
export function streamCursorSchedule(v: CursorGeometry, transpose: boolean): { readsBeforeWrite: Int32Array; nIn: number } {
  const w = streamWalk(v, transpose);
  return { readsBeforeWrite: w.readsBeforeWrite, nIn: w.nIn };
}

/**
 * The most input pixels the io_stream layer has read but not yet answered with an output pixel (max over the
 * walk of reads − writes, counted after a step's read and before its write). A skip FIFO around a same-size
 * stream layer must hold at least this many pixels. For a stride-1 "same" k×k Conv it is ⌊k/2⌋·W + ⌊k/2⌋ + 1.
 */
export function streamMaxBacklog(v: CursorGeometry, transpose: boolean): number {
  const w = streamWalk(v, transpose);
  let most = 0;
  w.readsBeforeWrite.forEach((r, m) => (most = Math.max(most, r - m)));
  return Math.max(most, w.nIn - w.readsBeforeWrite.length);
}
