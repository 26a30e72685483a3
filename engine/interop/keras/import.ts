// Keras → Tessera model. Host-free: bytes in, { model, precisions, diagnostics } out.
//
// Three inputs: a Keras 3 `.keras` archive (config.json + model.weights.h5), a legacy Keras 2 `.h5`
// (root attribute model_config + group model_weights), and a model JSON (`model.to_json()`) with a
// separate weights HDF5. Every layer is converted by layers.ts; anything not understood is refused with
// one error naming the layer and the argument. QKeras quantizers become per-node precision specs
// (`precisions`, by node id) for the fixed-point side; the float graph is what Keras computes.
import { analyzeGraph } from '../../graph/analyze';
import { TesseraError, type Diagnostic } from '../../diagnostics/diagnostics';
import type { Model } from '../../graph/model';
import type { PrecisionSpec } from '../../fixed/precision';
import type { LayerConfigSpec } from '../../hls/config';
import { normalizeModelConfig, parseJsonText, type KerasLayer, type KerasModelConfig, type KerasRef } from './config';
import { h5Get, looksLikeHdf5, readHdf5, type H5Group } from './hdf5';
import { unzipBounded } from '../zip';
import type { ImportLimits } from '../limits';
import { CONVERTERS, GraphBuilder, LayerArgs, type TRef } from './layers';
import { keras3Store, legacyStore, weightsStoreFor, type WeightSource } from './weights';

export interface KerasImportResult {
  model: Model;
  /** Precision specs from QKeras quantizers, by node id (weight_t, bias_t, result_t type strings). */
  precisions: Record<string, PrecisionSpec>;
  /** The same precisions as per-layer HLS settings by node name (HlsConfig.layers). */
  hlsLayers: Record<string, LayerConfigSpec>;
  /** Conversion notes and the graph's own warnings. */
  diagnostics: Diagnostic[];
  /** freeBatch: the batch axis is None in Keras (any batch size runs). */
  inputs: { name: string; nodeId: string; shape: number[]; freeBatch: boolean }[];
  outputs: { name: string; nodeId: string; shape: number[] }[];
  format: 'keras3' | 'h5' | 'json+h5';
  kerasVersion?: string;
  modelName: string;
}

export interface KerasImportOptions {
  /** Size used for the batch axis (None in Keras). Default 1. */
  batchSize?: number;
  /** Bounds on what reading the file may inflate and allocate (engine/interop/limits.ts; default DEFAULT_IMPORT_LIMITS). */
  limits?: ImportLimits;
}

/** Layer classes the importer converts (the error for any other class lists them). */
export const SUPPORTED_KERAS_LAYERS = ['InputLayer', ...Object.keys(CONVERTERS)];

const key = (r: KerasRef) => `${r.layer}\u0000${r.node}\u0000${r.tensor}`;

