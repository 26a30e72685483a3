// The vendor part of `tessera build … --synth [--cosim] [--export]`: with Vitis HLS / Vivado HLS detected,
// write the flow's scripts into the generated project, run the steps through the toolchain runner (log
// streamed line by line with step and progress, Ctrl-C cancels the whole process tree, run record kept in
// the project), then parse and print the reports. Without a tool: say which tool is missing and how to
// point Tessera at it, and print the analytical estimate instead (labelled ESTIMATE; exit code 0).
import { join, resolve } from 'node:path';
import { CliError } from './types';
import { formatReports } from './report';
import type { Model } from '../../../engine/graph/model';
import type { HlsConfig } from '../../../engine/hls/config';
import { compareWithReport, estimateDesign, formatEstimate } from '../../../engine/estimate';
import { chooseHlsFlow, detectToolchain, findReports, howToPoint, prepareBuild, startRun, TOOL_ROOT_ENV, type BuildStep, type LineEvent } from '../../services/toolchain';

export const VENDOR_BOOL_FLAGS = ['synth', 'cosim', 'export'] as const;
export const VENDOR_VALUE_FLAGS = ['tool-root', 'step-timeout'] as const;

export const VENDOR_HELP = `  --synth                run C synthesis with Vitis HLS / Vivado HLS (detected on PATH, under $XILINX_HLS /
                         $XILINX_VIVADO, or --tool-root) and print the reports; without a tool, print the
                         analytical estimate instead (labelled ESTIMATE, exit code 0)
  --cosim                with --synth: C/RTL co-simulation too
  --export               with --synth: export the IP (ip_catalog)
  --tool-root DIR        AMD install folder holding settings64.sh (or set ${TOOL_ROOT_ENV})
  --step-timeout S       stop a step that runs longer than S seconds`;

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

export interface VendorBuildInput {
  /** The generated project folder. */
  dir: string;
  model: Model;
  config: HlsConfig;
  flags: VendorFlags;
  /** Output sinks (tests pass their own); default console. */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Runs the vendor steps on a generated project, or prints the estimate when no tool is installed. Returns the exit code. */
export async function runVendorBuild(input: VendorBuildInput): Promise<number> {
  const out = input.out ?? ((l: string) => console.log(l));
  const err = input.err ?? ((l: string) => console.error(l));
  const { config: cfg, flags } = input;
  const dir = resolve(input.dir);
  const tc = await detectToolchain({ toolRoot: flags.toolRoot, timeoutMs: 60_000 });
  const flow = chooseHlsFlow(tc);
  const steps: BuildStep[] = ['csynth', ...(flags.cosim ? ['cosim' as const] : []), ...(flags.export ? ['export' as const] : [])];

  if (!flow) {
    err(`tessera build: --synth needs Vitis HLS (vitis_hls, vitis-run or v++) or Vivado HLS (vivado_hls), and none was found.`);
    err(`  ${howToPoint('vitis_hls')}.`);
    if (tc.toolRoot) err(`  (looked in --tool-root ${tc.toolRoot}${tc.settingsScript ? `, sourced ${tc.settingsScript}` : ', no settings64.sh there'})`);
    for (const p of tc.problems) err(`  ${p}`);
    err(`  Printing the analytical ESTIMATE instead: no synthesis, cosim or export ran (exit code 0).`);
    return printEstimate(input.model, cfg, out, err, 'vitis_hls');
  }

  const prep = prepareBuild({
    toolchain: tc,
    layout: { dir, projectName: `${cfg.top}_prj`, top: cfg.top, sources: [], testbench: [] },
    script: {
      part: cfg.part,
      clockPeriodNs: cfg.clockPeriodNs,
      sources: [`firmware/${cfg.top}.cpp`],
      testbench: [`tb/${cfg.top}_test.cpp`, 'tb_data'],
      cflags: '-std=c++14',
      tbCflags: '-std=c++14 -Wno-unknown-pragmas',
    },
    steps,
    flow,
  });
  if (!prep.plan) throw new CliError(`cannot prepare the ${flow} build: ${prep.problem}`);
  const toolLabel = prep.plan.commands.map((c) => c.label).join(' + ');
  out(`${flow}: ${steps.join(', ')} with ${toolLabel} in ${dir} (wrote ${prep.written.join(', ')}); Ctrl-C cancels`);

  let lastStep = '';
  const handle = startRun(prep.plan, {
    stepTimeoutMs: flags.stepTimeoutMs,
    recordPath: join(dir, 'tessera_run.json'),
    onLine: (e: LineEvent) => {
      if (e.step !== lastStep) {
        lastStep = e.step;
        out(`== step ${e.step}`);
      }
      const line = `[${e.step} ${String(Math.round(e.progress * 100)).padStart(3)}%] ${e.line}`;
      if (e.stream === 'stderr') err(line);
      else out(line);
    },
  });
  const onSignal = (sig: NodeJS.Signals) => {
    err(`tessera build: ${sig}: cancelling ${toolLabel} (the whole process tree)…`);
    handle.cancel(`cancelled by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let rec;
  try {
    rec = await handle.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (rec.status === 'cancelled' || rec.status === 'interrupted') {
    err(`tessera build: ${rec.status} during ${rec.currentStep}; run record in ${join(dir, 'tessera_run.json')}`);
    return 130;
  }
  const sols = findReports(dir);
  if (sols.some((s) => s.synth || s.cosim)) out(formatReports(dir, sols));
  if (rec.status !== 'succeeded') {
    throw new CliError(`${flow} ${rec.status} in step ${rec.currentStep}${rec.exitCode !== null ? ` (exit code ${rec.exitCode})` : ''}: ${rec.error ?? 'see the log above'}; run record in ${join(dir, 'tessera_run.json')}`);
  }
  if (!sols.some((s) => s.synth)) throw new CliError(`${toolLabel} finished but wrote no synthesis report under ${dir} (looked for csynth.xml / csynth.rpt); see the log above`);
  const cosimFailed = flags.cosim && sols.some((s) => s.cosim?.status === 'Fail');
  if (cosimFailed) throw new CliError('C/RTL co-simulation FAILED (see the cosim report above)');
  // The analytical estimate beside the tool's numbers (calibration; engine/estimate/README.md).
  const synth = sols.find((s) => s.synth)!.synth!;
  const est = estimateDesign(input.model, cfg, { tool: flow === 'vivado-hls-tcl' ? 'vivado_hls' : 'vitis_hls' });
  if (est.report) {
    out(`Synthesis vs Tessera's ESTIMATE (analytical model; error = |estimate − synthesis| / synthesis):`);
    out(compareWithReport(est.report, synth));
  }
  if (rec.artifacts.length) out(`artifacts: ${rec.artifacts.length} files (run record: tessera_run.json)`);
  return 0;
}

function printEstimate(model: Model, cfg: HlsConfig, out: (l: string) => void, err: (l: string) => void, tool: 'vitis_hls' | 'vivado_hls'): number {
  const r = estimateDesign(model, cfg, { tool });
  if (!r.report) {
    for (const d of r.diagnostics.filter((x) => x.severity === 'error')) err(`tessera build: ${d.message}`);
    throw new CliError('no estimate: the design has errors (above)');
  }
  out(formatEstimate(r.report));
  for (const n of r.report.notes.slice(1)) out(`  note: ${n}`);
  return 0;
}
