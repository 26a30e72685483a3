// Builds on the local Slurm cluster (scripts/slurm-local.sh) from the builds panel: the Slurm settings
// checked as typed, the cluster checked, a sweep built as Slurm jobs shown live (queued, the job and its
// node, running step by step, the log as it grows, succeeded), one build cancelled from the panel (scancel).
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { connect, dragOp, expect, newProject, selectNode, setField, test } from './fixtures';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const installed = ['sbatch', 'slurmctld', 'slurmd', 'munged'].every((c) =>
  [...(process.env.PATH ?? '').split(':'), '/usr/sbin'].some((d) => {
    try {
      accessSync(path.join(d, c), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }),
);
const row = (page: Page, name: string) => page.locator(`[data-testid="variant-row"][data-variant="${name}"]`);

/**
 * Holds the whole node with a job of its own until the returned function cancels it, so that the builds
 * submitted next stay queued: one can be cancelled before it could have run (a build of this design takes
 * about 2 s once the csim object cache knows it). It ends by itself after 5 minutes if the test dies first.
 */
async function holdNode(): Promise<() => void> {
  const job = execFileSync('sbatch', ['--parsable', '--exclusive', '--chdir=/tmp', '--time=5', '--output=/dev/null', '--wrap', 'exec sleep 290'], { encoding: 'utf8' }).trim();
  let released = false;
  const release = () => {
    if (!released) execFileSync('scancel', [job]);
    released = true;
  };
  for (let i = 0; i < 300; i++) {
    if (execFileSync('squeue', ['--noheader', `--jobs=${job}`, '--format=%T'], { encoding: 'utf8' }).trim() === 'RUNNING') return release;
    await new Promise((r) => setTimeout(r, 100));
  }
  release();
  throw new Error(`the job holding the node (${job}) did not start within 30 s`);
}

test.skip(!installed && !process.env.CI, 'Slurm is not installed here (apt-get install slurm-wlm munge, as .ci/run does)');

test.beforeAll(() => {
  // the serve process reaches the cluster through SLURM_CONF (playwright.config.ts sets it from the script)
  execFileSync('bash', [path.join(root, 'scripts/slurm-local.sh'), 'start'], { stdio: 'ignore', timeout: 150_000 });
});

test('builds on the Slurm cluster from the builds panel, shown live; one cancelled from the panel', async ({ app: page }) => {
  test.setTimeout(240_000);
  // Input 4×4×3 → ConvTranspose2D 4 filters 2×2 stride 2: its C simulation takes seconds
  await newProject(page, `slurm-${Date.now().toString(36)}`);
  await dragOp(page, 'Input', 150, 250);
  await dragOp(page, 'ConvTranspose2D', 480, 250);
  await connect(page, 'Input_1', 'ConvTranspose2D_1');
  await selectNode(page, 'Input_1');
  await setField(page, 'shape', '1, 4, 4, 3');
  await selectNode(page, 'ConvTranspose2D_1');
  await setField(page, 'filters', '4');
  await setField(page, 'kernel', '2, 2');
  await setField(page, 'stride', '2, 2');
  await expect(page.getByTestId('edge-shape')).toHaveText(/1×4×4×3/);

  await page.getByTestId('tool-view.builds').click();
  await page.getByTestId('variant-layer').selectOption('ConvTranspose2D_1');
  await page.getByTestId('sweep-rf').fill('1, 2, 3');
  await page.getByTestId('sweep-io').fill('io_parallel');
  await page.getByTestId('sweep-run').click();
  await expect(page.getByTestId('variant-row')).toHaveCount(3);

  // Slurm: settings checked as typed (same rules as the services), the cluster answers
  await page.getByTestId('build-on').selectOption('slurm');
  await page.getByTestId('slurm-settings-toggle').click();
  await page.getByTestId('slurm-partition').fill('debug;rm -rf ~');
  await expect(page.getByTestId('slurm-problems')).toContainText('slurm.partition = "debug;rm -rf ~" breaks the rule one or more Slurm partition names');
  await expect(page.getByTestId('slurm-save')).toBeDisabled();
  await page.getByTestId('slurm-partition').fill('debug');
  await page.getByTestId('slurm-timeLimit').fill('10');
  await expect(page.getByTestId('slurm-problems')).toHaveCount(0);
  await page.getByTestId('slurm-save').click();
  await page.getByTestId('slurm-check').click();
  await expect(page.getByTestId('slurm-check-result')).toContainText(/Slurmctld\(primary\) at \S+ is UP/);

  // Build all on Slurm: one job array, queued behind a job that holds the node; each row shows its job
  const release = await holdNode();
  try {
    await page.getByTestId('build-all').click();
    for (const r of await page.getByTestId('variant-row').all()) await expect(r.getByTestId('variant-slurm')).toHaveText(/\[Slurm \d+_\d/, { timeout: 60_000 });
    await expect(page.getByTestId('queue-state')).toContainText('on Slurm');
    // cancel the third while it waits (scancel from the panel)
    const rf3 = row(page, 'ConvTranspose2D_1 parallel RF3 latency');
    await expect(rf3.getByTestId('variant-status')).toHaveText(/^queued/);
    await rf3.getByTestId('variant-cancel').click();
    await expect(rf3.getByTestId('variant-status')).toHaveText(/^cancelled\[Slurm \d+_2/, { timeout: 60_000 });
  } finally {
    release();
  }
  // then the others run: their node and steps (the build may be over before a poll sees it running), the log, the result
  const rf1 = row(page, 'ConvTranspose2D_1 parallel RF1 latency');
  await expect(rf1.getByTestId('variant-slurm')).toHaveText(/\[Slurm \d+_0 on \S+\]/, { timeout: 60_000 });
  await rf1.getByTestId('variant-log').click();
  await expect(page.getByTestId('build-log')).toContainText(/tessera: Slurm job \d+_0 \(job id \d+\) on/, { timeout: 60_000 });
  await expect(page.getByTestId('build-log')).toContainText('### tessera build phase: csim', { timeout: 60_000 });

  await expect(rf1.getByTestId('variant-status')).toHaveText(/^succeeded\[Slurm \d+_\d on \S+\]/, { timeout: 120_000 });
  await expect(row(page, 'ConvTranspose2D_1 parallel RF2 latency').getByTestId('variant-status')).toHaveText(/^succeeded\[Slurm \d+_\d on \S+\]/, { timeout: 120_000 });
  await expect(page.getByTestId('build-log')).toContainText('csim: bit-exact');
  await expect(page.getByTestId('queue-state')).not.toContainText('on Slurm');
});
