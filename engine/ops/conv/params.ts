// Parameters of the Conv family (Conv1D, Conv2D, ConvTranspose1D, ConvTranspose2D): one schema,
// parameterised by spatial rank and by transpose-or-not. Values are canonical (SEMANTICS.md);
// conventions.ts converts PyTorch / ONNX / Keras / oneDNN attributes into them.
//
// The schema checks types only (integers, booleans, enums). Range rules (stride ≥ 1, pads ≥ 0,
// groups dividing the channels, array length = spatial rank, …) are checked by the op's infer()
// so that each mistake gets its own diagnostic naming field, value, rule and fix.
import { z } from 'zod';
import { effectiveKernel, type ConvGeometry } from './geometry';

export type SpatialRank = 1 | 2;
export type DataFormat = 'NCX' | 'NXC';
/**
 * How pads are chosen. 'explicit' uses padsBegin/padsEnd. The others are resolved against the input
 * size at inference (resolveGeometry):
 * - 'valid': no pads.
 * - 'same_upper': Conv out = ceil(in/s), ConvTranspose out = in·s; an odd unit of the total padding
 *   goes to the end (Keras/TF 'same', ONNX SAME_UPPER).
 * - 'same_lower': the same totals, odd unit at the begin (ONNX SAME_LOWER).
 */
export type AutoPad = 'explicit' | 'valid' | 'same_upper' | 'same_lower';

export interface ConvParams {
  /** Output channels Cout, ≥ 1. */
  filters: number;
  kernel: number[];
  stride: number[];
  dilation: number[];
  padsBegin: number[];
  padsEnd: number[];
  /** ConvTranspose only (absent for Conv): extra outputs at the end of each axis. */
  outputPadding?: number[];
  groups: number;
  bias: boolean;
  dataFormat: DataFormat;
  autoPad: AutoPad;
}

const intArray = (fill: number, rank: number) => z.array(z.number().int()).default(() => new Array<number>(rank).fill(fill));

/** The zod schema of one op of the family; schema.parse({}) gives the defaults. */
export function convParamsSchema(rank: SpatialRank, transpose: boolean): z.ZodType<ConvParams> {
  const shape = {
    filters: z.number().int().default(8),
    kernel: intArray(3, rank),
    stride: intArray(1, rank),
    dilation: intArray(1, rank),
    padsBegin: intArray(0, rank),
    padsEnd: intArray(0, rank),
    groups: z.number().int().default(1),
    bias: z.boolean().default(true),
    dataFormat: z.enum(['NCX', 'NXC']).default('NCX'),
    autoPad: z.enum(['explicit', 'valid', 'same_upper', 'same_lower']).default('explicit'),
  };
  const obj = transpose ? z.object({ ...shape, outputPadding: intArray(0, rank) }) : z.object(shape);
  return obj as unknown as z.ZodType<ConvParams>;
}

export const conv1dParams = convParamsSchema(1, false);
export const conv2dParams = convParamsSchema(2, false);
export const convTranspose1dParams = convParamsSchema(1, true);
export const convTranspose2dParams = convParamsSchema(2, true);

export const convParamHelp: Record<string, string> = {
  filters: 'Output channels (Cout).',
  kernel: 'Taps per spatial axis (k ≥ 1).',
  stride: 'Step per axis; for ConvTranspose the spacing of inputs in the output (s ≥ 1).',
  dilation: 'Spacing of taps per axis (d ≥ 1); effective kernel (k−1)·d+1.',
  padsBegin: 'Conv: zeros added at the begin of each axis. ConvTranspose: outputs cropped at the begin.',
  padsEnd: 'Conv: zeros added at the end of each axis. ConvTranspose: outputs cropped at the end.',
  outputPadding: 'ConvTranspose only: extra outputs at the end of each axis, 0 ≤ op < max(s, d).',
  groups: 'Channel groups; input and output channels must be divisible by it.',
  bias: 'Add a per-output-channel bias.',
  dataFormat: "'NCX' = channels first (N, C, …spatial); 'NXC' = channels last (N, …spatial, C).",
  autoPad: "'explicit' uses the pads; 'valid' = no pads; 'same_upper' (Keras/TF 'same') and 'same_lower' derive pads from the input size.",
};

/**
 * Canonical geometry for given input spatial sizes: auto pads resolved into explicit pads (and, for a
 * ConvTranspose 'same' whose k_eff < s, into output padding s − k_eff as Keras does). Assumes the
 * arrays have one entry per spatial axis (infer() checks that first). `transpose` defaults to whether
 * the params carry outputPadding (the ConvTranspose schemas always do, the Conv schemas never).
 */
export function resolveGeometry(params: ConvParams, inputSpatialSizes: readonly number[],
  transpose: boolean = params.outputPadding !== undefined): ConvGeometry {
  const rank = inputSpatialSizes.length;
  const padsBegin = params.padsBegin.slice(0, rank);
  const padsEnd = params.padsEnd.slice(0, rank);
  const outputPadding = transpose ? (params.outputPadding ?? []).slice(0, rank) : new Array<number>(rank).fill(0);
  while (outputPadding.length < rank) outputPadding.push(0);
  if (params.autoPad !== 'explicit') {
    for (let a = 0; a < rank; a++) {
      const s = params.stride[a];
      const kEff = effectiveKernel(params.kernel[a], params.dilation[a]);
      const inSize = inputSpatialSizes[a];
      if (params.autoPad === 'valid') {
        padsBegin[a] = 0;
        padsEnd[a] = 0;
        continue;
      }
      let total: number;
      if (transpose) {
        // out = in·s = (in−1)·s + k_eff + op − total
        total = kEff + outputPadding[a] - s;
        if (total < 0) {
          outputPadding[a] -= total;
          total = 0;
        }
      } else {
        const out = Math.ceil(inSize / s);
        total = Math.max((out - 1) * s + kEff - inSize, 0);
      }
      const small = Math.floor(total / 2);
      padsBegin[a] = params.autoPad === 'same_upper' ? small : total - small;
      padsEnd[a] = total - padsBegin[a];
    }
  }
  return {
    kernel: params.kernel.slice(0, rank),
    stride: params.stride.slice(0, rank),
    dilation: params.dilation.slice(0, rank),
    padsBegin,
    padsEnd,
    outputPadding,
    groups: params.groups,
  };
}
