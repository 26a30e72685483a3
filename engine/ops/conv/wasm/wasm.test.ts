import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConvGeometry } from '../geometry';
import {
  invalidateWasmConvWeights,
  prepareWasmConv,
  resetWasmConvRuntime,
  setWasmConvFlavor,
  setWasmConvLimits,
  wasmConv,
  wasmConvAvailable,
  wasmConvFlavor,
  wasmConvInt32,
  wasmConvSums64,
  wasmConvTranspose,
  wasmConvTransposeInt32,
  type Int32Tensor,
  type WasmConvFlavor,
} from './index';
import { generateModule } from './generate';
import { fromBase64, moduleSource, toBase64 } from './embed';
import { KERNEL_WASM_BASE64, KERNEL_WASM_FMA_BASE64 } from './module.generated';
import { randomTensor, type Tensor } from '../../../tensor/tensor';
import { referenceConv, referenceConvTranspose } from '../reference';
import { checkCase, geometry, outSizes, relErr, type Case } from './check';
import { seededRandom } from '../../../tensor/tensor';

function expectClose(got: Tensor | null, want: Tensor): void {
  expect(got).not.toBeNull();
  expect(got!.shape).toEqual(want.shape);
  expect(relErr(got, want)).toBeLessThanOrEqual(1e-4);
}

