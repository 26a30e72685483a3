// Quoting for Tcl words: a value becomes exactly one word, whatever characters it holds.

const BARE = /^[A-Za-z0-9_./:+=,@%^~-]+$/;

/**
 * One Tcl word for `s`: bare when it is plain, in braces when it has spaces or Tcl-special
 * characters but no braces/backslashes, else in double quotes with every special escaped.
 */
export function tclWord(s: string): string {
  if (s !== '' && BARE.test(s)) return s;
  if (!/[{}\\\n\r]/.test(s)) return `{${s}}`;
  return `"${s.replace(/[\\$[\]"{}]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** A Tcl command line from a command name and its arguments, each quoted as one word. */
export function tclCommand(name: string, ...args: (string | number)[]): string {
  return [name, ...args.map((a) => (typeof a === 'number' ? formatNumber(a) : tclWord(a)))].join(' ');
}

/** Numbers as Tcl and the vendor tools read them: no exponent, no trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  const s = v.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * Joins compiler flags into the single string the HLS tools take for -cflags / syn.cflags.
 * A flag with a space (e.g. -I with a folder name containing spaces) is double-quoted inside
 * the string, which is how the tools split their cflags.
 */
export function joinFlags(flags: string | string[] | undefined): string {
  if (flags === undefined) return '';
  if (typeof flags === 'string') return flags.trim();
  return flags
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map((f) => (/\s/.test(f) ? f.replace(/^(-[A-Za-z])?(.*)$/, (_m, opt: string | undefined, rest: string) => `${opt ?? ''}"${rest.replace(/"/g, '\\"')}"`) : f))
    .join(' ');
}
