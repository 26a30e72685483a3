// Generates the example projects shipped in projects/ — the same .tessera format users save — from the
// descriptions below, with seeded weights (PyTorch's default initialisation). Reproducible: the same
// script gives byte-identical files (fixed timestamps, seeded PRNG).
//
//   node bin/run-ts.mjs scripts/make-examples.ts            # writes projects/*.tessera
//   node bin/run-ts.mjs scripts/make-examples.ts --check    # regenerates in a temp folder, compares
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeGraph } from '../engine/graph/analyze';
import type { Graph, GraphEdge, GraphNode } from '../engine/graph/model';
import type { WeightSlot } from '../engine/ops/types';
import { seededRandom, sizeOf, type Shape } from '../engine/tensor/tensor';
import { ProjectSettings, type PreviewInput } from '../api/contract';
import { ProjectFile, weightsToEngine, type StoredWeights } from '../electron/services/store';
import { fitProject, fitVariantConfig, fitVariantName } from '../electron/services/builds/fit';
import type { IoType } from '../engine/hls/config';
import { getOp } from '../engine/ops/registry';
import { estimatedNodeSize, layoutGraph } from '../renderer/lib/layout';

export interface ExampleSpec {
  id: string;
  title: string;
  description: string;
  /** Layers in a chain: [type, params]; the first is the Input. */
  layers: { id: string; type: string; name: string; params: Record<string, unknown> }[];
  seed: number;
  previewInputs: PreviewInput[];
  /** Output shape the graph must infer (checked before writing). */
  expectOutput: number[];
  /** The part the example ships fitted to (its target part) and in which io type; the description names it. */
  fit: { part: string; device: string; io: IoType };
}

const TIMESTAMP = '2026-01-01T00:00:00.000Z';
const VU13P = 'xcvu13p-flga2577-2-e';

const NXC = { dataFormat: 'NXC' } as const;
const ct = (filters: number, kernel: number, stride: number) => ({ filters, kernel: [kernel, kernel], stride: [stride, stride], autoPad: 'same_upper', ...NXC });
const conv = (filters: number, kernel: number, stride: number) => ({ filters, kernel: [kernel, kernel], stride: [stride, stride], autoPad: 'same_upper', ...NXC });

