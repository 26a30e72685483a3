// `tessera start` (npm start): the desktop app. Electron where its binary is installed; otherwise serve
// mode, with Chromium in app mode when present and a display exists.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { CliCommand } from './types';
import { COMMANDS } from './catalog';
import { parseServeArgs, SERVE_OPTIONS_HELP } from './serve-args';
import { runServeMode, serveUntilSignal } from '../../serve/run';
import { appRoot } from '../../app-root';

/** Path of the Electron binary when the electron package and its download are present. */
export function electronBinary(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const p = req('electron') as unknown;
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

export const startCommand: CliCommand = {
  ...COMMANDS.start,
  async run(args) {
    const a = parseServeArgs('start', args);
    if (a === 'help') {
      console.log(`usage: tessera ${this.usage}\n${SERVE_OPTIONS_HELP}`);
      return 0;
    }
    const root = appRoot();
    const electron = electronBinary();
    if (electron && !process.env.TESSERA_FORCE_SERVE) {
      const forge = path.join(root, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js');
      const appArgs = a.project ? ['--', '--project', path.resolve(a.project)] : [];
      console.log(`Starting Electron (${electron}) through Electron Forge …`);
      const child = spawn(process.execPath, [forge, 'start', ...appArgs], { cwd: root, stdio: 'inherit' });
      return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    }
    console.log('Electron is not installed (no Electron binary found): starting serve mode instead; set up Electron with "npm install electron" where it can be downloaded.');
    let project = a.project;
    const { server, services, pageUrl } = await runServeMode({ ...a, project, open: false });
    if (!project) {
      // The most recent project that still exists, else an example (the page opens it, read-only).
      const recent = (await services.invoke('project.recent', {})).items.find((r) => r.exists);
      if (recent) project = recent.path;
    }
    let url = project && !a.project ? `${pageUrl}&project=${encodeURIComponent(project)}` : pageUrl;
    if (!project) {
      const examples = await services.invoke('examples.list', {});
      const first = examples.items.find((e) => e.id === 'dcgan-generator') ?? examples.items[0];
      if (first) url = `${pageUrl}&example=${encodeURIComponent(first.id)}`;
    }
    if (url !== pageUrl) console.log(`With ${project ? path.basename(project) : `the example ${/example=([^&]+)/.exec(url)![1]}`}: ${url}`);
    if (!a.noOpen) {
      const { openUrl } = await import('../../serve/open-browser');
      console.log(openUrl(url, { appMode: true, profileDir: path.join(services.options.dirs.userDataDir, 'chromium-profile') }));
    }
    await serveUntilSignal(server, services);
    return 0;
  },
};
