// The runner against real processes: a g++ csim build, a failing compile, a cancelled process
// tree (no orphans), a timeout, per-step timeouts across Tcl step markers, lines streamed while
// the process runs, and recovery of a run cut short by the app closing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRun, recoverRunRecords, markInterrupted, interruptAllRuns, activeRuns, type RunPlan, type RunRecord, type LineEvent } from './runner';
import { planBuild, chooseHlsFlow, hdlDirFor } from './commands';
import { detectToolchain, type Toolchain, type ToolId, type ToolInfo, type FlowInfo } from './detect';
import { STEP_MARKER } from '../../../engine/hls/scripts';
import { seededRandom } from '../../../engine/tensor/tensor';

const SYS_PATH = '/usr/local/bin:/usr/bin:/bin';
let root = '';
let tc: Toolchain;

/** Gone means no such process, or a zombie waiting for a reaper (it runs nothing any more). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

function shellPlan(script: string, steps: RunPlan['commands'][number]['steps'] = ['csim'], cwd = root): RunPlan {
  return { flow: 'test', cwd, commands: [{ label: 'sh', command: 'bash', args: ['-c', script], steps }], artifactDirs: [] };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera runner '));
  tc = await detectToolchain({ env: { PATH: SYS_PATH } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('g++ csim build', () => {
  it('compiles and runs a tiny testbench; log, exit status and artifacts are recorded', async () => {
    const dir = join(root, 'my project');
    mkdirSync(join(dir, 'firmware'), { recursive: true });
    mkdirSync(join(dir, 'tb'), { recursive: true });
    mkdirSync(join(dir, 'tb_data'), { recursive: true });
    const rnd = seededRandom(7031);
    const xs = Array.from({ length: 9 }, () => Math.floor(rnd() * 2001) - 1000);
    writeFileSync(join(dir, 'tb_data', 'inputs.dat'), xs.join(' ') + '\n');
    writeFileSync(join(dir, 'firmware', 'top.h'), 'int tessera_top(int x);\n');
    writeFileSync(join(dir, 'firmware', 'top.cpp'), '#include "top.h"\nint tessera_top(int x) { return 3 * x - 7; }\n');
    writeFileSync(
      join(dir, 'tb', 'top_test.cpp'),
      `#include <cstdio>
#include <fstream>
#include "top.h"
int main() {
  std::ifstream in("tb_data/inputs.dat");
  std::ofstream out("tb_data/csim_results.log");
  int x, i = 0;
  while (in >> x) { int y = tessera_top(x); out << y << "\\n"; std::printf("sample %d: %d -> %d\\n", i++, x, y); }
  std::fprintf(stderr, "done %d samples\\n", i);
  return 0;
}
`,
    );
    const res = planBuild(tc, { dir, projectName: 'p_prj', top: 'tessera_top', sources: ['firmware/top.cpp'], testbench: ['tb/top_test.cpp'], includeDirs: ['firmware'] }, ['csim']);
    expect(res.problem).toBeNull();
    const plan = res.plan as RunPlan;
    expect(plan.flow).toBe('csim-gxx');
    expect(plan.commands.map((c) => c.label)).toEqual(['compile', 'run']);
    expect(plan.commands[0].args).toEqual(['-std=c++14', '-O2', '-I', 'firmware', 'firmware/top.cpp', 'tb/top_test.cpp', '-o', 'build/csim/tessera_top_csim']);
    mkdirSync(join(dir, 'build', 'csim'), { recursive: true });
    const events: LineEvent[] = [];
    const r = await startRun(plan, { onLine: (e) => events.push(e) }).done;
    expect(r.error).toBeNull();
    expect(r.status).toBe('succeeded');
    expect(r.exitCode).toBe(0);
    expect(r.commands.map((c) => [c.label, c.exitCode])).toEqual([['compile', 0], ['run', 0]]);
    const want = xs.map((x, i) => `sample ${i}: ${x} -> ${3 * x - 7}`);
    expect(r.log.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(want);
    expect(r.log.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['done 9 samples']);
    expect(events.map((e) => e.line)).toEqual(r.log.map((l) => l.line));
    expect(events.map((e) => e.progress)).toEqual(events.map(() => 0.5)); // compile done = half of csim
    expect(readFileSync(join(dir, 'tb_data', 'csim_results.log'), 'utf8').trim().split('\n').map(Number)).toEqual(xs.map((x) => 3 * x - 7));
    expect(r.artifacts).toEqual(['build/csim/tessera_top_csim', 'tb_data/csim_results.log']);
    expect(r.progress).toBe(1);
    expect(Date.parse(r.endedAt as string)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
  });

  it('a compile error fails the run, names the step, and the binary is not run', async () => {
    const dir = join(root, 'broken');
    mkdirSync(join(dir, 'build', 'csim'), { recursive: true });
    writeFileSync(join(dir, 'bad.cpp'), 'int main() { return undefined_name; }\n');
    const plan = planBuild(tc, { dir, projectName: 'b', top: 'bad', sources: ['bad.cpp'], testbench: [] }, ['csim']).plan as RunPlan;
    const r = await startRun(plan).done;
    expect(r.status).toBe('failed');
    expect(r.exitCode).not.toBe(0);
    expect(r.commands.map((c) => c.label)).toEqual(['compile']);
    expect(r.error).toMatch(/^compile \(.*g\+\+\) exited with code 1 during csim/);
    expect(r.log.some((l) => l.stream === 'stderr' && /undefined_name/.test(l.line))).toBe(true);
  });

  it('the failure names the last stderr line that reports an error, not trailing boilerplate', async () => {
    const r = await startRun(shellPlan('echo "x.cpp:3: error: it broke" >&2; echo "See <file:///README.Bugs> for instructions." >&2; exit 1')).done;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/: x\.cpp:3: error: it broke$/);
  });

  it('a command that cannot be started fails with a clear error', async () => {
    const r = await startRun({ flow: 'test', cwd: root, commands: [{ label: 'ghost', command: join(root, 'no-such-tool'), args: [], steps: ['csynth'] }], artifactDirs: [] }).done;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/could not start .*no-such-tool: spawn .* ENOENT/);
  });
});

describe('cancel, timeout, streaming', () => {
  it('cancel mid-run kills the shell and the child it spawned (no orphan)', async () => {
    const pids: number[] = [];
    let handle: ReturnType<typeof startRun> | null = null;
    const t0 = Date.now();
    handle = startRun(shellPlan('sleep 60 & echo "child $!"; echo "shell $$"; wait'), {
      onLine: (e) => {
        const m = /^(child|shell) (\d+)$/.exec(e.line);
        if (m) pids.push(Number(m[2]));
        if (pids.length === 2) handle?.cancel();
      },
    });
    const r = await handle.done;
    expect(r.status).toBe('cancelled');
    expect(r.error).toBe('cancelled by the user');
    expect(pids).toHaveLength(2);
    expect(await waitFor(() => pids.every(gone), 3000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a process that ignores SIGTERM is killed after the grace period', async () => {
    let handle: ReturnType<typeof startRun> | null = null;
    let pid = 0;
    handle = startRun(shellPlan('trap "" TERM; echo "pid $$"; while true; do sleep 0.05; done'), {
      killGraceMs: 300,
      onLine: (e) => {
        const m = /^pid (\d+)$/.exec(e.line);
        if (m) {
          pid = Number(m[1]);
          handle?.cancel();
        }
      },
    });
    const r = await handle.done;
    expect(r.status).toBe('cancelled');
    expect(await waitFor(() => gone(pid), 3000)).toBe(true);
  });

  it('times out a step that runs too long', async () => {
    const t0 = Date.now();
    const r = await startRun(shellPlan('echo start; sleep 30'), { stepTimeoutMs: 400 }).done;
    expect(r.status).toBe('timed-out');
    expect(r.error).toBe('step csim exceeded its time limit of 0.4 s');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.log.map((l) => l.line)).toEqual(['start']);
  });

  it('per-step timeouts follow the Tcl step markers of one tool process', async () => {
    const steps: string[] = [];
    const script = `echo "${STEP_MARKER}csim"; echo "INFO: [SIM 211-1] CSim done with 0 errors."; sleep 0.3; echo "${STEP_MARKER}csynth"; echo "INFO: [HLS 200-10] Analyzing design file 'firmware/top.cpp' ..."; sleep 30`;
    const r = await startRun(shellPlan(script, ['csim', 'csynth', 'cosim']), { stepTimeoutMs: { csim: 5000, csynth: 400 }, onLine: (e) => steps.push(`${e.step}:${e.progress.toFixed(3)}`) }).done;
    expect(r.status).toBe('timed-out');
    expect(r.currentStep).toBe('csynth');
    expect(r.error).toBe('step csynth exceeded its time limit of 0.4 s');
    // csim done → 1/3; csynth at 5% → (1 + 0.05) / 3
    expect(steps).toEqual(['csim:0.000', 'csim:0.333', 'csynth:0.333', 'csynth:0.350']);
  });

  it('lines arrive in order while the process is still running', async () => {
    const gate = join(root, 'gate');
    let handle: ReturnType<typeof startRun> | null = null;
    const seen: { line: string; running: boolean }[] = [];
    // Prints 1..5, then waits for the test to open the gate (which it does on seeing line 5).
    handle = startRun(shellPlan(`for i in 1 2 3 4 5; do echo "line $i"; done; echo "warn" >&2; while [ ! -e "$1" ]; do sleep 0.02; done; echo after`.replace('$1', gate)), {
      onLine: (e) => {
        seen.push({ line: e.line, running: handle?.record.status === 'running' && handle.record.pid !== null });
        if (e.line === 'line 5') writeFileSync(gate, '');
      },
    });
    const r = await handle.done;
    expect(r.status).toBe('succeeded');
    const out = seen.filter((s) => s.line.startsWith('line') || s.line === 'after').map((s) => s.line);
    expect(out).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'after']);
    expect(seen.every((s) => s.running)).toBe(true);
    expect(r.log.map((l) => l.seq)).toEqual(r.log.map((_, i) => i));
    expect(r.log.find((l) => l.line === 'warn')?.stream).toBe('stderr');
  });
});

describe('interrupted runs', () => {
  it('a persisted record left running by a closed app is marked interrupted', async () => {
    const recordPath = join(root, 'runs', 'r1.json');
    let handle: ReturnType<typeof startRun> | null = null;
    handle = startRun(shellPlan('echo go; sleep 30'), { recordPath, onLine: () => handle?.interrupt() });
    const r = await handle.done;
    expect(r.status).toBe('interrupted');
    expect(JSON.parse(readFileSync(recordPath, 'utf8')).status).toBe('interrupted');

    // Simulate a crash: the file still says running, with a process id that no longer exists.
    const stale: RunRecord = { ...r, status: 'running', endedAt: null, error: null, pid: 2 ** 22 + 12345 };
    writeFileSync(recordPath, JSON.stringify(stale));
    const [fixed] = recoverRunRecords([recordPath, join(root, 'runs', 'missing.json')]);
    expect(fixed.status).toBe('interrupted');
    expect(fixed.error).toBe('the app closed while the run was in progress (step csim)');
    expect(JSON.parse(readFileSync(recordPath, 'utf8')).status).toBe('interrupted');
    expect(markInterrupted(fixed)).toBe(fixed);
    expect(existsSync(`${recordPath}.tmp`)).toBe(false);
  });
});

describe('app closing', () => {
  it('interruptAllRuns stops every run in progress and marks it interrupted', async () => {
    const pids: number[] = [];
    let started = 0;
    const ready = new Promise<void>((res) => {
      for (let i = 0; i < 2; i++) {
        startRun(shellPlan('echo "pid $$"; sleep 30'), {
          onLine: (e) => {
            pids.push(Number(e.line.split(' ')[1]));
            if (++started === 2) res();
          },
        });
      }
    });
    await ready;
    expect(activeRuns()).toHaveLength(2);
    const records = await interruptAllRuns();
    expect(records.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
    expect(records[0].error).toBe('the app closed while the run was in progress');
    expect(activeRuns()).toHaveLength(0);
    expect(await waitFor(() => pids.every(gone), 3000)).toBe(true);
  });
});

describe('host process shutdown', () => {
  it('SIGTERM to a host that installed the handlers: run marked interrupted on disk, process tree gone', async () => {
    const recordPath = join(root, 'host', 'run.json');
    const script = join(root, 'host.mts');
    writeFileSync(
      script,
      `import { startRun, installShutdownHandlers } from ${JSON.stringify(resolve(__dirname, 'runner.ts'))};
installShutdownHandlers();
startRun({ flow: 'test', cwd: ${JSON.stringify(root)}, artifactDirs: [], commands: [{ label: 'sh', command: 'bash', args: ['-c', 'sleep 60 & echo "child $!"; echo "shell $$"; wait'], steps: ['csynth'] }] },
  { recordPath: ${JSON.stringify(recordPath)}, onLine: (e) => console.log(e.line) });
`,
    );
    const host = spawn(process.execPath, [resolve(__dirname, '../../../bin/run-ts.mjs'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids: number[] = [];
    let out = '';
    await new Promise<void>((res, rej) => {
      host.on('exit', (c) => rej(new Error(`host exited early (${c}): ${out}`)));
      host.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        for (const m of out.matchAll(/^(child|shell) (\d+)$/gm)) if (!pids.includes(Number(m[2]))) pids.push(Number(m[2]));
        if (pids.length === 2) res();
      });
    });
    const code = await new Promise<number | null>((res) => {
      host.on('exit', (c) => res(c));
      host.kill('SIGTERM');
    });
    expect(code).toBe(143);
    const rec = JSON.parse(readFileSync(recordPath, 'utf8')) as RunRecord;
    expect(rec.status).toBe('interrupted');
    expect(rec.error).toBe('the app closed while the run was in progress');
    expect(await waitFor(() => pids.every(gone), 3000)).toBe(true);
  });
});

describe('command lines per flow', () => {
  const tool = (id: ToolId, version: string | null): ToolInfo => ({ id, path: version ? `/opt/amd/bin/${id}` : null, source: version ? 'PATH' : null, version, banner: null, problem: null });
  const fakeTc = (versions: Partial<Record<ToolId, string>>): Toolchain => {
    const tools = Object.fromEntries((['g++', 'vitis_hls', 'vitis-run', 'v++', 'vivado_hls', 'vivado'] as ToolId[]).map((id) => [id, tool(id, versions[id] ?? null)])) as Record<ToolId, ToolInfo>;
    const has = (t: ToolId) => tools[t].path !== null;
    const flows: FlowInfo[] = [
      { id: 'csim-gxx', label: '', steps: ['csim'], tools: ['g++'], available: has('g++'), note: null },
      { id: 'vitis-hls-tcl', label: '', steps: [], tools: ['vitis_hls'], available: has('vitis_hls'), note: null },
      { id: 'vitis-run-tcl', label: '', steps: [], tools: ['vitis-run'], available: has('vitis-run'), note: null },
      { id: 'vitis-config', label: '', steps: [], tools: ['v++', 'vitis-run'], available: has('v++') && has('vitis-run'), note: null },
      { id: 'vivado-hls-tcl', label: '', steps: [], tools: ['vivado_hls'], available: has('vivado_hls'), note: 'needs vivado_hls' },
      { id: 'vivado-synth', label: '', steps: ['vsynth'], tools: ['vivado'], available: has('vivado'), note: null },
    ];
    return { tools, flows, env: {}, toolRoot: null, settingsScript: null, xilinxHls: null, problems: [] };
  };
  const layout = { dir: '/w/p', projectName: 'myproject_prj', top: 'top', sources: ['firmware/top.cpp'], testbench: ['tb/top_test.cpp'] };

  it('Vitis 2023.1: vitis_hls -f with all HLS steps in one process, then vivado for vsynth', () => {
    const t = fakeTc({ 'g++': '12.2.0', vitis_hls: '2023.1', vivado: '2023.1' });
    const { plan, scripts } = planBuild(t, layout, ['vsynth', 'csynth', 'csim', 'cosim']);
    expect(plan?.flow).toBe('vitis-hls-tcl');
    expect(plan?.commands.map((c) => [c.command, c.args, c.steps])).toEqual([
      ['/opt/amd/bin/vitis_hls', ['-f', 'build_prj.tcl'], ['csim', 'csynth', 'cosim']],
      ['/opt/amd/bin/vivado', ['-mode', 'batch', '-nojournal', '-log', 'vivado_synth.log', '-source', 'vivado_synth.tcl'], ['vsynth']],
    ]);
    expect(scripts).toEqual(['build_prj.tcl', 'vivado_synth.tcl']);
    expect(plan?.artifactDirs[1]).toEqual({ dir: 'myproject_prj/solution1/syn/report', depth: 0 });
  });
  it('Vitis 2024.2 with v++: the config-file flow, one command per step', () => {
    const t = fakeTc({ vitis_hls: '2024.2', 'vitis-run': '2024.2', 'v++': '2024.2' });
    expect(chooseHlsFlow(t)).toBe('vitis-config');
    const { plan, scripts } = planBuild(t, layout, ['export', 'csynth', 'cosim', 'csim']);
    expect(plan?.commands.map((c) => [c.command, ...c.args])).toEqual([
      ['/opt/amd/bin/vitis-run', '--mode', 'hls', '--csim', '--config', 'hls_config.cfg', '--work_dir', 'myproject_prj'],
      ['/opt/amd/bin/v++', '-c', '--mode', 'hls', '--config', 'hls_config.cfg', '--work_dir', 'myproject_prj'],
      ['/opt/amd/bin/vitis-run', '--mode', 'hls', '--cosim', '--config', 'hls_config.cfg', '--work_dir', 'myproject_prj'],
      ['/opt/amd/bin/vitis-run', '--mode', 'hls', '--package', '--config', 'hls_config.cfg', '--work_dir', 'myproject_prj'],
    ]);
    expect(scripts).toEqual(['hls_config.cfg']);
    expect(plan?.artifactDirs[1]).toEqual({ dir: 'myproject_prj/hls/syn/report', depth: 0 });
    expect(hdlDirFor('vitis-config', 'myproject_prj')).toBe('myproject_prj/hls/syn/verilog');
  });
  it('only vitis-run: --mode hls --tcl; Vivado HLS only: vivado_hls -f; asking for a flow explicitly', () => {
    expect(planBuild(fakeTc({ 'vitis-run': '2023.2' }), layout, ['csynth']).plan?.commands[0].args).toEqual(['--mode', 'hls', '--tcl', 'build_prj.tcl']);
    expect(planBuild(fakeTc({ vivado_hls: '2019.2' }), layout, ['csynth', 'export']).plan?.commands[0]).toMatchObject({ command: '/opt/amd/bin/vivado_hls', args: ['-f', 'build_prj.tcl'], steps: ['csynth', 'export'] });
    const t = fakeTc({ 'g++': '12', vitis_hls: '2023.1' });
    expect(planBuild(t, layout, ['csim']).plan?.flow).toBe('csim-gxx');
    expect(planBuild(t, layout, ['csim'], { flow: 'vitis-hls-tcl' }).plan?.commands[0].args).toEqual(['-f', 'build_prj.tcl']);
  });
  it('no vendor tool: a clear problem naming the fix', () => {
    const t = fakeTc({ 'g++': '12.2.0' });
    expect(planBuild(t, layout, ['csynth']).problem).toMatch(/^csynth needs Vitis HLS or Vivado HLS, and none was found: add its bin\/ folder to PATH, set XILINX_HLS.*--tool-root.*TESSERA_TOOL_ROOT/);
    expect(planBuild(t, layout, ['vsynth']).problem).toMatch(/^vsynth needs Vivado: vivado was not found/);
    expect(planBuild(t, layout, ['csim'], { flow: 'vivado-hls-tcl' }).problem).toBe('flow vivado-hls-tcl is not available: needs vivado_hls');
    expect(planBuild(t, layout, []).problem).toMatch(/no build step chosen/);
  });
});