const axis = fc.record({
  size: fc.integer({ min: 1, max: 12 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 5 }),
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

// Both flavours run the sweeps where this runtime has them; Node 20 has relaxed SIMD only behind a
// flag, so the FMA kernels are then checked in a child process started with it.
const fmaHere = setWasmConvFlavor('fma');
setWasmConvFlavor('auto');
const flavors: WasmConvFlavor[] = fmaHere ? ['simd', 'fma'] : ['simd'];

describe('wasm conv kernels', () => {
  it('are available (SIMD) in this runtime, with relaxed SIMD too (vitest.config.ts turns it on for Node 20)', () => {
    expect(wasmConvAvailable()).toBe(true);
    expect(fmaHere).toBe(true);
    expect(wasmConvFlavor()).toBe(fmaHere ? 'fma' : 'simd');
  });

  it('the embedded modules are the generator output', () => {
    const bytes = generateModule(false);
    const fma = generateModule(true);
    expect(KERNEL_WASM_BASE64).toBe(toBase64(bytes));
    expect(KERNEL_WASM_FMA_BASE64).toBe(toBase64(fma));
    expect(Array.from(fromBase64(toBase64(bytes)))).toEqual(Array.from(bytes));
    expect(moduleSource(bytes, fma)).toContain(KERNEL_WASM_FMA_BASE64.slice(0, 50));
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  for (const flavor of flavors) {
    for (const transposed of [true, false]) {
      it(`${transposed ? 'ConvTranspose' : 'Conv'} (${flavor}) matches the reference on random geometries`, () => {
        expect(setWasmConvFlavor(flavor)).toBe(true);
        try {
          let ran = 0;
          fc.assert(
            fc.property(caseArb, (c) => {
              const err = checkCase(c, transposed);
              fc.pre(err !== null);
              expect(err).toBeLessThanOrEqual(1e-4);
              ran++;
            }),
            { numRuns: 300, seed: transposed ? 20261121 : 20261122 },
          );
          expect(ran).toBeGreaterThanOrEqual(200);
        } finally {
          setWasmConvFlavor('auto');
        }
      });
    }
  }

  it.skipIf(fmaHere)('the relaxed-SIMD (FMA) kernels match the references (child process with relaxed SIMD on)', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', 'bin/run-ts.mjs', 'scripts/wasm-conv-selfcheck.ts', 'fma', '400', '7'], {
      cwd: root,
      encoding: 'utf8',
    });
    const res = JSON.parse(out.trim().split('\n').pop()!) as { flavor: string; ran: number; worst: number };
    expect(res.flavor).toBe('fma');
    expect(res.ran).toBeGreaterThanOrEqual(400);
    expect(res.worst).toBeLessThanOrEqual(1e-4);
  });
});

describe('wasm conv kernels: DCGAN layers, caching, refusals', () => {
  const dcgan = (cin: number, cout: number, size: number, k: number, s: number, p: number, batch = 2): ConvGeometry & { x: Tensor; w: Tensor; b: Float32Array } => ({
    kernel: [k, k], stride: [s, s], dilation: [1, 1], padsBegin: [p, p], padsEnd: [p, p], outputPadding: [0, 0], groups: 1,
    x: randomTensor([batch, cin, size, size], cin + size), w: randomTensor([cin, cout, k, k], cout + k), b: randomTensor([cout], 7).data,
  });

  it('DCGAN (a) 1×1 input (batch 2), (b) 512×4×4 → 256×8×8 and a 3-channel output match the reference', () => {
    for (const L of [dcgan(100, 512, 1, 4, 1, 0), dcgan(512, 256, 4, 4, 2, 1, 1), dcgan(64, 3, 8, 4, 2, 1)]) {
      expectClose(wasmConvTranspose(L.x, L.w, L.b, L), referenceConvTranspose(L.x, L.w, L.b, L));
    }
  });

  it('few output channels (1–4): the pixel-vectorised kernels match the reference on every row width, both flavours', () => {
    // Row widths 1…40 cover full tiles, each narrower tile and the masked 1–3-pixel tail of every family.
    const cases: { transposed: boolean; g: ConvGeometry; size: number }[] = [];
    for (let size = 1; size <= 20; size++) {
      cases.push({ transposed: true, size, g: { kernel: [4, 4], stride: [2, 2], dilation: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], outputPadding: [0, 0], groups: 1 } });
      cases.push({ transposed: false, size: 2 * size, g: { kernel: [3, 2], stride: [1, 1], dilation: [1, 2], padsBegin: [1, 0], padsEnd: [1, 2], outputPadding: [0, 0], groups: 1 } });
    }
    for (const flavor of flavors) {
      expect(setWasmConvFlavor(flavor)).toBe(true);
      try {
        for (const coutG of [1, 2, 3, 4]) {
          for (const c of cases) {
            const groups = coutG === 2 ? 2 : 1;
            const cin = 5 * groups;
            const x = randomTensor([2, cin, 3, c.size], c.size + coutG);
            const w = randomTensor(c.transposed ? [cin, coutG, ...c.g.kernel] : [coutG * groups, 5, ...c.g.kernel], 17 * coutG + c.size);
            const b = randomTensor([coutG * groups], 3).data;
            const g = { ...c.g, groups };
            const got = c.transposed ? wasmConvTranspose(x, w, b, g) : wasmConv(x, w, b, g);
            const want = c.transposed ? referenceConvTranspose(x, w, b, g) : referenceConv(x, w, b, g);
            expect(relErr(got, want), `${flavor} ${c.transposed ? 'ConvTranspose' : 'Conv'} coutG ${coutG} width ${c.size}`).toBeLessThanOrEqual(1e-5);
          }
        }
      } finally {
        setWasmConvFlavor('auto');
      }
    }
  });

  it('a plan is reused for the same shapes and remade for another input size, bias or flavour', () => {
    const L = dcgan(6, 3, 5, 4, 2, 1);
    const want = referenceConvTranspose(L.x, L.w, L.b, L);
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
    const x7 = randomTensor([1, 6, 7, 7], 9);
    expectClose(wasmConvTranspose(x7, L.w, null, L), referenceConvTranspose(x7, L.w, null, L));
    expectClose(wasmConvTranspose(L.x, L.w, null, L), referenceConvTranspose(L.x, L.w, null, L));
    // A layer packed in between moves the scratch: the first layer's plan is remade, results unchanged.
    const M = dcgan(9, 11, 4, 3, 1, 1);
    expectClose(wasmConvTranspose(M.x, M.w, M.b, M), referenceConvTranspose(M.x, M.w, M.b, M));
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
    for (const flavor of flavors) {
      setWasmConvFlavor(flavor);
      expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
    }
    setWasmConvFlavor('auto');
  });

  it('a cached pack is reused, keyed by geometry too, and invalidation picks up in-place edits', () => {
    const L = dcgan(8, 12, 5, 3, 2, 1);
    const first = wasmConvTranspose(L.x, L.w, L.b, L)!;
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), first);
    // Same weight array, other geometry: must not reuse the stride-2 pack.
    const g1 = { ...L, stride: [1, 3], dilation: [2, 1], padsBegin: [0, 2], padsEnd: [1, 0] };
    expectClose(wasmConvTranspose(L.x, L.w, L.b, g1), referenceConvTranspose(L.x, L.w, L.b, g1));
    for (let i = 0; i < L.w.data.length; i += 3) L.w.data[i] = -L.w.data[i] * 1.5;
    invalidateWasmConvWeights(L.w.data);
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), referenceConvTranspose(L.x, L.w, L.b, L));
  });

  it('stays correct when the weight arena is emptied between layers', () => {
    const old = setWasmConvLimits({ weightArenaBytes: 64 * 1024 });
    try {
      const layers = [dcgan(16, 24, 6, 4, 2, 1), dcgan(24, 16, 5, 3, 1, 1), dcgan(20, 20, 4, 5, 3, 2)];
      for (let round = 0; round < 3; round++) {
        for (const L of layers) expectClose(wasmConvTranspose(L.x, L.w, L.b, L), referenceConvTranspose(L.x, L.w, L.b, L));
      }
    } finally {
      setWasmConvLimits(old);
    }
  });

  it('batches of samples split into chunks give the same result as the reference', () => {
    const old = setWasmConvLimits({ scratchBytes: 1 });
    try {
      // 1 byte of budget: one sample per chunk; then 3 samples per chunk over a batch of 7.
      const L = dcgan(6, 9, 5, 3, 2, 1, 7);
      const want = referenceConvTranspose(L.x, L.w, L.b, L);
      expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
      const perSample = (6 * 5 * (5 + 2 * 3) + 6 * 25 + 9 * 11 * 11) * 4;
      setWasmConvLimits({ scratchBytes: 3 * perSample + 10 });
      expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
      const wc = randomTensor([9, 6, 3, 3], 5);
      expectClose(wasmConv(L.x, wc, L.b, L), referenceConv(L.x, wc, L.b, L));
    } finally {
      setWasmConvLimits(old);
    }
  });

  it('prepareWasmConv compiles asynchronously, and a fresh runtime does not trust packs of the old one', async () => {
    const L = dcgan(12, 10, 5, 4, 2, 1);
    const want = referenceConvTranspose(L.x, L.w, L.b, L);
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want); // pack resident in the current memory
    resetWasmConvRuntime();
    expect(await prepareWasmConv()).toBe(fmaHere ? 'fma' : 'simd');
    expectClose(wasmConvTranspose(L.x, L.w, L.b, L), want);
    expect(await prepareWasmConv()).toBe(wasmConvFlavor());
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

/**
 * Integer reference, straight from the definitions (NCX, 1D as H = 1), every operation wrapping modulo 2^32:
 * out = bias + (Σ (x·w) >> term) << sum; or exact (no wrap, no bias, no sum shift: Σ floor(x·w / 2^term), in
 * doubles, exact while the products and sums stay below 2^53). Conv gathers (o·s − pb + t·d), ConvTranspose
 * scatters (o = i·s − pb + t·d); the order of these sums does not matter.
 */
function referenceInt(c: Case, transposed: boolean, x: Int32Array, w: Int32Array, bias: Int32Array | null, term: number, sum: number, exact = false): Int32Array | Float64Array {
  const two = c.rank === 2;
  const [H, W] = two ? c.size : [1, c.size[0]];
  const [kh, kw] = two ? c.k : [1, c.k[0]];
  const [sh, sw] = two ? c.s : [1, c.s[0]];
  const [dh, dw] = two ? c.d : [1, c.d[0]];
  const [ph, pw] = two ? c.pb : [0, c.pb[0]];
  const outs = outSizes(c, transposed);
  const [Ho, Wo] = two ? outs : [1, outs[0]];
  const cin = c.cinG * c.groups, cout = c.coutG * c.groups;
  const acc = exact ? new Float64Array(c.n * cout * Ho * Wo) : new Int32Array(c.n * cout * Ho * Wo);
  const scale = 2 ** -term;
  const wAt = (gi: number, ci: number, co: number, th: number, tw: number) =>
    transposed ? w[((((gi * c.cinG + ci) * c.coutG + co) * kh + th) * kw + tw)] : w[(((gi * c.coutG + co) * c.cinG + ci) * kh + th) * kw + tw];
  for (let n = 0; n < c.n; n++)
    for (let gi = 0; gi < c.groups; gi++)
      for (let ci = 0; ci < c.cinG; ci++)
        for (let co = 0; co < c.coutG; co++)
          for (let th = 0; th < kh; th++)
            for (let tw = 0; tw < kw; tw++) {
              const wv = wAt(gi, ci, co, th, tw);
              const add = (ih: number, iw: number, oh: number, ow: number) => {
                if (ih < 0 || ih >= H || iw < 0 || iw >= W || oh < 0 || oh >= Ho || ow < 0 || ow >= Wo) return;
                const xv = x[((n * cin + gi * c.cinG + ci) * H + ih) * W + iw];
                const o = ((n * cout + gi * c.coutG + co) * Ho + oh) * Wo + ow;
                acc[o] = exact ? acc[o] + Math.floor(xv * wv * scale) : (acc[o] + (Math.imul(xv, wv) >> term)) | 0;
              };
              if (transposed) {
                for (let ih = 0; ih < H; ih++) for (let iw = 0; iw < W; iw++) add(ih, iw, ih * sh - ph + th * dh, iw * sw - pw + tw * dw);
              } else {
                for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) add(oh * sh - ph + th * dh, ow * sw - pw + tw * dw, oh, ow);
              }
            }
  const plane = Ho * Wo;
  if (!exact) for (let i = 0; i < acc.length; i++) acc[i] = ((bias ? bias[Math.floor(i / plane) % cout] : 0) + (acc[i] << sum)) | 0;
  return acc;
}

