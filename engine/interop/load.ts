// One entry for model files of any supported kind: bytes in, model out. Dispatches on the first bytes
// (zip → Keras 3 .keras, HDF5 → legacy Keras .h5, '{' → Keras model JSON) and otherwise reads ONNX
// (protobuf has no signature). Hosts read the files; a model JSON needs its weights HDF5 passed in.
import type { Diagnostic } from '../diagnostics/diagnostics';
import type { Model } from '../graph/model';
import type { PrecisionSpec } from '../fixed/precision';
import { importOnnx } from './onnx/import';
import { importKeras, kerasFileKind } from './keras/import';
import { importQonnxProto, isQonnxProto } from './qonnx/import';
import { decodeModelProto } from './onnx/proto';
import type { ImportLimits } from './limits';

export type ModelFileKind = 'onnx' | 'keras3' | 'h5' | 'json';

export interface LoadedModel {
  model: Model;
  diagnostics: Diagnostic[];
  inputs: { name: string; nodeId: string; shape: number[] }[];
  outputs: { name: string; nodeId: string; shape: number[] }[];
  kind: ModelFileKind;
  /** One line about the source, e.g. 'ONNX opset 13, from pytorch' or 'Keras 3.6.0 (.keras)'. */
  source: string;
  /** Inputs whose batch axis is free in the file (ONNX symbolic batch, Keras None). */
  freeBatchInputs: string[];
  /** Per-node precision specs the file carries (QKeras quantizers), by node id. */
  precisions: Record<string, PrecisionSpec>;
}

/** The kind of a model file: a .onnx name is ONNX; otherwise the bytes decide (then the name). */
export function modelFileKind(name: string, bytes: Uint8Array): ModelFileKind {
  if (name.toLowerCase().endsWith('.onnx')) return 'onnx';
  return kerasFileKind(name, bytes) ?? 'onnx';
}

export interface LoadExtra {
  /** Weights HDF5 of a Keras model JSON. */
  weights?: Uint8Array;
  weightsName?: string;
  /** What reading may inflate and allocate (default DEFAULT_IMPORT_LIMITS). Hosts add a time limit (electron/services/import). */
  limits?: ImportLimits;
}

/** Imports a model file of any supported kind. Throws TesseraError (one line) for bad or unsupported files. */
export async function loadModelBytes(name: string, bytes: Uint8Array, extra: LoadExtra = {}): Promise<LoadedModel> {
  const kind = modelFileKind(name, bytes);
  if (kind === 'onnx') {
    const q = qonnxProtoOf(bytes);
    if (q) {
      const r = importQonnxProto(q);
      return {
        model: r.model, diagnostics: r.diagnostics, inputs: r.inputs, outputs: r.outputs, kind,
        source: `QONNX (ONNX opset ${r.opset}${r.producer ? `, from ${r.producer}` : ''}), ${r.quantizers.length} quantizers → precisions of ${Object.keys(r.precisions).length} layers`,
        freeBatchInputs: r.inputs.filter((i) => r.diagnostics.some((d) => d.code === 'onnx-batch' && d.nodeName === i.name)).map((i) => i.name),
        precisions: r.precisions,
      };
    }
    const r = importOnnx(bytes);
    return {
      model: r.model, diagnostics: r.diagnostics, inputs: r.inputs, outputs: r.outputs, kind,
      source: `ONNX opset ${r.opset}${r.producer ? `, from ${r.producer}` : ''}`,
      freeBatchInputs: r.inputs.filter((i) => r.diagnostics.some((d) => d.code === 'onnx-batch' && d.nodeName === i.name)).map((i) => i.name),
      precisions: {},
    };
  }
  const r = await importKeras(name, bytes, extra);
  const form = r.format === 'keras3' ? '.keras' : r.format === 'h5' ? '.h5' : 'model JSON + weights';
  return {
    model: r.model, diagnostics: r.diagnostics, inputs: r.inputs, outputs: r.outputs, kind,
    source: `Keras${r.kerasVersion ? ` ${r.kerasVersion}` : ''} ${form}, model '${r.modelName}'${Object.keys(r.precisions).length ? `, ${Object.keys(r.precisions).length} layers with QKeras precisions` : ''}`,
    freeBatchInputs: r.inputs.filter((i) => i.freeBatch).map((i) => i.name),
    precisions: r.precisions,
  };
}

/** The decoded model when the bytes are ONNX with QONNX Quant / BipolarQuant nodes. */
function qonnxProtoOf(bytes: Uint8Array) {
  try {
    const p = decodeModelProto(bytes);
    return p.graph && isQonnxProto(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
