// Starts the Electron main process against the fake `electron` module in a temporary folder laid out
// like a package (<dir>/resources/…), with its own user data and documents folders; the caller says
// how main is loaded (its sources under vitest, or the bundle Forge would package).
import { expect, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ipcChannel } from '../../api/contract';
import { createFakeElectron, type FakeElectron, type FakeWindow } from './fake-electron.testutil';

const REPO = path.resolve(__dirname, '../..');

export interface Shell {
  fake: FakeElectron;
  dir: string;
  resources: string;
  /** Calls a channel from a window's top frame (what the preload does). */
  call(win: FakeWindow, channel: string, request?: unknown): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string } }>;
}

export interface StartOptions {
  argv?: string[];
  cwd?: string;
  singleInstanceLock?: boolean;
  isPackaged?: boolean;
  env?: Record<string, string>;
  /** Leave the app before ready (to look at what main does first). */
  notReady?: boolean;
  /** app.getAppPath() (default <dir>/app). */
  appPath?: string;
  /** Fills <dir>/resources (default: a small renderer, one example, one template header). */
  resources?: (resources: string) => void;
}

/** A small packaged layout: renderer/, projects/ with one example, hls-templates/ with a marker header. */
export function smallResources(resources: string): void {
  fs.mkdirSync(path.join(resources, 'renderer', 'assets'), { recursive: true });
  fs.writeFileSync(path.join(resources, 'renderer', 'index.html'), '<!doctype html><title>Tessera</title>');
  fs.writeFileSync(path.join(resources, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(resources, 'renderer', 'assets', 'kernel.wasm'), Buffer.from([0, 97, 115, 109]));
  fs.mkdirSync(path.join(resources, 'projects'));
  fs.copyFileSync(path.join(REPO, 'projects', 'tiny-autoencoder.tessera'), path.join(resources, 'projects', 'tiny-autoencoder.tessera'));
  fs.mkdirSync(path.join(resources, 'hls-templates', 'nnet'), { recursive: true });
  fs.writeFileSync(path.join(resources, 'hls-templates', 'nnet', 'marker.h'), '// packaged');
}

const started: Shell[] = [];

export async function startShellWith(o: StartOptions, load: (fake: FakeElectron) => Promise<void>): Promise<Shell> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-main-'));
  const resources = path.join(dir, 'resources');
  fs.mkdirSync(resources);
  (o.resources ?? smallResources)(resources);
  const fake = createFakeElectron({
    isPackaged: o.isPackaged ?? true,
    appPath: o.appPath ?? path.join(dir, 'app'),
    paths: { userData: path.join(dir, 'user'), documents: path.join(dir, 'documents') },
    version: '9.8.7',
    singleInstanceLock: o.singleInstanceLock,
  });
  (process as { resourcesPath?: string }).resourcesPath = resources;
  const argv = process.argv;
  const cwd = process.cwd();
  const envBefore = Object.fromEntries(Object.keys(o.env ?? {}).map((k) => [k, process.env[k]]));
  process.argv = [process.execPath, ...(o.argv ?? [])];
  Object.assign(process.env, o.env ?? {});
  if (o.cwd) process.chdir(o.cwd);
  try {
    await load(fake);
    if (!o.notReady) {
      fake.app.becomeReady();
      if (o.singleInstanceLock !== false) await vi.waitFor(() => expect(fake.windows.length).toBe(1));
    }
  } finally {
    process.argv = argv;
    for (const [k, v] of Object.entries(envBefore)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (o.cwd) process.chdir(cwd);
  }
  const shell: Shell = {
    fake,
    dir,
    resources,
    call: (win, channel, request = {}) => fake.ipcMain.invoke(win.webContents, ipcChannel(channel as never), win.webContents.mainFrame, request) as never,
  };
  started.push(shell);
  return shell;
}

/** Quits every started shell (its services close their projects) and removes its folder. */
export function stopShells(): void {
  for (const s of started.splice(0)) {
    s.fake.app.quit();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
}
