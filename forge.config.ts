// Electron Forge: packages the app with Vite (main + preload bundles in .vite/build), the files the app
// reads at run time as resources (RUNTIME_RESOURCES: the renderer built by vite.renderer.config.ts into
// out/renderer, the example projects, the HLS templates; electron/main/main.ts looks for them there), and
// better-sqlite3 — a native module Vite cannot bundle — copied into the package, rebuilt for
// Electron's ABI and unpacked from the asar archive so packaged apps can open projects.
//
// node_modules keeps better-sqlite3 built for Node (npm test); the Electron build lives only in the
// package and, for `electron-forge start`, where electron/main/native-sqlite.ts says (loaded through
// the nativeBinding option).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { MakerZIP } from '@electron-forge/maker-zip';
import { MakerDeb } from '@electron-forge/maker-deb';
import { electronSqliteBuild } from './electron/main/native-sqlite';

const root = path.dirname(fileURLToPath(import.meta.url));
/** Folders of the checkout the packaged app reads, copied to <resources>/<basename>. */
export const RUNTIME_RESOURCES = ['out/renderer', 'projects', 'hls-templates'];
/** better-sqlite3 and what it needs at run time: the only node_modules in the package (Vite bundles the rest). */
export const NATIVE_PACKAGES = ['better-sqlite3', 'bindings', 'file-uri-to-path'];

function copyPackages(targetNodeModules: string): void {
  for (const name of NATIVE_PACKAGES) {
    const from = path.join(root, 'node_modules', name);
    const to = path.join(targetNodeModules, name);
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(from, to, {
      recursive: true,
      // Leave build products of the Node build behind; the rebuild makes Electron's.
      filter: (src) => !/[\\/](build[\\/](Release|Debug)[\\/](obj|obj\.target|\.deps)|deps[\\/]sqlite3[\\/].*\.o)$/.test(src),
    });
  }
}

/** The Node module ABI a native addon was built for (its node_register_module_v<N> symbol), or null. */
export function addonAbi(file: string): string | null {
  return /node_register_module_v(\d+)/.exec(fs.readFileSync(file, 'latin1'))?.[1] ?? null;
}

/** Throws unless `file` was built for Electron `electronVersion` (the ABI table is @electron/rebuild's node-abi). */
export function assertElectronBuild(file: string, electronVersion: string): void {
  const nodeAbi = createRequire(createRequire(import.meta.url).resolve('@electron/rebuild'))('node-abi') as { getAbi(v: string, runtime: string): string };
  const want = String(nodeAbi.getAbi(electronVersion, 'electron'));
  const got = addonAbi(file);
  if (got !== want) throw new Error(`${file} was built for module ABI ${got ?? 'unknown'}, Electron ${electronVersion} loads ${want}: the rebuild for Electron did not happen (see its output above)`);
}

/**
 * Rebuilds better-sqlite3 under buildPath for Electron and checks the result. npm hands its nodedir
 * setting to the scripts it runs (Debian's npm sets /usr), and node-gyp would then build against
 * Node's headers instead of Electron's without a word: the rebuild runs without it.
 */
async function rebuildForElectron(buildPath: string, electronVersion: string, arch: string): Promise<void> {
  const { rebuild } = await import('@electron/rebuild');
  const nodedir = Object.keys(process.env).filter((k) => k.toLowerCase() === 'npm_config_nodedir');
  const saved = nodedir.map((k) => [k, process.env[k]] as const);
  for (const k of nodedir) delete process.env[k];
  try {
    await rebuild({ buildPath, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
  } finally {
    for (const [k, v] of saved) process.env[k] = v;
  }
  assertElectronBuild(path.join(buildPath, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), electronVersion);
}

function electronVersion(): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Tessera',
    executableName: 'tessera',
    appBundleId: 'dev.tessera.app',
    asar: { unpack: '**/node_modules/{better-sqlite3,bindings,file-uri-to-path}/**' },
    extraResource: RUNTIME_RESOURCES,
  },
  // The packaged copy is rebuilt in packageAfterCopy; never rebuild node_modules itself.
  rebuildConfig: { onlyModules: [] },
  makers: [new MakerZIP({}, ['darwin', 'linux', 'win32']), new MakerDeb({ options: { name: 'tessera', productName: 'Tessera', categories: ['Development'] } })],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
        // The import worker (model readers with a time limit) beside main.js: electron/services/import/runner.ts finds it there.
        { entry: 'electron/services/import/import-worker.ts', config: 'vite.main.config.ts', target: 'main' },
      ],
      renderer: [],
    }),
    new AutoUnpackNativesPlugin({}),
  ],
  hooks: {
    // electron is an optional dependency (npm ci must succeed where its binary cannot be downloaded);
    // Forge looks for it among the devDependencies, so show it there.
    readPackageJson: async (_config, packageJson) => {
      const optional = packageJson.optionalDependencies?.electron;
      if (optional && !packageJson.devDependencies?.electron) packageJson.devDependencies = { ...packageJson.devDependencies, electron: optional };
      return packageJson;
    },
    // Before start and package: the renderer build, and (for start) an Electron build of better-sqlite3.
    generateAssets: async (_config, platform, arch) => {
      if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
        const vite = await import('vite');
        await vite.build({ configFile: path.join(root, 'vite.renderer.config.ts') });
      }
      const version = electronVersion();
      const native = version && electronSqliteBuild(root, version);
      if (version && native && !fs.existsSync(native)) {
        const work = path.join(path.dirname(native), 'build');
        fs.rmSync(work, { recursive: true, force: true });
        fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
        fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'native-build', version: '0.0.0', dependencies: { 'better-sqlite3': '*' } }));
        copyPackages(path.join(work, 'node_modules'));
        await rebuildForElectron(work, version, arch || process.arch);
        fs.mkdirSync(path.dirname(native), { recursive: true });
        fs.copyFileSync(path.join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), native);
        fs.rmSync(work, { recursive: true, force: true });
      }
      void platform;
    },
    // The Vite plugin packages only .vite/: bring better-sqlite3 in and build it for this Electron.
    packageAfterCopy: async (_config, buildPath, version, _platform, arch) => {
      copyPackages(path.join(buildPath, 'node_modules'));
      await rebuildForElectron(buildPath, version, arch);
    },
  },
};

export default config;

