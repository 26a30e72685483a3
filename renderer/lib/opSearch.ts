// Finding an op by what the user types (the palette filter and quick add): every word typed must occur in
// the op's label, type or category; ops whose type or label starts with the text come first, then those
// with a word starting with it, then the rest, each group in registry order.
import { opRegistry } from '../../engine/ops/registry';
import type { OpDef } from '../../engine/ops/types';

function rank(op: OpDef, q: string, words: string[]): number | null {
  const label = op.label.toLowerCase();
  const type = op.type.toLowerCase();
  const hay = `${label} ${type} ${op.category}`;
  if (!words.every((w) => hay.includes(w))) return null;
  const compact = q.replace(/\s+/g, '');
  if (type.startsWith(compact) || label.startsWith(q)) return 0;
  if (words.every((w) => hay.split(/[\s_]+/).some((part) => part.startsWith(w)))) return 1;
  return 2;
}

/** Ops matching the text, best first (all ops, in registry order, for an empty text). */
export function searchOps(text: string, ops: Iterable<OpDef> = opRegistry.values()): OpDef[] {
  const q = text.trim().toLowerCase();
  const all = [...ops];
  if (!q) return all;
  const words = q.split(/\s+/);
  return all
    .map((op, i) => ({ op, i, r: rank(op, q, words) }))
    .filter((x): x is { op: OpDef; i: number; r: number } => x.r !== null)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.op);
}
