// The csim object cache is used only in folders of this user's that nobody else can write into: whoever can
// write there chooses the objects a build links and runs (a folder another user made first under /tmp, a
// group-shared one). Such a folder is not read or written; the build compiles everything and says why.
import { describe, expect, it } from 'vitest';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCsim, runCsimProgram } from './csim';
import { cacheFolderProblem } from './object-cache';

function project(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.cpp'), '#include <cstdio>\nint main() { std::printf("ok\\n"); return 0; }\n');
}

async function build(dir: string, cache: string): Promise<{ reused: number; log: string }> {
  const c = await compileCsim(dir, ['main.cpp'], 'csim/x.exe', { cache });
  expect(c.ok, c.log).toBe(true);
  expect((await runCsimProgram(dir, 'csim/x.exe', [])).log.trim()).toBe('ok');
  return { reused: (c.log.match(/reused from the cache/g) ?? []).length, log: c.log };
}

const posix = typeof process.getuid === 'function';

describe.runIf(posix)('csim object cache folder trust', () => {
  it('makes its folders private, and uses none that others can write into', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-objcache-trust-'));
    try {
      const cache = join(root, 'cache');
      const a = join(root, 'a');
      project(a);
      expect(await build(a, cache)).toMatchObject({ reused: 0 });
      for (const d of [cache, join(cache, 'objects'), join(cache, 'keys')]) expect(statSync(d).mode & 0o777, d).toBe(0o700);
      expect(cacheFolderProblem(cache)).toBeNull();
      expect(await build(a, cache)).toMatchObject({ reused: 1 });

      // Writable by the group or by everyone: neither read nor written.
      for (const mode of [0o777, 0o770]) {
        chmodSync(join(cache, 'objects'), mode);
        expect(cacheFolderProblem(cache)).toMatch(/objects is writable by other users/);
        const r = await build(a, cache);
        expect(r.reused).toBe(0);
        expect(r.log).toMatch(/not cached \(the object cache is not used: .*writable by other users.*TESSERA_CSIM_CACHE/);
        chmodSync(join(cache, 'objects'), 0o700);
      }
      expect(await build(a, cache)).toMatchObject({ reused: 1 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  // Only root can give a folder to another user.
  it.runIf(posix && process.getuid!() === 0)("a folder another user owns is not used (one made first under /tmp)", async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-objcache-owner-'));
    try {
      const cache = join(root, 'cache');
      const a = join(root, 'a');
      project(a);
      await build(a, cache);
      expect(await build(a, cache)).toMatchObject({ reused: 1 });
      chownSync(cache, 4242, 4242);
      expect(cacheFolderProblem(cache)).toMatch(/belongs to another user \(uid 4242\)/);
      const r = await build(a, cache);
      expect(r.reused).toBe(0);
      expect(r.log).toMatch(/belongs to another user/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
