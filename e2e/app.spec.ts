// The end-to-end scenarios, acted out like a user in the real UI against the real services.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { Page } from '@playwright/test';

import { connect, dragOp, expect, mod, newProject, nodes, selectNode, serveInfo, setField, shot, test } from './fixtures';
import { writeNpy } from '../engine/interop/npy';
import { randomTensor } from '../engine/tensor/tensor';

const unique = (stem: string) => `${stem}-${Date.now().toString(36)}`;

async function heatmapHasContent(page: Page): Promise<boolean> {
  return page.getByTestId('heatmap').first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size > 20;
  });
}

async function buildInputConvT(page: Page): Promise<void> {
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await expect(nodes(page)).toHaveCount(2);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
}

test('design, validate, preview, save and reload a ConvTranspose2D', async ({ app: page }) => {
  await newProject(page, unique('main'));
  await shot(page, '01-new-project');
  await buildInputConvT(page);
  await dragOp(page, 'ReLU', 800, 250);
  await connect(page, 'ConvTranspose2D_1', 'ReLU_1');
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  // New projects are channels last (NHWC): Input 1×16×16×3 → ConvTranspose2D (8 filters, k3).
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×16×16×3' })).toHaveCount(1);

  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'stride', '2, 2');
  await page.getByTestId('convention').selectOption('keras');
  await page.getByTestId('keras-same').check();
  // Keras 'same' on a transposed conv: out = in·s = 32 on both axes.
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×32×32×8' })).toHaveCount(1);
  await expect(page.getByTestId('formula')).toContainText('= 32');
  // The same size from PyTorch's padding=1, output_padding=1 (a different crop placement).
  await page.getByTestId('convention').selectOption('pytorch');
  await page.getByTestId('torch-padding').fill('1, 1');
  await page.getByTestId('torch-output-padding').fill('1, 1');
  await expect(page.getByTestId('formula')).toContainText('(16−1)·2 + 3 − 1 − 1 + 1 = 32');
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×32×32×8' })).toHaveCount(1);
  await shot(page, '02-shapes');

  // An invalid value: flagged on the field and on the node, with the rule; nothing crashes.
  await setField(page, 'stride', '0, 2');
  await expect(page.getByTestId('field-error-stride').first()).toContainText('stride');
  await expect(page.getByTestId('node-ConvTranspose2D_1').getByTestId('badge-error')).toBeVisible();
  await expect(page.getByTestId('node-ConvTranspose2D_1')).toHaveAttribute('data-status', 'error');
  await shot(page, '03-invalid');
  await setField(page, 'stride', '2, 2');
  await expect(page.getByTestId('field-error-stride')).toHaveCount(0);
  // The error is gone; a from-scratch layer's default weights may still warn (values below one LSB, item 9 of issue 13).
  await expect(page.getByTestId('node-ConvTranspose2D_1')).toHaveAttribute('data-status', /^(ok|warning)$/);
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×32×32×8' })).toHaveCount(1);

  // The preview shows the node's output as channel heatmaps.
  await expect(page.getByTestId('heatmap')).toBeVisible();
  await expect.poll(() => heatmapHasContent(page)).toBe(true);
  const stats = await page.getByTestId('tensor-stats').textContent();
  expect(stats).toMatch(/min .* max .* mean/);
  await shot(page, '04-preview');

  // Save, reload: everything as it was (graph, parameters, weights → same preview numbers).
  await page.keyboard.press(`${mod}+S`);
  await expect(page.getByTestId('notice-info').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(page.getByTestId('project-name')).not.toContainText('•');
  await page.reload();
  await expect(nodes(page)).toHaveCount(3);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×32×32×8' })).toHaveCount(1);
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('field-stride')).toHaveValue('2, 2');
  await expect(page.getByTestId('field-padsBegin')).toHaveValue('1, 1');
  await expect(page.getByTestId('field-outputPadding')).toHaveValue('1, 1');
  await expect(page.getByTestId('weights-state')).toContainText('Stored in the project');
  await expect(page.getByTestId('tensor-stats')).toHaveText(stats!);
  await shot(page, '05-reloaded');
});

