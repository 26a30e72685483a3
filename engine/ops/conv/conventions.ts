// Convention adapters: PyTorch, ONNX, Keras/TF and oneDNN attributes → canonical ConvParams
// (SEMANTICS.md). Each adapter converts parameters only; weight layouts are converted by
// engine/tensor/layouts.ts. Impossible requests throw one TesseraError naming the attribute and the fix
// (these are file/API inputs, not graph edits; the graph's own validation is the op's infer()).
import { TesseraError } from '../../diagnostics/diagnostics';
import { effectiveKernel } from './geometry';
import type { AutoPad, ConvParams, DataFormat, SpatialRank } from './params';

type IntOrTuple = number | readonly number[];

function perAxis(name: string, v: IntOrTuple | undefined, rank: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(rank).fill(dflt);
  if (typeof v === 'number') return new Array<number>(rank).fill(v);
  if (v.length === 1 && rank > 1) return new Array<number>(rank).fill(v[0]);
  if (v.length !== rank) throw new TesseraError(`${name} = [${v.join(', ')}] has ${v.length} values; this layer has ${rank} spatial axes: give ${rank}`);
  return [...v];
}

function base(rank: SpatialRank, transpose: boolean, p: Omit<ConvParams, 'outputPadding'>, outputPadding: number[]): ConvParams {
  return transpose ? { ...p, outputPadding } : { ...p };
}

// ---------------------------------------------------------------------------------------- PyTorch

