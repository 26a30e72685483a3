// ONNX protobuf (de)serialisation, host-free: bytes in, plain objects out (and back).
// The message descriptor below is our own JSON transcription of the subset of onnx.proto that
// Tessera reads and writes, with the official field numbers (onnx/onnx.proto, IR version 8+).
// Fields we do not list are skipped by the decoder (protobuf's unknown-field rule).
import protobuf from 'protobufjs/light';

const str = (id: number) => ({ type: 'string', id });
const rep = (type: string, id: number, packed?: boolean) =>
  packed === undefined ? { type, id, rule: 'repeated' } : { type, id, rule: 'repeated', options: { packed } };

const descriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: str(1),
            refAttrName: str(21),
            docString: str(13),
            type: { type: 'AttributeType', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: rep('float', 7, false),
            ints: rep('int64', 8, false),
            strings: rep('bytes', 9),
            tensors: rep('TensorProto', 10),
            graphs: rep('GraphProto', 11),
          },
          nested: {
            AttributeType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, SPARSE_TENSOR: 11, TYPE_PROTO: 13,
                FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSORS: 12, TYPE_PROTOS: 14,
              },
            },
          },
        },
        ValueInfoProto: {
          fields: { name: str(1), type: { type: 'TypeProto', id: 2 }, docString: str(3) },
        },
        NodeProto: {
          fields: {
            input: rep('string', 1),
            output: rep('string', 2),
            name: str(3),
            opType: str(4),
            domain: str(7),
            attribute: rep('AttributeProto', 5),
            docString: str(6),
          },
        },
        StringStringEntryProto: { fields: { key: str(1), value: str(2) } },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: rep('OperatorSetIdProto', 8),
            producerName: str(2),
            producerVersion: str(3),
            domain: str(4),
            modelVersion: { type: 'int64', id: 5 },
            docString: str(6),
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: rep('StringStringEntryProto', 14),
          },
        },
        GraphProto: {
          fields: {
            node: rep('NodeProto', 1),
            name: str(2),
            initializer: rep('TensorProto', 5),
            docString: str(10),
            input: rep('ValueInfoProto', 11),
            output: rep('ValueInfoProto', 12),
            valueInfo: rep('ValueInfoProto', 13),
          },
        },
        TensorProto: {
          fields: {
            dims: rep('int64', 1, false),
            dataType: { type: 'int32', id: 2 },
            floatData: rep('float', 4, true),
            int32Data: rep('int32', 5, true),
            stringData: rep('bytes', 6),
            int64Data: rep('int64', 7, true),
            name: str(8),
            docString: str(12),
            rawData: { type: 'bytes', id: 9 },
            externalData: rep('StringStringEntryProto', 13),
            dataLocation: { type: 'int32', id: 14 },
            doubleData: rep('double', 10, true),
            uint64Data: rep('uint64', 11, true),
          },
        },
        TensorShapeProto: {
          fields: { dim: rep('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { type: 'int64', id: 1 }, dimParam: str(2), denotation: str(3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 }, denotation: str(6) },
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
          },
        },
        OperatorSetIdProto: { fields: { domain: str(1), version: { type: 'int64', id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
const ModelProtoType = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values Tessera knows. */
export const OnnxDataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
} as const;

export const OnnxAttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10,
  SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

export function dataTypeName(t: number): string {
  const e = Object.entries(OnnxDataType).find(([, v]) => v === t);
  return e ? e[0] : `data_type ${t}`;
}

// ---- plain-object view of the messages (camelCase field names, int64 as number) ----

export interface OnnxTensorProto {
  name?: string;
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  stringData?: Uint8Array[];
  rawData?: Uint8Array;
  dataLocation?: number;
  externalData?: { key?: string; value?: string }[];
  docString?: string;
}

export interface OnnxAttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensorProto;
  g?: OnnxGraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: OnnxTensorProto[];
  graphs?: OnnxGraphProto[];
  refAttrName?: string;
  docString?: string;
}

export interface OnnxNodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: OnnxAttributeProto[];
  docString?: string;
}

export interface OnnxDimension {
  dimValue?: number;
  dimParam?: string;
  denotation?: string;
}

export interface OnnxTypeProto {
  tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } };
  denotation?: string;
}

export interface OnnxValueInfoProto {
  name?: string;
  type?: OnnxTypeProto;
  docString?: string;
}

export interface OnnxGraphProto {
  node?: OnnxNodeProto[];
  name?: string;
  initializer?: OnnxTensorProto[];
  input?: OnnxValueInfoProto[];
  output?: OnnxValueInfoProto[];
  valueInfo?: OnnxValueInfoProto[];
  docString?: string;
}

export interface OnnxOperatorSetId {
  domain?: string;
  version?: number;
}

