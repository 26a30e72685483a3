// Add: elementwise sum of 2 or more inputs of the same shape (no broadcasting).
import { z } from 'zod';
import { shapesEqual } from '../tensor/tensor';
import { defineOp } from './types';
import { addFixed, addHls } from './fixed/merge';

export const addOp = defineOp<Record<string, never>>({
  type: 'Add',
  label: 'Add',
  category: 'merge',
  inputs: { min: 2, max: Infinity },
  params: z.object({}) as z.ZodType<Record<string, never>>,
  weights: () => [],
  infer(_p, inputs, sink) {
    let ok = true;
    for (let i = 1; i < inputs.length; i++) {
      if (!shapesEqual(inputs[i], inputs[0])) {
        sink.error(
          'add-shape-mismatch', `input ${i}`, `[${inputs[i].join(', ')}]`, `all inputs of Add have the shape of input 0, [${inputs[0].join(', ')}]`,
          'make the branches produce the same shape (check strides, pads and channel counts) or reshape one of them',
        );
        ok = false;
      }
    }
    return ok ? [...inputs[0]] : null;
  },
  float(_p, inputs) {
    const out = new Float32Array(inputs[0].data);
    for (let i = 1; i < inputs.length; i++) {
      const d = inputs[i].data;
      for (let j = 0; j < out.length; j++) out[j] += d[j];
    }
    return { shape: [...inputs[0].shape], data: out };
  },
  fixed: addFixed,
  hls: addHls,
});
