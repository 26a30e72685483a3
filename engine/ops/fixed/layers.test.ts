// Non-conv layers without g++: hardware checks report clear diagnostics, the fixed-point kernels stay within
// the error the chosen types imply against the float kernels, table geometry, reorder tables.
import { describe, expect, it } from 'vitest';
import type { Shape } from '../../tensor/tensor';
import { randomTensor, sizeOf } from '../../tensor/tensor';
import { DiagnosticSink } from '../../diagnostics/diagnostics';
import { fixedType, fixedTypeOf, fracBits } from '../../fixed/types';
import type { LayerPrecision } from '../../fixed/precision';
import type { HlsLayerContext } from '../hls-layer';
import type { TensorLayout } from '../../fixed/tensor';
import { firmwareDims, fixedValues, quantizeTensor } from '../../fixed/tensor';
import { getOp } from '../registry';
import { reorderIndex } from './merge';
import { CURRENT_GRAPH_VERSION } from '../../graph/schema';
import { defaultHlsConfig } from '../../hls/config';
import { resolveGraph } from '../../hls/resolve';
import { checkReuseFactor, validReuseFactors } from '../../hls/reuse';
import { sigmoidTable, softmaxInvTable, tableIndex, tanhTable } from './tables';

const P = (t: string, acc = t, table?: string): LayerPrecision => ({
  weight_t: fixedTypeOf(t), bias_t: fixedTypeOf(t), accum_t: fixedTypeOf(acc), result_t: fixedTypeOf(t), ...(table ? { table_t: fixedTypeOf(table) } : {}),
});

function ctxFor(type: string, params: Record<string, unknown>, shapes: Shape[], layouts: TensorLayout[], outLayout?: TensorLayout): HlsLayerContext<unknown> {
  const op = getOp(type)!;
  const p = op.params.parse(params) as Record<string, unknown>;
  const out = op.infer(p, shapes, new DiagnosticSink())!;
  const ol = outLayout ?? (out.length < 3 ? 'flat' : layouts[0]);
  return {
    name: 'n1', index: 1, params: p,
    inputShapes: shapes, outputShape: out, inputDims: shapes.map((s, i) => firmwareDims(s, layouts[i])), outputDims: firmwareDims(out, ol),
    inputTypes: shapes.map(() => fixedTypeOf('ap_fixed<16,6>')), config: { io: 'io_parallel', strategy: 'latency', reuseFactor: 1, parallelizationFactor: 1, precision: P('ap_fixed<16,6>') },
    weights: {}, inputLayouts: layouts, outputLayout: ol,
  };
}

function check(type: string, params: Record<string, unknown>, shapes: Shape[], layouts: TensorLayout[]): string[] {
  const sink = new DiagnosticSink('n1', 'n1');
  getOp(type)!.hls!.check?.(ctxFor(type, params, shapes, layouts) as never, sink);
  return sink.items.map((d) => d.code);
}

describe('hardware checks', () => {
  it('Dense on a channels-first spatial tensor asks for a Flatten', () => {
    expect(check('Dense', { units: 3 }, [[1, 4, 5, 6]], ['NCX'])).toEqual(['hls-dense-axis']);
    expect(check('Dense', { units: 3 }, [[1, 5, 6, 4]], ['NXC'])).toEqual([]);
    expect(check('Dense', { units: 3 }, [[1, 40]], ['flat'])).toEqual([]);
  });
  it('Softmax must run along the firmware channel axis', () => {
    expect(check('Softmax', { axis: 1 }, [[1, 4, 5, 6]], ['NCX'])).toEqual([]);
    expect(check('Softmax', { axis: -1 }, [[1, 4, 5, 6]], ['NCX'])).toEqual(['hls-softmax-axis']);
    expect(check('Softmax', { axis: -1 }, [[1, 4, 5, 6]], ['NXC'])).toEqual([]);
    expect(check('Softmax', { axis: -1 }, [[1, 2000]], ['flat'])).toEqual(['hls-softmax-size']);
  });
  it('Flatten and Transpose keep the batch axis; merges take at most 4 inputs', () => {
    expect(check('Flatten', { axis: 2 }, [[1, 3, 4, 5]], ['NCX'])).toEqual(['hls-flatten-batch']);
    expect(check('Flatten', { axis: 1 }, [[1, 3, 4, 5]], ['NCX'])).toEqual([]);
    expect(check('Transpose', { perm: [1, 0, 2, 3] }, [[1, 3, 4, 5]], ['NCX'])).toEqual(['hls-transpose-batch']);
    expect(check('Add', {}, Array.from({ length: 5 }, () => [1, 6]), Array(5).fill('flat'))).toEqual(['hls-add-inputs']);
  });
});

