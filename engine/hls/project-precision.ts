// The project's precision choices, resolved one way for the preview and for builds. A project carries a
// default type (settings.defaultPrecision) and per-layer choices in its graph (GraphNode.precision: weight_t?,
// bias_t?, accum_t?, result_t?, table_t?, set in the inspector or by importing a quantized model; see
// engine/graph/precision.ts). Per field, the first of these that is set wins:
//   1. the variant's own choice for the layer        (builds only)
//   2. the variant's design-wide choice               (builds only)
//   3. the layer's own choice (its node's precision)
//   4. the project's default type                      (weight_t, bias_t, accum_t, result_t; not table_t)
//   5. the engine's default (ap_fixed<16,6>; table_t ap_fixed<18,8>, hls4ml's)
// The preview resolves the same with no variant, so a build of an empty variant uses the preview's types.
// Type strings are parsed and checked by engine/fixed (resolvePrecision) only.
import type { Graph } from '../graph/model';
import { nodePrecision, precisionFieldsOf, type PrecisionField } from '../graph/precision';
import { DiagnosticSink, makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostics';
import { checkPrecisionText, DEFAULT_TYPE, DEFAULT_TYPE_STRING, PRECISION_FIELDS, resolvePrecision, type PrecisionSpec } from '../fixed/precision';
import { defaultHlsConfig, type HlsConfig, type LayerConfigSpec } from './config';
import { isGraphInput } from '../ops/input';

export { PRECISION_FIELDS, precisionFieldsOf, type PrecisionField };

/** The fields the project's default type sets (lookup tables keep their own default, as in hls4ml). */
export const DEFAULT_PRECISION_FIELDS: readonly PrecisionField[] = ['weight_t', 'bias_t', 'accum_t', 'result_t'];

/** The per-layer choices of a graph, by node id (nodes without any left out). */
export function graphLayerPrecisions(graph: Graph): Record<string, PrecisionSpec> {
  const out: Record<string, PrecisionSpec> = {};
  for (const n of graph.nodes) {
    const p = nodePrecision(n);
    if (Object.keys(p).length) out[n.id] = p;
  }
  return out;
}

/**
 * Problems with one type string for one field, as the resolver reports them (field `precision.<field>`,
 * the value, the rule and the fix); empty when the string is valid. '' means "the default" and is valid.
 */
export function checkPrecisionField(field: PrecisionField, text: string, node: { id?: string; name?: string; type?: string } = {}): Diagnostic[] {
  const sink = new DiagnosticSink(node.id, node.name);
  // An Input's result_t is its data type: a type, never 'auto' (resolveInputType, as the generator reads it).
  checkPrecisionText(field, text, sink, { dataType: isGraphInput(node) && field === 'result_t' });
  return sink.items;
}

/** What a project says about precision beyond its graph (from its settings). */
export interface ProjectPrecision {
  /** settings.defaultPrecision ('' or absent = the engine's default). */
  defaultPrecision?: string;
}

export function projectPrecisionOf(settings: { defaultPrecision?: string } | undefined): ProjectPrecision {
  return { defaultPrecision: settings?.defaultPrecision };
}

/** Problems with the project's default type (field `defaultPrecision`); empty when valid. */
export function checkDefaultPrecision(text: string | undefined): Diagnostic[] {
  if (!text?.trim()) return [];
  const sink = new DiagnosticSink();
  resolvePrecision({ weight_t: text }, { input: DEFAULT_TYPE, nTerms: 1, hasBias: false, forCpp: true }, sink);
  return sink.items.map((d) =>
    d.code === 'precision-auto'
      ? makeDiagnostic({ code: d.code, field: 'defaultPrecision', value: text, rule: 'the project default is a type (weights and biases need one)', fix: `set it to a type such as ${DEFAULT_TYPE_STRING}; 'auto' is a per-layer choice for accum_t and result_t` })
      : makeDiagnostic({ code: d.code, field: 'defaultPrecision', value: text, rule: d.rule, fix: d.fix }),
  );
}

interface SpecSet {
  defaults: LayerConfigSpec;
  layers: Record<string, LayerConfigSpec>;
}

/**
 * `base` (a variant's design-wide and per-layer choices, by node name; empty for the preview) over the
 * project's precisions: its default type and its layers' own choices (GraphNode.precision), which go under
 * the node's name, only for the fields its op uses and the base does not set. `base` is not changed.
 */
export function withProjectPrecision<T extends SpecSet>(base: T, graph: Graph, project: ProjectPrecision): T {
  const def = project.defaultPrecision?.trim();
  const defaults: LayerConfigSpec = def
    ? { ...base.defaults, precision: { ...Object.fromEntries(DEFAULT_PRECISION_FIELDS.map((f) => [f, def])), ...(base.defaults.precision ?? {}) } }
    : base.defaults;
  const layers = { ...base.layers };
  for (const n of graph.nodes) {
    const spec = nodePrecision(n);
    const key = layers[n.name] ? n.name : layers[n.id] ? n.id : n.name;
    const own = layers[key] ?? {};
    const kept: PrecisionSpec = {};
    for (const f of precisionFieldsOf(n.type)) {
      const t = spec[f];
      if (t !== undefined && own.precision?.[f] === undefined && base.defaults.precision?.[f] === undefined) kept[f] = t;
    }
    if (!Object.keys(kept).length) continue;
    layers[key] = { ...own, precision: { ...kept, ...(own.precision ?? {}) } };
  }
  return { ...base, defaults, layers };
}

/** The configuration the fixed-point preview runs with: the project's precisions and nothing else. */
export function previewHlsConfig(graph: Graph, project: ProjectPrecision, over: Partial<HlsConfig> = {}): HlsConfig {
  const { defaults, layers } = withProjectPrecision({ defaults: {}, layers: {} }, graph, project);
  return defaultHlsConfig({ ...over, defaults, layers });
}
