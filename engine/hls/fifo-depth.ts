// FIFO depths of an io_stream design: the smallest that cannot deadlock, per hls::stream of the top.
//
// Every process (layer template, clone_stream) is a fixed sequence of blocking reads and writes
// (stream-network.ts). On a chain each stage blocks only on its own FIFOs, so depth 2 never deadlocks. A
// deadlock needs a fork (clone_stream) whose paths meet again in a merge (Add, Concatenate): the clone
// writes every pixel to all its outputs, so while the merge waits for the slow path (a Conv's line buffer,
// a pooling row, …) the fast path must hold every pixel the clone has to emit meanwhile. Per fork F:
//
//  - need_e[j]: pixels F must emit before j pixels can be written on edge e. F's outputs: need[j] = j;
//    through a process, for its m-th write, the max over its inputs k of need_k[reads of k before it];
//    optionally each layer reads `slack` pixels further ahead than its template order (pipeline depth).
//  - At each read of input k′ by a merge M (item i), F must have emitted E = need_k′[i + 1] (with slack);
//    every other input k of M can by then have been written avail_k(E) = max{ j : need_k[j] ≤ E } items
//    (without slack: the earliest its path can deliver) of which M has read r_k: its FIFO must hold
//    avail_k(E) − r_k. The edge into M from input k gets the max over M's reads (and over forks).
//
// Everything else gets 2. The rule counts only the FIFO right at the merge (FIFOs and line buffers inside
// a path hold more), so it is an upper bound on the least safe depth; the token-level simulator
// (stream-sim.ts) checks it on the shipped examples and random skip graphs (fifo-depth.test.ts).
import type { StreamEdge, StreamNetwork } from './stream-network';

/** Pixels a pipelined layer may read beyond its template order before a write completes (pipeline depth). */
export const PIPELINE_SLACK = 4;

/** The smallest FIFO Vitis HLS builds for a stream (and the depth on a chain). */
export const MIN_FIFO_DEPTH = 2;

export interface FifoDepthOptions {
  /** Read-ahead per layer for the slow path (default PIPELINE_SLACK); 0 = the templates' exact order. */
  slack?: number;
}

export interface FifoDepth {
  depth: number;
  /** Why (for reports and the generated header's comment). */
  reason: string;
}

/** Depth of every internal stream of the network (edge name → depth and reason). */
export function fifoDepths(net: StreamNetwork, opts: FifoDepthOptions = {}): Record<string, FifoDepth> {
  const slack = opts.slack ?? PIPELINE_SLACK;
  const out: Record<string, FifoDepth> = {};
  for (const e of Object.values(net.edges)) if (e.internal) out[e.name] = { depth: MIN_FIFO_DEPTH, reason: 'chain' };
  for (const [fi, fork] of net.processes.entries()) {
    if (fork.kind !== 'clone') continue;
    // Curves of the edges that depend on this fork, indexed by items written on the edge.
    const need = new Map<string, Int32Array>();
    const absorb = new Map<string, Int32Array>();
    for (const o of fork.outputs) {
      const id = Int32Array.from({ length: net.edges[o].pixels + 1 }, (_, j) => j);
      need.set(o, id);
      absorb.set(o, id);
    }
    for (let pi = fi + 1; pi < net.processes.length; pi++) {
      const p = net.processes[pi];
      const dep = p.inputs.map((e) => need.has(e));
      const nDep = dep.filter(Boolean).length;
      if (nDep === 0) continue;
      const nd = p.inputs.map((e) => need.get(e));
      const ab = p.inputs.map((e) => absorb.get(e));
      const n = p.inputs.map((e) => net.edges[e].pixels);
      const ahead = p.kind === 'layer' && p.overlapped ? slack : 0;
      const outNeed = p.outputs.map((e) => new Int32Array(net.edges[e].pixels + 1));
      const outAbsorb = p.outputs.map((e) => new Int32Array(net.edges[e].pixels + 1));
      const w = new Int32Array(p.outputs.length);
      const r = new Int32Array(p.inputs.length);
      const absorbed = () => {
        let a = Infinity;
        for (let k = 0; k < p.inputs.length; k++) if (dep[k]) a = Math.min(a, ab[k]![r[k]]);
        return a;
      };
      const merge = nDep > 1;
      let emitted = 0;
      const items = new Int32Array(p.inputs.length);
      const req = new Int32Array(p.inputs.length);
      for (let i = 0; i < p.ops.length; i++) {
        const op = p.ops[i];
        if (op >= 0) {
          if (merge && dep[op]) {
            // The fork must emit this much before the read can complete; every other input's path must
            // have written enough items to absorb it, and this merge has read r[k] of them.
            emitted = Math.max(emitted, nd[op]![r[op] + 1]);
            for (let k = 0; k < p.inputs.length; k++) {
              if (k === op || !dep[k]) continue;
              const c = ab[k]!;
              while (items[k] < n[k] && c[items[k]] < emitted) items[k]++;
              req[k] = Math.max(req[k], items[k] - r[k]);
            }
          }
          r[op]++;
        } else {
          const q = -op - 1;
          let needed = 0;
          for (let k = 0; k < p.inputs.length; k++) if (dep[k]) needed = Math.max(needed, nd[k]![Math.min(n[k], r[k] + ahead)]);
          outAbsorb[q][w[q]] = absorbed();
          const m = ++w[q];
          outNeed[q][m] = Math.max(outNeed[q][m - 1], needed);
        }
      }
      p.outputs.forEach((e, q) => {
        outAbsorb[q][w[q]] = absorbed();
        for (let j = 1; j < outAbsorb[q].length; j++) outAbsorb[q][j] = Math.max(outAbsorb[q][j], outAbsorb[q][j - 1]);
        need.set(e, outNeed[q]);
        absorb.set(e, outAbsorb[q]);
      });
      if (merge) {
        p.inputs.forEach((e, k) => {
          const d = out[e];
          // A FIFO holding its whole image never blocks its writer: the cap.
          const depth = Math.min(req[k], Math.max(MIN_FIFO_DEPTH, net.edges[e].pixels));
          if (!d || !dep[k] || depth <= d.depth) return;
          out[e] = { depth, reason: `${fork.name} → ${p.name}: holds what the other path reads before answering` };
        });
      }
    }
  }
  return out;
}

/** The FIFOs of a network for the estimate: depth and element width of every internal stream. */
export function fifoList(net: StreamNetwork, depths: Record<string, FifoDepth>): { name: string; depth: number; bits: number }[] {
  return Object.values(net.edges)
    .filter((e: StreamEdge) => e.internal)
    .map((e) => ({ name: e.name, depth: depths[e.name]?.depth ?? MIN_FIFO_DEPTH, bits: e.values * e.bitsPerValue }));
}

/** The overridable macro of one stream's depth in the generated firmware/fifo_depths.h. */
export function fifoDepthMacro(top: string, edge: string): string {
  return `TESSERA_FIFO_DEPTH_${top}_${edge}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}
