// The state of an ONNX import while it runs: the values ONNX tensor names stand for (constants or engine
// nodes), the graph being built, and the per-node view a handler works through (engine/interop/onnx/handlers.ts).
import { displayNameOf } from '../../safety/rules';
import { DiagnosticSink, makeDiagnostic, TesseraError, type Diagnostic } from '../../diagnostics/diagnostics';
import type { GraphEdge, GraphNode, WeightMap } from '../../graph/model';
import { getOp } from '../../ops/registry';
import type { Tensor } from '../../tensor/tensor';
import { attrString, OnnxAttributeType, tensorProtoValues, type OnnxAttributeProto, type OnnxNodeProto, type OnnxTensorProto } from './proto';

export interface ConstVal {
  kind: 'const';
  dims: number[];
  values: Float64Array;
  dataType: number;
}
export interface TensorVal {
  kind: 'tensor';
  /** Engine node producing it. */
  id: string;
  shape: number[];
}

export type Val = ConstVal | TensorVal;

/**
 * QONNX's channels-last domain: its Conv, MaxPool and BatchNormalization are the standard ops on data laid out
 * (N, …spatial, C), a Conv's weight as (Cout, …kernel, Cin/group) (qonnx.custom_op.channels_last, what
 * QONNX's ConvertToChannelsLastAndClean emits). The handlers read the node's layout from NodeContext.layout.
 */
export const CHANNELS_LAST_DOMAIN = 'qonnx.custom_op.channels_last';

/**
 * Tessera's own ops in an ONNX graph: `Linear` (y = x, the layer's result_t is the cast), which the QONNX importer
 * writes for a requantization (a Quant on a Quant's output) that no layer of the file can carry.
 */
export const TESSERA_DOMAIN = 'ai.tessera';

/** Throws the import error of a node (or of the graph when `node` is undefined): what is wrong and the fix. */
export function fail(node: string | undefined, op: string | undefined, what: string, fix: string, field?: string, value?: unknown): never {
  const where = node ? `ONNX node "${node}"${op ? ` (${op})` : ''}: ` : '';
  const d = makeDiagnostic({
    code: 'onnx-import', nodeName: node, field, value, rule: what, fix,
  });
  throw new TesseraError(`${where}${what}; ${fix}`, [d]);
}

/** Float32 data from any numbers. */
export function f32(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values as ArrayLike<number>);
}

/** Reads one ONNX node's attributes; finish() rejects any attribute no handler read. */
export class Attrs {
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

/** The Tessera graph being built: nodes, edges, weights, and the ONNX tensor names' values. */
export class Importer {
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
    const clean = displayNameOf(base);
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

/** A constant from an ONNX tensor (initializer or Constant attribute). */
export function constOf(t: OnnxTensorProto, where: string, op?: string): ConstVal {
  try {
    const { dims, dataType, values } = tensorProtoValues(t);
    return { kind: 'const', dims, values, dataType };
  } catch (e) {
    return fail(where, op, (e as Error).message, 're-export the model with float32 / int64 tensors stored inside it');
  }
}

/**
 * One ONNX node as a handler sees it: its name, op, attributes (every one must be read or the import fails),
 * its inputs as values, and the ways to produce its outputs. Members are bound functions, so a handler can
 * destructure what it uses.
 */
export class NodeContext {
  readonly op: string;
  /** Where the node's data keeps its channels: 'NXC' for the channels-last ops of QONNX (CHANNELS_LAST_DOMAIN). */
  readonly layout: 'NCX' | 'NXC';
  readonly nodeName: string;
  readonly a: Attrs;
  readonly inNames: string[];
  readonly outNames: string[];

  constructor(readonly imp: Importer, node: OnnxNodeProto, index: number) {
    this.op = node.opType ?? '';
    this.layout = node.domain === CHANNELS_LAST_DOMAIN ? 'NXC' : 'NCX';
    this.nodeName = node.name || (node.output ?? [])[0] || `${this.op}_${index}`;
    this.a = new Attrs(node, this.nodeName);
    this.inNames = node.input ?? [];
    this.outNames = node.output ?? [];
  }

  get opset(): number {
    return this.imp.opset;
  }

  fail(what: string, fix: string, field?: string, value?: unknown): never {
    return fail(this.nodeName, this.op, what, fix, field, value);
  }

  /** Input i's value (undefined when the input is absent: an empty name). */
  input = (i: number): Val | undefined => {
    const name = this.inNames[i];
    if (!name) return undefined;
    const v = this.imp.values.get(name);
    if (!v) fail(this.nodeName, this.op, `input "${name}" is used before any node produces it`, 'check that the nodes are in topological order and the model is complete', `input ${i}`, name);
    return v;
  };

  /** Input i as computed data (a constant is refused). */
  tensorIn = (i: number, what = `input ${i}`): TensorVal => {
    const v = this.input(i);
    if (!v) fail(this.nodeName, this.op, `${what} is missing`, 'check the model', `input ${i}`);
    if (v.kind !== 'tensor') fail(this.nodeName, this.op, `${what} ("${this.inNames[i]}") is a constant; Tessera needs computed data here`, 'remove the constant branch (fold it with onnx-simplifier)', `input ${i}`, this.inNames[i]);
    return v;
  };

