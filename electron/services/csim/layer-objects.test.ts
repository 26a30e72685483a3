// Layer objects: the layers with multipliers compiled on their own (generate.ts layerUnit) give the same
// program as the one top unit, bit-exact with the engine, in both io types; the top object really leaves
// their instances to the units; 'auto' compiles one top unit on a cold cache and the layer units once the
// cache holds all but one of them (warmLayerObjects fills it), so a variant that changes one layer compiles
// that layer's unit, the top unit and that layer's packed weights only.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type HlsConfig, type IoType } from '../../../engine/hls/config';
import { CSIM_ARRAYS_SOURCE, generateProject, layerObjectUnits, packedValueUnits, type FileMap } from '../../../engine/hls/generate';
import { randomTensor } from '../../../engine/tensor/tensor';
import { compileCsim, CSIM_EXE, projectLayerObjects, projectSources, readTemplates, runCsimProgram, warmLayerObjects, writeFiles, type CompileOptions } from './csim';
import { convParams, graphModel, unetStageModel } from './graph.testutil';

let seed = 40;
const rnd = (shape: number[]) => randomTensor(shape, seed++, -0.6, 0.6);

/** NCX 1D: Input 2×12 → Conv1D k3 → ReLU → Flatten → Dense 4 (a Dense and a 1D Conv unit). */
function convDense1d(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 2, 12], dataFormat: 'NCX' }, []],
      ['conv', 'Conv1D', { ...convParams(3, 3, 1, 0), kernel: [3], stride: [1], dilation: [1], padsBegin: [0], padsEnd: [0] }, ['x']],
      ['relu', 'ReLU', {}, ['conv']],
      ['flat', 'Flatten', { axis: 1 }, ['relu']],
      ['fc', 'Dense', { units: 4, bias: true }, ['flat']],
    ],
    { conv: { weight: rnd([3, 2, 3]), bias: rnd([3]) }, fc: { weight: rnd([30, 4]), bias: rnd([4]) } },
  );
}

