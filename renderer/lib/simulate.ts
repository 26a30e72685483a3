// Float preview of a whole graph: inputs from the preview specs, weights as stored (or filled with a
// seeded PyTorch-default init where a node has none that fit), per-node outputs kept for display.
// Runs inside the preview worker; pure engine code plus the renderer's weight init.
import type { Graph, PartialRun, WeightMap } from '../../engine/graph/model';
import { getOp } from '../../engine/ops/registry';
import { sizeOf, seededRandom, type Shape, type Tensor } from '../../engine/tensor/tensor';
import { simulateFloat } from '../../engine/sim/float';
import { fixedVsFloat, type FixedTensor } from '../../engine/fixed/tensor';
import { simulateFixed } from '../../engine/hls/simulate';
import { previewHlsConfig } from '../../engine/hls/project-precision';
import { isPrecisionDiagnostic } from '../../engine/graph/precision';
import { fixedToTensor } from '../../engine/fixed/tensor';
import { formatFixedType } from '../../engine/fixed/types';
import { profileDesign } from '../../engine/hls/numerics';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import { analyze } from './analyze';
import { initWeights, weightsFit } from './weightInit';
import { isGraphInput } from '../../engine/ops/input';

export type InputSpec =
  | { kind: 'random'; nodeId: string; seed: number; low?: number; high?: number }
  | { kind: 'constant'; nodeId: string; value: number }
  | { kind: 'impulse'; nodeId: string; index: number[]; value?: number }
  | { kind: 'image'; nodeId: string; fileName: string; tensor: Tensor };

export interface FixedCompare {
  /** The node's output in fixed point, as float values. */
  tensor: Tensor;
  /** C++ type of the output, e.g. ap_fixed<16,6>. */
  type: string;
  maxAbs: number;
  rms: number;
  /** Largest error in units of the output type's LSB. */
  maxLsb: number;
}

export interface SimResult {
  outputs: Record<string, Tensor>;
  /** Bit-accurate fixed-point outputs and their error against float (when asked and the graph is valid). */
  fixed?: Record<string, FixedCompare>;
  /** Why the fixed-point run did not happen. */
  fixedError?: string;
  errors: Record<string, string>;
  /** Nodes whose weights were filled in because none were stored. */
  filledWeights: string[];
  /**
   * Numerical warnings (engine/hls/numerics): weights, and outputs on the preview input, that vanish below
   * one LSB or overflow their type; each names the type that would keep them. Only for a design without
   * errors, when the project's precisions were given.
   */
  numeric?: Diagnostic[];
  ms: number;
}

export function makeInput(shape: Shape, spec: InputSpec | undefined, fallbackSeed: number): Tensor {
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  const s = spec ?? { kind: 'random', nodeId: '', seed: fallbackSeed };
  if (s.kind === 'random') {
    const rnd = seededRandom(s.seed);
    const lo = s.low ?? -1;
    const hi = s.high ?? 1;
    for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rnd();
  } else if (s.kind === 'constant') {
    data.fill(s.value);
  } else if (s.kind === 'impulse') {
    // Row-major offset of the index; missing trailing axes count as 0, out-of-range clamps.
    let off = 0;
    for (let a = 0; a < shape.length; a++) off = off * shape[a] + Math.min(Math.max(s.index[a] ?? 0, 0), shape[a] - 1);
    data[off] = s.value ?? 1;
  } else {
    const src = s.tensor.data;
    for (let i = 0; i < n; i++) data[i] = src.length ? src[i % src.length] : 0;
  }
  return { shape: [...shape], data };
}

/**
 * Runs the engine's bit-accurate simulation with the project's precisions (its default type, then each
 * layer's own choices in the graph, resolved as builds resolve them: engine/hls/project-precision.ts) and
 * compares with float.
 */
export function compareFixed(
  graph: Graph,
  weights: WeightMap,
  given: Record<string, Tensor>,
  float: Record<string, Tensor>,
  precision: string,
): Record<string, FixedCompare> {
  return compareFixedPart(graph, weights, given, float, precision).compare;
}

/**
 * compareFixed for part of the graph (its nodes read `part.given` fixed-point values of the nodes before
 * them); also returns the fixed-point values, which later parts read.
 */
