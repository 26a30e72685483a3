// The project's per-layer precisions (settings.ui.layerPrecision, by node id — set in the inspector or
// by importing a quantized model) are the base of every built variant's per-layer config; the variant's
// own choices win.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildQueue, type RunReport } from './queue';
import { createTinyProject, tinyModel } from './testing';
import { defaultVariantConfig, hlsConfigOf, withStoredPrecisions } from './variants';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-builds-prec-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('stored per-layer precisions in builds', () => {
  it('become the base of the layers by name; the variant (layer or design-wide) wins per field; unknown ids and junk are ignored', () => {
    const { graph } = tinyModel();
    const ui = { zoom: 2, layerPrecision: { layer: { weight_t: 'ap_fixed<7,2>', result_t: 'ap_fixed<13,6>', bias_t: 'ap_fixed<11,4>' }, act: { result_t: 'ap_fixed<10,4>' }, gone: { result_t: 'ap_fixed<4,2>' }, x: 'junk' } };
    const v = defaultVariantConfig({ scope: 'upconv', defaults: { precision: { bias_t: 'ap_fixed<9,5>' } }, layers: { upconv: { reuseFactor: 2, precision: { weight_t: 'ap_fixed<9,3>' } } } });
    const w = withStoredPrecisions(v, graph, ui);
    expect(w.layers).toEqual({
      upconv: { reuseFactor: 2, precision: { result_t: 'ap_fixed<13,6>', weight_t: 'ap_fixed<9,3>' } },
      relu: { precision: { result_t: 'ap_fixed<10,4>' } },
    });
    expect(v.layers.relu).toBeUndefined(); // the stored variant is not changed
    expect(hlsConfigOf(w).layers.relu.precision?.result_t).toBe('ap_fixed<10,4>');
    expect(withStoredPrecisions(v, graph, { zoom: 2 })).toBe(v);
    expect(withStoredPrecisions(v, graph, undefined)).toBe(v);
  });

  it('a stored layer precision reaches the generated project of a built variant', async () => {
    const p = createTinyProject(dir);
    try {
      const s = p.loadSettings();
      p.setSettings({ ...s, ui: { ...s.ui, layerPrecision: { layer: { weight_t: 'ap_fixed<7,2>', result_t: 'ap_fixed<13,6>' }, act: { result_t: 'ap_fixed<10,4>' } } } });
      p.putVariant({ id: 'v', name: 'upconv wide', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { precision: { result_t: 'ap_fixed<15,7>' } } } }) });
      const q = new BuildQueue({ project: p, concurrency: 1 });
      q.enqueue(['v'], { csim: false });
      await q.idle();
      const run = p.listBuildRuns()[0];
      expect(run.status, run.log).toBe('succeeded');
      expect((run.report as RunReport).estimate).toBeTruthy();
      const out = (run.artifacts as { dir: string }).dir;
      const json = JSON.parse(fs.readFileSync(path.join(out, 'tessera.json'), 'utf8')) as { layers: { name: string; result_t: string }[] };
      const byName = Object.fromEntries(json.layers.map((l) => [l.name, l.result_t]));
      expect(byName.upconv).toMatch(/^ap_fixed<15,7[,>]/); // the variant's own choice wins
      expect(byName.relu).toMatch(/^ap_fixed<10,4[,>]/); // stored
      const wfile = fs.readdirSync(path.join(out, 'firmware/weights')).find((f) => f.startsWith('w'))!;
      expect(fs.readFileSync(path.join(out, 'firmware/weights', wfile), 'utf8').split('\n')[0]).toMatch(/values of ap_fixed<7,2[,>]/); // stored
    } finally {
      p.close();
    }
  });
});
