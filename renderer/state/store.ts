// The editor's state: the document (React Flow nodes and edges + weights), derived analysis, the
// selection as its own field, and undo/redo history with one entry per user action.
import { create } from 'zustand';
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import type { WeightMap } from '../../engine/graph/model';
import type { Tensor } from '../../engine/tensor/tensor';
import { analyze, EMPTY_ANALYSIS, withDiagnostics, type Analysis } from '../lib/analyze';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import { canvasViews, EMPTY_VIEWS, type CanvasViews } from '../lib/views';
import { fromGraph, inHandle, makeEdge, makeNode, newId, portOf, toGraph, uniqueName, type FlowEdge, type FlowNode } from '../lib/doc';
import type { Graph } from '../../engine/graph/model';
import type { PrecisionField } from '../../engine/graph/precision';
import type { PrecisionSpec } from '../../engine/fixed/precision';
import { getOp } from '../../engine/ops/registry';

export interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
  weights: WeightMap;
}

export interface ProjectInfo {
  /** Path or id the API knows the project by; null for a new, never saved project. */
  path: string | null;
  name: string;
  dirty: boolean;
}

export interface ClipboardDoc {
  nodes: FlowNode[];
  edges: FlowEdge[];
  weights: WeightMap;
}

const HISTORY_LIMIT = 200;

export interface EditorState extends Snapshot {
  /** Bumped on every change of types, params, names or edges (not positions or selection). */
  structure: number;
  /** The graph's analysis with the preview's numerical warnings added (they count like the others). */
  analysis: Analysis;
  /** Numerical warnings of the last preview (engine/hls/numerics), kept for the nodes that still exist until the next. */
  numeric: Diagnostic[];
  /** What each canvas node and edge draws (objects kept while unchanged; see lib/views). */
  views: CanvasViews;
  selected: string[];
  past: Snapshot[];
  future: Snapshot[];
  /** Key of the last coalescable edit (typing in one field) and when it happened. */
  lastEdit: { key: string; at: number } | null;
  dragStart: Snapshot | null;
  project: ProjectInfo;
  seed: number;

  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  beginDrag(): void;
  endDrag(): void;
  connect(c: Connection): void;
  /** Adds a node (selected); with `connectFrom`, also the edge from that node's output to its input 0 (one undo entry). */
  addNode(type: string, position: { x: number; y: number }, layout?: 'NCHW' | 'NHWC', connectFrom?: string | null): string;
  deleteSelected(): void;
  deleteNodes(ids: string[]): void;
  setParams(id: string, params: Record<string, unknown>, coalesceKey?: string): void;
  /** One layer's type for one precision field ('' goes back to the project default); an undoable edit of the document. */
  setPrecision(id: string, field: PrecisionField, text: string): void;
  rename(id: string, name: string): void;
  setNodeWeights(id: string, tensors: Record<string, Tensor>): void;
  setAllWeights(weights: WeightMap): void;
  /** Adds the nodes with fresh ids; returns new id by pasted id. */
  paste(doc: ClipboardDoc, offset: { x: number; y: number }): Record<string, string>;
  nudge(dx: number, dy: number): void;
  setPositions(pos: Record<string, { x: number; y: number }>): void;
  select(ids: string[]): void;
  undo(): void;
  redo(): void;
  load(graph: Graph, weights: WeightMap, project: ProjectInfo): void;
  markSaved(project: Partial<ProjectInfo>): void;
  setSeed(seed: number): void;
  /** The preview's numerical warnings: on the nodes, in the counts. */
  setNumeric(numeric: Diagnostic[]): void;
}

function snap(s: Snapshot): Snapshot {
  return { nodes: s.nodes, edges: s.edges, weights: s.weights };
}

