// Fixed-point kernels and HLS descriptors of ReLU, Linear, LeakyReLU, Sigmoid, Tanh, Selu and Softmax
// (hls-templates/nnet/nnet_activation.h; tables in ./tables.ts).
import { stridesOf } from '../../tensor/tensor';
import type { FixedType } from '../../fixed/types';
import { fixedType, fracBits, mulType } from '../../fixed/types';
import { cast, fromDouble, mul, type Mantissa } from '../../fixed/arith';
import type { CppStruct, FixedKernel, HlsCall, HlsCallNames, HlsLayerContext, HlsLayerDef, HlsWeightArray, LayerCost } from '../hls-layer';
import { perPixelLoop, pixelwiseProgram } from '../schedule';
import type { FixedTensor } from '../../fixed/tensor';
import { normalizeAxis } from '../spatial';
import { hlsCall, caster, cnst, ctype, doubleLiteral, exactSumType, firmwareAxis, inputLayout, mantissaArray, outputLayout, setM, streamGeometry, weightName } from './common';
import {
  DEFAULT_TABLE_TYPE, seluTable, sigmoidTable, softmaxExpTable, softmaxInvTable, tableIndex, tableMantissas, tanhTable, TABLE_SIZE, type TableSpec,
} from './tables';

/** Elementwise: y[i] = f(x[i]) in result_t. */
function mapFixed(x: FixedTensor, res: FixedType, f: (m: Mantissa) => Mantissa): FixedTensor {
  const out = mantissaArray(x.m.length, res);
  for (let i = 0; i < x.m.length; i++) setM(out, i, f(x.m[i]), res);
  return { shape: [...x.shape], type: res, m: out };
}

/** The exact type of a constant slope/scale: 18 bits, enough integer bits for |v|, rounded to nearest. */
export function constantType(v: number): FixedType {
  const a = Math.abs(v);
  const I = a > 0 ? Math.max(1, Math.floor(Math.log2(a)) + 2) : 1;
  return fixedType(18, I, { Q: 'AP_RND_CONV', O: 'AP_SAT' });
}

export const tableType = (p: { table_t?: FixedType }): FixedType => p.table_t ?? DEFAULT_TABLE_TYPE;

// ---------------------------------------------------------------------------------------------
// Descriptors shared by the elementwise activations

interface ElementwiseHls<P> {
  fn: string;
  /** Extra config fields (tables, constant types). */
  fields?(ctx: HlsLayerContext<P>): ReturnType<typeof cnst>[];
  tables?(ctx: HlsLayerContext<P>): { key: string; spec: TableSpec; type: FixedType }[];
  /** Extra leading call arguments (constants). */
  args?(ctx: HlsLayerContext<P>, cfg: string): string[];
  /** What one value costs: compare/select, adds, constant products (ReLU, LeakyReLU), or table lookups. */
  cost: { cmpMux: number; adds: number; constMults: number } | 'table';
}

/** One output value per input value, per pixel in io_stream: the activations' loop. */
function activationCost<P>(ctx: HlsLayerContext<P>, per: ElementwiseHls<P>['cost'], tables = 1): LayerCost {
  const loop = perPixelLoop(ctx as HlsLayerContext<unknown>);
  if (per === 'table') return { kind: 'table', loop, entries: TABLE_SIZE, bits: tableType(ctx.config.precision).W, tables };
  return { kind: 'elementwise', loop, ...per };
}

