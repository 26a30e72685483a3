// What one build reports (the `report` and `artifacts` of a build run, and tessera-run.json in its build
// folder): written by the build pipeline (electron/services/builds/pipeline), read by the compare view.
import type { EstimateReport } from '../engine/estimate/report';
import type { CosimReport, HlsReport } from '../engine/reports/types';
import type { PartFit } from '../engine/reports/fit';

/** The steps a report lists, in order. 'estimate' stands where 'synthesis' would when no vendor tool ran. */
export type StepName = 'codegen' | 'csim' | 'estimate' | 'synthesis' | 'error';

/** Values compared between the C simulation and the engine (per image, firmware order). */
export interface ValueComparison {
  /** Images the engine expects, and values per image. */
  images: number;
  values: number;
  /** Images the C simulation wrote. */
  gotImages: number;
  /** Values that differ (a missing value counts as different). */
  mismatches: number;
  /** The first difference, in words, or null. */
  first: string | null;
}

export interface CsimOutcome {
  status: 'bit-exact' | 'mismatch' | 'failed' | 'skipped';
  images: number;
  values: number;
  mismatches: number;
  first: string | null;
  compileMs: number | null;
  runMs: number | null;
  /** Traced builds (io_parallel): each inner layer's comparison, by node name. */
  layers?: Record<string, ValueComparison>;
}

export interface ErrorVsFloat {
  /** Output node and its type. */
  output: string;
  outputType: string;
  maxAbs: number;
  rms: number;
  maxLsb: number;
  rmsLsb: number;
}

export interface RunReport {
  /** 'measured' when `hls` came from a vendor tool, else 'estimate'. */
  source: 'estimate' | 'measured';
  estimate: EstimateReport | null;
  hls: HlsReport | null;
  /** Whether the vendor report's figures fit the part it names, and what is over (null: no vendor report). */
  hlsFit: PartFit | null;
  cosim: CosimReport | null;
  csim: CsimOutcome;
  error: ErrorVsFloat | null;
  buildMs: number;
  steps: { name: StepName; status: 'ok' | 'failed' | 'skipped'; ms: number }[];
  /** Why the build failed, in words (null when it did not). */
  failure: string | null;
}

export interface RunArtifacts {
  /** Build folder (absolute). */
  dir: string;
  /** Files of the build, relative to `dir`. */
  files: string[];
}
