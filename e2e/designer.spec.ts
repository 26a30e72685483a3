// The canvas as users of node editors expect it (issue 13): layout that keeps working, copies that land
// where they are put, a minimap and status bar that agree, quick add from the keyboard.
import type { Locator, Page } from '@playwright/test';
import { connect, dragOp, expect, mod, newProject, nodes, selectNode, serveInfo, setField, test } from './fixtures';

const unique = (stem: string) => `${stem}-${Date.now().toString(36)}`;

async function box(l: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('element has no box');
  return b;
}

/** Screen boxes of every canvas node. */
async function nodeBoxes(page: Page): Promise<{ name: string; x: number; y: number; width: number; height: number }[]> {
  return nodes(page).evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { name: e.querySelector('.tessera-node-name')?.textContent ?? '', x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
}

function overlapping(boxes: { name: string; x: number; y: number; width: number; height: number }[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push(`${a.name}/${b.name}`);
    }
  }
  return out;
}

async function chain(page: Page): Promise<void> {
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await dragOp(page, 'ReLU', 700, 420);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await connect(page, 'ConvTranspose2D_1', 'ReLU_1');
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
}

test('auto-layout works every time: after a drag, and on pasted nodes lying on top of others (item 1)', async ({ app: page }) => {
  await newProject(page, unique('layout'));
  await chain(page);
  await page.getByTestId('tool-view.layout').click();
  // One row, left to right (the ReLU was dragged in lower).
  const rowGap = async () => Math.abs((await box(page.getByTestId('node-ReLU_1'))).y - (await box(page.getByTestId('node-Input_1'))).y);
  await expect.poll(rowGap).toBeLessThan(4);
  await page.waitForTimeout(400); // the fit-view animation
  const laid = await box(page.getByTestId('node-ReLU_1'));
  // Drag the ReLU away; Layout puts it back (before the fix the second layout changed nothing).
  await page.mouse.move(laid.x + 30, laid.y + 30);
  await page.mouse.down();
  await page.mouse.move(laid.x + 30, laid.y + 230, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await box(page.getByTestId('node-ReLU_1'))).y).toBeGreaterThan(laid.y + 150);
  await page.keyboard.press(`${mod}+Shift+L`);
  await expect.poll(rowGap).toBeLessThan(4);
  await expect.poll(async () => Math.abs((await box(page.getByTestId('node-ReLU_1'))).y - laid.y)).toBeLessThan(4);
  // Nodes lying on top of each other (a node dragged onto another, the old paste): Layout separates them.
  await page.keyboard.press(`${mod}+A`);
  await page.keyboard.press(`${mod}+D`);
  await expect(nodes(page)).toHaveCount(6);
  const target = await box(page.getByTestId('node-Input_1'));
  const relu2 = await box(page.getByTestId('node-ReLU_2'));
  await page.mouse.move(relu2.x + 30, relu2.y + 30);
  await page.mouse.down();
  await page.mouse.move(target.x + 40, target.y + 35, { steps: 8 });
  await page.mouse.up();
  expect(overlapping(await nodeBoxes(page)).length).toBeGreaterThan(0);
  await page.getByTestId('menu-View').click();
  await page.getByTestId('cmd-view.layout').click();
  await expect.poll(async () => overlapping(await nodeBoxes(page))).toEqual([]);
});

test('paste lands at the pointer and duplicate beside the originals, never on top of a node (item 7)', async ({ app: page }) => {
  await newProject(page, unique('paste'));
  await chain(page);
  await selectNode(page, 'ConvTranspose2D_1');
  await page.keyboard.press(`${mod}+C`);
  // Paste with the pointer over an empty spot: the copy's corner is there.
  const canvas = await box(page.getByTestId('canvas'));
  const spot = { x: canvas.x + 200, y: canvas.y + canvas.height - 220 };
  await page.mouse.move(spot.x, spot.y);
  await page.keyboard.press(`${mod}+V`);
  await expect(page.getByTestId('node-ConvTranspose2D_2')).toBeVisible();
  const pasted = await box(page.getByTestId('node-ConvTranspose2D_2'));
  expect(Math.abs(pasted.x - spot.x)).toBeLessThan(30);
  expect(Math.abs(pasted.y - spot.y)).toBeLessThan(30);
  // Paste with the pointer on the original: the copy moves into free space next to it.
  const orig = await box(page.getByTestId('node-ConvTranspose2D_1'));
  await page.mouse.move(orig.x + 10, orig.y + 10);
  await page.keyboard.press(`${mod}+V`);
  await expect(page.getByTestId('node-ConvTranspose2D_3')).toBeVisible();
  expect(overlapping(await nodeBoxes(page))).toEqual([]);
  // Duplicate (twice): below the originals, still nothing covered.
  await selectNode(page, 'Input_1');
  await page.keyboard.press(`${mod}+D`);
  await page.keyboard.press(`${mod}+D`);
  await expect(nodes(page)).toHaveCount(7);
  expect(overlapping(await nodeBoxes(page))).toEqual([]);
});

