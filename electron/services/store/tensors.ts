// The stored form of a tensor (raw bytes, as in the project file) ⇄ the wire form (api/tensor-codec.ts
// TensorJson) and the engine's Tensor; the dtype decoding is the codec's.
import type { Tensor } from '../../../engine/tensor/tensor';
import type { WeightMap } from '../../../engine/graph/model';
import type { TensorJson, WeightMapJson } from '../../../api/contract';
import { tensorBytes, tensorFromBytes } from '../../../api/tensor-codec';
import type { StoredTensor, StoredWeights } from './project';

export function tensorToStored(t: Tensor, layout: string): StoredTensor {
  return { dtype: 'float32', shape: [...t.shape], layout, data: tensorBytes(t) };
}

/** A float32 engine tensor from a stored one (other dtypes are converted to float32). */
export function storedToTensor(s: StoredTensor): Tensor {
  return tensorFromBytes(s.dtype, s.shape, s.data);
}

// Base64 through Buffer here: the host's encoder is much faster than atob/btoa on large weights.
export function storedToJson(s: StoredTensor): TensorJson {
  return { dtype: s.dtype, shape: [...s.shape], layout: s.layout, dataBase64: Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength).toString('base64') };
}

export function jsonToStored(j: TensorJson): StoredTensor {
  const b = Buffer.from(j.dataBase64, 'base64');
  return { dtype: j.dtype, shape: [...j.shape], layout: j.layout, data: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}

export function weightsToJson(w: StoredWeights): WeightMapJson {
  const out: WeightMapJson = {};
  for (const [n, slots] of Object.entries(w)) {
    out[n] = {};
    for (const [s, t] of Object.entries(slots)) out[n][s] = storedToJson(t);
  }
  return out;
}

export function weightsFromJson(w: WeightMapJson): StoredWeights {
  const out: StoredWeights = {};
  for (const [n, slots] of Object.entries(w)) {
    out[n] = {};
    for (const [s, t] of Object.entries(slots)) out[n][s] = jsonToStored(t);
  }
  return out;
}

export function weightsToEngine(w: StoredWeights): WeightMap {
  const out: WeightMap = {};
  for (const [n, slots] of Object.entries(w)) {
    out[n] = {};
    for (const [s, t] of Object.entries(slots)) out[n][s] = storedToTensor(t);
  }
  return out;
}

/** Engine weights to stored ones; `layoutOf(nodeId, slot)` names each tensor's axis order. */
export function weightsFromEngine(w: WeightMap, layoutOf: (nodeId: string, slot: string) => string): StoredWeights {
  const out: StoredWeights = {};
  for (const [n, slots] of Object.entries(w)) {
    out[n] = {};
    for (const [s, t] of Object.entries(slots)) out[n][s] = tensorToStored(t, layoutOf(n, s));
  }
  return out;
}
