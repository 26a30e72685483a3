// QKeras quantizers → Tessera precision type strings (FIXED_POINT.md):
// - quantized_bits(bits, integer) → ap_fixed<bits, integer+1, AP_RND_CONV, AP_SAT>
//   (keep_negative=False: ap_ufixed<bits, integer, AP_RND_CONV, AP_SAT>);
// - quantized_relu(bits, integer) → ap_ufixed<bits, integer>;
// - quantized_po2(bits, max_value) on a kernel or bias → the weights quantized here to QKeras' signed powers of
//   two (quantizePo2), in the narrowest ap_fixed that holds every one of them exactly (po2Type).
// A quantizer is written either as a call string ("quantized_bits(8, 0, alpha=1)") or serialized
// ({class_name: 'quantized_bits', config: {bits, integer, …}}). Arguments that change the values in a
// way a fixed-point type cannot express (alpha 'auto', stochastic rounding, a relu slope, …) are refused.
import { TesseraError } from '../../diagnostics/diagnostics';

export interface QuantizerType {
  /**
   * 'bits' quantizes a value (identity in float); 'relu' also applies ReLU; 'po2' rounds weights to powers of
   * two (`po2`: done at import, the type then follows from the values).
   */
  kind: 'bits' | 'relu' | 'po2';
  /** Precision type string, e.g. 'ap_fixed<8,1,AP_RND_CONV,AP_SAT>'. */
  type: string;
  /** The quantizer as written, for messages. */
  text: string;
  po2?: Po2Quantizer;
}

/** QKeras quantized_po2 as its constructor derives it (qkeras/quantizers.py). */
export interface Po2Quantizer {
  minExp: number;
  maxExp: number;
  maxValue: number | null;
  rounding: 'rnd' | 'floor';
  quadratic: boolean;
}

/** The exponent range QKeras derives: bits − 1 for the exponent (its sign too unless 0 ≤ max_value ≤ 1). */
export function po2Quantizer(bits: number, maxValue: number | null, rounding: 'rnd' | 'floor' = 'rnd', quadratic = false): Po2Quantizer {
  const expSign = maxValue === null || maxValue > 1 ? 1 : 0;
  const effective = bits - 1 - expSign;
  const minExp = -(2 ** effective);
  let maxExp = 2 ** effective - 1;
  if (quadratic) maxExp = 2 * Math.floor(maxExp / 2);
  return { minExp, maxExp, maxValue, rounding, quadratic };
}

const EPSILON = Math.fround(1e-7); // tf.keras.backend.epsilon() in float32

/** Round half to even (tf.round). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/**
 * One value through quantized_po2 at inference: sign (0 counts as +) times 2^e, e = round(log2 |x|) (or floor)
 * clipped to [minExp, maxExp], |x| first clipped to max_value; |x| below Keras' epsilon gives 2^minExp. With the
 * quadratic approximation e = 2·clip(round(log2 √|x|)). log2 is taken in float64 (TF: float32 log), which can
 * round differently only for |x| within float32 precision of 2^(k+½).
 */
export function quantizePo2(x: number, q: Po2Quantizer): number {
  const sign = x < 0 ? -1 : 1;
  const abs = Math.abs(x);
  if (abs < EPSILON) return sign * 2 ** q.minExp;
  const max = q.maxValue === null ? null : Math.fround(q.maxValue);
  const clipped = max !== null && abs >= max ? max : abs;
  const factor = q.quadratic ? 2 : 1;
  const l = Math.log2(q.quadratic ? Math.sqrt(clipped) : clipped);
  const e = q.rounding === 'floor' ? Math.floor(l) : roundHalfEven(l);
  return sign * 2 ** (factor * Math.min(q.maxExp, Math.max(q.minExp, e)));
}

/**
 * The narrowest signed ap_fixed holding ±2^e for every exponent e of `values` (all powers of two, or 0): I =
 * e_max + 2 integer bits (2^e_max and its negative), −e_min fractional bits (none when e_min ≥ 0).
 */
export function po2Type(values: ArrayLike<number>): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === 0) continue;
    const e = Math.log2(Math.abs(values[i]));
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  if (!Number.isFinite(lo)) return 'ap_fixed<2,2>';
  const I = hi + 2;
  return `ap_fixed<${I + Math.max(0, -lo)},${I}>`;
}

/** Widest weight type the generator takes (engine/hls/generate.ts: weights are exact doubles in the testbench). */
export const MAX_WEIGHT_BITS = 53;

