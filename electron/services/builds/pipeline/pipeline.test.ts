// The one build pipeline and its backend seam, with real g++:
// - compareValues, the one mismatch loop (missing values, extra images, the first difference in words);
// - a build spec survives serialisation, and a bad spec file is refused naming the fields;
// - a build run from a spec file by `tessera build --spec` (what a remote backend starts on its node) gives
//   the same report as the same build run in this process, and leaves tessera-run.json;
// - the build queue on a backend that runs every build as `tessera build --spec` in a child process (a
//   stand-in for a remote backend, seam only) stores the same results as the local backend, and cancel
//   reaches the child;
// - a traced io_parallel build compares every inner layer; cancelling during the compile leaves no process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { buildSpecFromJson, buildSpecToJson, type BuildSpec } from '../../../../api/build-spec';
import type { RunReport } from '../../../../api/build-report';
import { readTemplates } from '../../csim/csim';
import { createTinyProject, tinyModel } from '../testing';
import { defaultVariantConfig } from '../variants';
import { BuildQueue } from '../queue';
import { REPO_ROOT, TESSERA_BIN, spawnTessera } from '../../../cli/cli.testutil';
import { BUILD_RESULT_FILE, parsePhaseLine, readBuildResultFile, runBuildInFolder, writeBuildSpecFile, type BuildBackend, type BuildJob } from './backend';
import { runBuild, type BuildPhase } from './run';
import { compareValues, isExact } from './steps';
import { hlsConfigOf } from '../variants';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pipeline-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The tiny stage's build, as the queue makes it for a variant with RF 2 on the ConvTranspose. */
function tinySpec(sub: string, over: Partial<BuildSpec> = {}): BuildSpec {
  const model = tinyModel();
  return {
    dir: path.join(dir, sub),
    name: sub,
    model,
    config: hlsConfigOf(defaultVariantConfig({ layers: { upconv: { reuseFactor: 2 } } }), 2, model),
    inputs: null,
    csim: { cxxFlags: [], trace: false, timeoutMs: 120_000 },
    synthesis: 'estimate',
    vendor: { steps: ['csynth'], stepTimeoutMs: null },
    errorVsFloat: true,
    ...over,
  };
}

/** The parts of a report that do not depend on when or where the build ran. */
function stable(r: RunReport) {
  return { ...r, buildMs: 0, steps: r.steps.map((s) => `${s.name}:${s.status}`), csim: { ...r.csim, compileMs: 0, runMs: 0 } };
}

describe('compareValues', () => {
  it('counts differing and missing values, names the first, and tells missing images apart', () => {
    expect(compareValues([[1, 2], [3, 4]], [[1, 2], [3, 4]])).toEqual({ images: 2, values: 2, gotImages: 2, mismatches: 0, first: null });
    const c = compareValues([[1, 5]], [[1, 2], [3, 4]]);
    expect(c).toEqual({ images: 2, values: 2, gotImages: 1, mismatches: 3, first: 'image 0 value 1: csim 5, engine 2' });
    expect(compareValues([], [[7]]).first).toBe('image 0 value 0: csim missing, engine 7');
    // An extra image is not a value mismatch, but the comparison is not exact.
    const extra = compareValues([[1], [2]], [[1]]);
    expect(extra.mismatches).toBe(0);
    expect(isExact(extra)).toBe(false);
  });
});

