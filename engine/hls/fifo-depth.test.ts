// FIFO depths of io_stream designs, checked by the token-level dataflow simulator: with the chosen depths
// the shipped examples, U-Net-like skips and random skip graphs finish; with the skip FIFO made smaller
// they deadlock (so these tests can fail). Also: the generator and the estimate use the same depths.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { randomTensor } from '../tensor/tensor';
import { graphModel, unetStageModel, type GraphRow } from '../../electron/services/csim/graph.testutil';
import { readProjectDocument } from '../../electron/services/store/project';
import { weightsToEngine } from '../../electron/services/store/tensors';
import type { Model } from '../graph/model';
import { defaultHlsConfig } from './config';
import { resolveGraph } from './resolve';
import { buildStreamNetwork, type StreamNetwork } from './stream-network';
import { opsFromReads } from '../ops/schedule';
import { fifoDepthMacro, fifoDepths, fifoList, MIN_FIFO_DEPTH } from './fifo-depth';
import { simulateStreams } from './stream-sim';
import { generateProject } from './generate';
import { estimateDesign, fifoReadAhead } from '../estimate/graph';
import { fifoResources } from '../estimate/model';
import { streamMaxBacklog } from '../ops/conv/stream';

let seed = 11;
const rnd = (shape: number[]) => randomTensor(shape, seed++, -0.5, 0.55);
const conv = (filters: number, k: number, s: number, pb: number, pe = pb, extra: Record<string, unknown> = {}) => ({
  filters, kernel: [k, k], stride: [s, s], dilation: [1, 1], padsBegin: [pb, pb], padsEnd: [pe, pe], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit', ...extra,
});
const pool = (type: 'MaxPool' | 'AveragePool' = 'MaxPool') => [type, { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false }] as const;

const STREAM = defaultHlsConfig({ io: 'io_stream', top: 'fifo_top' });

function network(model: Model): StreamNetwork {
  const resolved = resolveGraph(model, STREAM, { hardware: true, batch: 1 });
  expect(resolved.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return buildStreamNetwork(model, resolved);
}

/** Clone outputs that feed a merge (Add / Concatenate) directly: the skip edges. */
function skipEdges(net: StreamNetwork): string[] {
  const byName = new Map(net.processes.map((p) => [p.name, p]));
  return Object.values(net.edges)
    .filter((e) => e.producer?.startsWith('clone_') && e.consumer && byName.get(e.consumer)!.inputs.length > 1)
    .map((e) => e.name);
}

function runs(net: StreamNetwork, depth: Record<string, number>, over: Record<string, number> = {}): boolean {
  return simulateStreams(net, (e) => over[e] ?? depth[e]).finished;
}

const depthsOf = (net: StreamNetwork, slack?: number | Record<string, number>) => Object.fromEntries(Object.entries(fifoDepths(net, { slack })).map(([k, v]) => [k, v.depth]));

/** The csim tests' U-Net stage: Conv → ReLU ─┬→ MaxPool → Conv → ReLU → ConvT k2 s2 → Concat(·, skip) → Conv → ReLU. */
const unetStage = (H = 8, W = 6): Model => unetStageModel(rnd, H, W);

/** Two nested skips (two U-Net levels): the outer skip must hold what the whole inner U reads ahead. */
function unetTwoLevels(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 2, 12, 8], dataFormat: 'NCX' }, []],
      ['e1', 'Conv2D', conv(3, 3, 1, 1), ['x']],
      ['p1', ...pool(), ['e1']],
      ['e2', 'Conv2D', conv(3, 3, 1, 1), ['p1']],
      ['p2', ...pool('AveragePool'), ['e2']],
      ['mid', 'Conv2D', conv(3, 3, 1, 1), ['p2']],
      ['u2', 'ConvTranspose2D', conv(3, 2, 2, 0, 0, { outputPadding: [0, 0] }), ['mid']],
      ['a2', 'Add', {}, ['e2', 'u2']],
      ['u1', 'UpSampling', { scale: [2], dataFormat: 'NCX' }, ['a2']],
      ['cat1', 'Concatenate', { axis: 1 }, ['u1', 'e1']],
      ['head', 'Conv2D', conv(1, 1, 1, 0), ['cat1']],
    ],
    {
      e1: { weight: rnd([3, 2, 3, 3]), bias: rnd([3]) },
      e2: { weight: rnd([3, 3, 3, 3]), bias: rnd([3]) },
      mid: { weight: rnd([3, 3, 3, 3]), bias: rnd([3]) },
      u2: { weight: rnd([3, 3, 2, 2]), bias: rnd([3]) },
      head: { weight: rnd([1, 6, 1, 1]), bias: rnd([1]) },
    },
  );
}

