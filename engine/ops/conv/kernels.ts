// Fast float kernels of the Conv family, plain JavaScript (the WebAssembly SIMD ones in ./wasm are
// tried first and may decline). Layouts as in reference.ts: x NCX, Conv weight OIX, ConvTranspose
// weight IOX; 1D runs as 2D with H = 1.
//
// Both ops reduce to one register-tiled inner kernel (tileKernel): 4 output channels × 4 (or 2, 1) output
// positions accumulate over (tap, input channel) pairs — taps outside, channels inside with a constant
// stride — reading a zero-haloed copy of the input so the inner loop has no bounds tests.
// - Conv: the list holds every tap; output positions step by the stride in the input.
// - ConvTranspose by phase (sub-pixel) decomposition: outputs split into s_h·s_w phases; each phase
//   is an ordinary stride-1 correlation over only the taps that reach it (t·d ≡ phase mod s), so no
//   product with an inserted zero is ever computed. Phases may have different tap counts (k not a
//   multiple of s) or none (dilation): those outputs hold only the bias.
// - ConvTranspose of a 1×1 input (DCGAN's first layer) is a matrix–vector product: special-cased.
import type { Tensor } from '../../tensor/tensor';
import type { ConvGeometry } from './geometry';
import { convProblem, type ConvProblem } from './reference';
import { wasmConv, wasmConvTranspose } from './wasm';

const TILE = 4;
/** Input channels per reduction block (see tileKernel). */
const CI_BLOCK = 64;

/** The output data of problem v (N, Cout, Ho, Wo), each output-channel plane filled with its bias (or zeros). */
function biasFilledOutput(v: ConvProblem, bias: Float32Array | null): Float32Array {
  const plane = v.ho * v.wo;
  const y = new Float32Array(v.n * v.cout * plane);
  if (bias) for (let b = 0; b < v.n; b++) for (let c = 0; c < v.cout; c++) y.fill(bias[c], (b * v.cout + c) * plane, (b * v.cout + c + 1) * plane);
  return y;
}

/**
 * out[oBase + c·oPlane + oRow0 + r·oRowStep + q·oColStep] +=
 *   Σ_{t < T, ci < cinG} xp[xRow0 + r·xRowStep + q·xColStep + tapOffs[t] + ci·plane] · wp[((ct·T + t)·cinG + ci)·4 + c]
 * for every output channel c < cCount (in tiles of 4 = ct·4 + lane), row r < nRows, column q < nCols.
 * Taps outside, channels inside: the inner loop steps through channel planes with a constant stride.
 */
