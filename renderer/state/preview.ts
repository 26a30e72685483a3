// Runs the preview in Web Workers right after each edit (edits of one user action are coalesced in a
// microtask; no debounce). A large valid model is split into parts across several workers, as many as the
// machine has cores for (renderer/lib/preview-split.ts): part k runs float, then fixed point, while part k + 1
// runs float; the values one part reads from another pass through here. A part whose results still hold
// from the previous run (nothing it depends on changed) is not run again. A graph with errors runs whole in
// one worker, where the nodes that can run still run.
//
// A newer edit cancels stale work by terminating the workers still busy with it (a long run cannot delay
// the next one); spare workers started beforehand take their place, so a cancel costs no worker start-up. A
// worker keeps the weights it was sent: only the nodes whose weights changed are posted again.
import { create } from 'zustand';
import type { Graph, WeightMap } from '../../engine/graph/model';
import type { Tensor } from '../../engine/tensor/tensor';
import type { FixedTensor } from '../../engine/fixed/tensor';
import { toGraph } from '../lib/doc';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import { nodeKeys, nodeWork, splitParts, type NodeKeys, type PreviewPart } from '../lib/preview-split';
import type { InputSpec } from '../lib/simulate';
import type { FixedReply, PartReply, PartRequest, PreviewReply, PreviewRequest } from '../workers/preview.worker';
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
  /** Parts (workers) the last run was split into. */
  parts: number;
  /** Of those, how many ran (the others' results still held). */
  partsRun: number;
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
  parts: 0,
  partsRun: 0,
}));

/**
 * Workers for the parts of a model: one per core beside the page's own, at most 4 (on a 2-core machine the
 * split measured ×0.59–×1.06 of one worker: the page, two workers and the transfers between them share two
 * cores). Benchmarks and tests set it with setPreviewWorkers or the page address (?previewWorkers=N).
 */
let maxWorkers = Math.max(1, Math.min(4, (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2) - 1));
if (typeof location !== 'undefined') {
  const asked = Number(new URLSearchParams(location.search).get('previewWorkers'));
  if (Number.isInteger(asked) && asked >= 1 && asked <= 16) maxWorkers = asked;
}

/** For benchmarks and tests: how many workers a large model may be split across (≥ 1). */
export function setPreviewWorkers(n: number): void {
  maxWorkers = Math.max(1, Math.floor(n));
}

interface Slot {
  worker: Worker;
  /** The run this worker is busy with (null: idle). */
  busy: number | null;
  /** The weights record this worker holds per node id (what it was sent). */
  sent: Map<string, WeightMap[string]>;
}

const slots: Slot[] = [];
/** Started, idle workers for the slots of cancelled work. */
const spares: Worker[] = [];
let sparePending = false;
let seq = 0;
let queued = false;

function spawn(): Worker {
  return new Worker(new URL('../workers/preview.worker.ts', import.meta.url), { type: 'module' });
}

/** Keeps one spare worker started when the page is idle (its start-up stays off the current run's path). */
function prepareSpare(): void {
  if (spares.length || sparePending) return;
  sparePending = true;
  const start = () => {
    sparePending = false;
    if (!spares.length) spares.push(spawn());
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 500 });
  else setTimeout(start, 50);
}

function slot(i: number): Slot {
  while (slots.length <= i) slots.push(fresh());
  return slots[i];
}

function fresh(): Slot {
  const s: Slot = { worker: spares.pop() ?? spawn(), busy: null, sent: new Map() };
  attach(s);
  return s;
}

function attach(s: Slot): void {
  const w = s.worker;
  w.onmessage = (ev: MessageEvent<PreviewReply | PartReply>) => {
    if (s.worker !== w) return; // a replaced worker
    s.busy = null;
    const r = ev.data;
    if (r.runId !== seq || !current) return; // stale
    if ('kind' in r) current.onPart(r);
    else current.onWhole(r);
  };
  w.onerror = (e) => {
    if (s.worker !== w) return;
    replace(s);
    if (current && current.id === seq && !current.finished) current.fail(e.message || 'the preview worker failed');
  };
}

/** Terminates a slot's worker and gives the slot a spare (or new) one, holding no weights. */
function replace(s: Slot): void {
  s.worker.terminate();
  s.worker = spares.pop() ?? spawn();
  s.busy = null;
  s.sent = new Map();
  attach(s);
  prepareSpare();
}

/** The weights of `ids` that the slot's worker does not hold yet (null: none stored). */
function weightsToSend(s: Slot, weights: WeightMap, ids: Iterable<string>): Record<string, WeightMap[string] | null> {
  const out: Record<string, WeightMap[string] | null> = {};
  for (const id of ids) {
    const w = weights[id];
    if (s.sent.get(id) === w && (w !== undefined || s.sent.has(id))) continue;
    out[id] = w ?? null;
    s.sent.set(id, w);
  }
  return out;
}

