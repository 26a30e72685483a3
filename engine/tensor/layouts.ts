// Weight-layout conversion for Conv / ConvTranspose, to and from the canonical layouts
// (SEMANTICS.md): ConvTranspose IOX = (Cin, Cout/g, k…), Conv OIX = (Cout, Cin/g, k…) (PyTorch/ONNX).
//
// A layout is an axis order over I (input channels), O (output channels) and X (the spatial taps, in
// order) plus its group convention: which channel axis is divided by the group count.
// - PyTorch / ONNX / cuDNN ConvTranspose: O per group, I full: (Cin, Cout/g, …).
// - oneDNN ConvTranspose: I per group, O full: IOX = (Cin/g, Cout, …), XOI = (…, Cout, Cin/g).
// - Every Conv convention: O full, I per group: OIX = (Cout, Cin/g, …), XIO = (…, Cin/g, Cout).
// Axis names are those of the layer itself (for cuDNN ConvTranspose, K = the forward conv's output
// channels = the transposed conv's input channels, so KCRS = IOX and KRSC = IXO).
import { transpose, type Tensor } from './tensor';

export type AxisOrder = 'IOX' | 'OIX' | 'XOI' | 'XIO' | 'IXO' | 'OXI';
export type ConvKind = 'conv' | 'convTranspose';

export interface WeightLayout {
  order: AxisOrder;
  /** Which channel axis holds only one group's channels. */
  perGroup: 'I' | 'O';
  /** Human label, e.g. 'PyTorch/ONNX IOX (Cin, Cout/g, k…)'. */
  label: string;
}

const L = (order: AxisOrder, perGroup: 'I' | 'O', label: string): WeightLayout => ({ order, perGroup, label });

/** Named layouts, by op kind. Canonical: convTranspose.pytorch (IOX) and conv.pytorch (OIX). */
export const WEIGHT_LAYOUTS = {
  convTranspose: {
    pytorch: L('IOX', 'O', 'PyTorch IOX (Cin, Cout/g, k…)'),
    onnx: L('IOX', 'O', 'ONNX IOX (Cin, Cout/g, k…)'),
    keras: L('XOI', 'I', 'Keras/TF XOI (k…, Cout, Cin)'),
    onednnIOX: L('IOX', 'I', 'oneDNN IOX (Cin/g, Cout, k…)'),
    onednnXOI: L('XOI', 'I', 'oneDNN XOI (k…, Cout, Cin/g)'),
    onednnOIX: L('OIX', 'I', 'oneDNN OIX (Cout, Cin/g, k…)'),
    onednnXIO: L('XIO', 'I', 'oneDNN XIO (k…, Cin/g, Cout)'),
    cudnnKCRS: L('IOX', 'O', 'cuDNN dgrad KCRS (Cin, Cout/g, R, S)'),
    cudnnKRSC: L('IXO', 'O', 'cuDNN dgrad KRSC (Cin, R, S, Cout/g)'),
  },
  conv: {
    pytorch: L('OIX', 'I', 'PyTorch OIX (Cout, Cin/g, k…)'),
    onnx: L('OIX', 'I', 'ONNX OIX (Cout, Cin/g, k…)'),
    keras: L('XIO', 'I', 'Keras/TF XIO (k…, Cin/g, Cout)'),
    onednnOIX: L('OIX', 'I', 'oneDNN OIX (Cout, Cin/g, k…)'),
    onednnXIO: L('XIO', 'I', 'oneDNN XIO (k…, Cin/g, Cout)'),
    cudnnKCRS: L('OIX', 'I', 'cuDNN KCRS (Cout, Cin/g, R, S)'),
    cudnnKRSC: L('OXI', 'I', 'cuDNN KRSC (Cout, R, S, Cin/g)'),
  },
} as const satisfies Record<ConvKind, Record<string, WeightLayout>>;

