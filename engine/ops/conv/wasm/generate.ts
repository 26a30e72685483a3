// Generates the WebAssembly SIMD kernel module (run `npm run build:wasm` after changing it; the
// bytes are embedded in module.generated.ts and a test checks they are current).
//
// One kernel shape serves Conv and every ConvTranspose phase: an implicit GEMM over a grid of
// output pixels (rows × cols) and output channels, summing over taps and input channels:
//
//   out[co, r, c] = bias[co] + Σ_taps Σ_ci x[ci, pixel(r, c) + tapOffset] · w[tap, ci, co]
//
// Taps carry the output rows/cols for which they read inside the input; rows are exact (a row
// only visits its valid taps), column tiles visit a tap when any pixel in the tile is valid and
// read zeros from the padded input columns otherwise. Vectorised over output channels (f32x4),
// register-tiled over neighbouring pixels × output channels. Two families: 'wide' (8 channels × 4
// pixels) and 'narrow' (4 channels × 8 pixels). Float layers with 1–4 output channels per group whose
// pixels read neighbouring inputs use the row families instead (rowKernel: vectorised over pixels).
//
// Each kernel also exists in integer arithmetic (i32x4, wrapping modulo 2^32) for the bit-exact fixed-point
// path (engine/fixed/fast.ts): every product is shifted right by termShift (floor, the AP_TRN cast of a
// product to accum_t), the sum shifted left by sumShift, then the bias (the accumulator's start) added:
//   out[co, r, c] = bias[co] + (Σ_taps Σ_ci (x · w) >> termShift) << sumShift
// termShift is a constant of the module (generateIntModule, built at run time per value: a shift by a
// variable costs V8 two more instructions per product); sumShift is a parameter. Float kernels ignore it.
// A third, wide variant ('i64') sums the exact products in i64x2 lanes (int32 operands, no wrap) and stores
// each sum as a double (exact below 2^53; the caller proves the bound), without bias or sumShift:
//   out[co, r, c] = Σ_taps Σ_ci (x · w) >> termShift
// for accumulators wider than 32 bits. Its families have the same channel blocks (the same packed weights)
// and half the pixels per tile (twice the accumulator registers per pixel).
import { assemble, Body, I32, V128, type ValType } from './asm';

export interface KernelFamily {
  name: string;
  /** Output channels per register block (multiple of 4); weights are packed in blocks of this width. */
  coBlock: number;
  /** Output pixels per register tile along a row. */
  tilePixels: number;
}

export const FAMILIES: readonly KernelFamily[] = [
  { name: 'wide', coBlock: 8, tilePixels: 4 },
  { name: 'narrow', coBlock: 4, tilePixels: 8 },
];
/** Largest column step (in input elements) of a pixel tile that has its own kernel. */
export const MAX_TILED_STEP = 3;
/** Bytes of one tap record: xOff, wOff, rowLo, rowHi, colLo, colHi (i32 each). */
export const TAP_BYTES = 24;

/** Parameter order of every kernel (all i32; byte addresses and byte steps). */
export const KERNEL_PARAMS = [
  'xBase', // address of input channel 0 at pixel (0, 0) before tap offsets
  'chanStep', // bytes between input channels
  'rowStep', // bytes between output rows, on the input side
  'colStep', // bytes between output cols, on the input side
  'cin', // input channels summed (≥ 1)
  'tapsPtr', // tap records
  'nTaps',
  'wBase', // packed weights: [coBlock][tap][ci][coBlock channels]
  'cbStride', // bytes between co blocks in the packed weights
  'nCb', // co blocks (≥ 1)
  'outBase', // address of out channel 0 at pixel (0, 0)
  'oRowStep',
  'oColStep',
  'oChanStep',
  'biasPtr', // nCb·coBlock floats
  'nRows', // ≥ 1
  'nCols', // ≥ 1
  'coValid', // channels actually stored (the rest of the last block is padding)
  'nBatch', // samples (≥ 1), each with its own input and output
  'xBatchStep', // bytes between samples' inputs
  'oBatchStep', // bytes between samples' outputs
  'sumShift', // integer kernels: left shift of the sum before the bias (0…31)
] as const;

