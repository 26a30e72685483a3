// Cropping (1D/2D): values removed at the start and end of each spatial axis (Keras Cropping1D/2D,
// an ONNX Slice on spatial axes). The inverse of ZeroPadding.
import { z } from 'zod';
import { zeros } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { croppingHls } from './fixed/spatial';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, perAxisHelp, perAxisSchema,
  spatialShape, spatialSizes, spatialView, type DataFormat,
} from './spatial';

export interface CroppingParams {
  cropBegin: number[];
  cropEnd: number[];
  dataFormat: DataFormat;
}

function resolve(p: CroppingParams, rank: number) {
  const one = (v: number[]) => (v.length === 1 ? new Array<number>(rank).fill(v[0]) : v);
  return { cb: one(p.cropBegin), ce: one(p.cropEnd) };
}

const AXIS_NAMES = { 1: ['length'], 2: ['height', 'width'] } as const;

export const croppingOp: OpDef<CroppingParams> = defineOp<CroppingParams>({
  type: 'Cropping',
  label: 'Cropping',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  keepsValues: () => true,
  params: z.object({ cropBegin: perAxisSchema(0), cropEnd: perAxisSchema(0), dataFormat: dataFormatSchema }) as z.ZodType<CroppingParams>,
  paramHelp: {
    cropBegin: `Values removed at the start of each spatial axis: ${perAxisHelp}.`,
    cropEnd: `Values removed at the end of each spatial axis: ${perAxisHelp}.`,
    dataFormat: dataFormatHelp,
  },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    const rank = checkSpatialInput(sink, 'Cropping', x, p.dataFormat);
    if (rank === null) return null;
    const cb = expandPerAxis(sink, 'cropBegin', p.cropBegin, rank, 0, 'crop-negative');
    const ce = expandPerAxis(sink, 'cropEnd', p.cropEnd, rank, 0, 'crop-negative');
    if (!cb || !ce) return null;
    const sizes = spatialSizes(x, p.dataFormat);
    let ok = true;
    sizes.forEach((s, a) => {
      if (cb[a] + ce[a] >= s) {
        const axis = AXIS_NAMES[rank][a];
        const f = rank === 1 ? 'cropBegin + cropEnd' : `cropBegin[${a}] + cropEnd[${a}]`;
        sink.error(
          'crop-too-large', f, cb[a] + ce[a],
          `${f} is less than the ${axis} (${s}) so at least one value remains; it would leave ${s - cb[a] - ce[a]}`,
          `crop at most ${s - 1} in total from the ${axis} axis`,
        );
        ok = false;
      }
    });
    if (!ok) return null;
    const v = spatialView(x, p.dataFormat);
    return spatialShape(v.N, v.C, sizes.map((s, a) => s - cb[a] - ce[a]), p.dataFormat);
  },
  float(p, inputs) {
    const x = inputs[0];
    const rank = x.shape.length - 2;
    const { cb, ce } = resolve(p, rank);
    const outShape = spatialShape(
      x.shape[0], x.shape[p.dataFormat === 'NCX' ? 1 : x.shape.length - 1],
      spatialSizes(x.shape, p.dataFormat).map((s, a) => s - cb[a] - ce[a]), p.dataFormat,
    );
    const out = zeros(outShape);
    const iv = spatialView(x.shape, p.dataFormat);
    const ov = spatialView(outShape, p.dataFormat);
    const ch = rank === 2 ? cb[0] : 0;
    const cw = cb[rank - 1];
    for (let n = 0; n < ov.N; n++)
      for (let c = 0; c < ov.C; c++)
        for (let h = 0; h < ov.H; h++)
          for (let w = 0; w < ov.W; w++)
            out.data[n * ov.sN + c * ov.sC + h * ov.sH + w * ov.sW] = x.data[n * iv.sN + c * iv.sC + (h + ch) * iv.sH + (w + cw) * iv.sW];
    return out;
  },
  fixed: movementKernel<CroppingParams>((p, xs) => croppingOp.float(p, xs, {})),
  hls: croppingHls,
});
