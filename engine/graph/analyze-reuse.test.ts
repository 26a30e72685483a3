// analyzeGraph keeps per-node results between calls (parameters checked, shapes inferred): over
// random edit sequences, the analysis with reuse equals one from scratch after every edit, whatever
// the edit (new parameters, parameters changed in place, renames, rewiring, new types, deletions).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph, clearAnalysisCache } from './analyze';
import type { Graph, GraphNode, WeightMap } from './model';
import { randomTensor } from '../tensor/tensor';

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

const TYPES = ['Conv2D', 'ReLU', 'Add', 'ConvTranspose2D', 'MaxPool2D', 'Dense', 'Flatten', 'Tanh', 'Nope'];

/** Parameters for a type: mostly valid, sometimes out of range or with an unknown key. */
const paramsArb = fc.record({
  filters: fc.integer({ min: 0, max: 9 }),
  k: fc.integer({ min: 0, max: 4 }),
  stride: fc.integer({ min: 1, max: 3 }),
  same: fc.boolean(),
  bias: fc.boolean(),
  format: fc.constantFrom('NCX', 'NXC'),
  extra: fc.option(fc.integer(), { freq: 8 }),
});

function paramsFor(type: string, p: ValueOf<typeof paramsArb>): Record<string, unknown> {
  const extra = p.extra === null ? {} : { zzz: p.extra };
  switch (type) {
    case 'Conv2D':
    case 'ConvTranspose2D':
      return { filters: p.filters, kernel: [p.k, Math.max(1, p.k - 1)], stride: [p.stride, 1], ...(type === 'Conv2D' && p.same ? { autoPad: 'same_upper' } : {}), bias: p.bias, dataFormat: p.format, ...extra };
    case 'MaxPool2D':
      return { pool: [p.k, p.k], dataFormat: p.format, ...extra };
    case 'Dense':
      return { units: p.filters, bias: p.bias, ...extra };
    default:
      return { ...extra };
  }
}

const editArb = fc.oneof(
  fc.record({ kind: fc.constant('params' as const), node: fc.nat(), type: fc.constantFrom(...TYPES), p: paramsArb }),
  fc.record({ kind: fc.constant('inPlace' as const), node: fc.nat(), p: paramsArb }),
  fc.record({ kind: fc.constant('rename' as const), node: fc.nat(), name: fc.constantFrom('a', 'b', 'c', '') }),
  fc.record({ kind: fc.constant('input' as const), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }), c: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('connect' as const), from: fc.nat(), to: fc.nat(), port: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('disconnect' as const), edge: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), type: fc.constantFrom(...TYPES), p: paramsArb }),
  fc.record({ kind: fc.constant('delete' as const), node: fc.nat() }),
);
type Edit = ValueOf<typeof editArb>;

let counter = 0;

/** Applies an edit the way editors do: new objects for what changed, except 'inPlace'. */
function apply(g: Graph, e: Edit): Graph {
  const nodes = g.nodes;
  const pick = (i: number) => nodes[i % nodes.length];
  switch (e.kind) {
    case 'params': {
      const t = pick(e.node);
      if (t.type === 'Input') return g;
      return { ...g, nodes: nodes.map((n) => (n === t ? { ...n, type: e.type, params: paramsFor(e.type, e.p) } : n)) };
    }
    case 'inPlace': {
      const t = pick(e.node);
      if (t.type === 'Input') return g;
      const fresh = paramsFor(t.type, e.p);
      for (const k of Object.keys(t.params)) delete t.params[k];
      Object.assign(t.params, fresh);
      return g;
    }
    case 'rename': {
      const t = pick(e.node);
      return { ...g, nodes: nodes.map((n) => (n === t ? { ...n, name: e.name } : n)) };
    }
    case 'input':
      return { ...g, nodes: nodes.map((n) => (n.type === 'Input' ? { ...n, params: { shape: [1, e.h, e.w, e.c], dataFormat: 'NXC' } } : n)) };
    case 'connect': {
      const from = pick(e.from);
      const to = pick(e.to);
      const edges = g.edges.filter((x) => !(x.target === to.id && x.targetPort === e.port) || e.port === 2);
      return { ...g, edges: [...edges, { id: `e${counter++}`, source: from.id, sourcePort: 0, target: to.id, targetPort: e.port }] };
    }
    case 'disconnect':
      return g.edges.length ? { ...g, edges: g.edges.filter((_, i) => i !== e.edge % g.edges.length) } : g;
    case 'add': {
      const id = `n${counter++}`;
      const last = nodes[nodes.length - 1];
      const node: GraphNode = { id, type: e.type, name: id, params: paramsFor(e.type, e.p) };
      return { ...g, nodes: [...nodes, node], edges: [...g.edges, { id: `e${counter++}`, source: last.id, sourcePort: 0, target: id, targetPort: 0 }] };
    }
    case 'delete': {
      const t = pick(e.node);
      if (t.type === 'Input' || nodes.length < 3) return g;
      return { ...g, nodes: nodes.filter((n) => n !== t), edges: g.edges.filter((x) => x.source !== t.id && x.target !== t.id) };
    }
  }
  return g;
}

