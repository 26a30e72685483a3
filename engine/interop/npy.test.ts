import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, readNpyHeader, writeNpy, NpyError } from './npy';
import { randomTensor } from '../tensor/tensor';

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function npyBytes(descr: string, shape: string, data: Uint8Array, opts: { major?: number; fortran?: boolean } = {}): Uint8Array {
  const major = opts.major ?? 1;
  const dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const prefix = major === 1 ? 10 : 12;
  const headerLen = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  const out = new Uint8Array(prefix + headerLen + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(data, prefix + headerLen);
  return out;
}

describe('.npy', () => {
  it('round-trips float32 tensors of several ranks', () => {
    for (const shape of [[5], [2, 3], [1, 3, 4, 2], []]) {
      const t = randomTensor(shape, shape.length + 7);
      const back = readNpy(writeNpy(t));
      expect(back.shape).toEqual(shape);
      expect(back.data).toEqual(t.data);
    }
    expect(readNpyHeader(writeNpy(randomTensor([3], 1))).dataOffset % 64).toBe(0);
  });

  it.skipIf(!hasNumpy())('agrees with numpy in both directions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-npy-'));
    const t = randomTensor([2, 3, 4], 42);
    writeFileSync(join(dir, 'a.npy'), writeNpy(t));
    const script = `
import numpy as np, sys
d = sys.argv[1]
a = np.load(d + '/a.npy')
assert a.dtype == np.float32 and a.shape == (2, 3, 4), (a.dtype, a.shape)
np.save(d + '/b.npy', (a * 2 - 1).astype(np.float32))
np.save(d + '/c.npy', np.arange(6, dtype=np.float64).reshape(3, 2) / 4)
np.save(d + '/f.npy', np.asfortranarray(np.ones((2, 3), np.float32)))
np.save(d + '/i.npy', np.arange(-3, 3, dtype=np.int64))
np.lib.format.write_array(open(d + '/v2.npy', 'wb'), a, version=(2, 0))
np.lib.format.write_array(open(d + '/v3.npy', 'wb'), a, version=(3, 0))
np.save(d + '/big.npy', np.array([1.0, 0.1], np.float64))
np.save(d + '/be.npy', np.arange(4, dtype='>f4'))
`;
    execFileSync('python3', ['-c', script, dir]);
    const b = readNpy(readFileSync(join(dir, 'b.npy')));
    expect(b.shape).toEqual([2, 3, 4]);
    expect(b.data).toEqual(t.data.map((v) => Math.fround(v * 2 - 1)));
    for (const v of ['v2.npy', 'v3.npy']) expect(readNpy(readFileSync(join(dir, v))).data).toEqual(t.data);
    expect(() => readNpy(readFileSync(join(dir, 'c.npy')))).toThrow(/'<f8'.*float32/);
    expect([...readNpy(readFileSync(join(dir, 'c.npy')), { dtype: 'convert' }).data]).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect([...readNpy(readFileSync(join(dir, 'i.npy')), { dtype: 'convert' }).data]).toEqual([-3, -2, -1, 0, 1, 2]);
    expect(() => readNpy(readFileSync(join(dir, 'big.npy')), { dtype: 'convert' })).toThrow(/0\.1.*float32/);
    expect(() => readNpy(readFileSync(join(dir, 'f.npy')))).toThrow(/Fortran/);
    expect([...readNpy(readFileSync(join(dir, 'be.npy'))).data]).toEqual([0, 1, 2, 3]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives clear errors for bad files', () => {
    const f32 = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    expect(readNpy(npyBytes('<f4', '(2, 3)', f32, { major: 2 })).shape).toEqual([2, 3]);
    expect(() => readNpy(npyBytes('<f4', '(2, 3)', f32.subarray(0, 20)))).toThrow(/truncated.*24.*20/);
    expect(() => readNpy(npyBytes('<f4', '(2, 3)', f32, { fortran: true }))).toThrow(/Fortran/);
    expect(() => readNpy(npyBytes('<c8', '(3,)', f32))).toThrow(/'<c8' is not supported/);
    expect(() => readNpy(npyBytes('<i4', '(6,)', f32))).toThrow(/'<i4'.*float32/);
    expect(() => readNpy(new TextEncoder().encode('x,y\n1,2\n'))).toThrow(NpyError);
    expect(() => readNpy(new TextEncoder().encode('x,y\n1,2\n'))).toThrow(/not a \.npy file/);
    expect(() => readNpy(npyBytes('<f4', '(2, 3)', f32).subarray(0, 30))).toThrow(/truncated inside its header/);
  });
});
