// How shapes are written on edges and in the inspector.
import type { Shape } from '../../engine/tensor/tensor';

/** Axis letters for a tensor of this rank and layout, e.g. NCX rank 4 → N×C×H×W. */
export function axisLetters(rank: number, format: 'NCX' | 'NXC' | null): string | null {
  if (!format || rank < 3 || rank > 5) return null;
  const spatial = ['L', 'HW', 'DHW'][rank - 3].split('');
  const letters = format === 'NCX' ? ['N', 'C', ...spatial] : ['N', ...spatial, 'C'];
  return letters.join('×');
}

export function shapeText(shape: Shape | null | undefined): string {
  return shape ? shape.join('×') : '?';
}

/** Spatial sizes of a tensor in NCX or NXC layout. */
export function spatialOf(shape: Shape, format: 'NCX' | 'NXC'): number[] {
  return format === 'NCX' ? shape.slice(2) : shape.slice(1, -1);
}

/** '1 error', '3 errors'. */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
