// Cross-checks the engine's fixed point against Tessera's C++ headers (hls-templates/include) compiled by
// g++: exhaustive small-width casts in every mode combination, the class templates' assignment path,
// doubles, growth rules via decltype, exact arithmetic up to 128 bits, comparisons, and MAC chains.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../tensor/tensor';
import {
  add,
  addType,
  castBig,
  castDoubleBig,
  castDoubleNum,
  castNum,
  fixedType,
  formatFixedType,
  formatOf,
  intType,
  MacPlan,
  mantissaRange,
  mul,
  mulType,
  negType,
  O_MODES,
  Q_MODES,
  sub,
  subType,
  ufixedType,
  type FixedType,
} from './index';

const INCLUDE = fileURLToPath(new URL('../../hls-templates/include', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tessera-fixed-'));
afterAll(() => process.env.KEEP_FIXED_TMP ? undefined : rmSync(work, { recursive: true, force: true }));

function runCpp(name: string, src: string): string {
  const cpp = join(work, `${name}.cpp`);
  const exe = join(work, name);
  writeFileSync(cpp, src);
  execFileSync('g++', ['-std=c++17', '-O1', '-Wall', '-Wno-unknown-pragmas', '-I', INCLUDE, cpp, '-o', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync(exe, { maxBuffer: 512 * 1024 * 1024 }).toString();
}

const PRELUDE = `#include <ap_fixed.h>
#include <ap_int.h>
#include <cstdio>
#include <string>
using tessera_ap::u128;
static std::string out;
static void put(long long v) { char b[24]; int n = std::snprintf(b, sizeof b, "%lld ", v); out.append(b, n); }
static void nl() { out += '\\n'; }
template <class T> std::string mant(const T& x) { ap_int_base<T::width, T::sign_flag> r; r.set_pattern(x.bits()); return r.to_string(10); }
static u128 pat(unsigned long long hi, unsigned long long lo) { return ((u128)hi << 64) | lo; }
static double dbl(unsigned long long bits) { double d; std::memcpy(&d, &bits, 8); return d; }
`;

const cppType = (t: FixedType): string => formatFixedType(t, 'cpp');
const allMantissas = (t: FixedType): number[] => {
  const { min, max } = mantissaRange(t);
  const r: number[] = [];
  for (let m = Number(min); m <= Number(max); m++) r.push(m);
  return r;
};
const u64 = (x: bigint): string => `0x${BigInt.asUintN(64, x).toString(16)}ULL`;
const patLit = (m: bigint): string => {
  const u = BigInt.asUintN(128, m);
  return `pat(${u64(u >> 64n)}, ${u64(u)})`;
};
const f64 = new Float64Array(1);
const b64 = new BigUint64Array(f64.buffer);
const dblLit = (d: number): string => {
  f64[0] = d;
  return `dbl(${u64(b64[0])})`;
};

// ---------------------------------------------------------------------------------------------

const SOURCES: FixedType[] = [
  fixedType(8, 3),
  ufixedType(8, 3),
  fixedType(6, -2),
  ufixedType(6, -1),
  fixedType(7, 10),
  ufixedType(5, 9),
  fixedType(8, 8),
  ufixedType(8, 0),
  fixedType(4, 1),
  fixedType(1, 1),
  ufixedType(1, 1),
  ufixedType(8, 8),
];
const TARGET_SHAPES: [number, number, boolean][] = [
  [4, 2, true],
  [4, 2, false],
  [3, -1, true],
  [3, -2, false],
  [5, 7, true],
  [3, 5, false],
  [6, 3, true],
  [8, 3, true],
  [2, 2, true],
  [1, 1, true],
  [1, 0, false],
  [7, 0, true],
];

function allTargets(): FixedType[] {
  const out: FixedType[] = [];
  for (const [W, I, signed] of TARGET_SHAPES) {
    for (const Q of Q_MODES) {
      for (const O of O_MODES) {
        if (O === 'AP_WRAP_SM' && !signed) continue;
        for (const N of [...new Set([0, 1, 2, W])].filter((n) => n <= W)) out.push(fixedType(W, I, { signed, Q, O, N }));
      }
    }
  }
  for (const W of [1, 3, 5, 8]) out.push(intType(W, true), intType(W, false));
  return out;
}

describe('engine vs C++ headers', () => {
  it('exhaustive casts: every value of 12 source types (W ≤ 8) into every mode × N of 12 target shapes', () => {
    const targets = allTargets();
    const srcRows = SOURCES.map((s) => `{${s.W}, ${s.I}, ${s.signed}}`).join(',\n');
    const tgtRows = targets.map((t) => `{${t.W}, ${t.I}, ${t.signed}, ${t.Q}, ${t.O}, ${t.N}, ${t.kind === 'int'}}`).join(',\n');
    const src = `${PRELUDE}
struct Src { int W, I; bool S; };
struct Tgt { int W, I; bool S; ap_q_mode Q; ap_o_mode O; int N; bool isInt; };
static const Src srcs[] = {${srcRows}};
static const Tgt tgts[] = {${tgtRows}};
int main() {
  long long closed_mismatch = 0;
  for (const Src& s : srcs) {
    long long lo = s.S ? -(1LL << (s.W - 1)) : 0, hi = s.S ? (1LL << (s.W - 1)) - 1 : (1LL << s.W) - 1;
    for (const Tgt& t : tgts) {
      for (long long m = lo; m <= hi; m++) {
        u128 r = t.isInt ? tessera_ap::cast_int((u128)m, s.W, s.I, s.S, t.W, t.S)
                         : tessera_ap::cast_fixed((u128)m, s.W, s.I, s.S, t.W, t.I, t.S, t.Q, t.O, t.N);
        if (!t.isInt && tessera_ap::cast_assign((u128)m, s.W, s.I, s.S, t.W, t.I, t.S, t.Q, t.O, t.N) != r) closed_mismatch++;
        put((long long)(tessera_ap::i128)r);
      }
      nl();
    }
  }
  put(closed_mismatch);
  nl();
  std::fwrite(out.data(), 1, out.size(), stdout);
}
`;
    const lines = runCpp('exhaustive', src).split('\n');
    // the C++ closed form (used by assignments) equals the C++ bit-level algorithm on every case
    expect(lines[lines.length - 2].trim(), 'C++ cast_assign vs cast_fixed mismatches').toBe('0');
    let line = 0;
    let cases = 0;
    let bigChecked = 0;
    for (const s of SOURCES) {
      const ms = allMantissas(s);
      const f = formatOf(s);
      for (const t of targets) {
        const got = lines[line].trim().split(' ').map(Number);
        for (let i = 0; i < ms.length; i++) {
          const e = castNum(ms[i], f, t);
          if (e !== got[i]) {
            expect(`${ms[i]} of ${cppType(s)} → ${cppType(t)}: engine ${e}`).toBe(`C++ ${got[i]}`);
          }
        }
        if (line % 7 === 0) {
          for (let i = 0; i < ms.length; i++) {
            const e = Number(castBig(BigInt(ms[i]), f, t));
            if (e !== got[i]) expect(`BigInt: ${ms[i]} of ${cppType(s)} → ${cppType(t)}: engine ${e}`).toBe(`C++ ${got[i]}`);
            bigChecked++;
          }
        }
        cases += ms.length;
        line++;
      }
    }
    expect(cases).toBeGreaterThan(1_000_000);
    expect(bigChecked).toBeGreaterThan(100_000);
  });

  it('class templates (ap_fixed/ap_ufixed/ap_int assignment from ap types and doubles) agree with the engine', () => {
    const rnd = seededRandom(2024);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const pairs: { s: FixedType; t: FixedType }[] = [];
    for (let k = 0; k < 40; k++) {
      const s = pick(SOURCES);
      const [W, I, signed] = pick(TARGET_SHAPES);
      const O = signed ? pick(O_MODES) : pick(O_MODES.filter((o) => o !== 'AP_WRAP_SM'));
      pairs.push({ s, t: fixedType(W, I, { signed, Q: pick(Q_MODES), O, N: pick([0, 1, 2, W].filter((n) => n <= W)) }) });
    }
    pairs.push({ s: fixedType(8, 3), t: intType(5) }, { s: ufixedType(6, -1), t: intType(3, false) }, { s: fixedType(7, 10), t: intType(8) });
    // doubles: ties, exact values, random, huge, tiny, negative zero
    const doubles = [0, -0, 0.5, -0.5, 1.25, -1.25, 2.75, -2.75, 7.75, -7.75, 1e-300, -1e-300, 1e300, -1e300, 3.999999, -8, 8, 15.5, 2 ** 60, -(2 ** 60) + 2048];
    for (let k = 0; k < 60; k++) doubles.push((rnd() - 0.5) * 2 ** Math.floor(rnd() * 16 - 4));
    for (let k = 0; k < 20; k++) doubles.push(Math.round((rnd() - 0.5) * 256) / 16); // exact ties at many positions
    const dTargets: FixedType[] = [];
    for (let k = 0; k < 30; k++) {
      const [W, I, signed] = pick(TARGET_SHAPES);
      const O = signed ? pick(O_MODES) : pick(O_MODES.filter((o) => o !== 'AP_WRAP_SM'));
      dTargets.push(fixedType(W, I, { signed, Q: pick(Q_MODES), O, N: pick([0, 1, W].filter((n) => n <= W)) }));
    }
    dTargets.push(
      fixedType(53, 20, { Q: 'AP_RND_CONV', O: 'AP_SAT' }),
      fixedType(64, 30, { Q: 'AP_RND', O: 'AP_SAT_SYM' }),
      ufixedType(64, 64, { O: 'AP_SAT' }),
      fixedType(40, -5, { Q: 'AP_RND_INF' }),
      intType(8),
      intType(64),
      intType(7, false),
    );
    const body: string[] = [];
    pairs.forEach(({ s, t }, i) => {
      body.push(`{ ${cppType(s)} x; ${cppType(t)} y; for (long long m = ${mantissaRange(s).min}; m <= ${mantissaRange(s).max}; m++) { x.set_pattern((u128)m); y = x; put((long long)y.V); } nl(); } // ${i}`);
    });
    dTargets.forEach((t) => {
      body.push(`{ static const double ds[] = {${doubles.map(dblLit).join(', ')}}; for (double d : ds) { ${cppType(t)} y = d; out += mant(y); out += ' '; } nl(); }`);
    });
    const lines = runCpp('classes', `${PRELUDE}\n#include <cstring>\nint main() {\n${body.join('\n')}\nstd::fwrite(out.data(), 1, out.size(), stdout);\n}\n`).split('\n');
    let line = 0;
    for (const { s, t } of pairs) {
      const got = lines[line++].trim().split(' ').map(Number);
      const want = allMantissas(s).map((m) => castNum(m, formatOf(s), t));
      expect(got, `${cppType(s)} → ${cppType(t)}`).toEqual(want);
    }
    for (const t of dTargets) {
      const got = lines[line++].trim().split(' ');
      const want = doubles.map((d) => (t.W <= 53 ? String(castDoubleNum(d, t)) : castDoubleBig(d, t).toString()));
      expect(got, `doubles → ${cppType(t)}`).toEqual(want);
    }
  });

  it('growth rules (decltype), exact + − × up to 128 bits, comparisons and MAC chains agree with the engine', () => {
    const rnd = seededRandom(99);
    const randMant = (t: FixedType): bigint => {
      const { min, max } = mantissaRange(t);
      const span = max - min + 1n;
      let r = 0n;
      for (let i = 0; i < 5; i++) r = (r << 30n) | BigInt(Math.floor(rnd() * 2 ** 30));
      const v = min + (r % span);
      return rnd() < 0.1 ? (rnd() < 0.5 ? min : max) : v;
    };
    const typePairs: [FixedType, FixedType][] = [
      [fixedType(16, 6), ufixedType(8, 3)],
      [ufixedType(8, 3), fixedType(16, 6)],
      [ufixedType(8, 0), ufixedType(10, 12)],
      [fixedType(5, -3), fixedType(9, 12)],
      [fixedType(64, 20), fixedType(64, -3)],
      [ufixedType(64, 40), ufixedType(64, 0)],
      [fixedType(64, 64), ufixedType(64, 10)],
      [fixedType(64, 30), ufixedType(63, 2)],
      [fixedType(33, 1), fixedType(31, 30)],
      [intType(8), intType(4, false)],
      [intType(64), intType(64)],
      [intType(17, false), intType(40, false)],
      [fixedType(12, 4), intType(8)],
      [intType(6, false), fixedType(10, -2)],
    ];
    const body: string[] = [];
    const expected: string[] = [];
    const info = (t: FixedType): string => `${t.W} ${t.I} ${t.signed ? 1 : 0}`;
    const asFixed = (t: FixedType): FixedType => (t.kind === 'int' ? fixedType(t.W, t.W, { signed: t.signed }) : t);
    const growthOf = (a: FixedType, b: FixedType, f: (x: FixedType, y: FixedType) => FixedType): FixedType =>
      a.kind === 'int' && b.kind === 'int' ? f(a, b) : f(asFixed(a), asFixed(b));
    body.push('#define INFO(T) { typedef T TT; char b[64]; std::snprintf(b, 64, "%d %d %d", TT::width, TT::iwidth, (int)TT::sign_flag); out += b; nl(); }');
    typePairs.forEach(([ta, tb], k) => {
      const A = cppType(ta);
      const B = cppType(tb);
      body.push(`{ ${A} a; ${B} b; INFO(decltype(a * b)) INFO(decltype(a + b)) INFO(decltype(a - b)) INFO(decltype(-a)) // ${k}`);
      expected.push(info(growthOf(ta, tb, mulType)), info(growthOf(ta, tb, addType)), info(growthOf(ta, tb, subType)), info(negType(ta)));
      const as: bigint[] = [];
      const bs: bigint[] = [];
      for (let r = 0; r < 12; r++) {
        const ma = randMant(ta);
        const mb = randMant(tb);
        as.push(ma);
        bs.push(mb);
        const fa = asFixed(ta);
        const fb = asFixed(tb);
        const p = mul(ma, fa, mb, fb).m;
        const s = add(ma, fa, mb, fb).m;
        const d = sub(ma, fa, mb, fb).m;
        const sign = BigInt(d) < 0n ? -1 : BigInt(d) > 0n ? 1 : 0;
        expected.push(`${p} ${s} ${d} ${-BigInt(ma)} ${sign < 0 ? 1 : 0} ${sign === 0 ? 1 : 0} ${sign >= 0 ? 1 : 0}`);
      }
      body.push(`  static const u128 as[] = {${as.map(patLit).join(', ')}}, bs[] = {${bs.map(patLit).join(', ')}};
  for (int r = 0; r < ${as.length}; r++) { a.set_pattern(as[r]); b.set_pattern(bs[r]); out += mant(a * b) + " " + mant(a + b) + " " + mant(a - b) + " " + mant(-a) + " "; put(a < b); put(a == b); put(a >= b); nl(); }`);
      body.push('}');
    });
    // W = 64 targets from 128-bit products, every mode
    const wide = [fixedType(64, 20), fixedType(64, -3)];
    const prodT = mulType(wide[0], wide[1]);
    for (let k = 0; k < 40; k++) {
      const signed = rnd() < 0.7;
      const O = signed ? O_MODES[k % 5] : O_MODES[k % 4];
      const t = fixedType(k % 3 === 0 ? 64 : 40 + (k % 20), 5 + (k % 30), { signed, Q: Q_MODES[k % 7], O, N: k % 3 });
      const ms = Array.from({ length: 6 }, () => [randMant(wide[0]), randMant(wide[1])] as const);
      const exp: string[] = [];
      for (const [ma, mb] of ms) exp.push(castBig(ma * mb, formatOf(prodT), t).toString());
      body.push(`{ static const u128 as[] = {${ms.map(([a]) => patLit(a)).join(', ')}}, bs[] = {${ms.map(([, b]) => patLit(b)).join(', ')}};
  ${cppType(wide[0])} a; ${cppType(wide[1])} b; ${cppType(t)} y;
  for (int i = 0; i < ${ms.length}; i++) { a.set_pattern(as[i]); b.set_pattern(bs[i]); y = a * b; out += mant(y) + " "; }
  nl(); }`);
      expected.push(exp.join(' '));
    }
    // MAC chains: acc = bias; acc += (acc_t)(x·w), in order
    const xT = fixedType(8, 3);
    const wT = fixedType(6, 1, { Q: 'AP_RND_CONV' });
    const bT = fixedType(8, 4);
    const accs = [
      fixedType(10, 4, { Q: 'AP_RND', O: 'AP_SAT' }),
      fixedType(9, 3, { Q: 'AP_RND_CONV', O: 'AP_SAT_SYM' }),
      fixedType(12, 5),
      fixedType(11, 5, { O: 'AP_WRAP', N: 2 }),
      fixedType(16, 6, { Q: 'AP_TRN_ZERO', O: 'AP_SAT_ZERO' }),
      ufixedType(10, 4, { Q: 'AP_RND_INF', O: 'AP_SAT' }),
    ];
    for (const acc of accs) {
      const plan = new MacPlan(xT, wT, acc, bT);
      const exp: string[] = [];
      const xsAll: number[] = [];
      const wsAll: number[] = [];
      const bsAll: number[] = [];
      const ns: number[] = [];
      for (let k = 0; k < 25; k++) {
        const n = 1 + Math.floor(rnd() * 20);
        const xs = Float64Array.from({ length: n }, () => Number(randMant(xT)));
        const ws = Float64Array.from({ length: n }, () => Number(randMant(wT)));
        const b = Number(randMant(bT));
        exp.push(String(plan.dot(b, xs, 0, 1, ws, 0, 1, n)));
        xsAll.push(...xs);
        wsAll.push(...ws);
        bsAll.push(b);
        ns.push(n);
      }
      body.push(`{ static const long long xs[] = {${xsAll.join(',')}}, ws[] = {${wsAll.join(',')}}, bs[] = {${bsAll.join(',')}}, ns[] = {${ns.join(',')}};
  mac<${cppType(xT)}, ${cppType(wT)}, ${cppType(bT)}, ${cppType(acc)}>(xs, ws, bs, ns, ${ns.length}); nl(); }`);
      expected.push(exp.join(' '));
    }
    const MAC = `template <class X, class Wt, class B, class A> void mac(const long long* xs, const long long* ws, const long long* bs, const long long* ns, int chains) {
  int k = 0;
  for (int c = 0; c < chains; c++) {
    X x; Wt w; B b; b.set_pattern((u128)bs[c]);
    A acc = b;  // acc = (accum_t) bias
    for (int i = 0; i < ns[c]; i++, k++) { x.set_pattern((u128)xs[k]); w.set_pattern((u128)ws[k]); A p = x * w; acc += p; }
    out += mant(acc) + " ";
  }
}`;
    const got = runCpp('arith', `${PRELUDE}\n#include <cstring>\n${MAC}\nint main() {\n${body.join('\n')}\nstd::fwrite(out.data(), 1, out.size(), stdout);\n}\n`)
      .split('\n')
      .map((l) => l.trim());
    for (let i = 0; i < expected.length; i++) expect(got[i], `line ${i}`).toBe(expected[i]);
  });

  it('shifts, unary minus, compound assignment, conversions, bit access, ap_int operators and hls::stream', () => {
    const rnd = seededRandom(31);
    const checks: { expr: string; want: string }[] = [];
    const c = (expr: string, want: string | number | bigint | boolean): void => {
      checks.push({ expr, want: typeof want === 'boolean' ? (want ? '1' : '0') : String(want) });
    };
    const tA = fixedType(8, 3);
    const tU = ufixedType(6, 2);
    const tC = fixedType(8, 3, { Q: 'AP_RND', O: 'AP_SAT' });
    const tY = ufixedType(7, 4);
    const wrap = (m: bigint, t: FixedType): bigint => (t.signed ? BigInt.asIntN(t.W, m) : BigInt.asUintN(t.W, m));
    const decls: string[] = [];
    for (let k = 0; k < 8; k++) {
      const a = BigInt(Math.floor(rnd() * 256) - 128);
      const u = BigInt(Math.floor(rnd() * 64));
      const y = BigInt(Math.floor(rnd() * 128));
      const sh = 1 + Math.floor(rnd() * 4);
      const v = `v${k}`;
      decls.push(`ap_fixed<8,3> a${v}; a${v}.set_pattern((u128)${a}LL); ap_ufixed<6,2> u${v}; u${v}.set_pattern((u128)${u}LL); ap_ufixed<7,4> y${v}; y${v}.set_pattern((u128)${y}LL);`);
      c(`(long long)(a${v} << ${sh}).V`, wrap(a << BigInt(sh), tA));
      c(`(long long)(a${v} >> ${sh}).V`, a >> BigInt(sh));
      c(`(long long)(a${v} << -${sh}).V`, a >> BigInt(sh));
      c(`(long long)(u${v} << ${sh}).V`, wrap(u << BigInt(sh), tU));
      c(`(long long)(u${v} >> ${sh}).V`, u >> BigInt(sh));
      c(`mant(-a${v})`, -a);
      // compound assignment: c = a; c += y; c *= u; c -= y (each a full-precision op then assignment)
      let cm = castBig(a, formatOf(tA), tC);
      let r = add(cm, tC, y, tY);
      cm = castBig(BigInt(r.m), formatOf(r.t), tC);
      r = mul(cm, tC, u, tU);
      cm = castBig(BigInt(r.m), formatOf(r.t), tC);
      r = sub(cm, tC, y, tY);
      cm = castBig(BigInt(r.m), formatOf(r.t), tC);
      c(`[&]{ ap_fixed<8,3,AP_RND,AP_SAT> cc = a${v}; cc += y${v}; cc *= u${v}; cc -= y${v}; return (long long)cc.V; }()`, cm);
      const av = Number(a) / 32;
      c(`a${v}.to_double()`, av);
      c(`(double)a${v}.to_float()`, av);
      c(`a${v}.to_int()`, Math.trunc(av));
      c(`(double)a${v}`, av);
      c(`(a${v} > 0.3)`, av > 0.3);
      c(`(a${v} <= -1)`, av <= -1);
      c(`(int)a${v}[7]`, a < 0n);
      c(`(int)a${v}[2]`, (BigInt.asUintN(8, a) >> 2n) & 1n);
      c(`[&]{ auto t = a${v}; t[0] = 1; t[6] = 0; return (long long)t.V; }()`, BigInt.asIntN(8, (BigInt.asUintN(8, a) | 1n) & ~64n));
      c(`(long long)a${v}.range(6, 2).V`, (BigInt.asUintN(8, a) >> 2n) & 31n);
      c(`a${v}.to_string()`, av);
      c(`(long long)ap_fixed<10,4,AP_RND_CONV,AP_SAT>((float)${Math.fround(av * 1.37)}f).V`, castDoubleNum(Math.fround(av * 1.37), fixedType(10, 4, { Q: 'AP_RND_CONV', O: 'AP_SAT' })));
      const i = BigInt(Math.floor(rnd() * 200) - 100);
      const j = BigInt(Math.floor(rnd() * 30) + 1) * (rnd() < 0.3 ? -1n : 1n);
      decls.push(`ap_int<9> i${v} = ${i}; ap_int<6> j${v} = ${j};`);
      c(`(long long)(i${v} / j${v}).V`, i / j);
      c(`(long long)(i${v} % j${v}).V`, i % j);
      c(`(long long)(i${v} & j${v}).V`, i & j);
      c(`(long long)(i${v} | j${v}).V`, i | j);
      c(`(long long)(i${v} ^ j${v}).V`, i ^ j);
      c(`(long long)(~i${v}).V`, ~i);
      c(`(long long)(i${v} << 3).V`, BigInt.asIntN(9, i << 3n));
      c(`(long long)(i${v} >> 2).V`, i >> 2n);
      c(`[&]{ auto t = i${v}; t++; ++t; t--; t += 300; return (long long)t.V; }()`, BigInt.asIntN(9, i + 1n + 300n));
      c(`(long long)(i${v} * 3).V`, i * 3n);
      c(`(i${v} < j${v})`, i < j);
      c(`(i${v} == ${i})`, true);
      c(`ap_int<9>(${Number(i) + 0.75}).to_int()`, Number(BigInt.asIntN(9, BigInt(Math.trunc(Number(i) + 0.75)))));
    }
    c('decltype(ap_int<9>() / ap_int<6>())::width', 10);
    c('decltype(ap_int<9>() % ap_uint<6>())::width', 7);
    c('decltype(ap_uint<9>() & ap_int<6>())::width', 10);
    c('[]{ hls::stream<ap_fixed<8,4> > s("fifo_a"); for (int k = 0; k < 5; k++) s << ap_fixed<8,4>(k * 0.5); ap_fixed<8,4> x; s >> x; s.read(x); double r = x.to_double() * 10 + s.read().to_double(); return r * 100 + s.size(); }()', 6 * 100 + 2); // x = 0.5; 0.5·10 + 1
    c('[]{ hls::stream<int> s("fifo_b"); int v = 7; bool ok = s.read_nb(v); s.write(3); bool e1 = s.empty(); int w = s.read(); int z = s.read(); return std::string(s.get_name()) + (ok ? "1" : "0") + (e1 ? "1" : "0") + std::to_string(w) + std::to_string(z) + std::to_string(s.empty_reads()); }()', 'fifo_b' + '0' + '0' + '3' + '0' + '1'); // name, read_nb on empty, empty after write, 3, default, one empty read
    const src = `${PRELUDE}
#include <cstring>
#include <hls_stream.h>
#include <sstream>
template <class T> static std::string str(const T& x) { std::ostringstream o; o.precision(17); o << x; return o.str(); }
static std::string str(const std::string& x) { return x; }
static std::string str(bool x) { return x ? "1" : "0"; }
int main() {
${decls.join('\n')}
${checks.map((k) => `  out += str(${k.expr}); nl();`).join('\n')}
  std::fwrite(out.data(), 1, out.size(), stdout);
}
`;
    const got = runCpp('misc', src).split('\n');
    checks.forEach((k, i) => expect(got[i], k.expr).toBe(k.want));
  });

  it('UG1399 examples compile and print the documented values', () => {
    const src = `${PRELUDE}
int main() {
  const double v[] = {1.25, -1.25};
  for (double d : v) { ap_fixed<3, 2, AP_RND, AP_SAT> a = d; ap_fixed<3, 2, AP_RND_ZERO, AP_SAT> b = d; ap_fixed<3, 2, AP_RND_MIN_INF, AP_SAT> c = d;
    ap_fixed<3, 2, AP_RND_INF, AP_SAT> e = d; ap_fixed<3, 2, AP_RND_CONV, AP_SAT> f = d; ap_fixed<3, 2, AP_TRN, AP_SAT> g = d; ap_fixed<3, 2, AP_TRN_ZERO, AP_SAT> h = d;
    std::printf("%g %g %g %g %g %g %g\\n", a.to_double(), b.to_double(), c.to_double(), e.to_double(), f.to_double(), g.to_double(), h.to_double()); }
  ap_fixed<4, 4, AP_TRN, AP_SAT> s1 = 19, s2 = -19; ap_fixed<4, 4, AP_TRN, AP_SAT_SYM> s3 = -19;
  ap_fixed<4, 4, AP_TRN, AP_WRAP, 1> w1 = 9; ap_fixed<4, 4, AP_TRN, AP_WRAP, 2> w2 = 9;
  ap_fixed<4, 4, AP_TRN, AP_WRAP_SM> m1 = 19, m2 = -19;
  std::printf("%d %d %d %d %d %d %d\\n", s1.to_int(), s2.to_int(), s3.to_int(), w1.to_int(), w2.to_int(), m1.to_int(), m2.to_int());
}
`;
    expect(runCpp('ug1399', src)).toBe('1.5 1 1 1.5 1 1 1\n-1 -1 -1.5 -1.5 -1 -1.5 -1\n7 -8 -7 1 5 -4 2\n');
  });

  it('unsupported uses fail at compile time with a clear message', () => {
    const cases: [string, RegExp][] = [
      ['ap_fixed<129, 10> x;', /W > 128 is not supported/],
      ['ap_ufixed<8, 2, AP_TRN, AP_WRAP_SM> x;', /AP_WRAP_SM needs a signed type/],
      ['ap_fixed<8, 2, AP_TRN, AP_WRAP, 9> x;', /0 <= N <= W/],
      ['ap_fixed<100, 10> a; ap_fixed<40, 2> b; auto c = a * b; (void)c;', /W > 128 is not supported/],
    ];
    for (const [code, msg] of cases) {
      let err = '';
      try {
        runCpp('bad', `#include <ap_fixed.h>\nint main() { ${code} return 0; }\n`);
      } catch (e) {
        err = String((e as { stderr?: Buffer }).stderr ?? e);
      }
      expect(err, code).toMatch(msg);
    }
  });
});
