import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { exportHls4mlConfig, hls4mlConfigToYaml, importHls4mlConfig, parseHls4mlYaml } from './config';
import { defaultHlsConfig, type HlsConfig, type LayerConfigSpec } from '../../hls/config';
import { resolveGraph } from '../../hls/resolve';
import { fixedType, formatFixedType, Q_MODES, O_MODES, parseFixedType, typesEqual } from '../../fixed/types';
import type { Model } from '../../graph/model';
import { randomTensor } from '../../tensor/tensor';
import { TesseraError } from '../../diagnostics/diagnostics';

// A small graph: Input → Conv2D → ReLU → Flatten → Dense.
function model(): Model {
  return {
    graph: {
      version: 1,
      nodes: [
        { id: 'in', type: 'Input', name: 'input_1', params: { shape: [1, 2, 6, 6] } },
        { id: 'c1', type: 'Conv2D', name: 'conv1', params: { filters: 3, kernel: [3, 3], bias: true } },
        { id: 'r1', type: 'ReLU', name: 'relu1', params: {} },
        { id: 'f', type: 'Flatten', name: 'flatten', params: {} },
        { id: 'd', type: 'Dense', name: 'fc1', params: { units: 4, bias: true } },
      ],
      edges: [
        { id: 'e1', source: 'in', sourcePort: 0, target: 'c1', targetPort: 0 },
        { id: 'e2', source: 'c1', sourcePort: 0, target: 'r1', targetPort: 0 },
        { id: 'e3', source: 'r1', sourcePort: 0, target: 'f', targetPort: 0 },
        { id: 'e4', source: 'f', sourcePort: 0, target: 'd', targetPort: 0 },
      ],
    },
    weights: {
      c1: { weight: randomTensor([3, 2, 3, 3], 1), bias: randomTensor([3], 2) },
      d: { weight: randomTensor([48, 4], 3), bias: randomTensor([4], 4) },
    },
  };
}

const canon = (s: string): string => {
  if (s === 'auto') return s;
  const r = parseFixedType(s);
  if (!r.ok) throw new Error(s);
  return formatFixedType(r.type, 'hls4ml');
};
/** The config with every type string in hls4ml spelling and empty precision blocks dropped. */
function normalize(c: HlsConfig): HlsConfig {
  const layer = (s: LayerConfigSpec): LayerConfigSpec => {
    const out: LayerConfigSpec = { ...s };
    if (s.precision && Object.keys(s.precision).length) out.precision = Object.fromEntries(Object.entries(s.precision).map(([k, v]) => [k, canon(v!)]));
    else delete out.precision;
    for (const k of Object.keys(out) as (keyof LayerConfigSpec)[]) if (out[k] === undefined) delete out[k];
    return out;
  };
  return { ...c, defaults: layer(c.defaults), layers: Object.fromEntries(Object.entries(c.layers).map(([k, v]) => [k, layer(v)])) };
}

const typeArb = fc
  .record({
    W: fc.integer({ min: 1, max: 40 }),
    dI: fc.integer({ min: -6, max: 10 }),
    signed: fc.boolean(),
    Q: fc.constantFrom(...Q_MODES),
    O: fc.constantFrom(...O_MODES),
    N: fc.integer({ min: 0, max: 2 }),
    style: fc.constantFrom('cpp' as const, 'hls4ml' as const),
  })
  .map(({ W, dI, signed, Q, O, N, style }) => formatFixedType(fixedType(W, W - dI, { signed: signed || O === 'AP_WRAP_SM', Q, O, N: Math.min(N, W) }), style));
