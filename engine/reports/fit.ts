// Whether a design's resources fit its target part: one answer for the estimate and for a vendor report's
// figures (the percentages are already in Resources: used / available of the part).
import type { Resources } from './types';

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

/** Fits or not, and what is over by how much, from figures whose resources carry the part's availability. */
export function partFit(part: string | null, resources: Resources): PartFit {
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
