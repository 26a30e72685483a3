// QKeras quantized_po2 on kernels and biases: values follow QKeras' definition (qkeras/quantizers.py:
// quantized_po2, _clip_power_of_two, _get_min_max_exponents), worked out by hand below; the imported weights are
// those powers of two, their type holds them exactly, and the preview equals TensorFlow.js running the float
// layers with the same powers of two (QKeras' forward pass).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { simulateFloat } from '../../sim/float';
import { randomTensor, type Tensor } from '../../tensor/tensor';
import { parseFixedType } from '../../fixed/types';
import { fixedValues, quantizeTensor } from '../../fixed/tensor';
import { importKerasH5, importKerasJson } from './import';
import { conv, dense, keras2H5, keras2Json, keras2WeightsH5, plain, type LayerSpec, type ModelSpec } from './writer.testutil';
import { parseQuantizer, po2Fit, po2Quantizer, po2Type, quantizePo2 } from './qkeras';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('quantized_po2 values (QKeras definition, worked by hand)', () => {
  it('exponent ranges: bits − 1 bits for the exponent, one of them its sign unless 0 ≤ max_value ≤ 1', () => {
    expect(po2Quantizer(4, null)).toMatchObject({ minExp: -4, maxExp: 3 }); // effective bits 4 − 1 − 1 = 2
    expect(po2Quantizer(4, 1)).toMatchObject({ minExp: -8, maxExp: 7 }); // no exponent sign: 3 bits
    expect(po2Quantizer(5, 4)).toMatchObject({ minExp: -8, maxExp: 7 }); // max_value > 1: exponent sign
    expect(po2Quantizer(8, null)).toMatchObject({ minExp: -64, maxExp: 63 });
    expect(po2Quantizer(4, null, 'rnd', true)).toMatchObject({ minExp: -4, maxExp: 2 }); // quadratic: even max
  });

  it('values: sign (0 is +) × 2^clip(round-half-even(log2 |x|)); |x| < 1e-7 gives 2^min_exp; max_value clips |x| first', () => {
    const q4 = po2Quantizer(4, null);
    const cases: [number, number][] = [
      [0, 2 ** -4], [-0, 2 ** -4], [1e-8, 2 ** -4], [-1e-8, -(2 ** -4)], // below epsilon
      [0.3, 0.25], [-0.3, -0.25], // log2 0.3 = −1.74 → −2
      [0.75, 1], [-0.75, -1], // log2 0.75 = −0.415 → 0
      [0.7, 0.5], // log2 0.7 = −0.515 → −1
      [1e-3, 2 ** -4], // −9.97 → −10, clipped to −4
      [100, 8], [-100, -8], // 6.64 → 7, clipped to 3
      [2, 2], [0.0625, 0.0625], [5, 4], [6, 8], // 2.32 → 2; 2.58 → 3
    ];
    for (const [x, want] of cases) expect(quantizePo2(Math.fround(x), q4), `po2(4) of ${x}`).toBe(want);
    const q41 = po2Quantizer(4, 1);
    expect([5, 0.3, 0, -2].map((x) => quantizePo2(x, q41))).toEqual([1, 0.25, 2 ** -8, -1]); // |x| ≥ 1 → 1
    const q54 = po2Quantizer(5, 4);
    expect([10, -10, 3.5, 0.001].map((x) => quantizePo2(Math.fround(x), q54))).toEqual([4, -4, 4, 2 ** -8]); // 0.001: −9.97 → −10 → −8
    const floor = po2Quantizer(4, null, 'floor');
    expect([0.75, 0.3, 1.99, 100].map((x) => quantizePo2(Math.fround(x), floor))).toEqual([0.5, 0.25, 1, 8]);
    const quad = po2Quantizer(4, null, 'rnd', true);
    // √0.3 = 0.548, log2 −0.87 → −1 → 2^−2; √3 → 0.79 → 1 → 2^2; √100 → 3.32 → 3, clipped to 2 → 2^4
    expect([0.3, 3, 100].map((x) => quantizePo2(Math.fround(x), quad))).toEqual([0.25, 4, 16]);
  });

  it('the type is the narrowest signed ap_fixed holding every value exactly', () => {
    expect(po2Type([0.25, -1, 0.0625, 8])).toBe('ap_fixed<9,5>');
    expect(po2Type([0.125, -0.0625])).toBe('ap_fixed<3,-1>');
    expect(po2Type([8, -2])).toBe('ap_fixed<5,5>');
    for (const values of [[0.25, -1, 0.0625, 8], [0.125, -0.0625], [8, -2], [-8, 2 ** -20]]) {
      const t = parseFixedType(po2Type(values));
      expect(t.ok).toBe(true);
      if (!t.ok) continue;
      expect(Array.from(fixedValues(quantizeTensor({ shape: [values.length], data: Float32Array.from(values) }, t.type)))).toEqual(values);
    }
  });

  it('values too small to share a type of at most 53 bits with the largest are flushed to 0 (QKeras gives 0 the smallest power)', () => {
    const q8 = po2Quantizer(8, null);
    const w = Float32Array.from([0.5, -2, 0, 2 ** -20].map((v) => quantizePo2(v, q8)));
    expect(w[2]).toBe(2 ** -64);
    expect(po2Type(w)).toBe('ap_fixed<67,3>'); // what the build refused (W > 53)
    const fit = po2Fit(w);
    expect(Array.from(fit.data)).toEqual([0.5, -2, 0, 2 ** -20]);
    expect(fit).toMatchObject({ type: 'ap_fixed<23,3>', flushed: 1, cutoff: -50 });
    expect(po2Fit(Float32Array.from([0.25, -1]))).toMatchObject({ type: 'ap_fixed<4,2>', flushed: 0 });
  });

  it('parses the call and the serialized forms; refuses what is not a deterministic power of two', () => {
    expect(parseQuantizer('quantized_po2(4, 1)', 'k')?.po2).toMatchObject({ minExp: -8, maxExp: 7, maxValue: 1 });
    expect(parseQuantizer({ class_name: 'quantized_po2', config: { bits: 5, max_value: null, use_stochastic_rounding: false, quadratic_approximation: false, qnoise_factor: 1, log2_rounding: 'floor' } }, 'k')?.po2)
      .toMatchObject({ minExp: -8, maxExp: 7, rounding: 'floor' });
    expect(() => parseQuantizer('quantized_po2(4, use_stochastic_rounding=True)', "layer 'd' kernel_quantizer")).toThrow(/layer 'd' kernel_quantizer quantized_po2: use_stochastic_rounding = true is not supported/);
    expect(() => parseQuantizer('quantized_po2(4, qnoise_factor=0.5)', 'k')).toThrow(/qnoise_factor = 0.5 is not supported/);
    expect(() => parseQuantizer('quantized_po2(4, log2_rounding="ceil")', 'k')).toThrow(/log2_rounding = "ceil"/);
    expect(() => parseQuantizer('quantized_po2(12)', 'k')).toThrow(/bits = 12 must be 2 … 8/);
  });
});

