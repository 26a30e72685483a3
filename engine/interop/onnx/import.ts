// ONNX → Tessera model. Host-free: bytes in, { model, diagnostics } out.
//
// Every ONNX node is converted by a handler that reads each attribute it understands; any attribute
// left unread, any unsupported op, value or input combination throws a TesseraError naming the node,
// the op and the attribute, so a model never imports into something that computes differently.
// Shapes are tracked with the engine's own shape rules (op.infer) as nodes are created, and graph
// output shapes declared in the ONNX file are checked against them.
import { analyzeGraph } from '../../graph/analyze';
import { makeDiagnostic, TesseraError, DiagnosticSink, type Diagnostic } from '../../diagnostics/diagnostics';
import type { Graph, GraphEdge, GraphNode, Model, WeightMap } from '../../graph/model';
import { getOp } from '../../ops/registry';
import type { Tensor } from '../../tensor/tensor';
import {
  attrString, dataTypeName, decodeModelProto, OnnxAttributeType, OnnxDataType, tensorProtoValues,
  type OnnxAttributeProto, type OnnxModelProto, type OnnxNodeProto, type OnnxTensorProto,
} from './proto';

/** Ops the importer understands (the error for any other op lists them). */
export const SUPPORTED_ONNX_OPS = [
  'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'Selu',
  'BatchNormalization', 'Flatten', 'Reshape', 'Transpose', 'Identity', 'Dropout', 'Resize', 'Upsample',
  'MaxPool', 'AveragePool', 'Add', 'Concat', 'Pad', 'Constant',
  'Sub', 'Mul', 'Div', // with a scalar or per-channel constant (→ BatchNormalization), or on constants
  // on constants only (shape arithmetic that exporters emit, folded at import); Slice also on the spatial
  // axes of computed data (steps 1 → Cropping):
  'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Cast', 'Slice',
] as const;

export interface OnnxImportResult {
  model: Model;
  /** Warnings about the conversion (e.g. a symbolic batch size taken as 1) and the graph's own warnings. */
  diagnostics: Diagnostic[];
  /** Graph inputs: ONNX tensor name → Input node id and shape. */
  inputs: { name: string; nodeId: string; shape: number[] }[];
  /** Graph outputs: ONNX tensor name → producing node id and shape. */
  outputs: { name: string; nodeId: string; shape: number[] }[];
  opset: number;
  producer: string;
  /** ONNX tensor name → engine node id computing it (for tensors that map to a node of the final graph). */
  tensors: Record<string, string>;
}

export interface OnnxImportOptions {
  /** Size used for a symbolic batch axis (axis 0 of an input). Default 1. */
  batchSize?: number;
  /**
   * Default true: Transpose(NXC→NCX) → layers → Transpose(NCX→NXC) sandwiches (tf2onnx's channels-last
   * wrapping) become the same layers with dataFormat 'NXC', and Transpose pairs that cancel are removed.
   */
  foldTransposes?: boolean;
}

interface ConstVal {
  kind: 'const';
  dims: number[];
  values: Float64Array;
  dataType: number;
}
interface TensorVal {
  kind: 'tensor';
  /** Engine node producing it. */
  id: string;
  shape: number[];
}
type Val = ConstVal | TensorVal;

const BIAS_FOLD_TYPES = new Set(['Dense', 'Conv1D', 'Conv2D', 'ConvTranspose1D', 'ConvTranspose2D']);

function fail(node: string | undefined, op: string | undefined, what: string, fix: string, field?: string, value?: unknown): never {
  const where = node ? `ONNX node "${node}"${op ? ` (${op})` : ''}: ` : '';
  const d = makeDiagnostic({
    code: 'onnx-import', nodeName: node, field, value, rule: what, fix,
  });
  throw new TesseraError(`${where}${what}; ${fix}`, [d]);
}

function f32(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values as ArrayLike<number>);
}

/** Reads one ONNX node's attributes; finish() rejects any attribute no handler read. */
class Attrs {
  private readonly map = new Map<string, OnnxAttributeProto>();
  private readonly used = new Set<string>();
  constructor(readonly node: OnnxNodeProto, readonly nodeName: string) {
    for (const a of node.attribute ?? []) {
      if (a.refAttrName) this.fail(`attribute "${a.name}" refers to a function attribute`, 'inline the function before importing', a.name);
      this.map.set(a.name ?? '', a);
    }
  }
  fail(what: string, fix: string, field?: string, value?: unknown): never {
    return fail(this.nodeName, this.node.opType, what, fix, field, value);
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  private get(name: string, types: number[]): OnnxAttributeProto | undefined {
    const a = this.map.get(name);
    this.used.add(name);
    if (!a) return undefined;
    if (a.type !== undefined && a.type !== OnnxAttributeType.UNDEFINED && !types.includes(a.type)) {
      this.fail(`attribute "${name}" has attribute type ${a.type}, expected ${types.join(' or ')}`, 're-export the model with a valid ONNX exporter', name);
    }
    return a;
  }
  int(name: string, def: number): number;
  int(name: string): number | undefined;
  int(name: string, def?: number): number | undefined {
    const a = this.get(name, [OnnxAttributeType.INT]);
    return a ? Number(a.i ?? 0) : def;
  }
  float(name: string, def: number): number;
  float(name: string): number | undefined;
  float(name: string, def?: number): number | undefined {
    const a = this.get(name, [OnnxAttributeType.FLOAT]);
    return a ? Number(a.f ?? 0) : def;
  }
  ints(name: string): number[] | undefined {
    const a = this.get(name, [OnnxAttributeType.INTS]);
    return a ? (a.ints ?? []).map(Number) : undefined;
  }
  floats(name: string): number[] | undefined {
    const a = this.get(name, [OnnxAttributeType.FLOATS]);
    return a ? (a.floats ?? []).map(Number) : undefined;
  }
  string(name: string, def: string): string;
  string(name: string): string | undefined;
  string(name: string, def?: string): string | undefined {
    const a = this.get(name, [OnnxAttributeType.STRING]);
    return a ? attrString(a) : def;
  }
  tensor(name: string): OnnxTensorProto | undefined {
    return this.get(name, [OnnxAttributeType.TENSOR])?.t;
  }
  /** Marks attributes as read without using them (they do not change inference results). */
  ignore(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }
  finish(): void {
    for (const [name, a] of this.map) {
      if (!this.used.has(name)) {
        let v: unknown = a.i ?? a.f ?? (a.s ? attrString(a) : undefined) ?? a.ints ?? a.floats;
        if (Array.isArray(v)) v = v.map(Number);
        this.fail(`attribute "${name}" is not supported by Tessera's ${this.node.opType} import`, 'remove the attribute or re-export the model without it', name, v);
      }
    }
  }
}

class Importer {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly weights: WeightMap = {};
  readonly values = new Map<string, Val>();
  readonly diagnostics: Diagnostic[] = [];
  readonly names = new Set<string>();
  /** How many node inputs / graph outputs read each ONNX tensor. */
  readonly uses = new Map<string, number>();
  /** Engine node id → number of outgoing edges. */
  readonly fanout = new Map<string, number>();
  private edgeCount = 0;
  opset = 13;

  uniqueName(base: string): string {
    const clean = base.trim() || 'node';
    let name = clean;
    for (let i = 2; this.names.has(name); i++) name = `${clean}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds an engine node; returns its output value (shape from the op's own rule). */
  addNode(type: string, name: string, rawParams: Record<string, unknown>, inputs: TensorVal[], weights: Record<string, Tensor> = {}, onnx?: { node: string; op: string }): TensorVal {
    const op = getOp(type);
    if (!op) throw new TesseraError(`internal: op ${type} is not registered`);
    const parsed = op.params.safeParse(rawParams);
    if (!parsed.success) throw new TesseraError(`internal: ${type} parameters ${JSON.stringify(rawParams)} rejected: ${parsed.error.issues[0]?.message}`);
    const id = this.uniqueName(name);
    const sink = new DiagnosticSink(id, id);
    const shape = op.infer(parsed.data, inputs.map((v) => v.shape), sink);
    if (!shape || sink.hasErrors) {
      const first = sink.items.find((d) => d.severity === 'error');
      const where = onnx ? `ONNX node "${onnx.node}" (${onnx.op})` : `node "${id}"`;
      throw new TesseraError(`${where} does not fit Tessera's ${type}: ${first?.message ?? 'its shape cannot be inferred'}`, sink.items);
    }
    this.diagnostics.push(...sink.items);
    this.nodes.push({ id, type, name: id, params: rawParams });
    inputs.forEach((v, port) => {
      this.edges.push({ id: `e${++this.edgeCount}`, source: v.id, sourcePort: 0, target: id, targetPort: port });
      this.fanout.set(v.id, (this.fanout.get(v.id) ?? 0) + 1);
    });
    if (Object.keys(weights).length) this.weights[id] = weights;
    return { kind: 'tensor', id, shape: [...shape] };
  }

  node(id: string): GraphNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }
}

function constOf(t: OnnxTensorProto, where: string, op?: string): ConstVal {
  try {
    const { dims, dataType, values } = tensorProtoValues(t);
    return { kind: 'const', dims, values, dataType };
  } catch (e) {
    return fail(where, op, (e as Error).message, 're-export the model with float32 / int64 tensors stored inside it');
  }
}

