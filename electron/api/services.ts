// The services behind the API contract. Both transports (Electron IPC, serve mode HTTP) call
// `AppServices.call(channel, rawRequest)`: the request is validated against the contract (strict:
// wrong types and extra fields are a 'bad-request' naming the field), the handler runs, and any
// failure becomes an ApiError value with a code and a clear message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import {
  contract,
  ApiCallError,
  type ApiError,
  type AppEvent,
  type Channel,
  type ParsedRequestOf,
  type ProjectDocument,
  type ProjectInfo,
  type ResponseOf,
} from '../../api/contract';
import {
  ProjectFile,
  RecentProjects,
  StoreError,
  emptyDocument,
  readProjectMeta,
  uniqueProjectPath,
  weightsFromJson,
  weightsToJson,
  PROJECT_EXTENSION,
  type AppDirs,
  type StoredDocument,
} from '../services/store';
import { engineInterop, type Interop } from './interop';
import type { Graph } from '../../engine/graph/model';
import { parseGraphDocument } from '../../engine/graph/schema';
import { BuildsService } from '../services/builds/service';
import { detectToolchain, type Toolchain } from '../services/toolchain/detect';

export type CallResult<C extends Channel = Channel> = { ok: true; result: ResponseOf<C> } | { ok: false; error: ApiError };

export interface ServicesOptions {
  mode: 'electron' | 'serve';
  dirs: AppDirs;
  /** Folder of the shipped example projects (projects/ in a checkout). */
  examplesDir: string;
  version: string;
  /** ONNX import/export; default: the engine's (engine/interop/onnx) when present. */
  interop?: Interop;
  /** Builds at a time per project (default: number of cores). */
  buildConcurrency?: number;
  /** Native file dialogs (Electron); absent in serve mode. */
  dialogs?: {
    openProject(): Promise<string | null>;
    saveProject(suggestedName?: string): Promise<string | null>;
  };
}

