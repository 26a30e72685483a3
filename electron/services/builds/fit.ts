// Fitting a project to a part (issue 11, deliver 4): the app's fit action (variants.fit) and
// `tessera fit PROJECT.tessera --part P --write` share this. The search is the estimate's (engine/estimate/fit.ts
// fitDesign) over the project's own precisions; applying stores the fitted per-layer reuse factors and
// strategies as one variant named after the part, and makes the part the project's target part
// (settings.part), in one transaction.
import type { Model } from '../../../engine/graph/model';
import type { IoType, LayerConfigSpec } from '../../../engine/hls/config';
import { FIT_MARGIN, fitDesign, fitPartProblem } from '../../../engine/estimate/fit';
import { partResources } from '../../../engine/estimate/report';
import { fitSummary } from '../../../engine/reports/fit';
import type { z } from 'zod';
import type { ProjectSettings } from '../../../api/contract';
import type { FitAnswerJson } from '../../../api/builds-contract';
import { defaultVariantConfig, hlsConfigOf, withProjectPrecisions, type VariantConfig } from './variants';
import type { ProjectFile } from '../store/project';
import type { VariantRecord } from '../store/runs';

const BUDGETED = [['DSP', 'dsp'], ['LUT', 'lut'], ['FF', 'ff'], ['BRAM_18K', 'bram_18k']] as const;

/** What a fit answers (the variants.fit answer's schema in api/builds-contract.ts: one shape, not two). */
export type ProjectFit = z.output<typeof FitAnswerJson>;

/**
 * Fits a project's design to `part` (checked with fitPartProblem first) in `io`, from the project's precisions.
 * Throws on a refused part; a design that cannot fit answers fits false with what is over.
 */
export function fitProject(model: Model, settings: ProjectSettings, opts: { part: string; io: IoType; objective?: 'latency' | 'resources' }): ProjectFit {
  const problem = fitPartProblem(opts.part);
  if (problem) throw new Error(problem);
  const objective = opts.objective ?? 'latency';
  const start = hlsConfigOf(withProjectPrecisions(defaultVariantConfig({ io: opts.io, part: opts.part }), model.graph, settings), 2, model);
  const r = fitDesign(model, start, { part: opts.part, objective });
  const part = partResources(opts.part)!;
  const over: ProjectFit['over'] = [];
  for (const [k] of BUDGETED) {
    const used = r.report?.resources[k].used ?? 0;
    const budget = Math.floor(part[k] * FIT_MARGIN);
    if (used > budget) over.push({ resource: k, used, budget, available: part[k], percent: Math.round((used / Math.max(1, part[k])) * 1000) / 10 });
  }
  over.sort((a, b) => b.used / b.budget - a.used / a.budget);
  const layers: ProjectFit['layers'] = {};
  for (const [name, spec] of Object.entries(r.config.layers) as [string, LayerConfigSpec][]) {
    if (spec.reuseFactor === undefined && spec.strategy === undefined) continue;
    layers[name] = { ...(spec.reuseFactor !== undefined ? { reuseFactor: spec.reuseFactor } : {}), ...(spec.strategy !== undefined ? { strategy: spec.strategy } : {}) };
  }
  return {
    part: opts.part, io: opts.io, objective, fits: r.fits, margin: FIT_MARGIN,
    summary: fitSummary(opts.part, r.report ? r.fits : null, r.report),
    over, error: r.fits ? null : r.error, layers,
  };
}

/** The name of the variant a fit is stored as (a later fit to the same part and io type replaces it). */
export function fitVariantName(fit: Pick<ProjectFit, 'part' | 'io'>): string {
  return `fit ${fit.part} ${fit.io === 'io_stream' ? 'stream' : 'parallel'}`;
}

/** The variant a fit is stored as: the whole design, the fitted layers, the part. */
export function fitVariantConfig(fit: ProjectFit): VariantConfig {
  return defaultVariantConfig({ io: fit.io, part: fit.part, layers: fit.layers });
}

/**
 * Applies a fit that fits to the project: its variant (replacing an earlier fit of the same name) and the part as
 * the project's target part, in one transaction. Returns the variant.
 */
export function applyProjectFit(project: ProjectFile, fit: ProjectFit, newId: () => string): VariantRecord {
  if (!fit.fits) throw new Error(`nothing applied: ${fit.error ?? `the design does not fit ${fit.part}`}`);
  const name = fitVariantName(fit);
  const id = project.listVariants().find((v) => v.name === name)?.id ?? newId();
  return project.putVariantAndSettings({ id, name, config: fitVariantConfig(fit) }, { ...project.loadSettings(), part: fit.part });
}
