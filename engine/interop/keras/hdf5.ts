// HDF5 bytes → a plain in-memory tree (groups, attributes, float datasets), read with h5wasm from its
// in-memory file system: bytes in, data out, no host file access. The Keras importer works on this
// tree only, so it never holds an HDF5 handle and one bad file cannot leave one open.
import { DEFAULT_IMPORT_LIMITS, IMPORT_LIMIT_HINT, mib, type ImportLimits } from '../limits';
import { TesseraError } from '../../diagnostics/diagnostics';

export type H5AttrValue = string | number | boolean | string[] | number[] | null;

export interface H5Dataset {
  kind: 'dataset';
  shape: number[];
  /** Values as float32 (Keras weights are float32; float64/16 and integers are converted). */
  data: Float32Array;
  dtype: string;
  attrs: Record<string, H5AttrValue>;
}

export interface H5Group {
  kind: 'group';
  attrs: Record<string, H5AttrValue>;
  children: Record<string, H5Group | H5Dataset>;
}

/** Follows a '/'-separated path from a group; undefined when a component is missing. */
export function h5Get(root: H5Group, path: string): H5Group | H5Dataset | undefined {
  let cur: H5Group | H5Dataset | undefined = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    if (!cur || cur.kind !== 'group') return undefined;
    cur = cur.children[part];
  }
  return cur;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the HDF5 signature is at offset 0, 512, 1024, … (where the format allows the superblock). */
export function looksLikeHdf5(bytes: Uint8Array): boolean {
  for (let off = 0; off + 8 <= bytes.length; off = off === 0 ? 512 : off * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[off + i] === b)) return true;
  }
  return false;
}

type H5wasmModule = typeof import('h5wasm');
let loaded: Promise<{ h5: H5wasmModule['default']; FS: any }> | null = null;

async function h5wasmReady(): Promise<{ h5: H5wasmModule['default']; FS: any }> {
  if (!loaded) {
    loaded = (async () => {
      const mod = await import('h5wasm');
      const h5 = mod.default;
      const M: any = await h5.ready;
      // HDF5 errors become exceptions (instead of a trace printed to stderr and a null handle).
      M.activate_throwing_error_handler();
      return { h5, FS: M.FS };
    })();
  }
  return loaded;
}

/** The h5wasm module, ready, with its in-memory FS (tests use it to write files). */
export async function h5wasmForTests(): Promise<{ h5: H5wasmModule['default']; FS: any }> {
  return h5wasmReady();
}

/** The most specific line of an HDF5 error trace (e.g. 'truncated file: eof = 600, …'). */
function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  let best = '';
  for (const l of lines) {
    const m = /in [A-Za-z0-9_]+\(\): (.*)$/.exec(l);
    if (m) best = m[1];
  }
  return (best || lines[0] || 'unreadable').replace(/\s+/g, ' ');
}

let counter = 0;

function toAttr(v: unknown): H5AttrValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array && !(v instanceof Uint8ClampedArray)) return new TextDecoder().decode(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => Number(x));
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return v as string[];
    if (v.every((x) => typeof x === 'number')) return v as number[];
    return v.map((x) => (x instanceof Uint8Array ? new TextDecoder().decode(x) : String(x)));
  }
  return String(v);
}

/** Deepest group nesting and most objects read: Keras files have a few levels and hundreds of objects. */
export const MAX_H5_DEPTH = 32;
export const MAX_H5_OBJECTS = 200_000;
/**
 * Every group, dataset and attribute takes more than this many bytes of the file (an object header or a
 * link and attribute message), so a walk that meets more objects than the file's bytes allow is meeting
 * the same ones again through links: a damaged or hostile file (24 groups each linked twice from the
 * one above are 2^24 paths in 4 KB) that would otherwise keep the reader busy for hours.
 */
export const MIN_H5_OBJECT_BYTES = 8;

/**
 * Reads a whole HDF5 file into a tree. `label` names the file in errors. Throws one TesseraError (one
 * line) for bytes that are not HDF5, a truncated or damaged file, an unreadable object, nesting deeper
 * than MAX_H5_DEPTH (a link cycle), more than MAX_H5_OBJECTS objects or than the file's size allows
 * (MIN_H5_OBJECT_BYTES: shared links), or a dataset or attribute larger
 * than `limits` allow (checked from its declared shape before it is read).
 */