describe('stream network and simulator basics', () => {
  it('a process program is its reads before each write, then the remaining reads', () => {
    expect(Array.from(opsFromReads([2, 2, 5], 6))).toEqual([0, 0, -1, -1, 0, 0, 0, -1, 0]);
  });

  it('a skip around a 3×3 Conv holds its line-buffer backlog; every other stream keeps 2', () => {
    const H = 7, W = 9;
    const model = graphModel(
      [
        ['x', 'Input', { shape: [1, 2, H, W], dataFormat: 'NCX' }, []],
        ['a', 'ReLU', {}, ['x']],
        ['c', 'Conv2D', conv(2, 3, 1, 1), ['a']],
        ['s', 'Add', {}, ['c', 'a']],
      ],
      { c: { weight: rnd([2, 2, 3, 3]), bias: rnd([2]) } },
    );
    const net = network(model);
    const [skip] = skipEdges(net);
    expect(skip).toBe('layer1_a_out_to_layer3_s');
    const d0 = depthsOf(net, 0);
    const backlog = streamMaxBacklog({ H, W, Ho: H, Wo: W, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 1, pw: 1 }, false);
    expect(backlog).toBe(W + 2);
    // The rule at the skip: what the Conv reads before answering (its backlog), at most one more.
    expect(d0[skip]).toBeGreaterThanOrEqual(backlog);
    expect(d0[skip]).toBeLessThanOrEqual(backlog + 1);
    expect(runs(net, d0)).toBe(true);
    expect(runs(net, d0, { [skip]: d0[skip] - 2 })).toBe(false);
    // Every other edge stays at 2 and the simulator names the stuck processes.
    for (const [e, d] of Object.entries(d0)) if (e !== skip) expect(d, e).toBe(MIN_FIFO_DEPTH);
    const stuck = simulateStreams(net, (e) => (e === skip ? 2 : d0[e]));
    expect(stuck.finished).toBe(false);
    expect(stuck.blocked.find((b) => b.process === 'clone_layer1_a_out')).toMatchObject({ waits: 'write', edge: skip });
    expect(stuck.blocked.find((b) => b.process === 'layer3_s')).toMatchObject({ waits: 'read', edge: 'layer2_c_out' });
  });
});

describe('shipped examples (projects/*.tessera) in io_stream', () => {
  const dir = path.resolve(__dirname, '../../projects');
  for (const id of ['unet-decoder-stage', 'dcgan-generator', 'tiny-autoencoder']) {
    it(`${id}: a chain — depth 2 everywhere, and the simulator finishes with it`, () => {
      const doc = readProjectDocument(path.join(dir, `${id}.tessera`));
      const net = network({ graph: doc.graph, weights: weightsToEngine(doc.weights) });
      const d = depthsOf(net);
      expect(Object.keys(d).length).toBeGreaterThan(1);
      for (const v of Object.values(d)) expect(v).toBe(MIN_FIFO_DEPTH);
      expect(skipEdges(net)).toEqual([]);
      expect(runs(net, d)).toBe(true);
    });
  }
});