const precisionArb = fc.record(
  { weight_t: typeArb, bias_t: typeArb, accum_t: fc.oneof(typeArb, fc.constant('auto')), result_t: fc.oneof(typeArb, fc.constant('auto')), table_t: typeArb },
  { requiredKeys: [] },
);
const layerArb = fc.record(
  {
    strategy: fc.constantFrom('latency' as const, 'resource' as const),
    reuseFactor: fc.integer({ min: 1, max: 1024 }),
    parallelizationFactor: fc.integer({ min: 1, max: 64 }),
    precision: precisionArb,
  },
  { requiredKeys: [] },
);
const cfgArb = fc
  .record({
    io: fc.constantFrom('io_parallel' as const, 'io_stream' as const),
    top: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
    part: fc.constantFrom('xcvu13p-flga2577-2-e', 'xc7z020clg400-1', 'xcu250-figd2104-2L-e'),
    clockPeriodNs: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.5, max: 20, noNaN: true })),
    defaults: layerArb,
    layers: fc.dictionary(fc.constantFrom('input_1', 'conv1', 'relu1', 'flatten', 'fc1'), layerArb),
    testImages: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    seed: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  })
  .map((c) => {
    const out: HlsConfig = { ...c };
    if (c.testImages === undefined) delete out.testImages;
    if (c.seed === undefined) delete out.seed;
    return out;
  });

