// Test harness (used by the *.test.ts beside it, not by the app): runs a layer through the engine's fixed
// kernel and writes a C++ program that runs the same layer through its HLS template (config structs,
// weights and call statement from the op's descriptor), several images per run. No host imports here:
// the tests compile and run the program.
import type { Shape, Tensor } from '../../tensor/tensor';
import { randomTensor, sizeOf, tensor, transpose } from '../../tensor/tensor';
import { DiagnosticSink } from '../../diagnostics/diagnostics';
import type { FixedType } from '../../fixed/types';
import { formatFixedType } from '../../fixed/types';
import { toDouble } from '../../fixed/arith';
import type { LayerPrecision } from '../../fixed/precision';
import type { IoType, Strategy } from '../hls-layer';
import { callStatement, type CppStruct, type HlsCallNames, type HlsLayerContext } from '../hls-layer';
import type { FixedTensor, TensorLayout } from '../../fixed/tensor';
import { firmwareDims, quantizeTensor, toChannelsLastPerm } from '../../fixed/tensor';
import type { OpDef } from '../types';

export interface LayerCase {
  name: string;
  op: OpDef;
  params: Record<string, unknown>;
  /** Graph shapes with the batch axis = images per run. */
  inputShapes: Shape[];
  inputLayouts: TensorLayout[];
  outputLayout?: TensorLayout;
  inputTypes: FixedType[];
  precision: LayerPrecision;
  io: IoType;
  strategy?: Strategy;
  reuseFactor?: number;
  weights?: Record<string, Tensor>;
  /** Input value range (default ±4). */
  range?: [number, number];
  seed: number;
}

export interface PreparedCase {
  c: LayerCase;
  ctx: HlsLayerContext<unknown>;
  inputs: FixedTensor[];
  expected: FixedTensor;
  /** Expected output values per image in firmware order. */
  expectedFw: Float64Array;
  cpp: string;
}

/** Positions: fw[j] = graph position (within a batch of 1) of firmware element j. */
function fwPerm(shape: Shape, layout: TensorLayout): Int32Array {
  const one = [1, ...shape.slice(1)];
  const n = sizeOf(one);
  const perm = toChannelsLastPerm(one.length, layout);
  const idx = tensor(one, Float32Array.from({ length: n }, (_, i) => i));
  return Int32Array.from(perm ? transpose(idx, perm).data : idx.data);
}

/** Values of a fixed tensor in firmware order, image after image. */
export function firmwareValues(t: FixedTensor, layout: TensorLayout): Float64Array {
  const per = sizeOf(t.shape.slice(1));
  const p = fwPerm(t.shape, layout);
  const out = new Float64Array(t.m.length);
  for (let n = 0; n < t.shape[0]; n++) for (let j = 0; j < per; j++) out[n * per + j] = toDouble(t.m[n * per + p[j]], t.type);
  return out;
}

const cppType = (t: FixedType | string) => (typeof t === 'string' ? t : formatFixedType(t, 'cpp'));

export function printStruct(s: CppStruct): string {
  const lines = s.fields.map((f) => {
    if (f.kind === 'type') return `  typedef ${cppType(f.type)} ${f.name};`;
    if (typeof f.value === 'boolean') return `  static const bool ${f.name} = ${f.value};`;
    return f.value < 0 ? `  static const int ${f.name} = ${f.value};` : `  static const unsigned ${f.name} = ${f.value};`;
  });
  return `struct ${s.name} : ${s.base} {\n${lines.join('\n')}\n};`;
}

const num = (v: number) => (Object.is(v, -0) ? '0' : String(v));