/** Multiply-add arithmetic of a kernel: f32 (mul + add), f32 with relaxed-SIMD fused madd, wrapping i32, exact i64. */
export type KernelArith = 'f32' | 'fma' | 'i32' | 'i64';

/** The families of the i64 kernels: the same channel blocks as FAMILIES, half the tile pixels. */
export const WIDE_FAMILIES: readonly KernelFamily[] = FAMILIES.map((f) => ({ ...f, tilePixels: f.tilePixels / 2 }));

type P = (typeof KERNEL_PARAMS)[number];

function kernel(fam: KernelFamily, tiledStep: number, arith: KernelArith, termShift = 0): Body {
  const CO_BLOCK = fam.coBlock;
  const TILE_PIXELS = fam.tilePixels;
  const params: ValType[] = KERNEL_PARAMS.map(() => I32);
  const b = new Body(params);
  const p = (n: P) => KERNEL_PARAMS.indexOf(n);
  const cbi = b.local(I32);
  const r = b.local(I32);
  const c = b.local(I32);
  const rowX = b.local(I32);
  const rowO = b.local(I32);
  const wBlock = b.local(I32);
  const j = b.local(I32);
  const tp = b.local(I32);
  const xp = b.local(I32);
  const wp = b.local(I32);
  const ci = b.local(I32);
  const opix = b.local(I32);
  const bp = b.local(I32);
  const co0 = b.local(I32);
  const nb = b.local(I32);
  const xBaseN = b.local(I32);
  const oBaseN = b.local(I32);
  const maxP = TILE_PIXELS;
  const C = CO_BLOCK / 4;
  const wide = arith === 'i64';
  // Accumulator vectors per pixel: one per 4 channels, two (i64x2) when wide.
  const A = wide ? 2 * C : C;
  const acc: number[][] = [];
  for (let i = 0; i < maxP; i++) acc.push(Array.from({ length: A }, () => b.local(V128)));
  const wv = Array.from({ length: C }, () => b.local(V128));
  const xs = b.local(V128);
  const tmp = b.local(V128);

  const tile = (P: number, step: number) => {
    for (let i = 0; i < P; i++) for (let v = 0; v < A; v++) b.v128Zero().set(acc[i][v]);
    b.get(p('nTaps')).set(j);
    b.get(p('tapsPtr')).set(tp);
    b.block(() =>
      b.loop(() => {
        b.get(j).eqz().brIf(1);
        b.block(() => {
          b.get(r).get(tp).loadI32(8).ltS().brIf(0);
          b.get(r).get(tp).loadI32(12).gtS().brIf(0);
          b.get(c).i32(P - 1).add().get(tp).loadI32(16).ltS().brIf(0);
          b.get(c).get(tp).loadI32(20).gtS().brIf(0);
          b.get(rowX).get(c).get(p('colStep')).mul().add().get(tp).loadI32(0).add().set(xp);
          b.get(wBlock).get(tp).loadI32(4).add().set(wp);
          b.get(p('cin')).set(ci);
          b.loop(() => {
            for (let v = 0; v < C; v++) b.get(wp).v128Load(16 * v).set(wv[v]);
            for (let i = 0; i < P; i++) {
              b.get(xp).load32Splat(i * step * 4).set(xs);
              for (let v = 0; v < C; v++) {
                if (arith === 'fma') b.get(xs).get(wv[v]).get(acc[i][v]).f32x4RelaxedMadd().set(acc[i][v]);
                else if (arith === 'f32') b.get(acc[i][v]).get(xs).get(wv[v]).f32x4Mul().f32x4Add().set(acc[i][v]);
                else if (arith === 'i32') {
                  b.get(acc[i][v]).get(xs).get(wv[v]).i32x4Mul();
                  if (termShift > 0) b.i32(termShift).i32x4ShrS();
                  b.i32x4Add().set(acc[i][v]);
                } else {
                  for (const half of [0, 1]) {
                    const a = acc[i][2 * v + half];
                    b.get(a).get(xs).get(wv[v]);
                    if (half === 0) b.i64x2ExtmulLowI32x4S();
                    else b.i64x2ExtmulHighI32x4S();
                    if (termShift > 0) b.i32(termShift).i64x2ShrS();
                    b.i64x2Add().set(a);
                  }
                }
              }
            }
            b.get(xp).get(p('chanStep')).add().set(xp);
            b.get(wp).i32(CO_BLOCK * 4).add().set(wp);
            b.get(ci).i32(1).sub().tee(ci).brIf(0);
          });
        });
        b.get(tp).i32(24).add().set(tp);
        b.get(j).i32(1).sub().set(j);
        b.br(0);
      }),
    );
    // Store with bias; lanes past coValid are padding.
    for (let i = 0; i < P; i++) {
      b.get(rowO).get(c).i32(i).add().get(p('oColStep')).mul().add().set(opix);
      if (wide) {
        // Sums as doubles, no bias.
        for (let v = 0; v < A; v++) {
          for (let l = 0; l < 2; l++) {
            const k = 2 * v + l;
            b.get(co0).i32(k).add().get(p('coValid')).ltS();
            b.if(() => {
              b.get(opix).get(p('oChanStep')).i32(k).mul().add();
              b.get(acc[i][v]).i64x2ExtractLane(l).f64ConvertI64S().storeF64();
            });
          }
        }
        continue;
      }
      for (let v = 0; v < C; v++) {
        if (arith === 'i32') b.get(acc[i][v]).get(p('sumShift')).i32x4Shl().get(bp).v128Load(16 * v).i32x4Add().set(tmp);
        else b.get(acc[i][v]).get(bp).v128Load(16 * v).f32x4Add().set(tmp);
        for (let l = 0; l < 4; l++) {
          const k = 4 * v + l;
          b.get(co0).i32(k).add().get(p('coValid')).ltS();
          b.if(() => {
            b.get(opix).get(p('oChanStep')).i32(k).mul().add();
            if (arith === 'i32') b.get(tmp).i32x4ExtractLane(l).storeI32();
            else b.get(tmp).f32x4ExtractLane(l).storeF32();
          });
        }
      }
    }
  };

  blockSampleRowLoops(b, CO_BLOCK, { cbi, co0, wBlock, bp, nb, xBaseN, oBaseN, r, rowX, rowO, c }, () => {
    if (tiledStep > 0) {
      b.block(() =>
        b.loop(() => {
          b.get(c).i32(TILE_PIXELS).add().get(p('nCols')).gtS().brIf(1);
          tile(TILE_PIXELS, tiledStep);
          b.get(c).i32(TILE_PIXELS).add().set(c);
          b.br(0);
        }),
      );
    }
    b.block(() =>
      b.loop(() => {
        b.get(c).get(p('nCols')).geS().brIf(1);
        tile(1, 0);
        b.get(c).i32(1).add().set(c);
        b.br(0);
      }),
    );
  });
  return b;
}

