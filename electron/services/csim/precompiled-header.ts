// A precompiled header for C simulations: the C++ standard headers and the ap_types / hls_stream headers that
// every generated firmware and testbench includes, parsed once per compiler and argument list instead of in
// every translation unit (about 0.3 s of g++ per unit on this machine; a reuse-factor change recompiles the
// firmware unit, a new project the testbench too).
//
// It holds no template of ours (nnet/*.h): a project's own copy of them is what its units must read. g++ uses
// the .gch when a unit starts with `-include <folder>/tessera_pch.h` and the .gch beside it was built with the
// same arguments; otherwise it reads the header's text, which includes the same files, so the result is the
// same either way.
//
// Kept in its own folder of the user's cache, by the compiler's identity, the arguments and the header's text;
// the files it read (g++ -MMD) are recorded with their hashes and checked before each use, as the object
// cache does. Built through a temporary folder and a rename, so parallel builds never see half a file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheFolderProblem, compileKey, hashFile, parseDepFile, userCacheDir } from './object-cache';

/** What the header includes: what the generated firmware (defines.h) and testbench include before our templates. */
export const PCH_TEXT = ['cstdio', 'cmath', 'fstream', 'sstream', 'string', 'vector', 'ap_fixed.h', 'ap_int.h', 'hls_stream.h'].map((h) => `#include <${h}>`).join('\n') + '\n';

export const PCH_HEADER = 'tessera_pch.h';

/** Folders kept (most recently used first): one per compiler and argument list. */
const KEEP = 4;

/** Where precompiled headers go: beside the object cache ($TESSERA_CSIM_PCH, or the user's cache folder). */
export function csimPchDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TESSERA_CSIM_PCH ? path.resolve(env.TESSERA_CSIM_PCH) : path.join(userCacheDir(env), 'csim-pch');
}

/** The folder's header when its .gch and every file it was built from are as recorded, else null. */
function usable(dir: string): string | null {
  try {
    const deps = JSON.parse(fs.readFileSync(path.join(dir, 'deps.json'), 'utf8')) as [string, string][];
    if (!Array.isArray(deps) || !deps.every(([p, h]) => typeof p === 'string' && hashFile(p) === h)) return null;
    if (!fs.existsSync(path.join(dir, `${PCH_HEADER}.gch`))) return null;
    const now = new Date();
    fs.utimesSync(dir, now, now); // recently used: pruned last
    return path.join(dir, PCH_HEADER);
  } catch {
    return null;
  }
}

/** Removes all but the KEEP most recently used folders (and temporary folders of builds that died). */
function prune(root: string): void {
  let dirs: { dir: string; used: number }[];
  try {
    dirs = fs.readdirSync(root).map((f) => ({ dir: path.join(root, f), used: fs.statSync(path.join(root, f)).mtimeMs }));
  } catch {
    return;
  }
  const stale = Date.now() - 3600_000;
  dirs.sort((a, b) => b.used - a.used);
  dirs.forEach((d, i) => {
    if (d.dir.endsWith('.tmp') ? d.used < stale : i >= KEEP) fs.rmSync(d.dir, { recursive: true, force: true });
  });
}

export type CompileHeader = (args: string[], cwd: string) => Promise<boolean>;

/** One build of a key at a time in this process (the variants of a sweep start together). */
const building = new Map<string, Promise<string | null>>();

/**
 * The header to pass with `-include` to units compiled with `args` (compiler `compilerId`), building it with
 * `compile` when the folder has none yet; null when none can be had (its folder is not safe to use, or g++
 * failed): the units then compile without it.
 */
export function precompiledHeader(root: string, compilerId: string, args: readonly string[], compile: CompileHeader): Promise<string | null> {
  const key = compileKey(compilerId, args, Buffer.from(PCH_TEXT));
  const dir = path.join(root, key);
  let pending = building.get(dir);
  if (!pending) {
    pending = (async () => {
      if (cacheFolderProblem(root)) return null;
      const found = usable(dir);
      if (found) return found;
      fs.mkdirSync(root, { recursive: true, mode: 0o700 });
      if (cacheFolderProblem(root)) return null;
      const tmp = `${dir}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.mkdirSync(tmp, { mode: 0o700 });
      try {
        const header = path.join(tmp, PCH_HEADER);
        fs.writeFileSync(header, PCH_TEXT);
        const dep = path.join(tmp, 'pch.d');
        if (!(await compile([...args, '-MMD', '-MF', dep, '-x', 'c++-header', header, '-o', `${header}.gch`], tmp))) return null;
        // the header itself is named by the key; what it read is checked before each use
        const deps: [string, string][] = [];
        for (const p of parseDepFile(fs.readFileSync(dep, 'utf8'))) {
          if (path.resolve(tmp, p) === header) continue;
          const h = hashFile(path.resolve(tmp, p));
          if (h === null) return null;
          deps.push([path.resolve(tmp, p), h]);
        }
        fs.writeFileSync(path.join(tmp, 'deps.json'), JSON.stringify(deps));
        fs.rmSync(dep, { force: true });
        // Another build (another process: a sweep's Slurm tasks start together) may have put its header in place
        // meanwhile and be compiling with it: use that one rather than remove it under its g++.
        const theirs = usable(dir);
        if (theirs) return theirs;
        if (fs.existsSync(dir)) {
          // stale (a header it read changed): moved aside, then removed
          const old = `${dir}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
          try {
            fs.renameSync(dir, old);
            fs.rmSync(old, { recursive: true, force: true });
          } catch {
            // another build moved it first
          }
        }
        try {
          fs.renameSync(tmp, dir);
        } catch {
          // another build renamed its copy first: use that one
        }
        prune(root);
        return usable(dir);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    })().catch(() => null);
    building.set(dir, pending);
    void pending.then(() => building.delete(dir));
  }
  return pending;
}
