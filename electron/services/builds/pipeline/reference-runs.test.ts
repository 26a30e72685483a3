// The reference runs a build does (fixed-point test vectors, float run for the error) kept by content:
// - variants that differ in reuse factor or strategy only take the first variant's runs (hits), and their test
//   vectors and error are those of a build without the memo;
// - a precision change misses the fixed-point run (other expected values) and hits the float run, which does not
//   depend on it; a weight change, other test inputs or another number of test images miss both;
// - what a caller does with the values it got does not reach a later build;
// - the memo keeps at most its bytes and entries, least recently used out first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildSpec } from '../../../../api/build-spec';
import type { Model } from '../../../../engine/graph/model';
import { generateProject } from '../../../../engine/hls/generate';
import { simulateFloat } from '../../../../engine/sim/float';
import { tensor } from '../../../../engine/tensor/tensor';
import { readTemplates } from '../../csim/csim';
import { tinyModel } from '../testing';
import { defaultVariantConfig, hlsConfigOf, type VariantConfig } from '../variants';
import { codegen, errorVsFloat } from './steps';
import { ContentMemo, fixedRuns, floatRuns } from './reference-runs';

let dir: string;
let templates: Record<string, string>;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-reference-runs-'));
  templates = readTemplates();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function spec(layers: VariantConfig['layers'], over: { model?: Model; testImages?: number; inputs?: BuildSpec['inputs'] } = {}): Pick<BuildSpec, 'dir' | 'model' | 'config' | 'inputs'> {
  const model = over.model ?? tinyModel();
  return { dir: path.join(dir, `b${n++}`), model, config: hlsConfigOf(defaultVariantConfig({ layers }), over.testImages ?? 2, model), inputs: over.inputs ?? null };
}

/** Builds' codegen and error vs float, with the memos' hit and miss counts it caused. */
function build(s: ReturnType<typeof spec>) {
  const before = { fixedHits: fixedRuns.hits, fixedMisses: fixedRuns.misses, floatHits: floatRuns.hits, floatMisses: floatRuns.misses };
  const g = codegen(s, templates);
  const error = errorVsFloat(s.model, g);
  const counts = { fixedHits: fixedRuns.hits - before.fixedHits, fixedMisses: fixedRuns.misses - before.fixedMisses, floatHits: floatRuns.hits - before.floatHits, floatMisses: floatRuns.misses - before.floatMisses };
  return { g, error, counts, expected: fs.readFileSync(path.join(s.dir, 'tb_data/expected.dat'), 'utf8') };
}

/** The same generation with no memo at all. */
function fresh(s: ReturnType<typeof spec>) {
  const g = generateProject({ model: s.model, config: s.config, templates, inputs: s.inputs ?? undefined });
  const float = simulateFloat(s.model, g.inputs, { keep: 'outputs' });
  return { expected: g.files!['tb_data/expected.dat'] as string, float: float.outputs };
}

const HIT = { fixedHits: 1, fixedMisses: 0, floatHits: 1, floatMisses: 0 };
const MISS = { fixedHits: 0, fixedMisses: 1, floatHits: 0, floatMisses: 1 };

