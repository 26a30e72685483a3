// Generator, reuse-factor rules and the Conv-family fixed-point kernels (engine side; the g++ matrix is in
// electron/services/csim/conv-matrix.test.ts).
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../diagnostics/diagnostics';
import { randomTensor, transpose, type Tensor } from '../tensor/tensor';
import { generateProject } from './generate';
import { convCaseConfig, convCaseModel, type ConvCase } from './conv-cases';
import { checkReuseFactor, divisors, nearestValid, validReuseFactors, checkParallelizationFactor } from './reuse';
import { defaultHlsConfig } from './config';
import { resolveGraph, layerContext } from './resolve';
import { simulateFixed } from './simulate';
import { fixedVsFloat } from '../fixed/tensor';
import { simulateFloat } from '../sim/float';
import { fixedValues } from '../fixed/tensor';
import { getOp } from '../ops/registry';
import { addNode, connect } from '../graph/edit';
import { phaseTapLists } from '../ops/conv/hls';
import { resolveGeometry, type ConvParams } from '../ops/conv/params';
import { quantizeValues } from '../fixed/arith';
import { fixedTypeOf } from '../fixed/types';
import { layerHwOptions } from './options';

// Minimal template contents: the generator only copies them (their real compile is the csim matrix).
const TEMPLATES = { 'nnet_common.h': '// common\n', 'nnet_conv.h': '// conv\n', 'nnet_conv_transpose.h': '// convT\n', 'nnet_conv_common.h': '// cc\n' };

const base: ConvCase = { name: 'x', op: 'ConvTranspose2D', size: [3, 4], cin: 3, cout: 2, kernel: [3, 3], stride: [2, 2], padsBegin: [1, 0], padsEnd: [0, 1], io: 'io_stream' };

