// Concatenate 2 or more inputs along one axis; all other axes must match.
import { z } from 'zod';
import { stridesOf } from '../tensor/tensor';
import { defineOp, type OpDef } from './types';
import { movementKernel } from './fixed/common';
import { concatenateHls } from './fixed/merge';
import { normalizeAxis } from './spatial';

export interface ConcatenateParams {
  axis: number;
}

export const concatenateOp: OpDef<ConcatenateParams> = defineOp<ConcatenateParams>({
  type: 'Concatenate',
  label: 'Concatenate',
  category: 'merge',
  inputs: { min: 2, max: Infinity },
  params: z.object({ axis: z.number().int().default(1) }) as z.ZodType<ConcatenateParams>,
  paramHelp: { axis: 'Axis to join along, batch included (default 1: NCX channels; −1 = last: NXC channels).' },
  weights: () => [],
  infer(p, inputs, sink) {
    const first = inputs[0];
    const axis = normalizeAxis(p.axis, first.length);
    if (axis === null) {
      sink.error('axis-range', 'axis', p.axis, `−${first.length} ≤ axis < ${first.length} for inputs of rank ${first.length}`, 'set axis to 1 (NCX channels) or −1 (last)');
      return null;
    }
    let ok = true;
    let total = 0;
    inputs.forEach((s, i) => {
      if (s.length !== first.length) {
        sink.error('concat-rank-mismatch', `input ${i}`, `[${s.join(', ')}]`, `all inputs have the rank of input 0, [${first.join(', ')}]`, 'reshape the input to the same rank');
        ok = false;
        return;
      }
      const bad = s.findIndex((d, a) => a !== axis && d !== first[a]);
      if (bad >= 0) {
        sink.error(
          'concat-shape-mismatch', `input ${i}`, `[${s.join(', ')}]`,
          `inputs match on every axis but the concatenation axis ${axis} (axis ${bad}: ${s[bad]} ≠ ${first[bad]} of input 0, [${first.join(', ')}])`,
          `make axis ${bad} equal in all inputs, or concatenate along axis ${bad}`,
        );
        ok = false;
      }
      total += s[axis];
    });
    if (!ok) return null;
    return first.map((d, a) => (a === axis ? total : d));
  },
  float(p, inputs) {
    const first = inputs[0].shape;
    const axis = normalizeAxis(p.axis, first.length)!;
    const total = inputs.reduce((t, x) => t + x.shape[axis], 0);
    const outShape = first.map((d, a) => (a === axis ? total : d));
    const outer = first.slice(0, axis).reduce((a, b) => a * b, 1);
    const outRow = stridesOf(outShape)[axis] * total;
    const out = new Float32Array(outer * outRow);
    let offset = 0;
    for (const x of inputs) {
      const row = stridesOf(x.shape)[axis] * x.shape[axis];
      for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * row, (o + 1) * row), o * outRow + offset);
      offset += row;
    }
    return { shape: outShape, data: out };
  },
  fixed: movementKernel<ConcatenateParams>((p, xs) => concatenateOp.float(p, xs, {})),
  hls: concatenateHls,
});
