import { describe, expect, it } from 'vitest';
import { analyzeGraph, type GraphAnalysis } from './analyze';
import { addNode, connect, emptyGraph } from './edit';
import type { Graph, GraphNode, WeightMap } from './model';
import { getOp } from '../ops/registry';
import { randomTensor, zeros } from '../tensor/tensor';

/** Builds a graph from a compact description: nodes [name, type, params], edges [from, to, port?]. */
function build(nodes: [string, string, Record<string, unknown>?][], edges: [string, string, number?][]): Graph {
  const g: Graph = { version: 1, nodes: [], edges: [] };
  for (const [name, type, params] of nodes) g.nodes.push({ id: `id_${name}`, type, name, params: params ?? {} });
  edges.forEach(([a, b, port], i) => g.edges.push({ id: `e${i}`, source: `id_${a}`, sourcePort: 0, target: `id_${b}`, targetPort: port ?? 0 }));
  return g;
}

/** Finds the diagnostic with `code` and checks it names the node and the field in its message. */
function expectDiag(a: GraphAnalysis, code: string, nodeName: string | undefined, field?: string) {
  const found = a.diagnostics.filter((d) => d.code === code && d.nodeName === nodeName);
  expect(found, `no ${code} diagnostic for ${nodeName}; got ${JSON.stringify(a.diagnostics.map((d) => [d.code, d.nodeName, d.field]))}`).not.toHaveLength(0);
  const d = field ? found.find((x) => x.field === field) : found[0];
  expect(d, `${code} on ${nodeName} lacks field ${field}: ${JSON.stringify(found)}`).toBeDefined();
  if (nodeName) expect(d!.message).toContain(nodeName);
  if (field) expect(d!.message).toContain(field);
  expect(d!.rule.length).toBeGreaterThan(0);
  expect(d!.fix.length).toBeGreaterThan(0);
  return d!;
}

const chain = (...types: [string, string, Record<string, unknown>?][]) =>
  build(types, types.slice(1).map((t, i) => [types[i][0], t[0]] as [string, string]));

