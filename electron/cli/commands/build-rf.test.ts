// `tessera build --rf N / --pf N` on a model with layers that have no multipliers (ReLU) or no pixel loop:
// the design-wide factor goes to the layers that take one, as hls4ml's model-level ReuseFactor does
// (engine/hls resolution, commit 18ef046); this checks the command-line path end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../cli.testutil';
import { buildOnnxModel } from '../../../engine/interop/onnx/proto';
import { randomTensor } from '../../../engine/tensor/tensor';

let dir: string;
let model: string;

interface Layer { name: string; reuseFactor?: number; parallelizationFactor?: number }
const layersOf = (out: string): Record<string, Layer> =>
  Object.fromEntries((JSON.parse(readFileSync(join(out, 'tessera.json'), 'utf8')) as { layers: Layer[] }).layers.map((l) => [l.name, l]));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-build-rf-'));
  // Conv 3×3 2→4 (18 products per pixel) → Relu → ConvTranspose 2×2 stride 2 4→3 (12 products per phase).
  const t = (name: string, shape: number[], seed: number) => ({ name, dims: shape, dtype: 'float32' as const, data: Float32Array.from(randomTensor(shape, seed).data) });
  model = join(dir, 'm.onnx');
  writeFileSync(model, buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 2, 4, 6] }],
    outputs: [{ name: 'y', shape: [1, 3, 8, 12] }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'], name: 'conv', attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } },
      { op: 'Relu', inputs: ['c'], outputs: ['r'], name: 'relu' },
      { op: 'ConvTranspose', inputs: ['r', 'w2', 'b2'], outputs: ['y'], name: 'up', attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
    ],
    initializers: [t('w1', [4, 2, 3, 3], 5), t('b1', [4], 6), t('w2', [4, 3, 2, 2], 7), t('b2', [3], 8)],
  }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera build --rf / --pf on a design with a ReLU', () => {
  it('--rf 2 sets RF 2 on the conv layers and leaves the ReLU at 1', async () => {
    const out = join(dir, 'rf2');
    const r = await runMain('build', model, '--out', out, '--rf', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const l = layersOf(out);
    expect(l.conv.reuseFactor).toBe(2);
    expect(l.up.reuseFactor).toBe(2);
    expect(l.relu.reuseFactor ?? 1).toBe(1);
  });

  it('--pf 4 goes to the layers with a pixel loop', async () => {
    const out = join(dir, 'pf4');
    const r = await runMain('build', model, '--out', out, '--pf', '4');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(layersOf(out).conv.parallelizationFactor).toBe(4);
  });

  it('an RF invalid for a conv layer still fails, naming only that layer and its valid values', async () => {
    // 9 divides the conv's 18 products per pixel, not the ConvTranspose's 12 per phase.
    const r = await runMain('build', model, '--out', join(dir, 'rf9'), '--rf', '9');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/up: reuseFactor = 9/);
    expect(r.stderr).toMatch(/valid: 1, 2, 3, 4, 6, 12/);
    expect(r.stderr).not.toMatch(/relu/);
  });

  it('--rf 0 / --pf 0 / --images 0: one line naming the option, not one per layer', async () => {
    for (const flag of ['--rf', '--pf', '--images']) {
      const r = await runMain('build', model, '--out', join(dir, 'zero'), flag, '0');
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toContain(`${flag} takes a whole number ≥ 1, got "0"`);
    }
  });

  it('--pf with io_stream, and --out naming a file: one line naming the option and the fix', async () => {
    const a = await runMain('build', model, '--out', join(dir, 'pfs'), '--io', 'stream', '--pf', '2');
    expect(a.code).toBe(1);
    expect(a.stderr.split('\n'), a.stderr).toHaveLength(1);
    expect(a.stderr).toMatch(/--pf 2: parallelizationFactor = 2 breaks the rule io_stream layers take parallelization factor 1.*drop --pf or use --io parallel/);
    const file = join(dir, 'a-file.txt');
    writeFileSync(file, 'not a folder');
    const b = await runMain('build', model, '--out', file);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(`tessera build: --out ${file} is a file, not a folder; give the folder to write the HLS project into`);
  });
});
