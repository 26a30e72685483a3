// ONNX import/export for the services, from the engine (engine/interop/onnx), with the layout label of
// every weight slot taken from the op definitions (analyzeGraph).
import type { Graph } from '../../engine/graph/model';
import type { Diagnostic } from '../../engine/graph/diagnostics';
import type { Tensor } from '../../engine/tensor/tensor';
import { importOnnx } from '../../engine/interop/onnx/import';
import { exportOnnx } from '../../engine/interop/onnx/export';
import { analyzeGraph } from '../../engine/graph/analyze';
import { tensorToStored, storedToTensor, type StoredWeights } from '../services/store';

export interface Interop {
  importOnnx?(bytes: Uint8Array, fileName: string): { graph: Graph; weights: StoredWeights; diagnostics: Diagnostic[] };
  exportOnnx?(graph: Graph, weights: StoredWeights): Uint8Array;
}

/** Axis-order label of each weight slot, from the op definitions (falls back to 'canonical'). */
export function layoutLookup(graph: Graph): (nodeId: string, slot: string) => string {
  let nodes: ReturnType<typeof analyzeGraph>['nodes'] = {};
  try {
    nodes = analyzeGraph(graph).nodes;
  } catch {
    /* labels only */
  }
  return (nodeId, slot) => nodes[nodeId]?.weightSlots.find((s) => s.name === slot)?.layout ?? 'canonical';
}

export function engineInterop(): Interop {
  return {
    importOnnx(bytes) {
      const r = importOnnx(bytes);
      const layoutOf = layoutLookup(r.model.graph);
      const weights: StoredWeights = {};
      for (const [n, slots] of Object.entries(r.model.weights)) {
        weights[n] = {};
        for (const [s, t] of Object.entries(slots)) weights[n][s] = tensorToStored(t, layoutOf(n, s));
      }
      return { graph: r.model.graph, weights, diagnostics: r.diagnostics };
    },
    exportOnnx(graph, weights) {
      const w: Record<string, Record<string, Tensor>> = {};
      for (const [n, slots] of Object.entries(weights)) {
        w[n] = {};
        for (const [s, t] of Object.entries(slots)) w[n][s] = storedToTensor(t);
      }
      return exportOnnx({ graph, weights: w });
    },
  };
}
