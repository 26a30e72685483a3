// MaxPool and AveragePool (1D/2D, NCX/NXC): kernel, stride, padsBegin/padsEnd, ceilMode.
// Output per axis: floor((in + pb + pe − k) / s) + 1; with ceilMode, ceil(…) + 1, dropping a last
// window that would start in the end padding (PyTorch/ONNX rule). Max ignores pads (−∞). Average
// divides by the real inputs in the window, or with countIncludePad by the window clipped to the
// padded input (ONNX count_include_pad; Keras 'same' average excludes pads, as does the ONNX default).
// In fixed point (hls-templates/nnet/nnet_pooling.h): max compares mantissas; average sums exactly and
// multiplies by 1/count from an 18-bit table.
import { z } from 'zod';
import type { Shape, Tensor } from '../tensor/tensor';
import { zeros } from '../tensor/tensor';
import type { DiagnosticSink } from '../diagnostics/diagnostics';
import type { FixedType } from '../fixed/types';
import { ufixedType } from '../fixed/types';
import { cast, fromDouble, mul, type Mantissa } from '../fixed/arith';
import type { CppStruct, FixedKernel, HlsLayerContext, HlsLayerDef } from './hls-layer';
import { defineOp, type OpDef } from './types';
import { caster, checkInputLayout, cnst, ctype, exactSumType, hwc, mantissaArray, setM, weightName } from './fixed/common';
import { cfgName, spatialCall } from './fixed/spatial';
import { opsFromReads } from './schedule';
import { windowWalk } from './conv/stream';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, hw, perAxisHelp, perAxisSchema,
  spatialShape, spatialSizes, spatialView, type DataFormat,
} from './spatial';

export interface PoolParams {
  kernel: number[];
  stride: number[];
  padsBegin: number[];
  padsEnd: number[];
  dataFormat: DataFormat;
  ceilMode: boolean;
}

export interface AveragePoolParams extends PoolParams {
  countIncludePad: boolean;
}

export function poolOutputSize(inSize: number, k: number, s: number, pb: number, pe: number, ceilMode: boolean): number {
  const span = inSize + pb + pe - k;
  if (!ceilMode) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= inSize + pb) out--;
  return out;
}

/** The pooling window of a 1D or 2D pool as 2D (1D: height 1, its one axis the width). */
interface PoolWindow {
  kh: number; kw: number; sh: number; sw: number;
  /** Pads: top, left (begin), bottom, right (end). */
  pt: number; pl: number; pbo: number; pr: number;
}

function poolWindow(p: PoolParams, rank: number): PoolWindow {
  const [kh, kw] = hw(p.kernel, rank, 1);
  const [sh, sw] = hw(p.stride, rank, 1);
  const [pt, pl] = hw(p.padsBegin, rank, 0);
  const [pbo, pr] = hw(p.padsEnd, rank, 0);
  return { kh, kw, sh, sw, pt, pl, pbo, pr };
}

function inferPool(type: string, p: PoolParams, x: Shape, sink: DiagnosticSink): Shape | null {
  const rank = checkSpatialInput(sink, type, x, p.dataFormat);
  if (rank === null) return null;
  const k = expandPerAxis(sink, 'kernel', p.kernel, rank, 1, 'pool-kernel');
  const s = expandPerAxis(sink, 'stride', p.stride, rank, 1, 'pool-stride');
  const pb = expandPerAxis(sink, 'padsBegin', p.padsBegin, rank, 0, 'pads-negative');
  const pe = expandPerAxis(sink, 'padsEnd', p.padsEnd, rank, 0, 'pads-negative');
  if (!k || !s || !pb || !pe) return null;
  const sizes = spatialSizes(x, p.dataFormat);
  const out: number[] = [];
  let ok = true;
  for (let a = 0; a < rank; a++) {
    const ax = rank === 1 ? '' : `[${a}]`;
    for (const [name, v] of [['padsBegin', pb[a]], ['padsEnd', pe[a]]] as const) {
      if (v >= k[a]) {
        sink.error('pool-pad-kernel', `${name}${ax}`, v, `pads < kernel (${k[a]}), so every window holds an input`, `set ${name}${ax} to at most ${k[a] - 1}`);
        ok = false;
      }
    }
    if (sizes[a] + pb[a] + pe[a] < k[a]) {
      sink.error(
        'pool-window', `kernel${ax}`, k[a], `kernel ≤ padded input (${sizes[a]} + ${pb[a]} + ${pe[a]} = ${sizes[a] + pb[a] + pe[a]})`,
        `use a kernel of at most ${sizes[a] + pb[a] + pe[a]} or pad the input`,
      );
      ok = false;
    }
    out.push(poolOutputSize(sizes[a], k[a], s[a], pb[a], pe[a], p.ceilMode));
  }
  if (!ok) return null;
  const v = spatialView(x, p.dataFormat);
  return spatialShape(v.N, v.C, out, p.dataFormat);
}

