// Importing a quantized model: the precisions it carries (by the file's node ids) land on the pasted
// nodes' fresh ids as layer choices.
import { beforeEach, describe, expect, it } from 'vitest';
import { fromGraph } from '../lib/doc';
import { importedPrecisions } from './actions';
import { useEditor } from './store';

const ed = () => useEditor.getState();

describe('imported per-layer precisions', () => {
  beforeEach(() => ed().load({ version: 1, nodes: [], edges: [] }, {}, { path: null, name: 't', dirty: false }));

  it('paste returns the new id of every pasted node; precisions follow them, without misplaced auto and unknown fields', () => {
    const graph = {
      version: 1 as const,
      nodes: [
        { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 4, 4, 2], layout: 'NCHW' } },
        { id: 'c', type: 'ReLU', name: 'act', params: {} },
      ],
      edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'c', targetPort: 0 }],
    };
    const { nodes, edges } = fromGraph(graph as never);
    const first = ed().paste({ nodes, edges, weights: {} }, { x: 0, y: 0 });
    const ids = ed().paste({ nodes, edges, weights: {} }, { x: 30, y: 30 });
    expect(Object.keys(ids).sort()).toEqual(['c', 'in']);
    expect(new Set([...Object.values(first), ...Object.values(ids)]).size).toBe(4);
    expect(ed().nodes.find((n) => n.id === ids.c)!.data.type).toBe('ReLU');
    const got = importedPrecisions(
      { in: { result_t: 'ap_fixed<7,4>', accum_t: 'auto' }, c: { result_t: 'ap_ufixed<5,3>', accum_t: 'ap_fixed<20,8>', weight_t: 'auto', table_t: 'ap_fixed<12,3>', color: 'red' }, gone: { result_t: 'ap_fixed<3,1>' } },
      ids,
    );
    // Every precision field is kept ('auto' only where it is a choice: accum_t / result_t); others are dropped.
    expect(got).toEqual({ [ids.in]: { result_t: 'ap_fixed<7,4>', accum_t: 'auto' }, [ids.c]: { result_t: 'ap_ufixed<5,3>', accum_t: 'ap_fixed<20,8>', table_t: 'ap_fixed<12,3>' } });
    expect(importedPrecisions(undefined, ids)).toEqual({});
  });
});