test('the minimap colours nodes by the same status as the canvas and the status bar (item 8)', async ({ app: page }) => {
  await newProject(page, unique('minimap'));
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ReLU', 450, 250);
  await dragOp(page, 'ReLU', 450, 420);
  // Unconnected ReLUs are errors: red on the canvas and in the minimap.
  await expect(page.getByTestId('status-errors')).toHaveText('2 errors');
  const fills = () => page.locator('.react-flow__minimap-node').evaluateAll((els) => els.map((e) => getComputedStyle(e).fill).sort());
  const grey = 'rgb(148, 163, 184)';
  const red = 'rgb(239, 68, 68)';
  await expect.poll(fills).toEqual([grey, red, red]);
  await connect(page, 'Input_1', 'ReLU_1');
  await connect(page, 'Input_1', 'ReLU_2');
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  await expect.poll(fills).toEqual([grey, grey, grey]);
});

test('quick add: double-click or Tab, type, Enter; connected from the selected node (quick add, item 13)', async ({ app: page }) => {
  await newProject(page, unique('quick'));
  // The page has an icon, and it loads (browsers asked for /favicon.ico: a 404).
  const icon = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="icon"]')?.getAttribute('href');
    if (!href) return null;
    const r = await fetch(new URL(href, location.href));
    return { status: r.status, type: r.headers.get('content-type') };
  });
  expect(icon).toEqual({ status: 200, type: 'image/svg+xml' });
  // An empty project is not an error: it says how to start.
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  await expect(page.getByTestId('canvas-empty')).toContainText('Input');
  // Double-click on the canvas: the box opens there; the node goes there.
  const canvas = await box(page.getByTestId('canvas'));
  await page.mouse.dblclick(canvas.x + 150, canvas.y + 200);
  await expect(page.getByTestId('quick-add')).toBeVisible();
  await page.getByTestId('quick-add-input').fill('inp');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-Input_1')).toBeVisible();
  const input = await box(page.getByTestId('node-Input_1'));
  expect(Math.abs(input.x - (canvas.x + 150))).toBeLessThan(30);
  await expect(page.getByTestId('quick-add')).toHaveCount(0);
  // The Input is selected: Tab with the pointer off the canvas adds the next layer right of it, connected.
  await page.mouse.move(5, canvas.y + 300);
  await page.keyboard.press('Tab');
  await page.getByTestId('quick-add-input').fill('transposed 2d');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-ConvTranspose2D_1')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await expect(page.getByTestId('edge-shape')).toHaveText(/1×16×16×3/);
  expect((await box(page.getByTestId('node-ConvTranspose2D_1'))).x).toBeGreaterThan(input.x + input.width);
  // Shift+A, arrow keys and Enter; one undo removes the node and its edge together.
  await page.keyboard.press('Shift+A');
  await page.getByTestId('quick-add-input').fill('relu');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-LeakyReLU_1')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  await page.keyboard.press(`${mod}+Z`);
  await expect(nodes(page)).toHaveCount(2);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  // Escape closes without adding.
  await page.keyboard.press('Tab');
  await page.getByTestId('quick-add-input').fill('dense');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('quick-add')).toHaveCount(0);
  await expect(nodes(page)).toHaveCount(2);
  // The shortcuts list it; no empty section.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-Graph')).toContainText('Add a layer by name');
  for (const s of await page.locator('section[data-testid^="help-"]').all()) expect((await s.locator('div').count()) > 0).toBe(true);
});

test('the padding convention the project offers first is the one new layers open on, and a layer keeps the one chosen (item 5)', async ({ app: page }) => {
  await newProject(page, unique('convention'));
  await page.getByLabel('Padding convention offered first').selectOption('pytorch');
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('convention')).toHaveValue('pytorch');
  await setField(page, 'stride', '2, 2');
  await page.getByTestId('torch-padding').fill('1, 1');
  await page.getByTestId('torch-output-padding').fill('1, 1');
  await expect(page.getByTestId('formula')).toContainText('(16−1)·2 + 3 − 1 − 1 + 1 = 32');
  // A stride error and its fix: still PyTorch with the padding given (it came back as Keras 'same').
  await setField(page, 'stride', '0, 2');
  await expect(page.getByTestId('field-error-stride').first()).toBeVisible();
  await setField(page, 'stride', '2, 2');
  await expect(page.getByTestId('convention')).toHaveValue('pytorch');
  await expect(page.getByTestId('torch-padding')).toHaveValue('1, 1');
  await expect(page.getByTestId('formula')).toContainText('= 32');
  // Another layer, and back: each keeps its own.
  await dragOp(page, 'Conv2D', 480, 450);
  await selectNode(page, 'Conv2D_1');
  await expect(page.getByTestId('convention')).toHaveValue('pytorch');
  await page.getByTestId('convention').selectOption('keras');
  await selectNode(page, 'ConvTranspose2D_1');
  await expect(page.getByTestId('convention')).toHaveValue('pytorch');
  await selectNode(page, 'Conv2D_1');
  await expect(page.getByTestId('convention')).toHaveValue('keras');
});

