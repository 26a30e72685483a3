// A clone stands alone: nothing in the repository names a folder of a developer's machine or the
// workspace beside the checkout, the test data the suite reads is inside the repository with its
// license, and the project's own license is stated the same way everywhere.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const SELF = path.relative(REPO, __filename);
/** Folders that are built, installed or produced by runs, never written by us. */
const GENERATED = new Set(['.git', 'node_modules', 'out', '.vite', 'dist', 'test-results', 'playwright-report', 'tmp']);

/** The repository's files: what git tracks or would add (the checkout), or every file outside GENERATED (a copy without git). */
function repoFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  // Files only: a worktree may link node_modules to another checkout's, which git lists as an untracked entry.
  if (git.status === 0 && git.stdout) return git.stdout.split('\0').filter((f) => f && fs.statSync(path.join(REPO, f), { throwIfNoEntry: false })?.isFile());
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(REPO, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!GENERATED.has(e.name)) walk(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An absolute path starting here (not the tail of a longer path or word). */
const absolute = (p: string): RegExp => new RegExp(`(?<![\\w.~-])${escape(p)}`);

/** Paths of the machines Tessera is developed on: the workspace, the folder beside the checkout, home folders. */
function forbiddenPaths(): { what: string; re: RegExp }[] {
  const list = [
    { what: 'the development workspace', re: /(?<![\w.~/-])\/work\// },
    { what: 'a folder beside the checkout', re: /\.\.[/\\]shared\b/ },
    { what: 'the workspace design documents or fixtures', re: /(?<![\w.~-])\/shared\/(design|fixtures)\b/ },
    { what: 'a Linux home folder', re: /(?<![\w.~/-])\/home\/[^/\s'"`]+\// },
    { what: 'a macOS home folder', re: /(?<![\w.~/-])\/Users\/[^/\s'"`]+\// },
    { what: "root's home folder", re: /(?<![\w.~/-])\/root\// },
    { what: 'a Windows home folder', re: /\b[A-Za-z]:\\{1,2}Users\\{1,2}/ },
    { what: 'this checkout', re: absolute(`${REPO}${path.sep}`) },
  ];
  const home = os.homedir();
  if (home && home !== path.sep) list.push({ what: 'the home folder of whoever runs the tests', re: absolute(`${home}${path.sep}`) });
  return list;
}

/** Made-up user paths that tests need as input (a home folder with spaces), not anybody's machine. */
const INVENTED = ['/home/ada lovelace/'];

describe('the repository stands alone', () => {
  const files = repoFiles();

  it('finds the repository files', () => {
    expect(files).toContain('package.json');
    expect(files).toContain(SELF);
    expect(files.length).toBeGreaterThan(100);
  });

  it('names no folder of a developer machine in code, messages, docs or tests', () => {
    const rules = forbiddenPaths();
    const found: string[] = [];
    for (const f of files) {
      if (f === SELF) continue; // this file spells out the patterns
      let text = fs.readFileSync(path.join(REPO, f), 'latin1');
      for (const ok of INVENTED) text = text.split(ok).join('');
      text.split('\n').forEach((line, i) => {
        for (const { what, re } of rules) {
          const m = re.exec(line);
          if (m) found.push(`${f}:${i + 1}: ${what} ("${line.slice(Math.max(0, m.index - 20), m.index + 40).trim()}")`);
        }
      });
    }
    expect(found, 'paths that exist only on a developer machine; use paths relative to the repository (or os.tmpdir()) instead').toEqual([]);
  });

  it('the check catches each kind of developer path (its patterns are alive)', () => {
    const rules = forbiddenPaths();
    const samples = [
      `see ${'/wo'}rk/shared/fixtures/README.md`,
      `resolve(__dirname, '${'..'}/shared/design')`,
      `Semantics: \`${'/sha'}red/design/FIXED_POINT.md\``,
      `${'/ho'}me/someone/tessera/x.ts`,
      `${'/Us'}ers/someone/tessera`,
      `${'/ro'}ot/.cache/x`,
      `${'C:'}\\Users\\someone\\x`,
      `${REPO}${path.sep}engine`,
    ];
    for (const s of samples) expect(rules.some(({ re }) => re.test(s)), s).toBe(true);
    for (const s of ['src/work/x.ts', 'node_modules/.bin/x', 'solution1/.autopilot/db/work/', '/tmp/tessera-x', 'shared layer']) {
      expect(rules.some(({ re }) => re.test(s)), s).toBe(false);
    }
  });

  it('carries the third-party test data with its license and attribution', () => {
    const dirs = fs.readdirSync(path.join(REPO, 'test-data'), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(dirs.map((d) => d.name)).toContain('hls4ml');
    const notice = fs.readFileSync(path.join(REPO, 'NOTICE'), 'utf8');
    for (const d of dirs) {
      const dir = path.join(REPO, 'test-data', d.name);
      expect(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8'), `test-data/${d.name}/LICENSE`).toMatch(/\S/);
      expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), `test-data/${d.name}/README.md`).toMatch(/license/i);
      expect(notice, `NOTICE names test-data/${d.name}`).toContain(`test-data/${d.name}/`);
    }
    expect(fs.readFileSync(path.join(REPO, 'test-data/hls4ml/LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
  });

  it('is Apache-2.0 in LICENSE, NOTICE, package.json and the lock file', () => {
    expect(fs.readFileSync(path.join(REPO, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(fs.readFileSync(path.join(REPO, 'NOTICE'), 'utf8')).toMatch(/^Tessera\n/);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { license: string };
    const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { license?: string }> };
    expect(pkg.license).toBe('Apache-2.0');
    expect(lock.packages[''].license).toBe('Apache-2.0');
  });
});
