// The estimate of Tessera's own templates: the HLS.md targets (ConvTranspose costs what the Conv with the
// same MACs costs in io_parallel; io_stream ConvTranspose takes H_out·W_out steps at RF 1), the stream
// cursor against an independent count, the DSP/LUT rule, and the figures shape.
import { describe, expect, it } from 'vitest';
import { convCaseModel, type ConvCase } from '../hls/conv-cases';
import { defaultHlsConfig, type HlsConfig } from '../hls/config';
import { estimateDesign } from './graph';
import { dspPerMultiplier, estimateLayer, timingModel, bramForBank, fifoResources } from './model';
import { compareWithReport, formatEstimate, partResources } from './report';
import { randomTensor, seededRandom } from '../tensor/tensor';
import { CURRENT_GRAPH_VERSION } from '../graph/schema';
import type { Model } from '../graph/model';

function est(c: ConvCase, over: Partial<HlsConfig> = {}) {
  const model = convCaseModel(c, 3);
  const rf = typeof c.rf === 'number' ? c.rf : 1;
  const cfg = defaultHlsConfig({ io: c.io, defaults: { strategy: c.strategy ?? 'latency', precision: c.precision, reuseFactor: rf, parallelizationFactor: typeof c.pf === 'number' ? c.pf : 1 }, ...over });
  const r = estimateDesign(model, cfg);
  if (!r.report) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.report;
}

const within = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));

describe('io_parallel: ConvTranspose costs what the Conv with the same MACs costs (HLS.md, ±5 %)', () => {
  // ConvTranspose 2D: Cin 4 → Cout 6, kernel 4, stride 2: phases of 2×2 taps, 4·4·6 = 96 products per pixel, 5×5 → 12×12.
  // Conv 2D with 2×2 kernel, Cin 4 → Cout 6 (96 products per pixel) on 13×13 → 12×12 output pixels.
  const shapes: [ConvCase, ConvCase][] = [
    [
      { name: 'ct', op: 'ConvTranspose2D', size: [5, 5], cin: 4, cout: 6, kernel: [4, 4], stride: [2, 2], io: 'io_parallel' },
      { name: 'c', op: 'Conv2D', size: [13, 13], cin: 4, cout: 6, kernel: [2, 2], stride: [1, 1], io: 'io_parallel' },
    ],
    [
      // 1D, uneven phases (k 3, s 2: phases of 2 and 1 taps, padded to 2): 2·3·5 = 30 products, 7 → 15 pixels.
      { name: 'ct1', op: 'ConvTranspose1D', size: [7], cin: 3, cout: 5, kernel: [3], stride: [2], io: 'io_parallel' },
      { name: 'c1', op: 'Conv1D', size: [16], cin: 3, cout: 5, kernel: [2], stride: [1], io: 'io_parallel' },
    ],
  ];
  for (const [ct, c] of shapes) {
    for (const [rf, pf] of [[1, 1], [2, 1], [3, 1], [6, 1], [1, 3], [2, 3]]) {
      for (const strategy of ['latency', 'resource'] as const) {
        it(`${ct.op} vs ${c.op}, RF ${rf}, PF ${pf}, ${strategy}`, () => {
          const a = est({ ...ct, rf, pf, strategy });
          const b = est({ ...c, rf, pf, strategy });
          const la = a.layers[0], lb = b.layers[0];
          expect(la.iterations).toBe(lb.iterations);
          expect(la.multipliers).toBe(lb.multipliers);
          expect(within(a.latency.worst.cycles!, b.latency.worst.cycles!, 0.05)).toBe(true);
          expect(within(a.interval.min!, b.interval.min!, 0.05)).toBe(true);
          // Same multipliers; DSPs may differ only through the constant weights' values at RF 1.
          if (rf > 1) expect(a.resources.DSP.used).toBe(b.resources.DSP.used);
          // One reuse round per clock: (pixels / PF) · RF iterations at II 1.
          expect(la.ii).toBe(1);
          expect(la.iterations).toBe(((ct.op === 'ConvTranspose2D' ? 144 : 15) / pf) * rf);
        });
      }
    }
  }
});

