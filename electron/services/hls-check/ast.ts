// Clang's JSON AST of a generated project, ready for the static check (check.ts): the nodes of every
// declaration whose qualified name contains "nnet" (the templates, their instantiations, and the project's
// own namespace, renamed for the dump), with every source location made absolute (clang's JSON writes a
// location's file and line only when they change from the previous one it printed) and an index by id.

export interface SourcePos {
  offset?: number;
  file?: string;
  line?: number;
  col?: number;
  spellingLoc?: SourcePos;
  expansionLoc?: SourcePos;
}

export interface AstNode {
  id?: string;
  kind?: string;
  name?: string;
  inner?: AstNode[];
  loc?: SourcePos;
  range?: { begin: SourcePos; end: SourcePos };
  type?: { qualType: string; desugaredQualType?: string };
  referencedDecl?: { id: string; kind: string; name?: string; type?: { qualType: string } };
  referencedMemberDecl?: string;
  opcode?: string;
  value?: string;
  init?: string;
  constexpr?: boolean;
  isPostfix?: boolean;
  storageClass?: string;
  decl?: { id: string; kind: string; name?: string };
  [key: string]: unknown;
}

export interface Ast {
  roots: AstNode[];
  byId: Map<string, AstNode>;
  parent: Map<AstNode, AstNode>;
}

/** Splits clang's output for a filtered dump (one JSON object per matching declaration, back to back). */
export function splitJsonObjects(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0, inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (esc) esc = false;
      else if (c === 92) esc = true;
      else if (c === 34) inStr = false;
      continue;
    }
    if (c === 34) inStr = true;
    else if (c === 123) {
      if (depth++ === 0) start = i;
    } else if (c === 125) {
      if (--depth === 0) out.push(text.slice(start, i + 1));
    }
  }
  return out;
}

/**
 * Clang elides a location's file and line when equal to the last printed ones; this walks the objects in
 * the order they were printed (keys keep their order in JSON.parse) and fills them in.
 */
function resolveLocations(root: AstNode): void {
  let file: string | undefined;
  let line: number | undefined;
  const bare = (p: SourcePos | undefined): void => {
    if (!p || p.offset === undefined) return;
    if (p.file !== undefined) {
      file = p.file;
      line = p.line;
    } else if (p.line !== undefined) line = p.line;
    p.file = file;
    p.line = line;
  };
  const pos = (p: SourcePos | undefined): void => {
    if (!p) return;
    if (p.spellingLoc || p.expansionLoc) {
      bare(p.spellingLoc);
      bare(p.expansionLoc);
      // Macro expansions: the statement is where the macro was used.
      p.file = p.expansionLoc?.file;
      p.line = p.expansionLoc?.line;
      p.col = p.expansionLoc?.col;
    } else bare(p);
  };
  const visit = (v: unknown, key: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x, '');
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (key === 'loc') {
      pos(o as SourcePos);
      return;
    }
    if (key === 'range') {
      pos(o.begin as SourcePos);
      pos(o.end as SourcePos);
      return;
    }
    if (key === 'includedFrom') return;
    for (const [k, x] of Object.entries(o)) if (x && typeof x === 'object') visit(x, k);
  };
  visit(root, '');
}

export function parseAst(text: string): Ast {
  const roots = splitJsonObjects(text).map((s) => JSON.parse(s) as AstNode);
  const byId = new Map<string, AstNode>();
  const parent = new Map<AstNode, AstNode>();
  const index = (n: AstNode): void => {
    if (n.id && n.kind && !byId.has(n.id)) byId.set(n.id, n);
    for (const c of n.inner ?? []) {
      if (!c || typeof c !== 'object') continue;
      parent.set(c, n);
      index(c);
    }
  };
  for (const r of roots) {
    resolveLocations(r);
    index(r);
  }
  return { roots, byId, parent };
}

/** Depth-first over a subtree (pre-order); `visit` returning false skips the node's children. */
export function walk(n: AstNode | undefined, visit: (n: AstNode) => boolean | void): void {
  if (!n || typeof n !== 'object') return;
  if (visit(n) === false) return;
  for (const c of n.inner ?? []) walk(c, visit);
}

/** Children that are nodes (clang writes absent children of statements as `{}`). */
export function kids(n: AstNode): AstNode[] {
  return n.inner ?? [];
}

export function isEmpty(n: AstNode | undefined): boolean {
  return !n || n.kind === undefined;
}