export const useEditor = create<EditorState>()((set, get) => {
  /** The analysis of the graph alone (without numerical warnings), from the last structural change. */
  let graphAnalysis: Analysis = EMPTY_ANALYSIS;
  function withAnalysis(nodes: FlowNode[], edges: FlowEdge[], prev: CanvasViews, numeric = get().numeric): { analysis: Analysis; views: CanvasViews } {
    graphAnalysis = analyze(toGraph(nodes, edges));
    return withNumeric(nodes, edges, prev, numeric);
  }
  function withNumeric(nodes: FlowNode[], edges: FlowEdge[], prev: CanvasViews, numeric: Diagnostic[]): { analysis: Analysis; views: CanvasViews } {
    const analysis = withDiagnostics(graphAnalysis, numeric);
    return { analysis, views: canvasViews(analysis, nodes, edges, prev) };
  }

  /** Applies one user action: records the previous document for undo and refreshes the analysis. */
  function commit(next: Partial<Snapshot>, opts: { structural?: boolean; coalesceKey?: string } = {}): void {
    const s = get();
    const now = Date.now();
    const coalesce = opts.coalesceKey && s.lastEdit?.key === opts.coalesceKey && now - s.lastEdit.at < 1500;
    const past = coalesce ? s.past : [...s.past, snap(s)].slice(-HISTORY_LIMIT);
    const nodes = next.nodes ?? s.nodes;
    const edges = next.edges ?? s.edges;
    const structural = opts.structural ?? true;
    set({
      ...next,
      past,
      future: [],
      lastEdit: opts.coalesceKey ? { key: opts.coalesceKey, at: now } : null,
      project: { ...s.project, dirty: true },
      ...(structural ? { structure: s.structure + 1, ...withAnalysis(nodes, edges, s.views) } : {}),
    });
  }

  function restore(target: Snapshot): void {
    const s = get();
    const selected = target.nodes.filter((n) => n.selected).map((n) => n.id);
    set({
      nodes: target.nodes,
      edges: target.edges,
      weights: target.weights,
      selected,
      structure: s.structure + 1,
      ...withAnalysis(target.nodes, target.edges, s.views),
      lastEdit: null,
      project: { ...s.project, dirty: true },
    });
  }

  return {
    nodes: [],
    edges: [],
    weights: {},
    structure: 0,
    analysis: EMPTY_ANALYSIS,
    numeric: [],
    views: EMPTY_VIEWS,
    selected: [],
    past: [],
    future: [],
    lastEdit: null,
    dragStart: null,
    project: { path: null, name: 'untitled', dirty: false },
    seed: 1,

    onNodesChange(changes) {
      // Removals go through deleteSelected (one history entry with the edges); ignore React Flow's own.
      const kept = changes.filter((c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace');
      if (!kept.length) return;
      const nodes = applyNodeChanges(kept, get().nodes);
      const patch: Partial<EditorState> = { nodes };
      if (kept.some((c) => c.type === 'select')) patch.selected = nodes.filter((n) => n.selected).map((n) => n.id);
      set(patch);
    },
    onEdgesChange(changes) {
      const kept = changes.filter((c) => c.type === 'select');
      if (!kept.length) return;
      set({ edges: applyEdgeChanges(kept, get().edges) });
    },
    beginDrag() {
      set({ dragStart: snap(get()) });
    },
    endDrag() {
      const s = get();
      const start = s.dragStart;
      if (!start) return;
      const before = new Map(start.nodes.map((n) => [n.id, n.position]));
      const moved = s.nodes.some((n) => {
        const p = before.get(n.id);
        return p && (p.x !== n.position.x || p.y !== n.position.y);
      });
      set({ dragStart: null });
      if (moved) set({ past: [...s.past, start].slice(-HISTORY_LIMIT), future: [], lastEdit: null, project: { ...s.project, dirty: true } });
    },
    connect(c) {
      if (!c.source || !c.target || c.source === c.target) return;
      const s = get();
      const targetPort = portOf(c.targetHandle);
      // One edge per input port: a new connection replaces the old one (same action).
      const edges = s.edges.filter((e) => !(e.target === c.target && e.targetHandle === inHandle(targetPort)));
      edges.push(makeEdge(c.source, portOf(c.sourceHandle), c.target, targetPort));
      commit({ edges });
    },
    addNode(type, position, layout, connectFrom) {
      const s = get();
      const node = makeNode(type, position, new Set(s.nodes.map((n) => n.data.name)), layout);
      node.selected = true;
      const nodes = [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
      const from = connectFrom && s.nodes.some((n) => n.id === connectFrom) && (getOp(type)?.inputs.max ?? 0) > 0 ? connectFrom : null;
      commit(from ? { nodes, edges: [...s.edges, makeEdge(from, 0, node.id, 0)] } : { nodes });
      set({ selected: [node.id] });
      return node.id;
    },
    deleteSelected() {
      const s = get();
      const ids = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const selEdges = new Set(s.edges.filter((e) => e.selected).map((e) => e.id));
      if (!ids.size && !selEdges.size) return;
      const nodes = s.nodes.filter((n) => !ids.has(n.id));
      const edges = s.edges.filter((e) => !selEdges.has(e.id) && !ids.has(e.source) && !ids.has(e.target));
      const weights = { ...s.weights };
      for (const id of ids) delete weights[id];
      commit({ nodes, edges, weights });
      set({ selected: [] });
    },
    deleteNodes(idList) {
      const s = get();
      const ids = new Set(idList);
      const nodes = s.nodes.filter((n) => !ids.has(n.id));
      const edges = s.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target));
      const weights = { ...s.weights };
      for (const id of ids) delete weights[id];
      commit({ nodes, edges, weights });
      set({ selected: s.selected.filter((x) => !ids.has(x)) });
    },
    setParams(id, params, coalesceKey) {
      const s = get();
      const nodes = s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, params } } : n));
      commit({ nodes }, { coalesceKey });
    },
    setPrecision(id, field, text) {
      const s = get();
      const node = s.nodes.find((n) => n.id === id);
      if (!node) return;
      const t = text.trim();
      if ((node.data.precision?.[field] ?? '') === t) return;
      const precision: PrecisionSpec = { ...node.data.precision };
      if (t) precision[field] = t;
      else delete precision[field];
      const { precision: _old, ...rest } = node.data;
      const data = Object.keys(precision).length ? { ...rest, precision } : rest;
      // The inspector commits a type on Enter or leaving the field: each commit is its own undo entry.
      commit({ nodes: s.nodes.map((n) => (n.id === id ? { ...n, data } : n)) });
    },
    rename(id, name) {
      const s = get();
      const trimmed = name.trim();
      if (!trimmed) return;
      const taken = new Set(s.nodes.filter((n) => n.id !== id).map((n) => n.data.name));
      const finalName = taken.has(trimmed) ? uniqueName(trimmed, taken) : trimmed;
      const nodes = s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, name: finalName } } : n));
      commit({ nodes }, { coalesceKey: `name:${id}` });
    },
    setNodeWeights(id, tensors) {
      const s = get();
      commit({ weights: { ...s.weights, [id]: tensors } }, { structural: false });
      set({ structure: get().structure + 1 });
    },
    setAllWeights(weights) {
      commit({ weights }, { structural: false });
      set({ structure: get().structure + 1 });
    },
    paste(doc, offset) {
      const s = get();
      const taken = new Set(s.nodes.map((n) => n.data.name));
      const idMap = new Map<string, string>();
      const added: FlowNode[] = [];
      for (const n of doc.nodes) {
        const id = newId();
        idMap.set(n.id, id);
        const name = taken.has(n.data.name) ? uniqueName(n.data.name, taken) : n.data.name;
        taken.add(name);
        added.push({
          id,
          type: 'op',
          position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
          data: { type: n.data.type, name, params: structuredClone(n.data.params), ...(n.data.precision ? { precision: { ...n.data.precision } } : {}) },
          selected: true,
        });
      }
      const addedEdges = doc.edges
        .filter((e) => idMap.has(e.source) && idMap.has(e.target))
        .map((e) => makeEdge(idMap.get(e.source)!, portOf(e.sourceHandle), idMap.get(e.target)!, portOf(e.targetHandle)));
      const weights = { ...s.weights };
      for (const [oldId, id] of idMap) if (doc.weights[oldId]) weights[id] = doc.weights[oldId];
      const nodes = [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added];
      const edges = [...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...addedEdges];
      commit({ nodes, edges, weights });
      set({ selected: added.map((n) => n.id) });
      return Object.fromEntries(idMap);
    },
    nudge(dx, dy) {
      const s = get();
      if (!s.selected.length) return;
      const sel = new Set(s.selected);
      const nodes = s.nodes.map((n) => (sel.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n));
      commit({ nodes }, { structural: false, coalesceKey: `nudge:${s.selected.join(',')}` });
    },
    setPositions(pos) {
      const s = get();
      const nodes = s.nodes.map((n) => (pos[n.id] ? { ...n, position: pos[n.id] } : n));
      commit({ nodes }, { structural: false });
    },
    select(ids) {
      const want = new Set(ids);
      const s = get();
      set({
        nodes: s.nodes.map((n) => (!!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) })),
        edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        selected: ids,
      });
    },
    undo() {
      const s = get();
      const prev = s.past[s.past.length - 1];
      if (!prev) return;
      set({ past: s.past.slice(0, -1), future: [snap(s), ...s.future] });
      restore(prev);
    },
    redo() {
      const s = get();
      const next = s.future[0];
      if (!next) return;
      set({ past: [...s.past, snap(s)], future: s.future.slice(1) });
      restore(next);
    },
    load(graph, weights, project) {
      const { nodes, edges } = fromGraph(graph);
      set({
        nodes,
        edges,
        weights,
        selected: [],
        past: [],
        future: [],
        lastEdit: null,
        dragStart: null,
        project,
        structure: get().structure + 1,
        numeric: [],
        ...withAnalysis(nodes, edges, get().views, []),
      });
    },
    markSaved(project) {
      set({ project: { ...get().project, ...project, dirty: false } });
    },
    setSeed(seed) {
      set({ seed, structure: get().structure + 1 });
    },
    setNumeric(numeric) {
      const s = get();
      if (!numeric.length && !s.numeric.length) return;
      set({ numeric, ...withNumeric(s.nodes, s.edges, s.views, numeric) });
    },
  };
});

export function currentGraph(): Graph {
  const s = useEditor.getState();
  return toGraph(s.nodes, s.edges);
}
