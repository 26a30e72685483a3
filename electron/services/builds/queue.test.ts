import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { detectToolchain } from '../toolchain/detect';
import { ProjectFile, emptyDocument, weightsFromEngine } from '../store';
import { unetStageModel } from '../csim/graph.testutil';
import { randomTensor } from '../../../engine/tensor/tensor';
import { BuildQueue, type BuildEvent, type RunReport, type RunConfig } from './queue';
import { createTinyProject, processesUnder } from './testing';
import { defaultVariantConfig, type VariantConfig } from './variants';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-builds-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function variant(p: ProjectFile, id: string, name: string, config: VariantConfig) {
  return p.putVariant({ id, name, config });
}

describe('build queue with real builds (g++ csim + estimate)', () => {
  it('runs variants with at most `concurrency` at once; a failing build is reported with its log and the others go on', async () => {
    const p = createTinyProject(dir);
    try {
      variant(p, 'v1', 'upconv parallel RF1', defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 1 } } }));
      variant(p, 'v2', 'upconv stream RF2', defaultVariantConfig({ io: 'io_stream', scope: 'upconv', layers: { upconv: { reuseFactor: 2, strategy: 'resource' } } }));
      variant(p, 'bad', 'broken / flags', defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-Werror=unknown-pragmas'] }));
      variant(p, 'v3', 'upconv 8-bit', defaultVariantConfig({ scope: 'upconv', layers: { upconv: { precision: { weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<8,3>', result_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<8,3>' } } } }));
      const events: BuildEvent[] = [];
      let running = 0;
      let maxRunning = 0;
      const state = new Map<string, string>();
      const q = new BuildQueue({
        project: p, concurrency: 2,
        emit: (e) => {
          events.push(e);
          if (e.type !== 'build.status') return;
          const before = state.get(e.runId);
          state.set(e.runId, e.status);
          if (e.status === 'running' && before !== 'running') running++;
          if (before === 'running' && e.status !== 'running') running--;
          maxRunning = Math.max(maxRunning, running);
        },
      });
      const runs = q.enqueue(['v1', 'v2', 'bad', 'v3']);
      expect(runs.map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
      expect(q.activeCount).toBe(2);
      await q.idle();
      expect(maxRunning).toBe(2);
      expect(q.maxObservedConcurrency).toBe(2);

      const stored = p.listBuildRuns();
      const by = (vid: string) => stored.find((r) => r.variantId === vid)!;
      expect(by('bad').status).toBe('failed');
      expect(by('bad').log).toContain('-Werror=unknown-pragmas');
      expect((by('bad').report as RunReport).failure).toMatch(/C simulation failed/);
      for (const vid of ['v1', 'v2', 'v3']) {
        const r = by(vid);
        expect(r.status, r.log).toBe('succeeded');
        const rep = r.report as RunReport;
        expect(rep.csim.status).toBe('bit-exact');
        expect(rep.csim.images).toBe(2);
        expect(rep.estimate?.source).toBe('estimate');
        expect(rep.estimate!.latency.worst.cycles).toBeGreaterThan(0);
        expect(rep.error!.maxLsb).toBeGreaterThanOrEqual(0);
        expect(rep.buildMs).toBeGreaterThan(0);
        const art = r.artifacts as { dir: string; files: string[] };
        expect(art.dir.startsWith(path.join(dir, 'tiny.builds'))).toBe(true);
        expect(fs.existsSync(path.join(art.dir, 'estimate.json'))).toBe(true);
        expect(fs.existsSync(path.join(art.dir, 'csim', 'csim.exe'))).toBe(true);
        expect(r.startedAt! <= r.finishedAt!).toBe(true);
      }
      // Figures differ where the choices differ: RF 2 halves the multipliers; 8-bit is coarser.
      const e1 = (by('v1').report as RunReport).estimate!;
      const e2 = (by('v2').report as RunReport).estimate!;
      expect(e2.multipliers).toBeLessThan(e1.multipliers);
      expect((by('v3').report as RunReport).error!.maxAbs).toBeGreaterThan((by('v1').report as RunReport).error!.maxAbs);
      // Folder names are sanitized ('broken / flags' has no slash in its folder).
      const badDir = (by('bad').artifacts as { dir: string }).dir;
      expect(path.basename(badDir)).toMatch(/^broken_flags-/);
      expect(path.dirname(badDir)).toBe(path.join(dir, 'tiny.builds'));
      // Live log events came through.
      expect(events.some((e) => e.type === 'build.log' && /csim: bit-exact/.test(e.text))).toBe(true);
    } finally {
      p.close();
    }
  });

  it('cancel stops a running build and leaves no processes; cancelAll empties the queue', async () => {
    const p = createTinyProject(dir);
    try {
      // A compile that takes a while: -O3 plus a long sleep is not possible with g++, so the csim binary is
      // made slow by many test images instead; cancelling during the compile kills the g++ tree.
      variant(p, 'a', 'slow a', defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-O3'] }));
      variant(p, 'b', 'slow b', defaultVariantConfig({ scope: 'upconv', cxxFlags: ['-O3'] }));
      variant(p, 'c', 'queued c', defaultVariantConfig({ scope: 'upconv' }));
      const q = new BuildQueue({ project: p, concurrency: 1 });
      const [ra, rb, rc] = q.enqueue(['a', 'b', 'c']);
      // Wait until g++ of run a is running.
      const t0 = Date.now();
      while (processesUnder(ra.id.slice(-8)).length === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      expect(processesUnder(ra.id.slice(-8)).length).toBeGreaterThan(0);
      expect(q.cancel(ra.id)).toBe(true);
      expect(q.cancel(rc.id)).toBe(true); // queued: cancelled at once
      expect(p.listBuildRuns().find((r) => r.id === rc.id)!.status).toBe('cancelled');
      // b starts after a is gone; cancel everything.
      while (p.listBuildRuns().find((r) => r.id === rb.id)!.status === 'queued' && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      q.cancelAll();
      await q.idle();
      const st = Object.fromEntries(p.listBuildRuns().map((r) => [r.id, r.status]));
      expect(st[ra.id]).toBe('cancelled');
      expect(st[rb.id]).toBe('cancelled');
      expect(st[rc.id]).toBe('cancelled');
      expect(processesUnder(ra.id.slice(-8))).toEqual([]);
      expect(processesUnder(rb.id.slice(-8))).toEqual([]);
      expect(processesUnder('tiny.builds')).toEqual([]);
    } finally {
      p.close();
    }
  });
});

describe('queueing builds (the Build all button)', () => {
  it('answers before any build starts, never queues a variant twice, and names the estimate step as such', async () => {
    const p = createTinyProject(dir);
    try {
      variant(p, 'v1', 'upconv parallel RF1', defaultVariantConfig({ scope: 'upconv' }));
      variant(p, 'v2', 'upconv stream RF1', defaultVariantConfig({ io: 'io_stream', scope: 'upconv' }));
      const events: BuildEvent[] = [];
      const q = new BuildQueue({ project: p, concurrency: 2, emit: (e) => events.push(e) });
      const first = q.enqueue(['v1', 'v2'], { csim: false });
      // Nothing has run yet when enqueue returns (code generation used to run inside it, for seconds).
      expect(p.listBuildRuns().map((r) => r.status)).toEqual(['queued', 'queued']);
      expect(fs.existsSync(path.join(dir, 'tiny.builds'))).toBe(false);
      // A second click: the same runs come back, nothing new is queued.
      const second = q.enqueue(['v2', 'v1', 'v1'], { csim: false });
      expect(second.map((r) => r.id).sort()).toEqual(first.map((r) => r.id).sort());
      expect(p.listBuildRuns()).toHaveLength(2);
      await q.idle();
      expect(p.listBuildRuns().map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      // Without a vendor tool the step after code generation is the estimate, not synthesis.
      const steps = new Set(events.flatMap((e) => (e.type === 'build.status' && e.step ? [e.step] : [])));
      expect([...steps].sort()).toEqual(['codegen', 'error', 'estimate']);
      // Built once: a later click builds again.
      expect(q.enqueue(['v1'], { csim: false })[0].id).not.toBe(first[0].id);
      await q.idle();
    } finally {
      p.close();
    }
  });
});

describe('build state across a restart', () => {
  it('running runs become interrupted, queued ones stay queued and resume', async () => {
    const file = path.join(dir, 'tiny.tessera');
    let p = createTinyProject(dir);
    variant(p, 'v1', 'v one', defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 3 } } }));
    const cfg: RunConfig = { variantName: 'v one', variant: p.listVariants()[0].config as VariantConfig, csim: false };
    const base = { variantId: 'v1', config: cfg, step: null, startedAt: null, finishedAt: null, report: null, artifacts: null };
    p.putBuildRun({ ...base, id: 'r_running', status: 'running', step: 'csim', createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:01.000Z', log: 'compiling\n' });
    p.putBuildRun({ ...base, id: 'r_queued', status: 'queued', createdAt: '2026-01-01T00:00:02.000Z' });
    p.putBuildRun({ ...base, id: 'r_done', status: 'succeeded', createdAt: '2025-12-31T00:00:00.000Z', report: { source: 'estimate' } });
    p.close(); // the app quits without the queue noticing (no cancel)

    p = ProjectFile.open(file);
    try {
      const q = new BuildQueue({ project: p, concurrency: 1 });
      const runs = Object.fromEntries(p.listBuildRuns().map((r) => [r.id, r]));
      expect(runs.r_running.status).toBe('interrupted');
      expect(runs.r_running.finishedAt).not.toBeNull();
      expect(runs.r_running.log).toBe('compiling\n');
      expect(runs.r_queued.status).toBe('queued');
      expect(runs.r_done.status).toBe('succeeded');
      expect(runs.r_done.report).toEqual({ source: 'estimate' });
      expect(q.resume()).toEqual(['r_queued']);
      await q.idle();
      const after = p.listBuildRuns().find((r) => r.id === 'r_queued')!;
      expect(after.status, after.log).toBe('succeeded');
      expect((after.report as RunReport).estimate!.multipliers).toBeGreaterThan(0);
      expect((after.report as RunReport).csim.status).toBe('skipped');
    } finally {
      p.close();
    }
  });
});

