// What each canvas node and edge draws, derived from the analysis as small flat objects. An object
// is reused (same identity) when its content did not change, so a node or edge component that
// selects its own view re-renders only when what it shows changes, with one store hook each. The
// shape texts are separate strings: a new input shape re-renders the small text components only.
import { getOp } from '../../engine/ops/registry';
import type { Analysis } from './analyze';
import { axisLetters, shapeText } from './format';

export interface NodeView {
  status: 'ok' | 'warning' | 'error' | 'blocked';
  /** Input ports to draw. */
  ports: number;
  errors: number;
  warnings: number;
  /** First diagnostic's message (the node's tooltip), '' when none. */
  firstMessage: string;
}

export interface EdgeView {
  /** Shape of the tensor the edge carries ('?' when unknown). */
  text: string;
  /** Axis letters of that tensor (e.g. 'N×H×W×C'), null when unknown. */
  letters: string | null;
  /** The edge ends at a node with errors. */
  targetError: boolean;
}

export interface CanvasViews {
  nodes: Record<string, NodeView>;
  /** The shape line of each node: its output shape ('1×8×8×4', '?' when unknown, '—' on errors). */
  shapes: Record<string, string>;
  edges: Record<string, EdgeView>;
}

export const EMPTY_VIEWS: CanvasViews = { nodes: {}, shapes: {}, edges: {} };

function sameNode(a: NodeView, b: NodeView): boolean {
  return a.status === b.status && a.ports === b.ports && a.errors === b.errors && a.warnings === b.warnings && a.firstMessage === b.firstMessage;
}

function sameEdge(a: EdgeView, b: EdgeView): boolean {
  return a.text === b.text && a.letters === b.letters && a.targetError === b.targetError;
}

/**
 * Views of every node (by id, with its op type for the port fallback) and edge, reusing the
 * objects of `prev` that are unchanged. Returns `prev` itself when nothing changed.
 */
export function canvasViews(
  analysis: Analysis,
  nodes: readonly { id: string; data: { type: string } }[],
  edges: readonly { id: string; source: string; target: string }[],
  prev: CanvasViews = EMPTY_VIEWS,
): CanvasViews {
  let changed = false;
  const nodeViews: Record<string, NodeView> = {};
  const shapes: Record<string, string> = {};
  let nodeCount = 0;
  for (const n of nodes) {
    if (n.id in nodeViews) continue;
    nodeCount++;
    const info = analysis.nodes[n.id];
    let errors = 0;
    let warnings = 0;
    for (const d of info?.diagnostics ?? []) if (d.severity === 'error') errors++; else if (d.severity === 'warning') warnings++;
    const status = info?.status ?? 'ok';
    shapes[n.id] = status === 'error' ? '—' : shapeText(info?.shape ?? null);
    if (shapes[n.id] !== prev.shapes[n.id]) changed = true;
    const v: NodeView = {
      status,
      ports: info?.ports ?? getOp(n.data.type)?.inputs.min ?? 0,
      errors,
      warnings,
      firstMessage: info?.diagnostics[0]?.message ?? '',
    };
    const old = prev.nodes[n.id];
    if (old && sameNode(old, v)) nodeViews[n.id] = old;
    else {
      nodeViews[n.id] = v;
      changed = true;
    }
  }
  const edgeViews: Record<string, EdgeView> = {};
  let edgeCount = 0;
  for (const e of edges) {
    if (e.id in edgeViews) continue;
    edgeCount++;
    const src = analysis.nodes[e.source];
    const v: EdgeView = {
      text: shapeText(src?.shape ?? null),
      letters: src?.shape ? axisLetters(src.shape.length, src.format ?? null) : null,
      targetError: analysis.nodes[e.target]?.status === 'error',
    };
    const old = prev.edges[e.id];
    if (old && sameEdge(old, v)) edgeViews[e.id] = old;
    else {
      edgeViews[e.id] = v;
      changed = true;
    }
  }
  if (!changed && nodeCount === Object.keys(prev.nodes).length && edgeCount === Object.keys(prev.edges).length) return prev;
  return { nodes: nodeViews, shapes, edges: edgeViews };
}
