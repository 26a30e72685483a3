// The generated scripts run in the real tclsh with the vendor commands defined as recording
// procedures; the cfg is parsed back. Paths with spaces (and worse) must arrive as one argument.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTcl, hlsConfig, vivadoSynthTcl, tclWord, joinFlags, STEP_MARKER, type HlsScriptInput } from './index';
import { seededRandom } from '../../tensor/tensor';

const TCLSH = spawnSync('tclsh', [], { input: 'puts ok\n', encoding: 'utf8' }).stdout?.trim() === 'ok';
if (!TCLSH) console.warn('engine/hls/scripts: tclsh not found; install the Debian package "tcl" to run the Tcl tests.');

// Records each vendor command as name␟arg␟arg…␞ on stdout; `puts` and `exit` are recorded too.
const PRELUDE = `
set ::rec {}
proc __rec {name args} { puts -nonewline stdout "[join [concat [list $name] $args] \\x1f]\\x1e" }
foreach cmd {open_project set_top add_files open_solution set_part create_clock set_clock_uncertainty
             csim_design csynth_design cosim_design export_design synth_design report_utilization} {
  proc $cmd {args} "__rec $cmd {*}\\$args"
}
rename puts __puts
proc puts {args} { if {[llength $args] == 1} { __puts -nonewline stdout "[join [list puts [lindex $args 0]] \\x1f]\\x1e" } else { __puts {*}$args } }
rename exit __exit
proc exit {args} { __puts -nonewline stdout "exit\\x1e"; __exit 0 }
source [lindex $argv 0]
__puts -nonewline stdout "fell-through\\x1e"
`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera tcl [test] '));
  writeFileSync(join(dir, 'prelude.tcl'), PRELUDE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runTcl(script: string): string[][] {
  const file = join(dir, `script ${Math.random().toString(36).slice(2)}.tcl`);
  writeFileSync(file, script);
  const r = spawnSync('tclsh', [join(dir, 'prelude.tcl'), file], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\x1e').filter((s) => s !== '').map((s) => s.split('\x1f'));
}

const base: HlsScriptInput = {
  projectName: 'myproject_prj',
  top: 'tessera_top',
  part: 'xcvu13p-flga2577-2-e',
  clockPeriodNs: 4.2,
  clockUncertainty: 0.62,
  sources: ['firmware/tessera_top.cpp', 'my firmware/extra layer.cpp'],
  testbench: ['tb/tessera_top_test.cpp', 'tb_data dir/inputs.dat', 'odd {brace} $dollar [bracket] "quote".dat'],
  cflags: ['-std=c++14', '-Ifirmware', '-Imy firmware/nnet utils'],
  steps: ['cosim', 'csim', 'export', 'csynth'],
};

describe('tclWord', () => {
  it('keeps plain words bare and makes anything else exactly one word (checked by tclsh)', () => {
    const rnd = seededRandom(20260601);
    const alphabet = 'ab /{}[]$"\\;#\t';
    const samples = ['plain/path.cpp', 'with space', 'a{b', 'a}b', 'x\\y', '$HOME', '[exec rm]', '"q"', '#hash', 'tab\there', ''];
    for (let i = 0; i < 40; i++) {
      let s = '';
      const len = 1 + Math.floor(rnd() * 12);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      samples.push(s);
    }
    expect(tclWord('plain/path.cpp')).toBe('plain/path.cpp');
    expect(tclWord('with space')).toBe('{with space}');
    if (!TCLSH) return;
    const script = samples.map((s) => `__rec w ${tclWord(s)}`).join('\n') + '\n';
    const got = runTcl(script);
    expect(got.slice(0, samples.length)).toEqual(samples.map((s) => ['w', s]));
  });
  it('joins flags, quoting a flag that holds a space', () => {
    expect(joinFlags(['-std=c++14', '-Imy dir/inc', ' -O2 '])).toBe('-std=c++14 -I"my dir/inc" -O2');
    expect(joinFlags('-std=c++11  ')).toBe('-std=c++11');
    expect(joinFlags(undefined)).toBe('');
  });
});

describe.skipIf(!TCLSH)('build_prj.tcl in tclsh', () => {
  it('vitis_hls: every command in flow order with part, clock, top and files', () => {
    const { text, diagnostics } = buildTcl(base, 'vitis_hls');
    expect(diagnostics).toEqual([]);
    const cmds = runTcl(text as string);
    const flags = '-std=c++14 -Ifirmware -I"my firmware/nnet utils"';
    expect(cmds).toEqual([
      ['open_project', 'myproject_prj'],
      ['set_top', 'tessera_top'],
      ['add_files', 'firmware/tessera_top.cpp', '-cflags', flags],
      ['add_files', 'my firmware/extra layer.cpp', '-cflags', flags],
      ['add_files', '-tb', 'tb/tessera_top_test.cpp', '-cflags', flags],
      ['add_files', '-tb', 'tb_data dir/inputs.dat', '-cflags', flags],
      ['add_files', '-tb', 'odd {brace} $dollar [bracket] "quote".dat', '-cflags', flags],
      ['open_solution', '-reset', '-flow_target', 'vivado', 'solution1'],
      ['set_part', 'xcvu13p-flga2577-2-e'],
      ['create_clock', '-period', '4.2', '-name', 'default'],
      ['set_clock_uncertainty', '0.62'],
      ['puts', `${STEP_MARKER}csim`],
      ['csim_design'],
      ['puts', `${STEP_MARKER}csynth`],
      ['csynth_design'],
      ['puts', `${STEP_MARKER}cosim`],
      ['cosim_design', '-rtl', 'verilog'],
      ['puts', `${STEP_MARKER}export`],
      ['export_design', '-format', 'ip_catalog'],
      ['puts', `${STEP_MARKER}done`],
      ['exit'],
    ]);
  });

  it('vivado_hls: no -flow_target; only the chosen steps; no reset without csynth; percent uncertainty', () => {
    const { text } = buildTcl({ ...base, steps: ['cosim'], solution: 'sol_b', clockUncertainty: '12.5%', cflags: undefined, clockPeriodNs: 5 }, 'vivado_hls');
    const cmds = runTcl(text as string);
    expect(cmds.map((c) => c[0])).toEqual([
      'open_project', 'set_top', 'add_files', 'add_files', 'add_files', 'add_files', 'add_files',
      'open_solution', 'set_part', 'create_clock', 'set_clock_uncertainty', 'puts', 'cosim_design', 'puts', 'exit',
    ]);
    expect(cmds[2]).toEqual(['add_files', 'firmware/tessera_top.cpp']);
    expect(cmds[7]).toEqual(['open_solution', 'sol_b']);
    expect(cmds[9]).toEqual(['create_clock', '-period', '5', '-name', 'default']);
    expect(cmds[10]).toEqual(['set_clock_uncertainty', '12.5%']);
    expect(text).not.toContain('csynth_design');
  });

  it('a project folder with spaces in every path still yields one argument per path', () => {
    const spaced = { ...base, sources: ['/home/ada lovelace/My Designs/proj one/firmware/top.cpp'], testbench: ['/home/ada lovelace/My Designs/proj one/tb/top test.cpp'], steps: ['csim' as const] };
    const cmds = runTcl(buildTcl(spaced, 'vitis_hls').text as string);
    expect(cmds.filter((c) => c[0] === 'add_files').map((c) => c.filter((a) => a !== '-cflags' && !a.startsWith('-std')))).toEqual([
      ['add_files', '/home/ada lovelace/My Designs/proj one/firmware/top.cpp'],
      ['add_files', '-tb', '/home/ada lovelace/My Designs/proj one/tb/top test.cpp'],
    ]);
  });
});

describe('validation: mistakes are diagnostics, no script', () => {
  it('names each bad field', () => {
    const { text, diagnostics } = buildTcl({ ...base, top: '3x', part: 'xc vu', clockPeriodNs: 0, clockUncertainty: '5ns', steps: [] }, 'vitis_hls');
    expect(text).toBeNull();
    expect(diagnostics.map((x) => x.field)).toEqual(['top', 'part', 'clockPeriodNs', 'clockUncertainty', 'steps']);
    expect(diagnostics[0].message).toMatch(/top = "3x" breaks the rule a C identifier/);
    expect(hlsConfig({ ...base, sources: [] }).diagnostics.map((x) => x.code)).toEqual(['hls-sources']);
    expect(buildTcl({ ...base, testbench: [], steps: ['csim'] }, 'vitis_hls').diagnostics.map((x) => x.code)).toEqual(['hls-testbench']);
    expect(buildTcl({ ...base, projectName: '../evil' }, 'vitis_hls').diagnostics.map((x) => x.code)).toEqual(['hls-project-name']);
  });
});

function parseCfg(text: string): { top: Record<string, string[]>; hls: Record<string, string[]>; order: string[] } {
  const out = { top: {} as Record<string, string[]>, hls: {} as Record<string, string[]>, order: [] as string[] };
  let section: 'top' | 'hls' = 'top';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === '[hls]') {
      section = 'hls';
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq).toBeGreaterThan(0);
    const k = line.slice(0, eq);
    (out[section][k] ??= []).push(line.slice(eq + 1));
    out.order.push(k);
  }
  return out;
}

