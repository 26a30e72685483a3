// The padding convention picker: Keras 'same'/'valid', PyTorch padding/output_padding, or explicit
// pads — each written into the canonical Conv/ConvTranspose parameters (SEMANTICS.md).
import type { ConvParams, SpatialRank } from '../../engine/ops/conv/params';
import { fromKeras as engineFromKeras, fromPyTorch } from '../../engine/ops/conv/conventions';
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

function sameParams(a: ConvParams, b: ConvParams): boolean {
  const eq = (x?: number[], y?: number[]) => (x ?? []).length === (y ?? []).length && (x ?? []).every((v, i) => v === (y ?? [])[i]);
  return a.autoPad === b.autoPad && eq(a.padsBegin, b.padsBegin) && eq(a.padsEnd, b.padsEnd) && eq(a.outputPadding, b.outputPadding);
}

/** Keras padding that gives exactly these pads, or null. */
export function kerasPaddingOf(p: ConvParams): KerasPadding['padding'] | null {
  for (const padding of ['same', 'valid'] as const) {
    try {
      if (sameParams(fromKeras(p, { padding }), p)) return padding;
    } catch {
      /* parameters not valid yet */
    }
  }
  return null;
}

/** Which convention describes the parameters as they are (explicit when neither fits). */
export function detectConvention(p: ConvParams): Convention {
  if (kerasPaddingOf(p)) return 'keras';
  if (p.autoPad === 'explicit' && p.padsBegin.every((v, i) => v === p.padsEnd[i])) return 'pytorch';
  return 'explicit';
}

/**
 * The convention the picker opens on for a node the user has not chosen one for: the project's preferred
 * one when it describes the parameters as they are (a new layer's zero pads are valid Keras, PyTorch and
 * explicit alike), else the one that does.
 */
export function initialConvention(p: ConvParams, preferred: Convention): Convention {
  const fits =
    preferred === 'keras' ? kerasPaddingOf(p) !== null
    : preferred === 'pytorch' ? p.autoPad === 'explicit' && p.padsBegin.every((v, i) => v === p.padsEnd[i])
    : true;
  return fits ? preferred : detectConvention(p);
}

/** Keeps what the picker does not decide (channels, layout, bias, …) from the node. */
function keep(p: ConvParams, converted: ConvParams): ConvParams {
  return { ...p, autoPad: converted.autoPad, padsBegin: converted.padsBegin, padsEnd: converted.padsEnd, ...(p.outputPadding ? { outputPadding: converted.outputPadding ?? p.outputPadding } : {}) };
}

/**
 * Keras/TF padding → canonical, by engine/ops/conv/conventions.ts (Keras 'same' on a ConvTranspose
 * is total = k_eff − s with the odd unit at the end; Conv 'same' is auto pad SAME_UPPER).
 * Falls back to auto pads while the other parameters are not valid yet.
 */
export function fromKeras(p: ConvParams, k: KerasPadding): ConvParams {
  const rank = p.kernel.length as SpatialRank;
  const transpose = p.outputPadding !== undefined;
  try {
    const c = engineFromKeras(rank, transpose, {
      filters: p.filters, kernelSize: p.kernel, strides: p.stride, padding: k.padding, dilationRate: p.dilation, groups: p.groups,
      useBias: p.bias, dataFormat: p.dataFormat === 'NXC' ? 'channels_last' : 'channels_first',
    });
    return keep(p, c);
  } catch {
    const zeros = new Array<number>(rank).fill(0);
    return { ...p, autoPad: k.padding === 'same' ? 'same_upper' : 'valid', padsBegin: zeros, padsEnd: [...zeros], ...(transpose ? { outputPadding: [...zeros] } : {}) };
  }
}

/** PyTorch padding p (both ends) and output_padding → canonical, by engine/ops/conv/conventions.ts. */
export function fromTorch(p: ConvParams, t: TorchPadding): ConvParams {
  const rank = p.kernel.length as SpatialRank;
  const transpose = p.outputPadding !== undefined;
  try {
    const c = fromPyTorch(rank, transpose, {
      outChannels: p.filters, kernelSize: p.kernel, stride: p.stride, padding: t.padding, dilation: p.dilation, groups: p.groups, bias: p.bias,
      ...(transpose ? { outputPadding: t.outputPadding } : {}),
    });
    return keep(p, c);
  } catch {
    return { ...p, autoPad: 'explicit', padsBegin: [...t.padding], padsEnd: [...t.padding], ...(transpose ? { outputPadding: [...t.outputPadding] } : {}) };
  }
}

/**
 * The same layer with explicit pads: auto pads (same_upper / same_lower / valid) resolved for this input size,
 * so pads shown in the inspector are the ones the engine uses. null while they can't be resolved (no input
 * shape yet, or invalid parameters); explicit parameters are returned unchanged.
 */
export function explicitFrom(p: ConvParams, inSizes: readonly number[] | null): ConvParams | null {
  if (p.autoPad === 'explicit') return p;
  if (!inSizes || inSizes.length !== p.kernel.length) return null;
  try {
    const g = resolveGeometry(p, inSizes);
    return { ...p, autoPad: 'explicit', padsBegin: [...g.padsBegin], padsEnd: [...g.padsEnd] };
  } catch {
    return null;
  }
}

export function toKeras(p: ConvParams): KerasPadding | null {
  const padding = kerasPaddingOf(p);
  return padding ? { padding } : null;
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