/**
 * Powers of two whose type fits MAX_WEIGHT_BITS: values more than 2^51 below the largest are flushed to 0.
 * QKeras maps |x| < 1e-7 (a pruned weight, a zero bias) to 2^min_exp, 2^-64 at 8 bits, and with large
 * weights beside it no ap_fixed up to 53 bits holds both; such a value changes by at most 2^cutoff.
 */
export function po2Fit(values: Float32Array): { data: Float32Array; type: string; flushed: number; cutoff: number } {
  let hi = -Infinity;
  for (const v of values) if (v !== 0) hi = Math.max(hi, Math.log2(Math.abs(v)));
  const cutoff = hi + 2 - MAX_WEIGHT_BITS; // the lowest exponent an ap_fixed<53, hi + 2> holds
  let flushed = 0;
  const data = Float32Array.from(values, (v) => {
    if (v !== 0 && Math.log2(Math.abs(v)) < cutoff) {
      flushed++;
      return 0;
    }
    return v;
  });
  return { data, type: po2Type(data), flushed, cutoff };
}

type Args = { positional: unknown[]; named: Record<string, unknown> };

function parseLiteral(s: string): unknown {
  const t = s.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (t === 'None') return null;
  const q = /^(['"])(.*)\1$/.exec(t);
  if (q) return q[2];
  return t;
}

/** "name(a, b, k=v)" → name and arguments; null when the text is not a call. */
export function parseCall(text: string): { name: string; args: Args } | null {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!m) return null;
  const args: Args = { positional: [], named: {} };
  const body = (m[2] ?? '').trim();
  if (body) {
    for (const part of body.split(',')) {
      if (!part.trim()) continue;
      const eq = part.indexOf('=');
      if (eq > 0) args.named[part.slice(0, eq).trim()] = parseLiteral(part.slice(eq + 1));
      else args.positional.push(parseLiteral(part));
    }
  }
  return { name: m[1], args };
}

const BITS_PARAMS = ['bits', 'integer', 'symmetric', 'keep_negative', 'alpha', 'use_stochastic_rounding', 'scale_axis', 'qnoise_factor', 'var_name', 'use_ste', 'use_variables', 'elements_per_scale', 'min_po2_exponent', 'max_po2_exponent', 'post_training_scale'];
const PO2_PARAMS = ['bits', 'max_value', 'use_stochastic_rounding', 'quadratic_approximation', 'log2_rounding', 'qnoise_factor', 'var_name', 'use_ste', 'use_variables'];
const RELU_PARAMS = ['bits', 'integer', 'use_sigmoid', 'negative_slope', 'use_stochastic_rounding', 'relu_upper_bound', 'qnoise_factor', 'var_name', 'use_ste', 'use_variables'];

function bind(params: string[], args: Args, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  args.positional.forEach((v, i) => {
    if (i >= params.length) throw new TesseraError(`${where}: too many arguments`);
    out[params[i]] = v;
  });
  for (const [k, v] of Object.entries(args.named)) out[k] = v;
  return out;
}

function int(v: unknown, dflt: number, name: string, where: string): number {
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TesseraError(`${where}: ${name} = ${JSON.stringify(v)} is not an integer`);
  return n;
}

function refuse(where: string, arg: string, value: unknown, why: string): never {
  throw new TesseraError(`${where}: ${arg} = ${JSON.stringify(value)} is not supported (${why}); use the default or re-quantize with quantized_bits / quantized_relu`);
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'True';

/**
 * Reads a quantizer (string or serialized dict). `where` names the layer and argument in errors,
 * e.g. "layer 'qconv' (QConv2D) kernel_quantizer". Returns null for no quantizer (None / null).
 */
export function parseQuantizer(spec: unknown, where: string): QuantizerType | null {
  if (spec === null || spec === undefined || spec === 'None' || spec === '') return null;
  let name: string;
  let values: Record<string, unknown>;
  let text: string;
  if (typeof spec === 'string') {
    const call = parseCall(spec);
    if (!call) throw new TesseraError(`${where} = ${JSON.stringify(spec)} is not a quantizer call such as quantized_bits(8, 0)`);
    name = call.name;
    text = spec;
    const params = name === 'quantized_relu' ? RELU_PARAMS : name === 'quantized_po2' ? PO2_PARAMS : BITS_PARAMS;
    values = bind(params, call.args, `${where} ${spec}`);
  } else if (typeof spec === 'object' && !Array.isArray(spec) && typeof (spec as any).class_name === 'string') {
    name = (spec as any).class_name;
    values = { ...((spec as any).config ?? {}) };
    text = `${name}(${Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
  } else {
    throw new TesseraError(`${where} = ${JSON.stringify(spec)?.slice(0, 80)} is not a QKeras quantizer`);
  }
  const w = `${where} ${name}`;
  if (name === 'quantized_bits') {
    const bits = int(values.bits, 8, 'bits', w);
    const integer = int(values.integer, 0, 'integer', w);
    const keepNegative = values.keep_negative === undefined ? true : truthy(values.keep_negative);
    if (values.alpha !== undefined && values.alpha !== null && values.alpha !== 1 && values.alpha !== '1' && values.alpha !== 1.0)
      refuse(w, 'alpha', values.alpha, 'a trained or per-channel scale is not a fixed-point type');
    if (values.symmetric !== undefined && values.symmetric !== null && values.symmetric !== 0 && values.symmetric !== false)
      refuse(w, 'symmetric', values.symmetric, 'symmetric quantization drops the most negative code, which ap_fixed<…, AP_SAT> keeps');
    if (truthy(values.use_stochastic_rounding)) refuse(w, 'use_stochastic_rounding', values.use_stochastic_rounding, 'stochastic rounding has no fixed-point equivalent');
    if (values.post_training_scale !== undefined && values.post_training_scale !== null) refuse(w, 'post_training_scale', values.post_training_scale, 'an extra scale is not a fixed-point type');
    if (bits < 1 || integer < 0 || integer > bits) throw new TesseraError(`${w}: bits = ${bits}, integer = ${integer} must satisfy bits ≥ 1 and 0 ≤ integer ≤ bits`);
    const type = keepNegative ? `ap_fixed<${bits},${integer + 1},AP_RND_CONV,AP_SAT>` : `ap_ufixed<${bits},${integer},AP_RND_CONV,AP_SAT>`;
    return { kind: 'bits', type, text };
  }
  if (name === 'quantized_relu') {
    const bits = int(values.bits, 8, 'bits', w);
    const integer = int(values.integer, 0, 'integer', w);
    if (values.use_sigmoid !== undefined && values.use_sigmoid !== null && values.use_sigmoid !== 0 && values.use_sigmoid !== false)
      refuse(w, 'use_sigmoid', values.use_sigmoid, 'a sigmoid-shaped relu is not a ReLU');
    if (values.negative_slope !== undefined && values.negative_slope !== null && Number(values.negative_slope) !== 0)
      refuse(w, 'negative_slope', values.negative_slope, 'a leaky quantized relu is not mapped');
    if (values.relu_upper_bound !== undefined && values.relu_upper_bound !== null) refuse(w, 'relu_upper_bound', values.relu_upper_bound, 'a clipped relu is not mapped');
    if (truthy(values.use_stochastic_rounding)) refuse(w, 'use_stochastic_rounding', values.use_stochastic_rounding, 'stochastic rounding has no fixed-point equivalent');
    if (bits < 1 || integer < 0 || integer > bits) throw new TesseraError(`${w}: bits = ${bits}, integer = ${integer} must satisfy bits ≥ 1 and 0 ≤ integer ≤ bits`);
    return { kind: 'relu', type: `ap_ufixed<${bits},${integer}>`, text };
  }
  if (name === 'quantized_po2') {
    const bits = int(values.bits, 8, 'bits', w);
    const mv = values.max_value;
    if (mv !== undefined && mv !== null && (typeof mv !== 'number' || !(mv >= 0))) refuse(w, 'max_value', mv, 'QKeras needs a non-negative number or None');
    if (truthy(values.use_stochastic_rounding)) refuse(w, 'use_stochastic_rounding', values.use_stochastic_rounding, 'stochastic rounding has no fixed-point equivalent');
    if (values.qnoise_factor !== undefined && values.qnoise_factor !== null && Number(values.qnoise_factor) !== 1) refuse(w, 'qnoise_factor', values.qnoise_factor, 'a mix of quantized and float values is not a power of two');
    const rounding = values.log2_rounding ?? 'rnd';
    if (rounding !== 'rnd' && rounding !== 'floor') refuse(w, 'log2_rounding', rounding, "QKeras knows 'rnd' and 'floor'");
    if (bits < 2 || bits > 8) throw new TesseraError(`${w}: bits = ${bits} must be 2 … 8 (sign and exponent; 8 bits already span 2^−64 … 2^63)`);
    const po2 = po2Quantizer(bits, (mv as number | null | undefined) ?? null, rounding, truthy(values.quadratic_approximation));
    return { kind: 'po2', type: po2Type([2 ** po2.minExp, 2 ** (po2.quadratic ? 2 * po2.maxExp : po2.maxExp)]), text, po2 };
  }
  throw new TesseraError(`${where}: the QKeras quantizer '${name}' is not supported; Tessera maps quantized_bits, quantized_relu and quantized_po2 (on weights)`);
}
