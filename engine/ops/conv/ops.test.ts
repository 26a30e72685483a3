// Shape rules and diagnostics of Conv1D / Conv2D / ConvTranspose1D / ConvTranspose2D.
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../../diagnostics/diagnostics';
import { getOp } from '../registry';
import { conv1dOp, conv2dOp, convTranspose1dOp, convTranspose2dOp } from './ops';
import { resolveGeometry, type ConvParams } from './params';
import type { Shape } from '../../tensor/tensor';

function infer(op: typeof conv2dOp, over: Partial<ConvParams>, input: Shape) {
  const p = op.params.parse(over);
  const sink = new DiagnosticSink('node7', 'up1');
  const shape = op.infer(p, [input], sink);
  return { shape, items: sink.items, codes: sink.items.map((d) => d.code) };
}

describe('conv family registration and defaults', () => {
  it('registers the four types under their exact names', () => {
    for (const t of ['Conv1D', 'Conv2D', 'ConvTranspose1D', 'ConvTranspose2D']) expect(getOp(t)?.type).toBe(t);
  });
  it('schema.parse({}) gives defaults with one value per spatial axis', () => {
    const d = convTranspose2dOp.params.parse({});
    expect(d).toMatchObject({ filters: 8, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], outputPadding: [0, 0], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit' });
    expect(conv1dOp.params.parse({}).kernel).toEqual([3]);
    expect('outputPadding' in conv2dOp.params.parse({})).toBe(false);
  });
  it('weight slots: Conv OIX, ConvTranspose IOX, bias when on', () => {
    const pc = conv2dOp.params.parse({ filters: 6, kernel: [3, 2], groups: 2 });
    expect(conv2dOp.weights(pc, [[1, 4, 9, 9]]).map((s) => [s.name, s.shape])).toEqual([['weight', [6, 2, 3, 2]], ['bias', [6]]]);
    const pt = convTranspose1dOp.params.parse({ filters: 6, kernel: [5], groups: 3, bias: false });
    expect(convTranspose1dOp.weights(pt, [[1, 9, 4]]).map((s) => [s.name, s.shape])).toEqual([['weight', [9, 2, 5]]]);
    const pn = conv2dOp.params.parse({ filters: 5, dataFormat: 'NXC' });
    expect(conv2dOp.weights(pn, [[1, 9, 9, 4]])[0].shape).toEqual([5, 4, 3, 3]);
  });
});

describe('resolveGeometry', () => {
  it('Conv ignores a stray outputPadding; ConvTranspose same resolves pads (Keras: k < s → output padding)', () => {
    const stray = { ...convTranspose1dOp.params.parse({ kernel: [3], outputPadding: [1] }) };
    expect(resolveGeometry(stray, [5], false).outputPadding).toEqual([0]);
    expect(resolveGeometry(stray, [5]).outputPadding).toEqual([1]);
    const same = convTranspose2dOp.params.parse({ kernel: [4, 1], stride: [2, 3], autoPad: 'same_lower' });
    const g = resolveGeometry(same, [5, 5]);
    expect([g.padsBegin, g.padsEnd, g.outputPadding]).toEqual([[1, 0], [1, 0], [0, 2]]);
  });
});

describe('shape rules', () => {
  it('Conv2D: floor((in + pb + pe − k_eff)/s) + 1 per axis, NCX and NXC', () => {
    expect(infer(conv2dOp, { filters: 5, kernel: [3, 2], stride: [2, 1], dilation: [1, 2], padsBegin: [1, 0], padsEnd: [0, 2] }, [2, 3, 9, 7]).shape).toEqual([2, 5, 4, 7]);
    expect(infer(conv2dOp, { filters: 5, kernel: [3, 2], stride: [2, 1], dilation: [1, 2], padsBegin: [1, 0], padsEnd: [0, 2], dataFormat: 'NXC' }, [2, 9, 7, 3]).shape).toEqual([2, 4, 7, 5]);
  });
  it('ConvTranspose2D: (in−1)·s + k_eff − pb − pe + op per axis (DCGAN b: 512×4×4 → 256×8×8)', () => {
    expect(infer(convTranspose2dOp, { filters: 256, kernel: [4, 4], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1] }, [1, 512, 4, 4]).shape).toEqual([1, 256, 8, 8]);
  });
  it('autoPad same_upper: Conv out = ceil(in/s); ConvTranspose out = in·s (also for k < s)', () => {
    expect(infer(conv1dOp, { filters: 2, kernel: [4], stride: [3], autoPad: 'same_upper' }, [1, 1, 10]).shape).toEqual([1, 2, 4]);
    expect(infer(convTranspose1dOp, { filters: 2, kernel: [1], stride: [3], autoPad: 'same_upper' }, [1, 1, 10]).shape).toEqual([1, 2, 30]);
    expect(infer(convTranspose1dOp, { filters: 2, kernel: [5], stride: [2], autoPad: 'same_lower' }, [1, 1, 10]).shape).toEqual([1, 2, 20]);
    expect(infer(convTranspose1dOp, { filters: 2, kernel: [5], stride: [2], autoPad: 'valid' }, [1, 1, 10]).shape).toEqual([1, 2, 23]);
  });
});

