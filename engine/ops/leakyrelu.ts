// LeakyReLU: x for x ≥ 0, alpha·x below. Default alpha 0.01 (ONNX, PyTorch); Keras' default is 0.3.
import { z } from 'zod';
import { elementwiseOp } from './activations';
import { leakyReluFixed, leakyReluHls } from './fixed/activations';

export interface LeakyReluParams {
  alpha: number;
}

export const leakyReluOp = {
  ...elementwiseOp<LeakyReluParams>(
  'LeakyReLU',
  'LeakyReLU',
  z.object({ alpha: z.number().default(0.01) }) as z.ZodType<LeakyReluParams>,
  (p) => (v) => (v >= 0 ? v : p.alpha * v),
  { alpha: 'Slope below zero (ONNX/PyTorch default 0.01; Keras LeakyReLU default 0.3).' },
  ),
  fixed: leakyReluFixed,
  hls: leakyReluHls,
};
