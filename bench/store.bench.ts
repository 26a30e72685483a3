// Project store and live preview (issue 5 figures):
// 1. open (ProjectFile.open: checks, lock, schema, whole document with weights) and save of a project with
//    ≈ 10 MB of float32 weights — save with one tensor changed (what an edit writes) and save as (whole file);
//    target: open < 300 ms;
// 2. float preview of the DCGAN generator after an edit, as the renderer's worker runs it (renderer/lib/simulate:
//    analysis, weights check, seeded inputs, simulateFloat keeping every node's output); each run edits one
//    BatchNormalization epsilon so nothing is cached; target < 50 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, type BenchRow, type BenchSuite } from './harness';
import { analyzeGraph } from '../engine/graph/analyze';
import type { Graph, WeightMap } from '../engine/graph/model';
import { CURRENT_GRAPH_VERSION } from '../engine/graph/schema';
import { getOp } from '../engine/ops/registry';
import { randomTensor, type Shape } from '../engine/tensor/tensor';
import { ProjectFile, emptyDocument, readProjectDocument, weightsFromEngine, weightsToEngine, type StoredDocument } from '../electron/services/store';
import { simulate, type InputSpec } from '../renderer/lib/simulate';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Input 8×8×256 → 4 × Conv2D 256 3×3 same → ConvTranspose2D 128 2×2 s2: 2.49 M float32 weights ≈ 10 MB. */
function tenMegabyteDoc(): StoredDocument {
  const nodes: Graph['nodes'] = [{ id: 'in', type: 'Input', name: 'features', params: { shape: [1, 8, 8, 256], dataFormat: 'NXC' } }];
  const edges: Graph['edges'] = [];
  const conv = { filters: 256, kernel: [3, 3], stride: [1, 1], autoPad: 'same_upper', dataFormat: 'NXC', bias: true };
  for (let i = 0; i < 4; i++) nodes.push({ id: `c${i}`, type: 'Conv2D', name: `conv${i}`, params: { ...conv } });
  nodes.push({ id: 'up', type: 'ConvTranspose2D', name: 'up', params: { filters: 128, kernel: [2, 2], stride: [2, 2], autoPad: 'same_upper', dataFormat: 'NXC', bias: true } });
  for (let i = 1; i < nodes.length; i++) edges.push({ id: `e${i}`, source: nodes[i - 1].id, sourcePort: 0, target: nodes[i].id, targetPort: 0 });
  const graph: Graph = { version: CURRENT_GRAPH_VERSION, nodes, edges };
  const a = analyzeGraph(graph);
  const weights: WeightMap = {};
  const layouts: Record<string, string> = {};
  for (const n of nodes.slice(1)) {
    const info = a.nodes[n.id];
    const slots = getOp(n.type)!.weights(info.params!, info.inputShapes as Shape[]);
    weights[n.id] = {};
    for (const [k, s] of slots.entries()) {
      weights[n.id][s.name] = randomTensor(s.shape, 1000 + nodes.indexOf(n) * 10 + k, -0.05, 0.05);
      layouts[`${n.id}/${s.name}`] = s.layout;
    }
  }
  return { ...emptyDocument(), graph, weights: weightsFromEngine(weights, (id, slot) => layouts[`${id}/${slot}`]) };
}

function weightBytes(doc: StoredDocument): number {
  let b = 0;
  for (const slots of Object.values(doc.weights)) for (const t of Object.values(slots)) b += t.data.byteLength;
  return b;
}

async function storeRows(runs: number): Promise<{ rows: BenchRow[]; mb: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-store-'));
  try {
    const file = path.join(dir, 'ten-mb.tessera');
    const doc = tenMegabyteDoc();
    ProjectFile.create(file, { doc }).close();
    const mb = weightBytes(doc) / 1e6;
    const rows: BenchRow[] = [];
    rows.push(...(await measure({
      name: `open ${mb.toFixed(1)} MB of weights`,
      macs: 0,
      contenders: [{ name: 'ProjectFile.open (+ document) + close', run: () => ProjectFile.open(file).close() }],
    }, { runs })));
    // Saves: the project stays open (as in the app); each save changes one conv's weights.
    const p = ProjectFile.open(file);
    const asFile = path.join(dir, 'copy.tessera');
    let k = 0;
    try {
      rows.push(...(await measure({
        name: 'save (one 2.4 MB tensor changed)',
        macs: 0,
        contenders: [{
          name: 'ProjectFile.save (one transaction)',
          run: () => {
            const t = doc.weights.c1.weight;
            new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)[k++ % 1000] += 1e-3;
            p.save(doc);
          },
        }],
      }, { runs })));
      rows.push(...(await measure({
        name: `save as (whole file, ${mb.toFixed(1)} MB)`,
        macs: 0,
        contenders: [{ name: 'ProjectFile.saveAs', run: () => p.saveAs(asFile, doc, true) }],
      }, { runs })));
    } finally {
      p.close();
    }
    return { rows, mb };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function previewRows(runs: number): Promise<BenchRow[]> {
  const doc = readProjectDocument(path.join(ROOT, 'projects', 'dcgan-generator.tessera'));
  const weights = weightsToEngine(doc.weights);
  const inputs = doc.previewInputs.filter((s) => s.kind !== 'image') as InputSpec[];
  let i = 0;
  const edited = (): Graph => {
    // One user edit: a BatchNormalization epsilon (shapes unchanged, every downstream value recomputed).
    const g = structuredClone(doc.graph);
    const bn = g.nodes.find((n) => n.id === 'bn2')!;
    bn.params = { ...bn.params, epsilon: 1e-5 * (1 + (i++ % 7)) };
    return g;
  };
  return measure({
    name: 'DCGAN generator float preview after an edit',
    macs: 0,
    contenders: [{
      name: 'renderer simulate (analysis + simulateFloat)',
      run: () => {
        const r = simulate(edited(), weights, inputs, 1);
        if (!r || r.filledWeights.length || Object.keys(r.errors).length || r.outputs.image?.data.length !== 64 * 64 * 3) throw new Error('the preview did not run the whole graph on the stored weights');
      },
    }],
  }, { runs, budgetMs: 15000 });
}

export const storeBench: BenchSuite = {
  name: 'store',
  async run(opts) {
    const runs = opts.runs ?? 20;
    const { rows } = await storeRows(runs);
    printTable('Project store (better-sqlite3, WAL) — target: open < 300 ms', rows);
    printTable('Live preview after an edit — target: DCGAN float < 50 ms', await previewRows(runs));
  },
};