describe('a real restart mid-build', () => {
  it('the sweep CLI killed during a build: its running build is interrupted, the queued ones resume and succeed', async () => {
    createTinyProject(dir, 'crash').close();
    const file = path.join(dir, 'crash.tessera');
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/tessera.mjs');
    const child = spawn(process.execPath, [bin, 'sweep', file, '--layer', 'upconv', '--rf', '1,2,3', '--concurrency', '1'], { stdio: 'ignore' });
    const statuses = () => {
      try {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare('SELECT status, step FROM build_runs ORDER BY created_at, id').all() as { status: string; step: string | null }[]);
        } finally {
          db.close();
        }
      } catch {
        return [];
      }
    };
    const t0 = Date.now();
    let seen: { status: string; step: string | null }[] = [];
    while (Date.now() - t0 < 60_000) {
      seen = statuses();
      if (seen.length === 3 && seen[0].status === 'running' && seen[0].step === 'csim') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen.map((r) => r.status)).toEqual(['running', 'queued', 'queued']);
    child.kill('SIGKILL'); // no chance to clean up: like a crash or a power cut
    await new Promise((r) => child.once('exit', r));
    // The orphaned g++ (own process group) may still run; stop it so that nothing is left behind.
    for (const line of processesUnder('crash.builds')) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }

    const p = ProjectFile.open(file);
    try {
      const q = new BuildQueue({ project: p, concurrency: 2 });
      expect(p.listBuildRuns().map((r) => r.status)).toEqual(['interrupted', 'queued', 'queued']);
      expect(p.listVariants()).toHaveLength(3);
      expect(q.resume()).toHaveLength(2);
      await q.idle();
      const after = p.listBuildRuns();
      expect(after.map((r) => r.status)).toEqual(['interrupted', 'succeeded', 'succeeded']);
      for (const r of after.slice(1)) expect((r.report as RunReport).csim.status).toBe('bit-exact');
    } finally {
      p.close();
    }
  });
});

