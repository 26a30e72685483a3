// The project's precisions in builds: its default type (settings.defaultPrecision) and per-layer choices
// (each node's precision in the graph: weight_t, bias_t, accum_t incl. 'auto', result_t, table_t)
// are the base of every built variant's config, resolved exactly as the fixed-point preview resolves
// them (engine/hls/project-precision.ts); the variant's own choices win. Real g++ builds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildQueue, type RunReport } from './queue';
import { createTinyProject, tinyModel } from './testing';
import { checkVariant, defaultVariantConfig, expandSweep, hlsConfigOf, withProjectPrecisions } from './variants';
import { ProjectFile, emptyDocument, weightsFromEngine, weightsToEngine } from '../store';
import { readResults } from '../csim/csim';
import type { Graph, Model } from '../../../engine/graph/model';
import type { PrecisionSpec } from '../../../engine/fixed/precision';
import { resolveGraph } from '../../../engine/hls/resolve';
import { previewHlsConfig } from '../../../engine/hls/project-precision';
import { formatFixedType, parseFixedType, type FixedType } from '../../../engine/fixed/types';
import { inferAccumType } from '../../../engine/fixed/precision';
import { compareFixed } from '../../../renderer/lib/simulate';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-builds-prec-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** tinyModel (x → upconv → relu) with a Sigmoid "sig" after the ReLU (a lookup-table layer). */
function tableModel(seed = 11): Model {
  const m = tinyModel(seed);
  m.graph.nodes.push({ id: 'sg', type: 'Sigmoid', name: 'sig', params: {} });
  m.graph.edges.push({ id: 'e2', source: 'act', sourcePort: 0, target: 'sg', targetPort: 0 });
  return m;
}

function createProject(m: Model, name: string): ProjectFile {
  const doc = emptyDocument();
  doc.graph = m.graph;
  doc.weights = weightsFromEngine(m.weights, (_n, slot) => (slot === 'weight' ? 'IOHW' : 'O'));
  return ProjectFile.create(path.join(dir, `${name}.tessera`), { name, doc });
}

/** The graph with these per-layer choices on its nodes (by node id). */
function withChoices<G extends Graph>(graph: G, byId: Record<string, PrecisionSpec>): G {
  return { ...graph, nodes: graph.nodes.map((n) => (byId[n.id] ? { ...n, precision: byId[n.id] } : n)) };
}

/** A parsed type string (the test fails on a bad one). */
function T(s: string): FixedType {
  const r = parseFixedType(s);
  if (!r.ok) throw new Error(r.message);
  return r.type;
}

/** Every resolved precision field of every node, as type strings (table_t where the layer has one). */
function resolvedTypes(model: Model, cfg: ReturnType<typeof hlsConfigOf>): Record<string, Record<string, string>> {
  const r = resolveGraph(model, cfg, { hardware: true });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Object.fromEntries(
    r.nodes.map((n) => [n.node.name, Object.fromEntries(Object.entries(n.config.precision).filter(([, t]) => t).map(([k, t]) => [k, formatFixedType(t!)]))]),
  );
}

