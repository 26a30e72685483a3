// The document the canvas edits, in React Flow's terms, and its conversion to the engine's Graph.
// React Flow nodes carry the op type, the display name and the parameters in `data`; positions and
// selection are React Flow's own fields. Conversion to the engine model is O(nodes + edges).
import type { Edge, Node } from '@xyflow/react';
import type { Graph, GraphEdge, GraphNode, WeightMap } from '../../engine/graph/model';
import type { PrecisionSpec } from '../../engine/fixed/precision';
import { CURRENT_GRAPH_VERSION } from '../../engine/graph/schema';
import { getOp } from '../../engine/ops/registry';

export interface OpNodeData extends Record<string, unknown> {
  type: string;
  name: string;
  params: Record<string, unknown>;
  /** The layer's own fixed-point types by field (absent: the project default); part of the document. */
  precision?: PrecisionSpec;
}

export type FlowNode = Node<OpNodeData, 'op'>;
export type FlowEdge = Edge<Record<string, unknown>, 'shape'>;

export const outHandle = (port: number): string => `o${port}`;
export const inHandle = (port: number): string => `i${port}`;
export function portOf(handle: string | null | undefined): number {
  if (!handle) return 0;
  const n = Number(handle.slice(1));
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

let idCounter = 0;
export function newId(prefix = 'n'): string {
  idCounter = (idCounter + 1) % 1_000_000;
  return `${prefix}${Date.now().toString(36)}${idCounter.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/**
 * Default parameters of an op, from its zod schema (schema.parse({}) gives the defaults). In a
 * channels-last project (NHWC), ops with a dataFormat start as 'NXC' and an Input's default shape
 * is written channels last too.
 */
export function defaultParams(type: string, layout: 'NCHW' | 'NHWC' = 'NCHW'): Record<string, unknown> {
  const op = getOp(type);
  if (!op) return {};
  const r = op.params.safeParse({});
  if (!r.success) return {};
  const p = { ...(r.data as Record<string, unknown>) };
  if (layout === 'NHWC' && p.dataFormat === 'NCX') {
    p.dataFormat = 'NXC';
    if (Array.isArray(p.shape) && p.shape.length >= 3) {
      const s = p.shape as number[];
      p.shape = [s[0], ...s.slice(2), s[1]];
    }
  }
  return p;
}

/** A display name not used by any node: `<type>_<n>` with the smallest free n ≥ 1. */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  const stem = base.replace(/_\d+$/, '');
  for (let i = 1; ; i++) {
    const name = `${stem}_${i}`;
    if (!taken.has(name)) return name;
  }
}

export function makeNode(type: string, position: { x: number; y: number }, taken: ReadonlySet<string>, layout: 'NCHW' | 'NHWC' = 'NCHW'): FlowNode {
  return {
    id: newId(),
    type: 'op',
    position,
    data: { type, name: uniqueName(type, taken), params: defaultParams(type, layout) },
  };
}

export function makeEdge(source: string, sourcePort: number, target: string, targetPort: number, id = newId('e')): FlowEdge {
  return { id, type: 'shape', source, target, sourceHandle: outHandle(sourcePort), targetHandle: inHandle(targetPort) };
}

export function toGraph(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Graph {
  const gNodes: GraphNode[] = nodes.map((n) => ({
    id: n.id,
    type: n.data.type,
    name: n.data.name,
    params: n.data.params,
    position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    ...(n.data.precision && Object.keys(n.data.precision).length ? { precision: n.data.precision } : {}),
  }));
  const gEdges: GraphEdge[] = edges.map((e) => ({
    id: e.id,
    source: e.source,
    sourcePort: portOf(e.sourceHandle),
    target: e.target,
    targetPort: portOf(e.targetHandle),
  }));
  return { version: CURRENT_GRAPH_VERSION, nodes: gNodes, edges: gEdges };
}

export function fromGraph(graph: Graph): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes: FlowNode[] = graph.nodes.map((n, i) => ({
    id: n.id,
    type: 'op',
    position: n.position ?? { x: 80 + (i % 6) * 220, y: 80 + Math.floor(i / 6) * 160 },
    data: { type: n.type, name: n.name, params: n.params, ...(n.precision && Object.keys(n.precision).length ? { precision: n.precision } : {}) },
  }));
  const edges = graph.edges.map((e) => makeEdge(e.source, e.sourcePort, e.target, e.targetPort, e.id));
  return { nodes, edges };
}

/** Weights of the given nodes only. */
export function pickWeights(weights: WeightMap, ids: Iterable<string>): WeightMap {
  const out: WeightMap = {};
  for (const id of ids) if (weights[id]) out[id] = weights[id];
  return out;
}
