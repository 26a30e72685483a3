// Numerical profile of a design on one input, as hls4ml users know it: per layer, the values each
// fixed-point type holds — the weights the layer stores (weight_t / bias_t) and its output (result_t) —
// against the range of that type. Values beyond the range overflow (wrap or saturate); non-zero values
// below one LSB vanish (they become 0, or −LSB with truncation). Both become warnings on the layer, each
// with the fix: a type that holds those values, found from the same profile.
import { makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostics';
import { fixedType, formatFixedType, fracBits, mantissaRange, type FixedType } from '../fixed/types';
import type { LayerPrecision } from '../fixed/precision';
import type { Model } from '../graph/model';
import { getOp } from '../ops/registry';
import type { HlsConfig } from './config';
import { resolveGraph } from './resolve';

export interface TypeRange {
  type: FixedType;
  /** Smallest and largest representable values. */
  min: number;
  max: number;
  /** Value of one LSB, 2^−F. */
  lsb: number;
}

export function typeRange(type: FixedType): TypeRange {
  const lsb = 2 ** -fracBits(type);
  const m = mantissaRange(type);
  return { type, min: Number(m.min) * lsb, max: Number(m.max) * lsb, lsb };
}

/** A layer is warned about when at least this share of its non-zero values vanishes below one LSB. */
export const UNDERFLOW_SHARE = 0.01;

export interface ValueProfile {
  count: number;
  zeros: number;
  min: number;
  max: number;
  /** Quantiles of log2|x| over the non-zero values (NaN when all are zero); p01 is the lowest that must stay above one LSB (fewer than UNDERFLOW_SHARE of the values lie below it). */
  log2: { min: number; p01: number; q1: number; median: number; q3: number; max: number };
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
    log2: {
      min: k ? nz[0] : Number.NaN,
      // not interpolated: the value with fewer than UNDERFLOW_SHARE of the others strictly below it, so that an
      // LSB at most this leaves fewer than that share vanishing (the interpolated quantile let 4 of 360 through)
      p01: k ? nz[Math.max(0, Math.ceil(UNDERFLOW_SHARE * k) - 1)] : Number.NaN,
      q1: quantile(nz, 0.25),
      median: quantile(nz, 0.5),
      q3: quantile(nz, 0.75),
      max: k ? nz[k - 1] : Number.NaN,
    },
    lowBin,
    bins,
    overflow,
    underflow,
  };
}

/** The values vanish in large enough numbers to matter (see UNDERFLOW_SHARE). */
export function underflows(p: ValueProfile): boolean {
  const nonZero = p.count - p.zeros;
  return nonZero > 0 && p.underflow / nonZero >= UNDERFLOW_SHARE;
}

/**
 * A type that holds the profiled values: integer bits for the largest magnitude (signed when there are
 * negative values), fractional bits so that fewer than UNDERFLOW_SHARE of the non-zero values fall below
 * one LSB — never fewer than `current` has, and at least `current`'s width (the binary point moves to
 * where the values are). The rounding and overflow modes of `current` are kept. `current` itself when it
 * already holds them.
 */
export function fittingType(p: ValueProfile, current: FixedType): FixedType {
  if (p.count === p.zeros || (p.overflow === 0 && !underflows(p))) return current;
  const signed = current.signed || p.min < 0;
  const F0 = fracBits(current);
  // Fractional bits: one LSB at most the UNDERFLOW_SHARE quantile of |x| (Math.ceil of −log2 of it).
  const Fneed = underflows(p) ? Math.ceil(-p.log2.p01 - 1e-12) : F0;
  let F = Math.max(F0, Fneed);
  // Integer bits: the fewest that hold [min, max] at that resolution (with the sign bit).
  const holds = (I: number, Fb: number) => {
    const r = typeRange(fixedType(I + Fb, I, { signed }));
    return p.max <= r.max && p.min >= r.min;
  };
  let I = Math.ceil(Math.log2(Math.max(Math.abs(p.min), Math.abs(p.max)))) + (signed ? 1 : 0) - 1;
  // Keep the width the user chose where the values allow it (spare bits go to precision); more fractional
  // bits can free an integer bit, so settle both.
  for (let round = 0; round < 4; round++) {
    while (!holds(I, F)) I++;
    while (holds(I - 1, F)) I--;
    if (F >= current.W - I) break;
    F = current.W - I;
  }
  const W = Math.max(1, I + F);
  return { ...current, kind: 'fixed', signed, W, I, N: Math.min(current.N, W) };
}

