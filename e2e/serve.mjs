#!/usr/bin/env node
// Playwright's webServer: builds the renderer, starts `tessera serve` on a fixed port with a fresh
// temporary data folder, and writes the URL it prints (token included) where the tests read it.
// Stays in the foreground until Playwright stops it; the temporary folder is removed on exit.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.TESSERA_E2E_PORT ?? 41731);
const urlFile = path.join(os.tmpdir(), `tessera-e2e-${port}.json`);
fs.rmSync(urlFile, { force: true });

if (process.env.TESSERA_E2E_SKIP_BUILD !== '1') {
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('e2e: building the renderer failed (vite build -c vite.renderer.config.ts)');
    process.exit(1);
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-'));
const env = { ...process.env, TESSERA_USER_DATA: path.join(dataDir, 'user'), TESSERA_PROJECTS_DIR: path.join(dataDir, 'projects') };
const child = spawn(process.execPath, [path.join(root, 'bin/tessera.mjs'), 'serve', '--port', String(port), '--no-open'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });

let buffer = '';
let found = false;
child.stdout.on('data', (chunk) => {
  const text = chunk.toString();
  process.stdout.write(text);
  if (found) return;
  buffer += text;
  const m = /https?:\/\/[^\s"']+token=[^\s"']+/.exec(buffer);
  if (m) {
    found = true;
    fs.writeFileSync(urlFile, JSON.stringify({ url: m[0], dataDir, projectsDir: env.TESSERA_PROJECTS_DIR }));
  }
});

function cleanup() {
  fs.rmSync(urlFile, { force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
child.on('exit', (code, signal) => {
  cleanup();
  if (!found) console.error(`e2e: "tessera serve" exited (${signal ?? code}) before printing its URL`);
  process.exit(code ?? 1);
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    child.kill('SIGTERM');
    setTimeout(() => {
      child.kill('SIGKILL');
      cleanup();
      process.exit(0);
    }, 3000).unref();
  });
}
