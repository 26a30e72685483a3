// Detection against real processes: the real g++, and fake AMD tools (shell scripts printing the
// vendors' version banners) placed on PATH, under XILINX_* and in a tool root with settings64.sh.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectToolchain, parseVersion, type Toolchain, type FlowId } from './detect';

const BANNERS = {
  vitis_hls: (v: string) => `****** Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v${v} (64-bit)\n  **** SW Build 4023990 on Oct 11 2023\n    ** Copyright 1986-2023 Xilinx, Inc. All Rights Reserved.`,
  'vitis-run': (v: string) => `****** vitis-run v${v} (64-bit)\n  **** SW Build 4023990 on 2023-10-11-15:42:30`,
  'v++': (v: string) => `****** v++ v${v} (64-bit)\n  **** SW Build 4023990 on 2023-10-11-15:42:30\n    ** Copyright 1986-2023 Xilinx, Inc. All Rights Reserved.`,
  vivado_hls: (v: string) => `****** Vivado(TM) HLS - High-Level Synthesis from C, C++ and SystemC v${v} (64-bit)\n  **** SW Build 2902540 on Wed May 27 19:54:35 MDT 2020`,
  vivado: (v: string) => `Vivado v${v} (64-bit)\nSW Build 2902540 on Wed May 27 19:54:35 MDT 2020\nIP Build 2902112 on Wed May 27 22:43:36 MDT 2020`,
};

let root = '';
const SYS_PATH = '/usr/local/bin:/usr/bin:/bin';