/** What a finished run leaves for the next one to reuse. */
interface Held {
  keys: NodeKeys;
  outputs: Record<string, Tensor>;
  filled: Set<string>;
  fixed: Record<string, FixedReply>;
  fixedValues: Record<string, FixedTensor>;
  /** Numerical warnings by node id. */
  numeric: Map<string, Diagnostic[]>;
}

let held: Held | null = null;
let current: Run | null = null;

class Run {
  readonly t0 = performance.now();
  outputs: Record<string, Tensor> = {};
  filled = new Set<string>();
  fixed: Record<string, FixedReply> = {};
  fixedValues: Record<string, FixedTensor> = {};
  numeric = new Map<string, Diagnostic[]>();
  /** Per part: 'wait' → 'sent' → 'done', for float and fixed. */
  floatState: ('wait' | 'sent' | 'done')[];
  fixedState: ('wait' | 'sent' | 'done')[];
  partsRun = 0;
  finished = false;
  /** Every worker holds every node's weights: a part's fixed-point types follow from the nodes before it. */
  readonly nodeIds: string[];

  constructor(
    readonly id: number,
    readonly graph: Graph,
    readonly weights: WeightMap,
    readonly inputs: InputSpec[],
    readonly seed: number,
    /** The project's default type when fixed point is on. */
    readonly precision: string | undefined,
    /** The project's default type, for the numerical warnings (fixed point on or off). */
    readonly numericPrecision: string,
    readonly parts: PreviewPart[],
    readonly keys: NodeKeys,
  ) {
    this.nodeIds = graph.nodes.map((n) => n.id);
    this.floatState = parts.map(() => 'wait');
    this.fixedState = parts.map(() => (precision ? 'wait' : 'done'));
    // Parts whose every node is unchanged since the last run keep its results. The numerical warnings come
    // with the float run and depend on the types too: a float result is kept only when its types key holds.
    parts.forEach((p, k) => {
      if (!held) return;
      const floatHeld = p.nodes.every((id) => held!.keys.float[id] === keys.float[id] && held!.keys.fixed[id] === keys.fixed[id] && held!.outputs[id]);
      if (!floatHeld) return;
      this.floatState[k] = 'done';
      for (const id of p.nodes) {
        this.outputs[id] = held.outputs[id];
        if (held.filled.has(id)) this.filled.add(id);
        const numeric = held.numeric.get(id);
        if (numeric) this.numeric.set(id, numeric);
      }
      if (precision && p.nodes.every((id) => held!.keys.fixed[id] === keys.fixed[id] && (held!.fixed[id] || !held!.outputs[id])) && p.exports.every((id) => held!.fixedValues[id])) {
        this.fixedState[k] = 'done';
        for (const id of p.nodes) if (held.fixed[id]) this.fixed[id] = held.fixed[id];
        for (const id of p.exports) this.fixedValues[id] = held.fixedValues[id];
      }
    });
  }

  /** Sends every part whose inputs are ready: float when the parts it reads are done, fixed after its float. */
  dispatch(): void {
    this.parts.forEach((p, k) => {
      const s = slot(k);
      if (s.busy !== null) return;
      if (this.floatState[k] === 'wait' && p.reads.every((id) => this.outputs[id])) {
        const given: Record<string, Tensor> = {};
        for (const id of p.reads) given[id] = this.outputs[id];
        const req: PartRequest = { kind: 'float', runId: this.id, part: k, graph: this.graph, nodes: p.nodes, given, weights: weightsToSend(s, this.weights, this.nodeIds), inputs: this.inputs, seed: this.seed, numericPrecision: this.numericPrecision };
        this.floatState[k] = 'sent';
        this.partsRun++;
        s.busy = this.id;
        s.worker.postMessage(req);
      } else if (this.fixedState[k] === 'wait' && this.floatState[k] === 'done' && p.reads.every((id) => this.fixedValues[id])) {
        const given: Record<string, FixedTensor> = {};
        for (const id of p.reads) given[id] = this.fixedValues[id];
        // Float values go along only when this run did not compute them in that worker.
        const float = this.floatRanIn[k] === s.worker ? undefined : Object.fromEntries(p.nodes.filter((id) => this.outputs[id]).map((id) => [id, this.outputs[id]]));
        const req: PartRequest = {
          kind: 'fixed', runId: this.id, part: k, graph: this.graph, nodes: p.nodes, given, float, weights: weightsToSend(s, this.weights, this.nodeIds),
          seed: this.seed, precision: this.precision!, exports: p.exports,
        };
        this.fixedState[k] = 'sent';
        s.busy = this.id;
        s.worker.postMessage(req);
      }
    });
    if (!this.finished && this.floatState.every((x) => x === 'done') && this.fixedState.every((x) => x === 'done')) this.finish();
  }

  /** The worker each part's float ran in during this run. */
  floatRanIn: (Worker | null)[] = [];

