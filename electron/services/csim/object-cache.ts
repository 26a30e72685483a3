// Compiled objects of C simulations, kept by content so a build whose translation unit and headers are
// the same as an earlier build's (the testbench after a reuse-factor change, any unchanged variant of a
// sweep) links the earlier object instead of compiling again.
//
// An entry is found in two steps, as ccache's direct mode does: the key of the compile (compiler, its
// version, arguments, the source's text) names a folder; each record in it lists the files the compile read
// (g++ -MMD) with their content hashes, and matches when every one of them still has that content. The
// object is stored by the hash of its own bytes. Writes go through a temporary name and a rename, so
// parallel builds share the cache safely. When the objects grow past their limit the least recently used go,
// with their records; a key keeps its most recently used records only.
//
// Whoever can write into the cache chooses the objects our builds link and run, so it is used only when its
// folders are this user's own and writable by nobody else (cacheFolderProblem): a folder another user made
// first (TESSERA_CSIM_CACHE=/tmp/…) or a group-shared one is not used, and the build compiles everything.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Tessera's folder in the user's cache folder ($XDG_CACHE_HOME, else ~/.cache). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'tessera');
}

/** Where the cache is: $TESSERA_CSIM_CACHE ('off' turns caching off), else the user's cache folder. */
export function csimCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.TESSERA_CSIM_CACHE;
  if (set === 'off') return null;
  if (set) return path.resolve(set);
  return path.join(userCacheDir(env), 'csim-objects');
}

/** The cache stays under this many bytes of objects (oldest used first out). */
export const CACHE_LIMIT_BYTES = 2 * 1024 ** 3;

/**
 * Records kept per key, the most recently used. A key whose source is the same while its headers change (the
 * top unit of every variant of a design) gains a record per variant, and a lookup reads them all.
 */
export const RECORDS_PER_KEY = 32;

/** A temporary file this old was left by a build that was killed while writing it. */
const STALE_TEMPORARY_MS = 3600_000;

/**
 * Why the cache in `root` must not be used, or null: each of its folders that exists must be this user's and
 * writable by no one else (POSIX; elsewhere the user's profile folder's permissions hold).
 */
export function cacheFolderProblem(root: string): string | null {
  if (typeof process.getuid !== 'function') return null;
  const uid = process.getuid();
  for (const dir of [root, path.join(root, 'objects'), path.join(root, 'keys')]) {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      continue; // not made yet
    }
    if (!st.isDirectory()) return `${dir} is not a folder`;
    if (st.uid !== uid) return `${dir} belongs to another user (uid ${st.uid}); objects in it would run in your C simulations`;
    if (st.mode & 0o022) return `${dir} is writable by other users (mode ${(st.mode & 0o777).toString(8)}); objects in it would run in your C simulations`;
  }
  return null;
}

const sha = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

interface DepRecord {
  /** Files the compile read (relative to the compile's folder when they were given so), with their sha256. */
  deps: [string, string][];
  /** sha256 of the object, its file name in objects/. */
  object: string;
}

/** The key of one compile: compiler identity, arguments (without the output names), the source's text. */
export function compileKey(compilerId: string, args: readonly string[], sourceText: Buffer): string {
  return sha(JSON.stringify([compilerId, args]) + '\0' + sha(sourceText));
}

/** Parses a make dependency file (g++ -MMD): the prerequisites, with `\ ` escapes undone. */
export function parseDepFile(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const colon = joined.search(/:(\s|$)/);
  if (colon < 0) return [];
  const out: string[] = [];
  for (const tok of joined.slice(colon + 1).match(/(?:\\ |[^\s])+/g) ?? []) out.push(tok.replace(/\\ /g, ' '));
  return out;
}

/** sha256 of a file's bytes, or null when it cannot be read. */
export function hashFile(file: string): string | null {
  try {
    return sha(fs.readFileSync(file));
  } catch {
    return null;
  }
}

export class ObjectCache {
  constructor(readonly root: string, readonly limitBytes = CACHE_LIMIT_BYTES) {}

  /** The object of an earlier compile with this key whose inputs (read from `cwd`) are unchanged, or null. */
  lookup(key: string, cwd: string): string | null {
    if (cacheFolderProblem(this.root)) return null; // store() says why
    const dir = path.join(this.root, 'keys', key);
    let records: string[];
    try {
      records = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      return null;
    }
    // Records of one key mostly list the same headers (multi-MB weight headers among them): hash each once here.
    const hashes = new Map<string, string | null>();
    const hashOf = (p: string) => {
      if (!hashes.has(p)) hashes.set(p, hashFile(path.resolve(cwd, p)));
      return hashes.get(p);
    };
    for (const f of records) {
      let rec: DepRecord;
      try {
        rec = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as DepRecord;
      } catch {
        continue;
      }
      if (!Array.isArray(rec.deps) || typeof rec.object !== 'string' || !/^[0-9a-f]{64}$/.test(rec.object)) continue;
      if (!rec.deps.every(([p, h]) => hashOf(p) === h)) continue;
      const obj = path.join(this.root, 'objects', `${rec.object}.o`);
      if (!fs.existsSync(obj)) continue;
      // recently used: pruned last
      touch(obj);
      touch(path.join(dir, f));
      return obj;
    }
    return null;
  }

