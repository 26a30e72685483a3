import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/graph/model';
import { getOp } from '../../engine/ops/registry';
import { referenceConvTranspose } from '../../engine/ops/conv/reference';
import { resolveGeometry, type ConvParams } from '../../engine/ops/conv/params';
import { randomTensor } from '../../engine/tensor/tensor';
import { makeInput, simulate } from './simulate';

const convParams = { ...(getOp('ConvTranspose2D')!.params.parse({}) as ConvParams), filters: 3, stride: [2, 2], kernel: [3, 2], padsBegin: [1, 0], padsEnd: [0, 1], outputPadding: [1, 0] };

function graph(extra: Partial<Graph> = {}): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'i', type: 'Input', name: 'x', params: { shape: [1, 2, 5, 4], dataFormat: 'NCX' } },
      { id: 'c', type: 'ConvTranspose2D', name: 'up', params: convParams as unknown as Record<string, unknown> },
      { id: 'r', type: 'ReLU', name: 'act', params: {} },
    ],
    edges: [
      { id: 'e1', source: 'i', sourcePort: 0, target: 'c', targetPort: 0 },
      { id: 'e2', source: 'c', sourcePort: 0, target: 'r', targetPort: 0 },
    ],
    ...extra,
  };
}

describe('preview simulation', () => {
  it('matches the reference ConvTranspose on a seeded input with stored weights', () => {
    const w = { weight: randomTensor([2, 3, 3, 2], 21), bias: randomTensor([3], 22) };
    const r = simulate(graph(), { c: w }, [{ kind: 'random', nodeId: 'i', seed: 5 }], 1)!;
    const x = makeInput([1, 2, 5, 4], { kind: 'random', nodeId: 'i', seed: 5 }, 1);
    const want = referenceConvTranspose(x, w.weight, w.bias.data, resolveGeometry(convParams, [5, 4]));
    expect(r.outputs.c.shape).toEqual(want.shape);
    expect(r.filledWeights).toEqual([]);
    for (let k = 0; k < want.data.length; k++) expect(r.outputs.c.data[k]).toBeCloseTo(want.data[k], 5);
    for (let k = 0; k < want.data.length; k++) expect(r.outputs.r.data[k]).toBeCloseTo(Math.max(0, want.data[k]), 5);
  });

  it('fills missing weights deterministically from the seed and says so', () => {
    const a = simulate(graph(), {}, [], 3)!;
    const b = simulate(graph(), {}, [], 3)!;
    const c = simulate(graph(), {}, [], 4)!;
    expect(a.filledWeights).toEqual(['c']);
    expect(Array.from(a.outputs.c.data)).toEqual(Array.from(b.outputs.c.data));
    expect(Array.from(a.outputs.c.data)).not.toEqual(Array.from(c.outputs.c.data));
  });

  it('still runs what is upstream of an error', () => {
    const g = graph();
    g.nodes[2] = { id: 'r', type: 'Conv2D', name: 'bad', params: { kernel: [0, 3] } };
    const r = simulate(g, {}, [{ kind: 'constant', nodeId: 'i', value: 0.5 }], 1)!;
    expect(r.outputs.i.data.every((v) => v === 0.5)).toBe(true);
    expect(r.outputs.c).toBeDefined();
    expect(r.outputs.r).toBeUndefined();
  });

  it('builds impulse, constant and image inputs of the node shape', () => {
    const imp = makeInput([1, 2, 3, 4], { kind: 'impulse', nodeId: 'i', index: [0, 1, 2, 3], value: 2 }, 1);
    expect(imp.data.reduce((s, v) => s + v, 0)).toBe(2);
    expect(imp.data[((0 * 2 + 1) * 3 + 2) * 4 + 3]).toBe(2);
    const img = makeInput([1, 1, 2, 2], { kind: 'image', nodeId: 'i', fileName: 'a.png', tensor: { shape: [1, 1, 2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) } }, 1);
    expect(Array.from(img.data)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3, 0.4])));
  });
});