/** Source index of output position x for ONNX Resize nearest (before clamping). */
function resizeNearestSource(x: number, scale: number, inSize: number, outSize: number, ctm: string, nearest: string): number | null {
  let orig: number;
  switch (ctm) {
    case 'half_pixel': orig = (x + 0.5) / scale - 0.5; break;
    case 'pytorch_half_pixel': orig = outSize > 1 ? (x + 0.5) / scale - 0.5 : 0; break;
    case 'align_corners': orig = outSize === 1 ? 0 : (x * (inSize - 1)) / (outSize - 1); break;
    case 'asymmetric': orig = x / scale; break;
    case 'tf_half_pixel_for_nn': orig = (x + 0.5) / scale; break;
    case 'half_pixel_symmetric': {
      const adj = outSize / (scale * inSize);
      const center = inSize / 2;
      const offset = center * (1 - adj);
      orig = offset + (x + 0.5) / scale - 0.5;
      break;
    }
    default: return null;
  }
  let idx: number;
  switch (nearest) {
    case 'round_prefer_floor': idx = orig === Math.floor(orig) + 0.5 ? Math.floor(orig) : Math.round(orig); break;
    case 'round_prefer_ceil': idx = Math.round(orig); break;
    case 'floor': idx = Math.floor(orig); break;
    case 'ceil': idx = Math.ceil(orig); break;
    default: return null;
  }
  return Math.min(Math.max(idx, 0), inSize - 1);
}

function resolveInputDims(dims: { dimValue?: number; dimParam?: string }[] | undefined, name: string, batch: number, imp: Importer): number[] {
  if (!dims) fail(undefined, undefined, `graph input "${name}" has no shape`, 're-export the model with a fixed input shape (e.g. torch.onnx.export with a real example input)', name);
  return dims.map((d, axis) => {
    if (d.dimValue !== undefined && Number(d.dimValue) > 0) return Number(d.dimValue);
    if (axis === 0) {
      imp.diagnostics.push(makeDiagnostic({
        severity: 'warning', code: 'onnx-batch', nodeName: name, field: 'shape[0]', value: d.dimParam ?? '?',
        rule: 'every input dimension is a fixed number', fix: `the symbolic batch size was taken as ${batch}; give a fixed batch size if you need another one`,
      }));
      return batch;
    }
    return fail(undefined, undefined, `graph input "${name}" has a symbolic or unknown size "${d.dimParam ?? '?'}" at axis ${axis}`, 'export the model with fixed spatial and channel sizes (only the batch axis may be symbolic)', `${name} shape[${axis}]`, d.dimParam);
  });
}

/** Elementwise op on two constants with numpy broadcasting. */
function constBinary(x: ConstVal, y: ConstVal, fn: (p: number, q: number) => number, a: Attrs): ConstVal {
  const r = Math.max(x.dims.length, y.dims.length);
  const px = [...new Array<number>(r - x.dims.length).fill(1), ...x.dims];
  const py = [...new Array<number>(r - y.dims.length).fill(1), ...y.dims];
  const dims = px.map((d, i) => {
    if (d !== py[i] && d !== 1 && py[i] !== 1) a.fail(`constant shapes [${x.dims.join(', ')}] and [${y.dims.join(', ')}] do not broadcast`, 'fix the model');
    return Math.max(d, py[i]);
  });
  const total = dims.reduce((p, d) => p * d, 1);
  const values = new Float64Array(total);
  for (let o = 0; o < total; o++) {
    let rem = o;
    let ix = 0;
    let iy = 0;
    let sx = 1;
    let sy = 1;
    for (let i = r - 1; i >= 0; i--) {
      const c = rem % dims[i];
      rem = Math.floor(rem / dims[i]);
      if (px[i] !== 1) ix += c * sx;
      if (py[i] !== 1) iy += c * sy;
      sx *= px[i];
      sy *= py[i];
    }
    values[o] = fn(x.values[ix], y.values[iy]);
  }
  return { kind: 'const', dims, values, dataType: x.dataType };
}

function constConcat(xs: ConstVal[], axis: number, a: Attrs): ConstVal {
  const r = xs[0].dims.length;
  const ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax >= r || xs.some((c) => c.dims.length !== r || c.dims.some((d, i) => i !== ax && d !== xs[0].dims[i]))) {
    a.fail(`constant inputs of shapes ${xs.map((c) => `[${c.dims.join(', ')}]`).join(', ')} cannot be joined on axis ${axis}`, 'fix the model', 'axis', axis);
  }
  const outer = xs[0].dims.slice(0, ax).reduce((p, d) => p * d, 1);
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const c of xs) {
      const row = c.dims.slice(ax).reduce((p, d) => p * d, 1);
      for (let k = 0; k < row; k++) values.push(c.values[o * row + k]);
    }
  }
  const dims = [...xs[0].dims];
  dims[ax] = xs.reduce((t, c) => t + c.dims[ax], 0);
  return { kind: 'const', dims, values: Float64Array.from(values), dataType: xs[0].dataType };
}

/**
 * Decodes the bytes of an ONNX (or QONNX) file into a ModelProto with a graph; throws one TesseraError when
 * they are not protobuf or hold no graph (no nodes and no inputs).
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModelProto {
  let proto: OnnxModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    throw new TesseraError(`not an ONNX model: the file is not a valid protobuf ModelProto (${(e as Error).message}); check that it is a .onnx file`);
  }
  const g = proto.graph;
  if (!g || ((g.node ?? []).length === 0 && (g.input ?? []).length === 0)) {
    throw new TesseraError('not an ONNX model: it has no graph (no nodes and no inputs); check that it is a .onnx file');
  }
  return proto;
}

export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImportResult {
  return importOnnxProto(decodeOnnxModel(bytes), options);
}

/** Converts an already decoded (and possibly rewritten, e.g. QONNX with its Quant nodes removed) model. */
export function importOnnxProto(proto: OnnxModelProto, options: OnnxImportOptions = {}): OnnxImportResult {
  return new OnnxConverter(proto, options).run();
}

class OnnxConverter {
  readonly imp = new Importer();
  private opset = 13;

  constructor(readonly proto: OnnxModelProto, readonly options: OnnxImportOptions) {}

