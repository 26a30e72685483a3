import { describe, expect, it } from 'vitest';
import { analyze } from './analyze';
import { fromGraph, toGraph, type FlowEdge, type FlowNode } from './doc';
import { axisLetters, shapeText } from './format';
import { canvasViews, EMPTY_VIEWS, type CanvasViews } from './views';

/** Input (h×w×c NXC) → Conv2D 3×3 same → ReLU → Conv2D 3×3 valid (c2 filters). */
function doc(h: number, w: number, c: number, c2: number): { nodes: FlowNode[]; edges: FlowEdge[] } {
  return fromGraph({
    version: 1,
    nodes: [
      { id: 'in', type: 'Input', name: 'in', params: { shape: [1, h, w, c], dataFormat: 'NXC' } },
      { id: 'a', type: 'Conv2D', name: 'a', params: { filters: 5, kernel: [3, 3], autoPad: 'same_upper', dataFormat: 'NXC' } },
      { id: 'r', type: 'ReLU', name: 'r', params: {} },
      { id: 'b', type: 'Conv2D', name: 'b', params: { filters: c2, kernel: [3, 3], dataFormat: 'NXC' } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourcePort: 0, target: 'a', targetPort: 0 },
      { id: 'e2', source: 'a', sourcePort: 0, target: 'r', targetPort: 0 },
      { id: 'e3', source: 'r', sourcePort: 0, target: 'b', targetPort: 0 },
    ],
  });
}

function views(d: { nodes: FlowNode[]; edges: FlowEdge[] }, prev?: CanvasViews): CanvasViews {
  return canvasViews(analyze(toGraph(d.nodes, d.edges)), d.nodes, d.edges, prev);
}

describe('canvas views', () => {
  it('say what the analysis says: shapes, letters, status, counts, ports', () => {
    const d = doc(9, 7, 3, 11);
    const a = analyze(toGraph(d.nodes, d.edges));
    const v = canvasViews(a, d.nodes, d.edges, EMPTY_VIEWS);
    expect(v.shapes).toEqual({ in: '1×9×7×3', a: '1×9×7×5', r: '1×9×7×5', b: '1×7×5×11' });
    expect(v.edges.e3).toEqual({ text: '1×9×7×5', letters: axisLetters(4, 'NXC'), targetError: false });
    for (const n of d.nodes) {
      const info = a.nodes[n.id];
      expect(v.nodes[n.id]).toEqual({
        status: info.status,
        ports: info.ports,
        errors: info.diagnostics.filter((x) => x.severity === 'error').length,
        warnings: info.diagnostics.filter((x) => x.severity === 'warning').length,
        firstMessage: info.diagnostics[0]?.message ?? '',
      });
      expect(v.shapes[n.id]).toBe(shapeText(info.shape));
    }
  });

  it('keep unchanged objects, replace changed ones, and return the same views when nothing changed', () => {
    const v1 = views(doc(9, 7, 3, 11));
    // Same document again: the very same object.
    expect(views(doc(9, 7, 3, 11), v1)).toBe(v1);
    // New input height: every shape changes, no node's status does.
    const v2 = views(doc(12, 7, 3, 11), v1);
    expect(v2).not.toBe(v1);
    for (const id of ['in', 'a', 'r', 'b']) expect(v2.nodes[id]).toBe(v1.nodes[id]);
    for (const id of ['e1', 'e2', 'e3']) expect(v2.edges[id]).not.toBe(v1.edges[id]);
    expect(v2.shapes.b).toBe('1×10×5×11');
    // Only the last layer's filters: only its shape changes; every edge view is kept.
    const v3 = views(doc(12, 7, 3, 4), v2);
    expect(v3.shapes.b).toBe('1×10×5×4');
    expect(v3.shapes.r).toBe(v2.shapes.r);
    for (const id of ['e1', 'e2', 'e3']) expect(v3.edges[id]).toBe(v2.edges[id]);
  });

  it('show an error on the node (— instead of a shape, red edge into it) and ? downstream', () => {
    const d = doc(9, 7, 3, 11);
    const conv = d.nodes.find((n) => n.id === 'a')!;
    conv.data = { ...conv.data, params: { ...conv.data.params, kernel: [0, 3] } };
    const v = views(d);
    expect(v.nodes.a.status).toBe('error');
    expect(v.nodes.a.errors).toBeGreaterThan(0);
    expect(v.nodes.a.firstMessage).toMatch(/kernel/);
    expect(v.shapes.a).toBe('—');
    expect(v.edges.e1.targetError).toBe(true);
    expect(v.edges.e2).toEqual({ text: '?', letters: null, targetError: false });
    expect(v.shapes.b).toBe('?');
  });

  it('drop views of deleted nodes and edges', () => {
    const d = doc(9, 7, 3, 11);
    const v1 = views(d);
    const v2 = views({ nodes: d.nodes.filter((n) => n.id !== 'b'), edges: d.edges.filter((e) => e.id !== 'e3') }, v1);
    expect(v2).not.toBe(v1);
    expect(Object.keys(v2.nodes).sort()).toEqual(['a', 'in', 'r']);
    expect(Object.keys(v2.edges).sort()).toEqual(['e1', 'e2']);
  });
});
