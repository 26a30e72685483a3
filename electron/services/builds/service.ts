// The variants/builds channels of the API (api/builds-contract.ts) for AppServices: per open project one
// local build queue, created on first use (which marks local runs left 'running' as 'interrupted'), and a
// Slurm backend, created when builds go to Slurm or when the project has Slurm runs left unfinished (which
// it then reconciles from Slurm). Closing a project cancels its local builds; its Slurm jobs go on.
import crypto from 'node:crypto';
import { ApiCallError, type AppEvent } from '../../../api/contract';
import { VariantConfigShape, type buildsContract } from '../../../api/builds-contract';
import type { z } from 'zod';
import type { ProjectFile } from '../store/project';
import type { BuildRunRecord, VariantRecord } from '../store/runs';
import { weightsToEngine } from '../store/tensors';
import type { Model } from '../../../engine/graph/model';
import { BuildQueue } from './queue';
import { checkVariant, defaultVariantConfig, expandSweep, layerChoices, uniqueName, describeChoices, type VariantConfig } from './variants';
import { checkVariantStrings } from '../../../engine/safety';
import { applyProjectFit, fitProject } from './fit';
import type { Toolchain } from '../toolchain/detect';
import { SlurmAppSettings, SlurmProjectSettings } from '../../../api/slurm-settings';
import { readSlurmAppSettings, writeSlurmAppSettings } from '../slurm/app-settings';
import { createSlurmBackend } from '../slurm/project-backend';
import { slurmInfo, type SlurmBackend } from '../slurm/backend';
import { SlurmClient } from '../slurm/client';

type C = typeof buildsContract;
type Handlers = { [K in keyof C]: (req: z.output<C[K]['request']>) => Promise<z.output<C[K]['response']>> | z.output<C[K]['response']> };

const LOG_TAIL = 200_000;

export interface BuildsServiceOptions {
  project(projectId: string): ProjectFile;
  emit(e: AppEvent): void;
  concurrency?: () => number | undefined;
  /** A detected toolchain (vendor flows run synthesis); default none (the estimate). */
  toolchain?: () => Promise<Toolchain | null>;
  /** The Slurm backend: the user data folder holding slurm.json, the environment of the Slurm commands (SLURM_CONF…). */
  slurm?: () => { userDataDir: string; env?: NodeJS.ProcessEnv; pollMs?: number };
}

/**
 * A stored variant for the API, with what the allow-lists refuse in it (a shared project may carry
 * anything; such a variant is listed with its problems and builds nothing until they are fixed).
 */
function variantJson(v: VariantRecord) {
  if (v.damaged) {
    return {
      id: v.id, name: v.name, config: defaultVariantConfig() as VariantConfig, createdAt: v.createdAt, updatedAt: v.updatedAt,
      problems: ['the stored variant does not match its checksum (the project file is damaged); delete this variant and create it again'],
    };
  }
  const shape = VariantConfigShape.safeParse(v.config);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'config';
    return {
      id: v.id, name: v.name, config: defaultVariantConfig() as VariantConfig, createdAt: v.createdAt, updatedAt: v.updatedAt,
      problems: [`the stored choices are malformed (${where}: ${issue?.message ?? 'not an object'}); delete this variant and create it again`],
    };
  }
  const problems = checkVariantStrings(shape.data).map((r) => r.message);
  return { id: v.id, name: v.name, config: shape.data as VariantConfig, problems, createdAt: v.createdAt, updatedAt: v.updatedAt };
}

function runJson(r: BuildRunRecord) {
  return { ...r, log: r.log.length > LOG_TAIL ? r.log.slice(-LOG_TAIL) : r.log };
}

export class BuildsService {
  private readonly queues = new Map<string, BuildQueue>();
  private readonly slurmBackends = new Map<string, SlurmBackend>();

  constructor(private readonly opts: BuildsServiceOptions) {}

  private slurmOptions() {
    if (!this.opts.slurm) throw new ApiCallError('unsupported', 'this app was started without the Slurm backend; build on this machine');
    return this.opts.slurm();
  }

  /** The user's Slurm settings (a damaged slurm.json is an error naming it). */
  private slurmApp(): SlurmAppSettings {
    try {
      return readSlurmAppSettings(this.slurmOptions().userDataDir);
    } catch (e) {
      if (e instanceof ApiCallError) throw e;
      throw new ApiCallError('invalid', (e as Error).message);
    }
  }

