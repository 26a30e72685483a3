// The graph as `tessera info` prints it, one node a line: name, type, inferred output shape, key parameters,
// precisions where the model or project sets them, and the node's diagnostics. Models and projects alike.
import { analyzeGraph } from '../../../engine/graph/analyze';
import type { Graph, GraphNode, WeightMap } from '../../../engine/graph/model';
import { formatShape } from '../../../engine/tensor/tensor';
import { isGraphInput } from '../../../engine/ops/input';

const DEFAULT_HIDDEN: Record<string, unknown> = { dataFormat: 'NCX', autoPad: 'explicit' };

function formatParam(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatParam).join(',')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** Key parameters of a node, compact: 'filters=64 kernel=[4,4] stride=[2,2] …'. */
export function summarizeParams(node: GraphNode, params: unknown): string {
  const p = (params ?? node.params) as Record<string, unknown>;
  if (isGraphInput(node)) return '';
  return Object.entries(p)
    .filter(([k, v]) => !(k in DEFAULT_HIDDEN && DEFAULT_HIDDEN[k] === v))
    .map(([k, v]) => `${k}=${formatParam(v)}`)
    .join(' ');
}

/**
 * The table's lines (header first), nodes in topological order. `weights` turns on the weight checks;
 * `precisions` (by node id) are printed after the parameters.
 */
export function graphTableLines(graph: Graph, weights?: WeightMap, precisions: Record<string, Record<string, string>> = {}): string[] {
  const a = analyzeGraph(graph, weights);
  const rows = a.order.map((id) => {
    const info = a.nodes[id];
    const shape = info.outputShape ? formatShape(info.outputShape) : '?';
    const notes = info.diagnostics.map((d) => `${d.severity === 'error' ? 'error' : 'warning'}: ${d.message}`);
    const prec = precisions[id];
    const precText = prec && Object.keys(prec).length ? ` ${Object.entries(prec).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
    return [info.node.name, info.node.type, shape, `${summarizeParams(info.node, info.params)}${precText}`.trim(), notes.join(' | ')];
  });
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ['name', 'type', 'output'][c].length));
  const lines = [`  ${'name'.padEnd(w[0])}  ${'type'.padEnd(w[1])}  ${'output'.padEnd(w[2])}  params`];
  for (const r of rows) lines.push(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}${r[4] ? `  [${r[4]}]` : ''}`.trimEnd());
  // Nodes left out of the order (on a cycle) and graph-level problems.
  const ordered = new Set(a.order);
  for (const n of graph.nodes) if (!ordered.has(n.id)) lines.push(`  ${n.name}  ${n.type}  (not reached: ${a.nodes[n.id]?.diagnostics.map((d) => d.message).join(' | ') || 'on a cycle'})`);
  for (const d of a.diagnostics.filter((x) => !x.nodeId)) lines.push(`${d.severity}: ${d.message}`);
  return lines;
}
