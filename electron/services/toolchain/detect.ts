// Finds the compilers and AMD tools Tessera can drive, their versions, and the flows they enable.
//
// Where a tool is looked for, first hit wins:
//   1. the install folder the user set (--tool-root, or the TESSERA_TOOL_ROOT environment variable):
//      its settings64.sh is sourced in bash (path passed as an argument, never spliced into the
//      command) and the resulting PATH / XILINX_* are used; its bin/ is searched too;
//   2. $XILINX_HLS/bin, $XILINX_VITIS/bin, $XILINX_VIVADO/bin;
//   3. PATH.

import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { capture } from './exec';

export const TOOL_IDS = ['g++', 'vitis_hls', 'vitis-run', 'v++', 'vivado_hls', 'vivado'] as const;
export type ToolId = (typeof TOOL_IDS)[number];

/** The environment variable naming an AMD install folder (same as --tool-root). */
export const TOOL_ROOT_ENV = 'TESSERA_TOOL_ROOT';

export type ToolSource = 'tool-root' | 'XILINX_HLS' | 'XILINX_VITIS' | 'XILINX_VIVADO' | 'PATH';

export interface ToolInfo {
  id: ToolId;
  /** Absolute path of the executable, or null when not found. */
  path: string | null;
  source: ToolSource | null;
  /** e.g. "12.2.0" for g++, "2023.2" for AMD tools. */
  version: string | null;
  /** First meaningful line the tool printed for its version. */
  banner: string | null;
  /** Why the version could not be read (timeout, crash), when found but unreadable. */
  problem: string | null;
}

export type FlowId = 'csim-gxx' | 'vitis-hls-tcl' | 'vitis-run-tcl' | 'vitis-config' | 'vivado-hls-tcl' | 'vivado-synth';

export interface FlowInfo {
  id: FlowId;
  label: string;
  /** Build steps the flow can run. */
  steps: ('csim' | 'csynth' | 'cosim' | 'export' | 'vsynth')[];
  tools: ToolId[];
  available: boolean;
  /** Why not, or a caveat (deprecation), in words. */
  note: string | null;
}

export interface Toolchain {
  tools: Record<ToolId, ToolInfo>;
  flows: FlowInfo[];
  /** Environment to run the tools with (settings64.sh applied when a tool root was given). */
  env: NodeJS.ProcessEnv;
  toolRoot: string | null;
  settingsScript: string | null;
  /** XILINX_HLS in effect (its include/ holds the AMD ap_*.h headers), or null. */
  xilinxHls: string | null;
  problems: string[];
}

export interface DetectOptions {
  env?: NodeJS.ProcessEnv;
  /** AMD install folder, e.g. /tools/Xilinx/Vitis_HLS/2023.2 (overrides TESSERA_TOOL_ROOT). */
  toolRoot?: string;
  /** Per `--version` call; AMD tools take seconds to start. Default 60 s. */
  timeoutMs?: number;
}

const VERSION_ARGS: Record<ToolId, string[]> = {
  'g++': ['--version'],
  vitis_hls: ['-version'],
  'vitis-run': ['--version'],
  'v++': ['--version'],
  vivado_hls: ['-version'],
  vivado: ['-version'],
};

const HOW_TO_POINT =
  `add its bin/ folder to PATH, set XILINX_HLS (Vitis HLS) or XILINX_VIVADO (Vivado, Vivado HLS), ` +
  `or pass --tool-root <install folder with settings64.sh> (or set ${TOOL_ROOT_ENV})`;

export function howToPoint(tool: ToolId): string {
  if (tool === 'g++') return 'install g++ (Debian/Ubuntu: apt-get install g++) or put it on PATH';
  return `${tool} was not found: ${HOW_TO_POINT}`;
}

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Reads the version from what a tool printed. */
export function parseVersion(tool: ToolId, text: string): { version: string | null; banner: string | null } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (tool === 'g++') {
    // "g++ (Debian 12.2.0-14) 12.2.0": the last x.y[.z] outside the parenthesised vendor string.
    const first = lines[0] ?? null;
    const all = first ? first.replace(/\([^)]*\)/g, ' ').match(/\d+\.\d+(\.\d+)?/g) : null;
    return { version: all ? all[all.length - 1] : null, banner: first };
  }
  // AMD banners: "****** Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2023.2 (64-bit)",
  // "Vivado v2020.1 (64-bit)", "v++ v2023.2 (64-bit)".
  for (const l of lines) {
    const m = /\bv(\d{4}\.\d+(\.\d+)?)\b/.exec(l);
    if (m) return { version: m[1], banner: l.replace(/^\*+\s*/, '') };
  }
  return { version: null, banner: lines[0] ?? null };
}

