// Variants and build runs in a project file (tables from schema v2), for the build queue and the
// compare view. JSON columns hold the caller's objects (configs, reports, artifact paths) as given.
import type Database from 'better-sqlite3';
import { variantChecksum } from './checksums';

export type BuildStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface VariantRecord {
  id: string;
  name: string;
  /** Per-layer HLS choices (io type, strategy, RF, precisions…), as the build feature defines them. */
  config: unknown;
  createdAt: string;
  updatedAt: string;
  /** True when the stored row does not match its checksum (the file is damaged): list it, never build it. */
  damaged?: boolean;
}

export interface BuildRunRecord {
  id: string;
  variantId: string | null;
  config: unknown;
  status: BuildStatus;
  step: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  log: string;
  report: unknown;
  artifacts: unknown;
}

interface VariantRow { id: string; name: string; config: string; created_at: string; updated_at: string; checksum: string | null }
interface RunRow {
  id: string; variant_id: string | null; config: string; status: BuildStatus; step: string | null; created_at: string;
  started_at: string | null; finished_at: string | null; log: string; report: string | null; artifacts: string | null;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

// Rows of one millisecond keep their writing order by rowid: every write here is an upsert (INSERT … ON CONFLICT
// DO UPDATE), which keeps a row's rowid; INSERT OR REPLACE would move it to the end.
export function listVariants(db: Database.Database): VariantRecord[] {
  return (db.prepare('SELECT * FROM variants ORDER BY created_at, rowid').all() as VariantRow[]).map((r) => {
    if (r.checksum !== variantChecksum(r.id, r.name, r.config)) {
      let config: unknown = null;
      try {
        config = JSON.parse(r.config);
      } catch {
        /* shown as malformed */
      }
      return { id: r.id, name: r.name, config, createdAt: r.created_at, updatedAt: r.updated_at, damaged: true };
    }
    return { id: r.id, name: r.name, config: parse(r.config), createdAt: r.created_at, updatedAt: r.updated_at };
  });
}

/** Inserts or replaces a variant (createdAt kept from the first insert). */
export function putVariant(db: Database.Database, v: { id: string; name: string; config: unknown }, now: string): VariantRecord {
  const config = json(v.config) ?? 'null';
  db.prepare(
    `INSERT INTO variants (id, name, config, created_at, updated_at, checksum) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, config = excluded.config, updated_at = excluded.updated_at, checksum = excluded.checksum`,
  ).run(v.id, v.name, config, now, now, variantChecksum(v.id, v.name, config));
  return listVariants(db).find((x) => x.id === v.id)!;
}

/** Deletes a variant; its runs stay in the history with variantId null. */
export function deleteVariant(db: Database.Database, id: string): boolean {
  return db.prepare('DELETE FROM variants WHERE id = ?').run(id).changes === 1;
}

function runFromRow(r: RunRow): BuildRunRecord {
  return {
    id: r.id, variantId: r.variant_id, config: parse(r.config), status: r.status, step: r.step, createdAt: r.created_at,
    startedAt: r.started_at, finishedAt: r.finished_at, log: r.log, report: parse(r.report), artifacts: parse(r.artifacts),
  };
}

export function listBuildRuns(db: Database.Database, variantId?: string): BuildRunRecord[] {
  const rows = variantId === undefined
    ? (db.prepare('SELECT * FROM build_runs ORDER BY created_at, rowid').all() as RunRow[])
    : (db.prepare('SELECT * FROM build_runs WHERE variant_id = ? ORDER BY created_at, rowid').all(variantId) as RunRow[]);
  return rows.map(runFromRow);
}

export function getBuildRun(db: Database.Database, id: string): BuildRunRecord | null {
  const row = db.prepare('SELECT * FROM build_runs WHERE id = ?').get(id) as RunRow | undefined;
  return row ? runFromRow(row) : null;
}

export function putBuildRun(db: Database.Database, run: Omit<BuildRunRecord, 'log'> & { log?: string }): BuildRunRecord {
  db.prepare(
    `INSERT INTO build_runs (id, variant_id, config, status, step, created_at, started_at, finished_at, log, report, artifacts)
     VALUES (@id, @variant_id, @config, @status, @step, @created_at, @started_at, @finished_at, @log, @report, @artifacts)
     ON CONFLICT(id) DO UPDATE SET variant_id = excluded.variant_id, config = excluded.config, status = excluded.status,
       step = excluded.step, started_at = excluded.started_at, finished_at = excluded.finished_at,
       log = CASE WHEN @replace_log THEN excluded.log ELSE build_runs.log END, report = excluded.report, artifacts = excluded.artifacts`,
  ).run({
    id: run.id, variant_id: run.variantId, config: json(run.config) ?? 'null', status: run.status, step: run.step,
    created_at: run.createdAt, started_at: run.startedAt, finished_at: run.finishedAt, log: run.log ?? '',
    report: json(run.report), artifacts: json(run.artifacts), replace_log: run.log === undefined ? 0 : 1,
  });
  return runFromRow(db.prepare('SELECT * FROM build_runs WHERE id = ?').get(run.id) as RunRow);
}

export function appendBuildLog(db: Database.Database, id: string, text: string): void {
  db.prepare('UPDATE build_runs SET log = log || ? WHERE id = ?').run(text, id);
}

/** Runs of this machine's build queue: not those Slurm runs (config.slurm), which go on without the app. */
const LOCAL_RUN = "json_extract(config, '$.slurm') IS NULL";

/**
 * After a restart: local runs left 'running' become 'interrupted' (queued ones stay queued; Slurm runs are
 * reconciled from Slurm instead). Returns their ids.
 */
export function markInterruptedRuns(db: Database.Database, now: string): string[] {
  const ids = (db.prepare(`SELECT id FROM build_runs WHERE status = 'running' AND ${LOCAL_RUN}`).all() as { id: string }[]).map((r) => r.id);
  db.prepare(`UPDATE build_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running' AND ${LOCAL_RUN}`).run(now);
  return ids;
}

/** Local runs left 'queued' (to resume after a restart). */
export function queuedLocalRunIds(db: Database.Database): string[] {
  return (db.prepare(`SELECT id FROM build_runs WHERE status = 'queued' AND ${LOCAL_RUN} ORDER BY created_at, rowid`).all() as { id: string }[]).map((r) => r.id);
}