function elementwiseHls<P>(e: ElementwiseHls<P>): HlsLayerDef<P> {
  const cfgName = (ctx: HlsLayerContext<P>) => `config_${ctx.name}`;
  return {
    headers: ['nnet_activation.h'],
    usesAccumulator: false,
    ...(e.tables ? { usesTable: true } : {}),
    productBlocks: () => [],
    configStructs(ctx): CppStruct[] {
      const { chan, pixels } = streamGeometry(ctx.outputDims, outputLayout(ctx));
      return [{
        name: cfgName(ctx),
        base: 'nnet::activ_config',
        fields: [cnst('n_in', chan * pixels), cnst('n_chan', chan), cnst('n_pixels', pixels), ...(e.fields?.(ctx) ?? [])],
      }];
    },
    weightArrays(ctx): HlsWeightArray[] {
      return (e.tables?.(ctx) ?? []).map((t) => ({
        name: `${ctx.name}_${t.key}`, type: t.type, m: tableMantissas(t.spec, t.type),
        comment: `${t.key}: ${t.spec.size} entries, idx = clamp(floor(x * 2^${t.spec.shift}) + ${t.spec.offset}, 0, ${t.spec.size - 1})`,
      }));
    },
    call(ctx, names: HlsCallNames): HlsCall {
      const stream = ctx.config.io === 'io_stream';
      const cfg = names.configs[0];
      const tables = (e.tables?.(ctx) ?? []).map((t) => weightName(names, `${ctx.name}_${t.key}`));
      const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
      return hlsCall(stream ? `${e.fn}_stream` : e.fn, types, [names.inputs[0], names.output, ...(e.args?.(ctx, cfg) ?? []), ...tables]);
    },
    stream: (ctx) => pixelwiseProgram(ctx as HlsLayerContext<unknown>),
    cost: (ctx) => activationCost(ctx, e.cost),
  };
}

function tableFields(spec: TableSpec, type: FixedType) {
  return [ctype('table_t', type), cnst('table_size', spec.size), cnst('table_shift', spec.shift), cnst('table_offset', spec.offset)];
}

// ---------------------------------------------------------------------------------------------
// ReLU

export const reluFixed: FixedKernel<unknown> = ({ inputs, precision }) => {
  const x = inputs[0];
  const res = precision.result_t;
  const zero = fromDouble(0, res);
  const c = caster(x.type, res);
  return mapFixed(x, res, (m) => (m > 0 ? c(m) : zero));
};
export const reluHls = elementwiseHls<unknown>({ fn: 'relu', cost: { cmpMux: 1, adds: 0, constMults: 0 } });

// ---------------------------------------------------------------------------------------------
// Linear: a cast to result_t

export const linearFixed: FixedKernel<unknown> = ({ inputs, precision }) => {
  const x = inputs[0];
  return mapFixed(x, precision.result_t, caster(x.type, precision.result_t));
};
export const linearHls = elementwiseHls<unknown>({ fn: 'linear', cost: { cmpMux: 0, adds: 0, constMults: 0 } });

// ---------------------------------------------------------------------------------------------
// LeakyReLU: alpha in an 18-bit type (constantType), y = x ≥ 0 ? x : x · alpha

export const leakyReluFixed: FixedKernel<{ alpha: number }> = ({ params, inputs, precision }) => {
  const x = inputs[0];
  const res = precision.result_t;
  const at = constantType(params.alpha);
  const a = fromDouble(params.alpha, at);
  const pos = caster(x.type, res);
  const neg = caster(mulType(x.type, at), res);
  return mapFixed(x, res, (m) => (m >= 0 ? pos(m) : neg(mul(m, x.type, a, at).m)));
};
export const leakyReluHls = elementwiseHls<{ alpha: number }>({
  fn: 'leaky_relu',
  cost: { cmpMux: 1, adds: 0, constMults: 1 },
  fields: (ctx) => [ctype('alpha_t', constantType(ctx.params.alpha))],
  args: (ctx, cfg) => {
    const at = constantType(ctx.params.alpha);
    return [`${cfg}::alpha_t(${doubleLiteral(Number(fromDouble(ctx.params.alpha, at)) * 2 ** -fracBits(at))})`];
  },
});

// ---------------------------------------------------------------------------------------------
// Sigmoid / Tanh: one table lookup