// A stand-in for Vitis HLS (no AMD tools here): answers -version, runs build_prj.tcl in the real tclsh
// with the HLS commands defined to drop recorded vendor reports where the real tool writes them.
const HAS_TCLSH = spawnSync('tclsh', [], { input: 'puts ok\n', encoding: 'utf8' }).stdout?.trim() === 'ok';
const REPORTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../engine/reports/testdata');
const STAND_IN = `
foreach cmd {add_files create_clock set_clock_uncertainty config_export config_compile csim_design} { proc $cmd {args} {} }
proc open_project {args} { set ::prj [lindex $args end] }
proc set_top {t} { set ::top $t }
proc open_solution {args} { set ::sol [lindex $args end] }
proc set_part {args} { puts "INFO: part $args" }
proc csynth_design {args} {
  set d [file join $::prj $::sol syn report]; file mkdir $d
  file copy -force $::env(STAND_IN_CSYNTH) [file join $d csynth.xml]
  puts "INFO: \\[HLS 200-111\\] Finished Command csynth_design"
}
proc cosim_design {args} {
  set d [file join $::prj $::sol sim report]; file mkdir $d
  file copy -force $::env(STAND_IN_COSIM) [file join $d $::top\\_cosim.rpt]
}
proc export_design {args} { file mkdir [file join $::prj $::sol impl ip] }
proc exit {args} {}
source [lindex $argv 0]
`;

