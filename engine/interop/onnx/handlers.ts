// The ONNX op handlers: one function per ONNX op (or family) in a table keyed by the ONNX op type, like the
// Keras importer's converters. A handler reads every attribute it understands through cx.a (finish() refuses
// the rest), takes its inputs as constants or computed tensors, and sets its outputs: engine nodes (their
// shapes from the op's own rule), constants folded at import, or aliases. Anything it cannot import exactly
// is a TesseraError naming the node, the op, the attribute and the fix.
import type { Tensor } from '../../tensor/tensor';
import { getOp } from '../../ops/registry';
import { isPowerOfTwo } from '../../ops/resize';
import { OnnxDataType } from './proto';
import { CHANNELS_LAST_DOMAIN, TESSERA_DOMAIN, constOf, f32, type Attrs, type ConstVal, type NodeContext, type TensorVal, type Val } from './importer';

export type OnnxHandler = (cx: NodeContext) => void;

const rankOf = (x: TensorVal) => x.shape.length;

function constant(cx: NodeContext): void {
  const { setOut, nodeName, op } = cx;
  const a: Attrs = cx.a;
  let c: ConstVal | undefined;
  const t = a.tensor('value');
  if (t) c = constOf(t, nodeName, op);
  const vf = a.float('value_float');
  if (vf !== undefined) c = { kind: 'const', dims: [], values: Float64Array.of(vf), dataType: OnnxDataType.FLOAT };
  const vfs = a.floats('value_floats');
  if (vfs) c = { kind: 'const', dims: [vfs.length], values: Float64Array.from(vfs), dataType: OnnxDataType.FLOAT };
  const vi = a.int('value_int');
  if (vi !== undefined) c = { kind: 'const', dims: [], values: Float64Array.of(vi), dataType: OnnxDataType.INT64 };
  const vis = a.ints('value_ints');
  if (vis) c = { kind: 'const', dims: [vis.length], values: Float64Array.from(vis), dataType: OnnxDataType.INT64 };
  a.finish();
  if (!c) a.fail('Constant has no value Tessera can read (sparse or string values are not supported)', 'use a dense numeric value');
  setOut(c);
}

/** Identity: output 0 is input 0 under another name. */
function identity(cx: NodeContext): void {
  const a: Attrs = cx.a;
  a.finish();
  const v = cx.input(0);
  if (!v) a.fail('input 0 is missing', 'check the model');
  cx.setAlias(v);
}

/** Dropout in inference mode is Identity (its mask output unused). */
function dropout(cx: NodeContext): void {
  const a: Attrs = cx.a;
  a.float('ratio');
  a.int('seed');
  a.int('is_test');
  a.ignore('consumed_inputs');
  const mode = cx.inNames[2] ? cx.constIn(2, 'training_mode') : undefined;
  if (mode && mode.values.some((v) => v !== 0)) a.fail('Dropout has training_mode = true', 'export the model in inference mode (model.eval())', 'training_mode', true);
  cx.onlyFirstOutputUsed();
  identity(cx);
}

/** Relu, Sigmoid, Tanh: the engine op of the same meaning. */
function activation(cx: NodeContext): void {
  const { tensorIn, setOut, add, op } = cx;
  const a: Attrs = cx.a;
  a.finish();
  const type = op === 'Relu' ? 'ReLU' : op;
  setOut(add(type, {}, [tensorIn(0)]));
}

function leakyRelu(cx: NodeContext): void {
  const { tensorIn, setOut, add } = cx;
  const a: Attrs = cx.a;
  const alpha = a.float('alpha', 0.01);
  a.finish();
  setOut(add('LeakyReLU', { alpha }, [tensorIn(0)]));
}

function selu(cx: NodeContext): void {
  const { tensorIn, setOut, add } = cx;
  const a: Attrs = cx.a;
  const alpha = a.float('alpha', 1.67326319217681884765625);
  const gamma = a.float('gamma', 1.05070102214813232421875);
  a.finish();
  setOut(add('Selu', { alpha, gamma }, [tensorIn(0)]));
}

function softmax(cx: NodeContext): void {
  const { tensorIn, setOut, add, addPart } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const r = rankOf(x);
  const axis = a.int('axis', cx.opset >= 13 ? -1 : 1);
  a.finish();
  const ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax >= r) a.fail(`axis ${axis} is out of range for rank ${r}`, 'fix the axis', 'axis', axis);
  if (cx.opset < 13 && ax === 1 && r > 2) {
    // Before opset 13, Softmax normalizes over all axes from `axis` on: Flatten → Softmax → Reshape back.
    const flat = addPart('flatten', 'Flatten', { axis: 1 }, [x]);
    const soft = add('Softmax', { axis: -1 }, [flat]);
    setOut(addPart('reshape', 'Reshape', { targetShape: x.shape.slice(1) }, [soft]));
    return;
  }
  if (cx.opset < 13 && ax !== r - 1) {
    a.fail(`Softmax before opset 13 with axis ${axis} normalizes over all axes from ${axis} on (rank ${r}), which Tessera's per-axis Softmax does not do`, 'add a Flatten before the Softmax, or re-export with opset 13 or later', 'axis', axis);
  }
  setOut(add('Softmax', { axis: ax }, [x]));
}

/**
 * Conv / ConvTranspose → Conv1D/2D, ConvTranspose1D/2D (ONNX weight layouts are Tessera's canonical ones; a
 * channels-last Conv's (Cout, …kernel, Cin/group) weight is brought to (Cout, Cin/group, …kernel)).
 */
