// One project = one SQLite file (`*.tessera`), WAL mode. A ProjectFile is an open, locked project:
// load() reads the whole document, save() writes it in ONE transaction, so a crash at any instant
// leaves the last committed save readable. Opening checks the file without changing it first: a
// file that is not a project, is damaged or is from a newer Tessera gives a clear StoreError and
// stays byte-identical.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import type { Graph } from '../../../engine/graph/model';
import { PreviewInput, ProjectSettings, type DtypeName } from '../../../api/contract';
import { DTYPE_BYTES } from '../../../api/tensor-codec';
import { StoreError } from './errors';
import { ProjectLock, heldByOther } from './lock';
import { APPLICATION_ID, CURRENT_SCHEMA_VERSION, migrate, requiredTablesAt } from './schema';
import { parseStoredGraph, GRAPH_VERSION } from './graph-codec';
import * as runs from './runs';
import { digest, damagedParts, tensorChecksum, writePartDigests, PARTS, ALL_PARTS } from './checksums';
import type { BuildRunRecord, VariantRecord } from './runs';

export { DTYPE_BYTES };

/** A tensor as stored: little-endian raw bytes, row-major, with its axis-order label. */
export interface StoredTensor {
  dtype: DtypeName;
  shape: number[];
  layout: string;
  data: Uint8Array;
}

export type StoredWeights = Record<string, Record<string, StoredTensor>>;

export interface StoredDocument {
  graph: Graph;
  weights: StoredWeights;
  settings: ProjectSettings;
  previewInputs: PreviewInput[];
}

export interface ProjectMeta {
  name: string;
  createdAt: string;
  savedAt: string;
  schemaVersion: number;
  /** Example id when the project was created from an example. */
  example: string | null;
}

export const PROJECT_EXTENSION = '.tessera';

export function emptyDocument(): StoredDocument {
  return {
    graph: { version: GRAPH_VERSION, nodes: [], edges: [] },
    weights: {},
    settings: ProjectSettings.parse({}),
    previewInputs: [],
  };
}

let nativeBinding: string | undefined;

/**
 * Uses this compiled better-sqlite3 addon instead of node_modules' (Electron needs a build for its
 * own ABI; node_modules keeps the Node build so tests keep working).
 */
export function setSqliteNativeBinding(file: string | undefined): void {
  nativeBinding = file;
}

