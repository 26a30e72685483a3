// Dense and BatchNormalization in fixed point (hls-templates/nnet/nnet_dense.h, nnet_batchnorm.h).
import { stridesOf } from '../../tensor/tensor';
import type { FixedType } from '../../fixed/types';
import { cast, MacPlan, type Mantissa } from '../../fixed/arith';
import type { FixedKernel, HlsLayerContext, HlsLayerDef, HlsWeightArray } from '../hls-layer';
import { outputPixels, perPixelLoop, pixelwiseProgram } from '../schedule';
import type { FixedTensor } from '../../fixed/tensor';
import { quantizeTensor } from '../../fixed/tensor';
import { roundMajorOrder } from '../reuse-rounds';
import { castClosedNum } from '../../fixed/cast';
import { formatFixedType, fracBits } from '../../fixed/types';
import { cachedPreparation, int32ChainOk, int32DenseSums, int32Mac, quantizeFast } from '../../fixed/fast';
import { channelAxis, type DataFormat } from '../spatial';
import { hlsCall, caster, checkInputLayout, cnst, ctype, inputLayout, mantissaArray, outputLayout, quantizeArray, setM, streamGeometry, weightName } from './common';

interface DenseP {
  units: number;
  bias: boolean;
}

/** acc = (accum_t) bias; acc = (accum_t)(acc + (accum_t)(x · w)) per term; → result_t. */
function macChain(plan: MacPlan, res: FixedType, bias: Mantissa | undefined, xs: readonly Mantissa[], ws: readonly Mantissa[]): Mantissa {
  if (plan.fast && xs.every((v) => typeof v === 'number') && ws.every((v) => typeof v === 'number') && typeof (bias ?? 0) === 'number') {
    let a = plan.start((bias ?? 0) as number);
    for (let i = 0; i < xs.length; i++) a = plan.step(a, xs[i] as number, ws[i] as number);
    return cast(a, plan.acc, res);
  }
  let a = plan.startBig(BigInt(bias ?? 0));
  for (let i = 0; i < xs.length; i++) a = plan.stepBig(a, BigInt(xs[i]), BigInt(ws[i]));
  return cast(a, plan.acc, res);
}

export const denseFixed: FixedKernel<DenseP> = ({ params, inputs, weights, precision }) => {
  const x = inputs[0];
  const nIn = x.shape[x.shape.length - 1];
  const U = params.units;
  const rows = x.m.length / nIn;
  // Quantized weights (and their int32 transpose with bounds) reused while the weight values are unchanged.
  const wPrep = cachedPreparation(weights.weight.data, `dense:${formatFixedType(precision.weight_t)}:${U}`, () => {
    const wq = quantizeFast(weights.weight.data, precision.weight_t);
    return { w: wq ? { m: wq } : quantizeTensor(weights.weight, precision.weight_t), t32: null as null | { wT: Int32Array; sw: Float64Array; mw: Float64Array } };
  });
  const w = wPrep.w;
  const b = params.bias ? quantizeTensor(weights.bias, precision.bias_t) : undefined;
  const plan = new MacPlan(x.type, precision.weight_t, precision.accum_t, b ? precision.bias_t : undefined);
  const res = precision.result_t;
  const out = mantissaArray(rows * U, res);
  const fast = plan.fast && x.m instanceof Float64Array && w.m instanceof Float64Array && (!b || b.m instanceof Float64Array);
  const xm = x.m as readonly Mantissa[];
  const wm = w.m as readonly Mantissa[];
  // Int32 path (engine/fixed/fast.ts) for units whose chain is order-free and exact in int32.
  const mac = fast ? int32Mac(x.type, precision.weight_t, precision.accum_t) : null;
  const i32 = new Uint8Array(U);
  let i32Acc: Int32Array | null = null;
  if (mac) {
    const xf = x.m as Float64Array;
    const wf = w.m as Float64Array;
    let maxX = 0;
    for (let i = 0; i < xf.length; i++) maxX = Math.max(maxX, Math.abs(xf[i]));
    if (!wPrep.t32) {
      const wT = new Int32Array(U * nIn);
      const sw = new Float64Array(U);
      const mw = new Float64Array(U);
      for (let u = 0; u < U; u++)
        for (let n = 0; n < nIn; n++) {
          const v = wf[n * U + u];
          wT[u * nIn + n] = v;
          sw[u] += Math.abs(v);
          mw[u] = Math.max(mw[u], Math.abs(v));
        }
      wPrep.t32 = { wT, sw, mw };
    }
    const { wT, sw, mw } = wPrep.t32;
    const start = new Int32Array(U);
    for (let u = 0; u < U; u++) {
      const s0 = plan.start(b ? (b.m as Float64Array)[u] : 0);
      start[u] = s0;
      i32[u] = int32ChainOk(mac, s0, maxX, mw[u], sw[u], nIn) ? 1 : 0;
    }
    if (i32.some((f) => f === 1)) {
      i32Acc = new Int32Array(rows * U);
      int32DenseSums(Int32Array.from(xf), wT, rows, nIn, U, mac.shift, start, i32, i32Acc);
    }
  }
  const accF = fracBits(plan.acc);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < U; u++) {
      if (i32Acc && i32[u]) {
        const a = i32Acc[r * U + u];
        setM(out, r * U + u, cast(mac!.modular ? castClosedNum(a, accF, plan.acc) : a, plan.acc, res), res);
      } else if (fast) {
        // weight (in, units): term n reads w[n · U + u]; inputs ascending.
        const a = plan.dot(b ? (b.m as Float64Array)[u] : 0, x.m as Float64Array, r * nIn, 1, w.m as Float64Array, u, U, nIn);
        setM(out, r * U + u, cast(a, plan.acc, res), res);
      } else {
        const xs = xm.slice(r * nIn, (r + 1) * nIn);
        const ws = Array.from({ length: nIn }, (_, n) => wm[n * U + u]);
        setM(out, r * U + u, macChain(plan, res, b ? b.m[u] : undefined, xs, ws), res);
      }
    }
  }
  return { shape: [...x.shape.slice(0, -1), U], type: res, m: out };
};

