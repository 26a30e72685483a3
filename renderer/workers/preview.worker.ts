// The preview runs here, off the UI thread: a whole graph (PreviewRequest: a graph with errors, where the
// nodes that can run still run), or one part of a large valid model (PartRequest, renderer/lib/preview-split.ts:
// float first, then fixed point when its inputs from earlier parts have arrived). A newer request supersedes
// an older one: the main thread also terminates this worker when a run is stale, so a long run never blocks
// the next. The weights stay here between runs: a request sends only the nodes whose weights changed.
import type { Graph, WeightMap } from '../../engine/graph/model';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import type { Tensor } from '../../engine/tensor/tensor';
import type { FixedTensor } from '../../engine/fixed/tensor';
import { isGraphInput } from '../../engine/ops/input';
import { compareFixedPart, partWeights, simulate, simulateFloatPart, type FixedCompare, type InputSpec } from '../lib/simulate';

export interface PreviewRequest {
  runId: number;
  graph: Graph;
  /** Absent: the weights of the previous request (unchanged since). */
  weights?: WeightMap;
  inputs: InputSpec[];
  seed: number;
  /** Also run bit-accurate fixed point with this project default type (each node's own precision in `graph` overrides it field by field). */
  fixedPrecision?: string;
  /** The project's default type, for the numerical warnings (sent with fixed point on or off; each node's own precision in `graph` overrides it). */
  numericPrecision?: string;
}

export interface FixedReply {
  shape: number[];
  data: Float32Array;
  type: string;
  maxAbs: number;
  rms: number;
  maxLsb: number;
}

export type PreviewReply =
  | {
      runId: number;
      ok: true;
      outputs: Record<string, { shape: number[]; data: Float32Array }>;
      errors: Record<string, string>;
      filledWeights: string[];
      ms: number;
      fixed?: Record<string, FixedReply>;
      fixedError?: string;
      numeric?: Diagnostic[];
    }
  | { runId: number; ok: false; error: string };

/** Float run of one part: its nodes, the values it reads from earlier parts, weights that changed. */
export interface FloatPartRequest {
  kind: 'float';
  runId: number;
  part: number;
  graph: Graph;
  nodes: string[];
  given: Record<string, Tensor>;
  /** Weights by node id (every node's: see simulateFloatPart) that changed since the last request (null: none stored). */
  weights: Record<string, WeightMap[string] | null>;
  inputs: InputSpec[];
  seed: number;
  /** The project's default type, for the numerical warnings of the part's nodes (as PreviewRequest.numericPrecision). */
  numericPrecision?: string;
}

/** Fixed-point run of one part, after its float run (here, or `float` carries the part's float values). */
export interface FixedPartRequest {
  kind: 'fixed';
  runId: number;
  part: number;
  graph: Graph;
  nodes: string[];
  given: Record<string, FixedTensor>;
  /** The part's float values when its float run was not done here in this run (reused from an earlier run). */
  float?: Record<string, Tensor>;
  weights: Record<string, WeightMap[string] | null>;
  seed: number;
  /** The project's default type (each node's own precision in `graph` overrides it field by field). */
  precision: string;
  /** Nodes whose fixed-point values later parts read. */
  exports: string[];
}

export type PartRequest = FloatPartRequest | FixedPartRequest;

export type PartReply =
  | { kind: 'float'; runId: number; part: number; ok: true; outputs: Record<string, { shape: number[]; data: Float32Array }>; filledWeights: string[]; numeric?: Diagnostic[]; ms: number }
  | { kind: 'fixed'; runId: number; part: number; ok: true; fixed: Record<string, FixedReply>; values: Record<string, FixedTensor>; ms: number }
  | { kind: 'float' | 'fixed'; runId: number; part: number; ok: false; error: string };

let latest = 0;
let weights: WeightMap = {};
/** This run's float step, kept for its fixed step. */
let lastFloat: { runId: number; part: number; values: Record<string, Tensor>; weights: WeightMap; inputs: Record<string, Tensor> } | null = null;

function updateWeights(changed: Record<string, WeightMap[string] | null>): void {
  if (!Object.keys(changed).length) return;
  weights = { ...weights };
  for (const [id, w] of Object.entries(changed)) {
    if (w) weights[id] = w;
    else delete weights[id];
  }
}