function generated(model: Model, cfg: HlsConfig): FileMap {
  const g = generateProject({ model, config: cfg, templates: readTemplates() });
  expect(g.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return g.files!;
}

/** Compiles a generated project as a build does (its packed weights' parts, its layer units) and runs it. */
async function compileAndRun(dir: string, top: string, files: FileMap, opts: CompileOptions): Promise<string> {
  const c = await compileCsim(dir, projectSources(top, packedValueUnits(Object.keys(files))), CSIM_EXE, { ...opts, layers: projectLayerObjects(top, layerObjectUnits(Object.keys(files))) });
  expect(c.ok, c.log).toBe(true);
  const r = await runCsimProgram(dir, CSIM_EXE, ['.']);
  expect(r.log).toMatch(new RegExp(`${top}: 3 images, 0 mismatches`));
  expect(r.ok, r.log).toBe(true);
  return c.log;
}

/** The symbols of an object: those it defines (code T, W; data B, D) and those it needs (U). */
function symbols(obj: string): { defined: string[]; undefined: string[] } {
  const nm = spawnSync('nm', ['-C', obj], { encoding: 'utf8' });
  expect(nm.status, nm.stderr).toBe(0);
  const lines = nm.stdout.split('\n');
  const pick = (kinds: RegExp) => lines.filter((l) => kinds.test(l)).map((l) => l.replace(/^[0-9a-f ]{16,17}[A-Za-z] /, ''));
  return { defined: pick(/^[0-9a-f]{16} [TWBD] /), undefined: pick(/^\s+U /) };
}

describe('layer objects (C simulation)', () => {
  const projects: { top: string; model: () => Model; io: IoType; layers: HlsConfig['layers'] }[] = [
    { top: 'lo_unet_par', model: () => unetStageModel(rnd), io: 'io_parallel', layers: { c2: { reuseFactor: 4 } } },
    { top: 'lo_unet_str', model: () => unetStageModel(rnd), io: 'io_stream', layers: { up: { strategy: 'resource', reuseFactor: 2 } } },
    { top: 'lo_dense_par', model: convDense1d, io: 'io_parallel', layers: { fc: { strategy: 'resource', reuseFactor: 5 } } },
    { top: 'lo_dense_str', model: convDense1d, io: 'io_stream', layers: {} },
  ];

  it.each(projects)('$top: its layer units give the same bit-exact program; the top object only calls their instances', async (p) => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-layer-objects-'));
    try {
      const files = generated(p.model(), defaultHlsConfig({ io: p.io, top: p.top, testImages: 3, seed: 5, layers: p.layers }));
      const units = layerObjectUnits(Object.keys(files));
      expect(units.length).toBeGreaterThanOrEqual(2);
      writeFiles(root, files);
      const log = await compileAndRun(root, p.top, files, { cache: null, layerObjects: 'always' });
      expect(log).toMatch(new RegExp(`layer objects: 0 of ${units.length} from the cache`));
      const top = symbols(join(root, 'csim', 'obj', `firmware_${p.top}.cpp.o`));
      for (const unit of units.filter((u) => u !== CSIM_ARRAYS_SOURCE)) {
        const obj = join(root, 'csim', 'obj', `${unit.replace(/\//g, '_')}.o`);
        const own = symbols(obj).defined.filter((s) => /config_layer\d+_/.test(s) && s.startsWith('void nnet::'));
        expect(own.length, `${unit} defines its layer's instance`).toBeGreaterThan(0);
        // the top unit needs it and does not define it
        expect(top.undefined).toContain(own.find((s) => top.undefined.includes(s)) ?? own[0]);
        for (const s of own) expect(top.defined).not.toContain(s);
      }
      // the weight arrays too: defined by their unit, only referenced by the top unit
      const arrays = symbols(join(root, 'csim', 'obj', `${CSIM_ARRAYS_SOURCE.replace(/\//g, '_')}.o`)).defined.filter((s) => s.startsWith(`${p.top}_ns::`) && !s.includes('_filled'));
      expect(arrays.length).toBeGreaterThanOrEqual(units.length - 1); // at least one array per layer unit
      for (const s of arrays) {
        expect(top.defined).not.toContain(s);
        expect(top.undefined).toContain(s);
      }
      // the same project as one top unit (no define): the same program output
      rmSync(join(root, 'tb_data', 'csim_results.dat'));
      const whole = await compileAndRun(root, p.top, files, { cache: null, layerObjects: 'never' });
      expect(whole).not.toMatch(/layer objects/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("auto: a cold cache compiles one top unit; once warmed, a variant that changes one layer's reuse factor compiles that layer, the top unit and its weights only", async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-layer-objects-auto-'));
    try {
      const cache = join(root, 'cache');
      const pchDir = join(root, 'pch');
      const model = unetStageModel(rnd);
      const cfg = (rf: number) => defaultHlsConfig({ io: 'io_parallel', top: 'lo_auto', testImages: 3, seed: 5, layers: { c2: { reuseFactor: rf } } });
      const first = generated(model, cfg(1));
      const a = join(root, 'a');
      writeFiles(a, first);
      const cold = await compileAndRun(a, 'lo_auto', first, { cache, pchDir });
      expect(cold).not.toMatch(/layer objects/); // cold: one top unit
      expect(existsSync(join(a, 'csim', 'obj', 'firmware_layers_layer1_c1.cpp.o'))).toBe(false);
      const units = layerObjectUnits(Object.keys(first));
      expect(units).toHaveLength(5); // c1, c2, up, c3 and the weight arrays
      const layers = projectLayerObjects('lo_auto', units);
      expect(await warmLayerObjects(a, CSIM_EXE, layers, { cache, pchDir })).toBe(5);
      expect(await warmLayerObjects(a, CSIM_EXE, layers, { cache, pchDir })).toBe(0); // all there

      // c2's reuse factor changes: its config, so its unit and the top unit (parameters.h); and its weights' order
      const second = generated(model, cfg(4));
      const changed = Object.keys(second).filter((f) => second[f] !== first[f]);
      expect(changed.filter((f) => f.endsWith('.cpp')).sort()).toEqual(['firmware/layers/layer4_c2.cpp', 'firmware/weights/values/layer4_c2.cpp'].sort());
      const b = join(root, 'b');
      writeFiles(b, second);
      const log = await compileAndRun(b, 'lo_auto', second, { cache, pchDir });
      expect(log).toMatch(/layer objects: 4 of 5 from the cache/);
      const reused = [...log.matchAll(/^(\S+): object reused from the cache/gm)].map((m) => m[1]).sort();
      expect(reused).toEqual([...units.filter((u) => u !== 'firmware/layers/layer4_c2.cpp'), ...packedValueUnits(Object.keys(second)).filter((v) => v !== 'firmware/weights/values/layer4_c2.cpp'), 'tb/lo_auto_test.cpp'].sort());

      // a layer unit that does not compile does not fail a design one top unit compiles
      const broken = join(root, 'broken');
      writeFiles(broken, second);
      appendFileSync(join(broken, 'firmware/layers/layer4_c2.cpp'), '\n#error a unit that does not compile\n');
      const fallback = await compileAndRun(broken, 'lo_auto', second, { cache, pchDir });
      expect(fallback).toMatch(/layer objects failed to compile; compiled as one top unit/);
      expect(fallback).toMatch(/a unit that does not compile/);

      // two layers changed: more than one unit to compile, so one top unit again
      const third = generated(model, defaultHlsConfig({ io: 'io_parallel', top: 'lo_auto', testImages: 3, seed: 5, layers: { c2: { reuseFactor: 2 }, c3: { reuseFactor: 2 } } }));
      const c = join(root, 'c');
      writeFiles(c, third);
      expect(await compileAndRun(c, 'lo_auto', third, { cache, pchDir })).not.toMatch(/layer objects/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
