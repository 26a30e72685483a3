// Test helpers (not shipped code): write Keras model files the way Keras does, from one model spec.
// - Keras 2 JSON (model.to_json() / the model_config attribute): {class_name, config: {layers: [{class_name,
//   config, name, inbound_nodes: [[[layer, node, tensor, {}]]]}], input_layers, output_layers}}.
// - Keras 3 config.json: every object with module / class_name / config / registered_name, dtype policies,
//   InputLayer batch_shape, LeakyReLU negative_slope, calls as {args: [__keras_tensor__…], kwargs}.
// - Keras 3 model.weights.h5: layers/<snake_case class name with counter>/vars/<i>.
// - Keras 2 .h5: root attrs model_config / keras_version / backend, group model_weights with layer_names and,
//   per layer, weight_names + datasets <layer>/<layer>/<var>:0; save_weights files have the same at the root.
import { zipSync, strToU8 } from 'fflate';
import type { Tensor } from '../../tensor/tensor';
import { h5wasmForTests } from './hdf5';
import { toSnakeCase } from './weights';

export interface LayerSpec {
  cls: string;
  name: string;
  /** Keras 2 style config, without name. */
  config: Record<string, unknown>;
  /** Functional models: the layers whose outputs this layer consumes (call 0 of each). */
  inputs?: string[];
  /** Weights in Keras' creation order and layout. */
  weights?: Tensor[];
  /** Variable names (kernel, bias, …); derived from the class when absent. */
  varNames?: string[];
}

export interface ModelSpec {
  kind: 'Sequential' | 'Functional';
  name?: string;
  inputs: { name: string; shape: (number | null)[] }[];
  layers: LayerSpec[];
  /** Functional: output layer names (default: the last layer). */
  outputs?: string[];
}

const init = (cls: string, config: Record<string, unknown> = {}) => ({ class_name: cls, config });

/** Keras 2 defaults of the training-only arguments of layers with weights. */
function trainingArgs(prefix: 'kernel' | 'depthwise'): Record<string, unknown> {
  return {
    [`${prefix}_initializer`]: init('GlorotUniform', { seed: null }),
    bias_initializer: init('Zeros'),
    [`${prefix}_regularizer`]: null,
    bias_regularizer: null,
    activity_regularizer: null,
    [`${prefix}_constraint`]: null,
    bias_constraint: null,
  };
}

const base = { trainable: true, dtype: 'float32' };

export function conv(cls: 'Conv1D' | 'Conv2D' | 'Conv1DTranspose' | 'Conv2DTranspose', name: string, rank: 1 | 2, c: Record<string, unknown>, weights?: Tensor[]): LayerSpec {
  const t = cls.endsWith('Transpose');
  const tuple = (v: number) => new Array<number>(rank).fill(v);
  const config: Record<string, unknown> = {
    ...base, filters: 4, kernel_size: tuple(3), strides: tuple(1), padding: 'valid', data_format: 'channels_last',
    dilation_rate: tuple(1), ...(t ? { output_padding: null } : { groups: 1 }), activation: 'linear', use_bias: true, ...trainingArgs('kernel'), ...c,
  };
  return { cls, name, config, weights };
}

export function depthwise(cls: 'DepthwiseConv1D' | 'DepthwiseConv2D', name: string, rank: 1 | 2, c: Record<string, unknown>, weights?: Tensor[]): LayerSpec {
  const tuple = (v: number) => new Array<number>(rank).fill(v);
  const config: Record<string, unknown> = {
    // TF 2.x keeps Conv's groups: 1 in a DepthwiseConv2D config.
    ...base, kernel_size: tuple(3), strides: tuple(1), padding: 'valid', depth_multiplier: 1, groups: 1, data_format: 'channels_last',
    dilation_rate: tuple(1), activation: 'linear', use_bias: true, ...trainingArgs('depthwise'), ...c,
  };
  return { cls, name, config, weights };
}

