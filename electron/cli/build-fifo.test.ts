// `tessera build --io stream --fifo safe`: every stream a fork writes gets its whole tensor in fifo_depths.h
// (the default rule's skip FIFO is smaller); bad values and io_parallel are usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './cli.testutil';
import { buildOnnxModel } from '../../engine/interop/onnx/proto';
import { randomTensor } from '../../engine/tensor/tensor';
import { importOnnx } from '../../engine/interop/onnx/import';
import { forkingLayers, vendorSteps } from '../services/builds/pipeline/steps';

let dir = '';
let UNET = '';
let CHAIN = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-build-fifo-'));
  // A skip: x ─┬→ Conv 3×3 (pad 1) → Add(x, ·): the clone's edge to the Add waits for the Conv's line buffer.
  UNET = join(dir, 'skip.onnx');
  writeFileSync(UNET, buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 2, 6, 5] }],
    outputs: [{ name: 'y', shape: [1, 2, 6, 5] }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], name: 'conv', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['x', 'c'], outputs: ['y'], name: 'add' },
    ],
    initializers: [
      { name: 'w', dims: [2, 2, 3, 3], data: randomTensor([2, 2, 3, 3], 5, -0.5, 0.5).data },
      { name: 'b', dims: [2], data: randomTensor([2], 6, -0.2, 0.2).data },
    ],
  }));
  // The same without the skip: a chain.
  CHAIN = join(dir, 'chain.onnx');
  writeFileSync(CHAIN, buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 2, 6, 5] }],
    outputs: [{ name: 'c', shape: [1, 2, 6, 5] }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], name: 'conv', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }],
    initializers: [
      { name: 'w', dims: [2, 2, 3, 3], data: randomTensor([2, 2, 3, 3], 5, -0.5, 0.5).data },
      { name: 'b', dims: [2], data: randomTensor([2], 6, -0.2, 0.2).data },
    ],
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Macro → depth of fifo_depths.h, with each line's reason comment. */
function depths(prj: string): { depth: Record<string, number>; text: string } {
  const text = readFileSync(join(prj, 'firmware', 'fifo_depths.h'), 'utf8');
  const depth: Record<string, number> = {};
  for (const m of text.matchAll(/#define (\w+) (\d+)/g)) depth[m[1]] = Number(m[2]);
  return { depth, text };
}

describe('tessera build --fifo', () => {
  it('safe: the skip FIFO holds its whole tensor, larger than the rule gives it; chain FIFOs keep 2', async () => {
    const rule = await runMain('build', UNET, '--out', join(dir, 'rule'), '--io', 'stream');
    expect(rule.code, rule.stderr).toBe(0);
    const safe = await runMain('build', UNET, '--out', join(dir, 'safe'), '--io', 'stream', '--fifo', 'safe');
    expect(safe.code, safe.stderr).toBe(0);
    const r = depths(join(dir, 'rule'));
    const s = depths(join(dir, 'safe'));
    expect(Object.keys(s.depth)).toEqual(Object.keys(r.depth));
    expect(s.text).toMatch(/safe: clone_\w+ output holds its whole tensor/);
    const grown = Object.keys(s.depth).filter((k) => s.depth[k] !== r.depth[k]);
    expect(grown.length).toBeGreaterThan(0);
    for (const k of grown) expect(s.depth[k]).toBeGreaterThan(r.depth[k]);
    expect(Object.values(s.depth).filter((d) => d === 2).length).toBeGreaterThan(0);
  }, 180_000);

  it('a value other than rule or safe, or safe on io_parallel, is a usage error', async () => {
    const bad = await runMain('build', UNET, '--out', join(dir, 'bad'), '--io', 'stream', '--fifo', 'huge');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fifo is rule or safe, got "huge"/);
    const par = await runMain('build', UNET, '--out', join(dir, 'par'), '--io', 'parallel', '--fifo', 'safe');
    expect(par.code).toBe(2);
    expect(par.stderr).toMatch(/--fifo safe sizes the FIFOs of an io_stream design/);
  }, 60_000);
});

describe('C/RTL co-simulation for graphs that fork (issue 11, deliver 3)', () => {
  it('the vendor steps of a graph with a fork include cosim without --cosim; a chain gets csynth only', () => {
    const fork = importOnnx(new Uint8Array(readFileSync(UNET))).model;
    const chain = importOnnx(new Uint8Array(readFileSync(CHAIN))).model;
    expect(forkingLayers(fork)).toEqual(['x']);
    expect(forkingLayers(chain)).toEqual([]);
    expect(vendorSteps(fork, 'io_stream', {})).toEqual(['csynth', 'cosim']);
    expect(vendorSteps(fork, 'io_parallel', {})).toEqual(['csynth']); // no FIFOs to check
    expect(vendorSteps(chain, 'io_stream', {})).toEqual(['csynth']);
    expect(vendorSteps(chain, 'io_parallel', { cosim: true, export: true })).toEqual(['csynth', 'cosim', 'export']);
    expect(vendorSteps(fork, 'io_stream', { export: true })).toEqual(['csynth', 'cosim', 'export']);
  });

  it('tessera build --synth with a tool root (real detection, no tool here): the steps it would run name the fork', async () => {
    const root = join(dir, 'tool-root');
    mkdirSync(root, { recursive: true });
    const f = await runMain('build', UNET, '--out', join(dir, 'synth-fork'), '--io', 'stream', '--synth', '--tool-root', root);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).toMatch(/--synth needs Vitis HLS/);
    expect(f.stderr).toContain('With a tool found, it would run: csynth, cosim (co-simulation because the graph forks at x: it checks the FIFO depths).');
    const c = await runMain('build', CHAIN, '--out', join(dir, 'synth-chain'), '--io', 'stream', '--synth', '--tool-root', root);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain('With a tool found, it would run: csynth.');
  }, 180_000);
});

