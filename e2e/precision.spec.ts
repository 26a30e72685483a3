// Per-layer precision in the inspector: every field the node's op uses (weight_t, bias_t, accum_t with
// 'auto', result_t, table_t), validated live with the engine's rules (message names node, field, value,
// rule and fix), stored with the project, and used by the fixed-point preview. It is part of the graph
// document: a bad type is an error of the node, edits are undone and redone, and copy, paste and
// duplicate carry it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { connect, dragOp, expect, mod, newProject, nodes, selectNode, serveInfo, shot, test } from './fixtures';

async function openExampleCopy(page: Page, name: string): Promise<void> {
  const info = await serveInfo();
  fs.mkdirSync(info.projectsDir, { recursive: true });
  const file = path.join(info.projectsDir, `${name}-${Date.now().toString(36)}.tessera`);
  fs.copyFileSync(fileURLToPath(new URL(`../projects/${name}.tessera`, import.meta.url)), file);
  await page.goto(`${info.url}&project=${encodeURIComponent(file)}`);
  await expect(page.getByTestId('palette')).toBeVisible();
}

const fieldsShown = (page: Page) => page.getByTestId('precision').locator('input[data-testid^="precision-"]');

test('inspector precision: the fields of each op, live validation, auto accumulator, table type used by the preview, kept over a reload', async ({ app: page, tesseraHost }) => {
  test.skip(tesseraHost === 'electron', 'opens its project from the page URL');
  await openExampleCopy(page, 'tiny-autoencoder');

  // A Conv2D: the four hls4ml types, no table.
  await selectNode(page, 'enc1');
  await expect(fieldsShown(page)).toHaveCount(4);
  for (const f of ['weight_t', 'bias_t', 'accum_t', 'result_t']) await expect(page.getByTestId(`precision-${f}`)).toBeVisible();
  await expect(page.getByTestId('precision-table_t')).toHaveCount(0);

  // 'auto' is the inferred accumulator…
  await page.getByTestId('precision-accum_t').fill('auto');
  await page.getByTestId('precision-accum_t').press('Enter');
  await expect(page.getByTestId('precision-accum_t-info')).toContainText('auto: wide enough that the sum cannot overflow');
  await expect(page.getByTestId('precision-accum_t')).toHaveAttribute('aria-invalid', 'false');
  // …but not a weight type: the message names node, field, value, rule and fix.
  await page.getByTestId('precision-weight_t').fill('auto');
  await expect(page.getByTestId('precision-weight_t')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('precision-weight_t-info')).toHaveText(
    `enc1: precision.weight_t = "auto" breaks the rule 'auto' is only inferred for accum_t and result_t; give weight_t a type such as ap_fixed<16,6>.`,
  );
  // A width Tessera's C++ headers cannot hold.
  await page.getByTestId('precision-weight_t').fill('ap_fixed<130,6>');
  await expect(page.getByTestId('precision-weight_t-info')).toContainText('enc1: precision.weight_t = "ap_fixed<130,6>" breaks the rule W ≤ 128');
  await page.getByTestId('precision-weight_t').fill('');
  await page.getByTestId('precision-weight_t').press('Enter');
  await expect(page.getByTestId('precision-weight_t')).toHaveAttribute('aria-invalid', 'false');

  // The Input: its data type (result_t), a type and never 'auto'.
  await selectNode(page, 'image');
  await expect(fieldsShown(page)).toHaveCount(1);
  await page.getByTestId('precision-result_t').fill('auto');
  await expect(page.getByTestId('precision-result_t')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('precision-result_t-info')).toContainText('image: precision.result_t = "auto" breaks the rule');
  await page.getByTestId('precision-result_t').fill('');
  await page.getByTestId('precision-result_t').press('Enter');

  // A ReLU: result_t only.
  await selectNode(page, 'enc1_relu');
  await expect(fieldsShown(page)).toHaveCount(1);
  await expect(page.getByTestId('precision-result_t')).toBeVisible();

  // The Sigmoid: result_t and its lookup table's type (default hls4ml's ap_fixed<18,8>).
  await selectNode(page, 'reconstruction');
  await expect(fieldsShown(page)).toHaveCount(2);
  await expect(page.getByTestId('precision-table_t')).toHaveAttribute('placeholder', 'ap_fixed<18,8> (default)');
  await page.getByTestId('precision-table_t').fill('auto');
  await expect(page.getByTestId('precision-table_t-info')).toContainText('reconstruction: precision.table_t = "auto" breaks the rule');

  // The fixed-point preview of the Sigmoid changes when its table narrows.
  await page.getByTestId('precision-table_t').fill('');
  await page.getByTestId('precision-table_t').press('Enter');
  await page.getByTestId('preview-fixed').check();
  const stats = page.getByTestId('fixed-stats');
  await expect(stats).toContainText(' vs float: max |Δ|', { timeout: 20_000 });
  const before = await stats.textContent();
  await page.getByTestId('precision-table_t').fill('ap_fixed<5,1>');
  await page.getByTestId('precision-table_t').press('Enter');
  await expect(page.getByTestId('precision-table_t-info')).toContainText('range -1 … 0.9375');
  await expect(stats).not.toHaveText(before ?? '', { timeout: 20_000 });
  await shot(page, 'precision-table');

  // The project's default type is checked as it is typed; only a valid one is stored and used.
  const def = page.getByTestId('preview-precision');
  await def.fill('ap_fixed<16');
  await expect(def).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('preview-precision-error')).toContainText('defaultPrecision = "ap_fixed<16"');
  await def.fill('auto');
  await expect(page.getByTestId('preview-precision-error')).toContainText("'auto' is a per-layer choice");
  await def.press('Enter');
  await expect(page.getByTestId('fixed-error')).toHaveCount(0);
  await def.fill('ap_fixed<12,4>');
  await expect(def).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByTestId('preview-precision-error')).toHaveCount(0);
  await def.press('Enter');
  await selectNode(page, 'enc1');
  await expect(page.getByTestId('fixed-compare')).toContainText('ap_fixed<12,4>', { timeout: 20_000 });
  await selectNode(page, 'reconstruction');

  // Stored with the project: back after a save and reload.
  await page.keyboard.press(`${mod}+S`);
  await page.reload();
  await selectNode(page, 'reconstruction');
  await expect(page.getByTestId('precision-table_t')).toHaveValue('ap_fixed<5,1>');
  await selectNode(page, 'enc1');
  await expect(page.getByTestId('precision-accum_t')).toHaveValue('auto');
  await expect(page.getByTestId('preview-precision')).toHaveValue('ap_fixed<12,4>');

  // An 'auto' result type is profiled against the type the engine infers for it, not shown as a bad type.
  await page.getByTestId('precision-result_t').fill('auto');
  await page.getByTestId('precision-result_t').press('Enter');
  await page.getByTestId('profile-toggle').check();
  const row = page.locator('[data-testid="profile-row"][data-node="enc1"][data-what="output"]');
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText('fixed<');
  await expect(row).not.toContainText('bad type');
});

