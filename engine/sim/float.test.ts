import { describe, expect, it } from 'vitest';
import { simulateFloat, SimulationCancelled } from './float';
import { addNode, connect, emptyGraph } from '../graph/edit';
import { TesseraError } from '../diagnostics/diagnostics';
import type { Graph, WeightMap } from '../graph/model';
import { randomTensor, tensor, type Tensor } from '../tensor/tensor';

/** x → BN → ReLU ─┬─ MaxPool ─┐
 *                 └─ AvgPool ─┴─ Concatenate → Flatten → Dense → Softmax  (and a Tanh side output) */
function network(): { graph: Graph; weights: WeightMap; ids: Record<string, string> } {
  let g = emptyGraph();
  const ids: Record<string, string> = {};
  const add = (key: string, type: string, params: Record<string, unknown> = {}) => {
    const r = addNode(g, type, { params, name: key });
    g = r.graph;
    ids[key] = r.node.id;
  };
  add('x', 'Input', { shape: [1, 2, 4, 4] });
  add('bn', 'BatchNormalization');
  add('relu', 'ReLU');
  add('maxp', 'MaxPool');
  add('avgp', 'AveragePool');
  add('cat', 'Concatenate', { axis: 1 });
  add('flat', 'Flatten');
  add('fc', 'Dense', { units: 3 });
  add('prob', 'Softmax');
  add('side', 'Tanh');
  const link = (a: string, b: string, port?: number) => (g = connect(g, ids[a], ids[b], port).graph);
  link('x', 'bn');
  link('bn', 'relu');
  link('relu', 'maxp');
  link('relu', 'avgp');
  link('maxp', 'cat', 0);
  link('avgp', 'cat', 1);
  link('cat', 'flat');
  link('flat', 'fc');
  link('fc', 'prob');
  link('relu', 'side');
  const weights: WeightMap = {
    [ids.bn]: { gamma: tensor([2], [1.5, -0.5]), beta: tensor([2], [0.1, 0.2]), mean: tensor([2], [0.3, -0.1]), variance: tensor([2], [2, 0.5]) },
    [ids.fc]: { weight: randomTensor([16, 3], 7), bias: randomTensor([3], 8) },
  };
  return { graph: g, weights, ids };
}

/** The same network written out by hand on plain arrays (NCHW, batch n). */
function byHand(x: Tensor, w: WeightMap, ids: Record<string, string>) {
  const N = x.shape[0];
  const bn = w[ids.bn];
  const at = (n: number, c: number, h: number, ww: number) => x.data[((n * 2 + c) * 4 + h) * 4 + ww];
  const r = (n: number, c: number, h: number, ww: number) =>
    Math.max(0, (bn.gamma.data[c] * (at(n, c, h, ww) - bn.mean.data[c])) / Math.sqrt(bn.variance.data[c] + 1e-5) + bn.beta.data[c]);
  const probs: number[][] = [];
  for (let n = 0; n < N; n++) {
    const feat: number[] = [];
    for (const mode of ['max', 'avg'])
      for (let c = 0; c < 2; c++)
        for (let h = 0; h < 2; h++)
          for (let ww = 0; ww < 2; ww++) {
            const v = [r(n, c, 2 * h, 2 * ww), r(n, c, 2 * h, 2 * ww + 1), r(n, c, 2 * h + 1, 2 * ww), r(n, c, 2 * h + 1, 2 * ww + 1)];
            feat.push(mode === 'max' ? Math.max(...v) : (v[0] + v[1] + v[2] + v[3]) / 4);
          }
    const fc = w[ids.fc];
    const logits = [0, 1, 2].map((u) => fc.bias.data[u] + feat.reduce((s, f, i) => s + f * fc.weight.data[i * 3 + u], 0));
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(e.map((v) => v / s));
  }
  return probs;
}

describe('simulateFloat', () => {
  it('matches a hand-written network and keeps every node output', () => {
    const { graph, weights, ids } = network();
    const x = randomTensor([1, 2, 4, 4], 3, -2, 2);
    const r = simulateFloat({ graph, weights }, { x });
    expect(Object.keys(r.outputs).sort()).toEqual(['prob', 'side']);
    const want = byHand(x, weights, ids);
    expect(r.outputs.prob.shape).toEqual([1, 3]);
    [...r.outputs.prob.data].forEach((v, i) => expect(v).toBeCloseTo(want[0][i], 5));
    expect(Object.keys(r.values)).toHaveLength(10);
    expect(r.values[ids.cat].shape).toEqual([1, 4, 2, 2]);
    expect(r.order[0]).toBe(ids.x);
    expect(r.outputs.side.data[5]).toBeCloseTo(Math.tanh(r.values[ids.relu].data[5]), 6);
  });

  it("keep 'outputs' frees intermediates and gives the same outputs", () => {
    const { graph, weights, ids } = network();
    const x = randomTensor([1, 2, 4, 4], 4);
    const all = simulateFloat({ graph, weights }, { x });
    const lean = simulateFloat({ graph, weights }, { x }, { keep: 'outputs' });
    expect(Object.keys(lean.values).sort()).toEqual([ids.x, ids.prob, ids.side].sort());
    expect([...lean.outputs.prob.data]).toEqual([...all.outputs.prob.data]);
  });

  it('runs another batch size than the Input declares; accepts the node id', () => {
    const { graph, weights, ids } = network();
    const x = randomTensor([3, 2, 4, 4], 5, -2, 2);
    const r = simulateFloat({ graph, weights }, { [ids.x]: x });
    expect(r.outputs.prob.shape).toEqual([3, 3]);
    const want = byHand(x, weights, ids);
    for (let n = 0; n < 3; n++) for (let u = 0; u < 3; u++) expect(r.outputs.prob.data[n * 3 + u]).toBeCloseTo(want[n][u], 5);
  });

  it('throws TesseraError with the diagnostics for graph errors and bad inputs', () => {
    const { graph, weights, ids } = network();
    const x = randomTensor([1, 2, 4, 4], 6);
    const noBias = { ...weights, [ids.fc]: { weight: weights[ids.fc].weight } };
    const catch_ = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as TesseraError;
      }
      throw new Error('did not throw');
    };
    const e1 = catch_(() => simulateFloat({ graph, weights: noBias }, { x }));
    expect(e1).toBeInstanceOf(TesseraError);
    expect(e1.diagnostics.map((d) => d.code)).toContain('weight-missing');
    expect(e1.message).toContain('fc');
    const e2 = catch_(() => simulateFloat({ graph, weights }, {}));
    expect(e2.diagnostics.map((d) => d.code)).toEqual(['sim-input-missing']);
    const e3 = catch_(() => simulateFloat({ graph, weights }, { x: randomTensor([1, 2, 4, 5], 1) }));
    expect(e3.diagnostics.map((d) => d.code)).toEqual(['sim-input-shape']);
    expect(e3.message).toContain('[1, 2, 4, 4]');
  });

  it('stops when cancelled', () => {
    const { graph, weights } = network();
    const signal = { cancelled: true };
    expect(() => simulateFloat({ graph, weights }, { x: randomTensor([1, 2, 4, 4], 1) }, { signal })).toThrow(SimulationCancelled);
  });
});
