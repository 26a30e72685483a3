// Builds that answer at once and are never queued twice, Builds and Compare that agree about a cancelled
// build, and a Compare view that names the part, says when a design does not fit and labels every point
// (issue 13, items 3, 4 and 10). A design made on the canvas, small enough that its builds take seconds.
import type { Page } from '@playwright/test';
import { connect, dragOp, expect, newProject, selectNode, setField, test } from './fixtures';

const unique = (stem: string) => `${stem}-${Date.now().toString(36)}`;
const row = (page: Page, name: string) => page.locator(`[data-testid="variant-row"][data-variant="${name}"]`);

/** Input 16×16×64 → ConvTranspose2D 64 filters 3×3: RF 1 needs 36,864 multipliers, more DSPs than the part has. */
async function design(page: Page, name: string): Promise<void> {
  await newProject(page, unique(name));
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await selectNode(page, 'Input_1');
  await setField(page, 'shape', '1, 16, 16, 64');
  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'filters', '64');
  await expect(page.getByTestId('edge-shape')).toHaveText(/1×16×16×64/);
}

/** Sweeps the ConvTranspose's reuse factor over io_parallel into automatically named variants. */
async function sweep(page: Page, rfs: string): Promise<void> {
  await page.getByTestId('tool-view.builds').click();
  await expect(page.getByTestId('builds-panel')).toBeVisible();
  await page.getByTestId('variant-layer').selectOption('ConvTranspose2D_1');
  await page.getByTestId('sweep-rf').fill(rfs);
  await page.getByTestId('sweep-io').fill('io_parallel');
  await page.getByTestId('sweep-run').click();
}

test('Build all answers at once and never queues a variant twice; Builds and Compare agree on a cancelled build (items 3, 4)', async ({ app: page }) => {
  test.setTimeout(180_000);
  await design(page, 'build-all');
  await sweep(page, '1, 4');
  await expect(page.getByTestId('variant-row')).toHaveCount(2);
  await page.getByTestId('build-csim').uncheck();
  // A double click (the user who saw nothing happen clicks again).
  await page.getByTestId('build-all').dblclick();
  // At once: every variant queued or running, the button waits (it used to answer after 2.5–5 s).
  for (const r of await page.getByTestId('variant-row').all()) {
    await expect(r.getByTestId('variant-status')).toHaveText(/queued|running|succeeded/, { timeout: 1500 });
  }
  await expect(page.getByTestId('build-all')).toBeDisabled({ timeout: 1500 });
  for (const r of await page.getByTestId('variant-row').all()) {
    await expect(r.getByTestId('variant-status')).toHaveText('succeeded', { timeout: 90_000 });
    await expect(r.locator('td').nth(4)).toHaveText('1'); // one run each, not two
  }
  await expect(page.getByTestId('build-all')).toBeEnabled();

  // Rebuild the RF 4 variant with the C simulation and cancel it while it compiles.
  await page.getByTestId('build-csim').check();
  const rf4 = row(page, 'ConvTranspose2D_1 parallel RF4 latency');
  await rf4.getByRole('checkbox').check();
  await page.getByTestId('build-selected').click();
  await expect(rf4.getByTestId('variant-cancel')).toBeVisible();
  await rf4.getByTestId('variant-cancel').click();
  await expect(rf4.getByTestId('variant-status')).toHaveText('cancelled', { timeout: 60_000 });
  // Compare says the same, and that its figures are the earlier build's.
  await page.getByTestId('tab-compare').click();
  const cmp = page.locator('[data-testid="compare-row"][data-variant="ConvTranspose2D_1 parallel RF4 latency"]');
  await expect(cmp.getByTestId('compare-status')).toContainText('cancelled');
  await expect(cmp.getByTestId('compare-figures-from')).toContainText('earlier build (succeeded');
  await expect(cmp.getByTestId('fig-latencyCycles')).not.toHaveText('–');
});

test('Compare names the part, says which design does not fit it, and labels every point apart (item 10)', async ({ app: page }) => {
  test.setTimeout(180_000);
  await design(page, 'compare');
  await sweep(page, '1, 2, 8');
  await expect(page.getByTestId('variant-row')).toHaveCount(3);
  await page.getByTestId('build-csim').uncheck();
  await page.getByTestId('build-all').click();
  for (const r of await page.getByTestId('variant-row').all()) await expect(r.getByTestId('variant-status')).toHaveText('succeeded', { timeout: 90_000 });
  await page.getByTestId('tab-compare').click();
  await expect(page.getByTestId('compare-part')).toContainText('xcvu13p-flga2577-2-e');
  // RF 1: 36,864 products by constant weights, as DSPs or (narrow constants) LUT shift-adds: more than the part has.
  const rf1 = page.locator('[data-testid="compare-row"][data-variant="ConvTranspose2D_1 parallel RF1 latency"]');
  await expect(rf1.getByTestId('compare-does-not-fit')).toHaveText(/^does not fit: (DSP|LUT)(, (DSP|LUT))?$/);
  await expect(rf1.getByTestId('compare-does-not-fit')).toHaveAttribute('title', /than xcvu13p-flga2577-2-e has/);
  // Every resource it names is over 100 % of the part in the table, and the others are not.
  const over = (await rf1.getByTestId('compare-does-not-fit').innerText()).replace('does not fit: ', '').split(', ');
  const pct = async (key: string) => Number((await rf1.getByTestId(`fig-${key}Pct`).innerText()).replace(/[^0-9.]/g, ''));
  for (const [name, key] of [['DSP', 'dsp'], ['LUT', 'lut'], ['FF', 'ff'], ['BRAM_18K', 'bram']] as const) {
    if (over.includes(name)) expect(await pct(key)).toBeGreaterThan(100);
    else expect(await pct(key)).toBeLessThanOrEqual(100);
  }
  const rf8 = page.locator('[data-testid="compare-row"][data-variant="ConvTranspose2D_1 parallel RF8 latency"]');
  await expect(rf8.getByTestId('compare-does-not-fit')).toHaveCount(0);
  // Labels: what tells the variants apart, every one different (they were all "ConvTranspose2D_1…").
  const labels = await page.getByTestId('scatter-label').allTextContents();
  expect(labels.length).toBeGreaterThanOrEqual(2);
  expect(new Set(labels).size).toBe(labels.length);
  for (const l of labels) expect(l).toMatch(/RF\d/);
  const bars = await page.getByTestId('bar-label').allTextContents();
  expect(new Set(bars).size).toBe(3);
});