export interface OnnxModelProto {
  irVersion?: number;
  opsetImport?: OnnxOperatorSetId[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: OnnxGraphProto;
  metadataProps?: { key?: string; value?: string }[];
}

/** Parses ONNX ModelProto bytes. Throws (an Error with a plain message) when the bytes are not protobuf. */
export function decodeModelProto(bytes: Uint8Array): OnnxModelProto {
  const msg = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(msg, { longs: Number, enums: Number, arrays: true, defaults: false }) as OnnxModelProto;
}

export function encodeModelProto(model: OnnxModelProto): Uint8Array {
  const err = ModelProtoType.verify(model);
  if (err) throw new Error(`invalid ONNX model object: ${err}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

// ---- tensor data ----

export type TensorValues = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | number[];

/**
 * The values of a TensorProto as numbers (float, double, integer and bool types). Throws an Error with a
 * plain message for external data or types it cannot read (strings, float16, …).
 */
export function tensorProtoValues(t: OnnxTensorProto): { dims: number[]; dataType: number; values: Float64Array } {
  const dims = (t.dims ?? []).map(Number);
  const dataType = t.dataType ?? OnnxDataType.UNDEFINED;
  const n = dims.reduce((a, b) => a * b, 1);
  const label = t.name ? `tensor "${t.name}"` : 'tensor';
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    throw new Error(`${label} stores its data in an external file; save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))`);
  }
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0) || !Number.isSafeInteger(n)) throw new Error(`${label} has the impossible shape [${dims.join(', ')}]; the file is damaged`);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const elemSize: Record<number, number> = {
    [OnnxDataType.FLOAT]: 4, [OnnxDataType.DOUBLE]: 8, [OnnxDataType.INT64]: 8, [OnnxDataType.INT32]: 4,
    [OnnxDataType.INT16]: 2, [OnnxDataType.UINT16]: 2, [OnnxDataType.INT8]: 1, [OnnxDataType.UINT8]: 1,
    [OnnxDataType.BOOL]: 1, [OnnxDataType.UINT32]: 4, [OnnxDataType.UINT64]: 8,
  };
  const size = elemSize[dataType];
  if (size === undefined) throw new Error(`${label} has type ${dataTypeName(dataType)}, which Tessera cannot read; use float32 or an integer type`);
  if (raw) {
    if (raw.length !== n * size) throw new Error(`${label} raw_data has ${raw.length} bytes; shape [${dims.join(', ')}] of ${dataTypeName(dataType)} needs ${n * size}`);
    // Allocated only once the data is known to be there: a damaged shape must not allocate its size.
    const out = new Float64Array(n);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      switch (dataType) {
        case OnnxDataType.FLOAT: out[i] = dv.getFloat32(o, true); break;
        case OnnxDataType.DOUBLE: out[i] = dv.getFloat64(o, true); break;
        case OnnxDataType.INT64: out[i] = Number(dv.getBigInt64(o, true)); break;
        case OnnxDataType.UINT64: out[i] = Number(dv.getBigUint64(o, true)); break;
        case OnnxDataType.INT32: out[i] = dv.getInt32(o, true); break;
        case OnnxDataType.UINT32: out[i] = dv.getUint32(o, true); break;
        case OnnxDataType.INT16: out[i] = dv.getInt16(o, true); break;
        case OnnxDataType.UINT16: out[i] = dv.getUint16(o, true); break;
        case OnnxDataType.INT8: out[i] = dv.getInt8(o); break;
        default: out[i] = dv.getUint8(o); break;
      }
    }
    return { dims, dataType, values: out };
  }
  let src: number[] | undefined;
  switch (dataType) {
    case OnnxDataType.FLOAT: src = t.floatData; break;
    case OnnxDataType.DOUBLE: src = t.doubleData; break;
    case OnnxDataType.INT64: src = t.int64Data; break;
    case OnnxDataType.UINT64: case OnnxDataType.UINT32: src = t.uint64Data; break;
    default: src = t.int32Data; break;
  }
  src = src ?? [];
  if (src.length !== n) throw new Error(`${label} has ${src.length} values; shape [${dims.join(', ')}] needs ${n}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(src[i]);
  return { dims, dataType, values: out };
}

// ---- model builder (tests and export) ----

export type OnnxDType = 'float32' | 'int64' | 'int32' | 'float64';

const dtypeCode: Record<OnnxDType, number> = {
  float32: OnnxDataType.FLOAT, int64: OnnxDataType.INT64, int32: OnnxDataType.INT32, float64: OnnxDataType.DOUBLE,
};

export interface TensorInit {
  name: string;
  dims: readonly number[];
  data: ArrayLike<number>;
  /** Default 'float32'. */
  dtype?: OnnxDType;
}

