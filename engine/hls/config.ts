// Project-wide and per-layer HLS configuration (hls4ml's vocabulary): IO type for the whole project,
// and per layer strategy, reuse factor, parallelization factor and precision. Resolution turns user
// specs into concrete values; mistakes become diagnostics naming layer, field, value, rule and fix.
import type { DiagnosticSink } from '../diagnostics/diagnostics';
import type { FixedType } from '../fixed/types';
import { defaultPrecision, DEFAULT_TYPE_STRING, resolveDataType, resolvePrecision, type PrecisionSpec } from '../fixed/precision';
import { STRATEGIES, type IoType, type ResolvedLayerConfig, type Strategy } from '../ops/hls-layer';

// The per-layer vocabulary (IO type, strategy, resolved layer config) is part of the op contract.
export { IO_TYPES, STRATEGIES, type IoType, type ResolvedLayerConfig, type Strategy } from '../ops/hls-layer';

/** What a user sets for one layer (or as the project default); missing fields take the defaults. */
export interface LayerConfigSpec {
  strategy?: Strategy;
  /** Times each multiplier is reused (≥ 1); must be in the layer's valid set (engine/hls/reuse.ts). */
  reuseFactor?: number;
  /** io_parallel only: output pixels computed in parallel; must divide the output pixel count. */
  parallelizationFactor?: number;
  /** Type strings per field ('auto' for accum_t/result_t). For an Input node, result_t is the input type. */
  precision?: PrecisionSpec;
}

/** The whole project's HLS settings. */
export interface HlsConfig {
  io: IoType;
  /** Top function name (C identifier); also names the testbench and the project folder "<top>_prj". */
  top: string;
  part: string;
  clockPeriodNs: number;
  /** Applied to every layer, under the per-layer specs. */
  defaults: LayerConfigSpec;
  /** Per-layer overrides by node name (or id). */
  layers: Record<string, LayerConfigSpec>;
  /** Images (batch entries) written to tb_data and run by the testbench; default 3. */
  testImages?: number;
  /** Seed of the generated test vectors when no input is given; default 1. */
  seed?: number;
}

export function defaultHlsConfig(over: Partial<HlsConfig> = {}): HlsConfig {
  return {
    io: 'io_parallel',
    top: 'myproject',
    part: 'xcvu13p-flga2577-2-e',
    clockPeriodNs: 5,
    defaults: {},
    layers: {},
    ...over,
  };
}

/** Merges the project default and the layer's own spec (layer wins; precision merged per field). */
export function mergeSpecs(defaults: LayerConfigSpec, layer: LayerConfigSpec | undefined): LayerConfigSpec {
  return {
    strategy: layer?.strategy ?? defaults.strategy,
    reuseFactor: layer?.reuseFactor ?? defaults.reuseFactor,
    parallelizationFactor: layer?.parallelizationFactor ?? defaults.parallelizationFactor,
    precision: { ...(defaults.precision ?? {}), ...(layer?.precision ?? {}) },
  };
}

export interface ResolveContext {
  /** Type of the layer's (first) input. */
  input: FixedType;
  /** Products summed per output (for 'auto' accum_t). */
  nTerms: number;
  hasBias: boolean;
}

/**
 * Resolves strategy / RF / PF / precision for one layer. RF and PF validity against the layer's shape is
 * checked separately (engine/hls/reuse.ts), because it needs the op's descriptor.
 */
export function resolveLayerConfig(io: IoType, spec: LayerConfigSpec, ctx: ResolveContext, sink: DiagnosticSink): ResolvedLayerConfig {
  const strategy = spec.strategy ?? 'latency';
  if (!STRATEGIES.includes(strategy)) {
    sink.error('hls-strategy', 'strategy', strategy, 'strategy is latency or resource', 'choose latency (unrolled) or resource (reuse loop)');
  }
  const rf = spec.reuseFactor ?? 1;
  if (!Number.isInteger(rf) || rf < 1) sink.error('hls-reuse-factor', 'reuseFactor', rf, 'reuse factor is a whole number ≥ 1', 'set reuseFactor to 1 (fully parallel) or more');
  const pf = spec.parallelizationFactor ?? 1;
  if (!Number.isInteger(pf) || pf < 1) sink.error('hls-parallelization-factor', 'parallelizationFactor', pf, 'parallelization factor is a whole number ≥ 1', 'set parallelizationFactor to 1 or more');
  const precision = resolvePrecision(spec.precision ?? {}, { input: ctx.input, nTerms: ctx.nTerms, hasBias: ctx.hasBias, forCpp: true }, sink);
  return {
    io,
    strategy: STRATEGIES.includes(strategy) ? strategy : 'latency',
    reuseFactor: Number.isInteger(rf) && rf >= 1 ? rf : 1,
    parallelizationFactor: Number.isInteger(pf) && pf >= 1 ? pf : 1,
    precision,
  };
}

/** The type of an Input node's data: its result_t (default ap_fixed<16,6>). */
export function resolveInputType(spec: LayerConfigSpec, sink: DiagnosticSink): FixedType {
  const s = spec.precision?.result_t;
  if (s === undefined) return defaultPrecision().result_t;
  return resolveDataType(s, 'precision.result_t', sink) ?? defaultPrecision().result_t;
}

export { DEFAULT_TYPE_STRING };

/**
 * Splits a comma list of config values (sweep ranges: precisions, reuse factors, IO types) where commas
 * inside <…> belong to the item: 'ap_fixed<16,6>,ap_fixed<8,3>'. Items are trimmed; empty ones dropped.
 */
export function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '<') depth++;
    if (ch === '>') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
