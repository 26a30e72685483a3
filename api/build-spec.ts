// A build, described completely: everything the build pipeline (electron/services/builds/pipeline) needs
// to run its steps, and nothing it must look up elsewhere. In memory a BuildSpec holds engine objects;
// buildSpecToJson / buildSpecFromJson give the serialised form that a remote build backend ships to the
// machine that runs the steps (`tessera build --spec FILE`). The file is input like any other: it is
// validated here, field by field, before anything runs.
import { z } from 'zod';
import type { Model } from '../engine/graph/model';
import type { Tensor } from '../engine/tensor/tensor';
import type { HlsConfig } from '../engine/hls/config';
import { GraphJson, TensorJson, WeightMapJson, type GraphJson as GraphJsonType } from './contract';
import { LayerChoiceJson } from './builds-contract';
import { tensorFromJson, tensorToJson, weightsFromJson, weightsToJson } from './tensor-codec';
import { checkCxxFlags, checkText, FPGA_PART, zodCheck } from '../engine/safety';

export type VendorStep = 'csynth' | 'cosim' | 'export';

export interface CsimSpec {
  /** Extra g++ flags after Tessera's own, as the variant gives them (each one argument; the allow-list of engine/safety/cxx-flags.ts). */
  cxxFlags: string[];
  /** Trace every inner layer (TESSERA_TRACE) and compare each with the engine too (io_parallel designs). */
  trace: boolean;
  /** Time limit of each process (compile, run) in ms. */
  timeoutMs: number;
}

export interface BuildSpec {
  /** Build folder (absolute): every file of the build is written here. */
  dir: string;
  /** What is built, for the log (a variant name, a model file). */
  name: string;
  model: Model;
  /** The generator's configuration, precisions already decided (variant over project, or CLI flags). */
  config: HlsConfig;
  /** Test inputs by Input node name (batch = images); null: the seeded vectors of config.seed. */
  inputs: Record<string, Tensor> | null;
  /** The g++ C simulation (compile, run, compare with the engine); null: not run. */
  csim: CsimSpec | null;
  /**
   * 'vendor': synthesis with the vendor HLS tool found where the build runs; without one, or after a
   * failed C simulation, the estimate instead. 'estimate': the analytical estimate. 'none': neither.
   */
  synthesis: 'vendor' | 'estimate' | 'none';
  /** With synthesis 'vendor': the vendor steps (csynth first) and a time limit per step (ms), or null. */
  vendor: { steps: VendorStep[]; stepTimeoutMs: number | null };
  /** Compare the engine's float run with the fixed-point outputs on the test inputs. */
  errorVsFloat: boolean;
  /** io_stream FIFO depths: 'rule' (default) from the modelled read-ahead, 'safe' every fork edge its whole tensor. */
  fifo?: 'rule' | 'safe';
}

export const BUILD_SPEC_FORMAT = 'tessera-build-spec';

const Ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a C identifier (letters, digits and _, not starting with a digit)').max(64);

const AbsolutePath = z.string().min(2).max(4096).refine((d) => /^(\/|[A-Za-z]:[\\/])/.test(d) && !d.includes('\0'), 'an absolute path');

export const HlsConfigJson = z.strictObject({
  io: z.enum(['io_parallel', 'io_stream']),
  top: Ident,
  part: z.string().min(1).max(100).superRefine(zodCheck((p: string) => checkText(FPGA_PART, 'part', p))),
  clockPeriodNs: z.number().positive().max(1000),
  defaults: LayerChoiceJson,
  layers: z.record(z.string().max(200), LayerChoiceJson),
  testImages: z.number().int().min(1).max(100_000).optional(),
  seed: z.number().int().optional(),
});

export const BuildSpecJson = z.strictObject({
  format: z.literal(BUILD_SPEC_FORMAT),
  version: z.literal(1),
  dir: AbsolutePath,
  name: z.string().max(200),
  graph: GraphJson,
  weights: WeightMapJson,
  config: HlsConfigJson,
  inputs: z.record(z.string().max(200), TensorJson).nullable(),
  csim: z.strictObject({
    cxxFlags: z.array(z.string().max(200)).max(20).superRefine(zodCheck((flags: string[]) => checkCxxFlags(flags, 'cxxFlags'))),
    trace: z.boolean(),
    timeoutMs: z.number().int().positive().max(7 * 24 * 3600_000),
  }).nullable(),
  synthesis: z.enum(['vendor', 'estimate', 'none']),
  vendor: z.strictObject({
    steps: z.array(z.enum(['csynth', 'cosim', 'export'])).max(3),
    stepTimeoutMs: z.number().int().positive().max(7 * 24 * 3600_000).nullable(),
  }),
  errorVsFloat: z.boolean(),
  fifo: z.enum(['rule', 'safe']).optional(),
});
export type BuildSpecJson = z.output<typeof BuildSpecJson>;

/** The serialised spec; `layoutOf(nodeId, slot)` names each weight's axis order (as the project stores it). */
export function buildSpecToJson(spec: BuildSpec, layoutOf: (nodeId: string, slot: string) => string = () => ''): BuildSpecJson {
  return {
    format: BUILD_SPEC_FORMAT,
    version: 1,
    dir: spec.dir,
    name: spec.name,
    graph: spec.model.graph as GraphJsonType,
    weights: weightsToJson(spec.model.weights, layoutOf),
    config: spec.config,
    inputs: spec.inputs ? Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, tensorToJson(t, '')])) : null,
    csim: spec.csim,
    synthesis: spec.synthesis,
    vendor: spec.vendor,
    errorVsFloat: spec.errorVsFloat,
    ...(spec.fifo ? { fifo: spec.fifo } : {}),
  };
}

/** A spec from its serialised form (anything: it is validated); the error names every field that is wrong. */
export function buildSpecFromJson(value: unknown): BuildSpec {
  const r = BuildSpecJson.safeParse(value);
  if (!r.success) {
    const where = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(the file)'}: ${i.message}`);
    throw new Error(`not a valid build spec: ${where.join('; ')}${r.error.issues.length > 5 ? ` (and ${r.error.issues.length - 5} more)` : ''}; write it with buildSpecToJson`);
  }
  const j = r.data;
  return {
    dir: j.dir,
    name: j.name,
    model: { graph: j.graph, weights: weightsFromJson(j.weights) },
    config: j.config,
    inputs: j.inputs ? Object.fromEntries(Object.entries(j.inputs).map(([k, t]) => [k, tensorFromJson(t)])) : null,
    csim: j.csim,
    synthesis: j.synthesis,
    vendor: j.vendor,
    errorVsFloat: j.errorVsFloat,
    ...(j.fifo ? { fifo: j.fifo } : {}),
  };
}