export function exampleSpecs(): ExampleSpec[] {
  return [
    {
      id: 'dcgan-generator',
      title: 'DCGAN generator (100 → 64×64×3)',
      description:
        'A DCGAN generator as in Radford et al. with ngf = 32: a 100-dimensional noise vector, Dense to 4×4×256, then four ConvTranspose2D (4×4, stride 2, same) doubling the size to 64×64 while halving the channels, BatchNormalization + ReLU between, Tanh at the end. Channels last.',
      seed: 100,
      layers: [
        { id: 'z', type: 'Input', name: 'z', params: { shape: [1, 100], ...NXC } },
        { id: 'project', type: 'Dense', name: 'project', params: { units: 4 * 4 * 256, bias: false } },
        { id: 'reshape', type: 'Reshape', name: 'reshape', params: { targetShape: [4, 4, 256] } },
        { id: 'bn0', type: 'BatchNormalization', name: 'bn0', params: { epsilon: 1e-5, ...NXC } },
        { id: 'relu0', type: 'ReLU', name: 'relu0', params: {} },
        { id: 'up1', type: 'ConvTranspose2D', name: 'up1', params: { ...ct(128, 4, 2), bias: false } },
        { id: 'bn1', type: 'BatchNormalization', name: 'bn1', params: { epsilon: 1e-5, ...NXC } },
        { id: 'relu1', type: 'ReLU', name: 'relu1', params: {} },
        { id: 'up2', type: 'ConvTranspose2D', name: 'up2', params: { ...ct(64, 4, 2), bias: false } },
        { id: 'bn2', type: 'BatchNormalization', name: 'bn2', params: { epsilon: 1e-5, ...NXC } },
        { id: 'relu2', type: 'ReLU', name: 'relu2', params: {} },
        { id: 'up3', type: 'ConvTranspose2D', name: 'up3', params: { ...ct(32, 4, 2), bias: false } },
        { id: 'bn3', type: 'BatchNormalization', name: 'bn3', params: { epsilon: 1e-5, ...NXC } },
        { id: 'relu3', type: 'ReLU', name: 'relu3', params: {} },
        { id: 'up4', type: 'ConvTranspose2D', name: 'up4', params: { ...ct(3, 4, 2), bias: true } },
        { id: 'image', type: 'Tanh', name: 'image', params: {} },
      ],
      previewInputs: [{ kind: 'random', nodeId: 'z', seed: 7, low: -1, high: 1 }],
      expectOutput: [1, 64, 64, 3],
      fit: { part: VU13P, device: 'AMD Virtex UltraScale+ VU13P', io: 'io_stream' },
    },
    {
      id: 'unet-decoder-stage',
      title: 'U-Net decoder stage (8×8×256 → 16×16×128)',
      description:
        'One decoder stage of a U-Net: Conv2D 256 filters 3×3 same + ReLU on an 8×8×256 feature map, then Conv2DTranspose 128 filters, 2×2, stride 2, same — the up-convolution that doubles the resolution. Channels last.',
      seed: 200,
      layers: [
        { id: 'features', type: 'Input', name: 'features', params: { shape: [1, 8, 8, 256], ...NXC } },
        { id: 'conv', type: 'Conv2D', name: 'conv', params: { ...conv(256, 3, 1), bias: true } },
        { id: 'relu', type: 'ReLU', name: 'relu', params: {} },
        { id: 'upconv', type: 'ConvTranspose2D', name: 'upconv', params: { ...ct(128, 2, 2), bias: true } },
      ],
      previewInputs: [{ kind: 'random', nodeId: 'features', seed: 11, low: 0, high: 1 }],
      expectOutput: [1, 16, 16, 128],
      fit: { part: VU13P, device: 'AMD Virtex UltraScale+ VU13P', io: 'io_stream' },
    },
    {
      id: 'tiny-autoencoder',
      title: 'Tiny conv autoencoder (16×16×1)',
      description:
        'An hls4ml-sized convolutional autoencoder: two Conv2D 3×3 stride 2 (16×16×1 → 8×8×8 → 4×4×16) and two ConvTranspose2D 3×3 stride 2 back to 16×16×1, ReLU between and Sigmoid at the end. Small enough to fit an FPGA fully parallel.',
      seed: 300,
      layers: [
        { id: 'image', type: 'Input', name: 'image', params: { shape: [1, 16, 16, 1], ...NXC } },
        { id: 'enc1', type: 'Conv2D', name: 'enc1', params: { ...conv(8, 3, 2), bias: true } },
        { id: 'enc1_relu', type: 'ReLU', name: 'enc1_relu', params: {} },
        { id: 'enc2', type: 'Conv2D', name: 'enc2', params: { ...conv(16, 3, 2), bias: true } },
        { id: 'enc2_relu', type: 'ReLU', name: 'enc2_relu', params: {} },
        { id: 'dec1', type: 'ConvTranspose2D', name: 'dec1', params: { ...ct(8, 3, 2), bias: true } },
        { id: 'dec1_relu', type: 'ReLU', name: 'dec1_relu', params: {} },
        { id: 'dec2', type: 'ConvTranspose2D', name: 'dec2', params: { ...ct(1, 3, 2), bias: true } },
        { id: 'reconstruction', type: 'Sigmoid', name: 'reconstruction', params: {} },
      ],
      previewInputs: [{ kind: 'impulse', nodeId: 'image', index: [0, 8, 8, 0], value: 1 }],
      expectOutput: [1, 16, 16, 1],
      fit: { part: 'xczu3eg-sbva484-1-e', device: 'AMD Zynq UltraScale+ ZU3EG (as on the Ultra96-V2)', io: 'io_stream' },
    },
  ];
}

/**
 * PyTorch's default initialisation, bound = 1/√fan_in with fan_in = weight.size(1) · kernel area:
 * Conv (Cout, Cin/g, kh, kw) → Cin/g·kh·kw; ConvTranspose (Cin, Cout/g, kh, kw) → Cout/g·kh·kw (so
 * k = 1/(Cout·kh·kw) for g = 1); Dense (in, units) → in. Biases use the weight's bound.
 * BatchNormalization: gamma 1, beta 0, running mean 0, running variance 1.
 */
export function initWeights(type: string, slots: readonly WeightSlot[], rnd: () => number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  const weight = slots.find((s) => s.name === 'weight');
  let bound = 0;
  if (weight) {
    const fanIn = type === 'Dense' ? weight.shape[0] : sizeOf(weight.shape.slice(1));
    bound = 1 / Math.sqrt(fanIn);
  }
  for (const s of slots) {
    const n = sizeOf(s.shape);
    const data = new Float32Array(n);
    if (type === 'BatchNormalization') data.fill(s.name === 'gamma' || s.name === 'variance' ? 1 : 0);
    else for (let i = 0; i < n; i++) data[i] = (2 * rnd() - 1) * bound;
    out[s.name] = data;
  }
  return out;
}

