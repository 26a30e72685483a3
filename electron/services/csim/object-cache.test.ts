// The csim object cache: an unchanged source with unchanged headers links the cached object (in another
// build folder too); a changed header, flag or source compiles again; the program is right either way.
import { describe, expect, it, vi } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { compileCsim, runCsimProgram } from './csim';
import { ObjectCache, RECORDS_PER_KEY, parseDepFile } from './object-cache';

function project(dir: string, value: number, tbText = 'ok'): void {
  mkdirSync(join(dir, 'inc'), { recursive: true });
  writeFileSync(join(dir, 'inc', 'value.h'), `#pragma once\nconstexpr int kValue = ${value};\nint value();\n`);
  writeFileSync(join(dir, 'value.cpp'), '#include "inc/value.h"\nint value() { return kValue; }\n');
  writeFileSync(join(dir, 'main.cpp'), `#include <cstdio>\n#include "inc/value.h"\nint main() { std::printf("${tbText} %d\\n", value()); return 0; }\n`);
}

async function build(dir: string, cache: string, flags: string[] = []): Promise<{ out: string; reused: number }> {
  const c = await compileCsim(dir, ['value.cpp', 'main.cpp'], 'csim/x.exe', { cache, flags });
  expect(c.ok, c.log).toBe(true);
  const r = await runCsimProgram(dir, 'csim/x.exe', []);
  expect(r.ok, r.log).toBe(true);
  return { out: r.log.trim(), reused: (c.log.match(/reused from the cache/g) ?? []).length };
}

