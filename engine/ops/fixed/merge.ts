// Add and Concatenate (hls-templates/nnet/nnet_merge.h) and Flatten / Reshape / Transpose as firmware
// data reordering (hls-templates/nnet/nnet_reshape.h): fixed kernels and HLS descriptors.
import type { Tensor } from '../../tensor/tensor';
import { sizeOf, tensor } from '../../tensor/tensor';
import { addType, fracBits, intType } from '../../fixed/types';
import { add, cast, type Mantissa } from '../../fixed/arith';
import type { FixedKernel, HlsLayerContext, HlsLayerDef } from '../hls-layer';
import { normalizeAxis } from '../spatial';
import { inputPixels, lockstepOps, movementLoop, opsFromReads, outputPixels, perPixelLoop } from '../schedule';
import { hlsCall, caster, clog2, cnst, ctype, firmwareAxis, firmwareIndexOfGraph, inputLayout, mantissaArray, outputLayout, setM, streamGeometry, toFirmware, weightName } from './common';

export const MAX_MERGE_INPUTS = 4;

function checkInputs(ctx: HlsLayerContext<unknown>, op: string, sink: Parameters<NonNullable<HlsLayerDef<unknown>['check']>>[1]): void {
  if (ctx.inputShapes.length > MAX_MERGE_INPUTS) {
    sink.error(`hls-${op.toLowerCase()}-inputs`, 'inputs', ctx.inputShapes.length, `the ${op} template takes 2 to ${MAX_MERGE_INPUTS} inputs`, `chain several ${op} nodes`);
  }
}

// ---------------------------------------------------------------------------------------------
// Add: y = (res)(x0 + x1 + …), the sum exact in the growth types

export const addFixed: FixedKernel<Record<string, never>> = ({ inputs, precision }) => {
  const res = precision.result_t;
  const n = inputs[0].m.length;
  const out = mantissaArray(n, res);
  // Fast path: the exact sum in the final growth type fits float64 (every partial sum has a smaller F).
  let sumT = inputs[0].type;
  for (let k = 1; k < inputs.length; k++) sumT = addType(sumT, inputs[k].type);
  if (sumT.W <= 53 && inputs.every((t) => t.m instanceof Float64Array)) {
    const F = fracBits(sumT);
    const scale = inputs.map((t) => 2 ** (F - fracBits(t.type)));
    const toRes = caster(sumT, res);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let k = 0; k < inputs.length; k++) v += (inputs[k].m[i] as number) * scale[k];
      setM(out, i, toRes(v), res);
    }
    return { shape: [...inputs[0].shape], type: res, m: out };
  }
  for (let i = 0; i < n; i++) {
    let acc: { m: Mantissa; t: typeof res } = { m: inputs[0].m[i], t: inputs[0].type };
    for (let k = 1; k < inputs.length; k++) acc = add(acc.m, acc.t, inputs[k].m[i], inputs[k].type);
    setM(out, i, cast(acc.m, acc.t, res), res);
  }
  return { shape: [...inputs[0].shape], type: res, m: out };
};

export const addHls: HlsLayerDef<Record<string, never>> = {
  headers: ['nnet_merge.h'],
  usesAccumulator: false,
  productBlocks: () => [],
  check: (ctx, sink) => checkInputs(ctx as HlsLayerContext<unknown>, 'Add', sink),
  configStructs(ctx) {
    const { chan, pixels } = streamGeometry(ctx.outputDims, outputLayout(ctx));
    return [{ name: `config_${ctx.name}`, base: 'nnet::merge_config', fields: [cnst('n_elem', chan * pixels), cnst('n_chan', chan), cnst('n_pixels', pixels)] }];
  },
  weightArrays: () => [],
  call(ctx, names) {
    const stream = ctx.config.io === 'io_stream';
    const types = stream ? [...names.inputPixelTypes, names.outputPixelType] : [...names.inputTypes, names.outputType];
    return hlsCall(stream ? 'add_stream' : 'add', [...types, names.configs[0]], [...names.inputs, names.output]);
  },
  // add_stream: per pixel one read of every input, then the write.
  stream: (ctx) => ({ ops: lockstepOps(ctx.inputDims.length, outputPixels(ctx as HlsLayerContext<unknown>)), overlapped: true }),
  cost: (ctx) => ({ kind: 'elementwise', loop: perPixelLoop(ctx as HlsLayerContext<unknown>), cmpMux: 0, adds: Math.max(1, ctx.inputDims.length - 1), constMults: 0 }),
};

// ---------------------------------------------------------------------------------------------
// Concatenate along one graph axis = one firmware axis

