// Flatten (ONNX semantics): (d0 … d_{axis−1}, d_axis … d_last) → (∏ d0…d_{axis−1}, ∏ d_axis…d_last).
// The default axis 1 keeps the batch. Values keep their row-major order, so flattening NXC and NCX
// data gives different feature orders (as in Keras vs PyTorch).
import { z } from 'zod';
import { sizeOf } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { flattenCheck, reorderHls } from './fixed/merge';

export interface FlattenParams {
  axis: number;
}

export const flattenOp: OpDef<FlattenParams> = defineOp<FlattenParams>({
  type: 'Flatten',
  label: 'Flatten',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  keepsValues: () => true,
  params: z.object({ axis: z.number().int().default(1) }) as z.ZodType<FlattenParams>,
  paramHelp: { axis: 'Axes before it form the first output axis, the rest the second (default 1: keep the batch). Negative counts from the end.' },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    const axis = p.axis < 0 ? p.axis + x.length : p.axis;
    if (axis < 0 || axis > x.length) {
      sink.error('axis-range', 'axis', p.axis, `−${x.length} ≤ axis ≤ ${x.length} for an input of rank ${x.length}`, 'set axis to 1 to keep the batch axis');
      return null;
    }
    return [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))];
  },
  float(p, inputs) {
    const x = inputs[0];
    const axis = p.axis < 0 ? p.axis + x.shape.length : p.axis;
    return { shape: [sizeOf(x.shape.slice(0, axis)), sizeOf(x.shape.slice(axis))], data: x.data.slice() };
  },
  fixed: movementKernel<FlattenParams>((p, xs) => flattenOp.float(p, xs, {})),
  hls: reorderHls<FlattenParams>((p, xs) => flattenOp.float(p, xs, {}), flattenCheck),
});
