// The tensor wire codec, shared by the hosts and the renderer: TensorJson (little-endian bytes of
// `dtype`, row-major, base64) ⇄ engine Tensor (float32). Byte order is little-endian everywhere (every
// supported host is little-endian). Host-free: atob/btoa exist in browsers and in Node.
import type { Tensor } from '../engine/tensor/tensor';
import type { WeightMap } from '../engine/graph/model';
import type { DtypeName, TensorJson, WeightMapJson } from './contract';

/** Bytes per element of each wire dtype. */
export const DTYPE_BYTES: Record<DtypeName, number> = { float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, int32: 4 };

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The float32 values of a tensor held as raw bytes of `dtype` (every dtype is converted to float32). */
export function tensorFromBytes(dtype: DtypeName, shape: readonly number[], bytes: Uint8Array): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const size = DTYPE_BYTES[dtype];
  if (bytes.byteLength !== n * size) throw new Error(`tensor of shape [${shape.join(', ')}] (${dtype}) needs ${n * size} bytes, got ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'float32') {
    // The common case: one copy (the bytes may not be 4-byte aligned, so no view on them).
    return { shape: [...shape], data: new Float32Array(bytes.slice().buffer, 0, n) };
  }
  const get: Record<Exclude<DtypeName, 'float32'>, (o: number) => number> = {
    float64: (o) => view.getFloat64(o, true),
    int8: (o) => view.getInt8(o),
    uint8: (o) => view.getUint8(o),
    int16: (o) => view.getInt16(o, true),
    int32: (o) => view.getInt32(o, true),
  };
  const read = get[dtype];
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = read(i * size);
  return { shape: [...shape], data };
}

/** The float32 bytes of an engine tensor (a copy). */
export function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(new Float32Array(t.data).buffer);
}

export function tensorToJson(t: Tensor, layout: string): TensorJson {
  return { dtype: 'float32', shape: [...t.shape], layout: layout.slice(0, 64), dataBase64: bytesToBase64(tensorBytes(t)) };
}

export function tensorFromJson(j: TensorJson): Tensor {
  return tensorFromBytes(j.dtype, j.shape, base64ToBytes(j.dataBase64));
}

/** Engine weights on the wire; `layoutOf(nodeId, slot)` names each tensor's axis order. */
export function weightsToJson(w: WeightMap, layoutOf: (nodeId: string, slot: string) => string): WeightMapJson {
  const out: WeightMapJson = {};
  for (const [id, slots] of Object.entries(w)) {
    out[id] = {};
    for (const [name, t] of Object.entries(slots)) out[id][name] = tensorToJson(t, layoutOf(id, name));
  }
  return out;
}

export function weightsFromJson(j: WeightMapJson): WeightMap {
  const out: WeightMap = {};
  for (const [id, slots] of Object.entries(j)) {
    out[id] = {};
    for (const [name, t] of Object.entries(slots)) out[id][name] = tensorFromJson(t);
  }
  return out;
}