const post = (reply: PreviewReply | PartReply, transfer: ArrayBuffer[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

function runPart(req: PartRequest): void {
  const t0 = performance.now();
  updateWeights(req.weights);
  const nodes = new Set(req.nodes);
  try {
    if (req.kind === 'float') {
      const r = simulateFloatPart(req.graph, weights, req.inputs, req.seed, nodes, req.given, req.numericPrecision);
      lastFloat = { runId: req.runId, part: req.part, values: r.values, weights: r.weights, inputs: r.inputs };
      const outputs: Record<string, { shape: number[]; data: Float32Array }> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [id, t] of Object.entries(r.values)) {
        // Copies: the values stay here for the fixed step (and the main thread's copy can be transferred on).
        const data = new Float32Array(t.data);
        outputs[id] = { shape: [...t.shape], data };
        transfer.push(data.buffer);
      }
      post({ kind: 'float', runId: req.runId, part: req.part, ok: true, outputs, filledWeights: r.filledWeights, numeric: r.numeric, ms: performance.now() - t0 }, transfer);
      return;
    }
    const here = lastFloat && lastFloat.runId === req.runId && lastFloat.part === req.part ? lastFloat : null;
    const float = here?.values ?? req.float ?? {};
    // The Input nodes of the part: their float value is the input tensor itself.
    const inputs: Record<string, Tensor> = here?.inputs ?? Object.fromEntries(req.graph.nodes.filter((n) => nodes.has(n.id) && isGraphInput(n)).map((n) => [n.id, float[n.id]]));
    const w = here?.weights ?? partWeights(req.graph, weights, req.seed);
    const r = compareFixedPart(req.graph, w, inputs, float, req.precision, { nodes, given: req.given });
    const fixed: Record<string, FixedReply> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [id, f] of Object.entries(r.compare) as [string, FixedCompare][]) {
      const data = new Float32Array(f.tensor.data);
      fixed[id] = { shape: [...f.tensor.shape], data, type: f.type, maxAbs: f.maxAbs, rms: f.rms, maxLsb: f.maxLsb };
      transfer.push(data.buffer);
    }
    const values: Record<string, FixedTensor> = {};
    for (const id of req.exports) if (r.values[id]) values[id] = r.values[id];
    post({ kind: 'fixed', runId: req.runId, part: req.part, ok: true, fixed, values, ms: performance.now() - t0 }, transfer);
  } catch (err) {
    post({ kind: req.kind, runId: req.runId, part: req.part, ok: false, error: (err as Error).message });
  }
}

self.onmessage = (ev: MessageEvent<PreviewRequest | PartRequest>) => {
  const msg = ev.data;
  if ('kind' in msg) {
    latest = msg.runId;
    runPart(msg);
    return;
  }
  const req = msg;
  latest = req.runId;
  if (req.weights) weights = req.weights;
  try {
    const r = simulate(req.graph, weights, req.inputs, req.seed, () => latest !== req.runId, req.fixedPrecision, req.numericPrecision);
    if (!r) return;
    const outputs: Record<string, { shape: number[]; data: Float32Array }> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [id, t] of Object.entries(r.outputs)) {
      const data = new Float32Array(t.data);
      outputs[id] = { shape: [...t.shape], data };
      transfer.push(data.buffer);
    }
    let fixed: Record<string, FixedReply> | undefined;
    if (r.fixed) {
      fixed = {};
      for (const [id, f] of Object.entries(r.fixed)) {
        const data = new Float32Array(f.tensor.data);
        fixed[id] = { shape: [...f.tensor.shape], data, type: f.type, maxAbs: f.maxAbs, rms: f.rms, maxLsb: f.maxLsb };
        transfer.push(data.buffer);
      }
    }
    const reply: PreviewReply = { runId: req.runId, ok: true, outputs, errors: r.errors, filledWeights: r.filledWeights, ms: r.ms, fixed, fixedError: r.fixedError, numeric: r.numeric };
    (self as unknown as Worker).postMessage(reply, transfer);
  } catch (err) {
    const reply: PreviewReply = { runId: req.runId, ok: false, error: (err as Error).message };
    (self as unknown as Worker).postMessage(reply);
  }
};
