// Tessera model → ONNX bytes (opset 13, IR 8), so the same network runs in onnxruntime.
// Host-free. Every op maps to standard ONNX ops; channels-last (NXC) conv, pooling and batch-norm
// layers are wrapped in Transposes (ONNX's are channels-first), the same way tf2onnx does it.
import { analyzeGraph } from '../../graph/analyze';
import { TesseraError } from '../../diagnostics/diagnostics';
import type { GraphNode, Model } from '../../graph/model';
import { resolveGeometry, type ConvParams } from '../../ops/conv/params';
import { isGraphInput } from '../../ops/input';
import type { Shape, Tensor } from '../../tensor/tensor';
import { buildOnnxModel, type NodeSpec, type TensorInit, type ValueSpec } from './proto';

export interface OnnxExportOptions {
  /**
   * Default 13, or 18 when a ZeroPadding feeds a MaxPool: its Pad then names its axes (an opset-18 input),
   * which keeps onnxruntime (≥ 1.17) from fusing the zero Pad into the MaxPool, whose pads count as −∞.
   */
  opset?: number;
  graphName?: string;
}

const toNCX = (rank: number) => (rank === 3 ? [0, 2, 1] : [0, 3, 1, 2]);
const toNXC = (rank: number) => (rank === 3 ? [0, 2, 1] : [0, 2, 3, 1]);

/**
 * Converts a model into ONNX bytes. Throws TesseraError when the graph has errors (export the graph
 * after fixing its diagnostics) or weights are missing.
 */
/** One engine node being exported: its parameters and weights, its ONNX inputs and output, and the writers. */
interface ExportNode {
  n: GraphNode;
  p: Record<string, any>;
  /** ONNX tensor names of the inputs; x = the first. */
  ins: string[];
  x: string;
  inShapes: Shape[];
  /** Rank of input 0. */
  rank: number;
  /** ONNX tensor name of the output. */
  out: string;
  opset: number;
  /** An ONNX node (named after the engine node, or `<name>/<op>` when that is taken). */
  emit(op: string, inputs: string[], attrs?: NodeSpec['attrs'], output?: string, name?: string): void;
  /** Runs `body` on channels-first data: transposes in and out when the node is NXC. */
  channelsFirst(body: (input: string, output: string) => void): void;
  /** An initializer from a weight slot (missing weights are an error). */
  weight(slot: string): string;
  /** An int64 initializer. */
  ints(base: string, data: number[]): string;
  /** A float initializer. */
  floats(base: string, data: number[]): string;
  unique(base: string): string;
  /** Makes the node a graph input. */
  graphInput(shape: Shape): void;
}

type OnnxExporter = (e: ExportNode) => void;

/** Channels-first view of a per-axis parameter: one value repeated, or the first `rank` values. */
function perAxis(v: readonly number[] | undefined, rank: number, def: number): number[] {
  if (!v || v.length === 0) return new Array<number>(rank).fill(def);
  return v.length === 1 ? new Array<number>(rank).fill(v[0]) : v.slice(0, rank);
}

const conv: OnnxExporter = (e) => {
  const cp = e.p as ConvParams;
  const isT = e.n.type.startsWith('ConvTranspose');
  const spatial = cp.dataFormat === 'NXC' ? e.inShapes[0].slice(1, -1) : e.inShapes[0].slice(2);
  const g = resolveGeometry(cp, spatial);
  const attrs: NodeSpec['attrs'] = {
    kernel_shape: g.kernel, strides: g.stride, dilations: g.dilation, pads: [...g.padsBegin, ...g.padsEnd], group: g.groups,
  };
  if (isT && g.outputPadding.some((v) => v !== 0)) attrs.output_padding = g.outputPadding;
  const wn = e.weight('weight');
  const inputsOf = (input: string) => (cp.bias ? [input, wn, e.weight('bias')] : [input, wn]);
  e.channelsFirst((input, output) => e.emit(isT ? 'ConvTranspose' : 'Conv', inputsOf(input), attrs, output));
};

/** MaxPool / AveragePool; only the average says whether padding counts. */
const pool = (average: boolean): OnnxExporter => (e) => {
  const { p } = e;
  const sr = e.rank - 2;
  const attrs: NodeSpec['attrs'] = {
    kernel_shape: perAxis(p.kernel, sr, 1), strides: perAxis(p.stride, sr, 1),
    pads: [...perAxis(p.padsBegin, sr, 0), ...perAxis(p.padsEnd, sr, 0)], ceil_mode: p.ceilMode ? 1 : 0,
  };
  if (average) attrs.count_include_pad = p.countIncludePad ? 1 : 0;
  e.channelsFirst((input, output) => e.emit(e.n.type, [input], attrs, output));
};

