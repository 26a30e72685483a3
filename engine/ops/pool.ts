// MaxPool and AveragePool (1D/2D, NCX/NXC): kernel, stride, padsBegin/padsEnd, ceilMode.
// Output per axis: floor((in + pb + pe − k) / s) + 1; with ceilMode, ceil(…) + 1, dropping a last
// window that would start in the end padding (PyTorch/ONNX rule). Max ignores pads (−∞). Average
// divides by the real inputs in the window, or with countIncludePad by the window clipped to the
// padded input (ONNX count_include_pad; Keras 'same' average excludes pads, as does the ONNX default).
import { z } from 'zod';
import type { Shape, Tensor } from '../tensor/tensor';
import { zeros } from '../tensor/tensor';
import type { DiagnosticSink } from '../graph/diagnostics';
import { defineOp, type OpDef } from './types';
import { averagePoolFixed, averagePoolHls, maxPoolFixed, maxPoolHls } from './fixed/spatial';
import {
  checkSpatialInput, dataFormatHelp, dataFormatSchema, expandPerAxis, perAxisHelp, perAxisSchema,
  spatialShape, spatialSizes, spatialView, type DataFormat,
} from './spatial';

export interface PoolParams {
  kernel: number[];
  stride: number[];
  padsBegin: number[];
  padsEnd: number[];
  dataFormat: DataFormat;
  ceilMode: boolean;
}

export interface AveragePoolParams extends PoolParams {
  countIncludePad: boolean;
}

export function poolOutputSize(inSize: number, k: number, s: number, pb: number, pe: number, ceilMode: boolean): number {
  const span = inSize + pb + pe - k;
  if (!ceilMode) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= inSize + pb) out--;
  return out;
}

interface Resolved {
  k: number[];
  s: number[];
  pb: number[];
  pe: number[];
}

function expand(p: PoolParams, rank: number): Resolved {
  const one = (v: number[]) => (v.length === 1 ? new Array<number>(rank).fill(v[0]) : v);
  return { k: one(p.kernel), s: one(p.stride), pb: one(p.padsBegin), pe: one(p.padsEnd) };
}

function inferPool(type: string, p: PoolParams, x: Shape, sink: DiagnosticSink): Shape | null {
  const rank = checkSpatialInput(sink, type, x, p.dataFormat);
  if (rank === null) return null;
  const k = expandPerAxis(sink, 'kernel', p.kernel, rank, 1, 'pool-kernel');
  const s = expandPerAxis(sink, 'stride', p.stride, rank, 1, 'pool-stride');
  const pb = expandPerAxis(sink, 'padsBegin', p.padsBegin, rank, 0, 'pads-negative');
  const pe = expandPerAxis(sink, 'padsEnd', p.padsEnd, rank, 0, 'pads-negative');
  if (!k || !s || !pb || !pe) return null;
  const sizes = spatialSizes(x, p.dataFormat);
  const out: number[] = [];
  let ok = true;
  for (let a = 0; a < rank; a++) {
    const ax = rank === 1 ? '' : `[${a}]`;
    for (const [name, v] of [['padsBegin', pb[a]], ['padsEnd', pe[a]]] as const) {
      if (v >= k[a]) {
        sink.error('pool-pad-kernel', `${name}${ax}`, v, `pads < kernel (${k[a]}), so every window holds an input`, `set ${name}${ax} to at most ${k[a] - 1}`);
        ok = false;
      }
    }
    if (sizes[a] + pb[a] + pe[a] < k[a]) {
      sink.error(
        'pool-window', `kernel${ax}`, k[a], `kernel ≤ padded input (${sizes[a]} + ${pb[a]} + ${pe[a]} = ${sizes[a] + pb[a] + pe[a]})`,
        `use a kernel of at most ${sizes[a] + pb[a] + pe[a]} or pad the input`,
      );
      ok = false;
    }
    out.push(poolOutputSize(sizes[a], k[a], s[a], pb[a], pe[a], p.ceilMode));
  }
  if (!ok) return null;
  const v = spatialView(x, p.dataFormat);
  return spatialShape(v.N, v.C, out, p.dataFormat);
}

