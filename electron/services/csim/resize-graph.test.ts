// Resize (bilinear and nearest) end to end through the generator: a U-Net-like step (Conv → ReLU → MaxPool →
// bilinear ×2 ‖ Concatenate with the skip → Conv), 1D channels-last bilinear ×4 then nearest ×3, and 2D
// channels-last bilinear [1, 2] then nearest [2, 1]; each for io_parallel and io_stream, compiled with g++,
// 3 images each, compared bit for bit with the engine (rounding and saturating result types included).
import { describe, expect } from 'vitest';
import { randomTensor } from '../../../engine/tensor/tensor';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type HlsConfig, type IoType } from '../../../engine/hls/config';
import { convParams, csimMatchesEngine, graphModel } from './graph.testutil';

let seed = 41;
const rnd = (shape: number[], lo = -1, hi = 1.2) => randomTensor(shape, seed++, lo, hi);

function unetStepModel(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, 6, 4], dataFormat: 'NCX' }, []],
      ['c1', 'Conv2D', convParams(4, 3, 1, 1), ['x']],
      ['relu', 'ReLU', {}, ['c1']],
      ['pool', 'MaxPool', { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false }, ['relu']],
      ['up', 'Resize', { scale: [2], mode: 'bilinear', dataFormat: 'NCX' }, ['pool']],
      ['cat', 'Concatenate', { axis: 1 }, ['up', 'relu']],
      ['c2', 'Conv2D', convParams(2, 3, 1, 1), ['cat']],
    ],
    { c1: { weight: rnd([4, 3, 3, 3]), bias: rnd([4]) }, c2: { weight: rnd([2, 8, 3, 3], -0.5, 0.5), bias: rnd([2]) } },
  );
}

function oneDModel(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 7, 3], dataFormat: 'NXC' }, []],
      ['bl', 'Resize', { scale: [4], mode: 'bilinear', dataFormat: 'NXC' }, ['x']],
      ['nn', 'Resize', { scale: [3], mode: 'nearest', dataFormat: 'NXC' }, ['bl']],
    ],
    {},
  );
}

function mixedModel(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, 5, 2], dataFormat: 'NXC' }, []],
      ['bl', 'Resize', { scale: [1, 2], mode: 'bilinear', dataFormat: 'NXC' }, ['x']],
      ['nn', 'Resize', { scale: [2, 1], mode: 'nearest', dataFormat: 'NXC' }, ['bl']],
    ],
    {},
  );
}

function config(io: IoType, top: string, layers: HlsConfig['layers']): HlsConfig {
  return defaultHlsConfig({ io, top, testImages: 3, seed: 3, layers });
}

const PROJECTS = (['io_parallel', 'io_stream'] as IoType[]).flatMap((io) => {
  const t = io === 'io_parallel' ? 'par' : 'str';
  return [
    { top: `resize_unet_${t}`, model: unetStepModel(), cfg: config(io, `resize_unet_${t}`, { up: { precision: { result_t: 'ap_fixed<10,4,AP_RND_CONV,AP_SAT>' } } }) },
    { top: `resize_1d_${t}`, model: oneDModel(), cfg: config(io, `resize_1d_${t}`, { bl: { precision: { result_t: 'ap_fixed<8,2,AP_RND,AP_SAT>' } } }) },
    { top: `resize_2d_${t}`, model: mixedModel(), cfg: config(io, `resize_2d_${t}`, { nn: { precision: { result_t: 'ap_fixed<7,3,AP_RND_ZERO,AP_WRAP>' } } }) },
  ];
});

describe('Resize end to end through the generator (g++ csim, bit-exact)', () => {
  csimMatchesEngine('tessera-resize-graph-', PROJECTS, {
    distinct: 20,
    generated: (g) => expect(g.files!['firmware/parameters.h']).toContain('nnet::resize_config'),
  });
});
