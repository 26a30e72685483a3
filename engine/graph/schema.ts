// The graph document as saved (project store, .tessera files, clipboard): a zod schema with a
// version number and a migration hook. parseGraphDocument never throws: a bad document gives one
// clear error naming what is wrong and how to fix it.
//
// Adding a version: bump CURRENT_GRAPH_VERSION to N and add `N - 1: (doc) => …` to graphMigrations,
// a pure function that turns a version N−1 document into a version N one (the version field is set
// by migrateDocument).
import { z } from 'zod';
import type { Graph } from './model';

export const CURRENT_GRAPH_VERSION = 1;

const id = z.string().min(1, 'must be a non-empty string');

export const graphNodeSchema = z.object({
  id,
  type: z.string().min(1, 'must be a non-empty op type'),
  name: z.string(),
  params: z.record(z.string(), z.unknown()).default(() => ({})),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
});

export const graphEdgeSchema = z.object({
  id,
  source: id,
  sourcePort: z.number().int().min(0).default(0),
  target: id,
  targetPort: z.number().int().min(0).default(0),
});

/** The current version's document. Parameters are kept as given: analyzeGraph validates them per op. */
export const graphDocumentSchema = z.object({
  version: z.literal(CURRENT_GRAPH_VERSION),
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
});

/** A document of one version, as plain JSON data. */
export type GraphDocumentData = Record<string, unknown> & { version: number };

/** Migration from version v (the key) to v + 1. */
export type GraphMigration = (doc: GraphDocumentData) => GraphDocumentData;

/** version → migration to version + 1. Empty while version 1 is the only one. */
export const graphMigrations: Readonly<Record<number, GraphMigration>> = {};

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
    })),
    edges: graph.edges.map((e) => ({ id: e.id, source: e.source, sourcePort: e.sourcePort, target: e.target, targetPort: e.targetPort })),
  };
}