  /** Input i as a constant (computed data is refused). */
  constIn = (i: number, what: string): ConstVal => {
    const v = this.input(i);
    if (!v) fail(this.nodeName, this.op, `${what} (input ${i}) is missing`, 'check the model', `input ${i}`);
    if (v.kind !== 'const') fail(this.nodeName, this.op, `${what} ("${this.inNames[i]}") is computed at run time; Tessera needs it as an initializer or Constant`, 'fold it into a constant (e.g. with onnx-simplifier) and import again', `input ${i}`, this.inNames[i]);
    return v;
  };

  optConstIn = (i: number, what: string): ConstVal | undefined => (this.inNames[i] ? this.constIn(i, what) : undefined);

  setOut = (v: Val, i = 0): void => {
    if (this.outNames[i]) this.imp.values.set(this.outNames[i], v);
  };

  /** Output 0 is input `i` under another name (Identity and no-op nodes): they are not readers of it. */
  setAlias = (v: Val, i = 0): void => {
    const name = this.inNames[i];
    if (name) this.imp.uses.set(name, (this.imp.uses.get(name) ?? 1) - 1);
    this.setOut(v);
  };

  onlyFirstOutputUsed = (): void => {
    this.outNames.slice(1).forEach((o, i) => {
      if (o && this.imp.uses.has(o)) this.fail(`output ${i + 1} ("${o}") is used, but Tessera computes only the first output of ${this.op}`, 'remove the use of the extra output (e.g. export in inference mode)', `output ${i + 1}`, o);
    });
  };

  /** An engine node for this ONNX node (named after it). */
  add = (type: string, params: Record<string, unknown>, inputs: TensorVal[], weights?: Record<string, Tensor>): TensorVal =>
    this.imp.addNode(type, this.nodeName, params, inputs, weights, { node: this.nodeName, op: this.op });

  /** A helper engine node for part of this ONNX node, named `<node>/<part>`. */
  addPart = (part: string, type: string, params: Record<string, unknown>, inputs: TensorVal[]): TensorVal =>
    this.imp.addNode(type, `${this.nodeName}/${part}`, params, inputs, {}, { node: this.nodeName, op: this.op });

  /** The channel count of x in this node's layout. */
  channels = (x: TensorVal): number => x.shape[this.layout === 'NXC' ? x.shape.length - 1 : 1];

  /** The spatial sizes of x in this node's layout. */
  spatialSizes = (x: TensorVal): number[] => (this.layout === 'NXC' ? x.shape.slice(1, -1) : x.shape.slice(2));

  /** 1 or 2 spatial axes beside N and C; anything else is refused. */
  spatialRank = (x: TensorVal): 1 | 2 => {
    const r = x.shape.length - 2;
    if (r !== 1 && r !== 2) fail(this.nodeName, this.op, `input has shape [${x.shape.join(', ')}] (${r} spatial axes); Tessera supports 1D and 2D`, this.layout === 'NXC' ? 'use a 1D (N, L, C) or 2D (N, H, W, C) model' : 'use a 1D (N, C, L) or 2D (N, C, H, W) model', 'input 0', x.shape);
    return r;
  };

  /** An INTS attribute with one value per spatial axis (default `def` on every axis). */
  perAxis = (name: string, rank: number, def: number): number[] => {
    const v = this.a.ints(name);
    if (!v) return new Array<number>(rank).fill(def);
    if (v.length !== rank) this.a.fail(`attribute ${name} has ${v.length} values for ${rank} spatial axes`, `give ${name} ${rank} values`, name, v);
    return v;
  };

  /** The `pads` attribute as begin and end per spatial axis. */
  pads2 = (rank: number): { begin: number[]; end: number[] } => {
    const p = this.a.ints('pads');
    if (!p) return { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
    if (p.length !== 2 * rank) this.a.fail(`attribute pads has ${p.length} values; ${2 * rank} (begin and end per spatial axis) expected`, 'fix the pads attribute', 'pads', p);
    if (p.some((v) => v < 0)) this.a.fail('attribute pads has a negative value', 'use pads ≥ 0 (negative pads are not supported)', 'pads', p);
    return { begin: p.slice(0, rank), end: p.slice(rank) };
  };

  /** The `auto_pad` attribute (pads given beside it are read and, as onnxruntime does, ignored). */
  autoPad = (): string => {
    const m = this.a.string('auto_pad', 'NOTSET');
    if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(m)) this.a.fail(`auto_pad "${m}" is not an ONNX auto_pad value`, 'use NOTSET, SAME_UPPER, SAME_LOWER or VALID', 'auto_pad', m);
    if (m !== 'NOTSET' && this.a.has('pads')) this.a.ints('pads');
    return m;
  };

  warn = (code: string, field: string, value: unknown, rule: string, fix: string): void => {
    this.imp.diagnostics.push(makeDiagnostic({ severity: 'warning', code, nodeName: this.nodeName, field, value, rule, fix }));
  };
}
