// Linear: y = x in another type (hls4ml's linear activation). The layer a requantization becomes (a QONNX
// Quant on a Quant's output): its result_t rounds and saturates the values, nothing else changes them.
import { elementwiseOp, noParams } from './activations';
import { linearFixed, linearHls } from './fixed/activations';

export const linearOp = { ...elementwiseOp('Linear', 'Linear (cast)', noParams, () => (v) => v), keepsValues: () => true, fixed: linearFixed, hls: linearHls };
