// Auto-layout off the UI thread (elkjs, see lib/layout.ts).
import { layoutGraph, type LayoutEdge, type LayoutNode, type LayoutOptions } from '../lib/layout';

export interface LayoutRequest {
  id: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  options?: LayoutOptions;
}
export interface LayoutReply {
  id: number;
  positions: Record<string, { x: number; y: number }>;
  error?: string;
}

// A listener, not `self.onmessage`: the bundled elkjs, run inside a worker, takes `self.onmessage` for
// its own dispatcher on its first layout (it believes it is the ELK worker), which silently swallowed
// every later request — auto-layout worked once per page. Its dispatcher ignores messages without its
// `cmd`, so both coexist.
self.addEventListener('message', async (ev: MessageEvent<LayoutRequest>) => {
  const { id, nodes, edges, options } = ev.data;
  try {
    const positions = await layoutGraph(nodes, edges, options);
    (self as unknown as Worker).postMessage({ id, positions } satisfies LayoutReply);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, positions: {}, error: (err as Error).message } satisfies LayoutReply);
  }
});