function tableFixed(spec: () => TableSpec): FixedKernel<unknown> {
  return ({ inputs, precision }) => {
    const x = inputs[0];
    const res = precision.result_t;
    const tt = tableType(precision);
    const s = spec();
    const table = tableMantissas(s, tt);
    // The table cast into result_t once (every lookup is (res_T) table[idx]).
    const casted = Array.from({ length: s.size }, (_, i) => cast(table[i], tt, res));
    return mapFixed(x, res, (m) => casted[tableIndex(m, x.type, s)]);
  };
}

function tableHls(fn: string, spec: () => TableSpec): HlsLayerDef<unknown> {
  return elementwiseHls<unknown>({
    fn,
    cost: 'table',
    fields: (ctx) => tableFields(spec(), tableType(ctx.config.precision)),
    tables: (ctx) => [{ key: 'table', spec: spec(), type: tableType(ctx.config.precision) }],
  });
}

export const sigmoidFixed = tableFixed(sigmoidTable);
export const sigmoidHls = tableHls('sigmoid', sigmoidTable);
export const tanhFixed = tableFixed(tanhTable);
export const tanhHls = tableHls('tanh', tanhTable);

// ---------------------------------------------------------------------------------------------
// Selu: x ≥ 0 → x · gamma (gamma in constantType); x < 0 → table over [−8, 0)

interface SeluP {
  alpha: number;
  gamma: number;
}

export const seluFixed: FixedKernel<SeluP> = ({ params, inputs, precision }) => {
  const x = inputs[0];
  const res = precision.result_t;
  const tt = tableType(precision);
  const spec = seluTable(params.alpha, params.gamma);
  const table = tableMantissas(spec, tt);
  const gt = constantType(params.gamma);
  const g = fromDouble(params.gamma, gt);
  return mapFixed(x, res, (m) => {
    if (m >= 0) {
      const p = mul(m, x.type, g, gt);
      return cast(p.m, p.t, res);
    }
    return cast(table[tableIndex(m, x.type, spec)], tt, res);
  });
};
export const seluHls = elementwiseHls<SeluP>({
  fn: 'selu',
  cost: 'table',
  fields: (ctx) => [ctype('alpha_t', constantType(ctx.params.gamma)), ...tableFields(seluTable(ctx.params.alpha, ctx.params.gamma), tableType(ctx.config.precision))],
  tables: (ctx) => [{ key: 'table', spec: seluTable(ctx.params.alpha, ctx.params.gamma), type: tableType(ctx.config.precision) }],
  args: (ctx, cfg) => {
    const gt = constantType(ctx.params.gamma);
    return [`${cfg}::alpha_t(${doubleLiteral(Number(fromDouble(ctx.params.gamma, gt)) * 2 ** -fracBits(gt))})`];
  },
});

// ---------------------------------------------------------------------------------------------
// Softmax along one axis (the last firmware axis in hardware)

export const softmaxFixed: FixedKernel<{ axis: number }> = ({ params, inputs, precision }) => {
  const x = inputs[0];
  const res = precision.result_t;
  const tt = tableType(precision);
  const axis = normalizeAxis(params.axis, x.shape.length)!;
  const len = x.shape[axis];
  const stride = stridesOf(x.shape)[axis];
  const outer = x.m.length / (len * stride);
  const expSpec = softmaxExpTable();
  const invSpec = softmaxInvTable(len);
  const expT = tableMantissas(expSpec, tt);
  const invT = tableMantissas(invSpec, tt);
  const sumT = exactSumType(tt, len);
  const out = mantissaArray(x.m.length, res);
  const e: Mantissa[] = new Array<Mantissa>(len);
  const big = typeof expT[0] === 'bigint';
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < stride; i++) {
      const base = o * len * stride + i;
      let mx = x.m[base];
      for (let k = 1; k < len; k++) if (x.m[base + k * stride] > mx) mx = x.m[base + k * stride];
      let s: Mantissa = big ? 0n : 0;
      for (let k = 0; k < len; k++) {
        const xm = x.m[base + k * stride];
        const d = typeof mx === 'bigint' || typeof xm === 'bigint' ? BigInt(mx) - BigInt(xm) : mx - xm;
        e[k] = expT[tableIndex(d, x.type, expSpec)];
        s = typeof s === 'bigint' ? s + BigInt(e[k]) : s + (e[k] as number);
      }
      const inv = invT[tableIndex(s, sumT, invSpec)];
      for (let k = 0; k < len; k++) {
        const p = mul(e[k], tt, inv, tt);
        setM(out, base + k * stride, cast(p.m, p.t, res), res);
      }
    }
  }
  return { shape: [...x.shape], type: res, m: out };
};