/** Builds the graph of a normalized model config with weights from `weights`. */
export function buildKerasModel(model: KerasModelConfig, weights: WeightSource, options: KerasImportOptions = {}): Omit<KerasImportResult, 'format' | 'kerasVersion'> {
  const batch = options.batchSize ?? 1;
  const b = new GraphBuilder();
  const byName = new Map<string, KerasLayer>();
  for (const l of model.layers) {
    if (byName.has(l.name)) throw new TesseraError(`two layers are named '${l.name}': the model config is malformed`);
    byName.set(l.name, l);
  }
  const channelsFirst = model.layers.some((l) => l.config.data_format === 'channels_first');
  const tensors = new Map<string, TRef>();
  const visiting = new Set<string>();
  const fixedBatch = new Set<string>();

  const inputLayer = (l: KerasLayer): TRef => {
    const args: LayerArgs = new LayerArgs(l);
    const raw = args.get('batch_shape') ?? args.get('batch_input_shape') ?? (Array.isArray(args.get('shape')) ? [null, ...(l.config.shape as unknown[])] : undefined);
    args.get('input_shape');
    if (!Array.isArray(raw) || raw.length < 2) args.fail('has no input shape (batch_shape / batch_input_shape): give the Input a shape');
    const shape = raw.map((d, i) => {
      if (i === 0) {
        if (d === null || d === undefined) return batch;
        if (!Number.isInteger(d) || (d as number) < 1) args.fail(`the batch size ${JSON.stringify(d)} is not a positive integer or None`);
        fixedBatch.add(l.name);
        return d as number;
      }
      if (!Number.isInteger(d) || (d as number) < 1) args.fail(`axis ${i} of the input shape [${raw.map((x) => x ?? 'None').join(', ')}] is not a fixed size: give the Input a fixed shape`);
      return d as number;
    });
    args.only('sparse', false);
    args.only('ragged', false);
    for (const k of ['dtype', 'name', 'optional', 'input_tensor']) args.get(k);
    args.finish();
    return b.add(args.where, 'Input', l.name, { shape, dataFormat: channelsFirst ? 'NCX' : 'NXC' }, []);
  };

  const resolve = (ref: KerasRef): TRef => {
    const k = key(ref);
    const have = tensors.get(k);
    if (have) return have;
    const l = byName.get(ref.layer);
    if (!l) throw new TesseraError(`a layer input refers to '${ref.layer}', which is not a layer of the model: the model config is malformed`);
    if (ref.tensor !== 0) throw new TesseraError(`layer '${l.name}' (${l.className}): output ${ref.tensor} is used, but Tessera's layers have one output`);
    if (visiting.has(k)) throw new TesseraError(`layer '${l.name}' depends on its own output: the model config has a cycle`);
    visiting.add(k);
    let out: TRef;
    if (l.className === 'InputLayer') {
      out = inputLayer(l);
    } else {
      const call = l.calls[ref.node];
      if (!call) throw new TesseraError(`layer '${l.name}' has no call ${ref.node}: the model config is malformed`);
      const convert = CONVERTERS[l.className];
      if (!convert) throw new TesseraError(`layer '${l.name}': the layer class '${l.className}' is not supported; supported classes: ${SUPPORTED_KERAS_LAYERS.join(', ')}`);
      const inputs = call.map(resolve);
      const args: LayerArgs = new LayerArgs(l);
      out = convert({ b, weights }, args, inputs);
      args.finish();
    }
    visiting.delete(k);
    tensors.set(k, out);
    return out;
  };

  const inputs = model.inputs.map((r) => {
    const t = resolve(r);
    return { name: r.layer, nodeId: t.id, shape: t.shape, freeBatch: !fixedBatch.has(r.layer) };
  });
  const outputs = model.outputs.map((r) => {
    const t = resolve(r);
    return { name: r.layer, nodeId: t.id, shape: t.shape };
  });
  // Layers on no path to an output (Keras keeps them in the config) are not imported.
  const graph = b.graph();
  const analysis = analyzeGraph(graph, b.weights);
  const err = analysis.diagnostics.find((d) => d.severity === 'error');
  if (err) throw new TesseraError(`the imported graph has an error (internal): ${err.message}`);
  const hlsLayers: Record<string, LayerConfigSpec> = {};
  for (const [id, precision] of Object.entries(b.precisions)) hlsLayers[b.nodeName(id)] = { precision: { ...precision } };
  return {
    model: { graph, weights: b.weights },
    precisions: b.precisions,
    hlsLayers,
    diagnostics: [...b.notes, ...analysis.diagnostics],
    inputs, outputs,
    modelName: model.name,
  };
}

function decodeText(bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TesseraError(`${label} is not UTF-8 text: give the JSON file Keras wrote`);
  }
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);

/** A Keras 3 `.keras` archive. */
export async function importKeras3(bytes: Uint8Array, options: KerasImportOptions = {}, label = 'the .keras file'): Promise<KerasImportResult> {
  if (!isZip(bytes)) throw new TesseraError(`${label} is not a zip archive (a .keras file is a zip of config.json, metadata.json and model.weights.h5): save it with model.save('model.keras')`);
  const files = unzipBounded(bytes, ['config.json', 'metadata.json', 'model.weights.h5', 'model.weights.npz'], label, options.limits);
  if (!files['config.json']) throw new TesseraError(`${label} has no config.json: it is not a Keras 3 model archive`);
  if (!files['model.weights.h5']) {
    if (files['model.weights.npz']) throw new TesseraError(`${label} stores its weights as model.weights.npz; Tessera reads model.weights.h5: save with the default weights format`);
    throw new TesseraError(`${label} has no model.weights.h5: save the model with its weights`);
  }
  let kerasVersion: string | undefined;
  if (files['metadata.json']) {
    const meta = parseJsonText(decodeText(files['metadata.json'], `${label} metadata.json`), `${label} metadata.json`);
    if (meta && typeof meta === 'object' && typeof (meta as any).keras_version === 'string') kerasVersion = (meta as any).keras_version;
  }
  const config = normalizeModelConfig(parseJsonText(decodeText(files['config.json'], `${label} config.json`), `${label} config.json`), `${label} config.json`);
  const root = await readHdf5(files['model.weights.h5'], `${label} model.weights.h5`, options.limits);
  const r = buildKerasModel(config, keras3Store(root, config, `${label} model.weights.h5`), options);
  return { ...r, format: 'keras3', kerasVersion };
}

