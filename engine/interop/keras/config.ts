// Keras model configuration JSON (Keras 2 `model_config` / `to_json()`, Keras 3 `config.json`) → one
// normalized description: layers with their call sites (which tensors each call consumes), the model's
// input and output tensors. Sequential models are given the call chain they imply.
import { TesseraError } from '../../diagnostics/diagnostics';

/** A tensor produced by a layer: its `node`-th call, output `tensor`. */
export interface KerasRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** One entry per call of the layer: the tensors it consumes, in argument order. */
  calls: KerasRef[][];
}

export interface KerasModelConfig {
  kind: 'Sequential' | 'Functional';
  name: string;
  layers: KerasLayer[];
  inputs: KerasRef[];
  outputs: KerasRef[];
  /** Keras 3 files have `module` / `registered_name` on each object; Keras 2 files do not. */
  generation: 2 | 3;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

function fail(msg: string): never {
  throw new TesseraError(msg);
}

/** Parses JSON text; a syntax error becomes one line naming the file. */
export function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return fail(`${label} is not valid JSON (${why}): give the file Keras wrote, unmodified`);
  }
}

function refFrom(v: unknown, where: string): KerasRef {
  if (Array.isArray(v) && typeof v[0] === 'string') return { layer: v[0], node: Number(v[1] ?? 0), tensor: Number(v[2] ?? 0) };
  return fail(`${where} = ${JSON.stringify(v)?.slice(0, 80)} is not a [layer, node, tensor] reference: the model config is malformed`);
}

function refList(v: unknown, where: string): KerasRef[] {
  if (!Array.isArray(v)) return fail(`${where} is missing or not a list: the model config is malformed`);
  // Keras 3 writes a single input/output as a flat [name, 0, 0].
  if (typeof v[0] === 'string') return [refFrom(v, where)];
  return v.map((r, i) => refFrom(r, `${where}[${i}]`));
}

/** Keras-3 call arguments: every `__keras_tensor__` in args, depth first. */
function kerasTensors(v: unknown, out: KerasRef[]): void {
  if (Array.isArray(v)) {
    for (const x of v) kerasTensors(x, out);
  } else if (isObj(v)) {
    if (v.class_name === '__keras_tensor__' && isObj(v.config)) {
      out.push(refFrom(v.config.keras_history, 'keras_history'));
      return;
    }
    for (const x of Object.values(v)) kerasTensors(x, out);
  }
}

function parseCalls(layerName: string, inbound: unknown): KerasRef[][] {
  if (inbound === undefined || inbound === null) return [];
  if (!Array.isArray(inbound)) return fail(`layer '${layerName}': inbound_nodes is not a list: the model config is malformed`);
  return inbound.map((call, i) => {
    const where = `layer '${layerName}' inbound_nodes[${i}]`;
    if (isObj(call)) {
      // Keras 3: { args: [...], kwargs: {...} }
      const refs: KerasRef[] = [];
      kerasTensors(call.args, refs);
      const kw: KerasRef[] = [];
      kerasTensors(call.kwargs, kw);
      if (kw.length) fail(`${where}: a tensor is passed as a keyword argument (${Object.keys(call.kwargs as object).join(', ')}); Tessera imports positional inputs only`);
      return refs;
    }
    if (Array.isArray(call)) {
      // Keras 2: [[name, node, tensor, kwargs], …]
      return call.map((r, j) => {
        const ref = refFrom(r, `${where}[${j}]`);
        const kwargs = Array.isArray(r) ? r[3] : undefined;
        const kw: KerasRef[] = [];
        kerasTensors(kwargs, kw);
        if (kw.length) fail(`${where}: a tensor is passed as a keyword argument; Tessera imports positional inputs only`);
        return ref;
      });
    }
    return fail(`${where} is neither a Keras 2 nor a Keras 3 call record: the model config is malformed`);
  });
}

function layerFrom(raw: unknown, where: string): { className: string; name: string; config: Record<string, unknown>; raw: Record<string, unknown> } {
  if (!isObj(raw)) return fail(`${where} is not a layer object: the model config is malformed`);
  const className = raw.class_name;
  if (typeof className !== 'string') return fail(`${where} has no class_name: the model config is malformed`);
  const config = isObj(raw.config) ? raw.config : fail(`${where} (${className}) has no config object: the model config is malformed`);
  const name = typeof raw.name === 'string' ? raw.name : typeof config.name === 'string' ? config.name : fail(`${where} (${className}) has no name: the model config is malformed`);
  return { className, name, config, raw };
}

