// Fixed-point type descriptions (ap_fixed / ap_ufixed / ap_int / ap_uint), hls4ml-style type strings,
// and the result types of + − × (FIXED_POINT.md). Values are integers m scaled by 2^−F, F = W − I.

export const Q_MODES = ['AP_TRN', 'AP_TRN_ZERO', 'AP_RND', 'AP_RND_ZERO', 'AP_RND_MIN_INF', 'AP_RND_INF', 'AP_RND_CONV'] as const;
export const O_MODES = ['AP_WRAP', 'AP_SAT', 'AP_SAT_ZERO', 'AP_SAT_SYM', 'AP_WRAP_SM'] as const;
export type QMode = (typeof Q_MODES)[number];
export type OMode = (typeof O_MODES)[number];

/**
 * kind 'fixed' is ap_fixed/ap_ufixed; kind 'int' is ap_int/ap_uint, which has I = W, TRN, WRAP, N = 0
 * and differs from ap_fixed<W,W> in one way: converting a value with a fraction into it truncates toward
 * zero (C semantics) instead of flooring.
 */
export interface FixedType {
  readonly kind: 'fixed' | 'int';
  readonly signed: boolean;
  /** Total bits, ≥ 1. */
  readonly W: number;
  /** Integer bits including the sign bit; may be negative or larger than W. */
  readonly I: number;
  readonly Q: QMode;
  readonly O: OMode;
  /** Saturation bits for the wrap modes, 0 ≤ N ≤ W. */
  readonly N: number;
}

/** Widest type the engine accepts from a type string (BigInt path handles any width; this bounds typos). */
export const MAX_PARSE_WIDTH = 1024;
/** Widest type Tessera's own C++ headers support (products of two 64-bit types). */
export const MAX_CPP_WIDTH = 128;

export function fracBits(t: FixedType): number {
  return t.W - t.I;
}

export function fixedType(W: number, I: number, opts: { signed?: boolean; Q?: QMode; O?: OMode; N?: number } = {}): FixedType {
  return { kind: 'fixed', signed: opts.signed ?? true, W, I, Q: opts.Q ?? 'AP_TRN', O: opts.O ?? 'AP_WRAP', N: opts.N ?? 0 };
}

export function ufixedType(W: number, I: number, opts: { Q?: QMode; O?: OMode; N?: number } = {}): FixedType {
  return fixedType(W, I, { ...opts, signed: false });
}

export function intType(W: number, signed = true): FixedType {
  return { kind: 'int', signed, W, I: W, Q: 'AP_TRN', O: 'AP_WRAP', N: 0 };
}

/** Result types carry the default modes (arithmetic never rounds; only assignment does). */
function resultType(kind: 'fixed' | 'int', W: number, I: number, signed: boolean): FixedType {
  return kind === 'int' ? intType(W, signed) : fixedType(W, I, { signed });
}

function resultKind(a: FixedType, b: FixedType): 'fixed' | 'int' {
  return a.kind === 'int' && b.kind === 'int' ? 'int' : 'fixed';
}

/** Type of a * b: W = W1 + W2, I = I1 + I2, signed if either is. */
export function mulType(a: FixedType, b: FixedType): FixedType {
  return resultType(resultKind(a, b), a.W + b.W, a.I + b.I, a.signed || b.signed);
}

function addIntBits(a: FixedType, b: FixedType): number {
  const sa = a.signed ? 1 : 0;
  const sb = b.signed ? 1 : 0;
  return Math.max(a.I + (sb && !sa ? 1 : 0), b.I + (sa && !sb ? 1 : 0)) + 1;
}

/** Type of a + b: I = max(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1, W = I + max(F1, F2). */
export function addType(a: FixedType, b: FixedType): FixedType {
  const I = addIntBits(a, b);
  return resultType(resultKind(a, b), I + Math.max(fracBits(a), fracBits(b)), I, a.signed || b.signed);
}

/** Type of a − b: as a + b, always signed. */
export function subType(a: FixedType, b: FixedType): FixedType {
  const I = addIntBits(a, b);
  return resultType(resultKind(a, b), I + Math.max(fracBits(a), fracBits(b)), I, true);
}

/** Type of −a (as the C++ headers): one more bit, signed. */
export function negType(a: FixedType): FixedType {
  return resultType(a.kind, a.W + 1, a.I + 1, true);
}

/** A C `int` operand: ap_int<32> (ap_fixed<32,32> when mixed with fixed). */
export const C_INT: FixedType = intType(32, true);

export function typesEqual(a: FixedType, b: FixedType): boolean {
  return a.kind === b.kind && a.signed === b.signed && a.W === b.W && a.I === b.I && a.Q === b.Q && a.O === b.O && a.N === b.N;
}

/** Largest and smallest mantissa of a type (as bigint). */
export function mantissaRange(t: FixedType): { min: bigint; max: bigint } {
  const W = BigInt(t.W);
  return t.signed ? { min: -(1n << (W - 1n)), max: (1n << (W - 1n)) - 1n } : { min: 0n, max: (1n << W) - 1n };
}

// ---------------------------------------------------------------------------------------------
// Type strings

export type ParseResult =
  | { ok: true; type: FixedType }
  | { ok: false; text: string; rule: string; fix: string; message: string };

function fail(text: string, rule: string, fix: string): ParseResult {
  return { ok: false, text, rule, fix, message: `type string ${JSON.stringify(text)} breaks the rule ${rule}; ${fix}.` };
}