describe('FIFO read-ahead from measured pipeline depths (issue 11, deliver 3)', () => {
  it('a rebuild in a folder holding csynth reports sizes the FIFOs from the depths they measured', async () => {
    // The fork's Conv is named as a function of the hls4ml fixture reports (myproject_galapagos: its Loop1 takes 20
    // cycles an iteration), so the reports measure its pipeline.
    const file = join(dir, 'named.onnx');
    const onnx = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 2, 6, 5] }],
      outputs: [{ name: 'y', shape: [1, 2, 6, 5] }],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], name: 'myproject_galapagos', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
        { op: 'Add', inputs: ['x', 'c'], outputs: ['y'], name: 'add' },
      ],
      initializers: [
        { name: 'w', dims: [2, 2, 3, 3], data: randomTensor([2, 2, 3, 3], 5, -0.5, 0.5).data },
        { name: 'b', dims: [2], data: randomTensor([2], 6, -0.2, 0.2).data },
      ],
    });
    writeFileSync(file, onnx);
    const out = join(dir, 'measured');
    const first = await runMain('build', file, '--out', out, '--io', 'stream');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).not.toMatch(/FIFO read-ahead from the pipeline depths/);
    const modelled = depths(out);
    // What a vendor build leaves: the fixture's csynth reports in a solution's report folder.
    const V2018 = join(__dirname, '..', '..', 'test-data', 'hls4ml', 'hls-reports', 'hls4ml-vivadohls-2018.2-conv1d');
    const reportDir = join(out, 'myproject_prj', 'solution1', 'syn', 'report');
    mkdirSync(reportDir, { recursive: true });
    for (const f of ['csynth.xml', 'conv_1d_0_0_0_0_csynth.xml', 'relu_csynth.xml', 'softmax_csynth.xml']) copyFileSync(join(V2018, f), join(reportDir, f));
    const again = await runMain('build', file, '--out', out, '--io', 'stream');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/FIFO read-ahead from the pipeline depths an earlier vendor build measured: layer1_myproject_galapagos 20 cycles \(myproject_galapagos loop Loop1 iteration latency 20\)/);
    const measured = depths(out);
    expect(Object.keys(measured.depth)).toEqual(Object.keys(modelled.depth));
    // The measured 20 cycles are deeper than the modelled Conv pipeline: its skip FIFO grows, the chain stays.
    const changed = Object.keys(measured.depth).filter((k) => measured.depth[k] !== modelled.depth[k]);
    expect(changed.length).toBeGreaterThan(0);
    for (const k of changed) expect(measured.depth[k]).toBeGreaterThan(modelled.depth[k]);
  }, 180_000);
});