/** The locals of the loops every kernel family shares (blockSampleRowLoops). */
interface LoopLocals {
  cbi: number;
  co0: number;
  wBlock: number;
  bp: number;
  nb: number;
  xBaseN: number;
  oBaseN: number;
  r: number;
  rowX: number;
  rowO: number;
  c: number;
}

/**
 * The loop nest of both kernel families: blocks of `coBlock` output channels (their weights and biases), then
 * the samples (one block of weights serves the whole batch), then the rows; `columns` emits one row's pixels,
 * entered with c = 0 and rowX / rowO at the row's input and output.
 */
function blockSampleRowLoops(b: Body, coBlock: number, v: LoopLocals, columns: () => void): void {
  const p = (n: P) => KERNEL_PARAMS.indexOf(n);
  b.i32(0).set(v.cbi);
  b.loop(() => {
    b.get(v.cbi).i32(coBlock).mul().set(v.co0);
    b.get(p('wBase')).get(v.cbi).get(p('cbStride')).mul().add().set(v.wBlock);
    b.get(p('biasPtr')).get(v.co0).i32(4).mul().add().set(v.bp);
    b.i32(0).set(v.nb);
    b.get(p('xBase')).set(v.xBaseN);
    b.get(p('outBase')).set(v.oBaseN);
    b.loop(() => {
      b.i32(0).set(v.r);
      b.loop(() => {
        b.get(v.xBaseN).get(v.r).get(p('rowStep')).mul().add().set(v.rowX);
        b.get(v.oBaseN).get(v.r).get(p('oRowStep')).mul().add().get(v.co0).get(p('oChanStep')).mul().add().set(v.rowO);
        b.i32(0).set(v.c);
        columns();
        b.get(v.r).i32(1).add().tee(v.r).get(p('nRows')).ltS().brIf(0);
      });
      b.get(v.xBaseN).get(p('xBatchStep')).add().set(v.xBaseN);
      b.get(v.oBaseN).get(p('oBatchStep')).add().set(v.oBaseN);
      b.get(v.nb).i32(1).add().tee(v.nb).get(p('nBatch')).ltS().brIf(0);
    });
    b.get(v.cbi).i32(1).add().tee(v.cbi).get(p('nCb')).ltS().brIf(0);
  });
}