const FORMS = 'ap_fixed<W,I[,Q[,O[,N]]]>, ap_ufixed<…>, fixed<…>, ufixed<…>, ap_int<W>, ap_uint<W>, int<W>, uint<W>';

function parseMode<T extends string>(word: string, modes: readonly T[]): T | undefined {
  const w = word.toUpperCase();
  const full = w.startsWith('AP_') ? w : `AP_${w}`;
  return modes.find((m) => m === full);
}

/** Parses `ap_fixed<16,6>`, `fixed<16,6,RND_CONV,SAT>`, `ap_ufixed<8,0>`, `ap_int<8>`, `uint<1>`, … */
export function parseFixedType(text: string): ParseResult {
  const s = text.trim();
  const m = /^(ap_fixed|ap_ufixed|fixed|ufixed|ap_int|ap_uint|int|uint)\s*<([^<>]*)>$/i.exec(s);
  if (!m) return fail(text, `type has one of the forms ${FORMS}`, 'write it like ap_fixed<16,6> or ap_int<8>');
  const name = m[1].toLowerCase().replace(/^ap_/, '');
  const args = m[2].split(',').map((a) => a.trim());
  const isInt = name === 'int' || name === 'uint';
  const signed = name === 'fixed' || name === 'int';
  const intArg = (i: number, what: string): number | ParseResult => {
    const a = args[i];
    if (!/^[+-]?\d+$/.test(a)) return fail(text, `${what} is an integer`, `replace ${JSON.stringify(a)} with a whole number`);
    return Number(a);
  };
  if (isInt) {
    if (args.length !== 1) return fail(text, `${name}<W> takes exactly one parameter`, `write ap_${name}<W>, e.g. ap_${name}<8>`);
    const W = intArg(0, 'W');
    if (typeof W !== 'number') return W;
    if (W < 1 || W > MAX_PARSE_WIDTH) return fail(text, `1 ≤ W ≤ ${MAX_PARSE_WIDTH}`, `choose a width between 1 and ${MAX_PARSE_WIDTH}`);
    return { ok: true, type: intType(W, signed) };
  }
  if (args.length < 2 || args.length > 5) {
    return fail(text, `${name}<W,I[,Q[,O[,N]]]> takes 2 to 5 parameters`, `write e.g. ap_${name}<16,6> or ${name}<16,6,RND_CONV,SAT>`);
  }
  const W = intArg(0, 'W');
  if (typeof W !== 'number') return W;
  const I = intArg(1, 'I');
  if (typeof I !== 'number') return I;
  if (W < 1 || W > MAX_PARSE_WIDTH) return fail(text, `1 ≤ W ≤ ${MAX_PARSE_WIDTH}`, `choose a width between 1 and ${MAX_PARSE_WIDTH}`);
  if (Math.abs(I) > MAX_PARSE_WIDTH) return fail(text, `|I| ≤ ${MAX_PARSE_WIDTH}`, 'choose a smaller number of integer bits');
  let Q: QMode = 'AP_TRN';
  let O: OMode = 'AP_WRAP';
  let N = 0;
  if (args.length > 2) {
    const q = parseMode(args[2], Q_MODES);
    if (!q) return fail(text, `the quantization mode is one of ${Q_MODES.join(', ')} (AP_ prefix optional)`, `replace ${JSON.stringify(args[2])}`);
    Q = q;
  }
  if (args.length > 3) {
    const o = parseMode(args[3], O_MODES);
    if (!o) return fail(text, `the overflow mode is one of ${O_MODES.join(', ')} (AP_ prefix optional)`, `replace ${JSON.stringify(args[3])}`);
    O = o;
  }
  if (args.length > 4) {
    const n = intArg(4, 'N');
    if (typeof n !== 'number') return n;
    N = n;
  }
  if (N < 0 || N > W) return fail(text, '0 ≤ N ≤ W (saturation bits)', `set N between 0 and ${W}`);
  if (O === 'AP_WRAP_SM' && !signed) return fail(text, 'AP_WRAP_SM needs a signed type', 'use ap_fixed, or another overflow mode');
  return { ok: true, type: fixedType(W, I, { signed, Q, O, N }) };
}

/** Parses or throws an Error whose message names the string and the rule (for programmatic use). */
export function fixedTypeOf(text: string): FixedType {
  const r = parseFixedType(text);
  if (!r.ok) throw new Error(r.message);
  return r.type;
}

/**
 * Prints a type. 'cpp' gives the C++ spelling used in generated code (`ap_fixed<16,6,AP_RND_CONV,AP_SAT>`),
 * 'hls4ml' the short one (`fixed<16,6,RND_CONV,SAT>`). Trailing defaults are omitted.
 */
export function formatFixedType(t: FixedType, style: 'cpp' | 'hls4ml' = 'cpp'): string {
  const pre = style === 'cpp' ? 'ap_' : '';
  const mode = (m: string): string => (style === 'cpp' ? m : m.replace(/^AP_/, ''));
  if (t.kind === 'int') return `${pre}${t.signed ? 'int' : 'uint'}<${t.W}>`;
  const args: (string | number)[] = [t.W, t.I, mode(t.Q), mode(t.O), t.N];
  let n = 5;
  if (t.N === 0) {
    n = 4;
    if (t.O === 'AP_WRAP') {
      n = 3;
      if (t.Q === 'AP_TRN') n = 2;
    }
  }
  return `${pre}${t.signed ? 'fixed' : 'ufixed'}<${args.slice(0, n).join(',')}>`;
}
