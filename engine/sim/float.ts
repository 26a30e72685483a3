// Float simulation of a whole graph: the reference semantics every other path (fixed point, HLS C
// simulation, onnxruntime) is compared with. Runs nodes in topological order and keeps per-node outputs
// for the preview.
import type { Shape, Tensor } from '../tensor/tensor';
import { shapesEqual } from '../tensor/tensor';
import { analyzeGraph, type GraphAnalysis } from '../graph/analyze';
import { makeDiagnostic, TesseraError, type Diagnostic } from '../diagnostics/diagnostics';
import type { Graph, Model, PartialRun } from '../graph/model';
import { isGraphInput } from '../ops/input';
import { inputsKey, nodeWeightsKey, stableJson, type KeyPart } from '../graph/run-key';

export interface SimOptions {
  /** 'all' (default) keeps every node's output; 'outputs' frees intermediates once consumed. */
  keep?: 'all' | 'outputs';
  /** Set cancelled = true (e.g. from another message handler) to stop between nodes. */
  signal?: { cancelled: boolean };
  /** Run only these nodes (the preview splits a large model's layers across workers). */
  part?: PartialRun<Tensor>;
}


export interface SimResult {
  /** Graph outputs (nodes without outgoing edges) by node name. */
  outputs: Record<string, Tensor>;
  /** Outputs of every node by node id (only graph outputs and Inputs with keep = 'outputs'). */
  values: Record<string, Tensor>;
  /** Node ids in the order they ran. */
  order: string[];
  /** The analysis the run used (shapes, warnings). */
  analysis: GraphAnalysis;
  /** Wall time per node id, in milliseconds. */
  timings: Record<string, number>;
}

/** Thrown by simulateFloat when options.signal.cancelled was set. */
export class SimulationCancelled extends TesseraError {
  constructor() {
    super('simulation cancelled');
    this.name = 'SimulationCancelled';
  }
}

