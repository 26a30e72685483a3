// What the script generators take, and its validation (user mistakes are diagnostics).

import { makeDiagnostic, type Diagnostic } from '../../diagnostics/diagnostics';
import { C_IDENTIFIER, FPGA_PART, checkText } from '../../safety/rules';

export type HlsStep = 'csim' | 'csynth' | 'cosim' | 'export';
export const HLS_STEPS: readonly HlsStep[] = ['csim', 'csynth', 'cosim', 'export'];

/** Which Tcl dialect: vitis_hls (also run by `vitis-run --mode hls --tcl`) or the legacy vivado_hls. */
export type TclDialect = 'vitis_hls' | 'vivado_hls';

export interface HlsScriptInput {
  /** Project folder the tool creates, e.g. "myproject_prj"; the config-file flow's --work_dir. */
  projectName: string;
  /** Top function. */
  top: string;
  /** FPGA part, e.g. xcvu13p-flga2577-2-e. */
  part: string;
  clockPeriodNs: number;
  /** In ns (number, or "0.62ns"), or a percentage of the period ("12.5%"). Tool default when absent. */
  clockUncertainty?: number | string;
  /** Synthesis sources, relative to the project folder (where the tool runs). */
  sources: string[];
  /** Testbench sources and data files (tb_data/…). */
  testbench: string[];
  /** Compiler flags for the sources (a string as the tools take it, or a list of flags). */
  cflags?: string | string[];
  /** Compiler flags for the testbench; defaults to cflags. */
  tbCflags?: string | string[];
  /** Steps to run, in any order; they are emitted in flow order csim → csynth → cosim → export. */
  steps: HlsStep[];
  /** Solution name (Tcl flow); default solution1. */
  solution?: string;
  /** Vitis flow target; default vivado (an IP for Vivado). Ignored by vivado_hls. */
  flowTarget?: 'vivado' | 'vitis';
  /** RTL language for cosim; default verilog. */
  cosimRtl?: 'verilog' | 'vhdl';
}

// The allow-lists shared with the API and the build step (engine/safety).
const IDENT = { test: (s: string) => typeof s === 'string' && checkText(C_IDENTIFIER, 'top', s).length === 0 };
const PART = { test: (s: string) => typeof s === 'string' && checkText(FPGA_PART, 'part', s).length === 0 };
const UNCERTAINTY = /^\s*(\d+(\.\d+)?|\.\d+)\s*(ns|%)?\s*$/;

function d(field: string, value: unknown, rule: string, fix: string, code: string): Diagnostic {
  return makeDiagnostic({ code, nodeName: 'HLS build script', field, value, rule, fix });
}

/** Parsed clock uncertainty: ns or percent of the period; null when not given. */
export function parseUncertainty(u: number | string | undefined): { value: number; unit: 'ns' | '%' } | null {
  if (u === undefined) return null;
  if (typeof u === 'number') return Number.isFinite(u) && u >= 0 ? { value: u, unit: 'ns' } : null;
  const m = UNCERTAINTY.exec(u);
  if (!m) return null;
  return { value: Number(m[1]), unit: m[3] === '%' ? '%' : 'ns' };
}

export function validateScriptInput(input: HlsScriptInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!input.projectName || /[\n\r"]/.test(input.projectName) || /^[-./]|\.\.|\//.test(input.projectName)) {
    out.push(d('projectName', input.projectName, 'a folder name without /, .., quotes or a leading - or .', 'use letters, digits and _ (e.g. "myproject_prj")', 'hls-project-name'));
  }
  if (!IDENT.test(input.top)) out.push(d('top', input.top, 'a C identifier', 'name the top function with letters, digits and _ (not starting with a digit)', 'hls-top'));
  if (!PART.test(input.part)) out.push(d('part', input.part, 'an AMD part name such as xcvu13p-flga2577-2-e', 'set the part of your board', 'hls-part'));
  if (!(Number.isFinite(input.clockPeriodNs) && input.clockPeriodNs > 0)) {
    out.push(d('clockPeriodNs', input.clockPeriodNs, 'clock period > 0 ns', 'set the clock period in ns, e.g. 5 for 200 MHz', 'hls-clock'));
  }
  if (input.clockUncertainty !== undefined) {
    const u = parseUncertainty(input.clockUncertainty);
    if (!u || (u.unit === 'ns' && u.value >= input.clockPeriodNs) || (u.unit === '%' && u.value >= 100)) {
      out.push(d('clockUncertainty', input.clockUncertainty, 'a margin in ns below the period, or a percentage below 100%', 'e.g. 0.62 (ns) or "12.5%"', 'hls-clock-uncertainty'));
    }
  }
  if (input.solution !== undefined && !IDENT.test(input.solution)) out.push(d('solution', input.solution, 'a name of letters, digits and _', 'e.g. solution1', 'hls-solution'));
  if (input.sources.length === 0) out.push(d('sources', input.sources, 'at least one synthesis source', 'add the firmware .cpp file', 'hls-sources'));
  [...input.sources, ...input.testbench].forEach((f) => {
    if (f.trim() === '' || /[\n\r]/.test(f)) out.push(d('sources', f, 'a file path on one line', 'remove line breaks from the path', 'hls-source-path'));
  });
  if (input.steps.length === 0) out.push(d('steps', input.steps, 'at least one of csim, csynth, cosim, export', 'choose the steps to run', 'hls-steps'));
  for (const s of input.steps) if (!HLS_STEPS.includes(s)) out.push(d('steps', s, 'one of csim, csynth, cosim, export', 'remove the unknown step', 'hls-step'));
  if ((input.steps.includes('csim') || input.steps.includes('cosim')) && input.testbench.length === 0) {
    out.push(d('testbench', input.testbench, 'csim and cosim need a testbench', 'add the testbench file or drop csim/cosim', 'hls-testbench'));
  }
  return out;
}

/** Steps in flow order, without duplicates. */
export function orderedSteps(steps: HlsStep[]): HlsStep[] {
  return HLS_STEPS.filter((s) => steps.includes(s));
}

export interface ScriptResult {
  /** The file's text; null when diagnostics hold an error. */
  text: string | null;
  diagnostics: Diagnostic[];
}
