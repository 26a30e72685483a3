// The contract between an op and the fixed-point simulator / HLS generator.
//
// An op takes part in fixed-point simulation and HLS generation by adding two optional fields to its
// OpDef (engine/ops/types.ts), in its own file:
//
//   export const fooOp = defineOp<FooParams>({ …, fixed: fooFixed, hls: fooHls });
//
// - `fixed` (FixedKernel): computes the layer bit for bit as the C++ template does (same casts, same
//   accumulation order, engine/hls/README.md).
// - `hls` (HlsLayerDef): what the generator needs to instantiate the op's C++ template: the header, the
//   config-struct fields, the weight arrays, the call statement for io_parallel / io_stream, the
//   product counts that decide the valid reuse factors, the io_stream read/write program of the template
//   (FIFO depths, dataflow simulation) and what the template costs (the estimate).
// Nothing else is registered anywhere: the generator, simulateFixed, the stream network and the estimate
// look the op up by type and ask these hooks; none of them knows an op by name.
import type { Shape, Tensor } from '../tensor/tensor';
import type { DiagnosticSink } from '../diagnostics/diagnostics';
import type { FixedType } from '../fixed/types';
import type { LayerPrecision } from '../fixed/precision';
import type { FixedTensor, TensorLayout } from '../fixed/tensor';

// ---------------------------------------------------------------------------------------------
// A layer's implementation settings (engine/hls/config.ts resolves them from the project's HLS config)

/** How tensors move between layers, for the whole project (hls4ml IOType). */
export type IoType = 'io_parallel' | 'io_stream';
/** Latency: weights fully partitioned, loops unrolled. Resource: weights in a reshaped array, a reuse loop. */
export type Strategy = 'latency' | 'resource';

export const IO_TYPES: readonly IoType[] = ['io_parallel', 'io_stream'];
export const STRATEGIES: readonly Strategy[] = ['latency', 'resource'];

/**
 * A call of one nnet:: function template. Kept in parts: the C simulation compiles a layer's template
 * instance on its own (engine/hls/generate.ts layerUnit), and names it by callTemplate.
 */
export interface HlsCall {
  /** The template's name in namespace nnet, e.g. `conv_2d_stream`. */
  fn: string;
  templateArgs: readonly string[];
  args: readonly string[];
}

/** `nnet::fn<T…>`: the template instance a call uses. */
export function callTemplate(c: HlsCall): string {
  return `nnet::${c.fn}<${c.templateArgs.join(', ')}>`;
}

/** `nnet::fn<T…>(args…);` (no trailing newline). */
export function callStatement(c: HlsCall): string {
  return `${callTemplate(c)}(${c.args.join(', ')});`;
}

/** A layer's configuration with every value decided. */
export interface ResolvedLayerConfig {
  io: IoType;
  strategy: Strategy;
  reuseFactor: number;
  parallelizationFactor: number;
  precision: LayerPrecision;
}

// ---------------------------------------------------------------------------------------------
// Fixed-point kernels

/** What a fixed-point kernel receives. Inputs and weights were validated by the op's infer(). */
export interface FixedKernelArgs<P> {
  params: P;
  /** One per input port, each in its producer's result type. */
  inputs: readonly FixedTensor[];
  /** Float weights in the op's canonical layout; quantize with quantizeTensor(w, precision.weight_t). */
  weights: Readonly<Record<string, Tensor>>;
  /** The layer's resolved types; the output must be in precision.result_t. */
  precision: LayerPrecision;
  /** Strategy / RF / PF: never change the values (README), given for kernels that want to assert that. */
  config: ResolvedLayerConfig;
  /** Output shape from infer(). */
  outputShape: Shape;
}

/** Bit-exact model of the op's C++ template. */
export type FixedKernel<P> = (args: FixedKernelArgs<P>) => FixedTensor;

// ---------------------------------------------------------------------------------------------
// HLS descriptor

