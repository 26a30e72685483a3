// Codegen + g++ compile + C simulation vs the engine's bit-accurate preview of the same outputs, per layer
// type: Conv2D, ConvTranspose2D, Dense, and a small graph (the shipped tiny autoencoder). The C++ side is one
// generated project per case (3 test images), compiled with g++ -O1 and run; REPS repetitions (g++ is slow:
// they are few, and labelled), each a fresh compile of the same files. The engine side is simulateFixed on
// the same inputs, median of the harness runs. "× engine" = (codegen + g++ + csim) / engine preview.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, type BenchSuite } from './harness';
import { convCaseConfig, convCaseModel, denseCaseModel, type ConvCase } from '../engine/hls/conv-cases';
import { defaultHlsConfig, type HlsConfig } from '../engine/hls/config';
import { generateProject } from '../engine/hls/generate';
import { simulateFixed } from '../engine/hls/simulate';
import { randomTensor } from '../engine/tensor/tensor';
import type { Model } from '../engine/graph/model';
import { readTemplates, runProjectCsim, writeFiles } from '../electron/services/csim/csim';
import { readProjectDocument, weightsToEngine } from '../electron/services/store';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPS = 2;

interface CsimCase {
  name: string;
  model: Model;
  cfg: HlsConfig;
}

function convCase(c: ConvCase, top: string): CsimCase {
  const model = convCaseModel(c, 4);
  return { name: `${c.name} (${c.io})`, model, cfg: convCaseConfig(c, model, top, 3) };
}

function denseCase(top: string): CsimCase {
  const nIn = 128, U = 64;
  const model = denseCaseModel(randomTensor([nIn, U], 31, -0.4, 0.5), randomTensor([U], 32, -0.5, 0.4));
  return { name: `Dense ${nIn} → ${U} (io_parallel)`, model, cfg: defaultHlsConfig({ top, testImages: 3 }) };
}

function graphCase(top: string): CsimCase {
  const doc = readProjectDocument(path.join(ROOT, 'projects', 'tiny-autoencoder.tessera'));
  return { name: 'graph: tiny autoencoder (io_stream)', model: { graph: doc.graph, weights: weightsToEngine(doc.weights) }, cfg: defaultHlsConfig({ top, io: 'io_stream', testImages: 3 }) };
}

export const csimBench: BenchSuite = {
  name: 'csim',
  async run(opts) {
    const templates = readTemplates();
    const root = mkdtempSync(path.join(tmpdir(), 'tessera-bench-csim2-'));
    const cases: CsimCase[] = [
      convCase({ name: 'Conv2D 8→16 k3 16×16', op: 'Conv2D', size: [16, 16], cin: 8, cout: 16, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' }, 'c0'),
      convCase({ name: 'ConvTranspose2D 16→8 k4 s2 8×8', op: 'ConvTranspose2D', size: [8, 8], cin: 16, cout: 8, kernel: [4, 4], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_stream' }, 'c1'),
      denseCase('c2'),
      graphCase('c3'),
    ];
    const lines: string[] = [];
    try {
      for (const c of cases) {
        const top = c.cfg.top;
        const gen: number[] = [];
        const cc: number[] = [];
        const run: number[] = [];
        let ok = true;
        let inputs: Record<string, ReturnType<typeof randomTensor>> = {};
        for (let r = 0; r < REPS; r++) {
          const t0 = performance.now();
          const g = generateProject({ model: c.model, config: c.cfg, templates });
          gen.push(performance.now() - t0);
          if (!g.files) throw new Error(`${c.name}: ${g.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join(' ')}`);
          inputs = g.inputs;
          const dir = path.join(root, `${top}_${r}`);
          writeFiles(dir, g.files);
          const res = await runProjectCsim(dir, top);
          cc.push(res.compileMs);
          run.push(res.runMs);
          ok &&= res.ok;
        }
        const [row] = await measure({ name: c.name, macs: 0, contenders: [{ name: 'engine', run: () => simulateFixed(c.model, inputs, c.cfg) }] }, { budgetMs: 5000, ...opts });
        const med = (xs: number[]) => Math.min(...xs);
        const total = med(gen) + med(cc) + med(run);
        lines.push([
          c.name.padEnd(44), med(gen).toFixed(0).padStart(8), med(cc).toFixed(0).padStart(8), med(run).toFixed(0).padStart(7),
          total.toFixed(0).padStart(8), row.medianMs.toFixed(2).padStart(10), row.cpuMs.toFixed(2).padStart(9), (total / row.medianMs).toFixed(0).padStart(9), `  ${ok ? 'bit-exact' : 'MISMATCH/FAILED'}`,
        ].join(' '));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    console.log(`\nCodegen + g++ -O1 compile + C simulation (3 images) vs the engine's fixed-point preview of the same outputs`);
    console.log(`(C++ side: wall ms, best of ${REPS} repetitions per column; engine: wall / CPU median of ≥ 20 runs)`);
    console.log([
      'case'.padEnd(44), 'codegen'.padStart(8), 'g++'.padStart(8), 'csim'.padStart(7), 'C total'.padStart(8), 'engine ms'.padStart(10), 'eng CPU'.padStart(9), '× engine'.padStart(9), '  csim vs engine',
    ].join(' '));
    for (const l of lines) console.log(l);
  },
};
