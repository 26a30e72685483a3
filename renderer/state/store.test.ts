import { beforeEach, describe, expect, it } from 'vitest';
import { randomTensor } from '../../engine/tensor/tensor';
import { inHandle, outHandle } from '../lib/doc';
import { completeWeights, parseClipboard, serializeSelection } from './actions';
import { useEditor } from './store';

const ed = () => useEditor.getState();

function twoConnected() {
  const a = ed().addNode('Input', { x: 0, y: 0 }, 'NCHW');
  const b = ed().addNode('ConvTranspose2D', { x: 300, y: 0 }, 'NCHW');
  ed().connect({ source: a, target: b, sourceHandle: outHandle(0), targetHandle: inHandle(0) });
  return { a, b };
}

describe('editor store', () => {
  beforeEach(() => ed().load({ version: 1, nodes: [], edges: [] }, {}, { path: null, name: 't', dirty: false }));

  it('infers shapes and records one undo entry per action', () => {
    const { b } = twoConnected();
    expect(ed().past).toHaveLength(3);
    // Input default [1, 3, 16, 16] NCX → ConvTranspose2D 8 filters k3 s1: 1×8×18×18.
    expect(ed().analysis.nodes[b].shape).toEqual([1, 8, 18, 18]);
    ed().setParams(b, { ...ed().nodes.find((n) => n.id === b)!.data.params, stride: [2, 3] }, `${b}:stride`);
    expect(ed().analysis.nodes[b].shape).toEqual([1, 8, 33, 48]);
    ed().undo();
    expect(ed().analysis.nodes[b].shape).toEqual([1, 8, 18, 18]);
    ed().redo();
    expect(ed().analysis.nodes[b].shape).toEqual([1, 8, 33, 48]);
  });

  it('typing in one field within a moment is one entry; an invalid value is a diagnostic on the node', () => {
    const { b } = twoConnected();
    const before = ed().past.length;
    const p = ed().nodes.find((n) => n.id === b)!.data.params;
    ed().setParams(b, { ...p, stride: [0, 2] }, `${b}:stride`);
    expect(ed().analysis.nodes[b].status).toBe('error');
    expect(ed().analysis.nodes[b].diagnostics.some((d) => d.field?.startsWith('stride'))).toBe(true);
    ed().setParams(b, { ...p, stride: [2, 2] }, `${b}:stride`);
    expect(ed().past.length).toBe(before + 1);
    expect(ed().analysis.nodes[b].status).toBe('ok');
  });

  it('deleting a node and its edges is one entry, undone at once', () => {
    const { b } = twoConnected();
    ed().select([b]);
    ed().deleteSelected();
    expect(ed().nodes).toHaveLength(1);
    expect(ed().edges).toHaveLength(0);
    ed().undo();
    expect(ed().nodes).toHaveLength(2);
    expect(ed().edges).toHaveLength(1);
  });

  it('a drag is one entry, committed on drag stop', () => {
    const { a } = twoConnected();
    const n0 = ed().past.length;
    ed().beginDrag();
    for (let i = 1; i <= 5; i++) ed().onNodesChange([{ type: 'position', id: a, position: { x: i * 10, y: i * 7 }, dragging: true }]);
    ed().endDrag();
    expect(ed().past.length).toBe(n0 + 1);
    ed().undo();
    expect(ed().nodes.find((n) => n.id === a)!.position).toEqual({ x: 0, y: 0 });
  });

  it('a new connection into a used port replaces the old edge', () => {
    const { b } = twoConnected();
    const c = ed().addNode('Input', { x: 0, y: 200 }, 'NCHW');
    ed().connect({ source: c, target: b, sourceHandle: outHandle(0), targetHandle: inHandle(0) });
    expect(ed().edges).toHaveLength(1);
    expect(ed().edges[0].source).toBe(c);
  });

  it('copy → paste keeps params, inner edges and weights, with fresh ids and names', () => {
    const { a, b } = twoConnected();
    const w = { weight: randomTensor([3, 8, 3, 3], 11), bias: randomTensor([8], 12) };
    ed().setNodeWeights(b, w);
    ed().select([a, b]);
    const text = serializeSelection()!;
    const doc = parseClipboard(text)!;
    expect(doc.nodes).toHaveLength(2);
    ed().load({ version: 1, nodes: [], edges: [] }, {}, { path: null, name: 'other', dirty: false });
    ed().paste(doc, { x: 10, y: 10 });
    ed().paste(doc, { x: 50, y: 50 });
    expect(ed().nodes.map((n) => n.data.name).sort()).toEqual(['ConvTranspose2D_1', 'ConvTranspose2D_2', 'Input_1', 'Input_2']);
    expect(ed().edges).toHaveLength(2);
    const conv = ed().nodes.find((n) => n.data.name === 'ConvTranspose2D_2')!;
    expect(conv.id).not.toBe(b);
    expect(Array.from(ed().weights[conv.id].weight.data)).toEqual(Array.from(w.weight.data));
    expect(ed().analysis.nodes[conv.id].shape).toEqual([1, 8, 18, 18]);
  });

  it('completeWeights keeps fitting weights and fills the rest deterministically', () => {
    const { a, b } = twoConnected();
    const graph = { version: 1, nodes: ed().nodes.map((n) => ({ id: n.id, type: n.data.type, name: n.data.name, params: n.data.params })), edges: ed().edges.map((e) => ({ id: e.id, source: e.source, sourcePort: 0, target: e.target, targetPort: 0 })) };
    const w1 = completeWeights(graph, {}, 5);
    const w2 = completeWeights(graph, {}, 5);
    expect(w1[a]).toBeUndefined();
    expect(w1[b].weight.shape).toEqual([3, 8, 3, 3]);
    expect(Array.from(w1[b].weight.data)).toEqual(Array.from(w2[b].weight.data));
    const mine = { weight: randomTensor([3, 8, 3, 3], 1), bias: randomTensor([8], 2) };
    expect(completeWeights(graph, { [b]: mine }, 5)[b]).toBe(mine);
  });
});
