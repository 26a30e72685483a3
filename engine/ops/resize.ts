// Resize (upsampling by an integer factor per spatial axis), as ONNX Resize with scales ≥ 1:
// - 'nearest': out[h, w] = in[⌊h / sh⌋, ⌊w / sw⌋] (ONNX asymmetric + floor; also half_pixel +
//   round_prefer_floor, the same for integer scales). The same computation as UpSampling.
// - 'bilinear': ONNX mode 'linear' with half_pixel coordinates (PyTorch align_corners=False, Keras
//   UpSampling2D(interpolation='bilinear')): the source coordinate of output o is (o + ½) / s − ½, clamped to
//   [0, in − 1]; the two neighbours are weighted by its fraction. With s a power of two the weights are
//   k / 2s for integers k, so the result is Σ k_h · k_w · x / (4 · sh · sw) exactly, cast once into result_t.
// Fixed point and hardware: hls-templates/nnet/nnet_resize.h (the sum is exact in accum_t = resizeAccum()).
import { z } from 'zod';
import type { Shape, Tensor } from '../tensor/tensor';
import { sizeOf, zeros } from '../tensor/tensor';
import { fixedType, type FixedType } from '../fixed/types';
import { fitsFloat64 } from '../fixed/arith';
import type { FixedKernel, HlsLayerContext, HlsLayerDef } from './hls-layer';
import { defineOp, type OpDef } from './types';
import { caster, checkInputLayout, cnst, ctype, mantissaArray, setM } from './fixed/common';
import { cfgName, scaleFields, scaleGeometry, spatialCall } from './fixed/spatial';
import { movementLoop, opsFromReads } from './schedule';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, hw, perAxisHelp, perAxisSchema,
  spatialShape, spatialSizes, spatialView, type DataFormat,
} from './spatial';

export type ResizeMode = 'nearest' | 'bilinear';

export interface ResizeParams {
  scale: number[];
  mode: ResizeMode;
  dataFormat: DataFormat;
}

/**
 * Along one axis of `inSize` values scaled by `s`: per output index the two source indices and the weight of
 * the second (in units of 1 / 2s; the first weighs 2s − k1). Nearest: one source, k1 = 0.
 */
export function resizeTaps(mode: ResizeMode, s: number, inSize: number): { i0: Int32Array; i1: Int32Array; k1: Int32Array } {
  const out = inSize * s;
  const i0 = new Int32Array(out), i1 = new Int32Array(out), k1 = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    if (mode === 'nearest') {
      i0[o] = i1[o] = Math.floor(o / s);
      continue;
    }
    // (o + ½) / s − ½ = (2o + 1 − s) / 2s, clamped to [0, in − 1].
    const t = Math.min(Math.max(2 * o + 1 - s, 0), 2 * s * (inSize - 1));
    i0[o] = Math.floor(t / (2 * s));
    k1[o] = t - i0[o] * 2 * s;
    i1[o] = Math.min(i0[o] + 1, inSize - 1);
  }
  return { i0, i1, k1 };
}

/** The bilinear rule: every scale a power of two (its weights k / 2s are then exact binary fractions). */
export const isPowerOfTwo = (v: number) => Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0;

/** log2(2s): the fraction bits of one axis's weights. */
const weightBits = (s: number) => Math.log2(2 * s);

/**
 * The exact type of the bilinear sum Σ k_h · k_w · x before the division by 4 · sh · sw (a right shift by
 * weightBits(sh) + weightBits(sw)): x's fraction bits plus the shift, integer bits for the undivided sum.
 */
export function resizeAccum(x: FixedType, sh: number, sw: number): FixedType {
  const shift = weightBits(sh) + weightBits(sw);
  return fixedType(x.W + 2 * shift + 1, x.I + shift + 1, { signed: x.signed });
}

