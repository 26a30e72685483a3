// Transpose: output axis i is input axis perm[i] (ONNX). An empty perm reverses the axes (ONNX default).
// Channels-last ONNX models wrap ops in Transpose(perm = [0, 2, 3, 1]) / ([0, 3, 1, 2]).
import { z } from 'zod';
import { transpose } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { reorderHls, transposeCheck } from './fixed/merge';

export interface TransposeParams {
  perm: number[];
}

function permFor(p: TransposeParams, rank: number): number[] {
  return p.perm.length ? p.perm : Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

export const transposeOp: OpDef<TransposeParams> = defineOp<TransposeParams>({
  type: 'Transpose',
  label: 'Transpose',
  category: 'reshape',
  inputs: { min: 1, max: 1 },
  keepsValues: () => true,
  params: z.object({ perm: z.array(z.number().int()).default(() => []) }) as z.ZodType<TransposeParams>,
  paramHelp: { perm: 'Output axis i is input axis perm[i], batch included, e.g. [0, 2, 3, 1] for NCHW → NHWC. Empty reverses the axes.' },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    const perm = permFor(p, x.length);
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.length || sorted.some((v, i) => v !== i)) {
      sink.error(
        'transpose-perm', 'perm', p.perm, `perm is a permutation of 0…${x.length - 1} (input [${x.join(', ')}] has rank ${x.length})`,
        `list each axis 0…${x.length - 1} exactly once`,
      );
      return null;
    }
    return perm.map((a) => x[a]);
  },
  float(p, inputs) {
    return transpose(inputs[0], permFor(p, inputs[0].shape.length));
  },
  fixed: movementKernel<TransposeParams>((p, xs) => transposeOp.float(p, xs, {})),
  hls: reorderHls<TransposeParams>((p, xs) => transposeOp.float(p, xs, {}), transposeCheck),
});
