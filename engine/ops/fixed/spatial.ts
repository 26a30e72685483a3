// MaxPool / AveragePool, UpSampling, ZeroPadding and Cropping in fixed point and their HLS descriptors
// (hls-templates/nnet/nnet_pooling.h, nnet_upsampling.h, nnet_padding.h, nnet_cropping.h). 1D is 2D with height 1.
import type { FixedType } from '../../fixed/types';
import { ufixedType } from '../../fixed/types';
import { cast, fromDouble, mul, type Mantissa } from '../../fixed/arith';
import type { CppStruct, FixedKernel, HlsCallNames, HlsLayerContext, HlsLayerDef } from '../../hls/layer';
import { spatialView, type DataFormat } from '../spatial';
import type { AveragePoolParams, PoolParams } from '../pool';
import { callStmt, caster, checkInputLayout, cnst, ctype, exactSumType, hwc, mantissaArray, setM, weightName } from './common';

// ---------------------------------------------------------------------------------------------
// Pooling

/** Max and average pooling parameters (countIncludePad: average only). */
type PoolP = PoolParams & Partial<Pick<AveragePoolParams, 'countIncludePad'>>;

/** 1 / count in 18 bits (17 fractional), rounded to nearest even. */
export const RECIP_TYPE: FixedType = ufixedType(18, 1, { Q: 'AP_RND_CONV', O: 'AP_SAT' });

