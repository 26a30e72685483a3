// The time limit of imports (issue 12, reproducer 4: damaged .h5 files kept `tessera info` busy past 25 s):
// the Keras readers run in a worker that is stopped at the limit, with a one-line error.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTessera } from '../../cli/cli.testutil';
import { ImportRunner, TimeLimit, importSettings, loadModelBounded } from './runner';
import { keras3File, keras2H5, conv } from '../../../engine/interop/keras/writer.testutil';
import { randomTensor } from '../../../engine/tensor/tensor';

const runner = new ImportRunner();
afterAll(() => runner.close());

describe('bounded model imports', () => {
  it('imports in the worker and answers errors in one line', async () => {
    const bytes = await keras3File({ kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 6, 6, 2] }], layers: [conv('Conv2D', 'c', 2, { filters: 3, kernel_size: [3, 3] }, [randomTensor([3, 3, 2, 3], 1), randomTensor([3], 2)])] });
    const m = await loadModelBounded('m.keras', bytes);
    expect(m.kind).toBe('keras3');
    expect(m.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D']);
    expect(m.model.weights[m.model.graph.nodes[1].id].weight.data).toBeInstanceOf(Float32Array);
    await expect(loadModelBounded('x.onnx', new Uint8Array([1, 2, 3]))).rejects.toThrow(/^not an ONNX model/);
  });

  it('a job over its time limit is stopped, and the next job runs in a new worker', async () => {
    const big = await keras3File({ kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 6, 6, 2] }], layers: [conv('Conv2D', 'c', 2, { filters: 3, kernel_size: [3, 3] }, [randomTensor([3, 3, 2, 3], 1), randomTensor([3], 2)])] });
    await expect(runner.run({ name: 'slow.keras', bytes: big, extra: {}, limits: importSettings().limits }, 1)).rejects.toBeInstanceOf(TimeLimit);
    const a = await runner.run({ name: 'ok.keras', bytes: big, extra: {}, limits: importSettings().limits }, 30_000);
    expect(a.ok).toBe(true);
  });

  it('tessera info stops a Keras import at TESSERA_IMPORT_TIMEOUT_S with one line and exit code 1; the zip limit from TESSERA_IMPORT_MAX_MB', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-import-limit-'));
    try {
      const spec = { kind: 'Sequential' as const, inputs: [{ name: 'x', shape: [null, 6, 6, 2] }], layers: [conv('Conv2D', 'c', 2, { filters: 3, kernel_size: [3, 3] }, [randomTensor([3, 3, 2, 3], 1), randomTensor([3], 2)])] };
      fs.writeFileSync(path.join(dir, 'm.h5'), await keras2H5(spec));
      fs.writeFileSync(path.join(dir, 'm.keras'), await keras3File(spec));
      const slow = await spawnTessera(['info', path.join(dir, 'm.h5')], { env: { ...process.env, TESSERA_DEBUG: '', TESSERA_IMPORT_TIMEOUT_S: '0.001' } });
      expect(slow.code).toBe(1);
      expect(slow.stderr.trim()).toMatch(/^tessera info: .*reading .*m\.h5 took longer than 0\.001 s and was stopped \(a damaged file can keep a reader busy forever\); check the file, or raise the limit with TESSERA_IMPORT_TIMEOUT_S=<seconds> if it is genuine and large$/);
      const small = await spawnTessera(['info', path.join(dir, 'm.keras')], { env: { ...process.env, TESSERA_DEBUG: '', TESSERA_IMPORT_MAX_MB: '0.001' } });
      expect(small.code).toBe(1);
      expect(small.stderr.trim()).toMatch(/entry (config\.json|model\.weights\.h5) inflates to 1 MiB, over the 1 MiB limit of one entry; if the file is genuine, raise the limit with TESSERA_IMPORT_MAX_MB=<megabytes>$/);
      const ok = await spawnTessera(['info', path.join(dir, 'm.keras')]);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('reads its limits from the environment', () => {
    expect(importSettings({ TESSERA_IMPORT_TIMEOUT_S: '5', TESSERA_IMPORT_MAX_MB: '10' })).toEqual({ timeoutMs: 5000, limits: { entryBytes: 10 * 2 ** 20, totalBytes: 20 * 2 ** 20 } });
    expect(() => importSettings({ TESSERA_IMPORT_TIMEOUT_S: 'soon' })).toThrow(/TESSERA_IMPORT_TIMEOUT_S="soon" is not a positive number/);
  });
});
