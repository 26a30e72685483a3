// Bit-exactness of the non-conv layers: the engine's fixed kernel vs the HLS template (hls-templates/nnet)
// compiled by g++ with Tessera's ap_* headers, in io_parallel and io_stream, several images per run,
// random non-symmetric data and weights, several precisions (AP_SAT, AP_RND_CONV, narrow accumulators).
// One translation unit holds every case (one g++ call per io type), compiled with -Wall -Wextra -Werror.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Shape } from '../../tensor/tensor';
import { randomTensor } from '../../tensor/tensor';
import { fixedTypeOf, type FixedType } from '../../fixed/types';
import type { LayerPrecision } from '../../fixed/precision';
import type { IoType } from '../../hls/config';
import type { TensorLayout } from '../../fixed/tensor';
import { getOp } from '../registry';
import { parseOutput, prepareCase, programFor, type LayerCase, type PreparedCase } from './harness';

const ROOT = fileURLToPath(new URL('../../../hls-templates', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tessera-layers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T = fixedTypeOf;
const D16 = T('ap_fixed<16,6>');
const prec = (o: Partial<Record<keyof LayerPrecision, string>> = {}): LayerPrecision => ({
  weight_t: T(o.weight_t ?? 'ap_fixed<16,6>'),
  bias_t: T(o.bias_t ?? 'ap_fixed<16,6>'),
  accum_t: T(o.accum_t ?? 'ap_fixed<16,6>'),
  result_t: T(o.result_t ?? 'ap_fixed<16,6>'),
  ...(o.table_t ? { table_t: T(o.table_t) } : {}),
});

const IMAGES = 3;
const withBatch = (s: number[]): Shape => [IMAGES, ...s];

interface Spec {
  id: string;
  op: string;
  params?: Record<string, unknown>;
  shapes: number[][];
  layouts: TensorLayout[];
  outputLayout?: TensorLayout;
  types?: string[];
  precision?: Partial<Record<keyof LayerPrecision, string>>;
  strategy?: 'latency' | 'resource';
  rf?: number;
  weights?: (shapes: Shape[]) => Record<string, ReturnType<typeof randomTensor>>;
  range?: [number, number];
  io?: IoType[];
}

let seed = 1;
const dense = (units: number) => (s: Shape[]) => ({
  weight: randomTensor([s[0][s[0].length - 1], units], seed++, -0.7, 1.1),
  bias: randomTensor([units], seed++, -0.5, 0.8),
});
const bn = (c: number) => () => ({
  gamma: randomTensor([c], seed++, 0.5, 1.5),
  beta: randomTensor([c], seed++, -0.5, 0.9),
  mean: randomTensor([c], seed++, -0.3, 0.6),
  variance: randomTensor([c], seed++, 0.2, 2.0),
});

const SPECS: Spec[] = [
  // Dense
  { id: 'dense_flat', op: 'Dense', params: { units: 7, bias: true }, shapes: [[13]], layouts: ['flat'], weights: dense(7) },
  { id: 'dense_res_rf7', op: 'Dense', params: { units: 7, bias: true }, shapes: [[13]], layouts: ['flat'], weights: dense(7), strategy: 'resource', rf: 7 },
  { id: 'dense_res_rf91', op: 'Dense', params: { units: 7, bias: true }, shapes: [[13]], layouts: ['flat'], weights: dense(7), strategy: 'resource', rf: 91 },
  {
    id: 'dense_sat', op: 'Dense', params: { units: 5, bias: true }, shapes: [[11]], layouts: ['flat'], weights: dense(5), range: [-6, 7],
    types: ['ap_fixed<12,4,AP_RND_CONV,AP_SAT>'], precision: { weight_t: 'ap_fixed<10,2,AP_RND_CONV,AP_SAT>', accum_t: 'ap_fixed<12,4,AP_RND_CONV,AP_SAT>', result_t: 'ap_fixed<8,3,AP_RND,AP_SAT>' },
    strategy: 'resource', rf: 5,
  },
  { id: 'dense_nobias', op: 'Dense', params: { units: 4, bias: false }, shapes: [[9]], layouts: ['flat'], weights: (s) => ({ weight: dense(4)(s).weight }), precision: { accum_t: 'ap_fixed<24,8>', result_t: 'ap_fixed<20,6,AP_RND_ZERO,AP_SAT_SYM>' } },
  { id: 'dense_nxc', op: 'Dense', params: { units: 6, bias: true }, shapes: [[3, 4, 5]], layouts: ['NXC'], weights: dense(6), strategy: 'resource', rf: 3 },
  // BatchNormalization
  { id: 'bn_ncx2d', op: 'BatchNormalization', params: { epsilon: 1e-3, dataFormat: 'NCX' }, shapes: [[4, 5, 3]], layouts: ['NCX'], weights: bn(4), precision: { weight_t: 'ap_fixed<12,3,AP_RND_CONV>', accum_t: 'ap_fixed<14,5,AP_RND_CONV,AP_SAT>' }, range: [-9, 9] },
  { id: 'bn_nxc1d', op: 'BatchNormalization', params: { epsilon: 1e-5, dataFormat: 'NXC' }, shapes: [[7, 5]], layouts: ['NXC'], weights: bn(5) },
  { id: 'bn_flat', op: 'BatchNormalization', params: { epsilon: 1e-5, dataFormat: 'NCX' }, shapes: [[6]], layouts: ['flat'], weights: bn(6), precision: { result_t: 'ap_fixed<10,4,AP_RND,AP_SAT>' } },
  // Activations
  { id: 'relu', op: 'ReLU', shapes: [[3, 4, 5]], layouts: ['NCX'], precision: { result_t: 'ap_ufixed<10,4,AP_RND_CONV,AP_SAT>' }, types: ['ap_fixed<14,6,AP_RND,AP_SAT>'], range: [-20, 24] },
  { id: 'linear_round_sat', op: 'Linear', shapes: [[3, 4, 5]], layouts: ['NXC'], types: ['ap_fixed<14,6,AP_RND,AP_SAT>'], range: [-40, 40], precision: { result_t: 'ap_fixed<5,3,AP_RND_CONV,AP_SAT>' } },
  { id: 'linear_trn_wrap', op: 'Linear', shapes: [[17]], layouts: ['flat'], range: [-20, 20], precision: { result_t: 'ap_fixed<6,2,AP_TRN,AP_WRAP>' } },
  { id: 'leaky', op: 'LeakyReLU', params: { alpha: 0.1 }, shapes: [[17]], layouts: ['flat'], precision: { result_t: 'ap_fixed<12,4,AP_RND_CONV,AP_SAT>' } },
  { id: 'leaky_big', op: 'LeakyReLU', params: { alpha: 1.7 }, shapes: [[6, 5]], layouts: ['NXC'], types: ['ap_fixed<10,4>'], precision: { result_t: 'ap_fixed<9,3,AP_TRN,AP_WRAP>' } },
  { id: 'sigmoid', op: 'Sigmoid', shapes: [[4, 6]], layouts: ['NCX'], range: [-10, 10] },
  { id: 'sigmoid_tbl', op: 'Sigmoid', shapes: [[20]], layouts: ['flat'], precision: { table_t: 'ap_ufixed<12,1,AP_RND_CONV,AP_SAT>', result_t: 'ap_fixed<10,2,AP_RND,AP_SAT>' }, types: ['ap_fixed<24,10,AP_RND_CONV,AP_SAT>'], range: [-9, 9] },
  { id: 'tanh', op: 'Tanh', shapes: [[3, 2, 4]], layouts: ['NXC'], types: ['ap_fixed<8,4>'], range: [-6, 6] },
  { id: 'selu', op: 'Selu', params: { alpha: 1.6732632423543772, gamma: 1.0507009873554805 }, shapes: [[25]], layouts: ['flat'], range: [-10, 6], precision: { result_t: 'ap_fixed<14,5,AP_RND_CONV,AP_SAT>' } },
  { id: 'softmax_flat', op: 'Softmax', params: { axis: -1 }, shapes: [[10]], layouts: ['flat'], range: [-5, 6], precision: { result_t: 'ap_ufixed<16,1,AP_RND_CONV,AP_SAT>' } },
  { id: 'softmax_ncx', op: 'Softmax', params: { axis: 1 }, shapes: [[6, 3, 4]], layouts: ['NCX'], range: [-12, 12], precision: { table_t: 'ap_fixed<16,6,AP_RND_CONV,AP_SAT>' } },
  { id: 'softmax_nxc', op: 'Softmax', params: { axis: -1 }, shapes: [[5, 3]], layouts: ['NXC'], types: ['ap_fixed<12,5,AP_RND,AP_SAT>'] },
  // Pooling
  { id: 'maxpool_k2', op: 'MaxPool', params: { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false }, shapes: [[3, 6, 8]], layouts: ['NCX'], precision: { result_t: 'ap_fixed<12,3,AP_RND_CONV,AP_SAT>' } },
  { id: 'maxpool_k3p1', op: 'MaxPool', params: { kernel: [3, 2], stride: [2, 3], padsBegin: [1, 0], padsEnd: [1, 1], dataFormat: 'NXC', ceilMode: true }, shapes: [[7, 8, 2]], layouts: ['NXC'] },
  { id: 'maxpool_1d', op: 'MaxPool', params: { kernel: [3], stride: [1], padsBegin: [2], padsEnd: [1], dataFormat: 'NCX', ceilMode: false }, shapes: [[2, 9]], layouts: ['NCX'] },
  { id: 'avgpool_k2', op: 'AveragePool', params: { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false, countIncludePad: false }, shapes: [[3, 6, 4]], layouts: ['NCX'], types: ['ap_fixed<10,4,AP_RND_CONV,AP_SAT>'], precision: { result_t: 'ap_fixed<12,4,AP_RND_CONV,AP_SAT>' } },
  { id: 'avgpool_pad', op: 'AveragePool', params: { kernel: [3], stride: [2], padsBegin: [1], padsEnd: [1], dataFormat: 'NXC', ceilMode: true, countIncludePad: false }, shapes: [[7, 6, 3]], layouts: ['NXC'] },
  { id: 'avgpool_incl', op: 'AveragePool', params: { kernel: [3, 2], stride: [2, 1], padsBegin: [1, 1], padsEnd: [2, 0], dataFormat: 'NCX', ceilMode: false, countIncludePad: true }, shapes: [[2, 5, 6]], layouts: ['NCX'], precision: { result_t: 'ap_fixed<18,6,AP_RND,AP_WRAP>' } },
  { id: 'avgpool_1d', op: 'AveragePool', params: { kernel: [5], stride: [3], padsBegin: [2], padsEnd: [2], dataFormat: 'NXC', ceilMode: true, countIncludePad: true }, shapes: [[11, 2]], layouts: ['NXC'] },
  // UpSampling / ZeroPadding / Cropping
  { id: 'upsample_2d', op: 'UpSampling', params: { scale: [2, 3], dataFormat: 'NCX' }, shapes: [[2, 3, 4]], layouts: ['NCX'], precision: { result_t: 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>' } },
  { id: 'upsample_1d', op: 'UpSampling', params: { scale: [3], dataFormat: 'NXC' }, shapes: [[5, 3]], layouts: ['NXC'] },
  { id: 'zeropad_2d', op: 'ZeroPadding', params: { padsBegin: [1, 2], padsEnd: [0, 1], dataFormat: 'NCX' }, shapes: [[2, 3, 4]], layouts: ['NCX'] },
  { id: 'zeropad_1d', op: 'ZeroPadding', params: { padsBegin: [2], padsEnd: [1], dataFormat: 'NXC' }, shapes: [[5, 3]], layouts: ['NXC'], precision: { result_t: 'ap_fixed<10,3,AP_RND,AP_SAT>' } },
  { id: 'crop_2d', op: 'Cropping', params: { cropBegin: [1, 2], cropEnd: [0, 1], dataFormat: 'NCX' }, shapes: [[2, 4, 6]], layouts: ['NCX'] },
  { id: 'crop_2d_nxc', op: 'Cropping', params: { cropBegin: [2, 0], cropEnd: [1, 3], dataFormat: 'NXC' }, shapes: [[5, 7, 3]], layouts: ['NXC'], types: ['ap_fixed<12,5>'] },
  { id: 'crop_1d', op: 'Cropping', params: { cropBegin: [2], cropEnd: [1], dataFormat: 'NXC' }, shapes: [[7, 3]], layouts: ['NXC'], precision: { result_t: 'ap_fixed<10,3,AP_RND,AP_SAT>' } },
  { id: 'crop_1d_ncx', op: 'Cropping', params: { cropBegin: [0], cropEnd: [3], dataFormat: 'NCX' }, shapes: [[2, 8]], layouts: ['NCX'] },
  // Add / Concatenate
  { id: 'add2', op: 'Add', shapes: [[3, 4, 5], [3, 4, 5]], layouts: ['NCX', 'NCX'], types: ['ap_fixed<12,4>', 'ap_fixed<10,6,AP_RND,AP_SAT>'], precision: { result_t: 'ap_fixed<12,5,AP_RND_CONV,AP_SAT>' }, range: [-9, 9] },
  { id: 'add3', op: 'Add', shapes: [[7], [7], [7]], layouts: ['flat', 'flat', 'flat'], types: ['ap_fixed<16,6>', 'ap_ufixed<8,3>', 'ap_fixed<20,8>'], precision: { result_t: 'ap_fixed<8,4,AP_RND,AP_SAT>' } },
  { id: 'concat_ch', op: 'Concatenate', params: { axis: 1 }, shapes: [[2, 3, 4], [3, 3, 4]], layouts: ['NCX', 'NCX'], types: ['ap_fixed<16,6>', 'ap_fixed<8,3>'] },
  { id: 'concat_h', op: 'Concatenate', params: { axis: 1 }, shapes: [[2, 4, 3], [3, 4, 3]], layouts: ['NXC', 'NXC'], precision: { result_t: 'ap_fixed<10,3,AP_RND_CONV,AP_SAT>' } },
  { id: 'concat_w', op: 'Concatenate', params: { axis: 3 }, shapes: [[2, 3, 2], [2, 3, 4]], layouts: ['NCX', 'NCX'] },
  { id: 'concat_flat3', op: 'Concatenate', params: { axis: -1 }, shapes: [[4], [6], [3]], layouts: ['flat', 'flat', 'flat'] },
  // Wide types: the engine's BigInt paths (products / sums above 53 bits) vs the C++ up to 128 bits
  {
    id: 'dense_wide', op: 'Dense', params: { units: 5, bias: true }, shapes: [[9]], layouts: ['flat'], weights: dense(5), types: ['ap_fixed<40,10>'],
    precision: { weight_t: 'ap_fixed<30,4,AP_RND_CONV>', bias_t: 'ap_fixed<36,6>', accum_t: 'ap_fixed<80,24,AP_RND_CONV,AP_SAT>', result_t: 'ap_fixed<48,16,AP_RND,AP_SAT>' },
    strategy: 'resource', rf: 3,
  },
  { id: 'bn_wide', op: 'BatchNormalization', params: { epsilon: 1e-3, dataFormat: 'NXC' }, shapes: [[3, 4]], layouts: ['NXC'], weights: bn(4), types: ['ap_fixed<44,10>'], precision: { weight_t: 'ap_fixed<32,4,AP_RND>', bias_t: 'ap_fixed<30,6>', accum_t: 'ap_fixed<70,20,AP_RND_ZERO,AP_SAT>', result_t: 'ap_fixed<50,12,AP_RND_INF,AP_SAT>' } },
  { id: 'add_wide', op: 'Add', shapes: [[8], [8]], layouts: ['flat', 'flat'], types: ['ap_fixed<52,20>', 'ap_fixed<50,10,AP_RND,AP_SAT>'], precision: { result_t: 'ap_fixed<40,21,AP_RND_CONV,AP_SAT>' }, range: [-9, 9] },
  { id: 'avgpool_wide', op: 'AveragePool', params: { kernel: [3], stride: [2], padsBegin: [1], padsEnd: [1], dataFormat: 'NCX', ceilMode: false, countIncludePad: false }, shapes: [[2, 5, 5]], layouts: ['NCX'], types: ['ap_fixed<52,12>'], precision: { result_t: 'ap_fixed<48,12,AP_RND,AP_SAT>' } },
  { id: 'softmax_wide', op: 'Softmax', params: { axis: -1 }, shapes: [[7]], layouts: ['flat'], types: ['ap_fixed<48,12>'], precision: { table_t: 'ap_fixed<40,8,AP_RND_CONV,AP_SAT>', result_t: 'ap_ufixed<40,1,AP_RND_CONV,AP_SAT>' } },
  // Flatten / Reshape / Transpose
  { id: 'flatten_ncx', op: 'Flatten', params: { axis: 1 }, shapes: [[3, 4, 5]], layouts: ['NCX'] },
  { id: 'flatten_nxc', op: 'Flatten', params: { axis: 1 }, shapes: [[4, 5, 3]], layouts: ['NXC'], precision: { result_t: 'ap_fixed<12,4,AP_RND_CONV,AP_SAT>' } },
  { id: 'reshape_ncx', op: 'Reshape', params: { targetShape: [3, 20] }, shapes: [[60]], layouts: ['flat'], outputLayout: 'NCX' },
  { id: 'reshape_ncx2', op: 'Reshape', params: { targetShape: [2, 6, 5] }, shapes: [[3, 4, 5]], layouts: ['NCX'], outputLayout: 'NCX' },
  { id: 'transpose_nhwc', op: 'Transpose', params: { perm: [0, 2, 3, 1] }, shapes: [[3, 4, 5]], layouts: ['NCX'], outputLayout: 'NXC' },
  { id: 'transpose_any', op: 'Transpose', params: { perm: [0, 3, 1, 2] }, shapes: [[3, 4, 5]], layouts: ['NCX'], outputLayout: 'NCX' },
];

function buildCases(io: IoType): LayerCase[] {
  return SPECS.filter((s) => !s.io || s.io.includes(io)).map((s, k) => {
    const shapes = s.shapes.map(withBatch);
    const op = getOp(s.op)!;
    return {
      name: `${s.id}_${io === 'io_parallel' ? 'p' : 's'}`,
      op,
      params: op.params.parse(s.params ?? {}) as Record<string, unknown>,
      inputShapes: shapes,
      inputLayouts: s.layouts,
      outputLayout: s.outputLayout,
      inputTypes: shapes.map((_, i) => (s.types?.[i] ? T(s.types[i]) : D16)),
      precision: prec(s.precision),
      io,
      strategy: s.strategy,
      reuseFactor: s.rf,
      weights: s.weights?.(shapes),
      range: s.range,
      seed: 100 + k + (io === 'io_stream' ? 1000 : 0),
    };
  });
}

const HEADERS = ['nnet_dense.h', 'nnet_activation.h', 'nnet_batchnorm.h', 'nnet_pooling.h', 'nnet_upsampling.h', 'nnet_padding.h', 'nnet_cropping.h', 'nnet_merge.h', 'nnet_reshape.h'];

function compileAndRun(name: string, prepared: PreparedCase[]): string {
  const cpp = join(work, `${name}.cpp`);
  const exe = join(work, name);
  writeFileSync(cpp, programFor(prepared, HEADERS));
  execFileSync('g++', ['-std=c++17', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-unused-label', '-Wno-unknown-pragmas', '-I', join(ROOT, 'include'), '-I', join(ROOT, 'nnet'), cpp, '-o', exe], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return execFileSync(exe, { maxBuffer: 64 * 1024 * 1024 }).toString();
}

function firstMismatch(got: number[], want: Float64Array): string | null {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return `value ${i}: C++ ${got[i]}, engine ${want[i]}`;
  return null;
}

describe.each(['io_parallel', 'io_stream'] as IoType[])('non-conv layers, engine vs C++ template (%s)', (io) => {
  const prepared = buildCases(io).map(prepareCase);
  let results: ReturnType<typeof parseOutput>;

  it('compiles and runs every case in one program', () => {
    results = parseOutput(compileAndRun(`layers_${io}`, prepared));
    expect(results.size).toBe(prepared.length);
  }, 240_000);

  it.each(prepared.map((p) => [p.c.name, p] as const))('%s is bit-exact', (_name, p) => {
    const r = results.get(p.c.name);
    expect(r, 'case missing from the program output').toBeDefined();
    expect(r!.clean, 'streams left with data or read while empty').toBe(true);
    expect(firstMismatch(r!.values, p.expectedFw)).toBeNull();
  });

  it('the comparison is sensitive: engine runs with another accumulator or rounding mode do not match the C++', () => {
    for (const [id, field, other] of [
      ['dense_sat', 'accum_t', 'ap_fixed<12,4,AP_RND_CONV,AP_WRAP>'],
      ['bn_ncx2d', 'accum_t', 'ap_fixed<14,5,AP_TRN,AP_SAT>'],
      ['avgpool_incl', 'result_t', 'ap_fixed<18,6,AP_TRN,AP_WRAP>'],
    ] as const) {
      const p = prepared.find((q) => q.c.name.startsWith(`${id}_`))!;
      const precision = { ...p.c.precision, [field]: T(other) };
      const alt = prepareCase({ ...p.c, precision });
      expect(firstMismatch(results.get(p.c.name)!.values, alt.expectedFw), id).not.toBeNull();
    }
  });
});

// Sanity: the cases are not trivially equal (outputs vary, and saturating types actually saturate).
describe('case data', () => {
  it('outputs are not constant and the saturating Dense case clips', () => {
    const cases = buildCases('io_parallel').map(prepareCase);
    for (const p of cases) {
      const distinct = new Set(p.expectedFw);
      expect(distinct.size, p.c.name).toBeGreaterThan(2);
    }
    const sat = cases.find((p) => p.c.name === 'dense_sat_p')!;
    const max = (t: FixedType) => (2 ** (t.W - 1) - 1) * 2 ** -(t.W - t.I);
    expect(Math.max(...sat.expectedFw)).toBe(max(sat.c.precision.result_t));
  });
});