describe.skipIf(!HAS_TCLSH)('with a vendor HLS tool (stand-in)', () => {
  it('synthesis reports replace the estimate: figures marked measured, cosim read, csim still by g++', async () => {
    const bin = path.join(dir, 'tools', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'stand_in.tcl'), STAND_IN);
    fs.writeFileSync(path.join(bin, 'vitis_hls'), `#!/bin/sh
if [ "$1" = "-version" ]; then echo "****** Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2023.1 (64-bit)"; exit 0; fi
exec tclsh "${path.join(bin, 'stand_in.tcl')}" "$2"
`);
    fs.chmodSync(path.join(bin, 'vitis_hls'), 0o755);
    const toolchain = await detectToolchain({
      env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, STAND_IN_CSYNTH: path.join(REPORTS, 'vitis-2023.2-handwritten_csynth.xml'), STAND_IN_COSIM: path.join(REPORTS, 'cosim-2020-handwritten_cosim.rpt') },
    });
    expect(toolchain.tools.vitis_hls.version).toBe('2023.1');
    const p = createTinyProject(dir);
    try {
      variant(p, 'v', 'vendor', defaultVariantConfig({ scope: 'upconv' }));
      const q = new BuildQueue({ project: p, toolchain, concurrency: 1 });
      q.enqueue(['v']);
      await q.idle();
      const run = p.listBuildRuns()[0];
      expect(run.status, run.log).toBe('succeeded');
      const rep = run.report as RunReport;
      expect(rep.source).toBe('measured');
      expect(rep.estimate).toBeNull();
      expect(rep.hls!.resources.DSP.used).toBe(136);
      expect(rep.hlsFit).toEqual({ part: 'xcvu13p-flga2577-2-e', fits: true, over: [] });
      expect(run.log).toMatch(/fits xcvu13p-flga2577-2-e   \[myproject_prj\/solution1\/syn\/report\/csynth.xml\]/);
      expect(rep.cosim!.status).toBe('Pass');
      expect(rep.csim.status).toBe('bit-exact');
      expect(rep.steps.map((s) => s.name)).toEqual(['codegen', 'csim', 'synthesis', 'error']);
      expect(run.log).toMatch(/Finished Command csynth_design/);
      expect((run.artifacts as { files: string[] }).files).toContain('myproject_prj/solution1/syn/report/csynth.xml');
    } finally {
      p.close();
    }
  });
});

