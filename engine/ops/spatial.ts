// Helpers shared by the non-conv ops: data formats, per-spatial-axis parameters, and a strided view
// that lets one 2D loop serve 1D and 2D, channels-first and channels-last.
import { z } from 'zod';
import type { Shape } from '../tensor/tensor';
import type { DiagnosticSink } from '../diagnostics/diagnostics';

/** 'NCX' = channels first (N, C, …spatial); 'NXC' = channels last (N, …spatial, C). */
export type DataFormat = 'NCX' | 'NXC';
export const dataFormatSchema = z.enum(['NCX', 'NXC']).default('NCX');
export const dataFormatHelp = "'NCX' = channels first (N, C, …spatial); 'NXC' = channels last (N, …spatial, C).";

/** A list of integers given per spatial axis; one entry applies to every axis. */
export const perAxisSchema = (fill: number) => z.array(z.number().int()).default(() => [fill]);
export const perAxisHelp = 'one value per spatial axis (1D: [L]; 2D: [H, W]); a single value applies to every axis';

export function channelAxis(rank: number, fmt: DataFormat): number {
  return fmt === 'NCX' ? 1 : rank - 1;
}

export function spatialAxes(rank: number, fmt: DataFormat): number[] {
  const axes: number[] = [];
  for (let a = 1; a < rank; a++) if (a !== channelAxis(rank, fmt)) axes.push(a);
  return axes;
}

/** Checks the input is (N, C, L) or (N, C, H, W) in its data format; returns the spatial rank or null. */
export function checkSpatialInput(sink: DiagnosticSink, opType: string, shape: Shape, fmt: DataFormat): 1 | 2 | null {
  if (shape.length !== 3 && shape.length !== 4) {
    const want = fmt === 'NCX' ? '(N, C, L) or (N, C, H, W)' : '(N, L, C) or (N, H, W, C)';
    sink.error('input-rank', 'input 0', `[${shape.join(', ')}]`, `${opType} takes a rank-3 or rank-4 input ${want}`, 'insert a Reshape or Flatten before it, or use it after a 1D/2D layer');
    return null;
  }
  return (shape.length - 2) as 1 | 2;
}

/**
 * Expands a per-axis parameter to `rank` entries (a single entry is repeated), checking the length and
 * the minimum; reports and returns null on a mistake.
 */
export function expandPerAxis(sink: DiagnosticSink, field: string, values: readonly number[], rank: number, min: number, code: string): number[] | null {
  if (values.length !== 1 && values.length !== rank) {
    sink.error('param-length', field, values, `${field} has 1 or ${rank} entries (one per spatial axis)`, `give ${field} ${rank} value(s)`);
    return null;
  }
  const out = values.length === 1 ? new Array<number>(rank).fill(values[0]) : [...values];
  let ok = true;
  out.forEach((v, i) => {
    if (v < min) {
      const f = values.length === 1 ? field : `${field}[${i}]`;
      sink.error(code, f, values.length === 1 ? values[0] : v, `${field} ≥ ${min}`, `set ${f} to ${min} or more`);
      ok = false;
    }
  });
  return ok ? out : null;
}

/**
 * The one place 1D is made 2D: a per-axis parameter of a 1D or 2D op as [height, width]. One value applies
 * to every axis; a 1D op gets height `fill` (1 for sizes, kernels, strides, scales; 0 for pads and crops).
 */
export function hw(values: readonly number[], rank: number, fill: number): [number, number] {
  const all = values.length === 1 ? new Array<number>(rank).fill(values[0]) : values;
  return rank === 2 ? [all[0], all[1]] : [fill, all[0]];
}

/**
 * A strided 2D view of a spatial tensor: 1D is H = 1. Element (n, c, h, w) is at
 * n·sN + c·sC + h·sH + w·sW.
 */
export interface SpatialView {
  N: number;
  C: number;
  H: number;
  W: number;
  sN: number;
  sC: number;
  sH: number;
  sW: number;
}

export function spatialView(shape: Shape, fmt: DataFormat): SpatialView {
  const rank = shape.length;
  const N = shape[0];
  const C = shape[channelAxis(rank, fmt)];
  const sp = spatialAxes(rank, fmt).map((a) => shape[a]);
  const H = sp.length === 2 ? sp[0] : 1;
  const W = sp[sp.length - 1];
  if (fmt === 'NCX') return { N, C, H, W, sN: C * H * W, sC: H * W, sH: W, sW: 1 };
  return { N, C, H, W, sN: H * W * C, sC: 1, sH: W * C, sW: C };
}

/** The shape of a tensor with the given batch, channels and spatial sizes in a data format. */
export function spatialShape(n: number, c: number, spatial: readonly number[], fmt: DataFormat): number[] {
  return fmt === 'NCX' ? [n, c, ...spatial] : [n, ...spatial, c];
}

/** Spatial sizes of a shape in its data format. */
export function spatialSizes(shape: Shape, fmt: DataFormat): number[] {
  return spatialAxes(shape.length, fmt).map((a) => shape[a]);
}

/** Normalizes a possibly negative axis; null when out of range. */
export function normalizeAxis(axis: number, rank: number): number | null {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : null;
}