export interface PyTorchConvArgs {
  outChannels: number;
  kernelSize: IntOrTuple;
  stride?: IntOrTuple;
  /** int/tuple (both sides), or 'same' / 'valid' (Conv only; PyTorch allows 'same' only with stride 1). */
  padding?: IntOrTuple | 'same' | 'valid';
  /** ConvTranspose only. */
  outputPadding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' is a Conv with zero padding. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

/** torch.nn.Conv{1,2}d / ConvTranspose{1,2}d → canonical. Data is NCX (PyTorch is channels-first). */
export function fromPyTorch(rank: SpatialRank, transpose: boolean, a: PyTorchConvArgs): ConvParams {
  const kernel = perAxis('kernel_size', a.kernelSize, rank, 1);
  const stride = perAxis('stride', a.stride, rank, 1);
  const dilation = perAxis('dilation', a.dilation, rank, 1);
  if (a.paddingMode && a.paddingMode !== 'zeros')
    throw new TesseraError(`padding_mode = '${a.paddingMode}' is not supported; only 'zeros' maps to a Conv (add an explicit padding layer before it)`);
  let padsBegin: number[], padsEnd: number[];
  if (a.padding === 'valid') {
    padsBegin = new Array<number>(rank).fill(0);
    padsEnd = [...padsBegin];
  } else if (a.padding === 'same') {
    if (transpose) throw new TesseraError("padding = 'same' is not accepted by PyTorch ConvTranspose; give an integer padding");
    if (stride.some((s) => s !== 1)) throw new TesseraError(`padding = 'same' needs stride 1 in PyTorch (stride = [${stride.join(', ')}]); give integer padding`);
    // PyTorch: total = d·(k−1), left = total // 2, the odd unit to the right.
    padsBegin = kernel.map((k, i) => Math.floor((dilation[i] * (k - 1)) / 2));
    padsEnd = kernel.map((k, i) => dilation[i] * (k - 1) - padsBegin[i]);
  } else {
    padsBegin = perAxis('padding', a.padding, rank, 0);
    padsEnd = [...padsBegin];
  }
  if (!transpose && a.outputPadding !== undefined && perAxis('output_padding', a.outputPadding, rank, 0).some((v) => v !== 0))
    throw new TesseraError('output_padding is a ConvTranspose argument; a Conv has none: remove it');
  return base(rank, transpose, {
    filters: a.outChannels, kernel, stride, dilation, padsBegin, padsEnd,
    groups: a.groups ?? 1, bias: a.bias ?? true, dataFormat: 'NCX', autoPad: 'explicit',
  }, perAxis('output_padding', a.outputPadding, rank, 0));
}

// ------------------------------------------------------------------------------------------- ONNX

export interface OnnxConvAttrs {
  kernel_shape?: number[];
  strides?: number[];
  /** [x1_begin, x2_begin, …, x1_end, x2_end, …] */
  pads?: number[];
  dilations?: number[];
  group?: number;
  auto_pad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID' | string;
  /** ConvTranspose only. */
  output_padding?: number[];
  /** ConvTranspose only: spatial output sizes (or with N, C in front). */
  output_shape?: number[];
}

/**
 * ONNX Conv / ConvTranspose → canonical. weightShape: Conv OIX (Cout, Cin/g, k…), ConvTranspose IOX
 * (Cin, Cout/g, k…). inputSpatial is needed only when output_shape is given.
 * Measured against onnxruntime (oracle.test.ts), which is the reference here:
 * - auto_pad SAME_UPPER/SAME_LOWER, Conv: out = ceil(in/s); the odd unit of the total padding goes to
 *   the end (SAME_UPPER) or the begin (SAME_LOWER) → autoPad same_upper / same_lower.
 * - auto_pad SAME_*, ConvTranspose: total = k_eff + op − s (out = in·s) split the same way; when the
 *   total is negative (k_eff < s) onnxruntime uses pads 0 and no extra output, so out = (in−1)·s + k_eff
 *   (unlike Keras 'same', which pads the output to in·s). Resolved to explicit pads here.
 * - output_shape: total = (in−1)·s + op + k_eff − output_shape; the odd unit goes to the end only with
 *   SAME_UPPER, otherwise (NOTSET, SAME_LOWER) to the begin. A negative total is rejected.
 */
export function fromOnnx(transpose: boolean, attrs: OnnxConvAttrs, weightShape: readonly number[], hasBias: boolean, inputSpatial?: readonly number[]): ConvParams {
  const rank = weightShape.length - 2;
  if (rank !== 1 && rank !== 2) throw new TesseraError(`ONNX ${transpose ? 'ConvTranspose' : 'Conv'} weight has shape [${weightShape.join(', ')}]: only 1D and 2D convolutions (rank-3 or rank-4 weights) are supported`);
  const r = rank as SpatialRank;
  const group = attrs.group ?? 1;
  const kernel = attrs.kernel_shape ? perAxis('kernel_shape', attrs.kernel_shape, rank, 1) : weightShape.slice(2);
  if (kernel.some((k, i) => k !== weightShape[2 + i]))
    throw new TesseraError(`kernel_shape = [${kernel.join(', ')}] disagrees with the weight's kernel [${weightShape.slice(2).join(', ')}]: fix kernel_shape or the weight`);
  const stride = perAxis('strides', attrs.strides, rank, 1);
  const dilation = perAxis('dilations', attrs.dilations, rank, 1);
  const pads = attrs.pads ?? new Array<number>(2 * rank).fill(0);
  if (pads.length !== 2 * rank) throw new TesseraError(`pads = [${pads.join(', ')}] needs ${2 * rank} values (begins then ends)`);
  let padsBegin = pads.slice(0, rank);
  let padsEnd = pads.slice(rank);
  const outputPadding = perAxis('output_padding', attrs.output_padding, rank, 0);
  const autoPadAttr = attrs.auto_pad ?? 'NOTSET';
  const autoPadMap: Record<string, AutoPad> = { NOTSET: 'explicit', SAME_UPPER: 'same_upper', SAME_LOWER: 'same_lower', VALID: 'valid' };
  let autoPad = autoPadMap[autoPadAttr];
  if (!autoPad) throw new TesseraError(`auto_pad = '${autoPadAttr}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  const filters = transpose ? weightShape[1] * group : weightShape[0];
  if (transpose && attrs.output_shape && attrs.output_shape.length > 0) {
    const outShape = attrs.output_shape.length === rank + 2 ? attrs.output_shape.slice(2) : attrs.output_shape;
    if (outShape.length !== rank) throw new TesseraError(`output_shape = [${attrs.output_shape.join(', ')}] needs ${rank} spatial sizes`);
    if (!inputSpatial) throw new TesseraError('output_shape needs the input size to derive pads; give the input shape');
    padsBegin = [];
    padsEnd = [];
    for (let a = 0; a < rank; a++) {
      const total = (inputSpatial[a] - 1) * stride[a] + outputPadding[a] + effectiveKernel(kernel[a], dilation[a]) - outShape[a];
      if (total < 0) throw new TesseraError(`output_shape[${a}] = ${outShape[a]} is larger than the layer can produce (${outShape[a] + total}): use output_padding or a larger stride`);
      const small = Math.floor(total / 2);
      const begin = autoPad === 'same_upper' ? small : total - small;
      padsBegin.push(begin);
      padsEnd.push(total - begin);
    }
    autoPad = 'explicit';
  } else if (transpose && (autoPad === 'same_upper' || autoPad === 'same_lower')) {
    padsBegin = [];
    padsEnd = [];
    for (let a = 0; a < rank; a++) {
      const total = Math.max(effectiveKernel(kernel[a], dilation[a]) + outputPadding[a] - stride[a], 0);
      const small = Math.floor(total / 2);
      const begin = autoPad === 'same_upper' ? small : total - small;
      padsBegin.push(begin);
      padsEnd.push(total - begin);
    }
    autoPad = 'explicit';
  }
  return base(r, transpose, { filters, kernel, stride, dilation, padsBegin, padsEnd, groups: group, bias: hasBias, dataFormat: 'NCX', autoPad }, outputPadding);
}

/** Canonical → ONNX attributes (explicit pads; auto_pad kept as SAME_UPPER, SAME_LOWER or VALID when the params use it). */
export function toOnnx(p: ConvParams): OnnxConvAttrs {
  const inv: Record<AutoPad, string> = { explicit: 'NOTSET', same_upper: 'SAME_UPPER', same_lower: 'SAME_LOWER', valid: 'VALID' };
  const attrs: OnnxConvAttrs = { kernel_shape: [...p.kernel], strides: [...p.stride], dilations: [...p.dilation], group: p.groups };
  if (p.autoPad === 'explicit') attrs.pads = [...p.padsBegin, ...p.padsEnd];
  else attrs.auto_pad = inv[p.autoPad];
  if (p.outputPadding && p.outputPadding.some((v) => v !== 0)) attrs.output_padding = [...p.outputPadding];
  return attrs;
}

// -------------------------------------------------------------------------------------- Keras / TF

export interface KerasConvArgs {
  filters: number;
  kernelSize: IntOrTuple;
  strides?: IntOrTuple;
  /** 'causal' exists for Conv1D only. */
  padding?: 'valid' | 'same' | 'causal';
  /** ConvTranspose only; undefined = Keras None. */
  outputPadding?: IntOrTuple | null;
  dilationRate?: IntOrTuple;
  groups?: number;
  useBias?: boolean;
  dataFormat?: 'channels_last' | 'channels_first';
}

/**
 * keras.layers.Conv{1,2}D / Conv{1,2}DTranspose (and tf.nn.conv*_transpose with the matching output
 * shape) → canonical, exactly as SEMANTICS.md:
 * - Conv: 'valid' = no pads; 'same' = autoPad same_upper (TF: odd unit at the end); 'causal' = k_eff−1 at the begin.
 * - ConvTranspose, output_padding None: 'valid' → pads 0, op = max(s − k_eff, 0);
 *   'same' → total = k_eff − s, pb = ⌊total/2⌋, pe = total − pb, or pads 0 and op = s − k_eff when total < 0.
 * - ConvTranspose with output_padding: out = (in−1)·s + k_eff − 2·pad + output_padding, pad = ⌊k_eff/2⌋
 *   (same) or 0 (valid); TF crops total = 2·pad − output_padding with ⌊total/2⌋ at the begin (a negative
 *   total becomes output padding).
 */
export function fromKeras(rank: SpatialRank, transpose: boolean, a: KerasConvArgs): ConvParams {
  const kernel = perAxis('kernel_size', a.kernelSize, rank, 1);
  const stride = perAxis('strides', a.strides, rank, 1);
  const dilation = perAxis('dilation_rate', a.dilationRate, rank, 1);
  const padding = a.padding ?? 'valid';
  const dataFormat: DataFormat = (a.dataFormat ?? 'channels_last') === 'channels_last' ? 'NXC' : 'NCX';
  const zeros = new Array<number>(rank).fill(0);
  const common = { filters: a.filters, kernel, stride, dilation, groups: a.groups ?? 1, bias: a.useBias ?? true, dataFormat };
  const kEff = kernel.map((k, i) => effectiveKernel(k, dilation[i]));
  if (!transpose) {
    if (a.outputPadding !== undefined && a.outputPadding !== null) throw new TesseraError('output_padding is a ConvTranspose argument; a Conv has none: remove it');
    if (padding === 'causal') {
      if (rank !== 1) throw new TesseraError("padding = 'causal' exists only for Conv1D");
      return { ...common, padsBegin: kEff.map((k) => k - 1), padsEnd: zeros, autoPad: 'explicit' };
    }
    if (padding === 'same') return { ...common, padsBegin: zeros, padsEnd: [...zeros], autoPad: 'same_upper' };
    if (padding === 'valid') return { ...common, padsBegin: zeros, padsEnd: [...zeros], autoPad: 'explicit' };
    throw new TesseraError(`padding = '${String(padding)}' is not one of 'valid', 'same', 'causal'`);
  }
  if (padding !== 'valid' && padding !== 'same') throw new TesseraError(`padding = '${String(padding)}' is not one of 'valid', 'same' for a ConvTranspose`);
  const padsBegin: number[] = [], padsEnd: number[] = [], outputPadding: number[] = [];
  const op = a.outputPadding === undefined || a.outputPadding === null ? null : perAxis('output_padding', a.outputPadding, rank, 0);
  for (let i = 0; i < rank; i++) {
    let total: number;
    if (op === null) total = padding === 'valid' ? Math.min(kEff[i] - stride[i], 0) : kEff[i] - stride[i];
    else total = 2 * (padding === 'same' ? Math.floor(kEff[i] / 2) : 0) - op[i];
    if (total >= 0) {
      padsBegin.push(Math.floor(total / 2));
      padsEnd.push(total - Math.floor(total / 2));
      outputPadding.push(0);
    } else {
      padsBegin.push(0);
      padsEnd.push(0);
      outputPadding.push(-total);
    }
  }
  return { ...common, padsBegin, padsEnd, outputPadding, autoPad: 'explicit' };
}

// ----------------------------------------------------------------------------------------- oneDNN

export interface OneDnnConvAttrs {
  strides: number[];
  pads_begin?: number[];
  pads_end?: number[];
  /** See dilationConvention. */
  dilations?: number[];
  auto_pad?: 'none' | 'same_upper' | 'same_lower' | 'valid';
  /** ConvTranspose only. */
  output_padding?: number[];
  groups?: number;
  data_format?: 'NXC' | 'NCX';
}

/**
 * oneDNN Convolution / ConvTranspose → canonical. Dilation: the Graph API (dnnl::graph, the default
 * here, dilationConvention 'graph') uses d with 1 = no dilation, like PyTorch/ONNX; the primitive API
 * (dnnl::convolution_forward, 'primitive') uses d − 1 with 0 = no dilation. Pass which one you have.
 * kernel and filters come from the weight (oneDNN has no kernel attribute).
 */
export function fromOneDnn(transpose: boolean, attrs: OneDnnConvAttrs, kernel: number[], filters: number, hasBias: boolean,
  dilationConvention: 'graph' | 'primitive' = 'graph'): ConvParams {
  const rank = kernel.length;
  if (rank !== 1 && rank !== 2) throw new TesseraError(`oneDNN kernel [${kernel.join(', ')}]: only 1D and 2D convolutions are supported`);
  const stride = perAxis('strides', attrs.strides, rank, 1);
  const rawDil = perAxis('dilations', attrs.dilations, rank, dilationConvention === 'graph' ? 1 : 0);
  const dilation = dilationConvention === 'graph' ? rawDil : rawDil.map((d) => d + 1);
  const map: Record<string, AutoPad> = { none: 'explicit', same_upper: 'same_upper', same_lower: 'same_lower', valid: 'valid' };
  const autoPad = map[attrs.auto_pad ?? 'none'];
  if (!autoPad) throw new TesseraError(`auto_pad = '${attrs.auto_pad}' is not one of none, same_upper, same_lower, valid`);
  return base(rank as SpatialRank, transpose, {
    filters, kernel: [...kernel], stride, dilation,
    padsBegin: perAxis('pads_begin', attrs.pads_begin, rank, 0),
    padsEnd: perAxis('pads_end', attrs.pads_end, rank, 0),
    groups: attrs.groups ?? 1, bias: hasBias, dataFormat: attrs.data_format ?? 'NXC', autoPad,
  }, perAxis('output_padding', attrs.output_padding, rank, 0));
}