export function separable(cls: 'SeparableConv1D' | 'SeparableConv2D', name: string, rank: 1 | 2, c: Record<string, unknown>, weights?: Tensor[]): LayerSpec {
  const tuple = (v: number) => new Array<number>(rank).fill(v);
  const config: Record<string, unknown> = {
    ...base, filters: 4, kernel_size: tuple(3), strides: tuple(1), padding: 'valid', data_format: 'channels_last', dilation_rate: tuple(1),
    groups: 1, activation: 'linear', use_bias: true, depth_multiplier: 1,
    depthwise_initializer: init('GlorotUniform', { seed: null }), pointwise_initializer: init('GlorotUniform', { seed: null }), bias_initializer: init('Zeros'),
    depthwise_regularizer: null, pointwise_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    depthwise_constraint: null, pointwise_constraint: null, bias_constraint: null, ...c,
  };
  return { cls, name, config, weights };
}

export function dense(name: string, c: Record<string, unknown>, weights?: Tensor[]): LayerSpec {
  return { cls: 'Dense', name, config: { ...base, units: 4, activation: 'linear', use_bias: true, ...trainingArgs('kernel'), ...c }, weights };
}

export function batchNorm(name: string, c: Record<string, unknown>, weights?: Tensor[]): LayerSpec {
  return {
    cls: 'BatchNormalization', name, weights,
    config: {
      ...base, axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true,
      beta_initializer: init('Zeros'), gamma_initializer: init('Ones'), moving_mean_initializer: init('Zeros'), moving_variance_initializer: init('Ones'),
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, ...c,
    },
  };
}

export function plain(cls: string, name: string, c: Record<string, unknown> = {}, inputs?: string[]): LayerSpec {
  return { cls, name, config: { ...base, ...c }, inputs };
}

export function varNamesOf(l: LayerSpec, generation: 2 | 3): string[] {
  if (l.varNames) return l.varNames;
  const c = l.config;
  if (l.cls === 'BatchNormalization' || l.cls === 'QBatchNormalization')
    return [...(c.scale !== false ? ['gamma'] : []), ...(c.center !== false ? ['beta'] : []), 'moving_mean', 'moving_variance'];
  if ((l.weights?.length ?? 0) === 0) return [];
  if (l.cls.startsWith('SeparableConv')) return c.use_bias === false ? ['depthwise_kernel', 'pointwise_kernel'] : ['depthwise_kernel', 'pointwise_kernel', 'bias'];
  const k = l.cls.includes('Depthwise') && generation === 2 ? 'depthwise_kernel' : 'kernel';
  return c.use_bias === false ? [k] : [k, 'bias'];
}

function layerList(spec: ModelSpec): LayerSpec[] {
  const ins = spec.inputs.map((i) => plain('InputLayer', i.name, { batch_input_shape: i.shape, sparse: false, ragged: false }));
  return [...ins, ...spec.layers];
}

/** Inputs of each layer: explicit, or (Sequential) the previous layer. */
function callInputs(spec: ModelSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let prev = spec.inputs[0].name;
  for (const l of spec.layers) {
    out.set(l.name, l.inputs ?? [prev]);
    prev = l.name;
  }
  return out;
}

/** The Keras 2 model JSON (as model.to_json() writes it). */
export function keras2Json(spec: ModelSpec): Record<string, unknown> {
  const layers = layerList(spec);
  const calls = callInputs(spec);
  const name = spec.name ?? (spec.kind === 'Sequential' ? 'sequential' : 'model');
  let config: Record<string, unknown>;
  if (spec.kind === 'Sequential') {
    config = { name, layers: layers.map((l) => ({ class_name: l.cls, config: { name: l.name, ...l.config } })) };
  } else {
    config = {
      name,
      layers: layers.map((l) => ({
        class_name: l.cls, config: { name: l.name, ...l.config }, name: l.name,
        inbound_nodes: l.cls === 'InputLayer' ? [] : [calls.get(l.name)!.map((s) => [s, 0, 0, {}])],
      })),
      input_layers: spec.inputs.map((i) => [i.name, 0, 0]),
      output_layers: (spec.outputs ?? [spec.layers[spec.layers.length - 1].name]).map((o) => [o, 0, 0]),
    };
  }
  return { class_name: spec.kind === 'Sequential' ? 'Sequential' : 'Functional', config, keras_version: '2.12.0', backend: 'tensorflow' };
}

