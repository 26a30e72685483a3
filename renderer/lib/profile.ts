// Numerical profiling as hls4ml users know it: per layer, the distribution of weights and of the
// layer's output (activations) as a histogram over log2|x| bins, against the range the layer's
// fixed-point type can represent; values above the type's range overflow, non-zero values below one
// LSB underflow (they become 0 or −LSB). Per-layer types are the nodes' own (GraphNode.precision).
import { fracBits, mantissaRange, parseFixedType, type FixedType } from '../../engine/fixed/types';
import { DEFAULT_TABLE_TYPE_STRING, DEFAULT_TYPE_STRING, type PrecisionSpec } from '../../engine/fixed/precision';
import { PRECISION_FIELDS, type PrecisionField } from '../../engine/hls/project-precision';

/**
 * Per-layer type strings the user chose (weight_t, bias_t, accum_t, result_t, table_t; accum_t and
 * result_t may be 'auto'); missing fields take the project's default precision (table_t: ap_fixed<18,8>).
 * Builds and the fixed-point preview resolve them the same way (engine/hls/project-precision.ts).
 */
export type LayerPrecisionChoice = PrecisionSpec;
export type { PrecisionField };
export { PRECISION_FIELDS };

/** The default of a field: the project's type, except lookup tables (hls4ml's ap_fixed<18,8>). */
export function fieldDefault(field: PrecisionField, projectDefault: string): string {
  return field === 'table_t' ? DEFAULT_TABLE_TYPE_STRING : projectDefault.trim() || DEFAULT_TYPE_STRING;
}

/** The type string in effect for one field of one layer. */
export function effectiveType(choices: Record<string, LayerPrecisionChoice>, nodeId: string, field: PrecisionField, fallback: string): string {
  return choices[nodeId]?.[field] ?? fieldDefault(field, fallback);
}

export interface TypeRange {
  text: string;
  type: FixedType;
  /** Smallest and largest representable values. */
  min: number;
  max: number;
  /** Value of one LSB, 2^−F. */
  lsb: number;
}

export type TypeRangeResult = ({ ok: true } & TypeRange) | { ok: false; text: string; message: string };

export function typeRange(text: string): TypeRangeResult {
  const p = parseFixedType(text);
  if (!p.ok) return { ok: false, text, message: p.message };
  const t = p.type;
  const lsb = 2 ** -fracBits(t);
  const m = mantissaRange(t);
  return { ok: true, text: text.trim(), type: t, min: Number(m.min) * lsb, max: Number(m.max) * lsb, lsb };
}

export interface ValueProfile {
  count: number;
  zeros: number;
  min: number;
  max: number;
  /** Quartiles and median of log2|x| over the non-zero values (NaN when all are zero). */
  log2: { min: number; q1: number; median: number; q3: number; max: number };
  /** bins[k] counts non-zero values with floor(log2|x|) = lowBin + k. */
  lowBin: number;
  bins: number[];
  /** Values outside [range.min, range.max]. */
  overflow: number;
  /** Non-zero values with |x| < one LSB. */
  underflow: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Distribution of `data` on log2 bins, and how much of it the type cannot represent. */
export function profileValues(data: ArrayLike<number>, range: TypeRange): ValueProfile {
  const n = data.length;
  let zeros = 0;
  let min = Infinity;
  let max = -Infinity;
  let overflow = 0;
  let underflow = 0;
  const logs = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = data[i];
    if (x < min) min = x;
    if (x > max) max = x;
    if (x > range.max || x < range.min) overflow++;
    if (x === 0) {
      zeros++;
      continue;
    }
    const a = Math.abs(x);
    if (a < range.lsb) underflow++;
    logs[k++] = Math.log2(a);
  }
  const nz = logs.subarray(0, k).sort();
  let lowBin = 0;
  const bins: number[] = [];
  if (k) {
    lowBin = Math.floor(nz[0]);
    const high = Math.floor(nz[k - 1]);
    for (let b = lowBin; b <= high; b++) bins.push(0);
    for (let i = 0; i < k; i++) bins[Math.floor(nz[i]) - lowBin]++;
  }
  return {
    count: n,
    zeros,
    min: n ? min : Number.NaN,
    max: n ? max : Number.NaN,
    log2: { min: k ? nz[0] : Number.NaN, q1: quantile(nz, 0.25), median: quantile(nz, 0.5), q3: quantile(nz, 0.75), max: k ? nz[k - 1] : Number.NaN },
    lowBin,
    bins,
    overflow,
    underflow,
  };
}

export interface ProfileRow {
  nodeId: string;
  name: string;
  /** 'weight', 'bias', … or 'output' for the activations. */
  what: string;
  field: PrecisionField;
  typeText: string;
  range: TypeRangeResult;
  profile: ValueProfile | null;
}

/**
 * One row per weight slot and one per layer output, in the given node order. `weights` holds the
 * tensors the preview used, `outputs` the preview's outputs (float).
 */
export function profileLayers(
  order: readonly { id: string; name: string }[],
  weights: Record<string, Record<string, { data: ArrayLike<number> }> | undefined>,
  outputs: Record<string, { data: ArrayLike<number> } | undefined>,
  choices: Record<string, LayerPrecisionChoice>,
  defaultType: string,
  /** Output types as the engine resolved them, by node id: they stand in for an 'auto' result_t. */
  resolvedOutputTypes: Record<string, string> = {},
): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (const n of order) {
    for (const [slot, t] of Object.entries(weights[n.id] ?? {})) {
      const field: PrecisionField = slot === 'bias' ? 'bias_t' : 'weight_t';
      const typeText = effectiveType(choices, n.id, field, defaultType);
      const range = typeRange(typeText);
      rows.push({ nodeId: n.id, name: n.name, what: slot, field, typeText, range, profile: range.ok ? profileValues(t.data, range) : null });
    }
    const out = outputs[n.id];
    if (out) {
      const chosen = effectiveType(choices, n.id, 'result_t', defaultType);
      const typeText = chosen.trim() === 'auto' && resolvedOutputTypes[n.id] ? resolvedOutputTypes[n.id] : chosen;
      const range = typeRange(typeText);
      rows.push({ nodeId: n.id, name: n.name, what: 'output', field: 'result_t', typeText, range, profile: range.ok ? profileValues(out.data, range) : null });
    }
  }
  return rows;
}
