// Softmax along one axis (default −1, the last: the channel axis of NXC data and of Dense outputs).
import { z } from 'zod';
import { stridesOf } from '../tensor/tensor';
import { defineOp } from './types';
import { softmaxFixed, softmaxHls } from './fixed/activations';
import { normalizeAxis } from './spatial';

export interface SoftmaxParams {
  axis: number;
}

export const softmaxOp = defineOp<SoftmaxParams>({
  type: 'Softmax',
  label: 'Softmax',
  category: 'activation',
  inputs: { min: 1, max: 1 },
  params: z.object({ axis: z.number().int().default(-1) }) as z.ZodType<SoftmaxParams>,
  paramHelp: { axis: 'Axis the probabilities sum to 1 along; negative counts from the end (−1 = last; use 1 for NCX channels).' },
  weights: () => [],
  infer(p, inputs, sink) {
    const x = inputs[0];
    if (normalizeAxis(p.axis, x.length) === null) {
      sink.error('axis-range', 'axis', p.axis, `−${x.length} ≤ axis < ${x.length} for an input of rank ${x.length}`, 'set axis to −1 (last) or 1 (NCX channels)');
      return null;
    }
    return [...x];
  },
  float(p, inputs) {
    const x = inputs[0];
    const axis = normalizeAxis(p.axis, x.shape.length)!;
    const len = x.shape[axis];
    const stride = stridesOf(x.shape)[axis];
    const outer = x.data.length / (len * stride);
    const out = new Float32Array(x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < stride; i++) {
        const base = o * len * stride + i;
        let max = -Infinity;
        for (let k = 0; k < len; k++) max = Math.max(max, x.data[base + k * stride]);
        let sum = 0;
        for (let k = 0; k < len; k++) sum += Math.exp(x.data[base + k * stride] - max);
        for (let k = 0; k < len; k++) out[base + k * stride] = Math.exp(x.data[base + k * stride] - max) / sum;
      }
    }
    return { shape: [...x.shape], data: out };
  },
  fixed: softmaxFixed,
  hls: softmaxHls,
});
