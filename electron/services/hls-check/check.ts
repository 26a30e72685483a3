// Runs the static check (analyse.ts) on a generated project: copies its firmware with the weight values
// stubbed out (the check needs the code, not 600 k initialisers), dumps the instantiated templates with
// Debian's clang (`-Xclang -ast-dump=json`, filtered to declarations named *nnet*; the project namespace is
// renamed for the dump so that its config structs are in it too), reads the `#pragma HLS` lines of the
// project's own copies of the templates, and returns the findings.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAst, type AstNode } from './ast';
import { readPragmas, type Pragma } from './pragmas';
import { Checker, Program, RULES, type Finding, type Rule } from './analyse';
import { TEMPLATES_ROOT } from '../csim/csim';

export type { Finding, Rule } from './analyse';
export { RULES } from './analyse';

export interface CheckResult {
  top: string;
  findings: Finding[];
  /** Instantiated functions analysed, and their names. */
  functions: number;
  functionNames: string[];
  clangMs: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The clang++ to use: $TESSERA_CLANG or clang++ on PATH. */
export function clangCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.TESSERA_CLANG ?? 'clang++';
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', (e) => reject(new Error(`${cmd} could not run (${(e as NodeJS.ErrnoException).code ?? e.message}): install Debian's clang (apt-get install clang) or set TESSERA_CLANG`)));
    p.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/**
 * Weight headers keep their declarations; the values become `0` (the arrays' sizes are in their types): today's
 * synthesis initializers (weights/<name>.inc, included by <name>.h), the initializer list written in the header
 * itself (`static const T name[N] = {` + rows of 4-space-indented literals) of earlier generators, or the values
 * macro of older ones (fixtures/old-templates). Unstubbed, the DCGAN-sized arrays make clang's JSON AST larger
 * than a JavaScript string can hold.
 */
function stubWeights(file: string, src: string): string {
  if (file.endsWith('.inc')) return '    0\n';
  const lines = src.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    const inHeader = /^#define \w+_VALUES \\$/.test(lines[i]) || /^static const [^=]+\[\d+\] = \{$/.test(lines[i]);
    if (inHeader && !/^#include /.test(lines[i + 1] ?? '')) {
      out.push('    0');
      while (i + 1 < lines.length && /^ {4}/.test(lines[i + 1])) i++;
    }
  }
  return out.join('\n');
}

function copyTree(src: string, dst: string, rel = ''): string[] {
  const files: string[] = [];
  mkdirSync(join(dst, rel), { recursive: true });
  for (const e of readdirSync(join(src, rel))) {
    const r = join(rel, e);
    const s = join(src, r);
    if (statSync(s).isDirectory()) files.push(...copyTree(src, dst, r));
    else {
      const text = readFileSync(s, 'utf8');
      const rel = r.replace(/\\/g, '/');
      writeFileSync(join(dst, r), rel.startsWith('weights/') ? stubWeights(rel, text) : text);
      files.push(r);
    }
  }
  return files;
}

function projectTop(dir: string): string {
  const meta = JSON.parse(readFileSync(join(dir, 'tessera.json'), 'utf8')) as { top?: string };
  const top = meta.top ?? '';
  if (!IDENT.test(top)) throw new Error(`${dir}/tessera.json: top ${JSON.stringify(top)} is not a C identifier`);
  if (!existsSync(join(dir, 'firmware', `${top}.cpp`))) throw new Error(`${dir}: firmware/${top}.cpp is missing`);
  return top;
}

/** Checks one generated project folder (HLS.md layout: firmware/, tessera.json). */
export async function checkProject(dir: string, opts: { clang?: string; include?: string } = {}): Promise<CheckResult> {
  return checkProjects([dir], opts);
}

/**
 * Checks several generated projects (distinct tops, templates of the same version) in one clang run: one
 * translation unit includes every project's firmware, each in its own (renamed) namespace.
 */
export async function checkProjects(dirs: readonly string[], opts: { clang?: string; include?: string } = {}): Promise<CheckResult> {
  const tops = dirs.map(projectTop);
  if (new Set(tops).size !== tops.length) throw new Error(`checkProjects: the tops must differ (${tops.join(', ')})`);
  const work = mkdtempSync(join(tmpdir(), 'tessera-hls-check-'));
  try {
    const files: string[] = [];
    const unit = ['// Every project namespace renamed so that the dump filter (nnet) keeps its config structs.'];
    dirs.forEach((dir, i) => {
      const t = tops[i];
      for (const f of copyTree(join(dir, 'firmware'), join(work, t, 'firmware'))) files.push(join(t, 'firmware', f));
      unit.push(`#define ${t}_ns ${t}_ns_nnet`, `#include "${t}/firmware/${t}.cpp"`);
    });
    writeFileSync(join(work, 'check.cpp'), unit.join('\n') + '\n');
    const args = ['-std=c++17', '-fsyntax-only', '-D__SYNTHESIS__', '-Wno-unknown-pragmas', '-I', opts.include ?? join(TEMPLATES_ROOT, 'include'), '-Xclang', '-ast-dump=json', '-Xclang', '-ast-dump-filter=nnet', 'check.cpp'];
    const t0 = Date.now();
    const r = await run(opts.clang ?? clangCommand(), args, work);
    const clangMs = Date.now() - t0;
    if (r.code !== 0) throw new Error(`clang could not parse ${dirs.join(', ')}:\n${r.stderr.split('\n').slice(0, 12).join('\n')}`);
    const ast = parseAst(r.stdout);
    const pragmas: Pragma[] = [];
    for (const f of files) if (/\.(h|cpp)$/.test(f)) pragmas.push(...readPragmas(`./${f.replace(/\\/g, '/')}`, readFileSync(join(work, f), 'utf8')));
    const prog = new Program(ast, pragmas);
    const fileOf = (n: AstNode) => {
      const p = n.range?.begin?.file ? n.range.begin : n.loc;
      return { file: (p?.file ?? '?').replace(/^\.\//, ''), line: p?.line ?? 0 };
    };
    const checker = new Checker(prog, fileOf);
    checker.run();
    const findings = checker.findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
    return { top: tops.join(', '), findings, functions: prog.fns.length, functionNames: [...new Set(prog.fns.map((f) => f.name))].sort(), clangMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Findings per rule (every rule listed, 0 when none). */
export function countByRule(findings: readonly Finding[]): Record<Rule, number> {
  const out = Object.fromEntries(RULES.map((r) => [r, 0])) as Record<Rule, number>;
  for (const f of findings) out[f.rule]++;
  return out;
}

export function formatFindings(r: CheckResult, root?: string): string {
  if (!r.findings.length) return `${r.top}: no findings (${r.functions} functions)`;
  const lines = r.findings.map((f) => `  ${root ? relative(root, f.file) : f.file}:${f.line} [${f.rule}] ${f.fn}: ${f.message}`);
  return `${r.top}: ${r.findings.length} findings\n${lines.join('\n')}`;
}