function conv(cx: NodeContext): void {
  const { tensorIn, constIn, optConstIn, setOut, add, spatialRank, perAxis, pads2, autoPad, channels, spatialSizes, op, layout } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const W = layout === 'NXC' ? channelsFirstWeight(constIn(1, 'weight W')) : constIn(1, 'weight W');
  const B = optConstIn(2, 'bias B');
  const isT = op === 'ConvTranspose';
  const rank = spatialRank(x);
  if (W.dims.length !== rank + 2) a.fail(`weight W has shape [${W.dims.join(', ')}]; ${rank + 2} axes expected for a ${rank}D input`, 'fix the model', 'W', W.dims);
  const kW = W.dims.slice(2);
  const k = a.ints('kernel_shape') ?? kW;
  if (k.length !== rank || k.some((v, i) => v !== kW[i])) a.fail(`kernel_shape [${k.join(', ')}] differs from the weight's kernel [${kW.join(', ')}]`, 'fix kernel_shape or the weight', 'kernel_shape', k);
  const s = perAxis('strides', rank, 1);
  const d = perAxis('dilations', rank, 1);
  const group = a.int('group', 1);
  const mode = autoPad();
  let pads = pads2(rank);
  const inSizes = spatialSizes(x);
  const cin = channels(x);
  let filters: number;
  let outputPadding = new Array<number>(rank).fill(0);
  if (isT) {
    outputPadding = perAxis('output_padding', rank, 0);
    let outputShape = a.ints('output_shape');
    a.finish();
    filters = W.dims[1] * group;
    if (W.dims[0] !== cin) a.fail(`weight W has ${W.dims[0]} input channels (axis 0, ONNX layout (Cin, Cout/group, k…)); the input has ${cin}`, 'fix the model', 'W', W.dims);
    if (outputShape) {
      if (outputShape.length === rank + 2) outputShape = outputShape.slice(2);
      if (outputShape.length !== rank) a.fail(`output_shape has ${outputShape.length} values for ${rank} spatial axes`, 'give one value per spatial axis', 'output_shape', outputShape);
      const begin: number[] = [];
      const end: number[] = [];
      for (let i = 0; i < rank; i++) {
        const kEff = (k[i] - 1) * d[i] + 1;
        let total = s[i] * (inSizes[i] - 1) + outputPadding[i] + kEff - outputShape[i];
        if (total < 0) {
          // onnxruntime accepts an output up to stride − 1 larger than the full one: extra outputs at the end.
          if (-total >= s[i]) a.fail(`output_shape ${outputShape[i]} on axis ${i} exceeds the largest output ${s[i] * (inSizes[i] - 1) + outputPadding[i] + kEff + s[i] - 1} for input size ${inSizes[i]}`, 'fix output_shape (or the input size)', 'output_shape', outputShape);
          outputPadding[i] += -total;
          total = 0;
        }
        // ONNX rule: SAME_UPPER puts the odd unit at the end, every other mode at the begin.
        const half = Math.floor(total / 2);
        begin.push(mode === 'SAME_UPPER' ? half : total - half);
        end.push(total - begin[i]);
      }
      pads = { begin, end };
    } else if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
      const begin: number[] = [];
      const end: number[] = [];
      for (let i = 0; i < rank; i++) {
        const kEff = (k[i] - 1) * d[i] + 1;
        let total = outputPadding[i] + kEff - s[i];
        if (total < 0) {
          // The ONNX text asks for in·s outputs here; onnxruntime (the reference users compare with)
          // does not pad: it gives the full (in − 1)·s + k_eff + output_padding. Tessera follows onnxruntime.
          cx.warn(
            'onnx-same-small-kernel', 'auto_pad', mode,
            `${mode} with effective kernel ${kEff} < stride ${s[i]} gives (in − 1)·s + k_eff + output_padding outputs in onnxruntime, not in·s`,
            'Tessera imports it as onnxruntime computes it; add output_padding to get in·s outputs',
          );
          total = 0;
        }
        const half = Math.floor(total / 2);
        begin.push(mode === 'SAME_UPPER' ? half : total - half);
        end.push(total - begin[i]);
      }
      pads = { begin, end };
    } else if (mode === 'VALID') {
      pads = { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
    }
  } else {
    a.finish();
    filters = W.dims[0];
    if (W.dims[1] * group !== cin) a.fail(`weight W has ${W.dims[1]} input channels per group × group ${group} ≠ input channels ${cin}${layout === 'NXC' ? ' (channels-last layout (Cout, …kernel, Cin/group))' : ''}`, 'fix the model', 'W', W.dims);
    if (mode === 'VALID') pads = { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
    else if (mode !== 'NOTSET') pads = sameConvPads(mode, inSizes, k, s, d);
  }
  const weights: Record<string, Tensor> = { weight: { shape: W.dims, data: f32(W.values) } };
  if (B) {
    if (B.values.length !== filters) a.fail(`bias B has ${B.values.length} values for ${filters} output channels`, 'fix the model', 'B', B.dims);
    weights.bias = { shape: [filters], data: f32(B.values) };
  }
  const params: Record<string, unknown> = {
    filters, kernel: k, stride: s, dilation: d, padsBegin: pads.begin, padsEnd: pads.end, groups: group,
    bias: !!B, dataFormat: layout, autoPad: 'explicit',
  };
  if (isT) params.outputPadding = outputPadding;
  setOut(add(`${isT ? 'ConvTranspose' : 'Conv'}${rank}D`, params, [x], weights));
}

function gemm(cx: NodeContext): void {
  const { tensorIn, constIn, optConstIn, setOut, add, addPart } = cx;
  const a: Attrs = cx.a;
  let x = tensorIn(0);
  const B = constIn(1, 'matrix B');
  const C = optConstIn(2, 'bias C');
  const transA = a.int('transA', 0);
  const transB = a.int('transB', 0);
  const alpha = a.float('alpha', 1);
  const beta = a.float('beta', 1);
  const broadcast = a.int('broadcast');
  a.finish();
  if (broadcast === 0 && C && C.dims.length !== 2) a.fail('broadcast = 0 with a bias that is not (M, N)', 're-export the model with a newer opset', 'broadcast', broadcast);
  if (rankOf(x) !== 2) a.fail(`input A has shape [${x.shape.join(', ')}]; Gemm takes a 2D input`, 'add a Flatten before it', 'input 0', x.shape);
  if (transA) x = addPart('transA', 'Transpose', { perm: [1, 0] }, [x]);
  if (B.dims.length !== 2) a.fail(`matrix B has shape [${B.dims.join(', ')}]; Gemm takes a 2D B`, 'fix the model', 'input 1', B.dims);
  const [K, N] = transB ? [B.dims[1], B.dims[0]] : [B.dims[0], B.dims[1]];
  if (x.shape[1] !== K) a.fail(`input A has ${x.shape[1]} columns but B has ${K} rows${transB ? ' (after transB)' : ''}`, 'fix the model', 'input 1', B.dims);
  const w = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) w[k * N + j] = alpha * (transB ? B.values[j * K + k] : B.values[k * N + j]);
  const weights: Record<string, Tensor> = { weight: { shape: [K, N], data: w } };
  if (C && beta !== 0) {
    const bias = perChannel(C, N, x.shape[0], 'bias C', a);
    weights.bias = { shape: [N], data: f32(bias.map((v) => v * beta)) };
  }
  setOut(add('Dense', { units: N, bias: !!weights.bias }, [x], weights));
}

