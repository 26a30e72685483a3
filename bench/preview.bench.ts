// Whole-model preview in the real renderer (Chromium against `tessera serve`, as bench/canvas.bench.ts):
// float and fixed-point (ap_fixed<16,6>) preview times of the DCGAN example and the large models of
// bench/models.ts (2D U-Net ~52× DCGAN's multiply-accumulates, hls4ml issue 860's 1D U-Net), with the model
// in one worker and split across two (and four where the machine has the cores), side by side; and the
// time after an edit near the end of the 2D U-Net (the earlier parts' results still hold).
// Times are the status line's: from the run's start to every result back in the page. Medians of RUNS
// fresh runs (the Run button) after one warm-up. `npm run bench -- preview`; TESSERA_BENCH_SKIP_BUILD=1
// reuses the last renderer build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { BenchSuite } from './harness';
import { median, printTextTable, startBrowserBench } from './canvas.bench';
import { unet1d, unet2d, writeProject } from './models';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 5;

const status = (page: Page) => page.getByTestId('preview-status');

/** The status line's time of the next finished run (it reads `… ms` when done). */
async function nextRun(page: Page, trigger: () => Promise<void>): Promise<number> {
  const before = await page.evaluate(() => document.querySelector('[data-testid="preview-status"]')!.textContent);
  await trigger();
  await page.waitForFunction((prev) => {
    const t = document.querySelector('[data-testid="preview-status"]')!.textContent ?? '';
    return /ms$/.test(t) && t !== prev;
  }, before, { timeout: 600_000, polling: 20 }).catch(async () => {
    // The same time twice in a row (to 0.1 ms): wait for "running…" to come and go instead.
    await status(page).filter({ hasText: /ms$/ }).waitFor({ timeout: 600_000 });
  });
  return Number.parseFloat((await status(page).textContent()) ?? 'NaN');
}

async function open(page: Page, url: string, file: string, workers: number, fixed: boolean): Promise<void> {
  await page.goto(`${url}&previewWorkers=${workers}&project=${encodeURIComponent(file)}`);
  await status(page).filter({ hasText: /ms$/ }).waitFor({ timeout: 600_000 });
  if (fixed) await nextRun(page, () => page.getByTestId('preview-fixed').check());
}

async function freshRuns(page: Page): Promise<{ ms: number; parts: number }> {
  const run = () => page.getByRole('button', { name: 'Run', exact: true }).click();
  await nextRun(page, run);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await nextRun(page, run));
  return { ms: median(times), parts: Number(await status(page).getAttribute('data-parts')) };
}

/** Times a burst-free edit of `field` on `node` (alternating values); the parts that ran. */
async function editRuns(page: Page, node: string, field: string, values: string[]): Promise<{ ms: number; partsRun: number }> {
  await page.getByTestId(`node-${node}`).dispatchEvent('click');
  await page.getByTestId('field-name').waitFor();
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const ms = await nextRun(page, async () => {
      const f = page.getByTestId(`field-${field}`);
      await f.fill(values[i % values.length]);
    });
    if (i > 0) times.push(ms);
  }
  return { ms: median(times), partsRun: Number(await status(page).getAttribute('data-parts-run')) };
}

export const previewBench: BenchSuite = {
  name: 'preview',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-preview-'));
    const models = [unet2d(), unet1d()];
    const files: [string, string, number][] = [['DCGAN example', path.join(root, 'projects', 'dcgan-generator.tessera'), 27e6]];
    for (const m of models) {
      const f = path.join(dir, `${m.id}.tessera`);
      writeProject(m, f);
      files.push([m.title, f, m.macs]);
    }
    const { url, browser, close } = await startBrowserBench();
    const workerCounts = [1, 2, ...(os.cpus().length >= 4 ? [4] : [])];
    const rows: string[][] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
      for (const [title, file, macs] of files) {
        for (const fixed of [false, true]) {
          const cells: string[] = [];
          let one = NaN;
          for (const workers of workerCounts) {
            // Each project is copied: opening it in the app may save it.
            const copy = path.join(dir, `open-${workers}-${fixed ? 'x' : 'f'}-${path.basename(file)}`);
            fs.copyFileSync(file, copy);
            await open(page, url, copy, workers, fixed);
            const r = await freshRuns(page);
            if (workers === 1) one = r.ms;
            cells.push(`${workers} worker${workers > 1 ? 's' : ''}: ${r.ms.toFixed(0)} ms (${r.parts} part${r.parts > 1 ? 's' : ''}${workers > 1 ? `, ×${(one / r.ms).toFixed(2)}` : ''})`);
            if (title.startsWith('2D U-Net') && workers === workerCounts[workerCounts.length - 1]) {
              const e = await editRuns(page, 'dec1_bn', 'epsilon', ['0.01', '0.02']);
              cells.push(`edit of dec1_bn: ${e.ms.toFixed(0)} ms (${e.partsRun} part${e.partsRun > 1 ? 's' : ''} ran)`);
            }
          }
          rows.push([`${title} (${(macs / 1e6).toFixed(0)} M MACs)`, fixed ? 'float + fixed' : 'float', cells.join(' · ')]);
        }
      }
      printTextTable(`Preview (Chromium ${browser.version()}, serve mode; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; medians of ${RUNS} runs)`, ['model', 'preview', 'time per run'], rows);
    } finally {
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
