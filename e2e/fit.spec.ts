// The builds panel's fit action (as `tessera fit`) in the real UI against the real services: the U-Net stage
// (shipped fitted to the xcvu13p, its target part) does not fit a small Artix (what is over, by how much), fits
// an Alveo U250; Apply stores the fitted variant and the target part, the build of it (safe FIFOs) names the part
// it fits; Undo takes the apply back.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';

const row = (page: Page, name: string) => page.locator(`[data-testid="variant-row"][data-variant="${name}"]`);

test('fit the U-Net stage to a part from the builds panel, apply, build, undo', async ({ app: page }) => {
  test.setTimeout(240_000);
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await page.getByTestId('example-unet-decoder-stage').click();
  await expect(page.getByTestId('palette')).toBeVisible();
  await page.getByTestId('example-save').click();
  await page.getByTestId('saveas-path').fill(`unet-fit-${Date.now().toString(36)}`);
  await page.getByTestId('saveas-save').click();
  await expect(page.getByTestId('example-banner')).toHaveCount(0);

  await page.getByTestId('tool-view.builds').click();
  await expect(page.getByTestId('fit-form')).toBeVisible();
  // The project's target part is offered first, named; the example ships its fitted variant.
  const projectPart = 'xcvu13p-flga2577-2-e';
  await expect(page.getByTestId('fit-project-part')).toHaveText(`project's target part: ${projectPart}`);
  await expect(page.getByTestId('fit-part')).toHaveValue(projectPart);
  await expect(row(page, `fit ${projectPart} stream`)).toBeVisible();

  // A part the allow-list refuses: the service's message, nothing else.
  await page.getByTestId('fit-part').fill('xc7a35t;rm -rf ~');
  await page.getByTestId('fit-run').click();
  await expect(page.getByTestId('fit-problem')).toContainText('part');
  await expect(page.getByTestId('fit-result')).toHaveCount(0);

  // Too small: does not fit, which resource is over and by how much; Apply stays off.
  await page.getByTestId('fit-part').fill('xc7a35t-cpg236-1');
  await page.getByTestId('fit-io').selectOption('io_stream');
  await page.getByTestId('fit-run').click();
  const result = page.getByTestId('fit-result');
  await expect(result).toHaveAttribute('data-fits', 'false', { timeout: 60_000 });
  await expect(result).toContainText(/does not fit xc7a35t-cpg236-1 \(io_stream, estimate\): (BRAM_18K|FF|LUT|DSP) [\d,]+ of [\d,]+ allowed \(80 % of [\d,]+\): over by [\d,]+/);
  await expect(page.getByTestId('fit-apply')).toBeDisabled();

  // An Alveo U250: fits, with the fitted layers; Apply makes the variant and the target part.
  const U250 = 'xcu250-figd2104-2l-e';
  await page.getByTestId('fit-part').fill(U250);
  await page.getByTestId('fit-run').click();
  await expect(result).toHaveAttribute('data-fits', 'true', { timeout: 60_000 });
  await expect(result).toContainText(new RegExp(`fits ${U250} \\(io_stream, estimate\\): latency [\\d,]+ cycles`));
  await expect(page.getByTestId('fit-layers')).toContainText('conv: RF');
  await page.getByTestId('fit-apply').click();
  const fitted = row(page, `fit ${U250} stream`);
  await expect(fitted).toBeVisible();
  await expect(page.getByTestId('fit-project-part')).toHaveText(`project's target part: ${U250}`);
  await shot(page, 'fit-applied');

  // Build it with safe FIFOs (no C simulation: the example's is too big for a test); the result names the part.
  await page.getByTestId('build-csim').uncheck();
  await page.getByTestId('build-fifo').selectOption('safe');
  await fitted.getByRole('checkbox').check();
  await page.getByTestId('build-selected').click();
  await expect(fitted.getByTestId('variant-status')).toHaveText('succeeded', { timeout: 150_000 });
  await fitted.getByTestId('variant-log').click();
  await expect(page.getByTestId('build-fit')).toHaveText(`fits ${U250} (estimate)`);
  await expect(page.getByTestId('build-log')).toContainText('FIFO depths safe');
  await shot(page, 'fit-built');

  // Undo the apply: the variant goes, the target part is the one before; the shipped fit stays.
  await page.getByTestId('fit-undo').click();
  await expect(fitted).toHaveCount(0);
  await expect(row(page, `fit ${projectPart} stream`)).toBeVisible();
  await expect(page.getByTestId('fit-project-part')).toHaveText(`project's target part: ${projectPart}`);
});