function matMul(cx: NodeContext): void {
  const { input, tensorIn, constIn, setOut, add, inNames } = cx;
  const a: Attrs = cx.a;
  const x0 = input(0);
  if (x0?.kind === 'const') a.fail('the first MatMul input is a constant and the second is data; Tessera supports data × constant', 'export the layer as x @ W (e.g. torch.nn.Linear)', 'input 0', inNames[0]);
  const x = tensorIn(0);
  const B = constIn(1, 'matrix B');
  a.finish();
  if (B.dims.length !== 2) a.fail(`matrix B has shape [${B.dims.join(', ')}]; Tessera supports a 2D constant B`, 'use a 2D weight matrix', 'input 1', B.dims);
  if (rankOf(x) < 2) a.fail(`input has shape [${x.shape.join(', ')}]; MatMul with a 1D input is not supported`, 'reshape the input to (N, features)', 'input 0', x.shape);
  const [K, N] = B.dims;
  if (x.shape[rankOf(x) - 1] !== K) a.fail(`input has ${x.shape[rankOf(x) - 1]} features but B has ${K} rows`, 'fix the model', 'input 1', B.dims);
  setOut(add('Dense', { units: N, bias: false }, [x], { weight: { shape: [K, N], data: f32(B.values) } }));
}

function addOp(cx: NodeContext): void {
  const { input, setOut, add } = cx;
  const a: Attrs = cx.a;
  a.finish();
  const l = input(0);
  const r = input(1);
  if (!l || !r) a.fail('Add needs two inputs', 'check the model');
  if (l.kind === 'tensor' && r.kind === 'tensor') {
    if (l.shape.join() !== r.shape.join()) {
      a.fail(`inputs have shapes [${l.shape.join(', ')}] and [${r.shape.join(', ')}]; Tessera's Add needs equal shapes (no broadcasting)`, 'make both branches the same shape', 'input 1', r.shape);
    }
    setOut(add('Add', {}, [l, r]));
    return;
  }
  if (l.kind === 'const' && r.kind === 'const') {
    setOut(constBinary(l, r, (p, q) => p + q, a));
    return;
  }
  const x = (l.kind === 'tensor' ? l : r) as TensorVal;
  const c = (l.kind === 'const' ? l : r) as ConstVal;
  setOut(foldBias(cx, x, c) ?? affine(cx, x, undefined, c));
}

function batchNormalization(cx: NodeContext): void {
  const { tensorIn, constIn, setOut, onlyFirstOutputUsed, add, channels, layout } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const epsilon = a.float('epsilon', 1e-5);
  a.float('momentum');
  a.ignore('consumed_inputs', 'is_test');
  const spatial = a.int('spatial', 1);
  const training = a.int('training_mode', 0);
  a.finish();
  if (spatial !== 1) a.fail('spatial = 0 (per-element statistics) is not supported', 're-export with spatial = 1 (per-channel statistics)', 'spatial', spatial);
  if (training !== 0) a.fail('training_mode = 1 is not supported', 'export the model in inference mode (model.eval())', 'training_mode', training);
  onlyFirstOutputUsed();
  if (rankOf(x) < 2) a.fail(`input has shape [${x.shape.join(', ')}]; BatchNormalization needs (N, C, …)`, 'fix the model', 'input 0', x.shape);
  const C = channels(x);
  const slot = (i: number, what: string) => {
    const c = constIn(i, what);
    if (c.values.length !== C) a.fail(`${what} has ${c.values.length} values for ${C} channels`, 'fix the model', `input ${i}`, c.dims);
    return { shape: [C], data: f32(c.values) } as Tensor;
  };
  const weights = { gamma: slot(1, 'scale'), beta: slot(2, 'B'), mean: slot(3, 'mean'), variance: slot(4, 'var') };
  setOut(add('BatchNormalization', { epsilon, dataFormat: layout }, [x], weights));
}

function flatten(cx: NodeContext): void {
  const { tensorIn, setOut, add } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const axis = a.int('axis', 1);
  a.finish();
  setOut(add('Flatten', { axis }, [x]));
}

