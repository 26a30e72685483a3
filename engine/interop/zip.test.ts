// Issue 12, reproducer 3: zip bombs were inflated in full (a 1 MB .keras grew to 1.17 GB of memory), entry
// CRCs were not checked (96 byte-damaged .keras files imported, one computing outputs 1.2e-7 away from the
// original's) and declared sizes patched to 0xFFFFFFF0 were accepted.
import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import { crc32, unzipBounded } from './zip';
import { DEFAULT_IMPORT_LIMITS, importLimitsOf } from './limits';
import { importKeras } from './keras/import';
import { conv, dense, keras3File, plain, type ModelSpec } from './keras/writer.testutil';
import { randomTensor, seededRandom } from '../tensor/tensor';
import { TesseraError } from '../diagnostics/diagnostics';

const spec: ModelSpec = {
  kind: 'Sequential',
  inputs: [{ name: 'x', shape: [null, 6, 6, 2] }],
  layers: [conv('Conv2D', 'c', 2, { filters: 3, kernel_size: [3, 3] }, [randomTensor([3, 3, 2, 3], 1), randomTensor([3], 2)]), plain('Flatten', 'f'), dense('d', { units: 4 }, [randomTensor([48, 4], 3), randomTensor([4], 4)])],
};

/** Central directory entries of a zip: offset of each record and its name. */
function cdEntries(zip: Uint8Array): { at: number; name: string }[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const out: { at: number; name: string }[] = [];
  let p = dv.getUint32(eocd + 16, true);
  for (let i = 0; i < dv.getUint16(eocd + 10, true); i++) {
    const n = dv.getUint16(p + 28, true);
    out.push({ at: p, name: new TextDecoder().decode(zip.subarray(p + 46, p + 46 + n)) });
    p += 46 + n + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return out;
}

/** A zip holding one deflated entry whose data is `raw` deflated, declaring `size` bytes (default: the truth). */
function zipOf(name: string, raw: Uint8Array, size = raw.length): Uint8Array {
  const data = zlib.deflateRawSync(raw);
  const z = zipSync({ [name]: [strToU8('x'), { level: 9 }] });
  // Rebuild around the real data: local header + data + central directory + end record.
  const enc = new TextEncoder().encode(name);
  const local = new Uint8Array(30 + enc.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(14, crc32(raw), true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, size, true);
  lv.setUint16(26, enc.length, true);
  local.set(enc, 30);
  const cd = new Uint8Array(46 + enc.length);
  const cv = new DataView(cd.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true);
  cv.setUint16(6, 20, true);
  cv.setUint16(10, 8, true);
  cv.setUint32(16, crc32(raw), true);
  cv.setUint32(20, data.length, true);
  cv.setUint32(24, size, true);
  cv.setUint16(28, enc.length, true);
  cv.setUint32(42, 0, true);
  cd.set(enc, 46);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, local.length + data.length, true);
  void z;
  const out = new Uint8Array(local.length + data.length + cd.length + end.length);
  out.set(local);
  out.set(data, local.length);
  out.set(cd, local.length + data.length);
  out.set(end, local.length + data.length + cd.length);
  return out;
}

describe('bounded zip reading', () => {
  it('crc32 is the zip CRC', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('reads what fflate wrote, only the named entries', () => {
    const z = zipSync({ 'a.txt': strToU8('hello'), 'b.bin': new Uint8Array(1000).fill(7), 'skip.txt': strToU8('not read') });
    const r = unzipBounded(z, ['a.txt', 'b.bin', 'missing'], 'z.zip');
    expect(Object.keys(r).sort()).toEqual(['a.txt', 'b.bin']);
    expect(new TextDecoder().decode(r['a.txt'])).toBe('hello');
    expect(r['b.bin'].every((v) => v === 7)).toBe(true);
  });

  it('a bomb declaring its true size is refused before anything is inflated; one declaring less stops at that size', () => {
    const zeros = new Uint8Array(32 * 2 ** 20); // 32 MiB of zeros deflate to about 32 KiB
    const honest = zipOf('model.weights.h5', zeros);
    expect(honest.length).toBeLessThan(100_000);
    expect(() => unzipBounded(honest, ['model.weights.h5'], 'bomb.keras', importLimitsOf(16))).toThrow(
      'bomb.keras entry model.weights.h5 inflates to 32 MiB, over the 16 MiB limit of one entry; if the file is genuine, raise the limit with TESSERA_IMPORT_MAX_MB=<megabytes>',
    );
    const lying = zipOf('model.weights.h5', zeros, 1000); // inflating stops within one 16 KiB slice of the declared 1000 bytes
    expect(() => unzipBounded(lying, ['model.weights.h5'], 'bomb.keras')).toThrow(/bomb\.keras entry model\.weights\.h5 is damaged \(it inflates to more than the 1000 bytes its directory entry declares\)/);
    // The 1 MB file declaring 1.17 GB: refused by the default per-entry limit of 1 GiB, without inflating.
    const big = zipOf('model.weights.h5', new Uint8Array(10), 1_170_000_000);
    expect(() => unzipBounded(big, ['model.weights.h5'], 'm.keras')).toThrow(/inflates to 1116 MiB, over the 1024 MiB limit of one entry/);
    // A size deflate cannot reach from the compressed bytes (over 1032:1) is refused before its buffer is allocated.
    const inflated = zipOf('model.weights.h5', new Uint8Array(1000), 500_000_000);
    expect(() => unzipBounded(inflated, ['model.weights.h5'], 'm.keras')).toThrow(/m\.keras entry model\.weights\.h5 is damaged \(\d+ compressed bytes cannot inflate to the 500000000 bytes its directory entry declares\)/);
    expect(DEFAULT_IMPORT_LIMITS).toEqual({ entryBytes: 2 ** 30, totalBytes: 2 ** 31 });
  });

  it('sizes patched to 0xFFFFFFF0 or 0, and a damaged CRC, are refused', () => {
    const z = zipSync({ 'config.json': strToU8('{"a": 1}'.repeat(50)) });
    const at = cdEntries(z)[0].at;
    const patched = (offset: number, value: number) => {
      const b = z.slice();
      new DataView(b.buffer).setUint32(at + offset, value, true);
      return b;
    };
    expect(() => unzipBounded(patched(24, 0xfffffff0), ['config.json'], 'p.keras')).toThrow(/inflates to 4096 MiB, over the 1024 MiB limit/);
    expect(() => unzipBounded(patched(24, 0), ['config.json'], 'p.keras')).toThrow(/more than the 0 bytes its directory entry declares/);
    expect(() => unzipBounded(patched(20, 0xfffffff0), ['config.json'], 'p.keras')).toThrow(/run past the end of the archive/);
    expect(() => unzipBounded(patched(16, 0x12345678), ['config.json'], 'p.keras')).toThrow('p.keras entry config.json is damaged (its CRC-32 does not match: the bytes changed after it was written): save the model again');
  });

  it('100 .keras files each with one damaged byte: each is refused, or imports exactly the original model', async () => {
    const original = await keras3File(spec);
    const want = await importKeras('m.keras', original);
    const rnd = seededRandom(96);
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      const b = original.slice();
      const at = Math.floor(rnd() * b.length);
      b[at] ^= 1 + Math.floor(rnd() * 255);
      try {
        const got = await importKeras('m.keras', b);
        expect(got.model, `byte ${at}`).toEqual(want.model); // the byte was in a header field nothing reads
      } catch (e) {
        expect(e).toBeInstanceOf(TesseraError);
        expect((e as Error).message).not.toContain('\n');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(80);
  });
});
