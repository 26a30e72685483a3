// NumPy .npy files (format versions 1.0, 2.0 and 3.0), host-free: bytes in, tensor out and back.
// Format: magic "\x93NUMPY", major, minor, header length (uint16 LE for v1, uint32 LE for v2/v3),
// an ASCII (v3: UTF-8) Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline so the data starts at a multiple of 64 bytes, then the data.
import type { Tensor } from '../tensor/tensor';

/** A malformed or unsupported .npy file; the message says what is wrong and what to do. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  version: [number, number];
  dataOffset: number;
}

function parseHeaderDict(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    throw new NpyError(`the .npy header ${JSON.stringify(text.trim())} lacks 'descr', 'fortran_order' or 'shape'; write the file with numpy.save`);
  }
  if (descr[1].startsWith('|V') || text.includes("'descr': [")) {
    throw new NpyError('the .npy file holds a structured array; save a plain float32 array');
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new NpyError(`the .npy shape (${shape[1]}) has a bad dimension "${s}"`);
      return v;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

export function readNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new NpyError('not a .npy file (it does not start with "\\x93NUMPY"); write the array with numpy.save');
  }
  const major = bytes[6];
  const minor = bytes[7];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('the .npy file is truncated inside its header');
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(`.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  if (start + headerLen > bytes.length) throw new NpyError('the .npy file is truncated inside its header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  return { ...parseHeaderDict(text), version: [major, minor], dataOffset: start + headerLen };
}

interface DtypeInfo {
  size: number;
  read: (dv: DataView, offset: number, little: boolean) => number;
  /** Whether every value converts to float32 exactly. */
  exactInFloat32: boolean;
}

const dtypes: Record<string, DtypeInfo> = {
  f4: { size: 4, read: (dv, o, le) => dv.getFloat32(o, le), exactInFloat32: true },
  f8: { size: 8, read: (dv, o, le) => dv.getFloat64(o, le), exactInFloat32: false },
  f2: { size: 2, read: (dv, o, le) => halfToFloat(dv.getUint16(o, le)), exactInFloat32: true },
  i1: { size: 1, read: (dv, o) => dv.getInt8(o), exactInFloat32: true },
  u1: { size: 1, read: (dv, o) => dv.getUint8(o), exactInFloat32: true },
  b1: { size: 1, read: (dv, o) => dv.getUint8(o), exactInFloat32: true },
  i2: { size: 2, read: (dv, o, le) => dv.getInt16(o, le), exactInFloat32: true },
  u2: { size: 2, read: (dv, o, le) => dv.getUint16(o, le), exactInFloat32: true },
  i4: { size: 4, read: (dv, o, le) => dv.getInt32(o, le), exactInFloat32: false },
  u4: { size: 4, read: (dv, o, le) => dv.getUint32(o, le), exactInFloat32: false },
  i8: { size: 8, read: (dv, o, le) => Number(dv.getBigInt64(o, le)), exactInFloat32: false },
  u8: { size: 8, read: (dv, o, le) => Number(dv.getBigUint64(o, le)), exactInFloat32: false },
};

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export interface ReadNpyOptions {
  /**
   * 'float32' (default): only float32 data is accepted. 'convert': float64, float16, integer and bool
   * data are converted to float32 when every value is representable exactly; otherwise an error.
   */
  dtype?: 'float32' | 'convert';
}

/** Reads a C-order .npy array as a float32 tensor. Throws NpyError naming the problem and the fix. */
export function readNpy(bytes: Uint8Array, options: ReadNpyOptions = {}): Tensor {
  const h = readNpyHeader(bytes);
  if (h.fortranOrder) {
    throw new NpyError('the .npy array is in Fortran (column-major) order; save it in C order, e.g. numpy.save(path, numpy.ascontiguousarray(a))');
  }
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(h.descr);
  const key = m ? `${m[2]}${m[3]}` : '';
  const info = dtypes[key];
  if (!m || !info) throw new NpyError(`the .npy dtype '${h.descr}' is not supported; save a float32 array (a.astype(numpy.float32))`);
  if (key !== 'f4' && (options.dtype ?? 'float32') === 'float32') {
    throw new NpyError(`the .npy array has dtype '${h.descr}', float32 ('<f4') is required; convert it with a.astype(numpy.float32)`);
  }
  const little = m[1] !== '>';
  const n = h.shape.reduce((a, b) => a * b, 1);
  const need = n * info.size;
  const have = bytes.length - h.dataOffset;
  if (have < need) {
    throw new NpyError(`the .npy file is truncated: shape (${h.shape.join(', ')}) of '${h.descr}' needs ${need} data bytes, the file has ${have}`);
  }
  if (have > need) {
    throw new NpyError(`the .npy file has ${have - need} bytes after its data (shape (${h.shape.join(', ')}) of '${h.descr}' needs ${need}); it is not a single array`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, need);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = info.read(dv, i * info.size, little);
    data[i] = v;
    if (!info.exactInFloat32 && data[i] !== v && !Number.isNaN(v)) {
      throw new NpyError(`the .npy value ${v} at flat index ${i} (dtype '${h.descr}') does not fit float32 exactly; convert the array to float32 yourself`);
    }
  }
  return { shape: h.shape, data };
}

/** Writes a float32 tensor as a version 1.0 .npy file ('<f4', C order); version 2.0 if the header needs it. */
export function writeNpy(t: Tensor): Uint8Array {
  const shapeText = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let prefix = 10;
  let total = prefix + dict.length + 1;
  let headerLen = Math.ceil(total / 64) * 64 - prefix;
  let major = 1;
  if (headerLen > 0xffff) {
    major = 2;
    prefix = 12;
    total = prefix + dict.length + 1;
    headerLen = Math.ceil(total / 64) * 64 - prefix;
  }
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  const out = new Uint8Array(prefix + headerLen + t.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const base = prefix + headerLen;
  for (let i = 0; i < t.data.length; i++) dv.setFloat32(base + i * 4, t.data[i], true);
  return out;
}
