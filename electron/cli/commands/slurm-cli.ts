// The command line's side of the Slurm backend: sweeps and `tessera builds` submit, follow, cancel and collect
// Slurm runs of a project with this user's Slurm settings (<user data>/slurm.json, TESSERA_USER_DATA).
import { CliError } from './types';
import type { ProjectFile } from '../../services/store';
import { defaultUserDataDir } from '../../services/store/appdirs';
import { readSlurmAppSettings } from '../../services/slurm/app-settings';
import { createSlurmBackend } from '../../services/slurm/project-backend';
import { slurmInfo, type SlurmBackend } from '../../services/slurm/backend';
import type { BuildEvent } from '../../services/builds/queue';

/** A Slurm backend over an open project that prints each run's state changes (with its job) as one line. */
export function cliSlurmBackend(project: ProjectFile): SlurmBackend {
  let app;
  try {
    app = readSlurmAppSettings(defaultUserDataDir());
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const names = () => new Map(project.listVariants().map((v) => [v.id, v.name]));
  const last = new Map<string, string>();
  const emit = (e: BuildEvent) => {
    if (e.type !== 'build.status') return;
    const run = project.getBuildRun(e.runId);
    const info = run && slurmInfo(run);
    const job = info?.jobId ? ` [Slurm ${info.jobId}_${info.task}${info.nodes ? ` on ${info.nodes}` : ''}]` : '';
    const line = `  ${names().get(e.variantId ?? '') ?? e.runId}: ${e.status}${e.step ? ` (${e.step})` : ''}${job}`;
    if (last.get(e.runId) !== line) console.log(line);
    last.set(e.runId, line);
  };
  return createSlurmBackend(project, { app, emit });
}

/**
 * From now on Ctrl-C (or SIGTERM) cancels the backend's runs with scancel instead of ending the process,
 * which then waits for Slurm to confirm (so no build keeps running unseen). Install it before submitting:
 * a signal with no handler would end the process at once, between sbatch and the tracking.
 */
export function cancelOnInterrupt(backend: SlurmBackend): { interrupted(): boolean; release(): void } {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error('tessera: cancelling the Slurm jobs (scancel)…');
    void backend.cancelAll().catch((e: unknown) => console.error(`tessera: ${(e as Error).message}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    interrupted: () => interrupted,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Waits for the backend's runs (Ctrl-C cancels them); resolves with true when it was interrupted. */
export async function followSlurmRuns(backend: SlurmBackend, guard = cancelOnInterrupt(backend)): Promise<boolean> {
  try {
    await backend.idle();
  } finally {
    guard.release();
    await backend.dispose();
  }
  return guard.interrupted();
}