  /**
   * The project's Slurm backend; made when `create`, or when the project has Slurm runs left unfinished
   * (it picks them up at once). Null when neither.
   */
  private slurmBackend(projectId: string, create: boolean): SlurmBackend | null {
    const existing = this.slurmBackends.get(projectId);
    if (existing) return existing;
    const project = this.opts.project(projectId);
    const unfinished = project.listBuildRuns().some((r) => slurmInfo(r) && (r.status === 'queued' || r.status === 'running'));
    if (!create && (!unfinished || !this.opts.slurm)) return null;
    const o = this.slurmOptions();
    // tracking needs no settings (each run keeps its job and folder): a damaged settings file must not stop it
    const app = create ? this.slurmApp() : (() => { try { return readSlurmAppSettings(o.userDataDir); } catch { return SlurmAppSettings.parse({}); } })();
    const backend = createSlurmBackend(project, { app, env: o.env, pollMs: o.pollMs, emit: (e) => this.opts.emit({ ...e, projectId }) });
    this.slurmBackends.set(projectId, backend);
    return backend;
  }

  private async queue(projectId: string): Promise<BuildQueue> {
    let q = this.queues.get(projectId);
    if (!q) {
      const project = this.opts.project(projectId);
      const toolchain = this.opts.toolchain ? await this.opts.toolchain().catch(() => null) : null;
      q = this.queues.get(projectId); // another call may have made it meanwhile
      if (!q) {
        q = new BuildQueue({
          project, concurrency: this.opts.concurrency?.(), toolchain, warmLayerObjects: true,
          emit: (e) => this.opts.emit(e.type === 'build.status' ? { ...e, projectId } : { ...e, projectId }),
        });
        this.queues.set(projectId, q);
        this.slurmBackend(projectId, false);
      }
    }
    return q;
  }

  /** The project is closing: cancel its local builds (processes killed), stop watching its Slurm jobs (they go on). */
  async closeProject(projectId: string): Promise<void> {
    const q = this.queues.get(projectId);
    const s = this.slurmBackends.get(projectId);
    this.queues.delete(projectId);
    this.slurmBackends.delete(projectId);
    await Promise.all([q?.dispose(), s?.dispose()]);
  }

  async dispose(): Promise<void> {
    await Promise.all([...new Set([...this.queues.keys(), ...this.slurmBackends.keys()])].map((id) => this.closeProject(id)));
  }

  private model(p: ProjectFile): Model {
    const doc = p.load();
    return { graph: doc.graph, weights: weightsToEngine(doc.weights) };
  }

  private variant(p: ProjectFile, id: string): VariantRecord {
    const v = p.listVariants().find((x) => x.id === id);
    if (!v) throw new ApiCallError('not-found', `no variant with id ${id} in this project; list the variants again`);
    return v;
  }

  private newId(): string {
    return `v_${crypto.randomBytes(6).toString('hex')}`;
  }