interface ConcatP {
  axis: number;
}

export const concatenateHls: HlsLayerDef<ConcatP> = {
  headers: ['nnet_merge.h'],
  usesAccumulator: false,
  productBlocks: () => [],
  check: (ctx, sink) => checkInputs(ctx as HlsLayerContext<unknown>, 'Concatenate', sink),
  configStructs(ctx) {
    const g = concatGeometry(ctx);
    const stream = ctx.config.io === 'io_stream';
    const fields = [cnst('n_outer', g.outer), cnst('channel_axis', g.channel), cnst('n_pixels', outputPixels(ctx as HlsLayerContext<unknown>))];
    g.inputs.forEach((x, k) => fields.push(cnst(`size${k}`, stream && !g.channel ? x.pixels : x.values), cnst(`chan${k}`, x.chan)));
    return [{ name: `config_${ctx.name}`, base: 'nnet::concat_config', fields }];
  },
  weightArrays: () => [],
  call(ctx, names) {
    const stream = ctx.config.io === 'io_stream';
    const types = stream ? [...names.inputPixelTypes, names.outputPixelType] : [...names.inputTypes, names.outputType];
    return hlsCall(stream ? 'concatenate_stream' : 'concatenate', [...types, names.configs[0]], [...names.inputs, names.output]);
  },
  stream(ctx) {
    const g = concatGeometry(ctx);
    if (g.channel) return { ops: lockstepOps(g.inputs.length, outputPixels(ctx as HlsLayerContext<unknown>)), overlapped: true };
    // Another axis: per outer index, the pixels of input k in turn, each written as it is read.
    const ops: number[] = [];
    for (let o = 0; o < g.outer; o++) g.inputs.forEach((x, k) => {
      for (let p = 0; p < x.pixels; p++) ops.push(k, -1);
    });
    return { ops: Int32Array.from(ops), overlapped: true };
  },
  cost: (ctx) => ({ kind: 'reorder', loop: movementLoop(ctx as HlsLayerContext<unknown>) }),
};

/**
 * Concatenation on firmware axis `fa`: the product of the axes before it (outer), whether it is the channel
 * axis, and per input the values (and stream pixels) from that axis on, and its channels.
 */
function concatGeometry(ctx: HlsLayerContext<ConcatP>) {
  const rank = ctx.inputShapes[0].length;
  const axis = normalizeAxis(ctx.params.axis, rank)!;
  const fa = firmwareAxis(axis, rank, inputLayout(ctx));
  const dims = ctx.inputDims;
  const last = dims[0].length - 1;
  const inputs = dims.map((d) => {
    const values = d.slice(fa).reduce((a, b) => a * b, 1);
    return { values, chan: d[last], pixels: values / d[last] };
  });
  return { outer: dims[0].slice(0, fa).reduce((a, b) => a * b, 1), channel: fa === last, inputs };
}

// ---------------------------------------------------------------------------------------------
// Flatten / Reshape / Transpose: firmware reordering

/**
 * For each output value in firmware order, the firmware index of the input value it is (one image), or
 * null when the order is unchanged.
 */
export function reorderIndex<P>(ctx: HlsLayerContext<P>, float: (p: P, xs: Tensor[]) => Tensor): Int32Array | null {
  const sIn = [1, ...ctx.inputShapes[0].slice(1)];
  const fwIdx = firmwareIndexOfGraph(sIn, inputLayout(ctx));
  for (let i = 0; i < fwIdx.length; i++) fwIdx[i] += 1;
  const y = float(ctx.params, [tensor(sIn, fwIdx)]);
  const yf = toFirmware(y, outputLayout(ctx)).data;
  const idx = new Int32Array(yf.length);
  let identity = true;
  for (let j = 0; j < yf.length; j++) {
    idx[j] = yf[j] - 1;
    if (idx[j] !== j) identity = false;
  }
  return identity ? null : idx;
}

export const INDEX_TYPE = intType(32, false);