describe('skip connections: chosen depths finish, a smaller skip FIFO deadlocks', () => {
  const cases: [string, () => Model][] = [
    ['U-Net stage (Concat skip around pool → conv → convT)', () => unetStage()],
    ['U-Net stage 16×12', () => unetStage(16, 12)],
    ['two nested U-Net levels (Add and Concat skips)', unetTwoLevels],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const net = network(make());
      const d = depthsOf(net);
      const d0 = depthsOf(net, 0);
      expect(runs(net, d)).toBe(true);
      expect(runs(net, d0)).toBe(true);
      expect(simulateStreams(net, (e) => d0[e], 3).finished).toBe(true);
      const skips = skipEdges(net);
      expect(skips.length).toBeGreaterThan(0);
      for (const e of skips) {
        expect(d[e]).toBeGreaterThanOrEqual(d0[e]);
        expect(d[e]).toBeLessThanOrEqual(net.edges[e].pixels);
        expect(d0[e], e).toBeGreaterThan(4);
        expect(runs(net, d, { [e]: 2 }), `${e} at 2`).toBe(false);
        expect(runs(net, d0, { [e]: d0[e] - 2 }), `${e} at ${d0[e] - 2}`).toBe(false);
      }
      // Far below the old whole-image depths: the skip of the U-Net stage holds a few rows, not the image.
      const total = fifoList(net, fifoDepths(net)).reduce((a, f) => a + f.depth, 0);
      const old = fifoList(net, fifoDepths(net)).reduce((a, f) => a + Math.max(2, net.edges[f.name].pixels), 0);
      expect(total).toBeLessThan(old);
    });
  }
});

// Random chains with a fork whose branch of 1–3 size-preserving units reconverges in an Add / Concatenate.
type Unit = { kind: 'conv'; k: number; d: number } | { kind: 'convT'; k: number } | { kind: 'poolUp'; avg: boolean } | { kind: 'downUp' } | { kind: 'upPool' };
interface Spec { H: number; W: number; C: number; pre: boolean; units: Unit[]; merge: 'Add' | 'Concatenate' | 'ConcatRows'; branchFirst: boolean; post: boolean }

function buildSpec(s: Spec): Model {
  const rows: GraphRow[] = [['x', 'Input', { shape: [1, s.C, s.H, s.W], dataFormat: 'NCX' }, []]];
  const w: Model['weights'] = {};
  let last = 'x', n = 0;
  const add = (type: string, params: Record<string, unknown>, wts?: Record<string, number[]>) => {
    const id = `n${n++}`;
    rows.push([id, type, params, [last]]);
    if (wts) w[id] = Object.fromEntries(Object.entries(wts).map(([k, sh]) => [k, rnd(sh)]));
    last = id;
  };
  const cv = (k: number, st: number, pb: number, pe: number, d = 1) => add('Conv2D', { ...conv(s.C, k, st, pb, pe), dilation: [d, d] }, { weight: [s.C, s.C, k, k], bias: [s.C] });
  const ct = (k: number, st: number, pb: number, pe: number) => add('ConvTranspose2D', conv(s.C, k, st, pb, pe, { outputPadding: [0, 0] }), { weight: [s.C, s.C, k, k], bias: [s.C] });
  if (s.pre) cv(3, 1, 1, 1);
  const fork = last;
  for (const u of s.units) {
    if (u.kind === 'conv') cv(u.k, 1, ((u.k - 1) * u.d) >> 1, ((u.k - 1) * u.d) >> 1, u.d);
    else if (u.kind === 'convT') ct(u.k, 1, (u.k - 1) >> 1, u.k - 1 - ((u.k - 1) >> 1));
    else if (u.kind === 'poolUp') {
      add(...pool(u.avg ? 'AveragePool' : 'MaxPool'));
      add('UpSampling', { scale: [2], dataFormat: 'NCX' });
    } else if (u.kind === 'downUp') {
      cv(3, 2, 1, 1);
      ct(2, 2, 0, 0);
    } else {
      add('UpSampling', { scale: [2], dataFormat: 'NCX' });
      add(...pool());
    }
  }
  const id = `n${n++}`;
  // ConcatRows: along the height (not the stream element): the template reads one input whole, then the other.
  rows.push([id, s.merge === 'Add' ? 'Add' : 'Concatenate', s.merge === 'Add' ? {} : { axis: s.merge === 'Concatenate' ? 1 : 2 }, s.branchFirst ? [last, fork] : [fork, last]]);
  last = id;
  if (s.post) add('ReLU', {});
  return graphModel(rows, w);
}

