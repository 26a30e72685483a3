// The one result type for vendor HLS figures, whatever report they came from: csynth.xml of
// Vivado HLS 2018.2 … Vitis HLS 2022+, csynth.rpt, vivado_synth.rpt (resources only) and the
// hls4ml baseline JSON. Every number may be null: reports leave things out or say `undef`.

export const RESOURCE_KEYS = ['BRAM_18K', 'DSP', 'FF', 'LUT', 'URAM'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

export interface ResourceFigure {
  used: number | null;
  available: number | null;
  /** used / available × 100 when both are known (available > 0); else the report's own figure. */
  percent: number | null;
}

export type Resources = Record<ResourceKey, ResourceFigure>;

export interface LatencyFigure {
  cycles: number | null;
  ns: number | null;
}

export interface ClockFigures {
  targetNs: number | null;
  uncertaintyNs: number | null;
  estimatedNs: number | null;
}

/** Figures a whole design and each of its modules share. */
export interface SynthFigures {
  latency: { best: LatencyFigure; average: LatencyFigure; worst: LatencyFigure };
  /** Initiation interval in cycles. */
  interval: { min: number | null; max: number | null };
  pipelineType: string | null;
  clock: ClockFigures;
  resources: Resources;
}

export interface ModuleReport extends SynthFigures {
  /** Module (function) name as the tool names it, e.g. dense_array_array_ap_fixed_16_6_5_3_0_5u_config2_s. */
  name: string;
  /** RTL instance name where the report gives it, e.g. grp_myproject_fu_216. */
  instance: string | null;
}

export interface LoopReport {
  /** Slash-joined path of loop names, outermost first: "Loop1/Loop1.1". */
  path: string;
  name: string;
  tripCount: number | null;
  latency: number | null;
  iterationLatency: number | null;
  pipelineII: number | null;
  pipelineDepth: number | null;
}

export type ReportFormat = 'csynth-xml' | 'csynth-rpt' | 'vivado-utilization-rpt' | 'hls4ml-baseline-json';
export type HlsToolName = 'vivado_hls' | 'vitis_hls' | 'vivado';

export interface HlsReport extends SynthFigures {
  format: ReportFormat;
  tool: { name: HlsToolName | null; version: string | null };
  top: string | null;
  part: string | null;
  family: string | null;
  /** vivado | vitis (Vitis HLS only). */
  flowTarget: string | null;
  modules: ModuleReport[];
  loops: LoopReport[];
  /** Oddities met and tolerated while parsing (missing elements, undef figures). */
  notes: string[];
}

export type CosimStatus = 'Pass' | 'Fail' | 'NA';

export interface CosimResult {
  /** VHDL, Verilog, SystemC… as the report names it. */
  language: string;
  status: CosimStatus;
  latency: { min: number | null; avg: number | null; max: number | null };
  interval: { min: number | null; avg: number | null; max: number | null };
  totalCycles: number | null;
}

export interface CosimReport {
  top: string | null;
  simulator: string | null;
  results: CosimResult[];
  /** Fail if any language failed, Pass if any passed, else NA. */
  status: CosimStatus;
  notes: string[];
}

export function emptyResources(): Resources {
  const r = {} as Resources;
  for (const k of RESOURCE_KEYS) r[k] = { used: null, available: null, percent: null };
  return r;
}

export function emptyFigures(): SynthFigures {
  const lat = (): LatencyFigure => ({ cycles: null, ns: null });
  return {
    latency: { best: lat(), average: lat(), worst: lat() },
    interval: { min: null, max: null },
    pipelineType: null,
    clock: { targetNs: null, uncertaintyNs: null, estimatedNs: null },
    resources: emptyResources(),
  };
}
