// `tessera fit`: fits a shipped example to a part (JSON fields as the issue specifies), writes an hls4ml
// configuration that reads back to the same fitting settings, and refuses what cannot fit or a bad part in
// one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runMain } from './cli.testutil';
import { applyHls4mlConfigFile } from './commands/hls4ml';
import { loadModel } from './model-file';
import { defaultHlsConfig } from '../../engine/hls/config';
import { estimateDesign } from '../../engine/estimate/graph';
import { ProjectFile } from '../services/store';
import { variantBuildSpec } from '../services/builds/queue';
import type { VariantConfig } from '../services/builds/variants';
import { partResources } from '../../engine/estimate/report';

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

  it('--write stores the fit in the project (variant + target part, the real SQLite store); without --write the project is only read', async () => {
    const file = join(dir, 'tiny-write.tessera');
    copyFileSync(TINY, file);
    const before = readFileSync(file);
    const dry = await runMain('fit', file, '--part', 'xczu3eg-sbva484-1-e', '--io', 'stream', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(readFileSync(file).equals(before)).toBe(true);
    // the shipped example is fitted to xczu3eg; fitted here to a Zynq-7020
    const r = await runMain('fit', file, '--part', 'xc7z020-clg400-1', '--io', 'stream', '--write');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^fits xc7z020-clg400-1 \(io_stream, estimate\)/);
    expect(r.stdout).toContain('variant "fit xc7z020-clg400-1 stream" holds the fitted settings; target part xc7z020-clg400-1');
    const again = await runMain('fit', file, '--part', 'xc7z020-clg400-1', '--io', 'stream', '--write', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).written).toEqual({ variant: 'fit xc7z020-clg400-1 stream', part: 'xc7z020-clg400-1' });
    const p = ProjectFile.open(file);
    try {
      const doc = p.load();
      expect(doc.settings.part).toBe('xc7z020-clg400-1');
      const vs = p.listVariants();
      expect(vs.map((v) => v.name)).toEqual(['fit xczu3eg-sbva484-1-e stream', 'fit xc7z020-clg400-1 stream']); // replaced, not added twice
      const spec = variantBuildSpec(doc, { variantName: vs[1].name, variant: vs[1].config as VariantConfig, csim: false }, join(dir, 'b'), { vendor: false });
      const e = estimateDesign(spec.model, spec.config).report!;
      const part = partResources('xc7z020')!;
      for (const k of ['DSP', 'LUT', 'FF', 'BRAM_18K'] as const) expect(e.resources[k].used!).toBeLessThanOrEqual(part[k] * 0.8);
      expect(e.resources.DSP.used).toBe(JSON.parse(again.stdout).resources.dsp.used);
    } finally {
      p.close();
    }
  }, 120_000);

  it('--write: nothing written when it does not fit; a model file, --out or --hls4ml-config with it are usage errors', async () => {
    const file = join(dir, 'unet-write.tessera');
    copyFileSync(join(REPO_ROOT, 'projects', 'unet-decoder-stage.tessera'), file);
    const r = await runMain('fit', file, '--part', 'xc7a35t-cpg236-1', '--io', 'stream', '--write');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tessera fit: does not fit xc7a35t-cpg236-1 .*; nothing written to /);
    const p = ProjectFile.open(file);
    try {
      expect(p.listVariants().map((v) => v.name)).toEqual(['fit xcvu13p-flga2577-2-e stream']); // the shipped one only
      expect(p.loadSettings().part).toBe('xcvu13p-flga2577-2-e');
    } finally {
      p.close();
    }
    expect((await runMain('fit', join(REPO_ROOT, 'test-data', 'nope.onnx'), '--part', 'xczu3eg-sbva484-1-e', '--write')).code).toBe(2);
    expect((await runMain('fit', file, '--part', 'xczu3eg-sbva484-1-e', '--write', '--out', join(dir, 'x.yml'))).code).toBe(2);
    expect((await runMain('fit', file, '--part', 'xczu3eg-sbva484-1-e', '--write', '--hls4ml-config', join(dir, 'x.yml'))).code).toBe(2);
  }, 120_000);
});