describe('hls_config.cfg', () => {
  it('parses back to part, top, files, clock and step options', () => {
    const { text, diagnostics } = hlsConfig(base);
    expect(diagnostics).toEqual([]);
    const cfg = parseCfg(text as string);
    expect(cfg.top).toEqual({ part: ['xcvu13p-flga2577-2-e'] });
    expect(cfg.hls).toEqual({
      flow_target: ['vivado'],
      'syn.top': ['tessera_top'],
      'syn.file': ['firmware/tessera_top.cpp', 'my firmware/extra layer.cpp'],
      'syn.cflags': ['-std=c++14 -Ifirmware -I"my firmware/nnet utils"'],
      'tb.file': ['tb/tessera_top_test.cpp', 'tb_data dir/inputs.dat', 'odd {brace} $dollar [bracket] "quote".dat'],
      'tb.cflags': ['-std=c++14 -Ifirmware -I"my firmware/nnet utils"'],
      clock: ['4.2ns'],
      clock_uncertainty: ['0.62ns'],
      'cosim.trace_level': ['none'],
      'package.output.format': ['ip_catalog'],
      'package.output.syn': ['false'],
    });
    expect(cfg.order[0]).toBe('part');
  });
  it('leaves out cosim/package options when those steps are not chosen; vitis flow target', () => {
    const cfg = parseCfg(hlsConfig({ ...base, steps: ['csynth'], flowTarget: 'vitis', clockUncertainty: '10%', cflags: undefined }).text as string);
    expect(Object.keys(cfg.hls).sort()).toEqual(['clock', 'clock_uncertainty', 'flow_target', 'syn.file', 'syn.top', 'tb.file']);
    expect(cfg.hls.flow_target).toEqual(['vitis']);
    expect(cfg.hls.clock_uncertainty).toEqual(['10%']);
    expect(parseCfg(hlsConfig({ ...base, cosimRtl: 'vhdl' }).text as string).hls['cosim.rtl']).toEqual(['vhdl']);
  });
});