  /** Records a finished compile: its object and the files it read (the -MMD file). Throws when the folder is not safe to use. */
  store(key: string, cwd: string, objectFile: string, depFile: string): void {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const problem = cacheFolderProblem(this.root);
    if (problem) throw new Error(`the object cache is not used: ${problem}; point TESSERA_CSIM_CACHE at a folder of your own (mode 700) or set it to off`);
    const deps: [string, string][] = [];
    for (const p of parseDepFile(fs.readFileSync(depFile, 'utf8'))) {
      const h = hashFile(path.resolve(cwd, p));
      if (h === null) return; // a header that is gone again: nothing trustworthy to record
      deps.push([p, h]);
    }
    const bytes = fs.readFileSync(objectFile);
    const object = sha(bytes);
    const objects = path.join(this.root, 'objects');
    const keyDir = path.join(this.root, 'keys', key);
    fs.mkdirSync(objects, { recursive: true, mode: 0o700 });
    const obj = path.join(objects, `${object}.o`);
    if (!fs.existsSync(obj)) writeAtomic(obj, bytes);
    else touch(obj); // in use again: not the first to go in this compile's prune
    const record = Buffer.from(JSON.stringify({ deps, object } satisfies DepRecord));
    for (let attempt = 0; ; attempt++) {
      try {
        fs.mkdirSync(keyDir, { recursive: true, mode: 0o700 });
        writeAtomic(path.join(keyDir, `${sha(JSON.stringify(deps))}.json`), record);
        break;
      } catch (e) {
        // another build's prune removed the key folder while it was empty: once more
        if (attempt > 0 || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    removeOldest(keyDir, RECORDS_PER_KEY);
  }

  /**
   * Removes the least recently used objects when the cache is over its limit, and their records; after a
   * compile's stores. Never throws: upkeep of the cache must not fail a build.
   */
  prune(): void {
    const dir = path.join(this.root, 'objects');
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    const files: { file: string; size: number; used: number }[] = [];
    for (const f of names) {
      if (f.endsWith('.tmp')) {
        // another build's object on its way in, or left by a build that was killed (an hour later)
        if (modifiedBefore(path.join(dir, f), Date.now() - STALE_TEMPORARY_MS)) tryRemove(path.join(dir, f));
        continue;
      }
      try {
        const st = fs.statSync(path.join(dir, f));
        files.push({ file: path.join(dir, f), size: st.size, used: st.mtimeMs });
      } catch {
        // removed meanwhile by another build's prune
      }
    }
    let total = files.reduce((a, f) => a + f.size, 0);
    if (total <= this.limitBytes) return;
    // down to 90 %: the records' sweep below reads every record, so it should not follow every compile
    const target = this.limitBytes * 0.9;
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= target) break;
      tryRemove(f.file);
      total -= f.size;
    }
    this.removeOrphanRecords();
  }

  /**
   * Removes the records whose object is gone, and the key folders left empty that are older than a minute: a
   * younger one may be another build's, made for the record it is about to write (store() makes a folder
   * removed under it once more, and that one is young).
   */
  private removeOrphanRecords(): void {
    const keys = path.join(this.root, 'keys');
    let dirs: string[];
    try {
      dirs = fs.readdirSync(keys);
    } catch {
      return;
    }
    for (const key of dirs) {
      const dir = path.join(keys, key);
      const old = modifiedBefore(dir, Date.now() - 60_000); // before our removals change its time
      let records: string[];
      try {
        records = fs.readdirSync(dir);
      } catch {
        continue;
      }
      let left = records.length;
      for (const f of records) {
        const file = path.join(dir, f);
        if (!f.endsWith('.json')) {
          // another build's record on its way in, or left by a build that was killed (an hour later)
          if (f.endsWith('.tmp') && modifiedBefore(file, Date.now() - STALE_TEMPORARY_MS) && tryRemove(file)) left--;
          continue;
        }
        let object: unknown;
        try {
          object = (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DepRecord>).object;
        } catch {
          object = null; // unreadable: a miss forever
        }
        if (typeof object === 'string' && /^[0-9a-f]{64}$/.test(object) && fs.existsSync(path.join(this.root, 'objects', `${object}.o`))) continue;
        if (tryRemove(file)) left--;
      }
      if (left > 0 || !old) continue;
      try {
        fs.rmdirSync(dir); // not if another build has put a record in meanwhile
      } catch {
        // not empty, or gone
      }
    }
  }
}

/** Keeps the `keep` most recently used records of a key folder. */
function removeOldest(dir: string, keep: number): void {
  let records: string[];
  try {
    records = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return; // removed by another build's prune
  }
  if (records.length <= keep) return;
  const used = records.map((f) => {
    try {
      return { f, t: fs.statSync(path.join(dir, f)).mtimeMs };
    } catch {
      return { f, t: Infinity }; // removed meanwhile by another build
    }
  });
  used.sort((a, b) => a.t - b.t);
  for (const { f } of used.slice(0, records.length - keep)) tryRemove(path.join(dir, f));
}

/** Removes a file; false when it could not be (it is gone all the same when another build removed it). */
function tryRemove(file: string): boolean {
  try {
    fs.rmSync(file, { force: true });
    return true;
  } catch {
    return false;
  }
}

function modifiedBefore(file: string, ms: number): boolean {
  try {
    return fs.statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

function touch(file: string): void {
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // another build pruned it meanwhile: still readable through our path until we copy it, or not
  }
}

function writeAtomic(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
