// The compare view's data, pure: one row per variant from its latest build (figures marked estimate or
// measured), deltas against a baseline, the latency-vs-resource Pareto front, CSV and JSON export.
import type { BuildRunJson, VariantJson } from '../../api/builds-contract';

export type FigureKey =
  | 'latencyCycles' | 'latencyNs' | 'ii'
  | 'dsp' | 'dspPct' | 'lut' | 'lutPct' | 'ff' | 'ffPct' | 'bram' | 'bramPct'
  | 'errMaxLsb' | 'errRmsLsb' | 'buildS';

export type FigureSource = 'estimate' | 'measured';

export interface Figure {
  value: number | null;
  source: FigureSource;
}

export const FIGURES: { key: FigureKey; label: string; unit: string; better: 'lower' | 'higher'; digits: number }[] = [
  { key: 'latencyCycles', label: 'Latency', unit: 'cycles', better: 'lower', digits: 0 },
  { key: 'latencyNs', label: 'Latency', unit: 'ns', better: 'lower', digits: 1 },
  { key: 'ii', label: 'II', unit: 'cycles', better: 'lower', digits: 0 },
  { key: 'dsp', label: 'DSP', unit: '', better: 'lower', digits: 0 },
  { key: 'dspPct', label: 'DSP', unit: '% of part', better: 'lower', digits: 2 },
  { key: 'lut', label: 'LUT', unit: '', better: 'lower', digits: 0 },
  { key: 'lutPct', label: 'LUT', unit: '% of part', better: 'lower', digits: 2 },
  { key: 'ff', label: 'FF', unit: '', better: 'lower', digits: 0 },
  { key: 'ffPct', label: 'FF', unit: '% of part', better: 'lower', digits: 2 },
  { key: 'bram', label: 'BRAM_18K', unit: '', better: 'lower', digits: 0 },
  { key: 'bramPct', label: 'BRAM_18K', unit: '% of part', better: 'lower', digits: 2 },
  { key: 'errMaxLsb', label: 'Error max', unit: 'LSB', better: 'lower', digits: 2 },
  { key: 'errRmsLsb', label: 'Error RMS', unit: 'LSB', better: 'lower', digits: 3 },
  { key: 'buildS', label: 'Build time', unit: 's', better: 'lower', digits: 1 },
];

export interface CompareRow {
  variantId: string;
  name: string;
  /** The run the figures come from. */
  runId: string | null;
  /** The variant's latest build (what the Builds view shows), 'not built' without one. */
  status: string;
  /** When the figures come from an earlier build than the latest (it was cancelled or failed): that build. */
  figuresFrom: { runId: string; status: string; finishedAt: string | null } | null;
  csim: string;
  /** Output type the error is counted in (LSB of it). */
  outputType: string | null;
  /** The part the figures are for (the estimate's or the vendor report's), null when unknown. */
  part: string | null;
  /** Resources the design needs more of than the part has (percent over 100). */
  overPart: ('DSP' | 'LUT' | 'FF' | 'BRAM_18K')[];
  figures: Record<FigureKey, Figure>;
}

interface Fig { latency: { worst: { cycles: number | null; ns: number | null } }; interval: { min: number | null }; resources: Record<'DSP' | 'LUT' | 'FF' | 'BRAM_18K', { used: number | null; percent: number | null }>; part?: string | null }
interface Report {
  source?: FigureSource;
  estimate?: Fig | null;
  hls?: Fig | null;
  csim?: { status: string };
  error?: { maxLsb: number; rmsLsb: number; outputType: string } | null;
  buildMs?: number;
}

/** The run a variant is compared by: its latest succeeded build, else its latest build. */
export function latestRun(variantId: string, runs: readonly BuildRunJson[]): BuildRunJson | null {
  const mine = runs.filter((r) => r.variantId === variantId);
  const ok = mine.filter((r) => r.status === 'succeeded');
  return (ok.length ? ok[ok.length - 1] : mine[mine.length - 1]) ?? null;
}

