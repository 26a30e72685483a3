// Accelerated (WebAssembly SIMD) conv kernels. Each returns null where it does not apply (no SIMD
// at runtime, shapes the caller must diagnose), and the caller falls back to the JavaScript kernels.
//
// ConvTranspose runs by phase (sub-pixel) decomposition, SEMANTICS.md: for each phase (r_h, r_w)
// the outputs o = q·s + r − pb form a small ordinary convolution over the input with the taps
// t·d ≡ r (mod s), so no product with an inserted zero is ever computed. Conv is the same
// implicit GEMM with column step s. Both use the kernels of generate.ts (f32x4 over output
// channels with pixel register tiles; over pixels for few output channels). Weights are repacked per
// phase once and cached by the identity of the weight Float32Array (a re-run with the same weights does
// not repack), and so is each call's plan (addresses, tap tables, kernel arguments) per input shape.
//
// The same driver runs the integer kernels for the bit-exact fixed-point path: wasmConvInt32 /
// wasmConvTransposeInt32 take Int32 mantissas and return wrapping int32 sums; wasmConvSums64 returns exact
// int64 sums as doubles (accumulators wider than 32 bits).
import type { Tensor } from '../../../tensor/tensor';
import type { ConvGeometry } from '../geometry';
import { convOutputShape, convTransposeOutputShape, view2D, type View2D } from '../reference';
import { fromBase64 } from './embed';
import { FAMILIES, KERNEL_PARAMS, MAX_TILED_STEP, ROW_FAMILIES, TAP_BYTES, WIDE_FAMILIES, generateIntModule, kernelName } from './generate';
import { KERNEL_WASM_BASE64, KERNEL_WASM_FMA_BASE64 } from './module.generated';

type KernelFn = (...args: number[]) => void;

export type WasmConvFlavor = 'fma' | 'simd';

interface Runtime {
  flavor: WasmConvFlavor;
  memory: WebAssembly.Memory;
  /** kernels[family index][tiled step]. */
  kernels: KernelFn[][];
  /** The float pixel-vectorised kernels, by ROW_FAMILIES index. */
  rowKernels: KernelFn[];
  /** The integer kernels by width and term shift ('i32:10', 'i64:0'), built on first use (null: refused here). */
  intKernels: Map<string, KernelFn[][] | null>;
  pad: KernelFn;
  /** Packed weights live in [ARENA_START, weightTop); scratch follows. */
  weightTop: number;
  /** Bumped when the weight arena is reset: packs placed in an older epoch are gone. */
  epoch: number;
}

const ARENA_START = 1024;
/** Weight arena size above which it is emptied (packs are re-copied from their JS copies). */
let weightArenaCap = 256 * 1024 * 1024;

export interface WasmConvLimits {
  /** Weight arena size above which it is emptied. */
  weightArenaBytes: number;
  /** Per-sample scratch a call batches together (at least one sample always). */
  scratchBytes: number;
}

/** For tests: small limits exercise the arena reset and batch chunking. Returns the previous limits. */
export function setWasmConvLimits(limits: Partial<WasmConvLimits>): WasmConvLimits {
  const old = { weightArenaBytes: weightArenaCap, scratchBytes: scratchBudget };
  weightArenaCap = limits.weightArenaBytes ?? weightArenaCap;
  scratchBudget = limits.scratchBytes ?? scratchBudget;
  return old;
}
const PAGE = 65536;
/** Bytes of per-sample scratch (inputs and outputs) a call batches together. */
let scratchBudget = 32 * 1024 * 1024;
/** Largest memory we ask for (the wasm32 limit is 4 GiB; engines often stop earlier). */
const MAX_MEMORY = 2 ** 31;

/** Instantiated kernels per flavour (null: that flavour cannot run here); the preference picks one. */
const runtimes = new Map<WasmConvFlavor, Runtime | null>();
let preference: WasmConvFlavor | 'auto' | 'off' = 'auto';
/** Epochs are never reused, so packs placed in a discarded runtime's memory are never trusted. */
let nextEpoch = 0;

function kernelBytes(flavor: WasmConvFlavor): Uint8Array<ArrayBuffer> {
  return fromBase64(flavor === 'fma' ? KERNEL_WASM_FMA_BASE64 : KERNEL_WASM_BASE64);
}

function kernelTable(instance: WebAssembly.Instance, integer: boolean): KernelFn[][] {
  return FAMILIES.map((fam) => {
    const ks: KernelFn[] = [];
    for (let s = 0; s <= MAX_TILED_STEP; s++) ks.push(instance.exports[kernelName(fam, s, integer)] as KernelFn);
    return ks;
  });
}

