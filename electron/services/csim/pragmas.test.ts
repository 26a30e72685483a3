// Synthesizability of the layer templates, as far as it is checkable without a vendor tool (the static
// check of generated code, electron/services/hls-check, checks the instantiated loops; this file the sources):
// - where every `#pragma HLS` sits (AMD UG1399 placement rules: PIPELINE / UNROLL first in a loop body,
//   INLINE in a function body, ALLOCATION first in the loop or region it bounds, ARRAY_PARTITION /
//   ARRAY_RESHAPE / AGGREGATE / DEPENDENCE on a variable of the function they are in, never inside an `if` /
//   `else` block, since Vitis does not apply pragmas conditionally);
// - which pragmas each strategy's function carries (Latency: weights partitioned; Resource: weights reshaped
//   by n_mult; both: one loop pipelined at II 1 whose reuse round holds n_mult multipliers under ALLOCATION);
// - the io_stream loops have a static trip count (CONFIG_T::stream_steps, no `break`), the generator's count
//   is exactly enough (one iteration fewer aborts the C simulation);
// - all four layer functions × both strategies compile with -Wall -Wextra -Werror and agree bit for bit.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ROOT } from './csim';
import { streamLoopIterations, streamMaxBacklog, streamWalk, type CursorGeometry } from '../../../engine/ops/conv/stream';
import { seededRandom } from '../../../engine/tensor/tensor';

// TESSERA_TEMPLATES_ROOT: run the checks on another copy of hls-templates (e.g. an older commit's, to see
// them fail); default: this repository's.
const ROOT = process.env.TESSERA_TEMPLATES_ROOT ?? TEMPLATES_ROOT;
const HEADERS = ['nnet_common.h', 'nnet_conv_common.h', 'nnet_conv.h', 'nnet_conv_transpose.h', 'nnet_dense.h', 'nnet_pooling.h', 'nnet_merge.h', 'nnet_reshape.h', 'nnet_upsampling.h'];
const read = (h: string): string => readFileSync(join(ROOT, 'nnet', h), 'utf8');

/** Comments and string literals blanked (same length, newlines kept), so braces in them do not count. */
function strip(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, (m) => ' '.repeat(m.length))
    .replace(/"(?:[^"\\\n]|\\.)*"/g, (m) => `"${' '.repeat(m.length - 2)}"`);
}

interface PragmaSite {
  text: string;
  line: number;
  /** The header of the innermost enclosing `{` block (e.g. `Cycle: for (...)`, `if (...)`, a signature). */
  opener: string;
  /** Enclosing blocks, outermost first. */
  depth: number;
  /** Statements in the enclosing block before the pragma (pragmas excluded). */
  before: number;
  fn: string;
  /** Source of the enclosing block from its `{` to the pragma. */
  block: string;
}

interface FnInfo {
  name: string;
  text: string;
  pragmas: PragmaSite[];
}

