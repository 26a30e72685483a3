// Cropping: shape rule, diagnostics and float kernel (hand values and an index reference), NCX vs NXC,
// and the fixed kernel keeps the values (cast into result_t).
import { describe, expect, it } from 'vitest';
import { getOp } from './registry';
import { DiagnosticSink } from '../diagnostics/diagnostics';
import { randomTensor, stridesOf, tensor, transpose, type Shape, type Tensor } from '../tensor/tensor';
import { fixedTypeOf } from '../fixed/types';
import { toDouble } from '../fixed/arith';
import { quantizeTensor } from '../fixed/tensor';

const op = getOp('Cropping')!;

function run(params: Record<string, unknown>, x: Tensor): Tensor {
  const p = op.params.parse(params);
  const sink = new DiagnosticSink('n', 'Cropping');
  const shape = op.infer(p, [x.shape], sink);
  expect(sink.items).toEqual([]);
  const y = op.float(p, [x], {});
  expect(y.shape).toEqual(shape);
  return y;
}

function diagnose(params: Record<string, unknown>, shape: Shape) {
  const sink = new DiagnosticSink('n', 'Cropping');
  const out = op.infer(op.params.parse(params), [shape], sink);
  return { out, items: sink.items };
}

const get = (t: Tensor, idx: readonly number[]) => t.data[idx.reduce((o, v, i) => o + v * stridesOf(t.shape)[i], 0)];

describe('Cropping', () => {
  it('is registered with defaults (no crop, channels first)', () => {
    expect(op.type).toBe('Cropping');
    expect(op.params.parse({})).toEqual({ cropBegin: [0], cropEnd: [0], dataFormat: 'NCX' });
  });

  it('1D by hand in both data formats', () => {
    const x = tensor([1, 1, 6], [5, -1, 7, 2, 9, -3]);
    expect([...run({ cropBegin: [2], cropEnd: [1] }, x).data]).toEqual([7, 2, 9]);
    // NXC (1, 4, 2): rows [1,2] [3,4] [5,6] [7,8]; drop 1 at the start, 2 at the end.
    const xn = tensor([1, 4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const y = run({ cropBegin: [1], cropEnd: [2], dataFormat: 'NXC' }, xn);
    expect(y.shape).toEqual([1, 1, 2]);
    expect([...y.data]).toEqual([3, 4]);
  });

  it('2D against an index reference, and NXC agrees through transposes', () => {
    const x = randomTensor([2, 3, 7, 6], 11);
    const params = { cropBegin: [2, 0], cropEnd: [1, 3] };
    const y = run(params, x);
    expect(y.shape).toEqual([2, 3, 4, 3]);
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++)
        for (let h = 0; h < 4; h++) for (let w = 0; w < 3; w++) expect(get(y, [n, c, h, w])).toBe(get(x, [n, c, h + 2, w]));
    const yn = run({ ...params, dataFormat: 'NXC' }, transpose(x, [0, 2, 3, 1]));
    expect([...transpose(yn, [0, 3, 1, 2]).data]).toEqual([...y.data]);
  });

  it('undoes ZeroPadding', () => {
    const x = randomTensor([1, 2, 4, 5], 3);
    const zp = getOp('ZeroPadding')!;
    const pads = { padsBegin: [1, 3], padsEnd: [2, 0] };
    const padded = zp.float(zp.params.parse(pads), [x], {});
    expect([...run({ cropBegin: pads.padsBegin, cropEnd: pads.padsEnd }, padded).data]).toEqual([...x.data]);
  });

  it('negative crops and crops that leave nothing are diagnostics naming the field, value and fix', () => {
    const neg = diagnose({ cropBegin: [1, -2], cropEnd: [0] }, [1, 3, 8, 8]);
    expect(neg.out).toBeNull();
    expect(neg.items).toHaveLength(1);
    expect(neg.items[0]).toMatchObject({ code: 'crop-negative', field: 'cropBegin[1]', value: -2 });

    const big = diagnose({ cropBegin: [3, 1], cropEnd: [2, 1] }, [1, 3, 5, 9]);
    expect(big.out).toBeNull();
    expect(big.items).toHaveLength(1);
    expect(big.items[0]).toMatchObject({ code: 'crop-too-large', field: 'cropBegin[0] + cropEnd[0]', value: 5 });
    expect(big.items[0].message).toContain('height (5)');
    expect(JSON.stringify(big.items[0])).toContain('at most 4');

    const big1 = diagnose({ cropBegin: [4], cropEnd: [3], dataFormat: 'NXC' }, [1, 6, 2]);
    expect(big1.items[0]).toMatchObject({ code: 'crop-too-large', field: 'cropBegin + cropEnd', value: 7 });
    expect(diagnose({ cropBegin: [1, 2, 3] }, [1, 3, 8, 8]).items[0]).toMatchObject({ code: 'param-length', field: 'cropBegin' });
    expect(diagnose({}, [1, 8]).items[0]).toMatchObject({ code: 'input-rank' });
    // One value left is fine.
    expect(diagnose({ cropBegin: [3], cropEnd: [2] }, [1, 3, 6]).out).toEqual([1, 3, 1]);
  });

  it('the fixed kernel keeps the cropped values, cast into result_t', () => {
    const T = fixedTypeOf('ap_fixed<12,5>');
    const p = op.params.parse({ cropBegin: [1, 2], cropEnd: [2, 1] });
    const xq = quantizeTensor(randomTensor([2, 3, 6, 7], 5, -6, 6), T);
    const xf = tensor(xq.shape, Float32Array.from({ length: xq.m.length }, (_, i) => toDouble(xq.m[i], T)));
    const outShape = op.infer(p, [xq.shape], new DiagnosticSink('n', 'Cropping'))!;
    const precision = { weight_t: T, bias_t: T, accum_t: T, result_t: T };
    const config = { io: 'io_parallel' as const, strategy: 'latency' as const, reuseFactor: 1, parallelizationFactor: 1, precision };
    const y = op.fixed!({ params: p, inputs: [xq], weights: {}, precision, config, outputShape: outShape });
    expect(y.shape).toEqual([2, 3, 3, 4]);
    expect(y.type).toEqual(T);
    const want = op.float(p, [xf], {});
    expect(Array.from({ length: y.m.length }, (_, i) => toDouble(y.m[i], T))).toEqual([...want.data]);
  });
});
