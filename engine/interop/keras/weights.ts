// Where a layer's weights are in the two Keras HDF5 layouts, by Keras variable name (kernel, bias, gamma,
// beta, moving_mean, moving_variance):
// - Keras 3 (`model.weights.h5` inside .keras, or `*.weights.h5`): `layers/<path>/vars/<i>`, the variables
//   in creation order; <path> is the snake_case class name with a per-class counter in the order of
//   model.layers (conv2d, conv2d_1, …; the Sequential's InputLayer is not counted); older files used the
//   layer name, and TF 2.13 files `_layer_checkpoint_dependencies/…` — both are tried.
// - Keras 2 (`model_weights` group of a full .h5, or the root of a save_weights .h5): group `<layer name>`
//   with attribute `weight_names` ('conv2d/kernel:0', …), each a dataset path inside that group.
import { TesseraError } from '../../diagnostics/diagnostics';
import type { KerasLayer, KerasModelConfig } from './config';
import { h5Get, type H5Dataset, type H5Group } from './hdf5';

export interface WeightSource {
  /** The file, for messages. */
  label: string;
  /** The layer's variables by Keras name, given the names it must have in creation order. */
  layer(layer: KerasLayer, expected: readonly string[]): Record<string, H5Dataset>;
}

/** Keras' naming.to_snake_case (class name → path component). */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Keras-3 store paths of each layer (by layer name), as saving_lib numbers them. */
export function keras3LayerPaths(model: KerasModelConfig): Map<string, string> {
  const used = new Map<string, number>();
  const out = new Map<string, string>();
  for (const l of model.layers) {
    if (model.kind === 'Sequential' && l.className === 'InputLayer') continue;
    const base = toSnakeCase(l.className);
    const n = used.get(base);
    const name = n === undefined ? base : `${base}_${n + 1}`;
    used.set(base, n === undefined ? 0 : n + 1);
    out.set(l.name, name);
  }
  return out;
}

function varName(path: string): string {
  const last = path.split('/').pop() ?? path;
  return last.replace(/:\d+$/, '');
}

/** A Keras 3 variable store rooted at `root` (the HDF5 file's root group). */
export function keras3Store(root: H5Group, model: KerasModelConfig, label: string): WeightSource {
  const paths = keras3LayerPaths(model);
  return {
    label,
    layer(layer, expected) {
      if (expected.length === 0) return {};
      const p = paths.get(layer.name) ?? toSnakeCase(layer.className);
      const candidates = [`layers/${p}/vars`, `layers/${layer.name}/vars`, `_layer_checkpoint_dependencies/${p}/vars`, `_layer_checkpoint_dependencies/${layer.name}/vars`];
      let vars: H5Group | undefined;
      for (const c of candidates) {
        const g = h5Get(root, c);
        if (g && g.kind === 'group') {
          vars = g;
          break;
        }
      }
      if (!vars) throw new TesseraError(`${label} has no weights for layer '${layer.name}' (${layer.className}; looked for ${candidates[0]}): save the model and its weights together`);
      const out: Record<string, H5Dataset> = {};
      const count = Object.keys(vars.children).length;
      if (count !== expected.length)
        throw new TesseraError(`${label}: layer '${layer.name}' (${layer.className}) has ${count} variables, expected ${expected.length} (${expected.join(', ')}): the weights do not belong to this config`);
      expected.forEach((name, i) => {
        const d = vars!.children[String(i)];
        if (!d || d.kind !== 'dataset') throw new TesseraError(`${label}: layer '${layer.name}' has no variable ${i} (${name}): the weights file is incomplete`);
        out[name] = d;
      });
      return out;
    },
  };
}

/** A Keras 2 weights group (model_weights of a full model file, or the root of a weights file). */
export function legacyStore(group: H5Group, label: string): WeightSource {
  return {
    label,
    layer(layer, expected) {
      if (expected.length === 0) return {};
      const g = group.children[layer.name];
      if (!g || g.kind !== 'group') throw new TesseraError(`${label} has no weights group for layer '${layer.name}' (${layer.className}): the weights do not belong to this model`);
      let names = g.attrs.weight_names;
      if (typeof names === 'string') names = [names];
      const out: Record<string, H5Dataset> = {};
      if (Array.isArray(names) && names.length > 0) {
        for (const wn of names as unknown[]) {
          const d = h5Get(g, String(wn));
          if (!d || d.kind !== 'dataset') throw new TesseraError(`${label}: weight '${String(wn)}' of layer '${layer.name}' is listed in weight_names but missing: the file is incomplete`);
          out[varName(String(wn))] = d;
        }
      } else {
        // No weight_names: every dataset under the group, by its last path component.
        const walk = (n: H5Group, prefix: string) => {
          for (const [k, c] of Object.entries(n.children)) {
            if (c.kind === 'dataset') out[varName(`${prefix}${k}`)] = c;
            else walk(c, `${prefix}${k}/`);
          }
        };
        walk(g, '');
      }
      // Keras 2 names a DepthwiseConv kernel depthwise_kernel; Keras 3 (and the converters) call it kernel.
      if (expected.includes('kernel') && !out.kernel && out.depthwise_kernel && !expected.includes('depthwise_kernel')) {
        out.kernel = out.depthwise_kernel;
        delete out.depthwise_kernel;
      }
      for (const e of expected)
        if (!out[e]) throw new TesseraError(`${label}: layer '${layer.name}' (${layer.className}) has no '${e}' weight (found: ${Object.keys(out).join(', ') || 'none'}): the weights do not belong to this config`);
      const extra = Object.keys(out).filter((k) => !expected.includes(k));
      if (extra.length) throw new TesseraError(`${label}: layer '${layer.name}' (${layer.className}) has weights ${extra.join(', ')} that its config does not use: the weights do not belong to this config`);
      return out;
    },
  };
}

/** Picks the layout of a weights-only HDF5 file. */
export function weightsStoreFor(root: H5Group, model: KerasModelConfig, label: string): WeightSource {
  if (root.children.model_weights?.kind === 'group') return legacyStore(root.children.model_weights, label);
  if (root.children.layers?.kind === 'group' || root.children._layer_checkpoint_dependencies?.kind === 'group') return keras3Store(root, model, label);
  return legacyStore(root, label);
}
