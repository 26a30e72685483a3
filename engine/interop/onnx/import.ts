// ONNX → Tessera model. Host-free: bytes in, { model, diagnostics } out.
//
// Every ONNX node is converted by its op's handler (handlers.ts, a table keyed by ONNX op type) that reads
// each attribute it understands; any attribute left unread, any unsupported op, value or input combination
// throws a TesseraError naming the node, the op and the attribute, so a model never imports into something
// that computes differently. Shapes are tracked with the engine's own shape rules (op.infer) as nodes are
// created, and graph output shapes declared in the ONNX file are checked against them.
import { analyzeGraph } from '../../graph/analyze';
import { makeDiagnostic, TesseraError, type Diagnostic } from '../../diagnostics/diagnostics';
import type { Graph, GraphNode, Model } from '../../graph/model';
import { getOp } from '../../ops/registry';
import { isGraphInput } from '../../ops/input';
import { dataTypeName, decodeModelProto, OnnxDataType, type OnnxModelProto, type OnnxNodeProto } from './proto';
import { CHANNELS_LAST_DOMAIN, constOf, fail, Importer, NodeContext } from './importer';
import { ONNX_DOMAIN_HANDLERS, SUPPORTED_ONNX_OPS } from './handlers';

export { SUPPORTED_ONNX_OPS };

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
      if (isGraphInput(node)) fail(undefined, undefined, `graph output "${name}" is the graph input itself`, 'remove this output', name);
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

  /** An input that only feeds Transpose(perm = [0, 2, 3, 1]-inverse) nodes, or QONNX channels-last ops, is channels-last. */
  private guessInputFormat(name: string, shape: number[], nodes: OnnxNodeProto[], needed: Set<number>): 'NCX' | 'NXC' {
    if (shape.length !== 3 && shape.length !== 4) return 'NCX';
    const toNCX = shape.length === 4 ? [0, 3, 1, 2] : [0, 2, 1];
    const readers = nodes.filter((n, i) => needed.has(i) && (n.input ?? []).includes(name));
    const channelsLast = readers.length > 0 && readers.every((n) => {
      if (n.domain === CHANNELS_LAST_DOMAIN) return true;
      if (n.opType !== 'Transpose') return false;
      const perm = (n.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number);
      return !!perm && perm.length === toNCX.length && perm.every((p, i) => p === toNCX[i]);
    });
    return channelsLast ? 'NXC' : 'NCX';
  }

  private convert(n: OnnxNodeProto, index: number): void {
    const cx = new NodeContext(this.imp, n, index);
    const domain = n.domain ?? '';
    const table = ONNX_DOMAIN_HANDLERS[domain];
    if (!table) {
      cx.fail(`op "${cx.op}" of domain "${domain}" is not supported`, 'Tessera imports standard ONNX ops and QONNX\'s channels-last Conv, MaxPool and BatchNormalization; re-export without other custom ops', 'domain', domain);
    }
    const handler = Object.hasOwn(table, cx.op) ? table[cx.op] : undefined;
    if (handler) return handler(cx);
    if (domain !== '' && domain !== 'ai.onnx') cx.fail(`op "${cx.op}" of domain "${domain}" is not supported`, `that domain's ops Tessera imports: ${Object.keys(table).join(', ')}`, 'op_type', cx.op);
    cx.fail(`op "${cx.op}" is not supported by Tessera`, `supported ops: ${SUPPORTED_ONNX_OPS.join(', ')}`, 'op_type', cx.op);
  }
}

/** Whether an engine node's meaning follows its dataFormat parameter, or does not depend on the layout at all. */
const layoutOf = (n: GraphNode) => getOp(n.type)?.dataLayout;
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
      if (rank !== 3 && rank !== 4) continue;
      // tf2onnx wraps NXC layers in Transpose(to NCX) … Transpose(to NXC); QONNX's channels-last models wrap
      // NCX data as Transpose(to NXC) → channels-last layers → Transpose(to NCX).
      const sandwiches: ['NCX' | 'NXC', 'NCX' | 'NXC'][] = [];
      if (samePerm(p, permToNCX(rank))) sandwiches.push(['NCX', 'NXC']);
      if (samePerm(p, permToNXC(rank))) sandwiches.push(['NXC', 'NCX']);
      for (const [inner, outer] of sandwiches) {
        const chain: GraphNode[] = [];
        let cur = next;
        while ((layoutOf(cur) === 'dataFormat' || layoutOf(cur) === 'free') && getOp(cur.type)!.inputs.max === 1 && (layoutOf(cur) === 'free' || (cur.params.dataFormat ?? 'NCX') === inner) && !isOutput(cur.id)) {
          const r = readers(cur.id);
          if (r.length !== 1) break;
          chain.push(cur);
          cur = imp.nodes.find((n) => n.id === r[0].target)!;
        }
        if (chain.length === 0 || cur.type !== 'Transpose' || !samePerm(cur.params.perm, outer === 'NXC' ? permToNXC(rank) : permToNCX(rank))) continue;
        for (const n of chain) if (layoutOf(n) === 'dataFormat') n.params = { ...n.params, dataFormat: outer };
        bypass(tIn, cur, chain[0], chain[chain.length - 1]);
        changed = true;
        break;
      }
      if (changed) break;
    }
  }
}