test('the right column: inspector and preview in their own panes, the fixed-point result and its error in view, a newly selected node shown from its first error (item 6)', async ({ app: page }) => {
  await newProject(page, unique('column'));
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 420, 250);
  await dragOp(page, 'ConvTranspose2D', 420, 450);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await connect(page, 'ConvTranspose2D_1', 'ConvTranspose2D_2');
  await selectNode(page, 'ConvTranspose2D_1');
  await page.getByTestId('preview-fixed').check();
  // The title says what is compared; the error and both results are in view without scrolling.
  await expect(page.getByTestId('fixed-stats')).toBeInViewport();
  await expect(page.getByTestId('preview').locator('h3')).toContainText('float vs ap_fixed<16,6>');
  await expect(page.getByTestId('fixed-compare').getByTestId('heatmap')).toBeInViewport();
  await expect(page.getByTestId('preview').getByTestId('heatmap').first()).toBeInViewport();
  // The panes do not overlap; the divider between them moves the boundary.
  const ins = (await page.getByTestId('inspector-pane').boundingBox())!;
  const pre = (await page.getByTestId('preview-pane').boundingBox())!;
  expect(pre.y).toBeGreaterThanOrEqual(ins.y + ins.height);
  const split = (await page.getByTestId('right-column-split').boundingBox())!;
  await page.mouse.move(split.x + split.width / 2, split.y + 2);
  await page.mouse.down();
  await page.mouse.move(split.x + split.width / 2, split.y - 120, { steps: 5 });
  await page.mouse.up();
  expect((await page.getByTestId('inspector-pane').boundingBox())!.height).toBeLessThan(ins.height - 100);
  // The profile, once asked for, is shown.
  await page.getByTestId('profile-toggle').check();
  await expect(page.getByTestId('profile-summary')).toBeInViewport();
  // Scrolled to the bottom of one node's inspector, another node is shown from its error.
  await selectNode(page, 'ConvTranspose2D_2');
  await setField(page, 'stride', '0, 2');
  await expect(page.getByTestId('fixed-error')).toContainText('fixed point runs once the design has no errors');
  await selectNode(page, 'ConvTranspose2D_1');
  await page.getByTestId('inspector-pane').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.getByTestId('weights')).toBeInViewport();
  await page.getByTestId('node-ConvTranspose2D_2').locator('.tessera-node-name').click();
  await expect(page.getByTestId('field-name')).toHaveValue('ConvTranspose2D_2');
  await expect(page.getByTestId('field-error-stride').first()).toBeInViewport();
});

test('examples open as themselves, read-only: no copy per click; the first edit asks where to save one named copy (item 11)', async ({ app: page }) => {
  const { projectsDir } = await serveInfo();
  const openExample = async () => {
    await page.getByTestId('example-tiny-autoencoder').click();
    await expect(page.getByTestId('example-banner')).toBeVisible();
  };
  const toStart = async () => {
    await page.getByTestId('menu-File').click();
    await page.getByTestId('cmd-file.close').click();
    await expect(page.getByTestId('start-screen')).toBeVisible();
  };
  await openExample();
  await expect(page.getByTestId('project-name')).toContainText('(example, read-only)');
  await toStart();
  await openExample();
  await toStart();
  // Two clicks made no copies: nothing of that name to open (it used to list "tiny-autoencoder 2", …).
  await page.getByTestId('start-open').click();
  await expect(page.getByTestId('dialog-open')).toBeVisible();
  await expect(page.locator('[data-testid^="open-item-tiny-autoencoder"]')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // The first edit asks; Cancel takes the edit back and the example stays as shipped.
  await openExample();
  await selectNode(page, 'enc1');
  await setField(page, 'filters', '12');
  await expect(page.getByTestId('dialog-saveas')).toBeVisible();
  await expect(page.getByTestId('saveas-note')).toContainText('read-only');
  await expect(page.getByTestId('saveas-path')).toHaveValue('tiny-autoencoder');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('dialog-saveas')).toHaveCount(0);
  await selectNode(page, 'enc1');
  await expect(page.getByTestId('field-filters')).toHaveValue('8');
  await expect(page.getByTestId('project-name')).not.toContainText('•');
  await expect(page.getByTestId('example-banner')).toBeVisible();

  // Again, and saved under a name: one project of the user's, with the edit, no longer read-only.
  const name = unique('my-autoencoder');
  await setField(page, 'filters', '12');
  await expect(page.getByTestId('dialog-saveas')).toBeVisible();
  await page.getByTestId('saveas-path').fill(name);
  await page.getByTestId('saveas-save').click();
  await expect(page.getByTestId('project-name')).toHaveText(name);
  await expect(page.getByTestId('example-banner')).toHaveCount(0);
  await expect(page.getByTestId('field-filters')).toHaveValue('12');
  // Later edits are ordinary edits (autosaved, Ctrl+S): no more questions.
  await setField(page, 'filters', '10');
  await expect(page.getByTestId('dialog-saveas')).toHaveCount(0);
  await page.keyboard.press(`${mod}+S`);
  await expect(page.getByTestId('project-name')).not.toContainText('•');
  await toStart();
  // The Open dialog lists it once, with where it is.
  await page.getByTestId('start-open').click();
  await expect(page.getByTestId(`open-item-${name}`)).toHaveCount(1);
  await expect(page.getByTestId(`open-item-${name}`).getByTestId('open-item-path')).toHaveText(`${projectsDir}/${name}.tessera`);
  await expect(page.locator('[data-testid^="open-item-tiny-autoencoder"]')).toHaveCount(0);
});

