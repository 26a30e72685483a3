// Packaging checked as far as a machine without Electron's binary allows: forge.config.ts loaded and
// read back through Forge's own code (makers, the Vite plugin's entries, the asar unpack rule after the
// plugins resolved it, how Forge finds Electron), the main and preload bundles built by the Vite
// plugin's own configuration, and those bundles run (fake `electron`) in a copy of the package's
// resources folder made from RUNTIME_RESOURCES: a runtime file left out of the package fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import Module, { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedForgeConfig } from '@electron-forge/shared-types';
import forgeConfig, { addonAbi, assertElectronBuild, NATIVE_PACKAGES, RUNTIME_RESOURCES } from '../../forge.config';
import { buildElectronBundles, vitePluginOf } from '../../scripts/electron-bundles';
import { channels, methodName, type BridgeApi } from '../../api/contract';
import { electronApi } from '../../renderer/api/client';
import { createTinyProject } from '../services/builds/testing';
import { conv, keras3File } from '../../engine/interop/keras/writer.testutil';
import { randomTensor } from '../../engine/tensor/tensor';
import type { FakeElectron } from './fake-electron.testutil';
import { startShellWith, stopShells, type Shell } from './shell.testutil';

const REPO = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, any>;
/** Forge's own helpers, from where Forge's CLI resolves them. */
const forgeRequire = createRequire(require.resolve('@electron-forge/cli/package.json'));
const { getElectronVersion } = forgeRequire('@electron-forge/core-utils') as typeof import('@electron-forge/core-utils');
/** The matcher @electron/asar (under @electron/packager) applies to the unpack rule. */
const asarRequire = createRequire(createRequire(forgeRequire.resolve('@electron/packager')).resolve('@electron/asar'));
const minimatch = asarRequire('minimatch') as (p: string, pattern: string, o?: object) => boolean;

/** The configuration after the plugins' resolveForgeConfig hooks, as Forge packages with it. */
async function resolvedConfig(): Promise<ResolvedForgeConfig> {
  let c = { ...forgeConfig, packagerConfig: { ...forgeConfig.packagerConfig, asar: { ...(forgeConfig.packagerConfig!.asar as object) } } } as ResolvedForgeConfig;
  for (const plugin of forgeConfig.plugins ?? []) {
    const hook = (plugin as { getHooks?: () => { resolveForgeConfig?: (c: ResolvedForgeConfig) => Promise<ResolvedForgeConfig> } }).getHooks?.().resolveForgeConfig;
    if (hook) c = await hook(c);
  }
  return c;
}

