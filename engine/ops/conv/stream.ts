// The io_stream cursor of conv_2d_stream / conv_transpose_2d_stream (hls-templates/nnet/nnet_conv.h,
// nnet_conv_transpose.h), replayed once here for everything that needs it: the template's static trip count
// (the `stream_steps` config field), the estimate's iterations, the read/write program of the FIFO depth
// rule and the dataflow simulator, and the backlog a skip FIFO around the layer must hold.
//
// Each step reads at most one input pixel (only while the next output still needs it, or once every output
// is written) and writes at most one output pixel (once its last input has arrived), until every input is
// read and every output written.
import type { ConvView } from './geometry';

/** What the cursor reads: the 2D geometry without the channels. */
export type CursorGeometry = Omit<ConvView, 'C' | 'Co' | 'groups'>;

interface Replay {
  /** Loop iterations until every input is read and every output written. */
  steps: number;
  /** Most input pixels read and not yet answered by an output (after a step's read, before its write). */
  maxBacklog: number;
}

function replay(v: CursorGeometry, transpose: boolean, onWrite?: (nRead: number) => void): Replay {
  const { H, W, Ho, Wo } = v;
  const nIn = H * W, nOut = Ho * Wo;
  // ConvTranspose: input rows / columns one output reads (its phase's taps).
  const rows = transpose ? Math.floor(((v.kh - 1) * v.dh) / v.sh) + 1 : 0;
  const cols = transpose ? Math.floor(((v.kw - 1) * v.dw) / v.sw) + 1 : 0;
  const clip = (lo: number, hi: number, size: number): [number, number] => [Math.max(lo, 0), Math.min(hi, size - 1)];
  let nRead = 0, nWritten = 0, oh = 0, ow = 0, steps = 0, maxBacklog = 0;
  while (nRead < nIn || nWritten < nOut) {
    // The raster index of the last input pixel the next output reads (−1: none, it is bias only).
    let need = -1;
    if (nWritten < nOut) {
      let r: [number, number], c: [number, number];
      if (transpose) {
        const qh = Math.floor((oh + v.ph) / v.sh);
        const qw = Math.floor((ow + v.pw) / v.sw);
        r = clip(qh - rows + 1, qh, H);
        c = clip(qw - cols + 1, qw, W);
      } else {
        const top = oh * v.sh - v.ph;
        const left = ow * v.sw - v.pw;
        r = clip(top, top + (v.kh - 1) * v.dh, H);
        c = clip(left, left + (v.kw - 1) * v.dw, W);
      }
      if (r[1] >= r[0] && c[1] >= c[0]) need = r[1] * W + c[1];
    }
    if (nRead < nIn && (nWritten === nOut || nRead <= need)) nRead++;
    maxBacklog = Math.max(maxBacklog, nRead - nWritten);
    if (nWritten < nOut && nRead > need) {
      onWrite?.(nRead);
      nWritten++;
      if (++ow === Wo) {
        ow = 0;
        oh++;
      }
    }
    steps++;
  }
  return { steps, maxBacklog };
}

/**
 * The exact step count of the cursor loop: the templates loop exactly this many times (static trip count,
 * no early exit); C simulation aborts if the count is short.
 */
export function streamCursorSteps(v: CursorGeometry, transpose: boolean): number {
  return replay(v, transpose).steps;
}

/**
 * The most input pixels the layer has read but not yet answered with an output pixel, counted after each
 * step's read and before its write (conservative). When a stream fans out to this layer and, unchanged, to a
 * layer that merges the two again (a skip edge around a same-size Conv), the skip FIFO must hold this many
 * pixels or the design deadlocks; sum it along a branch of several layers. For a stride-1 "same" k×k Conv it
 * is ⌊k/2⌋·W + ⌊k/2⌋ + 1 (engine/hls/README.md, Pragmas).
 */
export function streamMaxBacklog(v: CursorGeometry, transpose: boolean): number {
  return replay(v, transpose).maxBacklog;
}

/**
 * The read/write order of the cursor loop: for output pixel m (raster order), the number of input pixels read
 * before it is written; the remaining inputs (to nIn) are read after the last write.
 */
export function streamCursorSchedule(v: CursorGeometry, transpose: boolean): { readsBeforeWrite: Int32Array; nIn: number } {
  const out = new Int32Array(v.Ho * v.Wo);
  let m = 0;
  replay(v, transpose, (nRead) => (out[m++] = nRead));
  return { readsBeforeWrite: out, nIn: v.H * v.W };
}
