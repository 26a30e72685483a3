// Fitting a design to a part (issue 11, deliver 4): per-layer reuse factor and strategy chosen so that the
// estimate's DSP, LUT, FF and BRAM_18K stay within FIT_MARGIN of the part's, at the least latency the search
// finds. Greedy on the estimate (engine/estimate/graph.ts): while a resource is over its budget, the layer
// using most of it takes the better of two moves — a larger valid reuse factor (the smallest one that could
// bring it under) or Latency -> Resource (weights from registers to ROM words); once within budget, a
// relaxation gives each layer back the smallest reuse factor that still fits. Every answer is an estimate of
// the returned settings.
import type { Model } from '../graph/model';
import type { HlsConfig, LayerConfigSpec } from '../hls/config';
import { layerHwOptions } from '../hls/options';
import { resolveGraph } from '../hls/resolve';
import { partResources } from './report';
import { checkText, FPGA_PART } from '../safety';
import { estimateDesign, type EstimateOptions, type EstimateResult } from './graph';
import type { EstimateReport } from './report';

/**
 * The share of each part resource a fitted design may use: the rest is room for the estimate's error against
 * synthesis and for place and route (routing congestion grows steeply past ~80 % LUT use).
 */
export const FIT_MARGIN = 0.8;

const BUDGETED = ['DSP', 'LUT', 'FF', 'BRAM_18K'] as const;
type Budgeted = (typeof BUDGETED)[number];

export interface FitOptions extends EstimateOptions {
  part: string;
  /** Share of each resource to stay under (default FIT_MARGIN). */
  margin?: number;
  /** 'latency' (default): the least reuse that fits; 'resources': the largest reuse factors of every layer. */
  objective?: 'latency' | 'resources';
}

/** Why a part cannot be fitted to (the allow-list of AMD part names, then the estimator's devices), or null. */
export function fitPartProblem(part: string): string | null {
  const bad = checkText(FPGA_PART, 'part', part);
  if (bad.length) return `part ${JSON.stringify(part)}: ${bad[0].rule}; ${bad[0].fix}`;
  if (!partResources(part)) return `part ${part}: device unknown to the estimator; use one listed in engine/estimate/report.ts KNOWN_DEVICES (e.g. xcvu13p-flga2577-2-e, xczu3eg-sbva484-1-e)`;
  return null;
}

export type FitResult =
  | { fits: true; config: HlsConfig; report: EstimateReport; steps: number }
  | { fits: false; config: HlsConfig; report: EstimateReport | null; steps: number; error: string };

