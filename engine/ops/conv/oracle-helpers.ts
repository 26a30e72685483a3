// Test helpers (used only by *.test.ts and bench/): a minimal ONNX protobuf writer for one-node
// models, enough to ask onnxruntime what Conv / ConvTranspose compute. Hand-written wire format:
// varints, length-delimited fields, packed int64s, raw float data.

type Bytes = number[];

function varint(out: Bytes, v: number | bigint): void {
  let n = BigInt.asUintN(64, BigInt(v));
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

function key(out: Bytes, field: number, wire: number): void {
  varint(out, (field << 3) | wire);
}

function fieldVarint(out: Bytes, field: number, v: number): void {
  key(out, field, 0);
  varint(out, v);
}

function fieldBytes(out: Bytes, field: number, bytes: ArrayLike<number>): void {
  key(out, field, 2);
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
}

function fieldString(out: Bytes, field: number, s: string): void {
  fieldBytes(out, field, new TextEncoder().encode(s));
}

function msg(build: (out: Bytes) => void): Bytes {
  const out: Bytes = [];
  build(out);
  return out;
}

export type OnnxAttr = number | number[] | string;

/** AttributeProto: name=1, i=3, s=4, ints=8, type=20 (INT 2, STRING 3, INTS 7). */
function attribute(name: string, v: OnnxAttr): Bytes {
  return msg((o) => {
    fieldString(o, 1, name);
    if (typeof v === 'number') {
      fieldVarint(o, 3, v);
      fieldVarint(o, 20, 2);
    } else if (typeof v === 'string') {
      fieldString(o, 4, v);
      fieldVarint(o, 20, 3);
    } else {
      for (const e of v) fieldVarint(o, 8, e);
      fieldVarint(o, 20, 7);
    }
  });
}

/** ValueInfoProto of a float tensor with a fixed shape. */
function valueInfo(name: string, shape: readonly number[]): Bytes {
  const dims = shape.map((d) => msg((o) => fieldVarint(o, 1, d)));
  const shapeProto = msg((o) => dims.forEach((d) => fieldBytes(o, 1, d)));
  const tensorType = msg((o) => {
    fieldVarint(o, 1, 1);
    fieldBytes(o, 2, shapeProto);
  });
  const typeProto = msg((o) => fieldBytes(o, 1, tensorType));
  return msg((o) => {
    fieldString(o, 1, name);
    fieldBytes(o, 2, typeProto);
  });
}

/** TensorProto of float32 data: dims=1, data_type=2 (FLOAT = 1), name=8, raw_data=9. */
function floatTensor(name: string, shape: readonly number[], data: Float32Array): Bytes {
  return msg((o) => {
    for (const d of shape) fieldVarint(o, 1, d);
    fieldVarint(o, 2, 1);
    fieldString(o, 8, name);
    fieldBytes(o, 9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
}

export interface OnnxNodeSpec {
  opType: string;
  /** Node inputs; those also listed in initializers are constants, the others graph inputs. */
  inputs: { name: string; shape: readonly number[] }[];
  initializers?: Record<string, Float32Array>;
  output: { name: string; shape?: readonly number[] };
  attributes: Record<string, OnnxAttr | undefined>;
  opset?: number;
}

/** Serialized ModelProto with one node; its inputs are graph inputs or initializers. */
export function oneNodeModel(spec: OnnxNodeSpec): Uint8Array {
  const node = msg((o) => {
    for (const i of spec.inputs) fieldString(o, 1, i.name);
    fieldString(o, 2, spec.output.name);
    fieldString(o, 3, 'n0');
    fieldString(o, 4, spec.opType);
    for (const [k, v] of Object.entries(spec.attributes)) if (v !== undefined) fieldBytes(o, 5, attribute(k, v));
  });
  const graph = msg((o) => {
    fieldBytes(o, 1, node);
    fieldString(o, 2, 'g');
    const inits = spec.initializers ?? {};
    for (const i of spec.inputs) if (inits[i.name]) fieldBytes(o, 5, floatTensor(i.name, i.shape, inits[i.name]));
    for (const i of spec.inputs) if (!inits[i.name]) fieldBytes(o, 11, valueInfo(i.name, i.shape));
    if (spec.output.shape) fieldBytes(o, 12, valueInfo(spec.output.name, spec.output.shape));
    else
      fieldBytes(o, 12, msg((v) => {
        fieldString(v, 1, spec.output.name);
        fieldBytes(v, 2, msg((t) => fieldBytes(t, 1, msg((tt) => fieldVarint(tt, 1, 1)))));
      }));
  });
  const model = msg((o) => {
    fieldVarint(o, 1, 8); // ir_version
    fieldString(o, 2, 'tessera-tests');
    fieldBytes(o, 7, graph);
    fieldBytes(o, 8, msg((op) => {
      fieldString(op, 1, '');
      fieldVarint(op, 2, spec.opset ?? 17);
    }));
  });
  return Uint8Array.from(model);
}