describe.skipIf(!TCLSH)('vivado_synth.tcl in tclsh', () => {
  it('adds the HDL folder, synthesises the top for the part, writes the utilisation report', () => {
    const { text } = vivadoSynthTcl({ hdlDir: 'my proj_prj/solution1/syn/verilog', top: 'tessera_top', part: 'xc7z020-clg400-1', reportFile: 'reports dir/vivado_synth.rpt' });
    expect(runTcl(text as string)).toEqual([
      ['add_files', 'my proj_prj/solution1/syn/verilog'],
      ['synth_design', '-top', 'tessera_top', '-part', 'xc7z020-clg400-1'],
      ['report_utilization', '-file', 'reports dir/vivado_synth.rpt'],
      ['exit'],
    ]);
  });
  it('out of context on request; bad input is diagnostics', () => {
    const cmds = runTcl(vivadoSynthTcl({ hdlDir: 'p/hls/syn/verilog', top: 't', part: 'xcvu9p-flga2104-2-e', outOfContext: true }).text as string);
    expect(cmds[1]).toEqual(['synth_design', '-top', 't', '-part', 'xcvu9p-flga2104-2-e', '-mode', 'out_of_context']);
    expect(cmds[2]).toEqual(['report_utilization', '-file', 'vivado_synth.rpt']);
    expect(vivadoSynthTcl({ hdlDir: '', top: 't', part: 'x' }).diagnostics.map((x) => x.field)).toEqual(['hdlDir']);
  });
});
