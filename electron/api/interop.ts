// ONNX import/export for the services, from the engine (engine/interop/onnx), with the layout label of
// every weight slot taken from the op definitions (analyzeGraph). Import also reads Keras .keras / .h5
// files (engine/interop/load.ts picks the reader from the file's bytes), within the import time and size
// limits (electron/services/import/runner.ts).
import type { Graph } from '../../engine/graph/model';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import type { Tensor } from '../../engine/tensor/tensor';
import { loadModelBounded } from '../services/import/runner';
import { exportOnnx } from '../../engine/interop/onnx/export';
import { analyzeGraph } from '../../engine/graph/analyze';
import { withImportedPrecisions } from '../../engine/graph/precision';
import { tensorToStored, storedToTensor, type StoredWeights } from '../services/store';

export interface ImportedModel {
  /** With the file's per-layer precisions (QONNX / QKeras) on its nodes. */
  graph: Graph;
  weights: StoredWeights;
  diagnostics: Diagnostic[];
}

export interface Interop {
  importOnnx?(bytes: Uint8Array, fileName: string): ImportedModel | Promise<ImportedModel>;
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
    async importOnnx(bytes, fileName) {
      const r = await loadModelBounded(fileName, bytes);
      const layoutOf = layoutLookup(r.model.graph);
      const weights: StoredWeights = {};
      for (const [n, slots] of Object.entries(r.model.weights)) {
        weights[n] = {};
        for (const [s, t] of Object.entries(slots)) weights[n][s] = tensorToStored(t, layoutOf(n, s));
      }
      return { graph: withImportedPrecisions(r.model.graph, r.precisions), weights, diagnostics: r.diagnostics };
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