describe('wasm integer conv kernels (the bit-exact fixed-point path)', () => {
  const intTensor = (shape: number[], rnd: () => number, bits: number): Int32Tensor => ({
    shape,
    data: Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor((rnd() - 0.45) * 2 ** bits)),
  });
  for (const transposed of [true, false]) {
    it(`${transposed ? 'ConvTranspose' : 'Conv'}: wrapping sums with both shifts equal the scalar reference on random geometries`, () => {
      let ran = 0;
      fc.assert(
        fc.property(caseArb, fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 8, max: 18 }), (c, term, sum, bits) => {
          fc.pre(outSizes(c, transposed).every((o) => o >= 1));
          const rnd = seededRandom(c.seed);
          const cin = c.cinG * c.groups, cout = c.coutG * c.groups;
          // 18-bit operands: products reach 2^34 and wrap, as int32 does in the JavaScript path.
          const x = intTensor([c.n, cin, ...c.size], rnd, bits);
          const w = intTensor(transposed ? [cin, c.coutG, ...c.k] : [cout, c.cinG, ...c.k], rnd, bits);
          const bias = c.bias ? intTensor([cout], rnd, 31).data : null;
          const shifts = { term: rnd() < 0.3 ? 0 : term, sum: rnd() < 0.6 ? 0 : sum };
          const run = transposed ? wasmConvTransposeInt32 : wasmConvInt32;
          const got = run(x, w, bias, geometry(c, transposed), shifts);
          expect(got).not.toBeNull();
          expect(got!.shape).toEqual([c.n, cout, ...outSizes(c, transposed)]);
          expect(Array.from(got!.data)).toEqual(Array.from(referenceInt(c, transposed, x.data, w.data, bias, shifts.term, shifts.sum)));
          ran++;
        }),
        { numRuns: 200, seed: transposed ? 20261123 : 20261124 },
      );
      expect(ran).toBeGreaterThanOrEqual(120);
    });

    it(`${transposed ? 'ConvTranspose' : 'Conv'}: exact int64 sums (wide accumulators) equal the exact reference on random geometries`, () => {
      let ran = 0;
      fc.assert(
        fc.property(caseArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 16, max: 22 }), (c, term, bits) => {
          fc.pre(outSizes(c, transposed).every((o) => o >= 1));
          const rnd = seededRandom(c.seed);
          const cin = c.cinG * c.groups, cout = c.coutG * c.groups;
          // Products up to 2^44: far past int32, exact in int64 and in the doubles of the reference.
          const x = intTensor([c.n, cin, ...c.size], rnd, bits);
          const w = intTensor(transposed ? [cin, c.coutG, ...c.k] : [cout, c.cinG, ...c.k], rnd, bits);
          const termShift = rnd() < 0.4 ? 0 : term;
          const got = wasmConvSums64(x, w, geometry(c, transposed), termShift, transposed);
          expect(got).not.toBeNull();
          expect(got!.shape).toEqual([c.n, cout, ...outSizes(c, transposed)]);
          expect(Array.from(got!.data)).toEqual(Array.from(referenceInt(c, transposed, x.data, w.data, null, termShift, 0, true)));
          ran++;
        }),
        { numRuns: 150, seed: transposed ? 20261125 : 20261126 },
      );
      expect(ran).toBeGreaterThanOrEqual(90);
    });
  }

  it('refuses mixed element types and shifts outside 0…31', () => {
    const g: ConvGeometry = { kernel: [3], stride: [2], dilation: [1], padsBegin: [1], padsEnd: [1], outputPadding: [0], groups: 1 };
    const x: Int32Tensor = { shape: [1, 2, 5], data: new Int32Array(10).fill(3) };
    const w: Int32Tensor = { shape: [2, 4, 3], data: new Int32Array(24).fill(-2) };
    expect(wasmConvTransposeInt32(x, w, null, g, { term: 0, sum: 0 })).not.toBeNull();
    expect(wasmConvTransposeInt32(x, w, null, g, { term: 32, sum: 0 })).toBeNull();
    expect(wasmConvTransposeInt32(x, w, null, g, { term: 0, sum: -1 })).toBeNull();
    expect(wasmConvTransposeInt32(x, { shape: w.shape, data: new Float32Array(24) as unknown as Int32Array }, null, g, { term: 0, sum: 0 })).toBeNull();
  });
});
