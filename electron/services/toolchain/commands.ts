// Build steps → command lines for the detected tools (argument arrays, run in the project folder).
//
//   csim only, or no vendor tool  → g++ compile + run (AMD headers from XILINX_HLS, else Tessera's)
//   Vitis ≥ 2024.2 with v++       → config-file flow: v++ -c --mode hls (csynth), vitis-run --csim|--cosim|--package
//   Vitis ≤ 2024.1                → vitis_hls -f build_prj.tcl   (or vitis-run --mode hls --tcl when only that exists)
//   Vivado HLS                    → vivado_hls -f build_prj.tcl
//   vsynth                        → vivado -mode batch -source vivado_synth.tcl

import { join } from 'node:path';
import type { Toolchain, FlowId, ToolId } from './detect';
import { howToPoint } from './detect';
import type { BuildStep, CommandSpec, RunPlan } from './runner';

export interface ProjectLayout {
  /** Project (build) folder; everything runs here. */
  dir: string;
  /** Tool project folder / config-file --work_dir, e.g. "myproject_prj". */
  projectName: string;
  top: string;
  solution?: string;
  /** For g++ csim: sources and testbench .cpp files relative to dir. */
  sources: string[];
  testbench: string[];
  /** For g++ csim: include folders (relative or absolute). */
  includeDirs?: string[];
  /** For g++ csim: Tessera's ap_fixed-compatible headers, used when no XILINX_HLS. */
  compatHeadersDir?: string;
  cflags?: string[];
  /** Script file names (defaults build_prj.tcl, hls_config.cfg, vivado_synth.tcl). */
  tclScript?: string;
  configFile?: string;
  vivadoScript?: string;
}

export type PlanResult = { plan: RunPlan; scripts: string[]; problem: null } | { plan: null; scripts: []; problem: string };

const HLS_STEPS: BuildStep[] = ['csim', 'csynth', 'cosim', 'export'];

function yearOf(tc: Toolchain, t: ToolId): number {
  const v = tc.tools[t].version;
  return v ? Number(/^(\d{4}\.\d+)/.exec(v)?.[1] ?? NaN) : NaN;
}

function available(tc: Toolchain, id: FlowId): boolean {
  return tc.flows.find((f) => f.id === id)?.available ?? false;
}

/** The HLS flow Tessera uses for vendor steps with this toolchain, or null when none is there. */
export function chooseHlsFlow(tc: Toolchain): FlowId | null {
  const vitis = Math.max(yearOf(tc, 'vitis_hls') || 0, yearOf(tc, 'vitis-run') || 0);
  if (vitis >= 2024.2 && available(tc, 'vitis-config')) return 'vitis-config';
  if (available(tc, 'vitis-hls-tcl')) return 'vitis-hls-tcl';
  if (available(tc, 'vitis-run-tcl')) return 'vitis-run-tcl';
  if (available(tc, 'vitis-config')) return 'vitis-config';
  if (available(tc, 'vivado-hls-tcl')) return 'vivado-hls-tcl';
  return null;
}

function toolPath(tc: Toolchain, t: ToolId): string {
  return tc.tools[t].path ?? t;
}

