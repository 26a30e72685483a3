// Checksums of what a project computes with (schema v3). SQLite checks its own page structure (PRAGMA
// quick_check, run on open) but not the bytes inside a value: a damaged weight would load as other
// numbers. So each tensor row carries the digest of its dtype, shape, layout and data (`checksum`
// column), each variant row the digest of its name and config, and the `checksums` table one digest per
// table part (the graph's nodes and edges, settings, preview inputs, and the list of tensors with their
// digests, which also notices a vanished row). Every writer updates them in the same transaction as
// the rows; load() verifies them and names what is damaged. Build history (build_runs) is not covered:
// it is a log, nothing is computed from it.
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';

export function digest(...parts: (string | Uint8Array)[]): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\u0000');
  }
  return h.digest('hex');
}

/** The stored checksum of a tensor row, from its columns and the digest of its data. */
export function tensorChecksum(dtype: string, shapeJson: string, layout: string, dataDigest: string): string {
  return digest(dtype, shapeJson, layout, dataDigest);
}

export function variantChecksum(id: string, name: string, configJson: string): string {
  return digest(id, name, configJson);
}

/** Table parts with one digest each, the query that lists their rows in a fixed order, and their name in messages. */
export const PARTS = {
  nodes: { sql: 'SELECT id, ord, type, name, params, x, y, precision FROM nodes ORDER BY ord, id', what: "the graph's layers (nodes table)" },
  edges: { sql: 'SELECT id, ord, source, source_port, target, target_port FROM edges ORDER BY ord, id', what: "the graph's connections (edges table)" },
  settings: { sql: 'SELECT key, value FROM settings ORDER BY key', what: 'the project settings' },
  preview_inputs: { sql: 'SELECT ord, node_id, spec FROM preview_inputs ORDER BY ord', what: 'the preview inputs' },
  tensors: { sql: 'SELECT node_id, slot, checksum FROM tensors ORDER BY node_id, slot', what: 'the list of weights' },
} as const;
export type Part = keyof typeof PARTS;
export const ALL_PARTS = Object.keys(PARTS) as Part[];

/** The nodes query of schema v3 (before nodes.precision, v4): what v3 files' digests cover. */
const NODES_SQL_V3 = 'SELECT id, ord, type, name, params, x, y FROM nodes ORDER BY ord, id';

/** The query of a part as a file of `schemaVersion` has it (default: the current schema). */
function partSql(part: Part, schemaVersion: number): string {
  return part === 'nodes' && schemaVersion < 4 ? NODES_SQL_V3 : PARTS[part].sql;
}

function partDigest(db: Database.Database, part: Part, schemaVersion: number): string {
  const h = crypto.createHash('sha256');
  for (const row of db.prepare(partSql(part, schemaVersion)).raw().iterate() as Iterable<unknown[]>) {
    h.update(JSON.stringify(row));
    h.update('\n');
  }
  return h.digest('hex');
}

/** Writes the digests of `parts` (call inside the transaction that changed them); `schemaVersion` only for migrations. */
export function writePartDigests(db: Database.Database, parts: readonly Part[], schemaVersion = Infinity): void {
  const put = db.prepare('INSERT OR REPLACE INTO checksums (part, value) VALUES (?, ?)');
  for (const p of parts) put.run(p, partDigest(db, p, schemaVersion));
}

/** The parts whose rows do not match their stored digest (a missing digest counts as damage). */
export function damagedParts(db: Database.Database, parts: readonly Part[] = ALL_PARTS, schemaVersion = Infinity): Part[] {
  const stored = new Map((db.prepare('SELECT part, value FROM checksums').all() as { part: string; value: string }[]).map((r) => [r.part, r.value]));
  return parts.filter((p) => stored.get(p) !== partDigest(db, p, schemaVersion));
}

/** Fills every checksum of a database that has none yet (the v2 → v3 migration: digests as of schema v3). */
export function fillChecksums(db: Database.Database): void {
  const tensors = db.prepare('SELECT node_id, slot, dtype, shape, layout, data FROM tensors').all() as { node_id: string; slot: string; dtype: string; shape: string; layout: string; data: Buffer }[];
  const setTensor = db.prepare('UPDATE tensors SET checksum = ? WHERE node_id = ? AND slot = ?');
  for (const t of tensors) setTensor.run(tensorChecksum(t.dtype, t.shape, t.layout, digest(t.data)), t.node_id, t.slot);
  const variants = db.prepare('SELECT id, name, config FROM variants').all() as { id: string; name: string; config: string }[];
  const setVariant = db.prepare('UPDATE variants SET checksum = ? WHERE id = ?');
  for (const v of variants) setVariant.run(variantChecksum(v.id, v.name, v.config), v.id);
  writePartDigests(db, ALL_PARTS, 3);
}