/** Every pragma with its block context, and every function (namespace-level `void name(...) {...}`). */
function analyse(src: string): { pragmas: PragmaSite[]; fns: FnInfo[] } {
  const s = strip(src);
  const pragmas: PragmaSite[] = [];
  const fns: FnInfo[] = [];
  const stack: { header: string; stmts: number; start: number }[] = [];
  let header = '';
  let lineNo = 0;
  let current: FnInfo | undefined;
  let pos = 0;
  let parens = 0;
  for (const line of s.split('\n')) {
    lineNo++;
    const t = line.trim();
    if (t.startsWith('#')) {
      if (t.startsWith('#pragma HLS')) {
        const top = stack[stack.length - 1];
        const site: PragmaSite = {
          text: t.replace(/\s+/g, ' '), line: lineNo, opener: top?.header ?? '', depth: stack.length, before: top?.stmts ?? 0,
          fn: current?.name ?? '', block: top ? s.slice(top.start, pos) : '',
        };
        pragmas.push(site);
        current?.pragmas.push(site);
      }
      pos += line.length + 1;
      continue;
    }
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '(') parens++;
      if (ch === ')') parens--;
      if (ch === ';' && parens > 0) {
        header += ch;
        continue;
      }
      if (ch === '{') {
        const h = header.trim().replace(/\s+/g, ' ');
        if (stack.length === 1 && /\bvoid\s+\w+\s*\(/.test(h)) {
          current = { name: /\bvoid\s+(\w+)\s*\(/.exec(h)![1], text: '', pragmas: [] };
          fns.push(current);
        }
        stack.push({ header: h, stmts: 0, start: pos + i });
        header = '';
      } else if (ch === '}') {
        const b = stack.pop();
        if (stack.length === 1 && current && b) {
          current.text = src.slice(b.start, pos + i + 1);
          current = undefined;
        }
        if (stack.length > 0) stack[stack.length - 1].stmts++;
        header = '';
      } else if (ch === ';') {
        if (stack.length > 0) stack[stack.length - 1].stmts++;
        header = '';
      } else header += ch;
    }
    header += '\n';
    pos += line.length + 1;
  }
  return { pragmas, fns };
}

const ALL = HEADERS.map((h) => ({ h, src: read(h), ...analyse(read(h)) }));
const fn = (name: string): FnInfo => {
  for (const f of ALL) {
    const found = f.fns.find((x) => x.name === name);
    if (found) return found;
  }
  throw new Error(`no function ${name} in the templates`);
};
const has = (f: FnInfo, re: RegExp): boolean => f.pragmas.some((p) => re.test(p.text));

