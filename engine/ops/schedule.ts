// How a layer's template runs over one image, for the ops' `stream` and `cost` hooks (engine/ops/hls-layer.ts):
// its io_stream read/write program (the FIFO depth rule and the dataflow simulator replay it) and its
// pipelined loop (the estimate prices it). Every Tessera stream template is a fixed, data-independent
// sequence of blocking reads and writes, so a program is a plain list.
import type { HlsLayerContext, LoopCost, StreamProgram } from './hls-layer';
import { inputLayout, outputLayout, streamGeometry } from './fixed/common';

/** A program of one input and one output from the reads done before each write (then the remaining reads). */
export function opsFromReads(readsBeforeWrite: ArrayLike<number>, nIn: number): Int32Array {
  const ops = new Int32Array(nIn + readsBeforeWrite.length);
  let k = 0, read = 0;
  for (let m = 0; m < readsBeforeWrite.length; m++) {
    const target = Math.min(nIn, readsBeforeWrite[m]);
    while (read < target) {
      ops[k++] = 0;
      read++;
    }
    ops[k++] = -1;
  }
  while (read < nIn) {
    ops[k++] = 0;
    read++;
  }
  return ops;
}

/** Lock-step merge (add, channel concatenation): per pixel one read of every input, then a write. */
export function lockstepOps(nIn: number, pixels: number): Int32Array {
  const ops = new Int32Array(pixels * (nIn + 1));
  let k = 0;
  for (let p = 0; p < pixels; p++) {
    for (let i = 0; i < nIn; i++) ops[k++] = i;
    ops[k++] = -1;
  }
  return ops;
}

/** Stream pixels (elements) per image of input `k`. */
export function inputPixels(ctx: HlsLayerContext<unknown>, k = 0): number {
  return streamGeometry(ctx.inputDims[k], inputLayout(ctx, k)).pixels;
}

/** Stream pixels (elements) per image of the output. */
export function outputPixels(ctx: HlsLayerContext<unknown>): number {
  return streamGeometry(ctx.outputDims, outputLayout(ctx)).pixels;
}

/**
 * A template that maps pixels in place (activations, BatchNormalization, Dense, Softmax): one read, then
 * one write per pixel in one pipelined loop; when the pixel counts differ, the whole input, then every output.
 */
export function pixelwiseProgram(ctx: HlsLayerContext<unknown>): StreamProgram {
  const nIn = inputPixels(ctx);
  const out = outputPixels(ctx);
  if (nIn === out) return { ops: opsFromReads(Array.from({ length: out }, (_, m) => m + 1), out), overlapped: true };
  return { ops: opsFromReads(new Array<number>(out).fill(nIn), nIn), overlapped: false };
}

/** io_stream: one iteration per output pixel (II 1); io_parallel: one pipelined pass over the whole tensor. */
export function perPixelLoop(ctx: HlsLayerContext<unknown>): LoopCost {
  if (ctx.config.io !== 'io_stream') return { iterations: 1, ii: 1, looped: false };
  const n = outputPixels(ctx);
  return { iterations: n, ii: 1, looped: n > 1 };
}

/** Data movement: wiring in io_parallel; in io_stream one element per cycle of the larger side. */
export function movementLoop(ctx: HlsLayerContext<unknown>): LoopCost {
  if (ctx.config.io !== 'io_stream') return { iterations: 1, ii: 1, looped: false };
  const n = Math.max(outputPixels(ctx), inputPixels(ctx));
  return { iterations: n, ii: 1, looped: n > 1 };
}