/** The canvas of the app's default window (1400×850 less the palette, the right column and the bars). */
export const EXAMPLE_VIEWPORT = { width: 880, height: 790 };

export async function buildExample(spec: ExampleSpec): Promise<{ graph: Graph; weights: StoredWeights; output: Shape | null }> {
  const edges: GraphEdge[] = spec.layers.slice(1).map((l, i) => ({ id: `e${i + 1}`, source: spec.layers[i].id, sourcePort: 0, target: l.id, targetPort: 0 }));
  // Laid out as the app's Layout command does (left to right, wrapped into rows to be readable at fit).
  const positions = await layoutGraph(
    spec.layers.map((l) => ({ id: l.id, ...estimatedNodeSize(getOp(l.type)?.label ?? l.type) })),
    edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
    { viewport: EXAMPLE_VIEWPORT },
  );
  const nodes: GraphNode[] = spec.layers.map((l) => ({ ...l, position: positions[l.id] }));
  const graph: Graph = { version: 1, nodes, edges };
  const analysis = analyzeGraph(graph);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`example ${spec.id}: ${errors.map((d) => d.message).join(' ')}`);
  const rnd = seededRandom(spec.seed);
  const weights: StoredWeights = {};
  for (const n of nodes) {
    const slots = analysis.nodes[n.id]?.weightSlots ?? [];
    if (!slots.length) continue;
    const values = initWeights(n.type, slots, rnd);
    weights[n.id] = {};
    for (const s of slots) {
      weights[n.id][s.name] = { dtype: 'float32', shape: [...s.shape], layout: s.layout, data: new Uint8Array(values[s.name].buffer) };
    }
  }
  const last = nodes[nodes.length - 1].id;
  return { graph, weights, output: analysis.shapes[last] ?? null };
}

export async function writeExamples(dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const spec of exampleSpecs()) {
    const { graph, weights, output } = await buildExample(spec);
    if (JSON.stringify(output) !== JSON.stringify(spec.expectOutput)) {
      throw new Error(`example ${spec.id}: output shape ${JSON.stringify(output)}, expected ${JSON.stringify(spec.expectOutput)}`);
    }
    const file = path.join(dir, `${spec.id}.tessera`);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    // Shipped fitted: the fit action's variant and target part (electron/services/builds/fit.ts), by the estimate.
    const settings = ProjectSettings.parse({ tensorLayout: 'NHWC', paddingConvention: 'keras', weightSeed: spec.seed, part: spec.fit.part });
    const fit = fitProject({ graph, weights: weightsToEngine(weights) }, settings, { part: spec.fit.part, io: spec.fit.io });
    if (!fit.fits) throw new Error(`example ${spec.id}: ${fit.error}`);
    const s = fit.summary;
    const fitted = ` Fitted to the ${spec.fit.device}, part ${spec.fit.part} (the project's target part): the variant "${fitVariantName(fit)}" takes ${s.latency_cycles} cycles (estimate) with DSP ${s.resources.dsp.used} of ${s.resources.dsp.available}, LUT ${s.resources.lut.used} of ${s.resources.lut.available}, BRAM_18K ${s.resources.bram_18k.used} of ${s.resources.bram_18k.available}.`;
    const p = ProjectFile.create(file, {
      name: spec.title,
      timestamp: TIMESTAMP,
      meta: { title: spec.title, description: spec.description + fitted },
      doc: { graph, weights, settings, previewInputs: spec.previewInputs },
      variants: [{ id: `v_fit_${spec.fit.io}`, name: fitVariantName(fit), config: fitVariantConfig(fit) }],
    });
    p.close();
    files.push(file);
  }
  return files;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const target = path.join(root, 'projects');
  if (process.argv.includes('--check')) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-examples-'));
    let ok = true;
    for (const f of await writeExamples(tmp)) {
      const shipped = path.join(target, path.basename(f));
      const same = fs.existsSync(shipped) && fs.readFileSync(shipped).equals(fs.readFileSync(f));
      console.log(`${same ? 'same     ' : 'DIFFERENT'} ${path.relative(root, shipped)}`);
      ok &&= same;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exitCode = ok ? 0 : 1;
  } else {
    for (const f of await writeExamples(target)) console.log(`wrote ${path.relative(root, f)} (${(fs.statSync(f).size / 1e6).toFixed(2)} MB)`);
  }
}
