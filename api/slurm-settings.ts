// Settings of the Slurm build backend (pure: zod only). Their rules are engine/safety/slurm.ts: the renderer
// checks as the user types, the API when they are set, the backend before anything reaches sbatch.
//
// Two kinds, split by who may set them:
// - project settings (`settings.slurm` in the .tessera file; they travel with a shared project): partition,
//   account, QoS, time limit, CPUs, memory, extra sbatch options, requeue. Each becomes ONE sbatch argument
//   after its rule is met, so a hostile project can at most ask the cluster for other resources.
// - app settings (this user on this machine, never read from a project file): the shared build folder, the
//   setup lines run on compute nodes (`module load vitis/2024.1`), the AMD tool root, the node command. They
//   decide what runs on the nodes and where files are written: a shared project must not choose them.
import { z } from 'zod';
import { checkSlurmAppStrings, sbatchArgsOf, zodCheck, type Refusal } from '../engine/safety';

/** What a project file may hold under settings.slurm (shape only: the rules are checked before use). */
export const SlurmProjectSettings = z.strictObject({
  partition: z.string().max(1100).nullable().default(null),
  account: z.string().max(100).nullable().default(null),
  qos: z.string().max(100).nullable().default(null),
  /** sbatch --time */
  timeLimit: z.string().max(100).nullable().default(null),
  /** sbatch --cpus-per-task */
  cpus: z.number().int().nullable().default(null),
  /** sbatch --mem */
  memory: z.string().max(100).nullable().default(null),
  /** Extra sbatch options from the allow-list, one per entry ("--constraint=fpga"). */
  options: z.array(z.string().max(300)).max(30).default([]),
  /** Let Slurm requeue a build whose node fails (sbatch --requeue); default off: such a build fails. */
  requeue: z.boolean().default(false),
});
export type SlurmProjectSettings = z.output<typeof SlurmProjectSettings>;

/** The project's settings as sbatch arguments, or every refusal. */
export function checkProjectSettings(s: SlurmProjectSettings, prefix = 'slurm.'): { args: string[]; refusals: Refusal[] } {
  return sbatchArgsOf(s, prefix);
}

/** SlurmProjectSettings whose values meet their rules (API requests). */
export const CheckedSlurmProjectSettings = SlurmProjectSettings.superRefine(zodCheck((s: SlurmProjectSettings) => sbatchArgsOf(s).refusals));

/** This user's Slurm settings on this machine (the app's settings file; never from a project). */
export const SlurmAppSettings = z.strictObject({
  /** Shared folder (seen by the compute nodes at the same path) where build folders are made; null: beside the project. */
  buildRoot: z.string().max(1000).nullable().default(null),
  /** Shell lines run on the compute node before the build, as written (e.g. module load vitis/2024.1). */
  setup: z.array(z.string().max(1000)).max(50).default([]),
  /** AMD install folder on the compute nodes (its settings64.sh is used, as --tool-root does locally). */
  toolRoot: z.string().max(1000).nullable().default(null),
  /** Node.js on the compute nodes (Tessera runs the build steps there); null: the one running Tessera now. */
  node: z.string().max(500).nullable().default(null),
  /** How often running jobs are looked at (squeue, the logs), in seconds. */
  pollSeconds: z.number().min(0.2).max(60).default(2),
});
export type SlurmAppSettings = z.output<typeof SlurmAppSettings>;

export function checkAppSettings(s: SlurmAppSettings, prefix = 'slurm.'): Refusal[] {
  return checkSlurmAppStrings(s, prefix);
}

/** SlurmAppSettings whose values meet their rules (API requests). */
export const CheckedSlurmAppSettings = SlurmAppSettings.superRefine(zodCheck((s: SlurmAppSettings) => checkSlurmAppStrings(s)));

/** Where builds run: on this machine, or as Slurm jobs. */
export const BuildBackendKind = z.enum(['local', 'slurm']);
export type BuildBackendKind = z.output<typeof BuildBackendKind>;
