// `tessera build … --synth [--cosim] [--export]`, spawning the real CLI:
// - no vendor tool: a message naming the missing tool and how to point Tessera at it, then the estimate
//   (labelled ESTIMATE), exit code 0;
// - a fake `vitis_hls` on PATH (a shell script → real tclsh running the generated build_prj.tcl with the HLS
//   commands as recording procs, dropping a fixture csynth.xml / cosim.rpt where the real tool would): the
//   steps run in order with the project's part/clock/top/files, the log streams with steps, the reports
//   are parsed and printed;
// - Ctrl-C (SIGINT) while the tool runs cancels the whole process tree: exit 130, no orphan left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnnxModel } from '../../../engine/interop/onnx/proto';
import { randomTensor } from '../../../engine/tensor/tensor';
import { fitSummary, type FitSummary } from '../../../engine/reports/fit';
import { estimateDesign } from '../../../engine/estimate/graph';
import { defaultHlsConfig } from '../../../engine/hls/config';
import { loadModel } from '../model-file';
import { REPO_ROOT as root, TESSERA_BIN as bin, spawnTessera, type Run } from '../cli.testutil';

const TESTDATA = join(root, 'engine', 'reports', 'testdata');
const TCLSH = spawnSync('tclsh', [], { input: 'puts ok\n', encoding: 'utf8' }).stdout?.trim() === 'ok';

/** Environment without any AMD tool: PATH of system folders only, no XILINX_* / TESSERA_TOOL_ROOT. */
function cleanEnv(extraPath: string[] = [], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^XILINX_|^TESSERA_/.test(k)) env[k] = v;
  env.PATH = [...extraPath, '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  return { ...env, TESSERA_DEBUG: '', ...extra };
}

const tessera = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> => spawnTessera(args, { env });

let dir = '';
let fakeBin = '';

// The HLS commands as recording procs: each appends "<command> <args>" to $FAKE_RECORD, csynth/cosim/export
// write what the real tool writes where it writes it. csynth_design sleeps when FAKE_SLEEP is set (for Ctrl-C).
const FAKE_HLS = `
proc rec {args} { set f [open $::env(FAKE_RECORD) a]; puts $f [join $args " "]; close $f }
proc open_project {args} { rec open_project {*}$args; set ::prj [lindex $args end]; puts "INFO: \\[HLS 200-10\\] Opening project '$::prj'." }
proc set_top {t} { rec set_top $t; set ::top $t }
proc add_files {args} { rec add_files {*}$args }
proc open_solution {args} { rec open_solution {*}$args; set ::sol [lindex $args end]; file mkdir [file join $::prj $::sol] }
proc set_part {p} { rec set_part $p; puts "INFO: \\[HLS 200-1611\\] Setting target device to '$p'" }
proc create_clock {args} { rec create_clock {*}$args }
proc set_clock_uncertainty {args} { rec set_clock_uncertainty {*}$args }
proc config_export {args} { rec config_export {*}$args }
proc csim_design {args} { rec csim_design {*}$args }
proc csynth_design {args} {
  rec csynth_design {*}$args
  puts "INFO: \\[HLS 200-10\\] Starting hardware synthesis ..."
  if {[info exists ::env(FAKE_SLEEP)]} {
    set child [exec sleep $::env(FAKE_SLEEP) &]
    set f [open $::env(FAKE_PIDFILE) w]; puts $f "[pid] $child"; close $f
    puts "INFO: synthesizing (sleeping)"; flush stdout
    after [expr {$::env(FAKE_SLEEP) * 1000}]
  }
  set d [file join $::prj $::sol syn report]; file mkdir $d
  file copy -force $::env(FAKE_CSYNTH_XML) [file join $d csynth.xml]
  puts "INFO: \\[HLS 200-111\\] Finished Command csynth_design"
}
proc cosim_design {args} {
  rec cosim_design {*}$args
  set d [file join $::prj $::sol sim report]; file mkdir $d
  file copy -force $::env(FAKE_COSIM_RPT) [file join $d $::top\\_cosim.rpt]
  puts "INFO: \\[COSIM 212-1000\\] *** C/RTL co-simulation finished: PASS ***"
}
proc export_design {args} {
  rec export_design {*}$args
  set d [file join $::prj $::sol impl ip]; file mkdir $d
  set f [open [file join $d xilinx_com_hls_$::top\\_1_0.zip] w]; puts $f zip; close $f
}
proc close_project {args} { rec close_project }
rename exit real_exit
proc exit {args} { rec exit {*}$args; real_exit 0 }
source [lindex $argv 0]
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera build vendor '));
  const bytes = buildOnnxModel({
    inputs: [{ name: 'z', shape: ['batch', 2, 4, 4] }],
    outputs: [{ name: 'y', shape: ['batch', 3, 8, 8] }],
    nodes: [
      { op: 'ConvTranspose', inputs: ['z', 'w1', 'b1'], outputs: ['u'], name: 'up', attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Relu', inputs: ['u'], outputs: ['y'], name: 'act' },
    ],
    initializers: [
      { name: 'w1', dims: [2, 3, 2, 2], data: randomTensor([2, 3, 2, 2], 21, -0.7, 0.9).data },
      { name: 'b1', dims: [3], data: randomTensor([3], 22, -0.3, 0.2).data },
    ],
  });
  writeFileSync(join(dir, 'm.onnx'), bytes);
  fakeBin = join(dir, 'Xilinx', 'Vitis_HLS', '2023.1', 'bin');
  mkdirSync(fakeBin, { recursive: true });
  writeFileSync(join(fakeBin, 'fake_hls.tcl'), FAKE_HLS);
  writeFileSync(
    join(fakeBin, 'vitis_hls'),
    `#!/bin/sh
