// End to end through the generator: small graphs that use every non-conv layer (Dense latency and
// resource, BatchNorm, ReLU, LeakyReLU, Sigmoid, Tanh, Selu, Softmax, MaxPool, AveragePool, UpSampling,
// ZeroPadding, Add, Concatenate, Flatten, Reshape, Transpose; fan-out) and, with conv layers, a Keras-style
// DCGAN head (flat → Reshape to H, W, C), a PyTorch-style flat → Reshape to C, H, W → Conv, and a tf2onnx-style
// Transpose → NCX Conv → Transpose back; each generated
// for io_parallel and io_stream, compiled with g++ in one program, 3 images each, compared bit for bit with the engine.
import { describe } from 'vitest';
import { randomTensor } from '../../../engine/tensor/tensor';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type HlsConfig, type IoType } from '../../../engine/hls/config';
import { csimMatchesEngine, graphModel } from './graph.testutil';

const model = graphModel;

let seed = 5;
const rnd = (shape: number[], lo = -1, hi = 1.2) => randomTensor(shape, seed++, lo, hi);

/** Conv → BN → ReLU → MaxPool → UpSampling ‖ Concatenate with the conv → AveragePool → Flatten → Dense → Softmax. */
function cnnModel(): Model {
  const conv = { filters: 4, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit' };
  return model(
    [
      ['x', 'Input', { shape: [1, 3, 6, 6], dataFormat: 'NCX' }, []],
      ['conv', 'Conv2D', conv, ['x']],
      ['bn', 'BatchNormalization', { epsilon: 1e-3, dataFormat: 'NCX' }, ['conv']],
      ['relu', 'ReLU', {}, ['bn']],
      ['pool', 'MaxPool', { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false }, ['relu']],
      ['up', 'UpSampling', { scale: [2], dataFormat: 'NCX' }, ['pool']],
      ['cat', 'Concatenate', { axis: 1 }, ['up', 'conv']],
      ['avg', 'AveragePool', { kernel: [3], stride: [2], padsBegin: [1], padsEnd: [1], dataFormat: 'NCX', ceilMode: false, countIncludePad: false }, ['cat']],
      ['flat', 'Flatten', { axis: 1 }, ['avg']],
      ['fc', 'Dense', { units: 10, bias: true }, ['flat']],
      ['sm', 'Softmax', { axis: -1 }, ['fc']],
    ],
    {
      conv: { weight: rnd([4, 3, 3, 3]), bias: rnd([4]) },
      bn: { gamma: rnd([4], 0.5, 1.5), beta: rnd([4]), mean: rnd([4], -0.5, 0.5), variance: rnd([4], 0.3, 2) },
      fc: { weight: rnd([72, 10], -0.3, 0.35), bias: rnd([10]) },
    },
  );
}

/** Dense → Tanh → Reshape → ZeroPadding → LeakyReLU → Transpose → Flatten ⇉ (Dense → Sigmoid, Dense → Selu) → Add. */
function mlpModel(): Model {
  return model(
    [
      ['x', 'Input', { shape: [1, 12], dataFormat: 'NCX' }, []],
      ['d1', 'Dense', { units: 24, bias: true }, ['x']],
      ['th', 'Tanh', {}, ['d1']],
      ['rs', 'Reshape', { targetShape: [2, 3, 4] }, ['th']],
      ['pad', 'ZeroPadding', { padsBegin: [1, 0], padsEnd: [0, 1], dataFormat: 'NCX' }, ['rs']],
      ['lk', 'LeakyReLU', { alpha: 0.2 }, ['pad']],
      ['tr', 'Transpose', { perm: [0, 2, 3, 1] }, ['lk']],
      ['fl', 'Flatten', { axis: 1 }, ['tr']],
      ['d2', 'Dense', { units: 6, bias: true }, ['fl']],
      ['sg', 'Sigmoid', {}, ['d2']],
      ['d3', 'Dense', { units: 6, bias: false }, ['fl']],
      ['se', 'Selu', {}, ['d3']],
      ['sum', 'Add', {}, ['sg', 'se']],
    ],
    {
      d1: { weight: rnd([12, 24], -0.6, 0.8), bias: rnd([24]) },
      d2: { weight: rnd([40, 6], -0.5, 0.6), bias: rnd([6]) },
      d3: { weight: rnd([40, 6], -0.6, 0.5) },
    },
  );
}

/** Keras-style DCGAN head: z → Dense → Reshape (H, W, C) → BN (NXC) → ReLU → ConvTranspose2D → BN → ReLU → ConvTranspose2D → Tanh. */
function dcganModel(): Model {
  const ct = (filters: number, bias: boolean) => ({ filters, kernel: [4, 4], stride: [2, 2], dilation: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], outputPadding: [0, 0], groups: 1, bias, dataFormat: 'NXC', autoPad: 'same_upper' });
  const bnW = (c: number) => ({ gamma: rnd([c], 0.6, 1.4), beta: rnd([c], -0.3, 0.4), mean: rnd([c], -0.2, 0.3), variance: rnd([c], 0.4, 1.6) });
  return model(
    [
      ['z', 'Input', { shape: [1, 16], dataFormat: 'NXC' }, []],
      ['project', 'Dense', { units: 48, bias: false }, ['z']],
      ['reshape', 'Reshape', { targetShape: [2, 3, 8] }, ['project']],
      ['bn0', 'BatchNormalization', { epsilon: 1e-5, dataFormat: 'NXC' }, ['reshape']],
      ['relu0', 'ReLU', {}, ['bn0']],
      ['up1', 'ConvTranspose2D', ct(4, false), ['relu0']],
      ['bn1', 'BatchNormalization', { epsilon: 1e-5, dataFormat: 'NXC' }, ['up1']],
      ['relu1', 'ReLU', {}, ['bn1']],
      ['up2', 'ConvTranspose2D', ct(3, true), ['relu1']],
      ['image', 'Tanh', {}, ['up2']],
    ],
    {
      project: { weight: rnd([16, 48], -0.5, 0.6) },
      bn0: bnW(8), bn1: bnW(4),
      up1: { weight: rnd([8, 4, 4, 4], -0.4, 0.5) },
      up2: { weight: rnd([4, 3, 4, 4], -0.5, 0.4), bias: rnd([3]) },
    },
  );
}

