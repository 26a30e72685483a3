// What every op provides. One op = one file under engine/ops with everything about it,
// registered in engine/ops/registry.ts.
import type { z } from 'zod';
import type { Shape, Tensor } from '../tensor/tensor';
import type { DiagnosticSink } from '../diagnostics/diagnostics';
import type { FixedKernel, HlsLayerDef } from './hls-layer';

export type OpCategory = 'io' | 'conv' | 'dense' | 'activation' | 'normalization' | 'pooling' | 'reshape' | 'merge';

export interface WeightSlot {
  /** Slot name, e.g. 'weight', 'bias', 'gamma'. */
  name: string;
  /** Expected shape in the canonical layout. */
  shape: Shape;
  /** Canonical layout label shown to users, e.g. 'IOX (Cin, Cout/g, kh, kw)'. */
  layout: string;
}

export interface OpDef<P = any> {
  type: string;
  label: string;
  category: OpCategory;
  /** Number of input ports: fixed (min = max) or variadic (Add, Concatenate). */
  inputs: { min: number; max: number };
  /** zod schema of the parameters, with defaults: schema.parse({}) gives the default params. */
  params: z.ZodType<P>;
  /** Human help for each parameter (inspector). */
  paramHelp?: Record<string, string>;
  /** Weight tensors the op needs given its parameters and input shapes. */
  weights(params: P, inputs: readonly Shape[]): WeightSlot[];
  /**
   * Checks parameters against the input shapes and returns the output shape, or null when
   * an error was reported to `sink`. Never throws for user mistakes.
   */
  infer(params: P, inputs: readonly Shape[], sink: DiagnosticSink): Shape | null;
  /** Float reference semantics. Inputs and weights have been validated by infer(). */
  float(params: P, inputs: readonly Tensor[], weights: Readonly<Record<string, Tensor>>): Tensor;
  /** Bit-exact fixed-point semantics of the op's C++ template (engine/ops/hls-layer.ts); absent = no fixed point yet. */
  fixed?: FixedKernel<P>;
  /** What the HLS generator needs (engine/ops/hls-layer.ts); absent = not synthesizable yet. */
  hls?: HlsLayerDef<P>;
  /**
   * How the op's meaning depends on the tensor layout, for importers that rewrite layouts (ONNX's
   * channels-last Transpose sandwiches): 'dataFormat' = through its dataFormat parameter; 'free' = not at all
   * (elementwise); absent = it names axes (Flatten, Reshape, Softmax, Concatenate, …) and is left alone.
   */
  dataLayout?: 'dataFormat' | 'free';
  /**
   * Every output value is one of the input values or zero (data movement, max, ReLU): a quantized input type
   * carries over unchanged (the QONNX importer gives such a layer its input's type). Absent = false.
   */
  keepsValues?(params: P): boolean;
}

export function defineOp<P>(def: OpDef<P>): OpDef<P> {
  return def;
}
