import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom, type Tensor } from '../../../tensor/tensor';
import type { ConvGeometry } from '../geometry';
import { invalidateWasmConvWeights, setWasmConvWeightArenaCap, wasmConv, wasmConvAvailable, wasmConvTranspose } from './index';
import { generateModule } from './generate';
import { fromBase64, moduleSource, toBase64 } from './embed';
import { KERNEL_WASM_BASE64 } from './module.generated';

// Straight-from-the-definition references (float64 accumulation), independent of the kernels.

interface V {
  n: number; cin: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pbh: number; pbw: number; peh: number; pew: number; oph: number; opw: number;
}

function view(x: Tensor, g: ConvGeometry): V {
  const two = x.shape.length === 4;
  const a = (arr: number[], d: number) => (two ? arr : [d, arr[0]]);
  const [kh, kw] = a(g.kernel, 1);
  const [sh, sw] = a(g.stride, 1);
  const [dh, dw] = a(g.dilation, 1);
  const [pbh, pbw] = a(g.padsBegin, 0);
  const [peh, pew] = a(g.padsEnd, 0);
  const [oph, opw] = a(g.outputPadding, 0);
  return { n: x.shape[0], cin: x.shape[1], h: two ? x.shape[2] : 1, w: x.shape[x.shape.length - 1], kh, kw, sh, sw, dh, dw, pbh, pbw, peh, pew, oph, opw };
}

/** Scatter: input i, tap t lands at full position i·s + t·d; output o = full − pb if 0 ≤ o < out. */
function refConvTranspose(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  const v = view(x, g);
  const G = g.groups;
  const coutG = w.shape[1];
  const cout = coutG * G;
  const cinG = v.cin / G;
  const ho = (v.h - 1) * v.sh + (v.kh - 1) * v.dh + 1 - v.pbh - v.peh + v.oph;
  const wo = (v.w - 1) * v.sw + (v.kw - 1) * v.dw + 1 - v.pbw - v.pew + v.opw;
  const acc = new Float64Array(v.n * cout * ho * wo);
  for (let n = 0; n < v.n; n++)
    for (let co = 0; co < cout; co++)
      for (let p = 0; p < ho * wo; p++) acc[(n * cout + co) * ho * wo + p] = bias ? bias[co] : 0;
  for (let n = 0; n < v.n; n++)
    for (let ci = 0; ci < v.cin; ci++) {
      const gi = Math.floor(ci / cinG);
      for (let ih = 0; ih < v.h; ih++)
        for (let iw = 0; iw < v.w; iw++) {
          const xv = x.data[((n * v.cin + ci) * v.h + ih) * v.w + iw];
          for (let c = 0; c < coutG; c++)
            for (let th = 0; th < v.kh; th++) {
              const oh = ih * v.sh + th * v.dh - v.pbh;
              if (oh < 0 || oh >= ho) continue;
              for (let tw = 0; tw < v.kw; tw++) {
                const ow = iw * v.sw + tw * v.dw - v.pbw;
                if (ow < 0 || ow >= wo) continue;
                const co = gi * coutG + c;
                acc[((n * cout + co) * ho + oh) * wo + ow] += xv * w.data[((ci * coutG + c) * v.kh + th) * v.kw + tw];
              }
            }
        }
    }
  const shape = x.shape.length === 4 ? [v.n, cout, ho, wo] : [v.n, cout, wo];
  return { shape, data: Float32Array.from(acc) };
}

/** y[n,co,o] = bias + Σ x[n, ci, o·s − pb + t·d] · w[co, ci, t]. */
function refConv(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  const v = view(x, g);
  const G = g.groups;
  const cout = w.shape[0];
  const coutG = cout / G;
  const cinG = v.cin / G;
  const ho = Math.floor((v.h + v.pbh + v.peh - ((v.kh - 1) * v.dh + 1)) / v.sh) + 1;
  const wo = Math.floor((v.w + v.pbw + v.pew - ((v.kw - 1) * v.dw + 1)) / v.sw) + 1;
  const y = new Float32Array(v.n * cout * ho * wo);
  for (let n = 0; n < v.n; n++)
    for (let co = 0; co < cout; co++) {
      const gi = Math.floor(co / coutG);
      for (let oh = 0; oh < ho; oh++)
        for (let ow = 0; ow < wo; ow++) {
          let s = bias ? bias[co] : 0;
          for (let c = 0; c < cinG; c++)
            for (let th = 0; th < v.kh; th++) {
              const ih = oh * v.sh - v.pbh + th * v.dh;
              if (ih < 0 || ih >= v.h) continue;
              for (let tw = 0; tw < v.kw; tw++) {
                const iw = ow * v.sw - v.pbw + tw * v.dw;
                if (iw < 0 || iw >= v.w) continue;
                s += x.data[((n * v.cin + gi * cinG + c) * v.h + ih) * v.w + iw] * w.data[((co * cinG + c) * v.kh + th) * v.kw + tw];
              }
            }
          y[((n * cout + co) * ho + oh) * wo + ow] = s;
        }
    }
  const shape = x.shape.length === 4 ? [v.n, cout, ho, wo] : [v.n, cout, wo];
  return { shape, data: y };
}

