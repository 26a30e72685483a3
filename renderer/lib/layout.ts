// Auto-layout with elkjs: layered, left to right (the ports sit left and right), room between layers
// for the shape labels. A long chain is wrapped into rows so that the drawing keeps about the aspect
// ratio of the canvas: laid out in one row, a 16-layer DCGAN is ~5000 px wide and its text unreadable
// once zoomed to fit.
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}
export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}
export interface LayoutOptions {
  /** The canvas the drawing is fitted into: a chain too long to read there is wrapped into rows. */
  viewport?: { width: number; height: number };
}

type Positions = Record<string, { x: number; y: number }>;

/** Zoom at which a layout fitted into the canvas is still comfortable to read (node text ≥ ~9 px). */
export const READABLE_ZOOM = 0.75;

let elk: InstanceType<typeof ELK> | null = null;

async function run(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], wrapAspect: number | null): Promise<{ positions: Positions; width: number; height: number }> {
  elk ??= new ELK();
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '120',
      'elk.spacing.nodeNode': '50',
      ...(wrapAspect ? { 'elk.layered.wrapping.strategy': 'SINGLE_EDGE', 'elk.aspectRatio': String(wrapAspect) } : {}),
    },
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const res = await elk.layout(graph);
  const positions: Positions = {};
  for (const c of res.children ?? []) positions[c.id] = { x: Math.round(c.x ?? 0) + 40, y: Math.round(c.y ?? 0) + 40 };
  return { positions, width: (res.width ?? 0) + 80, height: (res.height ?? 0) + 80 };
}

/** The zoom at which a drawing of this size fits the viewport (React Flow's fitView, 10 % padding each side). */
export function fitZoom(size: { width: number; height: number }, viewport: { width: number; height: number }): number {
  return Math.min((viewport.width * 0.8) / Math.max(1, size.width), (viewport.height * 0.8) / Math.max(1, size.height));
}

/**
 * Positions of the nodes, left to right. Given the canvas size, a layout that would have to be shown below
 * READABLE_ZOOM to fit is wrapped into rows (ELK's layer wrapping): the fewest rows that are readable, else
 * the most readable wrapping (one row is kept unless a wrapping is more than 10 % better).
 */
export async function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions = {}): Promise<Positions> {
  const flat = await run(nodes, edges, null);
  const vp = options.viewport;
  if (!vp || vp.width <= 0 || vp.height <= 0) return flat.positions;
  const flatZoom = fitZoom(flat, vp);
  if (flatZoom >= READABLE_ZOOM) return flat.positions;
  // ELK picks the number of rows from the aspect ratio it is given: from few rows to many, the first
  // readable one, else the most readable.
  let best = { positions: flat.positions, zoom: flatZoom };
  for (const aspect of [8, 4, 2, 1, 0.5]) {
    const w = await run(nodes, edges, aspect);
    const zoom = fitZoom(w, vp);
    if (zoom >= READABLE_ZOOM) return w.positions;
    if (zoom > best.zoom * 1.1) best = { positions: w.positions, zoom };
  }
  return best.positions;
}

/**
 * The size a node of this op is drawn at before the canvas has measured it (header: label and precision
 * badge; body: name and shape); used to lay out graphs made outside the canvas (the shipped examples).
 */
export function estimatedNodeSize(label: string): { width: number; height: number } {
  return { width: Math.max(160, Math.round(label.length * 7.2 + 80)), height: 71 };
}
