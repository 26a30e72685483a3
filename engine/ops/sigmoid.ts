// Sigmoid: 1 / (1 + e^−x).
import { elementwiseOp, noParams } from './activations';
import { sigmoidFixed, sigmoidHls } from './fixed/activations';

export const sigmoidOp = { ...elementwiseOp('Sigmoid', 'Sigmoid', noParams, () => (v) => 1 / (1 + Math.exp(-v))), fixed: sigmoidFixed, hls: sigmoidHls };