test('explicit padding mode turns auto pads into the explicit pads they resolve to', async ({ app: page }) => {
  await newProject(page, unique('pads'));
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'Conv2D', 480, 250);
  await connect(page, 'Input_1', 'Conv2D_1');
  await selectNode(page, 'Conv2D_1');
  await setField(page, 'kernel', '4, 4');
  await setField(page, 'stride', '2, 2');
  await page.getByTestId('convention').selectOption('keras');
  await page.getByTestId('keras-same').check();
  // Keras 'same' on a Conv is auto pad SAME_UPPER: 16 → 8, total pad (8−1)·2 + 4 − 16 = 2.
  await expect(page.getByTestId('field-autoPad')).toHaveValue('same_upper');
  await expect(page.getByTestId('formula')).toContainText('= 8');
  await page.getByTestId('convention').selectOption('explicit');
  await expect(page.getByTestId('field-autoPad')).toHaveValue('explicit');
  await expect(page.getByTestId('field-padsBegin')).toHaveValue('1, 1');
  await expect(page.getByTestId('field-padsEnd')).toHaveValue('1, 1');
  await expect(page.getByTestId('formula')).toContainText('⌊(16 + 1 + 1 − 4) / 2⌋ + 1 = 8');
  // Now the pads are the ones used: editing them changes the shape.
  await setField(page, 'padsEnd', '3, 1');
  await expect(page.getByTestId('formula')).toContainText('⌊(16 + 1 + 3 − 4) / 2⌋ + 1 = 9');
});

test('undo and redo: one entry per action', async ({ app: page }) => {
  await newProject(page, unique('undo'));
  await buildInputConvT(page);
  const canvas = page.getByTestId('canvas');
  // Undo the connection, then the node; redo both.
  await canvas.click({ position: { x: 20, y: 20 } });
  await page.keyboard.press(`${mod}+Z`);
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  await page.keyboard.press(`${mod}+Z`);
  await expect(nodes(page)).toHaveCount(1);
  await page.keyboard.press(`${mod}+Shift+Z`);
  await expect(nodes(page)).toHaveCount(2);
  await page.keyboard.press(`${mod}+Y`);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);

  // A drag is one entry.
  const node = page.getByTestId('node-Input_1');
  const before = (await node.boundingBox())!;
  const head = node.locator('.tessera-node-head');
  const hb = (await head.boundingBox())!;
  await page.mouse.move(hb.x + 20, hb.y + 8);
  await page.mouse.down();
  await page.mouse.move(hb.x + 80, hb.y + 90, { steps: 12 });
  await page.mouse.move(hb.x + 140, hb.y + 160, { steps: 12 });
  await page.mouse.up();
  const moved = (await node.boundingBox())!;
  expect(Math.abs(moved.y - before.y)).toBeGreaterThan(100);
  await page.keyboard.press(`${mod}+Z`);
  await expect.poll(async () => Math.round((await node.boundingBox())!.y)).toBe(Math.round(before.y));

  // Deleting a node with its edge is one entry.
  await selectNode(page, 'ConvTranspose2D_1');
  await page.getByTestId('canvas').press('Delete');
  await expect(nodes(page)).toHaveCount(1);
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  await page.keyboard.press(`${mod}+Z`);
  await expect(nodes(page)).toHaveCount(2);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);

  // A parameter edit is undoable from the menu too.
  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'filters', '5');
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } });
  await expect(page.getByTestId('edge-shape')).toHaveCount(1);
  await page.getByTestId('menu-Edit').click();
  await page.getByTestId('cmd-edit.undo').click();
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('field-filters')).toHaveValue('8');
  await shot(page, 'undo-redo');
});