/**
 * Float kernels for layers with few output channels per group (1–4) whose output pixels read neighbouring
 * input pixels (every ConvTranspose phase, stride-1 Conv): vectorised over 4 neighbouring output pixels of a
 * row instead of over channels, so no lane computes a padding channel. Per (tap, input channel) a tile loads
 * its pixels as `vectors` f32x4 and the coBlock weights as splats, and multiply-adds every pair (coBlock ×
 * vectors accumulators). Tiles of 4·vectors pixels, then one of each narrower width that fits; the last
 * 1–3 pixels of a row run a 4-pixel
 * tile that stores only its valid lanes (its other lanes read the zero columns of the padded input).
 * Same parameters, packed weights ([coBlock][tap][ci][coBlock channels]) and padded input as the
 * channel-vectorised kernels; colStep must be 4 bytes.
 */
export interface RowFamily {
  name: string;
  /** Output channels per block (1–4): weights are packed in blocks of this width. */
  coBlock: number;
  /** f32x4 pixel vectors per tile: tilePixels = 4 · vectors. */
  vectors: number;
  tilePixels: number;
}

/** Accumulators coBlock · vectors ≤ 12 (x64 has 16 vector registers: accumulators, pixels, one splat). */
export const ROW_FAMILIES: readonly RowFamily[] = [
  { coBlock: 1, vectors: 4 },
  { coBlock: 2, vectors: 4 },
  { coBlock: 3, vectors: 3 },
  { coBlock: 4, vectors: 2 },
].map((f) => ({ ...f, name: `rows${f.coBlock}`, tilePixels: 4 * f.vectors }));