describe('build spec', () => {
  it('round-trips through JSON with its weights bit for bit', () => {
    const spec = tinySpec('rt', { inputs: { x: { shape: [1, 4, 4, 3], data: Float32Array.from({ length: 48 }, (_, i) => i / 7) } } });
    const back = buildSpecFromJson(JSON.parse(JSON.stringify(buildSpecToJson(spec))));
    expect(back.config).toEqual(spec.config);
    expect(back.model.graph).toEqual(spec.model.graph);
    for (const [id, slots] of Object.entries(spec.model.weights)) for (const [s, t] of Object.entries(slots)) expect([...back.model.weights[id][s].data]).toEqual([...t.data]);
    expect([...back.inputs!.x.data]).toEqual([...spec.inputs!.x.data]);
    expect(back.fifo).toBeUndefined();
    expect(buildSpecFromJson(JSON.parse(JSON.stringify(buildSpecToJson({ ...spec, fifo: 'safe' })))).fifo).toBe('safe');
  });

  it('refuses a spec with wrong fields, naming them', () => {
    const j = buildSpecToJson(tinySpec('bad')) as Record<string, unknown>;
    expect(() => buildSpecFromJson({ ...j, dir: 'relative/dir', config: { ...(j.config as object), top: '1; rm -rf /' } })).toThrow(/dir: an absolute path.*config\.top: a C identifier/);
    expect(() => buildSpecFromJson({ ...j, csim: { cxxFlags: 'x', trace: false, timeoutMs: 1 } })).toThrow(/csim\.cxxFlags/);
    // The g++ flags pass the allow-list here too: a spec file is input like any other.
    expect(() => buildSpecFromJson({ ...j, csim: { cxxFlags: ['-wrapper', '/bin/sh'], trace: false, timeoutMs: 1 } })).toThrow(/csim\.cxxFlags: cxxFlags\[0\] = "-wrapper" breaks the rule a g\+\+ flag on the allow-list/);
    expect(() => buildSpecFromJson([])).toThrow(/not a valid build spec/);
    expect(() => buildSpecFromJson({ ...j, fifo: 'huge' })).toThrow(/fifo/);
  });
});

