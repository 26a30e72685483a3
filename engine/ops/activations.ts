// Elementwise activations share one shape rule (output = input) and one loop.
import { z } from 'zod';
import type { Tensor } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';

export function mapTensor(t: Tensor, fn: (v: number) => number): Tensor {
  const out = new Float32Array(t.data.length);
  const d = t.data;
  for (let i = 0; i < d.length; i++) out[i] = fn(d[i]);
  return { shape: [...t.shape], data: out };
}

/** An elementwise op: one input, same shape out, `fn(params)` maps each value. */
export function elementwiseOp<P>(
  type: string,
  label: string,
  params: z.ZodType<P>,
  fn: (p: P) => (v: number) => number,
  paramHelp?: Record<string, string>,
): OpDef<P> {
  return defineOp<P>({
    type,
    label,
    category: 'activation',
    inputs: { min: 1, max: 1 },
    params,
    paramHelp,
    weights: () => [],
    dataLayout: 'free',
    infer: (_p, inputs) => [...inputs[0]],
    float: (p, inputs) => mapTensor(inputs[0], fn(p)),
  });
}

export const noParams = z.object({}) as z.ZodType<Record<string, never>>;