function runPool(p: PoolParams, x: Tensor, mode: 'max' | 'avg', includePad: boolean): Tensor {
  const rank = x.shape.length - 2;
  const g = poolWindow(p, rank);
  const [H, W] = hw(spatialSizes(x.shape, p.dataFormat), rank, 1);
  const Ho = poolOutputSize(H, g.kh, g.sh, g.pt, g.pbo, p.ceilMode);
  const Wo = poolOutputSize(W, g.kw, g.sw, g.pl, g.pr, p.ceilMode);
  const outSizes = rank === 2 ? [Ho, Wo] : [Wo];
  const iv = spatialView(x.shape, p.dataFormat);
  const outShape = spatialShape(iv.N, iv.C, outSizes, p.dataFormat);
  const out = zeros(outShape);
  const ov = spatialView(outShape, p.dataFormat);
  const d = x.data;
  for (let n = 0; n < ov.N; n++)
    for (let c = 0; c < ov.C; c++) {
      const base = n * iv.sN + c * iv.sC;
      for (let oh = 0; oh < ov.H; oh++) {
        const h0 = oh * g.sh - g.pt;
        const hs = Math.max(h0, 0);
        const he = Math.min(h0 + g.kh, iv.H);
        for (let ow = 0; ow < ov.W; ow++) {
          const w0 = ow * g.sw - g.pl;
          const ws = Math.max(w0, 0);
          const we = Math.min(w0 + g.kw, iv.W);
          let r: number;
          if (mode === 'max') {
            r = -Infinity;
            for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) r = Math.max(r, d[base + h * iv.sH + w * iv.sW]);
          } else {
            let sum = 0;
            for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) sum += d[base + h * iv.sH + w * iv.sW];
            const count = includePad
              ? (Math.min(h0 + g.kh, iv.H + g.pbo) - h0) * (Math.min(w0 + g.kw, iv.W + g.pr) - w0)
              : (he - hs) * (we - ws);
            r = sum / count;
          }
          out.data[n * ov.sN + c * ov.sC + oh * ov.sH + ow * ov.sW] = r;
        }
      }
    }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixed point and HLS

/** Max and average pooling parameters (countIncludePad: average only). */
type PoolP = PoolParams & Partial<Pick<AveragePoolParams, 'countIncludePad'>>;

/** 1 / count in 18 bits (17 fractional), rounded to nearest even. */
export const RECIP_TYPE: FixedType = ufixedType(18, 1, { Q: 'AP_RND_CONV', O: 'AP_SAT' });

function recipTable(kh: number, kw: number): Float64Array | bigint[] {
  const n = kh * kw + 1;
  const out = mantissaArray(n, RECIP_TYPE);
  for (let c = 1; c < n; c++) setM(out, c, fromDouble(1 / c, RECIP_TYPE), RECIP_TYPE);
  return out;
}

function axisSpan(o: number, stride: number, pb: number, pe: number, k: number, size: number) {
  const s0 = o * stride - pb;
  return { lo: Math.max(s0, 0), hi: Math.min(s0 + k, size), countPad: Math.min(s0 + k, size + pe) - s0 };
}

