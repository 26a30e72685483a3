// Input: where data enters the graph. Its shape includes the batch axis, e.g. [1, 3, 16, 16].
import { z } from 'zod';
import { defineOp } from './types';
import { dataFormatHelp, dataFormatSchema, type DataFormat } from './spatial';

export interface InputParams {
  shape: number[];
  dataFormat: DataFormat;
}

export const inputOp = defineOp<InputParams>({
  type: 'Input',
  label: 'Input',
  category: 'io',
  inputs: { min: 0, max: 0 },
  params: z.object({
    shape: z.array(z.number().int()).default(() => [1, 3, 16, 16]),
    dataFormat: dataFormatSchema,
  }) as z.ZodType<InputParams>,
  paramHelp: {
    shape: 'Tensor shape including the batch axis, e.g. [1, 3, 16, 16] (NCX) or [1, 16, 16, 3] (NXC).',
    dataFormat: `Layout of the data: ${dataFormatHelp}`,
  },
  weights: () => [],
  infer(p, _inputs, sink) {
    if (p.shape.length === 0) {
      sink.error('input-shape', 'shape', p.shape, 'shape has at least one axis (the batch)', 'give the shape, e.g. [1, 3, 16, 16]');
      return null;
    }
    let ok = true;
    p.shape.forEach((d, i) => {
      if (d < 1) {
        sink.error('input-shape', `shape[${i}]`, d, 'every dimension ≥ 1', `set shape[${i}] to the size of that axis`);
        ok = false;
      }
    });
    return ok ? [...p.shape] : null;
  },
  /** The simulator passes the user's tensor as the only input. */
  float(_p, inputs) {
    return inputs[0];
  },
});

/** Whether a graph node is a graph input (the generator makes it a port of the top function). */
export function isGraphInput(node: { type?: string }): boolean {
  return node.type === inputOp.type;
}