test('copy, paste, duplicate, and paste into another project', async ({ app: page }) => {
  await newProject(page, unique('copy-a'));
  await buildInputConvT(page);
  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'filters', '5');
  // Select both nodes (click, Shift+click) and copy.
  await selectNode(page, 'Input_1');
  await page.getByTestId('node-ConvTranspose2D_1').locator('.tessera-node-name').click({ modifiers: ['Shift'] });
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  await page.keyboard.press(`${mod}+C`);
  await page.keyboard.press(`${mod}+V`);
  await expect(nodes(page)).toHaveCount(4);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.getByTestId('node-ConvTranspose2D_2')).toBeVisible();
  await page.keyboard.press(`${mod}+D`);
  await expect(nodes(page)).toHaveCount(6);
  await shot(page, 'pasted');

  await newProject(page, unique('copy-b'));
  await expect(nodes(page)).toHaveCount(0);
  await page.getByTestId('canvas').click({ position: { x: 30, y: 30 } });
  await page.keyboard.press(`${mod}+V`);
  await expect(nodes(page)).toHaveCount(2);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('field-filters')).toHaveValue('5');
  await shot(page, 'pasted-other-project');
  // Cut removes the node and its edge in one step; paste brings the node back (alone, so unconnected).
  await page.keyboard.press(`${mod}+X`);
  await expect(nodes(page)).toHaveCount(1);
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  await page.keyboard.press(`${mod}+V`);
  await expect(nodes(page)).toHaveCount(2);
  await expect(page.getByTestId('node-ConvTranspose2D_1')).toHaveAttribute('data-status', 'error');
});

test('box selection and nudge with the arrow keys', async ({ app: page }) => {
  await newProject(page, unique('select'));
  await buildInputConvT(page);
  const a = (await page.getByTestId('node-Input_1').boundingBox())!;
  const b = (await page.getByTestId('node-ConvTranspose2D_1').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(Math.min(a.x, b.x) - 30, Math.min(a.y, b.y) - 30);
  await page.mouse.down();
  await page.mouse.move(Math.max(a.x + a.width, b.x + b.width) + 30, Math.max(a.y + a.height, b.y + b.height) + 30, { steps: 10 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  const before = (await page.getByTestId('node-Input_1').boundingBox())!;
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  const after = (await page.getByTestId('node-Input_1').boundingBox())!;
  expect(after.x - before.x).toBeGreaterThan(10);
  await page.keyboard.press(`${mod}+Z`);
  await expect.poll(async () => Math.round((await page.getByTestId('node-Input_1').boundingBox())!.x)).toBe(Math.round(before.x));
});

test('shortcuts help, search and auto-layout come from the command registry', async ({ app: page }) => {
  await newProject(page, unique('cmds'));
  await buildInputConvT(page);
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-panel')).toContainText('Undo');
  await shot(page, 'help');
  await page.keyboard.press('Escape');
  await page.keyboard.press(`${mod}+F`);
  await page.getByLabel('Find node').fill('convtr');
  await page.getByLabel('Find node').press('Enter');
  await expect(page.getByTestId('field-name')).toHaveValue('ConvTranspose2D_1');
  await page.getByTestId('tool-view.layout').click();
  await expect(page.getByTestId('project-name')).toContainText('•');
  await shot(page, 'layout');
});

/** A small ONNX model (ConvTranspose s2 → Relu) written by e2e/onnx-fixture.ts with the engine's builder. */
function onnxFixture(file: string): void {
  const r = spawnSync(process.execPath, ['bin/run-ts.mjs', 'e2e/onnx-fixture.ts', file], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`e2e/onnx-fixture.ts failed: ${r.stderr}`);
}

async function dropFile(page: Page, file: string, name: string): Promise<void> {
  const bytes = [...fs.readFileSync(file)];
  const dt = await page.evaluateHandle(
    ([b, n]) => {
      const d = new DataTransfer();
      d.items.add(new File([new Uint8Array(b as number[])], n as string, { type: 'application/octet-stream' }));
      return d;
    },
    [bytes, name] as const,
  );
  await page.getByTestId('canvas').dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer: dt });
}

test('import an ONNX model by file picker and by drag-and-drop', async ({ app: page }, testInfo) => {
  const file = testInfo.outputPath('convtranspose.onnx');
  onnxFixture(file);
  await newProject(page, unique('onnx-import'));
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('tool-file.importOnnx').click();
  await (await chooser).setFiles(file);
  await expect(nodes(page)).toHaveCount(3);
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×6×16×16' })).toHaveCount(1);
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  await shot(page, 'onnx-picked');
  // Drag-and-drop of the same file onto the canvas adds a second copy next to it.
  await dropFile(page, file, 'dropped.onnx');
  await expect(nodes(page)).toHaveCount(6);
  await expect(page.getByTestId('edge-shape').filter({ hasText: '1×6×16×16' })).toHaveCount(2);
  await shot(page, 'onnx-dropped');
});

test('export ONNX from the UI and import it back', async ({ app: page }, testInfo) => {
  await newProject(page, unique('onnx-src'));
  await buildInputConvT(page);
  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'stride', '2, 2');
  const download = page.waitForEvent('download');
  await page.getByTestId('menu-File').click();
  await page.getByTestId('cmd-file.exportOnnx').click();
  const file = testInfo.outputPath('model.onnx');
  const outcome = await Promise.race([
    download.then((d) => ({ download: d })),
    page.getByTestId('notice-error').first().waitFor().then(async () => ({ error: await page.getByTestId('notice-error').first().textContent() })),
  ]);
  // Until the service has an ONNX exporter it answers 'unsupported': reported as a skip with its message.
  test.skip('error' in outcome && /not available|unsupported|not implemented/i.test(outcome.error ?? ''), `ONNX export not available: ${'error' in outcome ? outcome.error : ''}`);
  if ('error' in outcome) throw new Error(`ONNX export failed: ${outcome.error}`);
  await outcome.download.saveAs(file);
  expect(fs.statSync(file).size).toBeGreaterThan(100);

  await newProject(page, unique('onnx-dst'));
  await dropFile(page, file, 'model.onnx');
  await expect(nodes(page)).toHaveCount(2);
  // Input 1×16×16×3 (NHWC) → ConvTranspose2D stride 2, k3, no pads: 33×33, 8 channels.
  await expect(page.getByTestId('node-shape').filter({ hasText: /33×33/ })).toHaveCount(1);
  await shot(page, 'onnx-roundtrip');
});

