// Per-layer precision in project files (schema v4: nodes.precision). testdata/precision-v3.tessera is a
// schema v3 file written by Tessera at a756c06 (the format before the move), its per-layer precisions in
// settings.ui.layerPrecision: a type with spaces, 'auto', an empty field, an unknown field ("color"), a
// bad type ("ap_fixed<16"), a lookup-table type, and the choices of a node no longer in the graph ("gone").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ProjectFile, readProjectDocument, StoreError } from '.';
import { CURRENT_SCHEMA_VERSION } from './schema';
import { writePartDigests } from './checksums';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { CURRENT_GRAPH_VERSION } from '../../../engine/graph/schema';
import { withProjectPrecisions, defaultVariantConfig } from '../builds/variants';
import { closeTempServices, openTempServices, type TempServices } from '../../api/services.testutil';

const V3 = path.join(__dirname, 'testdata', 'precision-v3.tessera');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-store-prec-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function copyV3(name = 'old.tessera'): string {
  const file = path.join(dir, name);
  fs.copyFileSync(V3, file);
  return file;
}

const MIGRATED = {
  in: { result_t: 'ap_fixed<10,3>' },
  conv: { weight_t: 'ap_fixed<8,2>', accum_t: 'auto' },
  act: { result_t: 'ap_fixed<16' },
  sg: { table_t: 'ap_fixed<14,3>', result_t: 'ap_ufixed<11,1>' },
};

describe('per-layer precision in project files', () => {
  it('a v3 file migrates: each node gets its precision from settings.ui, what cannot move is kept beside, other ui state stays', () => {
    const file = copyV3();
    const p = ProjectFile.open(file);
    try {
      expect(p.meta().schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
      expect(CURRENT_SCHEMA_VERSION).toBe(4);
      const doc = p.load();
      expect(doc.graph.version).toBe(CURRENT_GRAPH_VERSION);
      expect(Object.fromEntries(doc.graph.nodes.map((n) => [n.id, n.precision]))).toEqual(MIGRATED);
      expect(doc.settings.ui).toEqual({ zoom: 1.5, layerPrecisionNotMigrated: { conv: { color: 'red' }, gone: { result_t: 'ap_fixed<9,3>' } } });
      expect(doc.settings.defaultPrecision).toBe('ap_fixed<12,4>');
      // The bad type is kept, and is an error of its node (the status bar counts it; builds refuse it).
      const bad = analyzeGraph(doc.graph).diagnostics.filter((d) => d.severity === 'error');
      expect(bad.map((d) => [d.nodeName, d.field, d.value])).toEqual([['act', 'precision.result_t', 'ap_fixed<16']]);
      // Builds read them from the graph.
      const v = withProjectPrecisions(defaultVariantConfig(), doc.graph, doc.settings);
      expect(v.layers.conv.precision).toEqual({ weight_t: 'ap_fixed<8,2>', accum_t: 'auto' });
      expect(v.layers.sg.precision).toEqual({ table_t: 'ap_fixed<14,3>', result_t: 'ap_ufixed<11,1>' });
      // Saved and loaded again: the same, checksums and all.
      p.save(doc);
    } finally {
      p.close();
    }
    expect(fs.existsSync(`${file}.v3.bak`)).toBe(true);
    const again = ProjectFile.open(file);
    try {
      expect(Object.fromEntries(again.load().graph.nodes.map((n) => [n.id, n.precision]))).toEqual(MIGRATED);
    } finally {
      again.close();
    }
  });

  it('reading a v3 file without opening it gives the migrated document and leaves the file byte for byte', () => {
    const file = copyV3();
    const before = fs.readFileSync(file);
    const doc = readProjectDocument(file);
    expect(Object.fromEntries(doc.graph.nodes.map((n) => [n.id, n.precision]))).toEqual(MIGRATED);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a v3 file whose settings were damaged is not migrated (its checksum would be rewritten): a clear error, the file unchanged', () => {
    const file = copyV3();
    const db = new Database(file);
    db.prepare("UPDATE settings SET value = ? WHERE key = 'ui'").run(JSON.stringify({ layerPrecision: { conv: { weight_t: 'ap_fixed<2,1>' } } }));
    db.close();
    const before = fs.readFileSync(file);
    expect(() => ProjectFile.open(file)).toThrow(/project settings does not match the stored checksums; restore the file from a backup/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a file whose node precision is malformed is refused on open, naming the layer, field, value, rule and fix', () => {
    const file = path.join(dir, 'p.tessera');
    const p = ProjectFile.open(copyV3('src.tessera'));
    p.saveAs(file);
    p.close();
    // Written as another program might (digests recomputed, so only the content is wrong).
    const db = new Database(file);
    db.prepare("UPDATE nodes SET precision = ? WHERE id = 'conv'").run(JSON.stringify({ wieght_t: 'ap_fixed<8,2>' }));
    writePartDigests(db, ['nodes']);
    db.close();
    let err: unknown;
    try {
      ProjectFile.open(file).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/layer "conv": precision\.wieght_t = "ap_fixed<8,2>" breaks the rule the precision fields are weight_t, bias_t, accum_t, result_t, table_t; remove "wieght_t"/);
  });
});

describe('per-layer precision through the API', () => {
  let temp: TempServices;
  beforeEach(() => {
    temp = openTempServices('tessera-api-prec-');
  });
  afterEach(() => closeTempServices(temp));

  it('saved with the graph and loaded back; a malformed one is refused as a bad request naming the layer', async () => {
    const s = temp.services;
    const info = await s.invoke('project.new', { name: 'prec' });
    const graph = {
      version: 1, // an older document version is accepted and migrated
      nodes: [
        { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 4] }, precision: { result_t: 'ap_fixed<7,4>' } },
        { id: 'fc', type: 'Dense', name: 'fc', params: { units: 2 }, precision: { weight_t: 'ap_fixed<5,1>', accum_t: 'auto' } },
      ],
      edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'fc', targetPort: 0 }],
    };
    await s.invoke('graph.save', { projectId: info.projectId, graph, weights: {} });
    const back = await s.invoke('graph.load', { projectId: info.projectId });
    expect(back.graph.version).toBe(CURRENT_GRAPH_VERSION);
    expect(back.graph.nodes.map((n) => n.precision)).toEqual([{ result_t: 'ap_fixed<7,4>' }, { weight_t: 'ap_fixed<5,1>', accum_t: 'auto' }]);

    const bad = structuredClone(graph) as { nodes: { precision?: unknown }[] };
    bad.nodes[1].precision = { weight_t: 'ap_fixed<5,1>; rm -rf ~' };
    await expect(s.invoke('graph.save', { projectId: info.projectId, graph: bad, weights: {} })).rejects.toThrow(
      /layer "fc": precision\.weight_t = "ap_fixed<5,1>; rm -rf ~" breaks the rule a type string holds letters, digits, _ < > , \+ - and spaces only; write a type such as/,
    );
    bad.nodes[1].precision = { table: 'ap_fixed<5,1>' };
    await expect(s.invoke('project.save', { projectId: info.projectId, doc: { graph: bad, weights: {}, settings: {}, previewInputs: [] } })).rejects.toMatchObject({ code: 'bad-request' });
    // Nothing of the refused saves reached the file.
    const kept = await s.invoke('graph.load', { projectId: info.projectId });
    expect(kept.graph.nodes[1].precision).toEqual({ weight_t: 'ap_fixed<5,1>', accum_t: 'auto' });
  });
});