test('numerical warnings are diagnostics: weights below one LSB and outputs that overflow count on the node and in the status bar, with a type that fits (item 9)', async ({ app: page }) => {
  // A from-scratch DCGAN stage at the default ap_fixed<16,6>: Input 4×4×128 → ConvTranspose2D 64 filters
  // 4×4 stride 2 with PyTorch's default init (|w| ≤ 1/32): a few % of its weights (and maybe biases) are below one LSB (2^-10).
  await newProject(page, unique('numerics'));
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await selectNode(page, 'Input_1');
  await setField(page, 'shape', '1, 4, 4, 128');
  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'filters', '64');
  await setField(page, 'kernel', '4, 4');
  await setField(page, 'stride', '2, 2');
  await expect(page.getByTestId('status-errors')).toHaveText('0 errors');
  // Without opening the profile: the status bar counts them, the node carries the badge, the inspector says
  // what is lost and which type keeps it.
  await expect(page.getByTestId('profile')).toHaveCount(0);
  await expect(page.getByTestId('status-warnings')).not.toHaveText('0 warnings', { timeout: 30_000 });
  const node = page.getByTestId('node-ConvTranspose2D_1');
  await expect(node).toHaveAttribute('data-status', 'warning');
  const diags = page.getByTestId('node-diagnostics');
  await expect(diags).toContainText(/weight_t = "ap_fixed<16,6>" breaks the rule weight_t holds the layer's weight: [\d,]+ of 131,072 non-zero weight values \([\d.]+ %\) are below one LSB \(2\^-10\) and vanish; set weight_t to ap_fixed<16,-\d>/);
  const text = await diags.innerText();
  const fits: [string, string][] = [];
  for (const field of ['weight_t', 'bias_t']) {
    const m = new RegExp(`set ${field} to (ap_fixed<16,-\\d>)`).exec(text);
    if (m) fits.push([field, m[1]]);
  }
  // one warning per tensor that loses values, counted in the status bar and on the node's badge
  await expect(page.getByTestId('status-warnings')).toHaveText(`${fits.length} warning${fits.length > 1 ? 's' : ''}`);
  await expect(node.getByTestId('badge-warning')).toHaveText(String(fits.length));

  // ap_fixed<4,8> (LSB 16) is no longer accepted silently: every weight vanishes.
  await page.getByTestId('precision-weight_t').fill('ap_fixed<4,8>');
  await page.getByTestId('precision-weight_t').press('Enter');
  await expect(diags).toContainText('131,072 of 131,072 non-zero weight values (100.0 %) are below one LSB (2^4)');
  // An output type too narrow for the output on the preview input: an overflow warning on the same node.
  await page.getByTestId('precision-result_t').fill('ap_fixed<6,0>');
  await page.getByTestId('precision-result_t').press('Enter');
  await expect(diags).toContainText(/output values on the preview input lie outside \[-0.5, 0.484375\]/);
  await expect(page.getByTestId('status-warnings')).toHaveText(`${fits.length + 1} warnings`);

  // The fixes, applied: nothing left to warn about.
  for (const [field, type] of [...fits, ['result_t', 'ap_fixed<16,6>']]) {
    await page.getByTestId(`precision-${field}`).fill(type);
    await page.getByTestId(`precision-${field}`).press('Enter');
  }
  await expect(page.getByTestId('status-warnings')).toHaveText('0 warnings');
  await expect(node).toHaveAttribute('data-status', 'ok');
});
