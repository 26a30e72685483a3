// Reads the "+---+---+ / |a |b |" tables of Vivado / Vitis text reports.

export interface AsciiTable {
  /** Rows above the first inner border, as cell arrays (multi-line headers). */
  header: string[][];
  /** Groups of rows between borders after the header: body, then e.g. Total, Available… */
  groups: string[][][];
  /** Line index just after the table. */
  end: number;
}

const BORDER = /^\s*\+[-+=]+\+\s*$/;
/** A border line whose interior also uses + separators in the middle of a header (e.g. "+ RTL + Status +"). */
const HEADER_BORDER = /^\s*\+.*\+\s*$/;

export function cells(line: string): string[] {
  const t = line.trim();
  const inner = t.slice(t.startsWith('|') ? 1 : 0, t.endsWith('|') ? -1 : undefined);
  return inner.split('|').map((c) => c.trim());
}

/** Finds the next table starting at or after line `from` (within `limit` lines) and reads it. */
export function readTable(lines: string[], from: number, limit = 40): AsciiTable | null {
  let i = from;
  const stop = Math.min(lines.length, from + limit);
  while (i < stop && !BORDER.test(lines[i])) i++;
  if (i >= stop) return null;
  i++; // opening border
  const header: string[][] = [];
  while (i < lines.length && !BORDER.test(lines[i])) {
    if (lines[i].trim().startsWith('|')) header.push(cells(lines[i]));
    else if (!HEADER_BORDER.test(lines[i])) break;
    i++;
  }
  const groups: string[][][] = [];
  let current: string[][] = [];
  while (i < lines.length) {
    const line = lines[i];
    if (BORDER.test(line)) {
      if (current.length) groups.push(current);
      current = [];
      i++;
      continue;
    }
    if (line.trim().startsWith('|')) {
      current.push(cells(line));
      i++;
      continue;
    }
    break;
  }
  if (current.length) groups.push(current);
  return { header, groups, end: i };
}

/** Index of the first line at or after `from` matching re, or -1. */
export function findLine(lines: string[], re: RegExp, from = 0, to = lines.length): number {
  for (let i = from; i < Math.min(to, lines.length); i++) if (re.test(lines[i])) return i;
  return -1;
}