function tileKernel(
  xp: Float32Array, tapOffs: Int32Array, T: number, cinG: number, plane: number, wp: Float32Array, cCount: number,
  out: Float32Array, oBase: number, oPlane: number,
  nRows: number, nCols: number, xRow0: number, xRowStep: number, xColStep: number, oRow0: number, oRowStep: number, oColStep: number,
): void {
  const tiles = Math.ceil(cCount / TILE);
  const L = T * cinG;
  for (let ct = 0; ct < tiles; ct++) {
    const valid = Math.min(TILE, cCount - ct * TILE);
    const o0 = oBase + ct * TILE * oPlane;
    const o1 = o0 + oPlane;
    const o2 = o1 + oPlane;
    const o3 = o2 + oPlane;
    // Block the channel reduction so one block's weights (T · CI_BLOCK · 4 floats) stay in L1 while
    // every output position of the tile sweeps over them.
    for (let cb = 0; cb < cinG; cb += CI_BLOCK) {
      const span = (Math.min(cinG, cb + CI_BLOCK) - cb) * plane;
      const wBase = (ct * L + cb) * TILE;
      const wTapStep = cinG * TILE - (span / plane) * TILE;
      const xBlock = cb * plane;
      for (let r = 0; r < nRows; r++) {
        const xr = xRow0 + r * xRowStep + xBlock;
        const or = oRow0 + r * oRowStep;
        let q = 0;
        for (; q + 3 < nCols; q += 4) {
          const xq = xr + q * xColStep;
          const x2 = 2 * xColStep, x3 = 3 * xColStep;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
          let c0 = 0, c1 = 0, c2 = 0, c3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
          let wi = wBase;
          for (let t = 0; t < T; t++, wi += wTapStep) {
            let xa = xq + tapOffs[t];
            const end = xa + span;
            for (; xa < end; xa += plane, wi += 4) {
              const w0 = wp[wi], w1 = wp[wi + 1], w2 = wp[wi + 2], w3 = wp[wi + 3];
              const va = xp[xa];
              a0 += w0 * va; a1 += w1 * va; a2 += w2 * va; a3 += w3 * va;
              const vb = xp[xa + xColStep];
              b0 += w0 * vb; b1 += w1 * vb; b2 += w2 * vb; b3 += w3 * vb;
              const vc = xp[xa + x2];
              c0 += w0 * vc; c1 += w1 * vc; c2 += w2 * vc; c3 += w3 * vc;
              const vd = xp[xa + x3];
              d0 += w0 * vd; d1 += w1 * vd; d2 += w2 * vd; d3 += w3 * vd;
            }
          }
          const ia = or + q * oColStep;
          const ib = ia + oColStep, ic = ib + oColStep, id = ic + oColStep;
          out[o0 + ia] += a0; out[o0 + ib] += b0; out[o0 + ic] += c0; out[o0 + id] += d0;
          if (valid > 1) { out[o1 + ia] += a1; out[o1 + ib] += b1; out[o1 + ic] += c1; out[o1 + id] += d1; }
          if (valid > 2) { out[o2 + ia] += a2; out[o2 + ib] += b2; out[o2 + ic] += c2; out[o2 + id] += d2; }
          if (valid > 3) { out[o3 + ia] += a3; out[o3 + ib] += b3; out[o3 + ic] += c3; out[o3 + id] += d3; }
        }
        for (; q + 1 < nCols; q += 2) {
          const xq = xr + q * xColStep;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
          let wi = wBase;
          for (let t = 0; t < T; t++, wi += wTapStep) {
            let xa = xq + tapOffs[t];
            const end = xa + span;
            for (; xa < end; xa += plane, wi += 4) {
              const va = xp[xa];
              const vb = xp[xa + xColStep];
              const w0 = wp[wi], w1 = wp[wi + 1], w2 = wp[wi + 2], w3 = wp[wi + 3];
              a0 += w0 * va; a1 += w1 * va; a2 += w2 * va; a3 += w3 * va;
              b0 += w0 * vb; b1 += w1 * vb; b2 += w2 * vb; b3 += w3 * vb;
            }
          }
          const ia = or + q * oColStep;
          const ib = ia + oColStep;
          out[o0 + ia] += a0; out[o0 + ib] += b0;
          if (valid > 1) { out[o1 + ia] += a1; out[o1 + ib] += b1; }
          if (valid > 2) { out[o2 + ia] += a2; out[o2 + ib] += b2; }
          if (valid > 3) { out[o3 + ia] += a3; out[o3 + ib] += b3; }
        }
        if (q < nCols) {
          const xq = xr + q * xColStep;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          let wi = wBase;
          for (let t = 0; t < T; t++, wi += wTapStep) {
            let xa = xq + tapOffs[t];
            const end = xa + span;
            for (; xa < end; xa += plane, wi += 4) {
              const va = xp[xa];
              a0 += wp[wi] * va; a1 += wp[wi + 1] * va; a2 += wp[wi + 2] * va; a3 += wp[wi + 3] * va;
            }
          }
          const ia = or + q * oColStep;
          out[o0 + ia] += a0;
          if (valid > 1) out[o1 + ia] += a1;
          if (valid > 2) out[o2 + ia] += a2;
          if (valid > 3) out[o3 + ia] += a3;
        }
      }
    }
  }
}

