// DCGAN generator and U-Net stage graphs end to end: generated for io_parallel and io_stream, compiled
// with g++ in one program, 3 images each, compared bit for bit with the engine's fixed-point run; the
// engine's fixed-point output is also checked against the float model.
import { describe, expect, it } from 'vitest';
import { randomTensor } from '../../../engine/tensor/tensor';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type HlsConfig, type IoType } from '../../../engine/hls/config';
import { simulateFloat } from '../../../engine/sim/float';
import { fixedVsFloat } from '../../../engine/fixed/tensor';
import { convParams, csimMatchesEngine, graphModel, unetStageModel } from './graph.testutil';

const model = graphModel;

let seed = 41;
const rnd = (shape: number[], lo = -0.5, hi = 0.55) => randomTensor(shape, seed++, lo, hi);
const conv = convParams;

/** DCGAN generator (small): z 8×1×1 → ConvT k4 s1 → BN → ReLU → ConvT k4 s2 p1 → BN → ReLU → ConvT k4 s2 p1 → Tanh. */
function dcgan(): Model {
  return model(
    [
      ['z', 'Input', { shape: [1, 8, 1, 1], dataFormat: 'NCX' }, []],
      ['ct1', 'ConvTranspose2D', conv(8, 4, 1, 0, { outputPadding: [0, 0], bias: false }), ['z']],
      ['bn1', 'BatchNormalization', { epsilon: 1e-3, dataFormat: 'NCX' }, ['ct1']],
      ['r1', 'ReLU', {}, ['bn1']],
      ['ct2', 'ConvTranspose2D', conv(4, 4, 2, 1, { outputPadding: [0, 0], bias: false }), ['r1']],
      ['bn2', 'BatchNormalization', { epsilon: 1e-3, dataFormat: 'NCX' }, ['ct2']],
      ['r2', 'ReLU', {}, ['bn2']],
      ['ct3', 'ConvTranspose2D', conv(3, 4, 2, 1, { outputPadding: [0, 0] }), ['r2']],
      ['img', 'Tanh', {}, ['ct3']],
    ],
    {
      ct1: { weight: rnd([8, 8, 4, 4]) },
      bn1: { gamma: rnd([8], 0.5, 1.5), beta: rnd([8]), mean: rnd([8], -0.2, 0.2), variance: rnd([8], 0.5, 2) },
      ct2: { weight: rnd([8, 4, 4, 4]) },
      bn2: { gamma: rnd([4], 0.5, 1.5), beta: rnd([4]), mean: rnd([4], -0.2, 0.2), variance: rnd([4], 0.5, 2) },
      ct3: { weight: rnd([4, 3, 4, 4]), bias: rnd([3]) },
    },
  );
}

/** U-Net stage: Conv → ReLU ─┬→ MaxPool → Conv → ReLU → ConvT k2 s2 → Concat(·, skip) → Conv → ReLU. */
const unet = (): Model => unetStageModel(rnd);

const DCGAN_LAYERS: HlsConfig['layers'] = {
  ct2: { strategy: 'resource', reuseFactor: 4 },
  img: { precision: { result_t: 'ap_fixed<10,2,AP_RND_CONV,AP_SAT>' } },
};
const UNET_LAYERS: HlsConfig['layers'] = {
  c2: { strategy: 'resource', reuseFactor: 6, precision: { accum_t: 'ap_fixed<18,8,AP_RND,AP_SAT>' } },
  up: { reuseFactor: 2 },
};

const PROJECTS = (['io_parallel', 'io_stream'] as IoType[]).flatMap((io) => {
  const t = io === 'io_parallel' ? 'par' : 'str';
  return [
    { top: `dcgan_${t}`, model: dcgan(), cfg: defaultHlsConfig({ io, top: `dcgan_${t}`, testImages: 3, layers: DCGAN_LAYERS }) },
    { top: `unet_${t}`, model: unet(), cfg: defaultHlsConfig({ io, top: `unet_${t}`, testImages: 3, layers: UNET_LAYERS }) },
  ];
});

describe('DCGAN generator and U-Net stage end to end (g++ csim, bit-exact)', () => {
  const gens = csimMatchesEngine('tessera-graphs-', PROJECTS, { distinct: 20 });

  it('the fixed-point outputs stay close to the float model (ap_fixed<16,6> defaults)', () => {
    for (const p of PROJECTS) {
      const g = gens[p.top];
      const fl = simulateFloat(p.model, g.inputs).outputs;
      for (const [name, fx] of Object.entries(g.sim!.outputs)) {
        const e = fixedVsFloat(fx, fl[name]);
        // Default ap_fixed<16,6> accumulators truncate every product to 2^-10 (AP_TRN): up to n_terms LSBs low per
        // conv (72 · 2^-10 ≈ 0.07 for the last U-Net conv), three convs in series, plus result truncation.
        expect(e.maxAbs, `${p.top}/${name}`).toBeLessThan(0.25);
        expect(e.maxAbs, `${p.top}/${name}`).toBeGreaterThan(0);
      }
    }
  });
});
