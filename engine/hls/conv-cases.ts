// Single-layer models for the csim matrix tests and benchmarks (pure data, host-free): one Input → one
// Conv/ConvTranspose with random, non-symmetric weights, plus the HLS config of the case; one Input → Dense.
import { randomTensor, type Tensor } from '../tensor/tensor';
import type { Model } from '../graph/model';
import { CURRENT_GRAPH_VERSION } from '../graph/schema';
import type { AutoPad } from '../ops/conv/params';
import { defaultHlsConfig, type HlsConfig, type IoType, type Strategy } from './config';
import { layerContext, resolveGraph } from './resolve';
import { getOp } from '../ops/registry';
import { validReuseFactors, divisors } from './reuse';

export interface ConvCase {
  name: string;
  op: 'Conv1D' | 'Conv2D' | 'ConvTranspose1D' | 'ConvTranspose2D';
  /** Spatial input size: [L] or [H, W]. */
  size: number[];
  cin: number;
  cout: number;
  kernel: number[];
  stride: number[];
  dilation?: number[];
  padsBegin?: number[];
  padsEnd?: number[];
  outputPadding?: number[];
  autoPad?: AutoPad;
  groups?: number;
  bias?: boolean;
  dataFormat?: 'NCX' | 'NXC';
  io: IoType;
  strategy?: Strategy;
  /** 'min' = smallest valid RF > 1 (1 if none), 'max' = largest valid, or a number. */
  rf?: number | 'min' | 'max';
  /** io_parallel: 'partial' = a divisor of the output pixels strictly between 1 and all of them. */
  pf?: number | 'partial';
  precision?: Record<string, string>;
  /** Why the case is in the matrix (e.g. the hls4ml failure it covers). */
  note?: string;
}

export function convCaseModel(c: ConvCase, seed = 1): Model {
  const transpose = c.op.startsWith('ConvTranspose');
  const rank = c.size.length;
  const fmt = c.dataFormat ?? 'NCX';
  const groups = c.groups ?? 1;
  const shape = fmt === 'NCX' ? [1, c.cin, ...c.size] : [1, ...c.size, c.cin];
  const params: Record<string, unknown> = {
    filters: c.cout,
    kernel: c.kernel,
    stride: c.stride,
    dilation: c.dilation ?? new Array(rank).fill(1),
    padsBegin: c.padsBegin ?? new Array(rank).fill(0),
    padsEnd: c.padsEnd ?? new Array(rank).fill(0),
    groups,
    bias: c.bias ?? true,
    dataFormat: fmt,
    autoPad: c.autoPad ?? 'explicit',
  };
  if (transpose) params.outputPadding = c.outputPadding ?? new Array(rank).fill(0);
  const wshape = transpose ? [c.cin, c.cout / groups, ...c.kernel] : [c.cout, c.cin / groups, ...c.kernel];
  const weights: Record<string, ReturnType<typeof randomTensor>> = { weight: randomTensor(wshape, seed * 7 + 1, -1, 1) };
  if (c.bias ?? true) weights.bias = randomTensor([c.cout], seed * 7 + 2, -1, 1);
  return {
    graph: {
      version: CURRENT_GRAPH_VERSION,
      nodes: [
        { id: 'in', type: 'Input', name: 'x', params: { shape, dataFormat: fmt } },
        { id: 'layer', type: c.op, name: 'conv', params },
      ],
      edges: [{ id: 'e0', source: 'in', sourcePort: 0, target: 'layer', targetPort: 0 }],
    },
    weights: { layer: weights },
  };
}

/** The case's HLS config with 'min'/'max'/'partial' resolved against the layer's valid sets. */
export function convCaseConfig(c: ConvCase, model: Model, top: string, images = 3): HlsConfig {
  const base = defaultHlsConfig({
    io: c.io,
    top,
    testImages: images,
    defaults: { strategy: c.strategy ?? 'latency', precision: c.precision },
  });
  const r = resolveGraph(model, base);
  const node = r.nodes.find((n) => n.id === 'layer');
  let rf = 1;
  let pf = 1;
  if (node) {
    const ctx = layerContext(model, node);
    const hls = getOp(c.op)!.hls!;
    const valid = validReuseFactors(hls.productBlocks(ctx));
    if (typeof c.rf === 'number') rf = c.rf;
    else if (c.rf === 'min') rf = valid.find((v) => v > 1) ?? 1;
    else if (c.rf === 'max') rf = valid[valid.length - 1];
    const pixels = hls.pixels!(ctx);
    if (typeof c.pf === 'number') pf = c.pf;
    else if (c.pf === 'partial') pf = divisors(pixels).find((d) => d > 1 && d < pixels) ?? 1;
  }
  return { ...base, defaults: { ...base.defaults, reuseFactor: rf, parallelizationFactor: pf } };
}

/** Input [1, n_in] (id 'in', name 'x') → Dense (id 'd', name 'dense') with weight [n_in, units] and bias [units]. */
export function denseCaseModel(weight: Tensor, bias: Tensor): Model {
  const [nIn, units] = weight.shape;
  return {
    graph: {
      version: CURRENT_GRAPH_VERSION,
      nodes: [
        { id: 'in', type: 'Input', name: 'x', params: { shape: [1, nIn] } },
        { id: 'd', type: 'Dense', name: 'dense', params: { units, bias: true } },
      ],
      edges: [{ id: 'e0', source: 'in', sourcePort: 0, target: 'd', targetPort: 0 }],
    },
    weights: { d: { weight, bias } },
  };
}