function poolFixed(mode: 'max' | 'avg'): FixedKernel<PoolP> {
  return ({ params, inputs, precision, outputShape }) => {
    const x = inputs[0];
    const rank = x.shape.length - 2;
    const g = poolWindow(params, rank);
    const iv = spatialView(x.shape, params.dataFormat);
    const ov = spatialView(outputShape, params.dataFormat);
    const res = precision.result_t;
    const out = mantissaArray(ov.N * ov.C * ov.H * ov.W, res);
    const sumT = exactSumType(x.type, g.kh * g.kw);
    const recip = recipTable(g.kh, g.kw);
    const big = typeof x.m[0] === 'bigint' || sumT.W > 53;
    const toRes = caster(x.type, res);
    for (let n = 0; n < ov.N; n++)
      for (let c = 0; c < ov.C; c++) {
        const base = n * iv.sN + c * iv.sC;
        for (let oh = 0; oh < ov.H; oh++) {
          const sh = axisSpan(oh, g.sh, g.pt, g.pbo, g.kh, iv.H);
          for (let ow = 0; ow < ov.W; ow++) {
            const sw = axisSpan(ow, g.sw, g.pl, g.pr, g.kw, iv.W);
            let r: Mantissa;
            if (mode === 'max') {
              let m = x.m[base + sh.lo * iv.sH + sw.lo * iv.sW];
              for (let h = sh.lo; h < sh.hi; h++)
                for (let w = sw.lo; w < sw.hi; w++) {
                  const v = x.m[base + h * iv.sH + w * iv.sW];
                  if (v > m) m = v;
                }
              r = toRes(m);
            } else {
              let s: Mantissa = big ? 0n : 0;
              for (let h = sh.lo; h < sh.hi; h++)
                for (let w = sw.lo; w < sw.hi; w++) {
                  const v = x.m[base + h * iv.sH + w * iv.sW];
                  s = big ? (s as bigint) + BigInt(v) : (s as number) + (v as number);
                }
              const count = params.countIncludePad ? sh.countPad * sw.countPad : (sh.hi - sh.lo) * (sw.hi - sw.lo);
              const p = mul(s, sumT, recip[count], RECIP_TYPE);
              r = cast(p.m, p.t, res);
            }
            setM(out, n * ov.sN + c * ov.sC + oh * ov.sH + ow * ov.sW, r, res);
          }
        }
      }
    return { shape: [...outputShape], type: res, m: out };
  };
}

export const maxPoolFixed = poolFixed('max');
export const averagePoolFixed = poolFixed('avg');

/** The pooling layer as the template sees it: firmware sizes and the window. */
function poolGeometry(ctx: HlsLayerContext<PoolP>) {
  return { i: hwc(ctx.inputDims[0]), o: hwc(ctx.outputDims), g: poolWindow(ctx.params, ctx.inputShapes[0].length - 2) };
}

