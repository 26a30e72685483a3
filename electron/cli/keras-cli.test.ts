// `tessera info|simulate` on Keras files (.keras, legacy .h5, model JSON + weights): spawn the real
// command from the checkout; outputs compared with the engine's in-process import of the same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readNpy, writeNpy } from '../../engine/interop/npy';
import { randomTensor, type Tensor } from '../../engine/tensor/tensor';
import { conv, dense, keras2H5, keras2Json, keras2WeightsH5, keras3File, plain, type ModelSpec } from '../../engine/interop/keras/writer.testutil';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin', 'tessera.mjs');

interface Run { code: number; stdout: string; stderr: string }
function tessera(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, TESSERA_DEBUG: '' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

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

describe('tessera info / simulate with Keras files (spawned)', () => {
  it('info prints the graph of .keras, .h5, model JSON (weights beside it, or --weights)', async () => {
    const runs = await Promise.all([
      tessera('info', join(dir, 'model.keras')),
      tessera('info', join(dir, 'model.h5')),
      tessera('info', join(dir, 'model.json')),
      tessera('info', join(dir, 'lonely.json'), '--weights', join(dir, 'other.h5')),
    ]);
    const heads = [/Keras 3\.6\.0 \.keras, model 'sequential'/, /Keras 2\.12\.0 \.h5/, /Keras 2\.12\.0 model JSON \+ weights/, /Keras 2\.12\.0 model JSON \+ weights/];
    runs.forEach((r, i) => {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toMatch(heads[i]);
      expect(lines[0]).toMatch(/6 nodes.*input img 1×6×5×2; output out 1×4/);
      expect(r.stdout).toMatch(/up\s+ConvTranspose2D\s+1×12×10×2\s+filters=2 kernel=\[3,3\] stride=\[2,2\]/);
      expect(r.stdout).toMatch(/c1_relu\s+ReLU\s+1×6×5×3/);
    });
  });

  it('simulate writes what Keras computes, also with another batch size', async () => {
    const outs = ['y1.npy', 'y2.npy', 'y3.npy'].map((f) => join(dir, f));
    const runs = await Promise.all([
      tessera('simulate', join(dir, 'model.keras'), '--input', join(dir, 'x.npy'), '--output', outs[0]),
      tessera('simulate', join(dir, 'model.json'), '--input', join(dir, 'x.npy'), '--output', outs[1]),
      tessera('simulate', join(dir, 'model.h5'), '--input', join(dir, 'x3.npy'), '--output', outs[2]),
    ]);
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const want = await reference(x);
    const want3 = await reference(x3);
    for (const [file, w] of [[outs[0], want], [outs[1], want], [outs[2], want3]] as const) {
      const got = readNpy(readFileSync(file));
      expect(got.shape).toEqual(w.shape);
      let err = 0;
      for (let i = 0; i < got.data.length; i++) err = Math.max(err, Math.abs(got.data[i] - w.data[i]));
      expect(err).toBeLessThan(1e-4);
    }
  });

  it('bad Keras inputs: one-line errors', async () => {
    const runs = await Promise.all([
      tessera('info', join(dir, 'cut.keras')),
      tessera('info', join(dir, 'lonely.json')),
      tessera('info', join(dir, 'model.keras'), '--weights', join(dir, 'other.h5')),
      tessera('info', join(dir, 'lonely.json'), '--weights', join(dir, 'missing.h5')),
    ]);
    expectOneLineError(runs[0], /^tessera info: .*cut\.keras is a damaged or truncated zip archive/);
    expectOneLineError(runs[1], /^tessera info: .*lonely\.json is a Keras model JSON and .*lonely_weights\.h5 does not exist; pass its weights with --weights W\.h5$/);
    expectOneLineError(runs[2], /--weights is for a Keras model JSON/, 2);
    expectOneLineError(runs[3], /weights .*missing\.h5 does not exist/);
  });
});
