// The vendor part of `tessera build … --synth [--cosim] [--export]`: its flags, and what it prints. The
// vendor steps themselves run in the build pipeline (electron/services/builds/pipeline): with Vitis HLS /
// Vivado HLS detected it writes the flow's scripts and runs them (log streamed with step and progress,
// Ctrl-C cancels the whole process tree, run record in tessera_run.json), then the reports are parsed and
// printed here. Without a tool: which tool is missing and how to point Tessera at it, and the analytical
// estimate instead (labelled ESTIMATE; exit code 0).
import { join, resolve } from 'node:path';
import { CliError } from './types';
import { formatReports } from './report';
import { compareWithReport, formatEstimate } from '../../../engine/estimate';
import { chooseHlsFlow, howToPoint, TOOL_ROOT_ENV, type Toolchain } from '../../services/toolchain';
import type { BuildSpec } from '../../../api/build-spec';
import type { RunReport } from '../../../api/build-report';
import { fitSummary, type FitSummary } from '../../../engine/reports/fit';
import type { BuildOutcome } from '../../services/builds/pipeline/run';
import { BuildFailure, estimate, estimateToolOf, forkingLayers, VENDOR_RECORD } from '../../services/builds/pipeline/steps';

export const VENDOR_BOOL_FLAGS = ['synth', 'cosim', 'export'] as const;
export const VENDOR_VALUE_FLAGS = ['tool-root', 'step-timeout'] as const;

export const VENDOR_HELP = `  --synth                run C synthesis with Vitis HLS / Vivado HLS (detected on PATH, under $XILINX_HLS /
                         $XILINX_VIVADO, or --tool-root) and print the reports; without a tool, print the
                         analytical estimate instead (labelled ESTIMATE, exit code 0)
  --cosim                with --synth: C/RTL co-simulation too (a graph that forks gets it without --cosim)
  --export               with --synth: export the IP (ip_catalog)
  --tool-root DIR        AMD install folder holding settings64.sh (or set ${TOOL_ROOT_ENV})
  --step-timeout S       stop a step that runs longer than S seconds
  --json                 with --synth: print {source, part, fits, latency_cycles, interval_cycles, resources: {dsp,
                         lut, ff, bram_18k: {used, available}}} (as tessera fit --json) from the vendor report, or
                         from the estimate where no tool ran; everything else goes to stderr`;

export interface VendorFlags {
  synth: boolean;
  cosim: boolean;
  export: boolean;
  toolRoot?: string;
  stepTimeoutMs?: number;
}

/** Reads the vendor flags from parseArgs' flags; null when none was given. Throws CliError on misuse. */
export function vendorFlags(flags: Record<string, string | true>): VendorFlags | null {
  const synth = flags.synth === true;
  const cosim = flags.cosim === true;
  const exp = flags.export === true;
  if (!synth && (cosim || exp)) throw new CliError(`--${cosim ? 'cosim' : 'export'} runs after C synthesis: add --synth`, 2);
  if (!synth) {
    if (flags['tool-root'] !== undefined || flags['step-timeout'] !== undefined) throw new CliError(`--${flags['tool-root'] !== undefined ? 'tool-root' : 'step-timeout'} is for the vendor flow: add --synth`, 2);
    return null;
  }
  let stepTimeoutMs: number | undefined;
  if (flags['step-timeout'] !== undefined) {
    const v = Number(flags['step-timeout']);
    if (!(v > 0)) throw new CliError(`--step-timeout takes seconds > 0, got ${JSON.stringify(flags['step-timeout'])}`, 2);
    stepTimeoutMs = v * 1000;
  }
  return { synth, cosim, export: exp, toolRoot: typeof flags['tool-root'] === 'string' ? resolve(flags['tool-root']) : undefined, stepTimeoutMs };
}

/**
 * `--synth --json`: the fields `tessera fit --json` prints, from the vendor report when one was parsed
 * (source 'measured', fit on the part it names), else from the estimate (source 'estimate').
 */
export function synthesisSummary(rep: RunReport): FitSummary & { source: 'estimate' | 'measured' } {
  if (rep.hls) return { source: 'measured', ...fitSummary(rep.hls.part, rep.hlsFit?.fits ?? null, rep.hls) };
  return { source: 'estimate', ...fitSummary(rep.estimate?.fit.part ?? null, rep.estimate?.fit.fits ?? null, rep.estimate) };
}

/**
 * What `--synth` prints after the build: the vendor reports beside Tessera's estimate, or, without a
 * vendor tool, why none ran and the estimate instead (exit code 0). Throws CliError when the vendor run failed.
 */
export function printSynthesis(spec: BuildSpec, b: BuildOutcome, tc: Toolchain, out: (l: string) => void, err: (l: string) => void): number {
  const rep = b.report;
  if (!b.vendor) {
    if (!chooseHlsFlow(tc)) {
      err(`tessera build: --synth needs Vitis HLS (vitis_hls, vitis-run or v++) or Vivado HLS (vivado_hls), and none was found.`);
      err(`  ${howToPoint('vitis_hls')}.`);
      if (tc.toolRoot) err(`  (looked in --tool-root ${tc.toolRoot}${tc.settingsScript ? `, sourced ${tc.settingsScript}` : ', no settings64.sh there'})`);
      for (const p of tc.problems) err(`  ${p}`);
      err(`  With a tool found, it would run: ${spec.vendor.steps.join(', ')}${spec.vendor.steps.includes('cosim') && spec.config.io === 'io_stream' && forkingLayers(spec.model).length ? ` (co-simulation because the graph forks at ${forkingLayers(spec.model).join(', ')}: it checks the FIFO depths)` : ''}.`);
      err(`  Printing the analytical ESTIMATE instead: no synthesis, cosim or export ran (exit code 0).`);
    }
    if (!rep.estimate) {
      for (const d of b.diagnostics) err(`tessera build: ${d.message}`);
      throw new CliError(b.diagnostics.length ? 'no estimate: the design has errors (above)' : rep.failure ?? 'no estimate');
    }
    out(formatEstimate(rep.estimate));
    for (const n of rep.estimate.notes.slice(1)) out(`  note: ${n}`);
    return 0;
  }
  const { reports, record: rec, flow } = b.vendor;
  if (reports.solutions.some((s) => s.synth || s.cosim)) out(formatReports(spec.dir, reports.solutions));
  if (b.status !== 'succeeded') throw new CliError(`${rep.failure ?? 'the vendor build failed'}; run record in ${join(spec.dir, VENDOR_RECORD)}`);
  // The analytical estimate beside the tool's numbers (calibration; engine/estimate/README.md).
  try {
    const est = estimate(spec.model, spec.config, estimateToolOf(flow));
    out(`Synthesis vs Tessera's ESTIMATE (analytical model; error = |estimate − synthesis| / synthesis):`);
    out(compareWithReport(est, reports.synth!.synth!));
  } catch (e) {
    if (!(e instanceof BuildFailure)) throw e;
  }
  if (rec.artifacts.length) out(`artifacts: ${rec.artifacts.length} files (run record: ${VENDOR_RECORD})`);
  return 0;
}
