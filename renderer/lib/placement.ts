// Where new nodes go on the canvas (paste, duplicate, quick add): at the place asked for, moved into
// free space when they would cover nodes already there. Pure; positions are flow coordinates.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Space kept between a placed node and its neighbours. */
export const PLACEMENT_GAP = 24;

function overlaps(a: Box, b: Box, gap: number): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/** The bounding box of boxes (null for none). */
export function boundsOf(boxes: readonly Box[]): Box | null {
  if (!boxes.length) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The offset to add to `group` (the boxes of the nodes being placed, already at the wanted place) so that
 * none of them overlaps `occupied`: {0, 0} when the place is free, else the nearest free place found by
 * stepping down, then right, then both, in `step` increments (bounded search; the last resort is below
 * everything).
 */
export function freeOffset(group: readonly Box[], occupied: readonly Box[], step = 40, gap = PLACEMENT_GAP): { x: number; y: number } {
  const blocked = (dx: number, dy: number) =>
    group.some((g) => occupied.some((o) => overlaps({ x: g.x + dx, y: g.y + dy, width: g.width, height: g.height }, o, gap)));
  if (!blocked(0, 0)) return { x: 0, y: 0 };
  for (let k = 1; k <= 60; k++) {
    for (const [dx, dy] of [[0, k], [k, 0], [k, k]]) {
      if (!blocked(dx * step, dy * step)) return { x: dx * step, y: dy * step };
    }
  }
  const all = boundsOf(occupied)!;
  const g = boundsOf(group)!;
  return { x: 0, y: all.y + all.height + gap - g.y };
}