describe('hls4ml config export → import', () => {
  it('is lossless through the dict and through YAML text (random configs)', () => {
    const m = model();
    fc.assert(
      fc.property(cfgArb, (cfg) => {
        const dict = exportHls4mlConfig(cfg, { model: m });
        const back = importHls4mlConfig(dict, { model: m });
        expect(back.messages).toEqual([]);
        expect(back.config).toEqual(normalize(cfg));
        const viaYaml = importHls4mlConfig(hls4mlConfigToYaml(dict), { model: m });
        expect(viaYaml.config).toEqual(normalize(cfg));
        // Types mean the same after the trip.
        for (const [name, spec] of Object.entries(cfg.layers)) {
          for (const [f, s] of Object.entries(spec.precision ?? {})) {
            const t = back.config.layers[name].precision![f as 'weight_t'];
            if (s === 'auto') expect(t).toBe('auto');
            else {
              const a = parseFixedType(s);
              const b = parseFixedType(t!);
              expect(a.ok && b.ok && typesEqual(a.type, b.type)).toBe(true);
            }
          }
        }
        expect(exportHls4mlConfig(back.config, { model: m })).toEqual(dict);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('writes the keys hls4ml reads, with hls4ml type strings', () => {
    const cfg = defaultHlsConfig({
      io: 'io_stream',
      part: 'xc7z020clg400-1',
      clockPeriodNs: 4,
      defaults: { strategy: 'resource', reuseFactor: 4, precision: { weight_t: 'ap_fixed<8,3>', result_t: 'ap_fixed<16,6,AP_RND_CONV,AP_SAT>' } },
      layers: { c1: { reuseFactor: 2, parallelizationFactor: 3, precision: { accum_t: 'auto' } } },
    });
    const y = parseYaml(hls4mlConfigToYaml(exportHls4mlConfig(cfg, { model: model() })));
    expect(y).toEqual({
      Backend: 'Vitis',
      Part: 'xc7z020clg400-1',
      ClockPeriod: 4,
      IOType: 'io_stream',
      ProjectName: 'myproject',
      HLSConfig: {
        Model: { Precision: { weight: 'fixed<8,3>', result: 'fixed<16,6,RND_CONV,SAT>' }, ReuseFactor: 4, Strategy: 'Resource' },
        LayerName: { conv1: { Precision: { accum: 'auto' }, ReuseFactor: 2, ParallelizationFactor: 3 } },
      },
    });
  });
});

describe('hls4ml config import', () => {
  const yaml = `
Backend: Vivado
Part: xcku115-flvb2104-2-i
ClockPeriod: 10
IOType: io_parallel
OutputDir: my-hls-test
HLSConfig:
  Model:
    Precision: ap_fixed<18,8>
    ReuseFactor: 2
    Strategy: Latency
  LayerType:
    Dense:
      ReuseFactor: 8
  LayerName:
    conv1:
      Precision:
        weight: ap_fixed<6,2>
        result: fixed<12,5,RND,SAT>
        scale: ap_fixed<10,3>
      ReuseFactor: 3
      Trace: true
    fc1:
      Strategy: Resource
    fc9:
      ReuseFactor: 4
    dense_missing:
      Precision: ap_fixed<8,2>
    relu1:
      ReuseFactor: 0
      Strategy: Dataflow
      Precision: {result: 'ap_fixed<8,x>'}
      Colour: blue
`;
  const r = importHls4mlConfig(yaml, { model: model() });

  it('applies Model defaults, LayerType and LayerName entries', () => {
    expect(r.config.part).toBe('xcku115-flvb2104-2-i');
    expect(r.config.clockPeriodNs).toBe(10);
    expect(r.config.defaults).toEqual({ strategy: 'latency', reuseFactor: 2, precision: { weight_t: 'ap_fixed<18,8>', bias_t: 'ap_fixed<18,8>', accum_t: 'ap_fixed<18,8>', result_t: 'ap_fixed<18,8>' } });
    expect(r.config.layers.conv1).toEqual({ reuseFactor: 3, precision: { weight_t: 'ap_fixed<6,2>', result_t: 'fixed<12,5,RND,SAT>' } });
    expect(r.config.layers.fc1).toEqual({ reuseFactor: 8, strategy: 'resource' });
  });

  it('reports unknown layer names, unknown keys and invalid values', () => {
    const byPath = Object.fromEntries(r.messages.map((m) => [m.path, m.message]));
    expect(byPath['HLSConfig.LayerName.fc9']).toMatch(/unknown layer name "fc9"/);
    expect(byPath['HLSConfig.LayerName.dense_missing']).toMatch(/unknown layer name "dense_missing"/);
    expect(byPath['HLSConfig.LayerName.relu1.ReuseFactor']).toMatch(/ReuseFactor 0 is not a whole number ≥ 1/);
    expect(byPath['HLSConfig.LayerName.relu1.Strategy']).toMatch(/Strategy "Dataflow" is not one Tessera implements/);
    expect(byPath['HLSConfig.LayerName.relu1.Precision.result']).toMatch(/precision "ap_fixed<8,x>" is not valid/);
    expect(byPath['HLSConfig.LayerName.relu1.Colour']).toMatch(/unknown key "Colour"/);
    expect(byPath['HLSConfig.LayerName.conv1.Precision.scale']).toMatch(/not used by Tessera/);
    expect(byPath['HLSConfig.LayerName.conv1.Trace']).toMatch(/does not use/);
    expect(byPath.OutputDir).toMatch(/does not use/);
    expect(r.messages).toHaveLength(9);
    expect(r.config.layers.relu1).toEqual({});
    expect(r.config.layers.fc9).toBeUndefined();
  });

  it('Model-level defaults reach layers without their own entry (resolved config)', () => {
    const m = model();
    const g = resolveGraph(m, r.config);
    expect(g.hasErrors).toBe(false);
    const by = (name: string) => g.nodes.find((n) => n.node.name === name)!.config;
    const f18 = formatFixedType(fixedType(18, 8));
    expect(formatFixedType(by('flatten').precision.result_t)).toBe(f18);
    expect(formatFixedType(by('fc1').precision.weight_t)).toBe(f18);
    expect(by('fc1').reuseFactor).toBe(8);
    expect(by('fc1').strategy).toBe('resource');
    expect(formatFixedType(by('conv1').precision.weight_t)).toBe('ap_fixed<6,2>');
    expect(formatFixedType(by('conv1').precision.bias_t)).toBe(f18);
    expect(formatFixedType(by('conv1').precision.result_t)).toBe('ap_fixed<12,5,AP_RND,AP_SAT>');
    expect(by('conv1').reuseFactor).toBe(3);
  });

  it('bad YAML and non-mappings are one clear error', () => {
    expect(() => parseHls4mlYaml('HLSConfig: [unclosed', 'c.yml')).toThrow(TesseraError);
    expect(() => parseHls4mlYaml('HLSConfig: [unclosed', 'c.yml')).toThrow(/^c\.yml is not valid YAML/);
    expect(() => parseHls4mlYaml('- a\n- b', 'c.yml')).toThrow(/not an hls4ml configuration: expected a YAML mapping with an HLSConfig key, got a list/);
    // Issue 12: an alias bomb ('billion laughs', 9^5 values from 200 bytes) is refused, not expanded.
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(', ')}]`)];
    expect(() => parseHls4mlYaml(levels.join('\n'), 'c.yml')).toThrow(/^c\.yml is not valid YAML: Excessive alias count/);
    expect(importHls4mlConfig({ Part: 'x' }).messages).toEqual([{ path: 'HLSConfig', message: 'missing: no Model or per-layer settings were imported' }]);
  });
});
