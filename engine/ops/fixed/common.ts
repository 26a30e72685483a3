// Shared pieces of the non-conv fixed-point kernels and HLS descriptors (Dense, activations, BatchNorm,
// pooling, UpSampling, ZeroPadding, Add, Concatenate, Flatten/Reshape/Transpose). Templates:
// hls-templates/nnet/nnet_{dense,activation,batchnorm,pooling,upsampling,padding,merge,reshape}.h.
import type { Shape, Tensor } from '../../tensor/tensor';
import { sizeOf, tensor, transpose } from '../../tensor/tensor';
import { TesseraError, type DiagnosticSink } from '../../diagnostics/diagnostics';
import type { FixedType } from '../../fixed/types';
import { fixedType } from '../../fixed/types';
import { cast, fitsFloat64, normalize, quantizeMantissas, quantizeMantissasBig, type Mantissa } from '../../fixed/arith';
import { castClosedNum, castFitsFloat64, castNum, formatOf, hasClosedForm } from '../../fixed/cast';
import type { CppField, FixedKernel, HlsCall, HlsCallNames, HlsLayerContext } from '../hls-layer';
import type { FixedTensor, TensorLayout } from '../../fixed/tensor';
import { toChannelsLastPerm } from '../../fixed/tensor';

/** A writable mantissa array for `type` (Float64Array when exact in float64, else bigint[]). */
export function mantissaArray(n: number, type: FixedType): Float64Array | bigint[] {
  return fitsFloat64(type) ? new Float64Array(n) : new Array<bigint>(n).fill(0n);
}

/** A cast src → dst with the per-type work done once (identity when the value set is the same). */
export function caster(src: FixedType, dst: FixedType): (m: Mantissa) => Mantissa {
  if (src.kind === dst.kind && src.W === dst.W && src.I === dst.I && src.signed === dst.signed) return (m) => normalize(m, dst);
  const f = formatOf(src);
  if (castFitsFloat64(f, dst)) {
    const F2 = src.W - src.I;
    if (dst.kind === 'fixed' && hasClosedForm(dst)) return (m) => (typeof m === 'number' ? castClosedNum(m, F2, dst) : cast(m, src, dst));
    return (m) => (typeof m === 'number' ? castNum(m, f, dst) : cast(m, src, dst));
  }
  return (m) => cast(m, src, dst);
}

/** Doubles quantized into `type` (assignment from double). */
export function quantizeArray(v: ArrayLike<number>, type: FixedType): Float64Array | bigint[] {
  return fitsFloat64(type) ? quantizeMantissas(v, type) : quantizeMantissasBig(v, type);
}

export function setM(arr: Float64Array | bigint[], i: number, m: Mantissa, type: FixedType): void {
  (arr as unknown as Mantissa[])[i] = normalize(m, type);
}

/** Every element cast into `dst` (the C++ `(res_T) x`), picked through `src[i]` indices (−1 = zero). */
export function gatherCast(inputs: readonly FixedTensor[], index: Int32Array, inputOf: Int32Array | null, shape: Shape, dst: FixedType): FixedTensor {
  const out = mantissaArray(index.length, dst);
  const casts = inputs.map((t) => caster(t.type, dst));
  const zero = cast(0, dst, dst);
  for (let i = 0; i < index.length; i++) {
    const j = index[i];
    const k = inputOf ? inputOf[i] : 0;
    setM(out, i, j < 0 ? zero : casts[k](inputs[k].m[j]), dst);
  }
  return { shape: [...shape], type: dst, m: out };
}

/** Largest tensor the index trick (float32 indices) handles exactly. */
const MAX_INDEXED = 1 << 24;

/**
 * Runs a data-movement float kernel on index tensors to learn where every output value comes from:
 * returns per output element its source input and element index (−1 = a constant zero).
 */
export function sourceMap(inputShapes: readonly Shape[], run: (xs: Tensor[]) => Tensor): { index: Int32Array; inputOf: Int32Array; shape: Shape } {
  let offset = 0;
  const xs = inputShapes.map((s) => {
    const n = sizeOf(s);
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) d[i] = offset + i + 1;
    offset += n;
    return tensor(s, d);
  });
  if (offset >= MAX_INDEXED) throw new TesseraError(`fixed-point data movement: ${offset} values exceed the ${MAX_INDEXED} this kernel indexes; simulate fewer images at once`);
  const starts = inputShapes.map((_, k) => inputShapes.slice(0, k).reduce((a, s) => a + sizeOf(s), 0));
  const y = run(xs);
  const index = new Int32Array(y.data.length);
  const inputOf = new Int32Array(y.data.length);
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i] - 1;
    if (v < 0) {
      index[i] = -1;
      continue;
    }
    let k = starts.length - 1;
    while (starts[k] > v) k--;
    inputOf[i] = k;
    index[i] = v - starts[k];
  }
  return { index, inputOf, shape: y.shape };
}

// ---------------------------------------------------------------------------------------------
// Firmware geometry

/** Graph layout of input i (from the context, else guessed from its shape and firmware dims). */
export function inputLayout(ctx: Pick<HlsLayerContext<unknown>, 'inputShapes' | 'inputDims' | 'inputLayouts'>, i = 0): TensorLayout {
  const given = ctx.inputLayouts?.[i];
  if (given) return given;
  const s = ctx.inputShapes[i];
  if (s.length < 3) return 'flat';
  const d = ctx.inputDims[i];
  const nxc = s.slice(1);
  return d.every((v, k) => v === nxc[k]) ? 'NXC' : 'NCX';
}

