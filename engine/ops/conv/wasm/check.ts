// Correctness check of the wasm kernels against the straight-from-the-definition references of
// ../reference.ts (the ones the JavaScript kernels are held to). Shared by the unit tests (fast-check
// drives the cases) and scripts/wasm-conv-selfcheck.ts (run in a child process with relaxed SIMD enabled).
import { randomTensor, seededRandom, type Tensor } from '../../../tensor/tensor';
import { convOutputSize, convTransposeOutputSize, type ConvGeometry } from '../geometry';
import { referenceConv, referenceConvTranspose } from '../reference';
import { wasmConv, wasmConvTranspose } from './index';

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
  const g = geometry(c, transposed);
  return c.size.map((s, i) => (transposed ? convTransposeOutputSize(s, g, i) : convOutputSize(s, g, i)));
}

/** Runs one case through the wasm kernel and the reference; null when the case has no output. */
export function checkCase(c: Case, transposed: boolean): number | null {
  if (!outSizes(c, transposed).every((o) => o >= 1)) return null;
  const g = geometry(c, transposed);
  const cin = c.cinG * c.groups;
  const x = randomTensor([c.n, cin, ...c.size], c.seed);
  const bias = c.bias ? randomTensor([c.coutG * c.groups], c.seed + 2).data : null;
  if (transposed) {
    const w = randomTensor([cin, c.coutG, ...c.k], c.seed + 1);
    return relErr(wasmConvTranspose(x, w, bias, g), referenceConvTranspose(x, w, bias, g));
  }
  const w = randomTensor([c.coutG * c.groups, c.cinG, ...c.k], c.seed + 1);
  return relErr(wasmConv(x, w, bias, g), referenceConv(x, w, bias, g));
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