  run(): OnnxImportResult {
    const { proto, imp } = this;
    const g = proto.graph!;
    for (const o of proto.opsetImport ?? []) {
      const domain = o.domain ?? '';
      if (domain === '' || domain === 'ai.onnx') this.opset = Number(o.version ?? 13);
    }
    imp.opset = this.opset;

    // Constants: initializers.
    const initNames = new Set<string>();
    for (const t of g.initializer ?? []) {
      const name = t.name ?? '';
      initNames.add(name);
      imp.values.set(name, constOf(t, `initializer ${name}`));
    }
    // Which nodes matter: walk back from the graph outputs.
    const nodes = g.node ?? [];
    const producer = new Map<string, number>();
    nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
    const needed = new Set<number>();
    const stack = (g.output ?? []).map((o) => o.name ?? '');
    while (stack.length) {
      const t = stack.pop()!;
      const i = producer.get(t);
      if (i === undefined || needed.has(i)) continue;
      needed.add(i);
      for (const inp of nodes[i].input ?? []) if (inp) stack.push(inp);
    }
    for (const i of needed) for (const inp of nodes[i].input ?? []) if (inp) imp.uses.set(inp, (imp.uses.get(inp) ?? 0) + 1);
    for (const o of g.output ?? []) imp.uses.set(o.name ?? '', (imp.uses.get(o.name ?? '') ?? 0) + 1);
    const dropped = nodes.length - needed.size;
    if (dropped > 0) {
      imp.diagnostics.push(makeDiagnostic({
        severity: 'warning', code: 'onnx-unused-nodes', field: 'nodes', value: dropped,
        rule: 'every node contributes to a graph output', fix: `${dropped} node(s) that feed no graph output were left out`,
      }));
    }

    // Inputs.
    const inputs: OnnxImportResult['inputs'] = [];
    for (const vi of g.input ?? []) {
      const name = vi.name ?? '';
      if (initNames.has(name)) continue;
      if (!imp.uses.has(name)) continue;
      const tt = vi.type?.tensorType;
      if (!tt) fail(undefined, undefined, `graph input "${name}" is not a tensor`, 'Tessera imports models whose inputs are float32 tensors', name);
      if (tt.elemType !== undefined && tt.elemType !== OnnxDataType.FLOAT) {
        fail(undefined, undefined, `graph input "${name}" has type ${dataTypeName(tt.elemType)}, Tessera needs float32`, 'export the model with a float32 input', name, dataTypeName(tt.elemType));
      }
      const shape = resolveInputDims(tt.shape?.dim, name, this.options.batchSize ?? 1, imp);
      const dataFormat = this.guessInputFormat(name, shape, nodes, needed);
      const v = imp.addNode('Input', name, { shape, dataFormat }, []);
      imp.values.set(name, v);
      inputs.push({ name, nodeId: v.id, shape });
    }
    if (inputs.length === 0) fail(undefined, undefined, 'the model has no graph input that reaches an output', 'export a model with a float32 input');

    // Nodes in topological order (ONNX requires it, but not every tool writes it): file order among ready nodes.
    const pending = [...needed].sort((p, q) => p - q);
    const available = new Set<string>([...imp.values.keys()]);
    while (pending.length) {
      const k = pending.findIndex((i) => (nodes[i].input ?? []).every((t) => !t || available.has(t) || !producer.has(t)));
      const i = pending.splice(k < 0 ? 0 : k, 1)[0]; // k < 0: a cycle or a missing tensor; convert() names it
      this.convert(nodes[i], i);
      for (const o of nodes[i].output ?? []) if (o) available.add(o);
    }

    // Outputs.
    const outputs: OnnxImportResult['outputs'] = [];
    const seen = new Set<string>();
    for (const vo of g.output ?? []) {
      const name = vo.name ?? '';
      const v = imp.values.get(name);
      if (!v) fail(undefined, undefined, `graph output "${name}" is not produced by any node`, 'check that the model is complete', name);
      if (v.kind === 'const') fail(undefined, undefined, `graph output "${name}" is a constant`, 'Tessera graph outputs are computed tensors; remove this output', name);
      const node = imp.node(v.id)!;
      if (node.type === 'Input') fail(undefined, undefined, `graph output "${name}" is the graph input itself`, 'remove this output', name);
      if (seen.has(v.id)) fail(undefined, undefined, `graph output "${name}" is the same tensor as another output`, 'keep one of the outputs', name);
      if ((imp.fanout.get(v.id) ?? 0) > 0) {
        fail(undefined, undefined, `graph output "${name}" also feeds other nodes; Tessera's outputs are the nodes nothing reads from`, 'remove this output or export it through its own node', name);
      }
      seen.add(v.id);
      const declared = vo.type?.tensorType?.shape?.dim;
      if (declared && declared.length) {
        const bad = declared.length !== v.shape.length || declared.some((d, a) => d.dimValue !== undefined && Number(d.dimValue) > 0 && a > 0 && Number(d.dimValue) !== v.shape[a]);
        if (bad) {
          const decl = declared.map((d) => d.dimValue ?? d.dimParam ?? '?').join(', ');
          fail(undefined, undefined, `graph output "${name}" is declared as [${decl}] but the imported graph computes [${v.shape.join(', ')}]`, 'check the model (onnx.checker / shape inference); this is a mismatch Tessera will not guess around', name);
        }
      }
      outputs.push({ name, nodeId: v.id, shape: v.shape });
    }
    if (outputs.length === 0) fail(undefined, undefined, 'the model has no graph outputs', 'export a model with at least one output');

    if (this.options.foldTransposes !== false) foldTransposes(imp, outputs);
    const graph: Graph = { version: 1, nodes: imp.nodes, edges: imp.edges };
    const analysis = analyzeGraph(graph, imp.weights);
    if (analysis.hasErrors) {
      const first = analysis.diagnostics.find((d) => d.severity === 'error')!;
      throw new TesseraError(`the imported graph is not valid: ${first.message}`, analysis.diagnostics);
    }
    const diagnostics = [...imp.diagnostics.filter((d) => d.code.startsWith('onnx')), ...analysis.diagnostics];
    const nodeIds = new Set(imp.nodes.map((n) => n.id));
    const tensors: Record<string, string> = {};
    for (const [name, v] of imp.values) if (v.kind === 'tensor' && nodeIds.has(v.id)) tensors[name] = v.id;
    return {
      tensors,
      model: { graph, weights: imp.weights },
      diagnostics,
      inputs,
      outputs,
      opset: this.opset,
      producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' '),
    };
  }

  /** An input that only feeds Transpose(perm = [0, 2, 3, 1]-inverse) nodes is channels-last. */
  private guessInputFormat(name: string, shape: number[], nodes: OnnxNodeProto[], needed: Set<number>): 'NCX' | 'NXC' {
    if (shape.length !== 3 && shape.length !== 4) return 'NCX';
    const toNCX = shape.length === 4 ? [0, 3, 1, 2] : [0, 2, 1];
    const readers = nodes.filter((n, i) => needed.has(i) && (n.input ?? []).includes(name));
    const allTranspose = readers.length > 0 && readers.every((n) => {
      if (n.opType !== 'Transpose') return false;
      const perm = (n.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number);
      return !!perm && perm.length === toNCX.length && perm.every((p, i) => p === toNCX[i]);
    });
    return allTranspose ? 'NXC' : 'NCX';
  }

  private convert(n: OnnxNodeProto, index: number): void {
    const { imp } = this;
    const op = n.opType ?? '';
    const nodeName = n.name || (n.output ?? [])[0] || `${op}_${index}`;
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') {
      fail(nodeName, op, `op "${op}" of domain "${domain}" is not supported`, 'Tessera imports standard ONNX ops only; re-export without custom ops');
    }
    const a: Attrs = new Attrs(n, nodeName);
    const inNames = n.input ?? [];
    const outNames = n.output ?? [];
    const input = (i: number): Val | undefined => {
      const name = inNames[i];
      if (!name) return undefined;
      const v = imp.values.get(name);
      if (!v) fail(nodeName, op, `input "${name}" is used before any node produces it`, 'check that the nodes are in topological order and the model is complete', `input ${i}`, name);
      return v;
    };
    const tensorIn = (i: number, what = `input ${i}`): TensorVal => {
      const v = input(i);
      if (!v) fail(nodeName, op, `${what} is missing`, 'check the model', `input ${i}`);
      if (v.kind !== 'tensor') fail(nodeName, op, `${what} ("${inNames[i]}") is a constant; Tessera needs computed data here`, 'remove the constant branch (fold it with onnx-simplifier)', `input ${i}`, inNames[i]);
      return v;
    };
    const constIn = (i: number, what: string): ConstVal => {
      const v = input(i);
      if (!v) fail(nodeName, op, `${what} (input ${i}) is missing`, 'check the model', `input ${i}`);
      if (v.kind !== 'const') fail(nodeName, op, `${what} ("${inNames[i]}") is computed at run time; Tessera needs it as an initializer or Constant`, 'fold it into a constant (e.g. with onnx-simplifier) and import again', `input ${i}`, inNames[i]);
      return v;
    };
    const optConstIn = (i: number, what: string): ConstVal | undefined => (inNames[i] ? constIn(i, what) : undefined);
    const setOut = (v: Val, i = 0) => {
      if (outNames[i]) imp.values.set(outNames[i], v);
    };
    /** Output 0 is input `i` under another name (Identity and no-op nodes): they are not readers of it. */
    const setAlias = (v: Val, i = 0) => {
      if (inNames[i]) imp.uses.set(inNames[i], (imp.uses.get(inNames[i]) ?? 1) - 1);
      setOut(v);
    };
    const onlyFirstOutputUsed = () => {
      outNames.slice(1).forEach((o, i) => {
        if (o && imp.uses.has(o)) fail(nodeName, op, `output ${i + 1} ("${o}") is used, but Tessera computes only the first output of ${op}`, 'remove the use of the extra output (e.g. export in inference mode)', `output ${i + 1}`, o);
      });
    };
    const add = (type: string, params: Record<string, unknown>, inputs: TensorVal[], weights?: Record<string, Tensor>) =>
      imp.addNode(type, nodeName, params, inputs, weights, { node: nodeName, op });
    const rankOf = (x: TensorVal) => x.shape.length;
    const spatialRank = (x: TensorVal): 1 | 2 => {
      const r = rankOf(x) - 2;
      if (r !== 1 && r !== 2) fail(nodeName, op, `input has shape [${x.shape.join(', ')}] (${r} spatial axes); Tessera supports 1D and 2D`, 'use a 1D (N, C, L) or 2D (N, C, H, W) model', 'input 0', x.shape);
      return r;
    };
    const perAxis = (name: string, rank: number, def: number): number[] => {
      const v = a.ints(name);
      if (!v) return new Array<number>(rank).fill(def);
      if (v.length !== rank) a.fail(`attribute ${name} has ${v.length} values for ${rank} spatial axes`, `give ${name} ${rank} values`, name, v);
      return v;
    };
    const pads2 = (rank: number): { begin: number[]; end: number[] } => {
      const p = a.ints('pads');
      if (!p) return { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
      if (p.length !== 2 * rank) a.fail(`attribute pads has ${p.length} values; ${2 * rank} (begin and end per spatial axis) expected`, 'fix the pads attribute', 'pads', p);
      if (p.some((v) => v < 0)) a.fail('attribute pads has a negative value', 'use pads ≥ 0 (negative pads are not supported)', 'pads', p);
      return { begin: p.slice(0, rank), end: p.slice(rank) };
    };
    /** Slice of computed data: constant starts/ends/axes, steps 1, on the spatial axes only → Cropping. */
    const sliceAsCropping = (x: TensorVal): Val => {
      const r = rankOf(x);
      let starts: number[];
      let ends: number[];
      let axes: number[];
      let steps: number[];
      if (this.opset < 10) {
        starts = a.ints('starts') ?? [];
        ends = a.ints('ends') ?? [];
        axes = a.ints('axes') ?? starts.map((_, i) => i);
        steps = starts.map(() => 1);
      } else {
        starts = [...constIn(1, 'starts').values];
        ends = [...constIn(2, 'ends').values];
        const ax = optConstIn(3, 'axes');
        const st = optConstIn(4, 'steps');
        axes = ax ? [...ax.values] : starts.map((_, i) => i);
        steps = st ? [...st.values] : starts.map(() => 1);
      }
      a.finish();
      if (starts.length !== axes.length || ends.length !== axes.length || steps.length !== axes.length) {
        a.fail(`starts, ends, axes and steps have ${starts.length}, ${ends.length}, ${axes.length} and ${steps.length} values`, 'give one value per sliced axis', 'axes', axes);
      }
      const begin = new Array<number>(r).fill(0);
      const end = new Array<number>(r).fill(0);
      axes.forEach((ax0, i) => {
        const ax = ax0 < 0 ? ax0 + r : ax0;
        if (ax < 0 || ax >= r) a.fail(`axis ${ax0} is out of range for rank ${r}`, 'fix the axes', 'axes', axes);
        if (steps[i] !== 1) a.fail(`step ${steps[i]} on computed data is not supported`, 'Tessera crops (Slice with steps 1) only', 'steps', steps);
        const n = x.shape[ax];
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
        const lo = clamp(starts[i]);
        const hi = Math.max(clamp(ends[i]), lo);
        begin[ax] = lo;
        end[ax] = n - hi;
      });
      if (begin.every((v) => v === 0) && end.every((v) => v === 0)) return x;
      if (begin[0] || end[0] || begin[1] || end[1]) {
        a.fail(`Slice on the batch or channel axis of computed data (axes [${axes.join(', ')}]) is not supported`, 'Tessera crops only the spatial axes (N, C, …spatial)', 'axes', axes);
      }
      spatialRank(x);
      return add('Cropping', { cropBegin: begin.slice(2), cropEnd: end.slice(2), dataFormat: 'NCX' }, [x]);
    };
    /** Conv / pooling auto_pad resolution (ONNX and onnxruntime: out = ceil(in / s)). */
    const sameConvPads = (mode: string, inSizes: number[], k: number[], s: number[], d: number[]) => {
      const begin: number[] = [];
      const end: number[] = [];
      inSizes.forEach((inSize, i) => {
        const kEff = (k[i] - 1) * d[i] + 1;
        const out = Math.ceil(inSize / s[i]);
        const total = Math.max((out - 1) * s[i] + kEff - inSize, 0);
        const small = Math.floor(total / 2);
        begin.push(mode === 'SAME_UPPER' ? small : total - small);
        end.push(total - begin[i]);
      });
      return { begin, end };
    };
    const autoPad = (): string => {
      const m = a.string('auto_pad', 'NOTSET');
      if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(m)) a.fail(`auto_pad "${m}" is not an ONNX auto_pad value`, 'use NOTSET, SAME_UPPER, SAME_LOWER or VALID', 'auto_pad', m);
      if (m !== 'NOTSET' && a.has('pads')) {
        a.ints('pads'); // ONNX: pads must not be given with auto_pad; onnxruntime ignores them.
      }
      return m;
    };

    switch (op) {
      case 'Constant': {
        let c: ConstVal | undefined;
        const t = a.tensor('value');
        if (t) c = constOf(t, nodeName, op);
        const vf = a.float('value_float');
        if (vf !== undefined) c = { kind: 'const', dims: [], values: Float64Array.of(vf), dataType: OnnxDataType.FLOAT };
        const vfs = a.floats('value_floats');
        if (vfs) c = { kind: 'const', dims: [vfs.length], values: Float64Array.from(vfs), dataType: OnnxDataType.FLOAT };
        const vi = a.int('value_int');
        if (vi !== undefined) c = { kind: 'const', dims: [], values: Float64Array.of(vi), dataType: OnnxDataType.INT64 };
        const vis = a.ints('value_ints');
        if (vis) c = { kind: 'const', dims: [vis.length], values: Float64Array.from(vis), dataType: OnnxDataType.INT64 };
        a.finish();
        if (!c) a.fail('Constant has no value Tessera can read (sparse or string values are not supported)', 'use a dense numeric value');
        setOut(c);
        return;
      }
      case 'Identity':
      case 'Dropout': {
        if (op === 'Dropout') {
          a.float('ratio');
          a.int('seed');
          a.int('is_test');
          a.ignore('consumed_inputs');
          const mode = inNames[2] ? constIn(2, 'training_mode') : undefined;
          if (mode && mode.values.some((v) => v !== 0)) a.fail('Dropout has training_mode = true', 'export the model in inference mode (model.eval())', 'training_mode', true);
          if (op === 'Dropout') onlyFirstOutputUsed();
        }
        a.finish();
        const v = input(0);
        if (!v) a.fail('input 0 is missing', 'check the model');
        setAlias(v);
        return;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        a.finish();
        const type = op === 'Relu' ? 'ReLU' : op;
        setOut(add(type, {}, [tensorIn(0)]));
        return;
      }
      case 'LeakyRelu': {
        const alpha = a.float('alpha', 0.01);
        a.finish();
        setOut(add('LeakyReLU', { alpha }, [tensorIn(0)]));
        return;
      }
      case 'Selu': {
        const alpha = a.float('alpha', 1.67326319217681884765625);
        const gamma = a.float('gamma', 1.05070102214813232421875);
        a.finish();
        setOut(add('Selu', { alpha, gamma }, [tensorIn(0)]));
        return;
      }
      case 'Softmax': {
        const x = tensorIn(0);
        const r = rankOf(x);
        const axis = a.int('axis', this.opset >= 13 ? -1 : 1);
        a.finish();
        const ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax >= r) a.fail(`axis ${axis} is out of range for rank ${r}`, 'fix the axis', 'axis', axis);
        if (this.opset < 13 && ax === 1 && r > 2) {
          // Before opset 13, Softmax normalizes over all axes from `axis` on: Flatten → Softmax → Reshape back.
          const flat = imp.addNode('Flatten', `${nodeName}/flatten`, { axis: 1 }, [x], {}, { node: nodeName, op });
          const soft = add('Softmax', { axis: -1 }, [flat]);
          setOut(imp.addNode('Reshape', `${nodeName}/reshape`, { targetShape: x.shape.slice(1) }, [soft], {}, { node: nodeName, op }));
          return;
        }
        if (this.opset < 13 && ax !== r - 1) {
          a.fail(`Softmax before opset 13 with axis ${axis} normalizes over all axes from ${axis} on (rank ${r}), which Tessera's per-axis Softmax does not do`, 'add a Flatten before the Softmax, or re-export with opset 13 or later', 'axis', axis);
        }
        setOut(add('Softmax', { axis: ax }, [x]));
        return;
      }
      case 'Conv':
      case 'ConvTranspose':
        this.convertConv(n, a, nodeName, op, tensorIn(0), constIn(1, 'weight W'), optConstIn(2, 'bias B'), spatialRank, perAxis, pads2, sameConvPads, autoPad, add, setOut);
        return;
      case 'Gemm': {
        let x = tensorIn(0);
        const B = constIn(1, 'matrix B');
        const C = optConstIn(2, 'bias C');
        const transA = a.int('transA', 0);
        const transB = a.int('transB', 0);
        const alpha = a.float('alpha', 1);
        const beta = a.float('beta', 1);
        const broadcast = a.int('broadcast');
        a.finish();
        if (broadcast === 0 && C && C.dims.length !== 2) a.fail('broadcast = 0 with a bias that is not (M, N)', 're-export the model with a newer opset', 'broadcast', broadcast);
        if (rankOf(x) !== 2) a.fail(`input A has shape [${x.shape.join(', ')}]; Gemm takes a 2D input`, 'add a Flatten before it', 'input 0', x.shape);
        if (transA) x = imp.addNode('Transpose', `${nodeName}/transA`, { perm: [1, 0] }, [x], {}, { node: nodeName, op });
        if (B.dims.length !== 2) a.fail(`matrix B has shape [${B.dims.join(', ')}]; Gemm takes a 2D B`, 'fix the model', 'input 1', B.dims);
        const [K, N] = transB ? [B.dims[1], B.dims[0]] : [B.dims[0], B.dims[1]];
        if (x.shape[1] !== K) a.fail(`input A has ${x.shape[1]} columns but B has ${K} rows${transB ? ' (after transB)' : ''}`, 'fix the model', 'input 1', B.dims);
        const w = new Float32Array(K * N);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) w[k * N + j] = alpha * (transB ? B.values[j * K + k] : B.values[k * N + j]);
        const weights: Record<string, Tensor> = { weight: { shape: [K, N], data: w } };
        if (C && beta !== 0) {
          const bias = this.perChannel(C, N, x.shape[0], 'bias C', a);
          weights.bias = { shape: [N], data: f32(bias.map((v) => v * beta)) };
        }
        setOut(add('Dense', { units: N, bias: !!weights.bias }, [x], weights));
        return;
      }
      case 'MatMul': {
        const x0 = input(0);
        if (x0?.kind === 'const') a.fail('the first MatMul input is a constant and the second is data; Tessera supports data × constant', 'export the layer as x @ W (e.g. torch.nn.Linear)', 'input 0', inNames[0]);
        const x = tensorIn(0);
        const B = constIn(1, 'matrix B');
        a.finish();
        if (B.dims.length !== 2) a.fail(`matrix B has shape [${B.dims.join(', ')}]; Tessera supports a 2D constant B`, 'use a 2D weight matrix', 'input 1', B.dims);
        if (rankOf(x) < 2) a.fail(`input has shape [${x.shape.join(', ')}]; MatMul with a 1D input is not supported`, 'reshape the input to (N, features)', 'input 0', x.shape);
        const [K, N] = B.dims;
        if (x.shape[rankOf(x) - 1] !== K) a.fail(`input has ${x.shape[rankOf(x) - 1]} features but B has ${K} rows`, 'fix the model', 'input 1', B.dims);
        setOut(add('Dense', { units: N, bias: false }, [x], { weight: { shape: [K, N], data: f32(B.values) } }));
        return;
      }
      case 'Add': {
        a.finish();
        const l = input(0);
        const r = input(1);
        if (!l || !r) a.fail('Add needs two inputs', 'check the model');
        if (l.kind === 'tensor' && r.kind === 'tensor') {
          if (l.shape.join() !== r.shape.join()) {
            a.fail(`inputs have shapes [${l.shape.join(', ')}] and [${r.shape.join(', ')}]; Tessera's Add needs equal shapes (no broadcasting)`, 'make both branches the same shape', 'input 1', r.shape);
          }
          setOut(add('Add', {}, [l, r]));
          return;
        }
        if (l.kind === 'const' && r.kind === 'const') {
          setOut(constBinary(l, r, (p, q) => p + q, a));
          return;
        }
        const x = (l.kind === 'tensor' ? l : r) as TensorVal;
        const c = (l.kind === 'const' ? l : r) as ConstVal;
        setOut(this.foldBias(x, c) ?? this.affine(x, undefined, c, a, nodeName, op));
        return;
      }
      case 'BatchNormalization': {
        const x = tensorIn(0);
        const epsilon = a.float('epsilon', 1e-5);
        a.float('momentum');
        a.ignore('consumed_inputs', 'is_test');
        const spatial = a.int('spatial', 1);
        const training = a.int('training_mode', 0);
        a.finish();
        if (spatial !== 1) a.fail('spatial = 0 (per-element statistics) is not supported', 're-export with spatial = 1 (per-channel statistics)', 'spatial', spatial);
        if (training !== 0) a.fail('training_mode = 1 is not supported', 'export the model in inference mode (model.eval())', 'training_mode', training);
        onlyFirstOutputUsed();
        if (rankOf(x) < 2) a.fail(`input has shape [${x.shape.join(', ')}]; BatchNormalization needs (N, C, …)`, 'fix the model', 'input 0', x.shape);
        const C = x.shape[1];
        const slot = (i: number, what: string) => {
          const c = constIn(i, what);
          if (c.values.length !== C) a.fail(`${what} has ${c.values.length} values for ${C} channels`, 'fix the model', `input ${i}`, c.dims);
          return { shape: [C], data: f32(c.values) } as Tensor;
        };
        const weights = { gamma: slot(1, 'scale'), beta: slot(2, 'B'), mean: slot(3, 'mean'), variance: slot(4, 'var') };
        setOut(add('BatchNormalization', { epsilon, dataFormat: 'NCX' }, [x], weights));
        return;
      }
      case 'Flatten': {
        const x = tensorIn(0);
        const axis = a.int('axis', 1);
        a.finish();
        setOut(add('Flatten', { axis }, [x]));
        return;
      }
      case 'Reshape': {
        const x = tensorIn(0);
        let target: number[];
        if (this.opset < 5 || a.has('shape')) {
          target = a.ints('shape') ?? [];
        } else {
          const s = constIn(1, 'shape');
          target = [...s.values];
        }
        const allowzero = a.int('allowzero', 0);
        a.ignore('consumed_inputs');
        a.finish();
        if (allowzero && target.includes(0)) a.fail('allowzero = 1 with a 0 in the shape (an empty tensor)', 'Tessera needs non-empty tensors', 'allowzero', allowzero);
        const total = x.shape.reduce((p, d) => p * d, 1);
        const dims = target.map((d, i) => (d === 0 ? x.shape[i] : d));
        const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
        const out = dims.map((d) => (d === -1 ? total / known : d));
        if (dims.filter((d) => d === -1).length > 1 || out.some((d) => !Number.isInteger(d) || d < 1) || out.reduce((p, d) => p * d, 1) !== total) {
          a.fail(`shape [${target.join(', ')}] does not fit an input of shape [${x.shape.join(', ')}]`, 'fix the Reshape target', 'shape', target);
        }
        if (out.length === 0 || out[0] !== x.shape[0]) {
          a.fail(`reshaping [${x.shape.join(', ')}] to [${out.join(', ')}] changes the batch axis, which Tessera's Reshape keeps`, 'reshape only the axes after the batch', 'shape', target);
        }
        setOut(add('Reshape', { targetShape: out.slice(1) }, [x]));
        return;
      }
      case 'Transpose': {
        const x = tensorIn(0);
        const r = rankOf(x);
        const perm = a.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
        a.finish();
        if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) a.fail(`perm [${perm.join(', ')}] is not a permutation of ${r} axes`, 'fix the perm attribute', 'perm', perm);
        if (perm.every((p, i) => p === i)) {
          setAlias(x);
          return;
        }
        setOut(add('Transpose', { perm }, [x]));
        return;
      }
      case 'Concat': {
        const axis = a.int('axis');
        a.finish();
        if (inNames.length > 0 && inNames.every((_, i) => input(i)?.kind === 'const')) {
          if (axis === undefined) a.fail('Concat has no axis attribute', 'add the axis attribute', 'axis');
          setOut(constConcat(inNames.map((_, i) => input(i) as ConstVal), axis, a));
          return;
        }
        const xs = inNames.map((_, i) => tensorIn(i));
        if (xs.length < 2) {
          setAlias(xs[0]);
          return;
        }
        if (axis === undefined) a.fail('Concat has no axis attribute', 'add the axis attribute', 'axis');
        const r = rankOf(xs[0]);
        const ax = axis < 0 ? axis + r : axis;
        setOut(add('Concatenate', { axis: ax }, xs));
        return;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const x = tensorIn(0);
        const rank = spatialRank(x);
        const mode = autoPad();
        const k = a.ints('kernel_shape');
        if (!k || k.length !== rank) a.fail(`kernel_shape ${k ? `[${k.join(', ')}]` : 'is missing'}; ${rank} values expected`, 'give kernel_shape one value per spatial axis', 'kernel_shape', k);
        const s = perAxis('strides', rank, 1);
        const d = perAxis('dilations', rank, 1);
        const ceil = a.int('ceil_mode', 0);
        let pads = pads2(rank);
        const countIncludePad = op === 'AveragePool' ? a.int('count_include_pad', 0) : 0;
        if (op === 'MaxPool') {
          a.int('storage_order');
          onlyFirstOutputUsed();
        }
        a.finish();
        if (d.some((v) => v !== 1)) a.fail(`dilations [${d.join(', ')}] are not supported for pooling`, 'use dilations 1', 'dilations', d);
        if (mode === 'VALID') pads = { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
        else if (mode !== 'NOTSET') pads = sameConvPads(mode, x.shape.slice(2), k, s, d);
        const params: Record<string, unknown> = { kernel: k, stride: s, padsBegin: pads.begin, padsEnd: pads.end, ceilMode: ceil === 1, dataFormat: 'NCX' };
        if (op === 'AveragePool') params.countIncludePad = countIncludePad === 1;
        setOut(add(op, params, [x]));
        return;
      }
      case 'Pad': {
        const x = tensorIn(0);
        const r = rankOf(x);
        const mode = a.string('mode', 'constant');
        let pads: number[];
        let value = 0;
        let axes: number[] = Array.from({ length: r }, (_, i) => i);
        if (this.opset < 11) {
          pads = a.ints('pads') ?? a.ints('paddings') ?? [];
          value = a.float('value', 0);
        } else {
          pads = [...constIn(1, 'pads').values];
          const cv = optConstIn(2, 'constant_value');
          if (cv) value = cv.values[0] ?? 0;
          const ax = optConstIn(3, 'axes');
          if (ax) axes = [...ax.values].map((v) => (v < 0 ? v + r : v));
        }
        a.finish();
        if (mode !== 'constant') a.fail(`mode "${mode}" is not supported; Tessera pads with zeros`, 'use constant padding with value 0', 'mode', mode);
        if (value !== 0) a.fail(`constant value ${value} is not supported; Tessera pads with zeros`, 'pad with 0', 'constant_value', value);
        if (pads.length !== 2 * axes.length) a.fail(`pads has ${pads.length} values for ${axes.length} axes`, 'fix the pads', 'pads', pads);
        const begin = new Array<number>(r).fill(0);
        const end = new Array<number>(r).fill(0);
        axes.forEach((ax, i) => {
          begin[ax] = pads[i];
          end[ax] = pads[i + axes.length];
        });
        if ([...begin, ...end].some((v) => v < 0)) a.fail(`negative pads [${pads.join(', ')}] (cropping) are not supported`, 'use pads ≥ 0', 'pads', pads);
        if (begin.every((v) => v === 0) && end.every((v) => v === 0)) {
          setAlias(x);
          return;
        }
        spatialRank(x);
        if (begin[0] || end[0] || begin[1] || end[1]) a.fail(`pads [${pads.join(', ')}] pad the batch or channel axis`, 'Tessera pads only the spatial axes (N, C, …spatial)', 'pads', pads);
        setOut(add('ZeroPadding', { padsBegin: begin.slice(2), padsEnd: end.slice(2), dataFormat: 'NCX' }, [x]));
        return;
      }
      case 'Resize':
      case 'Upsample': {
        const x = tensorIn(0);
        const r = rankOf(x);
        const mode = a.string('mode', 'nearest');
        let ctm = 'asymmetric';
        let nearest = 'floor';
        let scales: number[] | undefined;
        let sizes: number[] | undefined;
        let axes: number[] | undefined;
        if (op === 'Upsample') {
          scales = a.floats('scales') ?? (inNames[1] ? [...constIn(1, 'scales').values] : undefined);
          a.float('width_scale');
          a.float('height_scale');
        } else {
          ctm = a.string('coordinate_transformation_mode', this.opset >= 11 ? 'half_pixel' : 'asymmetric');
          nearest = a.string('nearest_mode', this.opset >= 11 ? 'round_prefer_floor' : 'floor');
          a.float('cubic_coeff_a');
          a.int('exclude_outside');
          a.int('antialias');
          a.float('extrapolation_value');
          const policy = a.string('keep_aspect_ratio_policy', 'stretch');
          axes = a.ints('axes');
          if (policy !== 'stretch') a.fail(`keep_aspect_ratio_policy "${policy}" is not supported`, 'use stretch or give scales', 'keep_aspect_ratio_policy', policy);
          if (this.opset < 11) {
            scales = [...constIn(1, 'scales').values];
          } else {
            const sc = optConstIn(2, 'scales');
            if (sc && sc.values.length > 0) scales = [...sc.values];
            const sz = optConstIn(3, 'sizes');
            if (sz && sz.values.length > 0) sizes = [...sz.values];
          }
        }
        a.finish();
        if (mode !== 'nearest') a.fail(`mode "${mode}" is not supported; Tessera upsamples with nearest neighbour`, 'use mode "nearest"', 'mode', mode);
        const ax = (axes ?? Array.from({ length: r }, (_, i) => i)).map((v) => (v < 0 ? v + r : v));
        const full = new Array<number>(r).fill(1);
        if (scales) {
          if (scales.length !== ax.length) a.fail(`scales has ${scales.length} values for ${ax.length} axes`, 'fix the scales', 'scales', scales);
          ax.forEach((axis, i) => (full[axis] = scales![i]));
        } else if (sizes) {
          if (sizes.length !== ax.length) a.fail(`sizes has ${sizes.length} values for ${ax.length} axes`, 'fix the sizes', 'sizes', sizes);
          ax.forEach((axis, i) => (full[axis] = sizes![i] / x.shape[axis]));
        } else a.fail('neither scales nor sizes is given', 'give the scales', 'scales');
        spatialRank(x);
        if (full[0] !== 1 || full[1] !== 1) a.fail(`scales [${full.join(', ')}] resize the batch or channel axis`, 'resize only the spatial axes', 'scales', full);
        const spatial = full.slice(2);
        if (spatial.some((s) => !Number.isInteger(s) || s < 1)) a.fail(`scales [${full.join(', ')}] are not positive integers`, 'Tessera upsamples by integer factors; use integer scales', 'scales', full);
        spatial.forEach((s, i) => {
          const inSize = x.shape[i + 2];
          const outSize = inSize * s;
          for (let o = 0; o < outSize; o++) {
            const src = resizeNearestSource(o, s, inSize, outSize, ctm, nearest);
            if (src === null) a.fail(`coordinate_transformation_mode "${ctm}" with nearest_mode "${nearest}" is not supported`, 'use asymmetric + floor or half_pixel + round_prefer_floor', 'coordinate_transformation_mode', ctm);
            if (src !== Math.floor(o / s)) {
              a.fail(`nearest resize with coordinate_transformation_mode "${ctm}" and nearest_mode "${nearest}" by ${s} does not repeat each input ${s} times (output ${o} reads input ${src})`, 'use asymmetric + floor or half_pixel + round_prefer_floor (PyTorch/Keras nearest upsampling)', 'coordinate_transformation_mode', ctm);
            }
          }
        });
        setOut(add('UpSampling', { scale: spatial, dataFormat: 'NCX' }, [x]));
        return;
      }
      case 'Shape': {
        const v = input(0);
        if (!v) a.fail('input 0 is missing', 'check the model');
        const dims = v.kind === 'tensor' ? v.shape : v.dims;
        const r = dims.length;
        const norm = (i: number) => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
        const start = norm(a.int('start', 0));
        const end = norm(a.int('end', r));
        a.finish();
        const sel = dims.slice(start, end);
        setOut({ kind: 'const', dims: [sel.length], values: Float64Array.from(sel), dataType: OnnxDataType.INT64 });
        return;
      }
      case 'Gather':
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Cast':
      case 'Slice':
      case 'Sub':
      case 'Mul':
      case 'Div':
        if (op !== 'Slice' && op !== 'Gather' && inNames.length === 2 && (input(0)?.kind === 'tensor' || input(1)?.kind === 'tensor')) {
          a.finish();
          const l = input(0)!;
          const r = input(1)!;
          if (l.kind === 'tensor' && r.kind === 'tensor') {
            a.fail(`${op} of two computed tensors is not supported by Tessera`, `${op} with a per-channel constant is; supported ops: ${SUPPORTED_ONNX_OPS.join(', ')}`, 'input 1', inNames[1]);
          }
          const x = (l.kind === 'tensor' ? l : r) as TensorVal;
          const c = (l.kind === 'const' ? l : r) as ConstVal;
          const neg = { ...c, values: c.values.map((v) => -v) };
          if (op === 'Mul') setOut(this.affine(x, c, undefined, a, nodeName, op));
          else if (op === 'Sub' && l.kind === 'tensor') setOut(this.affine(x, undefined, neg, a, nodeName, op));
          else if (op === 'Sub') setOut(this.affine(x, { ...c, values: c.values.map(() => -1) }, c, a, nodeName, op));
          else if (l.kind === 'tensor') setOut(this.affine(x, { ...c, values: c.values.map((v) => 1 / v) }, undefined, a, nodeName, op));
          else a.fail('a constant divided by computed data is not supported', 'Tessera supports x / constant', 'input 1', inNames[1]);
          return;
        }
        if (op === 'Slice' && input(0)?.kind === 'tensor') {
          const x = input(0) as TensorVal;
          const y = sliceAsCropping(x);
          if (y === x) setAlias(x);
          else setOut(y);
          return;
        }
        inNames.forEach((nm, i) => {
          if (nm && input(i)?.kind === 'tensor') {
            a.fail(`op "${op}" on computed data is not supported by Tessera (only on constants, such as shape arithmetic folded at import)`, `supported ops: ${SUPPORTED_ONNX_OPS.join(', ')}`, `input ${i}`, nm);
          }
        });
        setOut(this.foldConstant(op, a, inNames, (i, what) => constIn(i, what), optConstIn));
        return;
      default:
        fail(nodeName, op, `op "${op}" is not supported by Tessera`, `supported ops: ${SUPPORTED_ONNX_OPS.join(', ')}`, 'op_type', op);
    }
  }

  /** Shape arithmetic on constants (Shape → Gather → Unsqueeze → Concat → Reshape, as PyTorch exports x.view(x.size(0), -1)). */
  private foldConstant(
    op: string, a: Attrs, inNames: string[], constIn: (i: number, what: string) => ConstVal, optConstIn: (i: number, what: string) => ConstVal | undefined,
  ): ConstVal {
    const x = constIn(0, 'input');
    const r = x.dims.length;
    const axesFrom = (attrName: string, inputIndex: number): number[] | undefined =>
      this.opset >= 13 && inNames[inputIndex] ? [...constIn(inputIndex, attrName).values] : a.ints(attrName);
    switch (op) {
      case 'Gather': {
        const idx = constIn(1, 'indices');
        const axis = a.int('axis', 0);
        a.finish();
        const ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax >= r) a.fail(`axis ${axis} is out of range for rank ${r}`, 'fix the axis', 'axis', axis);
        const outer = x.dims.slice(0, ax).reduce((p, d) => p * d, 1);
        const inner = x.dims.slice(ax + 1).reduce((p, d) => p * d, 1);
        const n = x.dims[ax];
        const values: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (const i0 of idx.values) {
            const i = i0 < 0 ? i0 + n : i0;
            if (i < 0 || i >= n) a.fail(`index ${i0} is out of range for size ${n}`, 'fix the indices', 'indices', i0);
            for (let k = 0; k < inner; k++) values.push(x.values[(o * n + i) * inner + k]);
          }
        }
        return { kind: 'const', dims: [...x.dims.slice(0, ax), ...idx.dims, ...x.dims.slice(ax + 1)], values: Float64Array.from(values), dataType: x.dataType };
      }
      case 'Unsqueeze': {
        const axes = axesFrom('axes', 1) ?? [];
        a.finish();
        const outRank = r + axes.length;
        const norm = new Set(axes.map((v) => (v < 0 ? v + outRank : v)));
        const dims: number[] = [];
        let k = 0;
        for (let i = 0; i < outRank; i++) dims.push(norm.has(i) ? 1 : x.dims[k++]);
        return { ...x, dims };
      }
      case 'Squeeze': {
        const axes = axesFrom('axes', 1);
        a.finish();
        const norm = new Set((axes ?? x.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((v) => (v < 0 ? v + r : v)));
        return { ...x, dims: x.dims.filter((_, i) => !norm.has(i)) };
      }
      case 'Cast': {
        const to = a.int('to', OnnxDataType.FLOAT);
        a.ignore('saturate');
        a.finish();
        const isInt = ![OnnxDataType.FLOAT, OnnxDataType.DOUBLE, OnnxDataType.FLOAT16, OnnxDataType.BFLOAT16].includes(to as 1);
        const values = Float64Array.from(x.values, (v) => (isInt ? Math.trunc(v) : to === OnnxDataType.FLOAT ? Math.fround(v) : v));
        return { kind: 'const', dims: x.dims, values, dataType: to };
      }
      case 'Slice': {
        let starts: number[];
        let ends: number[];
        let axes: number[] | undefined;
        let steps: number[] | undefined;
        if (this.opset < 10) {
          starts = a.ints('starts') ?? [];
          ends = a.ints('ends') ?? [];
          axes = a.ints('axes');
        } else {
          starts = [...constIn(1, 'starts').values];
          ends = [...constIn(2, 'ends').values];
          const ax = optConstIn(3, 'axes');
          const st = optConstIn(4, 'steps');
          axes = ax ? [...ax.values] : undefined;
          steps = st ? [...st.values] : undefined;
        }
        a.finish();
        const lo = x.dims.map(() => 0);
        const hi = [...x.dims];
        const step = x.dims.map(() => 1);
        (axes ?? starts.map((_, i) => i)).forEach((ax0, i) => {
          const ax = ax0 < 0 ? ax0 + r : ax0;
          const n = x.dims[ax];
          const s = steps?.[i] ?? 1;
          if (s <= 0) a.fail(`step ${s} is not supported for constant slicing`, 'use positive steps', 'steps', s);
          const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
          lo[ax] = clamp(starts[i]);
          hi[ax] = Math.max(clamp(ends[i]), lo[ax]);
          step[ax] = s;
        });
        const dims = x.dims.map((_, i) => Math.ceil((hi[i] - lo[i]) / step[i]));
        const strides = x.dims.map((_, i) => x.dims.slice(i + 1).reduce((p, d) => p * d, 1));
        const total = dims.reduce((p, d) => p * d, 1);
        const values = new Float64Array(total);
        for (let o = 0; o < total; o++) {
          let rem = o;
          let src = 0;
          for (let i = r - 1; i >= 0; i--) {
            const c = rem % dims[i];
            rem = Math.floor(rem / dims[i]);
            src += (lo[i] + c * step[i]) * strides[i];
          }
          values[o] = x.values[src];
        }
        return { kind: 'const', dims, values, dataType: x.dataType };
      }
      default: {
        const y = constIn(1, 'input');
        a.finish();
        const isInt = x.dataType !== OnnxDataType.FLOAT && x.dataType !== OnnxDataType.DOUBLE;
        const fn = op === 'Sub' ? (p: number, q: number) => p - q : op === 'Mul' ? (p: number, q: number) => p * q : (p: number, q: number) => (isInt ? Math.trunc(p / q) : p / q);
        return constBinary(x, y, fn, a);
      }
    }
  }

  /** A per-channel vector from a constant broadcast over an (M, N) output: scalar, (N), (1, N), … */
  private perChannel(c: ConstVal, n: number, _m: number, what: string, a: Attrs): number[] {
    const size = c.values.length;
    if (size === 1) return new Array<number>(n).fill(c.values[0]);
    const lead = c.dims.slice(0, -1);
    if (c.dims[c.dims.length - 1] === n && lead.every((d) => d === 1)) return [...c.values];
    return a.fail(`${what} has shape [${c.dims.join(', ')}]; Tessera supports one bias value per output (shape [${n}])`, 'use a per-output bias', what, c.dims);
  }

  /** The constant as one value per entry of one axis of x (numpy broadcasting), or null. */
  private perAxis(x: TensorVal, c: ConstVal): { axis: number; values: number[] } | null {
    const r = x.shape.length;
    if (c.dims.length > r) return null;
    const dims = [...new Array<number>(r - c.dims.length).fill(1), ...c.dims];
    const varying = dims.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
    if (varying.length === 0) return { axis: r >= 2 ? 1 : 0, values: new Array<number>(x.shape[r >= 2 ? 1 : 0]).fill(c.values[0]) };
    if (varying.length !== 1 || dims[varying[0]] !== x.shape[varying[0]]) return null;
    return { axis: varying[0], values: [...c.values] };
  }

  /** x + constant folded into the bias of the Dense / Conv that produced x (its only reader); null if it cannot be. */
  private foldBias(x: TensorVal, c: ConstVal): TensorVal | null {
    const { imp } = this;
    const node = imp.node(x.id)!;
    // Readers of the layer's output under every name it has (Identity aliases included).
    let readers = 0;
    for (const [name, v] of imp.values) if (v.kind === 'tensor' && v.id === x.id) readers += imp.uses.get(name) ?? 0;
    if (!BIAS_FOLD_TYPES.has(node.type) || readers !== 1 || (imp.fanout.get(x.id) ?? 0) > 0) return null;
    const chAxis = node.type === 'Dense' ? x.shape.length - 1 : node.params.dataFormat === 'NXC' ? x.shape.length - 1 : 1;
    const per = this.perAxis(x, c);
    if (!per || (c.values.length > 1 && per.axis !== chAxis)) return null;
    const C = x.shape[chAxis];
    const values = c.values.length === 1 ? new Array<number>(C).fill(c.values[0]) : per.values;
    const w = imp.weights[x.id];
    const old = w.bias ? w.bias.data : new Float32Array(C);
    w.bias = { shape: [C], data: f32(Array.from(old, (v, i) => v + values[i])) };
    node.params = { ...node.params, bias: true };
    return x;
  }

  /**
   * x · scale + shift with per-channel (or scalar) constants, as a BatchNormalization layer (mean 0,
   * variance 1, a negligible epsilon), on axis 1 (NCX) or the last axis (NXC).
   */
  private affine(x: TensorVal, scale: ConstVal | undefined, shift: ConstVal | undefined, a: Attrs, nodeName: string, op: string): TensorVal {
    const r = x.shape.length;
    const ps = scale ? this.perAxis(x, scale) : null;
    const pt = shift ? this.perAxis(x, shift) : null;
    const scalarS = !scale || scale.values.length === 1;
    const scalarT = !shift || shift.values.length === 1;
    let axis = 1;
    if (!scalarS && ps) axis = ps.axis;
    else if (!scalarT && pt) axis = pt.axis;
    const bad = (scale && !ps) || (shift && !pt) || (!scalarS && ps!.axis !== axis) || (!scalarT && pt!.axis !== axis) || r < 2 || (axis !== 1 && axis !== r - 1);
    if (bad) {
      const shiftBad = shift && (!pt || (!scalarT && pt.axis !== axis));
      const c = (shiftBad ? shift : scale ?? shift)!;
      a.fail(
        `the constant of shape [${c.dims.join(', ')}] is not one value per channel of [${x.shape.join(', ')}] (axis 1 or the last axis)`,
        `Tessera supports ${op} with a scalar or per-channel constant (as a BatchNormalization), or folds an Add into the bias of the layer before it`, 'input', c.dims,
      );
    }
    const C = x.shape[axis];
    const vec = (c: ConstVal | undefined, p: { values: number[] } | null, def: number) =>
      f32(!c ? new Array<number>(C).fill(def) : c.values.length === 1 ? new Array<number>(C).fill(c.values[0]) : p!.values);
    const weights: Record<string, Tensor> = {
      gamma: { shape: [C], data: vec(scale, ps, 1) },
      beta: { shape: [C], data: vec(shift, pt, 0) },
      mean: { shape: [C], data: new Float32Array(C) },
      variance: { shape: [C], data: new Float32Array(C).fill(1) },
    };
    const dataFormat = axis === 1 ? 'NCX' : 'NXC';
    return this.imp.addNode('BatchNormalization', nodeName, { epsilon: 1e-12, dataFormat }, [x], weights, { node: nodeName, op });
  }

  private convertConv(
    _n: OnnxNodeProto, a: Attrs, nodeName: string, op: string, x: TensorVal, W: ConstVal, B: ConstVal | undefined,
    spatialRank: (x: TensorVal) => 1 | 2,
    perAxis: (name: string, rank: number, def: number) => number[],
    pads2: (rank: number) => { begin: number[]; end: number[] },
    sameConvPads: (mode: string, inSizes: number[], k: number[], s: number[], d: number[]) => { begin: number[]; end: number[] },
    autoPad: () => string,
    add: (type: string, params: Record<string, unknown>, inputs: TensorVal[], weights?: Record<string, Tensor>) => TensorVal,
    setOut: (v: Val) => void,
  ): void {
    const isT = op === 'ConvTranspose';
    const rank = spatialRank(x);
    if (W.dims.length !== rank + 2) a.fail(`weight W has shape [${W.dims.join(', ')}]; ${rank + 2} axes expected for a ${rank}D input`, 'fix the model', 'W', W.dims);
    const kW = W.dims.slice(2);
    const k = a.ints('kernel_shape') ?? kW;
    if (k.length !== rank || k.some((v, i) => v !== kW[i])) a.fail(`kernel_shape [${k.join(', ')}] differs from the weight's kernel [${kW.join(', ')}]`, 'fix kernel_shape or the weight', 'kernel_shape', k);
    const s = perAxis('strides', rank, 1);
    const d = perAxis('dilations', rank, 1);
    const group = a.int('group', 1);
    const mode = autoPad();
    let pads = pads2(rank);
    const inSizes = x.shape.slice(2);
    const cin = x.shape[1];
    let filters: number;
    let outputPadding = new Array<number>(rank).fill(0);
    if (isT) {
      outputPadding = perAxis('output_padding', rank, 0);
      let outputShape = a.ints('output_shape');
      a.finish();
      filters = W.dims[1] * group;
      if (W.dims[0] !== cin) a.fail(`weight W has ${W.dims[0]} input channels (axis 0, ONNX layout (Cin, Cout/group, k…)); the input has ${cin}`, 'fix the model', 'W', W.dims);
      if (outputShape) {
        if (outputShape.length === rank + 2) outputShape = outputShape.slice(2);
        if (outputShape.length !== rank) a.fail(`output_shape has ${outputShape.length} values for ${rank} spatial axes`, 'give one value per spatial axis', 'output_shape', outputShape);
        const begin: number[] = [];
        const end: number[] = [];
        for (let i = 0; i < rank; i++) {
          const kEff = (k[i] - 1) * d[i] + 1;
          let total = s[i] * (inSizes[i] - 1) + outputPadding[i] + kEff - outputShape[i];
          if (total < 0) {
            // onnxruntime accepts an output up to stride − 1 larger than the full one: extra outputs at the end.
            if (-total >= s[i]) a.fail(`output_shape ${outputShape[i]} on axis ${i} exceeds the largest output ${s[i] * (inSizes[i] - 1) + outputPadding[i] + kEff + s[i] - 1} for input size ${inSizes[i]}`, 'fix output_shape (or the input size)', 'output_shape', outputShape);
            outputPadding[i] += -total;
            total = 0;
          }
          // ONNX rule: SAME_UPPER puts the odd unit at the end, every other mode at the begin.
          const half = Math.floor(total / 2);
          begin.push(mode === 'SAME_UPPER' ? half : total - half);
          end.push(total - begin[i]);
        }
        pads = { begin, end };
      } else if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
        const begin: number[] = [];
        const end: number[] = [];
        for (let i = 0; i < rank; i++) {
          const kEff = (k[i] - 1) * d[i] + 1;
          let total = outputPadding[i] + kEff - s[i];
          if (total < 0) {
            // The ONNX text asks for in·s outputs here; onnxruntime (the reference users compare with)
            // does not pad: it gives the full (in − 1)·s + k_eff + output_padding. Tessera follows onnxruntime.
            this.imp.diagnostics.push(makeDiagnostic({
              severity: 'warning', code: 'onnx-same-small-kernel', nodeName, field: 'auto_pad', value: mode,
              rule: `${mode} with effective kernel ${kEff} < stride ${s[i]} gives (in − 1)·s + k_eff + output_padding outputs in onnxruntime, not in·s`,
              fix: 'Tessera imports it as onnxruntime computes it; add output_padding to get in·s outputs',
            }));
            total = 0;
          }
          const half = Math.floor(total / 2);
          begin.push(mode === 'SAME_UPPER' ? half : total - half);
          end.push(total - begin[i]);
        }
        pads = { begin, end };
      } else if (mode === 'VALID') {
        pads = { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
      }
    } else {
      a.finish();
      filters = W.dims[0];
      if (W.dims[1] * group !== cin) a.fail(`weight W has ${W.dims[1]} input channels per group × group ${group} ≠ input channels ${cin}`, 'fix the model', 'W', W.dims);
      if (mode === 'VALID') pads = { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
      else if (mode !== 'NOTSET') pads = sameConvPads(mode, inSizes, k, s, d);
    }
    const weights: Record<string, Tensor> = { weight: { shape: W.dims, data: f32(W.values) } };
    if (B) {
      if (B.values.length !== filters) a.fail(`bias B has ${B.values.length} values for ${filters} output channels`, 'fix the model', 'B', B.dims);
      weights.bias = { shape: [filters], data: f32(B.values) };
    }
    const params: Record<string, unknown> = {
      filters, kernel: k, stride: s, dilation: d, padsBegin: pads.begin, padsEnd: pads.end, groups: group,
      bias: !!B, dataFormat: 'NCX', autoPad: 'explicit',
    };
    if (isT) params.outputPadding = outputPadding;
    setOut(add(`${isT ? 'ConvTranspose' : 'Conv'}${rank}D`, params, [x], weights));
  }
}

