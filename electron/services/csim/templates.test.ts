// The Conv-family layer templates are real headers: each compiles on its own (g++ -fsyntax-only, -Wall)
// with Tessera's ap_fixed headers, pragmas ignored.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ROOT } from './csim';

describe('Conv-family templates compile on their own', () => {
  it.each(['nnet_common.h', 'nnet_conv_common.h', 'nnet_conv.h', 'nnet_conv_transpose.h'])('%s', (h) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-tpl-'));
    try {
      const src = join(dir, 'one.cpp');
      writeFileSync(src, `#include "${h}"\nint main() { return 0; }\n`);
      const r = spawnSync('g++', ['-std=c++17', '-fsyntax-only', '-Wall', '-Werror', '-Wno-unknown-pragmas', '-Wno-unused-label', '-I', join(TEMPLATES_ROOT, 'include'), '-I', join(TEMPLATES_ROOT, 'nnet'), src], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