export function compareFixedPart(
  graph: Graph,
  weights: WeightMap,
  given: Record<string, Tensor>,
  float: Record<string, Tensor>,
  precision: string,
  part?: PartialRun<FixedTensor>,
): { compare: Record<string, FixedCompare>; values: Record<string, FixedTensor> } {
  const cfg = previewHlsConfig(graph, { defaultPrecision: precision });
  const r = simulateFixed({ graph, weights }, given, cfg, part);
  const compare: Record<string, FixedCompare> = {};
  for (const [id, fx] of Object.entries(r.values)) {
    const ref = float[id];
    if (!ref) continue;
    const e = fixedVsFloat(fx, ref);
    compare[id] = { tensor: fixedToTensor(fx), type: formatFixedType(fx.type), maxAbs: e.maxAbs, rms: e.rms, maxLsb: e.maxLsb };
  }
  return { compare, values: r.values };
}

/** Stored weights where they fit the op's slots, else the seeded PyTorch default (by node name). */
function fillWeights(graph: Graph, weights: WeightMap, a: ReturnType<typeof analyze>, seed: number, filled: string[]): WeightMap {
  const out: WeightMap = {};
  for (const n of graph.nodes) {
    const info = a.nodes[n.id];
    const op = getOp(n.type);
    if (!op || !info?.params || info.inputShapes.some((s) => !s)) continue;
    let slots;
    try {
      slots = op.weights(info.params, info.inputShapes as Shape[]);
    } catch {
      continue;
    }
    if (!slots.length) continue;
    if (weightsFit(slots, weights[n.id])) out[n.id] = weights[n.id];
    else {
      out[n.id] = initWeights(slots, 'pytorch', seed, n.name);
      filled.push(n.id);
    }
  }
  return out;
}

/**
 * Runs the graph. Without errors this is the engine's simulateFloat (the reference path); with
 * errors somewhere, the nodes that can run still run (so the preview shows everything upstream of
 * the mistake) using the same op kernels.
 */
