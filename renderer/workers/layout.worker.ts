// Auto-layout off the UI thread (elkjs, see lib/layout.ts).
import { layoutGraph, type LayoutEdge, type LayoutNode } from '../lib/layout';

export interface LayoutRequest {
  id: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}
export interface LayoutReply {
  id: number;
  positions: Record<string, { x: number; y: number }>;
  error?: string;
}

self.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
  const { id, nodes, edges } = ev.data;
  try {
    const positions = await layoutGraph(nodes, edges);
    (self as unknown as Worker).postMessage({ id, positions } satisfies LayoutReply);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, positions: {}, error: (err as Error).message } satisfies LayoutReply);
  }
};