/** One profiled tensor of a layer. */
export interface ProfileRow {
  nodeId: string;
  name: string;
  /** 'weight', 'bias', 'scale', … or 'output' for the layer's result. */
  what: string;
  field: 'weight_t' | 'bias_t' | 'result_t';
  /** The type in C++ spelling. */
  type: string;
  range: TypeRange;
  profile: ValueProfile;
}

/** The float values a layer stores in weight_t / bias_t (before they are quantized). */
export interface StoredValues {
  field: 'weight_t' | 'bias_t';
  what: string;
  values: ArrayLike<number>;
}

/** Weights as they are stored, for ops without their own rule: the slot 'bias' in bias_t, the others in weight_t. */
function defaultStored(weights: Readonly<Record<string, { data: ArrayLike<number> }>>): StoredValues[] {
  return Object.entries(weights).map(([slot, t]) => ({ field: slot === 'bias' ? 'bias_t' : 'weight_t', what: slot, values: t.data }));
}

export interface DesignProfile {
  rows: ProfileRow[];
  /** Warnings (codes numeric-overflow, numeric-underflow), one per profiled tensor that loses values. */
  diagnostics: Diagnostic[];
}

/**
 * Profiles every layer of a design whose types resolve under `cfg` (as the fixed-point preview and builds
 * resolve them): the weights it stores and, where `outputs` has it, its float output on the preview input.
 * Layers whose types do not resolve are left out (their errors are reported where the types are set).
 */
export function profileDesign(
  model: Model,
  outputs: Readonly<Record<string, { data: ArrayLike<number> } | undefined>>,
  cfg: HlsConfig,
  /** Profile these nodes only (a part of the preview's split run); the types still follow from the whole graph. */
  only?: ReadonlySet<string>,
): DesignProfile {
  let resolved;
  try {
    resolved = resolveGraph(model, cfg);
  } catch {
    return { rows: [], diagnostics: [] };
  }
  const rows: ProfileRow[] = [];
  for (const r of resolved.nodes) {
    if (only && !only.has(r.id)) continue;
    const op = getOp(r.node.type);
    const prec: LayerPrecision = r.config.precision;
    const weights = model.weights[r.id];
    if (weights) {
      const stored = op?.hls?.storedValues ? op.hls.storedValues(r.params as never, weights) : defaultStored(weights);
      for (const s of stored) {
        const type = prec[s.field];
        const range = typeRange(type);
        rows.push({ nodeId: r.id, name: r.node.name, what: s.what, field: s.field, type: formatFixedType(type), range, profile: profileValues(s.values, range) });
      }
    }
    const out = outputs[r.id];
    if (out) {
      const range = typeRange(r.outputType);
      rows.push({ nodeId: r.id, name: r.node.name, what: 'output', field: 'result_t', type: formatFixedType(r.outputType), range, profile: profileValues(out.data, range) });
    }
  }
  return { rows, diagnostics: numericDiagnostics(rows) };
}

const count = (n: number) => n.toLocaleString('en-US');
const pow2 = (x: number) => (Number.isInteger(Math.log2(x)) ? `2^${Math.log2(x)}` : String(x));

/** Warnings for the profiled tensors that lose values, each with the type that would keep them. */
export function numericDiagnostics(rows: readonly ProfileRow[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const row of rows) {
    const p = row.profile;
    const over = p.overflow > 0;
    const under = underflows(p);
    if (!over && !under) continue;
    const values = row.what === 'output' ? 'output values on the preview input' : `${row.what} values`;
    const lost: string[] = [];
    if (over) lost.push(`${count(p.overflow)} of ${count(p.count)} ${values} lie outside [${row.range.min}, ${row.range.max}] (largest ${Number(Math.max(Math.abs(p.min), Math.abs(p.max)).toPrecision(4))}) and wrap or saturate`);
    if (under) lost.push(`${count(p.underflow)} of ${count(p.count - p.zeros)} non-zero ${values} (${((100 * p.underflow) / (p.count - p.zeros)).toFixed(1)} %) are below one LSB (${pow2(row.range.lsb)}) and vanish`);
    const fit = formatFixedType(fittingType(p, row.range.type));
    out.push(makeDiagnostic({
      severity: 'warning',
      code: over ? 'numeric-overflow' : 'numeric-underflow',
      nodeId: row.nodeId,
      nodeName: row.name,
      field: row.field,
      value: row.type,
      rule: `${row.field} holds the layer's ${row.what === 'output' ? 'output' : row.what}: ${lost.join('; ')}`,
      fix: `set ${row.field} to ${fit}, which holds them (from the numerical profile)`,
    }));
  }
  return out;
}