function reshape(cx: NodeContext): void {
  const { tensorIn, constIn, setOut, add } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  let target: number[];
  if (cx.opset < 5 || a.has('shape')) {
    target = a.ints('shape') ?? [];
  } else {
    const s = constIn(1, 'shape');
    target = [...s.values];
  }
  const allowzero = a.int('allowzero', 0);
  a.ignore('consumed_inputs');
  a.finish();
  if (allowzero && target.includes(0)) a.fail('allowzero = 1 with a 0 in the shape (an empty tensor)', 'Tessera needs non-empty tensors', 'allowzero', allowzero);
  const total = x.shape.reduce((p, d) => p * d, 1);
  const dims = target.map((d, i) => (d === 0 ? x.shape[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const out = dims.map((d) => (d === -1 ? total / known : d));
  if (dims.filter((d) => d === -1).length > 1 || out.some((d) => !Number.isInteger(d) || d < 1) || out.reduce((p, d) => p * d, 1) !== total) {
    a.fail(`shape [${target.join(', ')}] does not fit an input of shape [${x.shape.join(', ')}]`, 'fix the Reshape target', 'shape', target);
  }
  if (out.length === 0 || out[0] !== x.shape[0]) {
    a.fail(`reshaping [${x.shape.join(', ')}] to [${out.join(', ')}] changes the batch axis, which Tessera's Reshape keeps`, 'reshape only the axes after the batch', 'shape', target);
  }
  setOut(add('Reshape', { targetShape: out.slice(1) }, [x]));
}

function transpose(cx: NodeContext): void {
  const { tensorIn, setOut, setAlias, add } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const r = rankOf(x);
  const perm = a.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  a.finish();
  if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) a.fail(`perm [${perm.join(', ')}] is not a permutation of ${r} axes`, 'fix the perm attribute', 'perm', perm);
  if (perm.every((p, i) => p === i)) {
    setAlias(x);
    return;
  }
  setOut(add('Transpose', { perm }, [x]));
}

function concat(cx: NodeContext): void {
  const { input, tensorIn, setOut, setAlias, add, inNames } = cx;
  const a: Attrs = cx.a;
  const axis = a.int('axis');
  a.finish();
  if (inNames.length > 0 && inNames.every((_, i) => input(i)?.kind === 'const')) {
    if (axis === undefined) a.fail('Concat has no axis attribute', 'add the axis attribute', 'axis');
    setOut(constConcat(inNames.map((_, i) => input(i) as ConstVal), axis, a));
    return;
  }
  const xs = inNames.map((_, i) => tensorIn(i));
  if (xs.length < 2) {
    setAlias(xs[0]);
    return;
  }
  if (axis === undefined) a.fail('Concat has no axis attribute', 'add the axis attribute', 'axis');
  const r = rankOf(xs[0]);
  const ax = axis < 0 ? axis + r : axis;
  setOut(add('Concatenate', { axis: ax }, xs));
}

function pool(cx: NodeContext): void {
  const { tensorIn, setOut, onlyFirstOutputUsed, add, spatialRank, perAxis, pads2, autoPad, spatialSizes, op, layout } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const rank = spatialRank(x);
  const mode = autoPad();
  const k = a.ints('kernel_shape');
  if (!k || k.length !== rank) a.fail(`kernel_shape ${k ? `[${k.join(', ')}]` : 'is missing'}; ${rank} values expected`, 'give kernel_shape one value per spatial axis', 'kernel_shape', k);
  const s = perAxis('strides', rank, 1);
  const d = perAxis('dilations', rank, 1);
  const ceil = a.int('ceil_mode', 0);
  let pads = pads2(rank);
  const countIncludePad = op === 'AveragePool' ? a.int('count_include_pad', 0) : 0;
  if (op === 'MaxPool') {
    a.int('storage_order');
    onlyFirstOutputUsed();
  }
  a.finish();
  if (d.some((v) => v !== 1)) a.fail(`dilations [${d.join(', ')}] are not supported for pooling`, 'use dilations 1', 'dilations', d);
  if (mode === 'VALID') pads = { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
  else if (mode !== 'NOTSET') pads = sameConvPads(mode, spatialSizes(x), k, s, d);
  const params: Record<string, unknown> = { kernel: k, stride: s, padsBegin: pads.begin, padsEnd: pads.end, ceilMode: ceil === 1, dataFormat: layout };
  if (op === 'AveragePool') params.countIncludePad = countIncludePad === 1;
  setOut(add(op, params, [x]));
}

function pad(cx: NodeContext): void {
  const { tensorIn, constIn, optConstIn, setOut, setAlias, add, spatialRank } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const r = rankOf(x);
  const mode = a.string('mode', 'constant');
  let pads: number[];
  let value = 0;
  let axes: number[] = Array.from({ length: r }, (_, i) => i);
  if (cx.opset < 11) {
    pads = a.ints('pads') ?? a.ints('paddings') ?? [];
    value = a.float('value', 0);
  } else {
    pads = [...constIn(1, 'pads').values];
    const cv = optConstIn(2, 'constant_value');
    if (cv) value = cv.values[0] ?? 0;
    const ax = optConstIn(3, 'axes');
    if (ax) axes = [...ax.values].map((v) => (v < 0 ? v + r : v));
  }
  a.finish();
  if (mode !== 'constant') a.fail(`mode "${mode}" is not supported; Tessera pads with zeros`, 'use constant padding with value 0', 'mode', mode);
  if (value !== 0) a.fail(`constant value ${value} is not supported; Tessera pads with zeros`, 'pad with 0', 'constant_value', value);
  if (pads.length !== 2 * axes.length) a.fail(`pads has ${pads.length} values for ${axes.length} axes`, 'fix the pads', 'pads', pads);
  const begin = new Array<number>(r).fill(0);
  const end = new Array<number>(r).fill(0);
  axes.forEach((ax, i) => {
    begin[ax] = pads[i];
    end[ax] = pads[i + axes.length];
  });
  if ([...begin, ...end].some((v) => v < 0)) a.fail(`negative pads [${pads.join(', ')}] (cropping) are not supported`, 'use pads ≥ 0', 'pads', pads);
  if (begin.every((v) => v === 0) && end.every((v) => v === 0)) {
    setAlias(x);
    return;
  }
  spatialRank(x);
  if (begin[0] || end[0] || begin[1] || end[1]) a.fail(`pads [${pads.join(', ')}] pad the batch or channel axis`, 'Tessera pads only the spatial axes (N, C, …spatial)', 'pads', pads);
  setOut(add('ZeroPadding', { padsBegin: begin.slice(2), padsEnd: end.slice(2), dataFormat: 'NCX' }, [x]));
}

function resize(cx: NodeContext): void {
  const { tensorIn, constIn, optConstIn, setOut, add, spatialRank, op, inNames } = cx;
  const a: Attrs = cx.a;
  const x = tensorIn(0);
  const r = rankOf(x);
  const mode = a.string('mode', 'nearest');
  let ctm = 'asymmetric';
  let nearest = 'floor';
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  let axes: number[] | undefined;
  if (op === 'Upsample') {
    scales = a.floats('scales') ?? (inNames[1] ? [...constIn(1, 'scales').values] : undefined);
    a.float('width_scale');
    a.float('height_scale');
  } else {
    ctm = a.string('coordinate_transformation_mode', cx.opset >= 11 ? 'half_pixel' : 'asymmetric');
    nearest = a.string('nearest_mode', cx.opset >= 11 ? 'round_prefer_floor' : 'floor');
    a.float('cubic_coeff_a');
    a.int('exclude_outside');
    a.int('antialias');
    a.float('extrapolation_value');
    const policy = a.string('keep_aspect_ratio_policy', 'stretch');
    axes = a.ints('axes');
    if (policy !== 'stretch') a.fail(`keep_aspect_ratio_policy "${policy}" is not supported`, 'use stretch or give scales', 'keep_aspect_ratio_policy', policy);
    if (cx.opset < 11) {
      scales = [...constIn(1, 'scales').values];
    } else {
      const sc = optConstIn(2, 'scales');
      if (sc && sc.values.length > 0) scales = [...sc.values];
      const sz = optConstIn(3, 'sizes');
      if (sz && sz.values.length > 0) sizes = [...sz.values];
    }
  }
  a.finish();
  if (mode !== 'nearest' && mode !== 'linear') a.fail(`mode "${mode}" is not supported; Tessera upsamples with nearest neighbour or (bi)linear interpolation`, 'use mode "nearest" or "linear"', 'mode', mode);
  const ax = (axes ?? Array.from({ length: r }, (_, i) => i)).map((v) => (v < 0 ? v + r : v));
  const full = new Array<number>(r).fill(1);
  if (scales) {
    if (scales.length !== ax.length) a.fail(`scales has ${scales.length} values for ${ax.length} axes`, 'fix the scales', 'scales', scales);
    ax.forEach((axis, i) => (full[axis] = scales![i]));
  } else if (sizes) {
    if (sizes.length !== ax.length) a.fail(`sizes has ${sizes.length} values for ${ax.length} axes`, 'fix the sizes', 'sizes', sizes);
    ax.forEach((axis, i) => (full[axis] = sizes![i] / x.shape[axis]));
  } else a.fail('neither scales nor sizes is given', 'give the scales', 'scales');
  spatialRank(x);
  // Resize scales tensor axes whatever the layout: on channels-last data (QONNX channels-last models) the
  // channels are the last axis, so scales [1, s…, 1] are spatial there.
  const nxc = full[r - 1] === 1 && (full[1] !== 1 || layoutOfData(cx, x) === 'NXC');
  if (full[0] !== 1 || (!nxc && full[1] !== 1)) a.fail(`scales [${full.join(', ')}] resize the batch or channel axis`, 'resize only the spatial axes', 'scales', full);
  const spatial = nxc ? full.slice(1, -1) : full.slice(2);
  const dataFormat = nxc ? 'NXC' : 'NCX';
  if (spatial.some((s) => !Number.isInteger(s) || s < 1)) a.fail(`scales [${full.join(', ')}] are not positive integers`, 'Tessera upsamples by integer factors; use integer scales', 'scales', full);
  if (mode === 'linear') {
    // half_pixel; pytorch_half_pixel differs only for an output of length 1 (an input of 1 at scale 1: the same value).
    if (ctm !== 'half_pixel' && ctm !== 'pytorch_half_pixel') a.fail(`linear resize with coordinate_transformation_mode "${ctm}" is not supported`, 'export with half_pixel coordinates (PyTorch align_corners=False, Keras bilinear)', 'coordinate_transformation_mode', ctm);
    if (!spatial.every(isPowerOfTwo)) a.fail(`linear resize by [${spatial.join(', ')}]: every scale is a power of two in Tessera (exact fixed-point weights)`, 'use scales 1, 2, 4 or 8', 'scales', full);
    setOut(add('Resize', { scale: spatial, mode: 'bilinear', dataFormat }, [x]));
    return;
  }
  spatial.forEach((s, i) => {
    const inSize = x.shape[i + (nxc ? 1 : 2)];
    const outSize = inSize * s;
    for (let o = 0; o < outSize; o++) {
      const src = resizeNearestSource(o, s, inSize, outSize, ctm, nearest);
      if (src === null) a.fail(`coordinate_transformation_mode "${ctm}" with nearest_mode "${nearest}" is not supported`, 'use asymmetric + floor or half_pixel + round_prefer_floor', 'coordinate_transformation_mode', ctm);
      if (src !== Math.floor(o / s)) {
        a.fail(`nearest resize with coordinate_transformation_mode "${ctm}" and nearest_mode "${nearest}" by ${s} does not repeat each input ${s} times (output ${o} reads input ${src})`, 'use asymmetric + floor or half_pixel + round_prefer_floor (PyTorch/Keras nearest upsampling)', 'coordinate_transformation_mode', ctm);
      }
    }
  });
  setOut(add('UpSampling', { scale: spatial, dataFormat }, [x]));
}

/** The layout of computed data: the dataFormat of the nearest node before it that has one (through layout-free nodes). */
function layoutOfData(cx: NodeContext, x: TensorVal): 'NCX' | 'NXC' | undefined {
  const { imp } = cx;
  let id = x.id;
  for (let k = 0; k < imp.nodes.length; k++) {
    const n = imp.node(id);
    const format = n?.params.dataFormat;
    if (format === 'NCX' || format === 'NXC') return format;
    if (!n || getOp(n.type)?.dataLayout !== 'free') return undefined;
    const e = imp.edges.find((edge) => edge.target === id);
    if (!e) return undefined;
    id = e.source;
  }
  return undefined;
}

function shape(cx: NodeContext): void {
  const { input, setOut } = cx;
  const a: Attrs = cx.a;
  const v = input(0);
  if (!v) a.fail('input 0 is missing', 'check the model');
  const dims = v.kind === 'tensor' ? v.shape : v.dims;
  const r = dims.length;
  const norm = (i: number) => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
  const start = norm(a.int('start', 0));
  const end = norm(a.int('end', r));
  a.finish();
  const sel = dims.slice(start, end);
  setOut({ kind: 'const', dims: [sel.length], values: Float64Array.from(sel), dataType: OnnxDataType.INT64 });
}

/**
 * Sub / Mul / Div with a constant on computed data → a BatchNormalization (scale and shift); Slice of computed
 * data → Cropping; anything on constants only (shape arithmetic) is folded at import.
 */
function constantOrAffine(cx: NodeContext): void {
  const { input, setOut, setAlias, op, inNames } = cx;
  const a: Attrs = cx.a;
  if (op !== 'Slice' && op !== 'Gather' && inNames.length === 2 && (input(0)?.kind === 'tensor' || input(1)?.kind === 'tensor')) {
    a.finish();
    const l = input(0)!;
    const r = input(1)!;
    if (l.kind === 'tensor' && r.kind === 'tensor') {
      a.fail(`${op} of two computed tensors is not supported by Tessera`, `${op} with a per-channel constant is; supported ops: ${supportedOps()}`, 'input 1', inNames[1]);
    }
    const x = (l.kind === 'tensor' ? l : r) as TensorVal;
    const c = (l.kind === 'const' ? l : r) as ConstVal;
    const neg = { ...c, values: c.values.map((v) => -v) };
    if (op === 'Mul') setOut(affine(cx, x, c, undefined));
    else if (op === 'Sub' && l.kind === 'tensor') setOut(affine(cx, x, undefined, neg));
    else if (op === 'Sub') setOut(affine(cx, x, { ...c, values: c.values.map(() => -1) }, c));
    else if (l.kind === 'tensor') setOut(affine(cx, x, { ...c, values: c.values.map((v) => 1 / v) }, undefined));
    else a.fail('a constant divided by computed data is not supported', 'Tessera supports x / constant', 'input 1', inNames[1]);
    return;
  }
  if (op === 'Slice' && input(0)?.kind === 'tensor') {
    const x = input(0) as TensorVal;
    const y = sliceAsCropping(cx, x);
    if (y === x) setAlias(x);
    else setOut(y);
    return;
  }
  inNames.forEach((nm, i) => {
    if (nm && input(i)?.kind === 'tensor') {
      a.fail(`op "${op}" on computed data is not supported by Tessera (only on constants, such as shape arithmetic folded at import)`, `supported ops: ${supportedOps()}`, `input ${i}`, nm);
    }
  });
  setOut(foldConstant(cx));
}

/** Slice of computed data: constant starts/ends/axes, steps 1, on the spatial axes only → Cropping. */
function sliceAsCropping(cx: NodeContext, x: TensorVal): Val {
  const { constIn, optConstIn, spatialRank, add } = cx;
  const a: Attrs = cx.a;
  const r = x.shape.length;
  let starts: number[];
  let ends: number[];
  let axes: number[];
  let steps: number[];
  if (cx.opset < 10) {
    starts = a.ints('starts') ?? [];
    ends = a.ints('ends') ?? [];
    axes = a.ints('axes') ?? starts.map((_, i) => i);
    steps = starts.map(() => 1);
  } else {
    starts = [...constIn(1, 'starts').values];
    ends = [...constIn(2, 'ends').values];
    const ax = optConstIn(3, 'axes');
    const st = optConstIn(4, 'steps');
    axes = ax ? [...ax.values] : starts.map((_, i) => i);
    steps = st ? [...st.values] : starts.map(() => 1);
  }
  a.finish();
  if (starts.length !== axes.length || ends.length !== axes.length || steps.length !== axes.length) {
    a.fail(`starts, ends, axes and steps have ${starts.length}, ${ends.length}, ${axes.length} and ${steps.length} values`, 'give one value per sliced axis', 'axes', axes);
  }
  const begin = new Array<number>(r).fill(0);
  const end = new Array<number>(r).fill(0);
  axes.forEach((ax0, i) => {
    const ax = ax0 < 0 ? ax0 + r : ax0;
    if (ax < 0 || ax >= r) a.fail(`axis ${ax0} is out of range for rank ${r}`, 'fix the axes', 'axes', axes);
    if (steps[i] !== 1) a.fail(`step ${steps[i]} on computed data is not supported`, 'Tessera crops (Slice with steps 1) only', 'steps', steps);
    const n = x.shape[ax];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const lo = clamp(starts[i]);
    const hi = Math.max(clamp(ends[i]), lo);
    begin[ax] = lo;
    end[ax] = n - hi;
  });
  if (begin.every((v) => v === 0) && end.every((v) => v === 0)) return x;
  if (begin[0] || end[0] || begin[1] || end[1]) {
    a.fail(`Slice on the batch or channel axis of computed data (axes [${axes.join(', ')}]) is not supported`, 'Tessera crops only the spatial axes (N, C, …spatial)', 'axes', axes);
  }
  spatialRank(x);
  return add('Cropping', { cropBegin: begin.slice(2), cropEnd: end.slice(2), dataFormat: 'NCX' }, [x]);
}
/** Conv / pooling auto_pad resolution (ONNX and onnxruntime: out = ceil(in / s)). */
function sameConvPads(mode: string, inSizes: number[], k: number[], s: number[], d: number[]): { begin: number[]; end: number[] } {
  const begin: number[] = [];
  const end: number[] = [];
  inSizes.forEach((inSize, i) => {
    const kEff = (k[i] - 1) * d[i] + 1;
    const out = Math.ceil(inSize / s[i]);
    const total = Math.max((out - 1) * s[i] + kEff - inSize, 0);
    const small = Math.floor(total / 2);
    begin.push(mode === 'SAME_UPPER' ? small : total - small);
    end.push(total - begin[i]);
  });
  return { begin, end };
}

/** Shape arithmetic on constants (Shape → Gather → Unsqueeze → Concat → Reshape, as PyTorch exports x.view(x.size(0), -1)). */
function foldConstant(cx: NodeContext): ConstVal {
  const { op, inNames, constIn, optConstIn } = cx;
  const a: Attrs = cx.a;
  const x = constIn(0, 'input');
  const r = x.dims.length;
  const axesFrom = (attrName: string, inputIndex: number): number[] | undefined =>
    cx.opset >= 13 && inNames[inputIndex] ? [...constIn(inputIndex, attrName).values] : a.ints(attrName);
  switch (op) {
    case 'Gather': {
      const idx = constIn(1, 'indices');
      const axis = a.int('axis', 0);
      a.finish();
      const ax = axis < 0 ? axis + r : axis;
      if (ax < 0 || ax >= r) a.fail(`axis ${axis} is out of range for rank ${r}`, 'fix the axis', 'axis', axis);
      const outer = x.dims.slice(0, ax).reduce((p, d) => p * d, 1);
      const inner = x.dims.slice(ax + 1).reduce((p, d) => p * d, 1);
      const n = x.dims[ax];
      const values: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const i0 of idx.values) {
          const i = i0 < 0 ? i0 + n : i0;
          if (i < 0 || i >= n) a.fail(`index ${i0} is out of range for size ${n}`, 'fix the indices', 'indices', i0);
          for (let k = 0; k < inner; k++) values.push(x.values[(o * n + i) * inner + k]);
        }
      }
      return { kind: 'const', dims: [...x.dims.slice(0, ax), ...idx.dims, ...x.dims.slice(ax + 1)], values: Float64Array.from(values), dataType: x.dataType };
    }
    case 'Unsqueeze': {
      const axes = axesFrom('axes', 1) ?? [];
      a.finish();
      const outRank = r + axes.length;
      const norm = new Set(axes.map((v) => (v < 0 ? v + outRank : v)));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < outRank; i++) dims.push(norm.has(i) ? 1 : x.dims[k++]);
      return { ...x, dims };
    }
    case 'Squeeze': {
      const axes = axesFrom('axes', 1);
      a.finish();
      const norm = new Set((axes ?? x.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((v) => (v < 0 ? v + r : v)));
      return { ...x, dims: x.dims.filter((_, i) => !norm.has(i)) };
    }
    case 'Cast': {
      const to = a.int('to', OnnxDataType.FLOAT);
      a.ignore('saturate');
      a.finish();
      const isInt = ![OnnxDataType.FLOAT, OnnxDataType.DOUBLE, OnnxDataType.FLOAT16, OnnxDataType.BFLOAT16].includes(to as 1);
      const values = Float64Array.from(x.values, (v) => (isInt ? Math.trunc(v) : to === OnnxDataType.FLOAT ? Math.fround(v) : v));
      return { kind: 'const', dims: x.dims, values, dataType: to };
    }
    case 'Slice': {
      let starts: number[];
      let ends: number[];
      let axes: number[] | undefined;
      let steps: number[] | undefined;
      if (cx.opset < 10) {
        starts = a.ints('starts') ?? [];
        ends = a.ints('ends') ?? [];
        axes = a.ints('axes');
      } else {
        starts = [...constIn(1, 'starts').values];
        ends = [...constIn(2, 'ends').values];
        const ax = optConstIn(3, 'axes');
        const st = optConstIn(4, 'steps');
        axes = ax ? [...ax.values] : undefined;
        steps = st ? [...st.values] : undefined;
      }
      a.finish();
      const lo = x.dims.map(() => 0);
      const hi = [...x.dims];
      const step = x.dims.map(() => 1);
      (axes ?? starts.map((_, i) => i)).forEach((ax0, i) => {
        const ax = ax0 < 0 ? ax0 + r : ax0;
        const n = x.dims[ax];
        const s = steps?.[i] ?? 1;
        if (s <= 0) a.fail(`step ${s} is not supported for constant slicing`, 'use positive steps', 'steps', s);
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
        lo[ax] = clamp(starts[i]);
        hi[ax] = Math.max(clamp(ends[i]), lo[ax]);
        step[ax] = s;
      });
      const dims = x.dims.map((_, i) => Math.ceil((hi[i] - lo[i]) / step[i]));
      const strides = x.dims.map((_, i) => x.dims.slice(i + 1).reduce((p, d) => p * d, 1));
      const total = dims.reduce((p, d) => p * d, 1);
      const values = new Float64Array(total);
      for (let o = 0; o < total; o++) {
        let rem = o;
        let src = 0;
        for (let i = r - 1; i >= 0; i--) {
          const c = rem % dims[i];
          rem = Math.floor(rem / dims[i]);
          src += (lo[i] + c * step[i]) * strides[i];
        }
        values[o] = x.values[src];
      }
      return { kind: 'const', dims, values, dataType: x.dataType };
    }
    default: {
      const y = constIn(1, 'input');
      a.finish();
      const isInt = x.dataType !== OnnxDataType.FLOAT && x.dataType !== OnnxDataType.DOUBLE;
      const fn = op === 'Sub' ? (p: number, q: number) => p - q : op === 'Mul' ? (p: number, q: number) => p * q : (p: number, q: number) => (isInt ? Math.trunc(p / q) : p / q);
      return constBinary(x, y, fn, a);
    }
  }
}


/** A per-channel vector from a constant broadcast over an (M, N) output: scalar, (N), (1, N), … */
function perChannel(c: ConstVal, n: number, _m: number, what: string, a: Attrs): number[] {
  const size = c.values.length;
  if (size === 1) return new Array<number>(n).fill(c.values[0]);
  const lead = c.dims.slice(0, -1);
  if (c.dims[c.dims.length - 1] === n && lead.every((d) => d === 1)) return [...c.values];
  return a.fail(`${what} has shape [${c.dims.join(', ')}]; Tessera supports one bias value per output (shape [${n}])`, 'use a per-output bias', what, c.dims);
}

/** The constant as one value per entry of one axis of x (numpy broadcasting), or null. */
function constPerAxis(x: TensorVal, c: ConstVal): { axis: number; values: number[] } | null {
  const r = x.shape.length;
  if (c.dims.length > r) return null;
  const dims = [...new Array<number>(r - c.dims.length).fill(1), ...c.dims];
  const varying = dims.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  if (varying.length === 0) return { axis: r >= 2 ? 1 : 0, values: new Array<number>(x.shape[r >= 2 ? 1 : 0]).fill(c.values[0]) };
  if (varying.length !== 1 || dims[varying[0]] !== x.shape[varying[0]]) return null;
  return { axis: varying[0], values: [...c.values] };
}

/** x + constant folded into the bias of the Dense / Conv that produced x (its only reader); null if it cannot be. */
function foldBias(cx: NodeContext, x: TensorVal, c: ConstVal): TensorVal | null {
  const { imp } = cx;
  const node = imp.node(x.id)!;
  // Readers of the layer's output under every name it has (Identity aliases included).
  let readers = 0;
  for (const [name, v] of imp.values) if (v.kind === 'tensor' && v.id === x.id) readers += imp.uses.get(name) ?? 0;
  // Ops that add a per-output-channel bias: Dense (the last axis) and the Conv family (its data format's channels).
  const category = getOp(node.type)?.category;
  if ((category !== 'dense' && category !== 'conv') || readers !== 1 || (imp.fanout.get(x.id) ?? 0) > 0) return null;
  const chAxis = category === 'dense' || node.params.dataFormat === 'NXC' ? x.shape.length - 1 : 1;
  const per = constPerAxis(x, c);
  if (!per || (c.values.length > 1 && per.axis !== chAxis)) return null;
  const C = x.shape[chAxis];
  const values = c.values.length === 1 ? new Array<number>(C).fill(c.values[0]) : per.values;
  const w = imp.weights[x.id];
  const old = w.bias ? w.bias.data : new Float32Array(C);
  w.bias = { shape: [C], data: f32(Array.from(old, (v, i) => v + values[i])) };
  node.params = { ...node.params, bias: true };
  return x;
}

/**
 * x · scale + shift with per-channel (or scalar) constants, as a BatchNormalization layer (mean 0,
 * variance 1, a negligible epsilon), on axis 1 (NCX) or the last axis (NXC).
 */
function affine(cx: NodeContext, x: TensorVal, scale: ConstVal | undefined, shift: ConstVal | undefined): TensorVal {
  const { op } = cx;
  const a: Attrs = cx.a;
  const r = x.shape.length;
  const ps = scale ? constPerAxis(x, scale) : null;
  const pt = shift ? constPerAxis(x, shift) : null;
  const scalarS = !scale || scale.values.length === 1;
  const scalarT = !shift || shift.values.length === 1;
  let axis = 1;
  if (!scalarS && ps) axis = ps.axis;
  else if (!scalarT && pt) axis = pt.axis;
  const bad = (scale && !ps) || (shift && !pt) || (!scalarS && ps!.axis !== axis) || (!scalarT && pt!.axis !== axis) || r < 2 || (axis !== 1 && axis !== r - 1);
  if (bad) {
    const shiftBad = shift && (!pt || (!scalarT && pt.axis !== axis));
    const c = (shiftBad ? shift : scale ?? shift)!;
    a.fail(
      `the constant of shape [${c.dims.join(', ')}] is not one value per channel of [${x.shape.join(', ')}] (axis 1 or the last axis)`,
      `Tessera supports ${op} with a scalar or per-channel constant (as a BatchNormalization), or folds an Add into the bias of the layer before it`, 'input', c.dims,
    );
  }
  const C = x.shape[axis];
  const vec = (c: ConstVal | undefined, p: { values: number[] } | null, def: number) =>
    f32(!c ? new Array<number>(C).fill(def) : c.values.length === 1 ? new Array<number>(C).fill(c.values[0]) : p!.values);
  const weights: Record<string, Tensor> = {
    gamma: { shape: [C], data: vec(scale, ps, 1) },
    beta: { shape: [C], data: vec(shift, pt, 0) },
    mean: { shape: [C], data: new Float32Array(C) },
    variance: { shape: [C], data: new Float32Array(C).fill(1) },
  };
  const dataFormat = axis === 1 ? 'NCX' : 'NXC';
  return cx.add('BatchNormalization', { epsilon: 1e-12, dataFormat }, [x], weights);
}


/** Source index of output position x for ONNX Resize nearest (before clamping). */
function resizeNearestSource(x: number, scale: number, inSize: number, outSize: number, ctm: string, nearest: string): number | null {
  let orig: number;
  switch (ctm) {
    case 'half_pixel': orig = (x + 0.5) / scale - 0.5; break;
    case 'pytorch_half_pixel': orig = outSize > 1 ? (x + 0.5) / scale - 0.5 : 0; break;
    case 'align_corners': orig = outSize === 1 ? 0 : (x * (inSize - 1)) / (outSize - 1); break;
    case 'asymmetric': orig = x / scale; break;
    case 'tf_half_pixel_for_nn': orig = (x + 0.5) / scale; break;
    case 'half_pixel_symmetric': {
      const adj = outSize / (scale * inSize);
      const center = inSize / 2;
      const offset = center * (1 - adj);
      orig = offset + (x + 0.5) / scale - 0.5;
      break;
    }
    default: return null;
  }
  let idx: number;
  switch (nearest) {
    case 'round_prefer_floor': idx = orig === Math.floor(orig) + 0.5 ? Math.floor(orig) : Math.round(orig); break;
    case 'round_prefer_ceil': idx = Math.round(orig); break;
    case 'floor': idx = Math.floor(orig); break;
    case 'ceil': idx = Math.ceil(orig); break;
    default: return null;
  }
  return Math.min(Math.max(idx, 0), inSize - 1);
}

/** Elementwise op on two constants with numpy broadcasting. */
function constBinary(x: ConstVal, y: ConstVal, fn: (p: number, q: number) => number, a: Attrs): ConstVal {
  const r = Math.max(x.dims.length, y.dims.length);
  const px = [...new Array<number>(r - x.dims.length).fill(1), ...x.dims];
  const py = [...new Array<number>(r - y.dims.length).fill(1), ...y.dims];
  const dims = px.map((d, i) => {
    if (d !== py[i] && d !== 1 && py[i] !== 1) a.fail(`constant shapes [${x.dims.join(', ')}] and [${y.dims.join(', ')}] do not broadcast`, 'fix the model');
    return Math.max(d, py[i]);
  });
  const total = dims.reduce((p, d) => p * d, 1);
  const values = new Float64Array(total);
  for (let o = 0; o < total; o++) {
    let rem = o;
    let ix = 0;
    let iy = 0;
    let sx = 1;
    let sy = 1;
    for (let i = r - 1; i >= 0; i--) {
      const c = rem % dims[i];
      rem = Math.floor(rem / dims[i]);
      if (px[i] !== 1) ix += c * sx;
      if (py[i] !== 1) iy += c * sy;
      sx *= px[i];
      sy *= py[i];
    }
    values[o] = fn(x.values[ix], y.values[iy]);
  }
  return { kind: 'const', dims, values, dataType: x.dataType };
}

function constConcat(xs: ConstVal[], axis: number, a: Attrs): ConstVal {
  const r = xs[0].dims.length;
  const ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax >= r || xs.some((c) => c.dims.length !== r || c.dims.some((d, i) => i !== ax && d !== xs[0].dims[i]))) {
    a.fail(`constant inputs of shapes ${xs.map((c) => `[${c.dims.join(', ')}]`).join(', ')} cannot be joined on axis ${axis}`, 'fix the model', 'axis', axis);
  }
  const outer = xs[0].dims.slice(0, ax).reduce((p, d) => p * d, 1);
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const c of xs) {
      const row = c.dims.slice(ax).reduce((p, d) => p * d, 1);
      for (let k = 0; k < row; k++) values.push(c.values[o * row + k]);
    }
  }
  const dims = [...xs[0].dims];
  dims[ax] = xs.reduce((t, c) => t + c.dims[ax], 0);
  return { kind: 'const', dims, values: Float64Array.from(values), dataType: xs[0].dataType };
}

