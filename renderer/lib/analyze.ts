// Shapes and diagnostics for every node, recomputed after each structural edit: the engine's
// analyzeGraph (engine/graph/analyze.ts) plus what the canvas needs on top (node status, ports to
// draw, tensor layout of each output). Never throws for user mistakes.
import { analyzeGraph } from '../../engine/graph/analyze';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import type { Graph } from '../../engine/graph/model';
import type { Shape } from '../../engine/tensor/tensor';

export type NodeStatus = 'ok' | 'warning' | 'error' | 'blocked';

export interface NodeAnalysis {
  /** Output shape, or null when the node or something upstream has an error. */
  shape: Shape | null;
  inputShapes: (Shape | null)[];
  diagnostics: Diagnostic[];
  status: NodeStatus;
  /** Input ports to draw (variadic ops get one free port while below their maximum). */
  ports: number;
  /** Parameters after the schema (defaults filled), or null if they do not parse. */
  params: Record<string, unknown> | null;
  /** Layout of the output tensor: the node's dataFormat, else its first input's; null if unknown. */
  format: 'NCX' | 'NXC' | null;
}

export interface Analysis {
  nodes: Record<string, NodeAnalysis>;
  /** Topological order of the nodes that are not on a cycle. */
  order: string[];
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

export const EMPTY_ANALYSIS: Analysis = { nodes: {}, order: [], diagnostics: [], errors: 0, warnings: 0 };

export function analyze(graph: Graph): Analysis {
  const a = analyzeGraph(graph);
  const nodes: Record<string, NodeAnalysis> = {};
  const firstSource = new Map<string, string>();
  const maxPort = new Map<string, number>();
  for (const e of graph.edges) {
    if (e.targetPort === 0) firstSource.set(e.target, e.source);
    maxPort.set(e.target, Math.max(maxPort.get(e.target) ?? -1, e.targetPort));
  }
  const formatOf = (id: string, params: Record<string, unknown> | null, raw: Record<string, unknown>): 'NCX' | 'NXC' | null => {
    const own = params?.dataFormat ?? raw?.dataFormat;
    if (own === 'NCX' || own === 'NXC') return own;
    const src = firstSource.get(id);
    return src !== undefined ? (nodes[src]?.format ?? null) : null;
  };
  // Topological order first so formats propagate; nodes on cycles after.
  const seen = new Set(a.order);
  const ids = [...a.order, ...graph.nodes.map((n) => n.id).filter((id) => !seen.has(id))];
  for (const id of ids) {
    const info = a.nodes[id];
    if (!info) continue;
    const params = (info.params ?? null) as Record<string, unknown> | null;
    const errors = info.diagnostics.some((d) => d.severity === 'error');
    const blocked = !errors && info.outputShape === null && (info.inputShapes.some((s) => s === null) || !seen.has(id));
    const status: NodeStatus = errors ? 'error' : blocked ? 'blocked' : info.diagnostics.length ? 'warning' : 'ok';
    const op = info.op;
    const used = (maxPort.get(id) ?? -1) + 1;
    const ports = op
      ? Math.max(op.inputs.min, Math.min(op.inputs.max, op.inputs.max > op.inputs.min ? used + 1 : used))
      : used;
    nodes[id] = {
      shape: info.outputShape,
      inputShapes: info.inputShapes,
      diagnostics: info.diagnostics,
      status,
      ports,
      params,
      format: formatOf(id, params, info.node.params ?? {}),
    };
  }
  // An empty canvas is where every design starts, not a mistake (the canvas shows how to begin); builds
  // and exports still refuse a graph without an Input (engine/graph/analyze).
  const diagnostics = graph.nodes.length ? a.diagnostics : a.diagnostics.filter((d) => d.code !== 'no-input');
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) if (d.severity === 'error') errors++; else warnings++;
  return { nodes, order: a.order, diagnostics, errors, warnings };
}

/**
 * The analysis with diagnostics found elsewhere (the preview's numerical warnings) added to their nodes and
 * the counts; those of nodes the graph no longer has are dropped. `a` itself when there are none.
 */
export function withDiagnostics(a: Analysis, extra: readonly Diagnostic[]): Analysis {
  const kept = extra.filter((d) => d.nodeId !== undefined && a.nodes[d.nodeId]);
  if (!kept.length) return a;
  const nodes = { ...a.nodes };
  for (const d of kept) {
    const n = nodes[d.nodeId!];
    const diagnostics = [...n.diagnostics, d];
    const status: NodeStatus = n.status === 'ok' && d.severity === 'warning' ? 'warning' : d.severity === 'error' ? 'error' : n.status;
    nodes[d.nodeId!] = { ...n, diagnostics, status };
  }
  const errors = kept.filter((d) => d.severity === 'error').length;
  return { ...a, nodes, diagnostics: [...a.diagnostics, ...kept], errors: a.errors + errors, warnings: a.warnings + kept.length - errors };
}
