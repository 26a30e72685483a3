// The app's fit action (variants.fit) through the API on a real project file: fits / does not fit with what
// is over, apply stores the fitted variant and the target part in the project (a later fit replaces it), bad
// parts are refused at the boundary, and builds follow the target part and the FIFO setting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppServices } from '../../api/services';
import { ProjectFile, emptyDocument, resolveAppDirs, weightsFromEngine } from '../store';
import { weightsToEngine } from '../store/tensors';
import { convCaseModel } from '../../../engine/hls/conv-cases';
import { estimateDesign } from '../../../engine/estimate/graph';
import { partResources } from '../../../engine/estimate/report';
import { FIT_MARGIN } from '../../../engine/estimate/fit';
import { hlsConfigOf, withProjectPrecisions, type VariantConfig } from './variants';
import { variantBuildSpec } from './queue';
import { createTinyProject } from './testing';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TINY_AE = path.join(ROOT, 'projects', 'tiny-autoencoder.tessera');
const ZU3EG = 'xczu3eg-sbva484-1-e'; // the tiny autoencoder's shipped target part
const Z020 = 'xc7z020-clg400-1';

let dir: string;
let services: AppServices;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-fit-api-'));
  fs.mkdirSync(path.join(dir, 'projects'));
  services = new AppServices({
    mode: 'serve',
    dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }),
    examplesDir: path.join(dir, 'examples'),
    version: '0.0.0',
  });
});
afterEach(() => {
  services.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openCopy(src: string): Promise<{ projectId: string; file: string }> {
  const file = path.join(dir, 'projects', path.basename(src));
  fs.copyFileSync(src, file);
  const { projectId } = await services.invoke('project.open', { path: file });
  return { projectId, file };
}

describe('variants.fit', () => {
  it('fits the tiny autoencoder to a Zynq-7020; apply stores the variant and the target part; a second apply replaces it', async () => {
    const { projectId, file } = await openCopy(TINY_AE);
    const shipped = (await services.invoke('variants.list', { projectId })).items.map((v) => v.name);
    expect(shipped).toEqual([`fit ${ZU3EG} stream`]);
    const dry = await services.invoke('variants.fit', { projectId, part: Z020, io: 'io_stream' });
    expect(dry.fit.fits).toBe(true);
    expect(dry.fit.over).toEqual([]);
    expect(dry.variant).toBeNull();
    expect(dry.settingsPart).toBe(ZU3EG); // nothing applied
    expect((await services.invoke('variants.list', { projectId })).items.map((v) => v.name)).toEqual(shipped);
    expect(dry.fit.summary.part).toBe(Z020);
    expect(dry.fit.summary.resources.dsp.available).toBe(partResources(Z020)!.DSP);
    expect(Object.keys(dry.fit.layers).length).toBeGreaterThan(0);

    const applied = await services.invoke('variants.fit', { projectId, part: Z020, io: 'io_stream', apply: true });
    expect(applied.variant?.name).toBe(`fit ${Z020} stream`);
    expect(applied.variant?.config).toMatchObject({ io: 'io_stream', scope: null, part: Z020, layers: dry.fit.layers });
    expect(applied.settingsPart).toBe(Z020);
    expect((await services.invoke('settings.get', { projectId })).part).toBe(Z020);
    const again = await services.invoke('variants.fit', { projectId, part: Z020, io: 'io_stream', apply: true });
    expect(again.variant?.id).toBe(applied.variant?.id);
    expect((await services.invoke('variants.list', { projectId })).items.map((v) => v.name)).toEqual([...shipped, `fit ${Z020} stream`]);

    // The stored variant, built as the queue builds it, is within the budget of the part by the estimate.
    await services.invoke('project.close', { projectId });
    const p = ProjectFile.open(file);
    try {
      const doc = p.load();
      expect(doc.settings.part).toBe(Z020);
      const v = p.listVariants().find((x) => x.name === `fit ${Z020} stream`)!;
      const spec = variantBuildSpec(doc, { variantName: v.name, variant: v.config as VariantConfig, csim: false }, path.join(dir, 'b'), { vendor: false });
      expect(spec.config.part).toBe(Z020);
      const e = estimateDesign(spec.model, spec.config).report!;
      for (const k of ['DSP', 'LUT', 'FF', 'BRAM_18K'] as const) expect(e.resources[k].used!).toBeLessThanOrEqual(partResources(Z020)![k] * FIT_MARGIN);
      expect(e.resources.DSP.used).toBe(dry.fit.summary.resources.dsp.used);
    } finally {
      p.close();
    }
  }, 120_000);

  it('a design that cannot fit: which resource is over and by how much; apply stores nothing', async () => {
    const m = convCaseModel({ name: 'huge', op: 'Conv2D', size: [64, 64], cin: 512, cout: 512, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_stream' }, 1);
    const doc = emptyDocument();
    doc.graph = m.graph;
    doc.weights = weightsFromEngine(m.weights, (_n, slot) => (slot === 'weight' ? 'OIHW' : 'O'));
    ProjectFile.create(path.join(dir, 'projects', 'huge.tessera'), { name: 'huge', doc }).close();
    const { projectId } = await services.invoke('project.open', { path: path.join(dir, 'projects', 'huge.tessera') });
    const r = await services.invoke('variants.fit', { projectId, part: 'xc7a35t-cpg236-1', io: 'io_stream', apply: true });
    expect(r.fit.fits).toBe(false);
    expect(r.variant).toBeNull();
    expect(r.settingsPart).toBeNull();
    expect(r.fit.over.length).toBeGreaterThan(0);
    for (const o of r.fit.over) {
      expect(o.used).toBeGreaterThan(o.budget);
      expect(o.budget).toBe(Math.floor(partResources('xc7a35t')![o.resource] * FIT_MARGIN));
    }
    expect(r.fit.error).toMatch(/^does not fit xc7a35t-cpg236-1 even at the largest reuse factors/);
    expect((await services.invoke('variants.list', { projectId })).items).toHaveLength(0);
  }, 120_000);

  it('parts are checked at the boundary: the allow-list, then a device the estimator knows', async () => {
    createTinyProject(path.join(dir, 'projects'), 'p').close();
    const { projectId } = await services.invoke('project.open', { path: path.join(dir, 'projects', 'p.tessera') });
    for (const part of ['xc7z020;rm -rf ~', 'xcnope1-ff1-1', '']) {
      const e = await services.invoke('variants.fit', { projectId, part, io: 'io_parallel' }).catch((x: unknown) => x as { code: string; message: string });
      expect(e).toMatchObject({ code: 'bad-request' });
    }
    const bad = await services.invoke('settings.set', { projectId, patch: { part: 'xc7z020 $(id)' } }).catch((x: unknown) => x as { code: string });
    expect(bad).toMatchObject({ code: 'bad-request' });
    const fifo = await services.invoke('builds.start', { projectId, variantIds: ['x'], fifo: 'huge' as 'safe' }).catch((x: unknown) => x as { code: string });
    expect(fifo).toMatchObject({ code: 'bad-request' });
  });
});

describe('builds follow the project', () => {
  it("a variant without a part builds for the project's target part; fifo 'safe' reaches an io_stream build only", () => {
    const p = createTinyProject(dir, 't');
    try {
      p.setSettings({ ...p.loadSettings(), part: ZU3EG });
      const doc = p.load();
      const stream: VariantConfig = { io: 'io_stream', scope: null, defaults: {}, layers: {} };
      const s = variantBuildSpec(doc, { variantName: 'v', variant: stream, csim: false, fifo: 'safe' }, path.join(dir, 'b'), { vendor: false });
      expect(s.config.part).toBe(ZU3EG);
      expect(s.fifo).toBe('safe');
      const own = variantBuildSpec(doc, { variantName: 'v', variant: { ...stream, part: 'xc7z020-clg400-1' }, csim: false }, path.join(dir, 'b'), { vendor: false });
      expect(own.config.part).toBe('xc7z020-clg400-1');
      expect(own.fifo).toBeUndefined();
      const parallel = variantBuildSpec(doc, { variantName: 'v', variant: { ...stream, io: 'io_parallel' }, csim: false, fifo: 'safe' }, path.join(dir, 'b'), { vendor: false });
      expect(parallel.fifo).toBeUndefined();
      // the variant alone names no part: the project's comes in at variantBuildSpec
      expect(hlsConfigOf(withProjectPrecisions(stream, doc.graph, doc.settings), 2, { graph: doc.graph, weights: weightsToEngine(doc.weights) }).part).not.toBe(ZU3EG);
    } finally {
      p.close();
    }
  });
});