export async function readHdf5(bytes: Uint8Array, label: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<H5Group> {
  if (!looksLikeHdf5(bytes))
    throw new TesseraError(`${label} is not an HDF5 file (no HDF5 signature${bytes.length < 8 ? `; only ${bytes.length} bytes` : ''}): give the Keras .h5 file itself`);
  const { h5, FS } = await h5wasmReady();
  const path = `/tessera-read-${++counter}.h5`;
  FS.writeFile(path, bytes);
  let file: any = null;
  let objects = 0;
  let budget = limits.totalBytes;
  /** Runs one h5wasm call; any failure becomes one line naming the object. */
  const h5call = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof TesseraError) throw err;
      throw new TesseraError(`${label}: cannot read ${what} (${hdf5Reason(err)}): the file is damaged or truncated; save it again`);
    }
  };
  /** Declared bytes of a dataset or attribute, refused over the limits before anything is read. */
  const reserve = (what: string, meta: { total_size?: number; size?: number } | undefined) => {
    const n = Number(meta?.total_size ?? 0) * Number(meta?.size ?? 0);
    if (!Number.isFinite(n) || n < 0) throw new TesseraError(`${label}: ${what} declares an impossible size: the file is damaged; save it again`);
    if (n > limits.entryBytes) throw new TesseraError(`${label}: ${what} declares ${mib(n)}, over the ${mib(limits.entryBytes)} limit of one dataset; ${IMPORT_LIMIT_HINT}`);
    if (n > budget) throw new TesseraError(`${label}: the datasets declare more than the ${mib(limits.totalBytes)} limit of one file; ${IMPORT_LIMIT_HINT}`);
    budget -= n;
  };
  const maxObjects = Math.min(MAX_H5_OBJECTS, 64 + Math.floor(bytes.length / MIN_H5_OBJECT_BYTES));
  const count = (where: string) => {
    if (++objects > maxObjects) {
      throw new TesseraError(
        maxObjects < MAX_H5_OBJECTS
          ? `${label}: more than ${maxObjects} objects in ${bytes.length} bytes (at ${where}): links lead to the same groups again and again; the file is damaged or not a Keras file`
          : `${label}: more than ${MAX_H5_OBJECTS} objects (at ${where}): it is not a Keras file, or it is damaged`,
      );
    }
  };
  try {
    try {
      file = new h5.File(path, 'r');
    } catch (err) {
      throw new TesseraError(`${label} is a damaged or truncated HDF5 file (${hdf5Reason(err)}): save the model again`);
    }
    const readAttrs = (obj: any, where: string): Record<string, H5AttrValue> => {
      const out: Record<string, H5AttrValue> = {};
      const attrs = h5call(`the attributes of ${where || '/'}`, () => obj.attrs as Record<string, any>);
      for (const k of h5call(`the attributes of ${where || '/'}`, () => Object.keys(attrs))) {
        count(`${where || '/'}@${k}`);
        const a = h5call(`attribute ${where || '/'}@${k}`, () => attrs[k]);
        reserve(`attribute ${where || '/'}@${k}`, h5call(`attribute ${where || '/'}@${k}`, () => a.metadata));
        out[k] = h5call(`attribute ${where || '/'}@${k}`, () => toAttr(a.value));
      }
      return out;
    };
    const readDataset = (ds: any, where: string): H5Dataset => {
      const meta = h5call(`dataset ${where}`, () => ds.metadata);
      reserve(`dataset ${where}`, meta);
      const value: unknown = h5call(`dataset ${where}`, () => ds.value);
      const shape: number[] = h5call(`dataset ${where}`, () => (ds.shape ?? []).map((d: number | bigint) => Number(d)));
      let data: Float32Array;
      if (value instanceof Float32Array) data = value;
      else if (ArrayBuffer.isView(value)) data = Float32Array.from(value as unknown as ArrayLike<number | bigint>, (x) => Number(x));
      else if (typeof value === 'number' || typeof value === 'bigint') data = Float32Array.of(Number(value));
      else data = new Float32Array(0);
      return { kind: 'dataset', shape, data, dtype: String(h5call(`dataset ${where}`, () => ds.dtype)), attrs: readAttrs(ds, where) };
    };
    const walk = (g: any, where: string, depth: number): H5Group => {
      if (depth > MAX_H5_DEPTH) throw new TesseraError(`${label}: groups nest deeper than ${MAX_H5_DEPTH} levels at ${where} (a link loop?): the file is damaged; save it again`);
      const node: H5Group = { kind: 'group', attrs: readAttrs(g, where), children: {} };
      for (const key of h5call(`group ${where || '/'}`, () => g.keys() as string[])) {
        const childPath = `${where}/${key}`;
        count(childPath);
        const child = h5call(childPath, () => g.get(key));
        if (!child) continue;
        if (child instanceof h5.Group) node.children[key] = walk(child, childPath, depth + 1);
        else if (child instanceof h5.Dataset) node.children[key] = readDataset(child, childPath);
      }
      return node;
    };
    return walk(file, '', 0);
  } finally {
    try {
      file?.close();
    } catch {
      /* already reported */
    }
    try {
      FS.unlink(path);
    } catch {
      /* not created */
    }
  }
}
