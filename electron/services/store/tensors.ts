// Conversions between the three forms of a tensor: engine Tensor (float32), stored (raw bytes) and
// wire JSON (base64). Byte order is little-endian everywhere (all supported hosts are little-endian).
import type { Tensor } from '../../../engine/tensor/tensor';
import type { WeightMap } from '../../../engine/graph/model';
import type { TensorJson, WeightMapJson } from '../../../api/contract';
import type { StoredTensor, StoredWeights } from './project';

export function tensorToStored(t: Tensor, layout: string): StoredTensor {
  const copy = new Float32Array(t.data);
  return { dtype: 'float32', shape: [...t.shape], layout, data: new Uint8Array(copy.buffer) };
}

/** A float32 engine tensor from a stored one (other dtypes are converted to float32). */
export function storedToTensor(s: StoredTensor): Tensor {
  const buf = s.data.buffer.slice(s.data.byteOffset, s.data.byteOffset + s.data.byteLength) as ArrayBuffer;
  let values: ArrayLike<number>;
  switch (s.dtype) {
    case 'float32': values = new Float32Array(buf); break;
    case 'float64': values = new Float64Array(buf); break;
    case 'int8': values = new Int8Array(buf); break;
    case 'uint8': values = new Uint8Array(buf); break;
    case 'int16': values = new Int16Array(buf); break;
    case 'int32': values = new Int32Array(buf); break;
  }
  return { shape: [...s.shape], data: values instanceof Float32Array ? values : Float32Array.from(values) };
}

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
