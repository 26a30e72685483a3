// The generated firmware/fifo_depths.h: an io_stream project with a skip builds warning-free with
// g++ -Wall -Wextra -Werror, also with one depth raised from the command line (the macro is overridable),
// and stays bit-exact in C simulation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomTensor } from '../../../engine/tensor/tensor';
import { defaultHlsConfig } from '../../../engine/hls/config';
import { generateProject } from '../../../engine/hls/generate';
import { fifoDepthMacro } from '../../../engine/hls/fifo-depth';
import { buildStreamNetwork } from '../../../engine/hls/stream-network';
import { apIncludeDir, projectSources, readTemplates, runProjectCsim, TEMPLATES_ROOT, writeFiles } from './csim';
import { graphModel } from './graph.testutil';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-fifo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seed = 5;
const rnd = (shape: number[]) => randomTensor(shape, seed++, -0.6, 0.5);
const conv = (filters: number, k: number, p: number, s = 1, extra: Record<string, unknown> = {}) => ({
  filters, kernel: [k, k], stride: [s, s], dilation: [1, 1], padsBegin: [p, p], padsEnd: [p, p], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit', ...extra,
});

describe('fifo_depths.h', () => {
  it('compiles with -Wall -Wextra -Werror (default and overridden depth) and C simulation stays bit-exact', async () => {
    const model = graphModel(
      [
        ['x', 'Input', { shape: [1, 2, 7, 5], dataFormat: 'NCX' }, []],
        ['a', 'ReLU', {}, ['x']],
        ['c', 'Conv2D', conv(2, 3, 1), ['a']],
        ['s', 'Add', {}, ['a', 'c']],
      ],
      { c: { weight: rnd([2, 2, 3, 3]), bias: rnd([2]) } },
    );
    const top = 'fifo_skip';
    const g = generateProject({ model, config: defaultHlsConfig({ io: 'io_stream', top, testImages: 2 }), templates: readTemplates() });
    expect(g.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    writeFiles(dir, g.files!);
    const header = readFileSync(join(dir, 'firmware/fifo_depths.h'), 'utf8');
    const skip = fifoDepthMacro(top, 'layer1_a_out_to_layer3_s');
    expect(header).toMatch(new RegExp(`#ifndef ${skip}\\n#define ${skip} (\\d+)\\n#endif`));
    const inc = apIncludeDir().dir;
    for (const defines of [[], [`-D${skip}=64`]]) {
      const r = spawnSync('g++', ['-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-Wno-unknown-pragmas', '-Wno-unused-label', ...defines, '-I', inc, join(dir, `firmware/${top}.cpp`), join(dir, `tb/${top}_test.cpp`)], { encoding: 'utf8' });
      expect(r.stderr, defines.join(' ')).toBe('');
      expect(r.status).toBe(0);
    }
    const run = await runProjectCsim(dir, top, { defines: [`${skip}=64`] });
    expect(run.log).toContain(`${top}: 2 images, 0 mismatches`);
    expect(run.ok).toBe(true);
  }, 60_000);
});

describe('the stream network is what the templates do', () => {
  it('every process reads and writes its streams in the order of its C++ template (traced through hls_stream.h)', () => {
    // Zero padding, Conv, ReLU, a pool/upsample/ConvT skip into an Add, cropping, a row Concatenate skip,
    // a stride-2 Conv, a stride-2 ConvT, a channel Concatenate, Flatten (gather) and Dense.
    const pool = { kernel: [2], stride: [2], padsBegin: [0], padsEnd: [0], dataFormat: 'NCX', ceilMode: false };
    const model = graphModel(
      [
        ['x', 'Input', { shape: [1, 2, 7, 5], dataFormat: 'NCX' }, []],
        ['pad', 'ZeroPadding', { padsBegin: [1, 0], padsEnd: [2, 1], dataFormat: 'NCX' }, ['x']],
        ['c1', 'Conv2D', conv(3, 3, 1), ['pad']],
        ['a', 'ReLU', {}, ['c1']],
        ['mp', 'MaxPool', pool, ['a']],
        ['up', 'UpSampling', { scale: [2], dataFormat: 'NCX' }, ['mp']],
        ['ct', 'ConvTranspose2D', conv(3, 3, 1, 1, { outputPadding: [0, 0] }), ['up']],
        ['sum', 'Add', {}, ['a', 'ct']],
        ['crop', 'Cropping', { cropBegin: [1, 0], cropEnd: [1, 0], dataFormat: 'NCX' }, ['sum']],
        ['c2', 'Conv2D', conv(3, 1, 0), ['crop']],
        ['rows', 'Concatenate', { axis: 2 }, ['c2', 'crop']],
        ['down', 'Conv2D', conv(2, 3, 1, 2), ['rows']],
        ['ct2', 'ConvTranspose2D', conv(2, 4, 1, 2, { outputPadding: [0, 0] }), ['down']],
        ['chan', 'Concatenate', { axis: 1 }, ['ct2', 'rows']],
        ['flat', 'Flatten', { axis: 1 }, ['chan']],
        ['fc', 'Dense', { units: 3, bias: true }, ['flat']],
      ],
      {
        c1: { weight: rnd([3, 2, 3, 3]), bias: rnd([3]) },
        ct: { weight: rnd([3, 3, 3, 3]), bias: rnd([3]) },
        c2: { weight: rnd([3, 3, 1, 1]), bias: rnd([3]) },
        down: { weight: rnd([2, 3, 3, 3]), bias: rnd([2]) },
        ct2: { weight: rnd([2, 2, 4, 4]), bias: rnd([2]) },
        fc: { weight: rnd([480, 3]), bias: rnd([3]) },
      },
    );
    const top = 'fifo_trace';
    const cfg = defaultHlsConfig({ io: 'io_stream', top, testImages: 1 });
    const g = generateProject({ model, config: cfg, templates: readTemplates() });
    expect(g.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    const out = join(dir, 'trace');
    writeFiles(out, g.files!);
    writeFileSync(join(out, 'driver.cpp'), `#include <string>\n#include <hls_stream.h>\nint ${top}_tb(const std::string& dir);\nint main(int, char** argv) { hls::stream_trace_file() = stdout; return ${top}_tb(argv[1]); }\n`);
    const exe = join(out, 'trace.bin');
    const cc = spawnSync('g++', ['-std=c++17', '-O0', '-Wall', '-Wextra', '-Werror', '-Wno-unknown-pragmas', '-Wno-unused-label', '-DTESSERA_TB_NO_MAIN', '-DTESSERA_STREAM_TRACE', '-I', join(TEMPLATES_ROOT, 'include'), ...projectSources(top).map((f) => join(out, f)), join(out, 'driver.cpp'), '-o', exe], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const run = spawnSync(exe, [out], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    const events = run.stdout.split('\n').filter((l) => /^[RW] /.test(l));
    const net = buildStreamNetwork(model, g.resolved);
    // The testbench writes the inputs first; then the top runs the processes one after another (C simulation).
    let i = Object.values(net.edges).filter((e) => e.producer === null).reduce((a, e) => a + e.pixels, 0);
    expect(events.slice(0, i).every((l) => l.startsWith('W '))).toBe(true);
    const types = new Set<string>();
    for (const p of net.processes) {
      const expected = Array.from(p.ops, (op) => (op >= 0 ? `R ${p.inputs[op]}` : `W ${p.outputs[-op - 1]}`));
      const got = events.slice(i, i + expected.length);
      expect(got.length, p.name).toBe(expected.length);
      const first = got.findIndex((l, k) => l !== expected[k]);
      expect(first, `${p.name}: op ${first}: ${got[first]} vs ${expected[first]}`).toBe(-1);
      i += expected.length;
      types.add(p.type);
    }
    expect([...types].sort()).toEqual(['Add', 'Concatenate', 'Conv2D', 'ConvTranspose2D', 'Cropping', 'Dense', 'Flatten', 'MaxPool', 'ReLU', 'UpSampling', 'ZeroPadding', 'clone_stream']);
    // What is left: the testbench reading the output.
    expect(events.slice(i).every((l) => l.startsWith('R '))).toBe(true);
  }, 60_000);
});
