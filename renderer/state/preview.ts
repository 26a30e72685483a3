// Runs the float preview in a Web Worker right after each edit (edits of one user action are
// coalesced in a microtask; no debounce). A newer edit cancels a stale run by terminating its worker
// (a long run cannot delay the next one) and goes to a spare worker that was started beforehand, so
// a cancel costs no worker start-up. A worker keeps the weights it was sent: they are posted again
// only when the document's weights object changed (or to a new worker).
import { create } from 'zustand';
import type { WeightMap } from '../../engine/graph/model';
import type { Tensor } from '../../engine/tensor/tensor';
import { toGraph } from '../lib/doc';
import type { FixedReply, PreviewReply, PreviewRequest } from '../workers/preview.worker';
import { useEditor } from './store';
import { useUi } from './ui';

export interface PreviewState {
  status: 'idle' | 'running' | 'done' | 'failed';
  runId: number;
  outputs: Record<string, Tensor>;
  errors: Record<string, string>;
  filledWeights: string[];
  ms: number | null;
  error: string | null;
  cancelled: number;
  fixed: Record<string, FixedReply>;
  fixedError: string | null;
}

export const usePreview = create<PreviewState>()(() => ({
  status: 'idle',
  runId: 0,
  outputs: {},
  errors: {},
  filledWeights: [],
  ms: null,
  error: null,
  cancelled: 0,
  fixed: {},
  fixedError: null,
}));

let worker: Worker | null = null;
/** The weights object `worker` holds (sent with an earlier run), null for none yet. */
let workerWeights: WeightMap | null = null;
/** A started, idle worker for the run after a cancel. */
let spare: Worker | null = null;
let sparePending = false;
let running: number | null = null;
let seq = 0;
let queued = false;

/** Starts a spare worker when the page is idle (its start-up stays off the current run's path). */
function prepareSpare(): void {
  if (spare || sparePending) return;
  sparePending = true;
  const start = () => {
    sparePending = false;
    spare ??= spawn();
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 500 });
  else setTimeout(start, 50);
}

function spawn(): Worker {
  const w = new Worker(new URL('../workers/preview.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (ev: MessageEvent<PreviewReply>) => {
    const r = ev.data;
    if (r.runId !== seq) return; // stale
    running = null;
    prepareSpare();
    if (r.ok) {
      usePreview.setState({
        status: 'done', runId: r.runId, outputs: r.outputs, errors: r.errors, filledWeights: r.filledWeights, ms: r.ms, error: null,
        fixed: r.fixed ?? {}, fixedError: r.fixedError ?? null,
      });
      useEditor.getState().setNumeric(r.numeric ?? []);
    } else {
      usePreview.setState({ status: 'failed', runId: r.runId, error: r.error });
    }
  };
  w.onerror = (e) => {
    if (w === spare) {
      spare = null;
      w.terminate();
    }
    if (w !== worker) return; // a cancelled worker
    // The next run starts a new worker.
    w.terminate();
    worker = null;
    workerWeights = null;
    running = null;
    usePreview.setState({ status: 'failed', error: e.message || 'the preview worker failed' });
  };
  return w;
}

export function runPreview(): void {
  if (running !== null && worker) {
    // Cancel the stale run; the next one goes to the spare worker (already started).
    worker.terminate();
    worker = spare;
    spare = null;
    workerWeights = null;
    usePreview.setState((s) => ({ cancelled: s.cancelled + 1 }));
  }
  if (!worker) {
    worker = spare ?? spawn();
    spare = null;
    workerWeights = null;
  }
  const ed = useEditor.getState();
  const ui = useUi.getState();
  const id = ++seq;
  running = id;
  usePreview.setState({ status: 'running' });
  const req: PreviewRequest = {
    runId: id, graph: toGraph(ed.nodes, ed.edges), weights: ed.weights === workerWeights ? undefined : ed.weights, inputs: ui.previewInputs, seed: ui.settings.weightSeed,
    fixedPrecision: ui.previewFixed ? ui.settings.defaultPrecision : undefined,
    numericPrecision: ui.settings.defaultPrecision,
  };
  worker.postMessage(req);
  workerWeights = ed.weights;
}

/** Runs the preview once the current action's updates are done (a microtask: no delay). */
export function schedulePreview(): void {
  if (queued) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    if (useUi.getState().screen === 'editor' && useUi.getState().settings.previewAutoRun) runPreview();
  });
}

/** Re-run after every structural edit, weight change and input change. */
export function startAutoPreview(): () => void {
  const a = useEditor.subscribe((s, prev) => {
    if (s.structure !== prev.structure) schedulePreview();
  });
  const b = useUi.subscribe((s, prev) => {
    if (s.previewInputs !== prev.previewInputs || s.settings.weightSeed !== prev.settings.weightSeed || s.previewFixed !== prev.previewFixed || s.settings.defaultPrecision !== prev.settings.defaultPrecision || (s.screen !== prev.screen && s.screen === 'editor')) schedulePreview();
  });
  return () => {
    a();
    b();
  };
}