function rand(shape: number[], seed: number): Tensor {
  const r = seededRandom(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = r() * 2 - 1;
  return { shape, data };
}

function expectClose(got: Tensor | null, want: Tensor): void {
  expect(got).not.toBeNull();
  expect(got!.shape).toEqual(want.shape);
  let scale = 1e-6;
  for (const v of want.data) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < want.data.length; i++) err = Math.max(err, Math.abs(got!.data[i] - want.data[i]));
  expect(err / scale).toBeLessThanOrEqual(1e-4);
}

interface Case {
  rank: 1 | 2;
  n: number;
  groups: number;
  cinG: number;
  coutG: number;
  size: number[];
  k: number[];
  s: number[];
  d: number[];
  pb: number[];
  pe: number[];
  op: number[];
  bias: boolean;
  seed: number;
}

const axis = fc.record({
  size: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 3 }),
  d: fc.integer({ min: 1, max: 2 }),
  pb: fc.integer({ min: 0, max: 4 }),
  pe: fc.integer({ min: 0, max: 4 }),
  opRaw: fc.nat(),
});

const caseArb = fc
  .record({
    rank: fc.constantFrom(1 as const, 2 as const),
    n: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 4 }),
    cinG: fc.integer({ min: 1, max: 6 }),
    coutG: fc.integer({ min: 1, max: 19 }),
    axes: fc.array(axis, { minLength: 2, maxLength: 2 }),
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .map((r): Case => {
    const axes = r.rank === 2 ? r.axes : [r.axes[1]];
    return {
      rank: r.rank,
      n: r.n,
      groups: r.groups,
      cinG: r.cinG,
      coutG: r.coutG,
      size: axes.map((a) => a.size),
      k: axes.map((a) => a.k),
      s: axes.map((a) => a.s),
      d: axes.map((a) => a.d),
      pb: axes.map((a) => a.pb),
      pe: axes.map((a) => a.pe),
      op: axes.map((a) => a.opRaw % Math.max(a.s, a.d)),
      bias: r.bias,
      seed: r.seed,
    };
  });

function geometry(c: Case, transposed: boolean): ConvGeometry {
  return {
    kernel: c.k,
    stride: c.s,
    dilation: c.d,
    padsBegin: c.pb,
    padsEnd: c.pe,
    outputPadding: transposed ? c.op : c.k.map(() => 0),
    groups: c.groups,
  };
}

describe('wasm conv kernels', () => {
  it('are available (SIMD) in this runtime', () => {
    expect(wasmConvAvailable()).toBe(true);
  });

  it('the embedded module is the generator output', () => {
    const bytes = generateModule();
    expect(KERNEL_WASM_BASE64).toBe(toBase64(bytes));
    expect(Array.from(fromBase64(toBase64(bytes)))).toEqual(Array.from(bytes));
    expect(moduleSource(bytes)).toContain(KERNEL_WASM_BASE64.slice(0, 50));
  });

  it('ConvTranspose matches the scatter reference on random geometries', () => {
    let ran = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const g = geometry(c, true);
        const outs = c.size.map((s, i) => (s - 1) * c.s[i] + (c.k[i] - 1) * c.d[i] + 1 - c.pb[i] - c.pe[i] + c.op[i]);
        fc.pre(outs.every((o) => o >= 1));
        const cin = c.cinG * c.groups;
        const x = rand([c.n, cin, ...c.size], c.seed);
        const w = rand([cin, c.coutG, ...c.k], c.seed + 1);
        const bias = c.bias ? rand([c.coutG * c.groups], c.seed + 2).data : null;
        expectClose(wasmConvTranspose(x, w, bias, g), refConvTranspose(x, w, bias, g));
        ran++;
      }),
      { numRuns: 300, seed: 20261121 },
    );
    expect(ran).toBeGreaterThanOrEqual(200);
  });

  it('Conv matches the direct reference on random geometries', () => {
    let ran = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const g = geometry(c, false);
        const outs = c.size.map((s, i) => Math.floor((s + c.pb[i] + c.pe[i] - ((c.k[i] - 1) * c.d[i] + 1)) / c.s[i]) + 1);
        fc.pre(outs.every((o) => o >= 1));
        const cin = c.cinG * c.groups;
        const x = rand([c.n, cin, ...c.size], c.seed);
        const w = rand([c.coutG * c.groups, c.cinG, ...c.k], c.seed + 1);
        const bias = c.bias ? rand([c.coutG * c.groups], c.seed + 2).data : null;
        expectClose(wasmConv(x, w, bias, g), refConv(x, w, bias, g));
        ran++;
      }),
      { numRuns: 300, seed: 20261122 },
    );
    expect(ran).toBeGreaterThanOrEqual(200);
  });
});

