// Test fixture shared by the electron/api tests: AppServices in serve mode over a fresh temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppServices } from './services';
import { resolveAppDirs } from '../services/store';

export interface TempServices {
  dir: string;
  services: AppServices;
}

/** Services whose user data, projects and examples live under a new temporary folder named by `prefix`. */
export function openTempServices(prefix: string, opts: { createExamplesDir?: boolean } = {}): TempServices {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (opts.createExamplesDir) fs.mkdirSync(path.join(dir, 'examples'));
  const services = new AppServices({
    mode: 'serve',
    dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }),
    examplesDir: path.join(dir, 'examples'),
    version: '1.2.3',
  });
  return { dir, services };
}

/** Disposes the services and removes their folder. */
export function closeTempServices(t: TempServices): void {
  t.services.dispose();
  fs.rmSync(t.dir, { recursive: true, force: true });
}
