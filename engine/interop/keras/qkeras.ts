// QKeras quantizers → Tessera precision type strings (FIXED_POINT.md):
// - quantized_bits(bits, integer) → ap_fixed<bits, integer+1, AP_RND_CONV, AP_SAT>
//   (keep_negative=False: ap_ufixed<bits, integer, AP_RND_CONV, AP_SAT>);
// - quantized_relu(bits, integer) → ap_ufixed<bits, integer>.
// A quantizer is written either as a call string ("quantized_bits(8, 0, alpha=1)") or serialized
// ({class_name: 'quantized_bits', config: {bits, integer, …}}). Arguments that change the values in a
// way a fixed-point type cannot express (alpha 'auto', stochastic rounding, a relu slope, …) are refused.
import { TesseraError } from '../../diagnostics/diagnostics';

export interface QuantizerType {
  /** 'bits' quantizes a value (identity in float); 'relu' also applies ReLU. */
  kind: 'bits' | 'relu';
  /** Precision type string, e.g. 'ap_fixed<8,1,AP_RND_CONV,AP_SAT>'. */
  type: string;
  /** The quantizer as written, for messages. */
  text: string;
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
    const params = name === 'quantized_relu' ? RELU_PARAMS : BITS_PARAMS;
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
  throw new TesseraError(`${where}: the QKeras quantizer '${name}' is not supported; Tessera maps quantized_bits and quantized_relu`);
}