function openDatabase(file: string | Buffer, options: Database.Options = {}): Database.Database {
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function sqliteCode(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

function isCorruption(e: unknown): boolean {
  const c = sqliteCode(e) ?? '';
  return c.startsWith('SQLITE_CORRUPT') || c === 'SQLITE_NOTADB' || c.startsWith('SQLITE_IOERR_SHORT_READ');
}

/** The files SQLite may create beside a database. */
function sideFiles(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * Checks `file` is a Tessera project this version can open, without changing it (any side file
 * SQLite creates while checking is removed again). Returns the file's schema version.
 */
export function inspectProject(file: string, options: { integrity?: boolean } = {}): number {
  return inspectWith(file, () => undefined, options.integrity ?? true).version;
}

/**
 * The document of a project file without opening it for writing: no lock, nothing changes (an older
 * schema is migrated in a temporary copy). For headless readers (CLI) while the app may have it open.
 */
export function readProjectDocument(file: string): StoredDocument {
  const abs = path.resolve(file);
  const name = path.basename(abs);
  const version = inspectProject(abs, { integrity: false });
  if (version < CURRENT_SCHEMA_VERSION) {
    const tmp = path.join(os.tmpdir(), `tessera-read-${process.pid}-${crypto.randomBytes(4).toString('hex')}.tessera`);
    fs.copyFileSync(abs, tmp);
    try {
      const p = ProjectFile.open(tmp);
      try {
        return structuredClone(p.load()); // unfrozen, as a current file's document is
      } finally {
        p.close();
      }
    } finally {
      for (const f of [tmp, `${tmp}.lock`, `${tmp}.v${version}.bak`, ...sideFiles(tmp)]) fs.rmSync(f, { force: true });
    }
  }
  return inspectWith(abs, (db) => {
    try {
      return db.transaction(() => readDocument(db, name))();
    } catch (e) {
      if (e instanceof SyntaxError) throw new StoreError('corrupt', `${name} is damaged (a stored JSON value does not parse: ${e.message}); restore it from a backup`);
      throw e;
    }
  }).value;
}

/** Meta data of a project file read without opening it for writing (no lock; nothing changes). */
export function readProjectMeta(file: string): Record<string, string> {
  return inspectWith(file, (db) => {
    const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }).value;
}

function inspectWith<T>(file: string, read: (db: Database.Database) => T, integrity = true): { version: number; value: T } {
  const name = path.basename(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new StoreError('not-found', `${file} does not exist; check the path or pick the file again`);
  }
  if (!st.isFile()) throw new StoreError('not-a-project', `${file} is a folder, not a Tessera project; pick a ${PROJECT_EXTENSION} file`);
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  const magicOk = n >= 16 && header.subarray(0, 16).equals(SQLITE_MAGIC);
  if (!magicOk) {
    const what = n === 0 ? 'an empty file' : 'not an SQLite database';
    throw new StoreError('not-a-project', `${name} is not a Tessera project (${what}); open a ${PROJECT_EXTENSION} file saved by Tessera`);
  }
  if (n < 100) throw new StoreError('corrupt', `${name} is damaged (its header is cut short at ${n} bytes); restore it from a backup`);
  checkIds(name, header.readUInt32BE(68), header.readUInt32BE(60));

  const existing = new Set(sideFiles(file).filter((f) => fs.existsSync(f)));
  let db: Database.Database | undefined;
  try {
    const walBytes = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    if (walBytes === 0) {
      // Nothing pending in a WAL: read an in-memory image of the file, so checking creates no side
      // files at all (and never races with another reader over them). WAL mode in the header (bytes
      // 18–19 = 2) is switched to rollback in the copy, as in-memory databases cannot use a WAL.
      const image = fs.readFileSync(file);
      if (image[18] === 2 && image[19] === 2) image[18] = image[19] = 1;
      db = openDatabase(image, { readonly: true });
    } else {
      db = openDatabase(file, { readonly: true, fileMustExist: true });
    }
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    checkIds(name, appId >>> 0, version);
    const rows = integrity ? (db.pragma('quick_check(4)') as { quick_check: string }[]).map((r) => r.quick_check) : ['ok'];
    if (rows.join() !== 'ok') {
      const first = rows.join('\n').split('\n').find((l) => l.trim() && !l.startsWith('***')) ?? rows[0];
      throw new StoreError('corrupt', `${name} is damaged (SQLite integrity check: ${first.trim()}); restore it from a backup`);
    }
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = requiredTablesAt(version).filter((t) => !tables.has(t));
    if (missing.length) {
      throw new StoreError('corrupt', `${name} is damaged (table ${missing.join(', ')} missing for schema v${version}); restore it from a backup`);
    }
    return { version, value: read(db) };
  } catch (e) {
    if (e instanceof StoreError) throw e;
    if (isCorruption(e)) throw new StoreError('corrupt', `${name} is damaged (${(e as Error).message}); restore it from a backup`);
    throw new StoreError('io', `cannot read ${name}: ${(e as Error).message}`);
  } finally {
    db?.close();
    // Remove what our reading created, unless another process has the project open (its files then).
    if (!heldByOther(file)) {
      for (const f of sideFiles(file)) {
        if (!existing.has(f)) fs.rmSync(f, { force: true });
      }
    }
  }
}

function checkIds(name: string, appId: number, version: number): void {
  if (appId !== APPLICATION_ID) {
    const whose = appId === 0 ? 'an SQLite database of some other program' : `an SQLite database of another application (application_id ${hex(appId)})`;
    throw new StoreError('not-a-project', `${name} is not a Tessera project (${whose}); open a ${PROJECT_EXTENSION} file saved by Tessera`);
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new StoreError(
      'newer-schema',
      `${name} was saved by a newer Tessera (project schema v${version}; this version reads up to v${CURRENT_SCHEMA_VERSION}); update Tessera to open it`,
    );
  }
  if (version < 1) throw new StoreError('corrupt', `${name} is damaged (schema version ${version}); restore it from a backup`);
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
}

function tensorKey(nodeId: string, slot: string): string {
  return `${nodeId}\u0000${slot}`;
}

function checkTensor(nodeId: string, slot: string, t: StoredTensor): void {
  const bytes = DTYPE_BYTES[t.dtype];
  if (!bytes) throw new StoreError('invalid', `weight ${nodeId}/${slot}: unknown dtype ${String(t.dtype)}; use float32`);
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new StoreError('invalid', `weight ${nodeId}/${slot}: shape [${t.shape.join(', ')}] must hold non-negative integers`);
  }
  const want = t.shape.reduce((a, b) => a * b, 1) * bytes;
  if (t.data.byteLength !== want) {
    throw new StoreError(
      'invalid',
      `weight ${nodeId}/${slot}: ${t.data.byteLength} bytes of data, shape [${t.shape.join(', ')}] of ${t.dtype} needs ${want}; send the whole tensor`,
    );
  }
}

export interface CreateOptions {
  name?: string;
  doc?: StoredDocument;
  overwrite?: boolean;
  example?: string | null;
  /** Fixed created/saved time (reproducible files, e.g. the shipped examples); default: now. */
  timestamp?: string;
  /** Extra descriptive meta data (title, description). */
  meta?: { title?: string; description?: string };
  /** Variants to store with the document (e.g. a shipped example's fitted settings; saveAs carries the project's). */
  variants?: { id: string; name: string; config: unknown }[];
}

export class ProjectFile {
  private db: Database.Database;
  private lock: ProjectLock;
  private closed = false;
  /** The tensors' checksums were verified (at open): later loads of this locked file only check the tables. */
  private tensorsVerified = false;
  /**
   * The last document load() read, frozen, and the file's data_version then: SQLite changes that number when
   * another connection commits, and every method here that writes a part of the document drops it.
   */
  private loaded: { doc: StoredDocument; dataVersion: number } | null = null;

  private constructor(
    private filePath: string,
    db: Database.Database,
    lock: ProjectLock,
  ) {
    this.db = db;
    this.lock = lock;
  }

  get path(): string {
    return this.filePath;
  }

  /** Opens (and locks) an existing project, migrating an older schema (a `.v<N>.bak` copy is kept). */
  static open(file: string): ProjectFile {
    const abs = path.resolve(file);
    inspectProject(abs, { integrity: false }); // throws before the lock: a foreign file is never touched
    const lock = ProjectLock.acquire(abs);
    try {
      const version = inspectProject(abs); // again under the lock: the file may have changed meanwhile
      if (version < CURRENT_SCHEMA_VERSION) {
        let bak = `${abs}.v${version}.bak`;
        for (let i = 2; fs.existsSync(bak); i++) bak = `${abs}.v${version}-${i}.bak`;
        fs.copyFileSync(abs, bak, fs.constants.COPYFILE_EXCL);
      }
      const db = openDatabase(abs, { fileMustExist: true });
      try {
        configure(db);
        if (version < CURRENT_SCHEMA_VERSION) migrate(db, version);
      } catch (e) {
        db.close();
        throw e;
      }
      const project = new ProjectFile(abs, db, lock);
      project.load(); // fail now, not later, on a damaged document
      return project;
    } catch (e) {
      lock.release();
      if (e instanceof StoreError) throw e;
      throw new StoreError(isCorruption(e) ? 'corrupt' : 'io', `cannot open ${path.basename(abs)}: ${(e as Error).message}`);
    }
  }

  /**
   * Creates a project file at `file` (atomically: written beside it, then renamed into place) and opens it.
   */
  static create(file: string, options: CreateOptions = {}): ProjectFile {
    const abs = path.resolve(file);
    const dir = path.dirname(abs);
    if (!fs.existsSync(dir)) throw new StoreError('not-found', `folder ${dir} does not exist; create it or pick another place`);
    const lock = ProjectLock.acquire(abs);
    const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      if (!options.overwrite && fs.existsSync(abs)) {
        throw new StoreError('exists', `${path.basename(abs)} already exists in ${dir}; pick another name or allow overwriting`);
      }
      const name = options.name ?? path.basename(abs, PROJECT_EXTENSION);
      writeNewFile(tmp, name, options.doc ?? emptyDocument(), options.example ?? null, options.timestamp, options.meta, options.variants);
      fs.renameSync(tmp, abs);
      const db = openDatabase(abs, { fileMustExist: true });
      configure(db);
      return new ProjectFile(abs, db, lock);
    } catch (e) {
      for (const f of [tmp, ...sideFiles(tmp)]) fs.rmSync(f, { force: true });
      lock.release();
      if (e instanceof StoreError) throw e;
      throw new StoreError('io', `cannot create ${abs}: ${(e as Error).message}`);
    }
  }

  private live(): Database.Database {
    if (this.closed) throw new StoreError('not-found', `project ${path.basename(this.filePath)} is closed; open it again`);
    return this.db;
  }

  meta(): ProjectMeta {
    const rows = this.live().prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    const m = new Map(rows.map((r) => [r.key, r.value]));
    return {
      name: m.get('name') ?? path.basename(this.filePath, PROJECT_EXTENSION),
      createdAt: m.get('created_at') ?? '',
      savedAt: m.get('saved_at') ?? '',
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
      example: m.get('example') ?? null,
    };
  }

  /**
   * The whole document: read again only when it changed since the last load (a build queue loads it for every
   * build). Frozen, as it is shared by every caller until then: change a copy; the weights' bytes are shared too.
   */
  load(): StoredDocument {
    const db = this.live();
    const version = () => db.pragma('data_version', { simple: true }) as number;
    if (this.loaded && this.loaded.dataVersion === version()) return this.loaded.doc;
    this.loaded = null;
    // The version is taken in the reading transaction, before the read: a commit after it shows as a change.
    const read = this.guard(() => db.transaction(() => ({ dataVersion: version(), doc: readDocument(db, path.basename(this.filePath), !this.tensorsVerified) }))());
    this.tensorsVerified = true;
    this.loaded = { dataVersion: read.dataVersion, doc: deepFreeze(read.doc) };
    return read.doc;
  }

  /** A part of the document is about to be written through this connection (SQLite's data_version does not see it). */
  private documentChanges(): void {
    this.loaded = null;
  }

  /** Settings only (cheap: no weights read). */
  loadSettings(): ProjectSettings {
    return this.guard(() => readSettings(this.live()));
  }

  /** Preview inputs only. */
  loadPreviewInputs(): PreviewInput[] {
    return this.guard(() => readPreviewInputs(this.live(), path.basename(this.filePath)));
  }

  private guard<T>(f: () => T): T {
    const name = path.basename(this.filePath);
    try {
      return f();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      if (e instanceof SyntaxError) throw new StoreError('corrupt', `${name} is damaged (a stored JSON value does not parse: ${e.message}); restore it from a backup`);
      if (isCorruption(e)) throw new StoreError('corrupt', `${name} is damaged (${(e as Error).message}); restore it from a backup`);
      throw e;
    }
  }

  /** Saves the whole document in one transaction; returns the new meta. */
  save(doc: StoredDocument): ProjectMeta {
    const db = this.live();
    this.documentChanges();
    for (const [nodeId, slots] of Object.entries(doc.weights)) for (const [slot, t] of Object.entries(slots)) checkTensor(nodeId, slot, t);
    const now = new Date().toISOString();
    db.transaction(() => {
      writeDocument(db, doc);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('saved_at', ?)").run(now);
    })();
    return this.meta();
  }

  /** Saves graph and weights only (settings and preview inputs unchanged), one transaction. */
  saveGraph(graph: Graph, weights: StoredWeights): ProjectMeta {
    return this.save({ graph, weights, settings: this.loadSettings(), previewInputs: this.loadPreviewInputs() });
  }

  /** Sets descriptive meta data (name, title, description, example); not for the keys the store manages. */
  setMeta(key: 'name' | 'title' | 'description' | 'example', value: string | null): ProjectMeta {
    const db = this.live();
    this.documentChanges();
    if (value === null) db.prepare('DELETE FROM meta WHERE key = ?').run(key);
    else db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return this.meta();
  }

  /** A meta value, or null. */
  metaValue(key: string): string | null {
    const row = this.live().prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSettings(settings: ProjectSettings): ProjectMeta {
    const db = this.live();
    this.documentChanges();
    db.transaction(() => {
      writeSettings(db, settings);
      writePartDigests(db, ['settings']);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('saved_at', ?)").run(new Date().toISOString());
    })();
    return this.meta();
  }

  setPreviewInputs(inputs: PreviewInput[]): ProjectMeta {
    const db = this.live();
    this.documentChanges();
    db.transaction(() => {
      writePreviewInputs(db, inputs);
      writePartDigests(db, ['preview_inputs']);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('saved_at', ?)").run(new Date().toISOString());
    })();
    return this.meta();
  }

  /**
   * Writes the project (given content, or its current content) to `file` and switches to it: the old
   * file is closed and unlocked, unchanged.
   */
  saveAs(file: string, doc?: StoredDocument, overwrite = false): void {
    const abs = path.resolve(file);
    if (abs === this.filePath) {
      if (doc) this.save(doc);
      return;
    }
    const content = doc ?? this.load();
    const meta = this.meta();
    // The variants go with the project (its build history stays with the old file's build folder).
    const variants = this.listVariants().filter((v) => !v.damaged).map((v) => ({ id: v.id, name: v.name, config: v.config }));
    const next = ProjectFile.create(abs, { doc: content, overwrite, name: path.basename(abs, PROJECT_EXTENSION), example: meta.example, variants });
    this.closeDb();
    this.documentChanges();
    this.db = next.db;
    this.lock = next.lock;
    this.filePath = next.filePath;
  }

  private closeDb(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* a reader elsewhere: SQLite checkpoints later */
    }
    this.db.close();
    this.lock.release();
  }

  // Variants and build runs (electron/services/store/runs.ts): each call is one statement / transaction.
  listVariants(): VariantRecord[] {
    return runs.listVariants(this.live());
  }

  putVariant(v: { id: string; name: string; config: unknown }): VariantRecord {
    return runs.putVariant(this.live(), v, new Date().toISOString());
  }

  /** A variant and the settings in one transaction (a fit applied: its variant and the target part, or neither). */
  putVariantAndSettings(v: { id: string; name: string; config: unknown }, settings: ProjectSettings): VariantRecord {
    const db = this.live();
    this.documentChanges();
    const now = new Date().toISOString();
    return db.transaction(() => {
      writeSettings(db, settings);
      writePartDigests(db, ['settings']);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('saved_at', ?)").run(now);
      return runs.putVariant(db, v, now);
    })();
  }

  deleteVariant(id: string): boolean {
    return runs.deleteVariant(this.live(), id);
  }

  listBuildRuns(variantId?: string): BuildRunRecord[] {
    return runs.listBuildRuns(this.live(), variantId);
  }

  getBuildRun(id: string): BuildRunRecord | null {
    return runs.getBuildRun(this.live(), id);
  }

  /** Inserts or updates a run; without `log` the stored log is kept (appendBuildLog adds to it). */
  putBuildRun(run: Omit<BuildRunRecord, 'log'> & { log?: string }): BuildRunRecord {
    return runs.putBuildRun(this.live(), run);
  }

  appendBuildLog(id: string, text: string): void {
    runs.appendBuildLog(this.live(), id, text);
  }

  /** Local runs left 'queued' when the app last closed. */
  queuedLocalRunIds(): string[] {
    return runs.queuedLocalRunIds(this.live());
  }

  /** Call once when a build queue starts: local runs a crash or quit left 'running' become 'interrupted'. */
  markInterruptedRuns(): string[] {
    const db = this.live();
    return db.transaction(() => runs.markInterruptedRuns(db, new Date().toISOString()))();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.loaded = null;
    this.closeDb();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** Freezes a document's objects all the way down (typed arrays cannot be: their bytes stay writable). */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function throwIfDamaged(name: string, damaged: string[]): void {
  if (!damaged.length) return;
  const shown = damaged.length > 5 ? `${damaged.slice(0, 5).join(', ')} and ${damaged.length - 5} more` : damaged.join(', ');
  const one = damaged.length === 1;
  throw new StoreError('corrupt', `${name} is damaged: ${shown} ${one ? 'does' : 'do'} not match ${one ? 'its checksum' : 'their checksums'}; restore it from a backup`);
}

/**
 * The whole document, its checksums verified first (checksums.ts). `verifyTensors` false skips hashing the
 * weight data again: a file this process holds locked changes only through it.
 */
function readDocument(db: Database.Database, name: string, verifyTensors = true): StoredDocument {
  // Checksums (checksums.ts): everything damaged is named before anything is parsed or computed with.
  const damagedPart = damagedParts(db);
  const damaged: string[] = damagedPart.filter((p) => p !== 'tensors').map((p) => PARTS[p].what);
  throwIfDamaged(name, damaged);
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  const nodes = db.prepare('SELECT id, type, name, params, x, y, precision FROM nodes ORDER BY ord').all() as {
    id: string; type: string; name: string; params: string; x: number | null; y: number | null; precision: string | null;
  }[];
  const edges = db.prepare('SELECT id, source, source_port, target, target_port FROM edges ORDER BY ord').all() as {
    id: string; source: string; source_port: number; target: string; target_port: number;
  }[];
  const rawGraph = {
    version: Number(meta.get('graph_version') ?? GRAPH_VERSION),
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type,
      name: n.name,
      params: JSON.parse(n.params) as Record<string, unknown>,
      ...(n.x !== null && n.y !== null ? { position: { x: n.x, y: n.y } } : {}),
      ...(n.precision !== null ? { precision: JSON.parse(n.precision) as unknown } : {}),
    })),
    edges: edges.map((e) => ({ id: e.id, source: e.source, sourcePort: e.source_port, target: e.target, targetPort: e.target_port })),
  };
  const parsed = parseStoredGraph(rawGraph);
  if ('error' in parsed) throw new StoreError('corrupt', `${name}: the saved ${parsed.error}`);

  const trows = db.prepare('SELECT node_id, slot, dtype, shape, layout, data, checksum FROM tensors ORDER BY node_id, slot').all() as {
    node_id: string; slot: string; dtype: DtypeName; shape: string; layout: string; data: Buffer; checksum: string | null;
  }[];
  const layerName = new Map(nodes.map((n) => [n.id, n.name]));
  for (const r of verifyTensors ? trows : []) {
    if (r.checksum !== tensorChecksum(r.dtype, r.shape, r.layout, digest(r.data))) damaged.push(`weight ${r.slot} of layer "${layerName.get(r.node_id) ?? r.node_id}"`);
  }
  if (!damaged.length && damagedPart.includes('tensors')) damaged.push(PARTS.tensors.what);
  throwIfDamaged(name, damaged);

  const weights: StoredWeights = {};
  for (const r of trows) {
    const t: StoredTensor = { dtype: r.dtype, shape: JSON.parse(r.shape) as number[], layout: r.layout, data: new Uint8Array(r.data) };
    try {
      checkTensor(r.node_id, r.slot, t);
    } catch (e) {
      throw new StoreError('corrupt', `${name} is damaged: ${(e as Error).message}`);
    }
    (weights[r.node_id] ??= {})[r.slot] = t;
  }

  return { graph: parsed.graph, weights, settings: readSettings(db), previewInputs: readPreviewInputs(db, name) };
}