function resizedShape(p: ResizeParams, inShape: Shape): Shape {
  const rank = inShape.length - 2;
  const [sh, sw] = hw(p.scale, rank, 1);
  const iv = spatialView(inShape, p.dataFormat);
  return spatialShape(iv.N, iv.C, rank === 2 ? [iv.H * sh, iv.W * sw] : [iv.W * sw], p.dataFormat);
}

/** Both modes in one loop: per output, the weighted sum of its (up to) four sources and the divisor. */
function resample<T>(p: ResizeParams, inShape: Shape, read: (i: number) => T, combine: (terms: [T, number][], divisor: number) => T, store: (o: number, v: T) => void): void {
  const [sh, sw] = hw(p.scale, inShape.length - 2, 1);
  const iv = spatialView(inShape, p.dataFormat);
  const ov = spatialView(resizedShape(p, inShape), p.dataFormat);
  const rows = resizeTaps(p.mode, sh, iv.H), cols = resizeTaps(p.mode, sw, iv.W);
  const divisor = 4 * sh * sw;
  for (let n = 0; n < ov.N; n++)
    for (let c = 0; c < ov.C; c++) {
      const base = n * iv.sN + c * iv.sC;
      for (let h = 0; h < ov.H; h++) {
        const kh1 = rows.k1[h], kh0 = 2 * sh - kh1;
        for (let w = 0; w < ov.W; w++) {
          const kw1 = cols.k1[w], kw0 = 2 * sw - kw1;
          const at = (ih: number, iw: number) => read(base + ih * iv.sH + iw * iv.sW);
          const terms: [T, number][] = [[at(rows.i0[h], cols.i0[w]), kh0 * kw0]];
          if (kw1) terms.push([at(rows.i0[h], cols.i1[w]), kh0 * kw1]);
          if (kh1) terms.push([at(rows.i1[h], cols.i0[w]), kh1 * kw0]);
          if (kh1 && kw1) terms.push([at(rows.i1[h], cols.i1[w]), kh1 * kw1]);
          store(n * ov.sN + c * ov.sC + h * ov.sH + w * ov.sW, combine(terms, divisor));
        }
      }
    }
}

function resizeFloat(p: ResizeParams, x: Tensor): Tensor {
  const out = zeros(resizedShape(p, x.shape));
  resample<number>(p, x.shape, (i) => x.data[i], (terms, d) => terms.reduce((a, [v, k]) => a + v * k, 0) / d, (o, v) => (out.data[o] = v));
  return out;
}

/** The template's arithmetic: nearest casts the source; bilinear sums k · x exactly in accum_t, shifts, casts. */
const resizeFixed: FixedKernel<ResizeParams> = ({ params: p, inputs, precision, outputShape }) => {
  const x = inputs[0];
  const out = mantissaArray(sizeOf(outputShape), precision.result_t);
  if (p.mode === 'nearest') {
    const cast = caster(x.type, precision.result_t);
    resample<number | bigint>(p, x.shape, (i) => x.m[i], (terms) => terms[0][0], (o, m) => setM(out, o, cast(m), precision.result_t));
  } else {
    const [sh, sw] = hw(p.scale, x.shape.length - 2, 1);
    const acc = resizeAccum(x.type, sh, sw);
    const cast = caster(acc, precision.result_t);
    // The sum's mantissa in accum_t after the shift is Σ k · m_x (the weights' 1 / 4·sh·sw is the shift).
    if (fitsFloat64(acc)) resample<number>(p, x.shape, (i) => Number(x.m[i]), (terms) => terms.reduce((a, [m, k]) => a + m * k, 0), (o, m) => setM(out, o, cast(m), precision.result_t));
    else resample<bigint>(p, x.shape, (i) => BigInt(x.m[i]), (terms) => terms.reduce((a, [m, k]) => a + m * BigInt(k), 0n), (o, m) => setM(out, o, cast(m), precision.result_t));
  }
  return { shape: [...outputShape], type: precision.result_t, m: out };
};

