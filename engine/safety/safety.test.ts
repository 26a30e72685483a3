import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { analyzeGraph } from '../graph/analyze';
import { generateProject } from '../hls/generate';
import { convCaseConfig, convCaseModel, type ConvCase } from '../hls/conv-cases';
import { C_IDENTIFIER, CXX_FLAG_ALLOW_LIST, DISPLAY_NAME, displayNameOf, FOLDER_NAME, FPGA_PART, cComment, checkCxxFlags, checkText, checkVariantStrings, parseCxxFlags, withoutRefused, zodCheck } from './index';

describe('g++ flag allow-list', () => {
  it('accepts the documented flags', () => {
    const ok = [
      '-O0', '-O1', '-O2', '-O3', '-Os', '-Og', '-O', '-g', '-g0', '-g3', '-ggdb',
      '-DNDEBUG', '-DTESSERA_FIFO_DEPTH_MYPROJECT_LAYER1_OUT=4', '-DX=1.5e-3', '-DEMPTY=', '-D_X=abc',
      '-std=c++14', '-std=c++17', '-std=gnu++20',
      '-w', '-Wall', '-Wextra', '-Wpedantic', '-pedantic', '-Werror', '-Wno-unused-label', '-Werror=unknown-pragmas', '-Wno-error=shadow', '-Wframe-larger-than=4096',
    ];
    for (const f of ok) expect(checkCxxFlags([f]), f).toEqual([]);
    expect(checkCxxFlags(['-D', 'N=3', '-O2'])).toEqual([]);
    expect(parseCxxFlags(['-D', 'N=3', '-O2']).flags).toEqual(['-DN=3', '-O2']);
  });

  it('refuses what runs programs, reads files or writes elsewhere, each with its reason', () => {
    const refused: [string[], RegExp][] = [
      [['-wrapper', '/bin/sh,-c,touch /tmp/x'], /-wrapper runs another program/],
      [['@/etc/passwd'], /response files are refused/],
      [['-B/tmp/evil'], /-B \/ --prefix/],
      [['-B', '/tmp/evil'], /-B \/ --prefix/],
      [['--prefix=/tmp'], /-B \/ --prefix/],
      [['-fplugin=/tmp/x.so'], /-fplugin loads a shared library/],
      [['-specs=/tmp/evil.specs'], /-specs files/],
      [['--specs=/tmp/evil.specs'], /-specs files/],
      [['-o', '/tmp/out'], /-o writes the output somewhere else/],
      [['-o/tmp/out'], /-o writes/],
      [['-Wl,-plugin,/tmp/x.so'], /linker, assembler or preprocessor/],
      [['-Wp,-MD,/tmp/x'], /linker, assembler or preprocessor/],
      [['-Xlinker', '--wrap'], /linker/],
      [['-I/etc'], /include and library folders are refused/],
      [['-I', '/etc'], /include and library folders are refused/],
      [['-I../../secret'], /include and library folders are refused/],
      [['-Iinclude'], /include and library folders are refused: a header or library in a folder beside a shared project would replace/],
      [['-I', 'include'], /include and library folders are refused/],
      [['-Llib'], /include and library folders are refused/],
      [['-L/usr/lib'], /include and library folders are refused/],
      [['-isystem/usr/include'], /include and library folders are refused/],
      [['-iquote', 'inc'], /include and library folders are refused/],
      [['-idirafter/tmp'], /include and library folders are refused/],
      [['-include/etc/passwd'], /include and library folders are refused/],
      [['-Dfopen=popen'], /would redefine a function or keyword of the generated code/],
      [['-D', 'for=if'], /would redefine a function or keyword/],
      [['-DNoisy=1'], /macro names are capitals, digits and _/],
      [['-DX=$(touch /tmp/x)'], /remove it or use an allowed flag/],
      [['-D X'], /remove it/],
      [['-DX="a b"'], /remove it/],
      [['-D', '-wrapper'], /remove it/],
      [['-fprofile-generate=/tmp/p'], /remove it/],
      [['-save-temps'], /remove it/],
      [['-std=c++98;rm'], /remove it/],
      [['-march=native'], /remove it/],
      [['x.cpp'], /remove it/],
      [['-O3 -wrapper'], /remove it/],
    ];
    for (const [flags, why] of refused) {
      const r = checkCxxFlags(flags);
      expect(r.length, flags.join(' ')).toBeGreaterThan(0);
      expect(r[0].message, flags.join(' ')).toMatch(why);
      expect(r[0].message).toMatch(/^cxxFlags\[\d+\] = ".*" breaks the rule a g\+\+ flag on the allow-list \(.*\); .*\.$/);
    }
  });

  it('a random argument is accepted only when an allow-list entry matches it (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: fc.constantFrom(...'-@WOgDILB,=/._+aolx0 '.split('')), maxLength: 14 })), (arg) => {
        const refused = checkCxxFlags([arg]).length > 0;
        const allowed = CXX_FLAG_ALLOW_LIST.some((k) => k.test(arg));
        expect(refused).toBe(!allowed);
        if (!refused) {
          expect(arg).toMatch(/^-[OgDstdWwpIL]/);
          expect(arg).not.toMatch(/[\s@,;$`"'\\]|\.\.\//);
          expect(arg).not.toMatch(/^-(wrapper|B|fplugin|specs|o|Wl|Wa|Wp)/);
        }
      }),
      { numRuns: 3000, seed: 12 },
    );
  });
});

describe('text rules', () => {
  it('C identifiers, parts, folder names and display names', () => {
    expect(checkText(C_IDENTIFIER, 'top', 'myproject')).toEqual([]);
    expect(checkText(C_IDENTIFIER, 'top', 'my project')[0].message).toBe('top = "my project" breaks the rule a C identifier (letters, digits and _, not starting with a digit); use letters, digits and _ only, e.g. myproject.');
    expect(checkText(FPGA_PART, 'part', 'xcvu13p-flga2577-2-e')).toEqual([]);
    expect(checkText(FPGA_PART, 'part', 'xc7z020clg400-1]; exec touch x; #')).toHaveLength(1);
    expect(checkText(FPGA_PART, 'part', 'x'.repeat(65))[0].rule).toMatch(/at most 64 characters/);
    expect(checkText(FOLDER_NAME, 'out', '..')).toHaveLength(1);
    expect(checkText(FOLDER_NAME, 'out', 'a/b')).toHaveLength(1);
    expect(checkText(FOLDER_NAME, 'out', 'build-1.2')).toEqual([]);
    expect(checkText(DISPLAY_NAME, 'name', 'conv 1 — Übergang (x2)')).toEqual([]);
    for (const bad of ['a\nb', 'a\0b', 'a\u202eb', 'a\rb', '\u2028']) expect(checkText(DISPLAY_NAME, 'name', bad), JSON.stringify(bad)).toHaveLength(1);
    expect(checkText(C_IDENTIFIER, 'top', 42)[0].message).toMatch(/^top = 42 breaks the rule/);
  });

  it('cComment keeps a name on its comment line whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const c = cComment(s);
        expect(c).toMatch(/^[\x20-\x7e]*$/);
        expect(c.endsWith('\\')).toBe(false);
      }),
      { numRuns: 2000, seed: 3 },
    );
    expect(cComment('x\n static int pwn = system("touch /tmp/x");')).toBe('x? static int pwn = system("touch /tmp/x");');
  });

  it('variant strings, and the zod refinement naming field, value, rule and fix', () => {
    expect(checkVariantStrings({ part: 'xcu250-figd2104-2L-e', clockPeriodNs: 4, scope: 'up', layers: { up: {} }, cxxFlags: ['-O2'] })).toEqual([]);
    const r = checkVariantStrings({ part: 'a b', clockPeriodNs: -1, scope: 'x\ny', layers: { 'a\u0000': {} }, cxxFlags: ['@/etc/passwd'] });
    expect(r.map((x) => x.field)).toEqual(['part', 'clockPeriodNs', 'scope', 'layers key', 'cxxFlags[0]']);
    const schema = z.object({ flags: z.array(z.string()) }).superRefine(zodCheck((v: { flags: string[] }) => checkCxxFlags(v.flags, 'flags')));
    const p = schema.safeParse({ flags: ['-O2', '-wrapper'] });
    expect(p.success).toBe(false);
    expect(p.error!.issues[0].message).toMatch(/^flags\[1\] = "-wrapper" breaks the rule .*; -wrapper runs another program around each compiler step; remove it\.$/);
  });
});

describe('names from a project in generated C++', () => {
  const TEMPLATES = { 'nnet_common.h': '// common\n', 'nnet_conv.h': '// conv\n', 'nnet_conv_transpose.h': '// convT\n', 'nnet_conv_common.h': '// cc\n' };
  const base: ConvCase = { name: 'n', op: 'Conv2D', size: [4, 4], cin: 2, cout: 2, kernel: [3, 3], stride: [1, 1], io: 'io_parallel' };

  it('a layer name with a line break is a diagnostic on the node, and nothing is generated', () => {
    const model = convCaseModel(base, 2);
    model.graph.nodes.find((n) => n.id === 'layer')!.name = 'conv\nstatic int pwn = std::system("touch /tmp/pwned");';
    const a = analyzeGraph(model.graph, model.weights);
    expect(a.diagnostics.find((d) => d.code === 'display-name')).toMatchObject({ nodeId: 'layer', field: 'name', severity: 'error' });
    const g = generateProject({ model, config: convCaseConfig(base, model, "myproject"), templates: TEMPLATES });
    expect(g.files).toBeNull();
  });

  it('a printable name reaches the weight header comment as one ASCII line', () => {
    const model = convCaseModel(base, 2);
    model.graph.nodes.find((n) => n.id === 'layer')!.name = 'Übergang */ 1 \\';
    const g = generateProject({ model, config: convCaseConfig(base, model, "myproject"), templates: TEMPLATES });
    const header = Object.entries(g.files!).find(([k]) => k.startsWith('firmware/weights/w_'))![1];
    expect(String(header).split('\n')[0]).toBe('// ?bergang */ 1 \\ (Conv2D): w_layer1_bergang_1, 36 values of ap_fixed<16,6>');
  });
});

describe('withoutRefused', () => {
  it('drops exactly what is refused, and the result passes', () => {
    const v = { io: 'io_parallel', part: 'x; y', clockPeriodNs: 5, scope: 'a\nb', layers: { ok: { reuseFactor: 2 }, 'b\u0000': {} }, cxxFlags: ['-O2', '-wrapper', '/bin/sh', '-D', 'N=1', '@x'] };
    const w = withoutRefused(v);
    expect(w).toEqual({ io: 'io_parallel', clockPeriodNs: 5, scope: null, layers: { ok: { reuseFactor: 2 } }, cxxFlags: ['-O2', '-DN=1'] });
    expect(checkVariantStrings(w)).toEqual([]);
  });
});

describe('displayNameOf', () => {
  it('makes any name from a file a display name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(checkText(DISPLAY_NAME, 'name', displayNameOf(s))).toEqual([]);
      }),
      { numRuns: 2000, seed: 5 },
    );
    expect(displayNameOf('conv1/Conv:0')).toBe('conv1/Conv:0');
    expect(displayNameOf('a\nb\u202e')).toBe('a_b_');
    expect(displayNameOf('\u0000')).toBe('_');
    expect(displayNameOf('   ')).toBe('node');
  });
});
