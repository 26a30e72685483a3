// `#pragma HLS …` lines of a source file. Clang drops unknown pragmas from its AST, so the static check
// reads them from the files and places each in the innermost `{ }` block around its line.

export interface Pragma {
  file: string;
  line: number;
  /** Upper-cased directive: PIPELINE, UNROLL, ARRAY_PARTITION, ALLOCATION, DEPENDENCE, INLINE, … */
  kind: string;
  /** `key = value` options (keys lower-cased), e.g. { variable: 'line', dim: '1', ii: 'CONFIG_T::reuse_factor' }. */
  opts: Record<string, string>;
  /** Bare words, lower-cased (complete, cyclic, block, off, inter, false, …). */
  flags: string[];
  text: string;
}

export function readPragmas(file: string, source: string): Pragma[] {
  const out: Pragma[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*#\s*pragma\s+HLS\s+(\w+)(.*)$/i.exec(lines[i]);
    if (!m) continue;
    const rest = m[2].replace(/\/\/.*$/, '').trim();
    const opts: Record<string, string> = {};
    const flags: string[] = [];
    const stripped = rest.replace(/([A-Za-z_]\w*)\s*=\s*([^\s=]+)/g, (_all, k: string, v: string) => {
      opts[k.toLowerCase()] = v;
      return ' ';
    });
    for (const w of stripped.split(/\s+/)) if (w) flags.push(w.toLowerCase());
    out.push({ file, line: i + 1, kind: m[1].toUpperCase(), opts, flags, text: `#pragma HLS ${m[1]} ${rest}`.trim() });
  }
  return out;
}
