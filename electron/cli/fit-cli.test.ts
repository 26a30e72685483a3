// `tessera fit`: fits a shipped example to a part (JSON fields as the issue specifies), writes an hls4ml
// configuration that reads back to the same fitting settings, and refuses what cannot fit or a bad part in
// one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runMain } from './cli.testutil';
import { applyHls4mlConfigFile } from './commands/hls4ml';
import { loadModel } from './model-file';
import { defaultHlsConfig } from '../../engine/hls/config';
import { estimateDesign } from '../../engine/estimate/graph';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-fit-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = join(REPO_ROOT, 'projects', 'tiny-autoencoder.tessera');
const DCGAN = join(REPO_ROOT, 'projects', 'dcgan-generator.tessera');

describe('tessera fit', () => {
  it('--json: part, fits, latency, interval and each resource used / available; --out reads back to settings that fit', async () => {
    const out = join(dir, 'tiny.yml');
    const r = await runMain('fit', TINY, '--part', 'xczu3eg-sbva484-1-e', '--io', 'stream', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { part: string; fits: boolean; latency_cycles: number; interval_cycles: number; resources: Record<string, { used: number; available: number }> };
    expect(j.part).toBe('xczu3eg-sbva484-1-e');
    expect(j.fits).toBe(true);
    expect(j.latency_cycles).toBeGreaterThan(0);
    expect(j.interval_cycles).toBeGreaterThan(0);
    expect(Object.keys(j.resources)).toEqual(['dsp', 'lut', 'ff', 'bram_18k']);
    for (const v of Object.values(j.resources)) expect(v.used).toBeLessThanOrEqual(v.available * 0.8);
    const loaded = await loadModel(TINY);
    const cfg = applyHls4mlConfigFile(out, loaded.model, defaultHlsConfig(), 'test');
    const e = estimateDesign(loaded.model, cfg).report!;
    expect(cfg.part).toBe('xczu3eg-sbva484-1-e');
    expect(e.fit.fits).toBe(true);
    expect(e.resources.DSP.used).toBe(j.resources.dsp.used);
  }, 120_000);

  it('a design that cannot fit: exit 1 and one line naming the part and what is over', async () => {
    const r = await runMain('fit', DCGAN, '--part', 'xc7z010-clg400-1', '--io', 'stream');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tessera fit: does not fit xc7z010-clg400-1 even at the largest reuse factors with the Resource strategy: (DSP|LUT|FF|BRAM_18K) \d+ of \d+/);
  }, 300_000);

  it('a missing, malformed or unknown part is a usage error', async () => {
    expect((await runMain('fit', TINY)).code).toBe(2);
    const bad = await runMain('fit', TINY, '--part', 'xc7z020;rm -rf');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--part/);
    const unknown = await runMain('fit', TINY, '--part', 'xcnope1-ff1-1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown to the estimator/);
  });
});