describe('csim object cache', () => {
  it('reuses objects whose source and headers are unchanged, across build folders, and recompiles what changed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-objcache-'));
    try {
      const cache = join(root, 'cache');
      const a = join(root, 'a');
      project(a, 1);
      expect(await build(a, cache)).toEqual({ out: 'ok 1', reused: 0 });
      expect(await build(a, cache)).toEqual({ out: 'ok 1', reused: 2 });
      const b = join(root, 'b'); // another variant's folder, same files
      project(b, 1);
      expect(await build(b, cache)).toEqual({ out: 'ok 1', reused: 2 });
      project(b, 2); // a header both sources include
      expect(await build(b, cache)).toEqual({ out: 'ok 2', reused: 0 });
      project(b, 2, 'changed'); // only main.cpp differs
      expect(await build(b, cache)).toEqual({ out: 'changed 2', reused: 1 });
      expect(await build(b, cache, ['-DUNUSED=1'])).toEqual({ out: 'changed 2', reused: 0 }); // other flags
      project(b, 1); // back to the first content: both found again
      expect(await build(b, cache)).toEqual({ out: 'ok 1', reused: 2 });
      // over its limit the cache drops its oldest objects; a record without its object is a miss
      new ObjectCache(cache, 1).prune();
      expect(readdirSync(join(cache, 'objects'))).toEqual([]);
      expect(await build(b, cache)).toEqual({ out: 'ok 1', reused: 0 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an object another build prunes between lookup and copy is compiled instead (no failure)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-objcache-'));
    const lookup = ObjectCache.prototype.lookup;
    try {
      const cache = join(root, 'cache');
      const a = join(root, 'a');
      project(a, 3);
      expect(await build(a, cache)).toEqual({ out: 'ok 3', reused: 0 });
      // the race, made certain: the cache finds the object, then it is gone before the copy
      vi.spyOn(ObjectCache.prototype, 'lookup').mockImplementation(function (this: ObjectCache, key, cwd) {
        const hit = lookup.call(this, key, cwd);
        if (hit) rmSync(hit);
        return hit;
      });
      const c = await compileCsim(a, ['value.cpp', 'main.cpp'], 'csim/x.exe', { cache });
      expect(c.ok, c.log).toBe(true);
      expect(c.log).toMatch(/cached object gone \(ENOENT\); compiled/);
      expect((await runCsimProgram(a, 'csim/x.exe', [])).log.trim()).toBe('ok 3');
    } finally {
      vi.restoreAllMocks();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the most recently used records of a key, and prunes the records of the objects it removes with their empty key folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-objcache-'));
    try {
      const cache = new ObjectCache(join(root, 'cache'));
      const cwd = join(root, 'build');
      mkdirSync(cwd);
      // one source, a header whose content changes: every variant's top unit
      const t0 = Date.now() / 1000 - 3600;
      const records = (key: string) => readdirSync(join(cache.root, 'keys', key));
      const store = (key: string, header: number) => {
        writeFileSync(join(cwd, 'w.h'), `// weights ${header}\n`);
        writeFileSync(join(cwd, 'x.o'), `object ${key} ${header}`);
        writeFileSync(join(cwd, 'x.d'), 'x.o: x.cpp w.h\n');
        writeFileSync(join(cwd, 'x.cpp'), '#include "w.h"\n');
        const before = existsSync(join(cache.root, 'keys', key)) ? records(key) : [];
        cache.store(key, cwd, join(cwd, 'x.o'), join(cwd, 'x.d'));
        const added = records(key).filter((f) => !before.includes(f));
        for (const f of added) utimesSync(join(cache.root, 'keys', key, f), t0 + header, t0 + header); // an order of use that ties cannot blur
      };
      for (let i = 0; i < RECORDS_PER_KEY; i++) store('k', i);
      expect(records('k')).toHaveLength(RECORDS_PER_KEY);
      writeFileSync(join(cwd, 'w.h'), '// weights 0\n');
      expect(cache.lookup('k', cwd)).not.toBeNull(); // the oldest used again: now kept over the second-oldest
      store('k', RECORDS_PER_KEY);
      expect(records('k')).toHaveLength(RECORDS_PER_KEY);
      const hit = (header: number) => {
        writeFileSync(join(cwd, 'w.h'), `// weights ${header}\n`);
        return cache.lookup('k', cwd) !== null;
      };
      expect([hit(0), hit(1), hit(2), hit(RECORDS_PER_KEY)]).toEqual([true, false, true, true]);
      store('other', 7);
      // objects over the limit go, and with them their records; the key folders left empty go once they are
      // over a minute old (a younger one may be another build's, about to get its record)
      const small = new ObjectCache(cache.root, 1);
      small.prune();
      expect(readdirSync(join(cache.root, 'objects'))).toEqual([]);
      expect(readdirSync(join(cache.root, 'keys')).sort()).toEqual(['k', 'other']);
      expect([...records('k'), ...records('other')]).toEqual([]);
      const old = t0;
      utimesSync(join(cache.root, 'keys', 'k'), old, old);
      store('recent', 1);
      small.prune();
      expect(readdirSync(join(cache.root, 'keys')).sort()).toEqual(['other', 'recent']);
      expect(records('recent')).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('stores never fail while another build prunes everything, and prune never throws', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-objcache-'));
    const cacheRoot = join(root, 'cache');
    const stop = join(root, 'stop');
    const cache = new ObjectCache(cacheRoot);
    const cwd = join(root, 'build');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'x.cpp'), '// unit\n');
    writeFileSync(join(cwd, 'x.d'), 'x.o: x.cpp\n');
    mkdirSync(join(cacheRoot, 'keys'), { recursive: true, mode: 0o700 });
    const child = spawn(process.execPath, ['bin/run-ts.mjs', join(__dirname, 'testdata', 'prune-loop.ts'), cacheRoot, stop], { cwd: join(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      while (!out.includes('pruning')) {
        if (child.exitCode !== null) throw new Error(err);
        await new Promise((r) => setTimeout(r, 20));
      }
      const failures: string[] = [];
      for (let i = 0; i < 3000; i++) {
        writeFileSync(join(cwd, 'x.o'), `object ${i}`);
        try {
          cache.store(`k${i % 50}`, cwd, join(cwd, 'x.o'), join(cwd, 'x.d'));
        } catch (e) {
          failures.push(String(e));
        }
        if (i % 100 === 0) cache.prune();
      }
      expect(failures).toEqual([]);
    } finally {
      writeFileSync(stop, '');
      expect(await exited, err).toBe(0);
      rmSync(root, { recursive: true, force: true });
    }
    expect(Number(/(\d+) prunes/.exec(out)?.[1])).toBeGreaterThan(10);
  });

  it('reads make dependency files with continuations and escaped spaces', () => {
    expect(parseDepFile('csim/obj/a.o: a.cpp inc/x.h \\\n /abs/my\\ dir/y.h\n')).toEqual(['a.cpp', 'inc/x.h', '/abs/my dir/y.h']);
    expect(parseDepFile('garbage')).toEqual([]);
  });

  it('whileCompiling runs once, after every compiler has started and before any has finished (work beside g++)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-overlap-'));
    try {
      project(root, 7);
      // A compiler that says it started, takes its time, then is g++.
      const gxx = join(root, 'slow-gxx.sh');
      writeFileSync(gxx, '#!/bin/sh\nfor a in "$@"; do last="$a"; done\ntouch "$last.started"\nsleep 1\nexec g++ "$@"\n');
      chmodSync(gxx, 0o755);
      const seen: { started: boolean; finished: boolean[] }[] = [];
      const objs = ['value.cpp', 'main.cpp'].map((f) => join(root, 'csim', 'obj', `${f}.o`));
      const c = await compileCsim(root, ['value.cpp', 'main.cpp'], 'csim/x.exe', {
        gxx,
        cache: null,
        // Synchronous, as the build's own work is: the compilers must already be running to be seen starting.
        whileCompiling: () => {
          const deadline = Date.now() + 20_000;
          while (!objs.every((o) => existsSync(`${o}.started`)) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          seen.push({ started: objs.every((o) => existsSync(`${o}.started`)), finished: objs.map((o) => existsSync(o)) });
        },
      });
      expect(c.ok, c.log).toBe(true);
      expect(seen).toEqual([{ started: true, finished: [false, false] }]);
      expect((await runCsimProgram(root, 'csim/x.exe', [])).log.trim()).toBe('ok 7');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