export function prepareCase(c: LayerCase): PreparedCase {
  const sink = new DiagnosticSink(c.name, c.name);
  const outShape = c.op.infer(c.params, c.inputShapes, sink);
  if (!outShape) throw new Error(`${c.name}: ${sink.items.map((d) => d.message).join('; ')}`);
  const layouts = c.inputLayouts;
  const outLayout: TensorLayout = c.outputLayout ?? (outShape.length < 3 ? 'flat' : layouts[0]);
  const images = c.inputShapes[0][0];
  const one = (s: Shape) => [1, ...s.slice(1)];
  const config = { io: c.io, strategy: c.strategy ?? 'latency', reuseFactor: c.reuseFactor ?? 1, parallelizationFactor: 1, precision: c.precision };
  const ctx: HlsLayerContext<unknown> = {
    name: c.name,
    index: 1,
    params: c.params,
    inputShapes: c.inputShapes.map(one),
    outputShape: one(outShape),
    inputDims: c.inputShapes.map((s, i) => firmwareDims(s, layouts[i])),
    outputDims: firmwareDims(outShape, outLayout),
    inputTypes: c.inputTypes,
    config,
    weights: c.weights ?? {},
    inputLayouts: layouts,
    outputLayout: outLayout,
  };
  const checkSink = new DiagnosticSink(c.name, c.name);
  c.op.hls!.check?.(ctx, checkSink);
  if (checkSink.items.some((d) => d.severity === 'error')) throw new Error(`${c.name}: ${checkSink.items.map((d) => d.message).join('; ')}`);
  const [lo, hi] = c.range ?? [-4, 4];
  const inputs = c.inputShapes.map((s, i) => quantizeTensor(randomTensor(s, c.seed * 31 + i, lo, hi), c.inputTypes[i]));
  const expected = c.op.fixed!({ params: c.params, inputs, weights: c.weights ?? {}, precision: c.precision, config, outputShape: outShape });
  const expectedFw = firmwareValues(expected, outLayout);

  // ---- C++
  const ns = c.name;
  const structs = c.op.hls!.configStructs(ctx);
  const arrays = c.op.hls!.weightArrays(ctx);
  const names: HlsCallNames = {
    inputs: c.inputShapes.map((_, i) => `in${i}`),
    output: 'out',
    inputTypes: c.inputTypes.map((_, i) => `in${i}_t`),
    outputType: 'out_t',
    inputPixelTypes: c.inputTypes.map((_, i) => `in${i}_px`),
    outputPixelType: 'out_px',
    configs: structs.map((s) => s.name),
    weights: Object.fromEntries(arrays.map((a) => [a.name, a.name])),
  };
  const chanOf = (dims: readonly number[]) => dims[dims.length - 1];
  const src: string[] = [`namespace ${ns} {`];
  c.inputTypes.forEach((t, i) => {
    src.push(`typedef ${cppType(t)} in${i}_t;`, `typedef nnet::array<in${i}_t, ${chanOf(ctx.inputDims[i])}> in${i}_px;`);
  });
  src.push(`typedef ${cppType(c.precision.result_t)} out_t;`, `typedef nnet::array<out_t, ${chanOf(ctx.outputDims)}> out_px;`);
  for (const s of structs) src.push(printStruct(s));
  for (const a of arrays) {
    const vals = Array.from({ length: a.m.length }, (_, i) => num(toDouble(a.m[i], a.type)));
    src.push(`static const ${cppType(a.type)} ${a.name}[${a.m.length}] = {${vals.join(',')}};`);
  }
  inputs.forEach((t, i) => {
    const v = firmwareValues(t, layouts[i]);
    src.push(`static const double data${i}[${v.length}] = {${Array.from(v, num).join(',')}};`);
  });
  const nOut = sizeOf(ctx.outputDims);
  const call = callStatement(c.op.hls!.call(ctx, names));
  src.push('void run() {', `  std::printf("%s", "${ns}");`, `  bool clean = true;`, `  for (unsigned img = 0; img < ${images}; img++) {`);
  if (c.io === 'io_parallel') {
    inputs.forEach((_, i) => {
      const n = sizeOf(ctx.inputDims[i]);
      src.push(`    in${i}_t in${i}[${n}];`, `    for (unsigned k = 0; k < ${n}; k++) in${i}[k] = data${i}[img * ${n} + k];`);
    });
    src.push(`    out_t out[${nOut}];`, `    ${call}`, `    for (unsigned k = 0; k < ${nOut}; k++) std::printf(" %.17g", out[k].to_double());`);
  } else {
    inputs.forEach((_, i) => {
      const n = sizeOf(ctx.inputDims[i]);
      const ch = chanOf(ctx.inputDims[i]);
      src.push(
        `    hls::stream<in${i}_px> in${i};`,
        `    for (unsigned p = 0; p < ${n / ch}; p++) { in${i}_px px; for (unsigned k = 0; k < ${ch}; k++) px[k] = data${i}[img * ${n} + p * ${ch} + k]; in${i}.write(px); }`,
      );
    });
    const ch = chanOf(ctx.outputDims);
    src.push(
      `    hls::stream<out_px> out;`,
      `    ${call}`,
      `    for (unsigned p = 0; p < ${nOut / ch}; p++) { out_px px = out.read(); for (unsigned k = 0; k < ${ch}; k++) std::printf(" %.17g", px[k].to_double()); }`,
      `    if (out.size() != 0 || out.empty_reads() != 0${inputs.map((_, i) => ` || in${i}.size() != 0 || in${i}.empty_reads() != 0`).join('')}) clean = false;`,
    );
  }
  src.push('  }', '  std::printf(clean ? "\\n" : " UNCLEAN\\n");', '}', `}  // namespace ${ns}`);
  return { c, ctx, inputs, expected, expectedFw, cpp: src.join('\n') };
}

export function programFor(cases: readonly PreparedCase[], headers: readonly string[]): string {
  return [
    '#include <cstdio>',
    ...headers.map((h) => `#include "${h}"`),
    ...cases.map((p) => p.cpp),
    'int main() {',
    ...cases.map((p) => `  ${p.c.name}::run();`),
    '  return 0;',
    '}',
  ].join('\n');
}

/** Parses the program's output: case name → values (and whether the streams were left clean). */
export function parseOutput(text: string): Map<string, { values: number[]; clean: boolean }> {
  const out = new Map<string, { values: number[]; clean: boolean }>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.trim().split(/\s+/);
    const clean = parts[parts.length - 1] !== 'UNCLEAN';
    out.set(parts[0], { values: parts.slice(1, clean ? undefined : -1).map(Number), clean });
  }
  return out;
}

