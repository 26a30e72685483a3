// End to end without AMD tools: a fake `vitis_hls` (a shell script) answers -version like the real
// one and runs build_prj.tcl in the real tclsh, with the HLS commands defined to print vendor-like
// log lines and write report files. Detection → scripts → runner → reports, all real processes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { detectToolchain, prepareBuild, startRun, findReports, type LineEvent } from './index';

const TCLSH = spawnSync('tclsh', [], { input: 'puts ok\n', encoding: 'utf8' }).stdout?.trim() === 'ok';
const TESTDATA = resolve(__dirname, '../../../engine/reports/testdata');
let root = '';

// What the fake tool does for each HLS command: log like the vendor and write the report files.
const FAKE_HLS = `
proc open_project {name} { set ::prj $name; puts "INFO: \\[HLS 200-10\\] Opening project '$name'." }
proc set_top {t} { set ::top $t }
proc add_files {args} { lappend ::files $args }
proc open_solution {args} { set ::sol [lindex $args end]; file mkdir [file join $::prj $::sol] }
proc set_part {p} { puts "INFO: \\[HLS 200-1611\\] Setting target device to '$p'" }
proc create_clock {args} {}
proc set_clock_uncertainty {args} {}
proc csim_design {args} { puts "INFO: \\[SIM 211-2\\] *************** CSIM start ***************"; puts "INFO: \\[SIM 211-1\\] CSim done with 0 errors." }
proc csynth_design {args} {
  puts "INFO: \\[HLS 200-10\\] Analyzing design file 'firmware/tessera top.cpp' ..."
  puts "INFO: \\[HLS 200-10\\] Starting hardware synthesis ..."
  set d [file join $::prj $::sol syn report]; file mkdir $d
  file copy -force $::env(FAKE_CSYNTH_XML) [file join $d csynth.xml]
  puts "INFO: \\[HLS 200-111\\] Finished Command csynth_design"
}
proc cosim_design {args} {
  set d [file join $::prj $::sol sim report]; file mkdir $d
  file copy -force $::env(FAKE_COSIM_RPT) [file join $d $::top\\_cosim.rpt]
  puts stderr "WARNING: \\[COSIM 212-369\\] AXI_master port 'x' has a depth of 0."
  puts "INFO: \\[COSIM 212-1000\\] *** C/RTL co-simulation finished: PASS ***"
}
proc export_design {args} {
  set d [file join $::prj $::sol impl ip]; file mkdir $d
  set f [open [file join $d xilinx_com_hls_$::top\\_1_0.zip] w]; puts $f zip; close $f
}
source [lindex $argv 0]
`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera pipeline '));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!TCLSH)('detect → write scripts → run → find reports', () => {
  it('a Vitis HLS 2023.1 Tcl build with all four steps', async () => {
    const bin = join(root, 'Xilinx', 'Vitis_HLS', '2023.1', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'fake_hls.tcl'), FAKE_HLS);
    writeFileSync(
      join(bin, 'vitis_hls'),
      `#!/bin/sh
if [ "$1" = "-version" ]; then echo "****** Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2023.1 (64-bit)"; exit 0; fi
[ "$1" = "-f" ] || { echo "usage: vitis_hls -f script.tcl" >&2; exit 2; }
exec tclsh "${join(bin, 'fake_hls.tcl')}" "$2"
`,
    );
    chmodSync(join(bin, 'vitis_hls'), 0o755);
    const tc = await detectToolchain({
      env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, FAKE_CSYNTH_XML: join(TESTDATA, 'vitis-2023.2-handwritten_csynth.xml'), FAKE_COSIM_RPT: join(TESTDATA, 'cosim-2020-handwritten_cosim.rpt') },
    });
    expect(tc.tools.vitis_hls.version).toBe('2023.1');

    const dir = join(root, 'my project');
    mkdirSync(dir, { recursive: true });
    const prep = prepareBuild({
      toolchain: tc,
      layout: { dir, projectName: 'tessera_prj', top: 'tessera_top', sources: [], testbench: [] },
      script: { part: 'xcvu13p-flga2577-2-e', clockPeriodNs: 5, clockUncertainty: '27%', sources: ['firmware/tessera top.cpp'], testbench: ['tb/tessera_top_test.cpp', 'tb_data'], cflags: ['-std=c++14'] },
      steps: ['csynth', 'cosim', 'csim', 'export'],
    });
    expect(prep.problem).toBeNull();
    expect(prep.written).toEqual(['build_prj.tcl']);
    const events: LineEvent[] = [];
    const r = await startRun(prep.plan!, { onLine: (e) => events.push(e), stepTimeoutMs: 20_000 }).done;
    expect(r.error).toBeNull();
    expect(r.status).toBe('succeeded');
    expect(r.flow).toBe('vitis-hls-tcl');
    expect(r.commands.map((c) => [c.label, c.args, c.exitCode])).toEqual([['vitis_hls', ['-f', 'build_prj.tcl'], 0]]);
    // Step of each vendor line, from the markers in build_prj.tcl
    const stepOf = (re: RegExp) => events.find((e) => re.test(e.line))?.step;
    expect(stepOf(/CSim done/)).toBe('csim');
    expect(stepOf(/Analyzing design file 'firmware\/tessera top.cpp'/)).toBe('csynth');
    expect(stepOf(/co-simulation finished: PASS/)).toBe('cosim');
    expect(events.find((e) => /AXI_master/.test(e.line))?.stream).toBe('stderr');
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never goes backwards
    expect(r.artifacts).toEqual([
      'tessera_prj/solution1/impl/ip/xilinx_com_hls_tessera_top_1_0.zip',
      'tessera_prj/solution1/sim/report/tessera_top_cosim.rpt',
      'tessera_prj/solution1/syn/report/csynth.xml',
    ]);
    const [sol] = findReports(dir);
    expect(sol.dir).toBe('tessera_prj/solution1');
    expect(sol.synth?.top).toBe('tessera_top');
    expect(sol.synth?.resources.DSP.used).toBe(136);
    expect(sol.cosim?.status).toBe('Pass');
  });
});