describe('layer objects warmed while the queue is idle (the app)', () => {
  /** The U-Net stage (4 layers with multipliers: c1, c2, up, c3) as a project. */
  function unetProject(): ProjectFile {
    let s = 11;
    const m = unetStageModel((shape) => randomTensor(shape, s++, -0.6, 0.6));
    const doc = emptyDocument();
    doc.graph = m.graph;
    doc.weights = weightsFromEngine(m.weights, (n, slot) => (slot === 'weight' ? (n === 'up' ? 'IOHW' : 'OIHW') : 'O'));
    return ProjectFile.create(path.join(dir, 'unet.tessera'), { name: 'unet', doc });
  }
  // the object cache on (vitest turns it off), in the test's own folder
  let savedCache: string | undefined;
  beforeEach(() => {
    savedCache = process.env.TESSERA_CSIM_CACHE;
    process.env.TESSERA_CSIM_CACHE = path.join(dir, 'cache');
  });
  afterEach(() => {
    if (savedCache === undefined) delete process.env.TESSERA_CSIM_CACHE;
    else process.env.TESSERA_CSIM_CACHE = savedCache;
  });
  /** Variants v1 and v2 (c2's reuse factor 1 and 2) and a warming queue building v1. */
  function queueAfterFirstVariant(p: ProjectFile): BuildQueue {
    variant(p, 'v1', 'c2 RF1', defaultVariantConfig({ scope: 'c2', layers: { c2: { reuseFactor: 1 } } }));
    variant(p, 'v2', 'c2 RF2', defaultVariantConfig({ scope: 'c2', layers: { c2: { reuseFactor: 2 } } }));
    const q = new BuildQueue({ project: p, concurrency: 1, warmLayerObjects: true });
    q.enqueue(['v1']);
    return q;
  }
  const compiledIn = (runDir: string) => fs.readdirSync(path.join(runDir, 'csim', 'obj')).filter((f) => f.endsWith('.o.d')).map((f) => f.replace(/\.o\.d$/, '')).sort();

  it("after a build the idle queue compiles its layer units into the object cache; a variant changing one layer then compiles that layer's unit and weights and the top unit", async () => {
    const p = unetProject();
    try {
      const q = queueAfterFirstVariant(p);
      await q.settled();
      const dirOf = (vid: string) => (p.listBuildRuns().find((r) => r.variantId === vid)!.artifacts as { dir: string }).dir;
      // cold: one top unit, then the four layer units and the weight arrays compiled while idle
      expect(compiledIn(dirOf('v1')).some((f) => f.startsWith('firmware_layers_'))).toBe(false);
      expect(fs.readdirSync(path.join(dirOf('v1'), 'csim', 'warm', 'obj')).filter((f) => f.endsWith('.o')).sort()).toEqual(
        [...['layer1_c1', 'layer4_c2', 'layer6_up', 'layer8_c3'].map((l) => `firmware_layers_${l}.cpp.o`), 'firmware_weights_csim_arrays.cpp.o'],
      );
      q.enqueue(['v2']);
      await q.settled();
      const run = p.listBuildRuns().find((r) => r.variantId === 'v2')!;
      expect(run.status, run.log).toBe('succeeded');
      expect((run.report as RunReport).csim.status).toBe('bit-exact');
      expect(compiledIn(dirOf('v2'))).toEqual(['firmware_layers_layer4_c2.cpp', 'firmware_myproject.cpp', 'firmware_weights_values_layer4_c2.cpp']);
      await q.dispose();
    } finally {
      p.close();
    }
  });

  it('settled() waits for a build queued during the warming, and for the warming after it', async () => {
    const p = unetProject();
    try {
      const q = queueAfterFirstVariant(p);
      await q.idle(); // the warming starts now
      const settled = q.settled();
      await new Promise((r) => setTimeout(r, 200));
      q.enqueue(['v2']); // stops the warming, which starts again after this build
      await settled;
      expect(p.listBuildRuns().map((r) => [r.variantId, r.status])).toEqual([['v1', 'succeeded'], ['v2', 'succeeded']]);
      expect(processesUnder(dir)).toEqual([]);
      await q.dispose();
    } finally {
      p.close();
    }
  });

  it('dispose stops the warming and leaves no g++ behind', async () => {
    const p = unetProject();
    try {
      variant(p, 'v1', 'c2 RF1', defaultVariantConfig({ scope: 'c2', layers: { c2: { reuseFactor: 1 } } }));
      const q = new BuildQueue({ project: p, concurrency: 1, warmLayerObjects: true });
      q.enqueue(['v1']);
      await q.idle(); // the warming starts now
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      await q.dispose();
      expect(Date.now() - t0).toBeLessThan(1500); // stopped, not waited for (five compiles take longer)
      expect(processesUnder(dir)).toEqual([]);
      const dirOf = (p.listBuildRuns()[0].artifacts as { dir: string }).dir;
      const warmed = fs.existsSync(path.join(dirOf, 'csim', 'warm', 'obj')) ? fs.readdirSync(path.join(dirOf, 'csim', 'warm', 'obj')).filter((f) => f.endsWith('.o')) : [];
      expect(warmed.length).toBeLessThan(5);
    } finally {
      p.close();
    }
  });
});