/** A channels-last Conv weight (Cout, …kernel, Cin/group) as ONNX's (Cout, Cin/group, …kernel). */
function channelsFirstWeight(w: ConstVal): ConstVal {
  const r = w.dims.length;
  if (r < 3) return w;
  const [cout, ...rest] = w.dims;
  const kernel = rest.slice(0, -1);
  const cin = rest[rest.length - 1];
  const k = kernel.reduce((p, d) => p * d, 1);
  const values = new Float64Array(w.values.length);
  for (let o = 0; o < cout; o++) for (let p = 0; p < k; p++) for (let c = 0; c < cin; c++) values[(o * cin + c) * k + p] = w.values[(o * k + p) * cin + c];
  return { ...w, dims: [cout, cin, ...kernel], values };
}

/** Every ONNX op the importer understands, by op type. */
export const ONNX_HANDLERS: Readonly<Record<string, OnnxHandler>> = {
  Conv: conv,
  ConvTranspose: conv,
  Gemm: gemm,
  MatMul: matMul,
  Relu: activation,
  LeakyRelu: leakyRelu,
  Sigmoid: activation,
  Tanh: activation,
  Softmax: softmax,
  Selu: selu,
  BatchNormalization: batchNormalization,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Identity: identity,
  Dropout: dropout,
  Resize: resize,
  Upsample: resize,
  MaxPool: pool,
  AveragePool: pool,
  Add: addOp,
  Concat: concat,
  Pad: pad,
  Constant: constant,
  // with a scalar or per-channel constant (→ BatchNormalization), or on constants
  Sub: constantOrAffine,
  Mul: constantOrAffine,
  Div: constantOrAffine,
  // on constants only (shape arithmetic that exporters emit, folded at import); Slice also on the spatial
  // axes of computed data (steps 1 → Cropping):
  Shape: shape,
  Gather: constantOrAffine,
  Unsqueeze: constantOrAffine,
  Squeeze: constantOrAffine,
  Cast: constantOrAffine,
  Slice: constantOrAffine,
};

