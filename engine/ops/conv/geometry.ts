// Canonical Conv / ConvTranspose geometry (SEMANTICS.md): one value per spatial axis.
// Every convention (PyTorch, ONNX, Keras, oneDNN) is converted into this before anything computes.
import { hw } from '../spatial';

export interface ConvGeometry {
  /** Taps per axis, k ≥ 1. */
  kernel: number[];
  /** Step per axis, s ≥ 1 (ConvTranspose: spacing of inputs in the output). */
  stride: number[];
  /** Tap spacing per axis, d ≥ 1. */
  dilation: number[];
  /** Conv: zeros added at the begin; ConvTranspose: outputs cropped at the begin. */
  padsBegin: number[];
  /** Conv: zeros added at the end; ConvTranspose: outputs cropped at the end. */
  padsEnd: number[];
  /** ConvTranspose only: extra outputs at the end, 0 ≤ op < max(s, d). Zeros for Conv. */
  outputPadding: number[];
  /** Channel groups; Cin and Cout divisible by it. */
  groups: number;
}

export function effectiveKernel(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/** Conv output size on one axis: floor((in + pb + pe − k_eff) / s) + 1. */
export function convOutputSize(inSize: number, g: ConvGeometry, axis: number): number {
  const kEff = effectiveKernel(g.kernel[axis], g.dilation[axis]);
  return Math.floor((inSize + g.padsBegin[axis] + g.padsEnd[axis] - kEff) / g.stride[axis]) + 1;
}

/** ConvTranspose output size on one axis: (in − 1)·s + k_eff − pb − pe + op. */
export function convTransposeOutputSize(inSize: number, g: ConvGeometry, axis: number): number {
  const kEff = effectiveKernel(g.kernel[axis], g.dilation[axis]);
  return (inSize - 1) * g.stride[axis] + kEff - g.padsBegin[axis] - g.padsEnd[axis] + g.outputPadding[axis];
}

/**
 * One image of a Conv / ConvTranspose as 2D (1D: height 1, its one axis the width): the sizes, channels and
 * per-axis geometry that the kernels, the HLS descriptor and the stream cursor all read.
 */
export interface ConvView {
  H: number;
  W: number;
  C: number;
  Ho: number;
  Wo: number;
  Co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Conv: zeros added at the top / left; ConvTranspose: outputs cropped there. */
  ph: number;
  pw: number;
  groups: number;
}

/** The 2D view of geometry `g` between input and output spatial sizes (one entry per axis) and channels. */
export function convView(g: ConvGeometry, inSizes: readonly number[], outSizes: readonly number[], C: number, Co: number): ConvView {
  const rank = inSizes.length;
  const [H, W] = hw(inSizes, rank, 1);
  const [Ho, Wo] = hw(outSizes, rank, 1);
  const [kh, kw] = hw(g.kernel, rank, 1);
  const [sh, sw] = hw(g.stride, rank, 1);
  const [dh, dw] = hw(g.dilation, rank, 1);
  const [ph, pw] = hw(g.padsBegin, rank, 0);
  return { H, W, C, Ho, Wo, Co, kh, kw, sh, sw, dh, dw, ph, pw, groups: g.groups };
}
