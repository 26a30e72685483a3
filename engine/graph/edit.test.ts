import { describe, expect, it } from 'vitest';
import { addNode, connect, defaultParams, emptyGraph, moveNode, removeEdge, removeNode, renameNode, updateParams, uniqueName } from './edit';
import { analyzeGraph } from './analyze';

describe('graph edit helpers', () => {
  it('addNode uses the op defaults, unique names and ids, and does not mutate', () => {
    const g0 = emptyGraph();
    const a = addNode(g0, 'MaxPool', { params: { kernel: [3] }, position: { x: 1, y: 2 } });
    expect(g0.nodes).toHaveLength(0);
    expect(a.node.params).toEqual({ ...defaultParams('MaxPool'), kernel: [3] });
    expect(a.node.params.ceilMode).toBe(false);
    expect(a.node.name).toBe('maxpool');
    expect(a.node.position).toEqual({ x: 1, y: 2 });
    const b = addNode(a.graph, 'MaxPool', { id: a.node.id });
    expect(b.node.name).toBe('maxpool_1');
    expect(b.node.id).not.toBe(a.node.id);
    expect(uniqueName(b.graph, 'maxpool')).toBe('maxpool_2');
    expect(() => defaultParams('Nope')).toThrow(/unknown op type "Nope"/);
  });

  it('connect picks the first free port and replaces an edge at a taken one', () => {
    let g = emptyGraph();
    const ids: string[] = [];
    for (const t of ['Input', 'ReLU', 'Tanh', 'Add']) {
      const r = addNode(g, t);
      g = r.graph;
      ids.push(r.node.id);
    }
    const [x, r, t, add] = ids;
    g = connect(g, x, r).graph;
    g = connect(g, x, t).graph;
    g = connect(g, r, add).graph;
    const e2 = connect(g, t, add);
    g = e2.graph;
    expect(e2.edge.targetPort).toBe(1);
    expect(analyzeGraph(g).diagnostics).toEqual([]);
    const replaced = connect(g, x, add, 1).graph;
    expect(replaced.edges.filter((e) => e.target === add).map((e) => [e.source, e.targetPort])).toEqual([[r, 0], [x, 1]]);
    expect(new Set(replaced.edges.map((e) => e.id)).size).toBe(replaced.edges.length);

    // Removing the first Add input renumbers the other to port 0; the Add then lacks one input.
    const removed = removeNode(g, r);
    expect(removed.nodes.map((n) => n.id)).toEqual([x, t, add]);
    expect(removed.edges.filter((e) => e.target === add).map((e) => [e.source, e.targetPort])).toEqual([[t, 0]]);
    expect(analyzeGraph(removed).diagnostics.map((d) => d.code)).toEqual(['input-unconnected']);
    expect(removeEdge(g, e2.edge.id).edges).toHaveLength(3);
  });

  it('updateParams, renameNode, moveNode', () => {
    let g = emptyGraph();
    const a = addNode(g, 'LeakyReLU');
    g = a.graph;
    const b = addNode(g, 'Tanh');
    g = b.graph;
    g = updateParams(g, a.node.id, { alpha: 0.3 });
    expect(g.nodes[0].params.alpha).toBe(0.3);
    g = updateParams(g, a.node.id, { alpha: undefined });
    expect('alpha' in g.nodes[0].params).toBe(false);
    g = renameNode(g, b.node.id, 'leakyrelu');
    expect(g.nodes[1].name).toBe('leakyrelu_1');
    g = renameNode(g, a.node.id, 'leakyrelu');
    expect(g.nodes[0].name).toBe('leakyrelu');
    g = moveNode(g, b.node.id, { x: 5, y: 6 });
    expect(g.nodes[1].position).toEqual({ x: 5, y: 6 });
  });
});