function fromInstance(flavor: WasmConvFlavor, memory: WebAssembly.Memory, instance: WebAssembly.Instance): Runtime {
  const rowKernels = ROW_FAMILIES.map((f) => instance.exports[f.name] as KernelFn);
  return { flavor, memory, kernels: kernelTable(instance, false), rowKernels, intKernels: new Map(), pad: instance.exports.pad as KernelFn, weightTop: ARENA_START, epoch: nextEpoch++ };
}

/** The integer kernels for one width and term shift, compiled on first use into the runtime's memory; null if refused. */
function intKernels(rt: Runtime, termShift: number, wide: boolean): KernelFn[][] | null {
  const key = `${wide ? 'i64' : 'i32'}:${termShift}`;
  let table = rt.intKernels.get(key);
  if (table !== undefined) return table;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(generateIntModule(termShift, wide)), { env: { memory: rt.memory } });
    table = kernelTable(instance, true);
  } catch {
    table = null; // e.g. a browser main thread refusing a synchronous compile: callers fall back to JS
  }
  rt.intKernels.set(key, table);
  return table;
}

function instantiate(flavor: WasmConvFlavor): Runtime | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = kernelBytes(flavor);
    if (!WebAssembly.validate(bytes)) return null; // no (relaxed) SIMD here
    const memory = new WebAssembly.Memory({ initial: 64 });
    // Synchronous compile: fine in Node and Web Workers; a browser main thread may refuse it
    // (size limit), then the caller falls back unless prepareWasmConv() ran first.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return fromInstance(flavor, memory, instance);
  } catch {
    return null;
  }
}

/**
 * Compiles the kernels asynchronously (allowed everywhere, including a browser main thread) so
 * later synchronous calls use them. Optional in Node and workers. Resolves to the flavour in use.
 */
export async function prepareWasmConv(): Promise<WasmConvFlavor | null> {
  if (typeof WebAssembly !== 'object' || preference === 'off') return null;
  for (const flavor of preferredOrder()) {
    const have = runtimes.get(flavor);
    if (have) return flavor;
    if (have === null) continue;
    try {
      const bytes = kernelBytes(flavor);
      if (!WebAssembly.validate(bytes)) {
        runtimes.set(flavor, null);
        continue;
      }
      const memory = new WebAssembly.Memory({ initial: 64 });
      const module = await WebAssembly.compile(bytes);
      const instance = await WebAssembly.instantiate(module, { env: { memory } });
      if (!runtimes.get(flavor)) runtimes.set(flavor, fromInstance(flavor, memory, instance)); // unless a synchronous call won meanwhile
      return flavor;
    } catch {
      // try the next flavour
    }
  }
  return null;
}

/** Drops the instantiated kernels (and the weights resident in their memory); for tests. */
export function resetWasmConvRuntime(): void {
  runtimes.clear();
}

function preferredOrder(): WasmConvFlavor[] {
  return preference === 'off' ? [] : preference === 'auto' ? ['fma', 'simd'] : [preference];
}

function getRuntime(): Runtime | null {
  for (const flavor of preferredOrder()) {
    if (!runtimes.has(flavor)) runtimes.set(flavor, instantiate(flavor));
    const rt = runtimes.get(flavor);
    if (rt) return rt;
  }
  return null;
}

/** The kernels in use: 'fma' (relaxed-SIMD multiply-add), 'simd' (SIMD128), or null (none: callers fall back). */
export function wasmConvFlavor(): WasmConvFlavor | null {
  return getRuntime()?.flavor ?? null;
}

/** True when the SIMD kernels can run here. */
export function wasmConvAvailable(): boolean {
  return getRuntime() !== null;
}

/**
 * Chooses the kernel flavour ('auto': FMA where relaxed SIMD exists, else SIMD128; 'off': none, so every
 * caller takes its JavaScript fallback); for tests and benchmarks. Returns whether kernels can run.
 * Each flavour keeps its own instance and resident weights, so switching back and forth costs nothing.
 */
export function setWasmConvFlavor(pref: WasmConvFlavor | 'auto' | 'off'): boolean {
  preference = pref;
  return getRuntime() !== null;
}

