import { describe, it, expect } from 'vitest';
import type { BuildRunJson, VariantJson } from '../../api/builds-contract';
import { compareRows, delta, distinctLabels, latestRun, runStatus, paretoFront, placeLabels, toCsv, toJson, type CompareRow } from './figures';
import { seededRandom } from '../../engine/tensor/tensor';

const fig = (cycles: number, dsp: number, lut: number) => ({
  latency: { worst: { cycles, ns: cycles * 5 } },
  interval: { min: Math.max(1, cycles - 3) },
  resources: { DSP: { used: dsp, percent: dsp / 100 }, LUT: { used: lut, percent: null }, FF: { used: lut * 2, percent: null }, BRAM_18K: { used: 0, percent: 0 } },
});

function variant(id: string, name: string): VariantJson {
  return { id, name, config: { io: 'io_parallel', scope: 'up', defaults: {}, layers: {} }, problems: [], createdAt: '2026-01-01', updatedAt: '2026-01-01' };
}
function run(id: string, variantId: string, status: BuildRunJson['status'], report: unknown): BuildRunJson {
  return { id, variantId, config: {}, status, step: null, createdAt: id, startedAt: null, finishedAt: null, log: '', report, artifacts: null };
}

describe('compare figures', () => {
  const variants = [variant('a', 'A'), variant('b', 'B, "quoted"'), variant('c', 'C'), variant('d', 'D (never built)')];
  const runs = [
    run('1', 'a', 'succeeded', { source: 'estimate', estimate: fig(100, 40, 900), hls: null, csim: { status: 'bit-exact' }, error: { maxLsb: 1.5, rmsLsb: 0.41, outputType: 'ap_fixed<16,6>' }, buildMs: 2300 }),
    run('2', 'a', 'failed', { source: 'estimate', estimate: null, csim: { status: 'failed' }, error: null, buildMs: 10, failure: 'x' }),
    run('3', 'b', 'succeeded', { source: 'measured', estimate: fig(1, 1, 1), hls: fig(50, 80, 1200), csim: { status: 'mismatch' }, error: { maxLsb: 3, rmsLsb: 1.25, outputType: 'ap_fixed<8,3>' }, buildMs: 61000 }),
    run('4', 'c', 'succeeded', { source: 'estimate', estimate: fig(120, 45, 800), csim: { status: 'skipped' }, error: null, buildMs: 900 }),
  ];
  const rows = compareRows(variants, runs);

  it('takes the figures of the latest succeeded run and the status of the latest run, marks estimate vs measured, converts units', () => {
    expect(latestRun('a', runs)!.id).toBe('1');
    // A's rebuild failed: its status says so (as the Builds view does); the figures are run 1's, and say so.
    expect(rows[0].status).toBe('failed');
    expect(rows[0].figuresFrom).toEqual({ runId: '1', status: 'succeeded', finishedAt: null });
    expect(rows[1].status).toBe('succeeded');
    expect(rows[1].figuresFrom).toBeNull();
    expect(rows[0].figures.latencyCycles).toEqual({ value: 100, source: 'estimate' });
    expect(rows[0].figures.latencyNs.value).toBe(500);
    expect(rows[0].figures.dspPct.value).toBeCloseTo(0.4);
    expect(rows[0].figures.errMaxLsb).toEqual({ value: 1.5, source: 'measured' }); // csim bit-exact
    expect(rows[0].figures.buildS).toEqual({ value: 2.3, source: 'measured' });
    // A vendor report wins over the estimate and is marked measured; csim mismatch → error is the engine's model.
    expect(rows[1].figures.latencyCycles).toEqual({ value: 50, source: 'measured' });
    expect(rows[1].figures.dsp.value).toBe(80);
    expect(rows[1].figures.errRmsLsb.source).toBe('estimate');
    expect(rows[1].csim).toBe('mismatch');
    expect(rows[3].status).toBe('not built');
    expect(rows[3].figures.latencyCycles.value).toBeNull();
  });

  it('a cancelled rebuild reads cancelled, live statuses first (Builds and Compare agree)', () => {
    const more = [...runs, run('5', 'c', 'queued', null)];
    expect(compareRows(variants, more)[2].status).toBe('queued');
    const r = compareRows(variants, more, { '5': { status: 'cancelled' } })[2];
    expect(r.status).toBe('cancelled');
    expect(r.figuresFrom?.runId).toBe('4');
    expect(r.figures.latencyCycles.value).toBe(120);
    expect(runStatus(more[4], { '5': { status: 'cancelled' } })).toBe('cancelled');
    expect(runStatus(null)).toBe('not built');
  });

  it('names the part and flags resources over 100 % of it', () => {
    const big = { ...fig(10, 5000, 10), part: 'xc7z020clg400-1', resources: { ...fig(10, 5000, 10).resources, DSP: { used: 5000, percent: 2272.73 } } };
    const r = compareRows([variant('x', 'X')], [run('9', 'x', 'succeeded', { source: 'estimate', estimate: big, csim: { status: 'skipped' }, error: null, buildMs: 1 })])[0];
    expect(r.part).toBe('xc7z020clg400-1');
    expect(r.overPart).toEqual(['DSP']);
    expect(rows[0].overPart).toEqual([]);
    expect(toCsv([r]).split('\n')[1]).toContain('xc7z020clg400-1,DSP');
  });

  it('labels variants by what tells them apart', () => {
    expect(distinctLabels(['ConvTranspose2D_2 parallel RF1 latency', 'ConvTranspose2D_2 parallel RF4 latency', 'ConvTranspose2D_2 stream RF1 latency'])).toEqual(['parallel RF1', 'parallel RF4', 'stream RF1']);
    expect(distinctLabels(['same', 'same'])).toEqual(['same', 'same']);
    expect(distinctLabels(['only one name here'])).toEqual(['only one name here']);
    expect(distinctLabels(['a b', 'a b c'])).toEqual(['a b', 'c']);
  });

  it('deltas against a baseline', () => {
    expect(delta(rows[1], rows[0], 'latencyCycles')).toEqual({ diff: -50, ratio: 0.5 });
    expect(delta(rows[2], rows[0], 'dsp')).toEqual({ diff: 5, ratio: 45 / 40 });
    expect(delta(rows[3], rows[0], 'dsp')).toEqual({ diff: null, ratio: null });
  });

  it('Pareto front of (DSP, latency): the undominated points, sorted by x', () => {
    // A (40, 100), B (80, 50), C (45, 120): C is dominated by A.
    expect(paretoFront(rows, 'dsp', 'latencyCycles')).toEqual([0, 1]);
    // Against a brute-force check on random points.
    const rnd = seededRandom(11);
    const pts: CompareRow[] = Array.from({ length: 40 }, (_, i) => ({
      ...rows[0], variantId: `r${i}`,
      figures: { ...rows[0].figures, dsp: { value: Math.floor(rnd() * 20), source: 'estimate' }, latencyCycles: { value: Math.floor(rnd() * 20), source: 'estimate' } },
    }));
    const front = new Set(paretoFront(pts, 'dsp', 'latencyCycles'));
    pts.forEach((p, i) => {
      const x = p.figures.dsp.value!, y = p.figures.latencyCycles.value!;
      const dominated = pts.some((q) => q.figures.dsp.value! <= x && q.figures.latencyCycles.value! <= y && (q.figures.dsp.value! < x || q.figures.latencyCycles.value! < y));
      expect(front.has(i)).toBe(!dominated);
    });
  });

  it('CSV and JSON exports carry every figure with its source and the deltas', () => {
    const csv = toCsv(rows, 'a');
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^variant,status,csim,output_type,part,does_not_fit,Latency \(cycles\),Latency \(cycles\) source,Latency \(cycles\) delta,/);
    expect(lines[2].startsWith('"B, ""quoted""",succeeded,mismatch,"ap_fixed<8,3>",,,50,measured,-50,')).toBe(true);
    expect(lines[4]).toMatch(/^D \(never built\),not built,-,,,,,,,/);
    const j = JSON.parse(toJson(rows, 'a'));
    expect(j.baseline).toBe('a');
    expect(j.variants[1].figures.latencyCycles).toEqual({ value: 50, source: 'measured' });
    expect(j.figures.map((f: { key: string }) => f.key)).toContain('errRmsLsb');
  });
});

