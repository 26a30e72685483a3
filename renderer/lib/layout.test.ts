import { describe, expect, it } from 'vitest';
import { layoutGraph } from './layout';

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
