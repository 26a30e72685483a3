// HLS descriptors of the Conv family: what the generator needs to instantiate
// hls-templates/nnet/nnet_conv.h and nnet_conv_transpose.h (config struct, weight order, call).
import type { Tensor } from '../../tensor/tensor';
import type { FixedType } from '../../fixed/types';
import { fitsFloat64 } from '../../fixed/arith';
import type { CppField, HlsLayerContext, HlsLayerDef, HlsWeightArray, ProductBlock } from '../hls-layer';
import { quantizeTensor } from '../../fixed/tensor';
import { opsFromReads } from '../schedule';
import { resolveGeometry, type ConvParams } from './params';
import { convView, type ConvView } from './geometry';
import { streamCursorSchedule, streamLoopIterations, transposeWalk } from './stream';
import { roundMajorOrder } from '../reuse-rounds';

/** Taps t (descending) with t·d ≡ r (mod s), for every phase r of one axis. */
export function phaseTapLists(k: number, s: number, d: number): number[][] {
  const lists: number[][] = Array.from({ length: s }, () => []);
  for (let t = k - 1; t >= 0; t--) lists[(t * d) % s].push(t);
  return lists;
}

/** The layer's 2D view from its firmware dims ([H, W, C] or [L, C]) and its resolved geometry. */
function viewOf(ctx: Pick<HlsLayerContext<ConvParams>, 'params' | 'inputDims' | 'outputDims'>): ConvView {
  const x = ctx.inputDims[0];
  const y = ctx.outputDims;
  const rank = x.length - 1;
  const g = resolveGeometry(ctx.params, x.slice(0, rank));
  return convView(g, x.slice(0, rank), y.slice(0, rank), x[rank], y[rank]);
}

