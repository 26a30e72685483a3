// Small projects for the build tests (and the sweep CLI tests): a ConvTranspose stage small enough that
// g++ C simulation takes seconds. Random, non-symmetric weights.
import fs from 'node:fs';
import path from 'node:path';
import { ProjectFile, emptyDocument, weightsFromEngine } from '../store';
import { convCaseModel } from '../../../engine/hls/conv-cases';
import type { Model } from '../../../engine/graph/model';

/** Input x [1,4,4,3] (NXC) → ConvTranspose2D "upconv" (4 filters, 2×2, stride 2) → ReLU "relu". */
export function tinyModel(seed = 3): Model {
  const m = convCaseModel({ name: 'tiny', op: 'ConvTranspose2D', size: [4, 4], cin: 3, cout: 4, kernel: [2, 2], stride: [2, 2], dataFormat: 'NXC', io: 'io_parallel' }, seed);
  const conv = m.graph.nodes.find((n) => n.id === 'layer')!;
  conv.name = 'upconv';
  m.graph.nodes.push({ id: 'act', type: 'ReLU', name: 'relu', params: {} });
  m.graph.edges.push({ id: 'e1', source: 'layer', sourcePort: 0, target: 'act', targetPort: 0 });
  return m;
}

export function createTinyProject(dir: string, name = 'tiny', seed = 3): ProjectFile {
  const m = tinyModel(seed);
  const doc = emptyDocument();
  doc.graph = m.graph;
  doc.weights = weightsFromEngine(m.weights, (_n, slot) => (slot === 'weight' ? 'IOHW' : 'O'));
  return ProjectFile.create(path.join(dir, `${name}.tessera`), { name, doc });
}

/** Processes whose working folder or command line is under `needle` (a build folder). */
export function processesUnder(needle: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cwd.includes(needle) || cmd.includes(needle)) out.push(`${pid} ${cmd}`);
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}