/** UpSampling and Resize: ONNX Resize on the spatial axes (any layout): nearest as floor(o / s), linear with half-pixel centres. */
function resize(e: ExportNode, mode: 'nearest' | 'bilinear'): void {
  const sc = perAxis(e.p.scale, e.rank - 2, 1);
  const scales = e.p.dataFormat === 'NXC' ? [1, ...sc, 1] : [1, 1, ...sc];
  const attrs: NodeSpec['attrs'] = mode === 'nearest'
    ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
    : { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
  e.emit('Resize', [e.x, '', e.floats(`${e.n.name}.scales`, scales)], attrs);
}

/** Every engine op's ONNX form, by engine op type (a test checks that every registered op has one). */
export const ONNX_EXPORTERS: Readonly<Record<string, OnnxExporter>> = {
  Input: (e) => e.graphInput(e.inShapes[0]),
  Conv1D: conv,
  Conv2D: conv,
  ConvTranspose1D: conv,
  ConvTranspose2D: conv,
  Dense: (e) => {
    const wn = e.weight('weight');
    if (e.rank === 2) e.emit('Gemm', e.p.bias ? [e.x, wn, e.weight('bias')] : [e.x, wn]);
    else if (e.p.bias) {
      const mm = e.unique(`${e.n.name}/matmul`);
      e.emit('MatMul', [e.x, wn], {}, mm, e.unique(`${e.n.name}/MatMul`));
      e.emit('Add', [mm, e.weight('bias')]);
    } else e.emit('MatMul', [e.x, wn]);
  },
  Flatten: (e) => e.emit('Flatten', [e.x], { axis: e.p.axis }),
  Reshape: (e) => e.emit('Reshape', [e.x, e.ints(`${e.n.name}.shape`, [0, ...e.p.targetShape])]),
  Transpose: (e) => e.emit('Transpose', [e.x], { perm: e.p.perm.length ? e.p.perm : Array.from({ length: e.rank }, (_, i) => e.rank - 1 - i) }),
  ReLU: (e) => e.emit('Relu', [e.x]),
  Linear: (e) => e.emit('Identity', [e.x]),
  Sigmoid: (e) => e.emit('Sigmoid', [e.x]),
  Tanh: (e) => e.emit('Tanh', [e.x]),
  LeakyReLU: (e) => e.emit('LeakyRelu', [e.x], { alpha: { float: e.p.alpha } }),
  Selu: (e) => e.emit('Selu', [e.x], { alpha: { float: e.p.alpha }, gamma: { float: e.p.gamma } }),
  Softmax: (e) => e.emit('Softmax', [e.x], { axis: e.p.axis }),
  BatchNormalization: (e) => {
    const slots = ['gamma', 'beta', 'mean', 'variance'].map((s) => e.weight(s));
    e.channelsFirst((input, output) => e.emit('BatchNormalization', [input, ...slots], { epsilon: { float: e.p.epsilon } }, output));
  },
  ZeroPadding: (e) => {
    const { p, n } = e;
    const sr = e.rank - 2;
    const pb = perAxis(p.padsBegin, sr, 0);
    const pe = perAxis(p.padsEnd, sr, 0);
    if (e.opset >= 18) {
      const axes = Array.from({ length: sr }, (_, i) => (p.dataFormat === 'NXC' ? 1 + i : 2 + i));
      e.emit('Pad', [e.x, e.ints(`${n.name}.pads`, [...pb, ...pe]), '', e.ints(`${n.name}.axes`, axes)], { mode: 'constant' });
    } else {
      const full = (v: number[]) => (p.dataFormat === 'NXC' ? [0, ...v, 0] : [0, 0, ...v]);
      e.emit('Pad', [e.x, e.ints(`${n.name}.pads`, [...full(pb), ...full(pe)])], { mode: 'constant' });
    }
  },
  // Slice on the spatial axes (channels first, as ONNX layers are: NXC is wrapped in Transposes):
  // start = crop at the start, end = size − crop at the end, step 1.
  Cropping: (e) => {
    const { p, n } = e;
    const sr = e.rank - 2;
    const cb = perAxis(p.cropBegin, sr, 0);
    const ce = perAxis(p.cropEnd, sr, 0);
    const sizes = p.dataFormat === 'NXC' ? e.inShapes[0].slice(1, -1) : e.inShapes[0].slice(2);
    const axes = sizes.map((_, i) => 2 + i);
    const consts = [
      e.ints(`${n.name}.starts`, cb), e.ints(`${n.name}.ends`, sizes.map((d, i) => d - ce[i])), e.ints(`${n.name}.axes`, axes), e.ints(`${n.name}.steps`, axes.map(() => 1)),
    ];
    e.channelsFirst((input, output) => e.emit('Slice', [input, ...consts], {}, output));
  },
  UpSampling: (e) => resize(e, 'nearest'),
  Resize: (e) => resize(e, e.p.mode),
  MaxPool: pool(false),
  AveragePool: pool(true),
  Add: (e) => {
    let acc = e.ins[0];
    for (let i = 1; i < e.ins.length; i++) {
      const last = i === e.ins.length - 1;
      const o = last ? e.out : e.unique(`${e.n.name}/sum${i}`);
      e.emit('Add', [acc, e.ins[i]], {}, o, last ? e.n.name : e.unique(`${e.n.name}/Add${i}`));
      acc = o;
    }
  },
  Concatenate: (e) => e.emit('Concat', e.ins, { axis: e.p.axis < 0 ? e.p.axis + e.rank : e.p.axis }),
};

/**
 * Converts a model into ONNX bytes. Throws TesseraError when the graph has errors (export the graph
 * after fixing its diagnostics) or weights are missing.
 */
export function exportOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  const analysis = analyzeGraph(model.graph, model.weights);
  if (analysis.hasErrors) {
    const first = analysis.diagnostics.find((d) => d.severity === 'error')!;
    throw new TesseraError(`cannot export a graph with errors: ${first.message}`, analysis.diagnostics);
  }
  const padFeedsMaxPool = model.graph.edges.some((e) =>
    analysis.nodes[e.source]?.node.type === 'ZeroPadding' && analysis.nodes[e.target]?.node.type === 'MaxPool');
  const opset = options.opset ?? (padFeedsMaxPool ? 18 : 13);
  const nodes: NodeSpec[] = [];
  const initializers: TensorInit[] = [];
  const inputs: ValueSpec[] = [];
  const usedNames = new Set<string>();
  const tensorName = new Map<string, string>(); // node id → ONNX tensor name of its output
  const unique = (base: string) => {
    let n = base || 'tensor';
    for (let i = 2; usedNames.has(n); i++) n = `${base}_${i}`;
    usedNames.add(n);
    return n;
  };
  const initializer = (base: string, dims: number[], data: ArrayLike<number>, dtype?: TensorInit['dtype']): string => {
    const name = unique(base);
    initializers.push({ name, dims, data, ...(dtype ? { dtype } : {}) });
    return name;
  };

  for (const id of analysis.order) {
    const info = analysis.nodes[id];
    const n = info.node;
    const exporter = ONNX_EXPORTERS[n.type];
    if (!exporter) throw new TesseraError(`cannot export node "${n.name}": op ${n.type} has no ONNX mapping yet`);
    const w = model.weights[id] ?? {};
    const ins = info.inputEdges.map((e) => tensorName.get(e.source)!);
    const inShapes = (isGraphInput(info.node) ? [info.outputShape] : info.inputShapes) as Shape[];
    const out = unique(n.name);
    tensorName.set(id, out);
    const rank = inShapes[0]?.length ?? 0;
    const emit: ExportNode['emit'] = (op, inputs, attrs = {}, output = out, name = n.name) => {
      nodes.push({ op, inputs, outputs: [output], attrs, name: nodes.some((s) => s.name === name) ? unique(`${name}/${op}`) : name });
    };
    exporter({
      n, p: info.params as Record<string, any>, ins, x: ins[0], inShapes, rank, out, opset, emit, unique,
      channelsFirst(body) {
        if (this.p.dataFormat !== 'NXC' || rank < 3) {
          body(ins[0], out);
          return;
        }
        const tin = unique(`${n.name}/to_ncx`);
        const tout = unique(`${n.name}/ncx`);
        emit('Transpose', [ins[0]], { perm: toNCX(rank) }, tin, unique(`${n.name}/to_ncx`));
        body(tin, tout);
        emit('Transpose', [tout], { perm: toNXC(rank) }, out, unique(`${n.name}/to_nxc`));
      },
      weight(slot) {
        const t: Tensor | undefined = w[slot];
        if (!t) throw new TesseraError(`cannot export node "${n.name}": weight ${slot} is missing; load or initialize it first`);
        return initializer(`${n.name}.${slot}`, [...t.shape], t.data);
      },
      ints: (base, data) => initializer(base, [data.length], data, 'int64'),
      floats: (base, data) => initializer(base, [data.length], data),
      graphInput(shape) {
        usedNames.delete(out);
        tensorName.set(id, n.name);
        usedNames.add(n.name);
        inputs.push({ name: n.name, shape: [...shape] });
      },
    });
  }

  const outputs: ValueSpec[] = analysis.outputs.map((id) => ({ name: tensorName.get(id)!, shape: [...(analysis.shapes[id] as Shape)] }));
  return buildOnnxModel({ inputs, outputs, nodes, initializers, opset, graphName: options.graphName ?? 'tessera' });
}
