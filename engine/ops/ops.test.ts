// Shape rules and float kernels of the non-conv ops, against hand-computed values and small
// independent references written here (plain index loops, no shared code with the kernels).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getOp } from './registry';
import { DiagnosticSink } from '../diagnostics/diagnostics';
import { randomTensor, sizeOf, stridesOf, tensor, transpose, type Shape, type Tensor } from '../tensor/tensor';
import { SELU_ALPHA, SELU_GAMMA } from './selu';

/** Parses params, infers the shape (expecting no diagnostics), runs the kernel and checks it agrees. */
function run(type: string, params: Record<string, unknown>, inputs: Tensor[], weights: Record<string, Tensor> = {}): Tensor {
  const op = getOp(type)!;
  expect(op, type).toBeDefined();
  const p = op.params.parse(params);
  const sink = new DiagnosticSink('n', type);
  const shape = op.infer(p, inputs.map((t) => t.shape), sink);
  expect(sink.items).toEqual([]);
  const slots = op.weights(p, inputs.map((t) => t.shape));
  for (const s of slots) expect(weights[s.name]?.shape, `${type} weight ${s.name}`).toEqual(s.shape);
  const out = op.float(p, inputs, weights);
  expect(out.shape).toEqual(shape);
  expect(out.data.length).toBe(sizeOf(out.shape));
  return out;
}

function inferOnly(type: string, params: Record<string, unknown>, shapes: Shape[]): Shape | null {
  const op = getOp(type)!;
  return op.infer(op.params.parse(params), shapes, new DiagnosticSink('n', type));
}

const get = (t: Tensor, idx: readonly number[]) => t.data[idx.reduce((o, v, i) => o + v * stridesOf(t.shape)[i], 0)];