/** Everything the generator knows about one layer when it asks the descriptor. */
export interface HlsLayerContext<P> {
  /** C identifier of the layer (unique in the project), e.g. "layer3_conv_up". */
  name: string;
  /** Position in topological order (1-based; 0 = input). */
  index: number;
  params: P;
  /** Graph shapes (batch axis included) of the inputs and the output. */
  inputShapes: readonly Shape[];
  outputShape: Shape;
  /** Firmware shapes (batch dropped, channels-last for spatial tensors): e.g. [H, W, C] or [L, C] or [N]. */
  inputDims: readonly (readonly number[])[];
  outputDims: readonly number[];
  inputTypes: readonly FixedType[];
  config: ResolvedLayerConfig;
  weights: Readonly<Record<string, Tensor>>;
  /**
   * Graph layouts of the inputs and of the output (how graph order maps to firmware order). Optional for
   * compatibility; ops that reorder data (Flatten, Reshape, Transpose) or check axes need them, and fall
   * back to guessing from the shapes and dims when absent.
   */
  inputLayouts?: readonly TensorLayout[];
  outputLayout?: TensorLayout;
}

/** One field of a generated config struct. */
export type CppField =
  | { kind: 'const'; name: string; value: number | boolean }
  /** `typedef <type> <name>;` — a FixedType is printed by the generator, a string is a C++ type name. */
  | { kind: 'type'; name: string; type: FixedType | string };

/**
 * A config struct the generator writes into parameters.h:
 *   struct <name> : <base> { <fields> };
 * The base is a struct defined in the op's template header (defaults for every field).
 */
export interface CppStruct {
  name: string;
  base: string;
  fields: CppField[];
}

/** A weight array the generator writes to firmware/weights/<name>.h (values exact in `type`). */
export interface HlsWeightArray {
  /** C identifier, unique in the project (prefix it with the layer name). */
  name: string;
  type: FixedType;
  /** Mantissas in the order the template reads them (already arranged: per phase, padded, …). */
  m: Float64Array | bigint[];
  /** HLS partitioning the template expects (emitted by the template itself; informative). */
  comment?: string;
}

/**
 * Names the generator passes to call(): C++ variables (arrays in io_parallel, hls::stream in io_stream)
 * and type names. Element types: `inputTypes[i]` / `outputType` are the fixed types; in io_stream the
 * stream element is `nnet::array<T, channels>` named `inputPixelTypes[i]` / `outputPixelType`.
 */
export interface HlsCallNames {
  inputs: string[];
  output: string;
  inputTypes: string[];
  outputType: string;
  inputPixelTypes: string[];
  outputPixelType: string;
  /** Config struct names, in the order configStructs() returned them. */
  configs: string[];
  /** Weight array names by the descriptor's array names. */
  weights: Record<string, string>;
}

/** A dense-like product block that the reuse factor divides (one per ConvTranspose phase). */
export interface ProductBlock {
  /** e.g. "phase (1,0)". */
  label: string;
  /** Products per output pixel in this block (n_in · n_out as the template multiplies them). */
  products: number;
  /** Terms summed per output (for 'auto' accum_t). */
  nIn: number;
  nOut: number;
}

