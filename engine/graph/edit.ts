// Small pure edits of a graph for the canvas: each returns a new Graph and leaves the old one intact.
// None validates shapes: run analyzeGraph on the result to get diagnostics.
import { getOp } from '../ops/registry';
import { TesseraError } from '../diagnostics/diagnostics';
import type { Graph, GraphEdge, GraphNode } from './model';
import { CURRENT_GRAPH_VERSION } from './schema';

export function emptyGraph(): Graph {
  return { version: CURRENT_GRAPH_VERSION, nodes: [], edges: [] };
}

/** The op's default parameters (its schema applied to {}). Throws for an unknown type (a programming error). */
export function defaultParams(type: string): Record<string, unknown> {
  const op = getOp(type);
  if (!op) throw new TesseraError(`unknown op type "${type}"`);
  return op.params.parse({}) as Record<string, unknown>;
}

/** A name not used in the graph: `base` if free, else base_1, base_2, … */
export function uniqueName(graph: Graph, base: string): string {
  const used = new Set(graph.nodes.map((n) => n.name));
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

function uniqueId(used: Iterable<string>, prefix: string): string {
  const set = new Set(used);
  for (let i = set.size + 1; ; i++) if (!set.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

/** Default name base for an op type: 'ConvTranspose2D' → 'convtranspose2d'. */
export function nameBase(type: string): string {
  return type.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export interface AddNodeOptions {
  id?: string;
  name?: string;
  params?: Record<string, unknown>;
  position?: { x: number; y: number };
}

/**
 * Adds a node with the op's default parameters (overridden by `opts.params`) and a unique name
 * (`opts.name` or the type, suffixed _1, _2 … if taken) and id.
 */
export function addNode(graph: Graph, type: string, opts: AddNodeOptions = {}): { graph: Graph; node: GraphNode } {
  const node: GraphNode = {
    id: opts.id && !graph.nodes.some((n) => n.id === opts.id) ? opts.id : uniqueId(graph.nodes.map((n) => n.id), 'n'),
    type,
    name: uniqueName(graph, opts.name ?? nameBase(type)),
    params: { ...defaultParams(type), ...(opts.params ?? {}) },
    ...(opts.position ? { position: { ...opts.position } } : {}),
  };
  return { graph: { ...graph, nodes: [...graph.nodes, node] }, node };
}

/**
 * Connects output `sourcePort` of `source` to input `targetPort` of `target`. Without a targetPort the
 * first free input port is used. An edge already at that input is replaced (an input takes one edge).
 */
export function connect(
  graph: Graph,
  source: string,
  target: string,
  targetPort?: number,
  sourcePort = 0,
): { graph: Graph; edge: GraphEdge } {
  let port = targetPort;
  if (port === undefined) {
    const taken = new Set(graph.edges.filter((e) => e.target === target).map((e) => e.targetPort));
    port = 0;
    while (taken.has(port)) port++;
  }
  const edges = graph.edges.filter((e) => !(e.target === target && e.targetPort === port));
  const edge: GraphEdge = { id: uniqueId(graph.edges.map((e) => e.id), 'e'), source, sourcePort, target, targetPort: port };
  return { graph: { ...graph, edges: [...edges, edge] }, edge };
}

export function removeEdge(graph: Graph, edgeId: string): Graph {
  return { ...graph, edges: graph.edges.filter((e) => e.id !== edgeId) };
}

/**
 * Removes a node and every edge touching it. Inputs of variadic ops (Add, Concatenate) that lose an
 * edge are renumbered so their ports stay 0, 1, 2, …
 */
export function removeNode(graph: Graph, nodeId: string): Graph {
  const nodes = graph.nodes.filter((n) => n.id !== nodeId);
  let edges = graph.edges.filter((e) => e.source !== nodeId && e.target !== nodeId);
  const affected = new Set(graph.edges.filter((e) => e.source === nodeId).map((e) => e.target));
  for (const t of affected) {
    const node = nodes.find((n) => n.id === t);
    const op = node && getOp(node.type);
    if (!op || op.inputs.min === op.inputs.max) continue;
    const ports = [...new Set(edges.filter((e) => e.target === t).map((e) => e.targetPort))].sort((a, b) => a - b);
    edges = edges.map((e) => (e.target === t ? { ...e, targetPort: ports.indexOf(e.targetPort) } : e));
  }
  return { ...graph, nodes, edges };
}

/** Merges `patch` into a node's parameters (a key set to undefined is removed: back to its default). */
export function updateParams(graph: Graph, nodeId: string, patch: Record<string, unknown>): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (n.id !== nodeId) return n;
      const params = { ...n.params, ...patch };
      for (const k of Object.keys(patch)) if (patch[k] === undefined) delete params[k];
      return { ...n, params };
    }),
  };
}

/** Renames a node; the name is made unique if another node has it. */
export function renameNode(graph: Graph, nodeId: string, name: string): Graph {
  const others = { ...graph, nodes: graph.nodes.filter((n) => n.id !== nodeId) };
  const unique = uniqueName(others, name);
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === nodeId ? { ...n, name: unique } : n)) };
}

export function moveNode(graph: Graph, nodeId: string, position: { x: number; y: number }): Graph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === nodeId ? { ...n, position: { ...position } } : n)) };
}
