// `tessera info|simulate` on Keras files (.keras, legacy .h5, model JSON + weights): spawn the real
// command from the checkout; outputs compared with the engine's in-process import of the same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readNpy, writeNpy } from '../../engine/interop/npy';
import { randomTensor, type Tensor } from '../../engine/tensor/tensor';
import { conv, dense, keras2H5, keras2Json, keras2WeightsH5, keras3File, plain, type ModelSpec } from '../../engine/interop/keras/writer.testutil';
import { spawnTessera, runMain, type Run } from './cli.testutil';


/** No time limit (the test's own applies). */
const tessera = (...args: string[]): Promise<Run> => spawnTessera(args, { timeoutMs: 0 });

function expectOneLineError(r: Run, pattern: RegExp, code = 1) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

let dir: string;
const spec: ModelSpec = {
  kind: 'Sequential',
  inputs: [{ name: 'img', shape: [null, 6, 5, 2] }],
  layers: [
    conv('Conv2D', 'c1', 2, { filters: 3, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, [randomTensor([3, 3, 2, 3], 1), randomTensor([3], 2)]),
    conv('Conv2DTranspose', 'up', 2, { filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }, [randomTensor([3, 3, 2, 3], 3), randomTensor([2], 4)]),
    plain('Flatten', 'flat', { data_format: 'channels_last' }),
    dense('out', { units: 4 }, [randomTensor([12 * 10 * 2, 4], 5), randomTensor([4], 6)]),
  ],
};
const x = randomTensor([1, 6, 5, 2], 7);
const x3 = randomTensor([3, 6, 5, 2], 8);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-keras-cli-'));
  writeFileSync(join(dir, 'model.keras'), await keras3File(spec));
  writeFileSync(join(dir, 'model.h5'), await keras2H5(spec));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(keras2Json(spec)));
  writeFileSync(join(dir, 'model_weights.h5'), await keras2WeightsH5(spec));
  writeFileSync(join(dir, 'other.h5'), await keras2WeightsH5(spec));
  writeFileSync(join(dir, 'lonely.json'), JSON.stringify(keras2Json(spec)));
  const k = await keras3File(spec);
  writeFileSync(join(dir, 'cut.keras'), k.slice(0, k.length >> 1));
  const q: ModelSpec = {
    kind: 'Sequential', inputs: [{ name: 'img', shape: [null, 4, 4, 1] }],
    layers: [
      { ...conv('Conv2D', 'qc', 2, { filters: 2, kernel_size: [3, 3] }, [randomTensor([3, 3, 1, 2], 9), randomTensor([2], 10)]), cls: 'QConv2D' },
      plain('QActivation', 'qa', { activation: 'quantized_relu(4,0)' }),
    ],
  };
  q.layers[0].config = { ...q.layers[0].config, kernel_quantizer: 'quantized_bits(6,0,alpha=1)', bias_quantizer: 'quantized_bits(8,3)', kernel_range: null, bias_range: null };
  writeFileSync(join(dir, 'qmodel.h5'), await keras2H5(q));
  writeFileSync(join(dir, 'x.npy'), writeNpy(x));
  writeFileSync(join(dir, 'x3.npy'), writeNpy(x3));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The Keras semantics of `spec` for input t (tfjs layers with the same config and weights). */
async function reference(t: Tensor): Promise<Tensor> {
  await tf.setBackend('cpu');
  const model = await tf.models.modelFromJSON(keras2Json(spec) as any);
  for (const l of spec.layers) if (l.weights?.length) model.getLayer(l.name).setWeights(l.weights.map((w) => tf.tensor(w.data, [...w.shape])));
  const y = model.predict(tf.tensor(t.data, [...t.shape])) as tf.Tensor;
  const out = { shape: y.shape, data: Float32Array.from(y.dataSync()) };
  y.dispose();
  return out;
}

const inProcess = runMain;

