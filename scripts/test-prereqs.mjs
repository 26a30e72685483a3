#!/usr/bin/env node
// Runs first in `npm test` (and in .ci/run before `npm ci`, with --tools): finds what the suite needs
// beyond `npm ci` — a Chromium-family browser for Playwright, g++ for the C simulations, clang++ for the
// static check of generated HLS C++ (its AST), tclsh for the generated Tcl scripts — and Electron's type
// definitions. A missing tool stops the run at once with one line per system saying what to install; running as root on Debian or Ubuntu it is installed
// with apt-get instead (as on a fresh CI machine). Plain Node, no dependencies: it runs before npm ci.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The executable `command` on PATH, or null. */
export function onPath(command, env = process.env) {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = path.join(dir, command + ext);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        /* not here */
      }
    }
  }
  return null;
}

const BROWSER_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const MACOS_BROWSERS = ['/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

/** Playwright's own Chromium, where `npx playwright install chromium` downloaded it. */
function playwrightChromium() {
  try {
    const { chromium } = createRequire(path.join(REPO, 'package.json'))('playwright-core');
    const file = chromium.executablePath();
    return file && fs.existsSync(file) ? file : null;
  } catch {
    return null; // playwright-core not installed yet, or no download for this platform
  }
}

/**
 * The browser the end-to-end tests drive: TESSERA_CHROMIUM when set, else Playwright's download, else
 * chromium / chromium-browser / google-chrome on PATH, else the macOS applications. null: none.
 */
export function findBrowser(env = process.env) {
  if (env.TESSERA_CHROMIUM) return { path: env.TESSERA_CHROMIUM, from: 'TESSERA_CHROMIUM', exists: fs.existsSync(env.TESSERA_CHROMIUM) };
  const playwright = playwrightChromium();
  if (playwright) return { path: playwright, from: "Playwright's download", exists: true };
  for (const command of BROWSER_COMMANDS) {
    const file = onPath(command, env);
    if (file) return { path: file, from: 'PATH', exists: true };
  }
  if (process.platform === 'darwin') for (const file of MACOS_BROWSERS) if (fs.existsSync(file)) return { path: file, from: 'Applications', exists: true };
  return null;
}

/** What each tool is called by the package managers of the systems we name. */
const TOOLS = [
  { name: 'g++', found: (env) => onPath('g++', env), debian: 'g++', fedora: 'gcc-c++', macos: 'xcode-select --install' },
  { name: 'clang++', found: (env) => env.TESSERA_CLANG ?? onPath('clang++', env), debian: 'clang', fedora: 'clang', macos: 'xcode-select --install' },
  { name: 'tclsh', found: (env) => onPath('tclsh', env), debian: 'tcl', fedora: 'tcl', macos: 'brew install tcl-tk' },
  { name: 'a Chromium browser', found: (env) => findBrowser(env)?.exists, debian: 'chromium', fedora: 'chromium', macos: 'brew install --cask chromium' },
];

/** The tools that are missing. */
export function missingTools(env = process.env) {
  return TOOLS.filter((t) => !t.found(env));
}

/** One line per system: what to install for the missing tools. */
export function installAdvice(missing) {
  const pkgs = (key) => missing.map((t) => t[key]);
  const browser = missing.some((t) => t.debian === 'chromium');
  const debian = pkgs('debian').filter((p) => p !== 'chromium');
  const lines = [
    `npm test needs g++, clang++, tclsh and a Chromium browser; not found: ${missing.map((t) => t.name).join(', ')}. Install, then run npm test again:`,
    `  Debian:  sudo apt-get install ${pkgs('debian').join(' ')}`,
    `  Ubuntu:  ${[debian.length ? `sudo apt-get install ${debian.join(' ')}` : '', browser ? 'npx playwright install --with-deps chromium' : ''].filter(Boolean).join(' && ')}`,
    `  Fedora:  sudo dnf install ${pkgs('fedora').join(' ')}`,
    `  macOS:   ${[...new Set(pkgs('macos'))].join(' && ')}`,
  ];
  if (browser) lines.push('  (or set TESSERA_CHROMIUM to the path of a Chrome or Chromium executable)');
  return lines.join('\n');
}

/** 'debian', 'ubuntu' or null, from /etc/os-release. */
function debianFamily() {
  let text = '';
  try {
    text = fs.readFileSync('/etc/os-release', 'utf8');
  } catch {
    return null;
  }
  const field = (k) => (text.match(new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm'))?.[1] ?? '').toLowerCase();
  if (field('ID') === 'ubuntu' || field('ID_LIKE').split(/\s+/).includes('ubuntu')) return 'ubuntu';
  if (field('ID') === 'debian' || field('ID_LIKE').split(/\s+/).includes('debian')) return 'debian';
  return null;
}

function run(command, args, env = process.env) {
  console.log(`test-prereqs: ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status === 0;
}

/** As root on Debian/Ubuntu: installs the missing tools with apt-get; true when it did. */
function installAsRoot(missing) {
  const family = debianFamily();
  if (process.getuid?.() !== 0 || !family || !onPath('apt-get')) return false;
  const browser = missing.some((t) => t.debian === 'chromium');
  // Ubuntu's chromium package is a snap stub (no snapd in containers): Playwright's download instead.
  const apt = missing.map((t) => t.debian).filter((p) => family === 'debian' || p !== 'chromium');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (apt.length && !(run('apt-get', ['update', '-qq'], env) && run('apt-get', ['install', '-y', '-qq', ...apt], env))) return false;
  if (family === 'ubuntu' && browser && !run(process.execPath, [path.join(REPO, 'node_modules/playwright/cli.js'), 'install', '--with-deps', 'chromium'], env)) return false;
  return true;
}

/**
 * npm drops an optional dependency whose install script fails: where Electron's binary cannot be
 * downloaded, `npm ci` leaves electron out, and with it the electron.d.ts the shell is typechecked
 * against. Install the package again without the binary.
 */
function ensureElectronTypes() {
  if (fs.existsSync(path.join(REPO, 'node_modules/electron/electron.d.ts'))) return true;
  console.log("test-prereqs: the electron package is missing (npm ci drops it when Electron's binary cannot be downloaded); installing it without the binary for its type definitions");
  const npm = process.env.npm_execpath;
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ONNXRUNTIME_NODE_INSTALL: process.env.ONNXRUNTIME_NODE_INSTALL ?? 'skip' };
  const args = ['install', '--no-save', '--no-audit', '--no-fund'];
  const ok = npm ? run(process.execPath, [npm, ...args], env) : run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, env);
  if (ok && fs.existsSync(path.join(REPO, 'node_modules/electron/electron.d.ts'))) return true;
  console.error('test-prereqs: could not install the electron package; run: ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci');
  return false;
}

function main(argv) {
  const chosen = process.env.TESSERA_CHROMIUM;
  if (chosen && !fs.existsSync(chosen)) {
    console.error(`TESSERA_CHROMIUM is ${chosen}, which does not exist: point it at a Chrome or Chromium executable, or unset it.`);
    return 1;
  }
  let missing = missingTools();
  if (missing.length && installAsRoot(missing)) missing = missingTools();
  if (missing.length) {
    console.error(installAdvice(missing));
    return 1;
  }
  if (!argv.includes('--tools') && !ensureElectronTypes()) return 1;
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