if [ "$1" = "-version" ]; then echo "****** Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2023.1 (64-bit)"; exit 0; fi
[ "$1" = "-f" ] || { echo "usage: vitis_hls -f script.tcl" >&2; exit 2; }
exec tclsh "${join(fakeBin, 'fake_hls.tcl')}" "$2"
`,
  );
  chmodSync(join(fakeBin, 'vitis_hls'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera build --synth', () => {
  it('without a vendor tool: names the missing tool, how to point Tessera at it, prints the estimate, exit 0', async () => {
    const out = join(dir, 'est');
    const r = await tessera(['build', join(dir, 'm.onnx'), '--out', out, '--io', 'stream', '--synth'], cleanEnv());
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--synth needs Vitis HLS \(vitis_hls, vitis-run or v\+\+\) or Vivado HLS \(vivado_hls\), and none was found/);
    expect(r.stderr).toMatch(/PATH/);
    expect(r.stderr).toMatch(/XILINX_HLS/);
    expect(r.stderr).toMatch(/--tool-root/);
    expect(r.stderr).toMatch(/TESSERA_TOOL_ROOT/);
    expect(r.stderr).toMatch(/ESTIMATE instead.*exit code 0/);
    expect(r.stdout).toMatch(/^ESTIMATE \(analytical model, no vendor tool result\) — io_stream/m);
    expect(r.stdout).toMatch(/latency \d+ cycles \([\d.]+ ns\), interval \d+ cycles\s+\[estimate\]/);
    expect(r.stdout).toMatch(/DSP \d+ \([\d.]+%\)\s+LUT \d+/);
    // Per layer: the ConvTranspose (4 phases of 1 tap: 2·3 = 6 products per pixel at RF 1) and the ReLU.
    expect(r.stdout).toMatch(/layer1_up\s+ConvTranspose2D\s+\d+\s+1\s+\d+\s+6\s/);
    expect(r.stdout).toMatch(/layer2_act\s+ReLU/);
    expect(existsSync(join(out, 'firmware', 'myproject.cpp'))).toBe(true);
    expect(existsSync(join(out, 'myproject_prj'))).toBe(false);
  }, 60_000);

  it('--synth --json without a vendor tool: one JSON line on stdout with tessera fit --json\'s fields, from the estimate', async () => {
    const r = await tessera(['build', join(dir, 'm.onnx'), '--out', join(dir, 'est-json'), '--io', 'stream', '--synth', '--json'], cleanEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ESTIMATE instead/);
    const j = JSON.parse(r.stdout) as FitSummary & { source: string };
    expect(Object.keys(j)).toEqual(['source', ...Object.keys(fitSummary(null, null, null))]);
    const loaded = await loadModel(join(dir, 'm.onnx'));
    const e = estimateDesign(loaded.model, defaultHlsConfig({ io: 'io_stream' })).report!;
    expect(j).toEqual({
      source: 'estimate', part: 'xcvu13p-flga2577-2-e', fits: true, latency_cycles: e.latency.worst.cycles, interval_cycles: e.interval.min,
      resources: {
        dsp: { used: e.resources.DSP.used, available: 12288 }, lut: { used: e.resources.LUT.used, available: 1728000 },
        ff: { used: e.resources.FF.used, available: 3456000 }, bram_18k: { used: e.resources.BRAM_18K.used, available: 5376 },
      },
    });
    expect(j.latency_cycles).toBeGreaterThan(0);
  }, 60_000);

  it('--json without --synth is a usage error', async () => {
    const r = await tessera(['build', join(dir, 'm.onnx'), '--out', join(dir, 'u'), '--json'], cleanEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--json prints the synthesis figures .*add --synth/);
  }, 60_000);

  it.skipIf(!TCLSH)('--synth --json with a (fake) vitis_hls: the figures of the parsed csynth.xml, fit on the part it names; the log on stderr', async () => {
    const r = await tessera(
      ['build', join(dir, 'm.onnx'), '--out', join(dir, 'vendor-json'), '--synth', '--json'],
      cleanEnv([fakeBin], { FAKE_RECORD: join(dir, 'record-json.txt'), FAKE_CSYNTH_XML: join(TESTDATA, 'vitis-2023.2-handwritten_csynth.xml') }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/== step csynth/);
    const j = JSON.parse(r.stdout) as FitSummary & { source: string };
    expect(j.source).toBe('measured');
    expect(j.part).toBe('xcvu13p-flga2577-2-e');
    expect(j.fits).toBe(true);
    expect(j.resources).toEqual({ dsp: { used: 136, available: 12288 }, lut: { used: 13105, available: 1728000 }, ff: { used: 9618, available: 3456000 }, bram_18k: { used: 8, available: 5376 } });
    // the fixture's worst-case latency is 'undef' (null), its interval 1025–1040
    expect(j.latency_cycles).toBeNull();
    expect(j.interval_cycles).toBe(1025);
  }, 90_000);

  it('--cosim / --export without --synth are usage errors', async () => {
    const r = await tessera(['build', join(dir, 'm.onnx'), '--out', join(dir, 'u'), '--cosim'], cleanEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cosim runs after C synthesis: add --synth/);
  }, 60_000);

  it.skipIf(!TCLSH)('with a (fake) vitis_hls on PATH: runs csynth, cosim, export from build_prj.tcl and prints the parsed reports', async () => {
    const out = join(dir, 'vendor prj');
    const record = join(dir, 'record.txt');
    const r = await tessera(
      ['build', join(dir, 'm.onnx'), '--out', out, '--top', 'tess_top', '--synth', '--cosim', '--export'],
      cleanEnv([fakeBin], { FAKE_RECORD: record, FAKE_CSYNTH_XML: join(TESTDATA, 'vitis-2023.2-handwritten_csynth.xml'), FAKE_COSIM_RPT: join(TESTDATA, 'cosim-2020-handwritten_cosim.rpt') }),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vitis-hls-tcl: csynth, cosim, export with vitis_hls/);
    // Commands in flow order with the project's part, clock, top and files.
    const cmds = readFileSync(record, 'utf8').trim().split('\n');
    const names = cmds.map((l) => l.split(' ')[0]);
    expect(names.indexOf('open_project')).toBe(0);
    const order = ['open_project', 'set_top', 'open_solution', 'set_part', 'create_clock', 'csynth_design', 'cosim_design', 'export_design'].map((n) => names.indexOf(n));
    expect(order.every((x) => x >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(names).not.toContain('csim_design');
    expect(cmds).toContain('open_project tess_top_prj');
    expect(cmds).toContain('set_top tess_top');
    expect(cmds).toContain('set_part xcvu13p-flga2577-2-e');
    expect(cmds.find((l) => l.startsWith('create_clock'))).toMatch(/-period 5\b/);
    expect(cmds.some((l) => l.startsWith('add_files') && l.includes('firmware/tess_top.cpp'))).toBe(true);
    expect(cmds.some((l) => l.startsWith('add_files') && l.includes('-tb') && l.includes('tb/tess_top_test.cpp'))).toBe(true);
    // the vendor's csim links the packed weights too (the firmware only declares them outside synthesis)
    expect(cmds.some((l) => l.startsWith('add_files') && l.includes('-tb') && l.includes('firmware/weights/csim_values.cpp'))).toBe(true);
    expect(cmds.find((l) => l.startsWith('export_design'))).toMatch(/ip_catalog/);
    // Streamed log with steps and progress.
    expect(r.stdout).toMatch(/== step csynth\n/);
    expect(r.stdout).toMatch(/\[csynth\s+\d+%\] INFO: \[HLS 200-10\] Starting hardware synthesis/);
    expect(r.stdout).toMatch(/\[cosim\s+\d+%\] INFO: \[COSIM 212-1000\] \*\*\* C\/RTL co-simulation finished: PASS/);
    // The reports, parsed (figures of the fixture) and printed.
    expect(r.stdout).toMatch(/Reports in .*vendor prj/);
    expect(r.stdout).toMatch(/tess_top_prj\/solution1/);
    expect(r.stdout).toMatch(/DSP\s+136\s/);
    expect(r.stdout).toMatch(/cosim.*Pass/i);
    // The estimate beside the tool's figures, labelled.
    expect(r.stdout).toMatch(/Synthesis vs Tessera's ESTIMATE/);
    expect(r.stdout).toMatch(/DSP\s+136\s+\d+\s+\d+%/);
    expect(existsSync(join(out, 'tess_top_prj', 'solution1', 'impl', 'ip', 'xilinx_com_hls_tess_top_1_0.zip'))).toBe(true);
    const runRec = JSON.parse(readFileSync(join(out, 'tessera_run.json'), 'utf8')) as { status: string; artifacts: string[] };
    expect(runRec.status).toBe('succeeded');
    expect(runRec.artifacts).toContain('tess_top_prj/solution1/syn/report/csynth.xml');
  }, 90_000);

  it.skipIf(!TCLSH)('Ctrl-C while the tool runs cancels the process tree (tool and grandchild): exit 130, no orphan', async () => {
    const out = join(dir, 'cancel');
    const pidFile = join(dir, 'fake.pid');
    const env = cleanEnv([fakeBin], { FAKE_RECORD: join(dir, 'record2.txt'), FAKE_SLEEP: '60', FAKE_PIDFILE: pidFile, FAKE_CSYNTH_XML: join(TESTDATA, 'vitis-2023.2-handwritten_csynth.xml'), FAKE_COSIM_RPT: join(TESTDATA, 'cosim-2020-handwritten_cosim.rpt') });
    const child = spawn(process.execPath, [bin, 'build', join(dir, 'm.onnx'), '--out', out, '--synth'], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    const sleeping = new Promise<void>((ok) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes('synthesizing (sleeping)')) ok();
      });
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    await sleeping;
    // The tool (tclsh) and a grandchild it started (sleep) are both running.
    const pids = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
    expect(pids).toHaveLength(2);
    for (const p of pids) expect(process.kill(p, 0)).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: cancelling vitis_hls \(the whole process tree\)/);
    expect(stderr).toMatch(/cancelled during csynth/);
    // Running = exists and is not a zombie waiting for a reaper (PID 1 in a container may reap late).
    const running = (p: number): boolean => {
      try {
        process.kill(p, 0);
      } catch {
        return false;
      }
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 20 && pids.some(running); i++) await new Promise((ok) => setTimeout(ok, 100));
    expect(pids.filter(running)).toEqual([]);
    const runRec = JSON.parse(readFileSync(join(out, 'tessera_run.json'), 'utf8')) as { status: string };
    expect(runRec.status).toBe('cancelled');
  }, 90_000);
});