function fail(message: string, diagnostics: Diagnostic[]): never {
  throw new TesseraError(`${message}: ${diagnostics.filter((d) => d.severity === 'error').slice(0, 5).map((d) => d.message).join(' ')}`, diagnostics);
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Runs the model on `inputs` (tensors by Input node name; the node id is accepted too). An input whose
 * shape differs from its Input node only in the batch axis runs with that batch. Throws TesseraError
 * carrying the diagnostics when the graph has errors or an input is missing or mis-shaped.
 */
export function simulateFloat(model: Model, inputs: Record<string, Tensor>, opts: SimOptions = {}): SimResult {
  let graph: Graph = model.graph;
  const weights = model.weights ?? {};
  let analysis = analyzeGraph(graph, weights);
  if (analysis.hasErrors) fail('the graph has errors', analysis.diagnostics);

  // Match the given tensors to Input nodes.
  const given = new Map<string, Tensor>();
  const problems: Diagnostic[] = [];
  let batchOverride = false;
  for (const id of analysis.inputs) {
    if (opts.part && !opts.part.nodes.has(id)) continue;
    const node = analysis.nodes[id].node;
    const t = inputs[node.name] ?? inputs[id];
    const want = analysis.shapes[id]!;
    if (!t) {
      problems.push(makeDiagnostic({ code: 'sim-input-missing', nodeId: id, nodeName: node.name, field: 'input data', value: 'missing', rule: `a tensor of shape [${want.join(', ')}] is given for each Input`, fix: `pass inputs["${node.name}"]` }));
    } else if (!shapesEqual(t.shape, want)) {
      if (t.shape.length === want.length && t.shape.length > 1 && shapesEqual(t.shape.slice(1), want.slice(1)) && t.shape[0] >= 1) {
        batchOverride = true;
      } else {
        problems.push(makeDiagnostic({ code: 'sim-input-shape', nodeId: id, nodeName: node.name, field: 'input data', value: `[${t.shape.join(', ')}]`, rule: `the tensor has the Input's shape [${want.join(', ')}] (the batch may differ)`, fix: `pass a tensor of shape [${want.join(', ')}] or change the Input's shape` }));
      }
    }
    if (t) {
      given.set(id, t);
    }
  }
  if (problems.length) fail('the inputs do not match the graph', problems);
  if (batchOverride) {
    // Re-analyze with the given batch sizes in the Input nodes.
    graph = {
      ...graph,
      nodes: graph.nodes.map((n) => (given.has(n.id) && isGraphInput(n) ? { ...n, params: { ...n.params, shape: [...given.get(n.id)!.shape] } } : n)),
    };
    analysis = analyzeGraph(graph, weights);
    if (analysis.hasErrors) fail(`the graph has errors with the given batch size`, analysis.diagnostics);
  }

  // Consumers left per node, to free intermediates with keep = 'outputs'.
  const keepAll = (opts.keep ?? 'all') === 'all';
  const pending = new Map<string, number>();
  for (const id of analysis.order) for (const e of analysis.nodes[id].inputEdges) pending.set(e.source, (pending.get(e.source) ?? 0) + 1);
  const outputs = new Set(analysis.outputs);

  const values: Record<string, Tensor> = {};
  const timings: Record<string, number> = {};
  const part = opts.part;
  for (const id of analysis.order) {
    if (part && !part.nodes.has(id)) continue;
    if (opts.signal?.cancelled) throw new SimulationCancelled();
    const info = analysis.nodes[id];
    const op = info.op!;
    const args: Tensor[] = isGraphInput(info.node) ? [given.get(id)!] : info.inputEdges.map((e) => values[e.source] ?? part?.given[e.source]);
    if (args.some((a) => !a)) throw new TesseraError(`${info.node.name} (${info.node.type}): an input's value is neither computed in this part nor given`);
    const t0 = now();
    let out: Tensor;
    try {
      out = op.float(info.params, args, weights[id] ?? {});
    } catch (e) {
      if (e instanceof TesseraError) throw e;
      throw new TesseraError(`${info.node.name} (${info.node.type}) failed: ${(e as Error).message}`, [
        makeDiagnostic({ code: 'internal-error', nodeId: id, nodeName: info.node.name, rule: `${info.node.type} runs on validated inputs`, fix: 'report this bug' }),
      ]);
    }
    timings[id] = now() - t0;
    const expected: Shape = info.outputShape!;
    if (!shapesEqual(out.shape, expected)) {
      throw new TesseraError(`${info.node.name} (${info.node.type}) produced shape [${out.shape.join(', ')}], its shape rule says [${expected.join(', ')}] (a bug)`);
    }
    values[id] = out;
    if (!keepAll) {
      for (const e of info.inputEdges) {
        const left = pending.get(e.source)! - 1;
        pending.set(e.source, left);
        if (left === 0 && !outputs.has(e.source) && !isGraphInput(analysis.nodes[e.source].node)) delete values[e.source];
      }
    }
  }
  const result: Record<string, Tensor> = {};
  for (const id of analysis.outputs) if (values[id]) result[analysis.nodes[id].node.name] = values[id];
  return { outputs: result, values, order: analysis.order, analysis, timings };
}

/**
 * The content key of a float run of `model` on `inputs` (graph/run-key.ts): the graph as analysed (nodes without
 * their canvas positions, edges), every weight, every given input.
 */
export function floatRunKey(model: Model, inputs: Readonly<Record<string, Tensor>>): KeyPart[] {
  const nodes = model.graph.nodes.map((n) => ({ ...n, position: undefined }));
  return [
    `float run ${stableJson({ nodes, edges: model.graph.edges })}`,
    ...Object.keys(model.weights ?? {}).sort().flatMap((id) => [`weights of ${JSON.stringify(id)}`, ...nodeWeightsKey(model, id)]),
    ...inputsKey(inputs),
  ];
}
