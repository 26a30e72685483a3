// Build times as the user waits for them: `tessera build projects/dcgan-generator.tessera --csim` (codegen,
// g++, C simulation of 3 images bit for bit, error vs float) cold, after one layer's reuse factor changed,
// and unchanged; a 12-variant reuse-factor sweep of one layer (`tessera sweep`), builds in parallel up to
// the cores; and g++'s -O levels on the same project (compile + run). Peers in the same run: the csim object
// cache (electron/services/csim/object-cache.ts) on (a fresh cache folder per case) and off. g++ is slow:
// few repetitions, labelled. CPU = the CLI process's own plus its children's (g++, the testbench), from
// /proc/self/stat at exit (Linux).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './harness';
import { readProjectDocument, weightsToEngine } from '../electron/services/store';
import { generateProject } from '../engine/hls/generate';
import { defaultHlsConfig } from '../engine/hls/config';
import { compileCsim, CSIM_EXE, projectSources, readTemplates, runCsimProgram, writeFiles } from '../electron/services/csim/csim';
import { ProjectFile } from '../electron/services/store';
import { BuildQueue, type RunReport } from '../electron/services/builds/queue';
import { expandSweep } from '../electron/services/builds/variants';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DCGAN = path.join(ROOT, 'projects', 'dcgan-generator.tessera');
const REPS = 2;
/** At exit: this process's and its waited-for children's CPU (utime, stime, cutime, cstime; clock ticks of 10 ms). */
const REPORT_CPU =
  'data:text/javascript,process.on("exit",()=>{try{const f=process.getBuiltinModule("fs").readFileSync("/proc/self/stat","utf8").split(") ")[1].split(" ");const t=[11,12,13,14].reduce((a,i)=>a+Number(f[i]),0);process.stderr.write(`\\ncpu-ticks ${t}\\n`)}catch{}})';

interface Timed {
  wallMs: number;
  cpuMs: number | null;
}

function tessera(args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_CPU, 'bin/tessera.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`tessera ${args.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`));
      const m = /cpu-ticks (\d+)/.exec(err);
      resolve({ wallMs, cpuMs: m ? Number(m[1]) * 10 : null });
    });
  });
}

/**
 * The app's case: in one process (the build queue of an open project), the DCGAN project built, then variants
 * that each change up4's reuse factor, one at a time with a pause between (the user editing). With `warm` the
 * queue compiles the layer objects while idle (BuildQueueOptions.warmLayerObjects, as the app's does); each
 * variant's own build time (its report's buildMs) after the first.
 */
async function queueOneLayer(root: string, name: string, warm: boolean, pch: string): Promise<number[]> {
  const saved = { cache: process.env.TESSERA_CSIM_CACHE, pch: process.env.TESSERA_CSIM_PCH };
  process.env.TESSERA_CSIM_CACHE = path.join(root, `cache-${name}`);
  process.env.TESSERA_CSIM_PCH = pch;
  const file = path.join(root, `${name}.tessera`);
  copyFileSync(DCGAN, file);
  const project = ProjectFile.open(file);
  const queue = new BuildQueue({ project, concurrency: 1, warmLayerObjects: warm });
  try {
    const doc = project.load();
    const sweep = expandSweep({ graph: doc.graph, weights: weightsToEngine(doc.weights) }, { layer: 'up4', reuseFactors: [1, 2, 3, 4, 6, 8], project: doc.settings });
    const ms: number[] = [];
    for (const [i, v] of sweep.variants.entries()) {
      const id = `v_${name}_${i}`;
      project.putVariant({ id, name: v.name, config: v.config });
      const [run] = queue.enqueue([id]);
      await queue.idle();
      await queue.settled(); // the pause: the warm-up (if any) ends before the next edit
      const done = project.listBuildRuns().find((r) => r.id === run.id);
      const report = done?.report as RunReport | undefined;
      if (done?.status !== 'succeeded' || !report) throw new Error(`${v.name}: ${done?.status}: ${report?.failure ?? ''}`);
      if (i > 0) ms.push(report.buildMs);
    }
    return ms;
  } finally {
    await queue.dispose();
    project.close();
    process.env.TESSERA_CSIM_CACHE = saved.cache;
    process.env.TESSERA_CSIM_PCH = saved.pch;
    if (saved.cache === undefined) delete process.env.TESSERA_CSIM_CACHE;
    if (saved.pch === undefined) delete process.env.TESSERA_CSIM_PCH;
  }
}

const fmt = (t: Timed) => `${(t.wallMs / 1000).toFixed(2).padStart(8)} ${(t.cpuMs === null ? '-' : (t.cpuMs / 1000).toFixed(2)).padStart(8)}`;
const best = (xs: Timed[]): Timed => xs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));