/** Grows the memory to at least `bytes`; false when the engine refuses (too large a problem). */
function ensureBytes(rt: Runtime, bytes: number): boolean {
  const have = rt.memory.buffer.byteLength;
  if (bytes <= have) return true;
  if (bytes > MAX_MEMORY) return false;
  try {
    rt.memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

const align64 = (n: number) => Math.ceil(n / 64) * 64;

// ---------------------------------------------------------------------------------------------
// Geometry seen as 2D; per-axis tap lists.

/** The problem as 2D (reference.ts's view), its output size and its number of spatial axes. */
interface Dims extends View2D {
  oh: number;
  ow: number;
  rank: number;
}

const isPosInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isNatInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The problem as 2D (1D: H = 1), or null when the shapes or geometry are not ones we run. */
function dims(x: Tensor, g: ConvGeometry, transposed: boolean): Dims | null {
  const rank = x.shape.length - 2;
  if (rank !== 1 && rank !== 2) return null;
  for (const a of [g.kernel, g.stride, g.dilation, g.padsBegin, g.padsEnd, g.outputPadding]) if (!Array.isArray(a) || a.length !== rank) return null;
  if (![...g.kernel, ...g.stride, ...g.dilation, g.groups].every(isPosInt)) return null;
  if (![...g.padsBegin, ...g.padsEnd, ...g.outputPadding].every(isNatInt)) return null;
  if (!x.shape.every(isPosInt)) return null;
  const outShape = (transposed ? convTransposeOutputShape : convOutputShape)(x, 1, g);
  const d: Dims = { ...view2D(x, g), oh: rank === 2 ? outShape[2] : 1, ow: outShape[rank + 1], rank };
  if (d.oh < 1 || d.ow < 1) return null;
  if (d.cin % d.groups !== 0) return null;
  return d;
}

/** One tap on one axis: input index = pixel·step + delta; kIndex is the kernel tap it uses. */
interface AxisTap {
  kIndex: number;
  delta: number;
}

/** One output grid on one axis: pixel m ∈ [0, count) writes output m·outStep + outStart. */
interface AxisPhase {
  count: number;
  outStart: number;
  outStep: number;
  /** Input step between neighbouring pixels. */
  step: number;
  taps: AxisTap[];
}

/** ConvTranspose phases of one axis: outputs o ≡ r − pb (mod s); taps t with t·d ≡ r (mod s). */
function transposePhases(inS: number, k: number, s: number, dl: number, pb: number, out: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < s; r++) {
    const q0 = Math.ceil((pb - r) / s);
    const q1 = Math.floor((out - 1 + pb - r) / s);
    const taps: AxisTap[] = [];
    for (let t = 0; t < k; t++) if ((t * dl) % s === r) taps.push({ kIndex: t, delta: q0 - (t * dl - r) / s });
    phases.push({ count: q1 - q0 + 1, outStart: q0 * s + r - pb, outStep: s, step: 1, taps });
  }
  void inS;
  return phases;
}

/** Conv on one axis: a single grid, input index o·s − pb + t·d. */
function convPhase(k: number, s: number, dl: number, pb: number, out: number): AxisPhase {
  const taps: AxisTap[] = [];
  for (let t = 0; t < k; t++) taps.push({ kIndex: t, delta: t * dl - pb });
  return { count: out, outStart: 0, outStep: 1, step: s, taps };
}

/** Pixels m ∈ [0, count) for which tap reads inside [0, inS). */
function validRange(tap: AxisTap, step: number, inS: number, count: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-tap.delta / step));
  const hi = Math.min(count - 1, Math.floor((inS - 1 - tap.delta) / step));
  return [lo, hi];
}

// ---------------------------------------------------------------------------------------------
// Weight packing: per 2D phase, per group, blocks [coBlock][tap][ci][fam.coBlock channels].

/** One phase's packed weights: its taps per axis (independent of the input size; so is the pack). */
interface PhasePack {
  hTaps: AxisTap[];
  wTaps: AxisTap[];
  /** Float offset of each group's block in the pack. */
  groupOffset: number[];
  cbStride: number; // floats
}

/** Element arrays the kernels run on (4 bytes each): floats, or int32 fixed-point mantissas. */
type Lanes = Float32Array | Int32Array;

/** A tensor of int32 mantissas (NCX), as the integer kernels take and return them. */
export interface Int32Tensor {
  shape: readonly number[];
  data: Int32Array;
}

/** The integer kernels' shifts: every product >> term (floor), the sum << sum; both 0…31. */
export interface Int32Shifts {
  term: number;
  sum: number;
}

/** How run() computes: float kernels, wrapping int32 ones with shifts, or exact int64 sums returned as doubles. */
type Arith = { kind: 'float' } | { kind: 'i32'; shifts: Int32Shifts } | { kind: 'i64'; termShift: number };

