// `tessera report DIR` on a project Tessera generated but nothing synthesised (e.g. build --synth without a
// vendor tool, which prints the estimate and writes no report): the message says that, not "build first".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../cli.testutil';
import { buildOnnxModel } from '../../../engine/interop/onnx/proto';
import { randomTensor } from '../../../engine/tensor/tensor';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-report-project-'));
  writeFileSync(join(dir, 'm.onnx'), buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 3, 5, 4] }],
    outputs: [{ name: 'y', shape: [1, 2, 10, 8] }],
    nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'], name: 'up', attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } }],
    initializers: [{ name: 'w', dims: [3, 2, 2, 2], dtype: 'float32', data: Float32Array.from(randomTensor([3, 2, 2, 2], 41).data) }],
  }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera report on a generated, never synthesised project', () => {
  it('says the project was not synthesised and how to get reports, in one line', async () => {
    const b = await runMain('build', join(dir, 'm.onnx'), '--out', join(dir, 'prj'));
    expect(b.code, b.stderr).toBe(0);
    const r = await runMain('report', join(dir, 'prj'));
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/generated but never synthesised/);
    expect(r.stderr).toMatch(/tessera doctor/);
    expect(r.stderr).toContain(`--out ${join(dir, 'prj')} --synth`);
    expect(r.stderr).not.toMatch(/run a synthesis build first/);
  });

  it('a folder that is not a Tessera project keeps the plain message', async () => {
    mkdirSync(join(dir, 'empty'));
    const r = await runMain('report', join(dir, 'empty'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run a synthesis build first$/);
  });
});