describe('pragma placement follows UG1399 in every layer header', () => {
  it.each(HEADERS)('%s', (h) => {
    const a = ALL.find((x) => x.h === h)!;
    const problems: string[] = [];
    for (const p of a.pragmas) {
      const where = `${h}:${p.line} ${p.text} (in "${p.opener.slice(0, 60)}")`;
      const kind = /^#pragma HLS (\w+)/.exec(p.text)![1];
      const v = /variable = (\w+)/.exec(p.text)?.[1];
      // Inside an if/else block only a pragma on an array declared in that block is meaningful (it is not
      // conditional: it shapes that local array); anything else would be applied unconditionally or ignored.
      const localToBlock = v !== undefined && new RegExp(`\\b${v}\\s*\\[`).test(p.block);
      if (/^(\}\s*)?(if|else)\b/.test(p.opener) && !localToBlock) problems.push(`${where}: pragma inside an if/else block is not applied conditionally`);
      if (kind === 'PIPELINE' || kind === 'UNROLL') {
        // PIPELINE also pipelines a whole function (the io_parallel layers); UNROLL only a loop.
        const fnBody = kind === 'PIPELINE' && p.depth === 2 && /\(/.test(p.opener);
        if (!/(^|:)\s*for\s*\(/.test(p.opener) && !fnBody) problems.push(`${where}: ${kind} must be in a loop body${kind === 'PIPELINE' ? ' or a function body' : ''}`);
        if (p.before > 0) problems.push(`${where}: ${kind} must come before the loop body's statements`);
      }
      if (kind === 'INLINE' && !(p.depth === 2 && /\(/.test(p.opener))) problems.push(`${where}: INLINE must be in a function body`);
      // ALLOCATION bounds the loop body or the plain { } region it opens.
      if (kind === 'ALLOCATION' && !(/(^|:)\s*for\s*\(/.test(p.opener) || p.opener === '')) problems.push(`${where}: ALLOCATION belongs to the loop or region it bounds`);
      if (kind === 'ALLOCATION' && p.before > 0) problems.push(`${where}: ALLOCATION must come before the statements it bounds`);
      if (v) {
        // Declared in this function: its signature (the last `void fn(` before the pragma) or its body.
        const upTo = a.src.split('\n').slice(0, p.line).join('\n');
        const start = upTo.lastIndexOf(`void ${p.fn}(`);
        if (start < 0 || !new RegExp(`\\b${v}\\s*\\[`).test(upTo.slice(start))) problems.push(`${where}: ${v} is not an array of this function`);
      }
    }
    expect(problems).toEqual([]);
    expect(a.src).not.toMatch(/if\s*\(\s*CONFIG_T::strategy/);
  });
});

const LAYERS = [
  { par: 'conv_2d', stream: 'conv_2d_stream', dims: 'conv_dims' },
  { par: 'conv_transpose_2d', stream: 'conv_transpose_2d_stream', dims: 'conv_transpose_dims' },
];

describe('each strategy function carries its own pragmas', () => {
  for (const L of LAYERS) {
    for (const base of [L.par, L.stream]) {
      it(`${base}: dispatcher, Latency, Resource, loop`, () => {
        const d = fn(base);
        expect(d.pragmas.map((p) => p.text)).toEqual(['#pragma HLS INLINE']);
        expect(d.text).toMatch(/strategy_tag<CONFIG_T::strategy>::type\(\)/);
        for (const tag of ['latency_tag', 'resource_tag']) {
          const sel = ALL.flatMap((x) => x.fns).filter((x) => x.name === `${base}_strategy`);
          expect(sel.length).toBe(2);
          expect(sel.some((x) => x.text.includes(`${base}_${tag.replace('_tag', '')}<`))).toBe(true);
        }
        const lat = fn(`${base}_latency`);
        expect(lat.pragmas.map((p) => p.text)).toEqual(['#pragma HLS ARRAY_PARTITION variable = weights complete', '#pragma HLS ARRAY_PARTITION variable = biases complete']);
        const res = fn(`${base}_resource`);
        expect(res.pragmas.map((p) => p.text)).toEqual(['#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult', '#pragma HLS ARRAY_PARTITION variable = biases complete']);
        expect(res.text).toContain(`constexpr unsigned n_mult = ${L.dims}<CONFIG_T>::n_mult;`);
        // The shared loop: one reuse round per clock; no weight pragma of its own.
        const loop = fn(base === L.par ? `${base}_pixels` : `${base}_steps`);
        expect(loop.pragmas.filter((p) => /PIPELINE/.test(p.text)).map((p) => p.text)).toEqual(['#pragma HLS PIPELINE II = 1']);
        expect(has(loop, /variable = (weights|biases)/)).toBe(false);
        expect(has(loop, /ALLOCATION/)).toBe(false);
        expect(loop.text).toMatch(/conv_round<[^>]*>\(/);
      });
    }
    it(`${L.stream}: static trip count, no data-dependent exit`, () => {
      const loop = fn(`${L.stream}_steps`);
      expect(loop.text).not.toMatch(/\bbreak\b|\breturn\b|\bwhile\b|\bgoto\b/);
      expect(loop.text).toMatch(/Cycle:\s*for \(unsigned it = 0; it < CONFIG_T::stream_steps; it\+\+\) \{/);
      expect(loop.text).toContain('stream_cursor_check(');
    });
  }
  it('Dense (io_parallel and io_stream): an INLINE dispatcher picks one strategy function, each with its own weight pragma', () => {
    const varPragmas = (f: FnInfo) => f.pragmas.map((p) => p.text).filter((t) => /variable = (weights|biases)/.test(t));
    for (const base of ['dense', 'dense_stream']) {
      const d = fn(base);
      expect(d.pragmas.map((p) => p.text)).toEqual(['#pragma HLS INLINE']);
      expect(d.text).toMatch(/strategy_tag<CONFIG_T::strategy>::type\(\)/);
      const sel = ALL.flatMap((x) => x.fns).filter((x) => x.name === `${base}_strategy`);
      expect(sel.length).toBe(2);
      for (const s of ['latency', 'resource']) expect(sel.some((x) => x.text.includes(`${base}_${s}<`))).toBe(true);
      expect(varPragmas(fn(`${base}_latency`))).toEqual(['#pragma HLS ARRAY_PARTITION variable = weights complete', '#pragma HLS ARRAY_PARTITION variable = biases complete']);
      const res = fn(`${base}_resource`);
      // Round ir reads word ir (w[ir·n_mult …]): a cyclic reshape by n_mult puts exactly those in word ir.
      expect(varPragmas(res)).toEqual(['#pragma HLS ARRAY_RESHAPE variable = weights cyclic factor = n_mult', '#pragma HLS ARRAY_PARTITION variable = biases complete']);
      expect(res.text).toContain('constexpr unsigned n_mult = dense_mults<CONFIG_T>::n_mult;');
    }
    for (const loop of ['dense_rounds', 'dense_stream_rounds']) {
      expect(fn(loop).pragmas.filter((p) => /PIPELINE/.test(p.text)).map((p) => p.text)).toEqual(['#pragma HLS PIPELINE II = 1']);
      expect(fn(loop).text).toMatch(/dense_round<[^>]*>\(acc, x, weights, ir, og\);/);
    }
  });

  it('the reuse round: n_mult multipliers, each wired to its weight lane, under an ALLOCATION of exactly that region', () => {
    const r = fn('mac_round');
    expect(r.pragmas.map((p) => p.text)).toEqual(['#pragma HLS INLINE', '#pragma HLS ALLOCATION operation instances = mul limit = n_mult', '#pragma HLS UNROLL', '#pragma HLS UNROLL']);
    expect(r.text).toContain('mac(acc[i], x[i][j], w[base + i * TERMS + j]);');
    // The other helpers of a round move data with constant indices only.
    for (const h of ['rotate_groups', 'reset_groups', 'shift_left']) expect(fn(h).text).not.toMatch(/\[[^\]]*\b(ir|og|it)\b[^\]]*\]/);
  });
});

describe('the stream walks (engine/ops/conv/stream.ts) are the templates’ loop counts', () => {
  it('ConvTranspose at RF 1: one output per iteration when no input is cropped away (HLS.md target); Conv: one step per needed position', () => {
    const rnd = seededRandom(31);
    const ri = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      const transpose = n % 2 === 1;
      const v: CursorGeometry = { H: ri(1, 7), W: ri(1, 9), kh: ri(1, 5), kw: ri(1, 5), sh: ri(1, 3), sw: ri(1, 3), dh: ri(1, 2), dw: ri(1, 2), ph: 0, pw: 0, Ho: 0, Wo: 0 };
      const rf = ri(1, 3);
      v.ph = ri(0, v.kh - 1);
      v.pw = ri(0, v.kw - 1);
      const span = (i: number, k: number, s: number, d: number, p: number, q: number): number =>
        transpose ? (i - 1) * s + d * (k - 1) + 1 - p - q + ri(0, s - 1) : Math.floor((i + p + q - d * (k - 1) - 1) / s) + 1;
      v.Ho = span(v.H, v.kh, v.sh, v.dh, v.ph, ri(0, 2));
      v.Wo = span(v.W, v.kw, v.sw, v.dw, v.pw, ri(0, 2));
      if (v.Ho < 1 || v.Wo < 1) continue;
      checked++;
      const w = streamWalk(v, transpose);
      const nIn = v.H * v.W, nOut = v.Ho * v.Wo;
      expect(w.readsBeforeWrite.length).toBe(nOut);
      // Reads never go back, never exceed the input, and every output has read what its window needs.
      for (let m = 1; m < nOut; m++) expect(w.readsBeforeWrite[m]).toBeGreaterThanOrEqual(w.readsBeforeWrite[m - 1]);
      expect(w.readsBeforeWrite[nOut - 1]).toBeLessThanOrEqual(nIn);
      expect(streamLoopIterations(v, transpose, rf)).toBe(w.steps + nOut * (rf - 1));
      expect(w.steps).toBeGreaterThanOrEqual(Math.max(nIn, nOut));
      // A ConvTranspose whose first output reads input row/column 0 and whose last reads the last (no crop of
      // a whole input row or column): exactly one step per output.
      if (transpose && v.ph < v.sh && v.pw < v.sw && Math.floor((v.Ho - 1 + v.ph) / v.sh) >= v.H - 1 && Math.floor((v.Wo - 1 + v.pw) / v.sw) >= v.W - 1) {
        expect(w.steps).toBe(nOut);
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('streamMaxBacklog: what a skip FIFO around a stream Conv must hold', () => {
  it('stride-1 "same" k×k Conv: ⌊k/2⌋·W + ⌊k/2⌋ + 1 (a 1×1 Conv: 1; dilation widens it); bounded otherwise', () => {
    for (const [H, W, k, d] of [[6, 9, 3, 1], [5, 7, 5, 1], [8, 4, 3, 1], [7, 11, 3, 2], [4, 6, 1, 1]]) {
      const p = Math.floor(((k - 1) * d) / 2);
      const f = { H, W, Ho: H, Wo: W, kh: k, kw: k, sh: 1, sw: 1, dh: d, dw: d, ph: p, pw: p };
      expect(streamMaxBacklog(f, false)).toBe(p * W + p + 1);
    }
    const big = { H: 6, W: 5, Ho: 4, Wo: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 0, pw: 0 };
    // "valid" (fewer outputs than inputs): at least the 2·W + 3 reads before the first output, at most the image.
    expect(streamMaxBacklog(big, false)).toBeGreaterThanOrEqual(2 * 5 + 3);
    expect(streamMaxBacklog(big, false)).toBeLessThanOrEqual(6 * 5);
    // ConvTranspose: outputs outnumber inputs, the backlog stays small (≤ the rows one output reads, plus one).
    const ct = { H: 4, W: 6, Ho: 8, Wo: 12, kh: 4, kw: 4, sh: 2, sw: 2, dh: 1, dw: 1, ph: 1, pw: 1 };
    const b = streamMaxBacklog(ct, true);
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThanOrEqual(2 * 6 + 2);
  });
});

// A C++ program instantiating all four layer functions with both strategies on one random image.
const CONV = { H: 5, W: 4, C: 4, Ho: 4, Wo: 2, Co: 4, kh: 3, kw: 2, sh: 1, sw: 2, dh: 2, dw: 1, pt: 2, pl: 1, g: 2, rf: 4 };
const CT = { H: 3, W: 4, C: 4, Ho: 7, Wo: 10, Co: 4, kh: 3, kw: 4, sh: 2, sw: 3, dh: 1, dw: 1, pt: 1, pl: 2, g: 2, rf: 4, TH: 2, TW: 2 };
const fields = (c: typeof CONV): CursorGeometry => ({ H: c.H, W: c.W, Ho: c.Ho, Wo: c.Wo, kh: c.kh, kw: c.kw, sh: c.sh, sw: c.sw, dh: c.dh, dw: c.dw, ph: c.pt, pw: c.pl });
const STEPS_CONV = streamLoopIterations(fields(CONV), false, CONV.rf);
const STEPS_CT = streamLoopIterations(fields(CT), true, CT.rf);
const LINE_CT = streamWalk(fields(CT), true).lineDistance;

function program(stepsConv: number | string, stepsCt: number | string): string {
  const cfg = (name: string, base: string, c: typeof CONV, extra: string): string => `
template <unsigned S, unsigned STEPS> struct ${name} : nnet::${base} {
  typedef ap_fixed<8, 2> weight_t;
  typedef ap_fixed<12, 4> bias_t;
  typedef ap_fixed<22, 9> accum_t;
  static const unsigned in_height = ${c.H}, in_width = ${c.W}, n_chan = ${c.C}, out_height = ${c.Ho}, out_width = ${c.Wo}, n_filt = ${c.Co};
  static const unsigned filt_height = ${c.kh}, filt_width = ${c.kw}, stride_height = ${c.sh}, stride_width = ${c.sw};
  static const unsigned dilation_height = ${c.dh}, dilation_width = ${c.dw}, pad_top = ${c.pt}, pad_left = ${c.pl}, n_groups = ${c.g};
  static const unsigned reuse_factor = ${c.rf}, strategy = S, stream_steps = STEPS;${extra}
};`;
  return `#include "nnet_conv.h"
#include "nnet_conv_transpose.h"
#include <cstdio>
typedef ap_fixed<10, 4> in_t;
typedef ap_fixed<16, 6> out_t;
${cfg('cfg_conv', 'conv_config', CONV, '')}
${cfg('cfg_ct', 'conv_transpose_config', CT, `\n  static const unsigned phase_taps_height = ${CT.TH}, phase_taps_width = ${CT.TW}, line_distance = ${LINE_CT};`)}
static unsigned seed = 12345u;
static double next() { seed = seed * 1103515245u + 12345u; return ((seed >> 8) & 0xffff) / 65536.0 * 2.0 - 1.0; }

template <class CL, class CR, unsigned NI, unsigned NO, unsigned NW, unsigned C, unsigned CO, bool T>
int check(const char* name) {
  static in_t x[NI];
  static typename CL::weight_t w[NW];
  static typename CL::bias_t b[CO];
  for (unsigned i = 0; i < NI; i++) x[i] = next() * 7.0;
  for (unsigned i = 0; i < NW; i++) w[i] = next() * 1.9;
  for (unsigned i = 0; i < CO; i++) b[i] = next() * 3.0;
  static out_t y[4][NO];
  if constexpr (T) { nnet::conv_transpose_2d<in_t, out_t, CL>(x, y[0], w, b); nnet::conv_transpose_2d<in_t, out_t, CR>(x, y[1], w, b); }
  else { nnet::conv_2d<in_t, out_t, CL>(x, y[0], w, b); nnet::conv_2d<in_t, out_t, CR>(x, y[1], w, b); }
  typedef nnet::array<in_t, C> ipx;
  typedef nnet::array<out_t, CO> opx;
  for (int s = 0; s < 2; s++) {
    hls::stream<ipx> in("in");
    hls::stream<opx> out("out");
    for (unsigned p = 0; p < NI / C; p++) { ipx v; for (unsigned c = 0; c < C; c++) v[c] = x[p * C + c]; in.write(v); }
    if constexpr (T) { if (s == 0) nnet::conv_transpose_2d_stream<ipx, opx, CL>(in, out, w, b); else nnet::conv_transpose_2d_stream<ipx, opx, CR>(in, out, w, b); }
    else { if (s == 0) nnet::conv_2d_stream<ipx, opx, CL>(in, out, w, b); else nnet::conv_2d_stream<ipx, opx, CR>(in, out, w, b); }
    if (!in.empty()) { std::printf("%s: input not drained\\n", name); return 1; }
    for (unsigned p = 0; p < NO / CO; p++) { opx v = out.read(); for (unsigned c = 0; c < CO; c++) y[2 + s][p * CO + c] = v[c]; }
    if (!out.empty()) { std::printf("%s: extra output\\n", name); return 1; }
  }
  int bad = 0;
  double sum = 0;
  unsigned nonzero = 0;
  for (unsigned i = 0; i < NO; i++) {
    for (int k = 1; k < 4; k++) if (y[k][i] != y[0][i]) bad++;
    sum += y[0][i].to_double();
    if (y[0][i] != 0) nonzero++;
  }
  std::printf("%s mismatches %d nonzero %u of %u sum %.17g\\n", name, bad, nonzero, NO, sum);
  return bad;
}

int main() {
  int bad = 0;
  bad += check<cfg_conv<nnet::latency, ${stepsConv}>, cfg_conv<nnet::resource, ${stepsConv}>, ${CONV.H * CONV.W * CONV.C}, ${CONV.Ho * CONV.Wo * CONV.Co}, ${CONV.Co * (CONV.C / CONV.g) * CONV.kh * CONV.kw}, ${CONV.C}, ${CONV.Co}, false>("conv");
  bad += check<cfg_ct<nnet::latency, ${stepsCt}>, cfg_ct<nnet::resource, ${stepsCt}>, ${CT.H * CT.W * CT.C}, ${CT.Ho * CT.Wo * CT.Co}, ${CT.sh * CT.sw * CT.Co * (CT.C / CT.g) * CT.TH * CT.TW}, ${CT.C}, ${CT.Co}, true>("conv_transpose");
  return bad ? 1 : 0;
}
`;
}

function build(src: string, run: boolean): { compile: ReturnType<typeof spawnSync>; run?: ReturnType<typeof spawnSync> } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pragmas-'));
  try {
    const file = join(dir, 'p.cpp');
    writeFileSync(file, src);
    const exe = join(dir, 'p');
    const flags = ['-std=c++17', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-unknown-pragmas', '-Wno-unused-label', '-I', join(ROOT, 'include'), '-I', join(ROOT, 'nnet')];
    const compile = spawnSync('g++', [...flags, ...(run ? ['-o', exe] : ['-fsyntax-only']), file], { encoding: 'utf8' });
    if (!run || compile.status !== 0) return { compile };
    return { compile, run: spawnSync(exe, [], { encoding: 'utf8' }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the layer functions of both strategies compile warning-free and agree (g++ -Wall -Wextra -Werror)', () => {
  it('conv and conv_transpose: io_parallel and io_stream × Latency and Resource, bit for bit', () => {
    const r = build(program(STEPS_CONV, STEPS_CT), true);
    expect(r.compile.stderr).toBe('');
    expect(r.compile.status).toBe(0);
    expect(r.run!.stderr).toBe('');
    const out = String(r.run!.stdout);
    expect(out).toMatch(/^conv mismatches 0 nonzero (\d+) of 32 /m);
    expect(out).toMatch(/^conv_transpose mismatches 0 nonzero (\d+) of 280 /m);
    // Non-trivial outputs (random data): most values are nonzero.
    for (const m of out.matchAll(/nonzero (\d+) of (\d+)/g)) expect(Number(m[1])).toBeGreaterThan(Number(m[2]) / 2);
    expect(r.run!.status).toBe(0);
  });
  it('one iteration fewer than stream_steps leaves the image unfinished: C simulation aborts with a message', () => {
    const r = build(program(STEPS_CONV - 1, STEPS_CT), true);
    expect(r.compile.status).toBe(0);
    expect(r.run!.stderr).toMatch(/conv_2d_stream: stream_steps too small: read \d+ of 20 input pixels, wrote \d+ of 8 outputs/);
    expect(r.run!.status).not.toBe(0);
    // This ConvTranspose walks one step per output pixel (HLS.md: H_out·W_out steps), plus RF − 1 rounds each.
    expect(STEPS_CT).toBe(CT.Ho * CT.Wo * CT.rf);
    const t = build(program(STEPS_CONV, STEPS_CT - 1), true);
    expect(t.compile.status).toBe(0);
    expect(t.run!.stderr).toMatch(/conv_transpose_2d_stream: stream_steps too small: read \d+ of 12 input pixels, wrote 69 of 70 outputs/);
  });
  it('a config without stream_steps does not compile for io_stream', () => {
    const r = build(program(0, STEPS_CT), false);
    expect(r.compile.status).not.toBe(0);
    expect(String(r.compile.stderr)).toContain('stream_steps: set by the generator');
  });
});
