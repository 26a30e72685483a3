// The Keras 1D U-Net of hls4ml issue 860 (engine/interop/keras/unet1d.testutil.ts) built in io_stream: imported
// from a Keras .h5 file, generated, compiled with g++ and run on 2 inputs; the C simulation equals the engine's
// fixed-point run bit for bit. The 1280×1 input and the structure (Conv1D stride 2 encoder, Conv1DTranspose
// decoder, BatchNormalization, LeakyReLU, Concatenate skips) are the issue's; the channel widths are 4 → 32
// instead of 64 → 512 so that the test runs in seconds (engine/interop/keras/unet1d.test.ts imports and previews
// the full-width model). TESSERA_UNET1D_FULL=1 also builds the full-width 64 → 512 model (about a minute).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig } from '../../../engine/hls/config';
import { simulateFloat } from '../../../engine/sim/float';
import { fixedVsFloat } from '../../../engine/fixed/tensor';
import { importKerasH5 } from '../../../engine/interop/keras/import';
import { keras2H5 } from '../../../engine/interop/keras/writer.testutil';
import { unet1d } from '../../../engine/interop/keras/unet1d.testutil';
import { csimMatchesEngine, type CsimProject } from './graph.testutil';

const top = 'unet1d_str';
const project: CsimProject = {
  top,
  model: undefined as unknown as Model, // set by the beforeAll below, which runs before csimMatchesEngine's
  cfg: defaultHlsConfig({ io: 'io_stream', top, testImages: 2 }),
};
const fullTop = 'unet1d_full_str';
const fullProject: CsimProject = { top: fullTop, model: undefined as unknown as Model, cfg: defaultHlsConfig({ io: 'io_stream', top: fullTop, testImages: 1 }) };

describe('Keras 1D U-Net (hls4ml issue 860 structure, 1280×1) in io_stream: g++ csim bit-exact with the engine', () => {
  beforeAll(async () => {
    const { keras } = unet1d({ length: 1280, channels: [4, 8, 16, 32], seed: 1860 });
    project.model = (await importKerasH5(await keras2H5(keras))).model;
  }, 60_000);
  const gens = csimMatchesEngine('tessera-unet1d-', [project], { distinct: 20 });

  it('the fixed-point output (ap_fixed<16,6> defaults) stays close to the float model', () => {
    const g = gens[top];
    const fl = simulateFloat(project.model, g.inputs).outputs;
    for (const [name, fx] of Object.entries(g.sim!.outputs)) {
      const e = fixedVsFloat(fx, fl[name]);
      expect(e.maxAbs, name).toBeLessThan(0.25);
    }
  });
});

describe.skipIf(!process.env.TESSERA_UNET1D_FULL)('the full-width Keras 1D U-Net (64 → 512 channels, 1280×1) in io_stream: g++ csim bit-exact', () => {
  beforeAll(async () => {
    fullProject.model = (await importKerasH5(await keras2H5(unet1d({ length: 1280, channels: [64, 128, 256, 512] }).keras))).model;
  }, 60_000);
  csimMatchesEngine('tessera-unet1d-full-', [fullProject], { distinct: 100 });
});