describe('diagnostics: one specific message per mistake, naming node, field, value, rule and fix', () => {
  const one = (r: ReturnType<typeof infer>, code: string) => {
    expect(r.shape).toBeNull();
    expect(r.codes).toContain(code);
    const d = r.items.find((i) => i.code === code)!;
    expect(d.message).toMatch(/^up1: /);
    expect(d.nodeId).toBe('node7');
    return d;
  };
  it('stride 0', () => {
    const d = one(infer(conv2dOp, { stride: [1, 0] }, [1, 3, 8, 8]), 'stride-min');
    expect(d.message).toBe('up1: stride[1] = 0 breaks the rule stride ≥ 1; set the stride to 1 or more.');
  });
  it('kernel 0', () => {
    const d = one(infer(convTranspose1dOp, { kernel: [0] }, [1, 3, 8]), 'kernel-min');
    expect(d.message).toContain('kernel[0] = 0 breaks the rule kernel ≥ 1');
  });
  it('dilation 0', () => {
    expect(one(infer(conv1dOp, { dilation: [0] }, [1, 3, 8]), 'dilation-min').message).toContain('dilation[0] = 0');
  });
  it('negative pads (begin and end)', () => {
    const r = infer(conv2dOp, { padsBegin: [-1, 0], padsEnd: [0, -2] }, [1, 3, 8, 8]);
    const d = one(r, 'pads-negative');
    expect(d.message).toContain('padsBegin[0] = -1 breaks the rule pads ≥ 0');
    expect(r.items.map((i) => i.field)).toEqual(['padsBegin[0]', 'padsEnd[1]']);
  });
  it('output_padding ≥ max(stride, dilation)', () => {
    const d = one(infer(convTranspose2dOp, { stride: [2, 2], dilation: [1, 3], outputPadding: [2, 2] }, [1, 3, 8, 8]), 'output-padding-max');
    expect(d.field).toBe('outputPadding[0]');
    expect(d.message).toContain('outputPadding[0] = 2 breaks the rule outputPadding < max(stride, dilation) = 2');
    // axis 1 has dilation 3: op 2 is allowed there
    expect(infer(convTranspose2dOp, { stride: [2, 2], dilation: [1, 3], outputPadding: [1, 2] }, [1, 3, 8, 8]).codes).toEqual([]);
  });
  it('groups not dividing Cin, then Cout', () => {
    const a = one(infer(conv2dOp, { groups: 2, filters: 4 }, [1, 3, 8, 8]), 'groups-cin');
    expect(a.message).toContain('groups = 2 breaks the rule groups divides the input channels (Cin = 3)');
    const b = one(infer(convTranspose2dOp, { groups: 2, filters: 5 }, [1, 4, 8, 8]), 'groups-cout');
    expect(b.message).toContain('groups divides the output channels (filters = 5)');
  });
  it('array length ≠ spatial rank', () => {
    const d = one(infer(conv2dOp, { kernel: [3] }, [1, 3, 8, 8]), 'array-length');
    expect(d.message).toContain('kernel = [3] breaks the rule kernel has one value per spatial axis (2 for Conv2D)');
    expect(one(infer(convTranspose1dOp, { outputPadding: [0, 0] }, [1, 3, 8]), 'array-length').field).toBe('outputPadding');
  });
  it('a Conv whose effective kernel exceeds the padded input', () => {
    const d = one(infer(conv2dOp, { kernel: [3, 3], dilation: [1, 3], padsBegin: [0, 1] }, [1, 3, 8, 5]), 'kernel-exceeds-input');
    expect(d.field).toBe('kernel[1]');
    expect(d.message).toContain('effective kernel (k−1)·d+1 = 7 ≤ padded input 5 + 1 + 0 = 6');
  });
  it('non-positive output size (ConvTranspose cropping everything)', () => {
    const d = one(infer(convTranspose1dOp, { kernel: [2], stride: [1], padsBegin: [1], padsEnd: [2] }, [1, 3, 2]), 'output-size');
    expect(d.message).toContain('output size ≥ 1 (got 0 on spatial axis 0)');
  });
  it('wrong input rank', () => {
    const d = one(infer(conv2dOp, {}, [1, 3, 8]), 'input-rank');
    expect(d.message).toContain('Conv2D takes a rank-4 tensor (N, C, h, w) in NCX');
    expect(one(infer(conv1dOp, { dataFormat: 'NXC' }, [1, 3, 8, 8]), 'input-rank').message).toContain('(N, w, C)');
  });
  it('filters 0', () => {
    expect(one(infer(conv1dOp, { filters: 0 }, [1, 3, 8]), 'filters-min').message).toContain('filters = 0 breaks the rule filters ≥ 1');
  });
  it('explicit pads with an automatic autoPad: a warning, the output still inferred', () => {
    const r = infer(conv1dOp, { autoPad: 'same_upper', padsBegin: [2] }, [1, 3, 8]);
    expect(r.shape).toEqual([1, 8, 8]);
    expect(r.items.map((d) => [d.severity, d.code])).toEqual([['warning', 'pads-ignored']]);
  });
  it('valid params give no diagnostics', () => {
    expect(infer(convTranspose2dOp, { filters: 4, kernel: [3, 5], stride: [2, 3], dilation: [2, 1], padsBegin: [1, 0], padsEnd: [0, 2], outputPadding: [1, 2], groups: 2 }, [1, 6, 5, 4]).items).toEqual([]);
  });
});