export const buildBench: BenchSuite = {
  name: 'build',
  async run() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-build-'));
    const lines: string[] = [];
    const row = (name: string, peer: string, t: Timed, n: number) => lines.push(`${name.padEnd(46)} ${peer.padEnd(22)} ${fmt(t)}  (${n === 1 ? 'one run' : `best of ${n}`})`);
    try {
      await tessera(['--help'], {}); // a stale compiled CLI is rebuilt here, outside the timing
      let k = 0;
      const build = (extra: string[], env: NodeJS.ProcessEnv) => tessera(['build', DCGAN, '--out', path.join(root, `b${k++}`), '--csim', ...extra], env);
      // The precompiled headers (one per compiler and flag set) are made once, by the first C simulation on the
      // machine: the first build below makes them, and "cold" is a project's first build after that.
      const pch = path.join(root, 'pch');
      row('DCGAN csim build, first ever (no precompiled header)', 'object cache', await build([], { TESSERA_CSIM_CACHE: path.join(root, `cache-${k}`), TESSERA_CSIM_PCH: pch }), 1);
      for (const cached of [true, false]) {
        const peer = cached ? 'object cache' : 'no cache';
        const cold: Timed[] = [], all: Timed[] = [], one: Timed[] = [], same: Timed[] = [];
        for (let r = 0; r < REPS; r++) {
          const env = { TESSERA_CSIM_CACHE: cached ? path.join(root, `cache-${k}`) : 'off', TESSERA_CSIM_PCH: pch };
          cold.push(await build([], env));
          same.push(await build([], env));
          all.push(await build(['--rf', '2'], env));
          // one layer's reuse factor, as a variant of the project (the app's compare view, `tessera sweep`)
          const file = path.join(root, `one-${k++}.tessera`);
          copyFileSync(DCGAN, file);
          await tessera(['sweep', file, '--layer', 'up4', '--rf', '1'], env);
          one.push(await tessera(['sweep', file, '--layer', 'up4', '--rf', String(2 + r)], env));
        }
        row('DCGAN csim build, cold', peer, best(cold), REPS);
        row("DCGAN, one layer's RF changed (sweep up4)", peer, best(one), REPS);
        row('DCGAN csim build, every RF changed (--rf 2)', peer, best(all), REPS);
        row('DCGAN csim build, unchanged', peer, best(same), REPS);
      }
      // the app: one layer changed at a time in one process, with and without the idle warm-up of the layer objects
      const inApp: string[] = [];
      for (let r = 0; r < REPS; r++) {
        for (const warm of [true, false]) {
          const ms = await queueOneLayer(root, `app-${warm ? 'warm' : 'cold'}-${r}`, warm, pch);
          const sorted = [...ms].sort((a, b) => a - b);
          inApp.push(`${(warm ? 'layer objects (idle warm-up)' : 'one top unit').padEnd(30)} ${ms.map((m) => (m / 1000).toFixed(2)).join(' ').padEnd(32)} median ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)}`);
        }
      }
      const cores = os.availableParallelism();
      for (const [peer, concurrency, cached] of [['object cache', cores, true], ['no cache', cores, false], ['object cache, 1 at a time', 1, true]] as const) {
        const file = path.join(root, `sweep-${k++}.tessera`);
        copyFileSync(DCGAN, file);
        const rfs = '1,2,3,4,6,8,12,16,24,32,48,64'; // 12 valid reuse factors of up4
        const t = await tessera(['sweep', file, '--layer', 'up4', '--rf', rfs, '--concurrency', String(concurrency)], { TESSERA_CSIM_CACHE: cached ? path.join(root, `cache-${k}`) : 'off', TESSERA_CSIM_PCH: path.join(root, 'pch') });
        row(`12-variant RF sweep of up4 (${concurrency} at a time)`, peer, t, 1);
      }
      // g++ -O level: compile (no cache) + run of the DCGAN project's testbench
      const doc = readProjectDocument(DCGAN);
      const g = generateProject({ model: { graph: doc.graph, weights: weightsToEngine(doc.weights) }, config: defaultHlsConfig({ top: 'dcgan', testImages: 3 }), templates: readTemplates() });
      if (!g.files) throw new Error('DCGAN: code generation failed');
      const dir = path.join(root, 'olevel');
      writeFiles(dir, g.files);
      const olines: string[] = [];
      for (const opt of ['-O0', '-O1', '-O2']) {
        const c = await compileCsim(dir, projectSources('dcgan'), CSIM_EXE, { opt, cache: null });
        const r = c.ok ? await runCsimProgram(dir, CSIM_EXE, ['.']) : null;
        olines.push(`${opt.padEnd(6)} ${(c.ms / 1000).toFixed(2).padStart(9)} ${r ? (r.ms / 1000).toFixed(2).padStart(9) : '   failed'} ${r ? ((c.ms + r.ms) / 1000).toFixed(2).padStart(9) : ''}`);
      }
      console.log('\nBuild times (s; wall and CPU of the CLI with g++ and the testbench; peers: csim object cache on / off)');
      console.log(`${'case'.padEnd(46)} ${'peer'.padEnd(22)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)}`);
      for (const l of lines) console.log(l);
      console.log("\nThe app: up4's reuse factor changed (RF 2, 3, 4, 6, 8 after RF 1), one build at a time in one process (s, each build's own)");
      for (const l of inApp) console.log(l);
      console.log('\ng++ optimisation level on the DCGAN project (wall s: compile firmware + testbench, run 3 images, sum)');
      console.log(`${'level'.padEnd(6)} ${'compile'.padStart(9)} ${'run'.padStart(9)} ${'sum'.padStart(9)}`);
      for (const l of olines) console.log(l);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