test('precision is part of the document: a bad type is an error, undo and redo, copy, paste and duplicate keep it, saved with the graph', async ({ app: page }) => {
  await newProject(page, `prec-doc-${Date.now().toString(36)}`);
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await expect(nodes(page)).toHaveCount(2);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');

  // A bad type is kept as typed and counted: status bar, node badge; the shapes stay.
  await selectNode(page, 'ConvTranspose2D_1');
  const w = page.getByTestId('precision-weight_t');
  await w.fill('ap_fixed<16');
  await w.press('Enter');
  await expect(page.getByTestId('status-errors')).toHaveText('1 error');
  const node = page.getByTestId('node-ConvTranspose2D_1');
  await expect(node).toHaveAttribute('data-status', 'error');
  await expect(node.getByTestId('badge-error')).toHaveText('1');
  await expect(node.getByTestId('node-shape')).not.toHaveText('?');
  await expect(page.getByTestId('precision-weight_t-info')).toContainText('ConvTranspose2D_1: precision.weight_t = "ap_fixed<16" breaks the rule');

  // Fixed, then undone and redone like any edit.
  await w.fill('ap_fixed<8,3>');
  await w.press('Enter');
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  await expect(node.getByTestId('precision-badge')).toHaveText('w<8,3> <16,6>');
  await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } });
  await page.keyboard.press(`${mod}+Z`);
  await expect(node.getByTestId('precision-badge')).toHaveText('wap_fixed<16 <16,6>');
  await expect(page.getByTestId('status-errors')).toHaveText('1 error');
  await page.keyboard.press(`${mod}+Shift+Z`);
  await expect(node.getByTestId('precision-badge')).toHaveText('w<8,3> <16,6>');
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');

  // Copy and paste, and duplicate: the copies carry the layer's types.
  await selectNode(page, 'ConvTranspose2D_1');
  await page.keyboard.press(`${mod}+C`);
  await page.keyboard.press(`${mod}+V`);
  await expect(nodes(page)).toHaveCount(3);
  await expect(page.getByTestId('node-ConvTranspose2D_2').getByTestId('precision-badge')).toHaveText('w<8,3> <16,6>');
  await selectNode(page, 'ConvTranspose2D_2');
  await expect(page.getByTestId('precision-weight_t')).toHaveValue('ap_fixed<8,3>');
  await page.getByTestId('precision-result_t').fill('ap_fixed<12,5>');
  await page.getByTestId('precision-result_t').press('Enter');
  await page.keyboard.press(`${mod}+D`);
  await expect(nodes(page)).toHaveCount(4);
  await selectNode(page, 'ConvTranspose2D_3');
  await expect(page.getByTestId('precision-weight_t')).toHaveValue('ap_fixed<8,3>');
  await expect(page.getByTestId('precision-result_t')).toHaveValue('ap_fixed<12,5>');
  // The original is its own: unchanged by the copy's edit.
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('precision-result_t')).toHaveValue('');
  await shot(page, 'precision-copies');

  // Saved with the graph: back after a save and reload.
  await page.keyboard.press(`${mod}+S`);
  await expect(page.getByTestId('project-name')).not.toContainText('•');
  await page.reload();
  await expect(nodes(page)).toHaveCount(4);
  await selectNode(page, 'ConvTranspose2D_3');
  await expect(page.getByTestId('precision-result_t')).toHaveValue('ap_fixed<12,5>');
});