/** Axis labels of an order with `rank` spatial axes, e.g. ('XOI', 2) → ['X0', 'X1', 'O', 'I']. */
function axes(order: AxisOrder, rank: number): string[] {
  const out: string[] = [];
  for (const ch of order) {
    if (ch === 'X') for (let i = 0; i < rank; i++) out.push(`X${i}`);
    else out.push(ch);
  }
  return out;
}

/** perm such that transpose(t in `from`, perm) is in `to`. */
function permBetween(from: AxisOrder, to: AxisOrder, rank: number): number[] {
  const f = axes(from, rank);
  return axes(to, rank).map((a) => f.indexOf(a));
}

const isIdentity = (perm: number[]) => perm.every((p, i) => p === i);

/**
 * Moves the group factor between the two channel axes of a tensor in the kind's canonical order
 * (first axis A, second axis B, then taps): (A_full, B/g, K) ↔ (A/g, B_full, K).
 */
function regroup(t: Tensor, groups: number, toFirstFull: boolean): Tensor {
  if (groups === 1) return t;
  const [a, b, ...k] = t.shape;
  const K = k.reduce((x, y) => x * y, 1);
  if (toFirstFull) {
    // (A/g, g·Bg, K) viewed as (A/g, g, Bg, K) → (g, A/g, Bg, K)
    const bg = b / groups;
    const r = transpose({ shape: [a, groups, bg, K], data: t.data }, [1, 0, 2, 3]);
    return { shape: [a * groups, bg, ...k], data: r.data };
  }
  // (g·Ag, B/g, K) viewed as (g, Ag, B/g, K) → (Ag, g, B/g, K)
  const ag = a / groups;
  const r = transpose({ shape: [groups, ag, b, K], data: t.data }, [1, 0, 2, 3]);
  return { shape: [ag, b * groups, ...k], data: r.data };
}

function check(w: Tensor, groups: number): number {
  const rank = w.shape.length - 2;
  if (rank < 1) throw new RangeError(`a conv weight has at least 3 axes, got shape [${w.shape.join(', ')}]`);
  if (!(groups >= 1)) throw new RangeError(`groups = ${groups}, must be ≥ 1`);
  return rank;
}

/** Converts a weight in `layout` into the canonical layout of `kind` (IOX for ConvTranspose, OIX for Conv). */
export function weightToCanonical(w: Tensor, kind: ConvKind, layout: WeightLayout, groups = 1): Tensor {
  const rank = check(w, groups);
  const canonical: AxisOrder = kind === 'convTranspose' ? 'IOX' : 'OIX';
  const perm = permBetween(layout.order, canonical, rank);
  let t = isIdentity(perm) ? { shape: [...w.shape], data: Float32Array.from(w.data) } : transpose(w, perm);
  // canonical group convention: ConvTranspose (Cin, Cout/g) = perGroup 'O'; Conv (Cout, Cin/g) = perGroup 'I'
  const canonicalPerGroup = kind === 'convTranspose' ? 'O' : 'I';
  if (layout.perGroup !== canonicalPerGroup) {
    if (t.shape[1] % groups !== 0) throw new RangeError(`weight shape [${w.shape.join(', ')}] does not split into ${groups} groups`);
    t = regroup(t, groups, true);
  }
  return t;
}

/** Converts a canonical weight of `kind` into `layout`. Inverse of weightToCanonical. */
export function weightFromCanonical(w: Tensor, kind: ConvKind, layout: WeightLayout, groups = 1): Tensor {
  const rank = check(w, groups);
  const canonical: AxisOrder = kind === 'convTranspose' ? 'IOX' : 'OIX';
  const canonicalPerGroup = kind === 'convTranspose' ? 'O' : 'I';
  let t: Tensor = w;
  if (layout.perGroup !== canonicalPerGroup) {
    if (w.shape[0] % groups !== 0) throw new RangeError(`weight shape [${w.shape.join(', ')}] does not split into ${groups} groups`);
    t = regroup(t, groups, false);
  }
  const perm = permBetween(canonical, layout.order, rank);
  return isIdentity(perm) ? { shape: [...t.shape], data: t === w ? Float32Array.from(t.data) : t.data } : transpose(t, perm);
}
