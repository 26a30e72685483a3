// The preview runs here, off the UI thread. A newer request supersedes an older one: the main
// thread also terminates this worker when a run is stale, so a long run never blocks the next.
// The weights stay here between runs: a request without weights uses the last ones received.
import type { Graph, WeightMap } from '../../engine/graph/model';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import { simulate, type InputSpec } from '../lib/simulate';

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

let latest = 0;
let weights: WeightMap = {};

self.onmessage = (ev: MessageEvent<PreviewRequest>) => {
  const req = ev.data;
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
