// Content keys of the engine's runs (float and fixed-point simulation): everything a run's values depend on,
// as text and raw numbers, so that a cache can recognise a run it has already done. The engine has no strong
// hash of its own: the host hashes the parts (sha256) and keeps the results (RunMemo). Equal keys mean equal
// values; a key may hold more than the values need (a needless miss), never less.
import type { Tensor } from '../tensor/tensor';
import type { Model } from './model';

/** One piece of a key: text (stable JSON of settings) or a tensor's numbers, hashed as their bytes. */
export type KeyPart = string | Float32Array | Float64Array;

/**
 * Results of earlier runs by content key. The host's: it hashes the parts, bounds its memory and hands out
 * copies (a caller may change what it gets without changing what is kept).
 */
export interface RunMemo<V> {
  get(key: readonly KeyPart[]): V | undefined;
  set(key: readonly KeyPart[], value: V): void;
}

/** JSON with object keys sorted (undefined fields left out): equal content gives equal text. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function tensorKey(label: string, t: Tensor): KeyPart[] {
  return [`${label} ${JSON.stringify(t.shape)}`, t.data];
}

/** A node's weights, every slot (sorted) with its shape and numbers. */
export function nodeWeightsKey(model: Model, nodeId: string): KeyPart[] {
  const slots = model.weights?.[nodeId] ?? {};
  return Object.keys(slots).sort().flatMap((s) => tensorKey(`weight ${JSON.stringify(s)}`, slots[s]));
}

/** Every given input tensor (names sorted): a run picks its Inputs' tensors from these by name or id. */
export function inputsKey(inputs: Readonly<Record<string, Tensor>>): KeyPart[] {
  return Object.keys(inputs).sort().flatMap((k) => tensorKey(`input ${JSON.stringify(k)}`, inputs[k]));
}