function start(): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'in', type: 'Input', name: 'in', params: { shape: [1, 8, 8, 3], dataFormat: 'NXC' } },
      { id: 'c1', type: 'Conv2D', name: 'c1', params: { filters: 4, kernel: [3, 3], autoPad: 'same_upper', dataFormat: 'NXC' } },
      { id: 'r1', type: 'ReLU', name: 'r1', params: {} },
      { id: 'c2', type: 'Conv2D', name: 'c2', params: { filters: 2, kernel: [2, 2], dataFormat: 'NXC' } },
    ],
    edges: [
      { id: 'e_a', source: 'in', sourcePort: 0, target: 'c1', targetPort: 0 },
      { id: 'e_b', source: 'c1', sourcePort: 0, target: 'r1', targetPort: 0 },
      { id: 'e_c', source: 'r1', sourcePort: 0, target: 'c2', targetPort: 0 },
    ],
  };
}

/** Weights of the right shapes for some nodes, wrong or missing for others (from the fresh analysis). */
function someWeights(g: Graph, seed: number): WeightMap {
  const a = analyzeGraph(g, undefined, { reuse: false });
  const w: WeightMap = {};
  Object.values(a.nodes).forEach((info, i) => {
    if ((seed + i) % 3 === 0) return;
    const slots: Record<string, ReturnType<typeof randomTensor>> = {};
    for (const s of info.weightSlots) slots[s.name] = randomTensor((seed + i) % 5 === 0 ? [...s.shape, 2] : s.shape, seed + i);
    w[info.node.id] = slots;
  });
  return w;
}

describe('analyzeGraph reuse of per-node results', () => {
  it('equals a from-scratch analysis after every edit of random edit sequences', () => {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), (edits, seed) => {
        clearAnalysisCache();
        let g = start();
        let hits = 0;
        for (const [i, e] of edits.entries()) {
          g = apply(g, e);
          const weights = (seed + i) % 4 === 0 ? someWeights(g, seed + i) : undefined;
          const fresh = analyzeGraph(g, weights, { reuse: false });
          const reused = analyzeGraph(g, weights);
          expect(reused).toEqual(fresh);
          // And again (now everything is kept): still the same.
          expect(analyzeGraph(g, weights)).toEqual(fresh);
          hits += fresh.order.length;
        }
        return hits >= 0;
      }),
      { numRuns: 150, seed: 20261121 },
    );
  });

  it('results do not share objects between calls (changing one analysis leaves the next intact)', () => {
    clearAnalysisCache();
    const g = start();
    g.nodes[1].params = { filters: 4, kernel: [0, 3], dataFormat: 'NXC' }; // an error on c1
    const a = analyzeGraph(g);
    const b = analyzeGraph(g);
    expect(b).toEqual(a);
    a.nodes.c1.diagnostics[0].message = 'changed';
    a.nodes.r1.weightSlots.push({ name: 'x', shape: [1], layout: 'X' });
    (a.nodes.in.outputShape as number[])[1] = 99;
    const c = analyzeGraph(g);
    expect(c.nodes.c1.diagnostics[0].message).not.toBe('changed');
    expect(c.nodes.r1.weightSlots).toEqual([]);
    expect(c.nodes.in.outputShape).toEqual([1, 8, 8, 3]);
    expect(c).toEqual(analyzeGraph(g, undefined, { reuse: false }));
  });

  it('a parameters object changed in place is checked again', () => {
    clearAnalysisCache();
    const g = start();
    expect(analyzeGraph(g).shapes.c2).toEqual([1, 7, 7, 2]);
    (g.nodes[3].params.kernel as number[])[0] = 4; // same objects, new content
    expect(analyzeGraph(g).shapes.c2).toEqual([1, 5, 7, 2]);
    g.nodes[3].params.filters = -1;
    const a = analyzeGraph(g);
    expect(a.shapes.c2).toBeNull();
    expect(a.nodes.c2.diagnostics.map((d) => d.field)).toContain('filters');
  });
});
