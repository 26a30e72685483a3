// End-to-end tests of `tessera info` and `tessera simulate`: spawn the real command from the checkout.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnnxModel } from '../../engine/interop/onnx/proto';
import { readNpy, writeNpy } from '../../engine/interop/npy';
import { randomTensor } from '../../engine/tensor/tensor';
import { expectClose, runOrt } from '../../engine/interop/onnx/oracle.testutil';
import { REPO_ROOT as root, spawnTessera, type Run } from './cli.testutil';


/** No time limit (the test's own applies). */
const tessera = (...args: string[]): Promise<Run> => spawnTessera(args, { timeoutMs: 0 });

/** One line on stderr, no stack trace, non-zero exit. */
function expectOneLineError(r: Run, pattern: RegExp, code?: number) {
  expect(r.code).not.toBe(0);
  if (code !== undefined) expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(lines[0]).toMatch(pattern);
}

let dir: string;
let modelBytes: Uint8Array;
const xShape = [1, 6, 2, 2];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  // A small generator: ConvTranspose k4 s1 → BN → Relu → ConvTranspose k4 s2 p1 → Tanh.
  modelBytes = buildOnnxModel({
    inputs: [{ name: 'z', shape: ['batch', 6, 2, 2] }],
    outputs: [{ name: 'image', shape: ['batch', 3, 10, 10] }],
    nodes: [
      { op: 'ConvTranspose', inputs: ['z', 'w1'], outputs: ['c1'], name: 'deconv1', attrs: { kernel_shape: [4, 4] } },
      { op: 'BatchNormalization', inputs: ['c1', 'g', 'b', 'm', 'v'], outputs: ['n1'], name: 'bn1' },
      { op: 'Relu', inputs: ['n1'], outputs: ['r1'], name: 'relu1' },
      { op: 'ConvTranspose', inputs: ['r1', 'w2', 'b2'], outputs: ['c2'], name: 'deconv2', attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
      { op: 'Tanh', inputs: ['c2'], outputs: ['image'], name: 'tanh' },
    ],
    initializers: [
      { name: 'w1', dims: [6, 4, 4, 4], data: randomTensor([6, 4, 4, 4], 1, -0.3, 0.3).data },
      { name: 'g', dims: [4], data: randomTensor([4], 2, 0.5, 1.5).data },
      { name: 'b', dims: [4], data: randomTensor([4], 3).data },
      { name: 'm', dims: [4], data: randomTensor([4], 4, -0.1, 0.1).data },
      { name: 'v', dims: [4], data: randomTensor([4], 5, 0.5, 1.5).data },
      { name: 'w2', dims: [4, 3, 4, 4], data: randomTensor([4, 3, 4, 4], 6, -0.3, 0.3).data },
      { name: 'b2', dims: [3], data: randomTensor([3], 7).data },
    ],
  });
  writeFileSync(join(dir, 'gen.onnx'), modelBytes);
  writeFileSync(join(dir, 'z.npy'), writeNpy(randomTensor(xShape, 8)));
  writeFileSync(join(dir, 'z3.npy'), writeNpy(randomTensor([3, 6, 2, 2], 9)));
  writeFileSync(join(dir, 'wrong.npy'), writeNpy(randomTensor([1, 6, 3, 2], 10)));
  writeFileSync(join(dir, 'notes.txt'), 'this is not a model\n');
  writeFileSync(join(dir, 'not-onnx.onnx'), new TextEncoder().encode('{"graph": "not protobuf"}'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera info', () => {
  it('prints every node with its inferred output shape and key parameters', async () => {
    const r = await tessera('info', join(dir, 'gen.onnx'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/gen\.onnx: ONNX opset 13.*6 nodes.*input z 1×6×2×2; output image 1×3×10×10/);
    const row = (name: string) => lines.find((l) => l.trim().startsWith(`${name} `)) ?? '';
    expect(row('z')).toMatch(/Input\s+1×6×2×2/);
    expect(row('deconv1')).toMatch(/ConvTranspose2D\s+1×4×5×5\s+filters=4 kernel=\[4,4\] stride=\[1,1\]/);
    expect(row('bn1')).toMatch(/BatchNormalization\s+1×4×5×5\s+epsilon=0\.00001/);
    expect(row('deconv2')).toMatch(/ConvTranspose2D\s+1×3×10×10\s+.*padsBegin=\[1,1\] padsEnd=\[1,1\] groups=1 bias=true/);
    expect(row('tanh')).toMatch(/Tanh\s+1×3×10×10/);
    expect(lines.at(-1)).toMatch(/warning: z: shape\[0\] = "batch".*taken as 1/);
  });
});

describe('entry points from the checkout', () => {
  it('npx tessera … and npm run cli -- … both run the CLI', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const run = (cmd: string, args: string[]) =>
      new Promise<Run>((done) => execFile(cmd, args, { cwd: root }, (err, stdout, stderr) => done({ code: err ? Number(err.code) || 1 : 0, stdout, stderr })));
    const model = join(dir, 'gen.onnx');
    const [a, b] = await Promise.all([run(npx, ['--no-install', 'tessera', 'info', model]), run(npm, ['run', '-s', 'cli', '--', 'info', model])]);
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/deconv2\s+ConvTranspose2D\s+1×3×10×10/);
    }
  });
});

