// The preview starts at once after each edit and cancels stale runs: after a burst of edits faster
// than a run, what it shows is the result of the last edit — the same numbers as a fresh run.
import type { Page } from '@playwright/test';
import { burst, connect, dragOp, expect, newProject, nodes, selectNode, test } from './fixtures';

const stats = (page: Page) => page.getByTestId('tensor-stats').textContent();

test('the preview shows the result of the latest edit after a burst of edits', async ({ app: page }) => {
  await newProject(page, `latest-${Date.now().toString(36)}`);
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await expect(nodes(page)).toHaveCount(2);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('preview-status')).toHaveText(/ms$/);

  // Filters 3…9 then 5, a few ms apart (runs overlap and are cancelled); kernel last.
  const filters = ['3', '7', '4', '9', '6', '8', '5'];
  await burst(page, 'filters', filters, [0, 3, 1, 7, 0, 2, 0]);
  await burst(page, 'kernel', ['2, 2', '4, 4', '5, 3'], [1, 0, 0]);
  // 16×16 input, kernel 5×3, stride 1: 20×18, 5 channels.
  await expect(page.getByTestId('preview-status')).toHaveText(/ms$/);
  await expect(page.getByTestId('tensor-view')).toContainText('5 channels, 20×18 each');
  const shown = await stats(page);
  expect(shown).toMatch(/min .* max .* mean/);

  // A fresh run of the same document gives the same numbers.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('preview-status')).toHaveText(/ms$/);
  expect(await stats(page)).toBe(shown);

  // New weights (zeros), then a burst of edits that keeps them: the preview uses them (all zeros).
  await page.getByTestId('init-scheme').selectOption('zeros');
  await page.getByTestId('init-weights').click();
  await expect(page.getByTestId('tensor-stats')).toHaveText('min 0.000 · max 0.000 · mean 0.000');
  await burst(page, 'name', ['up_a', 'up_b', 'up_c'], [0, 2, 0]);
  await expect(page.getByTestId('preview-status')).toHaveText(/ms$/);
  await expect(page.getByTestId('tensor-stats')).toHaveText('min 0.000 · max 0.000 · mean 0.000');
  // Other weights again (He): the next edits' runs use those.
  await page.getByTestId('init-scheme').selectOption('he');
  await page.getByTestId('init-weights').click();
  await burst(page, 'name', ['up_d', 'up_e'], [1, 0]);
  await expect(page.getByTestId('preview-status')).toHaveText(/ms$/);
  await expect(page.getByTestId('tensor-stats')).not.toHaveText('min 0.000 · max 0.000 · mean 0.000');
  const he = await stats(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('preview-status')).toHaveText(/ms$/);
  expect(await stats(page)).toBe(he);
});
