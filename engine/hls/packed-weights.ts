// Weight mantissas packed into C string literals, for the C simulation's copy of a weight array: g++ reads
// a string literal about 20× faster than the same values written as a list of numbers, and the DCGAN
// example's 1.2 M weights were most of its csim compile time. nnet::fill_packed (nnet_common.h) unpacks.
import type { FixedType } from '../fixed/types';

/**
 * Bytes per packed mantissa: little-endian two's complement, wide enough that the top bit is the sign
 * (an unsigned type gets one spare bit), so the C side always sign-extends.
 */
export function packedBytes(t: FixedType): number {
  return Math.ceil((t.W + (t.signed ? 0 : 1)) / 8);
}

/** Each byte as it stands in a C string literal: printable ASCII as itself, the rest (and \ " ?) as a 3-digit octal escape. */
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) =>
  b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x22 && b !== 0x3f ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`,
);

/** Values per line of the literal (adjacent literals concatenate; short lines keep diffs and editors sane). */
const PER_LINE = 64;

/**
 * The mantissas as the lines of one C string literal (`"…"` each, to be written one after another), each
 * mantissa `packedBytes(t)` bytes. Mantissas must be integers that fit the type (W ≤ 53, as the generator checks).
 */
export function packedLiteralLines(m: Float64Array | readonly bigint[], t: FixedType): string[] {
  const bytes = packedBytes(t);
  // Narrow types (at most 2 bytes: 65536 mantissas) remember each mantissa's escaped bytes: weight arrays
  // repeat values, and escaping byte by byte was most of the time.
  const memo: (string | undefined)[] | null = bytes <= 2 ? new Array(2 ** (8 * bytes)) : null;
  const lines: string[] = [];
  const line: string[] = [];
  for (let i = 0; i < m.length; i++) {
    const x = m[i];
    if (typeof x === 'number' ? !Number.isSafeInteger(x) : x >= 2n ** 53n || x <= -(2n ** 53n)) {
      throw new Error(`packed weights: mantissa ${x} at ${i} is not an integer of at most 53 bits`);
    }
    let code: string | undefined;
    if (bytes <= 6) {
      // two's complement in a double: exact below 2^48
      let v = Number(x);
      if (v < 0) v += 2 ** (8 * bytes);
      code = memo ? memo[v] : undefined;
      if (code === undefined) {
        code = '';
        for (let b = 0, r = v; b < bytes; b++, r = Math.floor(r / 256)) code += ESCAPED[r % 256];
        if (memo) memo[v] = code;
      }
    } else {
      let v = BigInt(x);
      if (v < 0n) v += 2n ** BigInt(8 * bytes);
      code = '';
      for (let b = 0; b < bytes; b++, v >>= 8n) code += ESCAPED[Number(v & 255n)];
    }
    line.push(code);
    if ((i + 1) % PER_LINE === 0 || i === m.length - 1) {
      lines.push(`"${line.join('')}"`);
      line.length = 0;
    }
  }
  return lines.length ? lines : ['""'];
}