function phaseTaps(S: ConvView): { TH: number; TW: number; listsH: number[][]; listsW: number[][] } {
  const listsH = phaseTapLists(S.kh, S.sh, S.dh);
  const listsW = phaseTapLists(S.kw, S.sw, S.dw);
  return { listsH, listsW, TH: Math.max(...listsH.map((l) => l.length)), TW: Math.max(...listsW.map((l) => l.length)) };
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

  /**
   * The weights as the template reads them: Conv output-major over the window, ConvTranspose per phase; at
   * RF > 1 each block (the window, a phase) in the order of its reuse rounds (engine/ops/reuse-rounds.ts).
   */
  function weightArray(ctx: HlsLayerContext<ConvParams>): HlsWeightArray {
    const S = viewOf(ctx);
    const wt = ctx.config.precision.weight_t;
    const wq = quantizeTensor(ctx.weights.weight as Tensor, wt).m;
    const cinG = S.C / S.groups;
    const coutG = S.Co / S.groups;
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
    const rf = ctx.config.reuseFactor;
    if (rf > 1) {
      const nIn = transpose ? cinG * phaseTaps(S).TH * phaseTaps(S).TW : cinG * S.kh * S.kw;
      const block = S.Co * nIn;
      const order = roundMajorOrder(S.Co, nIn, rf);
      const rounds = mantissaArray(out.length, wt);
      for (let base = 0; base < out.length; base += block) for (let k = 0; k < block; k++) rounds[base + k] = out[base + order[k]];
      out = rounds;
    }
    return { name: `w_${ctx.name}`, type: wt, m: out };
  }

  return {
    headers: [transpose ? 'nnet_conv_transpose.h' : 'nnet_conv.h'],
    io: ['io_parallel', 'io_stream'],
    usesAccumulator: true,
    productBlocks(ctx) {
      const S = viewOf(ctx);
      const cinG = S.C / S.groups;
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
          blocks.push({ label: ctx.inputDims[0].length === 3 ? `phase (${rh},${rw})` : `phase ${rw}`, products: S.Co * nIn, nIn: real, nOut: S.Co });
        }
      }
      return blocks;
    },
    pixels(ctx) {
      const S = viewOf(ctx);
      return S.Ho * S.Wo;
    },
    configStructs(ctx) {
      const S = viewOf(ctx);
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
        { kind: 'const', name: 'n_groups', value: S.groups },
        { kind: 'const', name: 'has_bias', value: Boolean(ctx.params.bias && ctx.weights.bias) },
        { kind: 'const', name: 'reuse_factor', value: ctx.config.reuseFactor },
        { kind: 'const', name: 'parallelization_factor', value: ctx.config.parallelizationFactor },
        { kind: 'const', name: 'strategy', value: ctx.config.strategy === 'resource' ? 1 : 0 },
      ];
      if (ctx.config.io === 'io_stream') {
        // Static trip count of the stream loop (the template has no data-dependent exit); ConvTranspose: the
        // fewest steps between two uses of one line-buffer column (its DEPENDENCE distance).
        fields.push({ kind: 'const', name: 'stream_steps', value: streamLoopIterations(S, transpose, ctx.config.reuseFactor) });
        if (transpose) fields.push({ kind: 'const', name: 'line_distance', value: transposeWalk(S).lineDistance });
      }
      if (transpose) {
        const P = phaseTaps(S);
        fields.push({ kind: 'const', name: 'phase_taps_height', value: P.TH }, { kind: 'const', name: 'phase_taps_width', value: P.TW });
      }
      return [{ name: `config_${ctx.name}`, base: transpose ? 'nnet::conv_transpose_config' : 'nnet::conv_config', fields }];
    },
    weightArrays: (ctx) => [weightArray(ctx), { name: `b_${ctx.name}`, type: ctx.config.precision.bias_t, m: biasArray(ctx, ctx.outputDims[ctx.outputDims.length - 1]) }],
    call(ctx, n) {
      const stream = ctx.config.io === 'io_stream';
      const rank = ctx.inputDims[0].length - 1;
      const tIn = stream ? n.inputPixelTypes[0] : n.inputTypes[0];
      const tOut = stream ? n.outputPixelType : n.outputType;
      return { fn: `${fn}_${rank}d${stream ? '_stream' : ''}`, templateArgs: [tIn, tOut, n.configs[0]], args: [n.inputs[0], n.output, n.weights[`w_${ctx.name}`], n.weights[`b_${ctx.name}`]] };
    },
    stream(ctx) {
      const s = streamCursorSchedule(viewOf(ctx), transpose);
      return { ops: opsFromReads(s.readsBeforeWrite, s.nIn), overlapped: true };
    },
    cost(ctx) {
      const S = viewOf(ctx);
      const rf = ctx.config.reuseFactor;
      const blocks = this.productBlocks(ctx);
      const taps = transpose ? phaseTaps(S) : { TH: S.kh, TW: S.kw };
      const notes: string[] = [];
      if (transpose && blocks.length > 1) {
        // Phases are padded to the largest one: the multipliers are sized (and the loop paced) for it.
        const useful = blocks.reduce((a, b) => a + b.nIn * b.nOut, 0) / (blocks.length * Math.max(...blocks.map((b) => b.products)));
        if (useful < 0.999) notes.push(`uneven phases padded to ${taps.TH}×${taps.TW} taps: ${Math.round(useful * 100)} % of the product slots hold real weights${rf === 1 ? ' (the zero ones cost nothing at RF 1)' : ''}`);
      }
      const mac = {
        kind: 'mac' as const, nOut: S.Co, hasBias: ctx.params.bias && !!ctx.weights.bias, weights: weightArray(ctx),
        windowValues: taps.TH * taps.TW * S.C,
      };
      const pixels = S.Ho * S.Wo;
      // io_parallel: one loop of (pixels / PF) · RF reuse rounds at II 1 (nnet_conv.h conv_2d_pixels).
      if (ctx.config.io !== 'io_stream') return { ...mac, loop: { iterations: (pixels / ctx.config.parallelizationFactor) * rf, ii: 1, looped: true }, notes };
      // io_stream: the walk at II 1, RF − 1 extra rounds per output. Line buffers: ConvTranspose keeps the rows
      // one output reads; Conv the window span's rows above the new one.
      const iterations = streamLoopIterations(S, transpose, rf);
      const rows = transpose ? Math.floor(((S.kh - 1) * S.dh) / S.sh) + 1 : (S.kh - 1) * S.dh;
      return {
        ...mac,
        loop: { iterations, ii: 1, looped: true },
        lineBuffer: rows > 0 ? { rows, width: S.W, impl: 'ram' } : undefined,
        notes: [...notes, `stream walk: ${iterations} iterations (II 1) for ${S.H * S.W} input and ${pixels} output pixels at RF ${rf}`],
      };
    },
  };
}

export const convHls: HlsLayerDef<ConvParams> = makeHls(false);
export const convTransposeHls: HlsLayerDef<ConvParams> = makeHls(true);
