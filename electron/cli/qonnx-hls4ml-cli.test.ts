// `tessera info|simulate|build` on a QONNX model, `tessera export-hls4ml-config`, and
// `tessera build --hls4ml-config`: spawn the real command from the checkout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { buildOnnxModel } from '../../engine/interop/onnx/proto';
import { readNpy, writeNpy } from '../../engine/interop/npy';
import { randomTensor } from '../../engine/tensor/tensor';
import { importQonnx } from '../../engine/interop/qonnx/import';
import { simulateFloat } from '../../engine/sim/float';
import { spawnTessera, type Run } from './cli.testutil';


const tessera = (...args: string[]): Promise<Run> => spawnTessera(args);

let dir: string;
let bytes: Uint8Array;
const Q = 'qonnx.custom_op.general';
const quant = (x: string, y: string, k: number, attrs: Record<string, number | string> = {}) => ({
  op: 'Quant', domain: Q, name: `q_${y}`, inputs: [x, `s${k}`, 'zero', `b${k}`], outputs: [y], attrs: { signed: 1, narrow: 0, rounding_mode: 'ROUND', ...attrs },
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-qonnx-'));
  // x → Quant → Conv(Quant W, Quant B) → Quant → Relu → Quant(unsigned) → y
  bytes = buildOnnxModel({
    inputs: [{ name: 'x', shape: ['batch', 2, 5, 4] }],
    outputs: [{ name: 'y', shape: ['batch', 3, 5, 4] }],
    nodes: [
      quant('x', 'xq', 1),
      quant('W', 'Wq', 2, { narrow: 1 }),
      quant('B', 'Bq', 3),
      { op: 'Conv', name: 'conv', inputs: ['xq', 'Wq', 'Bq'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      quant('c', 'cq', 4),
      { op: 'Relu', name: 'relu', inputs: ['cq'], outputs: ['r'] },
      quant('r', 'y', 5, { signed: 0, rounding_mode: 'FLOOR' }),
    ],
    initializers: [
      { name: 'W', dims: [3, 2, 3, 3], data: randomTensor([3, 2, 3, 3], 1, -1, 1).data },
      { name: 'B', dims: [3], data: randomTensor([3], 2, -1, 1).data },
      { name: 'zero', dims: [], data: [0] },
      { name: 's1', dims: [], data: [2 ** -4] }, { name: 'b1', dims: [], data: [8] },
      { name: 's2', dims: [], data: [2 ** -5] }, { name: 'b2', dims: [], data: [6] },
      { name: 's3', dims: [], data: [2 ** -6] }, { name: 'b3', dims: [], data: [10] },
      { name: 's4', dims: [], data: [2 ** -3] }, { name: 'b4', dims: [], data: [10] },
      { name: 's5', dims: [], data: [2 ** -3] }, { name: 'b5', dims: [], data: [7] },
    ],
  });
  writeFileSync(join(dir, 'q.onnx'), bytes);
  writeFileSync(join(dir, 'x.npy'), writeNpy(randomTensor([2, 2, 5, 4], 5, -3, 3)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera on QONNX models', () => {
  it('info shows the quantizer-derived precisions', async () => {
    const r = await tessera('info', join(dir, 'q.onnx'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/QONNX \(ONNX opset 13, from tessera\), 5 quantizers → precisions of 3 layers/);
    expect(r.stdout).toMatch(/conv .*weight_t=ap_fixed<6,1> bias_t=ap_fixed<10,4> result_t=ap_fixed<10,7,AP_RND_CONV,AP_SAT> accum_t=auto/);
    expect(r.stdout).toMatch(/relu .*result_t=ap_ufixed<7,4,AP_TRN,AP_SAT>/);
  });

  it('simulate runs the float graph with the quantized weights', async () => {
    const r = await tessera('simulate', join(dir, 'q.onnx'), '--input', join(dir, 'x.npy'), '--output', join(dir, 'y.npy'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const y = readNpy(new Uint8Array(readFileSync(join(dir, 'y.npy'))));
    const imp = importQonnx(bytes);
    const want = simulateFloat(imp.model, { x: readNpy(new Uint8Array(readFileSync(join(dir, 'x.npy')))) }, { keep: 'outputs' }).outputs.relu;
    expect(y.shape).toEqual([2, 3, 5, 4]);
    expect(Array.from(y.data)).toEqual(Array.from(want.data));
  });

  it('export-hls4ml-config writes the per-layer precisions; build --hls4ml-config uses an edited copy (g++ csim bit-exact)', async () => {
    const out = join(dir, 'c.yml');
    const e = await tessera('export-hls4ml-config', join(dir, 'q.onnx'), '--io', 'stream', '--out', out);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const c = parseYaml(readFileSync(out, 'utf8'));
    expect(c.IOType).toBe('io_stream');
    expect(c.Backend).toBe('Vitis');
    expect(c.HLSConfig.LayerName.conv).toEqual({ Precision: { weight: 'fixed<6,1>', bias: 'fixed<10,4>', accum: 'auto', result: 'fixed<10,7,RND_CONV,SAT>' } });
    expect(c.HLSConfig.LayerName.x).toEqual({ Precision: { result: 'fixed<8,4,RND_CONV,SAT>' } });

    c.IOType = 'io_parallel';
    c.ProjectName = 'qconv';
    c.HLSConfig.Model = { Strategy: 'Resource' };
    c.HLSConfig.LayerName.conv.ReuseFactor = 2;
    c.HLSConfig.LayerName.ghost = { ReuseFactor: 4 };
    c.HLSConfig.LayerName.relu.Trace = true;
    const edited = join(dir, 'c2.yml');
    writeFileSync(edited, stringifyYaml(c));
    const prj = join(dir, 'prj');
    const b = await tessera('build', join(dir, 'q.onnx'), '--hls4ml-config', edited, '--out', prj, '--input', join(dir, 'x.npy'), '--csim');
    expect(b.stderr).toMatch(/warning: .*c2\.yml: HLSConfig\.LayerName\.ghost: unknown layer name "ghost"/);
    expect(b.stderr).toMatch(/HLSConfig\.LayerName\.relu\.Trace: Trace is an hls4ml setting Tessera does not use/);
    expect(b.stdout, b.stderr).toMatch(/top qconv, io_parallel/);
    expect(b.stdout).toMatch(/csim: bit-exact with the engine/);
    expect(b.code).toBe(0);
    const t = JSON.parse(readFileSync(join(prj, 'tessera.json'), 'utf8')) as { layers: { name: string; result_t: string; reuseFactor?: number; strategy?: string }[] };
    const conv = t.layers.find((l) => l.name === 'conv')!;
    expect(conv.result_t).toBe('ap_fixed<10,7,AP_RND_CONV,AP_SAT>');
    expect(conv.reuseFactor).toBe(2);
    expect(conv.strategy).toBe('resource');
    expect(t.layers.find((l) => l.name === 'relu')!.result_t).toBe('ap_ufixed<7,4,AP_TRN,AP_SAT>');

    // Re-export on top of the edited file: its mapped settings are kept, the rest reported.
    const again = join(dir, 'c3.yml');
    const x = await tessera('export-hls4ml-config', join(dir, 'q.onnx'), '--config', edited, '--out', again);
    expect(x.code).toBe(0);
    expect(x.stderr).toMatch(/unknown layer name "ghost"/);
    const c3 = parseYaml(readFileSync(again, 'utf8'));
    expect(c3.ProjectName).toBe('qconv');
    expect(c3.HLSConfig.Model).toEqual({ Strategy: 'Resource' });
    expect(c3.HLSConfig.LayerName.conv.ReuseFactor).toBe(2);
    expect(c3.HLSConfig.LayerName.ghost).toBeUndefined();
  }, 120_000);

  it('a config that is not YAML is one clear error; refused quantizers name the node', async () => {
    writeFileSync(join(dir, 'bad.yml'), 'HLSConfig: [oops');
    const b = await tessera('build', join(dir, 'q.onnx'), '--hls4ml-config', join(dir, 'bad.yml'), '--out', join(dir, 'p2'));
    expect(b.code).toBe(1);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/bad\.yml is not valid YAML/);
    const nonPow2 = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y', shape: [1, 4] }],
      nodes: [quant('x', 'xq', 1), { op: 'Relu', name: 'relu', inputs: ['xq'], outputs: ['y'] }],
      initializers: [{ name: 's1', dims: [], data: [0.1] }, { name: 'b1', dims: [], data: [8] }, { name: 'zero', dims: [], data: [0] }],
    });
    writeFileSync(join(dir, 'np2.onnx'), nonPow2);
    const i = await tessera('info', join(dir, 'np2.onnx'));
    expect(i.code).toBe(1);
    expect(i.stderr.trim().split('\n')).toHaveLength(1);
    expect(i.stderr).toMatch(/QONNX node "q_xq" \(Quant\): scale 0\.1 is not a power of two/);
  });
});
