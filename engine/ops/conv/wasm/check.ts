// Correctness check of the wasm kernels against straight-from-the-definition references (float64
// accumulation, independent of every kernel). Shared by the unit tests (fast-check drives the
// cases) and scripts/wasm-conv-selfcheck.ts (run in a child process with relaxed SIMD enabled).
import { seededRandom, type Tensor } from '../../../tensor/tensor';
import type { ConvGeometry } from '../geometry';
import { wasmConv, wasmConvTranspose } from './index';

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
export function refConvTranspose(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
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
export function refConv(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
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

export function rand(shape: number[], seed: number): Tensor {
  const r = seededRandom(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = r() * 2 - 1;
  return { shape, data };
}

/** Max abs difference relative to the largest magnitude of want (Infinity when shapes differ or got is null). */
export function relErr(got: Tensor | null, want: Tensor): number {
  if (!got || got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) return Infinity;
  let scale = 1e-6;
  for (const v of want.data) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < want.data.length; i++) err = Math.max(err, Math.abs(got.data[i] - want.data[i]));
  return Number.isNaN(err) ? Infinity : err / scale;
}

export interface Case {
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

export function geometry(c: Case, transposed: boolean): ConvGeometry {
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

/** Output sizes of a case, per axis. */
export function outSizes(c: Case, transposed: boolean): number[] {
  return c.size.map((s, i) => {
    const kEff = (c.k[i] - 1) * c.d[i] + 1;
    return transposed ? (s - 1) * c.s[i] + kEff - c.pb[i] - c.pe[i] + c.op[i] : Math.floor((s + c.pb[i] + c.pe[i] - kEff) / c.s[i]) + 1;
  });
}

/** Runs one case through the wasm kernel and the reference; null when the case has no output. */
export function checkCase(c: Case, transposed: boolean): number | null {
  if (!outSizes(c, transposed).every((o) => o >= 1)) return null;
  const g = geometry(c, transposed);
  const cin = c.cinG * c.groups;
  const x = rand([c.n, cin, ...c.size], c.seed);
  const bias = c.bias ? rand([c.coutG * c.groups], c.seed + 2).data : null;
  if (transposed) {
    const w = rand([cin, c.coutG, ...c.k], c.seed + 1);
    return relErr(wasmConvTranspose(x, w, bias, g), refConvTranspose(x, w, bias, g));
  }
  const w = rand([c.coutG * c.groups, c.cinG, ...c.k], c.seed + 1);
  return relErr(wasmConv(x, w, bias, g), refConv(x, w, bias, g));
}

/** A random case over the ranges the tests sweep (k 1–5, s 1–5, d 1–2, pads 0–4, groups 1–4, …). */
export function randomCase(rnd: () => number): Case {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const rank = int(1, 2) as 1 | 2;
  const axes = Array.from({ length: rank }, () => {
    const s = int(1, 5);
    const d = int(1, 2);
    return { size: int(1, 12), k: int(1, 5), s, d, pb: int(0, 4), pe: int(0, 4), op: int(0, Math.max(s, d) - 1) };
  });
  return {
    rank, n: int(1, 3), groups: int(1, 4), cinG: int(1, 6), coutG: int(1, 19),
    size: axes.map((a) => a.size), k: axes.map((a) => a.k), s: axes.map((a) => a.s), d: axes.map((a) => a.d),
    pb: axes.map((a) => a.pb), pe: axes.map((a) => a.pe), op: axes.map((a) => a.op), bias: rnd() < 0.5, seed: int(0, 1e9),
  };
}

/** Runs random cases of both families; returns how many ran and the worst relative error. */
export function checkRandomCases(count: number, seed: number): { ran: number; worst: number; worstCase: Case | null } {
  const rnd = seededRandom(seed);
  let ran = 0;
  let worst = 0;
  let worstCase: Case | null = null;
  while (ran < count) {
    const c = randomCase(rnd);
    for (const transposed of [true, false]) {
      const e = checkCase(c, transposed);
      if (e === null) continue;
      ran++;
      if (!(e <= worst)) {
        worst = e;
        worstCase = c;
      }
    }
  }
  return { ran, worst, worstCase };
}