describe('analyzeGraph: structure', () => {
  it('orders a diamond topologically and infers every shape', () => {
    const g = build(
      [['relu', 'ReLU'], ['add', 'Add'], ['x', 'Input', { shape: [2, 3, 5, 7] }], ['tanh', 'Tanh'], ['cat', 'Concatenate', { axis: 1 }]],
      [['x', 'relu'], ['x', 'tanh'], ['relu', 'add', 0], ['tanh', 'add', 1], ['add', 'cat', 0], ['x', 'cat', 1]],
    );
    const a = analyzeGraph(g);
    expect(a.diagnostics).toEqual([]);
    const pos = (n: string) => a.order.indexOf(`id_${n}`);
    expect(a.order).toHaveLength(5);
    expect(pos('x')).toBeLessThan(pos('relu'));
    expect(pos('relu')).toBeLessThan(pos('add'));
    expect(pos('tanh')).toBeLessThan(pos('add'));
    expect(pos('add')).toBeLessThan(pos('cat'));
    expect(a.shapes.id_cat).toEqual([2, 6, 5, 7]);
    expect(a.inputs).toEqual(['id_x']);
    expect(a.outputs).toEqual(['id_cat']);
    expect(a.hasErrors).toBe(false);
  });

  it('unknown op type', () => {
    const a = analyzeGraph(chain(['x', 'Input'], ['foo', 'Frobnicate']));
    const d = expectDiag(a, 'unknown-op-type', 'foo', 'type');
    expect(d.message).toContain('Frobnicate');
    expect(a.shapes.id_foo).toBeNull();
  });

  it('parameters failing the schema: one diagnostic per issue with path, value and rule', () => {
    const a = analyzeGraph(chain(['x', 'Input', { shape: [1, 4, 8, 8] }], ['pool', 'MaxPool', { kernel: [2, 1.5], dataFormat: 'NHWC', ceilMode: 'yes' }]));
    const k = expectDiag(a, 'param-invalid', 'pool', 'kernel[1]');
    expect(k.value).toBe(1.5);
    expect(k.rule).toContain('integer');
    const f = expectDiag(a, 'param-invalid', 'pool', 'dataFormat');
    expect(f.value).toBe('NHWC');
    expect(f.message).toContain('"NCX"');
    expectDiag(a, 'param-invalid', 'pool', 'ceilMode');
    expect(a.shapes.id_pool).toBeNull();
  });

  it('unknown parameter is a warning, not an error', () => {
    const a = analyzeGraph(chain(['x', 'Input'], ['r', 'ReLU', { slope: 2 }]));
    const d = expectDiag(a, 'param-unknown', 'r', 'slope');
    expect(d.severity).toBe('warning');
    expect(a.hasErrors).toBe(false);
    expect(a.shapes.id_r).toEqual([1, 3, 16, 16]);
  });

  it('duplicate node names and ids, empty names', () => {
    const g = chain(['x', 'Input'], ['act', 'ReLU'], ['act', 'Tanh']);
    g.nodes[2].id = 'id_tanh';
    g.edges[1].source = 'id_act';
    g.edges[1].target = 'id_tanh';
    const a = analyzeGraph(g);
    const d = expectDiag(a, 'duplicate-node-name', 'act', 'name');
    expect(d.nodeId).toBe('id_tanh');
    // A name clash does not hide the shape.
    expect(a.shapes.id_tanh).toEqual([1, 3, 16, 16]);

    const h = chain(['x', 'Input'], ['r1', 'ReLU']);
    h.nodes.push({ id: 'id_r1', type: 'Tanh', name: 'r2', params: {} });
    const b = analyzeGraph(h);
    const dup = expectDiag(b, 'duplicate-node-id', 'r2', 'id');
    expect(dup.value).toBe('id_r1');

    const e = chain(['x', 'Input'], ['', 'ReLU']);
    expectDiag(analyzeGraph(e), 'node-name-empty', 'id_', 'name');
  });

  it('edges to unknown nodes or ports', () => {
    const g = chain(['x', 'Input', { shape: [1, 4] }], ['d', 'Dense', { units: 3 }], ['s', 'Sigmoid']);
    g.edges.push({ id: 'ghost-in', source: 'nowhere', sourcePort: 0, target: 'id_s', targetPort: 0 });
    g.edges.push({ id: 'ghost-out', source: 'id_d', sourcePort: 0, target: 'missing', targetPort: 0 });
    g.edges.push({ id: 'bad-src', source: 'id_x', sourcePort: 1, target: 'id_s', targetPort: 0 });
    g.edges.push({ id: 'bad-dst', source: 'id_x', sourcePort: 0, target: 'id_d', targetPort: 3 });
    g.edges.push({ id: 'e0', source: 'id_x', sourcePort: 0, target: 'id_x', targetPort: 0 });
    const a = analyzeGraph(g);
    expect(expectDiag(a, 'edge-unknown-source', 's', 'input 0').value).toBe('nowhere');
    expect(expectDiag(a, 'edge-unknown-target', 'd', 'edge target').value).toBe('missing');
    expectDiag(a, 'edge-bad-source-port', 's', 'input 0');
    expect(expectDiag(a, 'edge-bad-target-port', 'd', 'input 3').message).toContain('bad-dst');
    // An edge into an Input (which has no inputs) is a bad port too.
    expectDiag(a, 'edge-bad-target-port', 'x', 'input 0');
    expect(a.diagnostics.some((d) => d.code === 'duplicate-edge-id' && d.message.includes('e0'))).toBe(true);
  });

  it('an input port with no edge or with two edges', () => {
    const g = build([['x', 'Input'], ['y', 'Input'], ['r', 'ReLU'], ['t', 'Tanh'], ['add', 'Add']], [['x', 'r'], ['y', 'r'], ['x', 'add', 0]]);
    const a = analyzeGraph(g);
    const multi = expectDiag(a, 'input-multiple-edges', 'r', 'input 0');
    expect(multi.message).toContain('x, y');
    expectDiag(a, 'input-unconnected', 't', 'input 0');
    const add = expectDiag(a, 'input-unconnected', 'add', 'input 1');
    expect(add.rule).toContain('at least 2');
  });

  it('cycles name their nodes; nodes after a cycle are not shaped', () => {
    const g = build(
      [['x', 'Input'], ['a', 'Add'], ['b', 'ReLU'], ['c', 'Tanh'], ['after', 'Sigmoid']],
      [['x', 'a', 0], ['c', 'a', 1], ['a', 'b'], ['b', 'c'], ['c', 'after']],
    );
    const a = analyzeGraph(g);
    for (const n of ['a', 'b', 'c']) {
      const d = expectDiag(a, 'cycle', n, 'inputs');
      expect(d.message).toContain('a → b → c → a');
    }
    expect(a.diagnostics.filter((d) => d.code === 'cycle')).toHaveLength(3);
    expect(a.diagnostics.some((d) => d.code === 'cycle' && d.nodeName === 'after')).toBe(false);
    expect(a.order).toEqual(['id_x']);
    expect(a.shapes.id_after).toBeNull();

    const self = build([['x', 'Input'], ['s', 'Add']], [['x', 's', 0], ['s', 's', 1]]);
    expect(expectDiag(analyzeGraph(self), 'cycle', 's', 'inputs').message).toContain('s → s');
  });

  it('graph with no Input', () => {
    const a = analyzeGraph(build([['r', 'ReLU']], []));
    const d = a.diagnostics.find((x) => x.code === 'no-input');
    expect(d?.message).toContain('Input');
    expect(d?.field).toBe('nodes');
    expect(analyzeGraph(emptyGraph()).diagnostics.map((x) => x.code)).toEqual(['no-input']);
  });

  it('never throws on garbage', () => {
    const junk = { version: 1, nodes: [{ id: 'a', type: 'Dense', name: 'a', params: null }], edges: [] } as unknown as Graph;
    expect(() => analyzeGraph(junk)).not.toThrow();
    expect(() => analyzeGraph({} as Graph)).not.toThrow();
  });
});

