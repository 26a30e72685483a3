// Shared by the CLI commands that read model and array files: loading with one-line errors.
import { graphLayerPrecisions } from '../../engine/hls/project-precision';
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './commands/types';
import { TesseraError } from '../../engine/diagnostics/diagnostics';
import { importOnnx, type OnnxImportResult } from '../../engine/interop/onnx/import';
import { NpyError, readNpy, writeNpy } from '../../engine/interop/npy';
import { modelFileKind, type LoadedModel } from '../../engine/interop/load';
import { loadModelBounded } from '../services/import/runner';
import type { Tensor } from '../../engine/tensor/tensor';
import { analyzeGraph } from '../../engine/graph/analyze';
import { readProjectDocument, StoreError, weightsToEngine } from '../services/store';

export function readFileOrFail(file: string, what: string): Uint8Array {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new CliError(`${what} ${file} does not exist; check the path`);
  }
  if (st.isDirectory()) throw new CliError(`${what} ${file} is a directory, not a file`);
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function loadOnnxModel(file: string): OnnxImportResult {
  const ext = path.extname(file).toLowerCase();
  const bytes = readFileOrFail(file, 'model');
  if (bytes.length === 0) throw new CliError(`model ${file} is empty; expected an ONNX (.onnx) file`);
  try {
    return importOnnx(bytes);
  } catch (e) {
    if (e instanceof TesseraError) {
      const hint = ext !== '.onnx' && /not an ONNX model/.test(e.message) ? ' (Tessera reads ONNX .onnx files)' : '';
      throw new CliError(`${file}: ${e.message.split('\n')[0]}${hint}`);
    }
    throw e;
  }
}

/** A model loaded by the CLI: an imported model file, or the graph and weights of a Tessera project. */
export type CliLoadedModel = Omit<LoadedModel, 'kind'> & { kind: LoadedModel['kind'] | 'tessera' };

const SQLITE_MAGIC = 'SQLite format 3\0';

function isProjectFile(file: string, bytes: Uint8Array): boolean {
  if (file.toLowerCase().endsWith('.tessera')) return true;
  return bytes.length >= 16 && String.fromCharCode(...bytes.subarray(0, 16)) === SQLITE_MAGIC;
}

/** The graph and weights of a .tessera project (read-only), in the shape of an imported model. */
export function loadProjectModel(file: string, weightsFile?: string): CliLoadedModel {
  if (weightsFile !== undefined) throw new CliError(`--weights is for a Keras model JSON; the project ${file} carries its own weights: drop --weights`, 2);
  let doc;
  try {
    doc = readProjectDocument(file);
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message.split('\n')[0]);
    throw e;
  }
  const model = { graph: doc.graph, weights: weightsToEngine(doc.weights) };
  const a = analyzeGraph(model.graph, model.weights);
  const byId = new Map(model.graph.nodes.map((n) => [n.id, n]));
  const io = (ids: string[]) => ids.map((id) => ({ name: byId.get(id)?.name ?? id, nodeId: id, shape: [...(a.shapes[id] ?? [])] }));
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new CliError(`${file}: the design has ${errors.length} error${errors.length === 1 ? '' : 's'}; first: ${errors[0].message.split('\n')[0]} (fix it in the app, then run again)`);
  return {
    model,
    diagnostics: a.diagnostics,
    inputs: io(a.inputs),
    outputs: io(a.outputs),
    kind: 'tessera',
    source: `Tessera project`,
    freeBatchInputs: [],
    // The layers' own types (GraphNode.precision), as the app's builds and preview use them.
    precisions: graphLayerPrecisions(model.graph),
  };
}

/**
 * Any supported model file: ONNX, Keras 3 .keras, legacy Keras .h5, a Keras model JSON whose weights are
 * `weightsFile` or, without it, `<stem>_weights.h5` beside the JSON (hls4ml's example models), or a Tessera
 * project (.tessera: its graph and weights).
 */
export async function loadModel(file: string, weightsFile?: string): Promise<CliLoadedModel> {
  const bytes = readFileOrFail(file, 'model');
  if (bytes.length === 0) throw new CliError(`model ${file} is empty; expected an ONNX (.onnx) or Keras (.keras, .h5, model .json) file or a Tessera project (.tessera)`);
  if (isProjectFile(file, bytes)) return loadProjectModel(file, weightsFile);
  const kind = modelFileKind(file, bytes);
  if (weightsFile !== undefined && kind !== 'json') throw new CliError(`--weights is for a Keras model JSON; ${file} carries its own weights: drop --weights`, 2);
  let weights: Uint8Array | undefined;
  let weightsName: string | undefined;
  if (kind === 'json') {
    weightsName = weightsFile ?? path.join(path.dirname(file), `${path.basename(file, path.extname(file))}_weights.h5`);
    if (weightsFile === undefined && !fs.existsSync(weightsName))
      throw new CliError(`${file} is a Keras model JSON and ${weightsName} does not exist; pass its weights with --weights W.h5`);
    weights = readFileOrFail(weightsName, 'weights');
  }
  try {
    return await loadModelBounded(file, bytes, { weights, weightsName });
  } catch (e) {
    if (e instanceof TesseraError) {
      const ext = path.extname(file).toLowerCase();
      const hint = kind === 'onnx' && ext !== '.onnx' && /not an ONNX model/.test(e.message) ? ' (Tessera reads ONNX .onnx files and Keras .keras, .h5 and model .json files)' : '';
      const msg = e.message.split('\n')[0];
      throw new CliError(msg.startsWith(file) ? msg : `${file}: ${msg}${hint}`);
    }
    throw e;
  }
}

export function loadNpy(file: string): Tensor {
  const bytes = readFileOrFail(file, 'input');
  try {
    return readNpy(bytes, { dtype: 'convert' });
  } catch (e) {
    if (e instanceof NpyError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

export function saveNpy(file: string, t: Tensor): void {
  try {
    fs.writeFileSync(file, writeNpy(t));
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check that the folder exists and is writable`);
  }
}
