// The variants/builds channels of the API (api/builds-contract.ts) for AppServices: one build
// queue per open project, created on first use (which marks runs left 'running' as 'interrupted').
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
import type { Toolchain } from '../toolchain/detect';

type C = typeof buildsContract;
type Handlers = { [K in keyof C]: (req: z.output<C[K]['request']>) => Promise<z.output<C[K]['response']>> | z.output<C[K]['response']> };

const LOG_TAIL = 200_000;

export interface BuildsServiceOptions {
  project(projectId: string): ProjectFile;
  emit(e: AppEvent): void;
  concurrency?: () => number | undefined;
  /** A detected toolchain (vendor flows run synthesis); default none (the estimate). */
  toolchain?: () => Promise<Toolchain | null>;
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

  constructor(private readonly opts: BuildsServiceOptions) {}

  private async queue(projectId: string): Promise<BuildQueue> {
    let q = this.queues.get(projectId);
    if (!q) {
      const project = this.opts.project(projectId);
      const toolchain = this.opts.toolchain ? await this.opts.toolchain().catch(() => null) : null;
      q = this.queues.get(projectId); // another call may have made it meanwhile
      if (!q) {
        q = new BuildQueue({
          project, concurrency: this.opts.concurrency?.(), toolchain,
          emit: (e) => this.opts.emit(e.type === 'build.status' ? { ...e, projectId } : { ...e, projectId }),
        });
        this.queues.set(projectId, q);
      }
    }
    return q;
  }

  /** The project is closing: cancel its builds (processes killed) and forget the queue. */
  async closeProject(projectId: string): Promise<void> {
    const q = this.queues.get(projectId);
    this.queues.delete(projectId);
    if (q) await q.dispose();
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.queues.keys()].map((id) => this.closeProject(id)));
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

    'builds.start': async (req) => {
      const q = await this.queue(req.projectId);
      const p = this.opts.project(req.projectId);
      for (const id of req.variantIds) {
        const v = variantJson(this.variant(p, id));
        if (v.problems.length) throw new ApiCallError('invalid', `variant "${v.name}" builds nothing until its settings are fixed: ${v.problems.join(' ')}`);
      }
      return { runs: q.enqueue(req.variantIds, { csim: req.csim }).map(runJson) };
    },

    'builds.cancel': async (req) => {
      const q = await this.queue(req.projectId);
      if (req.runId === undefined) return { cancelled: q.cancelAll() };
      return { cancelled: q.cancel(req.runId) ? 1 : 0 };
    },

    'builds.resume': async (req) => ({ runIds: (await this.queue(req.projectId)).resume() }),

    'builds.list': async (req) => {
      const q = await this.queue(req.projectId);
      const items = this.opts.project(req.projectId).listBuildRuns(req.variantId).map(runJson);
      return { items, active: q.activeCount, queued: q.queuedCount, concurrency: q.concurrency };
    },
  };
}
