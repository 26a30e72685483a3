// Issue 12, reproducer 4: damaged HDF5 files kept the importer busy without end. HDF5 links may point
// back up the tree (a loop) or many times at the same group (2^n paths through n groups); the reader
// walked every path. Each such file now ends with one line, long before the import's time limit.
import { describe, expect, it } from 'vitest';
import { h5wasmForTests, MAX_H5_DEPTH, readHdf5 } from './hdf5';
import { importLimitsOf } from '../limits';
import { TesseraError } from '../../diagnostics/diagnostics';

/** An HDF5 file made by `build(root)` with h5wasm. */
async function h5File(build: (root: any) => void): Promise<Uint8Array> {
  const { h5, FS } = await h5wasmForTests();
  const path = `/hdf5-test-${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5.File(path, 'w');
  build(f);
  f.close();
  const bytes = new Uint8Array(FS.readFile(path) as Uint8Array);
  FS.unlink(path);
  return bytes;
}

async function refusal(bytes: Uint8Array, label: string, limits?: Parameters<typeof readHdf5>[2]): Promise<string> {
  try {
    await readHdf5(bytes, label, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(TesseraError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error(`${label} was read`);
}

describe('readHdf5 on hostile link structures', () => {
  it('a hard link back to the root (a loop) stops at the nesting limit', async () => {
    const bytes = await h5File((f) => {
      (f.create_group('model_weights') as any).create_hard_link('/', 'loop');
    });
    expect(await refusal(bytes, 'loop.h5')).toMatch(new RegExp(`^loop\\.h5: groups nest deeper than ${MAX_H5_DEPTH} levels at (/model_weights/loop)+/model_weights \\(a link loop\\?\\): the file is damaged; save it again$`));
  }, 60_000);

  it('a soft link loop is one line too', async () => {
    const bytes = await h5File((f) => {
      (f.create_group('a') as any).create_soft_link('/', 'loop');
    });
    expect(await refusal(bytes, 'soft.h5')).toMatch(/^soft\.h5: (groups nest deeper|cannot read)/);
  }, 60_000);

  it('20 groups each linked twice from the one above (2^20 paths in a few KB) are refused after as many objects as the bytes can hold', async () => {
    const bytes = await h5File((f) => {
      let g = f;
      for (let i = 0; i < 20; i++) {
        g.create_group(`g${i}`);
        g.create_hard_link(`${g.path === '/' ? '' : g.path}/g${i}`, `h${i}`);
        g = g.get(`g${i}`);
      }
    });
    expect(bytes.length).toBeLessThan(8000);
    expect(await refusal(bytes, 'dag.h5')).toMatch(/^dag\.h5: more than \d+ objects in \d+ bytes \(at [/gh0-9]+\): links lead to the same groups again and again; the file is damaged or not a Keras file$/);
  }, 120_000);

  it('a dataset over the per-entry limit is refused from its declared shape, before it is read', async () => {
    const bytes = await h5File((f) => {
      f.create_dataset({ name: 'w', data: new Float32Array(300_000), shape: [300_000], dtype: '<f' });
    });
    expect(await refusal(bytes, 'big.h5', importLimitsOf(1))).toBe('big.h5: dataset /w declares 2 MiB, over the 1 MiB limit of one dataset; if the file is genuine, raise the limit with TESSERA_IMPORT_MAX_MB=<megabytes>');
    expect((await readHdf5(bytes, 'big.h5', importLimitsOf(2))).children.w).toMatchObject({ kind: 'dataset', shape: [300_000] });
  }, 60_000);
});