describe('forge.config.ts', () => {
  it('makes a zip for macOS, Linux and Windows and a .deb for Linux', async () => {
    const makers = forgeConfig.makers as unknown as { name: string; platforms: string[]; prepareConfig(a: string): Promise<void>; config: any }[];
    expect(makers.map((m) => [m.name, m.platforms])).toEqual([
      ['zip', ['darwin', 'linux', 'win32']],
      ['deb', ['linux']],
    ]);
    await makers[1].prepareConfig('x64');
    expect(makers[1].config.options).toMatchObject({ name: 'tessera', productName: 'Tessera' });
    expect(forgeConfig.packagerConfig).toMatchObject({ name: 'Tessera', executableName: 'tessera', asar: expect.anything() });
  });

  it("builds main and preload from the shell's sources with their Vite configs; package.json's main is the main bundle", () => {
    const vite = vitePluginOf().config;
    expect(vite.build).toEqual([
      { entry: 'electron/main/main.ts', config: 'vite.main.config.ts', target: 'main' },
      { entry: 'electron/preload/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      { entry: 'electron/services/import/import-worker.ts', config: 'vite.main.config.ts', target: 'main' },
    ]);
    expect(vite.renderer).toEqual([]); // the renderer is built by vite.renderer.config.ts and shipped as a resource
    for (const b of vite.build) {
      for (const file of [String(b.entry), String(b.config)]) expect(fs.existsSync(path.join(REPO, file)), file).toBe(true);
    }
    expect(pkg.main).toBe('.vite/build/main.js');
  });

  it('unpacks better-sqlite3 and what it loads from the asar archive, nothing else but native files', async () => {
    const c = await resolvedConfig();
    const unpack = (c.packagerConfig.asar as { unpack: string }).unpack;
    const app = '/tmp/build/resources/app';
    for (const name of NATIVE_PACKAGES) expect(minimatch(`${app}/node_modules/${name}/package.json`, unpack, { matchBase: true }), name).toBe(true);
    expect(minimatch(`${app}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`, unpack, { matchBase: true })).toBe(true);
    expect(minimatch(`${app}/.vite/build/main.js`, unpack, { matchBase: true })).toBe(false);
    expect(minimatch(`${app}/package.json`, unpack, { matchBase: true })).toBe(false);
    // The Vite plugin's filter: only the bundles (and package.json) are copied into the app.
    const ignore = c.packagerConfig.ignore as (file: string) => boolean;
    expect(ignore('/.vite/build/main.js')).toBe(false);
    expect(ignore('/node_modules/react/index.js')).toBe(true);
    expect(ignore('/electron/main/main.ts')).toBe(true);
  });

  it('ships the renderer, the examples and the HLS templates as resources, and they exist in the checkout', () => {
    expect([...RUNTIME_RESOURCES].sort()).toEqual(['hls-templates', 'out/renderer', 'projects']);
    expect(forgeConfig.packagerConfig!.extraResource).toEqual(RUNTIME_RESOURCES);
    expect(fs.existsSync(path.join(REPO, 'out/renderer/index.html')), 'out/renderer/index.html (npm run build:renderer builds it)').toBe(true);
    expect(fs.readdirSync(path.join(REPO, 'projects')).filter((f) => f.endsWith('.tessera')).length).toBeGreaterThanOrEqual(3);
    expect(fs.existsSync(path.join(REPO, 'hls-templates/include/ap_fixed.h'))).toBe(true);
  });

  it("refuses a better-sqlite3 'rebuilt for Electron' that was built for Node (as npm's nodedir setting causes)", () => {
    const nodeBuild = path.join(REPO, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(addonAbi(nodeBuild)).toBe(process.versions.modules);
    expect(() => assertElectronBuild(nodeBuild, '38.8.6')).toThrow(`${nodeBuild} was built for module ABI ${process.versions.modules}, Electron 38.8.6 loads 139`);
  });

  it('lets Forge find Electron, an optional dependency, through the readPackageJson hook', async () => {
    await expect(getElectronVersion(REPO, pkg as never)).rejects.toThrow(/Could not find any Electron packages in devDependencies/);
    const hook = forgeConfig.hooks!.readPackageJson!;
    const seen = (await hook(forgeConfig as ResolvedForgeConfig, structuredClone(pkg))) as typeof pkg;
    expect(seen.devDependencies.electron).toBe(pkg.optionalDependencies.electron);
    const installed = (require('electron/package.json') as { version: string }).version;
    expect(await getElectronVersion(REPO, seen as never)).toBe(installed);
  });
});

describe('the bundles Forge would package, run in a copy of the package resources', () => {
  let dir: string;
  let build: string;
  let shell: Shell;
  const loadWithFake = (fake: FakeElectron, file: string) => {
    const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
    (Module as unknown as { _load: typeof load })._load = function (request, ...rest) {
      return request === 'electron' ? fake.module : load.call(this, request, ...rest);
    };
    try {
      require(file);
    } finally {
      (Module as unknown as { _load: typeof load })._load = load;
    }
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bundle-'));
    // <resources>/app is what the asar holds: package.json (the Vite plugin copies the project's), the
    // bundles, and the native packages beside them.
    build = await buildElectronBundles(path.join(dir, 'app', '.vite', 'build'));
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(dir, 'app', 'package.json'));
    for (const name of NATIVE_PACKAGES) {
      fs.mkdirSync(path.join(dir, 'app', 'node_modules'), { recursive: true });
      fs.symlinkSync(path.join(REPO, 'node_modules', name), path.join(dir, 'app', 'node_modules', name));
    }
    shell = await startShellWith(
      {
        resources: (resources) => {
          for (const r of RUNTIME_RESOURCES) fs.cpSync(path.join(REPO, r), path.join(resources, path.basename(r)), { recursive: true });
          fs.symlinkSync(path.join(dir, 'app'), path.join(resources, 'app'));
        },
      },
      async (fake) => loadWithFake(fake, path.join(build, 'main.js')),
    );
  });
  afterAll(() => {
    stopShells();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the bundles need only Node built-ins, electron and the native packages shipped beside them', () => {
    const allowed = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron', ...NATIVE_PACKAGES]);
    const needed = new Set<string>();
    for (const f of fs.readdirSync(build).filter((f) => /\.c?js$/.test(f))) {
      for (const m of fs.readFileSync(path.join(build, f), 'utf8').matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) {
        if (!m[1].startsWith('./')) needed.add(m[1]);
      }
    }
    expect([...needed].filter((m) => !allowed.has(m))).toEqual([]);
    expect(needed.has('electron')).toBe(true);
    expect(needed.has('better-sqlite3')).toBe(true);
  });

  it('the bundles are CommonJS for Node and Electron, although the project is "type": "module"', () => {
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'app', 'package.json'), 'utf8')).type).toBe('module');
    expect(JSON.parse(fs.readFileSync(path.join(build, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('the main bundle opens its window with the preload built beside it', () => {
    const win = shell.fake.windows[0];
    expect(win.options.webPreferences!.preload).toBe(path.join(build, 'preload.js'));
    expect(fs.existsSync(win.options.webPreferences!.preload!)).toBe(true);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  it('serves the packaged renderer page and every file it references', async () => {
    const index = await shell.fake.protocol.fetch('tessera://app/index.html');
    expect(index.status).toBe(200);
    const html = await index.text();
    const refs = [...html.matchAll(/(?:src|href)="\.?\/?([^"#?]+)"/g)].map((m) => m[1]).filter((r) => !/^[a-z]+:/.test(r));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const r = await shell.fake.protocol.fetch(`tessera://app/${ref}`);
      expect(r.status, ref).toBe(200);
      expect(r.headers.get('content-type'), ref).not.toBe('application/octet-stream');
    }
  });

  it('lists the shipped examples and builds a project with the packaged HLS templates (g++ C simulation)', async () => {
    const win = shell.fake.windows[0];
    const ex = await shell.call(win, 'examples.list');
    const shipped = fs.readdirSync(path.join(REPO, 'projects')).filter((f) => f.endsWith('.tessera')).map((f) => f.replace(/\.tessera$/, ''));
    expect(ex.result.items.map((e: { id: string }) => e.id).sort()).toEqual(shipped.sort());

    const projectsDir = (await shell.call(win, 'app.info')).result.projectsDir as string;
    createTinyProject(projectsDir, 'packaged').close();
    const { projectId } = (await shell.call(win, 'project.open', { path: path.join(projectsDir, 'packaged.tessera') })).result;
    const variant = (await shell.call(win, 'variants.create', { projectId, config: { io: 'io_stream', scope: null, defaults: {}, layers: {} } })).result.variant;
    const started = await shell.call(win, 'builds.start', { projectId, variantIds: [variant.id], csim: true });
    expect(started.ok).toBe(true);
    let runs: { status: string; log: string }[] = [];
    for (let i = 0; i < 1200; i++) {
      const l = (await shell.call(win, 'builds.list', { projectId })).result;
      runs = l.items;
      if (l.active === 0 && l.queued === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The bundle's own folder has no hls-templates beside it: only the packaged copy can serve this build.
    expect(fs.existsSync(path.resolve(build, '../../../hls-templates'))).toBe(false);
    expect(runs.map((r) => r.status), runs.map((r) => r.log).join('\n').slice(-2000)).toEqual(['succeeded']);
    expect(runs[0].log).toMatch(/csim: bit-exact/);
  });

  it('imports a .keras model through the import worker bundled beside main.js (the time limit of Keras imports)', async () => {
    expect(fs.existsSync(path.join(build, 'import-worker.js'))).toBe(true);
    const win = shell.fake.windows[0];
    const bytes = await keras3File({ kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 6, 6, 2] }], layers: [conv('Conv2D', 'c', 2, { filters: 3, kernel_size: [3, 3] }, [randomTensor([3, 3, 2, 3], 1), randomTensor([3], 2)])] });
    const r = await shell.call(win, 'onnx.import', { fileName: 'm.keras', bytesBase64: Buffer.from(bytes).toString('base64') });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result.graph.nodes.map((n: { type: string }) => n.type)).toEqual(['Input', 'Conv2D']);
  });

  it('the preload bundle exposes window.tessera, whose calls reach the bundled main', async () => {
    const win = shell.fake.windows[0];
    shell.fake.ipcRenderer.page = win.webContents;
    loadWithFake(shell.fake, path.join(build, 'preload.js'));
    expect(Object.keys(shell.fake.contextBridge.exposed.get('tessera') as object).sort()).toEqual([...channels.map(methodName), 'onEvent'].sort());
    const api = electronApi(shell.fake.contextBridge.mainWorld.get('tessera') as BridgeApi);
    expect(await api.appInfo({})).toMatchObject({ mode: 'electron', version: '9.8.7' });
    await expect(api.projectOpen({ path: path.join(dir, 'none.tessera') })).rejects.toMatchObject({ name: 'ApiError', code: 'not-found' });
  });
});