function viewLike(like: Lanes, buf: ArrayBuffer, byteOffset: number, length: number): Lanes {
  return like instanceof Int32Array ? new Int32Array(buf, byteOffset, length) : new Float32Array(buf, byteOffset, length);
}

interface Pack {
  data: Lanes;
  phases: PhasePack[];
  nCb: number;
  /** Where the pack sits in each runtime's memory (one per flavour), valid while that runtime's arena epoch is unchanged. */
  homes: { rt: Runtime; addr: number; epoch: number }[];
}

const packCache = new WeakMap<Lanes, Map<string, Pack>>();

/**
 * Packed weights (and the plans using them) are cached by the identity of the weight array: code that
 * changes weight values in place (instead of replacing the array) must call this with that array.
 */
export function invalidateWasmConvWeights(weights: Lanes): void {
  packCache.delete(weights);
  planCache.delete(weights);
}

function packWeights(
  w: { shape: readonly number[]; data: Lanes },
  d: Dims,
  coutG: number,
  transposed: boolean,
  phases2D: { hPhase: AxisPhase; wPhase: AxisPhase }[],
  CO_BLOCK: number,
): Pack {
  const key = `${transposed ? 'T' : 'C'}${CO_BLOCK}|${w.shape.join(',')}|${d.groups}|${d.kh},${d.kw},${d.sh},${d.sw},${d.dh},${d.dw},${d.pbh},${d.pbw}`;
  let byKey = packCache.get(w.data);
  if (!byKey) {
    byKey = new Map();
    packCache.set(w.data, byKey);
  }
  const hit = byKey.get(key);
  if (hit) return hit;

  const cinG = d.cin / d.groups;
  const nCb = Math.ceil(coutG / CO_BLOCK);
  let total = 0;
  const phases: PhasePack[] = phases2D.map(({ hPhase, wPhase }) => {
    const nT = hPhase.taps.length * wPhase.taps.length;
    const cbStride = nT * cinG * CO_BLOCK;
    const groupOffset: number[] = [];
    for (let gi = 0; gi < d.groups; gi++) {
      groupOffset.push(total);
      total += nCb * cbStride;
    }
    return { hTaps: hPhase.taps, wTaps: wPhase.taps, groupOffset, cbStride };
  });
  const data = w.data instanceof Int32Array ? new Int32Array(total) : new Float32Array(total);
  const src = w.data;
  const khw = d.kh * d.kw;
  for (const ph of phases) {
    for (let gi = 0; gi < d.groups; gi++) {
      let o = ph.groupOffset[gi];
      for (let cb = 0; cb < nCb; cb++) {
        for (const th of ph.hTaps) {
          for (const tw of ph.wTaps) {
            const tapIdx = th.kIndex * d.kw + tw.kIndex;
            for (let ci = 0; ci < cinG; ci++) {
              for (let l = 0; l < CO_BLOCK; l++, o++) {
                const co = cb * CO_BLOCK + l;
                if (co >= coutG) continue;
                // IOX (Cin, Cout/g, k…) for ConvTranspose, OIX (Cout, Cin/g, k…) for Conv.
                const idx = transposed ? ((gi * cinG + ci) * coutG + co) * khw + tapIdx : ((gi * coutG + co) * cinG + ci) * khw + tapIdx;
                data[o] = src[idx];
              }
            }
          }
        }
      }
    }
  }
  const pack: Pack = { data, phases, nCb, homes: [] };
  byKey.set(key, pack);
  return pack;
}

/**
 * Makes the pack resident in wasm memory (copying it in unless it already is) and returns its
 * address, or -1 when memory cannot grow that far.
 */
function residentAddr(rt: Runtime, pack: Pack): number {
  let home = pack.homes.find((h) => h.rt === rt);
  if (home && home.epoch === rt.epoch) return home.addr;
  const bytes = pack.data.length * 4;
  if (rt.weightTop + bytes > weightArenaCap && rt.weightTop > ARENA_START) {
    rt.epoch = nextEpoch++;
    rt.weightTop = ARENA_START;
  }
  const addr = rt.weightTop;
  if (!ensureBytes(rt, addr + bytes)) return -1;
  viewLike(pack.data, rt.memory.buffer, addr, pack.data.length).set(pack.data);
  rt.weightTop = align64(addr + bytes);
  if (!home) pack.homes.push((home = { rt, addr, epoch: rt.epoch }));
  home.addr = addr;
  home.epoch = rt.epoch;
  return addr;
}

