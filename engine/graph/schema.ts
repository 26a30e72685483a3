// The graph document as saved (project store, .tessera files, clipboard) and as the API carries it: one
// zod schema with a version number and a migration hook (api/contract.ts uses graphJsonSchema, so the
// schema exists once). parseGraphDocument never throws: a bad document gives one clear error naming what
// is wrong and how to fix it.
//
// Versions: 1 — nodes, edges; 2 — a node may carry its per-layer precision (`precision`, by field;
// engine/graph/precision.ts). Version 1 documents are version 2 documents without precisions.
//
// Adding a version: bump CURRENT_GRAPH_VERSION to N and add `N - 1: (doc) => …` to graphMigrations,
// a pure function that turns a version N−1 document into a version N one (the version field is set
// by migrateDocument).
import { z } from 'zod';
import type { PrecisionSpec } from '../fixed/precision';
import type { Graph } from './model';
import { precisionFormProblems } from './precision';

export const CURRENT_GRAPH_VERSION = 2;

const id = z.string().min(1, 'must be a non-empty string');

export const graphNodeSchema = z
  .strictObject({
    id,
    type: z.string().min(1, 'must be a non-empty op type'),
    name: z.string(),
    params: z.record(z.string(), z.unknown()).default(() => ({})),
    position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
    precision: z.unknown().optional(),
  })
  .superRefine((n, ctx) => {
    // The per-layer precision: known fields, each a bounded type string (its meaning is checked by
    // analyzeGraph). Each problem names the node, the field, the value, the rule and the fix.
    for (const p of precisionFormProblems(n.precision)) {
      const value = JSON.stringify(p.value) ?? String(p.value);
      ctx.addIssue({ code: 'custom', path: ['precision', ...p.field.split('.').slice(1)], message: `layer "${n.name || n.id}": ${p.field} = ${value} breaks the rule ${p.rule}; ${p.fix}` });
    }
  })
  .transform((n) => n as Omit<typeof n, 'precision'> & { precision?: PrecisionSpec });

export const graphEdgeSchema = z.strictObject({
  id,
  source: id,
  sourcePort: z.number().int().min(0).default(0),
  target: id,
  targetPort: z.number().int().min(0).default(0),
});

/**
 * A document of any version this Tessera reads, as the API accepts it (every version so far is a subset of
 * the current one; parseGraphDocument migrates). Parameters are kept as given: analyzeGraph validates them per op.
 */
export const graphJsonSchema = z.strictObject({
  version: z.number().int().min(1).max(CURRENT_GRAPH_VERSION, `must be at most ${CURRENT_GRAPH_VERSION} (this Tessera's graph document version)`),
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
});

/** The current version's document. */
export const graphDocumentSchema = graphJsonSchema.extend({ version: z.literal(CURRENT_GRAPH_VERSION) });

/** A document of one version, as plain JSON data. */
export type GraphDocumentData = Record<string, unknown> & { version: number };

/** Migration from version v (the key) to v + 1. */
export type GraphMigration = (doc: GraphDocumentData) => GraphDocumentData;

/** version → migration to version + 1. */
export const graphMigrations: Readonly<Record<number, GraphMigration>> = {
  // Version 2 adds the optional per-layer `precision` of a node: a version 1 document is already one.
  1: (doc) => doc,
};

export type MigrateResult = { doc: GraphDocumentData } | { error: string };

/**
 * Brings a document from its version up to `current` with the given table (exported for tests and for
 * the project store, which migrates its own tables the same way).
 */
export function migrateDocument(
  raw: unknown,
  migrations: Readonly<Record<number, GraphMigration>> = graphMigrations,
  current: number = CURRENT_GRAPH_VERSION,
): MigrateResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: 'not a Tessera graph document: expected a JSON object with version, nodes and edges' };
  }
  const version = (raw as Record<string, unknown>).version;
  if (version === undefined) {
    return { error: 'not a Tessera graph document: the "version" field is missing; save the graph again with Tessera' };
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { error: `graph document version ${JSON.stringify(version)} is not a positive integer; the file is damaged or not a Tessera graph` };
  }
  if (version > current) {
    return {
      error: `graph document version ${version} is newer than this Tessera understands (up to version ${current}); update Tessera to open it`,
    };
  }
  let doc = raw as GraphDocumentData;
  for (let v = version; v < current; v++) {
    const step = migrations[v];
    if (!step) return { error: `no migration from graph document version ${v} to ${v + 1}; this Tessera cannot open it` };
    try {
      doc = { ...step(doc), version: v + 1 };
    } catch (e) {
      return { error: `migrating the graph document from version ${v} to ${v + 1} failed: ${(e as Error).message}` };
    }
  }
  return { doc };
}

function issuePath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(document)';
}

/**
 * Parses a graph document (a JSON string or already-parsed data), migrating older versions.
 * Structural problems (missing fields, wrong types) are errors here; graph rules (unknown op types,
 * parameters, connections, shapes) are diagnostics of analyzeGraph.
 */
export function parseGraphDocument(json: unknown): { graph: Graph } | { error: string } {
  let raw = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (e) {
      return { error: `graph document is not valid JSON (${(e as Error).message}); check the file is a Tessera graph` };
    }
  }
  const migrated = migrateDocument(raw);
  if ('error' in migrated) return migrated;
  const parsed = graphDocumentSchema.safeParse(migrated.doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${issuePath(i.path)}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    return { error: `graph document is malformed: ${issues.join('; ')}${more}; fix these fields or re-export the graph` };
  }
  return { graph: parsed.data as Graph };
}

/** The document to save: plain data with the current version. */
export function serializeGraph(graph: Graph): Graph {
  return {
    version: CURRENT_GRAPH_VERSION,
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      name: n.name,
      params: structuredClone(n.params),
      ...(n.position ? { position: { x: n.position.x, y: n.position.y } } : {}),
      ...(n.precision && Object.keys(n.precision).length ? { precision: { ...n.precision } } : {}),
    })),
    edges: graph.edges.map((e) => ({ id: e.id, source: e.source, sourcePort: e.sourcePort, target: e.target, targetPort: e.targetPort })),
  };
}
