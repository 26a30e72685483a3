// The fixed-point preview uses every per-layer precision field the inspector stores (weight_t, bias_t,
// accum_t incl. 'auto', result_t, table_t) over the project's default type, exactly as a hand-written
// engine configuration with those types computes.
import { describe, expect, it } from 'vitest';
import { compareFixed } from './simulate';
import { simulateFloat } from '../../engine/sim/float';
import { simulateFixed } from '../../engine/hls/simulate';
import { defaultHlsConfig } from '../../engine/hls/config';
import { fixedToTensor } from '../../engine/fixed/tensor';
import { convCaseModel } from '../../engine/hls/conv-cases';
import { seededRandom, type Tensor } from '../../engine/tensor/tensor';
import type { Model } from '../../engine/graph/model';
import type { PrecisionSpec } from '../../engine/fixed/precision';

/** x [2,6,5,3] NXC → Conv2D "conv" (4 filters 3×2) → Sigmoid "sig". Random weights and inputs. */
function model(): { m: Model; given: Record<string, { shape: number[]; data: Float32Array }> } {
  const m = convCaseModel({ name: 'pp', op: 'Conv2D', size: [6, 5], cin: 3, cout: 4, kernel: [3, 2], stride: [1, 1], dataFormat: 'NXC', io: 'io_parallel' }, 17);
  m.graph.nodes.push({ id: 'sg', type: 'Sigmoid', name: 'sig', params: {} });
  m.graph.edges.push({ id: 'e1', source: 'layer', sourcePort: 0, target: 'sg', targetPort: 0 });
  const rnd = seededRandom(4);
  const data = new Float32Array(2 * 6 * 5 * 3).map(() => rnd() * 5 - 2.2);
  return { m, given: { in: { shape: [2, 6, 5, 3], data } } };
}

/** The preview's fixed-point run with these per-layer choices on the graph's nodes (by node id). */
function run(m: Model, given: Record<string, Tensor>, float: Record<string, Tensor>, def: string, choices: Record<string, PrecisionSpec>) {
  const graph = { ...m.graph, nodes: m.graph.nodes.map((n) => (choices[n.id] ? { ...n, precision: choices[n.id] } : n)) };
  return compareFixed(graph, m.weights, given, float, def);
}

function values(r: ReturnType<typeof compareFixed>, id: string): number[] {
  return Array.from(r[id].tensor.data);
}

describe('fixed-point preview with per-layer precisions', () => {
  const { m, given } = model();
  const float = simulateFloat(m, given, { keep: 'all' }).values;

  it('uses accum_t and table_t (on the nodes) as the engine does with the same types', () => {
    const choices = { layer: { weight_t: 'ap_fixed<8,2>', accum_t: 'ap_fixed<11,3>', result_t: 'ap_fixed<10,3,AP_RND,AP_SAT>' }, sg: { table_t: 'ap_fixed<7,1>', result_t: 'ap_ufixed<9,1>' } };
    const got = run(m, given, float, 'ap_fixed<14,5>', choices);
    const cfg = defaultHlsConfig({
      defaults: { precision: { weight_t: 'ap_fixed<14,5>', bias_t: 'ap_fixed<14,5>', accum_t: 'ap_fixed<14,5>', result_t: 'ap_fixed<14,5>' } },
      layers: { conv: { precision: choices.layer }, sig: { precision: choices.sg } },
    });
    const want = simulateFixed(m, given, cfg).values;
    expect(values(got, 'layer')).toEqual(Array.from(fixedToTensor(want.layer).data));
    expect(values(got, 'sg')).toEqual(Array.from(fixedToTensor(want.sg).data));
    expect(got.sg.type).toBe('ap_ufixed<9,1>');

    // Each of the new fields changes the result (so the comparison above can fail).
    const noAccum = run(m, given, float, 'ap_fixed<14,5>', { ...choices, layer: { ...choices.layer, accum_t: undefined } });
    expect(values(noAccum, 'layer')).not.toEqual(values(got, 'layer'));
    const noTable = run(m, given, float, 'ap_fixed<14,5>', { ...choices, sg: { result_t: 'ap_ufixed<9,1>' } });
    expect(values(noTable, 'sg')).not.toEqual(values(got, 'sg'));
  });

  it("'auto' accum_t cannot overflow: the conv output equals the exact sum cast to result_t; fields an op does not use are ignored (a bad type anywhere is an error of the node: engine/graph/precision.test.ts)", () => {
    const auto = run(m, given, float, 'ap_fixed<9,3>', { layer: { accum_t: 'auto', result_t: 'ap_fixed<24,8>' }, sg: { accum_t: 'ap_fixed<2,1>', weight_t: 'ap_fixed<3,1>' } });
    const wide = run(m, given, float, 'ap_fixed<9,3>', { layer: { accum_t: 'ap_fixed<40,14>', result_t: 'ap_fixed<24,8>' } });
    expect(values(auto, 'layer')).toEqual(values(wide, 'layer'));
    expect(values(auto, 'sg')).toEqual(values(wide, 'sg'));
    const narrow = run(m, given, float, 'ap_fixed<9,3>', { layer: { result_t: 'ap_fixed<24,8>' } });
    expect(values(narrow, 'layer')).not.toEqual(values(auto, 'layer'));
  });
});