/** QONNX's channels-last ops (CHANNELS_LAST_DOMAIN): the standard handlers, which read the layout from the node. */
const CHANNELS_LAST_HANDLERS: Readonly<Record<string, OnnxHandler>> = {
  Conv: conv,
  MaxPool: pool,
  BatchNormalization: batchNormalization,
};

/** Linear (TESSERA_DOMAIN): y = x as its own layer, whose result_t casts. */
function linear(cx: NodeContext): void {
  cx.a.finish();
  cx.setOut(cx.add('Linear', {}, [cx.tensorIn(0)]));
}

/** The handler tables by ONNX domain ('' and 'ai.onnx' are the standard ops). */
export const ONNX_DOMAIN_HANDLERS: Readonly<Record<string, Readonly<Record<string, OnnxHandler>>>> = {
  '': ONNX_HANDLERS,
  'ai.onnx': ONNX_HANDLERS,
  [CHANNELS_LAST_DOMAIN]: CHANNELS_LAST_HANDLERS,
  [TESSERA_DOMAIN]: { Linear: linear },
};

/** The ONNX op types the importer understands (the error for any other op lists them). */
export const SUPPORTED_ONNX_OPS: readonly string[] = Object.keys(ONNX_HANDLERS);

const supportedOps = () => SUPPORTED_ONNX_OPS.join(', ');
