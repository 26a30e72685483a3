// The check `npm test` runs first (scripts/test-prereqs.mjs), run as a process with a PATH made for
// each case: which browser it picks, the one line per system it prints when tools are missing, and
// (as root on Debian, as in CI) that it installs them with apt-get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBrowser, installAdvice, missingTools } from './test-prereqs.mjs';

const SCRIPT = path.join(__dirname, 'test-prereqs.mjs');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-prereqs-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A folder of stand-in executables (shell scripts) for PATH. */
function bin(name: string, tools: Record<string, string>): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [tool, body] of Object.entries(tools)) {
    fs.writeFileSync(path.join(d, tool), `#!/bin/sh\n${body}\n`);
    fs.chmodSync(path.join(d, tool), 0o755);
  }
  return d;
}

/** The check as `npm test` runs it (--tools: not the Electron part), with only `pathDirs` on PATH. */
function check(pathDirs: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [SCRIPT, '--tools'], {
    encoding: 'utf8',
    env: { HOME: os.homedir(), PLAYWRIGHT_BROWSERS_PATH: path.join(dir, 'no-browsers'), PATH: pathDirs.join(path.delimiter), ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('finding a browser', () => {
  it('takes TESSERA_CHROMIUM first, then chromium, chromium-browser, google-chrome on PATH in that order', () => {
    const all = bin('browsers-all', { 'google-chrome': 'exit 0', 'chromium-browser': 'exit 0', chromium: 'exit 0' });
    const two = bin('browsers-two', { 'google-chrome': 'exit 0', 'chromium-browser': 'exit 0' });
    const chrome = bin('browsers-chrome', { 'google-chrome': 'exit 0' });
    const noDownload = { PLAYWRIGHT_BROWSERS_PATH: path.join(dir, 'no-browsers') };
    process.env.PLAYWRIGHT_BROWSERS_PATH = noDownload.PLAYWRIGHT_BROWSERS_PATH;
    try {
      expect(findBrowser({ PATH: all })).toEqual({ path: path.join(all, 'chromium'), from: 'PATH', exists: true });
      expect(findBrowser({ PATH: two })?.path).toBe(path.join(two, 'chromium-browser'));
      expect(findBrowser({ PATH: chrome })?.path).toBe(path.join(chrome, 'google-chrome'));
      expect(findBrowser({ PATH: path.join(dir, 'nothing') })).toBeNull();
      expect(findBrowser({ PATH: all, TESSERA_CHROMIUM: '/opt/my chrome/chrome' })).toEqual({ path: '/opt/my chrome/chrome', from: 'TESSERA_CHROMIUM', exists: false });
    } finally {
      delete process.env.PLAYWRIGHT_BROWSERS_PATH;
    }
  });

  it("prefers Playwright's own download where it is installed", () => {
    const browsers = path.join(dir, 'pw-browsers');
    const probe = `const { chromium } = require('playwright-core'); console.log(chromium.executablePath());`;
    const expected = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: browsers } }).stdout.trim();
    expect(expected.startsWith(browsers)).toBe(true);
    fs.mkdirSync(path.dirname(expected), { recursive: true });
    fs.writeFileSync(expected, '');
    const found = spawnSync(process.execPath, ['--input-type=module', '-e', `import { findBrowser } from ${JSON.stringify(SCRIPT)}; console.log(JSON.stringify(findBrowser({ PATH: ${JSON.stringify(bin('browsers-pw', { chromium: 'exit 0' }))} })));`], {
      encoding: 'utf8',
      env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: browsers },
    });
    expect(JSON.parse(found.stdout)).toEqual({ path: expected, from: "Playwright's download", exists: true });
  });
});

describe('missing tools', () => {
  const nodeOnly = () => bin('node-only', { node: `exec ${JSON.stringify(process.execPath)} "$@"` });

  it('stop the run at once with one line per system (no apt-get on PATH, so nothing is installed)', () => {
    const r = check([nodeOnly()]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual([
      'npm test needs g++, clang++, tclsh and a Chromium browser; not found: g++, clang++, tclsh, a Chromium browser. Install, then run npm test again:',
      '  Debian:  sudo apt-get install g++ clang tcl chromium',
      '  Ubuntu:  sudo apt-get install g++ clang tcl && npx playwright install --with-deps chromium',
      '  Fedora:  sudo dnf install gcc-c++ clang tcl chromium',
      '  macOS:   xcode-select --install && brew install tcl-tk && brew install --cask chromium',
      '  (or set TESSERA_CHROMIUM to the path of a Chrome or Chromium executable)',
    ]);
  });

  it('name only what is missing', () => {
    const some = bin('gxx-and-browser', { 'g++': 'exit 0', 'clang++': 'exit 0', chromium: 'exit 0' });
    const r = check([nodeOnly(), some]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^npm test needs g\+\+, clang\+\+, tclsh and a Chromium browser; not found: tclsh\. /);
    expect(r.err).toContain('  Fedora:  sudo dnf install tcl\n');
    expect(r.err).not.toContain('TESSERA_CHROMIUM');
    expect(installAdvice(missingTools({ PATH: some }))).toBe(r.err.trim());
  });

  it('a TESSERA_CHROMIUM that does not exist is named, not replaced by another browser', () => {
    const r = check([nodeOnly(), bin('all-tools', { 'g++': 'exit 0', 'clang++': 'exit 0', tclsh: 'exit 0', chromium: 'exit 0' })], { TESSERA_CHROMIUM: '/nowhere/chrome' });
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe('TESSERA_CHROMIUM is /nowhere/chrome, which does not exist: point it at a Chrome or Chromium executable, or unset it.');
  });

  it('pass silently when everything is there', () => {
    const r = check([nodeOnly(), bin('all-tools', { 'g++': 'exit 0', 'clang++': 'exit 0', tclsh: 'exit 0', chromium: 'exit 0' })]);
    expect(r).toEqual({ code: 0, out: '', err: '' });
  });

  const rootOnDebian = process.getuid?.() === 0 && /^ID=debian$/m.test(fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '');
  it.skipIf(!rootOnDebian)('as root on Debian: installed with apt-get, non-interactively (a stand-in apt-get records the calls)', () => {
    const log = path.join(dir, 'apt.log');
    const tools = bin('root-tools', { 'g++': 'exit 0', 'clang++': 'exit 0', chromium: 'exit 0' });
    const apt = bin('apt', {
      'apt-get': `echo "$DEBIAN_FRONTEND $*" >> ${JSON.stringify(log)}\ncase "$*" in *install*tcl*) printf '#!/bin/sh\\n' > ${JSON.stringify(path.join(tools, 'tclsh'))}; /bin/chmod 755 ${JSON.stringify(path.join(tools, 'tclsh'))};; esac`,
    });
    const r = check([nodeOnly(), tools, apt]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual(['noninteractive update -qq', 'noninteractive install -y -qq tcl']);
  });
});
