// Token-level simulation of an io_stream network with bounded FIFOs: shows a deadlock that C simulation
// cannot (g++ runs the dataflow processes one after another over unbounded hls::streams).
//
// Every process runs its program (stream-network.ts: blocking reads / writes in its template's order) as far
// as it can, round-robin, until every process has finished or a whole round makes no progress: a deadlock.
// Each FIFO has one writer and one reader, so an enabled read or write stays enabled until it is done; the
// outcome (finish or deadlock) does not depend on the order the processes are run in. The top's input
// streams hold one whole image (the testbench writes it before the call); its outputs are unbounded.
import type { StreamNetwork } from './stream-network';

export interface BlockedProcess {
  process: string;
  /** What it waits for: a read of an empty FIFO or a write to a full one. */
  waits: 'read' | 'write';
  edge: string;
  /** Ops done of its program. */
  done: number;
  total: number;
}

export interface StreamSimResult {
  finished: boolean;
  /** When not finished: every unfinished process and the FIFO it waits on. */
  blocked: BlockedProcess[];
  /** Most items each internal FIFO held. */
  maxFill: Record<string, number>;
  rounds: number;
}

/**
 * Runs `images` images (default 1) through the network with the given depth per internal edge: every
 * process repeats its program once per image, as the DATAFLOW top does for back-to-back calls.
 * `readAhead` (per process, default none): a layer whose reads and writes share one pipelined loop holds
 * that many pixels in flight (its pipeline depth): a write leaves the pipeline only once the reads that many
 * pixels further on have been done (a blocked read stalls the whole pipeline, the write in its last stage
 * too), except at the end of an image where the loop drains.
 */
export function simulateStreams(net: StreamNetwork, depth: (edge: string) => number, images = 1, readAhead?: (process: string) => number): StreamSimResult {
  const names = Object.keys(net.edges);
  const idx = new Map(names.map((n, i) => [n, i]));
  const count = new Float64Array(names.length);
  const cap = new Float64Array(names.length);
  const maxFill = new Float64Array(names.length);
  names.forEach((n, i) => {
    const e = net.edges[n];
    cap[i] = e.internal ? depth(n) : Infinity;
    if (e.producer === null) count[i] = e.pixels * images;
  });
  const procs = net.processes.map((p) => {
    const ops = images === 1 ? p.ops : repeat(p.ops, images);
    const ahead = p.kind === 'layer' && p.overlapped ? Math.max(0, readAhead?.(p.name) ?? 0) : 0;
    return { ops, pc: 0, ins: p.inputs.map((e) => idx.get(e)!), outs: p.outputs.map((e) => idx.get(e)!), ahead: ahead > 0 ? aheadState(ops, p.ops.length, ahead) : null };
  });
  let rounds = 0;
  for (;;) {
    rounds++;
    let progress = false;
    let running = 0;
    for (const p of procs) {
      const start = p.pc;
      const ops = p.ops;
      if (p.ahead) {
        // Reads in order, up to the next write's read-ahead; a write once its reads and its read-ahead are done.
        const a = p.ahead;
        const before = a.done;
        for (;;) {
          if (a.w < a.writes.length && a.r >= a.readsNeeded[a.w]) {
            const e = p.outs[-ops[a.writes[a.w]] - 1];
            if (count[e] < cap[e]) {
              if (++count[e] > maxFill[e]) maxFill[e] = count[e];
              a.w++;
              a.done++;
              continue;
            }
          }
          if (a.r < a.reads.length && (a.w >= a.writes.length || a.r < a.readsNeeded[a.w])) {
            const e = p.ins[ops[a.reads[a.r]]];
            if (count[e] > 0) {
              count[e]--;
              a.r++;
              a.done++;
              continue;
            }
          }
          break;
        }
        // pc: the first op not done in program order (for the report of a blocked process).
        p.pc = Math.min(a.w < a.writes.length ? a.writes[a.w] : ops.length, a.r < a.reads.length ? a.reads[a.r] : ops.length);
        if (a.done !== before) progress = true;
        if (a.done < ops.length) running++;
        continue;
      }
      while (p.pc < ops.length) {
        const op = ops[p.pc];
        if (op >= 0) {
          const e = p.ins[op];
          if (count[e] === 0) break;
          count[e]--;
        } else {
          const e = p.outs[-op - 1];
          if (count[e] >= cap[e]) break;
          if (++count[e] > maxFill[e]) maxFill[e] = count[e];
        }
        p.pc++;
      }
      if (p.pc !== start) progress = true;
      if (p.pc < ops.length) running++;
    }
    if (running === 0 || !progress) {
      const blocked: BlockedProcess[] = [];
      net.processes.forEach((np, i) => {
        const p = procs[i];
        if (p.pc >= p.ops.length) return;
        const op = p.ops[p.pc];
        blocked.push({ process: np.name, waits: op >= 0 ? 'read' : 'write', edge: op >= 0 ? np.inputs[op] : np.outputs[-op - 1], done: p.pc, total: p.ops.length });
      });
      const fill: Record<string, number> = {};
      names.forEach((n, i) => {
        if (net.edges[n].internal) fill[n] = maxFill[i];
      });
      return { finished: running === 0, blocked, maxFill: fill, rounds };
    }
  }
}

/**
 * A program (`imageOps` ops per image) split into its reads and its writes (op indices), with the reads each
 * write needs done before it leaves the pipeline: those before it in the program, plus `ahead` more within
 * its image.
 */
function aheadState(ops: Int32Array, imageOps: number, ahead: number) {
  const reads: number[] = [];
  const writes: number[] = [];
  const readsBefore: number[] = [];
  const imageEnd: number[] = [];
  let image = -1;
  for (let i = 0; i < ops.length; i++) {
    if (i % imageOps === 0) image++;
    if (ops[i] >= 0) reads.push(i);
    else {
      writes.push(i);
      readsBefore.push(reads.length);
      imageEnd.push(image);
    }
  }
  // Reads done by the end of each image.
  const endReads: number[] = [];
  let k = 0;
  for (let img = 0; img * imageOps < ops.length; img++) {
    while (k < reads.length && reads[k] < (img + 1) * imageOps) k++;
    endReads.push(k);
  }
  const readsNeeded = readsBefore.map((b, w) => Math.min(b + ahead, endReads[imageEnd[w]]));
  return { reads, writes, readsNeeded, r: 0, w: 0, done: 0 };
}

function repeat(ops: Int32Array, n: number): Int32Array {
  const out = new Int32Array(ops.length * n);
  for (let i = 0; i < n; i++) out.set(ops, i * ops.length);
  return out;
}
