import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProjectFile } from '../../services/store';
import { createTinyProject } from '../../services/builds/testing';
import type { RunReport } from '../../services/builds/queue';
import type { VariantConfig } from '../../services/builds/variants';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/tessera.mjs');
let dir: string;

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-sweep-'));
  createTinyProject(dir, 'stage').close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tessera sweep / tessera info PROJECT', () => {
  it('writes and builds every valid variant; rejected combinations are reported; the store reads every figure back', () => {
    // upconv: 3 in × 4 out channels, 2×2 kernel, stride 2 → 12 products per phase, valid RF 1,2,3,4,6,12; RF 5 is rejected.
    const r = tessera('sweep', 'stage.tessera', '--layer', 'upconv', '--rf', '1,5', '--io', 'stream,parallel', '--precision', 'ap_fixed<16,6>,ap_fixed<10,4>', '--concurrency', '2');
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.err.match(/^rejected: /gm)?.length).toBe(4); // RF 5 × 2 io × 2 precisions
    expect(r.err).toMatch(/reuse factor divides/);
    expect(r.out).toMatch(/4 variants written, 4 combinations rejected/);
    expect(r.out).toMatch(/4 of 4 builds succeeded/);

    const p = ProjectFile.open(path.join(dir, 'stage.tessera'));
    try {
      const vs = p.listVariants();
      expect(vs).toHaveLength(4);
      const combos = vs.map((v) => {
        const c = v.config as VariantConfig;
        return `${c.io} ${c.layers.upconv.reuseFactor} ${c.layers.upconv.precision?.result_t}`;
      }).sort();
      expect(combos).toEqual([
        'io_parallel 1 ap_fixed<10,4>', 'io_parallel 1 ap_fixed<16,6>', 'io_stream 1 ap_fixed<10,4>', 'io_stream 1 ap_fixed<16,6>',
      ]);
      const runs = p.listBuildRuns();
      expect(runs).toHaveLength(4);
      for (const run of runs) {
        expect(run.status).toBe('succeeded');
        const rep = run.report as RunReport;
        expect(rep.csim.status).toBe('bit-exact');
        expect(rep.estimate!.latency.worst.cycles).toBeGreaterThan(0);
        expect(rep.estimate!.interval.min).toBeGreaterThan(0);
        expect(rep.estimate!.resources.DSP.percent).not.toBeNull();
        expect(rep.error!.rmsLsb).toBeGreaterThan(0);
        expect(run.log).toMatch(/csim: bit-exact/);
      }
      // Narrower types lose more accuracy (in absolute terms).
      const errOf = (prec: string) => Math.max(...runs.filter((r) => (r.config as { variant: VariantConfig }).variant.layers.upconv.precision?.result_t === prec).map((r) => (r.report as RunReport).error!.maxAbs));
      expect(errOf('ap_fixed<10,4>')).toBeGreaterThan(errOf('ap_fixed<16,6>'));
    } finally {
      p.close();
    }

    const info = tessera('info', 'stage.tessera');
    expect(info.code, info.err).toBe(0);
    // The layers with their inferred shapes, as for a model (it printed names and types only).
    expect(info.out).toMatch(/^ {2}x +Input +1×4×4×3 *$/m);
    expect(info.out).toMatch(/^ {2}upconv +ConvTranspose2D +1×8×8×4 +filters=4 kernel=\[2,2\] stride=\[2,2\]/m);
    expect(info.out).toMatch(/^ {2}relu +ReLU +1×8×8×4 *$/m);
    expect(info.out).toMatch(/variants: 4/);
    expect(info.out).toMatch(/upconv stream RF1 ap_fixed<10,4>.*last succeeded: latency \d+ cycles/);
  });

  it('one-line errors: unknown layer, bad flag values', () => {
    const a = tessera('sweep', 'stage.tessera', '--layer', 'nope', '--rf', '1');
    expect(a.code).toBe(1);
    expect(a.err.trim()).toBe('tessera sweep: no layer named "nope" in the design; the layers are upconv, relu');
    const b = tessera('sweep', 'stage.tessera', '--io', 'sideways');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--io takes stream and\/or parallel, got "sideways"/);
    const c = tessera('sweep', 'stage.tessera', '--layer', 'upconv', '--precision', 'ap_fixd<4,2>');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--precision "ap_fixd<4,2>"/);
  });
});
