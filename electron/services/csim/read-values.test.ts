// The C simulation's value files (trace.dat, csim_results.dat, expected.dat) read as the testbench wrote them:
// %.17g text parsed through one JSON array per line, with the slow path for what JSON does not take (inf,
// nan) giving the same numbers as converting each word. fast-check: random doubles printed as %.17g does
// (17 significant digits) come back exactly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExpected, readResults, readTrace } from './csim';

/** What printf("%.17g") prints for finite doubles (C's form: exponent with a sign and at least 2 digits). */
function g17(x: number): string {
  if (Object.is(x, -0)) return '-0';
  const s = x.toPrecision(17);
  const [mant, exp] = s.split('e');
  const trim = (m: string) => (m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m);
  if (exp === undefined) return trim(mant);
  const e = Number(exp);
  return `${trim(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-read-values-'));
  mkdirSync(join(dir, 'tb_data'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'tb_data', name), text);
  return dir;
}

describe('C simulation value files', () => {
  it('trace, results and expected values come back exactly, whatever the doubles', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 4 }), (rows) => {
        const text = rows.map((r) => r.map(g17).join(' ')).join('\n') + '\n';
        const dir = folder({ 'trace.dat': rows.map((r, i) => `layer_${i % 2} ${r.map(g17).join(' ')}`).join('\n') + '\n', 'csim_results.dat': text, 'expected.dat': text });
        try {
          const want = rows.map((r) => r.map((x) => (Object.is(x, -0) ? -0 : x)));
          expect(readResults(dir)).toEqual(want);
          expect(readExpected(dir)).toEqual(want);
          const trace = readTrace(dir);
          expect(trace.layer_0).toEqual(want.filter((_, i) => i % 2 === 0));
          expect(trace.layer_1 ?? []).toEqual(want.filter((_, i) => i % 2 === 1));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('inf and nan (not JSON) read as each word converted (as before: Number of the word); blank lines, a bare name and extra spaces are skipped', () => {
    const dir = folder({ 'trace.dat': 'a  1 inf\t-2.5e-07 \n\nb\nc -inf nan 3\n', 'csim_results.dat': ' 1  2\n\n3 inf\n' });
    try {
      const trace = readTrace(dir);
      expect(trace.a).toEqual([['1', 'inf', '-2.5e-07'].map(Number)]);
      expect(trace.b).toBeUndefined();
      expect(trace.c).toEqual([['-inf', 'nan', '3'].map(Number)]);
      expect(trace.c![0][2]).toBe(3);
      expect(readResults(dir)).toEqual([[1, 2], ['3', 'inf'].map(Number)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
