// Per-layer precision: weight_t, bias_t, accum_t, result_t (and table_t for lookup-table activations),
// defaults ap_fixed<16,6>, and "auto" inference of the accumulator (hls4ml's infer_precision rule).

import type { DiagnosticSink } from '../diagnostics/diagnostics';
import type { FixedType } from './types';
import { fixedType, fracBits, MAX_CPP_WIDTH, parseFixedType } from './types';

export interface LayerPrecision {
  weight_t: FixedType;
  bias_t: FixedType;
  accum_t: FixedType;
  result_t: FixedType;
  /** Lookup-table entries of sigmoid/tanh/softmax. */
  table_t?: FixedType;
}

/** What a user writes: a type string or 'auto' per field; missing fields take the defaults. */
export type PrecisionSpec = Partial<Record<keyof LayerPrecision, string>>;

export const DEFAULT_TYPE_STRING = 'ap_fixed<16,6>';
export const DEFAULT_TYPE: FixedType = fixedType(16, 6);

/** hls4ml's default for lookup-table entries (sigmoid/tanh/softmax). */
export const DEFAULT_TABLE_TYPE_STRING = 'ap_fixed<18,8>';
export const DEFAULT_TABLE_TYPE: FixedType = fixedType(18, 8);

/** Every precision field, in the order the inspector shows them. */
export const PRECISION_FIELDS: readonly (keyof LayerPrecision)[] = ['weight_t', 'bias_t', 'accum_t', 'result_t', 'table_t'];

export function defaultPrecision(): LayerPrecision {
  return { weight_t: DEFAULT_TYPE, bias_t: DEFAULT_TYPE, accum_t: DEFAULT_TYPE, result_t: DEFAULT_TYPE };
}

/** ⌈log2 n⌉ for n ≥ 1, in integers. */
export function ceilLog2(n: number): number {
  let g = 0;
  while (2 ** g < n) g++;
  return g;
}

/**
 * The accumulator that cannot overflow for a sum of nTerms products input·weight, started at the bias:
 * W = w_in + w_weight + ⌈log2 n⌉ and I = i_in + i_weight + ⌈log2 n⌉, then aligned with the bias by the
 * addition growth rule (one more integer bit, the larger fraction). TRN / WRAP (nothing to round or clip).
 */
export function inferAccumType(input: FixedType, weight: FixedType, nTerms: number, bias?: FixedType): FixedType {
  const g = ceilLog2(Math.max(1, nTerms));
  let W = input.W + weight.W + g;
  let I = input.I + weight.I + g;
  let signed = input.signed || weight.signed;
  if (bias) {
    const F = Math.max(W - I, fracBits(bias));
    I = Math.max(I + (bias.signed && !signed ? 1 : 0), bias.I + (signed && !bias.signed ? 1 : 0)) + 1;
    W = I + F;
    signed = signed || bias.signed;
  }
  return fixedType(W, I, { signed });
}

export interface PrecisionContext {
  /** Type of the layer's input. */
  input: FixedType;
  /** Products summed per output (e.g. C_in/groups · kernel taps). */
  nTerms: number;
  hasBias: boolean;
  /** Check that the types fit Tessera's C++ headers (W ≤ 128). */
  forCpp?: boolean;
  /** The layer uses lookup tables: table_t defaults to ap_fixed<18,8>. */
  hasTable?: boolean;
}

/**
 * Resolves a spec into types. Bad strings become diagnostics (field `precision.<name>`) and fall back
 * to the default type, so one mistake does not hide the others. 'auto' is accepted for accum_t (inferred)
 * and result_t (= accum_t); weight_t/bias_t need a type (their range depends on the data).
 */
export function resolvePrecision(spec: PrecisionSpec, ctx: PrecisionContext, sink: DiagnosticSink): LayerPrecision {
  const out = defaultPrecision();
  if (ctx.hasTable) out.table_t = DEFAULT_TABLE_TYPE;
  const auto = new Set<keyof LayerPrecision>();
  for (const f of PRECISION_FIELDS) {
    const s = spec[f];
    if (s === undefined) continue;
    const field = `precision.${f}`;
    if (s.trim().toLowerCase() === 'auto') {
      if (f === 'accum_t' || f === 'result_t') auto.add(f);
      else sink.error('precision-auto', field, s, `'auto' is only inferred for accum_t and result_t`, `give ${f} a type such as ${DEFAULT_TYPE_STRING}`);
      continue;
    }
    const r = parseFixedType(s);
    if (!r.ok) {
      sink.error('precision-type', field, s, r.rule, r.fix);
      continue;
    }
    if (ctx.forCpp && r.type.W > MAX_CPP_WIDTH) {
      sink.error('precision-width', field, s, `W ≤ ${MAX_CPP_WIDTH} (Tessera's C++ headers)`, `use at most ${MAX_CPP_WIDTH} bits`);
      continue;
    }
    out[f] = r.type;
  }
  if (auto.has('accum_t')) out.accum_t = inferAccumType(ctx.input, out.weight_t, ctx.nTerms, ctx.hasBias ? out.bias_t : undefined);
  if (auto.has('result_t')) out.result_t = out.accum_t;
  if (ctx.forCpp && auto.size > 0 && out.accum_t.W > MAX_CPP_WIDTH) {
    sink.error('precision-width', 'precision.accum_t', 'auto', `inferred W = ${out.accum_t.W} ≤ ${MAX_CPP_WIDTH}`, 'narrow the input or weight types, or set accum_t explicitly');
  }
  return out;
}

/**
 * A data type (an Input's result_t: the type of the data it feeds in): a type string, never 'auto', that
 * Tessera's C++ headers hold. Reports into `sink` under `field` and returns null when it is not one.
 */
export function resolveDataType(text: string, field: string, sink: DiagnosticSink): FixedType | null {
  const r = parseFixedType(text);
  if (!r.ok) {
    sink.error('precision-type', field, text, r.rule, r.fix);
    return null;
  }
  if (r.type.W > MAX_CPP_WIDTH) {
    sink.error('precision-width', field, text, `W ≤ ${MAX_CPP_WIDTH} (Tessera's C++ headers)`, `use at most ${MAX_CPP_WIDTH} bits`);
    return null;
  }
  return r.type;
}

/**
 * Checks one precision field's text as builds and the preview read it ('' means the default and is
 * valid): diagnostics for field `precision.<field>` naming the value, the rule and the fix.
 * `dataType`: the field is an Input's result_t (a type, never 'auto').
 */
export function checkPrecisionText(field: keyof LayerPrecision, text: string, sink: DiagnosticSink, opts: { dataType?: boolean } = {}): void {
  if (!text.trim()) return;
  if (opts.dataType) resolveDataType(text, `precision.${field}`, sink);
  else resolvePrecision({ [field]: text }, { input: DEFAULT_TYPE, nTerms: 1, hasBias: true, forCpp: true }, sink);
}
