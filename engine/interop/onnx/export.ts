// Tessera model → ONNX bytes (opset 13, IR 8), so the same network runs in onnxruntime.
// Host-free. Every op maps to standard ONNX ops; channels-last (NXC) conv, pooling and batch-norm
// layers are wrapped in Transposes (ONNX's are channels-first), the same way tf2onnx does it.
import { analyzeGraph } from '../../graph/analyze';
import { TesseraError } from '../../diagnostics/diagnostics';
import type { Model } from '../../graph/model';
import { resolveGeometry, type ConvParams } from '../../ops/conv/params';
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

function perAxis(v: readonly number[] | undefined, rank: number, def: number): number[] {
  if (!v || v.length === 0) return new Array<number>(rank).fill(def);
  return v.length === 1 ? new Array<number>(rank).fill(v[0]) : v.slice(0, rank);
}

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
  const weight = (base: string, t: Tensor, scale?: (v: number) => number): string => {
    const name = unique(base);
    initializers.push({ name, dims: [...t.shape], data: scale ? Array.from(t.data, scale) : t.data });
    return name;
  };
  const ints = (base: string, data: number[]): string => {
    const name = unique(base);
    initializers.push({ name, dims: [data.length], data, dtype: 'int64' });
    return name;
  };

  for (const id of analysis.order) {
    const info = analysis.nodes[id];
    const n = info.node;
    const p = info.params as Record<string, any>;
    const w = model.weights[id] ?? {};
    const ins = info.inputEdges.map((e) => tensorName.get(e.source)!);
    const inShapes = info.inputShapes as Shape[];
    const x = ins[0];
    const rank = inShapes[0]?.length ?? 0;
    const out = unique(n.name);
    tensorName.set(id, out);
    const emit = (op: string, inputs: string[], attrs: NodeSpec['attrs'] = {}, output = out, name = n.name) => {
      nodes.push({ op, inputs, outputs: [output], attrs, name: nodes.some((s) => s.name === name) ? unique(`${name}/${op}`) : name });
    };
    /** Runs `body` on channels-first data: transposes in and out when the node is NXC. */
    const channelsFirst = (body: (input: string, output: string) => void) => {
      if (p.dataFormat !== 'NXC' || rank < 3) {
        body(x, out);
        return;
      }
      const tin = unique(`${n.name}/to_ncx`);
      const tout = unique(`${n.name}/ncx`);
      emit('Transpose', [x], { perm: toNCX(rank) }, tin, unique(`${n.name}/to_ncx`));
      body(tin, tout);
      emit('Transpose', [tout], { perm: toNXC(rank) }, out, unique(`${n.name}/to_nxc`));
    };
    const need = (slot: string): Tensor => {
      const t = w[slot];
      if (!t) throw new TesseraError(`cannot export node "${n.name}": weight ${slot} is missing; load or initialize it first`);
      return t;
    };

    switch (n.type) {
      case 'Input':
        usedNames.delete(out);
        tensorName.set(id, n.name);
        usedNames.add(n.name);
        inputs.push({ name: n.name, shape: [...(info.outputShape as Shape)] });
        break;
      case 'Conv1D':
      case 'Conv2D':
      case 'ConvTranspose1D':
      case 'ConvTranspose2D': {
        const cp = p as ConvParams;
        const isT = n.type.startsWith('ConvTranspose');
        const nxc = cp.dataFormat === 'NXC';
        const spatial = nxc ? inShapes[0].slice(1, -1) : inShapes[0].slice(2);
        const g = resolveGeometry(cp, spatial);
        const attrs: NodeSpec['attrs'] = {
          kernel_shape: g.kernel, strides: g.stride, dilations: g.dilation, pads: [...g.padsBegin, ...g.padsEnd], group: g.groups,
        };
        if (isT && g.outputPadding.some((v) => v !== 0)) attrs.output_padding = g.outputPadding;
        const wn = weight(`${n.name}.weight`, need('weight'));
        const inputsOf = (input: string) => (cp.bias ? [input, wn, weight(`${n.name}.bias`, need('bias'))] : [input, wn]);
        channelsFirst((input, output) => emit(isT ? 'ConvTranspose' : 'Conv', inputsOf(input), attrs, output));
        break;
      }
      case 'Dense': {
        const wn = weight(`${n.name}.weight`, need('weight'));
        if (rank === 2) {
          emit('Gemm', p.bias ? [x, wn, weight(`${n.name}.bias`, need('bias'))] : [x, wn]);
        } else if (p.bias) {
          const mm = unique(`${n.name}/matmul`);
          emit('MatMul', [x, wn], {}, mm, unique(`${n.name}/MatMul`));
          emit('Add', [mm, weight(`${n.name}.bias`, need('bias'))]);
        } else emit('MatMul', [x, wn]);
        break;
      }
      case 'Flatten':
        emit('Flatten', [x], { axis: p.axis });
        break;
      case 'Reshape':
        emit('Reshape', [x, ints(`${n.name}.shape`, [0, ...p.targetShape])]);
        break;
      case 'Transpose': {
        const perm = p.perm.length ? p.perm : Array.from({ length: rank }, (_, i) => rank - 1 - i);
        emit('Transpose', [x], { perm });
        break;
      }
      case 'ReLU':
        emit('Relu', [x]);
        break;
      case 'Sigmoid':
      case 'Tanh':
        emit(n.type, [x]);
        break;
      case 'LeakyReLU':
        emit('LeakyRelu', [x], { alpha: { float: p.alpha } });
        break;
      case 'Selu':
        emit('Selu', [x], { alpha: { float: p.alpha }, gamma: { float: p.gamma } });
        break;
      case 'Softmax':
        emit('Softmax', [x], { axis: p.axis });
        break;
      case 'BatchNormalization': {
        const slots = ['gamma', 'beta', 'mean', 'variance'].map((s) => weight(`${n.name}.${s}`, need(s)));
        channelsFirst((input, output) => emit('BatchNormalization', [input, ...slots], { epsilon: { float: p.epsilon } }, output));
        break;
      }
      case 'ZeroPadding': {
        const sr = rank - 2;
        const pb = perAxis(p.padsBegin, sr, 0);
        const pe = perAxis(p.padsEnd, sr, 0);
        if (opset >= 18) {
          const axes = Array.from({ length: sr }, (_, i) => (p.dataFormat === 'NXC' ? 1 + i : 2 + i));
          emit('Pad', [x, ints(`${n.name}.pads`, [...pb, ...pe]), '', ints(`${n.name}.axes`, axes)], { mode: 'constant' });
        } else {
          const full = (v: number[]) => (p.dataFormat === 'NXC' ? [0, ...v, 0] : [0, 0, ...v]);
          emit('Pad', [x, ints(`${n.name}.pads`, [...full(pb), ...full(pe)])], { mode: 'constant' });
        }
        break;
      }
      case 'Cropping': {
        // Slice on the spatial axes (channels first, as ONNX layers are: NXC is wrapped in Transposes):
        // start = crop at the start, end = size − crop at the end, step 1.
        const sr = rank - 2;
        const cb = perAxis(p.cropBegin, sr, 0);
        const ce = perAxis(p.cropEnd, sr, 0);
        const sizes = p.dataFormat === 'NXC' ? inShapes[0].slice(1, -1) : inShapes[0].slice(2);
        const axes = sizes.map((_, i) => 2 + i);
        const consts = [
          ints(`${n.name}.starts`, cb), ints(`${n.name}.ends`, sizes.map((d, i) => d - ce[i])), ints(`${n.name}.axes`, axes), ints(`${n.name}.steps`, axes.map(() => 1)),
        ];
        channelsFirst((input, output) => emit('Slice', [input, ...consts], {}, output));
        break;
      }
      case 'UpSampling': {
        const sc = perAxis(p.scale, rank - 2, 1);
        const scales = p.dataFormat === 'NXC' ? [1, ...sc, 1] : [1, 1, ...sc];
        const sn = unique(`${n.name}.scales`);
        initializers.push({ name: sn, dims: [scales.length], data: scales });
        emit('Resize', [x, '', sn], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const sr = rank - 2;
        const attrs: NodeSpec['attrs'] = {
          kernel_shape: perAxis(p.kernel, sr, 1), strides: perAxis(p.stride, sr, 1),
          pads: [...perAxis(p.padsBegin, sr, 0), ...perAxis(p.padsEnd, sr, 0)], ceil_mode: p.ceilMode ? 1 : 0,
        };
        if (n.type === 'AveragePool') attrs.count_include_pad = p.countIncludePad ? 1 : 0;
        channelsFirst((input, output) => emit(n.type, [input], attrs, output));
        break;
      }
      case 'Add': {
        let acc = ins[0];
        for (let i = 1; i < ins.length; i++) {
          const last = i === ins.length - 1;
          const o = last ? out : unique(`${n.name}/sum${i}`);
          emit('Add', [acc, ins[i]], {}, o, last ? n.name : unique(`${n.name}/Add${i}`));
          acc = o;
        }
        break;
      }
      case 'Concatenate':
        emit('Concat', ins, { axis: p.axis < 0 ? p.axis + rank : p.axis });
        break;
      default:
        throw new TesseraError(`cannot export node "${n.name}": op ${n.type} has no ONNX mapping yet`);
    }
  }

  const outputs: ValueSpec[] = analysis.outputs.map((id) => ({ name: tensorName.get(id)!, shape: [...(analysis.shapes[id] as Shape)] }));
  return buildOnnxModel({ inputs, outputs, nodes, initializers, opset, graphName: options.graphName ?? 'tessera' });
}