const unit: fc.Arbitrary<Unit> = fc.oneof(
  fc.record({ kind: fc.constant('conv' as const), k: fc.constantFrom(1, 3, 5), d: fc.constantFrom(1, 1, 2) }),
  fc.record({ kind: fc.constant('convT' as const), k: fc.constantFrom(2, 3, 4) }),
  fc.record({ kind: fc.constant('poolUp' as const), avg: fc.boolean() }),
  fc.record({ kind: fc.constant('downUp' as const) }),
  fc.record({ kind: fc.constant('upPool' as const) }),
);
const spec: fc.Arbitrary<Spec> = fc.record({
  H: fc.integer({ min: 2, max: 9 }).map((x) => 2 * x),
  W: fc.integer({ min: 2, max: 9 }).map((x) => 2 * x),
  C: fc.integer({ min: 1, max: 3 }),
  pre: fc.boolean(),
  units: fc.array(unit, { minLength: 1, maxLength: 3 }),
  merge: fc.constantFrom('Add' as const, 'Concatenate' as const, 'ConcatRows' as const),
  branchFirst: fc.boolean(),
  post: fc.boolean(),
});

describe('random skip graphs (fast-check)', () => {
  it('never deadlock with the chosen depths (with and without pipeline slack); a skip FIFO 2 smaller, or 2, does', () => {
    let tight = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const net = network(buildSpec(s));
        const d = depthsOf(net);
        const d0 = depthsOf(net, 0);
        expect(runs(net, d)).toBe(true);
        expect(runs(net, d0)).toBe(true);
        // Back-to-back images (the next one enters while the last is still in flight) need no more.
        expect(simulateStreams(net, (e) => d0[e], 3).finished).toBe(true);
        const [skip] = skipEdges(net);
        expect(skip).toBeDefined();
        expect(d[skip]).toBeGreaterThanOrEqual(d0[skip]);
        if (d0[skip] >= 3) {
          expect(runs(net, d0, { [skip]: d0[skip] - 2 })).toBe(false);
          tight++;
        }
        if (d0[skip] >= 4) expect(runs(net, d, { [skip]: 2 })).toBe(false);
        // Only merge inputs are ever raised.
        const merges = new Set(net.processes.filter((p) => p.inputs.length > 1).flatMap((p) => p.inputs));
        for (const [e, v] of Object.entries(d)) if (!merges.has(e)) expect(v, e).toBe(MIN_FIFO_DEPTH);
      }),
      { numRuns: 60, seed: 20261121 },
    );
    expect(tight).toBeGreaterThan(40);
  });

  it('per-layer read-ahead (pipeline depths in pixels): the simulator reading that far ahead finishes with the rule\u2019s depths; the exact-order depths can deadlock', () => {
    let deadlocks = 0;
    fc.assert(
      fc.property(spec, fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 12, maxLength: 12 }), (s, aheads) => {
        const net = network(buildSpec(s));
        const layers = net.processes.filter((p) => p.kind === 'layer' && p.overlapped).map((p) => p.name);
        const ahead: Record<string, number> = Object.fromEntries(layers.map((n, i) => [n, aheads[i % aheads.length]]));
        const d = depthsOf(net, ahead);
        const sim = (depth: Record<string, number>) => simulateStreams(net, (e) => depth[e], 1, (p) => ahead[p] ?? 0).finished;
        expect(sim(d)).toBe(true);
        // Back-to-back images too.
        expect(simulateStreams(net, (e) => d[e], 2, (p) => ahead[p] ?? 0).finished).toBe(true);
        if (!sim(depthsOf(net, 0))) deadlocks++;
      }),
      { numRuns: 40, seed: 20261206 },
    );
    // The read-ahead matters: depths sized for the exact order deadlock under it in some graphs.
    expect(deadlocks).toBeGreaterThan(5);
  });

  it('--fifo safe: every stream a fork writes holds its whole tensor, the rest keep the rule\u2019s; it finishes whatever the pipelines read ahead, where the rule\u2019s depths for no read-ahead can deadlock', () => {
    let ruleDeadlocks = 0;
    fc.assert(
      fc.property(spec, fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 12, maxLength: 12 }), (s, aheads) => {
        const net = network(buildSpec(s));
        const clones = new Set(net.processes.filter((p) => p.kind === 'clone').map((p) => p.name));
        const safe = fifoDepths(net, { mode: 'safe', slack: 0 });
        const rule = fifoDepths(net, { slack: 0 });
        for (const e of Object.values(net.edges)) {
          if (!e.internal) continue;
          if (e.producer !== null && clones.has(e.producer)) expect(safe[e.name].depth).toBe(Math.max(MIN_FIFO_DEPTH, e.pixels));
          else expect(safe[e.name]).toEqual(rule[e.name]);
        }
        const layers = net.processes.filter((p) => p.kind === 'layer' && p.overlapped).map((p) => p.name);
        const ahead: Record<string, number> = Object.fromEntries(layers.map((n, i) => [n, aheads[i % aheads.length]]));
        expect(simulateStreams(net, (e) => safe[e].depth, 2, (p) => ahead[p] ?? 0).finished).toBe(true);
        if (!simulateStreams(net, (e) => rule[e].depth, 1, (p) => ahead[p] ?? 0).finished) ruleDeadlocks++;
      }),
      { numRuns: 30, seed: 1206 },
    );
    expect(ruleDeadlocks).toBeGreaterThan(0);
  });

  it('--fifo safe reaches the generated fifo_depths.h', () => {
    const model = unetStage();
    const templates = Object.fromEntries(['nnet_common.h', 'nnet_conv.h', 'nnet_conv_common.h', 'nnet_conv_transpose.h', 'nnet_activation.h', 'nnet_pooling.h', 'nnet_merge.h'].map((h) => [h, `// ${h}`]));
    const g = generateProject({ model, config: { ...STREAM, testImages: 1 }, templates, fifo: 'safe' });
    expect(g.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    const header = g.files!['firmware/fifo_depths.h'] as string;
    expect(header).toMatch(/safe: clone_\w+ output holds its whole tensor/);
    const net = network(model);
    const skip = skipEdges(net)[0];
    expect(header).toMatch(new RegExp(`${fifoDepthMacro('fifo_top', skip)} ${net.edges[skip].pixels}\\b`));
  });

  it('same-size Conv chains: the rule stays within the sum of the Convs\u2019 backlogs (+1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), fc.array(fc.constantFrom(1, 3, 5), { minLength: 1, maxLength: 3 }), (H, W, ks) => {
        const net = network(buildSpec({ H, W, C: 1, pre: false, units: ks.map((k) => ({ kind: 'conv', k, d: 1 })), merge: 'Add', branchFirst: true, post: false }));
        const [skip] = skipEdges(net);
        const sum = ks.reduce((a, k) => {
          const p = k >> 1;
          return a + streamMaxBacklog({ H, W, Ho: H, Wo: W, kh: k, kw: k, sh: 1, sw: 1, dh: 1, dw: 1, ph: p, pw: p }, false);
        }, 0);
        expect(depthsOf(net, 0)[skip]).toBeLessThanOrEqual(Math.max(MIN_FIFO_DEPTH, sum + 1));
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

// Random U-Nets of 2–3 levels: nested skips, each merged by an Add or a channel Concatenate.
interface UNetSpec { levels: number; h: number; w: number; k: number[]; avg: boolean[]; convUp: boolean[]; add: boolean[] }
function buildUNet(s: UNetSpec): Model {
  const C = 2;
  const scale = 1 << s.levels;
  const rows: GraphRow[] = [['x', 'Input', { shape: [1, C, s.h * scale, s.w * scale], dataFormat: 'NCX' }, []]];
  const w: Model['weights'] = {};
  const cv = (id: string, k: number, cin: number, input: string) => {
    rows.push([id, 'Conv2D', conv(C, k, 1, k >> 1), [input]]);
    w[id] = { weight: rnd([C, cin, k, k]), bias: rnd([C]) };
  };
  let last = 'x';
  for (let l = 0; l < s.levels; l++) {
    cv(`e${l}`, s.k[l], C, last);
    rows.push([`p${l}`, ...pool(s.avg[l] ? 'AveragePool' : 'MaxPool'), [`e${l}`]]);
    last = `p${l}`;
  }
  cv('mid', s.k[s.levels], C, last);
  last = 'mid';
  for (let l = s.levels - 1; l >= 0; l--) {
    if (s.convUp[l]) {
      rows.push([`u${l}`, 'ConvTranspose2D', conv(C, 2, 2, 0, 0, { outputPadding: [0, 0] }), [last]]);
      w[`u${l}`] = { weight: rnd([C, C, 2, 2]), bias: rnd([C]) };
    } else rows.push([`u${l}`, 'UpSampling', { scale: [2], dataFormat: 'NCX' }, [last]]);
    rows.push([`m${l}`, s.add[l] ? 'Add' : 'Concatenate', s.add[l] ? {} : { axis: 1 }, [`u${l}`, `e${l}`]]);
    cv(`d${l}`, 3, s.add[l] ? C : 2 * C, `m${l}`);
    last = `d${l}`;
  }
  return graphModel(rows, w);
}
const unetSpec: fc.Arbitrary<UNetSpec> = fc.integer({ min: 2, max: 3 }).chain((levels) =>
  fc.record({
    levels: fc.constant(levels),
    h: fc.integer({ min: 1, max: 3 }),
    w: fc.integer({ min: 1, max: 3 }),
    k: fc.array(fc.constantFrom(1, 3, 5), { minLength: levels + 1, maxLength: levels + 1 }),
    avg: fc.array(fc.boolean(), { minLength: levels, maxLength: levels }),
    convUp: fc.array(fc.boolean(), { minLength: levels, maxLength: levels }),
    add: fc.array(fc.boolean(), { minLength: levels, maxLength: levels }),
  }),
);

describe('random U-Nets with nested skips (fast-check)', () => {
  it('finish with the chosen depths; every skip FIFO 2 below the slack-free rule deadlocks', () => {
    fc.assert(
      fc.property(unetSpec, (s) => {
        const net = network(buildUNet(s));
        const d = depthsOf(net);
        const d0 = depthsOf(net, 0);
        expect(runs(net, d)).toBe(true);
        expect(runs(net, d0)).toBe(true);
        expect(simulateStreams(net, (e) => d0[e], 3).finished).toBe(true);
        const skips = skipEdges(net);
        expect(skips.length).toBe(s.levels);
        for (const e of skips) {
          expect(d[e]).toBeGreaterThanOrEqual(d0[e]);
          if (d0[e] >= 3) expect(runs(net, d0, { [e]: d0[e] - 2 }), `${e} at ${d0[e] - 2}`).toBe(false);
        }
      }),
      { numRuns: 25, seed: 424242 },
    );
  });
});

describe('generator and estimate use the same depths', () => {
  it('firmware/fifo_depths.h: one overridable macro per stream, used by its STREAM pragma', () => {
    const model = unetStage();
    const g = generateProject({ model, config: { ...STREAM, testImages: 1 }, templates: Object.fromEntries(['nnet_common.h', 'nnet_conv.h', 'nnet_conv_common.h', 'nnet_conv_transpose.h', 'nnet_activation.h', 'nnet_pooling.h', 'nnet_merge.h'].map((h) => [h, `// ${h}`])) });
    expect(g.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    const files = g.files!;
    const header = files['firmware/fifo_depths.h'] as string;
    const top = files['firmware/fifo_top.cpp'] as string;
    expect(top).toContain('#include "fifo_depths.h"');
    const net = network(model);
    const depths = fifoDepths(net);
    const internal = Object.values(net.edges).filter((e) => e.internal);
    expect(internal.length).toBe(10);
    for (const e of internal) {
      const m = fifoDepthMacro('fifo_top', e.name);
      expect(header).toContain(`#ifndef ${m}\n#define ${m} ${depths[e.name].depth}\n#endif`);
      expect(top).toContain(`#pragma HLS STREAM variable = ${e.name} depth = ${m}`);
    }
    expect(depths.layer2_r1_out_to_layer7_cat.depth).toBeGreaterThan(2);
    expect(top).not.toMatch(/depth = \d/);
    const json = JSON.parse(files['tessera.json'] as string) as { fifos: { name: string; depth: number }[] };
    expect(json.fifos.map((f) => [f.name, f.depth])).toEqual(internal.map((e) => [e.name, depths[e.name].depth]));
    // io_parallel has no FIFOs.
    const p = generateProject({ model, config: { ...STREAM, io: 'io_parallel', testImages: 1 }, templates: { 'nnet_common.h': '', 'nnet_conv.h': '', 'nnet_conv_common.h': '', 'nnet_conv_transpose.h': '', 'nnet_activation.h': '', 'nnet_pooling.h': '', 'nnet_merge.h': '' } });
    expect(p.files!['firmware/fifo_depths.h']).toBeUndefined();
  });

  it('the estimate counts exactly these FIFOs (LUTRAM = layers + the FIFOs of fifoList), sized with its pipeline depths', () => {
    const model = unetStage(16, 12);
    const net = network(model);
    const ahead = fifoReadAhead(model, STREAM)!;
    const list = fifoList(net, fifoDepths(net, { slack: ahead }));
    expect(list.some((f) => f.depth > 2)).toBe(true);
    const r = estimateDesign(model, STREAM).report!;
    const fifoLutram = list.reduce((a, f) => a + fifoResources(f.depth, f.bits).LUTRAM, 0);
    const fifoBram = list.reduce((a, f) => a + fifoResources(f.depth, f.bits).BRAM_18K, 0);
    const layerLutram = r.layers.reduce((a, l) => a + l.resources.LUTRAM, 0);
    const layerBram = r.layers.reduce((a, l) => a + l.resources.BRAM_18K, 0);
    expect(fifoLutram + fifoBram).toBeGreaterThan(0);
    expect(r.lutram).toBe(Math.round(layerLutram + fifoLutram));
    expect(r.resources.BRAM_18K.used).toBe(Math.round(layerBram + fifoBram));
  });
});

describe('read-ahead from the estimate\u2019s pipeline depths (not a constant)', () => {
  it('every stream layer gets its pixels in flight; the simulator reading that far ahead finishes with the rule\u2019s depths and deadlocks with the exact-order ones', () => {
    const model = unetStage(16, 12);
    const net = network(model);
    const ahead = fifoReadAhead(model, STREAM)!;
    const layers = net.processes.filter((p) => p.kind === 'layer').map((p) => p.name);
    for (const n of layers) expect(ahead[n], n).toBeGreaterThanOrEqual(1);
    // From each layer's modelled pipeline: not one number for all.
    expect(new Set(layers.map((n) => ahead[n])).size).toBeGreaterThan(1);
    const [skip] = skipEdges(net);
    const withDepths = depthsOf(net, ahead);
    const exact = depthsOf(net, 0);
    expect(withDepths[skip]).toBeGreaterThan(exact[skip]);
    const sim = (d: Record<string, number>) => simulateStreams(net, (e) => d[e], 1, (p) => ahead[p] ?? 0).finished;
    expect(sim(withDepths)).toBe(true);
    expect(sim(exact)).toBe(false);
    // The generator, given them (as the build pipeline does), writes those depths.
    const g = generateProject({ model, config: { ...STREAM, testImages: 1 }, templates: { 'nnet_common.h': '', 'nnet_conv.h': '', 'nnet_conv_common.h': '', 'nnet_conv_transpose.h': '', 'nnet_activation.h': '', 'nnet_pooling.h': '', 'nnet_merge.h': '' }, fifoReadAhead: ahead });
    expect(g.files!['firmware/fifo_depths.h']).toContain(`#define ${fifoDepthMacro('fifo_top', skip)} ${withDepths[skip]}\n`);
  });
});
