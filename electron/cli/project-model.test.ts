// `tessera simulate` and `tessera build` on a Tessera project (.tessera): the project's graph and weights are
// the model. The reference is onnxruntime on the same network written as ONNX (independent of the store).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runMain } from './cli.testutil';
import { buildOnnxModel } from '../../engine/interop/onnx/proto';
import { importOnnx } from '../../engine/interop/onnx/import';
import { readNpy, writeNpy } from '../../engine/interop/npy';
import { randomTensor } from '../../engine/tensor/tensor';
import { expectClose, runOrt } from '../../engine/interop/onnx/oracle.testutil';
import { emptyDocument, ProjectFile, weightsFromEngine } from '../services/store';

let dir: string;
let onnx: Uint8Array;
let project: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-cli-project-'));
  // Conv 3×3 (2→5, pads 1,0,1,2: not symmetric) → LeakyRelu → ConvTranspose 3×3 stride 2 (5→3).
  const t = (name: string, shape: number[], seed: number) => ({ name, dims: shape, dtype: 'float32' as const, data: Float32Array.from(randomTensor(shape, seed).data) });
  onnx = buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 2, 6, 7] }],
    outputs: [{ name: 'y', shape: [1, 3, 13, 15] }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], name: 'enc', attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 0, 1, 2] } } },
      { op: 'LeakyRelu', inputs: ['c1'], outputs: ['r1'], name: 'act', attrs: { alpha: { float: 0.15 } } },
      { op: 'ConvTranspose', inputs: ['r1', 'w2', 'b2'], outputs: ['y'], name: 'dec', attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } } },
    ],
    initializers: [t('w1', [5, 2, 3, 3], 31), t('b1', [5], 32), t('w2', [5, 3, 3, 3], 33), t('b2', [3], 34)],
  });
  const imported = importOnnx(onnx).model;
  project = join(dir, 'design.tessera');
  const p = ProjectFile.create(project, { doc: { ...emptyDocument(), graph: imported.graph, weights: weightsFromEngine(imported.weights, () => 'OIX') } });
  p.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The project's document, read back. */
function p0() {
  const p = ProjectFile.open(project);
  try {
    return p.load();
  } finally {
    p.close();
  }
}

/** The project's graph with result_t of the LeakyReLU "act" set to `type`. */
function withPrecision(type: string) {
  const g = p0().graph;
  return { ...g, nodes: g.nodes.map((n) => (n.name === 'act' ? { ...n, precision: { result_t: type } } : n)) };
}

describe('a .tessera project as the model', () => {
  it('simulate runs the project graph and matches onnxruntime on the same network', async () => {
    const x = randomTensor([1, 2, 6, 7], 77);
    writeFileSync(join(dir, 'x.npy'), writeNpy(x));
    const r = await runMain('simulate', project, '--input', join(dir, 'x.npy'), '--output', join(dir, 'y.npy'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const y = readNpy(new Uint8Array(readFileSync(join(dir, 'y.npy'))));
    expect(y.shape).toEqual([1, 3, 13, 15]);
    const want = (await runOrt(onnx, { x })).y;
    expectClose(y, want, 1e-5);
  });

  it('simulate runs several images through a fixed-batch model, one batch at a time (= each image alone)', async () => {
    const x = randomTensor([3, 2, 6, 7], 78);
    writeFileSync(join(dir, 'x3.npy'), writeNpy(x));
    const r = await runMain('simulate', project, '--input', join(dir, 'x3.npy'), '--output', join(dir, 'y3.npy'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const y = readNpy(new Uint8Array(readFileSync(join(dir, 'y3.npy'))));
    expect(y.shape).toEqual([3, 3, 13, 15]);
    const per = 2 * 6 * 7;
    for (let n = 0; n < 3; n++) {
      const want = (await runOrt(onnx, { x: { shape: [1, 2, 6, 7], data: x.data.slice(n * per, (n + 1) * per) } })).y;
      expectClose({ shape: [1, 3, 13, 15], data: y.data.slice(n * 585, (n + 1) * 585) }, want, 1e-5);
    }
    writeFileSync(join(dir, 'x0.npy'), writeNpy({ shape: [0, 2, 6, 7], data: new Float32Array(0) }));
    const bad = await runMain('simulate', project, '--input', join(dir, 'x0.npy'), '--output', join(dir, 'y0.npy'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/x0\.npy has shape \(0, 2, 6, 7\) .* \(any multiple of its batch 1\)/);
  });

  it('info on the project lists its layers', async () => {
    const r = await runMain('info', project);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/enc\s+Conv2D/);
    expect(r.stdout).toMatch(/dec\s+ConvTranspose2D/);
    // Reading a project leaves no SQLite side files (<file>-shm / -wal) behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('design.tessera-'))).toEqual([]);
  });

  it('build writes the HLS project of the project graph', async () => {
    const out = join(dir, 'hls');
    const r = await runMain('build', project, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'tessera.json'), 'utf8')) as { layers: { name: string; type: string }[] };
    expect(meta.layers.map((l) => `${l.name}:${l.type}`)).toEqual(['x:Input', 'enc:Conv2D', 'act:LeakyReLU', 'dec:ConvTranspose2D']);
    expect(existsSync(join(out, 'firmware', 'myproject.cpp'))).toBe(true);
  });

  it("build uses the layers' own precisions; a bad one is refused in one line naming it", async () => {
    const file = join(dir, 'typed.tessera');
    const p = ProjectFile.create(file, { doc: { ...p0(), graph: withPrecision('ap_fixed<9,3>') } });
    p.close();
    const out = join(dir, 'hls-typed');
    const r = await runMain('build', file, '--out', out);
    expect(r.stderr).toBe('');
    const meta = JSON.parse(readFileSync(join(out, 'tessera.json'), 'utf8')) as { layers: { name: string; result_t: string }[] };
    expect(meta.layers.find((l) => l.name === 'act')!.result_t).toMatch(/^ap_fixed<9,3[,>]/);
    expect(meta.layers.find((l) => l.name === 'enc')!.result_t).toMatch(/^ap_fixed<16,6[,>]/);
    const bad = join(dir, 'badtype.tessera');
    ProjectFile.create(bad, { doc: { ...p0(), graph: withPrecision('ap_fixed<9') } }).close();
    const b = await runMain('build', bad, '--out', join(dir, 'hls-bad'));
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/act: precision\.result_t = "ap_fixed<9" breaks the rule/);
  });

  it('a SQLite file that is not a project, or --weights with a project: one line naming the problem', async () => {
    const other = join(dir, 'other.tessera');
    const db = new Database(other);
    db.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);');
    db.close();
    const a = await runMain('simulate', other, '--input', join(dir, 'x.npy'), '--output', join(dir, 'z.npy'));
    expect(a.code).not.toBe(0);
    expect(a.stderr.split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/other\.tessera/);
    expect(a.stderr).not.toMatch(/protobuf|ONNX/);
    const b = await runMain('build', project, '--out', join(dir, 'hls2'), '--weights', join(dir, 'w.h5'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--weights.*drop --weights/);
    const c = await runMain('info', project, '--weights', join(dir, 'w.h5'));
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--weights.*drop --weights/);
  });
});
