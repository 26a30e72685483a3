// The preview's split of a large model across workers: parts of about equal work, and parts chained
// together (float, then fixed point, each reading only what earlier parts give it) compute exactly what a
// whole run computes; node keys change exactly where an edit reaches.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Graph, WeightMap } from '../../engine/graph/model';
import type { FixedTensor } from '../../engine/fixed/tensor';
import type { Tensor } from '../../engine/tensor/tensor';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import { readProjectDocument, weightsToEngine } from '../../electron/services/store';
import { unet1d, unet2d } from '../../bench/models';
import { analyze } from './analyze';
import { MIN_PART_WORK, nodeKeys, nodeWork, splitParts } from './preview-split';
import { compareFixed, compareFixedPart, simulate, simulateFloatPart, type InputSpec } from './simulate';

const PRECISION = 'ap_fixed<16,6>';

function dcgan(): { graph: Graph; weights: WeightMap } {
  const doc = readProjectDocument(path.resolve(__dirname, '../../projects/dcgan-generator.tessera'));
  return { graph: doc.graph, weights: weightsToEngine(doc.weights) };
}

describe('preview split', () => {
  it('a DCGAN-sized model stays one part; the 2D U-Net splits into contiguous parts of about equal work', () => {
    const d = dcgan();
    const da = analyze(d.graph);
    expect(splitParts(d.graph, da.order, nodeWork(d.graph, da), 4)).toHaveLength(1);

    const u = unet2d();
    const ua = analyze(u.graph);
    const work = nodeWork(u.graph, ua);
    const total = Object.values(work).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(u.macs); // MACs plus output elements
    expect(total).toBeLessThan(1.1 * u.macs);
    const parts = splitParts(u.graph, ua.order, work, 4);
    expect(parts).toHaveLength(4);
    expect(parts.flatMap((p) => p.nodes)).toEqual(ua.order);
    const shares = parts.map((p) => p.nodes.reduce((t, id) => t + work[id], 0) / total);
    for (const s of shares) expect(s).toBeGreaterThan(0.12);
    // Every edge between parts is listed on both sides, and goes forward.
    const partOf = new Map(parts.flatMap((p, k) => p.nodes.map((id) => [id, k] as const)));
    for (const e of u.graph.edges) {
      const from = partOf.get(e.source)!, to = partOf.get(e.target)!;
      expect(from).toBeLessThanOrEqual(to);
      if (from !== to) {
        expect(parts[to].reads).toContain(e.source);
        expect(parts[from].exports).toContain(e.source);
      }
    }
    // Two workers: two parts; too little work for a part: fewer.
    expect(splitParts(u.graph, ua.order, work, 2)).toHaveLength(2);
    const many = splitParts(u.graph, ua.order, work, 100).length;
    expect(many).toBeGreaterThan(4);
    expect(many).toBeLessThanOrEqual(Math.floor(total / MIN_PART_WORK));
  });

  it('parts chained together give the whole run, float, fixed point and numerical warnings, value for value', () => {
    const u = unet1d();
    // One layer with its own (narrow) precision in the graph: the parts must follow it as the whole run does.
    const m = { ...u, graph: { ...u.graph, nodes: u.graph.nodes.map((n) => (n.id === 'conv1d_3' ? { ...n, precision: { result_t: 'ap_fixed<8,1>' } } : n)) } };
    const weights = weightsToEngine(m.weights);
    const input: InputSpec[] = [{ kind: 'random', nodeId: 'signal', seed: 3 }];
    const whole = simulate(m.graph, weights, input, 1, () => false, PRECISION, PRECISION)!;
    expect(whole.fixedError).toBeUndefined();
    expect(whole.fixed!.conv1d_3.type).toBe('ap_fixed<8,1>');
    expect(whole.numeric!.some((d) => d.nodeId === 'conv1d_3')).toBe(true);
    const numeric: Diagnostic[] = [];
    const a = analyze(m.graph);
    const parts = splitParts(m.graph, a.order, nodeWork(m.graph, a), 3);
    expect(parts.length).toBe(3);
    const float: Record<string, Tensor> = {};
    const fixed: Record<string, FixedTensor> = {};
    for (const p of parts) {
      const nodes = new Set(p.nodes);
      const given = Object.fromEntries(p.reads.map((id) => [id, float[id]]));
      const r = simulateFloatPart(m.graph, weights, input, 1, nodes, given, PRECISION);
      expect(Object.keys(r.values).sort()).toEqual([...p.nodes].sort());
      numeric.push(...r.numeric!);
      Object.assign(float, r.values);
      const fx = compareFixedPart(m.graph, r.weights, r.inputs, r.values, PRECISION, { nodes, given: Object.fromEntries(p.reads.map((id) => [id, fixed[id]])) });
      for (const id of p.nodes) {
        expect(Array.from(r.values[id].data), id).toEqual(Array.from(whole.outputs[id].data));
        expect(fx.compare[id].type, id).toBe(whole.fixed![id].type);
        expect(Array.from(fx.compare[id].tensor.data), id).toEqual(Array.from(whole.fixed![id].tensor.data));
      }
      for (const id of p.exports) fixed[id] = fx.values[id];
    }
    expect(numeric).toEqual(whole.numeric);
    // A part that is not given what it reads says so.
    const last = parts[parts.length - 1];
    expect(() => simulateFloatPart(m.graph, weights, input, 1, new Set(last.nodes), {})).toThrow(/neither computed in this part nor given/);
    expect(compareFixed).toBeTypeOf('function');
  });

  it('node keys change from the edited node downstream, and only the types keys for a precision change (default or a node\'s own)', () => {
    const m = unet1d();
    const weights = weightsToEngine(m.weights);
    const a = analyze(m.graph);
    const input: InputSpec[] = [{ kind: 'random', nodeId: 'signal', seed: 3 }];
    const before = nodeKeys(m.graph, a.order, weights, input, 1, PRECISION);
    const downstream = (from: string) => {
      const out = new Set([from]);
      for (const id of a.order) if (m.graph.edges.some((e) => e.target === id && out.has(e.source))) out.add(id);
      return out;
    };
    const changed = (x: Record<string, string>, y: Record<string, string>) => new Set(a.order.filter((id) => x[id] !== y[id]));
    // A parameter of a late layer.
    const edited = { ...m.graph, nodes: m.graph.nodes.map((n) => (n.id === 'dlrelu_2' ? { ...n, params: { ...n.params, alpha: 0.2 } } : n)) };
    const k1 = nodeKeys(edited, a.order, weights, input, 1, PRECISION);
    expect(changed(before.float, k1.float)).toEqual(downstream('dlrelu_2'));
    expect(changed(before.fixed, k1.fixed)).toEqual(downstream('dlrelu_2'));
    expect(changed(before.float, k1.float).has('conv1d_1')).toBe(false);
    // New weights for one layer (a new record, as the editor makes).
    const k2 = nodeKeys(m.graph, a.order, { ...weights, conv1d_3: { ...weights.conv1d_3 } }, input, 1, PRECISION);
    expect(changed(before.float, k2.float)).toEqual(downstream('conv1d_3'));
    // Another precision: every fixed key, no float key.
    const k3 = nodeKeys(m.graph, a.order, weights, input, 1, 'ap_fixed<18,8>');
    expect(changed(before.float, k3.float).size).toBe(0);
    expect(changed(before.fixed, k3.fixed).size).toBe(a.order.length);
    // One layer's own precision (in the graph node): the types keys from it downstream, no float key.
    const typed = { ...m.graph, nodes: m.graph.nodes.map((n) => (n.id === 'conv1d_3' ? { ...n, precision: { result_t: 'ap_fixed<12,4>' } } : n)) };
    const k5 = nodeKeys(typed, a.order, weights, input, 1, PRECISION);
    expect(changed(before.float, k5.float).size).toBe(0);
    expect(changed(before.fixed, k5.fixed)).toEqual(downstream('conv1d_3'));
    // Another input seed: everything.
    const k4 = nodeKeys(m.graph, a.order, weights, [{ kind: 'random', nodeId: 'signal', seed: 4 }], 1, PRECISION);
    expect(changed(before.float, k4.float).size).toBe(a.order.length);
  });
});
