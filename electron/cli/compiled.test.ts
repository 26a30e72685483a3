// The compiled CLI (bin/cli-build.mjs): a build is reused only while every source it was made from is
// unchanged (an edit or a `git pull` rebuilds it, never runs old code), and `tessera --help` loads no
// command's code.
import { describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentCliEntry, holdBuild, staleReason } from '../../bin/cli-build.mjs';
import { REPO_ROOT, spawnTessera } from './cli.testutil';
import { COMMANDS } from './commands/catalog';

interface OutputMeta {
  imports: { path: string; kind: string; external?: boolean }[];
  inputs: Record<string, unknown>;
}

function miniCheckout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-build-'));
  fs.mkdirSync(path.join(root, 'electron', 'cli'), { recursive: true });
  fs.writeFileSync(path.join(root, 'electron', 'cli', 'main.ts'), "import { answer } from './answer';\nexport async function main(): Promise<number> {\n  return answer();\n}\n");
  fs.writeFileSync(path.join(root, 'electron', 'cli', 'answer.ts'), 'export const answer = (): number => 1;\n');
  return root;
}

async function runEntry(root: string): Promise<number> {
  const { main } = (await import(await currentCliEntry(root))) as { main: () => Promise<number> };
  return main();
}

describe('compiled CLI', () => {
  it('builds once, reuses the build while the sources are unchanged, rebuilds when any of them changes or goes', async () => {
    const root = miniCheckout();
    try {
      expect(staleReason(root)).toBe('no build yet');
      expect(await runEntry(root)).toBe(1);
      const first = await currentCliEntry(root);
      expect(staleReason(root)).toBeNull();
      expect(await currentCliEntry(root)).toBe(first); // reused, not rebuilt

      // An edit to an imported module (what a pull does): same size, new content and modification time.
      const answer = path.join(root, 'electron', 'cli', 'answer.ts');
      fs.writeFileSync(answer, 'export const answer = (): number => 2;\n');
      fs.utimesSync(answer, new Date(), new Date(Date.now() + 5000));
      expect(staleReason(root)).toBe('electron/cli/answer.ts changed');
      expect(await runEntry(root)).toBe(2);
      expect(await currentCliEntry(root)).not.toBe(first);

      // A removed source, and a removed build folder.
      fs.writeFileSync(path.join(root, 'electron', 'cli', 'main.ts'), 'export async function main(): Promise<number> {\n  return 3;\n}\n');
      fs.rmSync(answer);
      expect(staleReason(root)).toMatch(/electron\/cli\/(main|answer)\.ts (changed|is gone)/);
      expect(await runEntry(root)).toBe(3);
      fs.rmSync(path.dirname(fileURLToPath(await currentCliEntry(root))), { recursive: true });
      expect(staleReason(root)).toMatch(/^dist\/cli\/.* is missing$/);
      expect(await runEntry(root)).toBe(3);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a superseded build stays while a process runs from it and for an hour after it stops being current, then goes', async () => {
    const root = miniCheckout();
    const answer = path.join(root, 'electron', 'cli', 'answer.ts');
    let version = 1;
    /** An edit (as a pull makes) and the build folder the next start runs from. */
    const rebuild = async () => {
      fs.writeFileSync(answer, `export const answer = (): number => ${++version};\n`);
      fs.utimesSync(answer, new Date(), new Date(Date.now() + version * 1000));
      expect(await runEntry(root)).toBe(version);
      return path.dirname(fileURLToPath(await currentCliEntry(root)));
    };
    const twoHoursAgo = (dir: string) => fs.utimesSync(dir, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    try {
      const a = path.dirname(fileURLToPath(await currentCliEntry(root)));
      twoHoursAgo(a); // made two hours ago, current until the next rebuild
      const b = await rebuild();
      expect(b).not.toBe(a);
      expect(fs.existsSync(a), 'a build that just stopped being current').toBe(true);

      // A process still running from an old build (a serve-mode app left open) keeps it past the hour.
      twoHoursAgo(a);
      const stop = holdBuild(pathToFileURL(path.join(a, 'main.mjs')).href);
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      try {
        const stopTicking = holdBuild(pathToFileURL(path.join(b, 'main.mjs')).href);
        twoHoursAgo(b);
        vi.advanceTimersByTime(10 * 60_000); // the running process marks its folder used again
        stopTicking();
      } finally {
        vi.useRealTimers();
      }
      expect(fs.statSync(b).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
      await rebuild();
      expect(fs.existsSync(a), 'held by a running process').toBe(true);
      stop();

      // Unused for an hour and not current: removed by the next build.
      twoHoursAgo(a);
      await rebuild();
      expect(fs.existsSync(a)).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the help needs no command code: main.mjs statically reaches only the catalog; each command loads on demand', async () => {
    const entry = fileURLToPath(await currentCliEntry());
    const buildDir = path.dirname(entry);
    const outputs = JSON.parse(fs.readFileSync(path.join(buildDir, 'meta.json'), 'utf8')) as Record<string, OutputMeta>;
    const key = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');
    /** Source files in `out` and everything it imports statically; dynamic imports and externals collected aside. */
    const closure = (out: string, into = { inputs: new Set<string>(), externals: [] as string[], dynamic: [] as string[] }, seen = new Set<string>()) => {
      if (seen.has(out)) return into;
      seen.add(out);
      const meta = outputs[out];
      expect(meta, out).toBeDefined();
      for (const input of Object.keys(meta.inputs)) into.inputs.add(input);
      for (const imp of meta.imports) {
        if (imp.kind === 'dynamic-import') into.dynamic.push(imp.path);
        else if (imp.external) into.externals.push(imp.path);
        else closure(imp.path, into, seen);
      }
      return into;
    };
    const help = closure(key(entry));
    expect(help.externals).toEqual([]);
    expect([...help.inputs].sort()).toEqual(['electron/cli/commands/catalog.ts', 'electron/cli/commands/types.ts', 'electron/cli/main.ts']);
    // Each command of the catalog is reached through a dynamic import (modules are named after their key).
    const onDemand = new Set(help.dynamic.flatMap((t) => [...closure(t).inputs]));
    for (const k of Object.keys(COMMANDS)) expect(onDemand.has(`electron/cli/commands/${k}.ts`), k).toBe(true);
  });

  it('the spawned command runs the current build: --help lists every command', async () => {
    const r = await spawnTessera(['--help']);
    expect(r.code).toBe(0);
    for (const c of Object.values(COMMANDS)) expect(r.stdout).toContain(`tessera ${c.usage}`);
    expect(staleReason()).toBeNull();
  });
});
