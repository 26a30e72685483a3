// Where the app's files are (hls-templates/, out/renderer/, package.json): the nearest folder above this
// module holding package.json. Works from the sources (electron/…), the compiled CLI (dist/cli/<build>/…)
// and a bundled main process alike, where a fixed number of '..' would not.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function appRoot(): string {
  if (root) return root;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}: the app's files cannot be found`);
  }
}
