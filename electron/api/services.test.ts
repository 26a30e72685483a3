import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_GRAPH_VERSION } from '../../engine/graph/schema';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeGraph } from '../../engine/graph/analyze';
import type { Graph } from '../../engine/graph/model';
import { randomTensor } from '../../engine/tensor/tensor';
import { AppServices } from './services';
import { ProjectFile, storedToJson, tensorToStored } from '../services/store';
import { closeTempServices, openTempServices, type TempServices } from './services.testutil';

let temp: TempServices;
let dir: string;
let services: AppServices;
beforeEach(() => {
  temp = openTempServices('tessera-api-', { createExamplesDir: true });
  ({ dir, services } = temp);
});
afterEach(() => closeTempServices(temp));

function smallModel(seed: number): { graph: Graph; weights: Record<string, Record<string, ReturnType<typeof storedToJson>>> } {
  const graph: Graph = {
    version: CURRENT_GRAPH_VERSION,
    nodes: [
      { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 3, 8, 8], dataFormat: 'NCX' } },
      { id: 'up', type: 'ConvTranspose2D', name: 'up', params: { filters: 4, kernel: [2, 2], stride: [2, 2] } },
      { id: 'act', type: 'Tanh', name: 'act', params: {} },
    ],
    edges: [
      { id: 'e1', source: 'in', sourcePort: 0, target: 'up', targetPort: 0 },
      { id: 'e2', source: 'up', sourcePort: 0, target: 'act', targetPort: 0 },
    ],
  };
  const a = analyzeGraph(graph);
  expect(a.hasErrors).toBe(false);
  const weights: Record<string, Record<string, ReturnType<typeof storedToJson>>> = {};
  for (const [id, n] of Object.entries(a.nodes)) {
    for (const [i, s] of n.weightSlots.entries()) {
      (weights[id] ??= {})[s.name] = storedToJson(tensorToStored(randomTensor(s.shape, seed + i), s.layout));
    }
  }
  return { graph, weights };
}