function fakeTool(dir: string, name: keyof typeof BANNERS, version: string, extra = ''): void {
  mkdirSync(dir, { recursive: true });
  const f = join(dir, name);
  // Prints the banner whatever the argument; the real tools print to stdout and write a log to cwd.
  writeFileSync(f, `#!/bin/sh\n${extra}cat <<'BANNER'\n${BANNERS[name](version)}\nBANNER\necho "log" > "${name}.log"\n`);
  chmodSync(f, 0o755);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera detect '));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const flow = (tc: Toolchain, id: FlowId) => tc.flows.find((f) => f.id === id)!;

describe('parseVersion', () => {
  it('reads g++ and AMD banners', () => {
    expect(parseVersion('g++', 'g++ (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022')).toEqual({ version: '12.2.0', banner: 'g++ (Debian 12.2.0-14) 12.2.0' });
    expect(parseVersion('g++', 'g++ (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0').version).toBe('11.4.0');
    expect(parseVersion('vitis_hls', BANNERS.vitis_hls('2023.2')).version).toBe('2023.2');
    expect(parseVersion('vivado', BANNERS.vivado('2020.1')).banner).toBe('Vivado v2020.1 (64-bit)');
    expect(parseVersion('v++', 'nonsense')).toEqual({ version: null, banner: 'nonsense' });
  });
});

describe('detectToolchain', () => {
  it('finds the real g++ and reports its version; no vendor tool means only csim, with how to point at one', async () => {
    const real = execFileSync('g++', ['-dumpfullversion']).toString().trim();
    const tc = await detectToolchain({ env: { PATH: SYS_PATH, HOME: root } });
    expect(tc.tools['g++'].path).toMatch(/\/g\+\+$/);
    expect(tc.tools['g++'].source).toBe('PATH');
    expect(tc.tools['g++'].version).toBe(real);
    for (const id of ['vitis_hls', 'vitis-run', 'v++', 'vivado_hls', 'vivado'] as const) expect(tc.tools[id].path).toBeNull();
    expect(tc.flows.filter((f) => f.available).map((f) => f.id)).toEqual(['csim-gxx']);
    expect(flow(tc, 'csim-gxx').note).toMatch(/Tessera's ap_fixed-compatible headers/);
    expect(flow(tc, 'vitis-hls-tcl').note).toMatch(/needs vitis_hls.*XILINX_HLS.*--tool-root.*TESSERA_TOOL_ROOT/);
    expect(tc.problems).toEqual([]);
  });

  it('Vitis 2023.2 tools on PATH (folder with a space) enable the Tcl, vitis-run and config-file flows', async () => {
    const bin = join(root, 'path tools', 'bin');
    fakeTool(bin, 'vitis_hls', '2023.2');
    fakeTool(bin, 'vitis-run', '2023.2');
    fakeTool(bin, 'v++', '2023.2');
    const tc = await detectToolchain({ env: { PATH: `${bin}:${SYS_PATH}` } });
    expect(tc.tools.vitis_hls).toMatchObject({ path: join(bin, 'vitis_hls'), source: 'PATH', version: '2023.2', banner: 'Vitis HLS - High-Level Synthesis from C, C++ and OpenCL v2023.2 (64-bit)' });
    expect(tc.tools['vitis-run'].version).toBe('2023.2');
    expect(tc.tools['v++'].version).toBe('2023.2');
    expect(tc.flows.filter((f) => f.available).map((f) => f.id)).toEqual(['csim-gxx', 'vitis-hls-tcl', 'vitis-run-tcl', 'vitis-config']);
    expect(flow(tc, 'vitis-hls-tcl').note).toBeNull();
    expect(flow(tc, 'vivado-synth').available).toBe(false);
    expect(readdirSync(join(root, 'path tools'))).toEqual(['bin']); // the tools' logs went to a scratch folder
  });

  it('XILINX_HLS and XILINX_VIVADO installs: Vitis HLS 2022.2 (headers found), Vivado + Vivado HLS 2020.1', async () => {
    const hls = join(root, 'Xilinx Tools', 'Vitis_HLS', '2022.2');
    const viv = join(root, 'Xilinx Tools', 'Vivado', '2020.1');
    fakeTool(join(hls, 'bin'), 'vitis_hls', '2022.2');
    mkdirSync(join(hls, 'include'), { recursive: true });
    writeFileSync(join(hls, 'include', 'ap_fixed.h'), '// stand-in\n');
    fakeTool(join(viv, 'bin'), 'vivado', '2020.1');
    fakeTool(join(viv, 'bin'), 'vivado_hls', '2020.1');
    const tc = await detectToolchain({ env: { PATH: SYS_PATH, XILINX_HLS: hls, XILINX_VIVADO: viv } });
    expect(tc.tools.vitis_hls).toMatchObject({ source: 'XILINX_HLS', version: '2022.2' });
    expect(tc.tools.vivado).toMatchObject({ source: 'XILINX_VIVADO', version: '2020.1', path: join(viv, 'bin', 'vivado') });
    expect(tc.tools.vivado_hls).toMatchObject({ source: 'XILINX_VIVADO', version: '2020.1' });
    expect(tc.xilinxHls).toBe(hls);
    expect(flow(tc, 'csim-gxx').note).toBe(`AMD headers from ${join(hls, 'include')}`);
    const avail = Object.fromEntries(tc.flows.map((f) => [f.id, f.available]));
    expect(avail).toEqual({ 'csim-gxx': true, 'vitis-hls-tcl': true, 'vitis-run-tcl': false, 'vitis-config': false, 'vivado-hls-tcl': true, 'vivado-synth': true });
  });

  it('a tool root: settings64.sh is sourced with its path as an argument (no shell injection), 2024.2 deprecation noted', async () => {
    const evil = join(root, `inst $(touch PWNED) 'q' "d" ;x`);
    const bin = join(evil, 'bin');
    fakeTool(bin, 'vitis_hls', '2024.2');
    fakeTool(bin, 'vitis-run', '2024.2');
    const other = join(evil, 'vitis', 'bin');
    fakeTool(other, 'v++', '2024.2');
    writeFileSync(
      join(evil, 'settings64.sh'),
      'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\nexport XILINX_HLS="$here"\nexport PATH="$here/vitis/bin:$PATH"\necho "settings loaded"\n',
    );
    for (const useEnv of [false, true]) {
      const env = { PATH: SYS_PATH, ...(useEnv ? { TESSERA_TOOL_ROOT: evil } : {}) };
      const tc = await detectToolchain(useEnv ? { env } : { env, toolRoot: evil });
      expect(tc.toolRoot).toBe(evil);
      expect(tc.settingsScript).toBe(join(evil, 'settings64.sh'));
      expect(tc.env.XILINX_HLS).toBe(evil);
      expect(tc.tools.vitis_hls).toMatchObject({ source: 'tool-root', version: '2024.2', path: join(bin, 'vitis_hls') });
      expect(tc.tools['v++']).toMatchObject({ source: 'tool-root', version: '2024.2', path: join(other, 'v++') });
      expect(tc.tools['g++'].source).toBe('PATH');
      expect(flow(tc, 'vitis-hls-tcl').note).toMatch(/deprecated from 2024.2/);
      expect(flow(tc, 'vitis-config').available).toBe(true);
    }
    expect(existsSync(join(process.cwd(), 'PWNED'))).toBe(false);
    expect(existsSync(join(root, 'PWNED'))).toBe(false);
  });

  it('a tool that never answers times out; a missing tool root is a problem with the fix', async () => {
    const bin = join(root, 'slow', 'bin');
    fakeTool(bin, 'vivado', '2020.1', 'sleep 20\n');
    const t0 = Date.now();
    const tc = await detectToolchain({ env: { PATH: `${bin}:${SYS_PATH}` }, timeoutMs: 400, toolRoot: join(root, 'no such install') });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(tc.tools.vivado).toMatchObject({ path: join(bin, 'vivado'), version: null });
    expect(tc.tools.vivado.problem).toMatch(/did not answer within 0.4 s/);
    expect(tc.problems).toEqual(expect.arrayContaining([expect.stringMatching(/tool root .*no such install does not exist; set --tool-root/)]));
  });
});
