// The `app` fixture: a page showing Tessera, in Chromium against serve mode or in Electron.
import { test as base, expect, _electron, type ElectronApplication, type Locator, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export interface ServeInfo {
  url: string;
  dataDir: string;
  projectsDir: string;
}

export async function serveInfo(): Promise<ServeInfo> {
  const port = Number(process.env.TESSERA_E2E_PORT ?? 41731);
  const file = path.join(os.tmpdir(), `tessera-e2e-${port}.json`);
  for (let i = 0; i < 300; i++) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as ServeInfo;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`serve mode did not print its URL (no ${file}); see the webServer output`);
}

/** Why Electron cannot run here (one line), or null when it can. */
export function electronUnavailable(): string | null {
  let binary: unknown;
  try {
    binary = require('electron');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return 'the electron package is not installed (run npm ci)';
    return 'the Electron binary is not installed (its download was skipped with ELECTRON_SKIP_BINARY_DOWNLOAD or failed)';
  }
  if (typeof binary !== 'string' || !fs.existsSync(binary)) return `the Electron binary ${String(binary)} is missing (reinstall the electron package where it can be downloaded)`;
  return null;
}

let bundles: Promise<void> | null = null;
/** The main and preload bundles the app runs, built once per run as Forge builds them. */
function buildBundles(): Promise<void> {
  bundles ??= new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/run-ts.mjs'), path.join(root, 'scripts/electron-bundles.ts')], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the Electron bundles failed (exit ${code})`))));
  });
  return bundles;
}

type Fixtures = { app: Page; tesseraHost: 'serve' | 'electron' };

let reported = false;

export const test = base.extend<Fixtures>({
  tesseraHost: ['serve', { option: true }],
  app: async ({ tesseraHost, playwright, launchOptions }, use, testInfo) => {
    if (tesseraHost === 'electron') {
      const why = electronUnavailable();
      if (why !== null && !reported) {
        reported = true;
        console.log(`[electron] the Electron project is skipped: ${why}`);
      }
      testInfo.skip(why !== null, `Electron project skipped: ${why}`);
      await buildBundles();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-electron-'));
      const app: ElectronApplication = await _electron.launch({
        args: [root],
        env: { ...process.env, TESSERA_USER_DATA: path.join(dataDir, 'user'), TESSERA_PROJECTS_DIR: path.join(dataDir, 'projects') },
      });
      const page = await app.firstWindow();
      await use(page);
      await page.screenshot({ path: testInfo.outputPath('final.png') }).catch(() => undefined);
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      return;
    }
    const info = await serveInfo();
    const browser = await playwright.chromium.launch(launchOptions);
    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(info.url).origin }).catch(() => undefined);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Every file the page loads exists (the browser's own /favicon.ico request was a 404); API answers are
    // the API's business.
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404 && !['fetch', 'xhr'].includes(r.request().resourceType())) missing.push(new URL(r.url()).pathname);
    });
    await page.goto(info.url);
    await use(page);
    await page.screenshot({ path: testInfo.outputPath('final.png') }).catch(() => undefined);
    await browser.close();
    expect(errors, 'uncaught errors in the page').toEqual([]);
    expect(missing, 'files the page asked for that are not there (404)').toEqual([]);
  },
});

/** A screenshot kept with the test's artifacts (test-results/). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
}

export { expect };

// ---------------------------------------------------------------------------------------------
// Helpers that act like a user
// ---------------------------------------------------------------------------------------------

export async function newProject(page: Page, name: string): Promise<void> {
  const start = page.getByTestId('start-new');
  if (await start.isVisible()) await start.click();
  else {
    await page.getByTestId('menu-File').click();
    await page.getByTestId('cmd-file.new').click();
  }
  await page.getByTestId('new-name').fill(name);
  await page.getByTestId('new-create').click();
  await expect(page.getByTestId('palette')).toBeVisible();
  await expect(page.getByTestId('project-name')).toContainText(name);
}

/** Drags an op from the palette onto the canvas at (x, y) relative to the canvas. */
export async function dragOp(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

export async function dragBetween(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}

export async function connect(page: Page, fromNode: string, toNode: string, port = 0): Promise<void> {
  await dragBetween(page, page.getByTestId(`port-out-${fromNode}`), page.getByTestId(`port-in-${toNode}-${port}`));
}

export async function clearSelection(page: Page): Promise<void> {
  await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } });
}

export async function selectNode(page: Page, name: string): Promise<void> {
  await clearSelection(page);
  await page.getByTestId(`node-${name}`).locator('.tessera-node-name').click();
  await expect(page.getByTestId('field-name')).toHaveValue(name);
}

export async function setField(page: Page, key: string, value: string): Promise<void> {
  const f = page.getByTestId(`field-${key}`);
  await f.fill(value);
  await f.press('Enter');
}

export const nodes = (page: Page) => page.locator('.react-flow__node');
export const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Types `values` into an inspector field one after another, `gaps` ms apart (input events, as typing does). */
export async function burst(page: Page, field: string, values: string[], gaps: number[]): Promise<void> {
  await page.evaluate(
    async ({ field, values, gaps }) => {
      const input = document.querySelector<HTMLInputElement>(`[data-testid="field-${field}"]`)!;
      input.focus();
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      for (const [i, v] of values.entries()) {
        setter.call(input, v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        if (gaps[i]) await new Promise((r) => setTimeout(r, gaps[i]));
      }
    },
    { field, values, gaps },
  );
}
