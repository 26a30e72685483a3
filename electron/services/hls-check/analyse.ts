// The static check of generated HLS C++ (issue 11): what a scheduler needs to reach a loop's initiation
// interval, read from clang's AST of the instantiated templates (one instantiation per layer config), with
// the `#pragma HLS` lines placed in the blocks they govern (UG1399 rules):
//
// Inside every pipelined region (a loop or function under PIPELINE; an io_parallel layer function with
// no pipelined loop runs inside the pipelined top, so its body is one):
// - division:        no `/` or `%` of a run-time value except by a power of two (a divider core per site);
// - ports:           an array indexed by a run-time value must give every access its own port: counting the
//                    unrolled copies, no memory bank (after ARRAY_PARTITION / ARRAY_RESHAPE) sees more than
//                    2 accesses per II cycles; a run-time index on a partitioned dimension reaches every bank;
// - variable-bound:  every loop inside is unrolled, so its bounds must be compile-time constants (no `while`,
//                    no `break`);
// - multipliers:     an `ALLOCATION … mul limit = L` scope holds at most L multiplications of run-time values
//                    (the code, not ALLOCATION, sets the multiplier count: a rolled reuse loop), and a layer
//                    whose reuse_factor is above 1 has its multiplications inside such a scope;
// - nested-pipeline: no PIPELINE inside a pipelined region (it would be ignored and the loop unrolled);
// - carried-dependence: an array kept across iterations, read and written at run-time indices, needs a
//                    DEPENDENCE pragma that states the distance (else the tool assumes distance 1);
// - stream-access:   each stream is read / written at most II times per iteration.
// Outside pipelined regions:
// - trip-count:      every loop has a compile-time trip count (no `while`, no bound that depends on data);
// - unpipelined-stream: a loop that reads or writes a stream is pipelined (or its stream accesses are all
//                    inside pipelined loops nested in it).
import { isEmpty, kids, walk, type Ast, type AstNode } from './ast';
import type { Pragma } from './pragmas';

export type Rule =
  | 'division'
  | 'ports'
  | 'variable-bound'
  | 'multipliers'
  | 'nested-pipeline'
  | 'carried-dependence'
  | 'stream-access'
  | 'trip-count'
  | 'unpipelined-stream'
  | 'pragma';

export const RULES: readonly Rule[] = ['division', 'ports', 'variable-bound', 'multipliers', 'nested-pipeline', 'carried-dependence', 'stream-access', 'trip-count', 'unpipelined-stream', 'pragma'];

export interface Finding {
  rule: Rule;
  file: string;
  line: number;
  /** The instantiated function, e.g. conv_2d_stream_steps<config_layer1_conv>. */
  fn: string;
  message: string;
}

// ------------------------------------------------------------------------------------------------
// Functions and their pragmas

interface PlacedPragma {
  p: Pragma;
  /** The innermost block around the pragma. */
  block: AstNode;
  /** The loop whose body that block is, if any. */
  loop?: AstNode;
  /** The pragma is in the function's own body block. */
  fnLevel: boolean;
}

export interface Fn {
  node: AstNode;
  name: string;
  body: AstNode;
  /** Template parameter name → argument node (TemplateArgument), from the function and its enclosing class. */
  targs: Map<string, AstNode>;
  params: AstNode[];
  pragmas: PlacedPragma[];
  inline: boolean;
  isArrayMember: boolean;
}

const LOOP_KINDS = new Set(['ForStmt', 'WhileStmt', 'DoStmt', 'CXXForRangeStmt']);
const FN_KINDS = new Set(['FunctionDecl', 'CXXMethodDecl']);

function loopBody(loop: AstNode): AstNode | undefined {
  const k = kids(loop);
  if (loop.kind === 'ForStmt') return k[4];
  if (loop.kind === 'WhileStmt') return k[k.length - 1];
  if (loop.kind === 'DoStmt') return k[0];
  return k[k.length - 1];
}

function lineSpan(n: AstNode): { file?: string; lo: number; hi: number } | null {
  const b = n.range?.begin, e = n.range?.end;
  if (!b?.line || !e?.line) return null;
  return { file: b.file, lo: b.line, hi: e.line };
}

