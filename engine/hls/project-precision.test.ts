import { describe, expect, it } from 'vitest';
import { checkDefaultPrecision, checkPrecisionField, graphLayerPrecisions, precisionFieldsOf, previewHlsConfig, withProjectPrecision, PRECISION_FIELDS } from './project-precision';
import { opRegistry } from '../ops/registry';
import { resolveGraph } from './resolve';
import { convCaseModel } from './conv-cases';
import { formatFixedType } from '../fixed/types';

describe('precision fields per op', () => {
  it('accumulating ops have weight/bias/accum/result, table ops result and table, the rest result only', () => {
    for (const t of ['Conv1D', 'Conv2D', 'ConvTranspose1D', 'ConvTranspose2D', 'Dense', 'BatchNormalization']) expect(precisionFieldsOf(t), t).toEqual(['weight_t', 'bias_t', 'accum_t', 'result_t']);
    for (const t of ['Sigmoid', 'Tanh', 'Softmax', 'Selu']) expect(precisionFieldsOf(t), t).toEqual(['result_t', 'table_t']);
    for (const t of ['Input', 'ReLU', 'LeakyReLU', 'Add', 'Concatenate', 'MaxPool', 'UpSampling', 'Flatten']) expect(precisionFieldsOf(t), t).toEqual(['result_t']);
    expect(precisionFieldsOf('NoSuchOp')).toEqual(['result_t']);
    // Every registered op gets a subset of the canonical fields in canonical order, result_t always.
    for (const t of opRegistry.keys()) {
      const f = precisionFieldsOf(t);
      expect(f).toContain('result_t');
      expect(f).toEqual(PRECISION_FIELDS.filter((x) => f.includes(x)));
    }
  });
});

describe('per-layer choices in the graph', () => {
  it('are the nodes\' precisions: trimmed non-empty strings of the five fields, per node id', () => {
    const m = convCaseModel({ name: 'p', op: 'Conv2D', size: [5, 4], cin: 2, cout: 3, kernel: [3, 2], stride: [1, 1], dataFormat: 'NCX', io: 'io_parallel' }, 5);
    m.graph.nodes[1].precision = { weight_t: ' ap_fixed<8,3> ', accum_t: 'auto', bias_t: '  ' };
    expect(graphLayerPrecisions(m.graph)).toEqual({ [m.graph.nodes[1].id]: { weight_t: 'ap_fixed<8,3>', accum_t: 'auto' } });
  });
});

describe('field checks (the resolver\'s own rules)', () => {
  it('a bad string names the node, field, value, rule and fix; auto is valid for accum_t and result_t only; too wide for C++ is refused', () => {
    expect(checkPrecisionField('weight_t', 'ap_fixed<8,3>')).toEqual([]);
    expect(checkPrecisionField('accum_t', 'auto')).toEqual([]);
    expect(checkPrecisionField('result_t', 'AUTO')).toEqual([]);
    expect(checkPrecisionField('table_t', '')).toEqual([]);
    const typo = checkPrecisionField('weight_t', 'ap_fixd<4,1>', { id: 'n1', name: 'enc1' });
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatchObject({ nodeId: 'n1', field: 'precision.weight_t', value: 'ap_fixd<4,1>', code: 'precision-type' });
    expect(typo[0].message.startsWith('enc1: precision.weight_t = "ap_fixd<4,1>" breaks the rule ')).toBe(true);
    expect(typo[0].fix.length).toBeGreaterThan(5);
    const auto = checkPrecisionField('table_t', 'auto', { name: 'sig' });
    expect(auto[0]).toMatchObject({ code: 'precision-auto', field: 'precision.table_t' });
    expect(auto[0].message).toMatch(/^sig: precision\.table_t = "auto" breaks the rule 'auto' is only inferred for accum_t and result_t; give table_t a type/);
    expect(checkPrecisionField('bias_t', 'ap_fixed<129,9>')[0]).toMatchObject({ code: 'precision-width', field: 'precision.bias_t' });
    expect(checkPrecisionField('accum_t', 'ap_fixed<8,3,AP_RND_BAD>')[0].code).toBe('precision-type');
    // An Input's type is read as the generator reads it: 'auto' is no type there.
    expect(checkPrecisionField('result_t', 'auto', { name: 'x', type: 'Input' })[0].message).toMatch(/^x: precision\.result_t = "auto" breaks the rule /);
    expect(checkPrecisionField('result_t', 'ap_ufixed<8,1>', { type: 'Input' })).toEqual([]);
  });

  it('the project default must be a type', () => {
    expect(checkDefaultPrecision('ap_fixed<12,4>')).toEqual([]);
    expect(checkDefaultPrecision('')).toEqual([]);
    expect(checkDefaultPrecision('auto')[0].message).toBe(
      `defaultPrecision = "auto" breaks the rule the project default is a type (weights and biases need one); set it to a type such as ap_fixed<16,6>; 'auto' is a per-layer choice for accum_t and result_t.`,
    );
    expect(checkDefaultPrecision('fixed<8>')[0]).toMatchObject({ field: 'defaultPrecision', value: 'fixed<8>', code: 'precision-type' });
  });
});

