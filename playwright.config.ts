// End-to-end tests: the real renderer against the real services.
// - "serve-chromium": a Chromium-family browser (TESSERA_CHROMIUM, Playwright's download, or chromium /
//   chromium-browser / google-chrome on PATH: scripts/test-prereqs.mjs) against `tessera serve` (started
//   by e2e/serve.mjs with a fresh temporary data folder; the URL with its token is read from what it prints).
// - "electron": the same scenarios in the Electron app via `_electron.launch`; where the Electron binary
//   is not installed each test is skipped, and one line says why.
import { execFileSync } from 'node:child_process';
import { defineConfig } from '@playwright/test';
import { findBrowser } from './scripts/test-prereqs.mjs';

const port = Number(process.env.TESSERA_E2E_PORT ?? 41731);
process.env.TESSERA_E2E_PORT = String(port);
// The Slurm test builds on the local cluster of scripts/slurm-local.sh: serve mode finds it through SLURM_CONF.
if (!process.env.SLURM_CONF) {
  const conf = /SLURM_CONF=(.+)/.exec(execFileSync('bash', [new URL('./scripts/slurm-local.sh', import.meta.url).pathname, 'env'], { encoding: 'utf8' }))?.[1];
  if (conf) process.env.SLURM_CONF = conf.replace(/^'(.*)'$/, '$1');
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    viewport: { width: 1400, height: 850 },
    screenshot: 'on',
    trace: 'retain-on-failure',
    actionTimeout: 10_000,
  },
  projects: [
    {
      name: 'serve-chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: findBrowser()?.path,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
        },
      },
    },
    {
      name: 'electron',
      use: { tesseraHost: 'electron' } as Record<string, unknown>,
    },
  ],
  webServer: {
    command: 'node e2e/serve.mjs',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    // SIGTERM lets e2e/serve.mjs stop the server and remove its temporary data folder.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5000 },
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { TESSERA_E2E_PORT: String(port) },
  },
});