/** Copies channels [c0, c0+count) of image n into a zero buffer of (count, hp, wp) at offset (top, left). */
function padInput(x: Float32Array, n: number, cin: number, h: number, w: number, c0: number, count: number,
  hp: number, wpad: number, top: number, left: number, buf: Float32Array): void {
  buf.fill(0);
  for (let c = 0; c < count; c++) {
    for (let ih = 0; ih < h; ih++) {
      const row = top + ih;
      if (row < 0 || row >= hp) continue;
      const src = ((n * cin + c0 + c) * h + ih) * w;
      const dst = (c * hp + row) * wpad + left;
      // columns of x that land inside the buffer
      const lo = Math.max(0, -left);
      const hi = Math.min(w, wpad - left);
      if (hi > lo) buf.set(x.subarray(src + lo, src + hi), dst + lo);
    }
  }
}

/** Fast Conv (x NCX, w OIX) in JavaScript. */
export function jsConv(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  const v = convProblem(x, w, g, false);
  const { cout, cinG, coutG, outShape, ho, wo } = v;
  const outPlane = ho * wo;
  const y = biasFilledOutput(v, bias);
  if (outPlane === 0) return { shape: outShape, data: y };
  const hp = (ho - 1) * v.sh + (v.kh - 1) * v.dh + 1;
  const wpad = (wo - 1) * v.sw + (v.kw - 1) * v.dw + 1;
  const K = v.kh * v.kw;
  const plane = hp * wpad;
  const tapOffs = new Int32Array(K);
  for (let th = 0; th < v.kh; th++) for (let tw = 0; tw < v.kw; tw++) tapOffs[th * v.kw + tw] = th * v.dh * wpad + tw * v.dw;
  const tiles = Math.ceil(coutG / TILE);
  const wp = new Float32Array(tiles * K * cinG * TILE);
  const buf = new Float32Array(cinG * plane);
  for (let grp = 0; grp < v.groups; grp++) {
    // (tile, tap, ci, lane) from OIX (co, ci, tap), read in memory order; lanes past Cout/g stay 0
    let src = grp * coutG * cinG * K;
    for (let col = 0; col < coutG; col++) {
      const ct = (col / TILE) | 0, c = col - ct * TILE;
      for (let ci = 0; ci < cinG; ci++)
        for (let t = 0; t < K; t++, src++) wp[((ct * K + t) * cinG + ci) * TILE + c] = w.data[src];
    }
    for (let n = 0; n < v.n; n++) {
      padInput(x.data, n, v.cin, v.h, v.w, grp * cinG, cinG, hp, wpad, v.pbh, v.pbw, buf);
      tileKernel(buf, tapOffs, K, cinG, plane, wp, coutG, y, (n * cout + grp * coutG) * outPlane, outPlane,
        ho, wo, 0, v.sh * wpad, v.sw, 0, wo, 1);
    }
  }
  return { shape: outShape, data: y };
}

interface AxisPhase {
  /** Phase r: outputs o with (o + pb) mod s = r. */
  r: number;
  /** Taps reaching the phase and their input offsets: input i = q − off. */
  taps: number[];
  offs: number[];
  /** Block range q ∈ [qLo, qHi] whose outputs o = q·s + r − pb lie in [0, out). */
  qLo: number;
  qHi: number;
}

function axisPhases(k: number, s: number, d: number, pb: number, out: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < s; r++) {
    const taps: number[] = [];
    const offs: number[] = [];
    for (let t = 0; t < k; t++) if ((t * d) % s === r) { taps.push(t); offs.push((t * d - r) / s); }
    const qLo = Math.ceil((pb - r) / s);
    const qHi = Math.floor((out - 1 + pb - r) / s);
    phases.push({ r, taps, offs, qLo, qHi });
  }
  return phases;
}

