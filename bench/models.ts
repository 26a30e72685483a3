// Large models for the preview benchmark and the preview's end-to-end test (not shipped examples): a 4-level
// 2D U-Net on 128×128×3 (32–256 channels, ~52× the DCGAN example's multiply-accumulates) and the 1D U-Net of
// hls4ml issue 860 (1280×1, Conv1D 64→512 stride 2, Conv1DTranspose back, LeakyReLU, BatchNormalization,
// Concatenate skips). Channels last, seeded PyTorch-default weights (scripts/make-examples.ts's initWeights).
//
//   node bin/run-ts.mjs bench/models.ts OUT_DIR     # writes unet2d-128.tessera and unet1d-1280.tessera
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeGraph } from '../engine/graph/analyze';
import type { Graph, GraphEdge, GraphNode } from '../engine/graph/model';
import { seededRandom } from '../engine/tensor/tensor';
import { ProjectSettings } from '../api/contract';
import { ProjectFile, type StoredWeights } from '../electron/services/store';
import { initWeights } from '../scripts/make-examples';

export interface BigModel {
  id: string;
  title: string;
  graph: Graph;
  weights: StoredWeights;
  /** Useful multiply-accumulates of one float run (Conv, ConvTranspose, Dense). */
  macs: number;
}

const NXC = { dataFormat: 'NXC' } as const;

/** A graph written layer by layer; each layer names its inputs (default: the previous layer). */
class Builder {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  private last = '';

  add(name: string, type: string, params: Record<string, unknown>, inputs: string[] = this.last ? [this.last] : []): string {
    this.nodes.push({ id: name, type, name, params, position: { x: 80 + 220 * (this.nodes.length % 4), y: 40 + 110 * Math.floor(this.nodes.length / 4) } });
    inputs.forEach((src, port) => this.edges.push({ id: `e${this.edges.length + 1}`, source: src, sourcePort: 0, target: name, targetPort: port }));
    this.last = name;
    return name;
  }
}

