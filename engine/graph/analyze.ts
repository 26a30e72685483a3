// Whole-graph analysis: structure checks, topological order, parameter validation, shape inference
// and weight checks. Returns diagnostics for every user mistake; never throws for them.
// An editor analyzes the whole graph after every edit; the per-node work (the op's parameter schema
// and shape inference) is kept between calls and reused while a node's type, name, parameters
// (same object with the same content) and input shapes are unchanged, so an edit redoes only the
// edited node and what its shape change reaches downstream. The result is the same as without.
import { checkText, DISPLAY_NAME } from '../safety/rules';
import type { z } from 'zod';
import type { Shape } from '../tensor/tensor';
import { formatShape, shapesEqual, sizeOf } from '../tensor/tensor';
import type { OpDef, WeightSlot } from '../ops/types';
import { getOp, opRegistry } from '../ops/registry';
import { DiagnosticSink, formatValue, makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostics';
import { isPrecisionDiagnostic, precisionDiagnostics } from './precision';
import type { Graph, GraphEdge, GraphNode, WeightMap } from './model';
import { isGraphInput } from '../ops/input';

export interface NodeAnalysis {
  node: GraphNode;
  /** Undefined for an unknown op type. */
  op?: OpDef;
  /** Parameters after the op's schema (defaults filled in); null when they failed it. */
  params: unknown | null;
  /** The edges feeding the node, in port order (variadic ops: connected ports sorted). */
  inputEdges: GraphEdge[];
  /** Shapes arriving at the inputs (null where unknown). */
  inputShapes: (Shape | null)[];
  /** Output shape, or null when it could not be inferred (see diagnostics). */
  outputShape: Shape | null;
  /** Weight slots the op needs (empty when the shape is unknown). */
  weightSlots: WeightSlot[];
  /** Diagnostics attached to this node. */
  diagnostics: Diagnostic[];
}

export interface GraphAnalysis {
  /** Node ids in topological order (nodes on or after a cycle are left out). */
  order: string[];
  /** Output shape by node id (null when unknown). */
  shapes: Record<string, Shape | null>;
  /** Per-node details by node id (first node of each id). */
  nodes: Record<string, NodeAnalysis>;
  /** Every diagnostic, graph-level ones included. */
  diagnostics: Diagnostic[];
  hasErrors: boolean;
  /** Ids of Input nodes, in document order. */
  inputs: string[];
  /** Ids of graph outputs: sorted nodes with no outgoing edge. */
  outputs: string[];
}

const NAME_CODES = new Set(['duplicate-node-name', 'node-name-empty', 'display-name']);

/** Shape inference of one node for one list of input shapes. */
interface InferEntry {
  key: string;
  out: Shape | null;
  slots: WeightSlot[];
  diagnostics: Diagnostic[];
}

/** The schema check of one node's parameters object, and its last shape inference. */
interface NodeEntry {
  op: OpDef;
  nodeId: string;
  nodeName: string;
  /** The parameters' content when checked (guards against the object being changed in place). */
  json: string;
  params: unknown | null;
  diagnostics: Diagnostic[];
  infer?: InferEntry;
}

/** By the node's raw parameters object: entries go away with the objects. */
let nodeCache = new WeakMap<object, NodeEntry>();

/** Forgets every kept per-node result (the next analysis starts from scratch). */
export function clearAnalysisCache(): void {
  nodeCache = new WeakMap();
}

function contentKey(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined; // not JSON (a cycle, a bigint): never kept
  }
}

const copyDiags = (ds: readonly Diagnostic[]): Diagnostic[] => ds.map((d) => ({ ...d }));
const copySlots = (ss: readonly WeightSlot[]): WeightSlot[] => ss.map((w) => ({ ...w, shape: [...w.shape] }));

export interface AnalyzeOptions {
  /** Reuse per-node results of earlier analyses where their inputs are unchanged (default true). */
  reuse?: boolean;
}

