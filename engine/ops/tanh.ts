// Tanh.
import { elementwiseOp, noParams } from './activations';
import { tanhFixed, tanhHls } from './fixed/activations';

export const tanhOp = { ...elementwiseOp('Tanh', 'Tanh', noParams, () => Math.tanh), fixed: tanhFixed, hls: tanhHls };