/** Fits `cfg` (its io type, precision and clock kept) to `opts.part`; per-layer settings by node name. */
export function fitDesign(model: Model, cfg: HlsConfig, opts: FitOptions): FitResult {
  const margin = opts.margin ?? FIT_MARGIN;
  const part = partResources(opts.part);
  let config: HlsConfig = { ...cfg, part: opts.part, layers: { ...cfg.layers } };
  if (!part) return { fits: false, config, report: null, steps: 0, error: `part ${opts.part} is unknown to the estimator: name a known device (engine/estimate/report.ts KNOWN_DEVICES)` };
  const options = layerHwOptions(model, config).filter((o) => o.reuseFactors.length > 1);
  // C names (the estimate's layer names) → node names (the settings' keys).
  const nodeName = new Map(resolveGraph(model, config, { hardware: true }).nodes.map((r) => [r.name, r.node.name]));
  const setLayer = (name: string, spec: LayerConfigSpec) => (config = { ...config, layers: { ...config.layers, [name]: { ...config.layers[name], ...spec } } });
  if (opts.objective === 'resources') for (const o of options) setLayer(o.name, { reuseFactor: o.reuseFactors[o.reuseFactors.length - 1], strategy: 'resource' });
  const exhausted = new Set<string>();
  let triedCorners = false;
  const withinBudget = (x: EstimateReport): boolean => BUDGETED.every((k) => (x.resources[k].used ?? 0) <= part[k] * margin);
  let carried: EstimateReport | null = null; // the estimate of `config` when the last step already made it
  for (let steps = 0; ; steps++) {
    const e: EstimateResult | null = carried ? null : estimateDesign(model, config, opts);
    const r: EstimateReport | null = carried ?? e!.report;
    carried = null;
    if (!r) return { fits: false, config, report: null, steps, error: e!.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ') || 'no estimate' };
    const ratio = (k: Budgeted) => (r.resources[k].used ?? 0) / Math.max(1, part[k] * margin);
    const worst = [...BUDGETED].sort((a, b) => ratio(b) - ratio(a))[0];
    if (ratio(worst) <= 1) {
      if (opts.objective === 'resources') return { fits: true, config, report: r, steps };
      const relaxed = relax(model, config, r, options.map((o) => o.name), nodeName, (name) => options.find((o) => o.name === name)!.reuseFactors, withinBudget, opts);
      return { fits: true, config: relaxed.config, report: relaxed.report, steps };
    }
    // The layer using most of the resource that is most over, and that can still give some of it back.
    const candidates = r.layers
      .map((l) => ({ l, name: nodeName.get(l.name) ?? l.name }))
      .filter(({ name }) => !exhausted.has(name) && options.some((o) => o.name === name))
      .sort((a, b) => b.l.resources[worst] - a.l.resources[worst]);
    const pick = candidates.find(({ l }) => l.resources[worst] > 0) ?? candidates[0];
    if (!pick && !triedCorners) {
      // Every layer given all it can from where the search started; the greedy never turns Resource back into
      // Latency, so before saying no, try the cheapest corners of the search space: every layer at its largest
      // reuse factor in one strategy, then the other (fast-check found chains where only Latency's fits).
      triedCorners = true;
      const corners = (['latency', 'resource'] as const).map((strategy): HlsConfig => ({
        ...config,
        layers: { ...config.layers, ...Object.fromEntries(options.map((x) => [x.name, { ...config.layers[x.name], reuseFactor: x.reuseFactors[x.reuseFactors.length - 1], strategy }])) },
      }));
      for (const c of corners) {
        const t = estimateDesign(model, c, opts).report;
        if (t && withinBudget(t)) {
          config = c;
          carried = t;
          break;
        }
      }
      if (carried) continue;
    }
    if (!pick) {
      const over = BUDGETED.filter((k) => ratio(k) > 1).map((k) => `${k} ${r.resources[k].used} of ${Math.floor(part[k] * margin)} (${Math.round(margin * 100)} % of ${part[k]}; ${Math.round(ratio(k) * margin * 100)} % of the part)`);
      return { fits: false, config, report: r, steps, error: `does not fit ${opts.part} even at the largest reuse factors with the Resource strategy: ${over.join(', ')}; choose a larger part or narrower precision` };
    }
    const o = options.find((x) => x.name === pick.name)!;
    const cur = config.layers[o.name]?.reuseFactor ?? o.current.reuseFactor;
    const max = o.reuseFactors[o.reuseFactors.length - 1];
    const strategy = config.layers[o.name]?.strategy ?? config.defaults.strategy ?? 'latency';
    // Moves for this layer: the smallest valid RF that could bring its share of the resource under budget on
    // its own, and (from Latency) the Resource strategy at the current RF; the one leaving the design least over
    // wins (ties: the lower latency). Latency keeps every weight in registers, so at RF > 1 its multiplexers
    // can cost more LUTs than the multipliers they save: then only the strategy change helps.
    const moves: LayerConfigSpec[] = [];
    if (cur < max) {
      const over = (r.resources[worst].used ?? 0) - part[worst] * margin;
      const keep = Math.max(1, pick.l.resources[worst] - over);
      const want = Math.ceil((cur * pick.l.resources[worst]) / keep);
      moves.push({ reuseFactor: o.reuseFactors.find((v) => v >= Math.max(want, cur + 1)) ?? max });
    }
    if (strategy !== 'resource') moves.push({ strategy: 'resource' });
    if (!moves.length) {
      exhausted.add(o.name);
      carried = r;
      continue;
    }
    let best: { spec: LayerConfigSpec; score: number; latency: number; report: EstimateReport } | null = null;
    for (const spec of moves) {
      const trial: HlsConfig = { ...config, layers: { ...config.layers, [o.name]: { ...config.layers[o.name], ...spec } } };
      const t = estimateDesign(model, trial, opts).report;
      if (!t) continue;
      const score = Math.max(...BUDGETED.map((k) => (t.resources[k].used ?? 0) / Math.max(1, part[k] * margin)));
      const latency = t.latency.worst.cycles ?? Infinity;
      if (!best || score < best.score - 1e-9 || (Math.abs(score - best.score) <= 1e-9 && latency < best.latency)) best = { spec, score, latency, report: t };
    }
    setLayer(o.name, best?.spec ?? moves[0]);
    carried = best?.report ?? null;
    if (steps > 1000) return { fits: false, config, report: r, steps, error: 'fit search did not converge (a bug)' };
  }
}

/**
 * The greedy search raises reuse in big steps; this gives latency back: per layer (most latency first), the
 * smallest valid reuse factor, with either strategy, that keeps the design within budget (binary search over
 * the valid values below the current one; a candidate is kept only if the whole design still fits and is no
 * slower).
 */
function relax(
  model: Model, start: HlsConfig, startReport: EstimateReport, layers: string[], nodeName: ReadonlyMap<string, string>, valid: (name: string) => number[],
  fits: (r: EstimateReport) => boolean, opts: EstimateOptions,
): { config: HlsConfig; report: EstimateReport } {
  let config = start;
  let report = startReport;
  const latencyOf = (r: EstimateReport) => r.latency.worst.cycles ?? Infinity;
  // The report names layers by C name, the settings by node name.
  const layerLatency = new Map(startReport.layers.map((l) => [nodeName.get(l.name) ?? l.name, l.latency ?? 0]));
  const order = [...layers].sort((a, b) => (layerLatency.get(b) ?? 0) - (layerLatency.get(a) ?? 0));
  for (const name of order) {
    const list = valid(name);
    const cur = config.layers[name]?.reuseFactor ?? 1;
    const hi = list.indexOf(cur);
    if (hi <= 0) continue;
    for (const strategy of ['latency', 'resource'] as const) {
      const trial = (rf: number): { config: HlsConfig; report: EstimateReport } | null => {
        const c: HlsConfig = { ...config, layers: { ...config.layers, [name]: { ...config.layers[name], reuseFactor: rf, strategy } } };
        const r = estimateDesign(model, c, opts).report;
        return r && fits(r) ? { config: c, report: r } : null;
      };
      let lo = 0, top = hi, found: { config: HlsConfig; report: EstimateReport } | null = null;
      while (lo < top) {
        const mid = (lo + top) >> 1;
        const t = trial(list[mid]);
        if (t) {
          found = t;
          top = mid;
        } else lo = mid + 1;
      }
      // Kept when the design is no slower (a layer behind another as slow still gets its RF back, so the next
      // one's relaxation can pay off).
      if (found && latencyOf(found.report) <= latencyOf(report) && (found.config.layers[name]?.reuseFactor ?? 1) < (config.layers[name]?.reuseFactor ?? 1)) ({ config, report } = found);
    }
  }
  return { config, report };
}
