// Dense (fully connected) on the last axis: (…, in) → (…, units).
// Weight layout: 'weight' is (in, units) — "IO", as Keras and ONNX Gemm with transB = 0; PyTorch
// Linear and ONNX Gemm with transB = 1 store (units, in) and must be transposed on import.
import { z } from 'zod';
import { defineOp } from './types';
import { denseFixed, denseHls } from './fixed/dense';

export interface DenseParams {
  units: number;
  bias: boolean;
}

export const denseOp = defineOp<DenseParams>({
  type: 'Dense',
  label: 'Dense',
  category: 'dense',
  inputs: { min: 1, max: 1 },
  params: z.object({ units: z.number().int().default(16), bias: z.boolean().default(true) }) as z.ZodType<DenseParams>,
  paramHelp: {
    units: 'Output features (size of the new last axis).',
    bias: 'Add a per-unit bias.',
  },
  weights(p, inputs) {
    const inSize = inputs[0][inputs[0].length - 1];
    const slots = [{ name: 'weight', shape: [inSize, p.units], layout: 'IO (in, units)' }];
    if (p.bias) slots.push({ name: 'bias', shape: [p.units], layout: '(units)' });
    return slots;
  },
  infer(p, inputs, sink) {
    const x = inputs[0];
    if (p.units < 1) {
      sink.error('dense-units', 'units', p.units, 'units ≥ 1', 'set units to the number of output features');
      return null;
    }
    if (x.length < 1) {
      sink.error('input-rank', 'input 0', `[${x.join(', ')}]`, 'Dense needs an input with at least one axis', 'connect a tensor input');
      return null;
    }
    return [...x.slice(0, -1), p.units];
  },
  float(p, inputs, weights) {
    const x = inputs[0];
    const inSize = x.shape[x.shape.length - 1];
    const rows = x.data.length / inSize;
    const U = p.units;
    const w = weights.weight.data;
    const b = p.bias ? weights.bias.data : undefined;
    const out = new Float32Array(rows * U);
    const acc = new Float64Array(U);
    for (let r = 0; r < rows; r++) {
      if (b) for (let u = 0; u < U; u++) acc[u] = b[u];
      else acc.fill(0);
      for (let i = 0; i < inSize; i++) {
        const xv = x.data[r * inSize + i];
        if (xv === 0) continue;
        const wo = i * U;
        for (let u = 0; u < U; u++) acc[u] += xv * w[wo + u];
      }
      for (let u = 0; u < U; u++) out[r * U + u] = acc[u];
    }
    return { shape: [...x.shape.slice(0, -1), U], data: out };
  },
  fixed: denseFixed,
  hls: denseHls,
});