describe('analyzeGraph: shapes', () => {
  it('Add inputs differ', () => {
    const g = build(
      [['x', 'Input', { shape: [1, 4, 8, 8] }], ['p', 'MaxPool'], ['add', 'Add']],
      [['x', 'p'], ['x', 'add', 0], ['p', 'add', 1]],
    );
    const a = analyzeGraph(g);
    const d = expectDiag(a, 'add-shape-mismatch', 'add', 'input 1');
    expect(d.value).toBe('[1, 4, 4, 4]');
    expect(d.rule).toContain('[1, 4, 8, 8]');
  });

  it('Concatenate off-axis mismatch and rank mismatch', () => {
    const g = build(
      [['x', 'Input', { shape: [1, 4, 8, 8] }], ['y', 'Input', { shape: [1, 2, 8, 6] }], ['cat', 'Concatenate', { axis: 1 }]],
      [['x', 'cat', 0], ['y', 'cat', 1]],
    );
    const d = expectDiag(analyzeGraph(g), 'concat-shape-mismatch', 'cat', 'input 1');
    expect(d.rule).toContain('axis 3');
    g.nodes[1].params = { shape: [1, 2, 8] };
    expectDiag(analyzeGraph(g), 'concat-rank-mismatch', 'cat', 'input 1');
    g.nodes[1].params = { shape: [1, 2, 8, 8] };
    g.nodes[2].params = { axis: 4 };
    expectDiag(analyzeGraph(g), 'axis-range', 'cat', 'axis');
  });

  it('Dense input size vs weight, missing weights, unused weights', () => {
    const g = chain(['x', 'Input', { shape: [2, 10] }], ['fc', 'Dense', { units: 3 }]);
    const ok: WeightMap = { id_fc: { weight: zeros([10, 3]), bias: zeros([3]) } };
    expect(analyzeGraph(g, ok).diagnostics).toEqual([]);
    const wrong = analyzeGraph(g, { id_fc: { weight: zeros([12, 3]), bias: zeros([3]) } });
    const d = expectDiag(wrong, 'weight-shape', 'fc', 'weights.weight');
    expect(d.value).toBe('[12, 3]');
    expect(d.rule).toContain('[10, 3]');
    expect(d.rule).toContain('IO (in, units)');
    const inconsistent = analyzeGraph(g, { id_fc: { weight: { shape: [10, 3], data: new Float32Array(29) }, bias: zeros([3]) } });
    expectDiag(inconsistent, 'weight-shape', 'fc', 'weights.weight');
    const missing = analyzeGraph(g, { id_fc: { weight: zeros([10, 3]) } });
    expectDiag(missing, 'weight-missing', 'fc', 'weights.bias');
    g.nodes[1].params = { units: 3, bias: false };
    const extra = analyzeGraph(g, ok);
    expect(expectDiag(extra, 'weight-unused', 'fc', 'weights.bias').severity).toBe('warning');
    // Without a weight map, weights are not checked.
    expect(analyzeGraph(g).diagnostics).toEqual([]);
  });

  it('BatchNormalization weights follow the channel axis of the data format', () => {
    const g = chain(['x', 'Input', { shape: [1, 5, 6, 3] }], ['bn', 'BatchNormalization', { dataFormat: 'NXC' }]);
    const w = (c: number) => ({ id_bn: { gamma: zeros([c]), beta: zeros([c]), mean: zeros([c]), variance: zeros([c]) } });
    expect(analyzeGraph(g, w(3)).hasErrors).toBe(false);
    expectDiag(analyzeGraph(g, w(5)), 'weight-shape', 'bn', 'weights.gamma');
    g.nodes[1].params = { dataFormat: 'NCX' };
    expect(analyzeGraph(g, w(5)).hasErrors).toBe(false);
  });

  it('an error upstream leaves downstream shapes null without more diagnostics', () => {
    const a = analyzeGraph(chain(['x', 'Input', { shape: [1, 3, 4] }], ['t', 'Transpose', { perm: [0, 1] }], ['r', 'ReLU']));
    expectDiag(a, 'transpose-perm', 't', 'perm');
    expect(a.shapes.id_r).toBeNull();
    expect(a.diagnostics.filter((d) => d.nodeName === 'r')).toEqual([]);
  });

  it('op-specific rules name node, field and value', () => {
    const cases: [string, Record<string, unknown>, number[], string, string][] = [
      ['Input', { shape: [1, 0, 4] }, [], 'input-shape', 'shape[1]'],
      ['Dense', { units: 0 }, [1, 4], 'dense-units', 'units'],
      ['Flatten', { axis: 5 }, [1, 4], 'axis-range', 'axis'],
      ['Reshape', { targetShape: [5, -1] }, [1, 4, 3], 'reshape-size', 'targetShape'],
      ['Reshape', { targetShape: [-1, -1] }, [1, 4, 3], 'reshape-infer', 'targetShape'],
      ['Reshape', { targetShape: [0, 12] }, [1, 4, 3], 'reshape-dim', 'targetShape[0]'],
      ['Transpose', { perm: [0, 2, 2] }, [1, 4, 3], 'transpose-perm', 'perm'],
      ['Softmax', { axis: -4 }, [1, 4, 3], 'axis-range', 'axis'],
      ['BatchNormalization', { epsilon: 0 }, [1, 4, 3], 'batchnorm-epsilon', 'epsilon'],
      ['ZeroPadding', { padsBegin: [1, -1] }, [1, 4, 3, 3], 'pads-negative', 'padsBegin[1]'],
      ['ZeroPadding', { padsEnd: [1, 1, 1] }, [1, 4, 3, 3], 'param-length', 'padsEnd'],
      ['ZeroPadding', {}, [1, 12], 'input-rank', 'input 0'],
      ['UpSampling', { scale: [0] }, [1, 4, 3], 'upsampling-scale', 'scale'],
      ['MaxPool', { kernel: [0, 2] }, [1, 4, 6, 6], 'pool-kernel', 'kernel[0]'],
      ['MaxPool', { stride: [0] }, [1, 4, 6, 6], 'pool-stride', 'stride'],
      ['MaxPool', { padsBegin: [-1] }, [1, 4, 6, 6], 'pads-negative', 'padsBegin'],
      ['AveragePool', { kernel: [3], padsEnd: [0, 3] }, [1, 4, 6, 6], 'pool-pad-kernel', 'padsEnd[1]'],
      ['AveragePool', { kernel: [7], stride: [1] }, [1, 4, 6], 'pool-window', 'kernel'],
      ['MaxPool', { kernel: [2, 7] }, [1, 6, 5, 4], 'pool-window', 'kernel[1]'],
      ['MaxPool', {}, [1, 4, 6, 6, 6], 'input-rank', 'input 0'],
    ];
    for (const [type, params, inShape, code, field] of cases) {
      const g = type === 'Input'
        ? build([['node', 'Input', params]], [])
        : chain(['x', 'Input', { shape: inShape }], ['node', type, params]);
      const a = analyzeGraph(g);
      const d = expectDiag(a, code, 'node', field);
      expect(d.severity).toBe('error');
      expect(a.shapes.id_node).toBeNull();
    }
  });
});