/** Field path of a zod issue in the form the inspector shows, e.g. 'kernel[1]'. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The rule and fix for one zod issue, in the inspector's words. */
function describeIssue(issue: z.core.$ZodIssue, field: string): { rule: string; fix: string } {
  const i = issue as z.core.$ZodIssue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = String(i.expected);
      const noun = expected === 'int' ? 'an integer' : expected === 'array' ? 'a list' : `a ${expected}`;
      return { rule: `${field} is ${noun}`, fix: `set ${field} to ${noun}` };
    }
    case 'too_small': {
      const op = i.inclusive === false ? '>' : '≥';
      if (i.origin === 'array') return { rule: `${field} has ${op} ${String(i.minimum)} entries`, fix: `give ${field} at least ${String(i.minimum)} entries` };
      return { rule: `${field} ${op} ${String(i.minimum)}`, fix: `set ${field} to ${i.inclusive === false ? 'more than' : 'at least'} ${String(i.minimum)}` };
    }
    case 'too_big': {
      const op = i.inclusive === false ? '<' : '≤';
      if (i.origin === 'array') return { rule: `${field} has ${op} ${String(i.maximum)} entries`, fix: `give ${field} at most ${String(i.maximum)} entries` };
      return { rule: `${field} ${op} ${String(i.maximum)}`, fix: `set ${field} to ${i.inclusive === false ? 'less than' : 'at most'} ${String(i.maximum)}` };
    }
    case 'invalid_value': {
      const values = (i.values as unknown[]).map((v) => formatValue(v)).join(', ');
      return { rule: `${field} is one of ${values}`, fix: `choose one of ${values}` };
    }
    default:
      return { rule: `${field}: ${issue.message}`, fix: `correct ${field}` };
  }
}

function paramDiagnostics(node: GraphNode, schema: z.ZodType, raw: Record<string, unknown>): { params: unknown | null; diagnostics: Diagnostic[] } {
  const parsed = schema.safeParse(raw);
  const diagnostics: Diagnostic[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldPath(issue.path) || 'params';
      const { rule, fix } = describeIssue(issue, field);
      diagnostics.push(makeDiagnostic({ code: 'param-invalid', nodeId: node.id, nodeName: node.name, field, value: valueAt(raw, issue.path), rule, fix }));
    }
    return { params: null, diagnostics };
  }
  const known = parsed.data !== null && typeof parsed.data === 'object' ? (parsed.data as Record<string, unknown>) : {};
  for (const key of Object.keys(raw)) {
    if (!(key in known)) {
      diagnostics.push(makeDiagnostic({
        severity: 'warning', code: 'param-unknown', nodeId: node.id, nodeName: node.name, field: key, value: raw[key],
        rule: `${node.type} has no parameter "${key}"`, fix: `remove ${key} (it is ignored)`,
      }));
    }
  }
  return { params: parsed.data, diagnostics };
}

/** Strongly connected components that form cycles (size > 1, or a self loop), Tarjan's algorithm. */
function findCycles(ids: string[], succ: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    // Iterative DFS: frames of (node, next successor position).
    const frames: [string, number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length) {
      const frame = frames[frames.length - 1];
      const [v, pos] = frame;
      const next = succ.get(v) ?? [];
      if (pos < next.length) {
        frame[1]++;
        const w = next[pos];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          frames.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (succ.get(v) ?? []).includes(v)) cycles.push(comp.reverse());
      }
    }
  }
  return cycles;
}

/**
 * Analyzes a graph. With `weights`, also checks that every node has the weights its op needs in the
 * right shapes (without, weight checks are skipped: the canvas can be edited before weights exist).
 */