describe('the pipeline, here and from a spec file', () => {
  it('`tessera build --spec` runs the same steps as runBuild in this process, and leaves tessera-run.json', async () => {
    const local = tinySpec('local');
    const here = await runBuild(local, { templates: readTemplates(), toolchain: null });
    expect(here.status, here.report.failure ?? '').toBe('succeeded');
    expect(here.report.csim.status).toBe('bit-exact');

    const remote = tinySpec('remote');
    const file = writeBuildSpecFile(remote);
    const r = await spawnTessera(['build', '--spec', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const phases = r.stdout.split('\n').map(parsePhaseLine).filter((p): p is BuildPhase => p !== null);
    expect(phases).toEqual(['codegen', 'csim', 'estimate', 'error']);
    expect(r.stdout).toMatch(/csim: bit-exact, 2 images/);
    expect(r.stdout).toContain(`tessera: build succeeded; result in ${path.join(remote.dir, BUILD_RESULT_FILE)}`);
    const there = readBuildResultFile(remote.dir)!;
    expect(there.status).toBe('succeeded');
    expect(stable(there.report)).toEqual(stable(here.report));
    expect(there.artifacts.files).toEqual(here.artifacts.files);
    // The same generated firmware, byte for byte.
    expect(fs.readFileSync(path.join(remote.dir, 'firmware/myproject.cpp'), 'utf8')).toBe(fs.readFileSync(path.join(local.dir, 'firmware/myproject.cpp'), 'utf8'));
  }, 120_000);

  it('a spec run again (a requeued batch job) drops the earlier result before its first step, so it is never read as this run\'s', async () => {
    const spec = tinySpec('rerun', { csim: null, errorVsFloat: false });
    fs.mkdirSync(spec.dir, { recursive: true });
    fs.writeFileSync(path.join(spec.dir, BUILD_RESULT_FILE), JSON.stringify({ runId: 'r_old', status: 'failed', report: {}, artifacts: {} }));
    const seen: (string | undefined)[] = [];
    const out = await runBuildInFolder(spec, {
      templates: readTemplates(), toolchain: null,
      observer: { phase: () => seen.push(readBuildResultFile(spec.dir)?.status) },
    }, 'r_new');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(seen.map(() => undefined)); // no result in the folder while the build runs
    expect(out.status).toBe('succeeded');
    expect(JSON.parse(fs.readFileSync(path.join(spec.dir, BUILD_RESULT_FILE), 'utf8'))).toMatchObject({ runId: 'r_new', status: 'succeeded' });
  });

  it('`tessera build --spec` refuses other options and a bad spec file in one line', async () => {
    const extra = await spawnTessera(['build', '--spec', '/nonexistent.json', '--csim']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/--spec FILE describes the whole build; drop --csim/);
    const bad = path.join(dir, 'bad-spec.json');
    fs.writeFileSync(bad, JSON.stringify({ format: 'tessera-build-spec', version: 1 }));
    const r = await spawnTessera(['build', '--spec', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a valid build spec: dir: /);
    // A valid spec moved out of its build folder (e.g. planted in a shared folder) does not build there.
    const moved = path.join(dir, 'elsewhere', 'spec.json');
    fs.mkdirSync(path.dirname(moved), { recursive: true });
    fs.copyFileSync(writeBuildSpecFile(tinySpec('moved')), moved);
    const m = await spawnTessera(['build', '--spec', moved]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/is not the folder the spec file is in/);
  }, 60_000);

  it('a traced io_parallel build compares every inner layer with the engine', async () => {
    const spec = tinySpec('traced', { csim: { cxxFlags: [], trace: true, timeoutMs: 120_000 } });
    const b = await runBuild(spec, { templates: readTemplates(), toolchain: null });
    expect(b.status, b.report.failure ?? '').toBe('succeeded');
    // upconv is inner (relu is the output): compared through the trace, all values equal.
    expect(Object.keys(b.report.csim.layers!)).toEqual(['upconv']);
    expect(b.report.csim.layers!.upconv).toMatchObject({ images: 2, gotImages: 2, mismatches: 0 });
    expect(b.report.csim.layers!.upconv.values).toBe(8 * 8 * 4);
  }, 120_000);

  it('cancelling during the compile ends the build cancelled, with no process left', async () => {
    const spec = tinySpec('cancel', { csim: { cxxFlags: ['-O3'], trace: false, timeoutMs: 120_000 } });
    const abort = new AbortController();
    const seen: string[] = [];
    const done = runBuild(spec, {
      templates: readTemplates(), toolchain: null, signal: abort.signal, killGraceMs: 200,
      observer: { program: (p) => { seen.push(p); if (p === 'g++') setTimeout(() => abort.abort('stop'), 300); } },
    });
    const b = await done;
    expect(seen).toEqual(['g++']);
    expect(b.status).toBe('cancelled');
    expect(b.report.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['codegen:ok', 'csim:failed']);
    expect(b.report.estimate).toBeNull();
    expect(fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.readlinkSync(`/proc/${p}/cwd`).startsWith(spec.dir);
      } catch {
        return false;
      }
    })).toEqual([]);
  }, 60_000);
});

/**
 * A backend that runs each build as `tessera build --spec` in a child process: what a remote backend does
 * on its node, minus the scheduler. Phases come from the log, the result from tessera-run.json.
 */
class ChildProcessBackend implements BuildBackend {
  readonly name = 'child-process';
  started = 0;

  start(spec: BuildSpec, observer: Parameters<BuildBackend['start']>[1]): BuildJob {
    this.started++;
    const file = writeBuildSpecFile(spec);
    const child = spawn(process.execPath, [TESSERA_BIN, 'build', '--spec', file], { cwd: REPO_ROOT, env: { ...process.env, TESSERA_DEBUG: '' } });
    let buffer = '';
    child.stdout.on('data', (b: Buffer) => {
      buffer += b.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const phase = parsePhaseLine(line);
        if (phase) observer.phase?.(phase);
        else observer.line?.(line, 'stdout');
      }
    });
    child.stderr.on('data', (b: Buffer) => observer.line?.(b.toString(), 'stderr'));
    const done = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code))).then((code) => {
      const r = readBuildResultFile(spec.dir);
      if (r) return r;
      const report = { ...emptyReportForTest(), failure: `tessera build --spec exited with ${code} and left no result` };
      return { status: 'failed' as const, report, artifacts: { dir: spec.dir, files: [] } };
    });
    return { done, cancel: () => child.kill('SIGTERM') };
  }
}

