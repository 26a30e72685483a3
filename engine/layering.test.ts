// The engine's layers: each folder imports only folders of a lower layer, and no files import each other in
// a circle. Imports are read with the TypeScript compiler's own pre-processor (type-only imports count: a
// circle of types is still a circle for a reader), so a new import that breaks a rule fails here, naming it.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Layer of every folder under engine/: a folder may import folders of a strictly lower layer only. */
const LAYER: Record<string, number> = {
  // base: diagnostics, tensors, fixed-point arithmetic (and the vendor report parsers, which need none)
  diagnostics: 0,
  tensor: 0,
  reports: 0,
  fixed: 1,
  // allow-lists for everything untrusted that reaches a name, a path, a flag or generated C++
  safety: 1,
  // every op with all its hooks (kernels, HLS descriptor, stream schedule, estimate)
  ops: 2,
  // graphs of ops
  graph: 3,
  // float simulation; HLS configuration, fixed-point simulation and project generation
  sim: 4,
  hls: 4,
  // what is built on the HLS design: its estimate; model files in and out
  estimate: 5,
  interop: 5,
};

const ENGINE = path.resolve(__dirname);
const isSource = (f: string) => f.endsWith('.ts') && !/\.(test|testutil|bench)\.ts$/.test(f);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return isSource(e.name) ? [p] : [];
  });
}

/** Engine files a file imports (relative imports resolved to files; packages left out). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), fileName);
    const hit = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (hit && hit.startsWith(ENGINE + path.sep)) out.push(hit);
  }
  return out;
}

const folderOf = (f: string) => {
  const parts = path.relative(ENGINE, f).split(path.sep);
  return parts.length > 1 ? parts[0] : '(engine root)';
};
const rel = (f: string) => path.relative(ENGINE, f).split(path.sep).join('/');

/** Strongly connected components with more than one file (Tarjan): each is a circle of imports. */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = sourceFiles(ENGINE);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('engine layering', () => {
  it('every folder has a layer (a new folder is placed in LAYER)', () => {
    expect([...new Set(files.map(folderOf))].filter((f) => LAYER[f] === undefined)).toEqual([]);
  });

  it('folders import only lower layers', () => {
    const broken: string[] = [];
    for (const [f, deps] of graph) {
      for (const d of deps) {
        const a = folderOf(f), b = folderOf(d);
        if (a !== b && !(LAYER[b] < LAYER[a])) broken.push(`${rel(f)} imports ${rel(d)} (${a}: layer ${LAYER[a]}, ${b}: layer ${LAYER[b]})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no files import each other in a circle', () => {
    expect(circles(graph).map((c) => c.map(rel).join(' → '))).toEqual([]);
  });

  it('the rules see the imports (a sanity check that cannot pass on an empty graph)', () => {
    expect(files.length).toBeGreaterThan(100);
    const conv = graph.get(path.join(ENGINE, 'ops', 'conv', 'ops.ts'))!.map(rel);
    expect(conv).toContain('ops/types.ts');
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });
});
