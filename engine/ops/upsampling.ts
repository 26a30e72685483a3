// UpSampling (nearest, integer scale per spatial axis): out[h, w] = in[⌊h / sh⌋, ⌊w / sw⌋].
import { z } from 'zod';
import { zeros } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { upSamplingHls } from './fixed/spatial';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, perAxisHelp, perAxisSchema,
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
    const sh = rank === 2 ? s[0] : 1;
    const sw = s[rank - 1];
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
  hls: upSamplingHls,
});