export const softmaxHls: HlsLayerDef<{ axis: number }> = {
  headers: ['nnet_activation.h'],
  usesAccumulator: false,
  usesTable: true,
  productBlocks: () => [],
  check(ctx, sink) {
    const rank = ctx.inputShapes[0].length;
    const axis = normalizeAxis(ctx.params.axis, rank);
    if (axis === null) return;
    const layout = inputLayout(ctx);
    const fw = firmwareAxis(axis, rank, layout);
    const dims = ctx.inputDims[0];
    if (fw !== dims.length - 1) {
      sink.error(
        'hls-softmax-axis', 'axis', ctx.params.axis,
        `in hardware Softmax runs along the last firmware axis (the channels: axis ${layout === 'NCX' && rank >= 3 ? 1 : rank - 1} of this ${layout} input)`,
        'softmax over the channel axis, or add a Transpose before it',
      );
    }
    const n = ctx.inputShapes[0][axis];
    if (n > TABLE_SIZE) sink.error('hls-softmax-size', 'axis', ctx.params.axis, `at most ${TABLE_SIZE} values per softmax (the 1/x table covers sums up to ${TABLE_SIZE})`, 'softmax over a shorter axis');
  },
  configStructs(ctx) {
    const { chan, pixels } = streamGeometry(ctx.outputDims, outputLayout(ctx));
    const tt = tableType(ctx.config.precision);
    const inv = softmaxInvTable(chan);
    const exp = softmaxExpTable();
    return [{
      name: `config_${ctx.name}`,
      base: 'nnet::softmax_config',
      fields: [
        cnst('n_in', chan), cnst('n_pixels', pixels),
        ctype('exp_table_t', tt), ctype('inv_table_t', tt), ctype('sum_t', exactSumType(tt, chan)),
        cnst('exp_table_size', exp.size), cnst('exp_table_shift', exp.shift), cnst('inv_table_size', inv.size), cnst('inv_table_shift', inv.shift),
      ],
    }];
  },
  weightArrays(ctx) {
    const { chan } = streamGeometry(ctx.outputDims, outputLayout(ctx));
    const tt = tableType(ctx.config.precision);
    return [
      { name: `${ctx.name}_exp_table`, type: tt, m: tableMantissas(softmaxExpTable(), tt), comment: 'exp(-i/128), i < 1024: index floor((max - x) * 128)' },
      { name: `${ctx.name}_inv_table`, type: tt, m: tableMantissas(softmaxInvTable(chan), tt), comment: '1/x over [0, 2^r), 2^r >= n: index floor(sum * 2^shift)' },
    ];
  },
  call(ctx, names) {
    const stream = ctx.config.io === 'io_stream';
    const cfg = names.configs[0];
    const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
    return hlsCall(stream ? 'softmax_stream' : 'softmax', types, [
      names.inputs[0], names.output, weightName(names, `${ctx.name}_exp_table`), weightName(names, `${ctx.name}_inv_table`),
    ]);
  },
  stream: (ctx) => pixelwiseProgram(ctx as HlsLayerContext<unknown>),
  // Two lookups per value (exp, then 1/sum).
  cost: (ctx) => activationCost(ctx, 'table', 2),
};
