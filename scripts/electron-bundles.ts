// Builds the Electron main and preload bundles exactly as `electron-forge package` / `start` do: the
// Vite plugin's own configuration generator over the plugin settings in forge.config.ts, in
// production mode. Used by the packaging test (which loads the bundles) and by the Electron
// end-to-end project (which launches them); outDir defaults to the plugin's .vite/build.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';
import { VitePlugin } from '@electron-forge/plugin-vite';
import forgeConfig from '../forge.config';

// The plugin's config generator is not part of its documented API (the version is pinned by the lock
// file); required as CommonJS so that Node and vitest see the same class.
type ViteConfigModule = typeof import('@electron-forge/plugin-vite/dist/ViteConfig');
const { default: ViteConfigGenerator } = createRequire(import.meta.url)('@electron-forge/plugin-vite/dist/ViteConfig') as ViteConfigModule;

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function vitePluginOf(config = forgeConfig): VitePlugin {
  const plugin = config.plugins?.find((p): p is VitePlugin => p instanceof VitePlugin);
  if (!plugin) throw new Error('forge.config.ts has no VitePlugin');
  return plugin;
}

/** The Vite configurations Forge builds the main process and the preload with. */
export async function electronBuildConfigs(outDir?: string): Promise<InlineConfig[]> {
  const generator = new ViteConfigGenerator(vitePluginOf().config, REPO, true);
  const configs = (await generator.getBuildConfigs()) as InlineConfig[];
  return configs.map((c) => ({ ...c, logLevel: 'warn', build: { ...c.build, ...(outDir ? { outDir } : {}) } }));
}

/** Builds main.js and preload.js (and their chunks) into outDir; returns the folder. */
export async function buildElectronBundles(outDir = path.join(REPO, '.vite', 'build')): Promise<string> {
  for (const c of await electronBuildConfigs(outDir)) await build(c);
  return outDir;
}

// node bin/run-ts.mjs scripts/electron-bundles.ts: what `electron-forge start` prepares before it launches
// the app from the checkout (the renderer, better-sqlite3 built for Electron in .vite/native, the bundles
// in .vite/build); the Electron end-to-end tests launch that.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await forgeConfig.hooks!.generateAssets!(forgeConfig as never, process.platform as never, process.arch as never);
  console.log(`Electron bundles built in ${path.relative(REPO, await buildElectronBundles())}`);
}
