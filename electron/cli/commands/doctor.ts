// `tessera doctor`: what is installed, which versions, what each enables, and how to point
// Tessera at a missing tool.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, type CliCommand } from './types';
import { COMMANDS } from './catalog';
import { detectToolchain, TOOL_IDS, TOOL_ROOT_ENV, type Toolchain } from '../../services/toolchain';

const HELP = `usage: tessera doctor [--tool-root DIR] [--json] [--timeout SECONDS]

  --tool-root DIR   an AMD install folder holding settings64.sh (e.g. /tools/Xilinx/Vitis_HLS/2023.2);
                    the environment variable ${TOOL_ROOT_ENV} does the same
  --json            machine-readable output
  --timeout S       how long each tool may take to print its version (default 60)`;

export function parseDoctorArgs(args: string[]): { toolRoot?: string; json: boolean; timeoutMs: number } | 'help' {
  const out = { toolRoot: undefined as string | undefined, json: false, timeoutMs: 60_000 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--json') out.json = true;
    else if (a === '--tool-root' || a.startsWith('--tool-root=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!v) throw new CliError('--tool-root needs a folder, e.g. --tool-root /tools/Xilinx/Vitis_HLS/2023.2', 2);
      out.toolRoot = resolve(v);
    } else if (a === '--timeout') {
      const v = Number(args[++i]);
      if (!(v > 0)) throw new CliError('--timeout needs a number of seconds > 0, e.g. --timeout 30', 2);
      out.timeoutMs = v * 1000;
    } else throw new CliError(`unknown option "${a}"; run "tessera doctor --help"`, 2);
  }
  return out;
}

export function formatDoctor(tc: Toolchain): string {
  const L: string[] = ['Tools'];
  for (const id of TOOL_IDS) {
    const t = tc.tools[id];
    if (!t.path) L.push(`  ${id.padEnd(11)} ${'—'.padEnd(9)} not found`);
    else L.push(`  ${id.padEnd(11)} ${(t.version ?? '?').padEnd(9)} ${t.path}  (${t.source})${t.problem ? `  ! ${t.problem}` : ''}`);
  }
  if (tc.toolRoot) L.push('', `Tool root: ${tc.toolRoot}${tc.settingsScript ? ` (sourced ${tc.settingsScript})` : ' (no settings64.sh)'}`);
  L.push('', 'Flows');
  for (const f of tc.flows) {
    L.push(`  ${f.available ? '✓' : '✗'} ${f.label}`);
    L.push(`      steps: ${f.steps.join(', ')}${f.note ? `; ${f.note}` : ''}`);
  }
  if (tc.problems.length) L.push('', 'Problems', ...tc.problems.map((p) => `  ! ${p}`));
  const missingVendor = !tc.flows.some((f) => f.available && f.id !== 'csim-gxx' && f.id !== 'vivado-synth');
  L.push(
    '',
    'To point Tessera at a missing AMD tool, any one of:',
    '  - put its bin/ folder on PATH (e.g. source <install>/settings64.sh before starting Tessera);',
    '  - set XILINX_HLS=<Vitis HLS install> (vitis_hls, vitis-run) or XILINX_VIVADO=<Vivado install> (vivado, vivado_hls);',
    `  - pass --tool-root <install folder with settings64.sh>, or set ${TOOL_ROOT_ENV} to it.`,
  );
  if (missingVendor) L.push('', 'No vendor HLS tool: builds run C simulation with g++ and show estimates (labelled "estimate") instead of synthesis reports.');
  return L.join('\n');
}

export const doctorCommand: CliCommand = {
  ...COMMANDS.doctor,
  async run(args) {
    const a = parseDoctorArgs(args);
    if (a === 'help') {
      console.log(HELP);
      return 0;
    }
    if (a.toolRoot && !existsSync(a.toolRoot)) throw new CliError(`--tool-root ${a.toolRoot} does not exist; give the AMD install folder that holds settings64.sh`);
    const tc = await detectToolchain({ toolRoot: a.toolRoot, timeoutMs: a.timeoutMs });
    if (a.json) {
      const { env: _env, ...rest } = tc; // the environment is large and may hold secrets: never printed
      console.log(JSON.stringify(rest, null, 2));
    } else console.log(formatDoctor(tc));
    return 0;
  },
};