describe('reference runs kept by content', () => {
  it('variants differing in reuse factor or strategy share the runs, with the values a build without the memo has', () => {
    fixedRuns.clear();
    floatRuns.clear();
    const rf1 = build(spec({ upconv: { reuseFactor: 1 } }));
    expect(rf1.counts).toEqual(MISS);
    const rf2 = build(spec({ upconv: { reuseFactor: 2 } }));
    expect(rf2.counts).toEqual(HIT);
    const resource = build(spec({ upconv: { reuseFactor: 4, strategy: 'resource' } }));
    expect(resource.counts).toEqual(HIT);
    const want = fresh(spec({ upconv: { reuseFactor: 2 } }));
    for (const b of [rf1, rf2, resource]) {
      expect(b.expected).toBe(want.expected);
      expect(b.error).toEqual(rf1.error);
    }
    expect(rf2.g.sim.timings).toEqual({}); // its values came from the memo
    expect(rf1.error!.maxAbs).toBeGreaterThan(0);
  });

  it('a precision change misses the fixed-point run (other values) and hits the float run', () => {
    const base = build(spec({ upconv: { reuseFactor: 2 } }));
    const narrow = build(spec({ upconv: { reuseFactor: 2, precision: { result_t: 'ap_fixed<8,3>' } } }));
    expect(narrow.counts).toEqual({ fixedHits: 0, fixedMisses: 1, floatHits: 1, floatMisses: 0 });
    expect(narrow.expected).not.toBe(base.expected);
    expect(narrow.expected).toBe(fresh(spec({ upconv: { precision: { result_t: 'ap_fixed<8,3>' } } })).expected);
    expect(narrow.error).not.toEqual(base.error);
  });

  it('a weight change, other test inputs or another number of test images miss both runs, and give their own values', () => {
    const base = build(spec({ upconv: { reuseFactor: 2 } }));
    const model = tinyModel();
    const w = model.weights.layer.weight;
    const data = w.data.slice();
    data[5] += 0.5;
    model.weights.layer.weight = tensor([...w.shape], data);
    const weights = build(spec({ upconv: { reuseFactor: 2 } }, { model }));
    expect(weights.counts).toEqual(MISS);
    expect(weights.expected).not.toBe(base.expected);
    expect(weights.expected).toBe(fresh(spec({}, { model })).expected);

    const x = base.g.inputs.x;
    const other = x.data.map((v, i) => (i === 7 ? v + 1 : v));
    const inputs = build(spec({ upconv: { reuseFactor: 2 } }, { inputs: { x: tensor([...x.shape], other) } }));
    expect(inputs.counts).toEqual(MISS);
    expect(inputs.expected).not.toBe(base.expected);
    expect(inputs.error).not.toEqual(base.error);

    const images = build(spec({ upconv: { reuseFactor: 2 } }, { testImages: 3 }));
    expect(images.counts).toEqual(MISS);
    expect(images.expected.split('\n').filter(Boolean)).toHaveLength(3);
    expect(images.expected).toBe(fresh(spec({}, { testImages: 3 })).expected);
  });

  it('a caller changing the values it got changes nothing for the next build', () => {
    const first = build(spec({ upconv: { reuseFactor: 2 } }));
    for (const t of Object.values(first.g.sim.values)) (t.m as Float64Array).fill(0);
    const second = build(spec({ upconv: { reuseFactor: 1 } }));
    expect(second.counts).toEqual(HIT);
    for (const t of Object.values(second.g.sim.values)) (t.m as Float64Array).fill(0);
    const third = build(spec({ upconv: { reuseFactor: 4 } }));
    expect(third.counts).toEqual(HIT);
    expect(third.expected).toBe(fresh(spec({})).expected);
    expect(third.error).toEqual(first.error);
  });
});

describe('ContentMemo', () => {
  const memo = () => new ContentMemo<Float64Array>({ maxBytes: 64, maxEntries: 3, bytesOf: (v) => v.byteLength, copy: (v) => v.slice() });
  const key = (s: string, d = new Float32Array([1, 2])) => [s, d];

  it('answers by content, not by identity: equal parts hit, a changed number or text misses', () => {
    const m = memo();
    m.set(key('a'), new Float64Array([1]));
    expect(m.get(key('a'))).toEqual(new Float64Array([1]));
    expect(m.get(key('a', new Float32Array([1, 3])))).toBeUndefined();
    expect(m.get(key('b'))).toBeUndefined();
    // The same bytes split differently are another key.
    expect(m.get(['a', new Float32Array([1]), new Float32Array([2])])).toBeUndefined();
    expect([m.hits, m.misses]).toEqual([1, 3]);
  });

  it('keeps at most its bytes and entries, the least recently used dropped first; a value larger than all is not kept', () => {
    const m = memo();
    m.set(key('a'), new Float64Array(2)); // 16 bytes
    m.set(key('b'), new Float64Array(2));
    m.set(key('c'), new Float64Array(2));
    m.get(key('a')); // a used last
    m.set(key('d'), new Float64Array(2)); // 4 entries > 3: b goes
    expect(['a', 'b', 'c', 'd'].map((k) => m.get(key(k)) !== undefined)).toEqual([true, false, true, true]);
    m.set(key('e'), new Float64Array(6)); // 48 bytes: 16 × 3 + 48 > 64, the oldest go until it fits
    expect(m.size).toBe(2);
    expect(m.get(key('e'))).toBeDefined();
    m.set(key('huge'), new Float64Array(9));
    expect(m.get(key('huge'))).toBeUndefined();
    expect(m.get(key('e'))).toBeDefined();
  });
});
