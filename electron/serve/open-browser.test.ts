import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openUrl, findExecutable } from './open-browser';

let dir: string;
const saved = { PATH: process.env.PATH, DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-open-'));
});
afterEach(() => {
  Object.assign(process.env, saved);
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('opening the serve URL', () => {
  it('does not open anything without a display', () => {
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    expect(openUrl('http://127.0.0.1:1/?token=x', { appMode: true })).toMatch(/no display/);
  });

  it('starts Chromium in app mode with an argument array (no shell)', async () => {
    const log = path.join(dir, 'args.txt');
    const fake = path.join(dir, 'chromium');
    fs.writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do echo "$a"; done > ${JSON.stringify(log)}\n`, { mode: 0o755 });
    process.env.PATH = dir;
    process.env.DISPLAY = ':99';
    expect(findExecutable(['chromium'])).toBe(fake);
    const url = 'http://127.0.0.1:5/?token=abc&project=%2Ftmp%2Fa%20b%3Bc.tessera';
    expect(openUrl(url, { appMode: true, profileDir: path.join(dir, 'profile') })).toMatch(/opened with chromium \(app mode\)/);
    for (let i = 0; i < 100 && !fs.existsSync(log); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    const args = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(args).toContain(`--app=${url}`);
    expect(args).toContain(`--user-data-dir=${path.join(dir, 'profile')}`);
  });
});
