// Host side of C simulation with g++: reads the layer templates, writes a generated project, compiles
// firmware + testbench (AMD headers from $XILINX_HLS/include when set, else Tessera's), runs it through
// the toolchain runner (argument arrays, streamed log, timeout), and reads the results back.
// Also compiles MANY generated projects into one program (tests, benchmarks): one g++ invocation.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startRun, type CommandSpec, type LineEvent, type RunRecord } from '../toolchain/runner';
import { appRoot } from '../../app-root';
import { compileKey, csimCacheDir, ObjectCache } from './object-cache';
import { csimPchDir, precompiledHeader } from './precompiled-header';
import { CSIM_WEIGHTS_SOURCE, isPackedValues, LAYER_OBJECTS_DEFINE, type FileMap } from '../../../engine/hls/generate';

/** hls-templates of the checkout (tests, CLI, serve mode). */
export const TEMPLATES_ROOT = join(appRoot(), 'hls-templates');
let templatesRoot = TEMPLATES_ROOT;

/** Where hls-templates is when it is not in the checkout: the packaged app's resources (electron/main). */
export function setTemplatesRoot(dir: string): void {
  templatesRoot = dir;
}

/** hls-templates/nnet/* by file name. */
export function readTemplates(root = templatesRoot): Record<string, string> {
  const dir = join(root, 'nnet');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.h')) out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

/** Where <ap_fixed.h> comes from: $XILINX_HLS/include when it exists, else Tessera's headers. */
export function apIncludeDir(env: NodeJS.ProcessEnv = process.env): { dir: string; vendor: boolean } {
  const x = env.XILINX_HLS;
  if (x && existsSync(join(x, 'include', 'ap_fixed.h'))) return { dir: join(x, 'include'), vendor: true };
  return { dir: join(templatesRoot, 'include'), vendor: false };
}

export function writeFiles(dir: string, files: FileMap): void {
  for (const [rel, data] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
  }
}

export interface CsimRun {
  ok: boolean;
  /** The run record of the command that ended the run (the compile when it failed, else the testbench). */
  record: RunRecord;
  /** Output of the compile and run commands. */
  log: string;
  compileMs: number;
  runMs: number;
}

/** One process step (a compile or a testbench run): its record, log and time. */
export interface ProcessStep {
  ok: boolean;
  /** Stopped by the caller's signal. */
  cancelled: boolean;
  record: RunRecord;
  log: string;
  ms: number;
}

export interface ProcessStepOptions {
  timeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when cancelled or timed out (default the runner's). */
  killGraceMs?: number;
  signal?: AbortSignal;
  onLine?: (e: LineEvent) => void;
}

export interface CompileOptions extends ProcessStepOptions {
  gxx?: string;
  opt?: string;
  defines?: string[];
  /** Extra g++ arguments after Tessera's own (each one argument; never a shell string). */
  flags?: string[];
  /** The object cache's folder; null: no cache (and no precompiled header); default csimCacheDir(). */
  cache?: string | null;
  /** The precompiled headers' folder (precompiled-header.ts); default csimPchDir(). */
  pchDir?: string;
  /** Called once, right after the compilers have started: work done here runs beside them (they are other processes). */
  whileCompiling?: () => void;
  /** The generated project's layer units, for the layer objects (LayerObjectsMode). */
  layers?: LayerObjectUnits;
  /** Default 'auto'. */
  layerObjects?: LayerObjectsMode;
}

function logOf(r: RunRecord): string {
  return r.log.map((l) => l.line).join('\n');
}

/**
 * g++ flags for generated code. -O1 by measurement (bench: csim -O levels): on the DCGAN example -O0 compiles
 * in about the same time but its testbench runs ~13x longer; -O2 compiles slower for a run ~10% faster.
 * -pipe: the assembler reads the compiler's output as it comes (DCGAN top unit 444 against 466 ms).
 */
export function gxxFlags(include: string, opt = '-O1', defines: string[] = []): string[] {
  return ['-std=c++17', opt, '-pipe', '-Wno-unknown-pragmas', '-Wno-unused-label', ...defines.map((d) => `-D${d}`), '-I', include];
}

async function processStep(cwd: string, command: CommandSpec, opts: ProcessStepOptions): Promise<ProcessStep> {
  const t0 = Date.now();
  const handle = startRun(
    { flow: 'csim-gxx', cwd, commands: [command], artifactDirs: [] },
    { stepTimeoutMs: opts.timeoutMs ?? 600_000, killGraceMs: opts.killGraceMs, signal: opts.signal, onLine: opts.onLine },
  );
  const record = await handle.done;
  return { ok: record.status === 'succeeded', cancelled: record.status === 'cancelled', record, log: logOf(record), ms: Date.now() - t0 };
}

/** The compiler's identity in cache keys (its version and target), asked once per compiler per process. */
const compilerIds = new Map<string, Promise<string | null>>();
function compilerId(gxx: string, cwd: string): Promise<string | null> {
  let id = compilerIds.get(gxx);
  if (!id) {
    id = processStep(cwd, { command: gxx, args: ['-dumpfullversion', '-dumpmachine'], steps: ['csim'], label: 'compiler version' }, { timeoutMs: 30_000 }).then((r) =>
      r.ok ? `${gxx}\n${r.log}` : null,
    );
    compilerIds.set(gxx, id);
  }
  return id;
}

/**
 * The linker flag for gold where this g++ has it: it links the DCGAN testbench in 0.10 s where the default ld
 * takes 0.24 s (the packed weights' object is MBs). Asked once per compiler per process; none when it fails.
 */
const linkerFlagsOf = new Map<string, Promise<string[]>>();
function linkerFlags(gxx: string, cwd: string): Promise<string[]> {
  let flags = linkerFlagsOf.get(gxx);
  if (!flags) {
    flags = processStep(cwd, { command: gxx, args: ['-fuse-ld=gold', '-Wl,--version'], steps: ['csim'], label: 'linker version' }, { timeoutMs: 30_000 }).then((r) =>
      r.ok && /\bgold\b/i.test(r.log) ? ['-fuse-ld=gold'] : [],
    );
    linkerFlagsOf.set(gxx, flags);
  }
  return flags;
}

/** Where a source's object goes during a build, relative to cwd. */
function objectPath(exe: string, source: string): string {
  return join(dirname(exe), 'obj', `${source.replace(/[^A-Za-z0-9_.-]/g, '_')}.o`);
}

/** What the compiles of one build share: the compiler, its arguments, the object cache and the precompiled header. */
interface CompileSetup {
  gxx: string;
  args: string[];
  id: string | null;
  cache: ObjectCache | null;
  pch: string | null;
}

async function compileSetup(cwd: string, opts: CompileOptions): Promise<CompileSetup> {
  const gxx = opts.gxx ?? 'g++';
  const args = [...gxxFlags(apIncludeDir().dir, opts.opt, opts.defines), ...(opts.flags ?? [])];
  const cacheRoot = opts.cache === undefined ? csimCacheDir() : opts.cache;
  const id = cacheRoot ? await compilerId(gxx, cwd) : null;
  const cache = cacheRoot && id ? new ObjectCache(cacheRoot) : null;
  const pch = cache && id ? await precompiledHeader(opts.pchDir ?? csimPchDir(), id, args, async (a, dir) => (await processStep(dir, { command: gxx, args: a, steps: ['csim'], label: 'precompile headers' }, opts)).ok) : null;
  return { gxx, args, id, cache, pch };
}

/** One source to compile: its arguments, cache key and, when an earlier compile left it, its cached object. */
interface Unit {
  src: string;
  args: string[];
  key: string | null;
  hit: string | null;
}

function planUnit(cwd: string, s: CompileSetup, src: string, defines: string[] = []): Unit {
  const base = [...s.args, ...defines.map((d) => `-D${d}`)];
  // the packed weights include nothing: the header would only cost its loading there
  const args = s.pch && !isPackedValues(src) ? [...base, '-include', s.pch] : base;
  const key = s.cache && s.id ? compileKey(s.id, args, readFileSync(join(cwd, src))) : null;
  return { src, args, key, hit: s.cache && key ? s.cache.lookup(key, cwd) : null };
}

/** Compiles a unit into `obj` (relative to cwd) and records it in the cache. */
async function compileUnit(cwd: string, s: CompileSetup, u: Unit, obj: string, opts: ProcessStepOptions, notes: string[], priority?: number): Promise<ProcessStep> {
  const dep = `${obj}.d`;
  const step = await processStep(cwd, { command: s.gxx, args: [...u.args, '-MMD', '-MF', dep, '-c', u.src, '-o', obj], steps: ['csim'], label: `compile ${u.src}`, priority }, opts);
  if (step.ok && s.cache && u.key) {
    try {
      s.cache.store(u.key, cwd, join(cwd, obj), join(cwd, dep));
    } catch (e) {
      notes.push(`${u.src}: not cached (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return step;
}

/**
 * Units the top unit leaves to their own objects when compiled with `define` (generate.ts layerObjectUnits: each
 * layer's template instance, firmware/layers/*.cpp, and the weight arrays, weights/csim_arrays.cpp).
 */
export interface LayerObjectUnits {
  /** The source among compileCsim's that instantiates every layer unless compiled with `define`. */
  top: string;
  units: string[];
  define: string;
}

/** A generated project's layer objects (generate.ts layerObjectUnits) as compileCsim takes them. */
export function projectLayerObjects(top: string, units: string[]): LayerObjectUnits {
  return { top: `firmware/${top}.cpp`, units, define: LAYER_OBJECTS_DEFINE };
}

/**
 * Whether a compile uses the layer objects. Each unit costs a g++ start and the precompiled header's load
 * (~0.3 s), so on a cold build one top unit instantiating every layer is faster (DCGAN: 1.0 s against 1.6 s
 * for 5 layer units beside it on 2 cores); once the cache holds the other layers' objects, a variant that
 * changes one layer compiles that layer and the top unit only (0.5 s). 'auto' uses them when the cache holds
 * some and at most one is missing; they get there by warmLayerObjects when there is time.
 */
export type LayerObjectsMode = 'auto' | 'always' | 'never';

/**
 * The compile step of a C simulation: g++ `sources` (relative to cwd) into `exe`. Each source is compiled
 * to its own object (in parallel, one g++ each) and linked. With a cache (the default, csimCacheDir), an
 * object whose source, headers, compiler and flags are unchanged since any earlier build is reused
 * instead of compiled (object-cache.ts), so a variant recompiles only what it changed. With the cache, the
 * units also read the standard and ap_types headers precompiled (precompiled-header.ts; built on first use).
 * With `layers`, the layer objects (LayerObjectsMode) when the mode and the cache say so.
 */
export async function compileCsim(cwd: string, sources: string[], exe: string, opts: CompileOptions = {}): Promise<ProcessStep> {
  const t0 = Date.now();
  mkdirSync(dirname(join(cwd, exe)), { recursive: true });
  const s = await compileSetup(cwd, opts);
  const notes: string[] = [];
  const layers = opts.layers;
  const mode = opts.layerObjects ?? 'auto';
  let layerUnits: Unit[] = [];
  if (layers && layers.units.length && (mode === 'always' || (mode === 'auto' && s.cache))) {
    const planned = layers.units.map((src) => planUnit(cwd, s, src));
    const missing = planned.filter((u) => !u.hit).length;
    if (mode === 'always' || (missing <= 1 && missing < planned.length)) {
      layerUnits = planned;
      notes.push(`layer objects: ${planned.length - missing} of ${planned.length} from the cache; ${layers.top} without their instances`);
    }
  }
  // The longest compiles first (a layer unit, then the top unit): spawning a g++ holds this thread ~30 ms.
  const units = [...layerUnits, ...sources.map((src) => planUnit(cwd, s, src, layerUnits.length && src === layers?.top ? [layers.define] : []))];
  const compiling = Promise.all(
    units.map(async (u): Promise<{ obj: string; step: ProcessStep | null }> => {
      const obj = objectPath(exe, u.src);
      mkdirSync(dirname(join(cwd, obj)), { recursive: true });
      if (u.hit) {
        try {
          copyFileSync(u.hit, join(cwd, obj));
          notes.push(`${u.src}: object reused from the cache (unchanged source and headers)`);
          return { obj, step: null };
        } catch (e) {
          // Another build pruned it between lookup and copy: compile it instead.
          notes.push(`${u.src}: cached object gone (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); compiled`);
        }
      }
      return { obj, step: await compileUnit(cwd, s, u, obj, opts, notes) };
    }),
  );
  // Each source's g++ is spawned before its first await: the callback overlaps them.
  opts.whileCompiling?.();
  const objects = await compiling;
  if (s.cache && objects.some((o) => o.step !== null)) s.cache.prune(); // once per compile that stored something
  const steps = objects.map((o) => o.step).filter((x): x is ProcessStep => x !== null);
  const failed = steps.find((x) => !x.ok);
  const log = [...notes, ...steps.map((x) => x.log)].filter((l) => l).join('\n');
  if (failed && layerUnits.length && mode === 'auto' && !failed.cancelled && !opts.signal?.aborted) {
    // a unit of its own that does not compile must not fail a design one top unit compiles
    const whole = await compileCsim(cwd, sources, exe, { ...opts, layerObjects: 'never' });
    return { ...whole, log: [`layer objects failed to compile; compiled as one top unit:\n${log}`, whole.log].join('\n'), ms: Date.now() - t0 };
  }
  if (failed) return { ...failed, log, ms: Date.now() - t0 };
  const link = await processStep(cwd, { command: s.gxx, args: [...s.args, ...(await linkerFlags(s.gxx, cwd)), ...objects.map((o) => o.obj), '-o', exe], steps: ['csim'], label: 'link' }, opts);
  return { ...link, log: [log, link.log].filter((l) => l).join('\n'), ms: Date.now() - t0 };
}

/**
 * Puts the layer objects of a generated project (compiled as compileCsim would) that the cache lacks into
 * it, one g++ at a time at the lowest priority: background work after a build, so that the next variant
 * that changes one layer compiles that layer only. Does nothing without a cache. Returns how many it compiled;
 * stops at opts.signal.
 */
export async function warmLayerObjects(cwd: string, exe: string, layers: LayerObjectUnits, opts: CompileOptions = {}): Promise<number> {
  const s = await compileSetup(cwd, opts);
  if (!s.cache) return 0;
  let n = 0;
  for (const src of layers.units) {
    if (opts.signal?.aborted) break;
    const u = planUnit(cwd, s, src);
    if (u.hit) continue;
    const obj = objectPath(join(dirname(exe), 'warm', 'x'), src);
    mkdirSync(dirname(join(cwd, obj)), { recursive: true });
    const step = await compileUnit(cwd, s, u, obj, opts, [], 19);
    if (!step.ok) break; // cancelled, or the unit does not compile: the build that needs it will say so
    n++;
  }
  if (n) s.cache.prune();
  return n;
}

/** The run step of a C simulation: the compiled testbench, in cwd. */
export function runCsimProgram(cwd: string, exe: string, args: string[], opts: ProcessStepOptions = {}): Promise<ProcessStep> {
  return processStep(cwd, { command: join(cwd, exe), args, steps: ['csim'], label: 'run' }, opts);
}

async function compileAndRun(cwd: string, sources: string[], exe: string, runArgs: string[], opts: CompileOptions): Promise<CsimRun> {
  const c = await compileCsim(cwd, sources, exe, opts);
  if (!c.ok) return { ok: false, record: c.record, log: c.log, compileMs: c.ms, runMs: 0 };
  const r = await runCsimProgram(cwd, exe, runArgs, opts);
  return { ok: r.ok, record: r.record, log: `${c.log}\n${r.log}`, compileMs: c.ms, runMs: r.ms };
}

/**
 * The generated project's firmware and testbench, relative to its folder. With `values` (generate.ts
 * packedValueUnits), the packed weights' parts instead of the one file that includes them all: a variant then
 * recompiles only the part it changed.
 */
export function projectSources(top: string, values: readonly string[] = []): string[] {
  return [`firmware/${top}.cpp`, ...(values.length ? values : [CSIM_WEIGHTS_SOURCE]), `tb/${top}_test.cpp`];
}

/** Where the compiled testbench of a generated project goes, relative to its folder. */
export const CSIM_EXE = 'csim/csim.exe';

/** Compiles one generated project in `dir` (firmware + testbench) and runs the testbench there. */
export async function runProjectCsim(dir: string, top: string, opts: CompileOptions = {}): Promise<CsimRun> {
  return compileAndRun(dir, projectSources(top), CSIM_EXE, ['.'], opts);
}

/**
 * Many generated projects (each in root/<top>/, distinct tops) in one program: one translation unit that
 * includes every firmware and testbench (namespaced per top, testbench mains disabled) and runs them all.
 */
export async function runManyCsim(root: string, tops: string[], opts: CompileOptions = {}): Promise<CsimRun> {
  const L = ['#define TESSERA_TB_NO_MAIN', '#include <cstdio>', '#include <string>'];
  for (const t of tops) L.push(...projectSources(t).map((f) => `#include "${t}/${f}"`));
  L.push('int main(int argc, char** argv) {', '  const std::string root = argc > 1 ? argv[1] : ".";', '  int bad = 0;');
  for (const t of tops) L.push(`  if (${t}_tb(root + "/${t}") != 0) { bad++; std::printf("FAIL ${t}\\n"); }`);
  L.push('  std::printf("%d of %d failed\\n", bad, ' + tops.length + ');', '  return bad ? 1 : 0;', '}', '');
  writeFileSync(join(root, 'all_tb.cpp'), L.join('\n'));
  return compileAndRun(root, ['all_tb.cpp'], 'all_tb.exe', [root], opts);
}

/** Parses tb_data/csim_results.dat (one image a line) into numbers. */
export function readResults(dir: string): number[][] {
  const p = join(dir, 'tb_data', 'csim_results.dat');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map(numberList);
}

/**
 * Space-separated numbers (%.17g) as one JSON array: V8 parses that several times faster than splitting
 * into strings and converting each (a DCGAN trace is ~600 000 values); anything JSON does not take (inf,
 * nan) goes the slow way, with the same result.
 */
function numberList(text: string): number[] {
  try {
    return JSON.parse(`[${text.trim().replace(/\s+/g, ',')}]`) as number[];
  } catch {
    return text.trim().split(/\s+/).map(Number);
  }
}

/** Parses tb_data/trace.dat (TESSERA_TRACE builds): per layer C name, one row per image of the values' mantissas (nnet::trace_array). */
export function readTrace(dir: string): Record<string, number[][]> {
  const p = join(dir, 'tb_data', 'trace.dat');
  const out: Record<string, number[][]> = {};
  if (!existsSync(p)) return out;
  for (const l of readFileSync(p, 'utf8').split('\n')) {
    const line = l.trim();
    const space = line.search(/\s/);
    if (space < 0) continue;
    (out[line.slice(0, space)] ??= []).push(numberList(line.slice(space + 1)));
  }
  return out;
}

export function readExpected(dir: string): number[][] {
  return readFileSync(join(dir, 'tb_data', 'expected.dat'), 'utf8').split('\n').filter((l) => l.trim()).map(numberList);
}
