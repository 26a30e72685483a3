// QKeras quantized_po2 weights built: QConv1D (po2 kernel and bias) → LeakyReLU → Flatten → QDense (po2 kernel,
// quantized_bits bias) imported from .h5; the weights are powers of two in the ap_fixed types the importer derived
// (engine/interop/keras/qkeras.ts); generated for io_parallel and io_stream, compiled with g++: the C simulation
// equals the engine's fixed-point run bit for bit.
import { beforeAll, describe, expect } from 'vitest';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type IoType } from '../../../engine/hls/config';
import { randomTensor } from '../../../engine/tensor/tensor';
import { importKerasH5 } from '../../../engine/interop/keras/import';
import { conv, dense, keras2H5, plain, type LayerSpec, type ModelSpec } from '../../../engine/interop/keras/writer.testutil';
import { csimMatchesEngine, type CsimProject } from './graph.testutil';

const q = (layer: LayerSpec, cls: string, extra: Record<string, unknown>): LayerSpec => ({ ...layer, cls, config: { ...layer.config, kernel_range: null, bias_range: null, ...extra } });
// A pruned weight under 8-bit po2 (QKeras' defaults): QKeras makes it 2^-64, which no 53-bit type holds beside
// the others; the importer flushes it to 0 (the build was refused before: a weight type of 66 bits).
const qdKernel = randomTensor([32, 5], 3, -1, 1);
qdKernel.data[7] = 0;
const spec: ModelSpec = {
  kind: 'Sequential', inputs: [{ name: 'x', shape: [null, 16, 3] }],
  layers: [
    q(conv('Conv1D', 'qc', 1, { filters: 4, kernel_size: [3], strides: [2], padding: 'same' }, [randomTensor([3, 3, 4], 1, -1.5, 1.5), randomTensor([4], 2, -2, 2)]), 'QConv1D',
      { kernel_quantizer: 'quantized_po2(4)', bias_quantizer: 'quantized_po2(5, 4)' }),
    plain('LeakyReLU', 'act', { alpha: 0.25 }),
    plain('Flatten', 'f', { data_format: 'channels_last' }),
    q(dense('qd', { units: 5 }, [qdKernel, randomTensor([5], 4, -1, 1)]), 'QDense', { kernel_quantizer: 'quantized_po2(8)', bias_quantizer: 'quantized_bits(8, 2)' }),
  ],
};

const projects: CsimProject[] = (['io_parallel', 'io_stream'] as IoType[]).map((io) => {
  const top = `po2_${io === 'io_parallel' ? 'par' : 'str'}`;
  return { top, model: undefined as unknown as Model, cfg: defaultHlsConfig({ io, top, testImages: 3 }) };
});

describe('QKeras quantized_po2 weights built (io_parallel, io_stream): g++ csim bit-exact with the engine', () => {
  beforeAll(async () => {
    const r = await importKerasH5(await keras2H5(spec));
    expect(r.hlsLayers.qc.precision).toMatchObject({ weight_t: expect.stringMatching(/^ap_fixed<\d+,-?\d+>$/), bias_t: expect.stringMatching(/^ap_fixed<\d+,-?\d+>$/) });
    expect(r.hlsLayers.qd.precision?.weight_t).toMatch(/^ap_fixed<\d+,-?\d+>$/);
    expect(r.diagnostics.find((d) => d.code === 'qkeras-po2-flushed')?.message).toMatch(/1 weight value\(s\) below 2\^-\d+ .* were set to 0/);
    for (const p of projects) {
      p.model = r.model;
      p.cfg = defaultHlsConfig({ io: p.cfg.io, top: p.top, testImages: 3, layers: r.hlsLayers });
    }
  }, 60_000);
  csimMatchesEngine('tessera-po2-', projects, { distinct: 10 });
});