describe('project precisions in builds', () => {
  it('per field: the variant (layer, then design-wide), then the stored layer choice, then the project default; fields the op does not use and unknown ids are ignored', () => {
    const graph = withChoices(tableModel().graph, {
      layer: { weight_t: 'ap_fixed<7,2>', result_t: 'ap_fixed<13,6>', bias_t: 'ap_fixed<11,4>', accum_t: 'auto', table_t: 'ap_fixed<9,1>' },
      act: { result_t: 'ap_fixed<10,4>', accum_t: 'ap_fixed<30,10>' },
      sg: { table_t: ' ap_fixed<14,3> ', weight_t: 'ap_fixed<5,1>' },
    });
    const settings = { defaultPrecision: 'ap_fixed<12,4>' };
    const v = defaultVariantConfig({ scope: 'upconv', defaults: { precision: { bias_t: 'ap_fixed<9,5>' } }, layers: { upconv: { reuseFactor: 2, precision: { weight_t: 'ap_fixed<9,3>' } } } });
    const w = withProjectPrecisions(v, graph, settings);
    expect(w.defaults).toEqual({ precision: { weight_t: 'ap_fixed<12,4>', bias_t: 'ap_fixed<9,5>', accum_t: 'ap_fixed<12,4>', result_t: 'ap_fixed<12,4>' } });
    expect(w.layers).toEqual({
      upconv: { reuseFactor: 2, precision: { result_t: 'ap_fixed<13,6>', accum_t: 'auto', weight_t: 'ap_fixed<9,3>' } },
      relu: { precision: { result_t: 'ap_fixed<10,4>' } },
      sig: { precision: { table_t: 'ap_fixed<14,3>' } },
    });
    expect(v.layers.relu).toBeUndefined(); // the stored variant is not changed
    expect(v.defaults).toEqual({ precision: { bias_t: 'ap_fixed<9,5>' } });

    // Without a project default, the engine's ap_fixed<16,6>; without layer choices, the variant as it is.
    expect(withProjectPrecisions(v, tableModel().graph, { defaultPrecision: '' })).toEqual(v);
    expect(withProjectPrecisions(v, tableModel().graph, undefined)).toEqual(v);
  });

  it('a build of an empty variant resolves every layer exactly as the fixed-point preview does', () => {
    const base = tableModel();
    const model = { ...base, graph: withChoices(base.graph, { in: { result_t: 'ap_fixed<10,3>' }, layer: { accum_t: 'auto', weight_t: 'ap_fixed<8,2>' }, act: { result_t: 'ap_ufixed<9,4>' }, sg: { table_t: 'ap_fixed<14,3>', result_t: 'ap_ufixed<11,1>' } }) };
    const settings = { defaultPrecision: 'ap_fixed<12,4,AP_RND_CONV,AP_SAT>' };
    const build = resolvedTypes(model, hlsConfigOf(withProjectPrecisions(defaultVariantConfig(), model.graph, settings), 2, model));
    const preview = resolvedTypes(model, previewHlsConfig(model.graph, settings));
    expect(build).toEqual(preview);
    const d = 'ap_fixed<12,4,AP_RND_CONV,AP_SAT>';
    expect(build.x.result_t).toBe('ap_fixed<10,3>');
    expect(build.upconv).toMatchObject({ weight_t: 'ap_fixed<8,2>', bias_t: d, result_t: d });
    // 'auto': from the layer's input (x's stored type), its weight type, 3 terms (Cin) and the bias.
    expect(build.upconv.accum_t).toBe(formatFixedType(inferAccumType(T('ap_fixed<10,3>'), T('ap_fixed<8,2>'), 3, T(d))));
    expect(build.relu.result_t).toBe('ap_ufixed<9,4>');
    expect(build.sig).toMatchObject({ result_t: 'ap_ufixed<11,1>', table_t: 'ap_fixed<14,3>' });
  });

  it('a bad project default names defaultPrecision; the sweep and variant checks see the project precisions', () => {
    const model = tableModel();
    const bad = checkVariant(model, defaultVariantConfig(), { defaultPrecision: 'ap_fixed<200,6>' });
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0].message).toMatch(/precision\.\w+_t = "ap_fixed<200,6>".*W ≤ 128/);
    expect(checkVariant(model, defaultVariantConfig())).toEqual([]);
    // A sweep over RF with a stored weight type that does not fit the C++ headers is rejected, naming it.
    const wide = { ...model, graph: withChoices(model.graph, { layer: { weight_t: 'ap_fixed<130,6>' } }) };
    const sweep = expandSweep(wide, { layer: 'upconv', reuseFactors: [1], project: { defaultPrecision: 'ap_fixed<16,6>' } });
    expect(sweep.variants).toEqual([]);
    expect(sweep.rejected[0].diagnostics[0].message).toMatch(/upconv: precision\.weight_t = "ap_fixed<130,6>"/);
  });

  it('a stored layer precision reaches the generated project of a built variant', async () => {
    const p = createTinyProject(dir);
    try {
      const doc = p.load();
      p.saveGraph(withChoices(doc.graph, { layer: { weight_t: 'ap_fixed<7,2>', result_t: 'ap_fixed<13,6>' }, act: { result_t: 'ap_fixed<10,4>' } }), doc.weights);
      p.putVariant({ id: 'v', name: 'upconv wide', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { precision: { result_t: 'ap_fixed<15,7>' } } } }) });
      const q = new BuildQueue({ project: p, concurrency: 1 });
      q.enqueue(['v'], { csim: false });
      await q.idle();
      const run = p.listBuildRuns()[0];
      expect(run.status, run.log).toBe('succeeded');
      expect((run.report as RunReport).estimate).toBeTruthy();
      const out = (run.artifacts as { dir: string }).dir;
      const json = JSON.parse(fs.readFileSync(path.join(out, 'tessera.json'), 'utf8')) as { layers: { name: string; result_t: string }[] };
      const byName = Object.fromEntries(json.layers.map((l) => [l.name, l.result_t]));
      expect(byName.upconv).toMatch(/^ap_fixed<15,7[,>]/); // the variant's own choice wins
      expect(byName.relu).toMatch(/^ap_fixed<10,4[,>]/); // stored
      const wfile = fs.readdirSync(path.join(out, 'firmware/weights')).find((f) => f.startsWith('w'))!;
      expect(fs.readFileSync(path.join(out, 'firmware/weights', wfile), 'utf8').split('\n')[0]).toMatch(/values of ap_fixed<7,2[,>]/); // stored
    } finally {
      p.close();
    }
  });

  it("a real build of a project whose default is ap_fixed<12,4> generates that type, and its csim output bit-matches the preview's fixed run", async () => {
    const base = tableModel(29);
    const model = { ...base, graph: withChoices(base.graph, { layer: { accum_t: 'auto' }, act: { result_t: 'ap_ufixed<10,3>' }, sg: { table_t: 'ap_fixed<14,3>' } }) };
    const p = createProject(model, 'default12');
    try {
      p.setSettings({ ...p.loadSettings(), defaultPrecision: 'ap_fixed<12,4>' });
      p.putVariant({ id: 'v', name: 'design parallel', config: defaultVariantConfig() });
      const q = new BuildQueue({ project: p, concurrency: 1, testImages: 3 });
      q.enqueue(['v']);
      await q.idle();
      const run = p.listBuildRuns()[0];
      const report = run.report as RunReport;
      expect(run.status, run.log).toBe('succeeded');
      expect(report.csim.status, run.log).toBe('bit-exact');
      expect(report.csim.images).toBe(3);
      const out = (run.artifacts as { dir: string }).dir;

      // The generated code carries the project's types.
      const json = JSON.parse(fs.readFileSync(path.join(out, 'tessera.json'), 'utf8')) as {
        inputs: { type: string }[];
        layers: { name: string; result_t: string; precision?: Record<string, string> }[];
      };
      const byName = Object.fromEntries(json.layers.map((l) => [l.name, l]));
      expect(json.inputs[0].type).toBe('ap_fixed<12,4>');
      expect(byName.upconv.precision).toMatchObject({ weight_t: 'ap_fixed<12,4>', bias_t: 'ap_fixed<12,4>', result_t: 'ap_fixed<12,4>' });
      expect(byName.upconv.precision!.accum_t).not.toBe('ap_fixed<12,4>'); // 'auto': inferred, wider
      expect(T(byName.upconv.precision!.accum_t).W).toBeGreaterThan(24);
      expect(byName.relu.result_t).toBe('ap_ufixed<10,3>');
      expect(byName.sig.result_t).toBe('ap_fixed<12,4>');
      const params = fs.readFileSync(path.join(out, 'firmware/parameters.h'), 'utf8');
      expect(params).toContain('typedef ap_fixed<14,3> table_t;');
      expect(params).not.toContain('ap_fixed<16,6>'); // nothing fell back to the engine's built-in default
      const defines = fs.readFileSync(path.join(out, 'firmware/defines.h'), 'utf8');
      expect(defines).toContain('ap_fixed<12,4>');
      expect(defines).not.toContain('ap_fixed<16,6>');

      // The preview's own fixed-point run (renderer/lib/simulate.ts) on the testbench's inputs gives the
      // csim's output bit for bit (x and sig are NXC: firmware order is graph order).
      const inputs = fs.readFileSync(path.join(out, 'tb_data/inputs.dat'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).map(Number));
      expect(inputs.length).toBe(3);
      const given = { in: { shape: [3, 4, 4, 3], data: Float32Array.from(inputs.flat()) } };
      const doc = p.load();
      const weights = weightsToEngine(doc.weights);
      const fixed = compareFixed(doc.graph, weights, given, {}, doc.settings.defaultPrecision);
      expect(fixed).toEqual({}); // no float reference given: nothing compared yet
      const { simulateFloat } = await import('../../../engine/sim/float');
      const float = simulateFloat({ graph: doc.graph, weights }, given, { keep: 'all' }).values;
      const preview = compareFixed(doc.graph, weights, given, float, doc.settings.defaultPrecision);
      expect(preview.sg.type).toBe('ap_fixed<12,4>');
      const csim = readResults(out);
      expect(csim.length).toBe(3);
      const want = Array.from(preview.sg.tensor.data);
      expect(csim.flat().length).toBe(want.length);
      let differ = 0;
      csim.flat().forEach((v, i) => (differ += v === want[i] ? 0 : 1));
      expect(differ).toBe(0);
      // Not a constant output: the comparison can fail.
      expect(new Set(want).size).toBeGreaterThan(10);
      // And the preview run with the engine's default instead differs (the default precision matters).
      const other = compareFixed(doc.graph, weights, given, float, 'ap_fixed<16,6>');
      expect(Array.from(other.sg.tensor.data).some((v, i) => v !== want[i])).toBe(true);
    } finally {
      p.close();
    }
  });

  it('a project default that is not a type fails the build with one message naming defaultPrecision and the fix', async () => {
    const p = createTinyProject(dir, 'baddefault');
    try {
      p.setSettings({ ...p.loadSettings(), defaultPrecision: 'auto' });
      p.putVariant({ id: 'v', name: 'd', config: defaultVariantConfig() });
      const q = new BuildQueue({ project: p, concurrency: 1 });
      q.enqueue(['v'], { csim: false });
      await q.idle();
      const run = p.listBuildRuns()[0];
      expect(run.status).toBe('failed');
      expect((run.report as RunReport).failure).toMatch(/default precision: defaultPrecision = "auto" breaks the rule .*; set it to a type such as ap_fixed<16,6>/);
    } finally {
      p.close();
    }
  });
});