const k3Init = (v: unknown): unknown => {
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as any).class_name === 'string')
    return { module: 'keras.initializers', class_name: (v as any).class_name, config: (v as any).config, registered_name: null };
  return v;
};

function keras3LayerConfig(l: LayerSpec): Record<string, unknown> {
  const c: Record<string, unknown> = { name: l.name };
  for (const [k, v] of Object.entries(l.config)) {
    if (k === 'dtype') c.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: v }, registered_name: null };
    else if (k.endsWith('_initializer')) c[k] = k3Init(v);
    else if (k === 'batch_input_shape') c.batch_shape = v;
    else if (k === 'ragged') continue;
    else if (k === 'alpha' && l.cls === 'LeakyReLU') c.negative_slope = v;
    else c[k] = v;
  }
  if (l.cls === 'Dense' || l.cls.startsWith('Conv') || l.cls.startsWith('Depthwise')) c.lora_rank = null;
  return c;
}

const kerasTensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: [layer, 0, 0] } });

/** The Keras 3 config.json. */
export function keras3Json(spec: ModelSpec): Record<string, unknown> {
  const layers = layerList(spec);
  const calls = callInputs(spec);
  const name = spec.name ?? (spec.kind === 'Sequential' ? 'sequential' : 'functional');
  const obj = (l: LayerSpec) => ({ module: 'keras.layers', class_name: l.cls, config: keras3LayerConfig(l), registered_name: null });
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  if (spec.kind === 'Sequential') {
    return {
      module: 'keras', class_name: 'Sequential', registered_name: null,
      config: { name, trainable: true, dtype: policy, layers: layers.map(obj), build_input_shape: spec.inputs[0].shape },
      build_config: { input_shape: spec.inputs[0].shape }, compile_config: null,
    };
  }
  const ref = (n: string) => [n, 0, 0];
  return {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name, trainable: true,
      layers: layers.map((l) => {
        const ins = l.cls === 'InputLayer' ? [] : calls.get(l.name)!;
        const args = ins.length > 1 ? [ins.map(kerasTensor)] : ins.map(kerasTensor);
        return { ...obj(l), name: l.name, inbound_nodes: l.cls === 'InputLayer' ? [] : [{ args, kwargs: {} }] };
      }),
      input_layers: spec.inputs.length === 1 ? ref(spec.inputs[0].name) : spec.inputs.map((i) => ref(i.name)),
      output_layers: (spec.outputs ?? [spec.layers[spec.layers.length - 1].name]).map(ref),
    },
    build_config: { input_shape: null }, compile_config: null,
  };
}

// ------------------------------------------------------------------------------------------ HDF5

type H5Tree = { attrs?: Record<string, string | string[]>; groups?: Record<string, H5Tree>; datasets?: Record<string, Tensor> };