describe('API services', () => {
  it('exports and re-imports ONNX through the API with the same weights', async () => {
    const m = smallModel(11);
    const exported = await services.invoke('onnx.export', { graph: m.graph, weights: m.weights, fileName: 'net.onnx' });
    expect(exported.fileName).toBe('net.onnx');
    const imported = await services.invoke('onnx.import', { fileName: 'net.onnx', bytesBase64: exported.bytesBase64 });
    const ct = imported.graph.nodes.find((n) => n.type === 'ConvTranspose2D');
    expect(ct).toBeDefined();
    expect(imported.graph.nodes.map((n) => n.type)).toEqual(expect.arrayContaining(['Input', 'ConvTranspose2D', 'Tanh']));
    const w = imported.weights[ct!.id].weight;
    expect(w.shape).toEqual(m.weights.up.weight.shape);
    expect(w.dataBase64).toBe(m.weights.up.weight.dataBase64);
    expect(w.layout).toBe(m.weights.up.weight.layout);

    const bad = await services.call('onnx.import', { fileName: 'x.onnx', bytesBase64: Buffer.from('not a model at all').toString('base64') });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid');
      expect(bad.error.message).toMatch(/not an ONNX model/);
    }
  });

  it('every shipped example exports to ONNX and imports back through the API', async () => {
    const shipped = path.resolve(__dirname, '../../projects');
    const real = new AppServices({ mode: 'serve', dirs: services.options.dirs, examplesDir: shipped, version: '0' });
    try {
      const list = await real.invoke('examples.list', {});
      expect(list.items.map((e) => e.id).sort()).toEqual(['dcgan-generator', 'tiny-autoencoder', 'unet-decoder-stage']);
      for (const ex of list.items) {
        const info = await real.invoke('examples.open', { id: ex.id });
        const doc = await real.invoke('project.load', { projectId: info.projectId });
        const onnx = await real.invoke('onnx.export', { graph: doc.graph, weights: doc.weights, fileName: ex.id });
        const back = await real.invoke('onnx.import', { fileName: onnx.fileName, bytesBase64: onnx.bytesBase64 });
        const convTypes = (g: typeof doc.graph) => g.nodes.map((n) => n.type).filter((t) => t.startsWith('Conv')).sort();
        expect(convTypes(back.graph), ex.id).toEqual(convTypes(doc.graph));
        await real.invoke('project.close', { projectId: info.projectId });
      }
    } finally {
      real.dispose();
    }
  });

  it('lists and opens examples as copies, leaving the shipped file unchanged', async () => {
    const shipped = path.join(dir, 'examples', 'tiny.tessera');
    const p = ProjectFile.create(shipped, { name: 'Tiny' });
    p.setMeta('title', 'Tiny example');
    p.setMeta('description', 'A small one');
    p.close();
    fs.writeFileSync(path.join(dir, 'examples', 'broken.tessera'), 'garbage');
    const before = fs.readFileSync(shipped);
    const list = await services.invoke('examples.list', {});
    expect(list.items).toEqual([{ id: 'tiny', title: 'Tiny example', description: 'A small one' }]);
    const a = await services.invoke('examples.open', { id: 'tiny' });
    const b = await services.invoke('examples.open', { id: 'tiny' });
    // Opened read-only: private copies, nothing in the projects folder or the recent list (every click on an
    // example card used to leave "tiny 2.tessera", "tiny 3.tessera", …).
    for (const x of [a, b]) {
      expect(x.readOnly).toBe(true);
      expect(x.example).toBe('tiny');
      expect(path.basename(x.path)).toBe('tiny.tessera');
      expect(x.path.startsWith(os.tmpdir())).toBe(true);
      expect(fs.existsSync(x.path)).toBe(true);
    }
    expect(a.path).not.toBe(b.path);
    expect(fs.readdirSync(path.join(dir, 'projects'))).toEqual([]);
    expect((await services.invoke('project.recent', {})).items).toEqual([]);
    // Closed: the copy is gone.
    await services.invoke('project.close', { projectId: b.projectId });
    expect(fs.existsSync(path.dirname(b.path))).toBe(false);
    // Saved under a name: one named project of the user's, no longer read-only; the private copy stays while the
    // project is open (builds started from the example run in a folder inside it) and goes when it closes.
    const doc = await services.invoke('project.load', { projectId: a.projectId });
    const saved = await services.invoke('project.saveAs', { projectId: a.projectId, path: 'my tiny', doc });
    expect(saved.readOnly).toBeUndefined();
    expect(saved.example).toBe('tiny');
    expect(saved.path).toBe(path.join(dir, 'projects', 'my tiny.tessera'));
    expect(fs.existsSync(path.dirname(a.path))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'projects')).filter((f) => f.endsWith('.tessera'))).toEqual(['my tiny.tessera']);
    expect((await services.invoke('project.recent', {})).items.map((r) => r.path)).toEqual([saved.path]);
    expect(fs.readFileSync(shipped).equals(before)).toBe(true);
    await services.invoke('project.close', { projectId: a.projectId });
    expect(fs.existsSync(path.dirname(a.path))).toBe(false);
    await expect(services.invoke('examples.open', { id: 'nope' })).rejects.toThrow(/no example "nope"/);
  });

  it('graph.save drops weights of nodes not in the graph; saveAs moves the project; dialogs are unsupported in serve mode', async () => {
    const info = await services.invoke('project.new', { name: 'g' });
    const m = smallModel(3);
    await services.invoke('graph.save', { projectId: info.projectId, graph: m.graph, weights: { ...m.weights, ghost: m.weights.up } });
    const back = await services.invoke('graph.load', { projectId: info.projectId });
    expect(Object.keys(back.weights).sort()).toEqual(Object.keys(m.weights).sort());
    const moved = await services.invoke('project.saveAs', { projectId: info.projectId, path: path.join(dir, 'moved.tessera') });
    expect(moved.path).toBe(path.join(dir, 'moved.tessera'));
    expect((await services.invoke('graph.load', { projectId: info.projectId })).graph).toEqual(m.graph);
    const named = await services.invoke('project.saveAs', { projectId: info.projectId, path: 'renamed' });
    expect(named.path).toBe(path.join(dir, 'projects', 'renamed.tessera'));
    const other = await services.invoke('project.new', { name: 'other' });
    await expect(services.invoke('project.saveAs', { projectId: info.projectId, path: other.path, overwrite: true })).rejects.toThrow(/already open in this Tessera/);
    await expect(services.invoke('project.saveAs', { projectId: info.projectId, path: other.path })).rejects.toThrow(/already open|already exists/);
    const d = await services.call('dialog.openProject', {});
    expect(d.ok ? null : d.error.code).toBe('unsupported');
    await services.invoke('preview.setInputs', { projectId: info.projectId, inputs: [{ kind: 'random', nodeId: 'in', seed: 9 }] });
    expect((await services.invoke('preview.getInputs', { projectId: info.projectId })).inputs).toEqual([{ kind: 'random', nodeId: 'in', seed: 9, low: -1, high: 1 }]);
  });
});
