// `tessera build`: spawn the real command on an ONNX model (ConvTranspose → Conv, channels-first),
// with --csim (g++), and its one-line errors for invalid RF / types / widths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnnxModel } from '../../../engine/interop/onnx/proto';
import { readNpy, writeNpy } from '../../../engine/interop/npy';
import { randomTensor } from '../../../engine/tensor/tensor';
import { importOnnx } from '../../../engine/interop/onnx/import';
import { simulateFloat } from '../../../engine/sim/float';
import { spawnTessera, type Run } from '../cli.testutil';


const tessera = (...args: string[]): Promise<Run> => spawnTessera(args);

let dir: string;
let bytes: Uint8Array;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-build-'));
  bytes = buildOnnxModel({
    inputs: [{ name: 'z', shape: ['batch', 3, 3, 4] }],
    outputs: [{ name: 'y', shape: ['batch', 2, 6, 8] }],
    nodes: [
      { op: 'ConvTranspose', inputs: ['z', 'w1', 'b1'], outputs: ['u'], name: 'up', attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], output_padding: [0, 0] } },
      { op: 'Conv', inputs: ['u', 'w2', 'b2'], outputs: ['y'], name: 'mix', attrs: { kernel_shape: [2, 3], pads: [0, 1, 1, 1] } },
    ],
    initializers: [
      { name: 'w1', dims: [3, 4, 3, 3], data: randomTensor([3, 4, 3, 3], 1, -0.5, 0.5).data },
      { name: 'b1', dims: [4], data: randomTensor([4], 2).data },
      { name: 'w2', dims: [2, 4, 2, 3], data: randomTensor([2, 4, 2, 3], 3, -0.5, 0.5).data },
      { name: 'b2', dims: [2], data: randomTensor([2], 4).data },
    ],
  });
  writeFileSync(join(dir, 'm.onnx'), bytes);
  writeFileSync(join(dir, 'x.npy'), writeNpy(randomTensor([2, 3, 3, 4], 5, -2, 2)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera build', () => {
  it('writes the project, runs csim on the given input bit-exactly and writes csim_output.npy', async () => {
    const out = join(dir, 'p1');
    const r = await tessera('build', join(dir, 'm.onnx'), '--out', out, '--io', 'stream', '--input', join(dir, 'x.npy'), '--csim', '--precision', 'ap_fixed<18,7,AP_RND,AP_SAT>');
    expect(r.stderr + r.stdout).toMatch(/bit-exact with the engine \(2 images/);
    expect(r.code).toBe(0);
    for (const f of ['firmware/myproject.cpp', 'firmware/myproject.h', 'firmware/defines.h', 'firmware/parameters.h', 'firmware/nnet/nnet_conv_transpose.h', 'tb/myproject_test.cpp', 'tb_data/inputs.dat', 'tb_data/expected.dat', 'build_prj.tcl', 'hls_config.cfg', 'tessera.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const y = readNpy(new Uint8Array(readFileSync(join(out, 'csim_output.npy'))));
    expect(y.shape).toEqual([2, 2, 6, 8]);
    // Close to the float model (18-bit types): the hardware result in the graph's NCHW layout.
    const imp = importOnnx(bytes);
    const x = readNpy(new Uint8Array(readFileSync(join(dir, 'x.npy'))));
    const zName = imp.model.graph.nodes.find((n) => n.type === 'Input')!.name;
    const ref = Object.values(simulateFloat(imp.model, { [zName]: x }).outputs)[0];
    let max = 0;
    for (let i = 0; i < ref.data.length; i++) max = Math.max(max, Math.abs(ref.data[i] - y.data[i]));
    expect(max).toBeLessThan(0.05);
    expect(max).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/mix\s+Conv2D.*bit-exact/);
  }, 120_000);

  it('io_parallel --csim checks every intermediate layer too (seeded vectors, RF > 1 resource)', async () => {
    const out = join(dir, 'p4');
    const r = await tessera('build', join(dir, 'm.onnx'), '--out', out, '--csim', '--strategy', 'resource', '--rf', '2', '--images', '4', '--top', 'gen4');
    expect(r.stderr + r.stdout).toMatch(/bit-exact with the engine \(4 images/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/up\s+ConvTranspose2D\s+6×8×4 .*resource RF 2, \d+ mult\s+bit-exact/);
    const trace = readFileSync(join(out, 'tb_data', 'trace.dat'), 'utf8').trim().split('\n');
    expect(trace).toHaveLength(4);
    // Mantissas (integers), which the build scales back to values: the layer above compared bit-exact through them.
    const words = trace.flatMap((l) => l.split(' ').slice(1));
    expect(words.length).toBeGreaterThan(100);
    expect(words.every((w) => /^-?\d+$/.test(w))).toBe(true);
    expect(words.some((w) => Math.abs(Number(w)) > 1)).toBe(true);
    expect(readNpy(new Uint8Array(readFileSync(join(out, 'csim_output.npy')))).shape).toEqual([4, 2, 6, 8]);
  }, 120_000);

  it('rejects an invalid reuse factor with the nearest valid values, naming the layer', async () => {
    const r = await tessera('build', join(dir, 'm.onnx'), '--out', join(dir, 'p2'), '--rf', '7');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/reuseFactor = 7 breaks the rule the reuse factor divides the \d+ products per output pixel \(valid: .*\); use 6 or 8/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, 'p2', 'firmware'))).toBe(false);
  }, 60_000);

  it('rejects bad type strings, too-wide types and bad flags in one line', async () => {
    const bad = await tessera('build', join(dir, 'm.onnx'), '--out', join(dir, 'p3'), '--precision', 'ap_fixd<16,6>');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--precision type string "ap_fixd<16,6>" breaks the rule/);
    const wide = await tessera('build', join(dir, 'm.onnx'), '--out', join(dir, 'p3'), '--precision', 'ap_fixed<60,20>');
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/W ≤ 53/);
    const io = await tessera('build', join(dir, 'm.onnx'), '--out', join(dir, 'p3'), '--io', 'serial');
    expect(io.code).toBe(2);
    expect(io.stderr).toMatch(/--io is parallel or stream/);
    const pf = await tessera('build', join(dir, 'm.onnx'), '--out', join(dir, 'p3'), '--io', 'stream', '--pf', '2');
    expect(pf.code).toBe(1);
    expect(pf.stderr).toMatch(/parallelizationFactor = 2 breaks the rule io_stream layers take parallelization factor 1/);
  }, 90_000);
});
