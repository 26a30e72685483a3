// FIFO depths of an io_stream design: the smallest that cannot deadlock, per hls::stream of the top.
//
// Every process (layer template, clone_stream) is a fixed sequence of blocking reads and writes
// (stream-network.ts). On a chain each stage blocks only on its own FIFOs, so depth 2 never deadlocks. A
// deadlock needs a fork (clone_stream) whose paths meet again in a merge (Add, Concatenate): the clone
// writes every pixel to all its outputs, so while the merge waits for the slow path (a Conv's line buffer,
// a pooling row, …) the fast path must hold every pixel the clone has to emit meanwhile. Per fork F
// (inner forks first, so an outer fork sees the depths inside its paths), two curves per edge e over the
// items j written on it:
//
//  - need_e[j]: pixels F must emit before j items can be written on e. F's outputs: j. Through a process,
//    at its m-th write, the most of need_k[reads of input k so far (+ its read-ahead when reads and writes
//    share a pipeline: the pixels its pipeline holds in flight, from the estimate's pipeline depth)].
//  - absorb_e[j]: pixels F's paths have taken in when e has j items and its writer waits on the next write:
//    the least over the writer's inputs of absorb_k[reads of k + depth of k's FIFO].
//
// At each read of input k′ by a merge M (item i), F must have emitted E = need_k′[i + 1]; every other input
// k must by then have written the least j with absorb_k[j] ≥ E, of which M has read r_k: the edge into M
// from k must hold j − r_k. Everything else gets 2; a stream's whole image is the cap (such a FIFO never
// blocks). Without slack the rule is exact in the token model up to one pixel (the clone writes its
// outputs in turn, which lends one): the simulator (stream-sim.ts) finds the least safe depth of every skip
// at rule − 1 on every graph of fifo-depth.test.ts, and the tests check that rule − 2 deadlocks.
import type { StreamEdge, StreamNetwork } from './stream-network';

/**
 * Pixels a pipelined layer may read beyond its template order before a write completes, when no pipeline
 * depth is given for it (the estimate gives one per layer: engine/estimate fifoReadAhead).
 */
export const PIPELINE_SLACK = 4;

/** The smallest FIFO Vitis HLS builds for a stream (and the depth on a chain). */
export const MIN_FIFO_DEPTH = 2;

export interface FifoDepthOptions {
  /**
   * Read-ahead of the layers whose reads and writes share a pipelined loop: one number for every layer, or
   * per layer process name (the estimate's pipeline depths in pixels; a layer not named: PIPELINE_SLACK).
   * 0 = the templates' exact order.
   */
  slack?: number | Readonly<Record<string, number>>;
  /**
   * 'safe': every stream a fork (clone) writes holds its whole tensor, whatever the pipelines read ahead (more
   * memory; for when the modelled read-ahead is in doubt). 'rule' (default): the depths derived above.
   */
  mode?: 'rule' | 'safe';
}

export interface FifoDepth {
  depth: number;
  /** Why (for reports and the generated header's comment). */
  reason: string;
}

