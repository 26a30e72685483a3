// The app's import channel (what the file picker and drag-and-drop call) reads Keras .keras and .h5 files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomTensor } from '../../engine/tensor/tensor';
import { conv, keras2H5, keras3File, plain, type ModelSpec } from '../../engine/interop/keras/writer.testutil';
import type { AppServices } from './services';
import { closeTempServices, openTempServices, type TempServices } from './services.testutil';

let temp: TempServices;
let services: AppServices;
beforeEach(() => {
  temp = openTempServices('tessera-api-keras-');
  services = temp.services;
});
afterEach(() => closeTempServices(temp));

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