/** Fast ConvTranspose (x NCX, w IOX) in JavaScript. */
export function jsConvTranspose(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  const v = convProblem(x, w, g, true);
  const { cout, cinG, coutG, outShape, ho, wo } = v;
  const plane = ho * wo;
  const y = biasFilledOutput(v, bias);
  if (plane === 0) return { shape: outShape, data: y };
  if (v.h === 1 && v.w === 1) {
    convTransposeOnePixel(x.data, w.data, v, y);
    return { shape: outShape, data: y };
  }
  const ph = axisPhases(v.kh, v.sh, v.dh, v.pbh, ho);
  const pw = axisPhases(v.kw, v.sw, v.dw, v.pbw, wo);
  // Halo so that every i = q − off read by a non-empty phase lies inside the padded buffer.
  const halo = (phases: AxisPhase[], size: number) => {
    let lo = 0, hi = 0;
    for (const p of phases) {
      if (p.taps.length === 0 || p.qLo > p.qHi) continue;
      lo = Math.max(lo, Math.max(...p.offs) - p.qLo);
      hi = Math.max(hi, p.qHi - Math.min(...p.offs) - (size - 1));
    }
    return [lo, hi];
  };
  const [topH, botH] = halo(ph, v.h);
  const [leftW, rightW] = halo(pw, v.w);
  const hp = v.h + topH + botH;
  const wpad = v.w + leftW + rightW;
  const buf = new Float32Array(cinG * hp * wpad);
  const tiles = Math.ceil(coutG / TILE);
  const kk = v.kh * v.kw;
  const xPlane = hp * wpad;
  interface PhasePack { T: number; wp: Float32Array; tapOffs: Int32Array; nRows: number; nCols: number; xRow0: number; oRow0: number }
  // Phases with outputs and taps, and where each kernel tap goes: its phase and its index there.
  const packs: PhasePack[] = [];
  const tapPack = new Int32Array(kk).fill(-1);
  const tapIndex = new Int32Array(kk);
  for (const a of ph) {
    if (a.taps.length === 0 || a.qLo > a.qHi) continue;
    for (const b of pw) {
      if (b.taps.length === 0 || b.qLo > b.qHi) continue;
      const T = a.taps.length * b.taps.length;
      const tapOffs = new Int32Array(T);
      for (let ia = 0; ia < a.taps.length; ia++) {
        for (let ib = 0; ib < b.taps.length; ib++) {
          const t = ia * b.taps.length + ib;
          tapOffs[t] = -a.offs[ia] * wpad - b.offs[ib];
          const tap = a.taps[ia] * v.kw + b.taps[ib];
          tapPack[tap] = packs.length;
          tapIndex[tap] = t;
        }
      }
      packs.push({
        T, tapOffs, wp: new Float32Array(tiles * T * cinG * TILE),
        nRows: a.qHi - a.qLo + 1,
        nCols: b.qHi - b.qLo + 1,
        xRow0: (a.qLo + topH) * wpad + b.qLo + leftW,
        oRow0: (a.qLo * v.sh + a.r - v.pbh) * wo + b.qLo * v.sw + b.r - v.pbw,
      });
    }
  }
  for (let grp = 0; grp < v.groups; grp++) {
    // Pack each phase's weights as (tile, tap, ci, lane) from this group's IOX weights (ci, col, tap),
    // one input channel at a time: its weight row (Cout/g · k_h · k_w) stays in L1 while it is spread.
    const fullTiles = Math.floor(coutG / TILE);
    const tailLanes = coutG - fullTiles * TILE;
    for (let ci = 0; ci < cinG; ci++) {
      const row = (grp * cinG + ci) * coutG * kk;
      for (let tap = 0; tap < kk; tap++) {
        const pi = tapPack[tap];
        if (pi < 0) continue;
        const p = packs[pi];
        const wpk = p.wp;
        const step = p.T * cinG * TILE;
        let dst = (tapIndex[tap] * cinG + ci) * TILE;
        let src = row + tap;
        for (let ct = 0; ct < fullTiles; ct++, dst += step, src += TILE * kk) {
          wpk[dst] = w.data[src];
          wpk[dst + 1] = w.data[src + kk];
          wpk[dst + 2] = w.data[src + 2 * kk];
          wpk[dst + 3] = w.data[src + 3 * kk];
        }
        for (let c = 0; c < tailLanes; c++) wpk[dst + c] = w.data[src + c * kk];
      }
    }
    for (let n = 0; n < v.n; n++) {
      padInput(x.data, n, v.cin, v.h, v.w, grp * cinG, cinG, hp, wpad, topH, leftW, buf);
      for (const p of packs) {
        tileKernel(buf, p.tapOffs, p.T, cinG, xPlane, p.wp, coutG, y, (n * cout + grp * coutG) * plane, plane,
          p.nRows, p.nCols, p.xRow0, wpad, 1, p.oRow0, v.sh * wo, v.sw);
      }
    }
  }
  return { shape: outShape, data: y };
}