const LAYOUT_OPS = new Set(['Conv1D', 'Conv2D', 'ConvTranspose1D', 'ConvTranspose2D', 'BatchNormalization', 'MaxPool', 'AveragePool', 'UpSampling', 'ZeroPadding', 'Cropping']);
const ELEMENTWISE_OPS = new Set(['ReLU', 'LeakyReLU', 'Selu', 'Sigmoid', 'Tanh']);
const permToNCX = (rank: number) => (rank === 3 ? [0, 2, 1] : [0, 3, 1, 2]);
const permToNXC = (rank: number) => (rank === 3 ? [0, 2, 1] : [0, 2, 3, 1]);
const samePerm = (a: unknown, b: number[]) => Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Rewrites channels-last sandwiches in place: Transpose(to NCX) → single-input layers → Transpose(to NXC)
 * becomes the layers with dataFormat 'NXC'; Transpose → Transpose pairs that compose to the identity go.
 * Only chains where every intermediate tensor has exactly one reader are touched.
 */
function foldTransposes(imp: Importer, outputs: OnnxImportResult['outputs']): void {
  const removeNode = (id: string) => {
    imp.nodes.splice(imp.nodes.findIndex((n) => n.id === id), 1);
    imp.names.delete(id);
  };
  /** Bypasses `first`…`last` (a chain, each with one reader): `first`'s source feeds what `last` fed. */
  const bypass = (tIn: GraphNode, tOut: GraphNode, chainFirst: GraphNode | undefined, chainLast: GraphNode | undefined) => {
    const inEdge = imp.edges.find((e) => e.target === tIn.id)!;
    const source = inEdge.source;
    imp.edges.splice(imp.edges.indexOf(inEdge), 1);
    if (chainFirst && chainLast) {
      imp.edges.find((e) => e.source === tIn.id)!.source = source;
      const lastEdge = imp.edges.find((e) => e.source === chainLast.id)!;
      imp.edges.splice(imp.edges.indexOf(lastEdge), 1);
      for (const e of imp.edges) if (e.source === tOut.id) e.source = chainLast.id;
      for (const o of outputs) if (o.nodeId === tOut.id) o.nodeId = chainLast.id;
    } else {
      const mid = imp.edges.find((e) => e.source === tIn.id)!;
      imp.edges.splice(imp.edges.indexOf(mid), 1);
      for (const e of imp.edges) if (e.source === tOut.id) e.source = source;
    }
    removeNode(tIn.id);
    removeNode(tOut.id);
  };
  for (let changed = true; changed; ) {
    changed = false;
    const readers = (id: string) => imp.edges.filter((e) => e.source === id);
    const isOutput = (id: string) => outputs.some((o) => o.nodeId === id);
    for (const tIn of imp.nodes) {
      if (tIn.type !== 'Transpose' || isOutput(tIn.id)) continue;
      const p = tIn.params.perm as number[];
      const r1 = readers(tIn.id);
      if (r1.length !== 1) continue;
      // A pair that cancels (not at a graph output: the output would move to another node).
      const next = imp.nodes.find((n) => n.id === r1[0].target)!;
      if (next.type === 'Transpose' && !isOutput(next.id) && readers(next.id).length > 0) {
        const q = next.params.perm as number[];
        if (q.length === p.length && q.every((qi, i) => p[qi] === i)) {
          bypass(tIn, next, undefined, undefined);
          changed = true;
          break;
        }
      }
      const rank = p.length;
      if ((rank !== 3 && rank !== 4) || !samePerm(p, permToNCX(rank))) continue;
      const chain: GraphNode[] = [];
      let cur = next;
      while ((LAYOUT_OPS.has(cur.type) || ELEMENTWISE_OPS.has(cur.type)) && (cur.params.dataFormat ?? 'NCX') === 'NCX' && !isOutput(cur.id)) {
        const r = readers(cur.id);
        if (r.length !== 1) break;
        chain.push(cur);
        cur = imp.nodes.find((n) => n.id === r[0].target)!;
      }
      if (chain.length === 0 || cur.type !== 'Transpose' || !samePerm(cur.params.perm, permToNXC(rank))) continue;
      for (const n of chain) if (LAYOUT_OPS.has(n.type)) n.params = { ...n.params, dataFormat: 'NXC' };
      bypass(tIn, cur, chain[0], chain[chain.length - 1]);
      changed = true;
      break;
    }
  }
}
