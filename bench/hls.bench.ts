// Fixed point and HLS C simulation (issue 3):
// 1. the engine's bit-accurate fixed-point Conv kernels vs its float kernels on the BENCHMARKS.md layers
//    (default ap_fixed<16,6>: wrap-around accumulator, fast exact path), and with a saturating accumulator
//    whose range the data can exceed (sequential path);
// 2. per layer type, codegen + g++ compile + C simulation wall time vs the engine's fixed-point preview of
//    the same outputs (3 images).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, printTable, type BenchOptions, type BenchRow, type BenchSuite } from './harness';
import { convCaseConfig, convCaseModel, type ConvCase } from '../engine/hls/conv-cases';
import { defaultHlsConfig } from '../engine/hls/config';
import { generateProject } from '../engine/hls/generate';
import { simulateFixed } from '../engine/hls/simulate';
import { simulateFloat } from '../engine/sim/float';
import { randomTensor } from '../engine/tensor/tensor';
import { readTemplates, runProjectCsim, writeFiles } from '../electron/services/csim/csim';

const LAYERS: ConvCase[] = [
  { name: '(c) 256×8×8 → 128×16×16 k4 s2 p1', op: 'ConvTranspose2D', size: [8, 8], cin: 256, cout: 128, kernel: [4, 4], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' },
  { name: 'U-Net 256×8×8 → 128×16×16 k2 s2', op: 'ConvTranspose2D', size: [8, 8], cin: 256, cout: 128, kernel: [2, 2], stride: [2, 2], io: 'io_parallel' },
  { name: 'tiny 4×16×16 → 8×32×32 k3 s2 same', op: 'ConvTranspose2D', size: [16, 16], cin: 4, cout: 8, kernel: [3, 3], stride: [2, 2], autoPad: 'same_upper', io: 'io_parallel' },
  { name: 'Conv 64×32×32 → 128×16×16 k4 s2 p1', op: 'Conv2D', size: [32, 32], cin: 64, cout: 128, kernel: [4, 4], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel' },
];

const CSIM: ConvCase[] = [
  { name: 'Conv1D k3', op: 'Conv1D', size: [32], cin: 8, cout: 8, kernel: [3], stride: [1], padsBegin: [1], padsEnd: [1], io: 'io_parallel' },
  { name: 'Conv2D k3', op: 'Conv2D', size: [12, 12], cin: 4, cout: 8, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_stream' },
  { name: 'ConvTranspose1D k4 s2', op: 'ConvTranspose1D', size: [16], cin: 8, cout: 4, kernel: [4], stride: [2], padsBegin: [1], padsEnd: [1], io: 'io_parallel' },
  { name: 'ConvTranspose2D k4 s2', op: 'ConvTranspose2D', size: [8, 8], cin: 8, cout: 4, kernel: [4, 4], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_stream' },
];

async function kernels(opts: BenchOptions): Promise<void> {
  const rows: BenchRow[] = [];
  for (const c of LAYERS) {
    const model = convCaseModel(c, 2);
    const x = randomTensor([1, c.cin, ...c.size], 3, -2, 2);
    const wrap = defaultHlsConfig();
    const sat = defaultHlsConfig({ defaults: { precision: { accum_t: 'ap_fixed<20,6,AP_RND,AP_SAT>' } } });
    const macs = c.cin * c.cout * c.kernel.reduce((a, b) => a * b, 1) * c.size.reduce((a, b) => a * b, 1);
    const outPix = simulateFloat(model, { x }).outputs.conv.shape.slice(2).reduce((a, b) => a * b, 1);
    const useful = c.op === 'Conv2D' ? c.cin * c.cout * c.kernel[0] * c.kernel[1] * outPix : macs;
    rows.push(
      ...(await measure(
        {
          name: c.name,
          macs: useful,
          contenders: [
            { name: 'float (engine fast kernels)', run: () => simulateFloat(model, { x }) },
            { name: 'fixed <16,6> wrap accum', run: () => simulateFixed(model, { x }, wrap) },
            { name: 'fixed, saturating accum', run: () => simulateFixed(model, { x }, sat) },
          ],
        },
        { runs: opts.runs, budgetMs: 8000 },
      )),
    );
  }
  printTable('Fixed-point (bit-accurate) vs float, whole one-layer graph, batch 1', rows);
}

async function csim(): Promise<void> {
  const templates = readTemplates();
  const root = mkdtempSync(join(tmpdir(), 'tessera-bench-csim-'));
  const lines: string[] = [];
  try {
    for (const [i, c] of CSIM.entries()) {
      const top = `b${i}`;
      const model = convCaseModel(c, 5);
      const cfg = convCaseConfig(c, model, top, 3);
      const t0 = performance.now();
      const g = generateProject({ model, config: cfg, templates });
      const tGen = performance.now() - t0;
      if (!g.files) throw new Error(g.diagnostics.map((d) => d.message).join(' '));
      writeFiles(join(root, top), g.files);
      const run = await runProjectCsim(join(root, top), top);
      const t1 = performance.now();
      simulateFixed(model, g.inputs, cfg);
      const tEngine = performance.now() - t1;
      const total = tGen + run.compileMs + run.runMs;
      lines.push(`${c.name.padEnd(24)} ${c.io.padEnd(12)} ${tGen.toFixed(0).padStart(7)} ${run.compileMs.toFixed(0).padStart(9)} ${run.runMs.toFixed(0).padStart(7)} ${tEngine.toFixed(1).padStart(10)} ${(total / tEngine).toFixed(0).padStart(8)}  ${run.ok ? 'bit-exact' : 'FAILED'}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log('\nCodegen + g++ (-O1) + C simulation vs the engine preview (3 images; wall ms, one run each)');
  console.log(`${'layer'.padEnd(24)} ${'io'.padEnd(12)} ${'codegen'.padStart(7)} ${'g++'.padStart(9)} ${'csim'.padStart(7)} ${'engine'.padStart(10)} ${'× engine'.padStart(8)}`);
  for (const l of lines) console.log(l);
}

export const hlsBench: BenchSuite = {
  name: 'hls',
  async run(opts) {
    await kernels(opts);
    await csim();
  },
};