function poolHls(mode: 'max' | 'avg'): HlsLayerDef<PoolP> {
  return {
    headers: ['nnet_pooling.h'],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs(ctx): CppStruct[] {
      const { i, o, g } = poolGeometry(ctx);
      return [{
        name: cfgName(ctx),
        base: 'nnet::pooling_config',
        fields: [
          cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst('out_height', o.h), cnst('out_width', o.w),
          cnst('pool_height', g.kh), cnst('pool_width', g.kw), cnst('stride_height', g.sh), cnst('stride_width', g.sw),
          cnst('pad_top', g.pt), cnst('pad_bottom', g.pbo), cnst('pad_left', g.pl), cnst('pad_right', g.pr),
          cnst('pool_op', mode === 'max' ? 0 : 1), cnst('count_include_pad', Boolean(ctx.params.countIncludePad)),
          ctype('sum_t', exactSumType(ctx.inputTypes[0], g.kh * g.kw)), ctype('recip_t', RECIP_TYPE),
        ],
      }];
    },
    weightArrays(ctx) {
      const { g } = poolGeometry(ctx);
      return [{ name: `${ctx.name}_recip`, type: RECIP_TYPE, m: recipTable(g.kh, g.kw), comment: 'recip[k] = 1/k (k values averaged)' }];
    },
    call: (ctx, names) => spatialCall('pooling', ctx as HlsLayerContext<unknown>, names, [weightName(names, `${ctx.name}_recip`)]),
    // pooling_stream: the stream window walk of Conv with the pool size as its span (one position per clock).
    stream(ctx) {
      const w = poolWalk(ctx);
      return { ops: opsFromReads(w.readsBeforeWrite, w.nIn), overlapped: true };
    },
    cost(ctx) {
      const { i, g } = poolGeometry(ctx);
      const pool = { kind: 'pool' as const, window: g.kh * g.kw, op: mode === 'max' ? 'max' as const : 'average' as const };
      if (ctx.config.io !== 'io_stream') return { ...pool, loop: { iterations: 1, ii: 1, looped: false } };
      // The walk at II 1; line buffers for the window's rows above the new one.
      const steps = poolWalk(ctx).steps;
      return { ...pool, loop: { iterations: steps, ii: 1, looped: true }, lineBuffer: g.kh > 1 ? { rows: g.kh - 1, width: i.w, impl: 'ram' } : undefined };
    },
  };
}

/** The window walk of pooling_stream (nnet_pooling.h): Conv's walk with the pool size as its span. */
function poolWalk(ctx: HlsLayerContext<PoolP>) {
  const { i, o, g } = poolGeometry(ctx);
  return windowWalk({ H: i.h, W: i.w, Ho: o.h, Wo: o.w, spanH: g.kh, spanW: g.kw, ph: g.pt, pw: g.pl, sh: g.sh, sw: g.sw });
}

export const maxPoolHls = poolHls('max');
export const averagePoolHls = poolHls('avg');

const poolShape = {
  kernel: perAxisSchema(2),
  stride: perAxisSchema(2),
  padsBegin: perAxisSchema(0),
  padsEnd: perAxisSchema(0),
  dataFormat: dataFormatSchema,
  ceilMode: z.boolean().default(false),
};

const poolHelp: Record<string, string> = {
  kernel: `Window size: ${perAxisHelp}.`,
  stride: `Window step: ${perAxisHelp}.`,
  padsBegin: `Padding before each spatial axis (< kernel): ${perAxisHelp}.`,
  padsEnd: `Padding after each spatial axis (< kernel): ${perAxisHelp}.`,
  dataFormat: dataFormatHelp,
  ceilMode: 'Round the output size up (a partial last window), as ONNX/PyTorch ceil_mode.',
};

export const maxPoolOp: OpDef<PoolParams> = defineOp<PoolParams>({
  type: 'MaxPool',
  label: 'Max pool',
  category: 'pooling',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  keepsValues: () => true,
  params: z.object(poolShape) as z.ZodType<PoolParams>,
  paramHelp: poolHelp,
  weights: () => [],
  infer: (p, inputs, sink) => inferPool('MaxPool', p, inputs[0], sink),
  float: (p, inputs) => runPool(p, inputs[0], 'max', false),
  fixed: maxPoolFixed,
  hls: maxPoolHls,
});

export const averagePoolOp: OpDef<AveragePoolParams> = defineOp<AveragePoolParams>({
  type: 'AveragePool',
  label: 'Average pool',
  category: 'pooling',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  params: z.object({ ...poolShape, countIncludePad: z.boolean().default(false) }) as z.ZodType<AveragePoolParams>,
  paramHelp: { ...poolHelp, countIncludePad: 'Divide by the whole window, pads included (ONNX count_include_pad = 1); off = only real inputs (ONNX default, Keras same).' },
  weights: () => [],
  infer: (p, inputs, sink) => inferPool('AveragePool', p, inputs[0], sink),
  float: (p, inputs) => runPool(p, inputs[0], 'avg', p.countIncludePad),
  fixed: averagePoolFixed,
  hls: averagePoolHls,
});