/** PyTorch-style: z → Dense → Reshape (C, H, W) read by an NCX Conv2D → MaxPool → Flatten → Dense. */
function torchModel(): Model {
  const conv = { filters: 3, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit' };
  return model(
    [
      ['z', 'Input', { shape: [1, 10], dataFormat: 'NCX' }, []],
      ['fc0', 'Dense', { units: 40, bias: true }, ['z']],
      ['view', 'Reshape', { targetShape: [2, 4, 5] }, ['fc0']],
      ['conv', 'Conv2D', conv, ['view']],
      ['pool', 'MaxPool', { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: true }, ['conv']],
      ['flat', 'Flatten', { axis: 1 }, ['pool']],
      ['fc1', 'Dense', { units: 5, bias: true }, ['flat']],
    ],
    {
      fc0: { weight: rnd([10, 40], -0.6, 0.7), bias: rnd([40]) },
      conv: { weight: rnd([3, 2, 3, 3], -0.5, 0.6), bias: rnd([3]) },
      fc1: { weight: rnd([18, 5], -0.6, 0.5), bias: rnd([5]) },
    },
  );
}

/** tf2onnx-style: NHWC input → Transpose to NCHW → LeakyReLU → NCX Conv2D → Transpose back → NXC MaxPool → Flatten → Dense. */
function transposedModel(): Model {
  const conv = { filters: 4, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit' };
  return model(
    [
      ['x', 'Input', { shape: [1, 5, 6, 3], dataFormat: 'NXC' }, []],
      ['to_nchw', 'Transpose', { perm: [0, 3, 1, 2] }, ['x']],
      ['act', 'LeakyReLU', { alpha: 0.3 }, ['to_nchw']],
      ['conv', 'Conv2D', conv, ['act']],
      ['to_nhwc', 'Transpose', { perm: [0, 2, 3, 1] }, ['conv']],
      ['pool', 'MaxPool', { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NXC', ceilMode: false }, ['to_nhwc']],
      ['flat', 'Flatten', { axis: 1 }, ['pool']],
      ['fc', 'Dense', { units: 4, bias: true }, ['flat']],
    ],
    { conv: { weight: rnd([4, 3, 3, 3], -0.5, 0.6), bias: rnd([4]) }, fc: { weight: rnd([24, 4], -0.5, 0.6), bias: rnd([4]) } },
  );
}

function config(io: IoType, top: string, layers: HlsConfig['layers']): HlsConfig {
  return defaultHlsConfig({ io, top, testImages: 3, seed: 7, layers });
}

const CNN_LAYERS: HlsConfig['layers'] = {
  bn: { precision: { weight_t: 'ap_fixed<12,3,AP_RND_CONV>', accum_t: 'ap_fixed<14,5,AP_RND_CONV,AP_SAT>', result_t: 'ap_fixed<12,5,AP_RND,AP_SAT>' } },
  relu: { precision: { result_t: 'ap_ufixed<10,4,AP_RND_CONV,AP_SAT>' } },
  fc: { strategy: 'resource', reuseFactor: 8, precision: { accum_t: 'ap_fixed<20,8,AP_RND_CONV,AP_SAT>' } },
  sm: { precision: { table_t: 'ap_fixed<16,6,AP_RND_CONV,AP_SAT>', result_t: 'ap_ufixed<12,1,AP_RND,AP_SAT>' } },
};
const MLP_LAYERS: HlsConfig['layers'] = {
  d1: { strategy: 'resource', reuseFactor: 12 },
  th: { precision: { result_t: 'ap_fixed<10,2,AP_RND_CONV,AP_SAT>' } },
  lk: { precision: { result_t: 'ap_fixed<10,2,AP_RND,AP_SAT>' } },
  d2: { strategy: 'latency', precision: { accum_t: 'ap_fixed<14,4,AP_RND,AP_SAT>' } },
  sg: { precision: { result_t: 'ap_fixed<12,2,AP_RND_CONV,AP_SAT>' } },
  sum: { precision: { result_t: 'ap_fixed<10,3,AP_RND_CONV,AP_SAT>' } },
};

const PROJECTS = (['io_parallel', 'io_stream'] as IoType[]).flatMap((io) => [
  { top: `cnn_${io === 'io_parallel' ? 'par' : 'str'}`, model: cnnModel(), cfg: (t: string) => config(io, t, CNN_LAYERS) },
  { top: `mlp_${io === 'io_parallel' ? 'par' : 'str'}`, model: mlpModel(), cfg: (t: string) => config(io, t, MLP_LAYERS) },
  { top: `dcgan_${io === 'io_parallel' ? 'par' : 'str'}`, model: dcganModel(), cfg: (t: string) => config(io, t, {}) },
  { top: `torch_${io === 'io_parallel' ? 'par' : 'str'}`, model: torchModel(), cfg: (t: string) => config(io, t, {}) },
  { top: `tf2onnx_${io === 'io_parallel' ? 'par' : 'str'}`, model: transposedModel(), cfg: (t: string) => config(io, t, {}) },
]);

describe('non-conv layers end to end through the generator (g++ csim, bit-exact)', () => {
  csimMatchesEngine('tessera-layers-graph-', PROJECTS.map((p) => ({ top: p.top, model: p.model, cfg: p.cfg(p.top) })), { distinct: 5 });
});