function readSettings(db: Database.Database): ProjectSettings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const known = new Set(Object.keys(ProjectSettings.shape));
  const defaults = ProjectSettings.parse({});
  const settings: Record<string, unknown> = { ...defaults };
  // Key by key: one bad value falls back to its default instead of losing the others.
  for (const r of rows) {
    if (!known.has(r.key)) continue;
    const candidate = { ...settings, [r.key]: JSON.parse(r.value) as unknown };
    if (ProjectSettings.safeParse(candidate).success) settings[r.key] = candidate[r.key];
  }
  return ProjectSettings.parse(settings);
}

function readPreviewInputs(db: Database.Database, name: string): PreviewInput[] {
  const inputs: PreviewInput[] = [];
  for (const r of db.prepare('SELECT ord, spec FROM preview_inputs ORDER BY ord').all() as { ord: number; spec: string }[]) {
    const p = PreviewInput.safeParse(JSON.parse(r.spec));
    if (!p.success) throw new StoreError('corrupt', `${name}: preview input ${r.ord} is malformed (${p.error.issues[0]?.message}); set it again`);
    inputs.push(p.data);
  }
  return inputs;
}

function writeNewFile(
  file: string,
  name: string,
  doc: StoredDocument,
  example: string | null,
  timestamp?: string,
  extra: { title?: string; description?: string } = {},
  variants: { id: string; name: string; config: unknown }[] = [],
): void {
  const db = openDatabase(file);
  try {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    configure(db);
    const now = timestamp ?? new Date().toISOString();
    migrate(db, 0, () => now);
    db.transaction(() => {
      const meta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      meta.run('name', name);
      meta.run('created_at', now);
      meta.run('saved_at', now);
      meta.run('graph_version', String(GRAPH_VERSION));
      if (example) meta.run('example', example);
      if (extra.title) meta.run('title', extra.title);
      if (extra.description) meta.run('description', extra.description);
      writeDocument(db, doc);
      for (const v of variants) runs.putVariant(db, v, now);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function writeDocument(db: Database.Database, doc: StoredDocument): void {
  const g = doc.graph;
  db.exec('DELETE FROM nodes; DELETE FROM edges;');
  const insNode = db.prepare('INSERT INTO nodes (id, ord, type, name, params, x, y, precision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  g.nodes.forEach((n, i) => {
    const precision = n.precision && Object.keys(n.precision).length ? JSON.stringify(n.precision) : null;
    insNode.run(n.id, i, n.type, n.name, JSON.stringify(n.params ?? {}), n.position?.x ?? null, n.position?.y ?? null, precision);
  });
  const insEdge = db.prepare('INSERT INTO edges (id, ord, source, source_port, target, target_port) VALUES (?, ?, ?, ?, ?, ?)');
  g.edges.forEach((e, i) => insEdge.run(e.id, i, e.source, e.sourcePort, e.target, e.targetPort));
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('graph_version', ?)").run(String(g.version));

  // Tensors: rewrite only those whose checksum (dtype, shape, layout, data) changed; drop those no longer present.
  const stored = new Map((db.prepare('SELECT node_id, slot, checksum FROM tensors').all() as { node_id: string; slot: string; checksum: string | null }[]).map((r) => [tensorKey(r.node_id, r.slot), r.checksum]));
  const kept = new Set<string>();
  const upsert = db.prepare('INSERT OR REPLACE INTO tensors (node_id, slot, dtype, shape, layout, data, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const [nodeId, slots] of Object.entries(doc.weights)) {
    for (const [slot, t] of Object.entries(slots)) {
      const key = tensorKey(nodeId, slot);
      kept.add(key);
      const shape = JSON.stringify(t.shape);
      const sum = tensorChecksum(t.dtype, shape, t.layout, digest(t.data));
      if (stored.get(key) !== sum) upsert.run(nodeId, slot, t.dtype, shape, t.layout, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), sum);
    }
  }
  const del = db.prepare('DELETE FROM tensors WHERE node_id = ? AND slot = ?');
  for (const key of stored.keys()) {
    if (!kept.has(key)) {
      const [nodeId, slot] = key.split('\u0000');
      del.run(nodeId, slot);
    }
  }
  writeSettings(db, doc.settings);
  writePreviewInputs(db, doc.previewInputs);
  writePartDigests(db, ALL_PARTS);
}

function writeSettings(db: Database.Database, settings: ProjectSettings): void {
  db.exec('DELETE FROM settings');
  const ins = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  for (const [k, v] of Object.entries(settings)) ins.run(k, JSON.stringify(v));
}

function writePreviewInputs(db: Database.Database, inputs: PreviewInput[]): void {
  db.exec('DELETE FROM preview_inputs');
  const ins = db.prepare('INSERT INTO preview_inputs (ord, node_id, spec) VALUES (?, ?, ?)');
  inputs.forEach((p, i) => ins.run(i, p.nodeId, JSON.stringify(p)));
}
