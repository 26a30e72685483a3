// The compiled CLI (and the serve-mode server it starts): electron/cli/main.ts bundled by esbuild into
// dist/cli/<build id>/ (with the import worker), one chunk per command so each loads only what it runs; packages stay in
// node_modules. Built by `npm ci` (the prepare script) and rebuilt by bin/tessera.mjs whenever a source
// it was made from has changed since (a `git pull`, an edit): dist/cli/manifest.json records every input
// file with its size and modification time, and a start compares them (a few hundred stat calls, no
// reading), so a stale build never runs.
//
// Concurrent starts (tests spawn the CLI in parallel) are safe: each build goes to its own folder and the
// manifest is replaced by a rename. A folder is removed once it is not current and nothing has used it for an
// hour: it is marked used when it stops being current and, every few minutes, by each process running from it
// (holdBuild: a serve-mode app left open starts the Keras import worker and loads chunks from its folder).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'electron/cli/main.ts';
const IMPORT_WORKER = 'electron/services/import/import-worker.ts';
const distDir = (root) => path.join(root, 'dist', 'cli');
const manifestFile = (root) => path.join(distDir(root), 'manifest.json');
/** The manifest's layout. */
const FORMAT = 3;
/** Superseded build folders unused for this long are removed (a long-running server may still load chunks from its own). */
const KEEP_OLD_MS = 60 * 60 * 1000;
/** How often a running process marks its build folder used (well below KEEP_OLD_MS). */
const HOLD_EVERY_MS = 10 * 60 * 1000;

/** Marks a build folder used now (its modification time); a read-only install cannot, and needs not. */
function markUsed(dir) {
  try {
    const now = new Date();
    fs.utimesSync(dir, now, now);
  } catch {
    // gone or not ours to touch
  }
}

function readManifest(root) {
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile(root), 'utf8'));
    return m && m.format === FORMAT && typeof m.dir === 'string' && m.inputs && typeof m.inputs === 'object' ? m : null;
  } catch {
    return null;
  }
}

/** Why the recorded build cannot be used (a changed, added or missing input), or null when it is current. */
export function staleReason(root = ROOT, manifest = readManifest(root)) {
  if (!manifest) return 'no build yet';
  if (!fs.existsSync(path.join(distDir(root), manifest.dir, 'main.mjs'))) return `dist/cli/${manifest.dir} is missing`;
  for (const [rel, [size, mtimeMs]] of Object.entries(manifest.inputs)) {
    let st;
    try {
      st = fs.statSync(path.join(root, rel));
    } catch {
      return `${rel} is gone`;
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return `${rel} changed`;
  }
  return null;
}

/**
 * Packages stay external, imported by Node at run time; a CommonJS subpath such as 'protobufjs/light' that
 * only a bundler resolves (no "exports", no extension) is rewritten to the file Node's ESM loader can find.
 */
const nodeResolvable = {
  name: 'node-resolvable-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./][^:]*\/[^/]+$/ }, (args) => {
      if (args.path.startsWith('@') && args.path.split('/').length === 2) return undefined;
      const canImport = (spec) => {
        try {
          const url = import.meta.resolve(spec);
          return !url.startsWith('file:') || fs.statSync(fileURLToPath(url)).isFile();
        } catch {
          return false;
        }
      };
      if (canImport(args.path) || !canImport(`${args.path}.js`)) return undefined;
      return { path: `${args.path}.js`, external: true };
    });
  },
};

/** Bundles the CLI into a fresh folder and makes it current; returns the path of its main.mjs. */
export async function buildCli(root = ROOT) {
  const esbuild = await import('esbuild');
  const id = `b${Date.now().toString(36)}-${process.pid}`;
  const outdir = path.join(distDir(root), id);
  // Inputs are stat'ed before the build: a file edited during the build then looks changed next time.
  const result = await esbuild.build({
    absWorkingDir: root,
    // The Keras import worker (electron/services/import/runner.ts starts it from beside its own code: chunks
    // and entries share one folder).
    entryPoints: { main: ENTRY, ...(fs.existsSync(path.join(root, IMPORT_WORKER)) ? { 'import-worker': IMPORT_WORKER } : {}) },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
    chunkNames: '[name]-[hash]',
    plugins: [nodeResolvable],
  });
  const inputs = {};
  // The sources, and this builder (a change to how the CLI is built also makes a build stale).
  for (const rel of [...Object.keys(result.metafile.inputs).sort(), path.relative(root, fileURLToPath(import.meta.url))]) {
    const st = fs.statSync(path.join(root, rel));
    inputs[rel] = [st.size, st.mtimeMs];
  }
  // What each output imports (statically or on demand): the CLI test checks that --help loads no command.
  fs.writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile.outputs));
  const manifest = manifestFile(root);
  const previous = readManifest(root);
  const tmp = `${manifest}.${id}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, dir: id, esbuild: esbuild.version, inputs }));
  fs.renameSync(tmp, manifest);
  // The build this one supersedes stops being current now: its hour starts now, not when it was made.
  if (previous && previous.dir !== id) markUsed(path.join(distDir(root), previous.dir));
  pruneOldBuilds(root, id);
  return path.join(outdir, 'main.mjs');
}

function pruneOldBuilds(root, current) {
  const now = Date.now();
  for (const name of fs.readdirSync(distDir(root))) {
    if (name === current || !/^b[0-9a-z]+-\d+$/.test(name)) continue;
    const dir = path.join(distDir(root), name);
    try {
      if (now - fs.statSync(dir).mtimeMs > KEEP_OLD_MS) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // another process pruned it first
    }
  }
}

/**
 * Keeps the build folder of `entryUrl` (a currentCliEntry answer) from being pruned while this process runs:
 * marks it used now and every HOLD_EVERY_MS (an unref'd timer: it keeps no process alive). Returns a stop function.
 */
export function holdBuild(entryUrl) {
  const dir = path.dirname(fileURLToPath(entryUrl));
  markUsed(dir);
  const timer = setInterval(() => markUsed(dir), HOLD_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The URL of a current build's entry, building one first when there is none or it is stale. */
export async function currentCliEntry(root = ROOT) {
  const manifest = readManifest(root);
  const reason = staleReason(root, manifest);
  if (reason === null) return pathToFileURL(path.join(distDir(root), manifest.dir, 'main.mjs')).href;
  if (process.env.TESSERA_CLI_BUILD_LOG) console.error(`tessera: rebuilding the CLI (${reason})`);
  return pathToFileURL(await buildCli(root)).href;
}

// `node bin/cli-build.mjs`: build now (npm's prepare step); `--check`: exit 1 when the build is stale.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const reason = staleReason();
    console.log(reason ? `stale: ${reason}` : 'current');
    process.exitCode = reason ? 1 : 0;
  } else {
    const t0 = performance.now();
    const entry = await buildCli();
    console.log(`cli-build: ${path.relative(ROOT, entry)} in ${Math.round(performance.now() - t0)} ms`);
  }
}
