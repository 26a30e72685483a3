// API channels for variants and builds (spread into the contract in contract.ts). Pure zod.
// A variant is a named set of per-layer HLS choices (electron/services/builds/variants.ts VariantConfig);
// a build run is one build of a variant (status, step, log, report JSON, artifact paths).
import { z } from 'zod';
import { BuildBackendKind, CheckedSlurmAppSettings, CheckedSlurmProjectSettings, SlurmAppSettings, SlurmProjectSettings } from './slurm-settings';
import { checkText, checkVariantStrings, DISPLAY_NAME, zodCheck } from '../engine/safety';
import { fitPartProblem } from '../engine/estimate/fit';

const ProjectId = z.string().min(1).max(100);
const Id = z.string().min(1).max(100);
const IoType = z.enum(['io_parallel', 'io_stream']);
const Strategy = z.enum(['latency', 'resource']);
const TypeString = z.string().min(1).max(64);

export const LayerChoiceJson = z.strictObject({
  strategy: Strategy.optional(),
  reuseFactor: z.number().int().min(1).optional(),
  parallelizationFactor: z.number().int().min(1).optional(),
  precision: z
    .strictObject({ weight_t: TypeString.optional(), bias_t: TypeString.optional(), accum_t: TypeString.optional(), result_t: TypeString.optional(), table_t: TypeString.optional() })
    .optional(),
});

/** A variant's choices as stored (what the project file may hold; VariantConfigJson adds the allow-lists). */
export const VariantConfigShape = z.strictObject({
  io: IoType,
  /** The layer the variant is about (node name), or null for the whole design. */
  scope: z.string().max(200).nullable(),
  defaults: LayerChoiceJson,
  layers: z.record(z.string().max(200), LayerChoiceJson),
  clockPeriodNs: z.number().positive().max(1000).optional(),
  part: z.string().max(100).optional(),
  /** Extra g++ flags for the C simulation (each one argument; never a shell string; the allow-list is engine/safety/cxx-flags.ts). */
  cxxFlags: z.array(z.string().max(200)).max(20).optional(),
});

/** A variant's choices in a request: the part, names and g++ flags must pass the allow-lists (engine/safety). */
export const VariantConfigJson = VariantConfigShape.superRefine(zodCheck(checkVariantStrings));

export const VariantJson = z.strictObject({
  id: Id,
  name: z.string(),
  config: VariantConfigShape,
  /** Values the allow-lists refuse (a shared project may carry anything): the variant builds nothing until they are fixed. */
  problems: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const BuildStatusJson = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);

export const BuildRunJson = z.strictObject({
  id: Id,
  variantId: z.string().nullable(),
  /** { variantName, variant: VariantConfig, csim } as queued. */
  config: z.unknown(),
  status: BuildStatusJson,
  step: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The log (its last 200 000 characters). */
  log: z.string(),
  /** RunReport (electron/services/builds/queue.ts): estimate / HLS report, csim result, error vs float, times. */
  report: z.unknown(),
  /** { dir, files } of the build folder. */
  artifacts: z.unknown(),
});

const ForProject = z.strictObject({ projectId: ProjectId });
const VariantName = z.string().trim().min(1).max(200).superRefine(zodCheck((v: string) => checkText(DISPLAY_NAME, 'name', v)));
const LayerName = z.string().min(1).max(200).superRefine(zodCheck((v: string) => checkText(DISPLAY_NAME, 'layer', v)));

function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res, summary: string) {
  return { request, response, summary };
}

