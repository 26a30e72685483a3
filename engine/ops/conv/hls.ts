// HLS descriptors of the Conv family: what the generator needs to instantiate
// hls-templates/nnet/nnet_conv.h and nnet_conv_transpose.h (config struct, weight order, call).
import type { Tensor } from '../../tensor/tensor';
import type { FixedType } from '../../fixed/types';
import { fitsFloat64 } from '../../fixed/arith';
import type { CppField, HlsLayerContext, HlsLayerDef, ProductBlock } from '../hls-layer';
import { quantizeTensor } from '../../fixed/tensor';
import { resolveGeometry, type ConvParams } from './params';
import type { ConvGeometry } from './geometry';

/** Taps t (descending) with t·d ≡ r (mod s), for every phase r of one axis. */
export function phaseTapLists(k: number, s: number, d: number): number[][] {
  const lists: number[][] = Array.from({ length: s }, () => []);
  for (let t = k - 1; t >= 0; t--) lists[(t * d) % s].push(t);
  return lists;
}

interface ConvShape {
  rank: 1 | 2;
  H: number;
  W: number;
  C: number;
  Ho: number;
  Wo: number;
  Co: number;
  g: ConvGeometry;
  /** Per axis (h, w), 2D-normalised. */
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; ph: number; pw: number;
}

function shapeOf(ctx: Pick<HlsLayerContext<ConvParams>, 'params' | 'inputDims' | 'outputDims'>): ConvShape {
  const x = ctx.inputDims[0];
  const y = ctx.outputDims;
  const rank = (x.length - 1) as 1 | 2;
  const spatial = x.slice(0, rank);
  const g = resolveGeometry(ctx.params, spatial);
  const two = rank === 2;
  const ax = (arr: number[], fill: number): [number, number] => (two ? [arr[0], arr[1]] : [fill, arr[0]]);
  const [kh, kw] = ax(g.kernel, 1);
  const [sh, sw] = ax(g.stride, 1);
  const [dh, dw] = ax(g.dilation, 1);
  const [ph, pw] = ax(g.padsBegin, 0);
  return {
    rank, g, kh, kw, sh, sw, dh, dw, ph, pw,
    H: two ? x[0] : 1, W: two ? x[1] : x[0], C: x[rank],
    Ho: two ? y[0] : 1, Wo: two ? y[1] : y[0], Co: y[rank],
  };
}

function phaseTaps(S: ConvShape): { TH: number; TW: number; listsH: number[][]; listsW: number[][] } {
  const listsH = phaseTapLists(S.kh, S.sh, S.dh);
  const listsW = phaseTapLists(S.kw, S.sw, S.dw);
  return { listsH, listsW, TH: Math.max(...listsH.map((l) => l.length)), TW: Math.max(...listsW.map((l) => l.length)) };
}

/**
 * The exact step count of the io_stream cursor loop of conv_2d_stream / conv_transpose_2d_stream (the
 * `stream_steps` config field): a replay of the template's cursor — each step reads at most one input
 * pixel (only while the next output still needs it, or once every output is written) and writes at most
 * one output pixel (once its last input has arrived) — until every input is read and every output written.
 * The templates loop exactly this many times (static trip count, no early exit); C simulation aborts if
 * the count is short.
 */
export function streamCursorSteps(f: Record<string, number>, transpose: boolean): number {
  return replayStreamCursor(f, transpose).steps;
}

/**
 * The most input pixels the io_stream layer has read but not yet answered with an output pixel, counted
 * after each step's read and before its write (conservative): max over the loop of n_read − n_written.
 * When a stream fans out to this layer and, unchanged, to a layer that merges the two again (a skip edge
 * around a same-size Conv), the skip FIFO must hold this many pixels or the design deadlocks; sum it along
 * a branch of several layers. For a stride-1 "same" k×k Conv it is ⌊k/2⌋·W + ⌊k/2⌋ + 1. A building block for
 * the generator's FIFO depths (engine/hls/README.md, Pragmas).
 */
export function streamMaxBacklog(f: Record<string, number>, transpose: boolean): number {
  return replayStreamCursor(f, transpose).maxBacklog;
}

/**
 * The read/write order of the io_stream cursor loop: for output pixel m (raster order), the number of input
 * pixels read before it is written; the remaining inputs (to n_in) are read after the last write. Used by
 * the FIFO depth rule and the token-level dataflow simulator (engine/hls/fifo-depth.ts, stream-sim.ts).
 */
