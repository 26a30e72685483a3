import { describe, expect, it } from 'vitest';
import { fitZoom, layoutGraph, READABLE_ZOOM } from './layout';

describe('auto-layout', () => {
  it('places a branching graph left to right without overlaps', async () => {
    const nodes = ['in', 'a', 'b', 'merge', 'out'].map((id, i) => ({ id, width: 160 + i * 7, height: 70 }));
    const edges = [
      { id: 'e1', source: 'in', target: 'a' },
      { id: 'e2', source: 'in', target: 'b' },
      { id: 'e3', source: 'a', target: 'merge' },
      { id: 'e4', source: 'b', target: 'merge' },
      { id: 'e5', source: 'merge', target: 'out' },
    ];
    const p = await layoutGraph(nodes, edges);
    expect(Object.keys(p).sort()).toEqual(['a', 'b', 'in', 'merge', 'out']);
    for (const e of edges) expect(p[e.target].x).toBeGreaterThan(p[e.source].x);
    // a and b share a layer (between in and merge), one above the other without overlapping.
    for (const id of ['a', 'b']) expect(p[id].x).toBeLessThan(p.merge.x - 160);
    expect(Math.abs(p.a.y - p.b.y)).toBeGreaterThanOrEqual(70);
    // Room for the shape label between layers.
    expect(p.a.x - (p.in.x + nodes[0].width)).toBeGreaterThanOrEqual(100);
  });
});

describe('auto-layout fitted to the canvas', () => {
  const chain = (n: number, width = 200) => {
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, width, height: 71 }));
    const edges = nodes.slice(1).map((x, i) => ({ id: `e${i}`, source: nodes[i].id, target: x.id }));
    return { nodes, edges };
  };
  const viewport = { width: 880, height: 790 };
  const size = (p: Record<string, { x: number; y: number }>, width: number) => {
    const xs = Object.values(p).map((q) => q.x);
    const ys = Object.values(p).map((q) => q.y);
    return { width: Math.max(...xs) + width - Math.min(...xs) + 80, height: Math.max(...ys) + 71 - Math.min(...ys) + 80 };
  };

  it('keeps a chain that is readable in one row in one row', async () => {
    const { nodes, edges } = chain(3, 160);
    const p = await layoutGraph(nodes, edges, { viewport });
    expect(new Set(Object.values(p).map((q) => q.y)).size).toBe(1);
  });

  it('wraps a long chain into rows so that it is readable when fitted (the 16-layer DCGAN)', async () => {
    const { nodes, edges } = chain(16);
    const flat = await layoutGraph(nodes, edges);
    expect(fitZoom(size(flat, 200), viewport)).toBeLessThan(0.2);
    const p = await layoutGraph(nodes, edges, { viewport });
    expect(fitZoom(size(p, 200), viewport)).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const rows = [...new Set(Object.values(p).map((q) => q.y))].sort((a, b) => a - b);
    expect(rows.length).toBeGreaterThan(2);
    // Within a row the chain still runs left to right; each row starts left of where the last ended.
    for (const e of edges) {
      if (p[e.source].y === p[e.target].y) expect(p[e.target].x).toBeGreaterThan(p[e.source].x);
      else expect(p[e.target].y).toBeGreaterThan(p[e.source].y);
    }
  });
});
