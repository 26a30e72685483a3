// The generated firmware/fifo_depths.h: an io_stream project with a skip builds warning-free with
// g++ -Wall -Wextra -Werror, also with one depth raised from the command line (the macro is overridable),
// and stays bit-exact in C simulation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomTensor } from '../../../engine/tensor/tensor';
import { defaultHlsConfig } from '../../../engine/hls/config';
import { generateProject } from '../../../engine/hls/generate';
import { fifoDepthMacro } from '../../../engine/hls/fifo-depth';
import { apIncludeDir, readTemplates, runProjectCsim, writeFiles } from './csim';
import { graphModel } from './graph.testutil';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-fifo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seed = 5;
const rnd = (shape: number[]) => randomTensor(shape, seed++, -0.6, 0.5);
const conv = (filters: number, k: number, p: number) => ({
  filters, kernel: [k, k], stride: [1, 1], dilation: [1, 1], padsBegin: [p, p], padsEnd: [p, p], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit',
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
