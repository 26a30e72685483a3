// A shared project that carries refused build settings (issue 12): it opens, the Builds view shows the
// problem on the variant, the variant cannot be built, and one click removes the refused settings.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ProjectFile } from '../electron/services/store';
import { expect, serveInfo, shot, test } from './fixtures';

test('a variant with refused g++ flags is shown with its problem and builds nothing until fixed', async ({ app: page, tesseraHost }) => {
  test.skip(tesseraHost === 'electron', 'opens its project from the page URL');
  const info = await serveInfo();
  fs.mkdirSync(info.projectsDir, { recursive: true });
  const file = path.join(info.projectsDir, `shared-${Date.now().toString(36)}.tessera`);
  fs.copyFileSync(fileURLToPath(new URL('../projects/tiny-autoencoder.tessera', import.meta.url)), file);
  // Written the way Tessera writes variants (with its checksum): a file someone crafted, not a damaged one.
  const shared = ProjectFile.open(file);
  // The example ships a buildable fitted variant; this shared project carries only the refused one.
  for (const v of shared.listVariants()) shared.deleteVariant(v.id);
  shared.putVariant({ id: 'v_shared', name: 'fast build', config: { io: 'io_parallel', scope: null, defaults: {}, layers: {}, cxxFlags: ['-O2', '-wrapper', '/bin/sh,-c,touch /tmp/tessera-e2e-pwned'] } });
  shared.close();

  await page.goto(`${info.url}&project=${encodeURIComponent(file)}`);
  await expect(page.getByTestId('palette')).toBeVisible();
  await page.getByTestId('tool-view.builds').click();
  const row = page.locator('[data-testid="variant-row"][data-variant="fast build"]');
  await expect(row.getByTestId('variant-problems')).toContainText('Builds nothing until fixed: cxxFlags[1] = "-wrapper" breaks the rule a g++ flag on the allow-list');
  await expect(row.getByTestId('variant-problems')).toContainText('-wrapper runs another program around each compiler step; remove it.');
  await expect(row.getByRole('checkbox')).toBeDisabled();
  await expect(page.getByTestId('build-all')).toBeDisabled();
  await shot(page, 'refused-variant');

  await row.getByTestId('variant-drop-refused').click();
  await expect(row.getByTestId('variant-problems')).toHaveCount(0);
  await expect(row.getByRole('checkbox')).toBeEnabled();
  await expect(page.getByTestId('build-all')).toBeEnabled();
  const kept = new Database(file, { readonly: true });
  const stored = JSON.parse((kept.prepare('SELECT config FROM variants WHERE id = ?').get('v_shared') as { config: string }).config);
  kept.close();
  expect(stored.cxxFlags).toEqual(['-O2']);
  expect(fs.existsSync('/tmp/tessera-e2e-pwned')).toBe(false);
});