export function analyzeGraph(graph: Graph, weights?: WeightMap, options: AnalyzeOptions = {}): GraphAnalysis {
  const reuse = options.reuse !== false;
  const entries = new Map<string, NodeEntry>();
  const diagnostics: Diagnostic[] = [];
  const nodes: Record<string, NodeAnalysis> = {};
  const byId = new Map<string, GraphNode>();
  const names = new Map<string, GraphNode>();
  const graphNodes = Array.isArray(graph?.nodes) ? graph.nodes : [];
  const graphEdges = Array.isArray(graph?.edges) ? graph.edges : [];

  const nodeDiag = (n: GraphNode, d: Omit<Parameters<typeof makeDiagnostic>[0], 'nodeId' | 'nodeName'>) => {
    const diag = makeDiagnostic({ ...d, nodeId: n.id, nodeName: n.name || n.id });
    diagnostics.push(diag);
    nodes[n.id]?.diagnostics.push(diag);
    return diag;
  };

  // 1. Nodes: ids, names, op types, parameters.
  for (const n of graphNodes) {
    if (byId.has(n.id)) {
      diagnostics.push(makeDiagnostic({
        code: 'duplicate-node-id', nodeId: n.id, nodeName: n.name || n.id, field: 'id', value: n.id,
        rule: 'node ids are unique in a graph', fix: `give node "${n.name}" a different id (it is ignored until then)`,
      }));
      continue;
    }
    byId.set(n.id, n);
    const op = getOp(n.type);
    nodes[n.id] = { node: n, op, params: null, inputEdges: [], inputShapes: [], outputShape: null, weightSlots: [], diagnostics: [] };
    if (!n.name) {
      nodeDiag(n, { code: 'node-name-empty', field: 'name', value: n.name, rule: 'every node has a name', fix: 'give the node a name' });
    } else if (checkText(DISPLAY_NAME, 'name', n.name).length) {
      const r = checkText(DISPLAY_NAME, 'name', n.name)[0];
      nodeDiag(n, { code: r.code, field: 'name', value: n.name, rule: r.rule, fix: r.fix });
    } else if (names.has(n.name)) {
      nodeDiag(n, {
        code: 'duplicate-node-name', field: 'name', value: n.name,
        rule: 'node names are unique in a graph (they name HLS layers)', fix: `rename one of the nodes called "${n.name}"`,
      });
    } else {
      names.set(n.name, n);
    }
    // Per-layer precision: each type string as builds resolve it (an error of the node, like a bad parameter).
    for (const d of precisionDiagnostics(n)) {
      diagnostics.push(d);
      nodes[n.id].diagnostics.push(d);
    }
    if (!op) {
      const known = [...opRegistry.keys()].join(', ');
      nodeDiag(n, { code: 'unknown-op-type', field: 'type', value: n.type, rule: `type is a known op (${known})`, fix: 'replace the node with a supported op' });
      continue;
    }
    const raw = n.params && typeof n.params === 'object' && !Array.isArray(n.params) ? n.params : {};
    let p: { params: unknown | null; diagnostics: Diagnostic[] };
    const json = reuse && raw === n.params ? contentKey(raw) : undefined;
    const kept = json !== undefined ? nodeCache.get(raw) : undefined;
    if (kept && kept.op === op && kept.nodeId === n.id && kept.nodeName === n.name && kept.json === json) {
      p = { params: kept.params, diagnostics: copyDiags(kept.diagnostics) };
      entries.set(n.id, kept);
    } else {
      p = paramDiagnostics(n, op.params, raw);
      if (json !== undefined) {
        const entry: NodeEntry = { op, nodeId: n.id, nodeName: n.name, json, params: p.params, diagnostics: copyDiags(p.diagnostics) };
        nodeCache.set(raw, entry);
        entries.set(n.id, entry);
      }
    }
    nodes[n.id].params = p.params;
    for (const d of p.diagnostics) {
      diagnostics.push(d);
      nodes[n.id].diagnostics.push(d);
    }
  }

  // 2. Edges: endpoints and ports.
  const edgeIds = new Set<string>();
  const incoming = new Map<string, Map<number, GraphEdge[]>>();
  const succ = new Map<string, string[]>();
  const hasOutgoing = new Set<string>();
  for (const e of graphEdges) {
    if (edgeIds.has(e.id)) {
      diagnostics.push(makeDiagnostic({ code: 'duplicate-edge-id', field: 'edge id', value: e.id, rule: 'edge ids are unique in a graph', fix: 'delete and redraw one of the edges' }));
    }
    edgeIds.add(e.id);
    const src = byId.get(e.source);
    const dst = byId.get(e.target);
    const desc = `edge ${e.id} (${src?.name ?? e.source} → ${dst?.name ?? e.target})`;
    if (!dst) {
      const d = { code: 'edge-unknown-target', field: 'edge target', value: e.target, rule: `${desc} ends at an existing node`, fix: `delete edge ${e.id}` };
      if (src) nodeDiag(src, d);
      else diagnostics.push(makeDiagnostic(d));
      continue;
    }
    if (!src) {
      nodeDiag(dst, { code: 'edge-unknown-source', field: `input ${e.targetPort}`, value: e.source, rule: `${desc} starts at an existing node`, fix: `delete edge ${e.id} and connect input ${e.targetPort} to an existing node` });
      continue;
    }
    if (e.sourcePort !== 0) {
      nodeDiag(dst, { code: 'edge-bad-source-port', field: `input ${e.targetPort}`, value: e.sourcePort, rule: `${desc} leaves output 0 (${src.type} has one output)`, fix: `reconnect the edge from output 0 of ${src.name}` });
      continue;
    }
    const op = nodes[dst.id].op;
    if (op && (!Number.isInteger(e.targetPort) || e.targetPort < 0 || e.targetPort >= op.inputs.max)) {
      const ports = op.inputs.max === 0 ? 'no inputs' : op.inputs.max === Infinity ? 'inputs 0, 1, …' : `inputs 0…${op.inputs.max - 1}`;
      nodeDiag(dst, { code: 'edge-bad-target-port', field: `input ${e.targetPort}`, value: e.targetPort, rule: `${desc} ends at an existing port (${dst.type} has ${ports})`, fix: `delete edge ${e.id}` });
      continue;
    }
    let ports = incoming.get(dst.id);
    if (!ports) incoming.set(dst.id, (ports = new Map()));
    const list = ports.get(e.targetPort) ?? [];
    list.push(e);
    ports.set(e.targetPort, list);
    const s = succ.get(src.id) ?? [];
    s.push(dst.id);
    succ.set(src.id, s);
    hasOutgoing.add(src.id);
  }

  // 3. Ports: each input has exactly one edge.
  for (const info of Object.values(nodes)) {
    const { node: n, op } = info;
    const ports = incoming.get(n.id) ?? new Map<number, GraphEdge[]>();
    for (const [port, list] of [...ports].sort((a, b) => a[0] - b[0])) {
      if (list.length > 1) {
        const from = list.map((e) => byId.get(e.source)!.name).join(', ');
        nodeDiag(n, { code: 'input-multiple-edges', field: `input ${port}`, value: from, rule: 'an input port takes exactly one edge', fix: `keep one of the edges into input ${port} (from ${from})${op && op.inputs.max > 1 ? ' or use another input port' : ''}` });
      }
      info.inputEdges.push(list[0]);
    }
    if (!op) continue;
    if (op.inputs.min === op.inputs.max) {
      for (let p = 0; p < op.inputs.min; p++) {
        if (!ports.has(p)) nodeDiag(n, { code: 'input-unconnected', field: `input ${p}`, value: 'unconnected', rule: `${n.type} needs an edge into input ${p}`, fix: `connect a node's output to input ${p}` });
      }
    } else if (ports.size < op.inputs.min) {
      nodeDiag(n, { code: 'input-unconnected', field: `input ${ports.size}`, value: `${ports.size} connected`, rule: `${n.type} needs at least ${op.inputs.min} inputs`, fix: `connect ${op.inputs.min - ports.size} more input(s)` });
    }
  }

  // 4. Cycles, then topological order (Kahn, ties in document order).
  const ids = [...byId.keys()];
  for (const cycle of findCycles(ids, succ)) {
    const loop = [...cycle, cycle[0]].map((id) => byId.get(id)!.name).join(' → ');
    for (const id of cycle) {
      nodeDiag(byId.get(id)!, { code: 'cycle', field: 'inputs', value: loop, rule: 'the graph has no cycles', fix: `remove one of the edges of the cycle ${loop}` });
    }
  }
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const [, s] of succ) for (const t of s) indegree.set(t, indegree.get(t)! + 1);
  const position = new Map(ids.map((id, i) => [id, i]));
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => position.get(a)! - position.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const t of succ.get(id) ?? []) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) ready.push(t);
    }
  }

  // 5. Shapes and weights, in order.
  const shapes: Record<string, Shape | null> = {};
  for (const id of ids) shapes[id] = null;
  for (const id of order) {
    const info = nodes[id];
    const { node: n, op } = info;
    info.inputShapes = info.inputEdges.map((e) => shapes[e.source]);
    if (!op || info.params === null) continue;
    // Name and precision problems do not stop inference; parameter, port and edge problems do.
    const ownErrors = info.diagnostics.some((d) => d.severity === 'error' && !NAME_CODES.has(d.code) && !isPrecisionDiagnostic(d));
    if (ownErrors || info.inputShapes.some((s) => s === null)) continue;
    const inputs = info.inputShapes as Shape[];
    const entry = entries.get(id);
    const key = entry ? inputs.map((s) => s.join(',')).join(';') : '';
    let inferred = entry?.infer?.key === key ? entry.infer : undefined;
    if (!inferred) {
      const sink = new DiagnosticSink(n.id, n.name || n.id);
      let out: Shape | null = null;
      let slots: WeightSlot[] = [];
      try {
        out = op.infer(info.params, inputs, sink);
        if (out) slots = op.weights(info.params, inputs);
      } catch (e) {
        sink.error('internal-error', undefined, undefined, `${n.type} shape inference works for these inputs`, `report this bug (${(e as Error).message})`);
        out = null;
      }
      if (sink.hasErrors) out = null;
      inferred = { key, out, slots, diagnostics: sink.items };
      if (entry) entry.infer = { key, out: out && [...out], slots: copySlots(slots), diagnostics: copyDiags(sink.items) };
    } else {
      inferred = { key, out: inferred.out && [...inferred.out], slots: copySlots(inferred.slots), diagnostics: copyDiags(inferred.diagnostics) };
    }
    info.weightSlots = inferred.slots;
    for (const d of inferred.diagnostics) {
      diagnostics.push(d);
      info.diagnostics.push(d);
    }
    const out = inferred.out;
    info.outputShape = out;
    shapes[id] = out;
    if (out && weights) checkWeights(n, info, weights[n.id] ?? {}, nodeDiag);
  }

  // 6. Graph-level rules.
  const inputs = ids.filter((id) => isGraphInput(byId.get(id)!));
  if (inputs.length === 0) {
    diagnostics.push(makeDiagnostic({ code: 'no-input', field: 'nodes', value: `${ids.length} nodes`, rule: 'a graph has at least one Input node', fix: 'add an Input node and connect it to the first layer' }));
  }
  const outputs = order.filter((id) => !hasOutgoing.has(id));
  return { order, shapes, nodes, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error'), inputs, outputs };
}