/** A run's status as the app shows it: the live one from build events where there is one. */
export function runStatus(run: BuildRunJson | null | undefined, live: Readonly<Record<string, { status: string }>> = {}): string {
  return run ? (live[run.id]?.status ?? run.status) : 'not built';
}

/**
 * One row per variant. The status is the latest build's (the same as the Builds view: a cancelled rebuild
 * says cancelled); the figures are the latest succeeded build's, and `figuresFrom` says so when that is an
 * earlier build.
 */
export function compareRows(variants: readonly VariantJson[], runs: readonly BuildRunJson[], live: Readonly<Record<string, { status: string }>> = {}): CompareRow[] {
  return variants.map((v) => {
    const mine = runs.filter((r) => r.variantId === v.id);
    const last = mine[mine.length - 1] ?? null;
    const run = latestRun(v.id, runs);
    const rep = (run?.report ?? null) as Report | null;
    const measured = rep?.source === 'measured' && !!rep.hls;
    const f = (measured ? rep?.hls : rep?.estimate) ?? null;
    const src: FigureSource = measured ? 'measured' : 'estimate';
    const fig = (value: number | null | undefined, source: FigureSource = src): Figure => ({ value: value ?? null, source });
    const errSource: FigureSource = rep?.csim?.status === 'bit-exact' ? 'measured' : 'estimate';
    const overPart = (['DSP', 'LUT', 'FF', 'BRAM_18K'] as const).filter((k) => (f?.resources[k].percent ?? 0) > 100);
    return {
      variantId: v.id,
      name: v.name,
      runId: run?.id ?? null,
      status: runStatus(last, live),
      figuresFrom: run && last && run !== last ? { runId: run.id, status: run.status, finishedAt: run.finishedAt } : null,
      csim: rep?.csim?.status ?? '-',
      outputType: rep?.error?.outputType ?? null,
      part: f?.part ?? null,
      overPart,
      figures: {
        latencyCycles: fig(f?.latency.worst.cycles),
        latencyNs: fig(f?.latency.worst.ns),
        ii: fig(f?.interval.min),
        dsp: fig(f?.resources.DSP.used),
        dspPct: fig(f?.resources.DSP.percent),
        lut: fig(f?.resources.LUT.used),
        lutPct: fig(f?.resources.LUT.percent),
        ff: fig(f?.resources.FF.used),
        ffPct: fig(f?.resources.FF.percent),
        bram: fig(f?.resources.BRAM_18K.used),
        bramPct: fig(f?.resources.BRAM_18K.percent),
        errMaxLsb: fig(rep?.error?.maxLsb, errSource),
        errRmsLsb: fig(rep?.error?.rmsLsb, errSource),
        buildS: fig(rep?.buildMs !== undefined ? rep.buildMs / 1000 : null, 'measured'),
      },
    };
  });
}

/**
 * Short labels that tell variants apart: the words every name shares are left out ("upconv parallel RF1",
 * "upconv parallel RF4" → "RF1", "RF4"), the rest kept whole; a name left empty keeps its full text.
 */
export function distinctLabels(names: readonly string[]): string[] {
  if (names.length < 2) return [...names];
  const words = names.map((n) => n.split(/\s+/).filter(Boolean));
  const common = new Set(words[0].filter((w) => words.every((ws) => ws.includes(w))));
  return words.map((ws, i) => {
    const rest = ws.filter((w) => !common.has(w)).join(' ');
    return rest || names[i];
  });
}

/** value − baseline and the ratio (null when either is unknown or the baseline is 0 for the ratio). */
export function delta(row: CompareRow, base: CompareRow, key: FigureKey): { diff: number | null; ratio: number | null } {
  const a = row.figures[key].value;
  const b = base.figures[key].value;
  if (a === null || b === null) return { diff: null, ratio: null };
  return { diff: a - b, ratio: b !== 0 ? a / b : null };
}