describe('analyzeGraph with the conv family', () => {
  it.skipIf(!getOp('Conv2D'))('shapes and weights through a Conv2D', () => {
    let g = emptyGraph();
    const x = addNode(g, 'Input', { params: { shape: [1, 3, 9, 7] } });
    g = x.graph;
    const c = addNode(g, 'Conv2D', { params: { filters: 4, kernel: [3, 3], stride: [2, 1], padsBegin: [1, 0], padsEnd: [1, 0] } });
    g = c.graph;
    const p = addNode(g, 'MaxPool', { params: { kernel: [2], stride: [2] } });
    g = p.graph;
    g = connect(g, x.node.id, c.node.id).graph;
    g = connect(g, c.node.id, p.node.id).graph;
    const slots = getOp('Conv2D')!.weights(getOp('Conv2D')!.params.parse(c.node.params), [[1, 3, 9, 7]]);
    const weights: WeightMap = { [c.node.id]: Object.fromEntries(slots.map((s, i) => [s.name, randomTensor(s.shape, i + 1)])) };
    const a = analyzeGraph(g, weights);
    expect(a.diagnostics).toEqual([]);
    // (9 + 2 − 3) / 2 + 1 = 5, (7 − 3) / 1 + 1 = 5; pool halves (floor).
    expect(a.shapes[c.node.id]).toEqual([1, 4, 5, 5]);
    expect(a.shapes[p.node.id]).toEqual([1, 4, 2, 2]);
    const bad = analyzeGraph(g, { [c.node.id]: { ...weights[c.node.id], weight: zeros([4, 3, 3, 2]) } });
    expect(bad.diagnostics.find((d) => d.code === 'weight-shape')?.message).toContain('conv2d');
  });
});

describe('edit helpers + analysis', () => {
  it('node ids and names from addNode stay unique', () => {
    let g = emptyGraph();
    const names: GraphNode[] = [];
    for (let i = 0; i < 3; i++) {
      const r = addNode(g, 'ReLU');
      g = r.graph;
      names.push(r.node);
    }
    expect(names.map((n) => n.name)).toEqual(['relu', 'relu_1', 'relu_2']);
    expect(new Set(names.map((n) => n.id)).size).toBe(3);
  });
});

