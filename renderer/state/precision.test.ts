// Per-layer precision is part of the editor's document: set on a node as an undoable edit, a bad type is an
// error of the node (the status bar counts it), and copy, paste, duplicate and an imported model's paste
// carry it with the nodes under their new ids.
import { beforeEach, describe, expect, it } from 'vitest';
import { fromGraph, toGraph } from '../lib/doc';
import { parseClipboard, serializeSelection } from './actions';
import { useEditor } from './store';
import { CURRENT_GRAPH_VERSION } from '../../engine/graph/schema';

const ed = () => useEditor.getState();
const node = (id: string) => ed().nodes.find((n) => n.id === id)!;

function chain() {
  const graph = {
    version: CURRENT_GRAPH_VERSION,
    nodes: [
      { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 4] }, precision: { result_t: 'ap_fixed<7,4>' } },
      { id: 'fc', type: 'Dense', name: 'fc', params: { units: 3 }, precision: { weight_t: 'ap_fixed<5,1>', accum_t: 'auto' } },
    ],
    edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'fc', targetPort: 0 }],
  };
  ed().load(graph, {}, { path: null, name: 't', dirty: false });
}

describe('per-layer precision in the editor document', () => {
  beforeEach(chain);

  it('is loaded with the graph and saved with it', () => {
    expect(node('fc').data.precision).toEqual({ weight_t: 'ap_fixed<5,1>', accum_t: 'auto' });
    const g = toGraph(ed().nodes, ed().edges);
    expect(g.nodes.map((n) => n.precision)).toEqual([{ result_t: 'ap_fixed<7,4>' }, { weight_t: 'ap_fixed<5,1>', accum_t: 'auto' }]);
  });

  it('each committed type is one undo entry (the same value again is none); undo and redo restore it; clearing the last field removes it', () => {
    const before = ed().past.length;
    ed().setPrecision('fc', 'result_t', ' ap_fixed<9,3> ');
    ed().setPrecision('fc', 'result_t', 'ap_fixed<10,3>');
    ed().setPrecision('fc', 'result_t', 'ap_fixed<10,3> ');
    expect(ed().past.length).toBe(before + 2);
    expect(node('fc').data.precision).toEqual({ weight_t: 'ap_fixed<5,1>', accum_t: 'auto', result_t: 'ap_fixed<10,3>' });
    expect(ed().project.dirty).toBe(true);
    ed().undo();
    expect(node('fc').data.precision?.result_t).toBe('ap_fixed<9,3>');
    ed().undo();
    expect(node('fc').data.precision).toEqual({ weight_t: 'ap_fixed<5,1>', accum_t: 'auto' });
    ed().redo();
    ed().redo();
    expect(node('fc').data.precision?.result_t).toBe('ap_fixed<10,3>');
    ed().setPrecision('in', 'result_t', '');
    expect(node('in').data.precision).toBeUndefined();
    expect('precision' in toGraph(ed().nodes, ed().edges).nodes[0]).toBe(false);
    ed().undo();
    expect(node('in').data.precision).toEqual({ result_t: 'ap_fixed<7,4>' });
  });

  it('a bad type is an error of the node, counted with the others, and gone when fixed or undone', () => {
    expect(ed().analysis.errors).toBe(0);
    ed().setPrecision('fc', 'weight_t', 'ap_fixed<16');
    expect(ed().analysis.errors).toBe(1);
    expect(ed().analysis.nodes.fc.status).toBe('error');
    expect(ed().analysis.nodes.fc.diagnostics[0]).toMatchObject({ field: 'precision.weight_t', value: 'ap_fixed<16' });
    expect(ed().analysis.nodes.fc.shape).toEqual([1, 3]); // shapes still shown
    ed().undo();
    expect(ed().analysis.errors).toBe(0);
  });

  it('copy and paste, and duplicate, keep each node\'s precision under the new ids (a separate copy)', () => {
    ed().select(['in', 'fc']);
    const text = serializeSelection()!;
    const clip = parseClipboard(text)!;
    expect(clip.nodes.map((n) => n.data.precision)).toEqual([{ result_t: 'ap_fixed<7,4>' }, { weight_t: 'ap_fixed<5,1>', accum_t: 'auto' }]);
    const ids = ed().paste(clip, { x: 40, y: 40 });
    expect(node(ids.fc).data.precision).toEqual({ weight_t: 'ap_fixed<5,1>', accum_t: 'auto' });
    expect(node(ids.in).data.precision).toEqual({ result_t: 'ap_fixed<7,4>' });
    // Editing the copy leaves the original alone.
    ed().setPrecision(ids.fc, 'weight_t', 'ap_fixed<4,1>');
    expect(node('fc').data.precision?.weight_t).toBe('ap_fixed<5,1>');
    // A clipboard whose precision is malformed is not pasted (the document schema, as for files).
    const bad = JSON.parse(text);
    bad.graph.nodes[1].precision = { wieght_t: 'ap_fixed<5,1>' };
    expect(parseClipboard(JSON.stringify(bad))).toBeNull();
  });

  it('an imported model\'s nodes are pasted with the precisions they carry', () => {
    const { nodes, edges } = fromGraph({
      version: CURRENT_GRAPH_VERSION,
      nodes: [{ id: 'q', type: 'ReLU', name: 'act', params: {}, precision: { result_t: 'ap_ufixed<5,3>' } }],
      edges: [],
    });
    const ids = ed().paste({ nodes, edges, weights: {} }, { x: 0, y: 200 });
    expect(node(ids.q).data.precision).toEqual({ result_t: 'ap_ufixed<5,3>' });
    expect(ids.q).not.toBe('q');
  });
});