/**
 * Normalizes a parsed model config. Accepts the model object itself ({class_name, config}), Keras 2's
 * to_json() output (same, plus keras_version), and TensorFlow.js' {modelTopology: {model_config}}.
 */
export function normalizeModelConfig(json: unknown, label: string): KerasModelConfig {
  let top = json;
  if (isObj(top) && isObj(top.modelTopology)) top = isObj(top.modelTopology.model_config) ? top.modelTopology.model_config : top.modelTopology;
  if (isObj(top) && isObj(top.model_config) && !('class_name' in top)) top = top.model_config;
  if (!isObj(top)) return fail(`${label} does not hold a Keras model config (expected a JSON object with class_name and config)`);
  const cls = top.class_name;
  if (typeof cls !== 'string') return fail(`${label} has no class_name: it is not a Keras model config`);
  if (!MODEL_CLASSES.has(cls)) return fail(`${label}: the model class '${cls}' is not a Sequential or Functional model; only those can be imported (re-save the model with model.save())`);
  const generation: 2 | 3 = 'module' in top || 'registered_name' in top ? 3 : 2;
  const cfg = top.config;
  const modelName = isObj(cfg) && typeof cfg.name === 'string' ? cfg.name : 'model';
  if (cls === 'Sequential') {
    const list = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : fail(`${label}: the Sequential config has no layers list`);
    const layers: KerasLayer[] = [];
    let prev: KerasRef | null = null;
    let inputs: KerasRef[] = [];
    list.forEach((raw, i) => {
      const l = layerFrom(raw, `layers[${i}]`);
      if (MODEL_CLASSES.has(l.className)) fail(`layer '${l.name}' is a nested ${l.className} model; Tessera imports flat models only: flatten it into one model before saving`);
      if (l.className === 'InputLayer') {
        if (i !== 0) fail(`layer '${l.name}': an InputLayer is only allowed first in a Sequential model`);
        layers.push({ className: l.className, name: l.name, config: l.config, calls: [] });
        prev = { layer: l.name, node: 0, tensor: 0 };
        inputs = [prev];
        return;
      }
      if (!prev) {
        // Keras 2 Sequential without InputLayer: the first layer carries the input shape.
        const shape = l.config.batch_input_shape ?? l.config.batch_shape
          ?? (Array.isArray(l.config.input_shape) ? [null, ...(l.config.input_shape as unknown[])] : undefined)
          ?? (isObj(cfg) ? cfg.build_input_shape : undefined)
          ?? (isObj(l.raw.build_config) ? l.raw.build_config.input_shape : undefined);
        if (!Array.isArray(shape)) fail(`${label}: the Sequential model has no InputLayer and its first layer '${l.name}' gives no input shape (batch_input_shape): build the model with an Input before saving`);
        const inName = `${l.name}_input`;
        layers.push({ className: 'InputLayer', name: inName, config: { batch_input_shape: shape, name: inName }, calls: [] });
        prev = { layer: inName, node: 0, tensor: 0 };
        inputs = [prev];
      }
      layers.push({ className: l.className, name: l.name, config: l.config, calls: [[prev as KerasRef]] });
      prev = { layer: l.name, node: 0, tensor: 0 };
    });
    if (!prev) fail(`${label}: the Sequential model has no layers`);
    return { kind: 'Sequential', name: modelName, layers, inputs, outputs: [prev], generation };
  }
  if (!isObj(cfg) || !Array.isArray(cfg.layers)) return fail(`${label}: the ${cls} config has no layers list`);
  const layers: KerasLayer[] = cfg.layers.map((raw, i) => {
    const l = layerFrom(raw, `layers[${i}]`);
    if (MODEL_CLASSES.has(l.className)) fail(`layer '${l.name}' is a nested ${l.className} model; Tessera imports flat models only: flatten it into one model before saving`);
    return { className: l.className, name: l.name, config: l.config, calls: parseCalls(l.name, l.raw.inbound_nodes) };
  });
  return {
    kind: 'Functional', name: modelName, layers,
    inputs: refList(cfg.input_layers, 'input_layers'),
    outputs: refList(cfg.output_layers, 'output_layers'),
    generation,
  };
}
