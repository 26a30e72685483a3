// The io_stream design as a network of processes and FIFOs, exactly as generate.ts wires it: one process per
// layer (its template's read/write order), one clone process per fanned-out tensor (nnet::clone_stream),
// one edge per hls::stream variable. Each process is a fixed, data-independent sequence of blocking reads
// and writes (every Tessera stream template is), so the network is a Kahn process network: the FIFO depth
// rule (fifo-depth.ts) and the token-level simulator (stream-sim.ts) both work on it.
import type { Model } from '../graph/model';
import type { CppStruct } from '../ops/hls-layer';
import { layerContext, type ResolvedGraph, type ResolvedNode } from './resolve';
import { streamCursorSchedule } from '../ops/conv/hls';

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
  const size = r.outputDims.reduce((a, b) => a * b, 1);
  const values = r.layout !== 'flat' ? r.outputDims[r.outputDims.length - 1] : size;
  return { pixels: size / values, values };
}

/** The top function's variable of a node's output stream (generate.ts). */
export function streamVarName(r: Pick<ResolvedNode, 'name' | 'node'>): string {
  return r.node.type === 'Input' ? `${r.name}_in` : `${r.name}_out`;
}

/** Ops of a one-input, one-output process from the reads done before each write (then the remaining reads). */
export function opsFromReads(readsBeforeWrite: ArrayLike<number>, nIn: number): StreamOps {
  const ops = new Int32Array(nIn + readsBeforeWrite.length);
  let k = 0, read = 0;
  for (let m = 0; m < readsBeforeWrite.length; m++) {
    const target = Math.min(nIn, readsBeforeWrite[m]);
    while (read < target) {
      ops[k++] = 0;
      read++;
    }
    ops[k++] = -1;
  }
  while (read < nIn) {
    ops[k++] = 0;
    read++;
  }
  return ops;
}

function constFields(structs: readonly CppStruct[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of structs) for (const f of s.fields) if (f.kind === 'const') out[f.name] = typeof f.value === 'boolean' ? Number(f.value) : f.value;
  return out;
}

/** Lock-step merge (add_stream, channel concatenate_stream): per pixel one read of every input, then a write. */
function lockstepOps(nIn: number, pixels: number): StreamOps {
  const ops = new Int32Array(pixels * (nIn + 1));
  let k = 0;
  for (let p = 0; p < pixels; p++) {
    for (let i = 0; i < nIn; i++) ops[k++] = i;
    ops[k++] = -1;
  }
  return ops;
}

/**
 * The read/write order of one layer's stream template (hls-templates/nnet), from its config fields.
 * Unknown templates whose pixel counts agree are taken as one read then one write per pixel (the
 * element-wise templates: activations, batchnorm, dense, softmax); others as read-all-then-write-all.
 */
