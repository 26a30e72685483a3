// Resolves an HlsConfig against an analysed graph: per node its layout, firmware dims, input types,
// resolved config (precision, strategy, RF, PF) and the hardware checks (RF / PF validity, io support).
// Shared by simulateFixed (values) and the generator (files). Mistakes are diagnostics naming the layer.
import type { Shape } from '../tensor/tensor';
import { analyzeGraph, type GraphAnalysis } from '../graph/analyze';
import { DiagnosticSink, makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostics';
import type { Graph, GraphNode, Model } from '../graph/model';
import type { FixedType } from '../fixed/types';
import { mergeSpecs, resolveInputType, resolveLayerConfig, type HlsConfig, type LayerConfigSpec, type ResolvedLayerConfig } from './config';
import type { HlsLayerContext } from '../ops/hls-layer';
import type { TensorLayout } from '../fixed/tensor';
import { firmwareDims } from '../fixed/tensor';
import { checkParallelizationFactor, checkReuseFactor } from './reuse';
import { isGraphInput } from '../ops/input';

export interface ResolvedNode {
  id: string;
  node: GraphNode;
  /** C identifier. */
  name: string;
  index: number;
  layout: TensorLayout;
  outputShape: Shape;
  outputDims: number[];
  inputIds: string[];
  inputShapes: Shape[];
  inputDims: number[][];
  /** Graph layouts of the inputs (their producers' `layout`). */
  inputLayouts: TensorLayout[];
  inputTypes: FixedType[];
  /** Output type (result_t; the input type for Input nodes). */
  outputType: FixedType;
  config: ResolvedLayerConfig;
  params: unknown;
}

export interface ResolvedGraph {
  analysis: GraphAnalysis;
  graph: Graph;
  nodes: ResolvedNode[];
  byId: Record<string, ResolvedNode>;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

/** A C identifier from a node name: letters, digits, _; prefixed with the topological index. */
export function cIdent(name: string, index: number): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '').toLowerCase();
  return `layer${index}${base ? `_${base}` : ''}`;
}

function specFor(cfg: HlsConfig, node: GraphNode): LayerConfigSpec {
  return mergeSpecs(cfg.defaults, cfg.layers[node.name] ?? cfg.layers[node.id]);
}

export interface ResolveOptions {
  /** Check RF / PF / io support (the generator); simulateFixed only needs types. */
  hardware?: boolean;
  /** Batch size of the Inputs (images); default the graph's. */
  batch?: number;
}

