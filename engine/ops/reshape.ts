// Reshape keeping the batch: (N, …) → (N, …targetShape). targetShape excludes the batch axis (as in
// Keras); one entry may be −1 (inferred). Values keep their row-major order.
import { z } from 'zod';
import { sizeOf } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { reorderHls } from './fixed/merge';

export interface ReshapeParams {
  targetShape: number[];
}

function resolve(target: readonly number[], size: number): number[] {
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return target.map((d) => (d === -1 ? size / known : d));
}

export const reshapeOp: OpDef<ReshapeParams> = defineOp<ReshapeParams>({
  type: 'Reshape',
  label: 'Reshape',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  keepsValues: () => true,
  params: z.object({ targetShape: z.array(z.number().int()).default(() => [-1]) }) as z.ZodType<ReshapeParams>,
  paramHelp: { targetShape: 'New shape without the batch axis, e.g. [4, 8, 8]; one entry may be −1 (inferred).' },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    if (x.length < 1) {
      sink.error('input-rank', 'input 0', `[${x.join(', ')}]`, 'Reshape keeps the batch axis, so its input has one', 'connect a tensor with a batch axis');
      return null;
    }
    let ok = true;
    const infer = p.targetShape.filter((d) => d === -1).length;
    if (infer > 1) {
      sink.error('reshape-infer', 'targetShape', p.targetShape, 'at most one entry is −1', 'give all but one dimension explicitly');
      ok = false;
    }
    p.targetShape.forEach((d, i) => {
      if (d < 1 && d !== -1) {
        sink.error('reshape-dim', `targetShape[${i}]`, d, 'each entry ≥ 1 or −1', `set targetShape[${i}] to a positive size or −1`);
        ok = false;
      }
    });
    if (!ok) return null;
    const size = sizeOf(x.slice(1));
    const known = p.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (infer === 1 ? size % known !== 0 : known !== size) {
      sink.error(
        'reshape-size', 'targetShape', p.targetShape,
        `the target holds the input's ${size} values per batch item (input [${x.join(', ')}])`,
        `choose dimensions whose product is ${size}${infer ? '' : ', or use −1 for one of them'}`,
      );
      return null;
    }
    return [x[0], ...resolve(p.targetShape, size)];
  },
  float(p, inputs) {
    const x = inputs[0];
    return { shape: [x.shape[0], ...resolve(p.targetShape, sizeOf(x.shape.slice(1)))], data: x.data.slice() };
  },
  fixed: movementKernel<ReshapeParams>((p, xs) => reshapeOp.float(p, xs, {})),
  hls: reorderHls<ReshapeParams>((p, xs) => reshapeOp.float(p, xs, {})),
});