export function planBuild(tc: Toolchain, p: ProjectLayout, requested: BuildStep[], opts: { flow?: FlowId } = {}): PlanResult {
  const steps = (['csim', 'csynth', 'cosim', 'export', 'vsynth'] as BuildStep[]).filter((s) => requested.includes(s));
  if (steps.length === 0) return { plan: null, scripts: [], problem: 'no build step chosen: pick csim, csynth, cosim, export or vsynth' };
  const hlsSteps = steps.filter((s) => HLS_STEPS.includes(s));
  const vendorNeeded = hlsSteps.some((s) => s !== 'csim');
  let flow: FlowId | null = opts.flow ?? null;
  if (!flow && hlsSteps.length) flow = !vendorNeeded && available(tc, 'csim-gxx') ? 'csim-gxx' : chooseHlsFlow(tc);
  if (hlsSteps.length && !flow) {
    return {
      plan: null,
      scripts: [],
      problem: `${hlsSteps.join(', ')} need${hlsSteps.length === 1 ? 's' : ''} Vitis HLS or Vivado HLS, and none was found: ${howToPoint('vitis_hls').replace(/^vitis_hls was not found: /, '')}`,
    };
  }
  if (flow && !available(tc, flow)) {
    const f = tc.flows.find((x) => x.id === flow);
    return { plan: null, scripts: [], problem: `flow ${flow} is not available: ${f?.note ?? 'unknown flow'}` };
  }
  if (flow === 'csim-gxx' && vendorNeeded) return { plan: null, scripts: [], problem: 'g++ can only run csim; csynth, cosim and export need a vendor HLS tool' };

  const prj = p.projectName;
  const sol = p.solution ?? 'solution1';
  const tcl = p.tclScript ?? 'build_prj.tcl';
  const cfg = p.configFile ?? 'hls_config.cfg';
  const commands: CommandSpec[] = [];
  const artifactDirs: RunPlan['artifactDirs'] = [];
  const scripts: string[] = [];

  if (hlsSteps.length && flow) {
    switch (flow) {
      case 'csim-gxx': {
        const exe = join('build', 'csim', `${p.top}_csim`);
        const headers = tc.xilinxHls ? join(tc.xilinxHls, 'include') : p.compatHeadersDir;
        const incs = [...(p.includeDirs ?? []), ...(headers ? [headers] : [])].flatMap((d) => ['-I', d]);
        commands.push({ label: 'compile', command: toolPath(tc, 'g++'), args: ['-std=c++14', '-O2', ...incs, ...(p.cflags ?? []), ...p.sources, ...p.testbench, '-o', exe], steps: ['csim'] });
        commands.push({ label: 'run', command: join(p.dir, exe), args: [], steps: ['csim'] });
        artifactDirs.push({ dir: join('build', 'csim'), depth: 1 }, { dir: 'tb_data', depth: 0 });
        break;
      }
      case 'vitis-hls-tcl':
        commands.push({ label: 'vitis_hls', command: toolPath(tc, 'vitis_hls'), args: ['-f', tcl], steps: hlsSteps });
        scripts.push(tcl);
        break;
      case 'vitis-run-tcl':
        commands.push({ label: 'vitis-run', command: toolPath(tc, 'vitis-run'), args: ['--mode', 'hls', '--tcl', tcl], steps: hlsSteps });
        scripts.push(tcl);
        break;
      case 'vivado-hls-tcl':
        commands.push({ label: 'vivado_hls', command: toolPath(tc, 'vivado_hls'), args: ['-f', tcl], steps: hlsSteps });
        scripts.push(tcl);
        break;
      case 'vitis-config': {
        scripts.push(cfg);
        for (const s of hlsSteps) {
          if (s === 'csynth') commands.push({ label: 'v++', command: toolPath(tc, 'v++'), args: ['-c', '--mode', 'hls', '--config', cfg, '--work_dir', prj], steps: ['csynth'] });
          else {
            const mode = s === 'csim' ? '--csim' : s === 'cosim' ? '--cosim' : '--package';
            commands.push({ label: 'vitis-run', command: toolPath(tc, 'vitis-run'), args: ['--mode', 'hls', mode, '--config', cfg, '--work_dir', prj], steps: [s] });
          }
        }
        break;
      }
      default:
        return { plan: null, scripts: [], problem: `flow ${flow} cannot run HLS steps` };
    }
    if (flow !== 'csim-gxx') {
      const base = flow === 'vitis-config' ? join(prj, 'hls') : join(prj, sol);
      artifactDirs.push(
        { dir: join(base, 'csim', 'report'), depth: 0 },
        { dir: join(base, 'syn', 'report'), depth: 0 },
        { dir: join(base, 'sim', 'report'), depth: 0 },
        { dir: join(base, 'impl', 'ip'), depth: 0 },
        { dir: join(base, 'impl'), depth: 0 },
      );
    }
  }

  if (steps.includes('vsynth')) {
    if (!available(tc, 'vivado-synth')) return { plan: null, scripts: [], problem: `vsynth needs Vivado: ${howToPoint('vivado')}` };
    const vs = p.vivadoScript ?? 'vivado_synth.tcl';
    scripts.push(vs);
    commands.push({ label: 'vivado', command: toolPath(tc, 'vivado'), args: ['-mode', 'batch', '-nojournal', '-log', 'vivado_synth.log', '-source', vs], steps: ['vsynth'] });
    artifactDirs.push({ dir: '.', depth: 0 });
  }

  return { plan: { flow: flow ?? 'vivado-synth', cwd: p.dir, env: tc.env, commands, artifactDirs }, scripts, problem: null };
}

/** The HDL folder vivado_synth.tcl adds for a flow (relative to the project folder). */
export function hdlDirFor(flow: FlowId, projectName: string, solution = 'solution1'): string {
  return flow === 'vitis-config' ? join(projectName, 'hls', 'syn', 'verilog') : join(projectName, solution, 'syn', 'verilog');
}