  onPart(r: PartReply): void {
    if (this.finished || this.whole) return;
    if (!r.ok) {
      // A failing node: run the graph whole once more, which reports each node's own error.
      if (r.kind === 'float') this.runWhole();
      else this.fixedFailed(r.error);
      return;
    }
    if (r.kind === 'float') {
      for (const [id, t] of Object.entries(r.outputs)) this.outputs[id] = t;
      for (const id of r.filledWeights) this.filled.add(id);
      for (const d of r.numeric ?? []) if (d.nodeId) this.numeric.set(d.nodeId, [...(this.numeric.get(d.nodeId) ?? []), d]);
      this.floatState[r.part] = 'done';
      this.floatRanIn[r.part] = slots[r.part]?.worker ?? null;
      // Float results show as soon as every part has them; fixed point follows.
      if (this.floatState.every((x) => x === 'done') && this.fixedState.some((x) => x !== 'done')) {
        usePreview.setState({ outputs: { ...this.outputs }, errors: {}, filledWeights: [...this.filled] });
      }
    } else {
      Object.assign(this.fixed, r.fixed);
      Object.assign(this.fixedValues, r.values);
      this.fixedState[r.part] = 'done';
    }
    this.dispatch();
  }

  fixedError: string | null = null;

  fixedFailed(message: string): void {
    this.fixedError = message;
    this.fixed = {};
    this.fixedState = this.fixedState.map(() => 'done');
    this.dispatch();
  }

  finish(): void {
    this.finished = true;
    held = { keys: this.keys, outputs: this.outputs, filled: this.filled, fixed: this.fixed, fixedValues: this.fixedValues, numeric: this.numeric };
    prepareSpare();
    usePreview.setState({
      status: 'done', runId: this.id, outputs: { ...this.outputs }, errors: {}, filledWeights: [...this.filled], ms: performance.now() - this.t0, error: null,
      fixed: { ...this.fixed }, fixedError: this.fixedError, parts: this.parts.length, partsRun: this.partsRun,
    });
    // In the order of the layers, as a whole run gives them.
    useEditor.getState().setNumeric(this.parts.flatMap((p) => p.nodes.flatMap((id) => this.numeric.get(id) ?? [])));
  }

  fail(message: string): void {
    this.finished = true;
    usePreview.setState({ status: 'failed', runId: this.id, error: message });
  }

  /** Set once the run went to one worker whole: replies of parts are ignored. */
  whole = false;

  /** The whole graph in one worker (a graph with errors, or a part that failed). */
  runWhole(): void {
    this.whole = true;
    for (const other of slots) if (other.busy !== null) replace(other);
    const s = slot(0);
    const weights = this.weights;
    // A worker that holds these very weights is not sent them again (every edit of a graph with errors runs
    // here; cloning every weight per keystroke is what the per-node sending avoids).
    const held = s.sent.size === Object.keys(weights).length && Object.entries(weights).every(([id, w]) => s.sent.get(id) === w);
    const req: PreviewRequest = {
      runId: this.id, graph: this.graph, weights: held ? undefined : weights, inputs: this.inputs, seed: this.seed,
      fixedPrecision: this.precision, numericPrecision: this.numericPrecision,
    };
    if (!held) s.sent = new Map(Object.entries(weights));
    s.busy = this.id;
    this.partsRun = 1;
    s.worker.postMessage(req);
  }

  onWhole(r: PreviewReply): void {
    this.finished = true;
    held = null; // per-node results of a graph with errors are not reused
    prepareSpare();
    if (r.ok) {
      usePreview.setState({
        status: 'done', runId: r.runId, outputs: r.outputs, errors: r.errors, filledWeights: r.filledWeights, ms: performance.now() - this.t0, error: null,
        fixed: r.fixed ?? {}, fixedError: r.fixedError ?? null, parts: 1, partsRun: 1,
      });
      useEditor.getState().setNumeric(r.numeric ?? []);
    } else {
      usePreview.setState({ status: 'failed', runId: r.runId, error: r.error });
    }
  }
}

/** Runs the preview of the current document; `fresh` (the Run button) recomputes every part. */
export function runPreview(opts: { fresh?: boolean } = {}): void {
  if (opts.fresh) held = null;
  // Cancel stale work: every worker still busy with an older run is replaced by a spare.
  let cancelled = false;
  for (const s of slots) {
    if (s.busy !== null) {
      replace(s);
      cancelled = true;
    }
  }
  if (cancelled) usePreview.setState((st) => ({ cancelled: st.cancelled + 1 }));
  const ed = useEditor.getState();
  const ui = useUi.getState();
  const id = ++seq;
  const graph = toGraph(ed.nodes, ed.edges);
  const precision = ui.previewFixed ? ui.settings.defaultPrecision : undefined;
  const a = ed.analysis;
  const parts = a.errors === 0 ? splitParts(graph, a.order, nodeWork(graph, a), maxWorkers) : [];
  const keys = nodeKeys(graph, a.order, ed.weights, ui.previewInputs, ui.settings.weightSeed, ui.settings.defaultPrecision);
  current = new Run(id, graph, ed.weights, ui.previewInputs, ui.settings.weightSeed, precision, ui.settings.defaultPrecision, parts, keys);
  usePreview.setState({ status: 'running' });
  if (parts.length) current.dispatch();
  else current.runWhole();
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