function runPool(p: PoolParams, x: Tensor, mode: 'max' | 'avg', includePad: boolean): Tensor {
  const rank = x.shape.length - 2;
  const { k, s, pb, pe } = expand(p, rank);
  const sizes = spatialSizes(x.shape, p.dataFormat);
  const outSizes = sizes.map((d, a) => poolOutputSize(d, k[a], s[a], pb[a], pe[a], p.ceilMode));
  const iv = spatialView(x.shape, p.dataFormat);
  const outShape = spatialShape(iv.N, iv.C, outSizes, p.dataFormat);
  const out = zeros(outShape);
  const ov = spatialView(outShape, p.dataFormat);
  // 1D as 2D with H = 1.
  const [kh, sh, ph, peh] = rank === 2 ? [k[0], s[0], pb[0], pe[0]] : [1, 1, 0, 0];
  const [kw, sw, pw, pew] = [k[rank - 1], s[rank - 1], pb[rank - 1], pe[rank - 1]];
  const d = x.data;
  for (let n = 0; n < ov.N; n++)
    for (let c = 0; c < ov.C; c++) {
      const base = n * iv.sN + c * iv.sC;
      for (let oh = 0; oh < ov.H; oh++) {
        const h0 = oh * sh - ph;
        const hs = Math.max(h0, 0);
        const he = Math.min(h0 + kh, iv.H);
        for (let ow = 0; ow < ov.W; ow++) {
          const w0 = ow * sw - pw;
          const ws = Math.max(w0, 0);
          const we = Math.min(w0 + kw, iv.W);
          let r: number;
          if (mode === 'max') {
            r = -Infinity;
            for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) r = Math.max(r, d[base + h * iv.sH + w * iv.sW]);
          } else {
            let sum = 0;
            for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) sum += d[base + h * iv.sH + w * iv.sW];
            const count = includePad
              ? (Math.min(h0 + kh, iv.H + peh) - h0) * (Math.min(w0 + kw, iv.W + pew) - w0)
              : (he - hs) * (we - ws);
            r = sum / count;
          }
          out.data[n * ov.sN + c * ov.sC + oh * ov.sH + ow * ov.sW] = r;
        }
      }
    }
  return out;
}

const poolShape = {
  kernel: perAxisSchema(2),
  stride: perAxisSchema(2),
  padsBegin: perAxisSchema(0),
  padsEnd: perAxisSchema(0),
  dataFormat: dataFormatSchema,
  ceilMode: z.boolean().default(false),
};

const poolHelp: Record<string, string> = {
  kernel: `Window size: ${perAxisHelp}.`,
  stride: `Window step: ${perAxisHelp}.`,
  padsBegin: `Padding before each spatial axis (< kernel): ${perAxisHelp}.`,
  padsEnd: `Padding after each spatial axis (< kernel): ${perAxisHelp}.`,
  dataFormat: dataFormatHelp,
  ceilMode: 'Round the output size up (a partial last window), as ONNX/PyTorch ceil_mode.',
};

export const maxPoolOp: OpDef<PoolParams> = defineOp<PoolParams>({
  type: 'MaxPool',
  label: 'Max pool',
  category: 'pooling',
  inputs: { min: 1, max: 1 },
  params: z.object(poolShape) as z.ZodType<PoolParams>,
  paramHelp: poolHelp,
  weights: () => [],
  infer: (p, inputs, sink) => inferPool('MaxPool', p, inputs[0], sink),
  float: (p, inputs) => runPool(p, inputs[0], 'max', false),
  fixed: maxPoolFixed,
  hls: maxPoolHls,
});

export const averagePoolOp: OpDef<AveragePoolParams> = defineOp<AveragePoolParams>({
  type: 'AveragePool',
  label: 'Average pool',
  category: 'pooling',
  inputs: { min: 1, max: 1 },
  params: z.object({ ...poolShape, countIncludePad: z.boolean().default(false) }) as z.ZodType<AveragePoolParams>,
  paramHelp: { ...poolHelp, countIncludePad: 'Divide by the whole window, pads included (ONNX count_include_pad = 1); off = only real inputs (ONNX default, Keras same).' },
  weights: () => [],
  infer: (p, inputs, sink) => inferPool('AveragePool', p, inputs[0], sink),
  float: (p, inputs) => runPool(p, inputs[0], 'avg', p.countIncludePad),
  fixed: averagePoolFixed,
  hls: averagePoolHls,
});
