// A model ~50× the DCGAN example's multiply-accumulates (bench/models.ts: 4-level 2D U-Net on 128×128×3): the
// preview splits it across two workers, a burst of edits cancels stale work and shows the latest edit's
// result (the same numbers as a fresh run), and an edit near the end re-runs only the last part.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { burst, expect, serveInfo, test } from './fixtures';

const root = fileURLToPath(new URL('..', import.meta.url));

async function select(page: Page, name: string): Promise<void> {
  await page.getByTestId(`node-${name}`).dispatchEvent('click');
  await expect(page.getByTestId('field-name')).toHaveValue(name);
}

const status = (page: Page) => page.getByTestId('preview-status');

test('a 2D U-Net preview runs in two workers; a burst of edits shows the latest, re-running only the edited part on', async ({ app: page, tesseraHost }) => {
  test.skip(tesseraHost === 'electron', 'the model is opened from the page address (serve mode)');
  test.setTimeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-unet-'));
  const r = spawnSync(process.execPath, ['bin/run-ts.mjs', 'bench/models.ts', dir], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const file = path.join(dir, 'unet2d-128.tessera');

  await page.goto(`${(await serveInfo()).url}&previewWorkers=2&project=${encodeURIComponent(file)}`);
  await expect(page.getByTestId('node-dec1_bn')).toBeAttached({ timeout: 60_000 });
  await expect(status(page)).toHaveText(/ms$/, { timeout: 120_000 });
  await expect(status(page)).toHaveAttribute('data-parts', '2');
  await expect(status(page)).toHaveAttribute('data-parts-run', '2');

  // A burst of epsilon edits on a batch normalization of the last part, faster than a run.
  await select(page, 'dec1_bn');
  const cancelledBefore = Number(await status(page).getAttribute('data-cancelled'));
  await burst(page, 'epsilon', ['0.5', '2', '0.01', '7', '0.25'], [0, 5, 0, 5, 0]);
  await expect(status(page)).toHaveText(/ms$/, { timeout: 120_000 });
  await expect(page.getByTestId('field-epsilon')).toHaveValue('0.25');
  expect(Number(await status(page).getAttribute('data-cancelled'))).toBeGreaterThan(cancelledBefore);
  // The first part's results still held: only the part holding dec1_bn ran.
  await expect(status(page)).toHaveAttribute('data-parts-run', '1');
  const shown = await page.getByTestId('tensor-stats').textContent();
  expect(shown).toMatch(/min .* max .* mean/);

  // A fresh run of the same document (both parts) gives the same numbers.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status(page)).toHaveText(/ms$/, { timeout: 120_000 });
  await expect(status(page)).toHaveAttribute('data-parts-run', '2');
  await expect(page.getByTestId('tensor-stats')).toHaveText(shown!);
  fs.rmSync(dir, { recursive: true, force: true });
});
