// The four ops of the Conv family: Conv1D, Conv2D, ConvTranspose1D, ConvTranspose2D.
// One definition parameterised by spatial rank and by transpose-or-not; canonical parameters in
// params.ts, semantics in SEMANTICS.md, kernels in kernels.ts.
import type { Shape, Tensor } from '../../tensor/tensor';
import { transpose } from '../../tensor/tensor';
import type { DiagnosticSink } from '../../diagnostics/diagnostics';
import { defineOp, type OpDef, type WeightSlot } from '../types';
import { convOutputSize, convTransposeOutputSize, effectiveKernel } from './geometry';
import { convParamHelp, convParamsSchema, resolveGeometry, type ConvParams, type SpatialRank } from './params';
import { fastConv, fastConvTranspose } from './kernels';
import { convFixed, convTransposeFixed } from './fixed';
import { convHls, convTransposeHls } from './hls';

const AXIS_NAMES: Record<SpatialRank, string> = { 1: 'w', 2: 'h, w' };

/** Channel axis of an input/output tensor of the given rank in the given data format. */
export function channelAxis(params: Pick<ConvParams, 'dataFormat'>, tensorRank: number): number {
  return params.dataFormat === 'NCX' ? 1 : tensorRank - 1;
}

/** Spatial sizes of an input shape in the given data format. */
export function spatialSizes(params: Pick<ConvParams, 'dataFormat'>, shape: Shape): number[] {
  return params.dataFormat === 'NCX' ? shape.slice(2) : shape.slice(1, shape.length - 1);
}

/**
 * Checks params against the input shape; returns the output shape or null after reporting to sink.
 * Exported for tests and for importers that want the check without an op instance.
 */
