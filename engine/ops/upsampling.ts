// UpSampling (nearest, integer scale per spatial axis): out[h, w] = in[⌊h / sh⌋, ⌊w / sw⌋]. In fixed point a
// pure data movement; in hardware hls-templates/nnet/nnet_upsampling.h.
import { z } from 'zod';
import { zeros } from '../tensor/tensor';
import type { HlsLayerContext, HlsLayerDef } from './hls-layer';
import { defineOp, type OpDef } from './types';
import { checkInputLayout, movementKernel } from './fixed/common';
import { cfgName, scaleFields, scaleGeometry, spatialCall } from './fixed/spatial';
import { movementLoop, opsFromReads } from './schedule';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, hw, perAxisHelp, perAxisSchema,
  spatialShape, spatialSizes, spatialView, type DataFormat,
} from './spatial';

export interface UpSamplingParams {
  scale: number[];
  dataFormat: DataFormat;
}

export const upSamplingOp: OpDef<UpSamplingParams> = defineOp<UpSamplingParams>({
  type: 'UpSampling',
  label: 'Upsampling (nearest)',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  keepsValues: () => true,
  params: z.object({ scale: perAxisSchema(2), dataFormat: dataFormatSchema }) as z.ZodType<UpSamplingParams>,
  paramHelp: { scale: `Integer repeat factor: ${perAxisHelp}.`, dataFormat: dataFormatHelp },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    const rank = checkSpatialInput(sink, 'UpSampling', x, p.dataFormat);
    if (rank === null) return null;
    const s = expandPerAxis(sink, 'scale', p.scale, rank, 1, 'upsampling-scale');
    if (!s) return null;
    const v = spatialView(x, p.dataFormat);
    return spatialShape(v.N, v.C, spatialSizes(x, p.dataFormat).map((d, a) => d * s[a]), p.dataFormat);
  },
  float(p, inputs) {
    const x = inputs[0];
    const rank = x.shape.length - 2;
    const s = p.scale.length === 1 ? new Array<number>(rank).fill(p.scale[0]) : p.scale;
    const iv = spatialView(x.shape, p.dataFormat);
    const outShape = spatialShape(iv.N, iv.C, spatialSizes(x.shape, p.dataFormat).map((d, a) => d * s[a]), p.dataFormat);
    const out = zeros(outShape);
    const ov = spatialView(outShape, p.dataFormat);
    const [sh, sw] = hw(s, rank, 1);
    for (let n = 0; n < ov.N; n++)
      for (let c = 0; c < ov.C; c++)
        for (let h = 0; h < ov.H; h++) {
          const ih = Math.floor(h / sh);
          for (let w = 0; w < ov.W; w++)
            out.data[n * ov.sN + c * ov.sC + h * ov.sH + w * ov.sW] = x.data[n * iv.sN + c * iv.sC + ih * iv.sH + Math.floor(w / sw) * iv.sW];
        }
    return out;
  },
  fixed: movementKernel<UpSamplingParams>((p, xs) => upSamplingOp.float(p, xs, {})),
  hls: upSamplingHls(),
});

function upSamplingHls(): HlsLayerDef<UpSamplingParams> {
  const geometry = scaleGeometry;
  return {
    headers: ['nnet_upsampling.h'],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs: (ctx) => [{ name: cfgName(ctx), base: 'nnet::upsampling_config', fields: scaleFields(ctx) }],
    weightArrays: () => [],
    call: (ctx, names) => spatialCall('upsampling', ctx as HlsLayerContext<unknown>, names),
    // upsampling_stream: read input row h, then write it scale_height times (each pixel scale_width times).
    stream(ctx) {
      const { i, o, sh } = geometry(ctx);
      const rbw: number[] = [];
      for (let h = 0; h < i.h; h++) for (let k = 0; k < sh * o.w; k++) rbw.push((h + 1) * i.w);
      return { ops: opsFromReads(rbw, i.h * i.w), overlapped: false };
    },
    cost(ctx) {
      if (ctx.config.io !== 'io_stream') return { kind: 'reorder', loop: movementLoop(ctx as HlsLayerContext<unknown>) };
      // upsampling_stream: a row read, then its copies written, each at II 1.
      const { i, o } = geometry(ctx);
      const steps = i.h * i.w + o.h * o.w;
      return { kind: 'reorder', loop: { iterations: steps, ii: 1, looped: steps > 1 } };
    },
  };
}