/** Per-axis geometry as [height, width] (1D: height 1). */
function geometry(p: PoolP, rank: number) {
  const one = (v: number[]) => (v.length === 1 ? new Array<number>(rank).fill(v[0]) : v);
  const k = one(p.kernel);
  const s = one(p.stride);
  const pb = one(p.padsBegin);
  const pe = one(p.padsEnd);
  const two = (v: number[], d: number) => (rank === 2 ? [v[0], v[1]] : [d, v[0]]);
  return { k: two(k, 1), s: two(s, 1), pb: two(pb, 0), pe: two(pe, 0) };
}

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
    const g = geometry(params, rank);
    const iv = spatialView(x.shape, params.dataFormat);
    const ov = spatialView(outputShape, params.dataFormat);
    const res = precision.result_t;
    const out = mantissaArray(ov.N * ov.C * ov.H * ov.W, res);
    const sumT = exactSumType(x.type, g.k[0] * g.k[1]);
    const recip = recipTable(g.k[0], g.k[1]);
    const big = typeof x.m[0] === 'bigint' || sumT.W > 53;
    const toRes = caster(x.type, res);
    for (let n = 0; n < ov.N; n++)
      for (let c = 0; c < ov.C; c++) {
        const base = n * iv.sN + c * iv.sC;
        for (let oh = 0; oh < ov.H; oh++) {
          const sh = axisSpan(oh, g.s[0], g.pb[0], g.pe[0], g.k[0], iv.H);
          for (let ow = 0; ow < ov.W; ow++) {
            const sw = axisSpan(ow, g.s[1], g.pb[1], g.pe[1], g.k[1], iv.W);
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

const cfgName = (ctx: { name: string }) => `config_${ctx.name}`;

function spatialCall(fn: string, ctx: HlsLayerContext<unknown>, names: HlsCallNames, extra: string[] = []): string {
  const stream = ctx.config.io === 'io_stream';
  const cfg = names.configs[0];
  const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
  return callStmt(stream ? `${fn}_stream` : fn, types, [names.inputs[0], names.output, ...extra]);
}

function poolHls(mode: 'max' | 'avg'): HlsLayerDef<PoolP> {
  return {
    headers: ['nnet_pooling.h'],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs(ctx): CppStruct[] {
      const i = hwc(ctx.inputDims[0]);
      const o = hwc(ctx.outputDims);
      const g = geometry(ctx.params, ctx.inputShapes[0].length - 2);
      return [{
        name: cfgName(ctx),
        base: 'nnet::pooling_config',
        fields: [
          cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst('out_height', o.h), cnst('out_width', o.w),
          cnst('pool_height', g.k[0]), cnst('pool_width', g.k[1]), cnst('stride_height', g.s[0]), cnst('stride_width', g.s[1]),
          cnst('pad_top', g.pb[0]), cnst('pad_bottom', g.pe[0]), cnst('pad_left', g.pb[1]), cnst('pad_right', g.pe[1]),
          cnst('pool_op', mode === 'max' ? 0 : 1), cnst('count_include_pad', Boolean(ctx.params.countIncludePad)),
          ctype('sum_t', exactSumType(ctx.inputTypes[0], g.k[0] * g.k[1])), ctype('recip_t', RECIP_TYPE),
        ],
      }];
    },
    weightArrays(ctx) {
      const g = geometry(ctx.params, ctx.inputShapes[0].length - 2);
      return [{ name: `${ctx.name}_recip`, type: RECIP_TYPE, m: recipTable(g.k[0], g.k[1]), comment: 'recip[k] = 1/k (k values averaged)' }];
    },
    call: (ctx, names) => spatialCall('pooling', ctx as HlsLayerContext<unknown>, names, [weightName(names, `${ctx.name}_recip`)]),
  };
}

export const maxPoolHls = poolHls('max');
export const averagePoolHls = poolHls('avg');

// ---------------------------------------------------------------------------------------------
// UpSampling (nearest) and ZeroPadding: data movement (the fixed kernels are movementKernel in the op files)

function perAxis(v: number[], rank: number, d: number): [number, number] {
  const one = v.length === 1 ? new Array<number>(rank).fill(v[0]) : v;
  return rank === 2 ? [one[0], one[1]] : [d, one[0]];
}

export const upSamplingHls: HlsLayerDef<{ scale: number[]; dataFormat: DataFormat }> = {
  headers: ['nnet_upsampling.h'],
  usesAccumulator: false,
  productBlocks: () => [],
  check: checkInputLayout,
  configStructs(ctx) {
    const i = hwc(ctx.inputDims[0]);
    const o = hwc(ctx.outputDims);
    const [sh, sw] = perAxis(ctx.params.scale, ctx.inputShapes[0].length - 2, 1);
    return [{
      name: cfgName(ctx),
      base: 'nnet::upsampling_config',
      fields: [
        cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst('scale_height', sh), cnst('scale_width', sw),
        cnst('out_height', o.h), cnst('out_width', o.w),
      ],
    }];
  },
  weightArrays: () => [],
  call: (ctx, names) => spatialCall('upsampling', ctx as HlsLayerContext<unknown>, names),
};

/** ZeroPadding and Cropping share their geometry (a border per spatial axis, added or removed). */
function borderHls<P extends { dataFormat: DataFormat }>(o: {
  header: string;
  base: string;
  /** Config field prefix: pad_top … / crop_top … */
  field: 'pad' | 'crop';
  fn: string;
  begin: (p: P) => number[];
  end: (p: P) => number[];
}): HlsLayerDef<P> {
  return {
    headers: [o.header],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs(ctx) {
      const i = hwc(ctx.inputDims[0]);
      const out = hwc(ctx.outputDims);
      const rank = ctx.inputShapes[0].length - 2;
      const [top, left] = perAxis(o.begin(ctx.params), rank, 0);
      const [bottom, right] = perAxis(o.end(ctx.params), rank, 0);
      return [{
        name: cfgName(ctx),
        base: o.base,
        fields: [
          cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst(`${o.field}_top`, top), cnst(`${o.field}_bottom`, bottom),
          cnst(`${o.field}_left`, left), cnst(`${o.field}_right`, right), cnst('out_height', out.h), cnst('out_width', out.w),
        ],
      }];
    },
    weightArrays: () => [],
    call: (ctx, names) => spatialCall(o.fn, ctx as HlsLayerContext<unknown>, names),
  };
}

export const zeroPaddingHls = borderHls<{ padsBegin: number[]; padsEnd: number[]; dataFormat: DataFormat }>({
  header: 'nnet_padding.h', base: 'nnet::padding_config', field: 'pad', fn: 'zeropad', begin: (p) => p.padsBegin, end: (p) => p.padsEnd,
});

export const croppingHls = borderHls<{ cropBegin: number[]; cropEnd: number[]; dataFormat: DataFormat }>({
  header: 'nnet_cropping.h', base: 'nnet::cropping_config', field: 'crop', fn: 'cropping', begin: (p) => p.cropBegin, end: (p) => p.cropEnd,
});