export interface HlsLayerDef<P> {
  /** Template headers under hls-templates/nnet the generated code includes, e.g. ['nnet_conv.h']. */
  headers: string[];
  /** IO types the template implements (default both). */
  io?: readonly IoType[];
  /** Whether the op uses weight_t/bias_t/accum_t (shown and validated); result_t is always used. */
  usesAccumulator: boolean;
  /** The op computes through lookup tables whose entries have type table_t (sigmoid, tanh, selu, softmax). */
  usesTable?: boolean;
  /** Products per output pixel, for the reuse-factor rule and 'auto' accum_t; empty = no multipliers (RF must be 1). */
  productBlocks(ctx: Omit<HlsLayerContext<P>, 'config'>): ProductBlock[];
  /**
   * Output pixels per image (for the parallelization factor rule). Absent = PF not supported (must be 1).
   */
  pixels?(ctx: Omit<HlsLayerContext<P>, 'config'>): number;
  /**
   * The op only reorders values (Flatten, Reshape, Transpose): its output may be stored in any layout, so
   * the generator gives a rank ≥ 3 output the layout its consumer reads (the consumer's dataFormat).
   */
  reordersData?: boolean;
  /** Extra checks (e.g. unsupported parameter combinations in hardware): report to sink. */
  check?(ctx: HlsLayerContext<P>, sink: DiagnosticSink): void;
  configStructs(ctx: HlsLayerContext<P>): CppStruct[];
  weightArrays(ctx: HlsLayerContext<P>): HlsWeightArray[];
  /**
   * The float values the layer stores in weight_t and bias_t, before they are quantized (the numerical
   * profile, engine/hls/numerics.ts). Absent: the weight slot 'bias' in bias_t, every other slot in weight_t.
   */
  storedValues?(params: P, weights: Readonly<Record<string, Tensor>>): { field: 'weight_t' | 'bias_t'; what: string; values: ArrayLike<number> }[];
  /** The layer's one call of its template, e.g. `nnet::conv_2d<in_t, out_t, cfg>(in, out, w, b);`. */
  call(ctx: HlsLayerContext<P>, names: HlsCallNames): HlsCall;
  /**
   * io_stream: the template's blocking reads and writes in order, one image (engine/hls/stream-network.ts
   * wires them into the design's process network for the FIFO depth rule and the dataflow simulator).
   * Helpers: engine/ops/schedule.ts.
   */
  stream(ctx: HlsLayerContext<P>): StreamProgram;
  /** What the template does per image, for the analytical estimate (engine/estimate). */
  cost(ctx: HlsLayerContext<P>): LayerCost;
}

// ---------------------------------------------------------------------------------------------
// Stream program and cost

/** One layer's io_stream process, as its template runs it on one image. */
export interface StreamProgram {
  /** op ≥ 0 reads one pixel from input port op; op < 0 writes one to output port −op−1. */
  ops: Int32Array;
  /**
   * Reads and writes share one pipelined loop (Conv cursor, element-wise, padding, cropping, merges): a read
   * that stalls can hold back the writes of earlier iterations still in the pipeline. Pooling and
   * upsampling read a row and write in separate loops (each drains before the next starts).
   */
  overlapped: boolean;
}

/** The layer's pipelined loop per image. */
export interface LoopCost {
  /** Iterations per image (stream: cursor steps / pixels; parallel: pixel blocks; 1 = a single-shot function). */
  iterations: number;
  /** Cycles per iteration (pipeline II). */
  ii: number;
  /** Whether it is a real loop (false: one pipelined pass). */
  looped: boolean;
  /** Extra cycles per image outside the pipelined loop (row loop overheads). */
  overhead?: number;
  /** Output pixels computed side by side (io_parallel); default the layer's parallelization factor. */
  parallelizationFactor?: number;
}

/** What the hardware of a layer is made of, by kind; the estimate (engine/estimate/model.ts) prices it. */
export type LayerCost =
  | {
      kind: 'mac';
      loop: LoopCost;
      /** Outputs per output pixel (the products come from productBlocks). */
      nOut: number;
      hasBias: boolean;
      /** The multiplied weights as the template holds them: constants when RF = 1 (zeros and ±2^k cost no multiplier). */
      weights: HlsWeightArray;
      /** Stream convolutions: values in the gathered window (taps × channels), kept in registers. */
      windowValues?: number;
      lineBuffer?: LineBufferCost;
      notes?: string[];
    }
  | { kind: 'table'; loop: LoopCost; entries: number; bits: number; /** Lookups per value (softmax: 2). */ tables: number }
  | {
      kind: 'elementwise';
      loop: LoopCost;
      /** Per value: compare + select (ReLU, max), additions, products by a constant. */
      cmpMux: number;
      adds: number;
      constMults: number;
      /** The constant differs per channel (BatchNormalization's scale: real products); false: one scalar the tools fold. */
      perChannelConstant?: boolean;
    }
  | { kind: 'pool'; loop: LoopCost; window: number; op: 'max' | 'average'; lineBuffer?: LineBufferCost }
  | { kind: 'reorder'; loop: LoopCost };

/** Rows of `width` input pixels a stream layer keeps; 'ram' = an array partitioned by row, 'srl' = shift registers. */
export interface LineBufferCost {
  rows: number;
  width: number;
  impl: 'ram' | 'srl';
}