/**
 * ConvTranspose of a 1×1 input: full position f = t·d per axis, so y[co, t·d − pb] += Σ_ci x[ci]·w[ci, co, t].
 * One axpy per input channel over the contiguous weight row (Cout/g · k_h · k_w), then a scatter of the taps.
 */
function convTransposeOnePixel(x: Float32Array, w: Float32Array, v: ConvProblem, y: Float32Array): void {
  const { cout, cinG, coutG, ho, wo } = v;
  const kk = v.kh * v.kw;
  const rowLen = coutG * kk;
  const acc = new Float64Array(rowLen);
  for (let n = 0; n < v.n; n++) {
    for (let grp = 0; grp < v.groups; grp++) {
      acc.fill(0);
      const x0 = n * v.cin + grp * cinG;
      let ci = 0;
      // four input channels per sweep: one accumulator load/store per 4 multiply-adds
      for (; ci + 3 < cinG; ci += 4) {
        const xa = x[x0 + ci], xb = x[x0 + ci + 1], xc = x[x0 + ci + 2], xd = x[x0 + ci + 3];
        const ba = (grp * cinG + ci) * rowLen, bb = ba + rowLen, bc = bb + rowLen, bd = bc + rowLen;
        for (let e = 0; e < rowLen; e++) acc[e] += xa * w[ba + e] + xb * w[bb + e] + xc * w[bc + e] + xd * w[bd + e];
      }
      for (; ci < cinG; ci++) {
        const xv = x[x0 + ci];
        const base = (grp * cinG + ci) * rowLen;
        for (let e = 0; e < rowLen; e++) acc[e] += xv * w[base + e];
      }
      for (let col = 0; col < coutG; col++) {
        const yBase = (n * cout + grp * coutG + col) * ho * wo;
        for (let th = 0; th < v.kh; th++) {
          const oh = th * v.dh - v.pbh;
          if (oh < 0 || oh >= ho) continue;
          for (let tw = 0; tw < v.kw; tw++) {
            const ow = tw * v.dw - v.pbw;
            if (ow < 0 || ow >= wo) continue;
            y[yBase + oh * wo + ow] += acc[col * kk + th * v.kw + tw];
          }
        }
      }
    }
  }
}

/** Conv, x NCX, w OIX: the WebAssembly kernel if it accepts the case, else the JavaScript one. */
export function fastConv(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  return wasmConv(x, w, bias, g) ?? jsConv(x, w, bias, g);
}

/** ConvTranspose, x NCX, w IOX: the WebAssembly kernel if it accepts the case, else the JavaScript one. */
export function fastConvTranspose(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  return wasmConvTranspose(x, w, bias, g) ?? jsConvTranspose(x, w, bias, g);
}