export function resolveGraph(model: Model, cfg: HlsConfig, opts: ResolveOptions = {}): ResolvedGraph {
  let graph = model.graph;
  if (opts.batch !== undefined) {
    graph = { ...graph, nodes: graph.nodes.map((n) => (isGraphInput(n) && Array.isArray((n.params as { shape?: unknown }).shape) ? { ...n, params: { ...n.params, shape: [opts.batch!, ...((n.params as { shape: number[] }).shape.slice(1))] } } : n)) };
  }
  const analysis = analyzeGraph(graph, model.weights ?? {});
  const diagnostics: Diagnostic[] = [...analysis.diagnostics];
  const nodes: ResolvedNode[] = [];
  const byId: Record<string, ResolvedNode> = {};
  if (analysis.hasErrors) return { analysis, graph, nodes, byId, diagnostics, hasErrors: true };
  analysis.order.forEach((id, index) => {
    const info = analysis.nodes[id];
    const node = info.node;
    const op = info.op!;
    const sink = new DiagnosticSink(node.id, node.name);
    const params = info.params as Record<string, unknown>;
    const inputIds = info.inputEdges.map((e) => e.source);
    const ins = inputIds.map((s) => byId[s]);
    const outputShape = info.outputShape!;
    const fmt = params && typeof params.dataFormat === 'string' ? (params.dataFormat as 'NCX' | 'NXC') : undefined;
    let layout: TensorLayout = fmt ?? ins[0]?.layout ?? 'NCX';
    if (outputShape.length < 3) layout = 'flat';
    // A reordering op (Transpose after an NXC input, Reshape, …) stores its output as its consumer reads it.
    else if (op.hls?.reordersData) layout = consumerFormat(graph, analysis, id) ?? (layout === 'flat' ? 'NXC' : layout);
    // A rank ≥ 3 tensor made from a flat one (Reshape) takes the layout its consumers read (their
    // dataFormat; NXC, i.e. graph order, when none says): the reordering op maps graph order to it.
    else if (layout === 'flat') layout = consumerFormat(graph, analysis, id) ?? 'NXC';
    const outputDims = firmwareDims(outputShape, layout);
    const inputShapes = ins.map((r) => r.outputShape);
    const inputDims = ins.map((r) => r.outputDims);
    const inputLayouts = ins.map((r) => r.layout);
    const inputTypes = ins.map((r) => r.outputType);
    const spec = specFor(cfg, node);
    let config: ResolvedLayerConfig;
    let outputType: FixedType;
    const name = cIdent(node.name, index);
    const weights = model.weights?.[id] ?? {};
    if (isGraphInput(node)) {
      outputType = resolveInputType(spec, sink);
      config = resolveLayerConfig(cfg.io, { ...spec, precision: {} }, { input: outputType, nTerms: 1, hasBias: false }, sink);
      config.precision.result_t = outputType;
    } else {
      if (!op.fixed || !op.hls) {
        sink.error('hls-op-unsupported', 'type', node.type, `${node.type} has a fixed-point kernel and an HLS template`, 'this op is not synthesizable yet; remove it or replace it with a supported layer');
      }
      const baseCtx = { name, index, params, inputShapes, outputShape, inputDims, outputDims, inputTypes, weights, inputLayouts, outputLayout: layout };
      const blocks = op.hls ? op.hls.productBlocks(baseCtx) : [];
      const nTerms = Math.max(1, ...blocks.map((b) => b.nIn));
      const pixels = op.hls?.pixels?.(baseCtx);
      // A project-wide reuse or parallelization factor applies where the layer can use it (as hls4ml's
      // Model-level settings do): layers without multipliers or pixels keep 1. A layer's own value is strict.
      const own = cfg.layers[node.name] ?? cfg.layers[node.id];
      if (own?.reuseFactor === undefined && !blocks.some((b) => b.products > 0)) spec.reuseFactor = 1;
      if (own?.parallelizationFactor === undefined && pixels === undefined) spec.parallelizationFactor = 1;
      // Ops with a `bias` switch use it; BatchNormalization has no switch but always adds its folded shift.
      const hasBias = params && 'bias' in params ? Boolean(params.bias) && !!weights.bias : !!weights.bias || !!weights.beta;
      config = resolveLayerConfig(cfg.io, spec, { input: inputTypes[0] ?? resolveInputType({}, sink), nTerms, hasBias }, sink);
      outputType = config.precision.result_t;
      if (opts.hardware && op.hls) {
        if (op.hls.io && !op.hls.io.includes(cfg.io)) {
          sink.error('hls-io-unsupported', 'io', cfg.io, `${node.type} is implemented for ${op.hls.io.join(', ')}`, `use io type ${op.hls.io[0]}`);
        }
        checkReuseFactor(config.reuseFactor, blocks, sink);
        checkParallelizationFactor(config.parallelizationFactor, cfg.io, pixels, sink);
        op.hls.check?.({ ...baseCtx, config }, sink);
      }
    }
    diagnostics.push(...sink.items);
    const r: ResolvedNode = { id, node, name, index, layout, outputShape, outputDims, inputIds, inputShapes, inputDims, inputLayouts, inputTypes, outputType, config, params };
    nodes.push(r);
    byId[id] = r;
  });
  const known = new Set(graph.nodes.flatMap((n) => [n.name, n.id]));
  for (const key of Object.keys(cfg.layers)) {
    if (!known.has(key)) {
      diagnostics.push(makeDiagnostic({ severity: 'warning', code: 'hls-layer-unknown', field: `layers.${key}`, value: key, rule: 'per-layer settings name a node of the graph', fix: 'check the layer name (it is ignored)' }));
    }
  }
  return { analysis, graph, nodes, byId, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error') };
}

/**
 * The dataFormat the consumers of node `id` read: the first consumer (edge order) that has one, looking
 * through consumers that inherit their input's layout (elementwise ops, Add, …; not reordering ops).
 */
function consumerFormat(graph: Graph, analysis: GraphAnalysis, id: string, seen = new Set<string>()): 'NCX' | 'NXC' | undefined {
  seen.add(id);
  for (const e of graph.edges) {
    if (e.source !== id || seen.has(e.target)) continue;
    const info = analysis.nodes[e.target];
    const p = info?.params as { dataFormat?: unknown } | undefined;
    if (p && (p.dataFormat === 'NCX' || p.dataFormat === 'NXC')) return p.dataFormat;
    if (info?.op?.hls?.reordersData || (info?.outputShape?.length ?? 0) < 3) continue;
    const f = consumerFormat(graph, analysis, e.target, seen);
    if (f) return f;
  }
  return undefined;
}

/** The descriptor context of a resolved node. */
export function layerContext(model: Model, r: ResolvedNode): HlsLayerContext<unknown> {
  return {
    name: r.name, index: r.index, params: r.params,
    inputShapes: r.inputShapes, outputShape: r.outputShape, inputDims: r.inputDims, outputDims: r.outputDims,
    inputTypes: r.inputTypes, config: r.config, weights: model.weights?.[r.id] ?? {},
    inputLayouts: r.inputLayouts, outputLayout: r.layout,
  };
}