export function inferConv(rank: SpatialRank, isTranspose: boolean, p: ConvParams, inputs: readonly Shape[], sink: DiagnosticSink): Shape | null {
  const before = sink.items.length;
  const errorsSince = () => sink.items.slice(before).some((d) => d.severity === 'error');
  const kind = `${isTranspose ? 'ConvTranspose' : 'Conv'}${rank}D`;
  const x = inputs[0];
  if (!x) {
    sink.error('input-missing', 'input 0', undefined, `${kind} has one input`, 'connect a tensor to the input port');
    return null;
  }
  if (x.length !== rank + 2) {
    const fmt = p.dataFormat === 'NCX' ? `(N, C, ${AXIS_NAMES[rank]})` : `(N, ${AXIS_NAMES[rank]}, C)`;
    sink.error('input-rank', 'input 0', `shape [${x.join(', ')}]`, `${kind} takes a rank-${rank + 2} tensor ${fmt} in ${p.dataFormat}`,
      rank === 1 ? 'feed a (N, C, W) tensor (add a Reshape or use Conv2D for images)' : 'feed a (N, C, H, W) tensor (add a Reshape, or use Conv1D for sequences)');
    return null;
  }
  const arrays: [string, number[] | undefined][] = [['kernel', p.kernel], ['stride', p.stride], ['dilation', p.dilation], ['padsBegin', p.padsBegin], ['padsEnd', p.padsEnd]];
  if (isTranspose) arrays.push(['outputPadding', p.outputPadding]);
  for (const [name, arr] of arrays) {
    if (!arr || arr.length !== rank)
      sink.error('array-length', name, arr, `${name} has one value per spatial axis (${rank} for ${kind})`, `give ${name} exactly ${rank} value${rank > 1 ? 's' : ''}`);
  }
  if (errorsSince()) return null;
  if (!(p.filters >= 1)) sink.error('filters-min', 'filters', p.filters, 'filters ≥ 1', 'set filters (output channels) to 1 or more');
  for (let a = 0; a < rank; a++) {
    if (!(p.kernel[a] >= 1)) sink.error('kernel-min', `kernel[${a}]`, p.kernel[a], 'kernel ≥ 1', 'set the kernel size to 1 or more');
    if (!(p.stride[a] >= 1)) sink.error('stride-min', `stride[${a}]`, p.stride[a], 'stride ≥ 1', 'set the stride to 1 or more');
    if (!(p.dilation[a] >= 1)) sink.error('dilation-min', `dilation[${a}]`, p.dilation[a], 'dilation ≥ 1 (1 = no gaps between taps)', 'set the dilation to 1 or more');
    if (p.padsBegin[a] < 0) sink.error('pads-negative', `padsBegin[${a}]`, p.padsBegin[a], 'pads ≥ 0', isTranspose ? 'set the crop to 0 or more (to grow the output use outputPadding)' : 'set the pad to 0 or more (to shrink the output use a larger stride or a Crop)');
    if (p.padsEnd[a] < 0) sink.error('pads-negative', `padsEnd[${a}]`, p.padsEnd[a], 'pads ≥ 0', isTranspose ? 'set the crop to 0 or more (to grow the output use outputPadding)' : 'set the pad to 0 or more');
    if (isTranspose) {
      const op = p.outputPadding![a];
      const lim = Math.max(p.stride[a], p.dilation[a]);
      if (op < 0) sink.error('output-padding-negative', `outputPadding[${a}]`, op, 'outputPadding ≥ 0', 'set outputPadding to 0 or more');
      else if (p.stride[a] >= 1 && p.dilation[a] >= 1 && op >= lim)
        sink.error('output-padding-max', `outputPadding[${a}]`, op, `outputPadding < max(stride, dilation) = ${lim} (PyTorch/ONNX rule)`,
          `use an outputPadding below ${lim}, or lower padsEnd by ${op - lim + 1} to get the same output size`);
    }
  }
  const cAxis = channelAxis(p, x.length);
  const cin = x[cAxis];
  if (!(p.groups >= 1)) sink.error('groups-min', 'groups', p.groups, 'groups ≥ 1', 'set groups to 1 (dense) or a divisor of the channel counts');
  else {
    if (cin % p.groups !== 0) sink.error('groups-cin', 'groups', p.groups, `groups divides the input channels (Cin = ${cin})`, `use a divisor of ${cin} as groups, or change the input channels`);
    if (p.filters >= 1 && p.filters % p.groups !== 0) sink.error('groups-cout', 'groups', p.groups, `groups divides the output channels (filters = ${p.filters})`, `use a divisor of ${p.filters} as groups, or set filters to a multiple of ${p.groups}`);
  }
  const sizes = spatialSizes(p, x);
  sizes.forEach((s, a) => {
    if (!(s >= 1)) sink.error('input-size', `input 0 spatial axis ${a}`, s, 'spatial sizes ≥ 1', 'feed a tensor with at least one element along each spatial axis');
  });
  if (!(cin >= 1)) sink.error('input-channels', 'input 0 channels', cin, 'channels ≥ 1', `feed a tensor with at least one channel (data format ${p.dataFormat})`);
  if (errorsSince()) return null;
  if (p.autoPad !== 'explicit' && [...p.padsBegin, ...p.padsEnd].some((v) => v !== 0))
    sink.warning('pads-ignored', 'autoPad', p.autoPad, `explicit pads apply only with autoPad 'explicit'`,
      `set autoPad to 'explicit' to use padsBegin/padsEnd, or set the pads to 0`);

  const g = resolveGeometry(p, sizes, isTranspose);
  const out: number[] = [];
  for (let a = 0; a < rank; a++) {
    const kEff = effectiveKernel(g.kernel[a], g.dilation[a]);
    if (!isTranspose && sizes[a] + g.padsBegin[a] + g.padsEnd[a] < kEff) {
      sink.error('kernel-exceeds-input', `kernel[${a}]`, p.kernel[a],
        `effective kernel (k−1)·d+1 = ${kEff} ≤ padded input ${sizes[a]} + ${g.padsBegin[a]} + ${g.padsEnd[a]} = ${sizes[a] + g.padsBegin[a] + g.padsEnd[a]}`,
        'use a smaller kernel or dilation, add padding, or feed a larger input');
      continue;
    }
    const o = isTranspose ? convTransposeOutputSize(sizes[a], g, a) : convOutputSize(sizes[a], g, a);
    if (o < 1) {
      sink.error('output-size', isTranspose ? `padsBegin[${a}] + padsEnd[${a}]` : `kernel[${a}]`, isTranspose ? g.padsBegin[a] + g.padsEnd[a] : p.kernel[a],
        `output size ≥ 1 (got ${o} on spatial axis ${a})`, isTranspose ? 'crop less (smaller pads) or use a larger kernel or stride' : 'use a smaller kernel, more padding or a larger input');
      continue;
    }
    out.push(o);
  }
  if (errorsSince()) return null;
  return p.dataFormat === 'NCX' ? [x[0], p.filters, ...out] : [x[0], ...out, p.filters];
}

