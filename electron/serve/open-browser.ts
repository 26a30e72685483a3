// Opening the serve-mode URL in a browser: Chromium in app mode when present, else the desktop's
// default browser. Never through a shell: argument arrays only. Skipped without a display.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

export function findExecutable(names: string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of names) {
    if (path.isAbsolute(name)) {
      if (fs.existsSync(name)) return name;
      continue;
    }
    for (const d of dirs) {
      const full = path.join(d, name);
      try {
        fs.accessSync(full, fs.constants.X_OK);
        return full;
      } catch {
        /* next */
      }
    }
  }
  return null;
}

export function hasDisplay(): boolean {
  if (process.platform !== 'linux') return true;
  return !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Opens `url`; returns a sentence saying what happened (for the console). */
export function openUrl(url: string, opts: { appMode: boolean; profileDir?: string }): string {
  if (!hasDisplay()) return 'no display (DISPLAY/WAYLAND_DISPLAY unset): open the URL above in a browser';
  const chromium = findExecutable(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']);
  let cmd: string | null = null;
  let args: string[] = [];
  if (chromium && (opts.appMode || !findExecutable(['xdg-open']))) {
    cmd = chromium;
    args = [`--app=${url}`];
    if (opts.profileDir) args.unshift(`--user-data-dir=${opts.profileDir}`);
    // Chromium refuses to start as root with its sandbox on; only then is it turned off.
    if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  } else if (process.platform === 'darwin') {
    cmd = 'open';
    args = [url];
  } else if (process.platform === 'win32') {
    cmd = 'explorer.exe';
    args = [url];
  } else {
    cmd = findExecutable(['xdg-open']);
    args = [url];
  }
  if (!cmd) return 'no browser found: open the URL above in a browser';
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return `opened with ${path.basename(cmd)}${args.some((a) => a.startsWith('--app=')) ? ' (app mode)' : ''}`;
  } catch (e) {
    return `could not start ${cmd} (${(e as Error).message}): open the URL above in a browser`;
  }
}
