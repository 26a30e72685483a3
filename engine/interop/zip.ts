// Zip archives (.keras) read with bounds: the central directory is read first, only the named entries are
// inflated, each no larger than a per-entry limit and all together no larger than a total limit (both
// raise-able), inflated in slices so a zip bomb stops within one slice of the limit; every entry's size
// and CRC-32 are checked against the directory before its bytes are used. fflate does the inflating.
import { Inflate } from 'fflate';
import { TesseraError } from '../diagnostics/diagnostics';
import { DEFAULT_IMPORT_LIMITS, IMPORT_LIMIT_HINT, mib, type ImportLimits } from './limits';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zip uses it). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  localOffset: number;
}

const SLICE = 16 * 1024;
const MAX_DEFLATE_RATIO = 1032;

/** The central directory's entries (names as UTF-8), checked to lie inside the archive. */
function directory(bytes: Uint8Array, label: string): Entry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string): never => {
    throw new TesseraError(`${label} is a damaged or truncated zip archive (${what}): save the model again`);
  };
  // End of central directory: 22 bytes plus a comment of up to 65 535 bytes, at the end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad('no end of central directory: the file is cut short');
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) bad('zip64 archives over 4 GiB are not read');
  if (cdOffset + cdSize > eocd) bad('the central directory lies outside the archive');
  const out: Entry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || dv.getUint32(p, true) !== 0x02014b50) bad(`central directory entry ${i} is malformed`);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen > eocd) bad(`central directory entry ${i} is cut short`);
    const e: Entry = {
      name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      flags: dv.getUint16(p + 8, true),
      method: dv.getUint16(p + 10, true),
      crc: dv.getUint32(p + 16, true),
      compressed: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localOffset: dv.getUint32(p + 42, true),
    };
    if (e.compressed === 0xffffffff || e.size === 0xffffffff || e.localOffset === 0xffffffff) bad(`entry ${e.name} uses zip64 sizes (over 4 GiB), which are not read`);
    out.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The bytes of one entry, inflated within `limit` bytes, its size and CRC-32 checked. */
function readEntry(bytes: Uint8Array, e: Entry, limit: number, label: string): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const where = `${label} entry ${e.name}`;
  const bad = (what: string): never => {
    throw new TesseraError(`${where} is damaged (${what}): save the model again`);
  };
  if (e.flags & 1) bad('it is encrypted');
  const lh = e.localOffset;
  if (lh + 30 > bytes.length || dv.getUint32(lh, true) !== 0x04034b50) bad('its local header is missing');
  const start = lh + 30 + dv.getUint16(lh + 26, true) + dv.getUint16(lh + 28, true);
  if (start + e.compressed > bytes.length) bad(`its ${e.compressed} compressed bytes run past the end of the archive`);
  const data = bytes.subarray(start, start + e.compressed);
  let out: Uint8Array;
  if (e.method === 0) {
    if (e.compressed !== e.size) bad(`stored with ${e.compressed} bytes but ${e.size} declared`);
    out = data;
  } else if (e.method === 8) {
    // Deflate cannot expand more than 1032:1 (258 bytes from one 2-bit code): a larger declared size is a
    // lie, refused before its buffer is allocated.
    if (e.size > e.compressed * MAX_DEFLATE_RATIO + 64) bad(`${e.compressed} compressed bytes cannot inflate to the ${e.size} bytes its directory entry declares`);
    out = new Uint8Array(e.size);
    let n = 0;
    let ended = false;
    const inflater = new Inflate((chunk, final) => {
      if (n + chunk.length > e.size) bad(`it inflates to more than the ${e.size} bytes its directory entry declares`);
      out.set(chunk, n);
      n += chunk.length;
      if (final) ended = true;
    });
    try {
      for (let i = 0; i < data.length; i += SLICE) inflater.push(data.subarray(i, i + SLICE), i + SLICE >= data.length);
      if (data.length === 0) inflater.push(data, true);
    } catch (err) {
      if (err instanceof TesseraError) throw err;
      bad(`its deflate data is invalid: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!ended || n !== e.size) bad(`it inflates to ${n} bytes, its directory entry declares ${e.size}`);
  } else {
    return bad(`compression method ${e.method} is not read; zip with deflate or store`);
  }
  if (out.length > limit) bad(`${out.length} bytes, over the limit`);
  if (crc32(out) !== e.crc) bad('its CRC-32 does not match: the bytes changed after it was written');
  return out;
}

/**
 * The entries of a zip archive named in `names` (others are not inflated), checked and bounded by
 * `limits`. Throws one TesseraError naming the archive, the entry and the fix.
 */
export function unzipBounded(bytes: Uint8Array, names: readonly string[], label: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Record<string, Uint8Array> {
  const wanted = directory(bytes, label).filter((e) => names.includes(e.name));
  const out: Record<string, Uint8Array> = {};
  let total = 0;
  for (const e of wanted) {
    if (out[e.name]) throw new TesseraError(`${label} holds ${e.name} twice: it is not an archive Keras wrote; save the model again`);
    if (e.size > limits.entryBytes) throw new TesseraError(`${label} entry ${e.name} inflates to ${mib(e.size)}, over the ${mib(limits.entryBytes)} limit of one entry; ${IMPORT_LIMIT_HINT}`);
    if (total + e.size > limits.totalBytes) throw new TesseraError(`${label} inflates to more than the ${mib(limits.totalBytes)} limit of one file; ${IMPORT_LIMIT_HINT}`);
    out[e.name] = readEntry(bytes, e, limits.entryBytes, label);
    total += e.size;
  }
  return out;
}
