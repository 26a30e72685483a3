// Child process for the crash test: opens a project and saves forever; each save is consistent by
// construction (every tensor value, the node param and the setting hold the same counter). Prints
// "saved N" after each commit. The parent kills it with SIGKILL at a random moment.
import { ProjectFile } from '../project';
import { ProjectSettings } from '../../../../api/contract';

const file = process.argv[2];
const project = ProjectFile.open(file);
const base = project.load();
process.stdout.write('ready\n');
for (let i = 1; ; i++) {
  const n = 3 + (i % 5);
  const nodes = Array.from({ length: n }, (_, k) => ({ id: `n${k}`, type: 'Conv2D', name: `conv${k}`, params: { counter: i, k } }));
  const weights: Record<string, Record<string, { dtype: 'float32'; shape: number[]; layout: string; data: Uint8Array }>> = {};
  for (const node of nodes) {
    const values = new Float32Array(4096 + 17 * i).fill(i);
    weights[node.id] = { weight: { dtype: 'float32', shape: [values.length], layout: 'O', data: new Uint8Array(values.buffer) } };
  }
  project.save({
    ...base,
    graph: { version: 1, nodes, edges: [] },
    weights,
    settings: ProjectSettings.parse({ weightSeed: i }),
  });
  process.stdout.write(`saved ${i}\n`);
}