/** Environment after sourcing settings64.sh in bash; the script path is $1, never interpolated. */
export async function sourceSettings(script: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ env: NodeJS.ProcessEnv | null; problem: string | null }> {
  const r = await capture('bash', ['-c', 'source "$1" >/dev/null 2>&1 </dev/null; env -0', 'tessera-settings', script], { env, timeoutMs });
  if (r.error) return { env: null, problem: `could not run bash to source ${script}: ${r.error}` };
  if (r.timedOut) return { env: null, problem: `sourcing ${script} took longer than ${timeoutMs / 1000} s` };
  if (r.code !== 0) return { env: null, problem: `sourcing ${script} failed (exit ${r.code})` };
  const out: NodeJS.ProcessEnv = {};
  for (const entry of r.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { env: out, problem: null };
}

function flowsFor(tools: Record<ToolId, ToolInfo>, xilinxHls: string | null): FlowInfo[] {
  const has = (t: ToolId): boolean => tools[t].path !== null;
  const ver = (t: ToolId): number => {
    const v = tools[t].version;
    return v ? Number(/^(\d{4}\.\d+)/.exec(v)?.[1] ?? NaN) : NaN;
  };
  const missing = (ts: ToolId[]): string | null => {
    const gone = ts.filter((t) => !has(t));
    if (!gone.length) return null;
    if (gone.length === 1 && gone[0] === 'g++') return `needs g++, which was not found: ${howToPoint('g++')}`;
    return `needs ${gone.join(' and ')}, not found: ${HOW_TO_POINT}`;
  };
  const vitisHls = ver('vitis_hls');
  const vitisRun = ver('vitis-run');
  const flows: FlowInfo[] = [
    {
      id: 'csim-gxx',
      label: 'C simulation with g++',
      steps: ['csim'],
      tools: ['g++'],
      available: has('g++'),
      note: missing(['g++']) ?? (xilinxHls ? `AMD headers from ${join(xilinxHls, 'include')}` : "Tessera's ap_fixed-compatible headers (no XILINX_HLS)"),
    },
    {
      id: 'vitis-hls-tcl',
      label: 'Vitis HLS Tcl flow (vitis_hls -f build_prj.tcl)',
      steps: ['csim', 'csynth', 'cosim', 'export'],
      tools: ['vitis_hls'],
      available: has('vitis_hls'),
      note: missing(['vitis_hls']) ?? (vitisHls >= 2024.2 ? 'vitis_hls -f is deprecated from 2024.2; Tessera prefers vitis-run or the config-file flow' : null),
    },
    {
      id: 'vitis-run-tcl',
      label: 'Vitis Tcl flow through vitis-run (vitis-run --mode hls --tcl build_prj.tcl)',
      steps: ['csim', 'csynth', 'cosim', 'export'],
      tools: ['vitis-run'],
      available: has('vitis-run') && !(vitisRun < 2023.2),
      note: missing(['vitis-run']) ?? (vitisRun < 2023.2 ? `vitis-run ${tools['vitis-run'].version} is older than 2023.2, which added --mode hls` : null),
    },
    {
      id: 'vitis-config',
      label: 'Vitis config-file flow (v++ -c --mode hls --config hls_config.cfg; vitis-run --csim/--cosim/--package)',
      steps: ['csim', 'csynth', 'cosim', 'export'],
      tools: ['v++', 'vitis-run'],
      available: has('v++') && has('vitis-run') && !(vitisRun < 2023.2),
      note: missing(['v++', 'vitis-run']) ?? (vitisRun < 2023.2 ? 'the config-file flow needs Vitis 2023.2 or later' : null),
    },
    {
      id: 'vivado-hls-tcl',
      label: 'Vivado HLS Tcl flow (vivado_hls -f build_prj.tcl)',
      steps: ['csim', 'csynth', 'cosim', 'export'],
      tools: ['vivado_hls'],
      available: has('vivado_hls'),
      note: missing(['vivado_hls']),
    },
    {
      id: 'vivado-synth',
      label: 'Vivado logic synthesis (vivado -mode batch -source vivado_synth.tcl)',
      steps: ['vsynth'],
      tools: ['vivado'],
      available: has('vivado'),
      note: missing(['vivado']),
    },
  ];
  return flows;
}

export async function detectToolchain(opts: DetectOptions = {}): Promise<Toolchain> {
  const baseEnv: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  const problems: string[] = [];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const toolRoot = opts.toolRoot ?? baseEnv[TOOL_ROOT_ENV] ?? null;
  let env = baseEnv;
  let settingsScript: string | null = null;
  if (toolRoot) {
    if (!existsSync(toolRoot)) problems.push(`tool root ${toolRoot} does not exist; set --tool-root / ${TOOL_ROOT_ENV} to an AMD install folder (one holding settings64.sh)`);
    else {
      const script = join(toolRoot, 'settings64.sh');
      if (existsSync(script)) {
        settingsScript = script;
        const s = await sourceSettings(script, baseEnv, timeoutMs);
        if (s.env) env = s.env;
        else if (s.problem) problems.push(s.problem);
      }
    }
  }

  const dirs: { dir: string; source: ToolSource }[] = [];
  if (toolRoot) dirs.push({ dir: join(toolRoot, 'bin'), source: 'tool-root' });
  for (const v of ['XILINX_HLS', 'XILINX_VITIS', 'XILINX_VIVADO'] as const) {
    const root = env[v];
    if (root) dirs.push({ dir: join(root, 'bin'), source: v });
  }
  const userPath = new Set((baseEnv.PATH ?? '').split(delimiter));
  for (const d of (env.PATH ?? '').split(delimiter)) if (d) dirs.push({ dir: d, source: userPath.has(d) ? 'PATH' : 'tool-root' });

  const probeDir = mkdtempSync(join(tmpdir(), 'tessera-detect-')); // the AMD tools drop logs in their cwd
  try {
    const infos = await Promise.all(
      TOOL_IDS.map(async (id): Promise<ToolInfo> => {
        const hit = dirs.find((d) => isExecutable(join(d.dir, id)));
        if (!hit) return { id, path: null, source: null, version: null, banner: null, problem: null };
        const path = join(hit.dir, id);
        const r = await capture(path, VERSION_ARGS[id], { env, cwd: probeDir, timeoutMs });
        const { version, banner } = parseVersion(id, `${r.stdout}\n${r.stderr}`);
        let problem: string | null = null;
        if (r.error) problem = `could not start ${path}: ${r.error}`;
        else if (r.timedOut) problem = `${path} ${VERSION_ARGS[id].join(' ')} did not answer within ${timeoutMs / 1000} s`;
        else if (!version) problem = `${path} ${VERSION_ARGS[id].join(' ')} printed no version (exit ${r.code})`;
        return { id, path, source: hit.source, version, banner, problem };
      }),
    );
    const tools = Object.fromEntries(infos.map((t) => [t.id, t])) as Record<ToolId, ToolInfo>;
    for (const t of infos) if (t.problem) problems.push(t.problem);
    // A Vitis HLS found without XILINX_HLS set: its install is the folder above bin/.
    let xilinxHls = env.XILINX_HLS ?? null;
    if (!xilinxHls && tools.vitis_hls.path) xilinxHls = join(tools.vitis_hls.path, '..', '..');
    if (xilinxHls && !existsSync(join(xilinxHls, 'include', 'ap_fixed.h'))) xilinxHls = env.XILINX_HLS ?? null;
    return { tools, flows: flowsFor(tools, xilinxHls), env, toolRoot, settingsScript, xilinxHls, problems };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}