/** A part to fit to: an AMD part name (allow-list) of a device the estimator knows. */
const FitPart = z
  .string()
  .min(1)
  .max(64)
  .superRefine((p, ctx) => {
    const problem = fitPartProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const FitResource = z.enum(['DSP', 'LUT', 'FF', 'BRAM_18K']);
const UsedOf = z.strictObject({ used: z.number().nullable(), available: z.number().nullable() });

export const FitAnswerJson = z.strictObject({
  part: z.string(),
  io: IoType,
  objective: z.enum(['latency', 'resources']),
  fits: z.boolean(),
  /** Share of each resource a fitted design may use. */
  margin: z.number(),
  /** tessera fit --json's fields (estimate of the fitted settings). */
  summary: z.strictObject({
    part: z.string().nullable(),
    fits: z.boolean().nullable(),
    latency_cycles: z.number().nullable(),
    interval_cycles: z.number().nullable(),
    resources: z.strictObject({ dsp: UsedOf, lut: UsedOf, ff: UsedOf, bram_18k: UsedOf }),
  }),
  /** Resources over their budget (margin × the part's), most over first. */
  over: z.array(z.strictObject({ resource: FitResource, used: z.number(), budget: z.number(), available: z.number(), percent: z.number() })),
  error: z.string().nullable(),
  layers: z.record(z.string(), z.strictObject({ reuseFactor: z.number().int().optional(), strategy: Strategy.optional() })),
});

export const buildsContract = {
  'variants.list': channel(ForProject, z.strictObject({ items: z.array(VariantJson) }), 'Variants of a project, oldest first.'),
  'variants.create': channel(
    z.strictObject({ projectId: ProjectId, name: VariantName.optional(), config: VariantConfigJson }),
    z.strictObject({ variant: VariantJson, diagnostics: z.array(z.string()) }),
    'Create a variant (for one layer or the whole design); the name is made unique. Design errors of the choices come back as diagnostics (the variant is kept, its build will report them).',
  ),
  'variants.update': channel(
    z.strictObject({ projectId: ProjectId, variantId: Id, name: VariantName.optional(), config: VariantConfigJson.optional() }),
    VariantJson,
    'Rename a variant and/or change its choices.',
  ),
  'variants.duplicate': channel(
    z.strictObject({ projectId: ProjectId, variantId: Id, name: VariantName.optional() }),
    VariantJson,
    'Copy a variant under a new (unique) name.',
  ),
  'variants.delete': channel(
    z.strictObject({ projectId: ProjectId, variantId: Id }),
    z.strictObject({ ok: z.literal(true) }),
    'Delete a variant (its build history stays, detached).',
  ),
  'variants.choices': channel(
    z.strictObject({ projectId: ProjectId, layer: LayerName, io: IoType }),
    z.strictObject({ reuseFactors: z.array(z.number().int()), parallelizationFactors: z.array(z.number().int()) }),
    'Valid reuse factors and parallelization factors of a layer under an io type.',
  ),
  'variants.sweep': channel(
    z.strictObject({
      projectId: ProjectId,
      layer: LayerName.optional(),
      reuseFactors: z.union([z.array(z.number().int().min(1)).max(64), z.literal('valid')]).optional(),
      io: z.array(IoType).max(2).optional(),
      strategies: z.array(Strategy).max(2).optional(),
      parallelizationFactors: z.array(z.number().int().min(1)).max(64).optional(),
      precisions: z.array(TypeString).max(16).optional(),
      prefix: z.string().max(100).superRefine(zodCheck((v: string) => checkText(DISPLAY_NAME, 'prefix', v))).optional(),
      base: VariantConfigJson.optional(),
    }),
    z.strictObject({ items: z.array(VariantJson), rejected: z.array(z.strictObject({ name: z.string(), reasons: z.array(z.string()) })) }),
    'Expand ranges (io × strategy × RF × PF × precision) into variants; combinations the design rejects are listed with the reasons, not created.',
  ),
  'variants.fit': channel(
    z.strictObject({
      projectId: ProjectId,
      part: FitPart,
      io: IoType,
      objective: z.enum(['latency', 'resources']).default('latency'),
      /** Store the fit (when it fits): a variant 'fit PART stream|parallel' with the fitted layers, and PART as the project's target part. */
      apply: z.boolean().default(false),
    }),
    z.strictObject({ fit: FitAnswerJson, variant: VariantJson.nullable(), settingsPart: z.string().nullable() }),
    "Fit the saved design to a part by the estimate (tessera fit): per-layer reuse factor and strategy so DSP, LUT, FF and BRAM_18K stay within the margin of the part's; what is over and by how much when it cannot. With apply, a design that fits is stored as a variant named after the part, and the part becomes the project's target part (variants.delete takes it back).",
  ),
  'builds.start': channel(
    z.strictObject({
      projectId: ProjectId,
      variantIds: z.array(Id).min(1).max(500),
      csim: z.boolean().default(true),
      on: BuildBackendKind.default('local'),
      /** io_stream FIFO depths: 'rule' from the modelled read-ahead; 'safe' gives every fork edge its whole tensor (tessera build --fifo safe). io_parallel builds ignore it. */
      fifo: z.enum(['rule', 'safe']).default('rule'),
    }),
    z.strictObject({ runs: z.array(BuildRunJson) }),
    "Queue one build per variant (codegen, g++ csim, vendor synthesis or the estimate, error vs float), on this machine or (on: 'slurm') as one Slurm job array; answers once the runs are queued (Slurm: submitted, or failed with the reason).",
  ),
  'builds.cancel': channel(
    z.strictObject({ projectId: ProjectId, runId: Id.optional() }),
    z.strictObject({ cancelled: z.number().int() }),
    'Cancel one build (queued or running; process trees are killed, Slurm jobs scancel-ed) or, without runId, all of them.',
  ),
  'builds.resume': channel(ForProject, z.strictObject({ runIds: z.array(z.string()) }), 'Start the builds left queued when the app last closed.'),
  'builds.list': channel(
    z.strictObject({ projectId: ProjectId, variantId: Id.optional() }),
    z.strictObject({
      items: z.array(BuildRunJson),
      active: z.number().int(),
      queued: z.number().int(),
      concurrency: z.number().int(),
      /** Runs on Slurm not finished yet (tracked from squeue / sacct; each run's config.slurm has its job). */
      onSlurm: z.number().int(),
    }),
    'Build history (all variants or one), oldest first, with the queue state. Slurm runs left unfinished when the project was last open are picked up again (reconciled from Slurm).',
  ),
  'slurm.getSettings': channel(
    z.strictObject({ projectId: ProjectId.optional() }),
    z.strictObject({ app: SlurmAppSettings, project: SlurmProjectSettings.nullable() }),
    "The Slurm settings: this user's (app: build folder, setup lines, tool root, node) and, with projectId, the project's (partition, account, QoS, time, CPUs, memory, sbatch options, requeue).",
  ),
  'slurm.setSettings': channel(
    z.strictObject({ projectId: ProjectId.optional(), app: CheckedSlurmAppSettings.optional(), project: CheckedSlurmProjectSettings.optional() }),
    z.strictObject({ app: SlurmAppSettings, project: SlurmProjectSettings.nullable() }),
    'Change the Slurm settings (each value must meet its rule; saved at once); answers with all of them.',
  ),
  'slurm.check': channel(
    z.strictObject({}),
    z.strictObject({ ok: z.boolean(), message: z.string() }),
    "Whether this machine reaches a Slurm cluster (scontrol ping): the controller's answer, or the error naming the command and its output.",
  ),
} as const;

export type VariantJson = z.output<typeof VariantJson>;
export type VariantConfigJson = z.output<typeof VariantConfigShape>;
export type BuildRunJson = z.output<typeof BuildRunJson>;
