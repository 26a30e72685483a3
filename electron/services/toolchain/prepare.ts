// Writes the scripts a build needs (build_prj.tcl, hls_config.cfg, vivado_synth.tcl) into the
// project folder and returns the plan to run: the glue between the script generators and the runner.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTcl, hlsConfig, vivadoSynthTcl, type HlsScriptInput, type HlsStep } from '../../../engine/hls/scripts';
import type { Diagnostic } from '../../../engine/diagnostics/diagnostics';
import type { FlowId, Toolchain } from './detect';
import { planBuild, hdlDirFor, chooseHlsFlow, type ProjectLayout } from './commands';
import type { BuildStep, RunPlan } from './runner';

export interface PrepareInput {
  toolchain: Toolchain;
  layout: ProjectLayout;
  /** Part, clock, files… for the HLS scripts (its steps are replaced by the requested ones). */
  script: Omit<HlsScriptInput, 'steps' | 'projectName' | 'top'>;
  steps: BuildStep[];
  flow?: FlowId;
  vivadoOutOfContext?: boolean;
}

export type PrepareResult =
  | { plan: RunPlan; written: string[]; problem: null; diagnostics: Diagnostic[] }
  | { plan: null; written: string[]; problem: string; diagnostics: Diagnostic[] };

export function prepareBuild(input: PrepareInput): PrepareResult {
  const { toolchain: tc, layout } = input;
  const res = planBuild(tc, layout, input.steps, { flow: input.flow });
  if (!res.plan) return { plan: null, written: [], problem: res.problem, diagnostics: [] };
  const hlsSteps = input.steps.filter((s): s is HlsStep => s !== 'vsynth');
  const script: HlsScriptInput = { ...input.script, projectName: layout.projectName, top: layout.top, solution: layout.solution, steps: hlsSteps };
  const written: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of res.scripts) {
    let r;
    if (name === (layout.vivadoScript ?? 'vivado_synth.tcl')) {
      r = vivadoSynthTcl({ hdlDir: hdlDirFor(res.plan.flow === 'vivado-synth' ? (input.flow ?? chooseHlsFlow(tc) ?? 'vitis-hls-tcl') : (res.plan.flow as FlowId), layout.projectName, layout.solution), top: layout.top, part: script.part, outOfContext: input.vivadoOutOfContext });
    } else if (name === (layout.configFile ?? 'hls_config.cfg')) r = hlsConfig(script);
    else r = buildTcl(script, res.plan.flow === 'vivado-hls-tcl' ? 'vivado_hls' : 'vitis_hls');
    diagnostics.push(...r.diagnostics);
    if (r.text === null) return { plan: null, written, problem: `cannot write ${name}: ${r.diagnostics.map((d) => d.message).join(' ')}`, diagnostics };
    writeFileSync(join(layout.dir, name), r.text);
    written.push(name);
  }
  return { plan: res.plan, written, problem: null, diagnostics };
}