describe('the preview configuration', () => {
  it('is the project default under per-layer choices by node id, with table_t keeping its own default', () => {
    const m = convCaseModel({ name: 'p', op: 'Conv2D', size: [5, 4], cin: 2, cout: 3, kernel: [3, 2], stride: [1, 1], dataFormat: 'NCX', io: 'io_parallel' }, 5);
    m.graph.nodes.push({ id: 'sm', type: 'Softmax', name: 'soft', params: { axis: 1 } });
    m.graph.edges.push({ id: 'e9', source: 'layer', sourcePort: 0, target: 'sm', targetPort: 0 });
    m.graph.nodes.find((n) => n.id === 'layer')!.precision = { accum_t: 'ap_fixed<24,10>', table_t: 'ap_fixed<9,9>' };
    m.graph.nodes.find((n) => n.id === 'sm')!.precision = { result_t: 'ap_ufixed<12,1>' };
    const cfg = previewHlsConfig(m.graph, { defaultPrecision: 'ap_fixed<10,5>' });
    expect(cfg.layers).toEqual({ conv: { precision: { accum_t: 'ap_fixed<24,10>' } }, soft: { precision: { result_t: 'ap_ufixed<12,1>' } } });
    const r = resolveGraph(m, cfg);
    expect(r.hasErrors).toBe(false);
    const by = Object.fromEntries(r.nodes.map((n) => [n.node.name, n]));
    expect(formatFixedType(by.x.outputType)).toBe('ap_fixed<10,5>');
    expect(formatFixedType(by.conv.config.precision.weight_t)).toBe('ap_fixed<10,5>');
    expect(formatFixedType(by.conv.config.precision.accum_t)).toBe('ap_fixed<24,10>');
    expect(formatFixedType(by.soft.config.precision.result_t)).toBe('ap_ufixed<12,1>');
    expect(by.soft.config.precision.table_t).toBeUndefined(); // ap_fixed<18,8> at the kernel (tableType)
  });

  it('a variant keyed by node id is merged under that key, not shadowed by a second entry', () => {
    const m = convCaseModel({ name: 'p', op: 'Conv1D', size: [6], cin: 2, cout: 2, kernel: [3], stride: [1], dataFormat: 'NXC', io: 'io_parallel' }, 2);
    m.graph.nodes.find((n) => n.id === 'layer')!.precision = { weight_t: 'ap_fixed<6,2>' };
    const out = withProjectPrecision({ defaults: {}, layers: { layer: { reuseFactor: 2 } } }, m.graph, {});
    expect(out.layers).toEqual({ layer: { reuseFactor: 2, precision: { weight_t: 'ap_fixed<6,2>' } } });
  });
});
