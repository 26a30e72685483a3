// Keras layers → Tessera nodes. Tensors keep Keras' own layout (channels_last stays N…C, so Flatten and
// Dense see the features in Keras' order; channels_first stays NC…), and each spatial op gets the
// matching dataFormat. Every config argument is either read, on the list of training-only arguments,
// or refused with an error naming the layer and the argument.
import { displayNameOf } from '../../safety/rules';
import { DiagnosticSink, TesseraError, makeDiagnostic, type Diagnostic } from '../../diagnostics/diagnostics';
import type { GraphEdge, GraphNode, WeightMap } from '../../graph/model';
import { CURRENT_GRAPH_VERSION } from '../../graph/schema';
import { fromKeras } from '../../ops/conv/conventions';
import { getOp } from '../../ops/registry';
import { isPowerOfTwo } from '../../ops/resize';
import { WEIGHT_LAYOUTS, weightToCanonical } from '../../tensor/layouts';
import type { Tensor } from '../../tensor/tensor';
import type { PrecisionSpec } from '../../fixed/precision';
import type { KerasLayer } from './config';
import type { H5Dataset } from './hdf5';
import { MAX_WEIGHT_BITS, parseQuantizer, po2Fit, quantizePo2, type QuantizerType } from './qkeras';
import type { WeightSource } from './weights';

/** A tensor in the graph being built: the node producing it and its shape (batch included). */
export interface TRef {
  id: string;
  shape: number[];
}

type DataFormat = 'NCX' | 'NXC';

/** Arguments that only matter for training (or are bookkeeping); read and ignored everywhere. */
const IGNORED = new Set([
  'name', 'trainable', 'dtype', 'dtype_policy', 'autocast', 'seed',
  'kernel_initializer', 'bias_initializer', 'depthwise_initializer', 'gamma_initializer', 'beta_initializer',
  'moving_mean_initializer', 'moving_variance_initializer',
  'kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'depthwise_regularizer', 'gamma_regularizer', 'beta_regularizer',
  'kernel_constraint', 'bias_constraint', 'depthwise_constraint', 'gamma_constraint', 'beta_constraint',
  'pointwise_initializer', 'pointwise_regularizer', 'pointwise_constraint',
  'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size', 'input_dim',
  'momentum', 'fused', 'synchronized', 'renorm_clipping', 'renorm_momentum',
  'lora_alpha',
  // QKeras legacy no-ops
  'kernel_range', 'bias_range',
]);

/** Reads one layer's config, remembering what was read; finish() refuses anything left over. */
export class LayerArgs {
  private readonly used = new Set<string>();
  constructor(readonly layer: KerasLayer) {}

  get where(): string {
    return `layer '${this.layer.name}' (${this.layer.className})`;
  }

  get(key: string): unknown {
    this.used.add(key);
    return this.layer.config[key];
  }

  has(key: string): boolean {
    return this.layer.config[key] !== undefined && this.layer.config[key] !== null;
  }

  /** Refuses any value but the listed ones (undefined and null are always accepted as "default"). */
  only(key: string, ...allowed: unknown[]): unknown {
    const v = this.get(key);
    if (v === undefined || v === null) return v;
    if (!allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) this.refuse(key, v, `only ${allowed.map((a) => JSON.stringify(a)).join(' or ')} is supported`);
    return v;
  }

  refuse(key: string, value: unknown, why: string): never {
    throw new TesseraError(`${this.where}: argument ${key} = ${JSON.stringify(value)?.slice(0, 80)} is not supported (${why}); change it in the model or remove the layer`);
  }

  fail(why: string): never {
    throw new TesseraError(`${this.where}: ${why}`);
  }

  finish(): void {
    for (const [k, v] of Object.entries(this.layer.config)) {
      if (this.used.has(k) || IGNORED.has(k)) continue;
      this.refuse(k, v, 'Tessera does not know this argument, so the layer could compute differently');
    }
  }
}

function intList(args: LayerArgs, key: string, rank: number, dflt?: number | null): number[] | null {
  const v = args.get(key);
  if (v === undefined || v === null) return dflt === undefined || dflt === null ? null : new Array<number>(rank).fill(dflt);
  const arr: unknown[] = Array.isArray(v) ? [...v] : [v];
  if (arr.length === 1 && rank > 1) for (let i = 1; i < rank; i++) arr.push(arr[0]);
  if (arr.length !== rank || !arr.every((x) => Number.isInteger(x))) args.refuse(key, v, `expected ${rank} integer${rank > 1 ? 's' : ''}`);
  return arr as number[];
}

