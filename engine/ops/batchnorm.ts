// BatchNormalization (inference): y = gamma · (x − mean) / sqrt(variance + epsilon) + beta, per channel.
// The channel axis follows dataFormat (NCX: axis 1; NXC: the last axis; rank-2 (N, C): axis 1 either way).
import { z } from 'zod';
import { stridesOf } from '../tensor/tensor';
import { defineOp } from './types';
import { batchNormFixed, batchNormHls } from './fixed/dense';
import { channelAxis, dataFormatHelp, dataFormatSchema, type DataFormat } from './spatial';

export interface BatchNormParams {
  epsilon: number;
  dataFormat: DataFormat;
}

const SLOTS = ['gamma', 'beta', 'mean', 'variance'] as const;

export const batchNormOp = defineOp<BatchNormParams>({
  type: 'BatchNormalization',
  label: 'Batch norm',
  category: 'normalization',
  inputs: { min: 1, max: 1 },
  dataLayout: 'dataFormat',
  params: z.object({ epsilon: z.number().default(1e-5), dataFormat: dataFormatSchema }) as z.ZodType<BatchNormParams>,
  paramHelp: {
    epsilon: 'Added to the variance (ONNX/PyTorch default 1e-5; Keras 1e-3).',
    dataFormat: `Where the channel axis is: ${dataFormatHelp}`,
  },
  weights(p, inputs) {
    const c = inputs[0][channelAxis(inputs[0].length, p.dataFormat)];
    return SLOTS.map((name) => ({ name, shape: [c], layout: '(C)' }));
  },
  infer(p, inputs, sink) {
    const x = inputs[0];
    if (x.length < 2) {
      sink.error('input-rank', 'input 0', `[${x.join(', ')}]`, 'BatchNormalization takes (N, C, …) or (N, …, C)', 'connect an input with a batch and a channel axis');
      return null;
    }
    if (!(p.epsilon > 0)) {
      sink.error('batchnorm-epsilon', 'epsilon', p.epsilon, 'epsilon > 0', 'set epsilon to a small positive number such as 1e-5');
      return null;
    }
    return [...x];
  },
  float(p, inputs, w) {
    const x = inputs[0];
    const axis = channelAxis(x.shape.length, p.dataFormat);
    const C = x.shape[axis];
    const inner = stridesOf(x.shape)[axis];
    const scale = new Float64Array(C);
    const shift = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      scale[c] = w.gamma.data[c] / Math.sqrt(w.variance.data[c] + p.epsilon);
      shift[c] = w.beta.data[c] - w.mean.data[c] * scale[c];
    }
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) {
      const c = Math.floor(i / inner) % C;
      out[i] = x.data[i] * scale[c] + shift[c];
    }
    return { shape: [...x.shape], data: out };
  },
  fixed: batchNormFixed,
  hls: batchNormHls,
});