type Handlers = { [C in Channel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C> };

/** A graph from a request as the store keeps it: migrated to the current document version. */
function storedGraph(graph: ProjectDocument['graph']): Graph {
  const r = parseGraphDocument(graph);
  if ('error' in r) throw new ApiCallError('bad-request', r.error);
  return r.graph;
}

function toStored(doc: ProjectDocument): StoredDocument {
  return { graph: storedGraph(doc.graph), weights: weightsFromJson(doc.weights), settings: doc.settings, previewInputs: doc.previewInputs };
}

function toWire(doc: StoredDocument): ProjectDocument {
  return { graph: doc.graph as ProjectDocument['graph'], weights: weightsToJson(doc.weights), settings: doc.settings, previewInputs: doc.previewInputs };
}

function issuePath(p: readonly PropertyKey[]): string {
  return p.length ? p.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[') : '(request)';
}

/** Deepest nesting of arrays and objects a request may have (a project document needs about 8). */
export const MAX_REQUEST_DEPTH = 64;

/** True when `value` nests arrays / objects deeper than `limit` (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) continue;
    if (d + 1 > limit) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
  return false;
}

/** One clear sentence for a rejected request. */
export function describeIssues(channel: string, issues: readonly { path: readonly PropertyKey[]; message: string; code?: string }[]): string {
  const shown = issues.slice(0, 4).map((i) => `${issuePath(i.path)}: ${i.message}`);
  const more = issues.length > 4 ? ` (and ${issues.length - 4} more)` : '';
  // Allow-list refusals (custom issues) carry their own fix; the others are shape mistakes.
  if (issues.every((i) => i.code === 'custom')) return `invalid request for ${channel}: ${shown.join('; ')}${more}`;
  return `invalid request for ${channel}: ${shown.join('; ')}${more}; send the fields api/contract.ts lists for ${channel}, with those types, and no others`;
}

export class AppServices {
  private readonly projects = new Map<string, ProjectFile>();
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private readonly recent: RecentProjects;
  private readonly interop: Interop;

  constructor(readonly options: ServicesOptions) {
    this.recent = new RecentProjects(options.dirs.userDataDir);
    this.interop = options.interop ?? engineInterop();
  }

  onEvent(listener: (e: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AppEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        /* a broken listener must not break the others */
      }
    }
  }

  isChannel(name: string): name is Channel {
    return Object.prototype.hasOwnProperty.call(contract, name);
  }

  /** Validates `raw` against the contract, runs the handler, validates its answer. Never throws. */
  async call(channel: string, raw: unknown): Promise<CallResult> {
    if (!this.isChannel(channel)) {
      return { ok: false, error: { code: 'not-found', message: `unknown API channel "${channel}"; the channels are listed in api/contract.ts` } };
    }
    const spec = contract[channel];
    if (nestedDeeperThan(raw, MAX_REQUEST_DEPTH)) {
      return { ok: false, error: { code: 'bad-request', message: `the request for ${channel} nests arrays and objects deeper than ${MAX_REQUEST_DEPTH} levels; send the shape api/contract.ts lists` } };
    }
    try {
      const parsed = spec.request.safeParse(raw ?? {});
      if (!parsed.success) return { ok: false, error: { code: 'bad-request', message: describeIssues(channel, parsed.error.issues) } };
      const handler = this.handlers[channel] as (req: unknown) => Promise<unknown> | unknown;
      const result = await handler(parsed.data);
      const checked = spec.response.safeParse(result);
      if (!checked.success) {
        return { ok: false, error: { code: 'internal', message: `the ${channel} service answered outside the contract (${describeIssues(channel, checked.error.issues)})` } };
      }
      return { ok: true, result: checked.data as ResponseOf<Channel> };
    } catch (e) {
      return { ok: false, error: toApiError(e) };
    }
  }

  /** Typed direct call for in-process users (CLI, tests); throws ApiCallError on failure. */
  async invoke<C extends Channel>(channel: C, request: unknown): Promise<ResponseOf<C>> {
    const r = await this.call(channel, request);
    if (!r.ok) throw new ApiCallError(r.error.code, r.error.message, r.error.details);
    return r.result as ResponseOf<C>;
  }

  /** Closes every open project (releasing locks). */
  dispose(): void {
    void this.builds.dispose();
    for (const p of this.projects.values()) p.close();
    this.projects.clear();
    for (const id of new Set([...this.exampleCopies.keys(), ...this.savedExampleCopies.keys()])) this.dropExampleCopy(id);
  }

  /** Examples as opened (examples.open): their private folder, removed when they are closed or saved under a name. */
  private readonly exampleCopies = new Map<string, string>();

  private register(project: ProjectFile, exampleCopy?: string): ProjectInfo {
    const id = `p_${crypto.randomBytes(8).toString('hex')}`;
    this.projects.set(id, project);
    if (exampleCopy) this.exampleCopies.set(id, exampleCopy);
    const info = this.info(id, project);
    if (!exampleCopy) this.recent.add(project.path, info.name);
    return info;
  }

  private info(projectId: string, project: ProjectFile): ProjectInfo {
    const m = project.meta();
    return {
      projectId, path: project.path, name: m.name, schemaVersion: m.schemaVersion, createdAt: m.createdAt, savedAt: m.savedAt, example: m.example,
      ...(this.exampleCopies.has(projectId) ? { readOnly: true } : {}),
    };
  }

  /** Removes the private copy of an example (after it was closed or saved under a name). */
  private dropExampleCopy(projectId: string): void {
    for (const copies of [this.exampleCopies, this.savedExampleCopies]) {
      const dir = copies.get(projectId);
      copies.delete(projectId);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Private folders of examples since saved under a name: the project is the user's now (not read-only), but
   * its build queue keeps the build folder it was made with, inside; removed when the project closes.
   */
  private readonly savedExampleCopies = new Map<string, string>();

  private project(projectId: string): ProjectFile {
    const p = this.projects.get(projectId);
    if (!p) throw new ApiCallError('not-found', `no open project with id ${projectId}; open the project again`);
    return p;
  }

  private saved(projectId: string, project: ProjectFile, autosave: boolean): ProjectInfo {
    const info = this.info(projectId, project);
    this.emit({ type: 'project.saved', projectId, savedAt: info.savedAt, autosave });
    return info;
  }

  /** A user-given path, relative to projectsDir; files written get the .tessera extension when it is missing. */
  private resolveUserPath(p: string, forWrite: boolean): string {
    const abs = path.resolve(this.options.dirs.projectsDir, p);
    return forWrite && !abs.endsWith(PROJECT_EXTENSION) ? `${abs}${PROJECT_EXTENSION}` : abs;
  }

  private toolchainPromise: Promise<Toolchain | null> | null = null;

  /** Variants and the build queues (electron/services/builds/service.ts). */
  private readonly builds = new BuildsService({
    project: (id) => this.project(id),
    emit: (e) => this.emit(e),
    concurrency: () => this.options.buildConcurrency,
    toolchain: () => (this.toolchainPromise ??= detectToolchain({ timeoutMs: 20_000 }).catch(() => null)),
    slurm: () => ({ userDataDir: this.options.dirs.userDataDir }),
  });

  private readonly handlers: Handlers = {
    ...this.builds.handlers,

    'app.info': () => ({
      version: this.options.version,
      mode: this.options.mode,
      platform: process.platform,
      projectsDir: this.options.dirs.projectsDir,
      nativeDialogs: !!this.options.dialogs,
    }),

    'project.new': (req) => {
      const file = req.path ? this.resolveUserPath(req.path, true) : uniqueProjectPath(this.options.dirs.projectsDir, req.name);
      const project = ProjectFile.create(file, { name: req.name, doc: req.doc ? toStored(req.doc) : emptyDocument() });
      return this.register(project);
    },

    'project.open': (req) => {
      const file = this.resolveUserPath(req.path, false);
      // Already open here (a page reload in serve mode, a second view of it): the same handle.
      for (const [id, p] of this.projects) if (p.path === file) return { ...this.info(id, p), alreadyOpen: true };
      return this.register(ProjectFile.open(file));
    },

    'project.load': (req) => toWire(this.project(req.projectId).load()),

    'project.save': (req) => {
      const p = this.project(req.projectId);
      p.save(toStored(req.doc));
      return this.saved(req.projectId, p, req.autosave);
    },

    'project.saveAs': (req) => {
      const p = this.project(req.projectId);
      p.saveAs(this.resolveUserPath(req.path, true), req.doc ? toStored(req.doc) : undefined, req.overwrite);
      // An example saved under a name is the user's project now (no longer read-only); its private folder goes
      // when the project closes, as builds started from the example may still be running in it.
      const copy = this.exampleCopies.get(req.projectId);
      if (copy) {
        this.exampleCopies.delete(req.projectId);
        this.savedExampleCopies.set(req.projectId, copy);
      }
      const info = this.saved(req.projectId, p, false);
      this.recent.add(p.path, info.name);
      return info;
    },

    'project.close': async (req) => {
      const project = this.project(req.projectId);
      await this.builds.closeProject(req.projectId); // running builds are cancelled, their processes killed
      project.close();
      this.projects.delete(req.projectId);
      this.dropExampleCopy(req.projectId);
      this.emit({ type: 'project.closed', projectId: req.projectId });
      return { ok: true as const };
    },

    'project.recent': () => ({ items: this.recent.list() }),

    'project.list': () => {
      const dir = this.options.dirs.projectsDir;
      const items = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isFile() && d.name.endsWith(PROJECT_EXTENSION))
        .map((d) => {
          const full = path.join(dir, d.name);
          return { path: full, name: path.basename(d.name, PROJECT_EXTENSION), modifiedAt: fs.statSync(full).mtime.toISOString() };
        })
        .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
      return { items };
    },

    'dialog.openProject': async () => {
      if (!this.options.dialogs) throw new ApiCallError('unsupported', 'no native file dialogs in serve mode; pick a project from project.list or project.recent, or give its path');
      return { path: await this.options.dialogs.openProject() };
    },

    'dialog.saveProject': async (req) => {
      if (!this.options.dialogs) throw new ApiCallError('unsupported', 'no native file dialogs in serve mode; give the path to save to (under projectsDir by default)');
      return { path: await this.options.dialogs.saveProject(req.suggestedName) };
    },

    'examples.list': () => ({ items: this.examples().map(({ id, title, description }) => ({ id, title, description })) }),

    'examples.open': (req) => {
      const ex = this.examples().find((e) => e.id === req.id);
      if (!ex) throw new ApiCallError('not-found', `no example "${req.id}"; examples.list gives the ids`);
      // A private copy (SQLite needs a writable file to open): nothing lands in projectsDir until the user
      // saves the example under a name (it made "dcgan-generator 2.tessera" on every click).
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-example-'));
      const target = path.join(folder, `${ex.id}${PROJECT_EXTENSION}`);
      try {
        fs.copyFileSync(ex.file, target, fs.constants.COPYFILE_EXCL);
        const project = ProjectFile.open(target);
        project.setMeta('example', ex.id);
        return this.register(project, folder);
      } catch (e) {
        fs.rmSync(folder, { recursive: true, force: true });
        throw e;
      }
    },

    'graph.load': (req) => {
      const doc = this.project(req.projectId).load();
      return { graph: doc.graph as ProjectDocument['graph'], weights: weightsToJson(doc.weights) };
    },

    'graph.save': (req) => {
      const p = this.project(req.projectId);
      const ids = new Set(req.graph.nodes.map((n) => n.id));
      const weights = Object.fromEntries(Object.entries(req.weights).filter(([id]) => ids.has(id)));
      p.saveGraph(storedGraph(req.graph), weightsFromJson(weights));
      return this.saved(req.projectId, p, false);
    },

    'settings.get': (req) => this.project(req.projectId).loadSettings(),

    'settings.set': (req) => {
      const p = this.project(req.projectId);
      const settings = { ...p.loadSettings(), ...req.patch };
      p.setSettings(settings);
      return settings;
    },

    'preview.getInputs': (req) => ({ inputs: this.project(req.projectId).loadPreviewInputs() }),

    'preview.setInputs': (req) => {
      this.project(req.projectId).setPreviewInputs(req.inputs);
      return { ok: true as const };
    },

    'onnx.import': async (req) => {
      const interop = this.interop;
      if (!interop.importOnnx) throw new ApiCallError('unsupported', 'ONNX import is not available in this build (this build has no ONNX importer)');
      const bytes = Buffer.from(req.bytesBase64, 'base64');
      const r = await interop.importOnnx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), req.fileName);
      return {
        graph: r.graph as ProjectDocument['graph'],
        weights: weightsToJson(r.weights),
        diagnostics: r.diagnostics,
      };
    },

    'onnx.export': (req) => {
      const interop = this.interop;
      if (!interop.exportOnnx) throw new ApiCallError('unsupported', 'ONNX export is not available in this build (this build has no ONNX exporter)');
      const bytes = interop.exportOnnx(req.graph as Graph, weightsFromJson(req.weights));
      const stem = (req.fileName ?? 'model').replace(/\.onnx$/i, '');
      return { fileName: `${stem}.onnx`, bytesBase64: Buffer.from(bytes).toString('base64') };
    },
  };

  private examples(): { id: string; title: string; description: string; file: string }[] {
    const dir = this.options.examplesDir;
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(PROJECT_EXTENSION))
      .sort()
      .flatMap((f) => {
        const file = path.join(dir, f);
        try {
          const meta = readProjectMeta(file);
          const id = path.basename(f, PROJECT_EXTENSION);
          return [{ id, title: meta.title ?? meta.name ?? id, description: meta.description ?? '', file }];
        } catch {
          return []; // a damaged example is left out rather than breaking the start screen
        }
      });
  }
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiCallError) return { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) };
  if (e instanceof StoreError) return { code: e.code, message: e.message };
  const err = e as Error & { diagnostics?: unknown[] };
  if (err?.name === 'TesseraError') {
    return { code: 'invalid', message: err.message, ...(err.diagnostics?.length ? { details: { diagnostics: err.diagnostics } } : {}) };
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { code: 'io', message: `file system error: ${err.message}` };
  return { code: 'internal', message: `internal error: ${err?.message ?? String(e)}` };
}