export function simulate(
  graph: Graph,
  weights: WeightMap,
  inputs: readonly InputSpec[],
  seed: number,
  isCancelled: () => boolean = () => false,
  fixedPrecision?: string,
  /** Given (the project's default type): also the numerical warnings of the design at its precisions, fixed point on or off. */
  numericPrecision?: string,
): SimResult | null {
  const t0 = performance.now();
  const a = analyze(graph);
  // A bad per-layer precision stops the fixed-point run only: the float preview does not use it.
  const precisionErrors = a.diagnostics.filter((d) => d.severity === 'error' && isPrecisionDiagnostic(d));
  if (a.errors === precisionErrors.length) {
    const filled: string[] = [];
    const w = fillWeights(graph, weights, a, seed, filled);
    const specs = new Map(inputs.map((s) => [s.nodeId, s]));
    const given: Record<string, Tensor> = {};
    for (const n of graph.nodes) if (isGraphInput(n) && a.nodes[n.id]?.shape) given[n.id] = makeInput(a.nodes[n.id].shape!, specs.get(n.id), seed);
    try {
      const r = simulateFloat({ graph, weights: w }, given, { keep: 'all' });
      const res: SimResult = { outputs: r.values, errors: {}, filledWeights: filled, ms: performance.now() - t0 };
      if (numericPrecision && !precisionErrors.length) {
        try {
          res.numeric = profileDesign({ graph, weights: w }, r.values, previewHlsConfig(graph, { defaultPrecision: numericPrecision })).diagnostics;
        } catch {
          // a precision that does not resolve is reported where it is set; nothing to profile against
        }
      }
      if (fixedPrecision && precisionErrors.length) {
        res.fixedError = `fixed point runs once the precisions are fixed: ${precisionErrors.map((d) => d.message).join(' ')}`;
      } else if (fixedPrecision) {
        try {
          res.fixed = compareFixed(graph, w, given, r.values, fixedPrecision);
        } catch (err) {
          res.fixedError = (err as Error).message;
        }
      }
      return res;
    } catch (err) {
      // Fall through to the per-node run, which reports the failing node.
      void err;
    }
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, Map<number, string>>();
  for (const e of graph.edges) {
    if (!incoming.has(e.target)) incoming.set(e.target, new Map());
    incoming.get(e.target)!.set(e.targetPort, e.source);
  }
  const specs = new Map(inputs.map((s) => [s.nodeId, s]));
  const outputs: Record<string, Tensor> = {};
  const errors: Record<string, string> = {};
  const filledWeights: string[] = [];
  for (const id of a.order) {
    if (isCancelled()) return null;
    const info = a.nodes[id];
    const node = byId.get(id)!;
    const op = getOp(node.type);
    const ownErrors = info?.diagnostics.some((d) => d.severity === 'error' && !isPrecisionDiagnostic(d));
    if (!op || !info || ownErrors || info.status === 'blocked' || !info.params || !info.shape) continue;
    try {
      let ins: Tensor[];
      if (op.inputs.max === 0) {
        ins = [makeInput(info.shape, specs.get(id), seed)];
      } else {
        // Connected ports in port order (the engine's rule for variadic ops too).
        const inc = [...(incoming.get(id) ?? new Map<number, string>())].sort((x, y) => x[0] - y[0]);
        ins = inc.map(([p, src]) => {
          const t = outputs[src];
          if (!t) throw new Error(`input ${p} has no value`);
          return t;
        });
      }
      const slots = op.weights(info.params, info.inputShapes as Shape[]);
      let w = weights[id];
      if (slots.length && !weightsFit(slots, w)) {
        w = initWeights(slots, 'pytorch', seed, node.name);
        filledWeights.push(id);
      }
      outputs[id] = op.float(info.params, ins, w ?? {});
    } catch (err) {
      errors[id] = (err as Error).message;
    }
  }
  // Bit-accurate fixed point runs the whole design as a build would: it waits for the errors to be fixed
  // (said, rather than showing nothing).
  const fixedError = fixedPrecision ? `fixed point runs once the design has no errors (${a.errors} to fix)` : undefined;
  return { outputs, errors, filledWeights, ms: performance.now() - t0, ...(fixedError ? { fixedError } : {}) };
}

/**
 * The float run of part of a valid graph (the preview splits a large model's layers across workers): the
 * part's nodes only, reading `given` values of the nodes before them; weights and Inputs as simulate().
 * Every node's weights are needed (the analysis checks them all, and the fixed-point types of a part follow
 * from those of the nodes before it). Returns the weights it used (for the fixed-point run of the same part)
 * and the Input tensors it made.
 */
export function simulateFloatPart(
  graph: Graph,
  weights: WeightMap,
  inputs: readonly InputSpec[],
  seed: number,
  nodes: ReadonlySet<string>,
  given: Record<string, Tensor>,
  /** Given (the project's default type): also the numerical warnings of the part's nodes, as simulate() gives them. */
  numericPrecision?: string,
): { values: Record<string, Tensor>; filledWeights: string[]; weights: WeightMap; inputs: Record<string, Tensor>; numeric?: Diagnostic[] } {
  const a = analyze(graph);
  const filledWeights: string[] = [];
  const w = fillWeights(graph, weights, a, seed, filledWeights);
  const specs = new Map(inputs.map((s) => [s.nodeId, s]));
  const made: Record<string, Tensor> = {};
  for (const n of graph.nodes) if (isGraphInput(n) && nodes.has(n.id) && a.nodes[n.id]?.shape) made[n.id] = makeInput(a.nodes[n.id].shape!, specs.get(n.id), seed);
  const r = simulateFloat({ graph, weights: w }, made, { keep: 'all', part: { nodes, given } });
  let numeric: Diagnostic[] | undefined;
  if (numericPrecision) {
    try {
      numeric = profileDesign({ graph, weights: w }, r.values, previewHlsConfig(graph, { defaultPrecision: numericPrecision }), nodes).diagnostics;
    } catch {
      // as in simulate(): a precision that does not resolve is reported where it is set
    }
  }
  return { values: r.values, filledWeights, weights: w, inputs: made, numeric };
}

/** The weights a part of a graph runs with (stored where they fit, else seeded): those simulateFloatPart uses. */
export function partWeights(graph: Graph, weights: WeightMap, seed: number): WeightMap {
  return fillWeights(graph, weights, analyze(graph), seed, []);
}
