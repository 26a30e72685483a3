// The BENCHMARKS.md Conv / ConvTranspose layers (NCX, batch 1), one definition for the benchmarks that
// run them (conv.bench.ts: float kernels vs peers; fixed.bench.ts: fixed point vs float).
import type { ConvGeometry } from '../engine/ops/conv/geometry';

export interface BenchLayer {
  name: string;
  transpose: boolean;
  cin: number;
  cout: number;
  h: number;
  w: number;
  k: number;
  s: number;
  /** Canonical pads (begin, end), same on both axes. */
  pb: number;
  pe: number;
  /** tfjs padding giving the same output. */
  tfPad: 'same' | 'valid';
}

export const BENCH_LAYERS: BenchLayer[] = [
  { name: '(a) 100×1×1 → 512×4×4 k4 s1 p0', transpose: true, cin: 100, cout: 512, h: 1, w: 1, k: 4, s: 1, pb: 0, pe: 0, tfPad: 'valid' },
  { name: '(b) 512×4×4 → 256×8×8 k4 s2 p1', transpose: true, cin: 512, cout: 256, h: 4, w: 4, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: '(c) 256×8×8 → 128×16×16 k4 s2 p1', transpose: true, cin: 256, cout: 128, h: 8, w: 8, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: '(d) 128×16×16 → 64×32×32 k4 s2 p1', transpose: true, cin: 128, cout: 64, h: 16, w: 16, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: '(e) 64×32×32 → 3×64×64 k4 s2 p1', transpose: true, cin: 64, cout: 3, h: 32, w: 32, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: 'U-Net 256×8×8 → 128×16×16 k2 s2', transpose: true, cin: 256, cout: 128, h: 8, w: 8, k: 2, s: 2, pb: 0, pe: 0, tfPad: 'valid' },
  { name: 'tiny 4×16×16 → 8×32×32 k3 s2 (Keras same)', transpose: true, cin: 4, cout: 8, h: 16, w: 16, k: 3, s: 2, pb: 0, pe: 1, tfPad: 'same' },
  { name: 'Conv 64×32×32 → 128×16×16 k4 s2 p1', transpose: false, cin: 64, cout: 128, h: 32, w: 32, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
];

/** The layer's geometry for the engine's kernels, its output size and its useful MACs. */
export function benchLayerShape(l: BenchLayer): { g: ConvGeometry; oh: number; ow: number; macs: number } {
  const g: ConvGeometry = { kernel: [l.k, l.k], stride: [l.s, l.s], dilation: [1, 1], padsBegin: [l.pb, l.pb], padsEnd: [l.pe, l.pe], outputPadding: [0, 0], groups: 1 };
  const oh = l.transpose ? (l.h - 1) * l.s + l.k - l.pb - l.pe : Math.floor((l.h + l.pb + l.pe - l.k) / l.s) + 1;
  const ow = l.transpose ? (l.w - 1) * l.s + l.k - l.pb - l.pe : Math.floor((l.w + l.pb + l.pe - l.k) / l.s) + 1;
  const macs = l.transpose ? l.cin * l.cout * l.k * l.k * l.h * l.w : l.cin * l.cout * l.k * l.k * oh * ow;
  return { g, oh, ow, macs };
}
