// What the csim end-to-end tests share: a compact way to write small graphs ([id, type, params, input ids])
// and the generate → g++ → compare-with-the-engine check.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../../engine/graph/model';
import type { Tensor } from '../../../engine/tensor/tensor';
import type { HlsConfig } from '../../../engine/hls/config';
import { generateProject } from '../../../engine/hls/generate';
import { readExpected, readResults, readTemplates, runManyCsim, writeFiles } from './csim';
import { checkProjects, formatFindings } from '../hls-check/check';


import { graphModel, type GraphRow } from '../hls-check/matrix';

export { graphModel, type GraphRow };

/** A Conv / ConvTranspose row's parameters (NCX, square kernel k, stride s, pads p at both ends). */
export const convParams = (filters: number, k: number, s: number, p: number, extra: Record<string, unknown> = {}) => ({
  filters, kernel: [k, k], stride: [s, s], dilation: [1, 1], padsBegin: [p, p], padsEnd: [p, p], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit', ...extra,
});

/**
 * The U-Net stage of the csim and FIFO-depth tests (NCX, 3 channels in, H×W):
 * Conv → ReLU ─┬→ MaxPool → Conv → ReLU → ConvT k2 s2 → Concat(·, skip) → Conv → ReLU.
 */
export function unetStageModel(rnd: (shape: number[]) => Tensor, H = 8, W = 6): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, H, W], dataFormat: 'NCX' }, []],
      ['c1', 'Conv2D', convParams(4, 3, 1, 1), ['x']],
      ['r1', 'ReLU', {}, ['c1']],
      ['pool', 'MaxPool', { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false }, ['r1']],
      ['c2', 'Conv2D', convParams(6, 3, 1, 1), ['pool']],
      ['r2', 'ReLU', {}, ['c2']],
      ['up', 'ConvTranspose2D', convParams(4, 2, 2, 0, { outputPadding: [0, 0] }), ['r2']],
      ['cat', 'Concatenate', { axis: 1 }, ['up', 'r1']],
      ['c3', 'Conv2D', convParams(2, 3, 1, 1), ['cat']],
      ['out', 'ReLU', {}, ['c3']],
    ],
    {
      c1: { weight: rnd([4, 3, 3, 3]), bias: rnd([4]) },
      c2: { weight: rnd([6, 4, 3, 3]), bias: rnd([6]) },
      up: { weight: rnd([6, 4, 2, 2]), bias: rnd([4]) },
      c3: { weight: rnd([2, 8, 3, 3]), bias: rnd([2]) },
    },
  );
}

export interface CsimProject {
  top: string;
  model: Model;
  cfg: HlsConfig;
}

export type Generated = ReturnType<typeof generateProject>;

/**
 * The end-to-end check of a csim suite, called inside its describe: before the tests, every project is
 * generated into one temporary folder (prefix `tmpPrefix`) and all are compiled and run with g++ in one
 * program (runManyCsim); then one test per project: its C simulation equals the engine's fixed-point
 * outputs bit for bit on its cfg.testImages images, which hold more than `distinct` distinct values; and the
 * static check of generated code (electron/services/hls-check) finds nothing in any of them.
 * `generated` sees each generated project first (extra checks). Returns the generated projects by top,
 * filled before the tests run.
 */
export function csimMatchesEngine(tmpPrefix: string, projects: CsimProject[], opts: { distinct: number; generated?: (g: Generated) => void }): Record<string, Generated> {
  const gens: Record<string, Generated> = {};
  let root = '';
  let run: Awaited<ReturnType<typeof runManyCsim>>;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), tmpPrefix));
    const templates = readTemplates();
    for (const p of projects) {
      const g = generateProject({ model: p.model, config: p.cfg, templates });
      if (!g.files) throw new Error(`${p.top}: ${g.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join(' ')}`);
      opts.generated?.(g);
      gens[p.top] = g;
      writeFiles(join(root, p.top), g.files);
    }
    run = await runManyCsim(root, projects.map((p) => p.top), { timeoutMs: 300_000 });
  }, 320_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  it('the static check of the generated code finds nothing (electron/services/hls-check)', async () => {
    const r = await checkProjects(projects.map((p) => join(root, p.top)));
    expect(r.findings, formatFindings(r)).toEqual([]);
  });
  it.each(projects.map((p) => [p.top, p.cfg.testImages] as const))('%s matches the engine on %i images', (top, images) => {
    if (!run.ok) console.error(run.log.slice(-3000));
    expect(run.ok).toBe(true);
    const got = readResults(join(root, top));
    const want = readExpected(join(root, top));
    expect(got.length).toBe(images);
    expect(new Set(want.flat()).size).toBeGreaterThan(opts.distinct);
    expect(got).toEqual(want);
  });
  return gens;
}
