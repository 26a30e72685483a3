// The hardware figures issue 11 tracks (not timings of the engine): per BENCHMARKS.md layer and per shipped
// example, the estimated latency, interval, DSP, LUT and BRAM_18K (engine/estimate) in both io types at the
// default settings (RF 1, Latency) and at the example's own settings; and the U-Net example's codegen + g++
// + C simulation wall time in both io types (one run each: g++ dominates; compare runs made side by side);
// the static check's findings on the templates before issue 11 (the committed fixture) and on the static-check
// matrix generated with today's templates.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './harness';
import { BENCH_LAYERS, type BenchLayer } from './layers';
import { convCaseModel, type ConvCase } from '../engine/hls/conv-cases';
import { defaultHlsConfig, type HlsConfig, type IoType } from '../engine/hls/config';
import { generateProject } from '../engine/hls/generate';
import { estimateDesign } from '../engine/estimate';
import { FIT_MARGIN } from '../engine/estimate/fit';
import type { Model } from '../engine/graph/model';
import { readTemplates, runProjectCsim, writeFiles } from '../electron/services/csim/csim';
import { ProjectFile, readProjectDocument, weightsToEngine } from '../electron/services/store';
import { variantBuildSpec } from '../electron/services/builds/queue';
import type { VariantConfig } from '../electron/services/builds/variants';
import { checkProjects, countByRule } from '../electron/services/hls-check/check';
import { matrixProjects } from '../electron/services/hls-check/matrix';
import { oldTemplateProjects } from '../electron/services/hls-check/old-templates.testutil';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXAMPLES = ['unet-decoder-stage', 'dcgan-generator', 'tiny-autoencoder'];

export function benchLayerCase(l: BenchLayer, io: IoType): ConvCase {
  return {
    name: l.name, op: l.transpose ? 'ConvTranspose2D' : 'Conv2D', size: [l.h, l.w], cin: l.cin, cout: l.cout,
    kernel: [l.k, l.k], stride: [l.s, l.s], padsBegin: [l.pb, l.pb], padsEnd: [l.pe, l.pe], io,
  };
}

export function loadExample(name: string): Model {
  const doc = readProjectDocument(path.join(ROOT, 'projects', `${name}.tessera`));
  return { graph: doc.graph, weights: weightsToEngine(doc.weights) };
}

function row(label: string, model: Model, cfg: HlsConfig): string {
  const r = estimateDesign(model, cfg);
  if (!r.report) return `${label.padEnd(52)} ${r.diagnostics.find((d) => d.severity === 'error')?.message ?? 'no estimate'}`;
  const e = r.report;
  const n = (v: number | null) => String(v ?? '-').padStart(10);
  const ii = e.layers.map((l) => l.ii).reduce((a, b) => Math.max(a, b), 1);
  return `${label.padEnd(52)} ${n(e.latency.worst.cycles)} ${n(e.interval.min)} ${n(e.steadyInterval)} ${String(ii).padStart(5)} ${n(e.resources.DSP.used)} ${n(e.resources.LUT.used)} ${n(e.resources.BRAM_18K.used)}`;
}

const HEAD = `${'case'.padEnd(52)} ${'latency'.padStart(10)} ${'interval'.padStart(10)} ${'steady'.padStart(10)} ${'maxII'.padStart(5)} ${'DSP'.padStart(10)} ${'LUT'.padStart(10)} ${'BRAM_18K'.padStart(10)}`;