export const denseHls: HlsLayerDef<DenseP> = {
  headers: ['nnet_dense.h'],
  usesAccumulator: true,
  productBlocks(ctx) {
    const s = ctx.inputShapes[0];
    const nIn = s[s.length - 1];
    return [{ label: 'dense', products: nIn * ctx.params.units, nIn, nOut: ctx.params.units }];
  },
  check(ctx, sink) {
    const s = ctx.inputShapes[0];
    if (s.length >= 3 && inputLayout(ctx) === 'NCX') {
      sink.error(
        'hls-dense-axis', 'input 0', `[${s.join(', ')}]`,
        'in hardware Dense maps the last firmware axis (channels); on a channels-first (NCX) tensor the graph\'s last axis is a spatial one',
        'insert a Flatten before the Dense (or use channels-last data)',
      );
    }
  },
  configStructs(ctx) {
    const s = ctx.inputShapes[0];
    const nIn = s[s.length - 1];
    const { pixels } = streamGeometry(ctx.outputDims, outputLayout(ctx));
    const p = ctx.config.precision;
    return [{
      name: `config_${ctx.name}`,
      base: 'nnet::dense_config',
      fields: [
        ctype('weight_t', p.weight_t), ctype('bias_t', p.bias_t), ctype('accum_t', p.accum_t),
        cnst('n_in', nIn), cnst('n_out', ctx.params.units), cnst('n_pixels', pixels), cnst('has_bias', ctx.params.bias),
        cnst('reuse_factor', ctx.config.reuseFactor), cnst('strategy', ctx.config.strategy === 'resource' ? 1 : 0),
      ],
    }];
  },
  weightArrays: (ctx) => [denseWeights(ctx), denseBias(ctx)],
  call(ctx, names) {
    const stream = ctx.config.io === 'io_stream';
    const cfg = names.configs[0];
    const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
    return hlsCall(stream ? 'dense_stream' : 'dense', types, [names.inputs[0], names.output, weightName(names, `${ctx.name}_w`), weightName(names, `${ctx.name}_b`)]);
  },
  stream: (ctx) => pixelwiseProgram(ctx as HlsLayerContext<unknown>),
  cost(ctx) {
    // Both io types and strategies: one loop of pixels · RF reuse rounds at II 1 (nnet_dense.h dense_rounds,
    // dense_stream_rounds), each round n_mult multipliers.
    const rounds = outputPixels(ctx as HlsLayerContext<unknown>) * ctx.config.reuseFactor;
    const mac = { kind: 'mac' as const, nOut: ctx.params.units, hasBias: ctx.params.bias && !!ctx.weights.bias, weights: denseWeights(ctx) };
    return { ...mac, loop: { iterations: rounds, ii: 1, looped: rounds > 1, parallelizationFactor: 1 } };
  },
};

/**
 * The weights as the template reads them, round by round (engine/ops/reuse-rounds.ts roundMajorOrder): position k
 * holds output-major weight order[k] = o · n_in + n, i.e. weight[n][o]; at reuse factor 1 that is output-major.
 */
function denseWeights(ctx: HlsLayerContext<DenseP>): HlsWeightArray {
  const p = ctx.config.precision;
  const w = quantizeTensor(ctx.weights.weight, p.weight_t);
  const [nIn, U] = ctx.weights.weight.shape;
  const rf = ctx.config.reuseFactor;
  const order = roundMajorOrder(U, nIn, rf);
  const wo = mantissaArray(nIn * U, p.weight_t);
  for (let k = 0; k < order.length; k++) {
    const o = Math.floor(order[k] / nIn), n = order[k] % nIn;
    setM(wo, k, w.m[n * U + o], p.weight_t);
  }
  const comment = rf > 1 ? `${rf} words of ${(nIn * U) / rf} weights (reuse rounds)` : `[n_out=${U}][n_in=${nIn}] output-major`;
  return { name: `${ctx.name}_w`, type: p.weight_t, m: wo, comment };
}

