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

const SAT = { accum_t: 'ap_fixed<14,4,AP_RND,AP_SAT>', result_t: 'ap_fixed<10,3,AP_RND_CONV,AP_SAT>' };
export const WIDE = { weight_t: 'ap_fixed<18,2>', bias_t: 'ap_fixed<18,2>', accum_t: 'auto', result_t: 'ap_fixed<24,8,AP_RND>' };

const T2 = 'ConvTranspose2D' as const;
const T1 = 'ConvTranspose1D' as const;
const C2 = 'Conv2D' as const;
const C1 = 'Conv1D' as const;

/** The Conv-family csim matrix (electron/services/csim/conv-matrix.test.ts; also checked statically). */
export const CONV_MATRIX_CASES: ConvCase[] = [
  // ConvTranspose2D
  { name: 't2_stream_valid_k3s2', op: T2, size: [5, 4], cin: 3, cout: 2, kernel: [3, 3], stride: [2, 2], autoPad: 'valid', io: 'io_stream', note: 'hls4ml: io_stream valid k > s emitted in·s outputs; state leaked between images' },
  { name: 't2_stream_valid_k2s3', op: T2, size: [4, 5], cin: 2, cout: 3, kernel: [2, 2], stride: [3, 3], autoPad: 'valid', io: 'io_stream', precision: SAT },
  { name: 't2_par_valid_nonsquare', op: T2, size: [3, 6], cin: 2, cout: 2, kernel: [3, 2], stride: [2, 2], autoPad: 'valid', io: 'io_parallel', note: 'hls4ml: io_parallel 2D non-square outputs used the width for both axes' },
  { name: 't2_par_same_k3s2', op: T2, size: [4, 3], cin: 2, cout: 3, kernel: [3, 3], stride: [2, 2], autoPad: 'same_upper', io: 'io_parallel', note: 'Keras same k3 s2: crop 0 at the begin, 1 at the end' },
  { name: 't2_stream_same_k4s2', op: T2, size: [3, 4], cin: 2, cout: 2, kernel: [4, 4], stride: [2, 2], autoPad: 'same_upper', io: 'io_stream', precision: SAT },
  { name: 't2_stream_asym', op: T2, size: [4, 5], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], padsBegin: [1, 0], padsEnd: [0, 2], io: 'io_stream' },
  { name: 't2_par_torch_op', op: T2, size: [3, 4], cin: 3, cout: 2, kernel: [3, 3], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], outputPadding: [1, 1], io: 'io_parallel', note: 'PyTorch padding=1 output_padding=1' },
  { name: 't2_stream_op', op: T2, size: [4, 3], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], padsBegin: [1, 0], outputPadding: [1, 0], io: 'io_stream', precision: SAT },
  { name: 't2_par_dil2', op: T2, size: [3, 4], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], dilation: [2, 2], io: 'io_parallel', note: 'd = s: odd phases get no taps (bias only)' },
  { name: 't2_stream_dil2_k2s3', op: T2, size: [3, 4], cin: 2, cout: 2, kernel: [2, 2], stride: [3, 3], dilation: [2, 2], io: 'io_stream' },
  { name: 't2_par_groups2', op: T2, size: [3, 3], cin: 4, cout: 4, kernel: [3, 3], stride: [2, 2], groups: 2, io: 'io_parallel', precision: SAT },
  { name: 't2_stream_groups2_res', op: T2, size: [3, 4], cin: 4, cout: 2, kernel: [3, 2], stride: [2, 2], groups: 2, io: 'io_stream', strategy: 'resource', rf: 'min' },
  { name: 't2_par_res_rfmax', op: T2, size: [3, 3], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], io: 'io_parallel', strategy: 'resource', rf: 'max' },
  { name: 't2_par_lat_rf_pf', op: T2, size: [3, 4], cin: 2, cout: 3, kernel: [3, 3], stride: [2, 2], io: 'io_parallel', strategy: 'latency', rf: 'min', pf: 'partial', note: 'hls4ml: partial ParallelizationFactor wrote wrong outputs; Latency strategy used a wrong weight order', precision: SAT },
  { name: 't2_stream_k1s1', op: T2, size: [3, 4], cin: 3, cout: 2, kernel: [1, 1], stride: [1, 1], io: 'io_stream' },
  { name: 't2_par_k5s3', op: T2, size: [3, 2], cin: 2, cout: 2, kernel: [5, 5], stride: [3, 3], io: 'io_parallel' },
  { name: 't2_stream_k5s1_pad2', op: T2, size: [3, 4], cin: 2, cout: 2, kernel: [5, 5], stride: [1, 1], padsBegin: [2, 2], padsEnd: [2, 2], io: 'io_stream', precision: SAT },
  { name: 't2_stream_nxc', op: T2, size: [4, 3], cin: 3, cout: 2, kernel: [3, 3], stride: [2, 2], dataFormat: 'NXC', io: 'io_stream' },
  { name: 't2_par_s13', op: T2, size: [3, 3], cin: 2, cout: 2, kernel: [2, 4], stride: [1, 3], io: 'io_parallel' },
  { name: 't2_stream_s31_op', op: T2, size: [3, 3], cin: 2, cout: 2, kernel: [4, 2], stride: [3, 1], outputPadding: [2, 0], io: 'io_stream', rf: 'min', strategy: 'resource' },
  { name: 't2_par_same_lower', op: T2, size: [3, 4], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], autoPad: 'same_lower', io: 'io_parallel' },
  { name: 't2_stream_same_k1s2', op: T2, size: [3, 4], cin: 2, cout: 2, kernel: [1, 1], stride: [2, 2], autoPad: 'same_upper', io: 'io_stream', note: 'Keras same with k < s: output padding s − k' },
  { name: 't2_stream_wide_auto', op: T2, size: [4, 4], cin: 3, cout: 3, kernel: [4, 3], stride: [2, 3], padsBegin: [1, 1], padsEnd: [2, 0], io: 'io_stream', precision: WIDE },
  { name: 't2_par_nobias', op: T2, size: [2, 5], cin: 2, cout: 2, kernel: [3, 2], stride: [2, 2], bias: false, io: 'io_parallel', rf: 'max', strategy: 'latency' },
  // ConvTranspose1D
  { name: 't1_stream_valid_k3s2', op: T1, size: [6], cin: 3, cout: 2, kernel: [3], stride: [2], autoPad: 'valid', io: 'io_stream', note: 'hls4ml: io_stream valid k > s' },
  { name: 't1_stream_valid_k2s3', op: T1, size: [5], cin: 2, cout: 3, kernel: [2], stride: [3], autoPad: 'valid', io: 'io_stream', precision: SAT },
  { name: 't1_par_same_k4s2', op: T1, size: [5], cin: 2, cout: 2, kernel: [4], stride: [2], autoPad: 'same_upper', io: 'io_parallel' },
  { name: 't1_par_asym_k5s2', op: T1, size: [6], cin: 2, cout: 2, kernel: [5], stride: [2], padsBegin: [0], padsEnd: [2], io: 'io_parallel' },
  { name: 't1_stream_op2', op: T1, size: [5], cin: 2, cout: 2, kernel: [3], stride: [3], padsBegin: [1], outputPadding: [2], io: 'io_stream', precision: SAT },
  { name: 't1_par_dil2', op: T1, size: [6], cin: 2, cout: 2, kernel: [3], stride: [2], dilation: [2], io: 'io_parallel' },
  { name: 't1_stream_groups2_res', op: T1, size: [6], cin: 4, cout: 4, kernel: [3], stride: [2], groups: 2, io: 'io_stream', strategy: 'resource', rf: 'min' },
  { name: 't1_par_pf_rf', op: T1, size: [6], cin: 2, cout: 2, kernel: [3], stride: [2], io: 'io_parallel', rf: 'min', pf: 'partial', precision: SAT },
  { name: 't1_stream_k1s3', op: T1, size: [5], cin: 2, cout: 2, kernel: [1], stride: [3], io: 'io_stream' },
  { name: 't1_par_k5s1_nxc', op: T1, size: [6], cin: 3, cout: 2, kernel: [5], stride: [1], dataFormat: 'NXC', io: 'io_parallel' },
  { name: 't1_stream_mix', op: T1, size: [5], cin: 4, cout: 2, kernel: [4], stride: [3], dilation: [2], groups: 2, outputPadding: [1], io: 'io_stream', precision: SAT },
  { name: 't1_stream_same_k5s2', op: T1, size: [6], cin: 2, cout: 2, kernel: [5], stride: [2], autoPad: 'same_upper', io: 'io_stream', rf: 'max', strategy: 'resource' },
  // Conv2D
  { name: 'c2_par_valid_nonsquare', op: C2, size: [6, 5], cin: 2, cout: 3, kernel: [3, 3], stride: [1, 1], io: 'io_parallel' },
  { name: 'c2_stream_valid_s2', op: C2, size: [7, 6], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], io: 'io_stream', precision: SAT },
  { name: 'c2_par_same_s2', op: C2, size: [5, 6], cin: 2, cout: 2, kernel: [3, 3], stride: [2, 2], autoPad: 'same_upper', io: 'io_parallel' },
  { name: 'c2_stream_same_k4', op: C2, size: [5, 4], cin: 2, cout: 2, kernel: [4, 4], stride: [1, 1], autoPad: 'same_upper', io: 'io_stream' },
  { name: 'c2_par_asym', op: C2, size: [4, 5], cin: 2, cout: 2, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 0], padsEnd: [2, 1], io: 'io_parallel', precision: SAT },
  { name: 'c2_stream_asym_s2', op: C2, size: [5, 5], cin: 2, cout: 2, kernel: [2, 2], stride: [2, 2], padsBegin: [0, 2], padsEnd: [1, 0], io: 'io_stream' },
  { name: 'c2_par_dil2', op: C2, size: [6, 6], cin: 2, cout: 2, kernel: [3, 3], stride: [1, 1], dilation: [2, 2], io: 'io_parallel' },
  { name: 'c2_stream_dil_mixed', op: C2, size: [6, 7], cin: 2, cout: 2, kernel: [3, 3], stride: [1, 2], dilation: [2, 1], io: 'io_stream', precision: SAT },
  { name: 'c2_par_groups2', op: C2, size: [4, 4], cin: 4, cout: 4, kernel: [3, 3], stride: [1, 1], groups: 2, io: 'io_parallel' },
  { name: 'c2_stream_groups2_res', op: C2, size: [4, 5], cin: 4, cout: 2, kernel: [3, 3], stride: [1, 1], groups: 2, io: 'io_stream', strategy: 'resource', rf: 'min' },
  { name: 'c2_par_res_rfmax_pf', op: C2, size: [4, 4], cin: 2, cout: 2, kernel: [2, 2], stride: [1, 1], io: 'io_parallel', strategy: 'resource', rf: 'max', pf: 'partial' },
  { name: 'c2_par_lat_rf_pf', op: C2, size: [5, 4], cin: 2, cout: 2, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_parallel', strategy: 'latency', rf: 'min', pf: 'partial', precision: SAT },
  { name: 'c2_stream_k1', op: C2, size: [3, 4], cin: 3, cout: 2, kernel: [1, 1], stride: [1, 1], io: 'io_stream' },
  { name: 'c2_stream_k5_pad2', op: C2, size: [5, 6], cin: 2, cout: 2, kernel: [5, 5], stride: [1, 1], padsBegin: [2, 2], padsEnd: [2, 2], io: 'io_stream' },
  { name: 'c2_par_k2s3', op: C2, size: [7, 8], cin: 2, cout: 2, kernel: [2, 2], stride: [3, 3], io: 'io_parallel' },
  { name: 'c2_stream_nxc_same_lower', op: C2, size: [5, 4], cin: 3, cout: 2, kernel: [3, 3], stride: [2, 2], autoPad: 'same_lower', dataFormat: 'NXC', io: 'io_stream' },
  { name: 'c2_stream_k1s3', op: C2, size: [7, 5], cin: 2, cout: 2, kernel: [1, 1], stride: [3, 3], io: 'io_stream', note: 'input pixels no output reads are still drained' },
  { name: 'c2_par_wide_auto', op: C2, size: [4, 4], cin: 3, cout: 2, kernel: [3, 3], stride: [1, 1], io: 'io_parallel', precision: WIDE },
  // Conv1D
  { name: 'c1_stream_valid_k3', op: C1, size: [7], cin: 2, cout: 2, kernel: [3], stride: [1], io: 'io_stream' },
  { name: 'c1_par_valid_k5s2', op: C1, size: [9], cin: 2, cout: 3, kernel: [5], stride: [2], io: 'io_parallel', precision: SAT },
  { name: 'c1_stream_same_k4s2', op: C1, size: [7], cin: 2, cout: 2, kernel: [4], stride: [2], autoPad: 'same_upper', io: 'io_stream' },
  { name: 'c1_par_causal', op: C1, size: [6], cin: 2, cout: 2, kernel: [3], stride: [1], padsBegin: [2], padsEnd: [0], io: 'io_parallel' },
  { name: 'c1_stream_dil2', op: C1, size: [8], cin: 2, cout: 2, kernel: [3], stride: [1], dilation: [2], io: 'io_stream', precision: SAT },
  { name: 'c1_par_groups2_res', op: C1, size: [6], cin: 4, cout: 4, kernel: [3], stride: [1], groups: 2, io: 'io_parallel', strategy: 'resource', rf: 'min' },
  { name: 'c1_stream_groups2_rfmax', op: C1, size: [6], cin: 4, cout: 2, kernel: [2], stride: [1], groups: 2, io: 'io_stream', strategy: 'latency', rf: 'max' },
  { name: 'c1_par_pf_rf', op: C1, size: [8], cin: 2, cout: 2, kernel: [3], stride: [1], io: 'io_parallel', rf: 'min', pf: 'partial' },
  { name: 'c1_stream_k1s3', op: C1, size: [8], cin: 2, cout: 2, kernel: [1], stride: [3], io: 'io_stream' },
  { name: 'c1_par_nxc_k2', op: C1, size: [6], cin: 3, cout: 2, kernel: [2], stride: [1], dataFormat: 'NXC', io: 'io_parallel', precision: SAT },
  { name: 'c1_stream_k5s2_pad2_res', op: C1, size: [7], cin: 2, cout: 2, kernel: [5], stride: [2], padsBegin: [2], padsEnd: [2], io: 'io_stream', strategy: 'resource', rf: 'min' },
];
