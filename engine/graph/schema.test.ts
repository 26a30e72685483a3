import { describe, expect, it } from 'vitest';
import { CURRENT_GRAPH_VERSION, migrateDocument, parseGraphDocument, serializeGraph, type GraphMigration } from './schema';
import { addNode, connect, emptyGraph } from './edit';
import type { Graph } from './model';

function sample(): Graph {
  let g = emptyGraph();
  const x = addNode(g, 'Input', { params: { shape: [1, 2, 6, 5] }, position: { x: 10, y: -4.5 } });
  g = x.graph;
  const p = addNode(g, 'MaxPool', { params: { kernel: [3, 2], padsBegin: [1, 0] } });
  g = p.graph;
  const c = addNode(g, 'Concatenate', { name: 'join' });
  g = c.graph;
  g = connect(g, x.node.id, p.node.id).graph;
  g = connect(g, p.node.id, c.node.id, 1).graph;
  g = connect(g, p.node.id, c.node.id, 0).graph;
  return g;
}

describe('graph document schema', () => {
  it('round-trips through JSON', () => {
    const g = sample();
    const text = JSON.stringify(serializeGraph(g));
    const back = parseGraphDocument(text);
    expect('graph' in back && back.graph).toEqual(g);
    const again = parseGraphDocument(JSON.parse(text));
    expect('graph' in again && again.graph).toEqual(g);
    expect(g.version).toBe(CURRENT_GRAPH_VERSION);
  });

  it('fills defaults for omitted ports and params', () => {
    const r = parseGraphDocument({ version: 1, nodes: [{ id: 'a', type: 'Input', name: 'a' }], edges: [{ id: 'e', source: 'a', target: 'b' }] });
    expect('graph' in r).toBe(true);
    if ('graph' in r) {
      expect(r.graph.nodes[0].params).toEqual({});
      expect(r.graph.edges[0]).toEqual({ id: 'e', source: 'a', sourcePort: 0, target: 'b', targetPort: 0 });
    }
  });

  it('a newer version gives a clear error, never a crash', () => {
    const r = parseGraphDocument({ version: CURRENT_GRAPH_VERSION + 1, nodes: [], edges: [], futureField: true });
    expect('error' in r && r.error).toMatch(new RegExp(`version ${CURRENT_GRAPH_VERSION + 1} is newer .*up to version ${CURRENT_GRAPH_VERSION}.*update Tessera`));
  });

  it('bad documents give one error naming the problem', () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [[1, 2], /expected a JSON object/],
      [null, /expected a JSON object/],
      [{ nodes: [], edges: [] }, /"version" field is missing/],
      [{ version: 'one', nodes: [], edges: [] }, /version "one" is not a positive integer/],
      [{ version: 0, nodes: [], edges: [] }, /version 0 is not a positive integer/],
      [{ version: 1, nodes: [{ id: 'a', type: 'ReLU', name: 'a', position: { x: 'left', y: 0 } }], edges: [] }, /nodes\[0\]\.position\.x/],
      [{ version: 1, nodes: [], edges: [{ id: 'e', source: 'a', target: 'b', targetPort: -1 }] }, /edges\[0\]\.targetPort/],
      [{ version: 1, nodes: [] }, /edges/],
    ];
    for (const [doc, re] of cases) {
      let r: ReturnType<typeof parseGraphDocument> | undefined;
      expect(() => (r = parseGraphDocument(doc))).not.toThrow();
      expect('error' in r! && r.error).toMatch(re);
    }
  });

  it('the migration hook applies each step in order and stamps the version', () => {
    const table: Record<number, GraphMigration> = {
      1: (d) => ({ ...d, nodes: (d.nodes as { label: string }[]).map((n) => ({ name: n.label })) }),
      2: (d) => ({ ...d, nodes: (d.nodes as { name: string }[]).map((n) => ({ ...n, name: n.name.toUpperCase() })) }),
    };
    const r = migrateDocument({ version: 1, nodes: [{ label: 'conv' }], edges: [] }, table, 3);
    expect(r).toEqual({ doc: { version: 3, nodes: [{ name: 'CONV' }], edges: [] } });
    const from2 = migrateDocument({ version: 2, nodes: [{ name: 'pool' }], edges: [] }, table, 3);
    expect(from2).toEqual({ doc: { version: 3, nodes: [{ name: 'POOL' }], edges: [] } });
    expect(migrateDocument({ version: 1, nodes: [] }, { 1: table[1] }, 3)).toEqual({ error: expect.stringMatching(/no migration from graph document version 2 to 3/) });
    const broken = migrateDocument({ version: 1 }, { 1: () => { throw new Error('nodes missing'); } }, 2);
    expect('error' in broken && broken.error).toMatch(/from version 1 to 2 failed: nodes missing/);
  });
});
