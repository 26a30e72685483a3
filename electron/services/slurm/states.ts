// Slurm job states → the build states the app shows (store/runs.ts BuildStatus), with the words that go
// into the run's failure. A job that ran to its end (COMPLETED, or FAILED after the script wrote its
// result) is judged by the result it wrote, not here: Slurm only knows the script's exit code.
import type { BuildStatus } from '../store/runs';
import type { SlurmJob } from './client';

export type SlurmPhase =
  /** waiting for resources, held, requeued */
  | 'queued'
  /** has a node (also suspended, completing) */
  | 'running'
  /** the script ended (exit 0 or not): read the result it wrote */
  | 'ended'
  /** Slurm stopped it: time limit, node failure, memory, preemption, cancel, … */
  | 'stopped';

export interface BuildState {
  phase: SlurmPhase;
  /** The build state to show now (for 'ended': 'running' until the result is read). */
  status: BuildStatus;
  /** For 'stopped': why, in words (goes into the run's failure and log). */
  why: string | null;
}

const QUEUED = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'POWER_UP_NODE', 'UPDATE_DB']);

function on(job: SlurmJob): string {
  return job.nodes ? ` on ${job.nodes}` : '';
}

/** The build state of a Slurm job (or array task). */
export function buildStateOf(job: SlurmJob): BuildState {
  const s = job.state.toUpperCase().split(/[\s+]/)[0];
  if (QUEUED.has(s)) return { phase: 'queued', status: 'queued', why: null };
  if (RUNNING.has(s)) return { phase: 'running', status: 'running', why: null };
  const stopped = (status: BuildStatus, why: string): BuildState => ({ phase: 'stopped', status, why: `Slurm job ${job.id} ${why}` });
  switch (s) {
    case 'COMPLETED':
    case 'FAILED':
      return { phase: 'ended', status: 'running', why: null };
    case 'TIMEOUT':
      return stopped('failed', `reached its time limit${on(job)} and was stopped (timed out); raise the time limit in the Slurm settings`);
    case 'NODE_FAIL':
      return stopped('failed', `lost its node${job.nodes ? ` ${job.nodes}` : ''} (node failure); build it again, or let Slurm requeue such jobs (Slurm settings: requeue)`);
    case 'BOOT_FAIL':
      return stopped('failed', `could not start: its node${job.nodes ? ` ${job.nodes}` : ''} failed to boot (boot failure)`);
    case 'OUT_OF_MEMORY':
      return stopped('failed', `ran out of memory${on(job)}; raise the memory in the Slurm settings`);
    case 'PREEMPTED':
      return stopped('failed', `was preempted${on(job)} by a job of higher priority`);
    case 'DEADLINE':
      return stopped('failed', 'was not started before its deadline');
    case 'CANCELLED':
    case 'REVOKED':
      return stopped('cancelled', `was cancelled${job.reason && job.reason !== 'None' ? ` (${job.reason})` : ''}`);
    default:
      return stopped('failed', `ended in the state ${job.state}, which Tessera does not know`);
  }
}
