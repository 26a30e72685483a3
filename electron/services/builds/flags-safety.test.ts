// Issue 12, reproducer 1: a variant's g++ flags come from the project file, so a shared project could run
// a command (-wrapper) or read any file into the build log (@FILE) when its receiver clicks Build. The
// flags now pass the allow-list (engine/safety/cxx-flags.ts) at the API, when listed, and before a build
// runs. No flag may make g++ read a folder beside the project (-I, -L…: a shared project's folder could
// carry a header or libstdc++ that replaces ours and runs), and macro names are capitals (-Dfopen=popen
// would turn the testbench's file reads into shell commands). Real g++.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppServices } from '../../api/services';
import { resolveAppDirs } from '../store';
import { BuildQueue, type RunReport } from './queue';
import { createTinyProject } from './testing';
import { defaultVariantConfig } from './variants';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-flags-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('g++ flags from a project file', () => {
  it('-wrapper, @FILE, -B, -fplugin, -specs, -o, include / library folders and lower-case macros build nothing and run nothing', async () => {
    const p = createTinyProject(dir, 'shared');
    const mark = path.join(dir, 'pwned');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-outside-'));
    fs.symlinkSync(outside, path.join(dir, 'link-out'));
    // What a shared project's folder could carry: a header that shadows the system's and runs at start.
    fs.mkdirSync(path.join(dir, 'include'));
    fs.writeFileSync(path.join(dir, 'include', 'cstdio'), `#pragma once\n#include_next <cstdio>\n#include <cstdlib>\nstatic int pwn = std::system("touch ${mark}");\n`);
    const cases: Record<string, string[]> = {
      wrapper: ['-wrapper', `/bin/sh,-c,touch ${mark}`],
      response: ['@/etc/passwd'],
      prefix: ['-B', dir],
      plugin: [`-fplugin=${path.join(dir, 'x.so')}`],
      specs: [`-specs=${path.join(dir, 'x.specs')}`],
      output: ['-o', mark],
      absolute: ['-I/etc'],
      parent: ['-I../..'],
      linker: [`-Wl,-plugin,${path.join(dir, 'x.so')}`],
      symlink: ['-Ilink-out'],
      inside: ['-Iinclude'],
      library: ['-L', 'include'],
      redefine: ['-Dfopen=popen'],
    };
    try {
      for (const [id, cxxFlags] of Object.entries(cases)) p.putVariant({ id, name: id, config: defaultVariantConfig({ scope: 'upconv', cxxFlags }) });
      const q = new BuildQueue({ project: p, concurrency: 2 });
      q.enqueue(Object.keys(cases));
      await q.idle();
      const runs = p.listBuildRuns();
      for (const id of Object.keys(cases)) {
        const r = runs.find((x) => x.variantId === id)!;
        const rep = r.report as RunReport;
        expect(r.status, `${id}: ${r.log}`).toBe('failed');
        expect(rep.failure, id).toMatch(/^the variant's settings are refused, nothing was built: cxxFlags\[\d\] = ".*" breaks the rule a g\+\+ flag on the allow-list/);
        expect(rep.csim.status, id).toBe('skipped');
        expect(r.log, id).not.toMatch(/root:.*:0:0:/);
      }
      expect(fs.existsSync(mark)).toBe(false);
      expect(fs.readdirSync(outside)).toEqual([]);
    } finally {
      p.close();
      fs.rmSync(outside, { recursive: true, force: true });
    }
  }, 60_000);

  it('allowed flags build: -D, -O2, -g0, -Werror=… (which fails the C simulation, as it should)', async () => {
    const p = createTinyProject(dir, 'ok');
    try {
      p.putVariant({ id: 'good', name: 'good', config: defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-O2', '-D', 'TESSERA_EXTRA=1', '-g0'] }) });
      p.putVariant({ id: 'werror', name: 'werror', config: defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-Werror=unknown-pragmas'] }) });
      const q = new BuildQueue({ project: p, concurrency: 2 });
      q.enqueue(['good', 'werror']);
      await q.idle();
      const runs = p.listBuildRuns();
      const good = runs.find((r) => r.variantId === 'good')!;
      expect(good.status, good.log).toBe('succeeded');
      expect((good.report as RunReport).csim.status).toBe('bit-exact');
      const werror = runs.find((r) => r.variantId === 'werror')!;
      expect(werror.status).toBe('failed');
      expect((werror.report as RunReport).failure).toMatch(/^C simulation failed .*-Werror=unknown-pragmas/);
    } finally {
      p.close();
    }
  }, 120_000);

  it('through the API: refused in requests; a project carrying them opens, lists the problem and builds nothing until fixed', async () => {
    fs.mkdirSync(path.join(dir, 'projects'));
    const services = new AppServices({
      mode: 'serve',
      dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }),
      examplesDir: path.join(dir, 'examples'),
      version: '0.0.0',
    });
    try {
      const shared = createTinyProject(path.join(dir, 'projects'), 'shared');
      shared.putVariant({ id: 'evil', name: 'looks harmless', config: defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-wrapper', '/bin/sh,-c,touch /tmp/x'], part: 'xc7]; exec touch x' }) });
      shared.putVariant({ id: 'junk', name: 'junk', config: { io: 'io_parallel', cxxFlags: 'rm -rf' } });
      shared.close();
      const { projectId } = await services.invoke('project.open', { path: path.join(dir, 'projects', 'shared.tessera') });

      const refused = await services.call('variants.create', { projectId, config: { io: 'io_parallel', scope: null, defaults: {}, layers: {}, cxxFlags: ['@/etc/passwd'] } });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.code).toBe('bad-request');
        expect(refused.error.message).toMatch(/^invalid request for variants.create: config: cxxFlags\[0\] = "@\/etc\/passwd" breaks the rule a g\+\+ flag on the allow-list .*; response files are refused: @FILE reads any file into the command line and the build log; remove it\.$/);
      }
      const badPart = await services.call('variants.create', { projectId, config: { io: 'io_parallel', scope: null, defaults: {}, layers: {}, part: 'xc7 ; exec' } });
      expect(!badPart.ok && badPart.error.message).toMatch(/part = "xc7 ; exec" breaks the rule an AMD part name/);
      const badName = await services.call('variants.create', { projectId, name: 'a\nb', config: { io: 'io_parallel', scope: null, defaults: {}, layers: {} } });
      expect(!badName.ok && badName.error.message).toMatch(/name = "a\\nb" breaks the rule one line of printable characters/);

      const list = await services.invoke('variants.list', { projectId });
      const evil = list.items.find((v) => v.id === 'evil')!;
      expect(evil.problems).toEqual([
        expect.stringMatching(/^part = "xc7\]; exec touch x" breaks the rule an AMD part name/),
        expect.stringMatching(/^cxxFlags\[0\] = "-wrapper" breaks the rule .*-wrapper runs another program/),
        expect.stringMatching(/^cxxFlags\[1\] = "\/bin\/sh,-c,touch \/tmp\/x" breaks the rule .*; remove it or use an allowed flag\.$/),
      ]);
      expect(evil.config.cxxFlags).toEqual(['-wrapper', '/bin/sh,-c,touch /tmp/x']); // shown as it is, to be fixed
      expect(list.items.find((v) => v.id === 'junk')!.problems[0]).toMatch(/the stored choices are malformed \(\w+: .*\); delete this variant/);

      const start = await services.call('builds.start', { projectId, variantIds: ['evil'], csim: false });
      expect(start.ok).toBe(false);
      if (!start.ok) {
        expect(start.error.code).toBe('invalid');
        expect(start.error.message).toMatch(/^variant "looks harmless" builds nothing until its settings are fixed: part = /);
      }
      expect((await services.invoke('builds.list', { projectId })).items).toEqual([]);

      const fixed = await services.invoke('variants.update', { projectId, variantId: 'evil', config: { ...evil.config, cxxFlags: ['-O2'], part: 'xc7z020clg400-1' } });
      expect(fixed.problems).toEqual([]);
      const ok = await services.invoke('builds.start', { projectId, variantIds: ['evil'], csim: false });
      expect(ok.runs).toHaveLength(1);
      for (let i = 0; i < 300; i++) {
        const l = await services.invoke('builds.list', { projectId });
        if (l.items[0]?.status !== 'queued' && l.items[0]?.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await services.invoke('builds.list', { projectId })).items[0].status).toBe('succeeded');
    } finally {
      services.dispose();
    }
  }, 60_000);
});
