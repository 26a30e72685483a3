// Canonical Conv / ConvTranspose geometry (SEMANTICS.md): one value per spatial axis.
// Every convention (PyTorch, ONNX, Keras, oneDNN) is converted into this before anything computes.

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
