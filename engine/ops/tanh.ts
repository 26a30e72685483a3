// Tanh.
import { elementwiseOp, noParams } from './activations';

export const tanhOp = elementwiseOp('Tanh', 'Tanh', noParams, () => Math.tanh);
