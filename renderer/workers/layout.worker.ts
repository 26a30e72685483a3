// Auto-layout with elkjs (layered, left to right), off the UI thread.
import ELK from 'elkjs/lib/elk.bundled.js';

export interface LayoutRequest {
  id: number;
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}
export interface LayoutReply {
  id: number;
  positions: Record<string, { x: number; y: number }>;
  error?: string;
}

const elk = new ELK();

self.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
  const { id, nodes, edges } = ev.data;
  try {
    const res = await elk.layout({
      id: 'root',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.layered.spacing.nodeNodeBetweenLayers': '120',
        'elk.spacing.nodeNode': '40',
      },
      children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
      edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    });
    const positions: Record<string, { x: number; y: number }> = {};
    for (const c of res.children ?? []) positions[c.id] = { x: Math.round(c.x ?? 0) + 40, y: Math.round(c.y ?? 0) + 40 };
    (self as unknown as Worker).postMessage({ id, positions } satisfies LayoutReply);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, positions: {}, error: (err as Error).message } satisfies LayoutReply);
  }
};