function expectGraph(r: Run, head: RegExp) {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toMatch(head);
  expect(lines[0]).toMatch(/6 nodes.*input img 1×6×5×2; output out 1×4/);
  expect(r.stdout).toMatch(/up\s+ConvTranspose2D\s+1×12×10×2\s+filters=2 kernel=\[3,3\] stride=\[2,2\]/);
  expect(r.stdout).toMatch(/c1_relu\s+ReLU\s+1×6×5×3/);
}

function expectNpyClose(file: string, w: Tensor) {
  const got = readNpy(readFileSync(file));
  expect(got.shape).toEqual(w.shape);
  let err = 0;
  for (let i = 0; i < got.data.length; i++) err = Math.max(err, Math.abs(got.data[i] - w.data[i]));
  expect(err).toBeLessThan(1e-4);
}

describe('tessera info / simulate with Keras files', () => {
  it('spawned bin/tessera.mjs: info model.keras, simulate model JSON (weights beside it), a truncated .keras', async () => {
    const y = join(dir, 'y-spawned.npy');
    const [info, sim, bad] = await Promise.all([
      tessera('info', join(dir, 'model.keras')),
      tessera('simulate', join(dir, 'model.json'), '--input', join(dir, 'x.npy'), '--output', y),
      tessera('info', join(dir, 'cut.keras')),
    ]);
    expectGraph(info, /Keras 3\.6\.0 \.keras, model 'sequential'/);
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    expectNpyClose(y, await reference(x));
    expectOneLineError(bad, /^tessera info: .*cut\.keras is a damaged or truncated zip archive/);
  });

  it('info on .h5, model JSON with --weights, QKeras .h5 (precisions shown)', async () => {
    expectGraph(await inProcess('info', join(dir, 'model.h5')), /Keras 2\.12\.0 \.h5/);
    expectGraph(await inProcess('info', join(dir, 'lonely.json'), '--weights', join(dir, 'other.h5')), /Keras 2\.12\.0 model JSON \+ weights/);
    const qr = await inProcess('info', join(dir, 'qmodel.h5'));
    expect(qr.stderr).toBe('');
    expect(qr.stdout.split('\n')[0]).toMatch(/Keras 2\.12\.0 \.h5, model 'sequential', 2 layers with QKeras precisions/);
    expect(qr.stdout).toMatch(/qc\s+Conv2D\s+1×2×2×2\s+.*weight_t=ap_fixed<6,1,AP_RND_CONV,AP_SAT> bias_t=ap_fixed<8,4,AP_RND_CONV,AP_SAT>/);
    expect(qr.stdout).toMatch(/qa\s+ReLU\s+1×2×2×2\s+result_t=ap_ufixed<4,0>/);
  });

  it('simulate .keras and .h5 (another batch size) write what Keras computes', async () => {
    const outs = [join(dir, 'y1.npy'), join(dir, 'y3.npy')];
    for (const r of [
      await inProcess('simulate', join(dir, 'model.keras'), '--input', join(dir, 'x.npy'), '--output', outs[0]),
      await inProcess('simulate', join(dir, 'model.h5'), '--input', join(dir, 'x3.npy'), '--output', outs[1]),
    ]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expectNpyClose(outs[0], await reference(x));
    expectNpyClose(outs[1], await reference(x3));
  });

  it('bad Keras inputs: one-line errors', async () => {
    expectOneLineError(await inProcess('info', join(dir, 'lonely.json')), /^tessera info: .*lonely\.json is a Keras model JSON and .*lonely_weights\.h5 does not exist; pass its weights with --weights W\.h5$/);
    expectOneLineError(await inProcess('info', join(dir, 'model.keras'), '--weights', join(dir, 'other.h5')), /--weights is for a Keras model JSON/, 2);
    expectOneLineError(await inProcess('info', join(dir, 'lonely.json'), '--weights', join(dir, 'missing.h5')), /weights .*missing\.h5 does not exist/);
  });
});