describe('fixed-point comparison', () => {
  it('runs bit-accurate fixed point and reports an error that shrinks with more fraction bits', () => {
    const w = { weight: randomTensor([2, 3, 3, 2], 31, -0.5, 0.5), bias: randomTensor([3], 32, -0.2, 0.2) };
    const inputs = [{ kind: 'random' as const, nodeId: 'i', seed: 9 }];
    const coarse = simulate(graph(), { c: w }, inputs, 1, () => false, 'ap_fixed<10,4>')!;
    const fine = simulate(graph(), { c: w }, inputs, 1, () => false, 'ap_fixed<24,6>')!;
    expect(coarse.fixedError).toBeUndefined();
    expect(coarse.fixed!.c.type).toContain('ap_fixed');
    expect(coarse.fixed!.c.tensor.shape).toEqual(coarse.outputs.c.shape);
    expect(coarse.fixed!.c.maxAbs).toBeGreaterThan(0);
    expect(fine.fixed!.c.maxAbs).toBeLessThan(coarse.fixed!.c.maxAbs / 100);
    // Rounding errors stay within a few LSB of the output type for a 12-tap sum.
    expect(coarse.fixed!.c.maxLsb).toBeLessThan(32);
  });

  it('says why when the precision is not a type', () => {
    const r = simulate(graph(), {}, [], 1, () => false, 'ap_fixed<banana>')!;
    expect(r.fixed).toBeUndefined();
    expect(r.fixedError).toMatch(/ap_fixed<banana>|precision|type/);
  });

  it('says that fixed point waits for the errors to be fixed (nothing was shown)', () => {
    const g = graph();
    g.nodes.push({ id: 'bad', type: 'ReLU', name: 'loose', params: {} });
    const r = simulate(g, {}, [], 1, () => false, 'ap_fixed<16,6>')!;
    expect(r.outputs.c).toBeDefined();
    expect(r.fixed).toBeUndefined();
    expect(r.fixedError).toBe('fixed point runs once the design has no errors (1 to fix)');
    expect(simulate(g, {}, [], 1)!.fixedError).toBeUndefined();
  });

  it('reports the numerical warnings of the design at the project precisions, with fixed point off (item 9)', () => {
    // Input 4×4×128 → ConvTranspose2D 64 filters 4×4 stride 2, weights filled with PyTorch's default init as the canvas does.
    const up = { ...(getOp('ConvTranspose2D')!.params.parse({}) as ConvParams), filters: 64, kernel: [4, 4], stride: [2, 2] };
    const g: Graph = {
      version: 1,
      nodes: [
        { id: 'i', type: 'Input', name: 'x', params: { shape: [1, 4, 4, 128], dataFormat: 'NXC' } },
        { id: 'c', type: 'ConvTranspose2D', name: 'up', params: { ...up, dataFormat: 'NXC' } as unknown as Record<string, unknown> },
      ],
      edges: [{ id: 'e1', source: 'i', sourcePort: 0, target: 'c', targetPort: 0 }],
    };
    const at = (defaultPrecision: string, layers: Record<string, Record<string, string>> = {}) =>
      simulate({ ...g, nodes: g.nodes.map((n) => (layers[n.id] ? { ...n, precision: layers[n.id] } : n)) }, {}, [], 1, () => false, undefined, defaultPrecision)!.numeric!;
    const warned = at('ap_fixed<16,6>');
    // |w| ≤ 1/32 against an LSB of 2^-10: a few % of the weights and of the biases vanish.
    expect(warned.map((d) => [d.nodeId, d.field, d.code, d.severity])).toEqual([['c', 'weight_t', 'numeric-underflow', 'warning'], ['c', 'bias_t', 'numeric-underflow', 'warning']]);
    const fits = { weight_t: /set weight_t to (ap_fixed<16,-\d>)/.exec(warned[0].message)![1], bias_t: /set bias_t to (ap_fixed<16,-\d>)/.exec(warned[1].message)![1] };
    expect(at('ap_fixed<16,6>', { c: fits })).toEqual([]);
    // Per-layer choices count: a narrow output type overflows on the preview input.
    expect(at('ap_fixed<16,6>', { c: { ...fits, result_t: 'ap_fixed<6,0>' } }).map((d) => d.code)).toEqual(['numeric-overflow']);
    // Not asked: none.
    expect(simulate(g, {}, [], 1)!.numeric).toBeUndefined();
  });
});
