// Tensors on the wire (electron/api TensorJson: little-endian bytes, base64) ⇄ engine Tensors.
import type { TensorJson, WeightMapJson } from '../../api/contract';
import type { WeightMap } from '../../engine/graph/model';
import type { Tensor } from '../../engine/tensor/tensor';
import type { WeightSlot } from '../../engine/ops/types';

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

export function tensorToJson(t: Tensor, layout: string): TensorJson {
  const copy = new Float32Array(t.data);
  return { dtype: 'float32', shape: [...t.shape], layout: layout.slice(0, 64), dataBase64: bytesToBase64(new Uint8Array(copy.buffer)) };
}

export function tensorFromJson(j: TensorJson): Tensor {
  const bytes = base64ToBytes(j.dataBase64);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = j.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const read: Record<string, [number, (o: number) => number]> = {
    float32: [4, (o) => view.getFloat32(o, true)],
    float64: [8, (o) => view.getFloat64(o, true)],
    int8: [1, (o) => view.getInt8(o)],
    uint8: [1, (o) => view.getUint8(o)],
    int16: [2, (o) => view.getInt16(o, true)],
    int32: [4, (o) => view.getInt32(o, true)],
  };
  const [size, get] = read[j.dtype];
  if (bytes.byteLength !== n * size) throw new Error(`tensor of shape [${j.shape.join(', ')}] (${j.dtype}) needs ${n * size} bytes, got ${bytes.byteLength}`);
  for (let i = 0; i < n; i++) data[i] = get(i * size);
  return { shape: [...j.shape], data };
}

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

export function slotLayout(slots: readonly WeightSlot[] | undefined, name: string): string {
  return slots?.find((s) => s.name === name)?.layout ?? '';
}
