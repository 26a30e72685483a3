// Selu: gamma·x for x > 0, gamma·alpha·(e^x − 1) otherwise. Defaults are ONNX's.
import { z } from 'zod';
import { elementwiseOp } from './activations';
import { seluFixed, seluHls } from './fixed/activations';

export interface SeluParams {
  alpha: number;
  gamma: number;
}

export const SELU_ALPHA = 1.67326319217681884765625;
export const SELU_GAMMA = 1.05070102214813232421875;

export const seluOp = {
  ...elementwiseOp<SeluParams>(
  'Selu',
  'SELU',
  z.object({ alpha: z.number().default(SELU_ALPHA), gamma: z.number().default(SELU_GAMMA) }) as z.ZodType<SeluParams>,
  (p) => (v) => (v > 0 ? p.gamma * v : p.gamma * p.alpha * (Math.exp(v) - 1)),
  { alpha: `Scale of the negative part (default ${SELU_ALPHA}).`, gamma: `Output scale (default ${SELU_GAMMA}).` },
  ),
  fixed: seluFixed,
  hls: seluHls,
};
