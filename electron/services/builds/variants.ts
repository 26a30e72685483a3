// Variants: named sets of per-layer HLS choices over one graph and its weights, and the sweep that
// expands ranges into variants. Pure (engine imports only): the CLI, the services and tests share it.
// A combination that the design rejects (RF not valid for the layer, io type unsupported, bad
// precision) is returned with its diagnostics in `rejected` — never silently dropped.
import type { Model } from '../../../engine/graph/model';
import type { Diagnostic } from '../../../engine/diagnostics/diagnostics';
import { defaultHlsConfig, type HlsConfig, type IoType, type LayerConfigSpec, type Strategy } from '../../../engine/hls/config';
import { resolveGraph } from '../../../engine/hls/resolve';
import { validReuseFactors, validParallelizationFactors } from '../../../engine/hls/reuse';
import { getOp } from '../../../engine/ops/registry';
import { layerContext } from '../../../engine/hls/resolve';
import { projectPrecisionOf, withProjectPrecision } from '../../../engine/hls/project-precision';
import { isGraphInput } from '../../../engine/ops/input';

/** What a variant stores (the `config` column of the variants table). */
export interface VariantConfig {
  /** Implementation style of the whole design. */
  io: IoType;
  /** The layer this variant is about (its name), or null for the whole design. */
  scope: string | null;
  /** Applied to every layer under the per-layer choices. */
  defaults: LayerConfigSpec;
  /** Per-layer choices by node name. */
  layers: Record<string, LayerConfigSpec>;
  clockPeriodNs?: number;
  part?: string;
  /** Extra g++ flags for the C simulation (advanced; argument array, never a shell string). */
  cxxFlags?: string[];
}

export function defaultVariantConfig(over: Partial<VariantConfig> = {}): VariantConfig {
  return { io: 'io_parallel', scope: null, defaults: {}, layers: {}, ...over };
}

/**
 * The generator's configuration for a variant (top function 'myproject'). With the model, a design-wide
 * reuse / parallelization factor goes only to the layers that take one (layers with multipliers / with a
 * pixel loop), as hls4ml's model-level setting does; a layer's own choice still wins.
 */
export function hlsConfigOf(v: VariantConfig, testImages = 2, model?: Model): HlsConfig {
  let defaults = v.defaults;
  let layers = v.layers;
  if (model && (defaults.reuseFactor !== undefined || defaults.parallelizationFactor !== undefined)) {
    const { reuseFactor, parallelizationFactor, ...rest } = defaults;
    defaults = rest;
    layers = { ...layers };
    const r = resolveGraph(model, defaultHlsConfig({ io: v.io }), {});
    for (const n of r.nodes) {
      const op = getOp(n.node.type);
      if (isGraphInput(n.node) || !op?.hls) continue;
      const ctx = layerContext(model, n);
      const takesRf = op.hls.productBlocks(ctx).some((b) => b.products > 0);
      const takesPf = !!op.hls.pixels;
      const own = layers[n.node.name] ?? {};
      layers[n.node.name] = {
        ...(takesRf && reuseFactor !== undefined ? { reuseFactor } : {}),
        ...(takesPf && parallelizationFactor !== undefined ? { parallelizationFactor } : {}),
        ...own,
      };
    }
  }
  return defaultHlsConfig({
    io: v.io,
    top: 'myproject',
    defaults,
    layers,
    testImages,
    ...(v.clockPeriodNs !== undefined ? { clockPeriodNs: v.clockPeriodNs } : {}),
    ...(v.part !== undefined ? { part: v.part } : {}),
  });
}

/**
 * The variant over the project's precisions (engine/hls/project-precision.ts): per field, the variant's
 * layer choice, then its design-wide choice, then the layer's own choice (its node's precision in the
 * graph), then the project's default type (settings.defaultPrecision). The fixed-point preview resolves
 * the same without a variant. The stored variant is not changed.
 */
export function withProjectPrecisions(v: VariantConfig, graph: Model['graph'], settings: ProjectPrecisionSettings | undefined): VariantConfig {
  return withProjectPrecision(v, graph, projectPrecisionOf(settings));
}

/** The part of the project's settings that decides precisions. */
export interface ProjectPrecisionSettings {
  defaultPrecision?: string;
}

/** The choices of the variant's scoped layer (or the defaults for a whole-design variant). */
export function scopeSpec(v: VariantConfig): LayerConfigSpec {
  return v.scope ? { ...v.defaults, ...(v.layers[v.scope] ?? {}) } : v.defaults;
}

/** Short human name of a variant's choices: 'upconv stream RF4 resource ap_fixed<8,3>'. */
export function describeChoices(v: VariantConfig): string {
  const s = scopeSpec(v);
  const parts = [v.scope ?? 'design', v.io === 'io_stream' ? 'stream' : 'parallel', `RF${s.reuseFactor ?? 1}`];
  if (s.strategy) parts.push(s.strategy);
  if (s.parallelizationFactor && s.parallelizationFactor > 1) parts.push(`PF${s.parallelizationFactor}`);
  const p = s.precision?.result_t ?? s.precision?.weight_t;
  if (p) parts.push(p);
  return parts.join(' ');
}

/** Design errors of a variant over a model (empty = buildable), with the project's precisions when given. */
export function checkVariant(model: Model, v: VariantConfig, project?: ProjectPrecisionSettings): Diagnostic[] {
  const r = resolveGraph(model, hlsConfigOf(project ? withProjectPrecisions(v, model.graph, project) : v, 2, model), { hardware: true });
  return r.diagnostics.filter((d) => d.severity === 'error');
}