export function layerOps(model: Model, resolved: ResolvedGraph, r: ResolvedNode): { ops: StreamOps; overlapped: boolean } {
  const o = (ops: StreamOps, overlapped = true) => ({ ops, overlapped });
  const op = resolved.analysis.nodes[r.id].op!;
  const ctx = layerContext(model, r);
  const t = r.node.type;
  const inPixels = r.inputDims.map((_, k) => streamGeometryOf({ outputDims: r.inputDims[k], layout: r.inputLayouts[k] }).pixels);
  const out = streamGeometryOf(r).pixels;
  const f = () => constFields(op.hls!.configStructs(ctx));
  if (t.startsWith('Conv')) {
    const s = streamCursorSchedule(f(), t.startsWith('ConvTranspose'));
    return o(opsFromReads(s.readsBeforeWrite, s.nIn));
  }
  if (t === 'MaxPool' || t === 'AveragePool') {
    // pooling_stream: read input row h, then write every output row whose (clipped) window ends at h.
    const c = f();
    const H = c.in_height, W = c.in_width;
    const rbw: number[] = [];
    let oh = 0;
    for (let h = 0; h < H; h++) {
      while (oh < c.out_height) {
        const hi = Math.min(oh * c.stride_height - c.pad_top + c.pool_height, H);
        if (hi - 1 !== h) break;
        for (let ow = 0; ow < c.out_width; ow++) rbw.push((h + 1) * W);
        oh++;
      }
    }
    while (rbw.length < out) rbw.push(H * W); // not reached by a valid geometry; keeps the count right
    return o(opsFromReads(rbw, H * W), false);
  }
  if (t === 'UpSampling') {
    // upsampling_stream: read input row h, then write it scale_height times (each pixel scale_width times).
    const c = f();
    const rbw: number[] = [];
    for (let h = 0; h < c.in_height; h++) for (let i = 0; i < c.scale_height * c.out_width; i++) rbw.push((h + 1) * c.in_width);
    return o(opsFromReads(rbw, c.in_height * c.in_width), false);
  }
  if (t === 'ZeroPadding') {
    // zeropad_stream: per output pixel, a read when it is inside the input, then the write.
    const c = f();
    const rbw: number[] = [];
    let read = 0;
    for (let h = 0; h < c.out_height; h++)
      for (let w = 0; w < c.out_width; w++) {
        if (h >= c.pad_top && h < c.pad_top + c.in_height && w >= c.pad_left && w < c.pad_left + c.in_width) read++;
        rbw.push(read);
      }
    return o(opsFromReads(rbw, c.in_height * c.in_width));
  }
  if (t === 'Cropping') {
    // cropping_stream: per input pixel a read, then a write when it is kept.
    const c = f();
    const rbw: number[] = [];
    let read = 0;
    for (let h = 0; h < c.in_height; h++)
      for (let w = 0; w < c.in_width; w++) {
        read++;
        if (h >= c.crop_top && h < c.crop_top + c.out_height && w >= c.crop_left && w < c.crop_left + c.out_width) rbw.push(read);
      }
    return o(opsFromReads(rbw, c.in_height * c.in_width));
  }
  if (t === 'Add') return o(lockstepOps(r.inputIds.length, out));
  if (t === 'Concatenate') {
    const c = f();
    if (c.channel_axis) return o(lockstepOps(r.inputIds.length, out));
    // Another axis: per outer index, size_k pixels of input k in turn, each written as it is read.
    const ops: number[] = [];
    for (let o = 0; o < c.n_outer; o++)
      for (let k = 0; k < r.inputIds.length; k++)
        for (let p = 0; p < c[`size${k}`]; p++) ops.push(k, -1);
    return o(Int32Array.from(ops));
  }
  if (op.hls!.reordersData) {
    const c = f();
    if (op.hls!.weightArrays(ctx).length > 0) return o(opsFromReads(new Array<number>(out).fill(inPixels[0]), inPixels[0]), false); // gather_stream
    // repack_stream: in_chan values per read, a write each time out_chan values are collected.
    const rbw: number[] = [];
    let k = 0;
    for (let e = 0; e < c.n_elem / c.in_chan; e++)
      for (let ch = 0; ch < c.in_chan; ch++)
        if (++k === c.out_chan) {
          rbw.push(e + 1);
          k = 0;
        }
    return o(opsFromReads(rbw, inPixels[0]));
  }
  if (inPixels.length === 1 && inPixels[0] === out) return o(opsFromReads(Array.from({ length: out }, (_, m) => m + 1), out));
  if (inPixels.length === 1) return o(opsFromReads(new Array<number>(out).fill(inPixels[0]), inPixels[0]), false);
  // Several inputs of an unknown template: all of every input, then the outputs (conservative).
  const ops: number[] = [];
  inPixels.forEach((n, k) => {
    for (let p = 0; p < n; p++) ops.push(k);
  });
  for (let p = 0; p < out; p++) ops.push(-1);
  return o(Int32Array.from(ops), false);
}

/** The io_stream network of a resolved graph, named as generate.ts names the streams. */
export function buildStreamNetwork(model: Model, resolved: ResolvedGraph): StreamNetwork {
  const outputs = new Set(resolved.analysis.outputs);
  const consumers: Record<string, ResolvedNode[]> = {};
  for (const r of resolved.nodes) for (const s of r.inputIds) (consumers[s] ??= []).push(r);
  const fanned = (id: string) => (consumers[id]?.length ?? 0) > 1;
  const edges: Record<string, StreamEdge> = {};
  const processes: StreamProcess[] = [];
  for (const r of resolved.nodes) {
    const v = streamVarName(r);
    const g = streamGeometryOf(r);
    const edge = (name: string, producer: string | null, internal: boolean): StreamEdge =>
      (edges[name] = { name, pixels: g.pixels, values: g.values, bitsPerValue: r.outputType.W, producer, consumer: null, internal });
    if (r.node.type === 'Input') edge(v, null, false);
    else {
      const inputs = r.inputIds.map((s) => {
        const src = resolved.byId[s];
        return fanned(s) ? `${streamVarName(src)}_to_${r.name}` : streamVarName(src);
      });
      for (const e of inputs) edges[e].consumer = r.name;
      processes.push({ name: r.name, kind: 'layer', type: r.node.type, inputs, outputs: [v], ...layerOps(model, resolved, r) });
      edge(v, r.name, !outputs.has(r.id));
    }
    if (fanned(r.id)) {
      // One target per consuming node (generate.ts: resolved.nodes that list this node among their inputs).
      const targets = resolved.nodes.filter((x) => x.inputIds.includes(r.id)).map((x) => `${v}_to_${x.name}`);
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