function dataFormatOf(args: LayerArgs): DataFormat {
  const v = args.get('data_format');
  if (v === undefined || v === null || v === 'channels_last') return 'NXC';
  if (v === 'channels_first') return 'NCX';
  return args.refuse('data_format', v, "expected 'channels_last' or 'channels_first'");
}

const spatialOf = (shape: number[], fmt: DataFormat) => (fmt === 'NCX' ? shape.slice(2) : shape.slice(1, -1));
const channelsOf = (shape: number[], fmt: DataFormat) => (fmt === 'NCX' ? shape[1] : shape[shape.length - 1]);

function checkFloatDataset(args: LayerArgs, name: string, d: H5Dataset): void {
  if (d.attrs.dtype === 'bfloat16' || !/^[<>|=]?[fd]$/.test(d.dtype))
    args.fail(`weight '${name}' is stored as ${d.attrs.dtype === 'bfloat16' ? 'bfloat16' : `dtype '${d.dtype}'`}; only float32/float64 weights are imported (save the model in float32)`);
}

function tensorOf(args: LayerArgs, name: string, d: H5Dataset, want: number[]): Tensor {
  checkFloatDataset(args, name, d);
  if (d.shape.length !== want.length || d.shape.some((s, i) => s !== want[i]))
    args.fail(`weight '${name}' has shape [${d.shape.join(', ')}] but this layer on its input needs [${want.join(', ')}]: the weights do not belong to this config`);
  return { shape: [...d.shape], data: Float32Array.from(d.data) };
}

