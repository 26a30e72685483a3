// The project file's SQLite schema, version by version. `PRAGMA user_version` holds the schema version;
// `PRAGMA application_id` marks the file as Tessera's so foreign SQLite files are recognised.
//
// Adding a version: append a migration { version: N, … } whose `up` turns a version N−1 database into
// a version N one, and bump nothing else: CURRENT_SCHEMA_VERSION follows the table. Never edit a
// shipped migration; never edit SCHEMA_V1 (it is what old files contain).
import type Database from 'better-sqlite3';
import { damagedParts, fillChecksums, PARTS, writePartDigests } from './checksums';
import { StoreError } from './errors';
import { PRECISION_FIELDS, type PrecisionSpec } from '../../../engine/fixed/precision';
import { precisionFormProblems } from '../../../engine/graph/precision';

/** 'TESS' as a big-endian 32-bit integer. */
export const APPLICATION_ID = 0x54455353;

/** The first schema ever written (v1). Kept verbatim: tests build v1 files from it. */
export const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE graph (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE tensors (
  node_id TEXT NOT NULL,
  slot TEXT NOT NULL,
  dtype TEXT NOT NULL,
  shape TEXT NOT NULL,
  layout TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (node_id, slot)
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface Migration {
  /** The version this migration produces. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema: meta, graph JSON, tensors, settings',
    up(db) {
      db.exec(SCHEMA_V1);
    },
  },
  {
    version: 2,
    description: 'graph as nodes/edges tables; preview inputs; variants and build runs; migration log',
    up(db) {
      db.exec(`
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
        CREATE TABLE nodes (
          id TEXT PRIMARY KEY,
          ord INTEGER NOT NULL,
          type TEXT NOT NULL,
          name TEXT NOT NULL,
          params TEXT NOT NULL,
          x REAL,
          y REAL
        );
        CREATE TABLE edges (
          id TEXT PRIMARY KEY,
          ord INTEGER NOT NULL,
          source TEXT NOT NULL,
          source_port INTEGER NOT NULL,
          target TEXT NOT NULL,
          target_port INTEGER NOT NULL
        );
        CREATE TABLE preview_inputs (ord INTEGER PRIMARY KEY, node_id TEXT NOT NULL, spec TEXT NOT NULL);
        CREATE TABLE variants (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          config TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE TABLE build_runs (
          id TEXT PRIMARY KEY,
          variant_id TEXT REFERENCES variants(id) ON DELETE SET NULL,
          config TEXT NOT NULL,
          status TEXT NOT NULL,
          step TEXT,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          log TEXT NOT NULL DEFAULT '',
          report TEXT,
          artifacts TEXT
        );
      `);
      // Move the v1 graph document into the tables.
      const row = db.prepare('SELECT json FROM graph WHERE id = 1').get() as { json: string } | undefined;
      if (row) {
        const doc = JSON.parse(row.json) as {
          version?: number;
          nodes?: { id: string; type: string; name: string; params?: unknown; position?: { x: number; y: number } }[];
          edges?: { id: string; source: string; sourcePort?: number; target: string; targetPort?: number }[];
        };
        const insNode = db.prepare('INSERT INTO nodes (id, ord, type, name, params, x, y) VALUES (?, ?, ?, ?, ?, ?, ?)');
        (doc.nodes ?? []).forEach((n, i) =>
          insNode.run(n.id, i, n.type, n.name, JSON.stringify(n.params ?? {}), n.position?.x ?? null, n.position?.y ?? null),
        );
        const insEdge = db.prepare('INSERT INTO edges (id, ord, source, source_port, target, target_port) VALUES (?, ?, ?, ?, ?, ?)');
        (doc.edges ?? []).forEach((e, i) => insEdge.run(e.id, i, e.source, e.sourcePort ?? 0, e.target, e.targetPort ?? 0));
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('graph_version', ?)").run(String(doc.version ?? 1));
      }
      db.exec('DROP TABLE graph');
    },
  },
  {
    version: 3,
    description: 'checksums: per tensor and per variant (checksum columns), per table part (checksums table); verified on open',
    up(db) {
      db.exec(`
        ALTER TABLE tensors ADD COLUMN checksum TEXT;
        ALTER TABLE variants ADD COLUMN checksum TEXT;
        CREATE TABLE checksums (part TEXT PRIMARY KEY, value TEXT NOT NULL);
      `);
      fillChecksums(db);
    },
  },
  {
    version: 4,
    description: 'per-layer precision in the graph: nodes.precision (type strings by field) from settings.ui.layerPrecision',
    up(db) {
      // The parts rewritten here are checked first: their digests are recomputed, which would hide damage.
      const damaged = damagedParts(db, ['nodes', 'settings'], 3);
      if (damaged.length) throw new StoreError('corrupt', `${damaged.map((p) => PARTS[p].what).join(' and ')} ${damaged.length > 1 ? 'do' : 'does'} not match the stored checksums; restore the file from a backup`);
      db.exec('ALTER TABLE nodes ADD COLUMN precision TEXT');
      movePrecisionsIntoNodes(db);
      // Graph document version 2: nodes may carry their precision.
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('graph_version', '2')").run();
      writePartDigests(db, ['nodes', 'settings'], 4);
    },
  },
];

/** Where the renderer kept per-layer precisions up to schema v3 (node id → { field: type string }). */
const V3_UI_PRECISION_KEY = 'layerPrecision';
/** What the v4 migration could not move into a node (a node that no longer exists, a malformed value): kept, not lost. */
export const UNMIGRATED_PRECISION_KEY = 'layerPrecisionNotMigrated';

/**
 * The v3 → v4 move: each node's choices from settings.ui.layerPrecision into nodes.precision (trimmed
 * non-empty strings of the known fields, as v3 read them). A value the document schema would refuse, or the
 * choices of a node that is gone, stay in settings.ui.layerPrecisionNotMigrated; other ui keys are kept.
 */
function movePrecisionsIntoNodes(db: Database.Database): void {
  const row = db.prepare("SELECT value FROM settings WHERE key = 'ui'").get() as { value: string } | undefined;
  let ui: unknown;
  try {
    ui = row ? JSON.parse(row.value) : undefined;
  } catch {
    return; // settings load falls back to its defaults for a value that does not parse, as before
  }
  if (!ui || typeof ui !== 'object' || Array.isArray(ui)) return;
  const { [V3_UI_PRECISION_KEY]: stored, ...rest } = ui as Record<string, unknown>;
  if (stored === undefined) return;
  let left: unknown = {};
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) left = stored;
  else {
    const nodeIds = new Set((db.prepare('SELECT id FROM nodes').all() as { id: string }[]).map((r) => r.id));
    const setPrecision = db.prepare('UPDATE nodes SET precision = ? WHERE id = ?');
    for (const [id, spec] of Object.entries(stored as Record<string, unknown>)) {
      if (!spec || typeof spec !== 'object' || Array.isArray(spec)) continue; // v3 ignored these too
      const kept: PrecisionSpec = {};
      const notKept: Record<string, unknown> = {};
      for (const [f, t] of Object.entries(spec)) {
        if (typeof t === 'string' && !t.trim()) continue; // '' = the default
        const value = typeof t === 'string' ? t.trim() : t;
        if ((PRECISION_FIELDS as readonly string[]).includes(f) && nodeIds.has(id) && !precisionFormProblems({ [f]: value }).length) kept[f as keyof PrecisionSpec] = value as string;
        else notKept[f] = t;
      }
      if (Object.keys(kept).length) setPrecision.run(JSON.stringify(kept), id);
      if (Object.keys(notKept).length) (left as Record<string, unknown>)[id] = notKept;
    }
  }
  const keep = left !== null && (typeof left !== 'object' || Object.keys(left).length > 0);
  const next = keep ? { ...rest, [UNMIGRATED_PRECISION_KEY]: left } : rest;
  db.prepare("UPDATE settings SET value = ? WHERE key = 'ui'").run(JSON.stringify(next));
}

export const CURRENT_SCHEMA_VERSION = migrations[migrations.length - 1].version;

/** Tables every current-version project has (checked on open). */
export const REQUIRED_TABLES = ['meta', 'nodes', 'edges', 'tensors', 'settings', 'preview_inputs', 'variants', 'build_runs', 'schema_migrations', 'checksums'];

/** Tables a file of the given version must have before migrating (a Tessera file missing them is damaged). */
export function requiredTablesAt(version: number): string[] {
  if (version >= 3) return REQUIRED_TABLES;
  if (version === 2) return REQUIRED_TABLES.filter((t) => t !== 'checksums');
  return ['meta', 'graph', 'tensors', 'settings'];
}

/**
 * Brings `db` from `from` to CURRENT_SCHEMA_VERSION, each step in its own transaction together with
 * its user_version bump and its row in schema_migrations (from v2 on).
 */
export function migrate(db: Database.Database, from: number, now: () => string = () => new Date().toISOString()): void {
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      if (m.version >= 2) {
        const log = db.prepare('INSERT OR REPLACE INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
        if (m.version === 2) for (const earlier of migrations.filter((e) => e.version < 2)) log.run(earlier.version, earlier.description, now());
        log.run(m.version, m.description, now());
      }
    })();
  }
}