/** Indices of rows on the Pareto front of (x, y), both minimised; rows missing either are left out. */
export function paretoFront(rows: readonly CompareRow[], x: FigureKey, y: FigureKey): number[] {
  const pts = rows.map((r, i) => ({ i, x: r.figures[x].value, y: r.figures[y].value })).filter((p): p is { i: number; x: number; y: number } => p.x !== null && p.y !== null);
  return pts
    .filter((p) => !pts.some((q) => q !== p && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y)))
    .sort((a, b) => a.x - b.x || a.y - b.y)
    .map((p) => p.i);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per variant; each figure has a value column and a source column (estimate / measured). */
export function toCsv(rows: readonly CompareRow[], baseline?: string | null): string {
  const head = ['variant', 'status', 'csim', 'output_type', 'part', 'does_not_fit'];
  for (const f of FIGURES) {
    const col = `${f.label}${f.unit ? ` (${f.unit})` : ''}`;
    head.push(col, `${col} source`);
    if (baseline) head.push(`${col} delta`);
  }
  const base = rows.find((r) => r.variantId === baseline) ?? null;
  const lines = [head.map(csvCell).join(',')];
  for (const r of rows) {
    const cells = [r.name, r.status, r.csim, r.outputType ?? '', r.part ?? '', r.overPart.join(' ')];
    for (const f of FIGURES) {
      const v = r.figures[f.key];
      cells.push(v.value === null ? '' : String(v.value), v.value === null ? '' : v.source);
      if (baseline) {
        const d = base ? delta(r, base, f.key).diff : null;
        cells.push(d === null ? '' : String(Number(d.toPrecision(12))));
      }
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

export function toJson(rows: readonly CompareRow[], baseline?: string | null): string {
  return JSON.stringify({ baseline: baseline ?? null, figures: FIGURES.map(({ key, label, unit }) => ({ key, label, unit })), variants: rows }, null, 2);
}

export function formatValue(v: number | null, digits: number): string {
  if (v === null) return '–';
  return digits ? v.toFixed(digits) : Math.round(v).toLocaleString('en-US');
}

/** A label anchored at a point: its text box's top-left corner, or null when every position collides. */
export interface PlacedLabel {
  x: number;
  y: number;
}

/**
 * Places point labels (text boxes of the given widths, `height` tall) so they overlap neither each other nor
 * the points: each label tries right-above, right-below, left-above, left-below of its point, in point order
 * (Pareto points first, as the caller orders them), inside [0, W] × [0, H]; a label with no free spot is
 * left out (the point's tooltip still names it).
 */
export function placeLabels(points: readonly { x: number; y: number; width: number }[], height: number, W: number, H: number, radius = 5): (PlacedLabel | null)[] {
  type Box = { x0: number; y0: number; x1: number; y1: number };
  const taken: Box[] = points.map((p) => ({ x0: p.x - radius, y0: p.y - radius, x1: p.x + radius, y1: p.y + radius }));
  const hits = (b: Box, a: Box) => b.x0 < a.x1 && a.x0 < b.x1 && b.y0 < a.y1 && a.y0 < b.y1;
  return points.map((p) => {
    const gap = radius + 1;
    const spots = [
      { x: p.x + gap, y: p.y - gap - height },
      { x: p.x + gap, y: p.y + gap },
      { x: p.x - gap - p.width, y: p.y - gap - height },
      { x: p.x - gap - p.width, y: p.y + gap },
    ];
    for (const s of spots) {
      const box = { x0: s.x, y0: s.y, x1: s.x + p.width, y1: s.y + height };
      if (box.x0 < 0 || box.y0 < 0 || box.x1 > W || box.y1 > H) continue;
      if (taken.some((t) => hits(box, t))) continue;
      taken.push(box);
      return s;
    }
    return null;
  });
}