export const resizeOp: OpDef<ResizeParams> = defineOp<ResizeParams>({
  type: 'Resize',
  label: 'Resize (nearest / bilinear)',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  keepsValues: (p) => p.mode === 'nearest',
  params: z.object({ scale: perAxisSchema(2), mode: z.enum(['nearest', 'bilinear']).default('bilinear'), dataFormat: dataFormatSchema }) as z.ZodType<ResizeParams>,
  paramHelp: {
    scale: `Integer upsampling factor: ${perAxisHelp}. Bilinear: a power of two (2, 4, …), so the weights are exact in fixed point.`,
    mode: "'nearest' repeats each value (as UpSampling); 'bilinear' interpolates between the two nearest values per axis (half-pixel centres, as PyTorch align_corners=False and Keras).",
    dataFormat: dataFormatHelp,
  },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    const rank = checkSpatialInput(sink, 'Resize', x, p.dataFormat);
    if (rank === null) return null;
    const s = expandPerAxis(sink, 'scale', p.scale, rank, 1, 'resize-scale');
    if (!s) return null;
    if (p.mode === 'bilinear') {
      const bad = s.findIndex((v) => !isPowerOfTwo(v));
      if (bad >= 0) {
        sink.error('resize-scale', p.scale.length === 1 ? 'scale' : `scale[${bad}]`, s[bad], 'a bilinear scale is a power of two (its weights k / 2s are then exact binary fractions)', 'use 2, 4 or 8, or mode nearest');
        return null;
      }
    }
    const v = spatialView(x, p.dataFormat);
    return spatialShape(v.N, v.C, spatialSizes(x, p.dataFormat).map((d, a) => d * s[a]), p.dataFormat);
  },
  float: (p, inputs) => resizeFloat(p, inputs[0]),
  fixed: resizeFixed,
  hls: resizeHls(),
});

function resizeHls(): HlsLayerDef<ResizeParams> {
  const geometry = scaleGeometry;
  return {
    headers: ['nnet_resize.h'],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs(ctx) {
      const { sh, sw } = geometry(ctx);
      return [{
        name: cfgName(ctx),
        base: 'nnet::resize_config',
        fields: [
          ...scaleFields(ctx), cnst('bilinear', ctx.params.mode === 'bilinear'),
          ...(ctx.params.mode === 'bilinear' ? [cnst('weight_bits_height', weightBits(sh)), cnst('weight_bits_width', weightBits(sw)), ctype('accum_t', resizeAccum(ctx.inputTypes[0], sh, sw))] : []),
        ],
      }];
    },
    weightArrays: () => [],
    call: (ctx, names) => spatialCall('resize', ctx as HlsLayerContext<unknown>, names),
    // resize_stream: before output row h, the input rows up to its second source row are read (two rows kept).
    stream(ctx) {
      const { i, o, sh } = geometry(ctx);
      const rows = resizeTaps(ctx.params.mode, sh, i.h);
      const reads: number[] = [];
      for (let h = 0; h < o.h; h++) for (let w = 0; w < o.w; w++) reads.push((rows.i1[h] + 1) * i.w);
      return { ops: opsFromReads(reads, i.h * i.w), overlapped: false };
    },
    cost: (ctx) => {
      // resize_stream reads its input rows and writes its output pixels in separate loops, each at II 1.
      const { i, o } = geometry(ctx);
      const steps = i.h * i.w + o.h * o.w;
      const loop = ctx.config.io === 'io_stream' ? { iterations: steps, ii: 1, looped: steps > 1 } : movementLoop(ctx as HlsLayerContext<unknown>);
      // Bilinear: four products by position-dependent weights and three additions per value.
      return ctx.params.mode === 'nearest' ? { kind: 'reorder', loop } : { kind: 'elementwise', loop, cmpMux: 0, adds: 3, constMults: 4, perChannelConstant: true };
    },
  };
}