function emptyReportForTest(): RunReport {
  return { source: 'estimate', estimate: null, hls: null, hlsFit: null, cosim: null, csim: { status: 'skipped', images: 0, values: 0, mismatches: 0, first: null, compileMs: null, runMs: null }, error: null, buildMs: 0, steps: [], failure: null };
}

describe('the build queue on another backend', () => {
  it('stores the same results as the local backend; progress steps come through; cancel reaches the child', async () => {
    const p = createTinyProject(dir, 'seam');
    try {
      p.putVariant({ id: 'v', name: 'rf2', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 2 } } }) });
      p.putVariant({ id: 'slow', name: 'slow', config: defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-O3'] }) });
      const backend = new ChildProcessBackend();
      const steps: string[] = [];
      const q = new BuildQueue({ project: p, concurrency: 1, backend, emit: (e) => e.type === 'build.status' && e.step && e.status === 'running' && steps.push(e.step) });
      const [viaChild] = q.enqueue(['v']);
      await q.idle();
      const local = new BuildQueue({ project: p, concurrency: 1 });
      const [viaLocal] = local.enqueue(['v']);
      await local.idle();
      const runs = p.listBuildRuns();
      const a = runs.find((r) => r.id === viaChild.id)!;
      const b = runs.find((r) => r.id === viaLocal.id)!;
      expect(a.status, a.log).toBe('succeeded');
      expect(b.status, b.log).toBe('succeeded');
      expect(backend.started).toBe(1);
      expect(stable(a.report as RunReport)).toEqual(stable(b.report as RunReport));
      expect(steps).toEqual(['codegen', 'codegen', 'csim', 'estimate', 'error']);
      expect(a.log).toMatch(/\(child-process\)/);
      expect(JSON.parse(fs.readFileSync(path.join((a.artifacts as { dir: string }).dir, BUILD_RESULT_FILE), 'utf8')).status).toBe('succeeded');

      // Cancel while the child compiles: the child ends (its own SIGTERM handler cancels its g++).
      const [slow] = q.enqueue(['slow']);
      const t0 = Date.now();
      while (!steps.includes('csim', 5) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      expect(q.cancel(slow.id)).toBe(true);
      await q.idle();
      const s = p.listBuildRuns().find((r) => r.id === slow.id)!;
      expect(s.status).toBe('cancelled');
      expect((s.report as RunReport).csim.status).not.toBe('bit-exact');
    } finally {
      p.close();
    }
  }, 180_000);
});


describe('the synthesis-only files, written while the testbench runs', () => {
  it('are on disk and listed when the build ends; when they cannot be written the build fails naming them, after the testbench ended', async () => {
    const ok = await runBuild(tinySpec('inc-ok'), { templates: readTemplates(), toolchain: null });
    expect(ok.status, ok.report.failure ?? '').toBe('succeeded');
    const inc = ok.artifacts.files.filter((f) => f.endsWith('.inc'));
    expect(inc.length).toBeGreaterThan(0);
    for (const f of inc) expect(fs.statSync(path.join(ok.artifacts.dir, f)).size).toBeGreaterThan(0);
    expect(ok.report.estimate).not.toBeNull();

    // a folder where one of them goes: writing it fails
    const spec = tinySpec('inc-blocked');
    fs.mkdirSync(path.join(spec.dir, inc[0]), { recursive: true });
    const bad = await runBuild(spec, { templates: readTemplates(), toolchain: null });
    expect(bad.status).toBe('failed');
    expect(bad.report.failure).toMatch(/cannot write the synthesis weight lists \(weights\/\*\.inc\) into .*inc-blocked: EISDIR/);
    expect(bad.report.csim.status).toBe('bit-exact'); // the testbench ran to its end first
    expect(bad.artifacts.files).not.toContain(inc[0]);
  });
});