/** Depth of every internal stream of the network (edge name → depth and reason). */
export function fifoDepths(net: StreamNetwork, opts: FifoDepthOptions = {}): Record<string, FifoDepth> {
  const slack = opts.slack ?? PIPELINE_SLACK;
  const aheadOf = (name: string): number => (typeof slack === 'number' ? slack : slack[name] ?? PIPELINE_SLACK);
  const out: Record<string, FifoDepth> = {};
  for (const e of Object.values(net.edges)) if (e.internal) out[e.name] = { depth: MIN_FIFO_DEPTH, reason: 'chain' };
  // Later (inner) forks first: an outer fork's analysis then knows the depths inside its paths.
  for (let fi = net.processes.length - 1; fi >= 0; fi--) {
    const fork = net.processes[fi];
    if (fork.kind !== 'clone') continue;
    // Curves of the edges that depend on this fork, indexed by items written on the edge.
    const need = new Map<string, Int32Array>();
    const absorb = new Map<string, Int32Array>();
    // Streams of this fork's paths not yet read by a process of the walk (top outputs never meet again).
    const live = new Set<string>();
    for (const o of fork.outputs) {
      const id = Int32Array.from({ length: net.edges[o].pixels + 1 }, (_, j) => j);
      need.set(o, id);
      absorb.set(o, id);
      if (net.edges[o].consumer) live.add(o);
    }
    for (let pi = fi + 1; pi < net.processes.length && live.size > 1; pi++) {
      const p = net.processes[pi];
      const dep = p.inputs.map((e) => need.has(e));
      const nDep = dep.filter(Boolean).length;
      if (nDep === 0) continue;
      for (const e of p.inputs) live.delete(e);
      for (const e of p.outputs) if (net.edges[e].consumer) live.add(e);
      const nd = p.inputs.map((e) => need.get(e));
      const ab = p.inputs.map((e) => absorb.get(e));
      const n = p.inputs.map((e) => net.edges[e].pixels);
      const r = new Int32Array(p.inputs.length);
      if (nDep > 1) {
        // A merge: at each read of input k′ (item r[k′]) the fork must have emitted E = need_k′(r[k′] + 1);
        // every other input k's path must have written the least j with absorb_k(j) ≥ E, of which this
        // merge has read r[k]: its FIFO must hold j − r[k].
        let emitted = 0;
        const items = new Int32Array(p.inputs.length);
        const req = new Int32Array(p.inputs.length);
        for (let i = 0; i < p.ops.length; i++) {
          const op = p.ops[i];
          if (op < 0) continue;
          if (dep[op]) {
            emitted = Math.max(emitted, nd[op]![r[op] + 1]);
            for (let k = 0; k < p.inputs.length; k++) {
              if (k === op || !dep[k]) continue;
              const c = ab[k]!;
              while (items[k] < n[k] && c[items[k]] < emitted) items[k]++;
              req[k] = Math.max(req[k], items[k] - r[k]);
            }
          }
          r[op]++;
        }
        p.inputs.forEach((e, k) => {
          const d = out[e];
          // A FIFO holding its whole image never blocks its writer: the cap.
          const depth = Math.min(req[k], Math.max(MIN_FIFO_DEPTH, net.edges[e].pixels));
          if (!d || !dep[k] || depth <= d.depth) return;
          out[e] = { depth, reason: `skip ${fork.name} -> ${p.name}: holds what the other path reads before answering` };
        });
        r.fill(0);
      }
      // Curves of the outputs. need: the most of its inputs' needs at each write (the slow path reads
      // `slack` further when reads and writes share a pipeline). absorb: blocked at a write, the process
      // has read r[k] items and each input FIFO can hold its depth more, so its paths have taken in
      // absorb_k(r[k] + depth_k) (the least over inputs: the fork emits to all of them).
      const ahead = p.kind === 'layer' && p.overlapped ? aheadOf(p.name) : 0;
      const ks = dep.flatMap((d, k) => (d ? [k] : []));
      const ndK = ks.map((k) => nd[k]!);
      const abK = ks.map((k) => ab[k]!);
      const nK = ks.map((k) => n[k]);
      const capK = ks.map((k) => out[p.inputs[k]]?.depth ?? 0);
      const outNeed = p.outputs.map((e) => new Int32Array(net.edges[e].pixels + 1));
      const outAbsorb = p.outputs.map((e) => new Int32Array(net.edges[e].pixels + 1));
      const w = new Int32Array(p.outputs.length);
      const absorbed = (): number => {
        let a = Infinity;
        for (let j = 0; j < ks.length; j++) a = Math.min(a, abK[j][Math.min(nK[j], r[ks[j]] + capK[j])]);
        return a;
      };
      const ops = p.ops;
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (op >= 0) {
          r[op]++;
          continue;
        }
        const q = -op - 1;
        let needed = 0;
        for (let j = 0; j < ks.length; j++) needed = Math.max(needed, ndK[j][Math.min(nK[j], r[ks[j]] + ahead)]);
        const m = w[q]++;
        outAbsorb[q][m] = absorbed();
        outNeed[q][m + 1] = Math.max(outNeed[q][m], needed);
      }
      p.outputs.forEach((e, q) => {
        outAbsorb[q][w[q]] = absorbed();
        for (let j = 1; j < outAbsorb[q].length; j++) outAbsorb[q][j] = Math.max(outAbsorb[q][j], outAbsorb[q][j - 1]);
        need.set(e, outNeed[q]);
        absorb.set(e, outAbsorb[q]);
      });
    }
  }
  if (opts.mode === 'safe') {
    const clones = new Set(net.processes.filter((p) => p.kind === 'clone').map((p) => p.name));
    for (const e of Object.values(net.edges)) {
      if (e.internal && e.producer !== null && clones.has(e.producer)) out[e.name] = { depth: Math.max(MIN_FIFO_DEPTH, e.pixels), reason: `safe: ${e.producer} output holds its whole tensor (--fifo safe)` };
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