/** Encodes values as a TensorProto with little-endian raw_data. */
export function makeTensorProto(t: TensorInit): OnnxTensorProto {
  const dtype = t.dtype ?? 'float32';
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new Error(`tensor "${t.name}": ${t.data.length} values for dims [${t.dims.join(', ')}] (${n})`);
  const size = dtype === 'float32' || dtype === 'int32' ? 4 : 8;
  const raw = new Uint8Array(n * size);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    const v = t.data[i];
    if (dtype === 'float32') dv.setFloat32(i * 4, v, true);
    else if (dtype === 'int32') dv.setInt32(i * 4, v, true);
    else if (dtype === 'float64') dv.setFloat64(i * 8, v, true);
    else dv.setBigInt64(i * 8, BigInt(Math.trunc(v)), true);
  }
  return { name: t.name, dims: [...t.dims], dataType: dtypeCode[dtype], rawData: raw };
}

/** An attribute value for the builder. Plain numbers are INT unless not an integer or the name is a
 * known float attribute; use {float: x} / {floats: [...]} / {ints: [...]} to force a type. */
export type AttrValue =
  | number
  | string
  | number[]
  | string[]
  | { float: number }
  | { floats: number[] }
  | { int: number }
  | { ints: number[] }
  | { tensor: Omit<TensorInit, 'name'> & { name?: string } };

/** Attributes that ONNX defines as FLOAT / FLOATS for the ops Tessera uses. */
const floatAttrNames = new Set([
  'alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'scales', 'value_float', 'value_floats', 'bias', 'lambd',
  'extrapolation_value', 'cubic_coeff_a', 'spatial_scale', 'ratio', 'min', 'max', 'p', 'height_scale', 'width_scale',
]);

export function makeAttribute(name: string, v: AttrValue): OnnxAttributeProto {
  const A = OnnxAttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    return floatAttrNames.has(name) || !Number.isInteger(v) ? { name, type: A.FLOAT, f: v } : { name, type: A.INT, i: v };
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { name, type: A.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    const nums = v as number[];
    return floatAttrNames.has(name) || nums.some((x) => !Number.isInteger(x))
      ? { name, type: A.FLOATS, floats: nums }
      : { name, type: A.INTS, ints: nums };
  }
  if ('float' in v) return { name, type: A.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
  if ('int' in v) return { name, type: A.INT, i: v.int };
  if ('ints' in v) return { name, type: A.INTS, ints: v.ints };
  return { name, type: A.TENSOR, t: makeTensorProto({ name: v.tensor.name ?? '', ...v.tensor }) };
}

export interface ValueSpec {
  name: string;
  /** Dimensions; a string is a symbolic dimension (e.g. 'N'); omit for an unknown shape. */
  shape?: readonly (number | string)[];
  dtype?: OnnxDType;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, AttrValue | undefined>;
}

export interface BuildOnnxModelOptions {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: TensorInit[];
  /** Default opset 13 of the default domain. */
  opset?: number;
  graphName?: string;
  producerName?: string;
  /** Default 8 (opset ≤ 18 runs on every onnxruntime since 1.14). */
  irVersion?: number;
}

export function makeValueInfo(v: ValueSpec): OnnxValueInfoProto {
  const tensorType: NonNullable<OnnxTypeProto['tensorType']> = { elemType: dtypeCode[v.dtype ?? 'float32'] };
  if (v.shape) tensorType.shape = { dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) };
  return { name: v.name, type: { tensorType } };
}

/** Builds an ONNX model object from a compact description. */
export function buildOnnxModelProto(o: BuildOnnxModelOptions): OnnxModelProto {
  const nodes: OnnxNodeProto[] = o.nodes.map((n, i) => {
    const attribute = Object.entries(n.attrs ?? {})
      .filter((e): e is [string, AttrValue] => e[1] !== undefined)
      .map(([k, v]) => makeAttribute(k, v));
    const node: OnnxNodeProto = { input: n.inputs, output: n.outputs, name: n.name ?? `${n.op}_${i}`, opType: n.op, attribute };
    if (n.domain) node.domain = n.domain;
    return node;
  });
  return {
    irVersion: o.irVersion ?? 8,
    producerName: o.producerName ?? 'tessera',
    opsetImport: [{ domain: '', version: o.opset ?? 13 }],
    graph: {
      name: o.graphName ?? 'graph',
      node: nodes,
      initializer: (o.initializers ?? []).map(makeTensorProto),
      input: o.inputs.map(makeValueInfo),
      output: o.outputs.map(makeValueInfo),
    },
  };
}

/** Builds ONNX model bytes, e.g. for onnxruntime's InferenceSession.create(bytes). */
export function buildOnnxModel(o: BuildOnnxModelOptions): Uint8Array {
  return encodeModelProto(buildOnnxModelProto(o));
}

/** The string of a STRING attribute. */
export function attrString(a: OnnxAttributeProto): string {
  return a.s ? new TextDecoder().decode(a.s) : '';
}