// ---------------------------------------------------------------------------------------------
// Plans: everything about a call that does not depend on the values of x and bias (checked shapes, the
// weight pack's address, scratch layout, tap tables, the kernel calls and their arguments), made on the
// first call with an input shape and reused while the runtime's weight arena is unchanged (the scratch
// lies above it). A small layer's call is then a copy in, the kernels, a copy out.

/** Whether pixel tiles on this column grid waste too many products (then: one pixel at a time). */
function tilesPay(wPhase: AxisPhase, inW: number, TILE_PIXELS: number): boolean {
  let exact = 0;
  let tiled = 0;
  for (const tap of wPhase.taps) {
    const [lo, hi] = validRange(tap, wPhase.step, inW, wPhase.count);
    if (lo > hi) continue;
    exact += hi - lo + 1;
    const full = Math.floor(wPhase.count / TILE_PIXELS) * TILE_PIXELS;
    for (let c = 0; c < full; c += TILE_PIXELS) if (c + TILE_PIXELS - 1 >= lo && c <= hi) tiled += TILE_PIXELS;
    for (let c = full; c < wPhase.count; c++) if (c >= lo && c <= hi) tiled += 1;
  }
  return tiled <= exact * 1.25;
}

/** What a plan was made for; a call reuses it only when all of it matches. */
interface PlanKey {
  rt: Runtime;
  epoch: number;
  weightTop: number;
  xShape: readonly number[];
  wShape: readonly number[];
  geometry: ConvGeometry;
  transposed: boolean;
  arith: string;
  biasLength: number;
}

interface Plan extends PlanKey {
  outShape: number[];
  integer: boolean;
  wide: boolean;
  n: number;
  cin: number;
  h: number;
  w: number;
  groups: number;
  coutG: number;
  coBlock: number;
  nCb: number;
  wp: number;
  padC: number;
  chunk: number;
  xFloats: number;
  rawFloats: number;
  outPerSample: number;
  tapsAddr: number;
  tapTable: Int32Array;
  biasAddr: number;
  xAddr: number;
  rawAddr: number;
  outAddr: number;
  /** One kernel call per (phase, group); args in KERNEL_PARAMS order, nBatch set per chunk. */
  calls: { kernel: KernelFn; args: number[] }[];
}

const N_BATCH_ARG = KERNEL_PARAMS.indexOf('nBatch');
/** Plans kept per weight array (input shapes, flavours and arithmetic seen with those weights). */
const MAX_PLANS = 8;
const planCache = new WeakMap<Lanes, Plan[]>();

const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function sameGeometry(a: ConvGeometry, b: ConvGeometry): boolean {
  return a.groups === b.groups && sameList(a.kernel, b.kernel) && sameList(a.stride, b.stride) && sameList(a.dilation, b.dilation) &&
    sameList(a.padsBegin, b.padsBegin) && sameList(a.padsEnd, b.padsEnd) && sameList(a.outputPadding, b.outputPadding);
}

function planFits(p: PlanKey, k: PlanKey): boolean {
  return p.rt === k.rt && p.epoch === k.rt.epoch && p.weightTop === k.rt.weightTop && p.transposed === k.transposed && p.arith === k.arith &&
    p.biasLength === k.biasLength && sameList(p.xShape, k.xShape) && sameList(p.wShape, k.wShape) && sameGeometry(p.geometry, k.geometry);
}

function arithKey(arith: Arith): string {
  return arith.kind === 'float' ? 'f' : arith.kind === 'i32' ? `i32:${arith.shifts.term}:${arith.shifts.sum}` : `i64:${arith.termShift}`;
}

const copyGeometry = (g: ConvGeometry): ConvGeometry => ({
  kernel: [...g.kernel], stride: [...g.stride], dilation: [...g.dilation], padsBegin: [...g.padsBegin], padsEnd: [...g.padsEnd], outputPadding: [...g.outputPadding], groups: g.groups,
});

