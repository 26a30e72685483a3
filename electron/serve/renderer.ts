// Finds the built renderer for serve mode, building it with Vite's JS API when it is missing.
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../app-root';

export interface RendererLocation {
  dir: string | null;
  /** What happened, for the console (null when the build was already there). */
  note: string | null;
}

export async function ensureRenderer(root = appRoot(), log: (line: string) => void = () => {}): Promise<RendererLocation> {
  const dir = path.join(root, 'out', 'renderer');
  if (fs.existsSync(path.join(dir, 'index.html'))) return { dir, note: null };
  const config = path.join(root, 'vite.renderer.config.ts');
  if (!fs.existsSync(config)) {
    return { dir: null, note: `the renderer is not built (${dir} is missing) and ${config} does not exist to build it; the page will say so` };
  }
  log(`Building the renderer once (vite build -c ${path.relative(root, config)}) …`);
  try {
    const vite = await import('vite');
    await vite.build({ configFile: config, root: path.join(root, 'renderer'), logLevel: 'warn' });
  } catch (e) {
    return { dir: null, note: `building the renderer failed: ${(e as Error).message.split('\n')[0]}; run "npx vite build -c vite.renderer.config.ts" to see why` };
  }
  if (!fs.existsSync(path.join(dir, 'index.html'))) return { dir: null, note: `the renderer build did not produce ${dir}/index.html` };
  return { dir, note: `renderer built into ${path.relative(root, dir)}` };
}
