// A Slurm backend for one open project, from its Slurm settings (project part) and the user's (app part):
// where build folders go, what sbatch is given, what runs on the node, and how a build folder is prepared
// on this machine before submission: the variant's BuildSpec (variantBuildSpec, as the local queue makes
// it) is written into its build folder and the node runs `tessera build --spec FILE` on it — the one build
// pipeline (electron/services/builds/pipeline), whose tessera-run.json the backend collects.
import path from 'node:path';
import type { ProjectFile } from '../store';
import { weightsToEngine } from '../store/tensors';
import type { StoredDocument } from '../store/project';
import { checkAppSettings, checkProjectSettings, SlurmProjectSettings, type SlurmAppSettings } from '../../../api/slurm-settings';
import type { BuildEvent } from '../builds/queue';
import { defaultBuildRoot, variantBuildSpec } from '../builds/queue';
import { checkVariant } from '../builds/variants';
import { writeBuildSpecFile } from '../builds/pipeline/backend';
import { SlurmClient } from './client';
import { SlurmBackend, slurmInfo, type SlurmRunConfig } from './backend';
import { appRoot } from '../../app-root';

/** This checkout's command line (the compute nodes run it from the same path: shared storage). */
export const TESSERA_CLI = path.join(appRoot(), 'bin', 'tessera.mjs');
/** The design every task of a submission builds from (graph, weights, settings; no variants or runs). */
export const DESIGN_SNAPSHOT = 'design.tessera';

export interface SlurmBackendSetup {
  app: SlurmAppSettings;
  /** Environment of the Slurm commands (SLURM_CONF…); default this process's. */
  env?: NodeJS.ProcessEnv;
  pollMs?: number;
  resultGraceMs?: number;
  emit?: (e: BuildEvent) => void;
}

/** Where a project's Slurm build folders go: <app buildRoot>/<project stem>.builds, else beside the project. */
export function slurmBuildRoot(projectPath: string, app: SlurmAppSettings): string {
  if (!app.buildRoot) return defaultBuildRoot(projectPath);
  return path.join(app.buildRoot, path.basename(defaultBuildRoot(projectPath)));
}

/** Node.js on the nodes: the app setting, else this process's (under Electron: `node` from the node's PATH). */
export function nodeCommand(app: SlurmAppSettings): string {
  return app.node ?? (process.versions.electron ? 'node' : process.execPath);
}

export function createSlurmBackend(project: ProjectFile, setup: SlurmBackendSetup): SlurmBackend {
  const { app } = setup;
  // one design read per submission (a sweep prepares many runs of one design)
  let cached: { jobDir: string; doc: StoredDocument } | null = null;
  return new SlurmBackend({
    project,
    client: new SlurmClient({ env: setup.env }),
    buildRoot: slurmBuildRoot(project.path, app),
    pollMs: setup.pollMs ?? app.pollSeconds * 1000,
    resultGraceMs: setup.resultGraceMs,
    emit: setup.emit,
    jobSettings: () => {
      const appProblems = checkAppSettings(app);
      const { args, refusals } = checkProjectSettings(project.loadSettings().slurm ?? SlurmProjectSettings.parse({}));
      if (appProblems.length || refusals.length) {
        throw new Error(`the Slurm settings break their rules: ${[...appProblems, ...refusals].map((p) => p.message).join(' ')}`);
      }
      // the batch script appends the task's spec file
      return { command: [nodeCommand(app), TESSERA_CLI, 'build', ...(app.toolRoot ? [`--tool-root=${app.toolRoot}`] : []), '--spec'], sbatchArgs: args, setup: app.setup };
    },
    prepare: (run, dir, jobDir) => {
      if (!slurmInfo(run)) throw new Error(`run ${run.id} is not a Slurm run`);
      if (cached?.jobDir !== jobDir) cached = { jobDir, doc: project.load() };
      const { doc } = cached;
      const cfg = run.config as SlurmRunConfig;
      // a design error fails the run now, not after a wait in the cluster's queue
      const errors = checkVariant({ graph: doc.graph, weights: weightsToEngine(doc.weights) }, cfg.variant, doc.settings).filter((d) => d.severity === 'error');
      if (errors.length) throw new Error(`code generation would fail: ${errors.map((d) => d.message).join(' ')}`);
      // 'vendor': the node's own tools (module load… in the setup lines) synthesise; without one, the estimate
      const spec = variantBuildSpec(doc, cfg, dir, { vendor: true });
      writeBuildSpecFile(spec, (node, slot) => doc.weights[node]?.[slot]?.layout ?? '');
    },
  });
}