/** Graph layout of the output: from the context, else the generator's rule (inherit input 0; rank < 3 is flat). */
export function outputLayout(ctx: Pick<HlsLayerContext<unknown>, 'inputShapes' | 'inputDims' | 'inputLayouts' | 'outputLayout' | 'outputShape'>, own?: 'NCX' | 'NXC'): TensorLayout {
  if (ctx.outputLayout) return ctx.outputLayout;
  if (ctx.outputShape.length < 3) return 'flat';
  return own ?? inputLayout(ctx, 0);
}

/** Graph axis → firmware axis (batch dropped, channels last for NCX). */
export function firmwareAxis(axis: number, rank: number, layout: TensorLayout): number {
  if (layout === 'NCX' && rank >= 3) return axis === 1 ? rank - 2 : axis - 2;
  return axis - 1;
}

/** Values per stream element (the last firmware axis; all values of a flat tensor) and elements per image. */
export function streamGeometry(dims: readonly number[], layout?: TensorLayout): { chan: number; pixels: number } {
  const total = dims.reduce((a, b) => a * b, 1);
  const chan = layout === 'flat' ? total : dims.length ? dims[dims.length - 1] : 1;
  return { chan, pixels: chan ? total / chan : 0 };
}

/** 2D view of firmware dims [H, W, C] or [L, C] (height 1). */
export function hwc(dims: readonly number[]): { h: number; w: number; c: number } {
  if (dims.length === 3) return { h: dims[0], w: dims[1], c: dims[2] };
  if (dims.length === 2) return { h: 1, w: dims[0], c: dims[1] };
  throw new TesseraError(`expected firmware dims [H, W, C] or [L, C], got [${dims.join(', ')}]`);
}

/** For a graph-layout tensor of shape s, each element's firmware flat index (per image), as a graph-order array. */
export function firmwareIndexOfGraph(s: Shape, layout: TensorLayout): Float32Array {
  const one = [1, ...s.slice(1)];
  const n = sizeOf(one);
  const perm = toChannelsLastPerm(one.length, layout);
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = i;
  if (!perm) return g;
  // g holds graph indices; transposing to firmware order gives fw[j] = graph index of firmware position j.
  const fw = transpose(tensor(one, g), perm).data;
  const inv = new Float32Array(n);
  for (let j = 0; j < n; j++) inv[fw[j]] = j;
  return inv;
}

/** A graph-layout tensor (batch 1) into firmware order. */
export function toFirmware(t: Tensor, layout: TensorLayout): Tensor {
  const perm = toChannelsLastPerm(t.shape.length, layout);
  return perm ? transpose(t, perm) : t;
}

// ---------------------------------------------------------------------------------------------
// Config-struct and call helpers

export const cnst = (name: string, value: number | boolean): CppField => ({ kind: 'const', name, value });
export const ctype = (name: string, type: FixedType | string): CppField => ({ kind: 'type', name, type });

/** The call `nnet::fn<T…, cfg>(args…);`. */
export function hlsCall(fn: string, types: readonly string[], args: readonly string[]): HlsCall {
  return { fn, templateArgs: types, args };
}

export function weightName(names: HlsCallNames, name: string): string {
  return names.weights[name] ?? name;
}

/** A double literal that C++ parses back to exactly this value. */
export function doubleLiteral(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) || !/^-?\d+$/.test(s) ? s : `${s}.0`;
}

/** ⌈log2 n⌉. */
export function clog2(n: number): number {
  let g = 0;
  while (2 ** g < n) g++;
  return g;
}

/** A type holding any sum of n values of t exactly: ⌈log2 n⌉ more integer bits, same fraction. */
export function exactSumType(t: FixedType, n: number): FixedType {
  const g = clog2(Math.max(1, n));
  return fixedType(t.W + g, t.I + g, { signed: t.signed });
}

/**
 * The fixed kernel of a pure data-movement op (UpSampling, ZeroPadding, Concatenate, Flatten, Reshape,
 * Transpose): its float kernel, run on index tensors, says where each output value comes from; values
 * are cast into result_t (zeros where the op inserts zeros).
 */
export function movementKernel<P>(float: (params: P, inputs: Tensor[]) => Tensor): FixedKernel<P> {
  // The last few source maps by (params, shapes): previews re-run the same layer on new data.
  const cache = new Map<string, ReturnType<typeof sourceMap>>();
  return ({ params, inputs, precision }) => {
    const key = JSON.stringify([params, inputs.map((t) => t.shape)]);
    let map = cache.get(key);
    if (!map) {
      map = sourceMap(inputs.map((t) => t.shape), (xs) => float(params, xs));
      if (cache.size >= 8) cache.delete(cache.keys().next().value as string);
      cache.set(key, map);
    }
    return gatherCast(inputs, map.index, map.inputOf, map.shape, precision.result_t);
  };
}

/** Ops with a dataFormat read their input in that layout: a producer in another layout is an error. */
export function checkInputLayout(ctx: HlsLayerContext<{ dataFormat: 'NCX' | 'NXC' }>, sink: DiagnosticSink): void {
  if (ctx.inputShapes[0].length < 3) return;
  const got = inputLayout(ctx as HlsLayerContext<unknown>);
  if (got !== ctx.params.dataFormat) {
    sink.error(
      'hls-layout-mismatch', 'dataFormat', ctx.params.dataFormat, `the input tensor is ${got} (its producer's data format) and this layer reads ${ctx.params.dataFormat}`,
      `set dataFormat to ${got}, or insert a Transpose that produces ${ctx.params.dataFormat} data`,
    );
  }
}