describe('io_stream ConvTranspose: one output pixel per step at RF 1 (H_out·W_out), no end-of-row bursts', () => {
  const cases: ConvCase[] = [
    { name: 's2k4', op: 'ConvTranspose2D', size: [6, 7], cin: 3, cout: 4, kernel: [4, 4], stride: [2, 2], io: 'io_stream' },
    { name: 's2k3pad', op: 'ConvTranspose2D', size: [5, 6], cin: 2, cout: 3, kernel: [3, 3], stride: [2, 2], padsBegin: [1, 1], padsEnd: [0, 1], outputPadding: [1, 0], io: 'io_stream' },
    { name: 's3k2', op: 'ConvTranspose2D', size: [4, 5], cin: 2, cout: 2, kernel: [2, 2], stride: [3, 3], io: 'io_stream' },
    { name: 'dil', op: 'ConvTranspose2D', size: [5, 5], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], dilation: [2, 2], io: 'io_stream' },
    { name: '1d', op: 'ConvTranspose1D', size: [9], cin: 3, cout: 2, kernel: [5], stride: [2], io: 'io_stream' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = est(c);
      const l = r.layers[0];
      const [Ho, Wo] = c.size.length === 2 ? outSize(c) : [1, outSize(c)[0]];
      const W = c.size[c.size.length - 1];
      // Every output takes one step; the reads that must precede the first output are at most ~one input row.
      expect(l.iterations).toBeGreaterThanOrEqual(Ho * Wo);
      expect(l.iterations - Ho * Wo).toBeLessThanOrEqual(W + 2);
      expect(l.ii).toBe(1);
      // Steady state: the stage's latency is its steps plus a constant pipeline depth.
      expect(l.latency - l.iterations).toBeGreaterThanOrEqual(0);
      expect(l.latency - l.iterations).toBeLessThanOrEqual(8);
    });
  }

  it('uneven phases are reported as padded product slots', () => {
    const r = est({ name: 'u', op: 'ConvTranspose2D', size: [4, 4], cin: 2, cout: 3, kernel: [3, 3], stride: [2, 2], io: 'io_stream' });
    // k 3, s 2: phase tap counts 2 and 1 per axis → (2+1)² = 9 real of 4·4 = 16 padded slots.
    expect(r.layers[0].notes.some((n) => /padded to 2×2 taps: 56 % of the product slots/.test(n))).toBe(true);
  });

  it('RF 2: one reuse round per clock, two per output pixel; half the multipliers', () => {
    const c: ConvCase = { name: 'rf', op: 'ConvTranspose2D', size: [4, 4], cin: 2, cout: 4, kernel: [2, 2], stride: [2, 2], io: 'io_stream' };
    const a = est({ ...c, rf: 1 }).layers[0];
    const b = est({ ...c, rf: 2 }).layers[0];
    expect(a.ii).toBe(1);
    expect(b.ii).toBe(1);
    // The walk's 64 steps (one output each) plus one extra round per output pixel.
    expect(a.iterations).toBe(64);
    expect(b.iterations).toBe(64 + 64);
    expect(b.latency - a.latency).toBe(64);
    expect(b.multipliers * 2).toBe(a.multipliers);
  });
});

function outSize(c: ConvCase): number[] {
  return c.size.map((n, i) => {
    const k = c.kernel[i], s = c.stride[i], d = c.dilation?.[i] ?? 1;
    const pb = c.padsBegin?.[i] ?? 0, pe = c.padsEnd?.[i] ?? 0, op = c.outputPadding?.[i] ?? 0;
    return (n - 1) * s + (k - 1) * d + 1 - pb - pe + op;
  });
}

describe('stream Conv: the cursor reads every input once and writes every output once', () => {
  it('stride 1 same padding: one step per position of the padded input the outputs need', () => {
    const c: ConvCase = { name: 'same', op: 'Conv2D', size: [8, 9], cin: 3, cout: 4, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_stream' };
    const l = est(c).layers[0];
    // The window walks rows 0 … 8 (row 8 = the bottom padding the last output row needs) and columns 0 … 9.
    expect(l.iterations).toBe((8 + 1) * (9 + 1));
  });
  it('stride 2 valid: reads dominate (H·W steps)', () => {
    const c: ConvCase = { name: 'v', op: 'Conv2D', size: [9, 9], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], io: 'io_stream' };
    expect(est(c).layers[0].iterations).toBe(81);
  });
});

