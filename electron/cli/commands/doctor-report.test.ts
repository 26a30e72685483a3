// `tessera doctor` and `tessera report`, run as the user runs them: node bin/tessera.mjs …
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');
const FIXTURES = join(REPO, 'test-data/hls4ml');
const TESTDATA = join(REPO, 'engine/reports/testdata');
const SYS_PATH = '/usr/local/bin:/usr/bin:/bin';

function tessera(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/tessera.mjs'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: `${process.env.PATH}`, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera cli '));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tessera doctor', () => {
  it('lists installed tools with versions and the flows they enable; explains how to point at missing ones', () => {
    const bin = join(root, 'amd tools', 'bin');
    mkdirSync(bin, { recursive: true });
    const f = join(bin, 'vivado_hls');
    writeFileSync(f, '#!/bin/sh\necho "****** Vivado(TM) HLS - High-Level Synthesis from C, C++ and SystemC v2019.2 (64-bit)"\n');
    chmodSync(f, 0o755);
    const r = tessera(['doctor'], { PATH: `${bin}:${SYS_PATH}` });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}g\+\+ +\d+\.\d+(\.\d+)? +\/usr\/bin\/g\+\+ +\(PATH\)$/m);
    expect(r.out).toContain(`  vivado_hls  2019.2    ${f}  (PATH)`);
    expect(r.out).toMatch(/^ {2}vitis_hls +— +not found$/m);
    expect(r.out).toContain('  ✓ C simulation with g++');
    expect(r.out).toContain('  ✓ Vivado HLS Tcl flow (vivado_hls -f build_prj.tcl)');
    expect(r.out).toContain('  ✗ Vivado logic synthesis (vivado -mode batch -source vivado_synth.tcl)');
    expect(r.out).toContain('--tool-root <install folder with settings64.sh>, or set TESSERA_TOOL_ROOT');
    expect(r.out).not.toContain('No vendor HLS tool');
  });

  it('--tool-root sources settings64.sh; --json output; bad options are one-line errors', () => {
    const inst = join(root, 'Vitis HLS 2023.2');
    mkdirSync(join(inst, 'bin'), { recursive: true });
    const f = join(inst, 'bin', 'vitis_hls');
    writeFileSync(f, '#!/bin/sh\necho "****** Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2023.2 (64-bit)"\n');
    chmodSync(f, 0o755);
    writeFileSync(join(inst, 'settings64.sh'), 'export XILINX_HLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\n');
    const r = tessera(['doctor', '--json', '--tool-root', inst], { PATH: SYS_PATH, SECRET_TOKEN: 'do-not-print' });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.tools.vitis_hls).toMatchObject({ path: f, version: '2023.2', source: 'tool-root' });
    expect(j.settingsScript).toBe(join(inst, 'settings64.sh'));
    expect(j.flows.find((x: { id: string }) => x.id === 'vitis-hls-tcl').available).toBe(true);
    expect(r.out).not.toContain('do-not-print');
    const bad = tessera(['doctor', '--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('tessera doctor: unknown option "--frobnicate"; run "tessera doctor --help"');
  });
});

describe('tessera report', () => {
  it('a Vivado HLS project folder: csynth.xml, cosim and vivado_synth.rpt in a table', () => {
    const prj = join(root, 'my design');
    const rep = join(prj, 'myproject_prj', 'solution1', 'syn', 'report');
    const sim = join(prj, 'myproject_prj', 'solution1', 'sim', 'report');
    mkdirSync(rep, { recursive: true });
    mkdirSync(sim, { recursive: true });
    const v2020 = join(FIXTURES, 'hls-reports/hls4ml-vivado-2020.1');
    copyFileSync(join(v2020, 'myproject_csynth.xml'), join(rep, 'myproject_csynth.xml'));
    copyFileSync(join(v2020, 'myproject_csynth.rpt'), join(rep, 'myproject_csynth.rpt'));
    copyFileSync(join(v2020, 'vivado_synth.rpt'), join(prj, 'vivado_synth.rpt'));
    copyFileSync(join(TESTDATA, 'cosim-2018-handwritten_cosim.rpt'), join(sim, 'myproject_cosim.rpt'));
    const r = tessera(['report', prj]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('myproject_prj/solution1  (Vivado HLS 2020.1, part xc7z020-clg400-1, top myproject)');
    expect(r.out).toContain('  from myproject_prj/solution1/syn/report/myproject_csynth.xml');
    expect(r.out).toContain('  latency    best 10 (50 ns), average 10 (50 ns), worst 10 (50 ns) cycles');
    expect(r.out).toContain('  interval   8–8 cycles, pipeline dataflow');
    expect(r.out).toMatch(/^ {2}DSP +73 +220 +33\.18$/m);
    expect(r.out).toContain('  cosim      Fail  (myproject_prj/solution1/sim/report/myproject_cosim.rpt)');
    expect(r.out).toContain('    VHDL     Pass latency 14/14/14, interval 1/1/1');
    expect(r.out).toContain('  Vivado post-synthesis 2020.1 (vivado_synth.rpt)');
    expect(r.out).toMatch(/^ {4}LUT +1526 +53200 +2\.87$/m);
  });

  it('a Vitis config-file work_dir, as JSON, with the per-module breakdown', () => {
    const prj = join(root, 'vitis proj');
    const rep = join(prj, 'tessera_prj', 'hls', 'syn', 'report');
    mkdirSync(rep, { recursive: true });
    copyFileSync(join(TESTDATA, 'vitis-2023.2-handwritten_csynth.xml'), join(rep, 'csynth.xml'));
    const r = tessera(['report', prj, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.root).toBe(prj);
    expect(j.solutions).toHaveLength(1);
    const s = j.solutions[0];
    expect(s.dir).toBe('tessera_prj/hls');
    expect(s.synthFile).toBe('tessera_prj/hls/syn/report/csynth.xml');
    expect(s.synth.tool).toEqual({ name: 'vitis_hls', version: '2023.2' });
    expect(s.synth.latency.worst).toEqual({ cycles: null, ns: null });
    expect(s.synth.modules.map((m: { name: string; resources: { DSP: { used: number } } }) => [m.name, m.resources.DSP.used])).toEqual([
      ['conv2d_3x3_stream_s', 72],
      ['conv_transpose_2x2_s2_s', 64],
      ['flush_output', 0],
      ['tessera_top', 136],
    ]);
    expect(s.cosim).toBeNull();
  });

  it('a folder without reports, or no folder: one clear line', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const r = tessera(['report', empty]);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(`tessera report: no HLS reports under ${empty}: looked for <project>/<solution>/syn/report/csynth.xml, <work_dir>/hls/syn/report/, sim/report/*_cosim.rpt and vivado_synth.rpt; run a synthesis build first`);
    const none = tessera(['report']);
    expect(none.code).toBe(2);
    expect(none.err.trim()).toBe('tessera report: give one project folder: tessera report DIR [--part PART] [--json]');
  });
});