describe('wasm conv kernels: DCGAN layers, caching, refusals', () => {
  const dcgan = (cin: number, cout: number, size: number, k: number, s: number, p: number): ConvGeometry & { x: Tensor; w: Tensor; b: Float32Array } => ({
    kernel: [k, k], stride: [s, s], dilation: [1, 1], padsBegin: [p, p], padsEnd: [p, p], outputPadding: [0, 0], groups: 1,
    x: rand([2, cin, size, size], cin + size), w: rand([cin, cout, k, k], cout + k), b: rand([cout], 7).data,
  });

  it('DCGAN (a) 1×1 input and (b) 512×4×4 → 256×8×8 match the reference (batch 2)', () => {
    for (const L of [dcgan(100, 512, 1, 4, 1, 0), dcgan(512, 256, 4, 4, 2, 1), dcgan(64, 3, 8, 4, 2, 1)]) {
      expectClose(wasmConvTranspose(L.x, L.w, L.b, L), refConvTranspose(L.x, L.w, L.b, L));
    }
  });

  it('a cached pack is reused, keyed by geometry too, and invalidation picks up in-place edits', () => {
    const L = dcgan(8, 12, 5, 3, 2, 1);
    const first = wasmConvTranspose(L.x, L.w, L.b, L)!;
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), first);
    // Same weight array, other geometry: must not reuse the stride-2 pack.
    const g1 = { ...L, stride: [1, 3], dilation: [2, 1], padsBegin: [0, 2], padsEnd: [1, 0] };
    expectClose(wasmConvTranspose(L.x, L.w, L.b, g1), refConvTranspose(L.x, L.w, L.b, g1));
    for (let i = 0; i < L.w.data.length; i += 3) L.w.data[i] = -L.w.data[i] * 1.5;
    invalidateWasmConvWeights(L.w.data);
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), refConvTranspose(L.x, L.w, L.b, L));
  });

  it('stays correct when the weight arena is emptied between layers', () => {
    const old = setWasmConvWeightArenaCap(64 * 1024);
    try {
      const layers = [dcgan(16, 24, 6, 4, 2, 1), dcgan(24, 16, 5, 3, 1, 1), dcgan(20, 20, 4, 5, 3, 2)];
      for (let round = 0; round < 3; round++) {
        for (const L of layers) expectClose(wasmConvTranspose(L.x, L.w, L.b, L), refConvTranspose(L.x, L.w, L.b, L));
      }
    } finally {
      setWasmConvWeightArenaCap(old);
    }
  });

  it('returns null where it does not apply (the caller then diagnoses or falls back)', () => {
    const L = dcgan(4, 4, 3, 3, 1, 0);
    expect(wasmConvTranspose({ shape: [1, 4, 3, 3, 3], data: new Float32Array(108) }, L.w, null, L)).toBeNull(); // 3D
    expect(wasmConvTranspose({ shape: [1, 5, 3, 3], data: new Float32Array(45) }, L.w, null, L)).toBeNull(); // Cin ≠ weight Cin
    expect(wasmConvTranspose(L.x, L.w, new Float32Array(3), L)).toBeNull(); // bias length
    expect(wasmConv(L.x, L.w, null, { ...L, kernel: [9, 9] })).toBeNull(); // kernel beyond the input
    expect(wasmConvTranspose(L.x, L.w, null, { ...L, padsBegin: [5, 5], padsEnd: [5, 5] })).toBeNull(); // empty output
  });
});