describe('tessera simulate', () => {
  it('writes the output as float32 .npy equal to onnxruntime, also with another batch size', async () => {
    const [r1, r3] = await Promise.all([
      tessera('simulate', join(dir, 'gen.onnx'), '--input', join(dir, 'z.npy'), '--output', join(dir, 'y.npy')),
      tessera('simulate', join(dir, 'gen.onnx'), `--input=${join(dir, 'z3.npy')}`, `--output=${join(dir, 'y3.npy')}`),
    ]);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/y\.npy: output "image" float32 1×3×10×10/);
    expect(r3.code).toBe(0);
    for (const [x, y] of [['z.npy', 'y.npy'], ['z3.npy', 'y3.npy']]) {
      const input = readNpy(readFileSync(join(dir, x)));
      const got = readNpy(readFileSync(join(dir, y)));
      const ref = await runOrt(modelBytes, { z: input });
      expectClose(got, ref.image);
    }
  });

  it('bad files and bad arguments: one-line error, non-zero exit, no stack trace (spawned)', async () => {
    const m = join(dir, 'gen.onnx');
    const z = join(dir, 'z.npy');
    const out = join(dir, 'out.npy');
    const runs = await Promise.all([
      tessera('simulate', join(dir, 'missing.onnx'), '--input', z, '--output', out),
      tessera('simulate', join(dir, 'not-onnx.onnx'), '--input', z, '--output', out),
      tessera('simulate', m, '--input', join(dir, 'wrong.npy'), '--output', out),
      tessera('simulate', m, '--input', z, '--output', out, '--turbo'),
    ]);
    expectOneLineError(runs[0], /^tessera simulate: model .*missing\.onnx does not exist; check the path$/, 1);
    expectOneLineError(runs[1], /^tessera simulate: .*not-onnx\.onnx: not an ONNX model/, 1);
    expectOneLineError(runs[2], /wrong\.npy has shape \(1, 6, 3, 2\) but the model's input "z" has shape \(1, 6, 2, 2\)/, 1);
    expectOneLineError(runs[3], /unknown option --turbo/, 2);
  });

  it('more bad arguments (in process, same main())', async () => {
    const m = join(dir, 'gen.onnx');
    const z = join(dir, 'z.npy');
    const out = join(dir, 'out.npy');
    const cases: [string[], RegExp, number][] = [
      [['simulate', join(dir, 'notes.txt'), '--input', z, '--output', out], /notes\.txt: not an ONNX model.*Tessera reads ONNX \.onnx files/, 1],
      [['simulate', m, '--input', z], /missing --output/, 2],
      [['simulate', m, '--output', out], /missing --input/, 2],
      [['simulate', m, '--input'], /option --input needs a value/, 2],
      [['simulate', m, m, '--input', z, '--output', out], /expected one model file, got 2/, 2],
      [['simulate', m, '--input', join(dir, 'nope.npy'), '--output', out], /input .*nope\.npy does not exist/, 1],
      [['simulate', m, '--input', join(dir, 'notes.txt'), '--output', out], /notes\.txt: not a \.npy file/, 1],
      [['simulate', m, '--input', z, '--output', join(dir, 'no-such-dir', 'y.npy')], /cannot write .*y\.npy: ENOENT/, 1],
      [['info', join(dir, 'missing.onnx')], /^tessera info: model .*missing\.onnx does not exist/, 1],
      [['info'], /^tessera info: expected one model file/, 2],
      [['info', m, '--verbose'], /^tessera info: unknown option --verbose/, 2],
      [['frobnicate'], /unknown command "frobnicate"/, 2],
    ];
    const { main } = await import('./main');
    for (const [args, pattern, code] of cases) {
      const errors: string[] = [];
      const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
      const logSpy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const rc = await main(args);
      spy.mockRestore();
      logSpy.mockRestore();
      expect(rc, args.join(' ')).toBe(code);
      expect(errors, args.join(' ')).toHaveLength(1);
      expect(errors[0].split('\n'), args.join(' ')).toHaveLength(1);
      expect(errors[0]).toMatch(pattern);
    }
  });
});
