// How the preview splits a large model across workers. The nodes, in topological order, are cut into
// contiguous parts of about equal work; a part reads the values of earlier parts' nodes (sent on by the main
// thread) and runs in its own worker, float first, then fixed point. While part k runs fixed point, part k + 1
// runs float, and every node's value is exactly what a whole run gives (engine PartialRun).
// Each node also gets keys that change whenever anything its values depend on changes: the float key (its
// type, parameters, weights, Input data and its inputs' float keys) and the types key (the float key, the
// project's default type, the node's own precision from the graph and its inputs' types keys; fixed-point
// values and numerical warnings follow from it). A part whose keys all match the previous run's reuses that
// run's values, so an edit re-runs only the parts from the edited layer on.
import type { Graph, WeightMap } from '../../engine/graph/model';
import { getOp } from '../../engine/ops/registry';
import type { Shape } from '../../engine/tensor/tensor';
import type { Analysis } from './analyze';
import type { InputSpec } from './simulate';

export interface PreviewPart {
  /** Node ids in topological order. */
  nodes: string[];
  /** Nodes of earlier parts that this part's nodes read. */
  reads: string[];
  /** This part's nodes that later parts read. */
  exports: string[];
}

/** Below this much work (multiply-accumulates + output elements) a part is not worth a worker of its own. */
export const MIN_PART_WORK = 40e6;

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);

/** Work of each node: multiply-accumulates (weights × output or, for ConvTranspose, input positions) plus output elements. */
export function nodeWork(graph: Graph, a: Analysis): Record<string, number> {
  const work: Record<string, number> = {};
  for (const n of graph.nodes) {
    const info = a.nodes[n.id];
    if (!info?.shape) continue;
    let w = size(info.shape);
    const op = getOp(n.type);
    const ins = info.inputShapes;
    if (op && info.params && ins.length && ins.every((s) => s)) {
      try {
        const weight = op.weights(info.params, ins as Shape[]).find((s) => s.name === 'weight');
        if (weight) {
          const channelsLast = info.format === 'NXC';
          const positions = (s: Shape) => (s.length <= 2 ? s[0] ?? 1 : size(s) / s[channelsLast ? s.length - 1 : 1]);
          w += size(weight.shape) * positions(n.type.startsWith('ConvTranspose') ? ins[0]! : info.shape);
        }
      } catch {
        // parameters the op cannot size: counted by their output only
      }
    }
    work[n.id] = w;
  }
  return work;
}

/**
 * Cuts `order` into at most maxParts contiguous parts of about equal work, none below MIN_PART_WORK (a small
 * model stays one part), and lists what each part reads from earlier ones and gives to later ones.
 */
export function splitParts(graph: Graph, order: readonly string[], work: Record<string, number>, maxParts: number): PreviewPart[] {
  const total = order.reduce((t, id) => t + (work[id] ?? 0), 0);
  const count = Math.max(1, Math.min(maxParts, Math.floor(total / MIN_PART_WORK)));
  const cuts: string[][] = [[]];
  let done = 0;
  for (const id of order) {
    const k = cuts.length;
    // Start the next part once this one holds its share (the last part takes the rest).
    if (k < count && cuts[k - 1].length && done + (work[id] ?? 0) / 2 > (total * k) / count) cuts.push([]);
    cuts[cuts.length - 1].push(id);
    done += work[id] ?? 0;
  }
  const partOf = new Map<string, number>();
  cuts.forEach((ids, k) => ids.forEach((id) => partOf.set(id, k)));
  const parts: PreviewPart[] = cuts.map((nodes) => ({ nodes, reads: [], exports: [] }));
  for (const e of graph.edges) {
    const from = partOf.get(e.source);
    const to = partOf.get(e.target);
    if (from === undefined || to === undefined || from === to) continue;
    if (!parts[to].reads.includes(e.source)) parts[to].reads.push(e.source);
    if (!parts[from].exports.includes(e.source)) parts[from].exports.push(e.source);
  }
  return parts;
}

/** 53-bit string hash (cyrb53): keys stay short however long the chain of inputs behind them. */
function hash(s: string): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
/** Identity of a weights record or an image tensor (the editor replaces them when they change). */
function identity(o: object | undefined): number {
  if (!o) return 0;
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

export interface NodeKeys {
  float: Record<string, string>;
  /** The types key (fixed-point values and numerical warnings). */
  fixed: Record<string, string>;
}

/** Keys of every node in `order` for its float value and for its types (see the file comment); `precision`: the project's default type. */
export function nodeKeys(graph: Graph, order: readonly string[], weights: WeightMap, inputs: readonly InputSpec[], seed: number, precision: string): NodeKeys {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const sources = new Map<string, string[]>();
  for (const e of [...graph.edges].sort((x, y) => x.targetPort - y.targetPort)) (sources.get(e.target) ?? sources.set(e.target, []).get(e.target)!).push(e.source);
  const specs = new Map(inputs.map((s) => [s.nodeId, s]));
  const float: Record<string, string> = {};
  const fixed: Record<string, string> = {};
  for (const id of order) {
    const n = byId.get(id);
    if (!n) continue;
    const ins = sources.get(id) ?? [];
    const spec = specs.get(id);
    const data = spec ? JSON.stringify(spec, (k, v) => (k === 'tensor' ? identity(v) : v)) : '';
    float[id] = hash(`${n.type}|${n.name}|${JSON.stringify(n.params)}|${identity(weights[id])}|${seed}|${data}|${ins.map((s) => float[s]).join(',')}`);
    fixed[id] = hash(`${float[id]}|${precision}|${JSON.stringify(n.precision ?? null)}|${ins.map((s) => fixed[s]).join(',')}`);
  }
  return { float, fixed };
}
