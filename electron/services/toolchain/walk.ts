// The bounded directory walk the report finder and the runner's artifact snapshots share.

import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * Calls `visit` for every file below `dir`, going at most `depth` folders down (0: dir's own files
 * only), in readdir order. A folder that cannot be read or an entry that cannot be stat'ed is passed
 * over; `enter` keeps a subfolder out by its name.
 */
export function walkFiles(dir: string, depth: number, visit: (path: string, name: string, st: Stats) => void, enter: (name: string) => boolean = () => true): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (depth > 0 && enter(n)) walkFiles(p, depth - 1, visit, enter);
    } else visit(p, n, st);
  }
}