/** The plan for a call, or null when the kernels do not take it (the caller falls back to JavaScript). */
function makePlan(rt: Runtime, x: { shape: readonly number[] }, w: { shape: readonly number[]; data: Lanes }, bias: Lanes | null, g: ConvGeometry, transposed: boolean, arith: Arith): Plan | null {
  const integer = arith.kind !== 'float';
  const shiftOk = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;
  if (arith.kind === 'i32' && !(shiftOk(arith.shifts.term, 31) && shiftOk(arith.shifts.sum, 31))) return null;
  if (arith.kind === 'i64' && !shiftOk(arith.termShift, 63)) return null;
  const wide = arith.kind === 'i64';
  const kernels = arith.kind === 'i32' ? intKernels(rt, arith.shifts.term, false) : wide ? intKernels(rt, arith.termShift, true) : rt.kernels;
  if (!kernels) return null;
  // Output elements: 4 bytes (float, int32), or 8 (the i64 kernels' sums as doubles).
  const OB = wide ? 8 : 4;
  const d = dims(x as Tensor, g, transposed);
  if (!d) return null;
  if (w.shape.length !== d.rank + 2) return null;
  const cinG = d.cin / d.groups;
  let coutG: number;
  if (transposed) {
    if (w.shape[0] !== d.cin) return null;
    coutG = w.shape[1];
  } else {
    if (w.shape[1] !== cinG || w.shape[0] % d.groups !== 0) return null;
    coutG = w.shape[0] / d.groups;
  }
  const kShape = d.rank === 2 ? [d.kh, d.kw] : [d.kw];
  if (!kShape.every((k, i) => w.shape[2 + i] === k)) return null;
  if (!isPosInt(coutG)) return null;
  const cout = coutG * d.groups;
  if (bias && bias.length !== cout) return null;
  if (w.data.length !== d.cin * coutG * d.kh * d.kw) return null;

  const phases2D: { hPhase: AxisPhase; wPhase: AxisPhase }[] = [];
  if (transposed) {
    const hs = transposePhases(d.h, d.kh, d.sh, d.dh, d.pbh, d.oh);
    const ws = transposePhases(d.w, d.kw, d.sw, d.dw, d.pbw, d.ow);
    for (const hPhase of hs) for (const wPhase of ws) phases2D.push({ hPhase, wPhase });
  } else {
    phases2D.push({ hPhase: convPhase(d.kh, d.sh, d.dh, d.pbh, d.oh), wPhase: convPhase(d.kw, d.sw, d.dw, d.pbw, d.ow) });
  }
  // Column step of the pixel grid on the input side: 1 for every ConvTranspose phase, s for Conv.
  const colStepEl = transposed ? 1 : d.sw;
  // Few output channels per group, float, neighbouring pixels: the pixel-vectorised kernels (no padding
  // lanes). Else channel-vectorised: 8-channel blocks, or 4-channel blocks with wider pixel tiles.
  const rowFamily = !integer && colStepEl === 1 ? ROW_FAMILIES.find((f) => f.coBlock === coutG) : undefined;
  const famIndex = coutG <= 4 ? 1 : 0;
  const fam = rowFamily ?? (wide ? WIDE_FAMILIES : FAMILIES)[famIndex];
  const CO_BLOCK = fam.coBlock;
  const pack = packWeights(w, d, coutG, transposed, phases2D, CO_BLOCK);
  const wAddr = residentAddr(rt, pack);
  if (wAddr < 0) return null;
  const nCb = pack.nCb;

  const tiledKernel = rowFamily ? 1 : colStepEl <= MAX_TILED_STEP ? colStepEl : 0;
  const padC = tiledKernel > 0 ? (fam.tilePixels - 1) * colStepEl : 0;
  const wp = d.w + 2 * padC;

  // Scratch: tap tables, bias, then for a chunk of samples: padded input, raw input, output.
  let maxTaps = 0;
  for (const ph of phases2D) maxTaps = Math.max(maxTaps, ph.hPhase.taps.length * ph.wPhase.taps.length);
  const tapsAddr = align64(rt.weightTop);
  const biasAddr = align64(tapsAddr + phases2D.length * maxTaps * TAP_BYTES);
  const xAddr = align64(biasAddr + d.groups * nCb * CO_BLOCK * 4);
  const xFloats = d.cin * d.h * wp;
  const rawFloats = d.cin * d.h * d.w;
  const outPerSample = cout * d.oh * d.ow;
  const chunk = Math.max(1, Math.min(d.n, Math.floor(scratchBudget / ((xFloats + rawFloats) * 4 + outPerSample * OB))));
  const rawAddr = align64(xAddr + chunk * xFloats * 4);
  const outAddr = align64(rawAddr + chunk * rawFloats * 4);
  if (!ensureBytes(rt, outAddr + chunk * outPerSample * OB)) return null;

  // Tap tables per phase, and the kernel calls. The pack (cached across input sizes) gives each phase's
  // weights; its rows and columns come from this call's phases.
  const tapTable = new Int32Array((phases2D.length * maxTaps * TAP_BYTES) >> 2);
  const calls: Plan['calls'] = [];
  phases2D.forEach(({ hPhase, wPhase }, pi) => {
    const ph = pack.phases[pi];
    if (hPhase.count < 1 || wPhase.count < 1) return;
    const tapsPtr = tapsAddr + pi * maxTaps * TAP_BYTES;
    let nTaps = 0;
    let j = 0;
    for (const th of hPhase.taps) {
      const [rLo, rHi] = validRange(th, hPhase.step, d.h, hPhase.count);
      for (const tw of wPhase.taps) {
        const [cLo, cHi] = validRange(tw, wPhase.step, d.w, wPhase.count);
        if (rLo <= rHi && cLo <= cHi) {
          const rec = ((tapsPtr - tapsAddr) >> 2) + nTaps * (TAP_BYTES >> 2);
          tapTable[rec] = (th.delta * d.cin * wp + tw.delta) * 4;
          tapTable[rec + 1] = j * cinG * CO_BLOCK * 4;
          tapTable[rec + 2] = rLo;
          tapTable[rec + 3] = rHi;
          tapTable[rec + 4] = cLo;
          tapTable[rec + 5] = cHi;
          nTaps++;
        }
        j++;
      }
    }
    const kernel = rowFamily ? rt.rowKernels[ROW_FAMILIES.indexOf(rowFamily)] : kernels[famIndex][tiledKernel > 0 && tilesPay(wPhase, d.w, fam.tilePixels) ? tiledKernel : 0];
    for (let gi = 0; gi < d.groups; gi++) {
      const args: Record<(typeof KERNEL_PARAMS)[number], number> = {
        xBase: xAddr + (gi * cinG * wp + padC) * 4,
        chanStep: wp * 4,
        rowStep: hPhase.step * d.cin * wp * 4,
        colStep: wPhase.step * 4,
        cin: cinG,
        tapsPtr,
        nTaps,
        wBase: wAddr + ph.groupOffset[gi] * 4,
        cbStride: ph.cbStride * 4,
        nCb,
        outBase: outAddr + (gi * coutG * d.oh * d.ow + hPhase.outStart * d.ow + wPhase.outStart) * OB,
        oRowStep: hPhase.outStep * d.ow * OB,
        oColStep: wPhase.outStep * OB,
        oChanStep: d.oh * d.ow * OB,
        biasPtr: biasAddr + gi * nCb * CO_BLOCK * 4,
        nRows: hPhase.count,
        nCols: wPhase.count,
        coValid: coutG,
        nBatch: 1,
        xBatchStep: xFloats * 4,
        oBatchStep: outPerSample * OB,
        sumShift: arith.kind === 'i32' ? arith.shifts.sum : 0,
      };
      calls.push({ kernel, args: KERNEL_PARAMS.map((k) => args[k]) });
    }
  });

  return {
    rt, epoch: rt.epoch, weightTop: rt.weightTop, xShape: [...x.shape], wShape: [...w.shape], geometry: copyGeometry(g), transposed, arith: arithKey(arith), biasLength: bias ? bias.length : -1,
    outShape: d.rank === 2 ? [d.n, cout, d.oh, d.ow] : [d.n, cout, d.ow],
    integer, wide, n: d.n, cin: d.cin, h: d.h, w: d.w, groups: d.groups, coutG, coBlock: CO_BLOCK, nCb, wp, padC, chunk, xFloats, rawFloats, outPerSample,
    tapsAddr, tapTable, biasAddr, xAddr, rawAddr, outAddr, calls,
  };
}

