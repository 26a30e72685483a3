import { describe, expect, it } from 'vitest';
import { boundsOf, freeOffset, PLACEMENT_GAP, type Box } from './placement';

const hit = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('placing new nodes', () => {
  const occupied: Box[] = [
    { x: 0, y: 0, width: 160, height: 70 },
    { x: 280, y: 0, width: 255, height: 70 },
    { x: 0, y: 120, width: 160, height: 70 },
  ];

  it('leaves a group where it is when that is free', () => {
    expect(freeOffset([{ x: 0, y: 400, width: 160, height: 70 }], occupied)).toEqual({ x: 0, y: 0 });
  });

  it('moves a group off the nodes it would cover, keeping the gap, to the nearest free place found', () => {
    const group = [{ x: 10, y: 10, width: 160, height: 70 }, { x: 290, y: 10, width: 255, height: 70 }];
    const d = freeOffset(group, occupied);
    expect(d.x === 0 || d.y === 0 || d.x === d.y).toBe(true);
    for (const g of group) {
      const moved = { ...g, x: g.x + d.x, y: g.y + d.y };
      for (const o of occupied) expect(hit({ ...moved, x: moved.x - PLACEMENT_GAP + 1, width: moved.width + 2 * PLACEMENT_GAP - 2, y: moved.y - PLACEMENT_GAP + 1, height: moved.height + 2 * PLACEMENT_GAP - 2 }, o)).toBe(false);
    }
    // Nearest: one step less in the same direction is still blocked.
    const k = Math.max(d.x, d.y) / 40;
    const back = { x: (d.x / k) * (k - 1), y: (d.y / k) * (k - 1) };
    const shifted = group.map((g) => ({ ...g, x: g.x + back.x, y: g.y + back.y }));
    expect(freeOffset(shifted, occupied)).not.toEqual({ x: 0, y: 0 });
  });

  it('bounds', () => {
    expect(boundsOf([])).toBeNull();
    expect(boundsOf(occupied)).toEqual({ x: 0, y: 0, width: 535, height: 190 });
  });
});
