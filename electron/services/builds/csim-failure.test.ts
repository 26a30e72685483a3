// A build whose C simulation fails still stores the estimate and the error vs float (neither depends on
// the C simulation), so the compare view keeps its resource and latency figures; the run is 'failed' with
// the C simulation's message. Real g++, really failing (-Werror=unknown-pragmas turns the HLS pragmas g++ ignores into errors).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildQueue, type RunReport, type RunArtifacts } from './queue';
import { createTinyProject } from './testing';
import { defaultVariantConfig } from './variants';
import { compareRows } from '../../../renderer/compare/figures';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-builds-csimfail-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a build whose C simulation fails', () => {
  it('is failed with the compiler message, and still stores the estimate, the error vs float and estimate.json', async () => {
    const p = createTinyProject(dir, 'csimfail', 7);
    try {
      p.putVariant({ id: 'bad', name: 'upconv RF2 bad flag', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 2 } }, cxxFlags: ['-Werror=unknown-pragmas'] }) });
      p.putVariant({ id: 'ok', name: 'upconv RF2', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 2 } } }) });
      const q = new BuildQueue({ project: p, concurrency: 1 });
      q.enqueue(['bad', 'ok']);
      await q.idle();
      const runs = p.listBuildRuns();
      const bad = runs.find((r) => r.variantId === 'bad')!;
      const ok = runs.find((r) => r.variantId === 'ok')!;
      expect(ok.status, ok.log).toBe('succeeded');
      expect(bad.status, bad.log).toBe('failed');
      const rep = bad.report as RunReport;
      const good = ok.report as RunReport;
      // The failure, with the compiler's own words.
      expect(rep.failure).toMatch(/^C simulation failed/);
      expect(rep.failure).toContain('-Werror=unknown-pragmas');
      expect(rep.csim.status).toBe('failed');
      expect(bad.log).toContain('the estimate and the error vs float still follow');
      expect(rep.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['codegen:ok', 'csim:failed', 'estimate:ok', 'error:ok']);
      // The estimate is there, and it is the same design's estimate as the passing build of the same choices.
      expect(rep.source).toBe('estimate');
      expect(rep.estimate).not.toBeNull();
      expect(rep.estimate!.latency.worst.cycles).toBeGreaterThan(0);
      expect(rep.estimate!.resources.DSP.used).toBe(good.estimate!.resources.DSP.used);
      expect(rep.estimate!.latency.worst.cycles).toBe(good.estimate!.latency.worst.cycles);
      expect(rep.error).not.toBeNull();
      expect(rep.error!.maxLsb).toBe(good.error!.maxLsb);
      const art = bad.artifacts as RunArtifacts;
      expect(art.files).toContain('estimate.json');
      expect(JSON.parse(fs.readFileSync(path.join(art.dir, 'estimate.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(rep.estimate)));
      const onDisk = JSON.parse(fs.readFileSync(path.join(art.dir, 'tessera-run.json'), 'utf8')) as { status: string; report: RunReport };
      expect(onDisk.status).toBe('failed');
      expect(onDisk.report.estimate).not.toBeNull();
      // The compare view's row for the failed variant has figures, marked as estimates.
      const variants = p.listVariants().map((v) => ({ id: v.id, name: v.name, config: v.config as never, problems: [], createdAt: v.createdAt, updatedAt: v.updatedAt }));
      const row = compareRows(variants, runs.map((r) => ({ ...r, log: r.log })))[variants.findIndex((v) => v.id === 'bad')];
      expect(row.status).toBe('failed');
      expect(row.csim).toBe('failed');
      expect(row.figures.latencyCycles).toEqual({ value: good.estimate!.latency.worst.cycles, source: 'estimate' });
      expect(row.figures.dsp.value).toBe(good.estimate!.resources.DSP.used);
      expect(row.figures.errMaxLsb.source).toBe('estimate'); // not confirmed by a C simulation
    } finally {
      p.close();
    }
  });
});
