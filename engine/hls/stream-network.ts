// The io_stream design as a network of processes and FIFOs, exactly as generate.ts wires it: one process per
// layer (its template's read/write order: the op's `stream` hook), one clone process per fanned-out tensor
// (nnet::clone_stream), one edge per hls::stream variable. Each process is a fixed, data-independent sequence
// of blocking reads and writes (every Tessera stream template is), so the network is a Kahn process network:
// the FIFO depth rule (fifo-depth.ts) and the token-level simulator (stream-sim.ts) both work on it.
import type { Model } from '../graph/model';
import { streamGeometry } from '../ops/fixed/common';
import { isGraphInput } from '../ops/input';
import { layerContext, type ResolvedGraph, type ResolvedNode } from './resolve';

/** Program of a process: op ≥ 0 reads one pixel from input port op; op < 0 writes one to output port −op−1. */
export type StreamOps = Int32Array;

export interface StreamProcess {
  /** Layer process: the node's C name; clone: `clone_<stream>`. */
  name: string;
  kind: 'layer' | 'clone';
  /** Node type (clone: 'clone_stream'). */
  type: string;
  /** Edge names by port. */
  inputs: string[];
  outputs: string[];
  ops: StreamOps;
  /**
   * Reads and writes share one pipelined loop (Conv cursor, element-wise, padding, cropping, merges): a read
   * that stalls can hold back the writes of earlier iterations still in the pipeline. Pooling and
   * upsampling read a row and write in separate loops (each drains before the next starts).
   */
  overlapped: boolean;
}

export interface StreamEdge {
  /** The hls::stream variable of the generated top function. */
  name: string;
  /** Pixels (stream elements) per image and values per pixel. */
  pixels: number;
  values: number;
  /** Bits per value (the tensor's type). */
  bitsPerValue: number;
  /** Writer / reader process names; null = the top function's port (testbench side, unbounded). */
  producer: string | null;
  consumer: string | null;
  /** An hls::stream declared inside the top (gets a depth); false for the top's ports. */
  internal: boolean;
}

export interface StreamNetwork {
  /** Topological order (a clone right after its producer). */
  processes: StreamProcess[];
  edges: Record<string, StreamEdge>;
}

/** Pixels and values per pixel of a firmware tensor as the generator streams it (a flat tensor is one element). */
export function streamGeometryOf(r: Pick<ResolvedNode, 'outputDims' | 'layout'>): { pixels: number; values: number } {
  const g = streamGeometry(r.outputDims, r.layout);
  return { pixels: g.pixels, values: g.chan };
}

/** The top function's variable of a node's output stream (generate.ts). */
export function streamVarName(r: Pick<ResolvedNode, 'name' | 'node'>): string {
  return isGraphInput(r.node) ? `${r.name}_in` : `${r.name}_out`;
}

/**
 * How the generated top function wires its streams: a tensor read by more than one input slot goes through
 * clone_stream into one copy per reading node (`<stream>_to_<reader>`), each read from its copy.
 */
export interface StreamWiring {
  /** The stream names of each layer's inputs, by node id. */
  inputs: Record<string, string[]>;
  /** The clone targets of each fanned-out tensor, by its node id (absent when read once). */
  clones: Record<string, string[]>;
}

export function streamWiring(resolved: ResolvedGraph): StreamWiring {
  const slots: Record<string, number> = {};
  const readers: Record<string, ResolvedNode[]> = {};
  for (const r of resolved.nodes)
    r.inputIds.forEach((s, i) => {
      slots[s] = (slots[s] ?? 0) + 1;
      if (r.inputIds.indexOf(s) === i) (readers[s] ??= []).push(r);
    });
  const fanned = (id: string) => (slots[id] ?? 0) > 1;
  const inputs: Record<string, string[]> = {};
  const clones: Record<string, string[]> = {};
  for (const r of resolved.nodes) {
    inputs[r.id] = r.inputIds.map((s) => (fanned(s) ? `${streamVarName(resolved.byId[s])}_to_${r.name}` : streamVarName(resolved.byId[s])));
    if (fanned(r.id)) clones[r.id] = readers[r.id].map((x) => `${streamVarName(r)}_to_${x.name}`);
  }
  return { inputs, clones };
}

/** The io_stream network of a resolved graph, named as generate.ts names the streams. */
export function buildStreamNetwork(model: Model, resolved: ResolvedGraph): StreamNetwork {
  const outputs = new Set(resolved.analysis.outputs);
  const wiring = streamWiring(resolved);
  const edges: Record<string, StreamEdge> = {};
  const processes: StreamProcess[] = [];
  for (const r of resolved.nodes) {
    const v = streamVarName(r);
    const g = streamGeometryOf(r);
    const edge = (name: string, producer: string | null, internal: boolean): StreamEdge =>
      (edges[name] = { name, pixels: g.pixels, values: g.values, bitsPerValue: r.outputType.W, producer, consumer: null, internal });
    if (isGraphInput(r.node)) edge(v, null, false);
    else {
      const inputs = wiring.inputs[r.id];
      for (const e of inputs) edges[e].consumer = r.name;
      const op = resolved.analysis.nodes[r.id].op!;
      processes.push({ name: r.name, kind: 'layer', type: r.node.type, inputs, outputs: [v], ...op.hls!.stream(layerContext(model, r)) });
      edge(v, r.name, !outputs.has(r.id));
    }
    const targets = wiring.clones[r.id];
    if (targets) {
      const name = `clone_${v}`;
      edges[v].consumer = name;
      for (const t of targets) edge(t, name, true);
      const ops = new Int32Array(g.pixels * (targets.length + 1));
      let k = 0;
      for (let p = 0; p < g.pixels; p++) {
        ops[k++] = 0;
        for (let i = 0; i < targets.length; i++) ops[k++] = -(i + 1);
      }
      processes.push({ name, kind: 'clone', type: 'clone_stream', inputs: [v], outputs: targets, ops, overlapped: true });
    }
  }
  return { processes, edges };
}
