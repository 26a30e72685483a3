// ONNX import/export for the services, from the engine's interop modules (engine/interop/onnx).
// They are loaded lazily, and a build without them answers 'unsupported' instead of failing to start.
import type { Graph } from '../../engine/graph/model';
import type { Diagnostic } from '../../engine/graph/diagnostics';
import type { Tensor } from '../../engine/tensor/tensor';
import { tensorToStored, storedToTensor, type StoredWeights } from '../services/store';

export interface Interop {
  importOnnx?(bytes: Uint8Array, fileName: string): { graph: Graph; weights: StoredWeights; diagnostics: Diagnostic[] };
  exportOnnx?(graph: Graph, weights: StoredWeights): Uint8Array;
}

type EngineImport = (bytes: Uint8Array) => { model: { graph: Graph; weights: Record<string, Record<string, Tensor>> }; diagnostics: Diagnostic[] };
type EngineExport = (model: { graph: Graph; weights: Record<string, Record<string, Tensor>> }) => Uint8Array;
type Analyze = (graph: Graph) => { nodes: Record<string, { weightSlots: { name: string; layout: string }[] }> };

async function tryImport(rel: string): Promise<Record<string, unknown> | null> {
  try {
    return (await import(/* @vite-ignore */ new URL(rel, import.meta.url).href)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Axis-order label of each weight slot, from the op definitions (falls back to 'canonical'). */
function layoutLookup(analyze: Analyze | null, graph: Graph): (nodeId: string, slot: string) => string {
  let slots: Record<string, { weightSlots: { name: string; layout: string }[] }> = {};
  try {
    if (analyze) slots = analyze(graph).nodes;
  } catch {
    /* labels only */
  }
  return (nodeId, slot) => slots[nodeId]?.weightSlots.find((s) => s.name === slot)?.layout ?? 'canonical';
}

export async function loadInterop(): Promise<Interop> {
  const [imp, exp, ana] = await Promise.all([
    tryImport('../../engine/interop/onnx/import.ts'),
    tryImport('../../engine/interop/onnx/export.ts'),
    tryImport('../../engine/graph/analyze.ts'),
  ]);
  const importFn = imp?.importOnnx as EngineImport | undefined;
  const exportFn = exp?.exportOnnx as EngineExport | undefined;
  const analyze = (ana?.analyzeGraph as Analyze | undefined) ?? null;
  const interop: Interop = {};
  if (importFn) {
    interop.importOnnx = (bytes) => {
      const r = importFn(bytes);
      const layoutOf = layoutLookup(analyze, r.model.graph);
      const weights: StoredWeights = {};
      for (const [n, slots] of Object.entries(r.model.weights)) {
        weights[n] = {};
        for (const [s, t] of Object.entries(slots)) weights[n][s] = tensorToStored(t, layoutOf(n, s));
      }
      return { graph: r.model.graph, weights, diagnostics: r.diagnostics };
    };
  }
  if (exportFn) {
    interop.exportOnnx = (graph, weights) => {
      const w: Record<string, Record<string, Tensor>> = {};
      for (const [n, slots] of Object.entries(weights)) {
        w[n] = {};
        for (const [s, t] of Object.entries(slots)) w[n][s] = storedToTensor(t);
      }
      return exportFn({ graph, weights: w });
    };
  }
  return interop;
}