/** Valid reuse factors and parallelization factors of a layer (by name), under the given io type. */
export function layerChoices(model: Model, layer: string, io: IoType): { reuseFactors: number[]; parallelizationFactors: number[] } | null {
  const r = resolveGraph(model, defaultHlsConfig({ io }), {});
  const node = r.nodes.find((n) => n.node.name === layer || n.id === layer);
  if (!node) return null;
  const op = getOp(node.node.type);
  if (!op?.hls) return { reuseFactors: [1], parallelizationFactors: [1] };
  const ctx = layerContext(model, node);
  return {
    reuseFactors: validReuseFactors(op.hls.productBlocks(ctx)),
    parallelizationFactors: validParallelizationFactors(io, op.hls.pixels?.(ctx)),
  };
}

export interface SweepSpec {
  /** Layer to vary (node name); absent = the whole design's defaults. */
  layer?: string;
  /** Reuse factors; 'valid' = every valid RF of the layer (per io type). */
  reuseFactors?: number[] | 'valid';
  io?: IoType[];
  strategies?: Strategy[];
  parallelizationFactors?: number[];
  /** Type strings; each sets weight_t, bias_t, accum_t and result_t of the layer. */
  precisions?: string[];
  /** Start from this variant's other choices (default: empty defaults, io_parallel). */
  base?: VariantConfig;
  /** Name prefix (default the layer name or 'design'). */
  prefix?: string;
  /** The project's precision settings: combinations are checked with them, as they will be built. */
  project?: ProjectPrecisionSettings;
}

export interface SweepItem {
  name: string;
  config: VariantConfig;
}

export interface SweepResult {
  variants: SweepItem[];
  /** Combinations the design rejects, each with the reasons. */
  rejected: (SweepItem & { diagnostics: Diagnostic[] })[];
  /** Problems with the sweep itself (unknown layer…), as one-line messages. */
  problems: string[];
}

function cartesian<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
}

/** Expands ranges into variants: io × strategy × RF × PF × precision, each checked against the design. */
export function expandSweep(model: Model, spec: SweepSpec): SweepResult {
  const problems: string[] = [];
  const base = spec.base ?? defaultVariantConfig();
  if (spec.layer !== undefined && !model.graph.nodes.some((n) => n.name === spec.layer)) {
    const names = model.graph.nodes.filter((n) => !isGraphInput(n)).map((n) => n.name);
    problems.push(`no layer named "${spec.layer}" in the design; the layers are ${names.join(', ')}`);
    return { variants: [], rejected: [], problems };
  }
  const ios: IoType[] = spec.io?.length ? spec.io : [base.io];
  const strategies: (Strategy | undefined)[] = spec.strategies?.length ? spec.strategies : [undefined];
  const pfs: (number | undefined)[] = spec.parallelizationFactors?.length ? spec.parallelizationFactors : [undefined];
  const precs: (string | undefined)[] = spec.precisions?.length ? spec.precisions : [undefined];
  const prefix = spec.prefix ?? spec.layer ?? 'design';
  const variants: SweepItem[] = [];
  const rejected: SweepResult['rejected'] = [];
  for (const io of ios) {
    let rfs: (number | undefined)[];
    if (spec.reuseFactors === 'valid') {
      const c = spec.layer ? layerChoices(model, spec.layer, io) : null;
      rfs = c ? c.reuseFactors : [1];
    } else rfs = spec.reuseFactors?.length ? spec.reuseFactors : [undefined];
    for (const [strategy, rf, pf, prec] of cartesian<unknown>([strategies, rfs, pfs, precs]) as [Strategy | undefined, number | undefined, number | undefined, string | undefined][]) {
      const choice: LayerConfigSpec = {};
      if (strategy !== undefined) choice.strategy = strategy;
      if (rf !== undefined) choice.reuseFactor = rf;
      if (pf !== undefined) choice.parallelizationFactor = pf;
      if (prec !== undefined) choice.precision = { weight_t: prec, bias_t: prec, accum_t: prec, result_t: prec };
      const config: VariantConfig = spec.layer
        ? { ...base, io, scope: spec.layer, layers: { ...base.layers, [spec.layer]: { ...(base.layers[spec.layer] ?? {}), ...choice, precision: { ...(base.layers[spec.layer]?.precision ?? {}), ...(choice.precision ?? {}) } } } }
        : { ...base, io, scope: null, defaults: { ...base.defaults, ...choice } };
      const name = `${prefix} ${describeChoices(config).split(' ').slice(1).join(' ')}`;
      const diagnostics = checkVariant(model, config, spec.project);
      if (diagnostics.length) rejected.push({ name, config, diagnostics });
      else variants.push({ name, config });
    }
  }
  return { variants, rejected, problems };
}

export { splitList } from '../../../engine/hls/config';

/** A name not yet in `taken`: 'name', 'name (2)', 'name (3)'… */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(name)) return name;
  for (let i = 2; ; i++) if (!set.has(`${name} (${i})`)) return `${name} (${i})`;
}

/** A folder name from a variant name: letters, digits, '-', '_' only; never empty, never '.'/'..'. */
export function sanitizeFolderName(name: string, fallback = 'variant'): string {
  const s = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9_-]+/g, '_').replace(/_+/g, '_').replace(/^[_-]+|[_-]+$/g, '').slice(0, 60);
  return s || fallback;
}
