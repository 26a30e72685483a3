// Bit-accurate fixed-point simulation of a whole graph: what the generated C++ computes, value for value.
// Inputs are quantized into the Input's type (assignment from double); each op runs its fixed kernel
// (engine/ops/hls-layer.ts) in its resolved precision; per-node outputs are kept for the preview.
import type { Tensor } from '../tensor/tensor';
import { TesseraError, makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostics';
import type { Model, PartialRun } from '../graph/model';
import { quantizeTensor, type FixedTensor } from '../fixed/tensor';
import type { HlsConfig } from './config';
import { resolveGraph, type ResolvedGraph } from './resolve';
import { isGraphInput } from '../ops/input';
import { inputsKey, nodeWeightsKey, stableJson, type KeyPart, type RunMemo } from '../graph/run-key';

export interface FixedSimResult {
  /** Graph outputs by node name. */
  outputs: Record<string, FixedTensor>;
  /** Every node's output by node id. */
  values: Record<string, FixedTensor>;
  order: string[];
  resolved: ResolvedGraph;
  /** Wall time per node id in ms (empty when the values came from the memo). */
  timings: Record<string, number>;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function fail(message: string, diagnostics: Diagnostic[]): never {
  throw new TesseraError(`${message}: ${diagnostics.filter((d) => d.severity === 'error').slice(0, 5).map((d) => d.message).join(' ')}`, diagnostics);
}

/** Settings of a resolved layer config that shape the hardware only: kernels never read them (FixedKernelArgs.config). */
const HARDWARE_ONLY = ['io', 'strategy', 'reuseFactor', 'parallelizationFactor'] as const;

/**
 * The content key of a whole fixed-point run (graph/run-key.ts): per node in run order everything its kernel is
 * given (type, parameters, wiring, output shape, resolved precision and output type, the config but its
 * hardware-only settings, weights) and every given input. The variants of a reuse-factor sweep share it.
 */
export function fixedRunKey(model: Model, resolved: ResolvedGraph, inputs: Readonly<Record<string, Tensor>>): KeyPart[] {
  const parts: KeyPart[] = ['fixed run'];
  for (const r of resolved.nodes) {
    const config: Record<string, unknown> = { ...r.config };
    for (const k of HARDWARE_ONLY) delete config[k];
    parts.push(stableJson({ id: r.id, type: r.node.type, name: r.node.name, inputIds: r.inputIds, params: r.params, outputShape: r.outputShape, outputType: r.outputType, config }));
    parts.push(...nodeWeightsKey(model, r.id));
  }
  parts.push(...inputsKey(inputs));
  return parts;
}

/**
 * The graph inputs whose test tensor is missing or of another shape than its Input node (the batch, the first
 * axis, may differ, but must be the same for every input): what simulateFixed refuses before it runs.
 */
export function inputShapeProblems(resolved: ResolvedGraph, inputs: Record<string, Tensor>): Diagnostic[] {
  const problems: Diagnostic[] = [];
  let batch: number | null = null;
  for (const r of resolved.nodes) {
    if (!isGraphInput(r.node)) continue;
    const t = inputs[r.node.name] ?? inputs[r.id];
    batch ??= t?.shape[0] ?? null;
    if (!t || t.shape.length !== r.outputShape.length || t.shape[0] !== batch || t.shape.some((d, i) => i > 0 && d !== r.outputShape[i])) {
      const want = [batch ?? r.outputShape[0], ...r.outputShape.slice(1)];
      problems.push(makeDiagnostic({ code: 'sim-input-shape', nodeId: r.id, nodeName: r.node.name, field: 'input data', value: t ? `[${t.shape.join(', ')}]` : 'missing', rule: `a tensor of shape [${want.join(', ')}] is given (the batch may differ)`, fix: `pass inputs["${r.node.name}"] with that shape` }));
    }
  }
  return problems;
}

/**
 * Runs the model in fixed point. `inputs` by Input node name (or id); a batch differing from the graph's
 * runs as that many images. Throws TesseraError with diagnostics on graph/config errors. With `memo`, a whole
 * run (no `part`) with the key of an earlier one takes that run's values (fixedRunKey) instead of computing them.
 */
export function simulateFixed(model: Model, inputs: Record<string, Tensor>, cfg: HlsConfig, part?: PartialRun<FixedTensor>, memo?: RunMemo<Record<string, FixedTensor>>): FixedSimResult {
  const inputNodes = model.graph.nodes.filter((n) => isGraphInput(n));
  const batches = inputNodes.map((n) => (inputs[n.name] ?? inputs[n.id])?.shape[0]).filter((b): b is number => b !== undefined);
  const resolved = resolveGraph(model, cfg, { batch: batches.length ? batches[0] : undefined });
  if (resolved.hasErrors) fail('the graph or its HLS configuration has errors', resolved.diagnostics);
  const key = memo && !part ? fixedRunKey(model, resolved, inputs) : null;
  const kept = key && memo!.get(key);
  if (kept) return result(resolved, kept, {});
  const values: Record<string, FixedTensor> = {};
  const timings: Record<string, number> = {};
  const problems = inputShapeProblems(part ? { ...resolved, nodes: resolved.nodes.filter((r) => part.nodes.has(r.id)) } : resolved, inputs);
  if (problems.length) fail('the inputs do not match the graph', problems);
  for (const r of resolved.nodes) {
    if (part && !part.nodes.has(r.id)) continue;
    const t0 = now();
    if (isGraphInput(r.node)) {
      values[r.id] = quantizeTensor(inputs[r.node.name] ?? inputs[r.id], r.outputType);
    } else {
      const op = resolved.analysis.nodes[r.id].op!;
      values[r.id] = op.fixed!({
        params: r.params,
        inputs: r.inputIds.map((s) => {
          const v = values[s] ?? part?.given[s];
          if (!v) throw new TesseraError(`${r.node.name} (${r.node.type}): an input's value is neither computed in this part nor given`);
          return v;
        }),
        weights: model.weights?.[r.id] ?? {},
        precision: r.config.precision,
        config: r.config,
        outputShape: r.outputShape,
      });
    }
    timings[r.id] = now() - t0;
  }
  if (key) memo!.set(key, values);
  return result(resolved, values, timings);
}

function result(resolved: ResolvedGraph, values: Record<string, FixedTensor>, timings: Record<string, number>): FixedSimResult {
  const outputs: Record<string, FixedTensor> = {};
  for (const id of resolved.analysis.outputs) if (values[id]) outputs[resolved.byId[id].node.name] = values[id];
  return { outputs, values, order: resolved.nodes.map((n) => n.id), resolved, timings };
}