function rowKernel(fam: RowFamily, fma: boolean): Body {
  const CB = fam.coBlock;
  const b = new Body(KERNEL_PARAMS.map(() => I32));
  const p = (n: P) => KERNEL_PARAMS.indexOf(n);
  const cbi = b.local(I32);
  const r = b.local(I32);
  const c = b.local(I32);
  const rowX = b.local(I32);
  const rowO = b.local(I32);
  const wBlock = b.local(I32);
  const j = b.local(I32);
  const tp = b.local(I32);
  const xp = b.local(I32);
  const wp = b.local(I32);
  const ci = b.local(I32);
  const bp = b.local(I32);
  const co0 = b.local(I32);
  const nb = b.local(I32);
  const xBaseN = b.local(I32);
  const oBaseN = b.local(I32);
  const valid = b.local(I32);
  const acc: number[][] = Array.from({ length: CB }, () => Array.from({ length: fam.vectors }, () => b.local(V128)));
  const xv = Array.from({ length: fam.vectors }, () => b.local(V128));
  const ws = b.local(V128);
  const tmp = b.local(V128);

  /** One tile of V vectors (4·V pixels) at column c; masked: store only the first `valid` pixels (V = 1). */
  const tile = (V: number, masked: boolean) => {
    const P = 4 * V;
    for (let co = 0; co < CB; co++) for (let v = 0; v < V; v++) b.v128Zero().set(acc[co][v]);
    b.get(p('nTaps')).set(j);
    b.get(p('tapsPtr')).set(tp);
    b.block(() =>
      b.loop(() => {
        b.get(j).eqz().brIf(1);
        b.block(() => {
          b.get(r).get(tp).loadI32(8).ltS().brIf(0);
          b.get(r).get(tp).loadI32(12).gtS().brIf(0);
          b.get(c).i32(P - 1).add().get(tp).loadI32(16).ltS().brIf(0);
          b.get(c).get(tp).loadI32(20).gtS().brIf(0);
          b.get(rowX).get(c).i32(4).mul().add().get(tp).loadI32(0).add().set(xp);
          b.get(wBlock).get(tp).loadI32(4).add().set(wp);
          b.get(p('cin')).set(ci);
          b.loop(() => {
            for (let v = 0; v < V; v++) b.get(xp).v128Load(16 * v).set(xv[v]);
            for (let co = 0; co < CB; co++) {
              b.get(wp).load32Splat(4 * co).set(ws);
              for (let v = 0; v < V; v++) {
                if (fma) b.get(xv[v]).get(ws).get(acc[co][v]).f32x4RelaxedMadd().set(acc[co][v]);
                else b.get(acc[co][v]).get(xv[v]).get(ws).f32x4Mul().f32x4Add().set(acc[co][v]);
              }
            }
            b.get(xp).get(p('chanStep')).add().set(xp);
            b.get(wp).i32(CB * 4).add().set(wp);
            b.get(ci).i32(1).sub().tee(ci).brIf(0);
          });
        });
        b.get(tp).i32(TAP_BYTES).add().set(tp);
        b.get(j).i32(1).sub().set(j);
        b.br(0);
      }),
    );
    // Store with bias; channels past coValid are padding, pixels past `valid` (masked tile) too.
    for (let co = 0; co < CB; co++) {
      b.get(co0).i32(co).add().get(p('coValid')).ltS();
      b.if(() => {
        b.get(bp).load32Splat(4 * co).set(ws);
        for (let v = 0; v < V; v++) {
          b.get(acc[co][v]).get(ws).f32x4Add().set(tmp);
          for (let l = 0; l < 4; l++) {
            const px = 4 * v + l;
            const store = () => {
              b.get(rowO).get(c).i32(px).add().get(p('oColStep')).mul().add().i32(co).get(p('oChanStep')).mul().add();
              b.get(tmp).f32x4ExtractLane(l).storeF32();
            };
            if (masked && px > 0) {
              b.get(valid).i32(px).gtS();
              b.if(store);
            } else store();
          }
        }
      });
    }
  };

  blockSampleRowLoops(b, CB, { cbi, co0, wBlock, bp, nb, xBaseN, oBaseN, r, rowX, rowO, c }, () => {
    // Full tiles, then at most one tile of each smaller width (what is left is under 4 · vectors pixels).
    b.block(() =>
      b.loop(() => {
        b.get(c).i32(4 * fam.vectors).add().get(p('nCols')).gtS().brIf(1);
        tile(fam.vectors, false);
        b.get(c).i32(4 * fam.vectors).add().set(c);
        b.br(0);
      }),
    );
    for (let V = fam.vectors - 1; V >= 1; V--) {
      b.get(c).i32(4 * V).add().get(p('nCols')).leS();
      b.if(() => {
        tile(V, false);
        b.get(c).i32(4 * V).add().set(c);
      });
    }
    b.get(p('nCols')).get(c).sub().tee(valid).i32(0).gtS();
    b.if(() => tile(1, true));
  });
  return b;
}

/** Parameters of pad (all i32; byte addresses). */
export const PAD_PARAMS = ['src', 'dst', 'cin', 'h', 'w', 'wp', 'padC'] as const;

/**
 * pad: input sample src [cin][h][w] → dst [h][cin][wp], each row at column padC with zeros either
 * side (wp = w + 2·padC). Rows outermost keep the channels of one input row close together.
 */
