// Sigmoid: 1 / (1 + e^−x).
import { elementwiseOp, noParams } from './activations';

export const sigmoidOp = elementwiseOp('Sigmoid', 'Sigmoid', noParams, () => (v) => 1 / (1 + Math.exp(-v)));