describe('reuse factor of Dense (from the template: RF divides n_in · n_out)', () => {
  it('lists the valid set and names the nearest valid values for an invalid RF', () => {
    const ctx = ctxFor('Dense', { units: 7 }, [[1, 13]], ['flat']);
    const blocks = getOp('Dense')!.hls!.productBlocks(ctx as never);
    expect(validReuseFactors(blocks)).toEqual([1, 7, 13, 91]);
    const sink = new DiagnosticSink('n1', 'n1');
    expect(checkReuseFactor(10, blocks, sink)).toBe(false);
    expect(sink.items[0].message).toMatch(/7/);
    expect(sink.items[0].message).toMatch(/13/);
    expect(checkReuseFactor(13, blocks, new DiagnosticSink())).toBe(true);
    // Activations have no multipliers: only RF 1.
    expect(validReuseFactors(getOp('Sigmoid')!.hls!.productBlocks(ctxFor('Sigmoid', {}, [[1, 8]], ['flat']) as never))).toEqual([1]);
  });
});

describe("'auto' accumulator of BatchNormalization", () => {
  it('aligns with the folded bias (the generator asks the descriptor)', () => {
    const m = {
      graph: {
        version: CURRENT_GRAPH_VERSION,
        nodes: [
          { id: 'x', type: 'Input', name: 'x', params: { shape: [1, 3, 4, 4], dataFormat: 'NCX' } },
          { id: 'bn', type: 'BatchNormalization', name: 'bn', params: { epsilon: 1e-3, dataFormat: 'NCX' } },
        ],
        edges: [{ id: 'e', source: 'x', sourcePort: 0, target: 'bn', targetPort: 0 }],
      },
      weights: { bn: { gamma: randomTensor([3], 1), beta: randomTensor([3], 2), mean: randomTensor([3], 3), variance: randomTensor([3], 4, 0.5, 1) } },
    };
    const cfg = defaultHlsConfig({ layers: { bn: { precision: { weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<12,2>', accum_t: 'auto' } } } });
    const r = resolveGraph(m, cfg, { hardware: true });
    expect(r.hasErrors).toBe(false);
    const acc = r.byId.bn.config.precision.accum_t;
    // input <16,6> × weight <8,3> = <24,9>, aligned with bias <12,2>: F = max(15, 10), I = max(9, 2) + 1.
    expect([acc.W, acc.I]).toEqual([25, 10]);
  });
});

describe('reorder tables', () => {
  it('Flatten of NCX data reads C, H, W from channels-last firmware; NXC is a plain copy', () => {
    const idx = reorderIndex(ctxFor('Flatten', { axis: 1 }, [[1, 2, 3, 4]], ['NCX']), (p, xs) => getOp('Flatten')!.float(p, xs, {}))!;
    // output j = (c, h, w) row-major; firmware input index (h·W + w)·C + c.
    const want: number[] = [];
    for (let c = 0; c < 2; c++) for (let h = 0; h < 3; h++) for (let w = 0; w < 4; w++) want.push((h * 4 + w) * 2 + c);
    expect(Array.from(idx)).toEqual(want);
    expect(reorderIndex(ctxFor('Flatten', { axis: 1 }, [[1, 3, 4, 2]], ['NXC']), (p, xs) => getOp('Flatten')!.float(p, xs, {}))).toBeNull();
    expect(reorderIndex(ctxFor('Transpose', { perm: [0, 2, 3, 1] }, [[1, 2, 3, 4]], ['NCX'], 'NXC'), (p, xs) => getOp('Transpose')!.float(p, xs, {}))).toBeNull();
  });
});

describe('tables', () => {
  it('index: clamped floor of x · 2^shift + offset, exact for wide and bigint mantissas', () => {
    const t = fixedType(16, 6);
    const s = sigmoidTable();
    expect([s.size, s.shift, s.offset]).toEqual([1024, 6, 512]);
    expect(tableIndex(0, t, s)).toBe(512);
    expect(tableIndex(-1, t, s)).toBe(511); // −2^−10 floors into the bin below 0
    expect(tableIndex(-8 * 1024, t, s)).toBe(0);
    expect(tableIndex(-9 * 1024, t, s)).toBe(0);
    expect(tableIndex(8 * 1024 - 1, t, s)).toBe(1023);
    expect(tableIndex(31 * 1024, t, s)).toBe(1023);
    const wide = fixedType(80, 20);
    expect(tableIndex(3n << 59n, wide, tanhTable())).toBe(512 + 3 * 128 / 2);
    expect(tableIndex(-(1n << 79n), wide, tanhTable())).toBe(0);
    expect(softmaxInvTable(10).shift).toBe(6);
  });
});

describe('fixed vs float within the error the types imply', () => {
  const cases: { type: string; params: Record<string, unknown>; shape: number[]; weights?: Record<string, ReturnType<typeof randomTensor>>; bound: (lsb: number) => number; precision: LayerPrecision }[] = [
    // wide types: Dense error = input/weight quantization (2^-17 relative-ish) and the final truncation
    { type: 'Dense', params: { units: 5 }, shape: [2, 12], weights: { weight: randomTensor([12, 5], 3, -1, 1), bias: randomTensor([5], 4, -1, 1) }, precision: P('ap_fixed<32,10>'), bound: (l) => 13 * 2 * 4 * 2 ** -22 + l },
    { type: 'AveragePool', params: { kernel: [3], stride: [2], padsBegin: [1], padsEnd: [1] }, shape: [2, 3, 7, 6], precision: P('ap_fixed<24,6>'), bound: (l) => 4 * 2 ** -17 + 2 * l },
    { type: 'MaxPool', params: { kernel: [2], stride: [2] }, shape: [2, 3, 6, 6], precision: P('ap_fixed<24,6>'), bound: (l) => l },
    { type: 'Sigmoid', params: {}, shape: [2, 50], precision: P('ap_fixed<24,6>', 'ap_fixed<24,6>', 'ap_fixed<20,2,AP_RND>'), bound: () => 8 / 1024 / 4 + 2 ** -17 },
    { type: 'Tanh', params: {}, shape: [2, 50], precision: P('ap_fixed<24,6>', 'ap_fixed<24,6>', 'ap_fixed<20,2,AP_RND>'), bound: () => 4 / 1024 + 2 ** -17 },
    { type: 'Softmax', params: { axis: -1 }, shape: [3, 8], precision: P('ap_fixed<24,6>', 'ap_fixed<24,6>', 'ap_fixed<20,4,AP_RND>'), bound: () => 0.02 },
  ];
  it.each(cases.map((c) => [c.type, c] as const))('%s', (_t, c) => {
    const op = getOp(c.type)!;
    const p = op.params.parse(c.params) as Record<string, unknown>;
    const x = randomTensor(c.shape, 11, -3, 3.5);
    const out = op.infer(p, [c.shape], new DiagnosticSink())!;
    const fx = op.fixed!({ params: p, inputs: [quantizeTensor(x, fixedTypeOf('ap_fixed<24,6>'))], weights: c.weights ?? {}, precision: c.precision, config: { io: 'io_parallel', strategy: 'latency', reuseFactor: 1, parallelizationFactor: 1, precision: c.precision }, outputShape: out });
    const fl = op.float(p, [x], c.weights ?? {});
    const v = fixedValues(fx);
    expect(v.length).toBe(sizeOf(out));
    let err = 0;
    for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(v[i] - fl.data[i]));
    const lsb = 2 ** -fracBits(c.precision.result_t);
    expect(err).toBeLessThanOrEqual(c.bound(lsb));
    expect(err).toBeGreaterThan(0);
  });
});