function pad(): Body {
  const b = new Body(PAD_PARAMS.map(() => I32));
  const p = (n: (typeof PAD_PARAMS)[number]) => PAD_PARAMS.indexOf(n);
  const r = b.local(I32);
  const c = b.local(I32);
  const s = b.local(I32);
  const d = b.local(I32);
  const i = b.local(I32);
  const zeros = (count: number) => {
    // count: a local holding how many floats to zero at d (d advances).
    b.get(count).set(i);
    b.block(() =>
      b.loop(() => {
        b.get(i).eqz().brIf(1);
        b.get(d).i32(0).storeI32();
        b.get(d).i32(4).add().set(d);
        b.get(i).i32(1).sub().set(i);
        b.br(0);
      }),
    );
  };
  b.get(p('dst')).set(d);
  b.i32(0).set(r);
  b.loop(() => {
    b.i32(0).set(c);
    b.loop(() => {
      // s = src + ((c·h + r)·w)·4
      b.get(p('src')).get(c).get(p('h')).mul().get(r).add().get(p('w')).mul().i32(4).mul().add().set(s);
      zeros(p('padC'));
      b.get(p('w')).set(i);
      b.loop(() => {
        b.get(d).get(s).loadI32().storeI32();
        b.get(d).i32(4).add().set(d);
        b.get(s).i32(4).add().set(s);
        b.get(i).i32(1).sub().tee(i).brIf(0);
      });
      zeros(p('padC'));
      b.get(c).i32(1).add().tee(c).get(p('cin')).ltS().brIf(0);
    });
    b.get(r).i32(1).add().tee(r).get(p('h')).ltS().brIf(0);
  });
  return b;
}

/**
 * Export names: <family>1…<family>3 tile pixels whose input columns are 1…3 apart; <family>0 has no tiles.
 * Integer kernels carry the prefix int_.
 */
export function kernelName(fam: KernelFamily, tiledStep: number, integer = false): string {
  return `${integer ? 'int_' : ''}${fam.name}${tiledStep}`;
}

/**
 * The float module; with fma, multiply-adds use relaxed SIMD's f32x4.relaxed_madd (one fused
 * instruction where the CPU has FMA) and the module only validates where relaxed SIMD exists.
 */
export function generateModule(fma = false): Uint8Array<ArrayBuffer> {
  const funcs = [];
  for (const fam of FAMILIES) {
    for (let s = 0; s <= MAX_TILED_STEP; s++) {
      funcs.push({ name: kernelName(fam, s), params: KERNEL_PARAMS.map(() => I32 as ValType), body: kernel(fam, s, fma ? 'fma' : 'f32') });
    }
  }
  for (const fam of ROW_FAMILIES) funcs.push({ name: fam.name, params: KERNEL_PARAMS.map(() => I32 as ValType), body: rowKernel(fam, fma) });
  funcs.push({ name: 'pad', params: PAD_PARAMS.map(() => I32 as ValType), body: pad() });
  return assemble(funcs);
}

/**
 * The integer kernels with every product shifted right by termShift (0…31; wide: 0…63), sharing the float
 * module's memory: wrapping i32 (FAMILIES), or exact i64 sums stored as doubles (wide, WIDE_FAMILIES).
 */
export function generateIntModule(termShift: number, wide = false): Uint8Array<ArrayBuffer> {
  const maxShift = wide ? 63 : 31;
  if (!Number.isInteger(termShift) || termShift < 0 || termShift > maxShift) throw new RangeError(`termShift ${termShift}: must be an integer 0…${maxShift}`);
  const funcs = [];
  for (const fam of wide ? WIDE_FAMILIES : FAMILIES) {
    for (let s = 0; s <= MAX_TILED_STEP; s++) {
      funcs.push({ name: kernelName(fam, s, true), params: KERNEL_PARAMS.map(() => I32 as ValType), body: kernel(fam, s, wide ? 'i64' : 'i32', termShift) });
    }
  }
  return assemble(funcs);
}