export function streamCursorSchedule(f: Record<string, number>, transpose: boolean): { readsBeforeWrite: Int32Array; nIn: number } {
  const out = new Int32Array(f.out_height * f.out_width);
  let m = 0;
  replayStreamCursor(f, transpose, (nRead) => (out[m++] = nRead));
  return { readsBeforeWrite: out, nIn: f.in_height * f.in_width };
}

function replayStreamCursor(f: Record<string, number>, transpose: boolean, onWrite?: (nRead: number) => void): { steps: number; maxBacklog: number } {
  const H = f.in_height, W = f.in_width, Ho = f.out_height, Wo = f.out_width;
  const nIn = H * W, nOut = Ho * Wo;
  const rows = transpose ? Math.floor(((f.filt_height - 1) * f.dilation_height) / f.stride_height) + 1 : 0;
  const cols = transpose ? Math.floor(((f.filt_width - 1) * f.dilation_width) / f.stride_width) + 1 : 0;
  const clip = (lo: number, hi: number, size: number): [number, number] => [Math.max(lo, 0), Math.min(hi, size - 1)];
  let nRead = 0, nWritten = 0, oh = 0, ow = 0, steps = 0, maxBacklog = 0;
  while (nRead < nIn || nWritten < nOut) {
    let need = -1;
    if (nWritten < nOut) {
      let r: [number, number], c: [number, number];
      if (transpose) {
        const qh = Math.floor((oh + f.pad_top) / f.stride_height);
        const qw = Math.floor((ow + f.pad_left) / f.stride_width);
        r = clip(qh - rows + 1, qh, H);
        c = clip(qw - cols + 1, qw, W);
      } else {
        const top = oh * f.stride_height - f.pad_top;
        const left = ow * f.stride_width - f.pad_left;
        r = clip(top, top + (f.filt_height - 1) * f.dilation_height, H);
        c = clip(left, left + (f.filt_width - 1) * f.dilation_width, W);
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

function mantissaArray(n: number, t: FixedType): Float64Array | bigint[] {
  return fitsFloat64(t) ? new Float64Array(n) : new Array<bigint>(n).fill(0n);
}

function biasArray(ctx: HlsLayerContext<ConvParams>, Co: number): Float64Array | bigint[] {
  const t = ctx.config.precision.bias_t;
  const b = ctx.params.bias ? ctx.weights.bias : undefined;
  if (!b) return mantissaArray(Co, t);
  return quantizeTensor(b as Tensor, t).m;
}

function makeHls(transpose: boolean): HlsLayerDef<ConvParams> {
  const fn = transpose ? 'conv_transpose' : 'conv';
  return {
    headers: [transpose ? 'nnet_conv_transpose.h' : 'nnet_conv.h'],
    io: ['io_parallel', 'io_stream'],
    usesAccumulator: true,
    productBlocks(ctx) {
      const S = shapeOf(ctx);
      const cinG = S.C / S.g.groups;
      if (!transpose) {
        const nIn = cinG * S.kh * S.kw;
        return [{ label: 'window', products: S.Co * nIn, nIn, nOut: S.Co }];
      }
      const P = phaseTaps(S);
      const blocks: ProductBlock[] = [];
      const nIn = cinG * P.TH * P.TW;
      for (let rh = 0; rh < S.sh; rh++) {
        for (let rw = 0; rw < S.sw; rw++) {
          const real = cinG * P.listsH[rh].length * P.listsW[rw].length;
          blocks.push({ label: S.rank === 2 ? `phase (${rh},${rw})` : `phase ${rw}`, products: S.Co * nIn, nIn: real, nOut: S.Co });
        }
      }
      return blocks;
    },
    pixels(ctx) {
      const S = shapeOf(ctx);
      return S.Ho * S.Wo;
    },
    configStructs(ctx) {
      const S = shapeOf(ctx);
      const p = ctx.config.precision;
      const fields: CppField[] = [
        { kind: 'type', name: 'weight_t', type: p.weight_t },
        { kind: 'type', name: 'bias_t', type: p.bias_t },
        { kind: 'type', name: 'accum_t', type: p.accum_t },
        { kind: 'const', name: 'in_height', value: S.H },
        { kind: 'const', name: 'in_width', value: S.W },
        { kind: 'const', name: 'n_chan', value: S.C },
        { kind: 'const', name: 'out_height', value: S.Ho },
        { kind: 'const', name: 'out_width', value: S.Wo },
        { kind: 'const', name: 'n_filt', value: S.Co },
        { kind: 'const', name: 'filt_height', value: S.kh },
        { kind: 'const', name: 'filt_width', value: S.kw },
        { kind: 'const', name: 'stride_height', value: S.sh },
        { kind: 'const', name: 'stride_width', value: S.sw },
        { kind: 'const', name: 'dilation_height', value: S.dh },
        { kind: 'const', name: 'dilation_width', value: S.dw },
        { kind: 'const', name: 'pad_top', value: S.ph },
        { kind: 'const', name: 'pad_left', value: S.pw },
        { kind: 'const', name: 'n_groups', value: S.g.groups },
        { kind: 'const', name: 'has_bias', value: Boolean(ctx.params.bias && ctx.weights.bias) },
        { kind: 'const', name: 'reuse_factor', value: ctx.config.reuseFactor },
        { kind: 'const', name: 'parallelization_factor', value: ctx.config.parallelizationFactor },
        { kind: 'const', name: 'strategy', value: ctx.config.strategy === 'resource' ? 1 : 0 },
      ];
      if (ctx.config.io === 'io_stream') {
        // Static trip count of the stream cursor loop (the template has no data-dependent exit).
        const f: Record<string, number> = {};
        for (const x of fields) if (x.kind === 'const' && typeof x.value === 'number') f[x.name] = x.value;
        fields.push({ kind: 'const', name: 'stream_steps', value: streamCursorSteps(f, transpose) });
      }
      if (transpose) {
        const P = phaseTaps(S);
        fields.push({ kind: 'const', name: 'phase_taps_height', value: P.TH }, { kind: 'const', name: 'phase_taps_width', value: P.TW });
      }
      return [{ name: `config_${ctx.name}`, base: transpose ? 'nnet::conv_transpose_config' : 'nnet::conv_config', fields }];
    },
    weightArrays(ctx) {
      const S = shapeOf(ctx);
      const wt = ctx.config.precision.weight_t;
      const wq = quantizeTensor(ctx.weights.weight as Tensor, wt).m;
      const cinG = S.C / S.g.groups;
      const coutG = S.Co / S.g.groups;
      let out: Float64Array | bigint[];
      if (!transpose) {
        // Source OIX (Cout, Cin_g, kh, kw) → w[o · n_in + (kh · kw_ + kw) · cin_g + c].
        const nIn = cinG * S.kh * S.kw;
        out = mantissaArray(S.Co * nIn, wt);
        for (let o = 0; o < S.Co; o++)
          for (let kh = 0; kh < S.kh; kh++)
            for (let kw = 0; kw < S.kw; kw++)
              for (let c = 0; c < cinG; c++) out[o * nIn + (kh * S.kw + kw) * cinG + c] = wq[((o * cinG + c) * S.kh + kh) * S.kw + kw];
      } else {
        // Source IOX (Cin, Cout_g, kh, kw) → per phase, w[ph · n_filt · n_in + o · n_in + (a · TW + b) · cin_g + c].
        const P = phaseTaps(S);
        const nIn = cinG * P.TH * P.TW;
        const phaseSize = S.Co * nIn;
        out = mantissaArray(S.sh * S.sw * phaseSize, wt);
        for (let rh = 0; rh < S.sh; rh++)
          for (let rw = 0; rw < S.sw; rw++) {
            const base = (rh * S.sw + rw) * phaseSize;
            const lh = P.listsH[rh];
            const lw = P.listsW[rw];
            for (let o = 0; o < S.Co; o++) {
              const grp = Math.floor(o / coutG);
              for (let a = 0; a < lh.length; a++)
                for (let b = 0; b < lw.length; b++)
                  for (let c = 0; c < cinG; c++) {
                    const ci = grp * cinG + c;
                    out[base + o * nIn + (a * P.TW + b) * cinG + c] = wq[((ci * coutG + (o % coutG)) * S.kh + lh[a]) * S.kw + lw[b]];
                  }
            }
          }
      }
      return [
        { name: `w_${ctx.name}`, type: wt, m: out },
        { name: `b_${ctx.name}`, type: ctx.config.precision.bias_t, m: biasArray(ctx, S.Co) },
      ];
    },
    call(ctx, n) {
      const stream = ctx.config.io === 'io_stream';
      const rank = ctx.inputDims[0].length - 1;
      const name = `nnet::${fn}_${rank}d${stream ? '_stream' : ''}`;
      const tIn = stream ? n.inputPixelTypes[0] : n.inputTypes[0];
      const tOut = stream ? n.outputPixelType : n.outputType;
      return `${name}<${tIn}, ${tOut}, ${n.configs[0]}>(${n.inputs[0]}, ${n.output}, ${n.weights[`w_${ctx.name}`]}, ${n.weights[`b_${ctx.name}`]});`;
    },
  };
}

export const convHls: HlsLayerDef<ConvParams> = makeHls(false);
export const convTransposeHls: HlsLayerDef<ConvParams> = makeHls(true);
