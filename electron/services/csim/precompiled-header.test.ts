// The precompiled header of C simulations: built once per compiler and arguments, used by g++ (not silently
// ignored), built again when a header it read changed, refused in a folder others can write; a generated
// project compiled with it is bit-exact and links the same objects as without.
import { describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject } from '../../../engine/hls/generate';
import { convCaseConfig, convCaseModel } from '../../../engine/hls/conv-cases';
import { apIncludeDir, gxxFlags, readTemplates, runProjectCsim, writeFiles } from './csim';
import { PCH_HEADER, precompiledHeader, type CompileHeader } from './precompiled-header';

/** g++ as the csim compile runs it, counting its runs. */
function counting(): { compile: CompileHeader; runs: () => number } {
  let n = 0;
  return {
    compile: async (args, cwd) => {
      n++;
      return spawnSync('g++', args, { cwd }).status === 0;
    },
    runs: () => n,
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tessera-pch-'));
}

describe('precompiled header', () => {
  it('is built once, then found; g++ uses it and the program is the same as without it', async () => {
    const root = tmp();
    try {
      const args = gxxFlags(apIncludeDir().dir);
      const g = counting();
      const header = await precompiledHeader(join(root, 'pch'), 'g++ test', args, g.compile);
      expect(header).not.toBeNull();
      expect(await precompiledHeader(join(root, 'pch'), 'g++ test', args, g.compile)).toBe(header);
      expect(g.runs()).toBe(1);
      // other arguments: another header
      const other = await precompiledHeader(join(root, 'pch'), 'g++ test', [...args, '-DX=1'], g.compile);
      expect(other).not.toBe(header);
      expect(g.runs()).toBe(2);

      writeFileSync(join(root, 'main.cpp'), '#include <cstdio>\n#include <ap_fixed.h>\nint main() { ap_fixed<8,3> a = 1.37; ap_fixed<16,6> b = a * a; std::printf("%g\\n", b.to_double()); }\n');
      const used = spawnSync('g++', [...args, '-Winvalid-pch', '-H', '-include', header!, 'main.cpp', '-o', 'with'], { cwd: root, encoding: 'utf8' });
      expect(used.status, used.stderr).toBe(0);
      expect(used.stderr.split('\n')[0]).toBe(`! ${header}.gch`); // "!": the .gch was read, not the header's text
      expect(spawnSync('g++', [...args, 'main.cpp', '-o', 'without'], { cwd: root }).status).toBe(0);
      const run = (exe: string) => spawnSync(join(root, exe), { encoding: 'utf8' }).stdout;
      expect(run('with')).toBe(run('without'));
      expect(run('with').trim()).toBe('1.80566'); // (43/32)², printed by %g: 1.37 truncated to ap_fixed<8,3> is 43/32
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('is built again when a header it read changed', async () => {
    const root = tmp();
    try {
      const inc = join(root, 'include');
      cpSync(apIncludeDir().dir, inc, { recursive: true });
      const args = gxxFlags(inc);
      const g = counting();
      const first = await precompiledHeader(join(root, 'pch'), 'g++ test', args, g.compile);
      appendFileSync(join(inc, 'ap_int.h'), '\n// changed\n');
      const second = await precompiledHeader(join(root, 'pch'), 'g++ test', args, g.compile);
      expect(g.runs()).toBe(2);
      expect(second).toBe(first); // the same place, rebuilt
      expect(JSON.parse(readFileSync(join(root, 'pch', second!.split('/').slice(-2)[0], 'deps.json'), 'utf8')).map(([p]: [string]) => p)).toContain(join(inc, 'ap_int.h'));
      expect(await precompiledHeader(join(root, 'pch'), 'g++ test', args, g.compile)).toBe(second);
      expect(g.runs()).toBe(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a header another process put in place while ours compiled is used, not removed under its g++', async () => {
    const root = tmp();
    try {
      const args = gxxFlags(apIncludeDir().dir);
      const other = join(root, 'other');
      // the other process's header for the same key, built in another folder first
      const theirs = await precompiledHeader(other, 'g++ test', args, counting().compile);
      expect(theirs).not.toBeNull();
      const key = theirs!.split('/').slice(-2)[0];
      const pch = join(root, 'pch');
      let n = 0;
      const header = await precompiledHeader(pch, 'g++ test', args, async (a, cwd) => {
        n++;
        const ok = spawnSync('g++', a, { cwd }).status === 0;
        // meanwhile the other process renames its finished folder into place and starts using it
        cpSync(join(other, key), join(pch, key), { recursive: true });
        writeFileSync(join(pch, key, 'theirs'), 'the other process is compiling with this folder');
        return ok;
      });
      expect(n).toBe(1);
      expect(header).toBe(join(pch, key, PCH_HEADER));
      // its folder is the one left in place (our copy dropped)
      expect(readdirSync(pch)).toEqual([key]);
      expect(readFileSync(join(pch, key, 'theirs'), 'utf8')).toMatch(/other process/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a folder others can write is not used, and a failed build gives none (the units compile without it)', async () => {
    const root = tmp();
    try {
      const pch = join(root, 'pch');
      mkdirSync(pch, { mode: 0o700 });
      chmodSync(pch, 0o777);
      const g = counting();
      expect(await precompiledHeader(pch, 'g++ test', gxxFlags(apIncludeDir().dir), g.compile)).toBeNull();
      expect(g.runs()).toBe(0);
      chmodSync(pch, 0o700);
      expect(await precompiledHeader(pch, 'g++ test', ['-std=c++17', '-I', join(root, 'missing'), '-fno-such-flag'], g.compile)).toBeNull();
      expect(g.runs()).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a generated project compiled with it is bit-exact (ConvTranspose2D, io_stream and io_parallel)', async () => {
    const root = tmp();
    try {
      for (const io of ['io_stream', 'io_parallel'] as const) {
        const c = { name: 'up', op: 'ConvTranspose2D' as const, size: [5, 4], cin: 3, cout: 4, kernel: [3, 3], stride: [2, 2], io };
        const model = convCaseModel(c, 4);
        const top = `pch_${io}`;
        const g = generateProject({ model, config: convCaseConfig(c, model, top), templates: readTemplates() });
        expect(g.files).not.toBeNull();
        const dir = join(root, top);
        writeFiles(dir, g.files!);
        const r = await runProjectCsim(dir, top, { cache: join(root, 'objects'), pchDir: join(root, 'pch') });
        expect(r.ok, r.log).toBe(true);
        expect(r.log).toMatch(new RegExp(`${top}: 3 images, 0 mismatches`));
        expect(readFileSync(join(dir, 'csim', 'obj', 'firmware_' + top + '.cpp.o.d'), 'utf8')).toMatch(/nnet_conv_transpose\.h/); // our templates: the project's copy
      }
      expect(readFileSync(join(root, 'pch', readdirSync(join(root, 'pch'))[0], PCH_HEADER), 'utf8')).not.toMatch(/nnet/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
