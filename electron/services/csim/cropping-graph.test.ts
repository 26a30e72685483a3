// Cropping end to end through the generator: a Keras-style NXC Conv2D → Cropping2D → ReLU → Flatten → Dense
// and an NCX 1D Cropping → Conv1D chain, generated for io_parallel and io_stream, compiled with g++ in one
// program, 3 images each, compared bit for bit with the engine.
import { describe, expect } from 'vitest';
import { randomTensor } from '../../../engine/tensor/tensor';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type HlsConfig, type IoType } from '../../../engine/hls/config';
import { csimMatchesEngine, graphModel } from './graph.testutil';

const model = graphModel;

let seed = 11;
const rnd = (shape: number[], lo = -1, hi = 1.2) => randomTensor(shape, seed++, lo, hi);
const convP = (filters: number, k: number[], fmt: 'NCX' | 'NXC') => ({
  filters, kernel: k, stride: k.map(() => 1), dilation: k.map(() => 1), padsBegin: k.map(() => 0), padsEnd: k.map(() => 0), groups: 1, bias: true, dataFormat: fmt, autoPad: 'explicit',
});

/** NXC: Input 7×6×3 → Conv2D 3×2 (5×5×4) → Cropping ((1, 2), (2, 0)) (2×3×4) → ReLU → Flatten → Dense 5. */
function keras2d(): Model {
  return model(
    [
      ['x', 'Input', { shape: [1, 7, 6, 3], dataFormat: 'NXC' }, []],
      ['conv', 'Conv2D', convP(4, [3, 2], 'NXC'), ['x']],
      ['crop', 'Cropping', { cropBegin: [1, 2], cropEnd: [2, 0], dataFormat: 'NXC' }, ['conv']],
      ['relu', 'ReLU', {}, ['crop']],
      ['flat', 'Flatten', { axis: 1 }, ['relu']],
      ['fc', 'Dense', { units: 5, bias: true }, ['flat']],
    ],
    { conv: { weight: rnd([4, 3, 3, 2], -0.6, 0.7), bias: rnd([4]) }, fc: { weight: rnd([24, 5], -0.5, 0.6), bias: rnd([5]) } },
  );
}

/** NCX 1D: Input 2×12 → Cropping (3, 1) (2×8) → Conv1D k3 (3×6) → Cropping (0, 2) (3×4) → Flatten → Dense 4. */
function ncx1d(): Model {
  return model(
    [
      ['x', 'Input', { shape: [1, 2, 12], dataFormat: 'NCX' }, []],
      ['crop0', 'Cropping', { cropBegin: [3], cropEnd: [1], dataFormat: 'NCX' }, ['x']],
      ['conv', 'Conv1D', convP(3, [3], 'NCX'), ['crop0']],
      ['crop1', 'Cropping', { cropBegin: [0], cropEnd: [2], dataFormat: 'NCX' }, ['conv']],
      ['flat', 'Flatten', { axis: 1 }, ['crop1']],
      ['fc', 'Dense', { units: 4, bias: true }, ['flat']],
    ],
    { conv: { weight: rnd([3, 2, 3], -0.6, 0.7), bias: rnd([3]) }, fc: { weight: rnd([12, 4], -0.5, 0.6), bias: rnd([4]) } },
  );
}

const PROJECTS = (['io_parallel', 'io_stream'] as IoType[]).flatMap((io): { top: string; model: Model; io: IoType; layers: HlsConfig['layers'] }[] => {
  const s = io === 'io_parallel' ? 'par' : 'str';
  return [
    { top: `crop2d_${s}`, model: keras2d(), io, layers: { crop: { precision: { result_t: 'ap_fixed<10,3,AP_RND,AP_SAT>' } } } },
    { top: `crop1d_${s}`, model: ncx1d(), io, layers: {} },
  ];
});

describe('Cropping end to end through the generator (g++ csim, bit-exact)', () => {
  csimMatchesEngine(
    'tessera-crop-graph-',
    PROJECTS.map((p) => ({ top: p.top, model: p.model, cfg: defaultHlsConfig({ io: p.io, top: p.top, testImages: 3, seed: 9, layers: p.layers }) })),
    { distinct: 5, generated: (g) => expect(Object.keys(g.files!).some((f) => f.endsWith('nnet_cropping.h'))).toBe(true) },
  );
});