  readonly handlers: Handlers = {
    'variants.list': (req) => ({ items: this.opts.project(req.projectId).listVariants().map(variantJson) }),

    'variants.create': (req) => {
      const p = this.opts.project(req.projectId);
      const config = req.config as VariantConfig;
      const name = uniqueName(req.name ?? describeChoices(config), p.listVariants().map((v) => v.name));
      const diagnostics = checkVariant(this.model(p), config, p.loadSettings()).map((d) => d.message);
      return { variant: variantJson(p.putVariant({ id: this.newId(), name, config })), diagnostics };
    },

    'variants.update': (req) => {
      const p = this.opts.project(req.projectId);
      const v = this.variant(p, req.variantId);
      const name = req.name && req.name !== v.name ? uniqueName(req.name, p.listVariants().filter((x) => x.id !== v.id).map((x) => x.name)) : v.name;
      return variantJson(p.putVariant({ id: v.id, name, config: req.config ?? v.config }));
    },

    'variants.duplicate': (req) => {
      const p = this.opts.project(req.projectId);
      const v = this.variant(p, req.variantId);
      const name = uniqueName(req.name ?? `${v.name} copy`, p.listVariants().map((x) => x.name));
      return variantJson(p.putVariant({ id: this.newId(), name, config: structuredClone(v.config) }));
    },

    'variants.delete': (req) => {
      const p = this.opts.project(req.projectId);
      this.variant(p, req.variantId);
      p.deleteVariant(req.variantId);
      return { ok: true as const };
    },

    'variants.choices': (req) => {
      const p = this.opts.project(req.projectId);
      const c = layerChoices(this.model(p), req.layer, req.io);
      if (!c) throw new ApiCallError('not-found', `no layer named "${req.layer}" in the design`);
      return c;
    },

    'variants.sweep': (req) => {
      const p = this.opts.project(req.projectId);
      const r = expandSweep(this.model(p), { ...req, base: req.base as VariantConfig | undefined, project: p.loadSettings() });
      if (r.problems.length) throw new ApiCallError('invalid', r.problems.join('; '));
      const taken = p.listVariants().map((v) => v.name);
      const items = r.variants.map((v) => {
        const name = uniqueName(v.name, taken);
        taken.push(name);
        return variantJson(p.putVariant({ id: this.newId(), name, config: v.config }));
      });
      return { items, rejected: r.rejected.map((x) => ({ name: x.name, reasons: x.diagnostics.map((d) => d.message) })) };
    },

    'variants.fit': (req) => {
      const p = this.opts.project(req.projectId);
      const fit = fitProject(this.model(p), p.loadSettings(), { part: req.part, io: req.io, objective: req.objective });
      const variant = req.apply && fit.fits ? variantJson(applyProjectFit(p, fit, () => this.newId())) : null;
      return { fit, variant, settingsPart: p.loadSettings().part ?? null };
    },

    'builds.start': async (req) => {
      const q = await this.queue(req.projectId);
      const p = this.opts.project(req.projectId);
      for (const id of req.variantIds) {
        const v = variantJson(this.variant(p, id));
        if (v.problems.length) throw new ApiCallError('invalid', `variant "${v.name}" builds nothing until its settings are fixed: ${v.problems.join(' ')}`);
      }
      if (req.on === 'local') return { runs: q.enqueue(req.variantIds, { csim: req.csim, fifo: req.fifo }).map(runJson) };
      const backend = this.slurmBackend(req.projectId, true)!;
      try {
        return { runs: (await backend.enqueue(req.variantIds, { csim: req.csim, fifo: req.fifo })).map(runJson) };
      } catch (e) {
        // settings that break their rules: nothing was queued
        throw new ApiCallError('invalid', (e as Error).message);
      }
    },

    'builds.cancel': async (req) => {
      const q = await this.queue(req.projectId);
      const s = this.slurmBackends.get(req.projectId);
      if (req.runId === undefined) return { cancelled: q.cancelAll() + (s ? await s.cancelAll() : 0) };
      const run = this.opts.project(req.projectId).getBuildRun(req.runId);
      if (run && slurmInfo(run)) return { cancelled: s && (await s.cancel(req.runId)) ? 1 : 0 };
      return { cancelled: q.cancel(req.runId) ? 1 : 0 };
    },

    'builds.resume': async (req) => ({ runIds: (await this.queue(req.projectId)).resume() }),

    'builds.list': async (req) => {
      const q = await this.queue(req.projectId);
      const items = this.opts.project(req.projectId).listBuildRuns(req.variantId).map(runJson);
      const onSlurm = this.slurmBackend(req.projectId, false)?.activeCount ?? 0;
      return { items, active: q.activeCount, queued: q.queuedCount, concurrency: q.concurrency, onSlurm };
    },

    'slurm.getSettings': (req) => ({
      app: this.slurmApp(),
      project: req.projectId ? (this.opts.project(req.projectId).loadSettings().slurm ?? SlurmProjectSettings.parse({})) : null,
    }),

    'slurm.setSettings': (req) => {
      let app = this.slurmApp();
      if (req.app) app = writeSlurmAppSettings(this.slurmOptions().userDataDir, req.app);
      let project: SlurmProjectSettings | null = null;
      if (req.projectId) {
        const p = this.opts.project(req.projectId);
        if (req.project) p.setSettings({ ...p.loadSettings(), slurm: req.project });
        project = p.loadSettings().slurm ?? SlurmProjectSettings.parse({});
      } else if (req.project) throw new ApiCallError('invalid', 'project Slurm settings need the projectId of the project they belong to');
      return { app, project };
    },

    'slurm.check': async () => {
      try {
        return { ok: true, message: await new SlurmClient({ env: this.slurmOptions().env }).ping() };
      } catch (e) {
        if (e instanceof ApiCallError) throw e;
        return { ok: false, message: (e as Error).message };
      }
    },
  };
}