describe('resource rules', () => {
  it('DSP per product: narrow operands go to LUTs, 27×18 fits one DSP48E2, wider ones cascade', () => {
    expect(dspPerMultiplier(16, 16)).toBe(1);
    expect(dspPerMultiplier(8, 16)).toBe(0);
    expect(dspPerMultiplier(10, 27)).toBe(0);
    expect(dspPerMultiplier(11, 27)).toBe(1);
    expect(dspPerMultiplier(27, 18)).toBe(1);
    expect(dspPerMultiplier(32, 32)).toBe(2);
    expect(dspPerMultiplier(48, 30)).toBe(2);
  });
  it('narrow precision moves every product to LUTs', () => {
    const c: ConvCase = { name: 'n', op: 'Conv2D', size: [6, 6], cin: 3, cout: 4, kernel: [3, 3], stride: [1, 1], io: 'io_parallel', rf: 4 };
    const wide = est(c);
    const narrow = est({ ...c, precision: { weight_t: 'ap_fixed<8,3>', result_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<20,8>' } });
    expect(wide.resources.DSP.used).toBe(27);
    expect(narrow.resources.DSP.used).toBe(0);
    expect(narrow.layers[0].lutMultipliers).toBe(27);
    expect(narrow.resources.LUT.used!).toBeGreaterThan(wide.resources.LUT.used! - 200);
  });
  it('BRAM for big banks, LUTRAM/SRL for small ones, FIFOs by depth', () => {
    expect(bramForBank(1024, 18)).toBe(1);
    expect(bramForBank(64, 16)).toBe(0);
    expect(bramForBank(2048, 16)).toBe(2);
    expect(fifoResources(2, 64).BRAM_18K).toBe(0);
    expect(fifoResources(16, 64).LUTRAM).toBe(64);
    expect(fifoResources(4096, 48).BRAM_18K).toBeGreaterThanOrEqual(6);
  });
  it('random precisions and RFs: DSPs never exceed multipliers × cascade, latency grows with RF', () => {
    const rnd = seededRandom(11);
    for (let i = 0; i < 20; i++) {
      const cin = 1 + Math.floor(rnd() * 4), cout = 1 + Math.floor(rnd() * 5), k = 1 + Math.floor(rnd() * 3);
      const c: ConvCase = { name: 'r', op: 'Conv2D', size: [6, 5], cin, cout, kernel: [k, k], stride: [1, 1], io: rnd() < 0.5 ? 'io_parallel' : 'io_stream' };
      const P = cin * cout * k * k;
      const rf = [1, P].concat(P % 2 === 0 ? [2] : [])[Math.floor(rnd() * (P % 2 === 0 ? 3 : 2))];
      const r = est({ ...c, rf });
      const l = r.layers[0];
      expect(l.multipliers).toBe(P / rf);
      expect(r.resources.DSP.used!).toBeLessThanOrEqual(l.multipliers * 2);
      if (rf > 1) expect(r.latency.worst.cycles!).toBeGreaterThan(est({ ...c, rf: 1 }).latency.worst.cycles!);
    }
  });
});

describe('report shape', () => {
  it('labelled estimate, ns from the clock, percentages of the part, printable', () => {
    const c: ConvCase = { name: 'p', op: 'ConvTranspose2D', size: [4, 4], cin: 2, cout: 3, kernel: [3, 3], stride: [2, 2], io: 'io_stream' };
    const r = est(c, { clockPeriodNs: 4 });
    expect(r.source).toBe('estimate');
    expect(r.latency.worst.ns).toBeCloseTo(r.latency.worst.cycles! * 4, 6);
    expect(r.resources.DSP.available).toBe(12288);
    expect(r.resources.DSP.percent).toBeCloseTo((r.resources.DSP.used! / 12288) * 100, 1);
    expect(r.modules.length).toBe(1);
    const text = formatEstimate(r);
    expect(text).toMatch(/^ESTIMATE/);
    expect(text.split('\n').filter((l) => /\[estimate\]/.test(l)).length).toBe(3);
    expect(r.fit).toEqual({ part: r.part, fits: true, over: [] });
    expect(text).toContain(`fits ${r.part}   [estimate]`);
  });
  it('an invalid RF gives the generator diagnostics, no estimate', () => {
    const model = convCaseModel({ name: 'x', op: 'Conv2D', size: [4, 4], cin: 2, cout: 3, kernel: [3, 3], stride: [1, 1], io: 'io_parallel' });
    const r = estimateDesign(model, defaultHlsConfig({ defaults: { reuseFactor: 5 } }));
    expect(r.report).toBeNull();
    expect(r.diagnostics.some((d) => d.code === 'hls-reuse-factor')).toBe(true);
  });
  it('layer estimate is deterministic and timing-dependent', () => {
    const d = { name: 'd', type: 'Dense', kind: 'mac' as const, flavour: 'tessera' as const, outValuesPerPixel: 8, outPixels: 1, outBits: 16, inValuesPerPixel: 64, inPixels: 1, inBits: 16,
      schedule: { io: 'io_parallel' as const, strategy: 'latency' as const, reuseFactor: 1, parallelizationFactor: 1, iterations: 1, ii: 1, overhead: 0, looped: false },
      mac: { nIn: 64, nOut: 8, products: 512, dataBits: 16, weightBits: 16, accumBits: 24, hasBias: true } };
    const slow = estimateLayer(d, timingModel(10));
    const fast = estimateLayer(d, timingModel(2));
    expect(fast.latency).toBeGreaterThan(slow.latency);
    expect(slow.multipliers).toBe(512);
  });
});

describe('over-capacity and comparison', () => {
  it('notes every resource beyond the part, and compares with a report', () => {
    const c: ConvCase = { name: 'big', op: 'Conv2D', size: [4, 4], cin: 64, cout: 64, kernel: [3, 3], stride: [1, 1], io: 'io_parallel', precision: { weight_t: 'ap_fixed<18,4>' } };
    const r = est(c, { part: 'xc7z020-clg400-1' });
    expect(r.resources.DSP.percent!).toBeGreaterThan(100);
    expect(r.notes.some((n) => /^DSP \d+ exceeds the part's 220/.test(n))).toBe(true);
    // Does not fit, naming the part and every resource over it with its figures, most over first.
    expect(r.fit.fits).toBe(false);
    expect(r.fit.over[0]).toEqual({ resource: 'DSP', used: r.resources.DSP.used, available: 220, percent: r.resources.DSP.percent });
    expect(r.fit.over.map((o) => o.resource)).toEqual((['DSP', 'LUT', 'FF', 'BRAM_18K'] as const).filter((k) => r.resources[k].used! > r.resources[k].available!).sort((a, b) => r.resources[b].percent! - r.resources[a].percent!));
    expect(formatEstimate(r)).toMatch(new RegExp(`does not fit xc7z020-clg400-1: DSP ${r.resources.DSP.used} of 220 \\(${r.resources.DSP.percent} %\\)`));
    const small = est({ ...c, cin: 1, cout: 2 }, { part: 'xc7z020-clg400-1' });
    expect(small.notes.some((n) => /exceeds/.test(n))).toBe(false);
    expect(small.fit).toEqual({ part: 'xc7z020-clg400-1', fits: true, over: [] });
    // An unknown device: no answer rather than a wrong one.
    expect(est({ ...c, cin: 1, cout: 2 }, { part: 'xcfoo1-abc' }).fit).toEqual({ part: 'xcfoo1-abc', fits: null, over: [] });
    const text = compareWithReport(small, { ...small, latency: { ...small.latency, worst: { cycles: small.latency.worst.cycles! * 2, ns: null } } });
    expect(text).toMatch(/latency \(cycles\)\s+\d+\s+\d+\s+50%/);
  });
});

describe('parts', () => {
  it('resources come from the device, whatever the package, speed grade or temperature; unknown devices get a note', () => {
    expect(partResources('xcvu13p-fhga2104-3-e')).toEqual(partResources('xcvu13p-flga2577-2-e'));
    expect(partResources('XCU250-FIGD2104-2L-E')?.DSP).toBe(12288);
    expect(partResources('xczu7ev-ffvc1156-2-e')).toMatchObject({ DSP: 1728, BRAM_18K: 624, URAM: 96 });
    expect(partResources('xcku115-flvb2104-2-i')?.LUT).toBe(663360);
    expect(partResources('xc7a999t-csg324-1')).toBeNull();
    const c: ConvCase = { name: 'p', op: 'Conv2D', size: [4, 4], cin: 2, cout: 3, kernel: [3, 3], stride: [1, 1], io: 'io_parallel' };
    const known = est(c, { part: 'xczu3eg-sbva484-1-e' });
    expect(known.resources.DSP.available).toBe(360);
    const unknown = est(c, { part: 'xc7a999t-csg324-1' });
    expect(unknown.resources.DSP.percent ?? null).toBeNull();
    expect(unknown.notes).toContain('part xc7a999t-csg324-1 unknown to the estimator: no percentages');
  });
});

describe('io_stream whole design', () => {
  it('latency = pipeline fill + slowest stage; steady interval = slowest stage; Vitis reports ≥ latency', () => {
    const c: ConvCase = { name: 'w', op: 'ConvTranspose2D', size: [6, 6], cin: 2, cout: 3, kernel: [2, 2], stride: [2, 2], io: 'io_stream' };
    const vitis = est(c);
    const l = vitis.layers[0];
    expect(vitis.latency.worst.cycles).toBe(l.latency);
    expect(vitis.steadyInterval).toBe(l.interval);
    expect(vitis.interval.min).toBe(Math.max(l.interval, l.latency));
    const model = convCaseModel(c, 3);
    const viv = estimateDesign(model, defaultHlsConfig({ io: 'io_stream' }), { tool: 'vivado_hls' }).report!;
    expect(viv.interval.min).toBe(viv.steadyInterval);
  });
});

describe('a whole chain of Tessera layers (every layer kind gets a rule)', () => {
  // Input 4×8×8 (NCX) → Conv 3×3 same → BN → ReLU → MaxPool 2 → Flatten → Dense 5 → Softmax.
  const model = {
    graph: {
      version: CURRENT_GRAPH_VERSION,
      nodes: [
        { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 4, 8, 8], dataFormat: 'NCX' } },
        { id: 'c', type: 'Conv2D', name: 'conv', params: { filters: 6, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit' } },
        { id: 'bn', type: 'BatchNormalization', name: 'bn', params: { epsilon: 1e-3, dataFormat: 'NCX' } },
        { id: 'r', type: 'ReLU', name: 'relu', params: {} },
        { id: 'p', type: 'MaxPool', name: 'pool', params: { kernel: [2, 2], stride: [2, 2], padsBegin: [0, 0], padsEnd: [0, 0], dataFormat: 'NCX', ceilMode: false } },
        { id: 'f', type: 'Flatten', name: 'flat', params: { axis: 1 } },
        { id: 'd', type: 'Dense', name: 'fc', params: { units: 5, bias: true } },
        { id: 's', type: 'Softmax', name: 'prob', params: { axis: -1 } },
      ],
      edges: ['in', 'c', 'bn', 'r', 'p', 'f', 'd', 's'].slice(1).map((t, i, a) => ({ id: `e${i}`, source: i === 0 ? 'in' : a[i - 1], sourcePort: 0, target: t, targetPort: 0 })),
    },
    weights: {
      c: { weight: randomTensor([6, 4, 3, 3], 31, -0.8, 0.9), bias: randomTensor([6], 32, -0.2, 0.3) },
      bn: { gamma: randomTensor([6], 33, 0.5, 1.5), beta: randomTensor([6], 34, -0.5, 0.9), mean: randomTensor([6], 35, -0.3, 0.6), variance: randomTensor([6], 36, 0.2, 2.0) },
      d: { weight: randomTensor([96, 5], 37, -0.7, 1.1), bias: randomTensor([5], 38, -0.5, 0.8) },
    },
  } as Model;

  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(io, () => {
      const r = estimateDesign(model, defaultHlsConfig({ io }));
      expect(r.report, r.diagnostics.map((d) => d.message).join('; ')).not.toBeNull();
      const rep = r.report!;
      expect(rep.layers.map((l) => l.kind)).toEqual(['mac', 'elementwise', 'elementwise', 'pool', 'reorder', 'mac', 'table']);
      expect(rep.notes.filter((n) => /no estimate rule/.test(n))).toEqual([]);
      const conv = rep.layers[0];
      expect(conv.multipliers).toBe(6 * 4 * 9);
      // Dense: 96·5 products, all at once (RF 1), the softmax two tables.
      expect(rep.layers[5].multipliers).toBe(480);
      expect(rep.layers[6].resources.BRAM_18K).toBeGreaterThan(0);
      for (const l of rep.layers) {
        expect(Number.isFinite(l.latency) && l.latency >= 0).toBe(true);
        expect(Number.isFinite(l.resources.LUT) && l.resources.LUT >= 0).toBe(true);
      }
      if (io === 'io_stream') {
        // FIFOs between the 7 layers (6 internal tensors) are counted; the conv stage dominates.
        expect(conv.iterations).toBeGreaterThanOrEqual(64);
        expect(rep.latency.worst.cycles!).toBeGreaterThan(conv.latency);
      } else {
        expect(rep.latency.worst.cycles).toBe(rep.layers.reduce((a, l) => a + l.latency, 0));
      }
    });
  }
});

describe('constant weights at RF 1 (every op names its multiplied array through its cost hook)', () => {
  // Before the cost hook, the estimate looked for the weight array by a name ending in '_w' (Dense's); the
  // Conv family names it w_<layer>, so their constant-weight statistics were never computed.
  const cases: ConvCase[] = [
    { name: 'conv', op: 'Conv2D', size: [6, 5], cin: 3, cout: 4, kernel: [3, 3], stride: [1, 1], io: 'io_parallel' },
    { name: 'conv1d', op: 'Conv1D', size: [9], cin: 2, cout: 3, kernel: [3], stride: [1], io: 'io_stream' },
    { name: 'ct', op: 'ConvTranspose2D', size: [4, 4], cin: 2, cout: 3, kernel: [2, 2], stride: [2, 2], io: 'io_parallel' },
    { name: 'ct1d', op: 'ConvTranspose1D', size: [7], cin: 2, cout: 2, kernel: [4], stride: [2], io: 'io_stream' },
  ];
  /** The case's estimate with every weight set to `value` (0, a power of two, or a wide constant). */
  const withWeights = (c: ConvCase, value: (i: number) => number) => {
    const model = convCaseModel(c, 3);
    const w = model.weights.layer.weight;
    model.weights.layer.weight = { shape: w.shape, data: Float32Array.from(w.data, (_, i) => value(i)) };
    const r = estimateDesign(model, defaultHlsConfig({ io: c.io, defaults: { precision: { weight_t: 'ap_fixed<16,2>' } } }));
    if (!r.report) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
    return r.report.layers[0];
  };
  for (const c of cases) {
    it(`${c.op} ${c.io}: zero and power-of-two weights need no DSP, wide ones do`, () => {
      const zero = withWeights(c, () => 0);
      expect(zero.multipliers).toBeGreaterThan(0);
      expect(zero.resources.DSP).toBe(0);
      expect(zero.notes.some((n) => /constant weights: 0 % need a multiplier, 0 % are LUT shift-adds, 100 % zero/.test(n))).toBe(true);
      const pow2 = withWeights(c, (i) => (i % 2 ? 0.5 : -0.25));
      expect(pow2.resources.DSP).toBe(0);
      expect(pow2.lutMultipliers).toBe(pow2.multipliers);
      const wide = withWeights(c, (i) => 0.3 + 0.01 * (i % 7));
      expect(wide.resources.DSP).toBeGreaterThan(0);
      expect(wide.notes.some((n) => /constant weights: 100 % need a multiplier/.test(n))).toBe(true);
    });
  }
});