/** Writes a tree into an HDF5 file in h5wasm's memory FS and returns the bytes. */
export async function writeH5(tree: H5Tree): Promise<Uint8Array> {
  const { h5, FS } = await h5wasmForTests();
  const path = `/test-write-${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5.File(path, 'w', { libver: ['earliest', 'latest'] });
  const fill = (g: any, t: H5Tree) => {
    // h5py as Keras 2 uses it stores these as fixed-length byte strings (numpy 'S'), not variable-length.
    const len = (x: string) => Math.max(1, new TextEncoder().encode(x).length);
    for (const [k, v] of Object.entries(t.attrs ?? {})) {
      if (Array.isArray(v)) {
        if (v.length === 0) continue;
        g.create_attribute(k, v, [v.length], `S${Math.max(...v.map(len))}`);
      } else g.create_attribute(k, v, null, `S${len(v)}`);
    }
    for (const [k, d] of Object.entries(t.datasets ?? {})) g.create_dataset({ name: k, data: Float32Array.from(d.data), shape: [...d.shape], dtype: '<f' });
    for (const [k, sub] of Object.entries(t.groups ?? {})) {
      g.create_group(k);
      fill(g.get(k), sub);
    }
  };
  fill(f, tree);
  f.flush();
  f.close();
  const bytes = FS.readFile(path) as Uint8Array;
  FS.unlink(path);
  return Uint8Array.from(bytes);
}

/** Nested groups for a '/'-separated path, ending in `leaf`. */
function nest(path: string, leaf: H5Tree): H5Tree {
  const parts = path.split('/');
  let t = leaf;
  for (let i = parts.length - 1; i >= 1; i--) t = { groups: { [parts[i]]: t } };
  return t;
}

function merge(into: H5Tree, from: H5Tree): void {
  into.attrs = { ...(into.attrs ?? {}), ...(from.attrs ?? {}) };
  into.datasets = { ...(into.datasets ?? {}), ...(from.datasets ?? {}) };
  into.groups ??= {};
  for (const [k, g] of Object.entries(from.groups ?? {})) {
    if (into.groups[k]) merge(into.groups[k], g);
    else into.groups[k] = g;
  }
}

/** Keras 2 weight groups: per layer, weight_names and datasets <layer>/<var>:0. */
function legacyWeightGroups(spec: ModelSpec): H5Tree {
  const layers = layerList(spec);
  const root: H5Tree = { attrs: { layer_names: layers.map((l) => l.name), backend: 'tensorflow', keras_version: '2.12.0' }, groups: {} };
  for (const l of layers) {
    const names = varNamesOf(l, 2);
    const g: H5Tree = { attrs: { weight_names: names.map((n) => `${l.name}/${n}:0`) } };
    if (names.length) merge(g, nest(`x/${l.name}`, { datasets: Object.fromEntries(names.map((n, i) => [`${n}:0`, l.weights![i]])) }));
    root.groups![l.name] = g;
  }
  return root;
}

/** A legacy Keras 2 full-model .h5 (model.save('m.h5')). */
export async function keras2H5(spec: ModelSpec): Promise<Uint8Array> {
  return writeH5({
    attrs: { model_config: JSON.stringify(keras2Json(spec)), keras_version: '2.12.0', backend: 'tensorflow' },
    groups: { model_weights: legacyWeightGroups(spec) },
  });
}

/** A Keras 2 weights-only .h5 (model.save_weights('m_weights.h5')). */
export async function keras2WeightsH5(spec: ModelSpec): Promise<Uint8Array> {
  return writeH5(legacyWeightGroups(spec));
}

/** Keras 3 model.weights.h5 (layers/<snake path>/vars/<i>). */
export async function keras3WeightsH5(spec: ModelSpec): Promise<Uint8Array> {
  const tree: H5Tree = { groups: { vars: {}, layers: { groups: {} } } };
  const used = new Map<string, number>();
  const counted = spec.kind === 'Sequential' ? spec.layers : layerList(spec);
  for (const l of counted) {
    const snake = toSnakeCase(l.cls);
    const n = used.get(snake);
    const p = n === undefined ? snake : `${snake}_${n + 1}`;
    used.set(snake, n === undefined ? 0 : n + 1);
    const vars: H5Tree = { datasets: Object.fromEntries((l.weights ?? []).map((w, i) => [String(i), w])) };
    tree.groups!.layers.groups![p] = { groups: { vars } };
  }
  return writeH5(tree);
}

/** A Keras 3 .keras archive. */
export async function keras3File(spec: ModelSpec, mutate?: (files: Record<string, Uint8Array>) => void): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.6.0', date_saved: '2026-11-21@13:00:00' })),
    'config.json': strToU8(JSON.stringify(keras3Json(spec))),
    'model.weights.h5': await keras3WeightsH5(spec),
  };
  mutate?.(files);
  return zipSync(files);
}
