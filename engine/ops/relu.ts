// ReLU: max(x, 0).
import { elementwiseOp, noParams } from './activations';
import { reluFixed, reluHls } from './fixed/activations';

export const reluOp = { ...elementwiseOp('ReLU', 'ReLU', noParams, () => (v) => (v > 0 ? v : 0)), keepsValues: () => true, fixed: reluFixed, hls: reluHls };
