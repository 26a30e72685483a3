// The app's import channel (what the file picker and drag-and-drop call) reads Keras .keras and .h5 files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomTensor } from '../../engine/tensor/tensor';
import { conv, keras2H5, keras3File, plain, type ModelSpec } from '../../engine/interop/keras/writer.testutil';
import { AppServices } from './services';
import { resolveAppDirs } from '../services/store';

let dir: string;
let services: AppServices;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-api-keras-'));
  services = new AppServices({
    mode: 'serve',
    dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }),
    examplesDir: path.join(dir, 'examples'),
    version: '1.2.3',
  });
});
afterEach(() => {
  services.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const spec: ModelSpec = {
  kind: 'Sequential', inputs: [{ name: 'z', shape: [null, 4, 4, 8] }],
  layers: [conv('Conv2DTranspose', 'up', 2, { filters: 3, kernel_size: [2, 2], strides: [2, 2], padding: 'same' }, [randomTensor([2, 2, 3, 8], 1), randomTensor([3], 2)]), plain('Activation', 'act', { activation: 'tanh' })],
};

describe('onnx.import channel with Keras files', () => {
  it('imports .keras and .h5 into a graph with canonical weights; a broken file is an invalid request', async () => {
    for (const [fileName, bytes] of [['gen.keras', await keras3File(spec)], ['gen.h5', await keras2H5(spec)]] as const) {
      const r = await services.invoke('onnx.import', { fileName, bytesBase64: Buffer.from(bytes).toString('base64') });
      expect(r.graph.nodes.map((n) => n.type)).toEqual(['Input', 'ConvTranspose2D', 'Tanh']);
      const ct = r.graph.nodes.find((n) => n.type === 'ConvTranspose2D')!;
      expect(r.weights[ct.id].weight.shape).toEqual([8, 3, 2, 2]);
      expect(r.weights[ct.id].weight.layout).toMatch(/IOX/);
    }
    const bad = await services.call('onnx.import', { fileName: 'gen.keras', bytesBase64: Buffer.from((await keras3File(spec)).slice(0, 100)).toString('base64') });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/gen\.keras is a damaged or truncated zip archive/);
  });
});
