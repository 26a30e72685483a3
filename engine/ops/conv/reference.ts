// Reference Conv and ConvTranspose, written straight from the definitions in SEMANTICS.md.
// Slow on purpose: they are the semantics the fast kernels and the tests are held to.
// Layouts: x NCX (N, C, …spatial), Conv weight OIX (Cout, Cin/g, …k), ConvTranspose weight IOX
// (Cin, Cout/g, …k). 1D and 2D share the code: 1D is 2D with H = 1.
import type { Tensor } from '../../tensor/tensor';
import { convOutputSize, convTransposeOutputSize, type ConvGeometry } from './geometry';

/** Geometry and sizes of a 1D or 2D problem seen as 2D (a 1D axis becomes W, H = 1). */
export interface View2D {
  n: number;
  cin: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pbh: number;
  pbw: number;
  peh: number;
  pew: number;
  oph: number;
  opw: number;
  groups: number;
}

export function view2D(x: Tensor, g: ConvGeometry): View2D {
  const rank = x.shape.length - 2;
  if (rank !== 1 && rank !== 2) throw new RangeError(`conv kernels take 1 or 2 spatial axes, got input shape [${x.shape.join(', ')}]`);
  if (g.kernel.length !== rank) throw new RangeError(`geometry has ${g.kernel.length} axes, input has ${rank} spatial axes`);
  const h = rank === 2 ? 0 : -1;
  const w = rank - 1;
  const at = (a: number[], i: number, dflt: number) => (i < 0 ? dflt : a[i]);
  return {
    n: x.shape[0],
    cin: x.shape[1],
    h: rank === 2 ? x.shape[2] : 1,
    w: x.shape[x.shape.length - 1],
    kh: at(g.kernel, h, 1),
    kw: g.kernel[w],
    sh: at(g.stride, h, 1),
    sw: g.stride[w],
    dh: at(g.dilation, h, 1),
    dw: g.dilation[w],
    pbh: at(g.padsBegin, h, 0),
    pbw: g.padsBegin[w],
    peh: at(g.padsEnd, h, 0),
    pew: g.padsEnd[w],
    oph: at(g.outputPadding, h, 0),
    opw: g.outputPadding[w],
    groups: g.groups,
  };
}

export function convOutputShape(x: Tensor, cout: number, g: ConvGeometry): number[] {
  return [x.shape[0], cout, ...x.shape.slice(2).map((s, a) => convOutputSize(s, g, a))];
}

export function convTransposeOutputShape(x: Tensor, cout: number, g: ConvGeometry): number[] {
  return [x.shape[0], cout, ...x.shape.slice(2).map((s, a) => convTransposeOutputSize(s, g, a))];
}

/** A Conv (w OIX) or ConvTranspose (w IOX) problem as 2D: channels, output shape and its H, W (H = 1 for 1D). */
export interface ConvProblem extends View2D {
  cout: number;
  cinG: number;
  coutG: number;
  outShape: number[];
  ho: number;
  wo: number;
}

export function convProblem(x: Tensor, w: Tensor, g: ConvGeometry, transposed: boolean): ConvProblem {
  const v = view2D(x, g);
  const cout = transposed ? w.shape[1] * v.groups : w.shape[0];
  const outShape = transposed ? convTransposeOutputShape(x, cout, g) : convOutputShape(x, cout, g);
  return {
    ...v,
    cout,
    cinG: v.cin / v.groups,
    coutG: cout / v.groups,
    outShape,
    ho: outShape.length === 4 ? outShape[2] : 1,
    wo: outShape[outShape.length - 1],
  };
}

/** y[n,co,o] = bias[co] + Σ_{ci∈group(co), t} x[n, ci, o·s − pb + t·d] · w[co, ci, t] (zero outside x). */
export function referenceConv(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  const v = convProblem(x, w, g, false);
  const { cout, cinG, coutG, outShape, ho, wo } = v;
  const y = new Float32Array(v.n * cout * ho * wo);
  for (let n = 0; n < v.n; n++) {
    for (let co = 0; co < cout; co++) {
      const grp = Math.floor(co / coutG);
      for (let oh = 0; oh < ho; oh++) {
        for (let ow = 0; ow < wo; ow++) {
          let acc = bias ? bias[co] : 0;
          for (let ci = 0; ci < cinG; ci++) {
            const cix = grp * cinG + ci;
            for (let th = 0; th < v.kh; th++) {
              const ih = oh * v.sh - v.pbh + th * v.dh;
              if (ih < 0 || ih >= v.h) continue;
              for (let tw = 0; tw < v.kw; tw++) {
                const iw = ow * v.sw - v.pbw + tw * v.dw;
                if (iw < 0 || iw >= v.w) continue;
                acc += x.data[((n * v.cin + cix) * v.h + ih) * v.w + iw] * w.data[((co * cinG + ci) * v.kh + th) * v.kw + tw];
              }
            }
          }
          y[((n * cout + co) * ho + oh) * wo + ow] = acc;
        }
      }
    }
  }
  return { shape: outShape, data: y };
}

/**
 * Scatter: input i, tap t adds x[i]·w[t] at full position f = i·s + t·d; output o = f − pb for
 * 0 ≤ o < out (the output-padding positions at the end receive only what lands there, or the bias).
 */
export function referenceConvTranspose(x: Tensor, w: Tensor, bias: Float32Array | null, g: ConvGeometry): Tensor {
  const v = convProblem(x, w, g, true);
  const { cout, cinG, coutG, outShape, ho, wo } = v;
  const y = new Float32Array(v.n * cout * ho * wo);
  const acc = new Float64Array(y.length);
  if (bias) for (let n = 0; n < v.n; n++) for (let co = 0; co < cout; co++) acc.fill(bias[co], (n * cout + co) * ho * wo, (n * cout + co + 1) * ho * wo);
  for (let n = 0; n < v.n; n++) {
    for (let ci = 0; ci < v.cin; ci++) {
      const grp = Math.floor(ci / cinG);
      for (let ih = 0; ih < v.h; ih++) {
        for (let iw = 0; iw < v.w; iw++) {
          const xv = x.data[((n * v.cin + ci) * v.h + ih) * v.w + iw];
          for (let col = 0; col < coutG; col++) {
            const co = grp * coutG + col;
            for (let th = 0; th < v.kh; th++) {
              const oh = ih * v.sh + th * v.dh - v.pbh;
              if (oh < 0 || oh >= ho) continue;
              for (let tw = 0; tw < v.kw; tw++) {
                const ow = iw * v.sw + tw * v.dw - v.pbw;
                if (ow < 0 || ow >= wo) continue;
                acc[((n * cout + co) * ho + oh) * wo + ow] += xv * w.data[((ci * coutG + col) * v.kh + th) * v.kw + tw];
              }
            }
          }
        }
      }
    }
  }
  y.set(acc);
  return { shape: outShape, data: y };
}