function checkWeights(
  n: GraphNode,
  info: NodeAnalysis,
  given: Readonly<Record<string, { shape: Shape; data?: ArrayLike<number> }>>,
  nodeDiag: (n: GraphNode, d: Omit<Parameters<typeof makeDiagnostic>[0], 'nodeId' | 'nodeName'>) => Diagnostic,
): void {
  const slots = new Set<string>();
  for (const slot of info.weightSlots) {
    slots.add(slot.name);
    const t = given[slot.name];
    const want = `[${slot.shape.join(', ')}] (${slot.layout})`;
    if (!t) {
      nodeDiag(n, { code: 'weight-missing', field: `weights.${slot.name}`, value: 'missing', rule: `${n.type} needs weight ${slot.name} of shape ${want}`, fix: `load or initialize weight ${slot.name}` });
    } else if (!shapesEqual(t.shape, slot.shape) || t.data?.length !== sizeOf(t.shape)) {
      nodeDiag(n, {
        code: 'weight-shape', field: `weights.${slot.name}`,
        value: t.data?.length !== sizeOf(t.shape) ? `[${t.shape.join(', ')}] holding ${t.data?.length ?? 0} values` : `[${t.shape.join(', ')}]`,
        rule: `weight ${slot.name} has shape ${want} for input ${info.inputShapes.map((s) => formatShape(s!)).join(', ')}`,
        fix: `reshape or re-export ${slot.name} to ${formatShape(slot.shape)}, or change the layer's parameters to match it`,
      });
    }
  }
  for (const name of Object.keys(given)) {
    if (!slots.has(name)) {
      nodeDiag(n, { severity: 'warning', code: 'weight-unused', field: `weights.${name}`, value: `[${given[name].shape.join(', ')}]`, rule: `${n.type} with these parameters has no weight ${name}`, fix: `remove weight ${name} or check the parameters (e.g. bias)` });
    }
  }
}