function finish(id: string, title: string, b: Builder, seed: number): BigModel {
  const graph: Graph = { version: 1, nodes: b.nodes, edges: b.edges };
  const analysis = analyzeGraph(graph);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${id}: ${errors.map((d) => d.message).join(' ')}`);
  const rnd = seededRandom(seed);
  const weights: StoredWeights = {};
  let macs = 0;
  for (const n of graph.nodes) {
    const info = analysis.nodes[n.id];
    const slots = info?.weightSlots ?? [];
    if (!slots.length) continue;
    const values = initWeights(n.type, slots, rnd);
    weights[n.id] = {};
    for (const s of slots) weights[n.id][s.name] = { dtype: 'float32', shape: [...s.shape], layout: s.layout, data: new Uint8Array(values[s.name].buffer) };
    const w = slots.find((s) => s.name === 'weight');
    const out = analysis.shapes[n.id];
    if (!w || !out) continue;
    const weightCount = w.shape.reduce((a, c) => a * c, 1);
    if (n.type === 'Dense') macs += weightCount;
    else if (n.type.startsWith('ConvTranspose')) macs += weightCount * (info.inputShapes[0]!.slice(1, -1).reduce((a, c) => a * c, 1));
    else if (n.type.startsWith('Conv')) macs += weightCount * out.slice(1, -1).reduce((a, c) => a * c, 1);
  }
  return { id, title, graph, weights, macs };
}

/** 4-level 2D U-Net, 128×128×3 → 128×128×3: encoder Conv 3×3 (stride 2 down), ConvTranspose 2×2 s2 up, concatenated skips. */
export function unet2d(): BigModel {
  const b = new Builder();
  const conv = (filters: number, stride = 1, kernel = 3) => ({ filters, kernel: [kernel, kernel], stride: [stride, stride], autoPad: 'same_upper', bias: true, ...NXC });
  const block = (name: string, params: Record<string, unknown>, inputs?: string[]) => {
    b.add(name, 'Conv2D', params, inputs);
    b.add(`${name}_bn`, 'BatchNormalization', { epsilon: 1e-3, ...NXC });
    return b.add(`${name}_relu`, 'ReLU', {});
  };
  b.add('image', 'Input', { shape: [1, 128, 128, 3], ...NXC });
  const e1 = block('enc1', conv(32));
  const e2 = block('enc2', conv(64, 2));
  const e3 = block('enc3', conv(128, 2));
  block('enc4', conv(256, 2));
  let x = block('bottleneck', conv(256));
  for (const [name, filters, skip] of [['dec3', 128, e3], ['dec2', 64, e2], ['dec1', 32, e1]] as const) {
    const up = b.add(`${name}_up`, 'ConvTranspose2D', { filters, kernel: [2, 2], stride: [2, 2], autoPad: 'same_upper', bias: true, ...NXC }, [x]);
    const cat = b.add(`${name}_cat`, 'Concatenate', { axis: -1 }, [up, skip]);
    x = block(name, conv(filters), [cat]);
  }
  b.add('out', 'Conv2D', conv(3, 1, 1));
  b.add('out_sigmoid', 'Sigmoid', {});
  return finish('unet2d-128', '2D U-Net, 4 levels, 128×128×3, 32–256 channels', b, 860);
}

/** The 1D U-Net of hls4ml issue 860: Conv1D k4 s2 64→512 down, Conv1DTranspose k4 s2 up, LeakyReLU, BatchNormalization, Concatenate skips. */
export function unet1d(): BigModel {
  const b = new Builder();
  const down = (filters: number) => ({ filters, kernel: [4], stride: [2], autoPad: 'same_upper', bias: true, ...NXC });
  b.add('signal', 'Input', { shape: [1, 1280, 1], ...NXC });
  const skips: string[] = [];
  [64, 128, 256, 512].forEach((filters, i) => {
    b.add(`conv1d_${i + 1}`, 'Conv1D', down(filters));
    if (i > 0) b.add(`bn_${i + 1}`, 'BatchNormalization', { epsilon: 1e-3, ...NXC });
    skips.push(b.add(`lrelu_${i + 1}`, 'LeakyReLU', { alpha: 0.3 }));
  });
  let x = skips.pop()!;
  [256, 128, 64].forEach((filters, i) => {
    b.add(`deconv1d_${i + 1}`, 'ConvTranspose1D', down(filters), [x]);
    b.add(`dbn_${i + 1}`, 'BatchNormalization', { epsilon: 1e-3, ...NXC });
    const act = b.add(`dlrelu_${i + 1}`, 'LeakyReLU', { alpha: 0.3 });
    x = b.add(`concat_${i + 1}`, 'Concatenate', { axis: -1 }, [act, skips.pop()!]);
  });
  b.add('deconv1d_out', 'ConvTranspose1D', { ...down(1) }, [x]);
  b.add('out_tanh', 'Tanh', {});
  return finish('unet1d-1280', '1D U-Net of hls4ml issue 860, 1280×1', b, 861);
}

/** Writes the model as a .tessera project (random preview input on its Input). */
export function writeProject(m: BigModel, file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const input = m.graph.nodes.find((n) => n.type === 'Input')!;
  const p = ProjectFile.create(file, {
    name: m.title,
    meta: { title: m.title },
    doc: {
      graph: m.graph,
      weights: m.weights,
      settings: ProjectSettings.parse({ tensorLayout: 'NHWC', paddingConvention: 'keras', weightSeed: 1 }),
      previewInputs: [{ kind: 'random', nodeId: input.id, seed: 5, low: -1, high: 1 }],
    },
  });
  p.close();
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bin/run-ts.mjs bench/models.ts OUT_DIR');
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const m of [unet2d(), unet1d()]) {
    const file = path.join(dir, `${m.id}.tessera`);
    writeProject(m, file);
    console.log(`${file}: ${m.graph.nodes.length} nodes, ${(m.macs / 1e6).toFixed(0)} M MACs`);
  }
}