function denseBias(ctx: HlsLayerContext<DenseP>): HlsWeightArray {
  const p = ctx.config.precision;
  const U = ctx.params.units;
  const b = ctx.params.bias ? quantizeTensor(ctx.weights.bias, p.bias_t).m : mantissaArray(U, p.bias_t);
  return { name: `${ctx.name}_b`, type: p.bias_t, m: b, comment: ctx.params.bias ? `[n_out=${U}]` : 'unused (has_bias = false)' };
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization: scale[c] = gamma / sqrt(var + eps), bias[c] = beta − mean · scale[c] (float64),
// quantized into weight_t / bias_t; y = (res)((accum)(bias) + (accum)(x · scale)).

interface BnP {
  epsilon: number;
  dataFormat: DataFormat;
}

export function batchNormFold(p: BnP, w: Readonly<Record<string, { data: Float32Array }>>): { scale: Float64Array; shift: Float64Array } {
  const C = w.gamma.data.length;
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = w.gamma.data[c] / Math.sqrt(w.variance.data[c] + p.epsilon);
    shift[c] = w.beta.data[c] - w.mean.data[c] * scale[c];
  }
  return { scale, shift };
}

function bnQuantized(p: BnP, weights: Readonly<Record<string, { data: Float32Array }>>, wt: FixedType, bt: FixedType) {
  const { scale, shift } = batchNormFold(p, weights);
  return { s: quantizeArray(scale, wt), b: quantizeArray(shift, bt) };
}

export const batchNormFixed: FixedKernel<BnP> = ({ params, inputs, weights, precision }) => {
  const x: FixedTensor = inputs[0];
  const axis = channelAxis(x.shape.length, params.dataFormat);
  const C = x.shape[axis];
  const inner = stridesOf(x.shape)[axis];
  const { s, b } = bnQuantized(params, weights, precision.weight_t, precision.bias_t);
  const plan = new MacPlan(x.type, precision.weight_t, precision.accum_t, precision.bias_t);
  const res = precision.result_t;
  const out = mantissaArray(x.m.length, res);
  if (plan.fast && x.m instanceof Float64Array && s instanceof Float64Array && b instanceof Float64Array) {
    const toRes = caster(plan.acc, res);
    const start = Array.from(b, (v) => plan.start(v));
    for (let i = 0; i < x.m.length; i++) {
      const c = Math.floor(i / inner) % C;
      setM(out, i, toRes(plan.step(start[c], x.m[i], s[c])), res);
    }
  } else {
    for (let i = 0; i < x.m.length; i++) {
      const c = Math.floor(i / inner) % C;
      setM(out, i, macChain(plan, res, b[c], [x.m[i]], [s[c]]), res);
    }
  }
  return { shape: [...x.shape], type: res, m: out };
};

export const batchNormHls: HlsLayerDef<BnP> = {
  headers: ['nnet_batchnorm.h'],
  usesAccumulator: true,
  // What nnet_batchnorm stores: the folded scale (weight_t) and shift (bias_t), not gamma/beta/mean/variance.
  storedValues(p, weights) {
    const { scale, shift } = batchNormFold(p, weights);
    return [{ field: 'weight_t', what: 'scale', values: scale }, { field: 'bias_t', what: 'shift', values: shift }];
  },
  // One product per value, all in parallel (reuse factor 1); 'auto' accum_t sums one term.
  productBlocks: () => [],
  check: checkInputLayout,
  configStructs(ctx) {
    const { chan, pixels } = streamGeometry(ctx.outputDims, outputLayout(ctx));
    const p = ctx.config.precision;
    return [{
      name: `config_${ctx.name}`,
      base: 'nnet::batchnorm_config',
      fields: [
        ctype('weight_t', p.weight_t), ctype('bias_t', p.bias_t), ctype('accum_t', p.accum_t),
        cnst('n_chan', chan), cnst('n_pixels', pixels), cnst('n_in', chan * pixels),
      ],
    }];
  },
  weightArrays(ctx) {
    const p = ctx.config.precision;
    const { s, b } = bnQuantized(ctx.params, ctx.weights, p.weight_t, p.bias_t);
    return [
      { name: `${ctx.name}_scale`, type: p.weight_t, m: s, comment: 'gamma / sqrt(variance + epsilon)' },
      { name: `${ctx.name}_bias`, type: p.bias_t, m: b, comment: 'beta - mean * scale' },
    ];
  },
  call(ctx, names) {
    const stream = ctx.config.io === 'io_stream';
    const cfg = names.configs[0];
    const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
    return hlsCall(stream ? 'batchnorm_stream' : 'batchnorm', types, [names.inputs[0], names.output, weightName(names, `${ctx.name}_scale`), weightName(names, `${ctx.name}_bias`)]);
  },
  stream: (ctx) => pixelwiseProgram(ctx as HlsLayerContext<unknown>),
  // y = x · scale[c] + bias[c]: a real product by a per-channel constant and an add per value.
  cost: (ctx) => ({ kind: 'elementwise', loop: perPixelLoop(ctx as HlsLayerContext<unknown>), cmpMux: 0, adds: 1, constMults: 1, perChannelConstant: true }),
};