/** x, w and bias share one element type: Float32Array for float arithmetic, Int32Array for the integer ones. */
function run(x: { shape: readonly number[]; data: Lanes }, w: { shape: readonly number[]; data: Lanes }, bias: Lanes | null, g: ConvGeometry, transposed: boolean, arith: Arith): { shape: number[]; data: Lanes | Float64Array } | null {
  const rt = getRuntime();
  if (!rt) return null;
  const integer = arith.kind !== 'float';
  if (integer !== x.data instanceof Int32Array || !(w.data instanceof x.data.constructor) || (bias && !(bias instanceof x.data.constructor))) return null;
  const key: PlanKey = { rt, epoch: rt.epoch, weightTop: rt.weightTop, xShape: x.shape, wShape: w.shape, geometry: g, transposed, arith: arithKey(arith), biasLength: bias ? bias.length : -1 };
  let plans = planCache.get(w.data);
  let plan = plans?.find((p) => planFits(p, key)) ?? null;
  if (!plan) {
    plan = makePlan(rt, x, w, bias, g, transposed, arith);
    if (!plan) return null;
    if (!plans) planCache.set(w.data, (plans = []));
    // Plans made under an older arena can never fit again.
    for (let i = plans.length - 1; i >= 0; i--) if (plans[i].rt === rt && (plans[i].epoch !== rt.epoch || plans[i].weightTop !== rt.weightTop)) plans.splice(i, 1);
    if (plans.length >= MAX_PLANS) plans.shift();
    plans.push(plan);
  }
  if (x.data.length !== plan.n * plan.cin * plan.h * plan.w) return null;
  return execute(plan, x.data, bias);
}

