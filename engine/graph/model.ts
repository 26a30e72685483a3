// The graph a user designs: nodes with typed parameters, edges between ports, weights by node.
import type { Tensor } from '../tensor/tensor';
import type { PrecisionSpec } from '../fixed/precision';

export interface GraphNode {
  id: string;
  /** Op type, a key of the op registry (e.g. 'ConvTranspose2D'). */
  type: string;
  /** Display name, unique in the graph; used by HLS layer names and messages. */
  name: string;
  /** Parameters as the op's zod schema describes them (validated, never trusted). */
  params: Record<string, unknown>;
  position?: { x: number; y: number };
  /**
   * The layer's fixed-point types by field (weight_t, bias_t, accum_t, result_t, table_t; accum_t and
   * result_t may be 'auto'); missing fields take the project's default. See engine/graph/precision.ts.
   */
  precision?: PrecisionSpec;
}

export interface GraphEdge {
  id: string;
  source: string;
  /** Output port index of the source node (ops have one output today). */
  sourcePort: number;
  target: string;
  /** Input port index of the target node. */
  targetPort: number;
}

export interface Graph {
  /** Schema version of this document (see engine/graph/schema.ts). */
  version: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * Weights in each op's canonical layout (see the op's weight slots), by node id then slot name. Treat each
 * tensor's data as a value: the engine caches what it derives from an array (packed, quantized) by identity,
 * so change weights by replacing the array, or call invalidateWeightCaches (engine/ops/weight-caches.ts) after an
 * in-place edit.
 */
export type WeightMap = Record<string, Record<string, Tensor>>;

export interface Model {
  graph: Graph;
  weights: WeightMap;
}

/**
 * Part of a run: only `nodes` run; the values they read from other nodes come from `given` (computed by
 * another part). Each node computes exactly what it computes in a whole run, so parts chained together
 * give the whole run's values.
 */
export interface PartialRun<T> {
  nodes: ReadonlySet<string>;
  given: Readonly<Record<string, T>>;
}
