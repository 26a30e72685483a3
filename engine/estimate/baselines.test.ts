// The estimate model (hls4ml-equivalent mode) against the real hls4ml synthesis baselines in
// test-data/hls4ml/hls4ml-baselines: errors per figure computed, printed as a table, and held under the
// bounds measured when the model was written (+ margin): a model change that makes any case worse fails.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseHls4mlBaseline } from '../reports/hls4ml-baseline';
import { baselineStem, hls4mlBaselineCases } from './hls4ml';
import { assembleEstimate } from './report';
import { timingModel } from './model';

const ROOT = resolve(__dirname, '../../test-data/hls4ml/hls4ml-baselines');

const FIGURES = ['latency', 'II', 'DSP', 'FF', 'LUT', 'BRAM'] as const;
type Figure = (typeof FIGURES)[number];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}

/** Relative error |e − a| / max(a, 1) (cycles and counts; a zero actual counts as 1). */
function relErr(est: number, act: number): number {
  return Math.abs(est - act) / Math.max(Math.abs(act), 1);
}

interface Row { file: string; est: Record<Figure, number>; act: Record<Figure, number>; err: Record<Figure, number> }

function compute(): Row[] {
  const cases = new Map(hls4mlBaselineCases().map((c) => [c.stem, c]));
  const rows: Row[] = [];
  for (const f of files(ROOT).sort()) {
    const rel = relative(ROOT, f);
    const b = parseHls4mlBaseline(readFileSync(f, 'utf8'), { relativePath: rel });
    const c = cases.get(baselineStem(f));
    if (!c) throw new Error(`no hls4ml-equivalent case for ${rel} (stem ${baselineStem(f)})`);
    const r = b.report;
    const tool = r.tool.name === 'vivado_hls' ? 'vivado_hls' : 'vitis_hls';
    const e = assembleEstimate({ io: c.io, layers: c.layers, fifos: c.fifos, timing: timingModel(r.clock.targetNs ?? 5, tool), inputBits: c.inputBits, flavour: 'hls4ml', part: 'xcvu13p-flga2577-2-e' });
    const est: Record<Figure, number> = {
      latency: e.latency.worst.cycles!, II: e.interval.min!, DSP: e.resources.DSP.used!, FF: e.resources.FF.used!, LUT: e.resources.LUT.used!, BRAM: e.resources.BRAM_18K.used!,
    };
    const act: Record<Figure, number> = {
      latency: r.latency.worst.cycles ?? NaN, II: r.interval.min ?? NaN, DSP: r.resources.DSP.used ?? NaN, FF: r.resources.FF.used ?? NaN, LUT: r.resources.LUT.used ?? NaN, BRAM: r.resources.BRAM_18K.used ?? NaN,
    };
    const err = Object.fromEntries(FIGURES.map((k) => [k, relErr(est[k], act[k])])) as Record<Figure, number>;
    rows.push({ file: rel.replace('test_keras_api_test_', '').replace(/\.json$/, ''), est, act, err });
  }
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

describe('estimate vs hls4ml baselines (hls4ml-equivalent mode)', () => {
  const rows = compute();

  it('prints the per-case and per-figure error table', () => {
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const lines = [`${'case'.padEnd(70)} ${FIGURES.map((k) => k.padStart(17)).join('')}`];
    for (const r of rows) lines.push(`${r.file.padEnd(70)} ${FIGURES.map((k) => `${r.est[k]}/${r.act[k]} ${pct(r.err[k])}`.padStart(17)).join('')}`);
    lines.push('');
    lines.push(`${'figure'.padEnd(10)} ${'median'.padStart(8)} ${'mean'.padStart(8)} ${'max'.padStart(8)}   (relative error |est − actual| / max(actual, 1), ${rows.length} baselines)`);
    for (const k of FIGURES) {
      const xs = rows.map((r) => r.err[k]);
      lines.push(`${k.padEnd(10)} ${pct(median(xs)).padStart(8)} ${pct(xs.reduce((a, b) => a + b, 0) / xs.length).padStart(8)} ${pct(Math.max(...xs)).padStart(8)}`);
    }
    console.log(lines.join('\n'));
    expect(rows.length).toBe(60);
  });

  // Measured errors, frozen: regenerate with TESSERA_UPDATE_ESTIMATE_ERRORS=1 after an intended model change
  // (and update README.md's table). Margin: 5 points per case and figure, 2 points on each figure's mean.
  const SNAP = join(__dirname, 'baseline-errors.json');
  if (process.env.TESSERA_UPDATE_ESTIMATE_ERRORS === '1') {
    const snap = {
      note: 'relative errors of the estimate (hls4ml-equivalent mode) per baseline and figure; written by baselines.test.ts',
      cases: Object.fromEntries(rows.map((r) => [r.file, Object.fromEntries(FIGURES.map((k) => [k, Math.round(r.err[k] * 10000) / 10000]))])),
      mean: Object.fromEntries(FIGURES.map((k) => [k, Math.round((rows.reduce((a, r) => a + r.err[k], 0) / rows.length) * 10000) / 10000])),
    };
    writeFileSync(SNAP, `${JSON.stringify(snap, null, 1)}\n`);
  }
  const snap = existsSync(SNAP) ? (JSON.parse(readFileSync(SNAP, 'utf8')) as { cases: Record<string, Record<Figure, number>>; mean: Record<Figure, number> }) : null;

  it('no case got worse than measured (+5 points per figure)', () => {
    expect(snap, `${SNAP} missing: run with TESSERA_UPDATE_ESTIMATE_ERRORS=1`).not.toBeNull();
    const worse: string[] = [];
    for (const r of rows) {
      const m = snap!.cases[r.file];
      if (!m) {
        worse.push(`${r.file}: no measured errors (new baseline?)`);
        continue;
      }
      for (const k of FIGURES) if (r.err[k] > m[k] + 0.05) worse.push(`${r.file} ${k}: ${(r.err[k] * 100).toFixed(1)}% > measured ${(m[k] * 100).toFixed(1)}% + 5`);
    }
    expect(worse).toEqual([]);
  });

  it('no figure mean error got worse than measured (+2 points), and the headline figures stay good', () => {
    for (const k of FIGURES) {
      const mean = rows.reduce((a, r) => a + r.err[k], 0) / rows.length;
      expect(mean, k).toBeLessThanOrEqual(snap!.mean[k] + 0.02);
    }
    const med = (k: Figure) => median(rows.map((r) => r.err[k]));
    // Absolute bars (independent of the snapshot): latency, II, BRAM exact on most cases; DSP within 10 %.
    expect(med('latency')).toBe(0);
    expect(med('II')).toBe(0);
    expect(med('BRAM')).toBe(0);
    expect(med('DSP')).toBeLessThanOrEqual(0.1);
    expect(med('FF')).toBeLessThanOrEqual(0.1);
    expect(med('LUT')).toBeLessThanOrEqual(0.35);
  });
});