export function convWeightSlots(rank: SpatialRank, isTranspose: boolean, p: ConvParams, inputs: readonly Shape[]): WeightSlot[] {
  const x = inputs[0];
  const cin = x && x.length === rank + 2 ? x[channelAxis(p, x.length)] : 0;
  const g = p.groups >= 1 ? p.groups : 1;
  const k = p.kernel.slice(0, rank);
  const kNames = rank === 1 ? 'k' : 'kh, kw';
  const slots: WeightSlot[] = [
    isTranspose
      ? { name: 'weight', shape: [cin, Math.floor(p.filters / g), ...k], layout: `IOX (Cin, Cout/g, ${kNames})` }
      : { name: 'weight', shape: [p.filters, Math.floor(cin / g), ...k], layout: `OIX (Cout, Cin/g, ${kNames})` },
  ];
  if (p.bias) slots.push({ name: 'bias', shape: [p.filters], layout: 'Cout' });
  return slots;
}

/** Float semantics (the fast kernels; the reference ones are in reference.ts). */
export function convFloat(isTranspose: boolean, p: ConvParams, x: Tensor, weights: Readonly<Record<string, Tensor>>): Tensor {
  const rank = x.shape.length;
  const toNCX = rank === 3 ? [0, 2, 1] : [0, 3, 1, 2];
  const toNXC = rank === 3 ? [0, 2, 1] : [0, 2, 3, 1];
  const xc = p.dataFormat === 'NCX' ? x : transpose(x, toNCX);
  const g = resolveGeometry(p, xc.shape.slice(2), isTranspose);
  const bias = p.bias && weights.bias ? weights.bias.data : null;
  const y = isTranspose ? fastConvTranspose(xc, weights.weight, bias, g) : fastConv(xc, weights.weight, bias, g);
  return p.dataFormat === 'NCX' ? y : transpose(y, toNXC);
}

function makeConvOp(rank: SpatialRank, isTranspose: boolean): OpDef<ConvParams> {
  const type = `${isTranspose ? 'ConvTranspose' : 'Conv'}${rank}D`;
  return defineOp<ConvParams>({
    type,
    label: isTranspose ? `Transposed convolution ${rank}D` : `Convolution ${rank}D`,
    category: 'conv',
    inputs: { min: 1, max: 1 },
    dataLayout: 'dataFormat',
    params: convParamsSchema(rank, isTranspose),
    paramHelp: isTranspose ? convParamHelp : Object.fromEntries(Object.entries(convParamHelp).filter(([k]) => k !== 'outputPadding')),
    weights: (p, inputs) => convWeightSlots(rank, isTranspose, p, inputs),
    infer: (p, inputs, sink) => inferConv(rank, isTranspose, p, inputs, sink),
    float: (p, inputs, weights) => convFloat(isTranspose, p, inputs[0], weights),
    fixed: isTranspose ? convTransposeFixed : convFixed,
    hls: isTranspose ? convTransposeHls : convHls,
  });
}

export const conv1dOp = makeConvOp(1, false);
export const conv2dOp = makeConvOp(2, false);
export const convTranspose1dOp = makeConvOp(1, true);
export const convTranspose2dOp = makeConvOp(2, true);
