// Variants and builds of the open project, kept fresh from the API (variants.* / builds.*) and its
// build events (status per step with progress, live log lines).
import { create } from 'zustand';
import type { BuildRunJson, VariantConfigJson, VariantJson } from '../../api/builds-contract';
import { getApi } from '../api/client';
import { useUi } from '../state/ui';
import { withoutRefused } from '../../engine/safety/variant';

export interface LiveStatus {
  status: string;
  step?: string;
  progress?: number;
}

export interface VariantsState {
  open: 'builds' | 'compare' | null;
  projectId: string | null;
  variants: VariantJson[];
  runs: BuildRunJson[];
  live: Record<string, LiveStatus>;
  /** Live log text per run (appended from events; replaced by the stored log on refresh). */
  logs: Record<string, string>;
  selectedRun: string | null;
  /** Bumped to re-create the variant form (prefilled from the canvas selection). */
  formKey: number;
  queue: { active: number; queued: number; concurrency: number; onSlurm: number };
  /** A builds.start request is on its way (the build buttons wait for it). */
  starting: boolean;
  /** Where builds run: this machine or the Slurm cluster (the panel's choice). */
  on: 'local' | 'slurm';
  set(patch: Partial<VariantsState>): void;
}

export const useVariants = create<VariantsState>()((set) => ({
  open: null,
  projectId: null,
  variants: [],
  runs: [],
  live: {},
  logs: {},
  selectedRun: null,
  formKey: 0,
  queue: { active: 0, queued: 0, concurrency: 1, onSlurm: 0 },
  starting: false,
  on: 'local',
  set: (patch) => set(patch),
}));

function projectId(): string | null {
  return useUi.getState().projectId;
}

function report(e: unknown): void {
  useUi.getState().notify('error', e instanceof Error ? e.message : String(e));
}

export async function refresh(): Promise<void> {
  const id = projectId();
  if (!id) return;
  try {
    const api = getApi();
    const [v, b] = await Promise.all([api.variantsList({ projectId: id }), api.buildsList({ projectId: id })]);
    const logs: Record<string, string> = {};
    for (const r of b.items) logs[r.id] = r.log;
    useVariants.setState((s) => ({
      projectId: id, variants: v.items, runs: b.items, queue: { active: b.active, queued: b.queued, concurrency: b.concurrency, onSlurm: b.onSlurm },
      logs: { ...s.logs, ...logs },
    }));
  } catch (e) {
    report(e);
  }
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;
function refreshSoon(ms = 150): void {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refresh();
  }, ms);
}

let unsubscribe: (() => void) | null = null;
/** Subscribes to build events once (idempotent). */
export function watchBuilds(): void {
  if (unsubscribe) return;
  try {
    unsubscribe = getApi().onEvent((ev) => {
      if (ev.type === 'build.status') {
        if (ev.projectId && ev.projectId !== projectId()) return;
        const before = useVariants.getState().live[ev.runId]?.status;
        useVariants.setState((s) => ({ live: { ...s.live, [ev.runId]: { status: ev.status, step: ev.step, progress: ev.progress } } }));
        // a new state (e.g. a Slurm job that got its node) or a new run: read the runs again
        if (ev.status !== 'running' || before !== 'running' || !useVariants.getState().runs.some((r) => r.id === ev.runId)) refreshSoon();
      } else if (ev.type === 'build.log') {
        if (ev.projectId && ev.projectId !== projectId()) return;
        useVariants.setState((s) => ({ logs: { ...s.logs, [ev.runId]: ((s.logs[ev.runId] ?? '') + (ev.text.endsWith('\n') ? ev.text : `${ev.text}\n`)).slice(-200_000) } }));
      }
    });
  } catch {
    /* no event channel: the panel refreshes on its actions */
  }
}

async function call<T>(f: () => Promise<T>): Promise<T | null> {
  try {
    const r = await f();
    await refresh();
    return r;
  } catch (e) {
    report(e);
    return null;
  }
}

export const variantActions = {
  create: (config: VariantConfigJson, name?: string) =>
    call(async () => {
      const r = await getApi().variantsCreate({ projectId: projectId()!, config, ...(name ? { name } : {}) });
      if (r.diagnostics.length) useUi.getState().notify('warning', `Variant "${r.variant.name}": ${r.diagnostics.join(' ')}`);
      return r.variant;
    }),
  duplicate: (variantId: string) => call(() => getApi().variantsDuplicate({ projectId: projectId()!, variantId })),
  /** Drops the values the allow-lists refuse (flags, part, names) from a variant the project carried. */
  dropRefused: (v: VariantJson) => call(() => getApi().variantsUpdate({ projectId: projectId()!, variantId: v.id, config: withoutRefused(v.config) })),
  rename: (variantId: string, name: string) => call(() => getApi().variantsUpdate({ projectId: projectId()!, variantId, name })),
  remove: (variantId: string) => call(() => getApi().variantsDelete({ projectId: projectId()!, variantId })),
  sweep: (req: { layer?: string; reuseFactors?: number[] | 'valid'; io?: ('io_parallel' | 'io_stream')[]; strategies?: ('latency' | 'resource')[]; precisions?: string[] }) =>
    call(async () => {
      const r = await getApi().variantsSweep({ projectId: projectId()!, ...req });
      const ui = useUi.getState();
      ui.notify('info', `Sweep: ${r.items.length} variant(s) created${r.rejected.length ? `, ${r.rejected.length} rejected` : ''}.`);
      for (const x of r.rejected.slice(0, 5)) ui.notify('warning', `Rejected ${x.name}: ${x.reasons.join(' ')}`);
      return r;
    }),
  /**
   * Queues builds and shows them as queued as soon as the service answers (locally before code generation
   * starts; on Slurm once sbatch answered); the buttons are disabled meanwhile.
   */
  build: async (variantIds: string[], csim: boolean, on: 'local' | 'slurm' = 'local', fifo: 'rule' | 'safe' = 'rule') => {
    useVariants.setState({ starting: true });
    try {
      const r = await getApi().buildsStart({ projectId: projectId()!, variantIds, csim, on, fifo });
      useVariants.setState((s) => {
        const known = new Set(s.runs.map((x) => x.id));
        const added = r.runs.filter((x) => !known.has(x.id));
        if (on === 'slurm') return { runs: [...s.runs, ...added], queue: { ...s.queue, onSlurm: s.queue.onSlurm + added.length } };
        const active = Math.min(s.queue.concurrency, s.queue.active + added.length);
        return {
          runs: [...s.runs, ...added],
          queue: { ...s.queue, active, queued: s.queue.queued + added.length - (active - s.queue.active) },
        };
      });
      void refresh();
      return r;
    } catch (e) {
      report(e);
      return null;
    } finally {
      useVariants.setState({ starting: false });
    }
  },
  cancel: (runId?: string) => call(() => getApi().buildsCancel({ projectId: projectId()!, ...(runId ? { runId } : {}) })),
  resume: () => call(() => getApi().buildsResume({ projectId: projectId()! })),
};

export function openView(view: 'builds' | 'compare' | null): void {
  useVariants.setState({ open: view });
  if (view) {
    watchBuilds();
    void refresh();
  }
}
