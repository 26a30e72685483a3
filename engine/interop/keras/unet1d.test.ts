// A Keras 1D U-Net like hls4ml issue 860 (1280×1 input, Conv1D 64 → 512 channels with stride 2, Conv1DTranspose
// back up, BatchNormalization, LeakyReLU, Concatenate skips), written as .keras / .h5 / JSON + weights by the
// tests: it imports, and its preview (the float simulation) matches TensorFlow.js running the same model.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { simulateFloat } from '../../sim/float';
import { randomTensor, type Tensor } from '../../tensor/tensor';
import { importKeras3, importKerasH5, importKerasJson, type KerasImportResult } from './import';
import { keras2H5, keras2Json, keras2WeightsH5, keras3File, type ModelSpec } from './writer.testutil';
import { unet1d } from './unet1d.testutil';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

async function tfjsPredict(spec: ModelSpec, x: Tensor): Promise<Tensor> {
  const model = await tf.models.modelFromJSON(keras2Json(spec) as any);
  for (const l of spec.layers) if (l.weights?.length) model.getLayer(l.name).setWeights(l.weights.map((w) => tf.tensor(w.data, [...w.shape])));
  const y = model.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor;
  const out = { shape: y.shape, data: Float32Array.from(y.dataSync()) };
  tf.dispose(y);
  return out;
}

function preview(r: KerasImportResult, x: Tensor): Tensor {
  const sim = simulateFloat(r.model, { [r.inputs[0].name]: x }, { keep: 'outputs' });
  return sim.outputs[r.model.graph.nodes.find((n) => n.id === r.outputs[0].nodeId)!.name];
}

describe('Keras 1D U-Net (hls4ml issue 860): 1280×1, Conv1D 64 → 512 stride 2, Conv1DTranspose, BN, LeakyReLU, Concatenate skips', () => {
  const { keras, tfjs } = unet1d({ length: 1280, channels: [64, 128, 256, 512] });
  const x = randomTensor([1, 1280, 1], 7, -1, 1);
  let want: Tensor;
  beforeAll(async () => {
    want = await tfjsPredict(tfjs, x);
  }, 120_000);

  it.each(['keras3', 'h5', 'json+h5'] as const)('%s imports and previews as TensorFlow.js computes', async (form) => {
    const r = await (form === 'keras3' ? importKeras3(await keras3File(keras)) : form === 'h5' ? importKerasH5(await keras2H5(keras)) : importKerasJson(JSON.stringify(keras2Json(keras)), await keras2WeightsH5(keras)));
    const types = r.model.graph.nodes.map((n) => n.type);
    expect(types.filter((t) => t === 'Conv1D')).toHaveLength(5);
    expect(types.filter((t) => t === 'ConvTranspose1D')).toHaveLength(3);
    expect(types.filter((t) => t === 'BatchNormalization')).toHaveLength(7);
    expect(types.filter((t) => t === 'LeakyReLU')).toHaveLength(7);
    expect(types.filter((t) => t === 'Concatenate')).toHaveLength(3);
    const shapes = Object.fromEntries(r.model.graph.nodes.map((n) => [n.name, n]));
    expect(shapes.enc3.params).toMatchObject({ filters: 512, stride: [2], dataFormat: 'NXC' });
    expect(r.outputs[0].shape).toEqual([1, 1280, 1]);
    const y = preview(r, x);
    expect(y.shape).toEqual(want.shape);
    let scale = 1;
    let err = 0;
    want.data.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs(v - y.data[i]));
    });
    expect(err / scale, `relative error ${err / scale}`).toBeLessThan(1e-4);
  }, 120_000);
});
