// ZeroPadding (1D/2D): zeros added before and after each spatial axis.
import { z } from 'zod';
import { zeros } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { zeroPaddingHls } from './fixed/spatial';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, perAxisHelp, perAxisSchema,
  spatialShape, spatialSizes, spatialView, type DataFormat,
} from './spatial';

export interface ZeroPaddingParams {
  padsBegin: number[];
  padsEnd: number[];
  dataFormat: DataFormat;
}

function resolve(p: ZeroPaddingParams, rank: number) {
  const one = (v: number[]) => (v.length === 1 ? new Array<number>(rank).fill(v[0]) : v);
  return { pb: one(p.padsBegin), pe: one(p.padsEnd) };
}

export const zeroPaddingOp: OpDef<ZeroPaddingParams> = defineOp<ZeroPaddingParams>({
  type: 'ZeroPadding',
  label: 'Zero padding',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  keepsValues: () => true,
  params: z.object({ padsBegin: perAxisSchema(1), padsEnd: perAxisSchema(1), dataFormat: dataFormatSchema }) as z.ZodType<ZeroPaddingParams>,
  paramHelp: {
    padsBegin: `Zeros before each spatial axis: ${perAxisHelp}.`,
    padsEnd: `Zeros after each spatial axis: ${perAxisHelp}.`,
    dataFormat: dataFormatHelp,
  },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    const rank = checkSpatialInput(sink, 'ZeroPadding', x, p.dataFormat);
    if (rank === null) return null;
    const pb = expandPerAxis(sink, 'padsBegin', p.padsBegin, rank, 0, 'pads-negative');
    const pe = expandPerAxis(sink, 'padsEnd', p.padsEnd, rank, 0, 'pads-negative');
    if (!pb || !pe) return null;
    const v = spatialView(x, p.dataFormat);
    return spatialShape(v.N, v.C, spatialSizes(x, p.dataFormat).map((s, a) => s + pb[a] + pe[a]), p.dataFormat);
  },
  float(p, inputs) {
    const x = inputs[0];
    const rank = x.shape.length - 2;
    const { pb, pe } = resolve(p, rank);
    const outShape = spatialShape(
      x.shape[0], x.shape[p.dataFormat === 'NCX' ? 1 : x.shape.length - 1],
      spatialSizes(x.shape, p.dataFormat).map((s, a) => s + pb[a] + pe[a]), p.dataFormat,
    );
    const out = zeros(outShape);
    const iv = spatialView(x.shape, p.dataFormat);
    const ov = spatialView(outShape, p.dataFormat);
    const ph = rank === 2 ? pb[0] : 0;
    const pw = pb[rank - 1];
    for (let n = 0; n < iv.N; n++)
      for (let c = 0; c < iv.C; c++)
        for (let h = 0; h < iv.H; h++)
          for (let w = 0; w < iv.W; w++)
            out.data[n * ov.sN + c * ov.sC + (h + ph) * ov.sH + (w + pw) * ov.sW] = x.data[n * iv.sN + c * iv.sC + h * iv.sH + w * iv.sW];
    return out;
  },
  fixed: movementKernel<ZeroPaddingParams>((p, xs) => zeroPaddingOp.float(p, xs, {})),
  hls: zeroPaddingHls,
});
