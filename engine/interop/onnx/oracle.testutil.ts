// Test helpers (not shipped code): run an ONNX model in onnxruntime-node and in Tessera, compare.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { randomTensor, type Tensor } from '../../tensor/tensor';
import { simulateFloat } from '../../sim/float';
import type { Model } from '../../graph/model';
import { importOnnx, type OnnxImportOptions, type OnnxImportResult } from './import';

export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', t.data, [...t.shape]);
  const res = await session.run(ortFeeds);
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(res)) out[k] = { shape: v.dims.map(Number), data: Float32Array.from(v.data as Float32Array) };
  return out;
}

/** Max |a − b| relative to max(1, max |b|). */
export function relError(a: Tensor, b: Tensor): number {
  let scale = 1;
  for (const v of b.data) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.data.length; i++) err = Math.max(err, Math.abs(a.data[i] - b.data[i]));
  return err / scale;
}

export function expectClose(actual: Tensor, expected: Tensor, tol = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  const e = relError(actual, expected);
  expect(e, `relative error ${e}`).toBeLessThanOrEqual(tol);
}

/** Runs an imported model's graph outputs on the given inputs (by ONNX input name) and maps them to ONNX output names. */
export function runImported(imp: OnnxImportResult, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const byNode: Record<string, Tensor> = {};
  for (const i of imp.inputs) byNode[i.nodeId] = feeds[i.name];
  const res = simulateFloat(imp.model as Model, byNode, { keep: 'outputs' });
  const out: Record<string, Tensor> = {};
  for (const o of imp.outputs) {
    const node = imp.model.graph.nodes.find((n) => n.id === o.nodeId)!;
    out[o.name] = res.outputs[node.name];
  }
  return out;
}

/** Imports `bytes`, runs Tessera and onnxruntime on random inputs, expects equal outputs; returns the import. */
export async function expectMatchesOrt(bytes: Uint8Array, seed = 1, tol = 1e-4, options?: OnnxImportOptions): Promise<OnnxImportResult> {
  const imp = importOnnx(bytes, options);
  const feeds: Record<string, Tensor> = {};
  imp.inputs.forEach((i, k) => (feeds[i.name] = randomTensor(i.shape, seed * 7919 + k)));
  const ref = await runOrt(bytes, feeds);
  const got = runImported(imp, feeds);
  for (const o of imp.outputs) expectClose(got[o.name], ref[o.name], tol);
  return imp;
}
