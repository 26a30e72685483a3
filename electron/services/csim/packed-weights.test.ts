// Weights in C simulation are packed mantissas in a string literal (engine/hls/packed-weights.ts), unpacked by
// nnet::fill_packed: g++ must read back exactly the values the engine means, for signed and unsigned types,
// narrow and wide (7-byte) mantissas, integer types and negative fractional bits, at the ends of each range.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ROOT } from './csim';
import { fixedType, formatFixedType, fracBits, intType, ufixedType, type FixedType } from '../../../engine/fixed/types';
import { toDouble } from '../../../engine/fixed/cast';
import { packedBytes, packedLiteralLines } from '../../../engine/hls/packed-weights';

const TYPES: FixedType[] = [fixedType(16, 6), ufixedType(8, 0), ufixedType(16, 16), fixedType(53, 20), ufixedType(53, 1), fixedType(24, 30), intType(4), intType(48, false), fixedType(8, 1)];

function range(t: FixedType): [bigint, bigint] {
  return t.signed ? [-(2n ** BigInt(t.W - 1)), 2n ** BigInt(t.W - 1) - 1n] : [0n, 2n ** BigInt(t.W) - 1n];
}

describe('packed weights', () => {
  it('g++ unpacks every mantissa to the exact value of its type', () => {
    const arrays = TYPES.map((t, k) => {
      const [lo, hi] = range(t);
      const random = fc.sample(fc.bigInt({ min: lo, max: hi }), { numRuns: 300, seed: 16 + k });
      const m = [lo, hi, 0n, lo + 1n, hi - 1n, ...random];
      return { t, m, name: `w${k}` };
    });
    const L = ['#include <cstdio>', '#include "nnet_common.h"'];
    for (const a of arrays) {
      L.push(`static const char ${a.name}_packed[] =`, ...packedLiteralLines(a.m, a.t), ';');
      L.push(`static ${formatFixedType(a.t, 'cpp')} ${a.name}[${a.m.length}];`);
      L.push(`static const bool ${a.name}_filled = nnet::fill_packed(${a.name}, ${a.m.length}, ${a.name}_packed, ${packedBytes(a.t)}, ${fracBits(a.t)});`);
    }
    L.push('int main() {');
    for (const a of arrays) L.push(`  for (unsigned i = 0; i < ${a.m.length}; i++) std::printf("%.17g\\n", ${a.name}[i].to_double());`);
    L.push('  return 0;', '}', '');
    const dir = mkdtempSync(join(tmpdir(), 'tessera-packed-'));
    try {
      writeFileSync(join(dir, 'p.cpp'), L.join('\n'));
      const c = spawnSync('g++', ['-std=c++17', '-O1', '-Wno-unknown-pragmas', '-I', join(TEMPLATES_ROOT, 'include'), '-I', join(TEMPLATES_ROOT, 'nnet'), 'p.cpp', '-o', 'p.exe'], { cwd: dir, encoding: 'utf8' });
      expect(c.stderr).toBe('');
      const r = spawnSync(join(dir, 'p.exe'), { encoding: 'utf8', maxBuffer: 1 << 24 });
      expect(r.status).toBe(0);
      const got = r.stdout.trim().split('\n').map(Number);
      const want = arrays.flatMap((a) => a.m.map((m) => toDouble(a.t.W <= 32 ? Number(m) : m, a.t)));
      expect(got).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes each byte as itself or a 3-digit octal escape, and refuses a mantissa that is no integer of ≤ 53 bits', () => {
    expect(packedLiteralLines(new Float64Array([65, -1, 92, 34, 63]), fixedType(8, 8))).toEqual(['"A\\377\\134\\042\\077"']);
    expect(packedBytes(ufixedType(8, 0))).toBe(2);
    expect(packedBytes(fixedType(8, 0))).toBe(1);
    expect(() => packedLiteralLines(new Float64Array([0.5]), fixedType(8, 0))).toThrow(/not an integer/);
    expect(() => packedLiteralLines([2n ** 60n], fixedType(53, 0))).toThrow(/not an integer/);
  });
});
