// Numerical profiling as hls4ml users know it: per layer, the distribution of weights and of the
// layer's output (activations) as a histogram over log2|x| bins, against the range the layer's
// fixed-point type can represent; values above the type's range overflow, non-zero values below one
// LSB underflow (they become 0 or −LSB). Per-layer types are the nodes' own (GraphNode.precision).
import { parseFixedType } from '../../engine/fixed/types';
import { profileValues, typeRange as rangeOfType, type TypeRange, type ValueProfile } from '../../engine/hls/numerics';
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

export type TypeRangeResult = ({ ok: true; text: string } & TypeRange) | { ok: false; text: string; message: string };

/** The range of a type written as text (the inspector's field), or why the text is not a type. */
export function typeRange(text: string): TypeRangeResult {
  const p = parseFixedType(text);
  if (!p.ok) return { ok: false, text, message: p.message };
  return { ok: true, text: text.trim(), ...rangeOfType(p.type) };
}

export { profileValues, type TypeRange, type ValueProfile };

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
