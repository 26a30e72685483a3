// Bit-accurate fixed point vs float (BENCHMARKS.md "other figures"):
// 1. per layer (the BENCHMARKS.md Conv/ConvTranspose layers, NCX, batch 1): the engine's float kernels (fast
//    dispatch = WebAssembly where it accepts the case, and plain JS) vs the fixed-point kernel with the default
//    types (ap_fixed<16,6> everywhere: modular accumulator, int32 path) and with accum_t "auto" (wide
//    accumulator, no overflow) — the "× vs" column is the speed relative to the float fast kernel
//    (target ≥ 0.25);
// 2. whole-graph preview latency of the shipped U-Net decoder stage and DCGAN generator, simulateFloat vs
//    simulateFixed (default types), as the preview runs them (target: U-Net fixed < 100 ms).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, type BenchOptions, type BenchRow, type BenchSuite, type Contender } from './harness';
import { fastConv, fastConvTranspose, jsConv, jsConvTranspose } from '../engine/ops/conv/kernels';
import { BENCH_LAYERS, benchLayerShape, type BenchLayer } from './layers';
import { convCaseModel, type ConvCase } from '../engine/hls/conv-cases';
import { defaultHlsConfig, type HlsConfig } from '../engine/hls/config';
import { resolveGraph } from '../engine/hls/resolve';
import { quantizeTensor } from '../engine/fixed/tensor';
import { simulateFixed } from '../engine/hls/simulate';
import { simulateFloat } from '../engine/sim/float';
import { randomTensor, type Tensor } from '../engine/tensor/tensor';
import type { Model } from '../engine/graph/model';
import { readProjectDocument, weightsToEngine } from '../electron/services/store';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One layer's fixed kernel call, prepared as simulateFixed runs it (types resolved, input quantized once). */
function fixedRunner(model: Model, x: Tensor, cfg: HlsConfig): () => unknown {
  const r = resolveGraph(model, cfg, { batch: 1 });
  if (r.hasErrors) throw new Error(r.diagnostics.map((d) => d.message).join(' '));
  const [input, layer] = r.nodes;
  const xq = quantizeTensor(x, input.outputType);
  const op = r.analysis.nodes[layer.id].op!;
  const weights = model.weights.layer;
  return () => op.fixed!({ params: layer.params, inputs: [xq], weights, precision: layer.config.precision, config: layer.config, outputShape: layer.outputShape });
}

async function layerRows(l: BenchLayer, opts: BenchOptions): Promise<BenchRow[]> {
  const c: ConvCase = {
    name: l.name, op: l.transpose ? 'ConvTranspose2D' : 'Conv2D', size: [l.h, l.w], cin: l.cin, cout: l.cout,
    kernel: [l.k, l.k], stride: [l.s, l.s], padsBegin: [l.pb, l.pb], padsEnd: [l.pe, l.pe], bias: false, io: 'io_parallel',
  };
  const model = convCaseModel(c, 5);
  const x = randomTensor([1, l.cin, l.h, l.w], 1, -1, 1);
  const w = model.weights.layer.weight;
  const { g, macs } = benchLayerShape(l);
  const fixedDefault = fixedRunner(model, x, defaultHlsConfig());
  const fixedAuto = fixedRunner(model, x, defaultHlsConfig({ defaults: { precision: { accum_t: 'auto' } } }));
  const contenders: Contender[] = [
    { name: 'float fast (wasm→JS)', run: () => (l.transpose ? fastConvTranspose(x, w, null, g) : fastConv(x, w, null, g)) },
    { name: 'float JS', run: () => (l.transpose ? jsConvTranspose(x, w, null, g) : jsConv(x, w, null, g)) },
    { name: 'fixed <16,6> (wrap acc)', run: fixedDefault },
    { name: 'fixed accum auto', run: fixedAuto },
  ];
  return measure({ name: l.name, macs, contenders }, { budgetMs: 8000, ...opts });
}

function loadExample(name: string): { model: Model; inputs: Record<string, Tensor> } {
  const doc = readProjectDocument(path.join(ROOT, 'projects', `${name}.tessera`));
  const model: Model = { graph: doc.graph, weights: weightsToEngine(doc.weights) };
  const inputs: Record<string, Tensor> = {};
  for (const n of doc.graph.nodes) {
    if (n.type !== 'Input') continue;
    const shape = (n.params as { shape: number[] }).shape;
    inputs[n.name] = randomTensor(shape, 11, -1, 1);
  }
  return { model, inputs };
}

async function graphRows(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cfg = defaultHlsConfig();
  for (const [name, label] of [['unet-decoder-stage', 'U-Net stage (projects/)'], ['dcgan-generator', 'DCGAN generator (projects/)']]) {
    const { model, inputs } = loadExample(name);
    rows.push(...(await measure({
      name: label,
      macs: 0,
      contenders: [
        { name: 'float preview (simulateFloat)', run: () => simulateFloat(model, inputs) },
        { name: 'fixed preview (simulateFixed)', run: () => simulateFixed(model, inputs, cfg) },
      ],
    }, { budgetMs: 15000, ...opts })));
  }
  return rows;
}

export const fixedBench: BenchSuite = {
  name: 'fixed',
  async run(opts) {
    const rows: BenchRow[] = [];
    for (const l of BENCH_LAYERS) rows.push(...(await layerRows(l, opts)));
    printTable('Fixed point (bit-accurate, default ap_fixed<16,6>) vs float kernels, batch 1, one thread — × vs float fast (target ≥ 0.25)', rows);
    printTable('Whole-graph preview latency, float vs fixed (default types) — target: U-Net fixed < 100 ms', await graphRows(opts));
  },
};
