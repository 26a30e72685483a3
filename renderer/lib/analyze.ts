// Shapes and diagnostics for every node of a graph, recomputed after each structural edit.
// Never throws for user mistakes: unknown ops, bad parameters, missing inputs and cycles are
// diagnostics naming the node, the field, the value, the rule and the fix.
import type { Graph } from '../../engine/graph/model';
import { DiagnosticSink, makeDiagnostic, type Diagnostic } from '../../engine/graph/diagnostics';
import { getOp } from '../../engine/ops/registry';
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

function zodPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || 'params';
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let v: any = obj;
  for (const p of path) v = v == null ? undefined : v[p as any];
  return v;
}

export function analyze(graph: Graph): Analysis {
  const nodes: Record<string, NodeAnalysis> = {};
  const diagnostics: Diagnostic[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, Map<number, string>>();
  const outgoing = new Map<string, string[]>();
  const indeg = new Map<string, number>();
  for (const n of graph.nodes) {
    incoming.set(n.id, new Map());
    outgoing.set(n.id, []);
    indeg.set(n.id, 0);
  }
  for (const e of graph.edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    const inc = incoming.get(e.target)!;
    if (inc.has(e.targetPort)) {
      const t = byId.get(e.target)!;
      diagnostics.push(makeDiagnostic({
        code: 'input-twice', nodeId: t.id, nodeName: t.name, field: `input ${e.targetPort}`, value: e.source,
        rule: 'one edge per input port', fix: 'delete one of the edges into this port',
      }));
      continue;
    }
    inc.set(e.targetPort, e.source);
    outgoing.get(e.source)!.push(e.target);
    indeg.set(e.target, indeg.get(e.target)! + 1);
  }
  // Kahn's algorithm; whatever remains is on (or behind) a cycle.
  const order: string[] = [];
  const queue = graph.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const t of outgoing.get(id)!) {
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  const inOrder = new Set(order);
  for (const n of graph.nodes) {
    if (inOrder.has(n.id)) continue;
    const d = makeDiagnostic({
      code: 'cycle', nodeId: n.id, nodeName: n.name, rule: 'the graph has no cycles',
      fix: 'delete an edge that feeds back into an earlier node',
    });
    nodes[n.id] = { shape: null, inputShapes: [], diagnostics: [d], status: 'error', ports: incoming.get(n.id)!.size + 1, params: null, format: null };
    diagnostics.push(d);
  }

  for (const id of order) {
    const n = byId.get(id)!;
    const op = getOp(n.type);
    const inc = incoming.get(id)!;
    if (!op) {
      const d = makeDiagnostic({
        code: 'unknown-op', nodeId: id, nodeName: n.name, field: 'type', value: n.type,
        rule: 'the op type is registered', fix: 'replace the node with one from the palette',
      });
      nodes[id] = { shape: null, inputShapes: [], diagnostics: [d], status: 'error', ports: inc.size, params: null, format: null };
      continue;
    }
    const sink = new DiagnosticSink(id, n.name);
    const parsed = op.params.safeParse(n.params ?? {});
    let params: Record<string, unknown> | null = null;
    if (parsed.success) params = parsed.data as Record<string, unknown>;
    else {
      for (const issue of parsed.error.issues) {
        sink.error('param-type', zodPath(issue.path), valueAt(n.params, issue.path), issue.message, 'enter a value of the expected type');
      }
    }
    const maxUsed = inc.size ? Math.max(...inc.keys()) + 1 : 0;
    const ports = Math.max(op.inputs.min, Math.min(op.inputs.max, Math.max(maxUsed, inc.size + (op.inputs.max > op.inputs.min ? 1 : 0))));
    const count = Math.max(op.inputs.min, maxUsed);
    const inputShapes: (Shape | null)[] = [];
    let blocked = false;
    for (let p = 0; p < count; p++) {
      const src = inc.get(p);
      if (src === undefined) {
        sink.error('input-missing', `input ${p}`, null, 'every input port is connected', `connect an output to input ${p}`);
        inputShapes.push(null);
        continue;
      }
      const s = nodes[src]?.shape ?? null;
      if (!s) blocked = true;
      inputShapes.push(s);
    }
    let shape: Shape | null = null;
    if (params && !sink.hasErrors && !blocked) {
      try {
        shape = op.infer(params, inputShapes as Shape[], sink);
      } catch (err) {
        sink.error('infer-crash', undefined, undefined, 'shape inference completes', `report this: ${(err as Error).message}`);
      }
    }
    const status: NodeStatus = sink.hasErrors ? 'error' : blocked ? 'blocked' : sink.items.length ? 'warning' : 'ok';
    const own = (params?.dataFormat ?? (n.params as Record<string, unknown> | undefined)?.dataFormat) as string | undefined;
    const src0 = inc.get(0);
    const format = own === 'NCX' || own === 'NXC' ? own : src0 !== undefined ? (nodes[src0]?.format ?? null) : null;
    nodes[id] = { shape: sink.hasErrors ? null : shape, inputShapes, diagnostics: sink.items, status, ports, params, format };
    diagnostics.push(...sink.items);
  }
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) if (d.severity === 'error') errors++; else warnings++;
  return { nodes, order, diagnostics, errors, warnings };
}