/** Builds the graph: nodes, edges, weights, precision annotations, conversion notes. */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly weights: WeightMap = {};
  readonly precisions: Record<string, PrecisionSpec> = {};
  readonly notes: Diagnostic[] = [];
  private readonly names = new Set<string>();
  private readonly consumers = new Map<string, number>();

  graph() {
    return { version: CURRENT_GRAPH_VERSION, nodes: this.nodes, edges: this.edges };
  }

  uniqueName(raw: string): string {
    const base = displayNameOf(raw);
    if (!this.names.has(base)) return base;
    for (let i = 1; ; i++) if (!this.names.has(`${base}_${i}`)) return `${base}_${i}`;
  }

  nodeName(id: string): string {
    return this.nodes.find((n) => n.id === id)?.name ?? id;
  }

  consumerCount(id: string): number {
    return this.consumers.get(id) ?? 0;
  }

  /** Adds a node of `type`, checks it with the op's own rules and returns its output. */
  add(where: string, type: string, name: string, params: Record<string, unknown>, inputs: TRef[], weights?: Record<string, Tensor>): TRef {
    const op = getOp(type);
    if (!op) throw new TesseraError(`${where}: op ${type} is not registered (internal error)`);
    const parsed = op.params.safeParse(params);
    if (!parsed.success) throw new TesseraError(`${where}: parameters ${JSON.stringify(params).slice(0, 120)} do not fit ${type} (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const p = parsed.data as Record<string, unknown>;
    const id = `n${this.nodes.length + 1}`;
    const nodeName = this.uniqueName(name);
    const sink = new DiagnosticSink(id, nodeName);
    const shapes = inputs.map((t) => t.shape);
    const out = op.infer(p, shapes, sink);
    const err = sink.items.find((d) => d.severity === 'error');
    if (!out || err) throw new TesseraError(`${where}: ${err?.message ?? 'the layer does not fit its input'}`);
    if (weights) {
      for (const slot of op.weights(p, shapes)) {
        const t = weights[slot.name];
        if (!t) throw new TesseraError(`${where}: weight ${slot.name} is missing`);
        if (t.shape.length !== slot.shape.length || t.shape.some((s, i) => s !== slot.shape[i]))
          throw new TesseraError(`${where}: weight ${slot.name} has shape [${t.shape.join(', ')}], ${type} needs [${slot.shape.join(', ')}] (${slot.layout})`);
      }
      this.weights[id] = weights;
    }
    this.names.add(nodeName);
    this.nodes.push({ id, type, name: nodeName, params: p });
    inputs.forEach((t, i) => {
      this.edges.push({ id: `e${this.edges.length + 1}`, source: t.id, sourcePort: 0, target: id, targetPort: i });
      this.consumers.set(t.id, (this.consumers.get(t.id) ?? 0) + 1);
    });
    return { id, shape: [...out] };
  }

  setPrecision(id: string, field: keyof PrecisionSpec, type: string): void {
    const cur = (this.precisions[id] ??= {});
    cur[field] = type;
  }
}

// ------------------------------------------------------------------------------------ activations

const ACTIVATIONS: Record<string, { type: string; params: Record<string, unknown> } | null> = {
  linear: null,
  relu: { type: 'ReLU', params: {} },
  sigmoid: { type: 'Sigmoid', params: {} },
  tanh: { type: 'Tanh', params: {} },
  softmax: { type: 'Softmax', params: { axis: -1 } },
  selu: { type: 'Selu', params: {} },
  // keras.activations.leaky_relu(x, negative_slope=0.2)
  leaky_relu: { type: 'LeakyReLU', params: { alpha: 0.2 } },
};

/** The activation's name from a string or a serialized function ({class_name: 'function', config: 'relu'}). */
function activationName(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.config === 'string') return o.config;
    if (typeof o.registered_name === 'string') return o.registered_name;
    if (typeof o.class_name === 'string' && o.class_name !== 'function') return o.class_name;
  }
  return JSON.stringify(v);
}

const isQuantizerSpec = (v: unknown): boolean =>
  (typeof v === 'string' && /^\s*(quantized_|binary|ternary|stochastic_|bernoulli)/.test(v)) ||
  (typeof v === 'object' && v !== null && typeof (v as any).class_name === 'string' && /^(quantized_|binary|ternary|stochastic_|bernoulli)/.test((v as any).class_name));

/**
 * Applies a layer's activation argument (or an Activation layer's) after `x`. QKeras quantizers become a
 * ReLU (quantized_relu) or nothing (quantized_bits) plus a result_t precision.
 */
function applyActivation(b: GraphBuilder, args: LayerArgs, key: string, x: TRef, baseName: string, standalone: boolean): TRef {
  const v = args.get(key);
  if (isQuantizerSpec(v)) {
    const q = parseQuantizer(v, `${args.where} ${key}`) as QuantizerType;
    if (q.kind === 'po2') args.refuse(key, v, 'quantized_po2 on computed data rounds to powers of two, which no fixed-point type does; Tessera maps it on kernels and biases');
    if (q.kind === 'relu') {
      const y = b.add(args.where, 'ReLU', standalone ? baseName : `${baseName}_relu`, {}, [x]);
      b.setPrecision(y.id, 'result_t', q.type);
      return y;
    }
    if (standalone && b.consumerCount(x.id) > 0)
      b.notes.push(makeDiagnostic({
        severity: 'warning', code: 'keras-quantizer-shared', nodeId: x.id, nodeName: b.nodeName(x.id), field: 'precision.result_t', value: q.type,
        rule: `the quantizer of ${args.where} applies to one consumer only`, fix: 'the output precision was set on the producing layer and applies to all its consumers; check the other branches',
      }));
    b.setPrecision(x.id, 'result_t', q.type);
    return x;
  }
  const name = activationName(v);
  if (name === null) return x;
  if (!(name in ACTIVATIONS)) args.refuse(key, v, `supported activations: ${Object.keys(ACTIVATIONS).join(', ')}`);
  const a = ACTIVATIONS[name];
  if (!a) return x;
  return b.add(args.where, a.type, standalone ? baseName : `${baseName}_${name}`, a.params, [x]);
}

// ----------------------------------------------------------------------------------------- layers

export interface LayerContext {
  b: GraphBuilder;
  weights: WeightSource;
}

type Converter = (ctx: LayerContext, args: LayerArgs, inputs: TRef[]) => TRef;

function one(args: LayerArgs, inputs: TRef[]): TRef {
  if (inputs.length !== 1) args.fail(`takes one input, got ${inputs.length}`);
  return inputs[0];
}

function quantizers(ctx: LayerContext, args: LayerArgs, id: string, kernelKey: string, useBias: boolean): void {
  const kq = parseQuantizer(args.get(kernelKey), `${args.where} ${kernelKey}`);
  if (kq) ctx.b.setPrecision(id, 'weight_t', weightType(ctx, id, 'weight', kq));
  const bq = parseQuantizer(args.get('bias_quantizer'), `${args.where} bias_quantizer`);
  if (bq && useBias) ctx.b.setPrecision(id, 'bias_t', weightType(ctx, id, 'bias', bq));
}

/**
 * A weight quantizer's type. quantized_po2 is no fixed-point rounding: its powers of two are computed here, as
 * QKeras' forward pass does, and the type is the narrowest that holds them exactly (the float preview and the
 * fixed-point run then both use them).
 */
function weightType(ctx: LayerContext, id: string, slot: 'weight' | 'bias', q: QuantizerType): string {
  if (q.kind !== 'po2') return q.type;
  const w = ctx.b.weights[id][slot];
  const fit = po2Fit(Float32Array.from(w.data, (v) => quantizePo2(v, q.po2!)));
  ctx.b.weights[id][slot] = { shape: [...w.shape], data: fit.data };
  if (fit.flushed)
    ctx.b.notes.push(makeDiagnostic({
      severity: 'warning', code: 'qkeras-po2-flushed', nodeId: id, nodeName: ctx.b.nodeName(id), field: `precision.${slot}_t`, value: fit.type,
      rule: `${fit.flushed} ${slot} value(s) below 2^${fit.cutoff} (QKeras gives |x| < 1e-7 its smallest power of two) were set to 0, as no type of at most ${MAX_WEIGHT_BITS} bits holds them beside the largest`,
      fix: `the change is below 2^${fit.cutoff}; give quantized_po2 a max_value or fewer bits to narrow the exponent range`,
    }));
  return fit.type;
}

function convLayer(rank: 1 | 2, transpose: boolean, depthwise: boolean, quantized: boolean): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    if (x.shape.length !== rank + 2) args.fail(`needs a rank-${rank + 2} input (batch, ${rank} spatial axes, channels), got [${x.shape.slice(1).join(', ')}] per item`);
    const fmt = dataFormatOf(args);
    const cin = channelsOf(x.shape, fmt);
    const kernel = intList(args, 'kernel_size', rank)!;
    if (!kernel) args.fail('has no kernel_size');
    const strides = intList(args, 'strides', rank, 1)!;
    const dilation = intList(args, 'dilation_rate', rank, 1)!;
    const padding = args.get('padding') ?? 'valid';
    if (padding !== 'valid' && padding !== 'same' && !(padding === 'causal' && rank === 1 && !transpose && !depthwise))
      args.refuse('padding', padding, "expected 'valid' or 'same'" + (rank === 1 ? " (or 'causal' for Conv1D)" : ''));
    const useBias = args.get('use_bias') !== false;
    args.only('lora_rank');
    args.only('quantization_config');
    let filters: number;
    let groups = 1;
    let outputPadding: number[] | null = null;
    if (depthwise) {
      args.only('groups', 1);
      const dm = args.get('depth_multiplier') ?? 1;
      if (!Number.isInteger(dm) || (dm as number) < 1) args.refuse('depth_multiplier', dm, 'a positive integer is needed');
      filters = cin * (dm as number);
      groups = cin;
    } else {
      const f = args.get('filters');
      if (!Number.isInteger(f) || (f as number) < 1) args.refuse('filters', f, 'a positive integer is needed');
      filters = f as number;
      if (transpose) {
        outputPadding = intList(args, 'output_padding', rank, null);
        if (args.has('groups')) args.only('groups', 1);
      } else {
        const g = args.get('groups') ?? 1;
        if (!Number.isInteger(g) || (g as number) < 1) args.refuse('groups', g, 'a positive integer is needed');
        groups = g as number;
        if (cin % groups !== 0) args.refuse('groups', g, `the input has ${cin} channels, not divisible by groups`);
      }
    }
    let params;
    try {
      params = fromKeras(rank, transpose, {
        filters, kernelSize: kernel, strides, dilationRate: dilation, padding: padding as 'valid' | 'same' | 'causal',
        outputPadding, groups, useBias, dataFormat: fmt === 'NXC' ? 'channels_last' : 'channels_first',
      });
    } catch (err) {
      return args.fail(err instanceof Error ? err.message : String(err));
    }
    const kernelKey = depthwise && quantized ? 'depthwise_quantizer' : 'kernel_quantizer';
    const expected = useBias ? ['kernel', 'bias'] : ['kernel'];
    const ws = ctx.weights.layer(args.layer, expected);
    let w: Tensor;
    if (depthwise) {
      const dm = filters / cin;
      const k = tensorOf(args, 'kernel', ws.kernel, [...kernel, cin, dm]);
      // (k…, Cin, dm) is (k…, 1, Cin·dm) in memory with output channel c·dm + m: Keras XIO with Cin/g = 1.
      w = weightToCanonical({ shape: [...kernel, 1, filters], data: k.data }, 'conv', WEIGHT_LAYOUTS.conv.keras, groups);
    } else if (transpose) {
      const k = tensorOf(args, 'kernel', ws.kernel, [...kernel, filters, cin]);
      w = weightToCanonical(k, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.keras, 1);
    } else {
      const k = tensorOf(args, 'kernel', ws.kernel, [...kernel, cin / groups, filters]);
      w = weightToCanonical(k, 'conv', WEIGHT_LAYOUTS.conv.keras, groups);
    }
    const weights: Record<string, Tensor> = { weight: w };
    if (useBias) weights.bias = tensorOf(args, 'bias', ws.bias, [filters]);
    const type = `${transpose ? 'ConvTranspose' : 'Conv'}${rank}D`;
    const y = ctx.b.add(args.where, type, args.layer.name, params as unknown as Record<string, unknown>, [x], weights);
    if (quantized) quantizers(ctx, args, y.id, kernelKey, useBias);
    return applyActivation(ctx.b, args, 'activation', y, args.layer.name, false);
  };
}

/** SeparableConv: a depthwise conv (groups = Cin, strides, padding, dilation) then a 1×1 pointwise conv with the bias. */
function separableConv(rank: 1 | 2): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    if (x.shape.length !== rank + 2) args.fail(`needs a rank-${rank + 2} input (batch, ${rank} spatial axes, channels), got [${x.shape.slice(1).join(', ')}] per item`);
    const fmt = dataFormatOf(args);
    const cin = channelsOf(x.shape, fmt);
    const kernel = intList(args, 'kernel_size', rank);
    if (!kernel) return args.fail('has no kernel_size');
    const strides = intList(args, 'strides', rank, 1)!;
    const dilation = intList(args, 'dilation_rate', rank, 1)!;
    const padding = args.get('padding') ?? 'valid';
    if (padding !== 'valid' && padding !== 'same' && !(padding === 'causal' && rank === 1)) args.refuse('padding', padding, "expected 'valid' or 'same'");
    const dm = args.get('depth_multiplier') ?? 1;
    if (!Number.isInteger(dm) || (dm as number) < 1) args.refuse('depth_multiplier', dm, 'a positive integer is needed');
    const filters = args.get('filters');
    if (!Number.isInteger(filters) || (filters as number) < 1) args.refuse('filters', filters, 'a positive integer is needed');
    args.only('groups', 1);
    const useBias = args.get('use_bias') !== false;
    const dataFormat = fmt === 'NXC' ? 'channels_last' : 'channels_first';
    const mid = cin * (dm as number);
    let dwParams, pwParams;
    try {
      dwParams = fromKeras(rank, false, { filters: mid, kernelSize: kernel, strides, dilationRate: dilation, padding: padding as 'valid' | 'same' | 'causal', groups: cin, useBias: false, dataFormat });
      pwParams = fromKeras(rank, false, { filters: filters as number, kernelSize: new Array<number>(rank).fill(1), useBias, dataFormat });
    } catch (err) {
      return args.fail(err instanceof Error ? err.message : String(err));
    }
    const ws = ctx.weights.layer(args.layer, useBias ? ['depthwise_kernel', 'pointwise_kernel', 'bias'] : ['depthwise_kernel', 'pointwise_kernel']);
    const dk = tensorOf(args, 'depthwise_kernel', ws.depthwise_kernel, [...kernel, cin, dm as number]);
    const pk = tensorOf(args, 'pointwise_kernel', ws.pointwise_kernel, [...new Array<number>(rank).fill(1), mid, filters as number]);
    const dw = ctx.b.add(args.where, `Conv${rank}D`, `${args.layer.name}_depthwise`, dwParams as unknown as Record<string, unknown>, [x],
      { weight: weightToCanonical({ shape: [...kernel, 1, mid], data: dk.data }, 'conv', WEIGHT_LAYOUTS.conv.keras, cin) });
    const pw: Record<string, Tensor> = { weight: weightToCanonical(pk, 'conv', WEIGHT_LAYOUTS.conv.keras, 1) };
    if (useBias) pw.bias = tensorOf(args, 'bias', ws.bias, [filters as number]);
    const y = ctx.b.add(args.where, `Conv${rank}D`, args.layer.name, pwParams as unknown as Record<string, unknown>, [dw], pw);
    return applyActivation(ctx.b, args, 'activation', y, args.layer.name, false);
  };
}

const dense = (quantized: boolean): Converter => (ctx, args, inputs) => {
  const x = one(args, inputs);
  const units = args.get('units');
  if (!Number.isInteger(units) || (units as number) < 1) args.refuse('units', units, 'a positive integer is needed');
  const useBias = args.get('use_bias') !== false;
  args.only('lora_rank');
  args.only('quantization_config');
  const inSize = x.shape[x.shape.length - 1];
  const ws = ctx.weights.layer(args.layer, useBias ? ['kernel', 'bias'] : ['kernel']);
  const weights: Record<string, Tensor> = { weight: tensorOf(args, 'kernel', ws.kernel, [inSize, units as number]) };
  if (useBias) weights.bias = tensorOf(args, 'bias', ws.bias, [units as number]);
  const y = ctx.b.add(args.where, 'Dense', args.layer.name, { units, bias: useBias }, [x], weights);
  if (quantized) quantizers(ctx, args, y.id, 'kernel_quantizer', useBias);
  return applyActivation(ctx.b, args, 'activation', y, args.layer.name, false);
};

const batchNorm: Converter = (ctx, args, inputs) => {
  const x = one(args, inputs);
  const r = x.shape.length;
  let axis = args.get('axis') ?? -1;
  if (Array.isArray(axis)) {
    if (axis.length !== 1) args.refuse('axis', axis, 'normalizing over several axes is not supported');
    axis = axis[0];
  }
  if (!Number.isInteger(axis)) args.refuse('axis', axis, 'an integer axis is needed');
  const a = (axis as number) < 0 ? (axis as number) + r : (axis as number);
  let fmt: DataFormat;
  if (a === r - 1) fmt = 'NXC';
  else if (a === 1) fmt = 'NCX';
  else return args.refuse('axis', axis, `Tessera normalizes over the channel axis (1 or ${r - 1} for this rank-${r} input)`);
  const eps = args.get('epsilon') ?? 1e-3;
  if (typeof eps !== 'number' || !(eps > 0)) args.refuse('epsilon', eps, 'a positive number is needed');
  const center = args.get('center') !== false;
  const scale = args.get('scale') !== false;
  args.only('renorm', false);
  args.only('virtual_batch_size');
  args.only('adjustment');
  const C = x.shape[a];
  const expected = [...(scale ? ['gamma'] : []), ...(center ? ['beta'] : []), 'moving_mean', 'moving_variance'];
  const ws = ctx.weights.layer(args.layer, expected);
  const weights: Record<string, Tensor> = {
    gamma: scale ? tensorOf(args, 'gamma', ws.gamma, [C]) : { shape: [C], data: new Float32Array(C).fill(1) },
    beta: center ? tensorOf(args, 'beta', ws.beta, [C]) : { shape: [C], data: new Float32Array(C) },
    mean: tensorOf(args, 'moving_mean', ws.moving_mean, [C]),
    variance: tensorOf(args, 'moving_variance', ws.moving_variance, [C]),
  };
  return ctx.b.add(args.where, 'BatchNormalization', args.layer.name, { epsilon: eps, dataFormat: fmt }, [x], weights);
};

function pool(rank: 1 | 2, mode: 'max' | 'avg'): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    if (x.shape.length !== rank + 2) args.fail(`needs a rank-${rank + 2} input, got [${x.shape.slice(1).join(', ')}] per item`);
    const fmt = dataFormatOf(args);
    const k = intList(args, 'pool_size', rank, 2)!;
    const s = intList(args, 'strides', rank, null) ?? k;
    const padding = args.get('padding') ?? 'valid';
    const sizes = spatialOf(x.shape, fmt);
    const pb = new Array<number>(rank).fill(0);
    const pe = new Array<number>(rank).fill(0);
    if (padding === 'same') {
      for (let i = 0; i < rank; i++) {
        const out = Math.ceil(sizes[i] / s[i]);
        const total = Math.max((out - 1) * s[i] + k[i] - sizes[i], 0);
        pb[i] = Math.floor(total / 2);
        pe[i] = total - pb[i];
      }
    } else if (padding !== 'valid') args.refuse('padding', padding, "expected 'valid' or 'same'");
    const params: Record<string, unknown> = { kernel: k, stride: s, padsBegin: pb, padsEnd: pe, dataFormat: fmt, ceilMode: false };
    if (mode === 'avg') params.countIncludePad = false;
    return ctx.b.add(args.where, mode === 'max' ? 'MaxPool' : 'AveragePool', args.layer.name, params, [x]);
  };
}

function globalPool(rank: 1 | 2, mode: 'max' | 'avg'): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    if (x.shape.length !== rank + 2) args.fail(`needs a rank-${rank + 2} input, got [${x.shape.slice(1).join(', ')}] per item`);
    const fmt = dataFormatOf(args);
    const keep = args.get('keepdims') === true;
    const sizes = spatialOf(x.shape, fmt);
    const params: Record<string, unknown> = { kernel: sizes, stride: sizes, padsBegin: sizes.map(() => 0), padsEnd: sizes.map(() => 0), dataFormat: fmt, ceilMode: false };
    if (mode === 'avg') params.countIncludePad = false;
    const y = ctx.b.add(args.where, mode === 'max' ? 'MaxPool' : 'AveragePool', args.layer.name, params, [x]);
    return keep ? y : ctx.b.add(args.where, 'Flatten', `${args.layer.name}_flatten`, { axis: 1 }, [y]);
  };
}

function upSampling(rank: 1 | 2): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    const fmt = rank === 1 ? (args.has('data_format') ? dataFormatOf(args) : 'NXC') : dataFormatOf(args);
    const size = intList(args, 'size', rank, 2)!;
    // Keras bilinear (tf.image.resize, half-pixel centres) is Tessera's Resize; nearest is UpSampling.
    if (rank === 2 && args.only('interpolation', 'nearest', 'bilinear') === 'bilinear') {
      if (!size.every(isPowerOfTwo)) args.refuse('size', size, 'a bilinear size is a power of two in Tessera (exact fixed-point weights)');
      return ctx.b.add(args.where, 'Resize', args.layer.name, { scale: size, mode: 'bilinear', dataFormat: fmt }, [x]);
    }
    return ctx.b.add(args.where, 'UpSampling', args.layer.name, { scale: size, dataFormat: fmt }, [x]);
  };
}

function zeroPadding(rank: 1 | 2): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    const fmt = rank === 1 ? (args.has('data_format') ? dataFormatOf(args) : 'NXC') : dataFormatOf(args);
    const v = args.get('padding') ?? 1;
    const pb: number[] = [], pe: number[] = [];
    const isInt = (n: unknown): n is number => Number.isInteger(n);
    if (isInt(v)) {
      pb.push(...new Array<number>(rank).fill(v));
      pe.push(...new Array<number>(rank).fill(v));
    } else if (rank === 1 && Array.isArray(v) && v.length === 2 && v.every(isInt)) {
      pb.push(v[0]);
      pe.push(v[1]);
    } else if (rank === 2 && Array.isArray(v) && v.length === 2 && v.every(isInt)) {
      pb.push(v[0], v[1]);
      pe.push(v[0], v[1]);
    } else if (rank === 2 && Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isInt))) {
      pb.push(v[0][0], v[1][0]);
      pe.push(v[0][1], v[1][1]);
    } else args.refuse('padding', v, rank === 1 ? 'expected an int or (left, right)' : 'expected an int, (h, w) or ((top, bottom), (left, right))');
    return ctx.b.add(args.where, 'ZeroPadding', args.layer.name, { padsBegin: pb, padsEnd: pe, dataFormat: fmt }, [x]);
  };
}

function cropping(rank: 1 | 2): Converter {
  return (ctx, args, inputs) => {
    const x = one(args, inputs);
    const fmt = rank === 1 ? (args.has('data_format') ? dataFormatOf(args) : 'NXC') : dataFormatOf(args);
    // Keras' defaults: Cropping1D (1, 1), Cropping2D ((0, 0), (0, 0)).
    const v = args.get('cropping') ?? (rank === 1 ? 1 : 0);
    const cb: number[] = [], ce: number[] = [];
    const isInt = (n: unknown): n is number => Number.isInteger(n);
    if (isInt(v)) {
      cb.push(...new Array<number>(rank).fill(v));
      ce.push(...new Array<number>(rank).fill(v));
    } else if (rank === 1 && Array.isArray(v) && v.length === 2 && v.every(isInt)) {
      cb.push(v[0]);
      ce.push(v[1]);
    } else if (rank === 2 && Array.isArray(v) && v.length === 2 && v.every(isInt)) {
      cb.push(v[0], v[1]);
      ce.push(v[0], v[1]);
    } else if (rank === 2 && Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isInt))) {
      cb.push(v[0][0], v[1][0]);
      ce.push(v[0][1], v[1][1]);
    } else args.refuse('cropping', v, rank === 1 ? 'expected an int or (start, end)' : 'expected an int, (h, w) or ((top, bottom), (left, right))');
    return ctx.b.add(args.where, 'Cropping', args.layer.name, { cropBegin: cb, cropEnd: ce, dataFormat: fmt }, [x]);
  };
}

const flatten: Converter = (ctx, args, inputs) => {
  let x = one(args, inputs);
  const fmt = dataFormatOf(args);
  // Keras' Flatten(data_format='channels_first') moves channels last first, so the feature order is that of channels_last.
  if (fmt === 'NCX' && x.shape.length >= 3) {
    const r = x.shape.length;
    const perm = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
    x = ctx.b.add(args.where, 'Transpose', `${args.layer.name}_to_channels_last`, { perm }, [x]);
  }
  if (x.shape.length === 2) return x;
  return ctx.b.add(args.where, 'Flatten', args.layer.name, { axis: 1 }, [x]);
};

const reshape: Converter = (ctx, args, inputs) => {
  const x = one(args, inputs);
  const t = args.get('target_shape');
  if (!Array.isArray(t) || !t.every((d) => Number.isInteger(d))) args.refuse('target_shape', t, 'a list of integers is needed');
  return ctx.b.add(args.where, 'Reshape', args.layer.name, { targetShape: t }, [x]);
};

const permute: Converter = (ctx, args, inputs) => {
  const x = one(args, inputs);
  const dims = args.get('dims');
  const r = x.shape.length - 1;
  if (!Array.isArray(dims) || dims.length !== r || [...dims].sort((a, b) => a - b).some((d, i) => d !== i + 1))
    args.refuse('dims', dims, `a permutation of 1…${r} (the axes after the batch) is needed`);
  return ctx.b.add(args.where, 'Transpose', args.layer.name, { perm: [0, ...(dims as number[])] }, [x]);
};

const merge = (type: 'Add' | 'Concatenate'): Converter => (ctx, args, inputs) => {
  if (inputs.length < 2) args.fail(`merges 2 or more inputs, got ${inputs.length}`);
  if (type === 'Add') return ctx.b.add(args.where, 'Add', args.layer.name, {}, inputs);
  const axis = args.get('axis') ?? -1;
  if (!Number.isInteger(axis)) args.refuse('axis', axis, 'an integer axis is needed');
  // Tensors keep Keras' layout, so Keras' axis (batch included, negative from the end) is the engine's.
  return ctx.b.add(args.where, 'Concatenate', args.layer.name, { axis }, inputs);
};

const activationLayer: Converter = (ctx, args, inputs) => applyActivation(ctx.b, args, 'activation', one(args, inputs), args.layer.name, true);

const reluLayer: Converter = (ctx, args, inputs) => {
  const x = one(args, inputs);
  const maxValue = args.get('max_value');
  if (maxValue !== undefined && maxValue !== null) args.refuse('max_value', maxValue, 'a clipped ReLU has no Tessera op');
  const threshold = args.get('threshold') ?? 0;
  if (threshold !== 0) args.refuse('threshold', threshold, 'only threshold 0 is a ReLU');
  const slope = args.get('negative_slope') ?? 0;
  if (typeof slope !== 'number') args.refuse('negative_slope', slope, 'a number is needed');
  if (slope === 0) return ctx.b.add(args.where, 'ReLU', args.layer.name, {}, [x]);
  return ctx.b.add(args.where, 'LeakyReLU', args.layer.name, { alpha: slope }, [x]);
};

const leakyRelu: Converter = (ctx, args, inputs) => {
  const x = one(args, inputs);
  const a = args.has('negative_slope') ? args.get('negative_slope') : args.has('alpha') ? args.get('alpha') : 0.3;
  args.get('alpha');
  args.get('negative_slope');
  if (typeof a !== 'number') args.refuse('negative_slope', a, 'a number is needed');
  return ctx.b.add(args.where, 'LeakyReLU', args.layer.name, { alpha: a }, [x]);
};

const softmaxLayer: Converter = (ctx, args, inputs) => {
  const x = one(args, inputs);
  const axis = args.get('axis') ?? -1;
  if (!Number.isInteger(axis)) args.refuse('axis', axis, 'one integer axis is needed');
  return ctx.b.add(args.where, 'Softmax', args.layer.name, { axis }, [x]);
};

const identity: Converter = (_ctx, args, inputs) => {
  for (const k of ['rate', 'noise_shape', 'stddev', 'data_format']) args.get(k);
  return one(args, inputs);
};

export const CONVERTERS: Record<string, Converter> = {
  Conv1D: convLayer(1, false, false, false),
  Conv2D: convLayer(2, false, false, false),
  Conv1DTranspose: convLayer(1, true, false, false),
  Conv2DTranspose: convLayer(2, true, false, false),
  DepthwiseConv1D: convLayer(1, false, true, false),
  DepthwiseConv2D: convLayer(2, false, true, false),
  SeparableConv1D: separableConv(1),
  SeparableConv2D: separableConv(2),
  Dense: dense(false),
  QConv1D: convLayer(1, false, false, true),
  QConv2D: convLayer(2, false, false, true),
  QConv2DTranspose: convLayer(2, true, false, true),
  QDepthwiseConv2D: convLayer(2, false, true, true),
  QDense: dense(true),
  QActivation: activationLayer,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  Softmax: softmaxLayer,
  BatchNormalization: batchNorm,
  UpSampling1D: upSampling(1),
  UpSampling2D: upSampling(2),
  ZeroPadding1D: zeroPadding(1),
  ZeroPadding2D: zeroPadding(2),
  Cropping1D: cropping(1),
  Cropping2D: cropping(2),
  MaxPooling1D: pool(1, 'max'),
  MaxPooling2D: pool(2, 'max'),
  AveragePooling1D: pool(1, 'avg'),
  AveragePooling2D: pool(2, 'avg'),
  MaxPool1D: pool(1, 'max'),
  MaxPool2D: pool(2, 'max'),
  AvgPool1D: pool(1, 'avg'),
  AvgPool2D: pool(2, 'avg'),
  GlobalMaxPooling1D: globalPool(1, 'max'),
  GlobalMaxPooling2D: globalPool(2, 'max'),
  GlobalAveragePooling1D: globalPool(1, 'avg'),
  GlobalAveragePooling2D: globalPool(2, 'avg'),
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  Add: merge('Add'),
  Concatenate: merge('Concatenate'),
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};