function sameFile(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const n = (s: string) => s.replace(/^\.\//, '');
  return n(a) === n(b) || n(a).endsWith(`/${n(b)}`) || n(b).endsWith(`/${n(a)}`);
}

export class Program {
  readonly fns: Fn[] = [];
  readonly fnById = new Map<string, Fn>();
  readonly records = new Map<string, AstNode>();
  /** Calls by callee id: the call node and the function it is in. */
  readonly callers = new Map<string, { call: AstNode; fn: Fn }[]>();
  private evalDepth = 0;

  constructor(readonly ast: Ast, pragmas: readonly Pragma[]) {
    this.collectRecords();
    for (const n of ast.byId.values()) {
      if (!FN_KINDS.has(n.kind ?? '')) continue;
      const body = kids(n).find((c) => c.kind === 'CompoundStmt');
      if (!body) continue;
      const parent = ast.parent.get(n);
      const isSpec = kids(n).some((c) => c.kind === 'TemplateArgument');
      // The pattern of a template (dependent code) is not a real function: only instantiations are.
      if (!isSpec && (parent?.kind === 'FunctionTemplateDecl' || this.inTemplatePattern(n))) continue;
      const targs = this.templateArgs(n);
      const fn: Fn = {
        node: n, name: n.name ?? '?', body, targs,
        params: kids(n).filter((c) => c.kind === 'ParmVarDecl'),
        pragmas: [], inline: false,
        isArrayMember: n.kind === 'CXXMethodDecl' && parent?.name === 'array',
      };
      this.fns.push(fn);
      this.fnById.set(n.id!, fn);
    }
    this.placePragmas(pragmas);
    for (const fn of this.fns) {
      fn.inline = fn.pragmas.some((p) => p.p.kind === 'INLINE' && p.fnLevel && !p.p.flags.includes('off'));
      walk(fn.body, (c) => {
        if (c.kind === 'CallExpr' || c.kind === 'CXXMemberCallExpr' || c.kind === 'CXXOperatorCallExpr') {
          const callee = this.calleeId(c);
          if (callee) {
            const list = this.callers.get(callee) ?? [];
            list.push({ call: c, fn });
            this.callers.set(callee, list);
          }
        }
      });
    }
  }

  private inTemplatePattern(n: AstNode): boolean {
    for (let p = this.ast.parent.get(n); p; p = this.ast.parent.get(p)) {
      if (p.kind === 'ClassTemplateDecl' || p.kind === 'FunctionTemplateDecl') return true;
      if (p.kind === 'ClassTemplateSpecializationDecl') return false;
    }
    return false;
  }

  private collectRecords(): void {
    const visit = (n: AstNode, ns: string): void => {
      if (!n || typeof n !== 'object') return;
      if (n.kind === 'NamespaceDecl') {
        for (const c of kids(n)) visit(c, ns ? `${ns}::${n.name}` : (n.name ?? ''));
        return;
      }
      if ((n.kind === 'CXXRecordDecl' || n.kind === 'ClassTemplateSpecializationDecl') && n.name && n.completeDefinition) {
        const q = ns ? `${ns}::${n.name}` : n.name;
        if (!this.records.has(q) || n.kind === 'CXXRecordDecl') this.records.set(q, n);
      }
      if (n.kind === 'ClassTemplateDecl' || n.kind === 'FunctionTemplateDecl' || n.kind === 'LinkageSpecDecl') for (const c of kids(n)) visit(c, ns);
    };
    for (const r of this.ast.roots) visit(r, '');
  }

  /** Template parameter names of the function (and an enclosing class template) → their arguments. */
  private templateArgs(n: AstNode): Map<string, AstNode> {
    const out = new Map<string, AstNode>();
    const bind = (spec: AstNode, pattern: AstNode | undefined): void => {
      const args = kids(spec).filter((c) => c.kind === 'TemplateArgument');
      const names = pattern ? kids(pattern).filter((c) => /TemplateTypeParmDecl|NonTypeTemplateParmDecl|TemplateTemplateParmDecl/.test(c.kind ?? '')).map((c) => c.name ?? '') : [];
      args.forEach((a, i) => {
        if (names[i]) out.set(names[i], a);
      });
    };
    const p = this.ast.parent.get(n);
    if (p?.kind === 'FunctionTemplateDecl') bind(n, p);
    const cls = p?.kind === 'ClassTemplateSpecializationDecl' ? p : undefined;
    if (cls) {
      // The class template's parameter names: the ClassTemplateDecl of the same name.
      const tmpl = [...this.ast.byId.values()].find((x) => x.kind === 'ClassTemplateDecl' && x.name === cls.name);
      bind(cls, tmpl);
    }
    return out;
  }

  private placePragmas(pragmas: readonly Pragma[]): void {
    for (const fn of this.fns) {
      const span = lineSpan(fn.body);
      if (!span?.file) continue;
      const mine = pragmas.filter((p) => sameFile(span.file, p.file) && p.line > span.lo && p.line < span.hi);
      if (!mine.length) continue;
      // Blocks of the body with their line spans (all in the function's file: templates keep their lines).
      const blocks: { n: AstNode; lo: number; hi: number; loop?: AstNode }[] = [];
      const visit = (n: AstNode, loop?: AstNode): void => {
        if (!n || typeof n !== 'object') return;
        if (n.kind === 'LambdaExpr') return;
        if (n.kind === 'CompoundStmt') {
          const s = lineSpan(n);
          if (s) blocks.push({ n, lo: s.lo, hi: s.hi, loop });
        }
        const isLoop = LOOP_KINDS.has(n.kind ?? '');
        for (const c of kids(n)) visit(c, isLoop && c === loopBody(n) ? n : undefined);
      };
      visit(fn.body);
      for (const p of mine) {
        let best: (typeof blocks)[number] | undefined;
        for (const b of blocks) if (p.line > b.lo && p.line < b.hi && (!best || b.hi - b.lo < best.hi - best.lo || (b.hi - b.lo === best.hi - best.lo && b.lo > best.lo))) best = b;
        if (!best) continue;
        fn.pragmas.push({ p, block: best.n, loop: best.loop, fnLevel: best.n === fn.body });
      }
    }
  }

  calleeId(call: AstNode): string | undefined {
    const first = kids(call)[0];
    if (!first) return undefined;
    if (call.kind === 'CXXMemberCallExpr') {
      const me = stripCasts(first);
      return typeof me.referencedMemberDecl === 'string' ? me.referencedMemberDecl : undefined;
    }
    const ref = stripCasts(first);
    return ref.kind === 'DeclRefExpr' ? ref.referencedDecl?.id : undefined;
  }

  calleeName(call: AstNode): string {
    const first = stripCasts(kids(call)[0] ?? {});
    if (call.kind === 'CXXMemberCallExpr') return first.name ?? '';
    return first.referencedDecl?.name ?? '';
  }

  /** A record's member (static const / constexpr VarDecl) by name, searching bases. */
  member(record: AstNode | undefined, name: string, depth = 0): AstNode | undefined {
    if (!record || depth > 8) return undefined;
    const own = kids(record).find((c) => c.kind === 'VarDecl' && c.name === name);
    if (own) return own;
    for (const b of (record.bases as { type?: { qualType?: string } }[] | undefined) ?? []) {
      const q = (b.type?.qualType ?? '').replace(/^(struct|class)\s+/, '');
      const base = this.records.get(q) ?? [...this.records.entries()].find(([k]) => k.endsWith(`::${q}`) || q.endsWith(`::${k}`))?.[1];
      const m = this.member(base, name, depth + 1);
      if (m) return m;
    }
    return undefined;
  }

  recordOfArg(a: AstNode | undefined): AstNode | undefined {
    const rt = kids(a ?? {}).find((c) => c.decl?.id);
    if (rt?.decl?.id) return this.ast.byId.get(rt.decl.id);
    const q = a?.type?.qualType;
    return q ? this.records.get(q) : undefined;
  }

  /** Value of a pragma option in a function (a number, a constexpr local, or CONFIG_T::member). */
  pragmaValue(fn: Fn, text: string | undefined): number | undefined {
    if (text === undefined) return undefined;
    if (/^\d+$/.test(text)) return Number(text);
    const m = /^(\w+)::(\w+)$/.exec(text);
    if (m) {
      const rec = this.recordOfArg(fn.targs.get(m[1]));
      const v = this.member(rec, m[2]);
      return v ? this.evalInt(kids(v)[kids(v).length - 1], emptyFrame(fn)) : undefined;
    }
    let found: AstNode | undefined;
    walk(fn.body, (n) => {
      if (!found && n.kind === 'VarDecl' && n.name === text) found = n;
    });
    if (found) return this.evalInt(kids(found)[kids(found).length - 1], emptyFrame(fn));
    return undefined;
  }

  /** The reuse factor of a layer function's config (a template argument with a reuse_factor member). */
  reuseFactor(fn: Fn): number | undefined {
    for (const a of fn.targs.values()) {
      const v = this.member(this.recordOfArg(a), 'reuse_factor');
      if (v) return this.evalInt(kids(v)[kids(v).length - 1], emptyFrame(fn));
    }
    return undefined;
  }

  /** Integer value of an expression, or undefined when it is not a compile-time constant here. */
  evalInt(n: AstNode | undefined, frame: Frame): number | undefined {
    if (!n || isEmpty(n)) return undefined;
    if (++this.evalDepth > 200) {
      this.evalDepth--;
      return undefined;
    }
    try {
      return this.evalInner(n, frame);
    } finally {
      this.evalDepth--;
    }
  }

  private evalInner(n: AstNode, frame: Frame): number | undefined {
    const k = kids(n);
    switch (n.kind) {
      case 'IntegerLiteral':
        return Number(n.value);
      case 'CXXBoolLiteralExpr':
        return n.value ? 1 : 0;
      case 'ImplicitCastExpr':
      case 'CStyleCastExpr':
      case 'CXXStaticCastExpr':
      case 'CXXFunctionalCastExpr':
      case 'ParenExpr':
      case 'ConstantExpr':
      case 'MaterializeTemporaryExpr':
      case 'ExprWithCleanups':
      case 'CXXBindTemporaryExpr':
      case 'SubstNonTypeTemplateParmExpr': {
        const v = this.evalInt(k[k.length - 1], frame);
        if (v === undefined) return undefined;
        const t = n.type?.qualType ?? '';
        if (/\bbool\b/.test(t)) return v ? 1 : 0;
        if (/\bunsigned\b/.test(t) && v < 0) return v + 2 ** 32;
        if (/^(const )?int$/.test(t) && v >= 2 ** 31) return v - 2 ** 32;
        return v;
      }
      case 'UnaryOperator': {
        const v = this.evalInt(k[0], frame);
        if (v === undefined) return undefined;
        switch (n.opcode) {
          case '-': return -v;
          case '+': return v;
          case '!': return v ? 0 : 1;
          case '~': return ~v;
          default: return undefined;
        }
      }
      case 'BinaryOperator': {
        const a = this.evalInt(k[0], frame);
        if (n.opcode === '&&' && a === 0) return 0;
        if (n.opcode === '||' && a !== undefined && a !== 0) return 1;
        const b = this.evalInt(k[1], frame);
        if (a === undefined || b === undefined) return undefined;
        const unsigned = /\bunsigned\b/.test(kids(n)[0]?.type?.qualType ?? '') || /\bunsigned\b/.test(n.type?.qualType ?? '');
        switch (n.opcode) {
          case '+': return a + b;
          case '-': return unsigned && a - b < 0 ? a - b + 2 ** 32 : a - b;
          case '*': return a * b;
          case '/': return b === 0 ? undefined : Math.trunc(a / b);
          case '%': return b === 0 ? undefined : a % b;
          case '<<': return a * 2 ** b;
          case '>>': return Math.floor(a / 2 ** b);
          case '<': return Number(a < b);
          case '>': return Number(a > b);
          case '<=': return Number(a <= b);
          case '>=': return Number(a >= b);
          case '==': return Number(a === b);
          case '!=': return Number(a !== b);
          case '&&': return Number(Boolean(a) && Boolean(b));
          case '||': return Number(Boolean(a) || Boolean(b));
          case '&': return a & b;
          case '|': return a | b;
          case '^': return a ^ b;
          case ',': return b;
          default: return undefined;
        }
      }
      case 'ConditionalOperator': {
        const c = this.evalInt(k[0], frame);
        if (c === undefined) return undefined;
        return this.evalInt(c ? k[1] : k[2], frame);
      }
      case 'DeclRefExpr': {
        const r = n.referencedDecl;
        if (!r) return undefined;
        if (frame.values.has(r.id)) return frame.values.get(r.id);
        if (r.kind === 'ParmVarDecl') {
          const a = frame.args.get(r.id);
          return a?.expr && a.frame ? this.evalInt(a.expr, a.frame) : undefined;
        }
        const d = this.ast.byId.get(r.id);
        if (!d) return undefined;
        if (r.kind === 'EnumConstantDecl') {
          const init = kids(d)[0];
          if (init) return this.evalInt(init, frame);
          const parent = this.ast.parent.get(d);
          const idx = kids(parent ?? {}).filter((c) => c.kind === 'EnumConstantDecl').indexOf(d);
          return idx >= 0 ? idx : undefined;
        }
        if (r.kind === 'VarDecl' && (d.constexpr || /^const\b/.test(d.type?.qualType ?? '')) && d.init) return this.evalInt(kids(d)[kids(d).length - 1], frame);
        return undefined;
      }
      case 'CallExpr': {
        // constexpr helpers (ceil_div, cmax, …): a single return statement.
        const id = this.calleeId(n);
        const fn = id ? this.fnById.get(id) : undefined;
        const ret = fn && kids(fn.body).length === 1 && kids(fn.body)[0].kind === 'ReturnStmt' ? kids(kids(fn.body)[0])[0] : undefined;
        if (!fn || !ret) return undefined;
        const f = callFrame(fn, n, 1, frame, this);
        return this.evalInt(ret, f);
      }
      default:
        return undefined;
    }
  }
}

export function stripCasts(n: AstNode): AstNode {
  let x = n;
  while (x && ['ImplicitCastExpr', 'ParenExpr', 'CStyleCastExpr', 'MaterializeTemporaryExpr', 'CXXBindTemporaryExpr', 'ExprWithCleanups', 'ConstantExpr', 'CXXFunctionalCastExpr', 'CXXStaticCastExpr'].includes(x.kind ?? '')) x = kids(x)[kids(x).length - 1];
  return x;
}

// ------------------------------------------------------------------------------------------------
// Frames: one per (inlined) call inside an analysed region

interface ArrayRef {
  key: string;
  name: string;
  /** Per dimension: elements (undefined = unknown). */
  dims: (number | undefined)[];
  /** Per dimension: how the array is split (from ARRAY_PARTITION / ARRAY_RESHAPE). */
  parts: Part[];
  /** Declared in the function around the region but outside the loop (kept across iterations). */
  carried: boolean;
  dependence: boolean;
  /** Offset added to the first index (pointer arithmetic at a call). */
  offset?: { expr: AstNode; frame: Frame };
}

interface Part {
  type: 'none' | 'complete' | 'cyclic' | 'block';
  factor?: number;
}

interface Arg {
  expr?: AstNode;
  frame?: Frame;
  isStatic: boolean;
  array?: ArrayRef;
  stream?: string;
}

export interface Frame {
  fn: Fn;
  args: Map<string, Arg>;
  /** Loop variables bound while enumerating unrolled copies. */
  values: Map<string, number>;
  /** Per local VarDecl id: compile-time known (true) or run-time (false). */
  cls: Map<string, boolean>;
  depth: number;
}

function emptyFrame(fn: Fn): Frame {
  return { fn, args: new Map(), values: new Map(), cls: new Map(), depth: 0 };
}

function callFrame(callee: Fn, call: AstNode, argStart: number, caller: Frame, prog: Program): Frame {
  const args = kids(call).slice(argStart);
  const f: Frame = { fn: callee, args: new Map(), values: caller.values, cls: new Map(), depth: caller.depth + 1 };
  callee.params.forEach((p, i) => {
    const a = args[i];
    if (!a || !p.id) return;
    f.args.set(p.id, { expr: a, frame: caller, isStatic: false });
  });
  void prog;
  return f;
}

const PURE_STREAM_METHODS = new Set(['read', 'write', 'read_nb', 'write_nb', 'empty', 'full', 'size', 'operator>>', 'operator<<']);

function isStreamType(t: string | undefined): boolean {
  return /\bhls::stream</.test(t ?? '');
}

// ------------------------------------------------------------------------------------------------
// The check

interface UnrollLevel {
  loop: AstNode;
  frame: Frame;
  iv?: string;
}

interface Access {
  array: ArrayRef;
  idx: AstNode[];
  frame: Frame;
  write: boolean;
  unroll: UnrollLevel[];
  site: AstNode;
}

interface MultSite {
  unroll: UnrollLevel[];
  scopes: AllocScope[];
  site: AstNode;
}

interface AllocScope {
  limit: number | undefined;
  depth: number;
  pragma: Pragma;
  fn: Fn;
  mults: number;
}

interface StreamUse {
  key: string;
  /** Enclosing if/else branches (if id : branch): uses in different branches of one if never happen together. */
  path: string[];
  unroll: UnrollLevel[];
  site: AstNode;
  frame: Frame;
}

export class Checker {
  readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly prog: Program, private readonly fileOf: (n: AstNode) => { file: string; line: number }) {}

  private add(rule: Rule, at: AstNode, fn: Fn, message: string): void {
    const { file, line } = this.fileOf(at);
    const name = this.fnName(fn);
    const key = `${rule}|${file}|${line}|${name}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push({ rule, file, line, fn: name, message });
  }

  fnName(fn: Fn): string {
    const cfg = [...fn.targs.values()].map((a) => a.type?.qualType ?? '').filter((q) => /\bconfig_\w+$/.test(q)).map((q) => q.replace(/_ns_nnet::/, '::').replace(/^.*?(\w+::config_\w+)$/, '$1'));
    return cfg.length ? `${fn.name}<${cfg.join(', ')}>` : fn.name;
  }

  run(): void {
    for (const fn of this.prog.fns) {
      if (fn.isArrayMember) continue;
      const pipes = fn.pragmas.filter((p) => p.p.kind === 'PIPELINE' && !p.p.flags.includes('off'));
      for (const p of pipes) {
        if (p.fnLevel) this.region(fn, undefined, p.p);
        else if (p.loop) this.region(fn, p.loop, p.p);
      }
      if (!pipes.some((p) => p.fnLevel) && !fn.inline && this.prog.reuseFactor(fn) !== undefined && !this.containsPipeline(fn, 0)) {
        // An io_parallel layer function without a pipelined loop of its own: it runs in the top's pipeline.
        this.region(fn, undefined, undefined);
      }
      this.outside(fn);
    }
  }

  /** Whether the function or an inlined callee has a PIPELINE pragma. */
  private containsPipeline(fn: Fn, depth: number): boolean {
    if (fn.pragmas.some((p) => p.p.kind === 'PIPELINE')) return true;
    if (depth > 12) return false;
    let found = false;
    walk(fn.body, (n) => {
      if (found) return false;
      if (n.kind === 'CallExpr' || n.kind === 'CXXMemberCallExpr' || n.kind === 'CXXOperatorCallExpr') {
        const c = this.callee(n);
        if (c && !c.isArrayMember && this.containsPipeline(c, depth + 1)) found = true;
      }
      return true;
    });
    return found;
  }

  private callee(call: AstNode): Fn | undefined {
    const id = this.prog.calleeId(call);
    return id ? this.prog.fnById.get(id) : undefined;
  }

  // ----- classification of locals: compile-time known or run-time -----

  private classify(frame: Frame, regionLoop: AstNode | undefined, inRegion: boolean): void {
    const fn = frame.fn;
    const decls = new Map<string, AstNode>();
    const forced = new Set<string>();
    interface Assign { v: string; rhs?: AstNode; conds: AstNode[] }
    const assigns: Assign[] = [];
    const loopPragma = (loop: AstNode, kind: string) => fn.pragmas.some((p) => p.loop === loop && p.p.kind === kind);
    const insideRegionLoop = new Set<AstNode>();
    if (regionLoop) walk(regionLoop, (n) => void insideRegionLoop.add(n));
    const declaredIn = new Map<string, boolean>();
    // Conditions around a declaration do not make its variable run-time (it lives inside them).
    const declConds = new Map<string, number>();
    const visit = (n: AstNode, conds: AstNode[], inLoop: boolean): void => {
      if (!n || typeof n !== 'object' || n.kind === 'LambdaExpr') return;
      const k = kids(n);
      if (n.kind === 'VarDecl' && n.id) {
        decls.set(n.id, n);
        declConds.set(n.id, conds.length);
        declaredIn.set(n.id, insideRegionLoop.has(n));
        if (n.init) assigns.push({ v: n.id, rhs: k[k.length - 1], conds });
        else if (!/\[\d+\]/.test(n.type?.qualType ?? '') && !/nnet::array|ap_|hls::/.test(n.type?.qualType ?? '')) assigns.push({ v: n.id, rhs: undefined, conds });
      }
      if (LOOP_KINDS.has(n.kind ?? '')) {
        const unrolled = (inRegion || insideRegionLoop.has(n) && n !== regionLoop || loopPragma(n, 'UNROLL')) && !(n === regionLoop);
        const init = n.kind === 'ForStmt' ? k[0] : undefined;
        const ivs: string[] = [];
        if (init?.kind === 'DeclStmt') for (const d of kids(init)) if (d.id) ivs.push(d.id);
        for (const iv of ivs) if (!unrolled) forced.add(iv);
        const cond = n.kind === 'ForStmt' ? k[2] : n.kind === 'WhileStmt' ? k[0] : n.kind === 'DoStmt' ? k[1] : undefined;
        for (const c of k) visit(c, c === loopBody(n) && cond && !isEmpty(cond) ? [...conds, cond] : conds, inLoop || n === regionLoop);
        return;
      }
      if (n.kind === 'IfStmt') {
        const cond = k.find((c) => !isEmpty(c) && c.kind !== 'DeclStmt' && c.kind !== 'CompoundStmt' && !/Stmt$/.test(c.kind ?? '')) ?? k[0];
        for (const c of k) visit(c, c === cond ? conds : [...conds, cond], inLoop);
        return;
      }
      if (n.kind === 'ConditionalOperator') {
        visit(k[0], conds, inLoop);
        visit(k[1], [...conds, k[0]], inLoop);
        visit(k[2], [...conds, k[0]], inLoop);
        return;
      }
      const target = (x: AstNode | undefined): string | undefined => {
        let t = x ? stripCasts(x) : undefined;
        while (t && (t.kind === 'MemberExpr' || t.kind === 'ArraySubscriptExpr' || t.kind === 'CXXOperatorCallExpr')) {
          if (t.kind === 'CXXOperatorCallExpr') t = stripCasts(kids(t)[1]);
          else t = stripCasts(kids(t)[0]);
        }
        return t?.kind === 'DeclRefExpr' && t.referencedDecl?.kind === 'VarDecl' ? t.referencedDecl.id : undefined;
      };
      if ((n.kind === 'BinaryOperator' && n.opcode === '=') || n.kind === 'CompoundAssignOperator') {
        const v = target(k[0]);
        if (v) assigns.push({ v, rhs: n.kind === 'BinaryOperator' ? k[1] : n, conds });
      } else if (n.kind === 'UnaryOperator' && (n.opcode === '++' || n.opcode === '--')) {
        const v = target(k[0]);
        if (v) assigns.push({ v, rhs: n, conds });
      } else if (n.kind === 'CXXOperatorCallExpr' && /^operator(=|\+=|-=|\*=|\/=|%=|<<=|>>=|&=|\|=|\^=|\+\+|--)$/.test(this.prog.calleeName(n))) {
        const v = target(k[1]);
        if (v) assigns.push({ v, rhs: n, conds });
      } else if (n.kind === 'CallExpr' || n.kind === 'CXXMemberCallExpr') {
        // A local passed by non-const reference may be changed by the callee.
        const c = this.callee(n);
        const args = k.slice(1);
        c?.params.forEach((p, i) => {
          const t = p.type?.qualType ?? '';
          if (/&$/.test(t) && !/^const\b/.test(t) && !isStreamType(t)) {
            const v = target(args[i]);
            if (v) assigns.push({ v, rhs: undefined, conds });
          }
        });
      }
      for (const c of k) visit(c, conds, inLoop);
    };
    visit(fn.body, [], false);
    // Kept across iterations: declared outside the pipelined loop and changed inside it.
    if (regionLoop) {
      const changedInside = new Set<string>();
      walk(regionLoop, (n) => {
        const k = kids(n);
        const t = (x: AstNode | undefined) => {
          const s = x ? stripCasts(x) : undefined;
          return s?.kind === 'DeclRefExpr' ? s.referencedDecl?.id : undefined;
        };
        if ((n.kind === 'BinaryOperator' && n.opcode === '=') || n.kind === 'CompoundAssignOperator' || (n.kind === 'UnaryOperator' && (n.opcode === '++' || n.opcode === '--'))) {
          const v = t(k[0]);
          if (v) changedInside.add(v);
        }
      });
      for (const v of changedInside) if (decls.has(v) && !declaredIn.get(v)) forced.add(v);
      // References passed to callees inside the loop
      walk(regionLoop, (n) => {
        if (n.kind !== 'CallExpr' && n.kind !== 'CXXMemberCallExpr') return;
        const c = this.callee(n);
        const args = kids(n).slice(1);
        c?.params.forEach((p, i) => {
          const t = p.type?.qualType ?? '';
          if (/&$/.test(t) && !/^const\b/.test(t) && !isStreamType(t)) {
            const s = args[i] ? stripCasts(args[i]) : undefined;
            const v = s?.kind === 'DeclRefExpr' ? s.referencedDecl?.id : undefined;
            if (v && decls.has(v) && !declaredIn.get(v)) forced.add(v);
          }
        });
      });
    }
    for (const id of decls.keys()) frame.cls.set(id, !forced.has(id));
    for (let round = 0; round < 50; round++) {
      let changed = false;
      for (const a of assigns) {
        if (!frame.cls.get(a.v)) continue;
        const ok = a.rhs !== undefined && this.isStatic(a.rhs, frame) && a.conds.slice(declConds.get(a.v) ?? 0).every((c) => this.isStatic(c, frame));
        if (!ok) {
          frame.cls.set(a.v, false);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  isStatic(n: AstNode | undefined, frame: Frame): boolean {
    if (!n || isEmpty(n)) return true;
    const k = kids(n);
    switch (n.kind) {
      case 'IntegerLiteral':
      case 'CXXBoolLiteralExpr':
      case 'FloatingLiteral':
      case 'CharacterLiteral':
      case 'StringLiteral':
      case 'CXXNullPtrLiteralExpr':
      case 'UnaryExprOrTypeTraitExpr':
      case 'SubstNonTypeTemplateParmExpr':
      case 'SizeOfPackExpr':
      case 'TypeTraitExpr':
        return true;
      case 'DeclRefExpr': {
        const r = n.referencedDecl;
        if (!r) return true;
        if (frame.values.has(r.id)) return true;
        if (r.kind === 'ParmVarDecl') {
          const a = frame.args.get(r.id);
          if (!a) return false;
          if (a.expr && a.frame) return this.isStatic(a.expr, a.frame);
          return a.isStatic;
        }
        if (r.kind === 'VarDecl') {
          if (frame.cls.has(r.id)) return frame.cls.get(r.id)!;
          const d = this.prog.ast.byId.get(r.id);
          return Boolean(d?.constexpr) || /^const\b/.test(r.type?.qualType ?? '');
        }
        return true;
      }
      case 'ArraySubscriptExpr':
        return false;
      case 'CXXOperatorCallExpr': {
        const name = this.prog.calleeName(n);
        if (name === 'operator[]') return false;
        return k.slice(1).every((c) => this.isStatic(c, frame));
      }
      case 'CallExpr':
      case 'CXXMemberCallExpr': {
        if (n.kind === 'CXXMemberCallExpr') {
          const me = stripCasts(k[0]);
          const obj = kids(me)[0];
          if (isStreamType(obj?.type?.qualType) || PURE_STREAM_METHODS.has(me.name ?? '') && /stream/.test(obj?.type?.qualType ?? '')) return false;
          if (!this.isStatic(obj, frame)) return false;
          return k.slice(1).every((c) => this.isStatic(c, frame));
        }
        return k.slice(1).every((c) => this.isStatic(c, frame));
      }
      default:
        return k.every((c) => this.isStatic(c, frame));
    }
  }

  // ----- pipelined regions -----

  private region(fn: Fn, loop: AstNode | undefined, pipe: Pragma | undefined): void {
    const frame = emptyFrame(fn);
    // Parameters of the region's function: values are run-time; arrays / streams resolved from the callers.
    for (const p of fn.params) if (p.id) frame.args.set(p.id, { isStatic: false, array: this.rootArray(fn, p, 0), stream: isStreamType(p.type?.qualType) ? `${fn.node.id}:${p.id}` : undefined });
    this.classify(frame, loop, !loop);
    const ii = pipe ? this.prog.pragmaValue(fn, pipe.opts.ii) ?? (pipe.opts.ii === undefined ? 1 : undefined) : 1;
    if (pipe && pipe.opts.ii !== undefined && ii === undefined) this.add('pragma', loop ?? fn.body, fn, `PIPELINE II = ${pipe.opts.ii}: not a compile-time value the check can read`);
    const state: RegionState = { accesses: [], mults: [], scopes: [], allScopes: [], streams: [], path: [] };
    const body = loop ? loopBody(loop) : fn.body;
    if (loop) {
      // The pipelined loop's own header runs every iteration too.
      const k = kids(loop);
      for (const c of loop.kind === 'ForStmt' ? [k[2], k[3]] : []) this.visit(c, frame, [], state, loop);
    }
    this.visit(body, frame, [], state, loop);
    this.finishRegion(fn, loop ?? fn.body, Math.max(1, ii ?? 1), state);
  }

  private arraySpec(fn: Fn, decl: AstNode): { dims: (number | undefined)[]; parts: Part[]; dependence: boolean } {
    const t = decl.type?.desugaredQualType ?? decl.type?.qualType ?? '';
    const dims: (number | undefined)[] = [];
    const tail = /((?:\[\d+\])+)\s*$/.exec(t);
    const ptrArr = /\(\*\)((?:\[\d+\])+)/.exec(t);
    if (tail) for (const m of tail[1].matchAll(/\[(\d+)\]/g)) dims.push(Number(m[1]));
    else if (ptrArr) {
      dims.push(undefined);
      for (const m of ptrArr[1].matchAll(/\[(\d+)\]/g)) dims.push(Number(m[1]));
    } else if (/\*\s*$/.test(t)) dims.push(undefined);
    const parts: Part[] = dims.map(() => ({ type: 'none' }));
    let dependence = false;
    for (const pp of fn.pragmas) {
      const p = pp.p;
      if (p.opts.variable !== decl.name) continue;
      if (p.kind === 'DEPENDENCE') dependence = true;
      if (p.kind !== 'ARRAY_PARTITION' && p.kind !== 'ARRAY_RESHAPE') continue;
      const type = p.flags.includes('complete') ? 'complete' : p.flags.includes('cyclic') ? 'cyclic' : p.flags.includes('block') ? 'block' : p.opts.type as Part['type'] ?? 'complete';
      const dim = p.opts.dim === undefined ? 1 : Number(p.opts.dim);
      const factor = this.prog.pragmaValue(fn, p.opts.factor);
      const apply = (d: number) => {
        if (d < parts.length) parts[d] = { type, factor };
      };
      if (dim === 0) for (let d = 0; d < parts.length; d++) apply(d);
      else apply(dim - 1);
    }
    return { dims, parts, dependence };
  }

  /** A parameter array of a function analysed on its own: its partitioning from the (unique) callers. */
  private rootArray(fn: Fn, p: AstNode, depth: number): ArrayRef | undefined {
    const t = p.type?.qualType ?? '';
    if (!/\*|\[/.test(t) || isStreamType(t)) return undefined;
    const own = this.arraySpec(fn, p);
    const ownSet = own.parts.some((x) => x.type !== 'none');
    const base: ArrayRef = { key: `${fn.node.id}:${p.id}`, name: p.name ?? '?', dims: own.dims, parts: own.parts, carried: false, dependence: own.dependence };
    if (ownSet || depth > 10) return base;
    const calls = this.prog.callers.get(fn.node.id!) ?? [];
    for (const { call, fn: caller } of calls) {
      const idx = fn.params.indexOf(p);
      const argStart = call.kind === 'CXXOperatorCallExpr' ? 2 : 1;
      const a = kids(call)[argStart + idx];
      const ref = a ? this.arrayOfExpr(a, emptyFrameWithRoots(caller, this, depth + 1)) : undefined;
      if (ref) return { ...ref, dims: own.dims.length ? own.dims : ref.dims, key: ref.key };
    }
    // Called from the generated top (outside the templates): io_parallel tensors are partitioned completely there.
    return { ...base, parts: own.dims.map(() => ({ type: 'complete' })) };
  }

  /** The array an expression designates (a declared array, a parameter bound to one, &a[i], a + i). */
  arrayOfExpr(e: AstNode, frame: Frame): ArrayRef | undefined {
    const x = stripCasts(e);
    if (x.kind === 'DeclRefExpr') {
      const r = x.referencedDecl;
      if (!r) return undefined;
      if (r.kind === 'ParmVarDecl') return frame.args.get(r.id)?.array;
      if (r.kind === 'VarDecl') {
        const d = this.prog.ast.byId.get(r.id);
        if (!d) return undefined;
        const s = this.arraySpec(frame.fn, d);
        if (!s.dims.length) return undefined;
        return { key: `${frame.fn.node.id}:${r.id}`, name: r.name ?? '?', dims: s.dims, parts: s.parts, carried: false, dependence: s.dependence };
      }
      return undefined;
    }
    if (x.kind === 'UnaryOperator' && x.opcode === '&') {
      const inner = stripCasts(kids(x)[0]);
      if (inner.kind === 'ArraySubscriptExpr') {
        const base = this.arrayOfExpr(kids(inner)[0], frame);
        if (base) return { ...base, offset: { expr: kids(inner)[1], frame } };
      }
      return undefined;
    }
    if (x.kind === 'BinaryOperator' && x.opcode === '+') {
      const base = this.arrayOfExpr(kids(x)[0], frame);
      if (base) return { ...base, offset: { expr: kids(x)[1], frame } };
    }
    return undefined;
  }

  private visit(n: AstNode | undefined, frame: Frame, unroll: UnrollLevel[], st: RegionState, regionLoop: AstNode | undefined): void {
    if (!n || isEmpty(n) || n.kind === 'LambdaExpr') return;
    const fn = frame.fn;
    const k = kids(n);
    // Pragmas of this block: nested PIPELINE, ALLOCATION scopes.
    let scopes = st.scopes;
    if (n.kind === 'CompoundStmt') {
      for (const pp of fn.pragmas) {
        if (pp.block !== n) continue;
        if (pp.p.kind === 'PIPELINE' && !pp.p.flags.includes('off') && !(regionLoop && pp.loop === regionLoop) && !(pp.fnLevel && frame.depth === 0 && !regionLoop)) {
          this.add('nested-pipeline', n, fn, `PIPELINE inside a pipelined region: ignored by the tool (the loop is unrolled into the outer pipeline); pipeline one level only`);
        }
        if (pp.p.kind === 'ALLOCATION' && /mul/.test(pp.p.opts.instances ?? '')) {
          const limit = this.prog.pragmaValue(fn, pp.p.opts.limit);
          const sc: AllocScope = { limit, depth: unroll.length, pragma: pp.p, fn, mults: 0 };
          st.allScopes.push(sc);
          scopes = [...scopes, sc];
        }
      }
    }
    const inner = (x: AstNode | undefined, u = unroll) => {
      const saved = st.scopes;
      st.scopes = scopes;
      this.visit(x, frame, u, st, regionLoop);
      st.scopes = saved;
    };
    if (LOOP_KINDS.has(n.kind ?? '')) {
      // A loop inside a pipelined region is unrolled: constant bounds, no early exit.
      const bound = this.staticTripCount(n, frame);
      if (!bound.ok) this.add('variable-bound', n, fn, `loop inside a pipelined region must be unrolled, but ${bound.why}`);
      const init = n.kind === 'ForStmt' ? k[0] : undefined;
      const iv = init?.kind === 'DeclStmt' ? kids(init)[0]?.id : undefined;
      const level: UnrollLevel = { loop: n, frame, iv };
      for (const c of k) inner(c, c === loopBody(n) ? [...unroll, level] : unroll);
      return;
    }
    if ((n.kind === 'BinaryOperator' && (n.opcode === '/' || n.opcode === '%')) || (n.kind === 'CompoundAssignOperator' && (n.opcode === '/=' || n.opcode === '%='))) {
      this.checkDivision(n, k[0], k[1], frame);
    }
    if (n.kind === 'CXXOperatorCallExpr') {
      const name = this.prog.calleeName(n);
      if (name === 'operator/' || name === 'operator%' || name === 'operator/=' || name === 'operator%=') this.checkDivision(n, k[1], k[2], frame);
      if (name === 'operator*' || name === 'operator*=') this.countMult(n, k[1], k[2], frame, unroll, st);
      if (name === 'operator[]') {
        // nnet::array / struct element: a lane of one word, not a memory access of its own.
        for (const c of k.slice(1)) inner(c);
        return;
      }
    }
    if ((n.kind === 'BinaryOperator' && n.opcode === '*') || (n.kind === 'CompoundAssignOperator' && n.opcode === '*=')) this.countMult(n, k[0], k[1], frame, unroll, st);
    if (n.kind === 'ArraySubscriptExpr') {
      this.recordAccess(n, frame, unroll, st);
      // Visit the indices (and the base's indices) without recording the inner subscripts again.
      let x: AstNode = n;
      while (x.kind === 'ArraySubscriptExpr') {
        inner(kids(x)[1]);
        x = stripCasts(kids(x)[0]);
      }
      inner(x);
      return;
    }
    if (n.kind === 'CXXMemberCallExpr') {
      const me = stripCasts(k[0]);
      const obj = kids(me)[0];
      if (isStreamType(obj?.type?.qualType) && PURE_STREAM_METHODS.has(me.name ?? '')) {
        const key = this.streamKey(obj, frame);
        if (key && (me.name === 'read' || me.name === 'write' || me.name === 'operator>>' || me.name === 'operator<<')) st.streams.push({ key: `${key}:${me.name}`, path: [...st.path], unroll, site: n, frame });
        for (const c of k.slice(1)) inner(c);
        return;
      }
    }
    if (n.kind === 'CallExpr' || n.kind === 'CXXMemberCallExpr' || (n.kind === 'CXXOperatorCallExpr' && this.callee(n))) {
      const c = this.callee(n);
      if (c && !c.isArrayMember && frame.depth < 24) {
        const argStart = n.kind === 'CXXOperatorCallExpr' ? 2 : 1;
        for (const a of k.slice(argStart)) inner(a);
        if (n.kind === 'CXXMemberCallExpr') inner(kids(stripCasts(k[0]))[0]);
        const f = callFrame(c, n, argStart, frame, this.prog);
        for (const p of c.params) {
          const a = f.args.get(p.id!);
          if (!a?.expr) continue;
          a.isStatic = this.isStatic(a.expr, frame);
          a.array = this.arrayOfExpr(a.expr, frame);
          if (isStreamType(p.type?.qualType)) a.stream = this.streamKey(a.expr, frame);
        }
        this.classify(f, undefined, true);
        this.visit(c.body, f, unroll, { ...st, scopes }, undefined);
        return;
      }
    }
    if (n.kind === 'IfStmt') {
      const hasElse = Boolean(n.hasElse);
      const thenIdx = hasElse ? k.length - 2 : k.length - 1;
      k.forEach((c, i) => {
        const branch = i === thenIdx ? 'then' : hasElse && i === k.length - 1 ? 'else' : undefined;
        if (branch) st.path.push(`${n.id}:${branch}`);
        inner(c);
        if (branch) st.path.pop();
      });
      return;
    }
    for (const c of k) inner(c);
  }

  private streamKey(e: AstNode | undefined, frame: Frame): string | undefined {
    const x = e ? stripCasts(e) : undefined;
    if (x?.kind !== 'DeclRefExpr' || !x.referencedDecl) return undefined;
    if (x.referencedDecl.kind === 'ParmVarDecl') return frame.args.get(x.referencedDecl.id)?.stream;
    return `${frame.fn.node.id}:${x.referencedDecl.id}`;
  }

  private checkDivision(n: AstNode, lhs: AstNode | undefined, rhs: AstNode | undefined, frame: Frame): void {
    if (this.isStatic(n.kind === 'CompoundAssignOperator' ? rhs : n, frame) && (n.kind !== 'CompoundAssignOperator' || this.isStatic(lhs, frame))) return;
    if (this.isStatic(lhs, frame) && this.isStatic(rhs, frame)) return;
    const d = this.isStatic(rhs, frame) ? this.prog.evalInt(rhs, frame) : undefined;
    if (d !== undefined && d > 0 && (d & (d - 1)) === 0) return;
    const op = n.opcode ?? this.prog.calleeName(n).replace('operator', '');
    this.add('division', n, frame.fn, d === undefined ? `'${op}' by a run-time value in a pipelined region (a divider core)` : `'${op}' by ${d} (not a power of two) of a run-time value in a pipelined region: a divider core; use a counter`);
  }

  private countMult(n: AstNode, a: AstNode | undefined, b: AstNode | undefined, frame: Frame, unroll: UnrollLevel[], st: RegionState): void {
    if (this.isStatic(n, frame)) return;
    for (const x of [a, b]) {
      if (!this.isStatic(x, frame)) continue;
      const v = this.prog.evalInt(x, frame);
      if (v !== undefined && (v === 0 || (Math.abs(v) & (Math.abs(v) - 1)) === 0)) return; // a shift
    }
    st.mults.push({ unroll, scopes: st.scopes, site: n });
  }

  private recordAccess(n: AstNode, frame: Frame, unroll: UnrollLevel[], st: RegionState): void {
    const idx: AstNode[] = [];
    let x: AstNode = n;
    while (x.kind === 'ArraySubscriptExpr') {
      idx.unshift(kids(x)[1]);
      x = stripCasts(kids(x)[0]);
    }
    const array = this.arrayOfExpr(x, frame);
    if (!array) return;
    // Written: the left side of an assignment (plain or compound), or ++/--.
    const parent = this.prog.ast.parent.get(n);
    const p = parent && stripCasts(parent) === parent ? parent : parent;
    let write = false;
    if (p && ((p.kind === 'BinaryOperator' && p.opcode === '=' && kids(p)[0] === n) || (p.kind === 'CompoundAssignOperator' && kids(p)[0] === n) || (p.kind === 'UnaryOperator' && (p.opcode === '++' || p.opcode === '--')))) write = true;
    if (p?.kind === 'CXXOperatorCallExpr' && kids(p)[1] === n && /^operator(=|\+=|-=)$/.test(this.prog.calleeName(p))) write = true;
    // Passed by non-const reference (mac(acc[o], …)): read and written.
    if (p && (p.kind === 'CallExpr' || p.kind === 'CXXMemberCallExpr')) {
      const c = this.callee(p);
      const i = kids(p).indexOf(n) - 1;
      const t = c?.params[i]?.type?.qualType ?? '';
      if (/&$/.test(t) && !/^const\b/.test(t)) {
        st.accesses.push({ array, idx, frame, write: false, unroll, site: n });
        write = true;
      }
    }
    st.accesses.push({ array, idx, frame, write, unroll, site: n });
  }

  /** Trip count of a loop is a compile-time constant (and the loop has no early exit). */
  private staticTripCount(loop: AstNode, frame: Frame): { ok: true } | { ok: false; why: string } {
    if (loop.kind !== 'ForStmt') {
      const cond = loop.kind === 'WhileStmt' ? kids(loop)[0] : kids(loop)[1];
      return this.isStatic(cond, frame) && this.prog.evalInt(cond, frame) === 0 ? { ok: true } : { ok: false, why: `a ${loop.kind === 'WhileStmt' ? 'while' : 'do-while'} loop has no trip count` };
    }
    const [init, , cond, inc, body] = kids(loop);
    let exits = false;
    walk(body, (c) => {
      if (LOOP_KINDS.has(c.kind ?? '') || c.kind === 'SwitchStmt') return false;
      if (c.kind === 'BreakStmt' || c.kind === 'ReturnStmt' || c.kind === 'GotoStmt') exits = true;
      return !exits;
    });
    if (exits) return { ok: false, why: 'it has an early exit (break / return)' };
    const ivs = new Set<string>();
    if (init?.kind === 'DeclStmt') for (const d of kids(init)) if (d.id) ivs.add(d.id);
    const f: Frame = { ...frame, cls: new Map(frame.cls) };
    for (const iv of ivs) f.cls.set(iv, true);
    const initOk = init?.kind === 'DeclStmt' ? kids(init).every((d) => this.isStatic(kids(d)[kids(d).length - 1], f)) : this.isStatic(init, f);
    if (!initOk) return { ok: false, why: 'its start depends on a run-time value' };
    if (!this.isStatic(cond, f)) return { ok: false, why: 'its bound depends on a run-time value' };
    if (!this.isStatic(inc, f)) return { ok: false, why: 'its step depends on a run-time value' };
    return { ok: true };
  }

  /** Values of a loop's variable, or undefined when not enumerable here (cap: 4096). */
  private loopValues(l: UnrollLevel, values: Map<string, number>): number[] | undefined {
    if (l.loop.kind !== 'ForStmt' || !l.iv) return undefined;
    const [init, , cond, inc] = kids(l.loop);
    const f: Frame = { ...l.frame, values: new Map([...l.frame.values, ...values]) };
    const d = kids(init)[0];
    const v0 = d ? this.prog.evalInt(kids(d)[kids(d).length - 1], f) : undefined;
    if (v0 === undefined) return undefined;
    const out: number[] = [];
    let v = v0;
    for (let i = 0; i < 4096; i++) {
      f.values.set(l.iv, v);
      const c = this.prog.evalInt(cond, f);
      if (c === undefined) return undefined;
      if (!c) return out;
      out.push(v);
      // inc: ++v / v++ / v += k / v = v + k
      const s = stripCasts(inc);
      if (s.kind === 'UnaryOperator') v = s.opcode === '--' ? v - 1 : v + 1;
      else if (s.kind === 'CompoundAssignOperator') {
        const step = this.prog.evalInt(kids(s)[1], f);
        if (step === undefined) return undefined;
        v = s.opcode === '-=' ? v - step : v + step;
      } else return undefined;
    }
    return undefined;
  }

  /** Trip count of an unrolled loop: closed form for `iv < / <= / > / >= / != bound` with a constant step, else enumerated. */
  private tripCount(l: UnrollLevel): number | undefined {
    if (l.loop.kind !== 'ForStmt' || !l.iv) return undefined;
    const [init, , cond, inc] = kids(l.loop);
    const f = l.frame;
    const d = kids(init)[0];
    const v0 = d ? this.prog.evalInt(kids(d)[kids(d).length - 1], f) : undefined;
    const c = stripCasts(cond);
    const s = stripCasts(inc);
    const lhs = c.kind === 'BinaryOperator' ? stripCasts(kids(c)[0]) : undefined;
    let step: number | undefined;
    if (s.kind === 'UnaryOperator') step = s.opcode === '--' ? -1 : 1;
    else if (s.kind === 'CompoundAssignOperator') {
      const k = this.prog.evalInt(kids(s)[1], f);
      step = k === undefined ? undefined : s.opcode === '-=' ? -k : k;
    }
    if (v0 !== undefined && step && lhs?.kind === 'DeclRefExpr' && lhs.referencedDecl?.id === l.iv) {
      const b = this.prog.evalInt(kids(c)[1], f);
      if (b !== undefined) {
        const op = c.opcode;
        if (op === '<' && step > 0) return Math.max(0, Math.ceil((b - v0) / step));
        if (op === '<=' && step > 0) return Math.max(0, Math.floor((b - v0) / step) + 1);
        if (op === '>' && step < 0) return Math.max(0, Math.ceil((v0 - b) / -step));
        if (op === '>=' && step < 0) return Math.max(0, Math.floor((v0 - b) / -step) + 1);
        if (op === '!=' && (b - v0) % step === 0 && (b - v0) / step >= 0) return (b - v0) / step;
      }
    }
    return this.loopValues(l, new Map())?.length;
  }

  /** Loop variables an expression depends on (through locals' definitions), among `ivs`. */
  private dependsOn(e: AstNode | undefined, frame: Frame, ivs: Set<string>, seen = new Set<string>()): Set<string> {
    const out = new Set<string>();
    walk(e, (n) => {
      if (n.kind !== 'DeclRefExpr' || !n.referencedDecl) return;
      const id = n.referencedDecl.id;
      if (ivs.has(id)) out.add(id);
      else if (n.referencedDecl.kind === 'VarDecl' && !seen.has(id)) {
        seen.add(id);
        const d = this.prog.ast.byId.get(id);
        if (d?.init) for (const x of this.dependsOn(kids(d)[kids(d).length - 1], frame, ivs, seen)) out.add(x);
      } else if (n.referencedDecl.kind === 'ParmVarDecl') {
        const a = frame.args.get(id);
        if (a?.expr && a.frame && !seen.has(id)) {
          seen.add(id);
          for (const x of this.dependsOn(a.expr, a.frame, ivs, seen)) out.add(x);
        }
      }
    });
    return out;
  }

  private finishRegion(fn: Fn, at: AstNode, ii: number, st: RegionState): void {
    // Multipliers per ALLOCATION scope, and a reuse factor that nothing applies.
    const copiesOf = (unroll: UnrollLevel[], from: number): number | undefined => {
      let c = 1;
      for (const l of unroll.slice(from)) {
        const t = this.tripCount(l);
        if (t === undefined) return undefined;
        c *= t;
      }
      return c;
    };
    for (const m of st.mults) {
      for (const sc of m.scopes) sc.mults += copiesOf(m.unroll, sc.depth) ?? Infinity;
    }
    for (const sc of st.allScopes) {
      if (sc.limit !== undefined && sc.mults > sc.limit) {
        this.add('multipliers', at, sc.fn, `the ALLOCATION scope (line ${sc.pragma.line}) holds ${Number.isFinite(sc.mults) ? sc.mults : 'an unbounded number of'} multiplications of run-time values for a limit of ${sc.limit}: ALLOCATION alone shares them (input muxes on every multiplier, index arithmetic counted too); the code should hold ${sc.limit}`);
      }
    }
    const rf = this.prog.reuseFactor(fn);
    const unscoped = st.mults.filter((m) => m.scopes.length === 0);
    if (rf !== undefined && rf > 1 && unscoped.length && st.allScopes.length === 0) {
      const total = unscoped.reduce((a, m) => a + (copiesOf(m.unroll, 0) ?? Infinity), 0);
      this.add('multipliers', unscoped[0].site, fn, `reuse_factor ${rf} but ${Number.isFinite(total) ? total : 'an unbounded number of'} multiplications per iteration with no ALLOCATION scope: the reuse factor is not applied`);
    }
    // Ports of arrays indexed at run time.
    const byArray = new Map<string, Access[]>();
    for (const a of st.accesses) {
      const list = byArray.get(a.array.key) ?? [];
      list.push(a);
      byArray.set(a.array.key, list);
    }
    for (const list of byArray.values()) this.checkPorts(fn, list, ii, at);
    // Streams: at most II accesses per iteration.
    const byStream = new Map<string, StreamUse[]>();
    for (const s of st.streams) {
      const l = byStream.get(s.key) ?? [];
      l.push(s);
      byStream.set(s.key, l);
    }
    for (const [key, uses] of byStream) {
      // Uses in different branches of one if / else never happen in the same iteration.
      const most = (list: StreamUse[], depth: number): number => {
        let n = 0;
        const byIf = new Map<string, Map<string, StreamUse[]>>();
        for (const u of list) {
          if (u.path.length <= depth) {
            n += copiesOf(u.unroll, 0) ?? Infinity;
            continue;
          }
          const [ifId, branch] = u.path[depth].split(':');
          const m = byIf.get(ifId) ?? new Map<string, StreamUse[]>();
          m.set(branch, [...(m.get(branch) ?? []), u]);
          byIf.set(ifId, m);
        }
        for (const branches of byIf.values()) n += Math.max(...[...branches.values()].map((b) => most(b, depth + 1)));
        return n;
      };
      const n = most(uses, 0);
      if (n > ii) this.add('stream-access', uses[0].site, fn, `stream ${key.split(':').pop()} ${n > 1e9 ? 'many' : n} times per iteration at II ${ii}`);
    }
  }

  private checkPorts(fn: Fn, list: Access[], ii: number, at: AstNode): void {
    const arr = list[0].array;
    const registers = arr.parts.length > 0 && arr.parts.every((p) => p.type === 'complete');
    const runtime = (a: Access, d: number): boolean => {
      const e = a.idx[d];
      if (!e) return false;
      if (!this.isStatic(e, a.frame)) return true;
      return d === 0 && a.array.offset !== undefined && !this.isStatic(a.array.offset.expr, a.array.offset.frame);
    };
    const dynamic = list.filter((a) => a.idx.some((_, d) => runtime(a, d)));
    if (!dynamic.length) return;
    // Registers: every access has its own port, and the tool tracks register dependences exactly.
    if (registers) return;
    // A memory kept across iterations, read and written at run-time indices: a loop-carried dependence.
    const carried = list.some((a) => a.write) && list.some((a) => !a.write) && this.isCarried(fn, arr, at);
    if (carried && !arr.dependence) {
      this.add('carried-dependence', dynamic[0].site, fn, `${arr.name} is read and written at run-time indices in every iteration and kept across them: the tool assumes a dependence of distance 1 (state the real one with DEPENDENCE)`);
    }
    const limit = 2 * ii;
    const banks = new Map<string, Set<string>>();
    const star = new Set<string>();
    let unbounded = false;
    for (const a of list) {
      const ivs = new Set(a.unroll.map((l) => l.iv).filter((x): x is string => Boolean(x)));
      const deps = new Set<string>();
      for (const e of a.idx) for (const v of this.dependsOn(e, a.frame, ivs)) deps.add(v);
      if (a.array.offset) for (const v of this.dependsOn(a.array.offset.expr, a.array.offset.frame, ivs)) deps.add(v);
      const levels = a.unroll.filter((l) => l.iv && deps.has(l.iv));
      const combos: Map<string, number>[] = [];
      const rec = (i: number, vals: Map<string, number>): boolean => {
        if (combos.length > 4096) return false;
        if (i === levels.length) {
          combos.push(new Map(vals));
          return true;
        }
        const vs = this.loopValues(levels[i], vals);
        if (!vs) return false;
        for (const v of vs) {
          vals.set(levels[i].iv!, v);
          if (!rec(i + 1, vals)) return false;
        }
        vals.delete(levels[i].iv!);
        return true;
      };
      if (!rec(0, new Map())) {
        unbounded = true;
        continue;
      }
      for (const vals of combos) {
        const f: Frame = { ...a.frame, values: new Map([...a.frame.values, ...vals]) };
        const bank: string[] = [];
        const addr: string[] = [];
        let anyBank = false;
        a.idx.forEach((e, d) => {
          const part = arr.parts[d] ?? { type: 'none' };
          const terms = this.affine(e, f, 1);
          if (d === 0 && a.array.offset) terms.push(...this.affine(a.array.offset.expr, { ...a.array.offset.frame, values: new Map([...a.array.offset.frame.values, ...vals]) }, 1));
          // v: the index when it is a compile-time value; base: its compile-time part; rt: the run-time terms.
          let base: number | undefined = 0;
          const rt: { coef: number | undefined }[] = [];
          for (const t of terms) {
            if (t.rt) rt.push({ coef: t.coef });
            else base = base === undefined || t.value === undefined ? undefined : base + t.value * (t.coef ?? 1);
          }
          const v = rt.length === 0 ? base : undefined;
          const rtKey = `${e.id}[${[...vals.values()].join(',')}]`;
          if (v === undefined) addr.push(rtKey);
          if (part.type === 'none') {
            if (v !== undefined) addr.push(String(v));
          } else if (part.type === 'cyclic') {
            const F = part.factor ?? 1;
            // A run-time term whose coefficient is a multiple of the factor does not change the bank.
            if (base !== undefined && rt.every((t) => t.coef !== undefined && t.coef % F === 0)) {
              bank.push(String(((base % F) + F) % F));
              if (v !== undefined) addr.push(String(Math.floor(v / F)));
            } else anyBank = true;
          } else if (v === undefined) anyBank = true;
          else if (part.type === 'complete') bank.push(String(v));
          else {
            const size = arr.dims[d] ?? 0;
            const per = Math.ceil(size / (part.factor ?? 1)) || 1;
            bank.push(String(Math.floor(v / per)));
            addr.push(String(v % per));
          }
        });
        const key = `${addr.join(',')}|${a.write ? 'w' : 'r'}`;
        if (anyBank) star.add(key);
        else {
          const b = bank.join(',');
          const s = banks.get(b) ?? new Set<string>();
          s.add(key);
          banks.set(b, s);
        }
      }
    }
    let worst = star.size;
    for (const s of banks.values()) worst = Math.max(worst, s.size + star.size);
    if (unbounded || worst > limit) {
      const why = star.size ? 'a run-time index selects the bank, so every access may reach every bank' : 'the partitioning does not separate the accesses';
      this.add('ports', dynamic[0].site, fn, `${arr.name}: ${unbounded ? 'too many' : worst} accesses to one memory bank per iteration where II ${ii} allows ${limit} (${why})`);
    }
  }

  /**
   * An index as a sum of terms: compile-time ones with their value, run-time ones with their constant
   * coefficient when the term is `x · c` (so a bank of a cyclic partition can still be known).
   */
  private affine(e: AstNode | undefined, frame: Frame, coef: number | undefined): { rt: boolean; value?: number; coef: number | undefined }[] {
    if (!e || isEmpty(e)) return [];
    const x = stripCasts(e);
    if (this.isStatic(x, frame)) return [{ rt: false, value: this.prog.evalInt(x, frame), coef }];
    const k = kids(x);
    // A parameter: its argument in the caller.
    if (x.kind === 'DeclRefExpr' && x.referencedDecl?.kind === 'ParmVarDecl') {
      const a = frame.args.get(x.referencedDecl.id);
      if (a?.expr && a.frame && !/&/.test(x.referencedDecl.type?.qualType ?? '')) return this.affine(a.expr, { ...a.frame, values: new Map([...a.frame.values, ...frame.values]) }, coef);
    }
    // A const local: its definition.
    if (x.kind === 'DeclRefExpr' && x.referencedDecl?.kind === 'VarDecl' && /^const\b/.test(x.referencedDecl.type?.qualType ?? '')) {
      const d = this.prog.ast.byId.get(x.referencedDecl.id);
      if (d?.init && frame.cls.has(d.id!)) return this.affine(kids(d)[kids(d).length - 1], frame, coef);
    }
    if (x.kind === 'BinaryOperator' && (x.opcode === '+' || x.opcode === '-')) {
      const neg = coef === undefined ? undefined : -coef;
      return [...this.affine(k[0], frame, coef), ...this.affine(k[1], frame, x.opcode === '-' ? neg : coef)];
    }
    if (x.kind === 'BinaryOperator' && x.opcode === '*') {
      for (const [c, other] of [[k[0], k[1]], [k[1], k[0]]] as const) {
        if (this.isStatic(c, frame)) {
          const v = this.prog.evalInt(c, frame);
          return this.affine(other, frame, coef === undefined || v === undefined ? undefined : coef * v);
        }
      }
    }
    return [{ rt: true, coef }];
  }

  private isCarried(fn: Fn, arr: ArrayRef, at: AstNode): boolean {
    // A local of the region's function declared outside the pipelined loop (at = the loop).
    const [fnId, declId] = arr.key.split(':');
    if (fnId !== fn.node.id || at === fn.body) return false;
    const d = this.prog.ast.byId.get(declId);
    if (!d || d.kind !== 'VarDecl') return false;
    let inside = false;
    walk(at, (n) => {
      if (n === d) inside = true;
      return !inside;
    });
    return !inside;
  }

  // ----- outside pipelined regions -----

  private outside(fn: Fn): void {
    // Inlined helpers are checked where they are inlined (in their callers' loops and regions); constexpr
    // helpers run in the compiler.
    if (fn.inline || fn.node.constexpr) return;
    this.outsideBody(fn, 0);
  }

  private outsideBody(fn: Fn, depth: number): void {
    if (fn.pragmas.some((p) => p.fnLevel && p.p.kind === 'PIPELINE')) return;
    const frame = emptyFrame(fn);
    for (const p of fn.params) if (p.id) frame.args.set(p.id, { isStatic: false });
    this.classify(frame, undefined, false);
    const pipelined = (loop: AstNode) => fn.pragmas.some((p) => p.loop === loop && p.p.kind === 'PIPELINE' && !p.p.flags.includes('off'));
    const unrolled = (loop: AstNode) => fn.pragmas.some((p) => p.loop === loop && p.p.kind === 'UNROLL');
    const visit = (n: AstNode): void => {
      if (!n || isEmpty(n) || n.kind === 'LambdaExpr') return;
      if (LOOP_KINDS.has(n.kind ?? '')) {
        if (pipelined(n)) return;
        const bound = this.staticTripCount(n, frame);
        if (!bound.ok) this.add(unrolled(n) ? 'variable-bound' : 'trip-count', n, fn, `${unrolled(n) ? 'an unrolled' : 'a'} loop without a compile-time trip count: ${bound.why}`);
        if (!unrolled(n) && this.streamOutsidePipelines(loopBody(n), fn, 0)) this.add('unpipelined-stream', n, fn, 'a loop that reads or writes a stream is not pipelined (one stream access every few cycles); pipeline it, or nest a pipelined loop that does the accesses');
      }
      if ((n.kind === 'CallExpr' || n.kind === 'CXXMemberCallExpr') && depth < 12) {
        const c = this.callee(n);
        if (c?.inline && !c.isArrayMember) this.outsideBody(c, depth + 1);
      }
      for (const c of kids(n)) visit(c);
    };
    visit(fn.body);
  }

  /** A stream read/write in this subtree that is not inside a pipelined loop (inlined callees included). */
  private streamOutsidePipelines(n: AstNode | undefined, fn: Fn, depth: number): boolean {
    let found = false;
    const visit = (x: AstNode | undefined, f: Fn): void => {
      if (!x || isEmpty(x) || found) return;
      if (LOOP_KINDS.has(x.kind ?? '') && f.pragmas.some((p) => p.loop === x && p.p.kind === 'PIPELINE')) return;
      if (x.kind === 'CXXMemberCallExpr') {
        const me = stripCasts(kids(x)[0]);
        if (isStreamType(kids(me)[0]?.type?.qualType) && (me.name === 'read' || me.name === 'write')) {
          found = true;
          return;
        }
      }
      if (x.kind === 'CallExpr' || x.kind === 'CXXMemberCallExpr') {
        const c = this.callee(x);
        if (c && !c.isArrayMember && depth < 12 && !c.pragmas.some((p) => p.fnLevel && p.p.kind === 'PIPELINE')) {
          if (this.streamOutsidePipelines(c.body, c, depth + 1)) found = true;
        }
      }
      for (const c of kids(x)) visit(c, f);
    };
    visit(n, fn);
    return found;
  }
}

interface RegionState {
  accesses: Access[];
  mults: MultSite[];
  scopes: AllocScope[];
  allScopes: AllocScope[];
  streams: StreamUse[];
  path: string[];
}

function emptyFrameWithRoots(fn: Fn, checker: Checker, depth: number): Frame {
  const f = emptyFrame(fn);
  for (const p of fn.params) {
    if (!p.id) continue;
    f.args.set(p.id, { isStatic: false, array: (checker as unknown as { rootArray(fn: Fn, p: AstNode, d: number): ArrayRef | undefined }).rootArray(fn, p, depth) });
  }
  return f;
}