function* indices(shape: Shape): Generator<number[]> {
  const idx = new Array<number>(shape.length).fill(0);
  const n = sizeOf(shape);
  for (let k = 0; k < n; k++) {
    yield [...idx];
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

function expectClose(a: Tensor, b: Tensor, tol = 1e-5) {
  expect(a.shape).toEqual(b.shape);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  expect(max).toBeLessThanOrEqual(tol);
}

const toNXC = (t: Tensor) => transpose(t, t.shape.length === 4 ? [0, 2, 3, 1] : [0, 2, 1]);
const toNCX = (t: Tensor) => transpose(t, t.shape.length === 4 ? [0, 3, 1, 2] : [0, 2, 1]);

describe('defaults', () => {
  it('every registered op parses {} into its defaults and has a shape rule', () => {
    for (const type of ['Input', 'Dense', 'Flatten', 'Reshape', 'Transpose', 'ReLU', 'LeakyReLU', 'Selu', 'Sigmoid', 'Tanh', 'Softmax',
      'BatchNormalization', 'ZeroPadding', 'UpSampling', 'MaxPool', 'AveragePool', 'Add', 'Concatenate']) {
      const op = getOp(type);
      expect(op?.type, type).toBe(type);
      expect(() => op!.params.parse({})).not.toThrow();
    }
    expect(getOp('Input')!.params.parse({})).toEqual({ shape: [1, 3, 16, 16], dataFormat: 'NCX' });
    expect(getOp('Selu')!.params.parse({})).toEqual({ alpha: SELU_ALPHA, gamma: SELU_GAMMA });
    expect(getOp('AveragePool')!.params.parse({})).toMatchObject({ kernel: [2], stride: [2], ceilMode: false, countIncludePad: false });
  });
});

describe('Input, Dense, Flatten, Reshape, Transpose', () => {
  it('Input returns its shape and passes the data through', () => {
    const x = randomTensor([2, 3, 4], 1);
    expect(run('Input', { shape: [2, 3, 4] }, [x])).toBe(x);
    expect(inferOnly('Input', { shape: [1, 8] }, [])).toEqual([1, 8]);
  });

  it('Dense works on the last axis with (in, units) weights', () => {
    const x = randomTensor([2, 3, 5], 2);
    const w = randomTensor([5, 4], 3);
    const b = randomTensor([4], 4);
    const y = run('Dense', { units: 4 }, [x], { weight: w, bias: b });
    expect(y.shape).toEqual([2, 3, 4]);
    for (const [n, r, u] of indices([2, 3, 4])) {
      let s = b.data[u];
      for (let i = 0; i < 5; i++) s += get(x, [n, r, i]) * get(w, [i, u]);
      expect(get(y, [n, r, u])).toBeCloseTo(s, 5);
    }
    // Hand-computed: x = [1, 2], w = [[1, 10], [100, 1000]] → [201, 2010], no bias.
    const h = run('Dense', { units: 2, bias: false }, [tensor([1, 2], [1, 2])], { weight: tensor([2, 2], [1, 10, 100, 1000]) });
    expect([...h.data]).toEqual([201, 2010]);
  });

  it('Flatten joins the axes before and after axis', () => {
    const x = randomTensor([2, 3, 4, 5], 5);
    expect(run('Flatten', {}, [x]).shape).toEqual([2, 60]);
    expect(run('Flatten', { axis: 2 }, [x]).shape).toEqual([6, 20]);
    expect(run('Flatten', { axis: 0 }, [x]).shape).toEqual([1, 120]);
    expect(run('Flatten', { axis: -1 }, [x]).shape).toEqual([24, 5]);
    expect([...run('Flatten', {}, [x]).data]).toEqual([...x.data]);
  });

  it('Reshape keeps the batch and infers −1', () => {
    const x = randomTensor([3, 4, 6], 6);
    expect(run('Reshape', { targetShape: [2, -1, 3] }, [x]).shape).toEqual([3, 2, 4, 3]);
    expect(run('Reshape', {}, [x]).shape).toEqual([3, 24]);
    const y = run('Reshape', { targetShape: [24] }, [x]);
    expect([...y.data]).toEqual([...x.data]);
  });

  it('Transpose moves axes; empty perm reverses', () => {
    const x = randomTensor([2, 3, 4], 7);
    const y = run('Transpose', { perm: [1, 2, 0] }, [x]);
    expect(y.shape).toEqual([3, 4, 2]);
    for (const [a, b, c] of indices(y.shape)) expect(get(y, [a, b, c])).toBe(get(x, [c, a, b]));
    const r = run('Transpose', {}, [x]);
    expect(r.shape).toEqual([4, 3, 2]);
    for (const [a, b, c] of indices(r.shape)) expect(get(r, [a, b, c])).toBe(get(x, [c, b, a]));
  });
});

describe('activations', () => {
  const x = tensor([1, 6], [-2, -0.5, 0, 0.25, 1, 3]);
  it('ReLU, LeakyReLU, Selu, Sigmoid, Tanh', () => {
    expect([...run('ReLU', {}, [x]).data]).toEqual([0, 0, 0, 0.25, 1, 3]);
    expect([...run('LeakyReLU', { alpha: 0.25 }, [x]).data]).toEqual([-0.5, -0.125, 0, 0.25, 1, 3]);
    expect(run('LeakyReLU', {}, [x]).data[0]).toBeCloseTo(-0.02, 7);
    const selu = run('Selu', {}, [x]);
    expect(selu.data[0]).toBeCloseTo(1.0507009873554805 * 1.6732632423543772 * (Math.exp(-2) - 1), 5);
    expect(selu.data[5]).toBeCloseTo(1.0507009873554805 * 3, 5);
    expect([...run('Selu', { alpha: 2, gamma: 0.5 }, [x]).data].map((v) => +v.toFixed(6))).toEqual(
      [-2, -0.5, 0, 0.25, 1, 3].map((v) => +(v > 0 ? 0.5 * v : 0.5 * 2 * (Math.exp(v) - 1)).toFixed(6)),
    );
    const sig = run('Sigmoid', {}, [x]);
    expect(sig.data[2]).toBe(0.5);
    expect(sig.data[4]).toBeCloseTo(0.7310585786, 6);
    expect(sig.data[0] + run('Sigmoid', {}, [tensor([1], [2])]).data[0]).toBeCloseTo(1, 6);
    const th = run('Tanh', {}, [x]);
    expect(th.data[4]).toBeCloseTo(0.7615941559, 6);
    expect(th.data[1]).toBeCloseTo(-0.4621171573, 6);
  });

  it('Softmax sums to 1 along its axis, for each axis', () => {
    const x = randomTensor([2, 3, 4, 5], 8, -4, 4);
    for (const axis of [0, 1, 2, 3, -1, -3]) {
      const y = run('Softmax', { axis }, [x]);
      const a = axis < 0 ? axis + 4 : axis;
      const reduced = x.shape.map((d, i) => (i === a ? 1 : d));
      for (const idx of indices(reduced)) {
        let sum = 0;
        for (let k = 0; k < x.shape[a]; k++) {
          const j = [...idx];
          j[a] = k;
          sum += get(y, j);
          // ratio to the first entry is exp(x_k − x_0)
          const j0 = [...idx];
          expect(get(y, j) / get(y, j0)).toBeCloseTo(Math.exp(get(x, j) - get(x, j0)), 3);
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    }
    // Default axis is the last; large values do not overflow.
    const big = run('Softmax', {}, [tensor([1, 3], [1000, 1001, 1002])]);
    const e = [1, Math.E, Math.E ** 2];
    const s = e[0] + e[1] + e[2];
    expect([...big.data].map((v) => +v.toFixed(6))).toEqual(e.map((v) => +(v / s).toFixed(6)));
  });
});

describe('BatchNormalization', () => {
  it('applies gamma·(x − mean)/sqrt(var + eps) + beta on the channel axis of each format', () => {
    const C = 3;
    const w = { gamma: randomTensor([C], 11), beta: randomTensor([C], 12), mean: randomTensor([C], 13), variance: randomTensor([C], 14, 0.1, 2) };
    const eps = 1e-3;
    for (const [shape, fmt, axis] of [[[2, 3, 4, 5], 'NCX', 1], [[2, 4, 5, 3], 'NXC', 3], [[2, 3, 7], 'NCX', 1], [[2, 7, 3], 'NXC', 2], [[4, 3], 'NXC', 1]] as const) {
      const x = randomTensor(shape, 15);
      const y = run('BatchNormalization', { epsilon: eps, dataFormat: fmt }, [x], w);
      for (const idx of indices(shape)) {
        const c = idx[axis];
        const want = (w.gamma.data[c] * (get(x, idx) - w.mean.data[c])) / Math.sqrt(w.variance.data[c] + eps) + w.beta.data[c];
        expect(get(y, idx)).toBeCloseTo(want, 5);
      }
    }
  });
});

describe('ZeroPadding and UpSampling', () => {
  it('ZeroPadding 1D by hand and 2D against an index reference', () => {
    const x = tensor([1, 1, 3], [1, 2, 3]);
    expect([...run('ZeroPadding', { padsBegin: [2], padsEnd: [1] }, [x]).data]).toEqual([0, 0, 1, 2, 3, 0]);
    const x2 = randomTensor([2, 3, 4, 5], 20);
    const y = run('ZeroPadding', { padsBegin: [1, 0], padsEnd: [2, 3] }, [x2]);
    expect(y.shape).toEqual([2, 3, 7, 8]);
    for (const [n, c, h, w] of indices(y.shape)) {
      const ih = h - 1;
      const inside = ih >= 0 && ih < 4 && w < 5;
      expect(get(y, [n, c, h, w])).toBe(inside ? get(x2, [n, c, ih, w]) : 0);
    }
  });

  it('UpSampling repeats each value scale times per axis', () => {
    const x = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    expect([...run('UpSampling', { scale: [2, 3] }, [x]).data]).toEqual([
      1, 1, 1, 2, 2, 2,
      1, 1, 1, 2, 2, 2,
      3, 3, 3, 4, 4, 4,
      3, 3, 3, 4, 4, 4,
    ]);
    expect([...run('UpSampling', { scale: [3] }, [tensor([1, 2, 2], [1, 2, 5, 6])]).data]).toEqual([1, 1, 1, 2, 2, 2, 5, 5, 5, 6, 6, 6]);
  });
});

/** Independent pooling reference on NCX data with explicit window loops over the padded input. */
function poolRef(x: Tensor, k: number[], s: number[], pb: number[], pe: number[], mode: 'max' | 'avg', includePad: boolean, ceil: boolean): Tensor {
  const sp = x.shape.slice(2);
  const outSp = sp.map((d, a) => {
    const span = d + pb[a] + pe[a] - k[a];
    let o = ceil ? Math.ceil(span / s[a]) + 1 : Math.floor(span / s[a]) + 1;
    if (ceil && (o - 1) * s[a] >= d + pb[a]) o--;
    return o;
  });
  const outShape = [x.shape[0], x.shape[1], ...outSp];
  const out = new Float32Array(sizeOf(outShape));
  let i = 0;
  for (const idx of indices(outShape)) {
    const vals: number[] = [];
    let padCount = 0;
    for (const t of indices(k)) {
      const pos = t.map((tt, a) => idx[2 + a] * s[a] - pb[a] + tt);
      const inPadded = pos.every((p, a) => p < sp[a] + pe[a]);
      const real = pos.every((p, a) => p >= 0 && p < sp[a]);
      if (real) vals.push(get(x, [idx[0], idx[1], ...pos]));
      else if (inPadded) padCount++;
    }
    out[i++] = mode === 'max' ? Math.max(...vals) : vals.reduce((a, b) => a + b, 0) / (vals.length + (includePad ? padCount : 0));
  }
  return { shape: outShape, data: out };
}

describe('MaxPool and AveragePool', () => {
  it('hand-computed 1D cases, including pads and ceil mode', () => {
    const x = tensor([1, 1, 5], [1, 5, 3, 4, 2]);
    expect([...run('MaxPool', { kernel: [2], stride: [2] }, [x]).data]).toEqual([5, 4]);
    expect([...run('MaxPool', { kernel: [2], stride: [2], ceilMode: true }, [x]).data]).toEqual([5, 4, 2]);
    expect([...run('AveragePool', { kernel: [2], stride: [2], ceilMode: true }, [x]).data]).toEqual([3, 3.5, 2]);
    const y = tensor([1, 1, 3], [1, 2, 3]);
    const ex = run('AveragePool', { kernel: [3], stride: [1], padsBegin: [1], padsEnd: [1] }, [y]);
    expect([...ex.data]).toEqual([1.5, 2, 2.5]);
    const inc = run('AveragePool', { kernel: [3], stride: [1], padsBegin: [1], padsEnd: [1], countIncludePad: true }, [y]);
    expect([...inc.data].map((v) => +v.toFixed(6))).toEqual([1, 2, +(5 / 3).toFixed(6)]);
    // Max ignores pads even when every real value is negative.
    const neg = run('MaxPool', { kernel: [2], stride: [1], padsBegin: [1], padsEnd: [1] }, [tensor([1, 1, 2], [-3, -5])]);
    expect([...neg.data]).toEqual([-3, -3, -5]);
  });

  it('2D random cases against the reference, both modes, pads, ceil', () => {
    const configs = [
      { k: [2, 2], s: [2, 2], pb: [0, 0], pe: [0, 0], ceil: false },
      { k: [3, 2], s: [2, 1], pb: [1, 0], pe: [2, 1], ceil: false },
      { k: [3, 3], s: [2, 3], pb: [1, 2], pe: [0, 1], ceil: true },
      { k: [2, 3], s: [3, 2], pb: [0, 1], pe: [1, 0], ceil: true },
      { k: [1, 4], s: [1, 1], pb: [0, 3], pe: [0, 3], ceil: false },
    ];
    let seed = 30;
    for (const c of configs) {
      const x = randomTensor([2, 3, 7, 6], seed++, -2, 2);
      const base = { kernel: c.k, stride: c.s, padsBegin: c.pb, padsEnd: c.pe, ceilMode: c.ceil };
      expectClose(run('MaxPool', base, [x]), poolRef(x, c.k, c.s, c.pb, c.pe, 'max', false, c.ceil), 0);
      expectClose(run('AveragePool', base, [x]), poolRef(x, c.k, c.s, c.pb, c.pe, 'avg', false, c.ceil));
      expectClose(run('AveragePool', { ...base, countIncludePad: true }, [x]), poolRef(x, c.k, c.s, c.pb, c.pe, 'avg', true, c.ceil));
    }
  });

  it('random 1D/2D configurations in both data formats match the reference (fast-check)', () => {
    const axis = fc.record({ size: fc.integer({ min: 1, max: 7 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), pb: fc.nat(3), pe: fc.nat(3) })
      .map((a) => ({ ...a, pb: a.pb % a.k, pe: a.pe % a.k, size: Math.max(a.size, a.k) }));
    fc.assert(
      fc.property(fc.array(axis, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1000 }), (axes, ceil, include, nxc, seed) => {
        const x = randomTensor([2, 3, ...axes.map((a) => a.size)], seed, -2, 2);
        const [k, s, pb, pe] = (['k', 's', 'pb', 'pe'] as const).map((f) => axes.map((a) => a[f]));
        const params = { kernel: k, stride: s, padsBegin: pb, padsEnd: pe, ceilMode: ceil, dataFormat: nxc ? 'NXC' : 'NCX' };
        const input = nxc ? toNXC(x) : x;
        const back = (t: Tensor) => (nxc ? toNCX(t) : t);
        expectClose(back(run('MaxPool', params, [input])), poolRef(x, k, s, pb, pe, 'max', false, ceil), 0);
        expectClose(back(run('AveragePool', { ...params, countIncludePad: include }, [input])), poolRef(x, k, s, pb, pe, 'avg', include, ceil));
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('output size rule: floor and ceil', () => {
    expect(inferOnly('MaxPool', { kernel: [3], stride: [2] }, [[1, 2, 10, 9]])).toEqual([1, 2, 4, 4]);
    expect(inferOnly('MaxPool', { kernel: [3], stride: [2], ceilMode: true }, [[1, 2, 10, 9]])).toEqual([1, 2, 5, 4]);
    // in 5, k 2, s 2, pads 1/1: ceil(5/2) + 1 = 4, but window 4 would start at (4−1)·2 − 1 = 5, in the end padding: dropped.
    expect(inferOnly('MaxPool', { kernel: [2], stride: [2], padsBegin: [1], padsEnd: [1], ceilMode: true }, [[1, 1, 5]])).toEqual([1, 1, 3]);
    expect(inferOnly('MaxPool', { kernel: [2], stride: [2], padsBegin: [1], ceilMode: true }, [[1, 1, 4]])).toEqual([1, 1, 3]);
    expect(inferOnly('MaxPool', { kernel: [3], stride: [3], padsBegin: [1], padsEnd: [1], ceilMode: true }, [[1, 1, 4]])).toEqual([1, 1, 2]);
  });
});

describe('Add and Concatenate', () => {
  it('Add sums 2+ inputs', () => {
    const xs = [1, 2, 3].map((s) => randomTensor([2, 3, 4], s));
    const y = run('Add', {}, xs);
    for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(xs[0].data[i] + xs[1].data[i] + xs[2].data[i], 6);
  });

  it('Concatenate on every axis matches an index reference', () => {
    for (let axis = 0; axis < 4; axis++) {
      const shapes = [2, 1, 3].map((extra, i) => [2, 3, 4, 5].map((d, a) => (a === axis ? extra : d + 0 * i)));
      const xs = shapes.map((s, i) => randomTensor(s, 40 + i));
      for (const ax of [axis, axis - 4]) {
        const y = run('Concatenate', { axis: ax }, xs);
        expect(y.shape[axis]).toBe(6);
        for (const idx of indices(y.shape)) {
          let k = idx[axis];
          let src = 0;
          while (k >= xs[src].shape[axis]) k -= xs[src++].shape[axis];
          const j = [...idx];
          j[axis] = k;
          expect(get(y, idx)).toBe(get(xs[src], j));
        }
      }
    }
  });
});

describe('NCX and NXC agree through transposes', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['ZeroPadding', { padsBegin: [1, 2], padsEnd: [0, 3] }],
    ['UpSampling', { scale: [2, 3] }],
    ['MaxPool', { kernel: [3, 2], stride: [2, 1], padsBegin: [1, 1], padsEnd: [1, 0], ceilMode: true }],
    ['AveragePool', { kernel: [2, 3], stride: [1, 2], padsBegin: [0, 2], padsEnd: [1, 1] }],
    ['AveragePool', { kernel: [3], stride: [2], padsBegin: [1], padsEnd: [2], countIncludePad: true }],
    ['BatchNormalization', {}],
    ['Softmax', {}],
  ];
  for (const [type, params] of cases) {
    for (const rank of [1, 2]) {
      it(`${type} ${rank}D`, () => {
        const x = randomTensor(rank === 2 ? [2, 3, 6, 5] : [2, 3, 9], 50 + rank);
        const p1 = { ...params };
        for (const key of ['padsBegin', 'padsEnd', 'scale', 'kernel', 'stride']) {
          if (Array.isArray(p1[key]) && rank === 1) p1[key] = [(p1[key] as number[])[(p1[key] as number[]).length - 1]];
        }
        const w: Record<string, Tensor> = type === 'BatchNormalization'
          ? { gamma: randomTensor([3], 1), beta: randomTensor([3], 2), mean: randomTensor([3], 3), variance: randomTensor([3], 4, 0.5, 1.5) }
          : {};
        const ncxParams = type === 'Softmax' ? { axis: 1 } : { ...p1, dataFormat: 'NCX' };
        const nxcParams = type === 'Softmax' ? { axis: -1 } : { ...p1, dataFormat: 'NXC' };
        const ncx = run(type, ncxParams, [x], w);
        const nxc = run(type, nxcParams, [toNXC(x)], w);
        expectClose(toNCX(nxc), ncx, 1e-6);
      });
    }
  }
});