function estimates(): void {
  console.log('\nEstimated hardware per BENCHMARKS.md layer (RF 1, Latency, ap_fixed<16,6>, 5 ns; engine/estimate)');
  console.log(HEAD);
  for (const l of BENCH_LAYERS) {
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const c = benchLayerCase(l, io);
      const model = convCaseModel(c, 1);
      console.log(row(`${l.name} ${io}`, model, defaultHlsConfig({ io })));
    }
  }
  console.log('\nEstimated hardware per example project (default settings; RF 1, Latency)');
  console.log(HEAD);
  for (const name of EXAMPLES) {
    const model = loadExample(name);
    for (const io of ['io_parallel', 'io_stream'] as const) console.log(row(`${name} ${io}`, model, defaultHlsConfig({ io })));
  }
  console.log(`\nAs shipped: each example's fitted variant on its target part (scripts/make-examples.ts; fit within ${Math.round(FIT_MARGIN * 100)} % of each resource)`);
  console.log(HEAD);
  for (const name of EXAMPLES) {
    const file = path.join(ROOT, 'projects', `${name}.tessera`);
    const doc = readProjectDocument(file);
    const copy = path.join(mkdtempSync(path.join(tmpdir(), 'tessera-bench-ex-')), `${name}.tessera`);
    copyFileSync(file, copy); // the shipped file is never opened for writing
    const p = ProjectFile.open(copy);
    try {
      const v = p.listVariants().find((x) => x.name === `fit ${doc.settings.part} stream`);
      if (!v) {
        console.log(`${name.padEnd(52)} no fitted variant (regenerate the examples)`);
        continue;
      }
      const spec = variantBuildSpec(doc, { variantName: v.name, variant: v.config as VariantConfig, csim: false }, tmpdir(), { vendor: false });
      console.log(row(`${name} → ${spec.config.part}`, spec.model, spec.config));
    } finally {
      p.close();
      rmSync(path.dirname(copy), { recursive: true, force: true });
    }
  }
}

async function unetCsim(): Promise<void> {
  const templates = readTemplates();
  const model = loadExample('unet-decoder-stage');
  const root = mkdtempSync(path.join(tmpdir(), 'tessera-bench-hw-'));
  console.log('\nU-Net example: codegen + g++ (-O1) + C simulation, 3 images (wall ms, one run each)');
  console.log(`${'io'.padEnd(12)} ${'codegen'.padStart(8)} ${'g++'.padStart(8)} ${'csim'.padStart(8)} ${'total'.padStart(8)}`);
  try {
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const top = `unet_${io === 'io_stream' ? 's' : 'p'}`;
      const cfg = defaultHlsConfig({ io, top, testImages: 3 });
      const t0 = performance.now();
      const g = generateProject({ model, config: cfg, templates });
      const tGen = performance.now() - t0;
      if (!g.files) throw new Error(g.diagnostics.map((d) => d.message).join(' '));
      writeFiles(path.join(root, top), g.files);
      const run = await runProjectCsim(path.join(root, top), top);
      const total = tGen + run.compileMs + run.runMs;
      console.log(`${io.padEnd(12)} ${tGen.toFixed(0).padStart(8)} ${run.compileMs.toFixed(0).padStart(8)} ${run.runMs.toFixed(0).padStart(8)} ${total.toFixed(0).padStart(8)}  ${run.ok ? 'bit-exact' : 'FAILED'}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function staticCheck(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'tessera-bench-check-'));
  try {
    const old = await checkProjects(oldTemplateProjects(path.join(root, 'old-templates')));
    const templates = readTemplates();
    const projects = matrixProjects();
    for (const p of projects) {
      const g = generateProject({ model: p.model, config: p.cfg, templates });
      if (!g.files) throw new Error(`${p.top}: ${g.diagnostics.map((d) => d.message).join(' ')}`);
      writeFiles(path.join(root, p.top), g.files);
    }
    const now = await checkProjects(projects.map((p) => path.join(root, p.top)));
    console.log('\nStatic check of generated code (electron/services/hls-check): findings per rule');
    const fmt = (r: typeof old) => Object.entries(countByRule(r.findings)).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    console.log(`  templates before issue 11 (fixture, 2 projects): ${old.findings.length} (${fmt(old)})`);
    console.log(`  today's templates (matrix, ${projects.length} projects): ${now.findings.length} (${fmt(now)})`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const hardwareBench: BenchSuite = {
  name: 'hardware',
  async run() {
    estimates();
    await unetCsim();
    await staticCheck();
  },
};