function attrText(root: H5Group, name: string): string | undefined {
  const v = root.attrs[name];
  return typeof v === 'string' ? v : undefined;
}

/** A legacy Keras `.h5` model file (model.save('model.h5')). */
export async function importKerasH5(bytes: Uint8Array, options: KerasImportOptions = {}, label = 'the .h5 file'): Promise<KerasImportResult> {
  const root = await readHdf5(bytes, label, options.limits);
  const configText = attrText(root, 'model_config');
  if (configText === undefined) {
    if (root.attrs.layer_names !== undefined || h5Get(root, 'layers') || h5Get(root, 'vars'))
      throw new TesseraError(`${label} holds weights only (no model_config): give the model JSON and pass this file as its weights (MODEL.json --weights W.h5)`);
    throw new TesseraError(`${label} has no model_config attribute: it is not a Keras model file`);
  }
  const config = normalizeModelConfig(parseJsonText(configText, `${label} model_config`), `${label} model_config`);
  const group = root.children.model_weights;
  if (!group || group.kind !== 'group') throw new TesseraError(`${label} has no model_weights group: save the model with its weights`);
  const r = buildKerasModel(config, legacyStore(group, label), options);
  return { ...r, format: 'h5', kerasVersion: attrText(root, 'keras_version') ?? attrText(group, 'keras_version') };
}

/** A model JSON (model.to_json(), or a .keras config.json) with its weights HDF5 (legacy or Keras 3 layout). */
export async function importKerasJson(json: Uint8Array | string, weights: Uint8Array, options: KerasImportOptions = {}, labels = { json: 'the model JSON', weights: 'the weights file' }): Promise<KerasImportResult> {
  const text = typeof json === 'string' ? json : decodeText(json, labels.json);
  const config = normalizeModelConfig(parseJsonText(text, labels.json), labels.json);
  const root = await readHdf5(weights, labels.weights, options.limits);
  const r = buildKerasModel(config, weightsStoreFor(root, config, labels.weights), options);
  const kv = (JSON.parse(text) as any)?.keras_version;
  return { ...r, format: 'json+h5', kerasVersion: typeof kv === 'string' ? kv : attrText(root, 'keras_version') };
}

export type KerasFileKind = 'keras3' | 'h5' | 'json';

/** What a file is, from its first bytes (and its name when the bytes say nothing). */
export function kerasFileKind(name: string, bytes: Uint8Array): KerasFileKind | null {
  if (isZip(bytes)) return 'keras3';
  if (looksLikeHdf5(bytes)) return 'h5';
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
  if (bytes[i] === 0x7b) return 'json';
  const lower = name.toLowerCase();
  if (lower.endsWith('.keras')) return 'keras3';
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) return 'h5';
  if (lower.endsWith('.json')) return 'json';
  return null;
}

/**
 * Imports any of the three Keras forms. `weights` is required for a model JSON (the host finds it:
 * --weights, or `<stem>_weights.h5` beside the JSON).
 */
export async function importKeras(name: string, bytes: Uint8Array, extra: { weights?: Uint8Array; weightsName?: string } & KerasImportOptions = {}): Promise<KerasImportResult> {
  const kind = kerasFileKind(name, bytes);
  if (kind === 'keras3') return importKeras3(bytes, extra, name);
  if (kind === 'h5') return importKerasH5(bytes, extra, name);
  if (kind === 'json') {
    if (!extra.weights) throw new TesseraError(`${name} is a model JSON without weights: pass the weights HDF5 file (--weights W.h5)`);
    return importKerasJson(bytes, extra.weights, extra, { json: name, weights: extra.weightsName ?? 'the weights file' });
  }
  throw new TesseraError(`${name} is not a Keras model (.keras zip, .h5 HDF5 or model JSON)`);
}