describe('scatter labels', () => {
  it('never overlap each other or a point, stay inside the chart, and drop only when no spot is free', () => {
    const rnd = seededRandom(5);
    for (let trial = 0; trial < 50; trial++) {
      const pts = Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => ({ x: 40 + rnd() * 340, y: 40 + rnd() * 180, width: 20 + rnd() * 70 }));
      const placed = placeLabels(pts, 10, 420, 260);
      const boxes = placed.flatMap((l, i) => (l ? [{ x0: l.x, y0: l.y, x1: l.x + pts[i].width, y1: l.y + 10 }] : []));
      for (const b of boxes) {
        expect(b.x0).toBeGreaterThanOrEqual(0);
        expect(b.x1).toBeLessThanOrEqual(420);
        for (const p of pts) expect(b.x0 < p.x + 5 && p.x - 5 < b.x1 && b.y0 < p.y + 5 && p.y - 5 < b.y1).toBe(false);
      }
      for (let a = 0; a < boxes.length; a++)
        for (let b = a + 1; b < boxes.length; b++) {
          const A = boxes[a], B = boxes[b];
          expect(A.x0 < B.x1 && B.x0 < A.x1 && A.y0 < B.y1 && B.y0 < A.y1).toBe(false);
        }
    }
    // Two points at the same place: the first label takes the right, the second the left; a third one is dropped
    // when the four spots around the same point are all taken.
    const same = placeLabels([{ x: 200, y: 100, width: 40 }, { x: 200, y: 100, width: 40 }, { x: 200, y: 100, width: 40 }, { x: 200, y: 100, width: 40 }, { x: 200, y: 100, width: 40 }], 10, 420, 260);
    expect(same.slice(0, 4).every((l) => l !== null)).toBe(true);
    expect(same[4]).toBeNull();
  });
});