export function reorderHls<P>(float: (p: P, xs: Tensor[]) => Tensor, check?: HlsLayerDef<P>['check']): HlsLayerDef<P> {
  return {
    headers: ['nnet_reshape.h'],
    usesAccumulator: false,
    reordersData: true,
    productBlocks: () => [],
    check,
    configStructs(ctx) {
      return [{
        name: `config_${ctx.name}`,
        base: 'nnet::reorder_config',
        fields: [
          cnst('n_elem', sizeOf(ctx.outputDims)), cnst('in_chan', streamGeometry(ctx.inputDims[0], inputLayout(ctx)).chan), cnst('out_chan', streamGeometry(ctx.outputDims, outputLayout(ctx)).chan),
          cnst('chan_bits', ctx.config.io === 'io_stream' ? clog2(streamGeometry(ctx.inputDims[0], inputLayout(ctx)).chan) : 0),
          ctype('index_t', INDEX_TYPE),
        ],
      }];
    },
    weightArrays(ctx) {
      const idx = reorderIndex(ctx, float);
      if (!idx) return [];
      if (ctx.config.io !== 'io_stream') return [{ name: `${ctx.name}_index`, type: INDEX_TYPE, m: Float64Array.from(idx), comment: 'output value i (firmware order) = input value index[i]' }];
      // io_stream: (input element << chan_bits) | value within it (gather_stream splits it with a shift and a mask).
      const chan = streamGeometry(ctx.inputDims[0], inputLayout(ctx)).chan;
      const bits = clog2(chan);
      const code = Float64Array.from(idx, (i) => Math.floor(i / chan) * 2 ** bits + (i % chan));
      return [{ name: `${ctx.name}_index`, type: INDEX_TYPE, m: code, comment: `output value i (firmware order) = input element index[i] >> ${bits}, value index[i] & ${2 ** bits - 1}` }];
    },
    call(ctx, names) {
      const stream = ctx.config.io === 'io_stream';
      const idx = reorderIndex(ctx, float);
      const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, names.configs[0]] : [names.inputTypes[0], names.outputType, names.configs[0]];
      if (!idx) return hlsCall(stream ? 'repack_stream' : 'copy', types, [names.inputs[0], names.output]);
      return hlsCall(stream ? 'gather_stream' : 'gather', types, [names.inputs[0], names.output, weightName(names, `${ctx.name}_index`)]);
    },
    stream(ctx) {
      const u = ctx as HlsLayerContext<unknown>;
      const nIn = inputPixels(u);
      // gather_stream: the whole input, then every output.
      if (reorderIndex(ctx, float)) return { ops: opsFromReads(new Array<number>(outputPixels(u)).fill(nIn), nIn), overlapped: false };
      // repack_stream: in_chan values per read, a write each time out_chan values are collected.
      const inChan = streamGeometry(ctx.inputDims[0], inputLayout(ctx)).chan;
      const outChan = streamGeometry(ctx.outputDims, outputLayout(ctx)).chan;
      const rbw: number[] = [];
      let k = 0;
      for (let e = 0; e < nIn; e++)
        for (let ch = 0; ch < inChan; ch++)
          if (++k === outChan) {
            rbw.push(e + 1);
            k = 0;
          }
      return { ops: opsFromReads(rbw, nIn), overlapped: true };
    },
    cost(ctx) {
      const u = ctx as HlsLayerContext<unknown>;
      if (ctx.config.io !== 'io_stream') return { kind: 'reorder', loop: movementLoop(u) };
      const inChan = streamGeometry(ctx.inputDims[0], inputLayout(ctx)).chan;
      const outChan = streamGeometry(ctx.outputDims, outputLayout(ctx)).chan;
      const nElem = sizeOf(ctx.outputDims);
      // gather_stream: every element read, then every value written (II 1 each); repack_stream: one element per
      // clock when one channel count divides the other, else one value per clock.
      let steps = Math.max(inputPixels(u), outputPixels(u));
      if (reorderIndex(ctx, float)) steps = nElem / inChan + nElem;
      else if (inChan % outChan !== 0 && outChan % inChan !== 0) steps = nElem;
      return { kind: 'reorder', loop: { iterations: steps, ii: 1, looped: steps > 1 } };
    },
  };
}

/** Flatten keeps the batch axis in hardware (one image per call). */
export const flattenCheck: HlsLayerDef<{ axis: number }>['check'] = (ctx, sink) => {
  const s = ctx.inputShapes[0];
  const axis = ctx.params.axis < 0 ? ctx.params.axis + s.length : ctx.params.axis;
  if (axis === 0 || s.slice(1, axis).some((d) => d !== 1)) {
    sink.error('hls-flatten-batch', 'axis', ctx.params.axis, 'in hardware Flatten keeps the batch axis (axis 1: one image per call)', 'set axis to 1');
  }
};

export const transposeCheck: HlsLayerDef<{ perm: number[] }>['check'] = (ctx, sink) => {
  const p = ctx.params.perm;
  if (p.length === 0 || p[0] !== 0) {
    sink.error('hls-transpose-batch', 'perm', p, 'in hardware Transpose keeps the batch axis first (perm[0] = 0: one image per call)', 'permute only axes 1 and up');
  }
};
