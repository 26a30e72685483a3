// Per-layer precision is part of the graph document: GraphNode.precision holds the type strings chosen
// for a layer (in the inspector, or by importing a quantized model), by field. Missing fields take the
// project's default type (engine/hls/project-precision.ts resolves them for the preview and for builds).
// Checked at two levels, like parameters:
//   - form (precisionFormProblems): known fields only, each a bounded string of the type-string alphabet.
//     The document schema refuses anything else (API requests, project files, clipboard, build specs).
//   - meaning (precisionDiagnostics, run by analyzeGraph): each string is a type its field accepts, as
//     builds resolve it. A bad one is an error of the node (status bar, node badge, builds refuse it),
//     kept in the document so that nothing typed is lost.
import { DiagnosticSink, type Diagnostic } from '../diagnostics/diagnostics';
import { checkPrecisionText, PRECISION_FIELDS, type LayerPrecision, type PrecisionSpec } from '../fixed/precision';
import { getOp } from '../ops/registry';
import { isGraphInput } from '../ops/input';
import type { Graph, GraphNode } from './model';

export type PrecisionField = keyof LayerPrecision;

/** Longest type string a document may hold (ap_ufixed<128,64,AP_RND_CONV,AP_SAT_SYM,128> is 40). */
export const MAX_PRECISION_TEXT = 64;

/** The characters of a type string (ap_fixed<16,6,AP_RND,AP_SAT>, ap_int<8>, auto): an allow-list. */
const TYPE_TEXT = /^[A-Za-z0-9_<>,+\- ]*$/;

/**
 * The precision fields an op uses: result_t always (for an Input it is the input's type); weight_t,
 * bias_t and accum_t where the op multiplies and accumulates; table_t where it looks values up in tables.
 */
export function precisionFieldsOf(type: string): PrecisionField[] {
  const hls = isGraphInput({ type }) ? undefined : getOp(type)?.hls;
  const out: PrecisionField[] = [];
  if (hls?.usesAccumulator) out.push('weight_t', 'bias_t', 'accum_t');
  out.push('result_t');
  if (hls?.usesTable) out.push('table_t');
  return out;
}

/** What is wrong with the form of a node's `precision` (empty when it is absent or well-formed). */
export interface PrecisionProblem {
  field: string;
  value: unknown;
  rule: string;
  fix: string;
}

export function precisionFormProblems(raw: unknown): PrecisionProblem[] {
  if (raw === undefined) return [];
  const fields = PRECISION_FIELDS.join(', ');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return [{ field: 'precision', value: raw, rule: `precision is an object of type strings by field (${fields})`, fix: 'write it like {"weight_t": "ap_fixed<8,3>"} or remove it' }];
  }
  const out: PrecisionProblem[] = [];
  for (const [k, v] of Object.entries(raw)) {
    const field = `precision.${k}`;
    if (!(PRECISION_FIELDS as readonly string[]).includes(k)) out.push({ field, value: v, rule: `the precision fields are ${fields}`, fix: `remove "${k}" or use one of those fields` });
    else if (typeof v !== 'string') out.push({ field, value: v, rule: 'a precision is a type string such as ap_fixed<16,6>, or auto', fix: 'write the type as a string' });
    else if (v.length > MAX_PRECISION_TEXT) out.push({ field, value: `${v.slice(0, 24)}… (${v.length} characters)`, rule: `a type string has at most ${MAX_PRECISION_TEXT} characters`, fix: 'write a type such as ap_fixed<16,6,AP_RND,AP_SAT>' });
    else if (!TYPE_TEXT.test(v)) out.push({ field, value: v, rule: 'a type string holds letters, digits, _ < > , + - and spaces only', fix: 'write a type such as ap_fixed<16,6,AP_RND,AP_SAT>' });
  }
  return out;
}

/** A node's chosen types: known fields with non-empty strings, trimmed ('' means the default). */
export function nodePrecision(node: Pick<GraphNode, 'precision'>): PrecisionSpec {
  const out: PrecisionSpec = {};
  const p = node.precision;
  if (!p || typeof p !== 'object') return out;
  for (const f of PRECISION_FIELDS) {
    const t = p[f];
    if (typeof t === 'string' && t.trim()) out[f] = t.trim();
  }
  return out;
}

/** A diagnostic about a per-layer precision (it stops fixed point and builds, not shapes or the float run). */
export function isPrecisionDiagnostic(d: Pick<Diagnostic, 'field'>): boolean {
  return d.field === 'precision' || d.field?.startsWith('precision.') === true;
}

/**
 * The node's precision problems as builds would meet them: field `precision.<field>`, the value, the rule
 * and the fix, under the node's name. An Input's result_t is the type of its data: a type, never 'auto'.
 */
export function precisionDiagnostics(node: GraphNode): Diagnostic[] {
  const spec = nodePrecision(node);
  const sink = new DiagnosticSink(node.id, node.name || node.id);
  for (const f of PRECISION_FIELDS) {
    const t = spec[f];
    if (t !== undefined) checkPrecisionText(f, t, sink, { dataType: isGraphInput(node) && f === 'result_t' });
  }
  return sink.items;
}

/**
 * The graph with the precisions a quantized model carries (QONNX Quant nodes, QKeras quantizers; by node
 * id) on its nodes. 'auto' is kept where it means something (accum_t, result_t); other 'auto's and unknown
 * fields are left to the defaults.
 */
export function withImportedPrecisions(graph: Graph, precisions: Record<string, PrecisionSpec> | undefined): Graph {
  if (!precisions || !Object.keys(precisions).length) return graph;
  const nodes = graph.nodes.map((n) => {
    const spec = precisions[n.id];
    if (!spec) return n;
    const kept: PrecisionSpec = {};
    for (const f of PRECISION_FIELDS) {
      const t = spec[f]?.trim();
      if (t && (t.toLowerCase() !== 'auto' || f === 'accum_t' || f === 'result_t')) kept[f] = t;
    }
    return Object.keys(kept).length ? { ...n, precision: { ...nodePrecision(n), ...kept } } : n;
  });
  return { ...graph, nodes };
}
