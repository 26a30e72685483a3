import { describe, expect, it } from 'vitest';
import type { FlowNode } from './doc';
import { flowNodes, sameButParams } from './flowNodes';

const node = (id: string, x: number, params: Record<string, unknown>, extra: Partial<FlowNode> = {}): FlowNode => ({
  id,
  type: 'op',
  position: { x, y: 2 * x + 1 },
  data: { type: 'Conv2D', name: `conv_${id}`, params },
  ...extra,
});

describe('nodes handed to React Flow', () => {
  const a = node('a', 3, { filters: 4 });
  const b = node('b', 7, { filters: 9, kernel: [3, 1] });
  const c = node('c', 11, {});

  it('first time: the editor nodes themselves; the same input again: the same memo', () => {
    const src = [a, b, c];
    const m = flowNodes(src, null);
    expect(m.out).toEqual(src);
    m.out.forEach((n, i) => expect(n).toBe(src[i]));
    expect(flowNodes(src, m)).toBe(m);
  });

  it('parameters alone changed: the old objects and the old array are kept', () => {
    const m1 = flowNodes([a, b, c], null);
    const b2 = { ...b, data: { ...b.data, params: { filters: 5, kernel: [3, 1] } } };
    const m2 = flowNodes([a, b2, c], m1);
    expect(m2.out).toBe(m1.out);
    expect(m2.out[1]).toBe(b);
    // Twice in a row (typing): still the first object, compared against the latest editor node.
    const b3 = { ...b2, data: { ...b2.data, params: { filters: 51, kernel: [3, 1] } } };
    const m3 = flowNodes([a, b3, c], m2);
    expect(m3.out).toBe(m1.out);
    // Then a move of that node: the editor's node (with the latest parameters) goes to React Flow.
    const b4 = { ...b3, position: { x: 100, y: 5 } };
    const m4 = flowNodes([a, b4, c], m3);
    expect(m4.out).not.toBe(m1.out);
    expect(m4.out[1]).toBe(b4);
    expect(m4.out[0]).toBe(a);
    expect(m4.out[2]).toBe(c);
  });

  it('name, type, selection, size, position, new or removed nodes, new order: passed on', () => {
    const m1 = flowNodes([a, b, c], null);
    const changed: FlowNode[] = [
      { ...b, data: { ...b.data, name: 'other' } },
      { ...b, data: { ...b.data, type: 'ReLU' } },
      { ...b, selected: true },
      { ...b, measured: { width: 170, height: 61 } },
      { ...b, position: { ...b.position } },
    ];
    for (const b2 of changed) {
      const m2 = flowNodes([a, b2, c], m1);
      expect(m2.out[1]).toBe(b2);
      expect(m2.out).not.toBe(m1.out);
    }
    const d = node('d', 13, {});
    expect(flowNodes([a, b, c, d], m1).out).toEqual([a, b, c, d]);
    expect(flowNodes([a, c], m1).out).toEqual([a, c]);
    const swapped = flowNodes([b, a, c], m1);
    expect(swapped.out).not.toBe(m1.out);
    expect(swapped.out).toEqual([b, a, c]);
  });

  it('sameButParams compares every field but the parameters', () => {
    expect(sameButParams(b, { ...b, data: { ...b.data, params: {} } })).toBe(true);
    expect(sameButParams(b, { ...b, dragging: true })).toBe(false);
    expect(sameButParams(b, { ...b, data: { ...b.data, extra: 1 } })).toBe(false);
    expect(sameButParams(b, { ...b, position: b.position })).toBe(true);
  });
});
