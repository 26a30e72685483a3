// The padding convention picker: Keras 'same'/'valid', PyTorch padding/output_padding, or explicit
// pads — each written into the canonical Conv/ConvTranspose parameters (SEMANTICS.md).
import type { ConvParams } from '../../engine/ops/conv/params';
import { resolveGeometry } from '../../engine/ops/conv/params';
import { effectiveKernel } from '../../engine/ops/conv/geometry';

export type Convention = 'keras' | 'pytorch' | 'explicit';

export interface KerasPadding {
  padding: 'same' | 'valid';
}
export interface TorchPadding {
  padding: number[];
  /** ConvTranspose only. */
  outputPadding: number[];
}

export function isConvType(type: string): boolean {
  return /^Conv(Transpose)?[12]D$/.test(type);
}

/** Which convention describes the parameters as they are (explicit when neither fits). */
export function detectConvention(p: ConvParams): Convention {
  if (p.autoPad === 'same_upper' || p.autoPad === 'valid') return 'keras';
  if (p.autoPad === 'explicit' && p.padsBegin.every((v, i) => v === p.padsEnd[i])) return 'pytorch';
  return 'explicit';
}

/**
 * Keras/TF padding → canonical: 'same' is auto pad SAME_UPPER (out = in·s for ConvTranspose,
 * ceil(in/s) for Conv, odd unit at the end), 'valid' no pads. Output padding resets to 0 (Keras
 * output_padding=None; for k_eff < s the engine's resolveGeometry adds s − k_eff as Keras does).
 */
export function fromKeras(p: ConvParams, k: KerasPadding): ConvParams {
  const rank = p.kernel.length;
  const zeros = new Array<number>(rank).fill(0);
  return {
    ...p,
    autoPad: k.padding === 'same' ? 'same_upper' : 'valid',
    padsBegin: zeros,
    padsEnd: [...zeros],
    ...(p.outputPadding ? { outputPadding: [...zeros] } : {}),
  };
}

/** PyTorch padding p (both ends) and output_padding → canonical explicit pads. */
export function fromTorch(p: ConvParams, t: TorchPadding): ConvParams {
  return {
    ...p,
    autoPad: 'explicit',
    padsBegin: [...t.padding],
    padsEnd: [...t.padding],
    ...(p.outputPadding ? { outputPadding: [...t.outputPadding] } : {}),
  };
}

export function toKeras(p: ConvParams): KerasPadding {
  return { padding: p.autoPad === 'valid' ? 'valid' : 'same' };
}

export function toTorch(p: ConvParams): TorchPadding {
  return { padding: [...p.padsBegin], outputPadding: p.outputPadding ? [...p.outputPadding] : [] };
}

export interface AxisFormula {
  axis: string;
  text: string;
  out: number;
}

/** The output-size rule per spatial axis with the numbers filled in (pads resolved). */
export function outputFormulas(p: ConvParams, inSizes: readonly number[], axisNames: readonly string[]): AxisFormula[] {
  const g = resolveGeometry(p, inSizes);
  const transpose = p.outputPadding !== undefined;
  return inSizes.map((inSize, a) => {
    const k = effectiveKernel(g.kernel[a], g.dilation[a]);
    const s = g.stride[a];
    const pb = g.padsBegin[a];
    const pe = g.padsEnd[a];
    const kTxt = g.dilation[a] === 1 ? `${k}` : `${k} (k_eff=(${g.kernel[a]}−1)·${g.dilation[a]}+1)`;
    if (transpose) {
      const op = g.outputPadding[a];
      const out = (inSize - 1) * s + k - pb - pe + op;
      return { axis: axisNames[a] ?? `x${a}`, out, text: `(in−1)·s + k_eff − pb − pe + op = (${inSize}−1)·${s} + ${kTxt} − ${pb} − ${pe} + ${op} = ${out}` };
    }
    const out = Math.floor((inSize + pb + pe - k) / s) + 1;
    return { axis: axisNames[a] ?? `x${a}`, out, text: `⌊(in + pb + pe − k_eff) / s⌋ + 1 = ⌊(${inSize} + ${pb} + ${pe} − ${kTxt}) / ${s}⌋ + 1 = ${out}` };
  });
}
