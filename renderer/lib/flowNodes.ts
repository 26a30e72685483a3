// The nodes handed to React Flow: the editor's nodes, except that a node whose parameters alone
// changed keeps the object React Flow already has (and the array its identity when that is all that
// changed), so typing a parameter costs React Flow nothing (it re-adopts nodes whose object changed
// and notifies every node and edge of a new array). What a canvas node draws does not depend on its
// parameters (its shapes and status come from the analysis), and React Flow's own changes (moves,
// selection, sizes) are applied to the editor's nodes by id, never to these objects.
import type { FlowNode } from './doc';

export interface FlowNodesMemo {
  /** The editor's nodes last seen, and what was handed to React Flow for them. */
  src: readonly FlowNode[];
  out: FlowNode[];
  /** By id: [the editor's node, the object React Flow has]. */
  byId: Map<string, [FlowNode, FlowNode]>;
}

/** Same fields except data.params (the precision is drawn: its badge). */
export function sameButParams(a: FlowNode, b: FlowNode): boolean {
  if (a.data.type !== b.data.type || a.data.name !== b.data.name || a.data.precision !== b.data.precision) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (k !== 'data' && a[k as keyof FlowNode] !== b[k as keyof FlowNode]) return false;
  return Object.keys(a.data).length === Object.keys(b.data).length;
}

/** The nodes for React Flow after the editor's nodes became `nodes` (pure; returns the new memo). */
export function flowNodes(nodes: readonly FlowNode[], prev: FlowNodesMemo | null): FlowNodesMemo {
  if (prev && prev.src === nodes) return prev;
  const byId = new Map<string, [FlowNode, FlowNode]>();
  let same = !!prev && prev.out.length === nodes.length;
  const out = nodes.map((n, i) => {
    const seen = prev?.byId.get(n.id);
    const shown = seen && (seen[0] === n || sameButParams(seen[0], n)) ? seen[1] : n;
    byId.set(n.id, [n, shown]);
    if (same && prev!.out[i] !== shown) same = false;
    return shown;
  });
  return { src: nodes, out: same ? prev!.out : out, byId };
}