describe('reuse factor rules', () => {
  it('valid RFs are the divisors of the products per pixel; nearest values below and above', () => {
    expect(divisors(12)).toEqual([1, 2, 3, 4, 6, 12]);
    expect(validReuseFactors([{ label: 'w', products: 18, nIn: 9, nOut: 2 }])).toEqual([1, 2, 3, 6, 9, 18]);
    expect(validReuseFactors([])).toEqual([1]);
    expect(nearestValid([1, 2, 3, 6, 9, 18], 7)).toEqual([6, 9]);
    expect(nearestValid([1, 2, 3, 6, 9, 18], 40)).toEqual([18]);
  });

  it('ConvTranspose: one block per phase, padded to the largest phase (k3 s2 → taps {2,0} and {1})', () => {
    expect(phaseTapLists(3, 2, 1)).toEqual([[2, 0], [1]]);
    expect(phaseTapLists(3, 2, 2)).toEqual([[2, 1, 0], []]);
    expect(phaseTapLists(4, 3, 1)).toEqual([[3, 0], [1], [2]]);
    const model = convCaseModel(base);
    const r = resolveGraph(model, defaultHlsConfig());
    const ctx = layerContext(model, r.byId.layer);
    const blocks = getOp('ConvTranspose2D')!.hls!.productBlocks(ctx);
    expect(blocks.map((b) => b.label)).toEqual(['phase (0,0)', 'phase (0,1)', 'phase (1,0)', 'phase (1,1)']);
    // cin 3 × 2×2 taps (padded) × cout 2 = 24 products in every phase; real terms 12, 6, 6, 3.
    expect(blocks.map((b) => b.products)).toEqual([24, 24, 24, 24]);
    expect(blocks.map((b) => b.nIn)).toEqual([12, 6, 6, 3]);
  });

  it('layerHwOptions lists the valid RF / PF sets, multipliers and the current values for the UI', () => {
    const model = convCaseModel(base);
    const [o] = layerHwOptions(model, defaultHlsConfig({ io: 'io_parallel', defaults: { reuseFactor: 5, parallelizationFactor: 4 } }));
    expect(o).toMatchObject({ name: 'conv', type: 'ConvTranspose2D', reuseFactors: [1, 2, 3, 4, 6, 8, 12, 24], parallelizationFactors: divisors(6 * 8) });
    expect(o.perBlock.map((b) => b.label)).toEqual(['phase (0,0)', 'phase (0,1)', 'phase (1,0)', 'phase (1,1)']);
    expect(o.multipliers[4]).toBe(6);
    expect(o.current).toEqual({ reuseFactor: 5, parallelizationFactor: 4, reuseValid: false, parallelizationValid: true });
    const [s] = layerHwOptions(model, defaultHlsConfig({ io: 'io_stream' }));
    expect(s.parallelizationFactors).toEqual([1]);
  });

  it('a project-wide RF / PF applies where a layer can use it; a layer\'s own value stays strict', () => {
    const conv = convCaseModel({ ...base, io: 'io_parallel' });
    const withRelu = addNode(conv.graph, 'ReLU', { name: 'act' });
    const graph = connect(withRelu.graph, 'layer', withRelu.node.id).graph;
    const model = { ...conv, graph };
    const projectWide = resolveGraph(model, defaultHlsConfig({ io: 'io_parallel', defaults: { reuseFactor: 4, parallelizationFactor: 2 } }), { hardware: true });
    expect(projectWide.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(projectWide.byId.layer.config).toMatchObject({ reuseFactor: 4, parallelizationFactor: 2 });
    expect(projectWide.byId[withRelu.node.id].config).toMatchObject({ reuseFactor: 1, parallelizationFactor: 1 });
    const own = resolveGraph(model, defaultHlsConfig({ io: 'io_parallel', layers: { act: { reuseFactor: 4 } } }), { hardware: true });
    expect(own.diagnostics.map((d) => d.message).join('\n')).toMatch(/act: reuseFactor = 4 breaks the rule a layer without multipliers takes reuse factor 1/);
  });

  it('an invalid RF is an error naming the field, the products, the valid set and the nearest values', () => {
    const sink = new DiagnosticSink('n1', 'up1');
    expect(checkReuseFactor(5, [{ label: 'w', products: 24, nIn: 12, nOut: 2 }], sink)).toBe(false);
    expect(sink.items[0].message).toBe('up1: reuseFactor = 5 breaks the rule the reuse factor divides the 24 products per output pixel (valid: 1, 2, 3, 4, 6, 8, 12, 24); use 4 or 6.');
    const s2 = new DiagnosticSink('n1', 'up1');
    checkParallelizationFactor(4, 'io_parallel', 30, s2);
    expect(s2.items[0].message).toMatch(/parallelizationFactor = 4 breaks the rule the parallelization factor divides the 30 output pixels \(valid: 1, 2, 3, 5, 6, 10, 15, 30\); use 3 or 5/);
  });
});

describe('generator', () => {
  it('deferred: what g++ reads comes first, the test vectors and synthesis lists from rest(); together the same bytes', () => {
    const model = convCaseModel(base, 3);
    const cfg = convCaseConfig(base, model, 'det');
    const whole = generateProject({ model, config: cfg, templates: TEMPLATES });
    const first = generateProject({ model, config: cfg, templates: TEMPLATES, deferred: true });
    expect(first.sim).toBeNull();
    const later = Object.keys(first.files!).filter((f) => f.startsWith('tb_data/') || f.endsWith('.inc'));
    expect(later).toEqual([]);
    const rest = first.rest!();
    expect(Object.keys(rest.files).sort()).toEqual(Object.keys(whole.files!).filter((f) => f.startsWith('tb_data/')).sort());
    expect(Object.keys(rest.synthesis).sort()).toEqual(Object.keys(whole.files!).filter((f) => f.endsWith('.inc')).sort());
    expect({ ...first.files, ...rest.files, ...rest.synthesis }).toEqual(whole.files);
    expect(rest.sim.outputs).toEqual(whole.sim!.outputs);
    // inputs the run would refuse are refused at once, with the same diagnostic
    const bad = { x: randomTensor([2, 3, 3, 5], 1) };
    const refused = generateProject({ model, config: cfg, templates: TEMPLATES, inputs: bad });
    const refusedFirst = generateProject({ model, config: cfg, templates: TEMPLATES, inputs: bad, deferred: true });
    expect(refused.files).toBeNull();
    expect(refusedFirst.files).toBeNull();
    expect(refusedFirst.diagnostics.map((d) => d.message)).toEqual(refused.diagnostics.map((d) => d.message));
    expect(refusedFirst.diagnostics.map((d) => d.code)).toContain('sim-input-shape');
  });

  it('is deterministic: the same input gives byte-identical files; a weight change changes weights and hash', () => {
    const model = convCaseModel(base, 3);
    const cfg = convCaseConfig({ ...base, rf: 'min', strategy: 'resource' }, model, 'det', 2);
    const a = generateProject({ model, config: cfg, templates: TEMPLATES });
    const b = generateProject({ model: convCaseModel(base, 3), config: { ...cfg }, templates: { ...TEMPLATES } });
    expect(a.files).not.toBeNull();
    expect(Object.keys(a.files!)).toEqual(Object.keys(b.files!));
    for (const k of Object.keys(a.files!)) expect(b.files![k], k).toEqual(a.files![k]);
    const changed = convCaseModel(base, 3);
    changed.weights.layer.weight.data[5] += 0.25;
    const c = generateProject({ model: changed, config: cfg, templates: TEMPLATES });
    expect(c.files!['tessera.json']).not.toEqual(a.files!['tessera.json']);
    const values = ['firmware/weights/w_layer1_conv.inc', 'firmware/weights/values/layer1_conv.cpp'];
    for (const f of values) expect(c.files![f], f).not.toEqual(a.files![f]);
    expect(c.files!['firmware/weights/w_layer1_conv.h']).toEqual(a.files!['firmware/weights/w_layer1_conv.h']); // declarations only
    // Weight text is remembered by content across generations (a sweep's variants): the first weights again give the first text.
    const again = generateProject({ model: convCaseModel(base, 3), config: cfg, templates: TEMPLATES });
    const changedAgain = generateProject({ model: changed, config: cfg, templates: TEMPLATES });
    for (const f of values) {
      expect(again.files![f], f).toEqual(a.files![f]);
      expect(changedAgain.files![f], f).toEqual(c.files![f]);
    }
    const json = JSON.parse(a.files!['tessera.json'] as string);
    expect(json.layers[1]).toMatchObject({ type: 'ConvTranspose2D', strategy: 'resource', reuseFactor: 2, validReuseFactors: [1, 2, 3, 4, 6, 8, 12, 24], multipliers: 12 });
    expect(a.files!['hls_config.cfg']).toMatch(/syn\.top=det/);
    expect(a.files!['build_prj.tcl']).toMatch(/set_top det/);
    expect((a.files!['tb_data/inputs.dat'] as string).trim().split('\n')).toHaveLength(2);
  });

  it('a weight array has the same values twice: the synthesis list (16 a row, in its .inc) and the packed C-simulation string (csim_values.cpp, its layer\'s part)', () => {
    const model = convCaseModel({ ...base, cin: 5, cout: 7 }, 6);
    const g = generateProject({ model, config: convCaseConfig({ ...base, cin: 5, cout: 7 }, model, 'two'), templates: TEMPLATES });
    const text = g.files!['firmware/weights/w_layer1_conv.h'] as string;
    const [, w, i] = /values of ap_fixed<(\d+),(-?\d+)>/.exec(text)!.map(Number) as number[];
    const [, n] = /\[(\d+)\] = \{\n#include "w_layer1_conv\.inc"\n\};/.exec(text)!.map(Number) as number[];
    const rows = (g.files!['firmware/weights/w_layer1_conv.inc'] as string).replace(/\n$/, '').split(',\n');
    expect(rows.slice(0, -1).every((r) => r.startsWith('    ') && r.split(', ').length === 16)).toBe(true);
    const listed = rows.join(', ').split(',').map(Number);
    expect(listed).toHaveLength(n);
    // The packed string: C escapes undone, little-endian two's complement of packedBytes bytes, times 2^-F.
    expect(g.files!['firmware/weights/csim_values.cpp']).toMatch(/^#include "values\/layer1_conv\.cpp"$/m);
    const csim = g.files!['firmware/weights/values/layer1_conv.cpp'] as string;
    const own = csim.slice(csim.indexOf('extern const char w_layer1_conv_packed[] =\n'));
    const literal = [...own.slice(0, own.indexOf('";\n') + 1).matchAll(/^"(.*)"$/gm)].map((m) => m[1]).join(''); // an escaped " cannot end it early
    const bytes: number[] = [];
    for (let k = 0; k < literal.length; k++) {
      if (literal[k] === '\\') {
        bytes.push(parseInt(literal.slice(k + 1, k + 4), 8));
        k += 3;
      } else bytes.push(literal.charCodeAt(k));
    }
    const per = Math.ceil(w / 8); // ap_fixed is signed: W bits (packedBytes)
    expect(bytes).toHaveLength(n * per);
    const packed = Array.from({ length: n }, (_, k) => {
      let v = 0;
      for (let b = per - 1; b >= 0; b--) v = v * 256 + bytes[k * per + b];
      if (v >= 2 ** (8 * per - 1)) v -= 2 ** (8 * per);
      return v * 2 ** -(w - i);
    });
    expect(listed).toEqual(packed);
    expect(new Set(listed).size).toBeGreaterThan(10);
  });

  it('writes the HLS.md layout with config structs, weights and the call', () => {
    const model = convCaseModel(base, 4);
    const g = generateProject({ model, config: convCaseConfig(base, model, 'lay'), templates: TEMPLATES });
    const f = g.files!;
    expect(Object.keys(f)).toEqual(expect.arrayContaining(['firmware/lay.cpp', 'firmware/lay.h', 'firmware/defines.h', 'firmware/parameters.h', 'firmware/weights/w_layer1_conv.h', 'firmware/weights/w_layer1_conv.inc', 'firmware/weights/b_layer1_conv.h', 'firmware/weights/csim_values.cpp', 'firmware/nnet/nnet_conv_transpose.h', 'tb/lay_test.cpp', 'tb_data/inputs.dat', 'tb_data/expected.dat', 'build_prj.tcl', 'hls_config.cfg', 'tessera.json']));
    expect(f['firmware/parameters.h']).toMatch(/struct config_layer1_conv : nnet::conv_transpose_config \{/);
    expect(f['firmware/parameters.h']).toMatch(/static const unsigned phase_taps_height = 2;/);
    expect(f['firmware/parameters.h']).toMatch(/static const unsigned pad_top = 1;/);
    expect(f['firmware/lay.cpp']).toMatch(/nnet::conv_transpose_2d_stream<layer0_x_px, layer1_conv_px, config_layer1_conv>\(layer0_x_in, layer1_conv_out, w_layer1_conv, b_layer1_conv\);/);
    expect(f['firmware/lay.cpp']).toMatch(/#pragma HLS DATAFLOW/);
  });

  it('reports invalid RF, bad type strings, unsupported widths and a bad top as diagnostics (no throw)', () => {
    const model = convCaseModel(base, 5);
    const cfg = defaultHlsConfig({
      top: '9bad',
      defaults: { reuseFactor: 5, precision: { weight_t: 'ap_fixd<8,2>', accum_t: 'ap_fixed<200,20>' } },
      layers: { conv: { parallelizationFactor: 7 }, nosuch: { reuseFactor: 2 } },
      io: 'io_stream',
    });
    const g = generateProject({ model, config: cfg, templates: TEMPLATES });
    expect(g.files).toBeNull();
    const msgs = g.diagnostics.map((d) => d.message).join('\n');
    expect(msgs).toMatch(/HLS project: top = "9bad" breaks the rule a C identifier \(letters, digits and _, not starting with a digit\)/);
    expect(msgs).toMatch(/conv: precision\.weight_t = "ap_fixd<8,2>" breaks the rule type has one of the forms/);
    expect(msgs).toMatch(/conv: precision\.accum_t = "ap_fixed<200,20>" breaks the rule W ≤ 128/);
    expect(msgs).toMatch(/conv: reuseFactor = 5 breaks the rule the reuse factor divides the products of every phase .*; use 4 or 6/);
    expect(msgs).toMatch(/conv: parallelizationFactor = 7 breaks the rule io_stream layers take parallelization factor 1/);
    expect(g.diagnostics.find((d) => d.code === 'hls-layer-unknown')?.severity).toBe('warning');
    const wide = generateProject({ model, config: defaultHlsConfig({ defaults: { precision: { result_t: 'ap_fixed<60,20>' } } }), templates: TEMPLATES });
    expect(wide.files).toBeNull();
    expect(wide.diagnostics.map((d) => d.message).join('\n')).toMatch(/conv: precision\.result_t = "ap_fixed<60,20>" breaks the rule tensor types between layers have W ≤ 53/);
    const missing = generateProject({ model, config: defaultHlsConfig(), templates: { 'nnet_common.h': '' } });
    expect(missing.diagnostics.map((d) => d.message).join('\n')).toMatch(/templates = "nnet_conv_transpose.h" breaks the rule/);
  });
});

/** Independent exact model of a ConvTranspose (scatter form, SEMANTICS.md) on already-quantized values, float64. */
function scatterConvT(x: Tensor, w: Tensor, b: Float64Array | null, p: ConvParams): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape;
  const g = resolveGeometry(p, [H, W]);
  const Cog = w.shape[1];
  const Co = Cog * g.groups;
  const Cig = C / g.groups;
  const [kh, kw] = g.kernel;
  const Ho = (H - 1) * g.stride[0] + (kh - 1) * g.dilation[0] + 1 - g.padsBegin[0] - g.padsEnd[0] + g.outputPadding[0];
  const Wo = (W - 1) * g.stride[1] + (kw - 1) * g.dilation[1] + 1 - g.padsBegin[1] - g.padsEnd[1] + g.outputPadding[1];
  const y = new Float64Array(N * Co * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let co = 0; co < Co; co++) for (let i = 0; i < Ho * Wo; i++) y[(n * Co + co) * Ho * Wo + i] = b ? b[co] : 0;
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < C; ci++)
      for (let ih = 0; ih < H; ih++)
        for (let iw = 0; iw < W; iw++)
          for (let t = 0; t < kh; t++)
            for (let u = 0; u < kw; u++) {
              const oh = ih * g.stride[0] + t * g.dilation[0] - g.padsBegin[0];
              const ow = iw * g.stride[1] + u * g.dilation[1] - g.padsBegin[1];
              if (oh < 0 || oh >= Ho || ow < 0 || ow >= Wo) continue;
              const grp = Math.floor(ci / Cig);
              for (let c = 0; c < Cog; c++) {
                y[((n * Co + grp * Cog + c) * Ho + oh) * Wo + ow] += x.data[((n * C + ci) * H + ih) * W + iw] * w.data[((ci * Cog + c) * kh + t) * kw + u];
              }
            }
  return { data: y, shape: [N, Co, Ho, Wo] };
}

describe('Conv-family fixed-point kernels', () => {
  it('ConvTranspose2D with an exact accumulator equals the scatter definition on the quantized values', () => {
    const cases: ConvCase[] = [
      base,
      { ...base, kernel: [2, 3], stride: [3, 2], dilation: [2, 1], outputPadding: [1, 1], padsBegin: [0, 2], padsEnd: [1, 0] },
      { ...base, cin: 4, cout: 4, groups: 2, kernel: [4, 1], stride: [1, 3] },
    ];
    const prec = { weight_t: 'ap_fixed<10,2>', bias_t: 'ap_fixed<12,4>', accum_t: 'ap_fixed<40,16>', result_t: 'ap_fixed<40,16>' };
    for (const c of cases) {
      const model = convCaseModel(c, 9);
      const x = randomTensor([2, c.cin, ...c.size], 11, -3, 3);
      const cfg = defaultHlsConfig({ defaults: { precision: { ...prec } }, layers: { x: { precision: { result_t: 'ap_fixed<12,4>' } } } });
      const fx = simulateFixed(model, { x }, cfg).outputs.conv;
      const q = (t: Tensor, ty: string): Tensor => ({ shape: t.shape, data: Float32Array.from(quantizeValues(t.data, fixedTypeOf(ty))) });
      const xw = model.weights.layer;
      const ref = scatterConvT(q(x, 'ap_fixed<12,4>'), q(xw.weight, prec.weight_t), quantizeValues(xw.bias.data, fixedTypeOf(prec.bias_t)), model.graph.nodes[1].params as unknown as ConvParams);
      expect(fx.shape).toEqual(ref.shape);
      expect(Array.from(fixedValues(fx))).toEqual(Array.from(ref.data));
    }
  });

  it('fixed vs float: error within the bound the types imply; NXC equals NCX transposed; images are independent', () => {
    const c: ConvCase = { ...base, op: 'Conv2D', size: [6, 5], stride: [1, 2], dilation: [2, 1], padsBegin: [1, 1], padsEnd: [2, 0] };
    const model = convCaseModel(c, 12);
    const x = randomTensor([3, c.cin, 6, 5], 13, -4, 4);
    const cfg = defaultHlsConfig({ defaults: { precision: { weight_t: 'ap_fixed<16,2>', bias_t: 'ap_fixed<16,2>', accum_t: 'auto', result_t: 'ap_fixed<20,8,AP_RND>' } } });
    const fx = simulateFixed(model, { x }, cfg).outputs.conv;
    const fl = simulateFloat(model, { x }).outputs.conv;
    const err = fixedVsFloat(fx, fl);
    const nTerms = c.cin * 9;
    // Input exact in ap_fixed<16,6> (2^-10 steps, |x| ≤ 4): rounding ≤ 2^-11 per input (TRN: < 2^-10) times |w| ≤ 1,
    // weights off by < 2^-14 times |x| ≤ 4; result rounding ≤ half an LSB of 2^-12.
    const bound = nTerms * (Math.pow(2, -10) + 4 * Math.pow(2, -14)) + Math.pow(2, -13) + 1e-4;
    expect(err.maxAbs).toBeLessThan(bound);
    expect(err.maxAbs).toBeGreaterThan(0);
    expect(err.maxLsb).toBe(err.maxAbs / Math.pow(2, -12));

    const nxc = convCaseModel({ ...c, dataFormat: 'NXC' }, 12);
    const fxNxc = simulateFixed(nxc, { x: transpose(x, [0, 2, 3, 1]) }, cfg).outputs.conv;
    const back = transpose({ shape: fxNxc.shape, data: Float32Array.from(fixedValues(fxNxc)) }, [0, 3, 1, 2]);
    expect(Array.from(back.data)).toEqual(Array.from(Float32Array.from(fixedValues(fx))));

    const one: Tensor = { shape: [1, c.cin, 6, 5], data: x.data.slice(2 * c.cin * 30) };
    const alone = fixedValues(simulateFixed(model, { x: one }, cfg).outputs.conv);
    const all = fixedValues(fx);
    expect(Array.from(alone)).toEqual(Array.from(all.slice(all.length - alone.length)));
  });

  it('a saturating accumulator saturates step by step in the documented order', () => {
    // One output, terms +3, +3, −3 (x = 1): AP_SAT ap_fixed<4,3> (max 3.5) gives 3 → 3.5 → 0.5; a modular sum gives 3.
    const model = convCaseModel({ name: 's', op: 'Conv1D', size: [3], cin: 1, cout: 1, kernel: [3], stride: [1], bias: false, io: 'io_parallel' });
    model.weights.layer.weight.data.set([3, 3, -3]);
    const x: Tensor = { shape: [1, 1, 3], data: Float32Array.from([1, 1, 1]) };
    const run = (acc: string) =>
      fixedValues(simulateFixed(model, { x }, defaultHlsConfig({ defaults: { precision: { weight_t: 'ap_fixed<8,4>', accum_t: acc, result_t: 'ap_fixed<8,4>' } } })).outputs.conv)[0];
    expect(run('ap_fixed<4,3,AP_TRN,AP_SAT>')).toBe(0.5);
    expect(run('ap_fixed<8,4>')).toBe(3);
  });
});
