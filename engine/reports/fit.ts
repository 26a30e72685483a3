// Whether a design's resources fit its target part: one answer for the estimate and for a vendor report's
// figures (the percentages are already in Resources: used / available of the part).
import type { HlsReport, ResourceKey, Resources, SynthFigures } from './types';

export const FIT_RESOURCES = ['DSP', 'LUT', 'FF', 'BRAM_18K', 'URAM'] as const;
export type FitResource = (typeof FIT_RESOURCES)[number];

export interface PartFit {
  /** The target part, as configured (null: none named). */
  part: string | null;
  /** true: every resource within the part; false: at least one over; null: the part's resources are unknown. */
  fits: boolean | null;
  /** The resources over the part, most over first. */
  over: { resource: FitResource; used: number; available: number; percent: number }[];
}

/**
 * Fits or not, and what is over by how much, from figures whose resources carry the part's availability;
 * `available` (a part's own figures, e.g. engine/estimate partResources) replaces the report's, to ask
 * whether a design synthesised for one part fits another.
 */
export function partFit(part: string | null, figures: Resources, available?: Record<ResourceKey, number> | null): PartFit {
  const resources = available ? onPart(figures, available) : figures;
  const known = FIT_RESOURCES.some((k) => resources[k].available !== null && resources[k].available! > 0);
  if (!part || !known) return { part: part ?? null, fits: null, over: [] };
  const over: PartFit['over'] = [];
  for (const k of FIT_RESOURCES) {
    const r = resources[k];
    if (r.used === null || r.available === null) continue;
    if (r.used > r.available) over.push({ resource: k, used: r.used, available: r.available, percent: r.percent ?? Math.round((r.used / Math.max(r.available, 1)) * 10000) / 100 });
  }
  over.sort((a, b) => b.percent - a.percent);
  return { part, fits: over.length === 0, over };
}

/** One line: "fits xcvu13p-…" or "does not fit xcvu13p-…: DSP 449453 of 12288 (3658 %), …" (null part: says so). */
export function formatFit(f: PartFit): string {
  if (!f.part) return 'no target part: fit not checked';
  if (f.fits === null) return `part ${f.part} unknown: fit not checked`;
  if (f.fits) return `fits ${f.part}`;
  return `does not fit ${f.part}: ${f.over.map((o) => `${o.resource} ${o.used} of ${o.available} (${o.percent} %)`).join(', ')}`;
}

function onPart(r: Resources, available: Record<ResourceKey, number>): Resources {
  const out = { ...r };
  for (const k of Object.keys(available) as ResourceKey[]) {
    const used = r[k].used;
    const avail = available[k];
    out[k] = { used, available: avail, percent: used !== null && avail > 0 ? Math.round((used / avail) * 10000) / 100 : null };
  }
  return out;
}

/** A vendor report's fit on the part it names (csynth.xml/.rpt, vivado_synth.rpt, hls4ml baseline), or on `available`'s part. */
export function reportFit(r: HlsReport, part?: { name: string; available: Record<ResourceKey, number> }): PartFit {
  return part ? partFit(part.name, r.resources, part.available) : partFit(r.part, r.resources);
}

/**
 * The summary `tessera fit --json` and `tessera build --synth --json` print: the part, fits, latency,
 * interval and the four resources a fit is decided on, from an estimate or a vendor report.
 */
export interface FitSummary {
  part: string | null;
  fits: boolean | null;
  latency_cycles: number | null;
  interval_cycles: number | null;
  resources: Record<'dsp' | 'lut' | 'ff' | 'bram_18k', { used: number | null; available: number | null }>;
}

export function fitSummary(part: string | null, fits: boolean | null, f: SynthFigures | null): FitSummary {
  const fig = (k: ResourceKey) => ({ used: f?.resources[k].used ?? null, available: f?.resources[k].available ?? null });
  return {
    part, fits, latency_cycles: f?.latency.worst.cycles ?? null, interval_cycles: f?.interval.min ?? null,
    resources: { dsp: fig('DSP'), lut: fig('LUT'), ff: fig('FF'), bram_18k: fig('BRAM_18K') },
  };
}