function execute(plan: Plan, x: Lanes, bias: Lanes | null): { shape: number[]; data: Lanes | Float64Array } {
  const { rt, chunk, xFloats, rawFloats, outPerSample, n } = plan;
  const buf = rt.memory.buffer;
  const heap = plan.integer ? new Int32Array(buf) : new Float32Array(buf);
  new Int32Array(buf, plan.tapsAddr, plan.tapTable.length).set(plan.tapTable);
  const blockW = plan.nCb * plan.coBlock;
  for (let gi = 0; gi < plan.groups; gi++) {
    const base = (plan.biasAddr >> 2) + gi * blockW;
    for (let co = 0; co < blockW; co++) heap[base + co] = bias && co < plan.coutG ? bias[gi * plan.coutG + co] : 0;
  }
  const out = plan.wide ? new Float64Array(n * outPerSample) : plan.integer ? new Int32Array(n * outPerSample) : new Float32Array(n * outPerSample);
  const outHeap = plan.wide ? new Float64Array(buf, plan.outAddr, chunk * outPerSample) : heap.subarray(plan.outAddr >> 2, (plan.outAddr >> 2) + chunk * outPerSample);
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const nb = Math.min(chunk, n - n0);
    // Padded input, rows outermost ([h][cin][wp]: the channels of one row are close together),
    // zero columns either side of every row.
    heap.set(x.subarray(n0 * rawFloats, (n0 + nb) * rawFloats), plan.rawAddr >> 2);
    // (arguments in PAD_PARAMS order)
    for (let i = 0; i < nb; i++) rt.pad(plan.rawAddr + i * rawFloats * 4, plan.xAddr + i * xFloats * 4, plan.cin, plan.h, plan.w, plan.wp, plan.padC);
    for (const call of plan.calls) {
      call.args[N_BATCH_ARG] = nb;
      call.kernel(...call.args);
    }
    out.set(outHeap.subarray(0, nb * outPerSample), n0 * outPerSample);
  }
  return { shape: [...plan.outShape], data: out };
}

/** x: (N, Cin, …spatial) NCX; w: IOX (Cin, Cout/g, …k); returns (N, Cout, …out) or null. */
export function wasmConvTranspose(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor | null {
  return run(x, w, bias, g, true, { kind: 'float' }) as Tensor | null;
}

/** x: (N, Cin, …spatial) NCX; w: OIX (Cout, Cin/g, …k); returns (N, Cout, …out) or null. */
export function wasmConv(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor | null {
  return run(x, w, bias, g, false, { kind: 'float' }) as Tensor | null;
}

/**
 * Integer ConvTranspose (layouts as wasmConvTranspose): out = bias + (Σ (x·w) >> term) << sum, every operation
 * wrapping modulo 2^32 (order-free, so equal to any accumulation order). null where the kernels can't run.
 */
export function wasmConvTransposeInt32(x: Int32Tensor, w: Int32Tensor, bias: Int32Array | null, g: ConvGeometry, shifts: Int32Shifts): Int32Tensor | null {
  return run(x, w, bias, g, true, { kind: 'i32', shifts }) as Int32Tensor | null;
}

/** Integer Conv (layouts as wasmConv), arithmetic as wasmConvTransposeInt32. */
export function wasmConvInt32(x: Int32Tensor, w: Int32Tensor, bias: Int32Array | null, g: ConvGeometry, shifts: Int32Shifts): Int32Tensor | null {
  return run(x, w, bias, g, false, { kind: 'i32', shifts }) as Int32Tensor | null;
}

/**
 * Exact wide sums (ConvTranspose when transposed, else Conv; layouts as the float kernels): Σ (x·w) >> termShift
 * (0…63) over int32 operands in int64, returned as doubles, exact while every |sum| < 2^53 (the caller's bound).
 */
export function wasmConvSums64(x: Int32Tensor, w: Int32Tensor, g: ConvGeometry, termShift: number, transposed: boolean): { shape: number[]; data: Float64Array } | null {
  return run(x, w, null, g, transposed, { kind: 'i64', termShift }) as { shape: number[]; data: Float64Array } | null;
}