let seed = 9;
const rnd = (shape: number[], lo = -1.5, hi = 1.5) => randomTensor(shape, seed++, lo, hi);
const q = (layer: LayerSpec, cls: string, extra: Record<string, unknown>): LayerSpec => ({ ...layer, cls, config: { ...layer.config, kernel_range: null, bias_range: null, ...extra } });

describe('QKeras layers with quantized_po2 import', () => {
  const k1 = rnd([3, 2, 4]);
  const b1 = rnd([4]);
  const k2 = rnd([24, 3]);
  const b2 = rnd([3], -3, 3);
  const spec: ModelSpec = {
    kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 8, 2] }],
    layers: [
      q(conv('Conv1D', 'qc', 1, { filters: 4, kernel_size: [3], strides: [1], padding: 'valid' }, [k1, b1]), 'QConv1D', { kernel_quantizer: 'quantized_po2(4)', bias_quantizer: 'quantized_po2(5, 4)' }),
      plain('Flatten', 'f', { data_format: 'channels_last' }),
      q(dense('qd', { units: 3 }, [k2, b2]), 'QDense', { kernel_quantizer: { class_name: 'quantized_po2', config: { bits: 4, max_value: 1, use_stochastic_rounding: false, quadratic_approximation: false, qnoise_factor: 1, log2_rounding: 'rnd' } }, bias_quantizer: null }),
    ],
  };
  const po2 = (t: Tensor, bits: number, max: number | null) => ({ shape: t.shape, data: Float32Array.from(t.data, (v) => quantizePo2(v, po2Quantizer(bits, max))) });

  it('(.h5 and JSON + weights): weights are the powers of two, their types hold them, the preview equals TensorFlow.js with those weights', async () => {
    const floatSpec: ModelSpec = {
      ...spec,
      layers: [
        { ...conv('Conv1D', 'qc', 1, { filters: 4, kernel_size: [3], strides: [1], padding: 'valid' }, [po2(k1, 4, null), po2(b1, 5, 4)]) },
        plain('Flatten', 'f', { data_format: 'channels_last' }),
        dense('qd', { units: 3 }, [po2(k2, 4, 1), b2]),
      ],
    };
    const tm = await tf.models.modelFromJSON(keras2Json(floatSpec) as any);
    for (const l of floatSpec.layers) if (l.weights?.length) tm.getLayer(l.name).setWeights(l.weights.map((w) => tf.tensor(w.data, [...w.shape])));
    const x = rnd([1, 8, 2], -1, 1);
    const yt = tm.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor;
    const want = Float32Array.from(yt.dataSync());
    tf.dispose(yt);
    for (const r of [await importKerasH5(await keras2H5(spec)), await importKerasJson(JSON.stringify(keras2Json(spec)), await keras2WeightsH5(spec))]) {
      const byName = Object.fromEntries(r.model.graph.nodes.map((n) => [n.name, n]));
      const conv1 = r.model.weights[byName.qc.id];
      const dense1 = r.model.weights[byName.qd.id];
      // Every kernel value is ± a power of two in the quantizer's range, and they are not all the same.
      const kw = Array.from(conv1.weight.data);
      for (const v of kw) expect(Math.log2(Math.abs(v)) % 1 === 0 && Math.abs(v) >= 2 ** -4 && Math.abs(v) <= 8, String(v)).toBe(true);
      expect(new Set(kw).size).toBeGreaterThan(3);
      expect(Array.from(dense1.bias!.data)).toEqual(Array.from(b2.data)); // no bias quantizer: float
      const p = r.precisions;
      expect(p[byName.qc.id].weight_t).toBe(po2Type(conv1.weight.data));
      expect(p[byName.qc.id].bias_t).toBe(po2Type(conv1.bias!.data));
      expect(p[byName.qd.id].weight_t).toBe(po2Type(dense1.weight.data));
      expect(p[byName.qd.id].bias_t).toBeUndefined();
      for (const [id, field, slot] of [[byName.qc.id, 'weight_t', 'weight'], [byName.qc.id, 'bias_t', 'bias'], [byName.qd.id, 'weight_t', 'weight']] as const) {
        const t = parseFixedType(p[id][field]!);
        if (!t.ok) throw new Error(p[id][field]);
        const w = r.model.weights[id][slot]!;
        expect(Array.from(fixedValues(quantizeTensor(w, t.type))), `${field} holds the values exactly`).toEqual(Array.from(w.data));
      }
      const sim = simulateFloat(r.model, { x }, { keep: 'outputs' });
      const got = sim.outputs.qd;
      let err = 0;
      got.data.forEach((v, i) => (err = Math.max(err, Math.abs(v - want[i]))));
      expect(err).toBeLessThan(1e-5);
    }
  });

  it('on an activation it is refused naming layer and argument (powers of two are no fixed-point cast)', async () => {
    const bad: ModelSpec = { kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 4] }], layers: [plain('QActivation', 'qa', { activation: 'quantized_po2(4)' })] };
    const err = await importKerasH5(await keras2H5(bad)).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/qa.*activation.*quantized_po2 on computed data/);
  });
});
