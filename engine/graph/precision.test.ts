// Per-layer precision in the graph document: the schema refuses a malformed one naming layer, field,
// value, rule and fix; analyzeGraph reports a type its field does not accept as an error of the node;
// the document round-trips it; version 1 documents migrate; imported precisions land on their nodes.
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './analyze';
import type { Graph } from './model';
import { nodePrecision, precisionFormProblems, withImportedPrecisions } from './precision';
import { CURRENT_GRAPH_VERSION, graphJsonSchema, parseGraphDocument, serializeGraph } from './schema';

function chain(): Graph {
  return {
    version: CURRENT_GRAPH_VERSION,
    nodes: [
      { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 4] } },
      { id: 'fc', type: 'Dense', name: 'fc', params: { units: 3 } },
      { id: 'act', type: 'Sigmoid', name: 'act', params: {} },
    ],
    edges: [
      { id: 'e1', source: 'in', sourcePort: 0, target: 'fc', targetPort: 0 },
      { id: 'e2', source: 'fc', sourcePort: 0, target: 'act', targetPort: 0 },
    ],
  };
}

describe('per-layer precision in the graph document', () => {
  it('round-trips through the document and JSON', () => {
    const g = chain();
    g.nodes[1].precision = { weight_t: 'ap_fixed<8,3>', accum_t: 'auto' };
    g.nodes[2].precision = { table_t: 'ap_fixed<14,3,AP_RND_CONV,AP_SAT>' };
    const back = parseGraphDocument(JSON.stringify(serializeGraph(g)));
    expect('graph' in back && back.graph).toEqual(g);
    // A node without choices carries no precision field at all.
    expect('precision' in serializeGraph({ ...g, nodes: [{ ...g.nodes[0], precision: {} }] }).nodes[0]).toBe(false);
  });

  it('a version 1 document (before precisions) migrates to the current version unchanged otherwise', () => {
    const v1 = { version: 1, nodes: [{ id: 'a', type: 'Input', name: 'a', params: { shape: [1, 2] } }], edges: [] };
    const r = parseGraphDocument(v1);
    expect('graph' in r && r.graph).toEqual({ ...v1, version: CURRENT_GRAPH_VERSION });
  });

  it('a malformed precision is refused, naming layer, field, value, rule and fix', () => {
    const cases: [unknown, RegExp][] = [
      [{ wieght_t: 'ap_fixed<8,3>' }, /layer "fc": precision\.wieght_t = "ap_fixed<8,3>" breaks the rule the precision fields are weight_t, bias_t, accum_t, result_t, table_t; remove "wieght_t"/],
      [{ weight_t: 8 }, /layer "fc": precision\.weight_t = 8 breaks the rule a precision is a type string .*; write the type as a string/],
      [{ result_t: 'ap_fixed<8,3>"); system("rm -rf /' }, /precision\.result_t = .* breaks the rule a type string holds letters, digits, _ < > , \+ - and spaces only; write a type such as/],
      [{ result_t: `ap_fixed<${'1'.repeat(100)},3>` }, /precision\.result_t = .*\(\d+ characters\).* at most 64 characters/],
      ['ap_fixed<8,3>', /layer "fc": precision = "ap_fixed<8,3>" breaks the rule precision is an object of type strings by field/],
    ];
    for (const [precision, re] of cases) {
      const g = chain() as unknown as { nodes: Record<string, unknown>[] };
      g.nodes[1].precision = precision;
      const r = parseGraphDocument(g);
      expect('error' in r && r.error, JSON.stringify(precision)).toMatch(re);
      expect(graphJsonSchema.safeParse(g).success).toBe(false);
    }
    expect(precisionFormProblems(undefined)).toEqual([]);
    expect(precisionFormProblems({ weight_t: 'ap_fixed<8,-2>', result_t: 'ap_ufixed<8, 1, AP_RND, AP_SAT>', accum_t: 'auto' })).toEqual([]);
  });

  it('a type its field does not accept is an error of the node (analyzeGraph), kept in the document', () => {
    const g = chain();
    g.nodes[0].precision = { result_t: 'auto' }; // an Input's data needs a type
    g.nodes[1].precision = { weight_t: 'ap_fixed<16', accum_t: 'auto' };
    g.nodes[2].precision = { table_t: 'ap_fixed<2000,6>' };
    const a = analyzeGraph(g);
    const errs = a.diagnostics.filter((d) => d.code.startsWith('precision-'));
    expect(errs.map((d) => [d.nodeId, d.field, d.value, d.severity])).toEqual([
      ['in', 'precision.result_t', 'auto', 'error'],
      ['fc', 'precision.weight_t', 'ap_fixed<16', 'error'],
      ['act', 'precision.table_t', 'ap_fixed<2000,6>', 'error'],
    ]);
    expect(a.nodes.fc.diagnostics.some((d) => d.code === 'precision-type')).toBe(true);
    expect(errs[1].message).toMatch(/^fc: precision\.weight_t = "ap_fixed<16" breaks the rule .*; .+\.$/);
    // Shapes still flow: a precision is no reason to stop inference.
    expect(a.nodes.act.outputShape).toEqual([1, 3]);
    const ok = chain();
    ok.nodes[1].precision = { weight_t: 'ap_fixed<8,3>', accum_t: 'auto', result_t: 'AUTO' };
    expect(analyzeGraph(ok).diagnostics.filter((d) => d.code.startsWith('precision-'))).toEqual([]);
  });

  it('imported precisions land on their nodes; auto only where it means something', () => {
    const g = withImportedPrecisions(chain(), {
      fc: { weight_t: 'ap_fixed<5,1>', bias_t: 'auto', accum_t: 'auto', result_t: 'auto' },
      act: { table_t: 'auto', result_t: ' ap_ufixed<8,0> ' },
      ghost: { result_t: 'ap_fixed<4,2>' },
    });
    expect(g.nodes.map((n) => n.precision)).toEqual([undefined, { weight_t: 'ap_fixed<5,1>', accum_t: 'auto', result_t: 'auto' }, { result_t: 'ap_ufixed<8,0>' }]);
    expect(nodePrecision({ precision: { weight_t: ' ', result_t: ' ap_fixed<4,2>' } })).toEqual({ result_t: 'ap_fixed<4,2>' });
  });
});