test('every example opens without errors', async ({ app: page }) => {
  await expect(page.getByTestId('start-screen')).toBeVisible();
  const cards = page.locator('[data-testid^="example-"]');
  await expect(cards.first().or(page.getByText('No examples found.'))).toBeVisible();
  test.skip((await cards.count()) === 0, 'the service lists no examples yet (projects/*.tessera not shipped)');
  const ids = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!));
  expect(ids.length).toBeGreaterThanOrEqual(3);
  for (const id of ids) {
    await page.getByTestId(id).click();
    await expect(page.getByTestId('palette')).toBeVisible();
    await expect.poll(() => nodes(page).count()).toBeGreaterThan(1);
    await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
    await expect(page.getByTestId('tensor-view')).toBeVisible({ timeout: 20_000 });
    // Fitted to the canvas, the node text is readable (the top-down examples fitted at ~0.4).
    await page.waitForTimeout(300);
    const zoom = await page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
    expect(zoom, id).toBeGreaterThanOrEqual(0.7);
    await shot(page, id);
    await page.getByTestId('menu-File').click();
    await page.getByTestId('cmd-file.close').click();
    await expect(page.getByTestId('start-screen')).toBeVisible();
  }
});

test('preview inputs (constant, impulse, image) and seeded weight initialisation', async ({ app: page }) => {
  await newProject(page, unique('inputs'));
  await buildInputConvT(page);
  await selectNode(page, 'Input_1');
  const kind = page.getByTestId('preview-input-Input_1').getByTestId('input-kind');
  await kind.selectOption('constant');
  await page.getByLabel('input value').fill('2.5');
  await expect(page.getByTestId('tensor-stats')).toHaveText(/min 2\.500 · max 2\.500 · mean 2\.500/);
  await kind.selectOption('impulse');
  await expect(page.getByTestId('tensor-stats')).toHaveText(/min 0\.000 · max 1\.000/);
  // An image file, scaled to the input (values 0…1): a PNG drawn in the page.
  const png = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 40;
    c.height = 30;
    const g = c.getContext('2d')!;
    const grad = g.createLinearGradient(0, 0, 40, 30);
    grad.addColorStop(0, '#000000');
    grad.addColorStop(1, '#ff8040');
    g.fillStyle = grad;
    g.fillRect(0, 0, 40, 30);
    const blob: Blob = await new Promise((r) => c.toBlob((b) => r(b!), 'image/png'));
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  await page.getByTestId('preview-input-Input_1').getByTestId('input-image').setInputFiles({ name: 'gradient.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  await expect(page.getByTestId('preview-input-Input_1')).toContainText('gradient.png');
  await expect(page.getByTestId('tensor-stats')).toHaveText(/min 0\.0\d* · max (1\.000|0\.9\d*)/);
  await shot(page, 'image-input');

  // Weights: zeros → the output is exactly 0; He with a seed → not; the layout is stated.
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('weights')).toContainText('IOX');
  await page.getByTestId('init-scheme').selectOption('zeros');
  await page.getByTestId('init-weights').click();
  await expect(page.getByTestId('weights-state')).toContainText('Stored in the project');
  await expect(page.getByTestId('tensor-stats')).toHaveText('min 0.000 · max 0.000 · mean 0.000');
  await page.getByTestId('init-scheme').selectOption('he');
  await page.getByTestId('init-weights').click();
  await expect(page.getByTestId('tensor-stats')).not.toHaveText('min 0.000 · max 0.000 · mean 0.000');
  await shot(page, 'weights');
  // Float vs bit-accurate fixed point, side by side, with the error in LSBs.
  await page.getByTestId('preview-fixed').check();
  await expect(page.getByTestId('fixed-compare')).toContainText('ap_fixed<16,6>');
  await expect(page.getByTestId('fixed-stats')).toContainText('LSB');
  await shot(page, 'fixed-point');
});

test('save as, back to the start screen, open it again from the open dialog', async ({ app: page }) => {
  const name = unique('saveas');
  await newProject(page, unique('orig'));
  await dragOp(page, 'Input', 200, 200);
  await page.keyboard.press(`${mod}+Shift+S`);
  await page.getByTestId('saveas-path').fill(name);
  await page.getByTestId('saveas-save').click();
  await expect(page.getByTestId('project-name')).toHaveText(name);
  await page.getByTestId('menu-File').click();
  await page.getByTestId('cmd-file.close').click();
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await page.getByTestId('start-open').click();
  await page.getByTestId(`open-item-${name}`).click();
  await expect(page.getByTestId('project-name')).toHaveText(name);
  await expect(nodes(page)).toHaveCount(1);
  await expect(page.getByTestId('node-Input_1')).toBeVisible();
});

/** A copy of a shipped example in the service's projects folder (the shipped file stays untouched). */
async function exampleCopy(name: string): Promise<string> {
  const info = await serveInfo();
  fs.mkdirSync(info.projectsDir, { recursive: true });
  const file = path.join(info.projectsDir, `${unique(name)}.tessera`);
  fs.copyFileSync(fileURLToPath(new URL(`../projects/${name}.tessera`, import.meta.url)), file);
  return file;
}

async function openByUrl(page: Page, name: string): Promise<string> {
  const file = await exampleCopy(name);
  await page.goto(`${(await serveInfo()).url}&project=${encodeURIComponent(file)}`);
  await expect(page.getByTestId('palette')).toBeVisible();
  return file;
}

test('a project named on the page URL (tessera serve/start) opens on load', async ({ app: page, tesseraHost }) => {
  test.skip(tesseraHost === 'electron', 'the Electron app gets its project from the command line, not a URL');
  const file = await openByUrl(page, 'tiny-autoencoder');
  await expect(nodes(page)).toHaveCount(9);
  await expect(page.getByTestId('node-enc1')).toBeVisible();
  await expect(page.getByTestId('project-name')).toContainText(/autoencoder/i);
  expect(fs.existsSync(file)).toBe(true);
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  // The parameter is consumed: the address no longer names the file, a reload keeps the project.
  expect(page.url()).not.toContain('project=');
  await page.reload();
  await expect(page.getByTestId('node-enc1')).toBeVisible();
  await shot(page, 'project-from-url');
});

test('per-layer precision: badges, validation, numerical profile flags overflow and underflow', async ({ app: page, tesseraHost }) => {
  test.skip(tesseraHost === 'electron', 'opens its project from the page URL');
  await openByUrl(page, 'tiny-autoencoder');
  await expect(page.getByTestId('node-enc1').getByTestId('precision-badge')).toHaveText('<16,6>');
  await selectNode(page, 'enc1');
  // A typo is flagged on the field with the rule, and nothing is stored.
  await page.getByTestId('precision-weight_t').fill('ap_fixd<4,1>');
  await expect(page.getByTestId('precision-weight_t-info')).toContainText('ap_fixd<4,1>');
  // ap_fixed<4,1>: LSB 1/8, so most of PyTorch's default init (|w| ≤ 1/3) underflows.
  await page.getByTestId('precision-weight_t').fill('ap_fixed<4,1>');
  await page.getByTestId('precision-weight_t').press('Enter');
  await expect(page.getByTestId('precision-weight_t-info')).toContainText('range -1 … 0.875');
  // ap_fixed<4,0>: range −0.5 … 0.4375; the impulse response reaches ±0.56, so outputs overflow.
  await page.getByTestId('precision-result_t').fill('ap_fixed<4,0>');
  await page.getByTestId('precision-result_t').press('Enter');
  await expect(page.getByTestId('node-enc1').getByTestId('precision-badge')).toHaveText('w<4,1> <4,0>');
  await expect(page.getByTestId('node-enc2').getByTestId('precision-badge')).toHaveText('<16,6>');

  await page.getByTestId('profile-toggle').check();
  const weightRow = page.locator('[data-testid="profile-row"][data-node="enc1"][data-what="weight"]');
  const outRow = page.locator('[data-testid="profile-row"][data-node="enc1"][data-what="output"]');
  await expect(weightRow.getByTestId('profile-underflow')).toBeVisible({ timeout: 20_000 });
  await expect(outRow.getByTestId('profile-overflow')).toBeVisible();
  // enc2 keeps the default ap_fixed<16,6>: nothing overflows there.
  const enc2 = page.locator('[data-testid="profile-row"][data-node="enc2"][data-what="weight"]');
  await expect(enc2).toContainText('fixed<16,6>');
  await expect(enc2.getByTestId('profile-overflow')).toHaveCount(0);
  await shot(page, 'profile');

  // Stored with the project settings: back after a reload.
  await page.keyboard.press(`${mod}+S`);
  await page.reload();
  await expect(page.getByTestId('node-enc1').getByTestId('precision-badge')).toHaveText('w<4,1> <4,0>');
});

test('weights of one layer from a .npy file in a stated layout, with a clear error when the shape does not fit', async ({ app: page, tesseraHost }, testInfo) => {
  test.skip(tesseraHost === 'electron', 'opens its project from the page URL');
  await openByUrl(page, 'tiny-autoencoder');
  await selectNode(page, 'enc1');
  // enc1: Conv2D 1 → 8, 3×3: canonical OIX (8, 1, 3, 3); Keras saves (3, 3, 1, 8).
  const keras = randomTensor([3, 3, 1, 8], 42, -0.9, 0.7);
  const file = testInfo.outputPath('enc1_kernel.npy');
  fs.writeFileSync(file, writeNpy(keras));

  await page.getByTestId('npy-layout-weight').selectOption('pytorch');
  let chooser = page.waitForEvent('filechooser');
  await page.getByTestId('npy-import-weight').click();
  await (await chooser).setFiles(file);
  await expect(page.getByTestId('npy-error')).toContainText('enc1_kernel.npy has shape (3, 3, 1, 8)');
  await expect(page.getByTestId('npy-error')).toContainText('needs (8, 1, 3, 3)');

  await page.getByTestId('npy-layout-weight').selectOption('keras');
  chooser = page.waitForEvent('filechooser');
  await page.getByTestId('npy-import-weight').click();
  await (await chooser).setFiles(file);
  await expect(page.getByTestId('npy-error')).toHaveCount(0);
  await expect(page.getByTestId('weights-state')).toHaveText('Stored in the project.');
  // The profile sees the imported values: max |w| = 0.9 → log2 bin −1; weights of ap_fixed<16,6> fit.
  await page.getByTestId('profile-toggle').check();
  await expect(page.locator('[data-testid="profile-row"][data-node="enc1"][data-what="weight"]')).toContainText('ok');
  await shot(page, 'npy-import');
});
