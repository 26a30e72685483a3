// The HLS project generator: graph + weights + HlsConfig → file map { path → contents } in HLS.md's
// layout. Deterministic (no clocks, no randomness without the seed, sorted keys): the same input gives
// byte-identical files. The layer C++ comes from the op's template header (copied in from the host);
// the generator only writes config structs, weights, the top function's calls and the testbench.
import { C_IDENTIFIER, cComment, checkText } from '../safety/rules';
import type { Tensor } from '../tensor/tensor';
import { seededRandom, sizeOf, tensor } from '../tensor/tensor';
import { makeDiagnostic, TesseraError, type Diagnostic } from '../diagnostics/diagnostics';
import type { Model } from '../graph/model';
import type { FixedType } from '../fixed/types';
import { formatFixedType, fracBits } from '../fixed/types';
import { packedBytes, packedLiteralLines } from './packed-weights';
import { toDouble } from '../fixed/arith';
import { inputShapeProblems, simulateFixed, type FixedSimResult } from './simulate';
import { buildTcl, hlsConfig, type HlsScriptInput } from './scripts';
import type { HlsConfig } from './config';
import { callStatement, callTemplate, type CppStruct, type HlsCallNames, type HlsWeightArray } from '../ops/hls-layer';
import { permuteMantissas, toChannelsLastPerm, type FixedTensor } from '../fixed/tensor';
import { layerContext, resolveGraph, type ResolvedGraph, type ResolvedNode } from './resolve';
import { reuseInfo } from './reuse';
import { buildStreamNetwork, streamVarName, streamWiring, type StreamNetwork, type StreamWiring } from './stream-network';
import { isGraphInput } from '../ops/input';
import { fifoDepthMacro, fifoDepths, PIPELINE_SLACK, type FifoDepth } from './fifo-depth';
import { stableJson, type RunMemo } from '../graph/run-key';

export const GENERATOR_VERSION = '0.1.0';

export type FileMap = Record<string, string | Uint8Array>;

export interface GenerateInput {
  model: Model;
  config: HlsConfig;
  /** Contents of hls-templates/nnet/* by file name (the host reads them; the engine is host-free). */
  templates: Record<string, string>;
  /** Test inputs by Input node name, batch = images; default seeded random vectors (config.seed). */
  inputs?: Record<string, Tensor>;
  /**
   * io_stream: pixels each layer (by C name) holds in flight, for the FIFO depth rule (engine/estimate
   * fifoReadAhead, from the modelled pipeline depths); default PIPELINE_SLACK for every layer.
   */
  fifoReadAhead?: Readonly<Record<string, number>>;
  /** io_stream: 'safe' gives every stream a fork writes its whole tensor (fifo-depth.ts FifoDepthOptions.mode). */
  fifo?: 'rule' | 'safe';
  /** Earlier fixed-point runs by content (simulateFixed): the test vectors of a variant that changes no value. */
  simMemo?: RunMemo<Record<string, FixedTensor>>;
  /**
   * Leave what g++ does not read to `rest()`: the test vectors (tb_data/*.dat, the fixed-point run) and the
   * synthesis initializers (weights/*.inc). A build compiles the other files meanwhile.
   */
  deferred?: boolean;
}

/** What a deferred generation leaves for later (GenerateInput.deferred). */
export interface GenerateRest {
  /** The test vectors (tb_data/*.dat). */
  files: FileMap;
  /** The synthesis-only weight initializers (weights/*.inc): no C simulation reads them. */
  synthesis: FileMap;
  sim: FixedSimResult;
}

export interface GenerateResult {
  /** null when diagnostics hold an error. */
  files: FileMap | null;
  diagnostics: Diagnostic[];
  /** The fixed-point run that produced tb_data (null on error). */
  sim: FixedSimResult | null;
  resolved: ResolvedGraph;
  /** Test inputs used (by Input node name). */
  inputs: Record<string, Tensor>;
  /** One entry per node, as tessera.json lists them (empty on error). */
  layers: GeneratedLayer[];
  /** With GenerateInput.deferred: the files and the run left for later (throws TesseraError when the run fails). */
  rest?: () => GenerateRest;
}

/** A node of the generated project: its names, output, and for layers with hardware choices, those. */
export interface GeneratedLayer {
  name: string;
  id: string;
  /** Its name in the C++ code. */
  cname: string;
  type: string;
  outputDims: number[];
  result_t: string;
  strategy?: string;
  reuseFactor?: number;
  parallelizationFactor?: number;
  validReuseFactors?: number[];
  multipliers?: number;
  precision?: { weight_t: string; bias_t: string; accum_t: string; result_t: string };
}

/** Exact decimal of a fixed value (W ≤ 53: the double is exact; JS prints the shortest round-trip form). */
function lit(m: number | bigint, t: FixedType): string {
  const v = toDouble(m, t);
  return Object.is(v, -0) ? '0' : String(v);
}

/**
 * lit for many values of one type: narrow types (W ≤ 16: at most 65536 distinct values) remember each literal,
 * since printing the shortest exact decimal costs ~10× a lookup and weight arrays repeat values a lot.
 */
function literals(t: FixedType): (m: number | bigint) => string {
  if (t.W > 16) return (m) => lit(m, t);
  const lo = t.signed ? -(2 ** (t.W - 1)) : 0;
  const table: (string | undefined)[] = new Array(2 ** t.W);
  return (m) => {
    if (typeof m !== 'number') return lit(m, t);
    const i = m - lo;
    return (table[i] ??= lit(m, t));
  };
}

/**
 * Exact literals of `m`, 16 to a row ('    a, b, …' rows joined by ',\n'). Built from one array of literals and
 * joined once: the DCGAN example's 1.2 M weights took ~1 s of string concatenation and garbage collection.
 */
function literalRows(m: ArrayLike<number | bigint>, t: FixedType): string {
  const L = literals(t);
  const vals: string[] = new Array(m.length);
  for (let i = 0; i < m.length; i++) vals[i] = L(m[i]);
  const rows: string[] = new Array(Math.ceil(m.length / 16));
  for (let r = 0; r < rows.length; r++) rows[r] = '    ' + vals.slice(r * 16, r * 16 + 16).join(', ');
  return rows.join(',\n');
}

/**
 * The text of recent weight arrays (synthesis rows, packed lines) by type and content: the variants of a sweep
 * or of the app's build queue share most of their weights, and writing them is most of codegen. A hit is
 * checked value by value against the kept mantissas (no trust in the hash); at most WEIGHT_MEMO_CHARS of text.
 */
type WeightEntry = { m: Float64Array; rows?: string; packed?: string; chars: number };
const weightMemo = new Map<string, WeightEntry>();
let weightMemoChars = 0;
const WEIGHT_MEMO_CHARS = 64e6;

/** The memo entry of one weight array under `key` (made when missing; most recently used last). */
function weightEntry(key: string, m: Float64Array): WeightEntry {
  const hit = weightMemo.get(key);
  weightMemo.delete(key);
  const entry = hit && hit.m.length === m.length && hit.m.every((x, i) => Object.is(x, m[i])) ? hit : { m: m.slice(), chars: 0 };
  if (hit && entry !== hit) weightMemoChars -= hit.chars;
  weightMemo.set(key, entry);
  return entry;
}

function remember(entry: WeightEntry, text: string): string {
  entry.chars += text.length;
  weightMemoChars += text.length;
  for (const [k, e] of weightMemo) {
    if (weightMemoChars <= WEIGHT_MEMO_CHARS) break;
    weightMemo.delete(k);
    weightMemoChars -= e.chars;
  }
  return text;
}

/**
 * One weight array's texts, each made on first use: the synthesis initializer (exact literals, 16 a row) and the
 * C-simulation string literal (its lines joined). The array is hashed once; a later use finds its entry again
 * without comparing the values when the memo still holds it.
 */
function weightText(m: Float64Array | bigint[], t: FixedType): { rows: () => string; packed: () => string } {
  if (!(m instanceof Float64Array)) return { rows: () => literalRows(m, t), packed: () => packedLiteralLines(m, t).join('\n') };
  const key = `${formatFixedType(t)}|${m.length}|${new ContentHasher().words(new Uint32Array(m.buffer, m.byteOffset, m.length * 2)).digest()}`;
  let entry = weightEntry(key, m);
  const current = () => (weightMemo.get(key) === entry ? entry : (entry = weightEntry(key, m)));
  return {
    rows: () => {
      const e = current();
      return (e.rows ??= remember(e, literalRows(m, t)));
    },
    packed: () => {
      const e = current();
      return (e.packed ??= remember(e, packedLiteralLines(m, t).join('\n')));
    },
  };
}

function cppType(t: FixedType | string): string {
  return typeof t === 'string' ? t : formatFixedType(t, 'cpp');
}

function guard(top: string, what: string): string {
  return `TESSERA_${top.toUpperCase()}_${what.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_H`;
}

/**
 * FNV-1a 32-bit ×2 over a sequence of strings and word arrays (weights are hashed as their bits, not as text):
 * a stable content hash without host crypto.
 */
class ContentHasher {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193 ^ 0x5bd1e995;

  private unit(c: number): void {
    this.h1 = Math.imul(this.h1 ^ c, 0x01000193) >>> 0;
    let h2 = Math.imul(this.h2 ^ c, 0x5bd1e995) >>> 0;
    h2 ^= h2 >>> 13;
    this.h2 = h2;
  }

  text(s: string): this {
    for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
    return this;
  }

  /** 32-bit words (one step each: weights are Float32Array data). */
  words(w: Uint32Array): this {
    for (let i = 0; i < w.length; i++) this.unit(w[i]);
    return this;
  }

  digest(): string {
    return this.h1.toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}

function modelHash(model: Model): string {
  const h = new ContentHasher().text(stableJson(model.graph));
  for (const id of Object.keys(model.weights ?? {}).sort()) {
    for (const slot of Object.keys(model.weights[id]).sort()) {
      const t = model.weights[id][slot];
      h.text(`\n${id}/${slot}:${t.shape.join('x')}:`).words(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
    }
  }
  return h.digest();
}

/** Seeded test inputs: uniform in ±min(4, half the type's range), per Input node. */
export function seededInputs(resolved: ResolvedGraph, images: number, seed: number): Record<string, Tensor> {
  const rnd = seededRandom(seed);
  const out: Record<string, Tensor> = {};
  for (const r of resolved.nodes) {
    if (!isGraphInput(r.node)) continue;
    const shape = [images, ...r.outputShape.slice(1)];
    const range = Math.min(4, Math.pow(2, r.outputType.I - 2));
    const lo = r.outputType.signed ? -range : 0;
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = lo + (range - lo) * rnd();
    out[r.node.name] = tensor(shape, data);
  }
  return out;
}

/** Per-image values of one tensor in firmware order (channels-last), as exact doubles. */
export function firmwareValues(t: FixedTensor, layout: ResolvedNode['layout'], images: number): number[][] {
  const perm = toChannelsLastPerm(t.shape.length, layout);
  const m = perm ? permuteMantissas(t.m, t.shape, perm).m : t.m;
  const per = m.length / images;
  const out: number[][] = [];
  for (let b = 0; b < images; b++) {
    const row: number[] = [];
    for (let i = 0; i < per; i++) row.push(toDouble(m[b * per + i], t.type));
    out.push(row);
  }
  return out;
}

/** Per-image lines of exact values in firmware order (channels-last). */
function vectorLines(ts: { t: FixedTensor; layout: ResolvedNode['layout'] }[], images: number): string[] {
  const lines: string[] = [];
  const flat = ts.map(({ t, layout }) => {
    const perm = toChannelsLastPerm(t.shape.length, layout);
    return perm ? { m: permuteMantissas(t.m, t.shape, perm).m, type: t.type, per: t.m.length / images } : { m: t.m, type: t.type, per: t.m.length / images };
  });
  for (let b = 0; b < images; b++) {
    const vals: string[] = [];
    for (const f of flat) {
      const L = literals(f.type);
      for (let i = 0; i < f.per; i++) vals.push(L(f.m[b * f.per + i]));
    }
    lines.push(vals.join(' '));
  }
  return lines;
}

interface TensorVar {
  /** C++ variable name. */
  name: string;
  /** Element type name (typedef). */
  type: string;
  /** io_stream pixel type name. */
  px: string;
  /** Elements per image. */
  size: number;
  /** io_stream: channels per pixel, pixels per image. */
  chans: number;
  pixels: number;
}

function tensorVar(r: ResolvedNode): TensorVar {
  const dims = r.outputDims;
  const size = dims.reduce((a, b) => a * b, 1);
  const chans = r.layout !== 'flat' ? dims[dims.length - 1] : size;
  return { name: streamVarName(r), type: `${r.name}_t`, px: `${r.name}_px`, size, chans, pixels: size / chans };
}

/** One weight array's files (see weightHeader) and its C-simulation literal (csimWeightsSources, csimArraysSource). */
interface WeightCode {
  name: string;
  type: FixedType;
  size: number;
  header: string;
  /** The synthesis initializer (weights/<name>.inc), made when the files are assembled. */
  values: () => string;
  packed: string;
}

/** One layer's part of the project: config structs, weight headers, the top function's call, its tessera.json entry. */
interface LayerCode {
  structs: string[];
  weights: WeightCode[];
  call: string;
  layer: GeneratedLayer;
  /** A layer with multipliers: its template instance is compiled on its own in C simulation (layerUnit). */
  unit: { templateId: string; headers: string[] } | null;
}

/** What every emitter reads: names, the tensors' variables, the ports, the layers' code. */
interface Project {
  top: string;
  ns: string;
  cfg: HlsConfig;
  stream: boolean;
  resolved: ResolvedGraph;
  vars: Record<string, TensorVar>;
  inNodes: ResolvedNode[];
  outNodes: ResolvedNode[];
  outputs: Set<string>;
  wiring: StreamWiring;
  /** Template headers the layers include, in first-use order. */
  headers: Set<string>;
  /** Per non-input node id. */
  code: Record<string, LayerCode>;
  layers: GeneratedLayer[];
  network: StreamNetwork | null;
  depths: Record<string, FifoDepth>;
}

export function generateProject(input: GenerateInput): GenerateResult {
  const { model, config: cfg } = input;
  const diagnostics: Diagnostic[] = [];
  const topDiag = (field: string, value: unknown, rule: string, fix: string, code: string) =>
    diagnostics.push(makeDiagnostic({ code, nodeName: 'HLS project', field, value, rule, fix }));
  for (const r of checkText(C_IDENTIFIER, 'top', cfg.top)) topDiag('top', cfg.top, r.rule, r.fix, 'hls-top');
  const images = cfg.testImages ?? 3;
  if (!Number.isInteger(images) || images < 1) topDiag('testImages', images, 'at least one test image', 'set testImages to 1 or more', 'hls-test-images');
  const resolved = resolveGraph(model, cfg, { hardware: true, batch: 1 });
  diagnostics.push(...resolved.diagnostics);
  const fail = (): GenerateResult => ({ files: null, diagnostics, sim: null, resolved, inputs: {}, layers: [] });
  if (diagnostics.some((d) => d.severity === 'error')) return fail();

  // Types between layers wider than the exact double literals of the test vectors.
  for (const r of resolved.nodes) {
    if (r.outputType.W > 53) {
      diagnostics.push(makeDiagnostic({ code: 'hls-width', nodeId: r.id, nodeName: r.node.name, field: 'precision.result_t', value: formatFixedType(r.outputType), rule: 'tensor types between layers have W ≤ 53 (test vectors are exact doubles)', fix: 'narrow the type (accumulators may stay wider)' }));
    }
  }
  const stream = cfg.io === 'io_stream';
  const outputs = new Set(resolved.analysis.outputs);
  const p: Project = {
    top: cfg.top, ns: `${cfg.top}_ns`, cfg, stream, resolved,
    vars: Object.fromEntries(resolved.nodes.map((r) => [r.id, tensorVar(r)])),
    inNodes: resolved.nodes.filter((r) => isGraphInput(r.node)),
    outNodes: resolved.nodes.filter((r) => outputs.has(r.id)),
    outputs,
    wiring: streamWiring(resolved),
    headers: new Set<string>(['nnet_common.h']),
    code: {},
    layers: [],
    network: null,
    depths: {},
  };
  for (const r of resolved.nodes) {
    const entry: GeneratedLayer = { name: r.node.name, id: r.node.id, cname: r.name, type: r.node.type, outputDims: r.outputDims, result_t: formatFixedType(r.outputType) };
    if (isGraphInput(r.node)) {
      p.layers.push(entry);
      continue;
    }
    const code = layerCode(p, model, r, entry, diagnostics);
    p.code[r.id] = code;
    p.layers.push(code.layer);
  }
  for (const h of p.headers) if (input.templates[h] === undefined) topDiag('templates', h, 'every template header the layers include is passed in', `pass the contents of hls-templates/nnet/${h}`, 'hls-template-missing');
  if (diagnostics.some((d) => d.severity === 'error')) return fail();

  // Test vectors: the engine's fixed-point run on `images` images.
  const testInputs = input.inputs ?? seededInputs(resolved, images, cfg.seed ?? 1);
  const run = () => simulateFixed(model, testInputs, cfg, undefined, input.simMemo);
  let sim: FixedSimResult | null = null;
  const simFailed = (e: unknown): GenerateResult => {
    const ds = (e as { diagnostics?: Diagnostic[] }).diagnostics;
    if (ds?.length) diagnostics.push(...ds);
    else topDiag('inputs', 'test vectors', 'the fixed-point simulation runs on the test inputs', (e as Error).message, 'hls-sim');
    return fail();
  };
  if (input.deferred) {
    // what the run would refuse, refused now: a deferred run fails only on an engine fault
    const bad = inputShapeProblems(resolved, testInputs);
    if (bad.length) return simFailed(new TesseraError('the inputs do not match the graph', bad));
  } else {
    try {
      sim = run();
    } catch (e) {
      return simFailed(e);
    }
  }
  const nImages = Object.values(testInputs)[0]?.shape[0] ?? images;
  // Stream FIFO depths (fifo-depth.ts): 2 on a chain, more where a fork's paths meet again.
  if (stream) {
    p.network = buildStreamNetwork(model, resolved);
    p.depths = fifoDepths(p.network, { slack: input.fifoReadAhead, mode: input.fifo });
  }
  const script = hlsScript(p);
  const tcl = buildTcl(script, 'vitis_hls');
  const cfgFile = hlsConfig(script);
  diagnostics.push(...tcl.diagnostics, ...cfgFile.diagnostics);
  if (tcl.text === null || cfgFile.text === null) return fail();

  const top = p.top;
  const files: FileMap = {
    'firmware/defines.h': definesHeader(p),
    'firmware/parameters.h': parametersHeader(p),
    [`firmware/${top}.h`]: topHeader(p),
    [`firmware/${top}.cpp`]: topSource(p),
    [`tb/${top}_test.cpp`]: testbench(p),
    'build_prj.tcl': tcl.text,
    'hls_config.cfg': cfgFile.text,
    'tessera.json': tesseraJson(p, model, nImages, input.inputs ? null : cfg.seed ?? 1),
  };
  if (p.network) files['firmware/fifo_depths.h'] = fifoDepthsHeader(p, p.network, !!input.fifoReadAhead);
  const units = unitLayers(p);
  for (const u of units) files[`${LAYER_UNITS_DIR}/${u.r.name}.cpp`] = layerUnit(p, u.r, u.code);
  if (units.length) files['firmware/layer_objects.h'] = layerObjectsHeader(p, units.map((u) => u.code.unit));
  const weights = resolved.nodes.flatMap((r) => p.code[r.id]?.weights ?? []);
  for (const w of weights) files[`firmware/weights/${w.name}.h`] = w.header;
  Object.assign(files, csimWeightsSources(p));
  for (const h of Object.keys(input.templates)) files[`firmware/nnet/${h}`] = input.templates[h];
  const vectors = (s: FixedSimResult): FileMap => ({
    // The values are node ids' outputs of the same graph (the simulation resolves it with the test batch).
    'tb_data/inputs.dat': vectorLines(p.inNodes.map((r) => ({ t: s.values[r.id], layout: r.layout })), nImages).join('\n') + '\n',
    'tb_data/expected.dat': vectorLines(p.outNodes.map((r) => ({ t: s.values[r.id], layout: r.layout })), nImages).join('\n') + '\n',
  });
  const synthesis = (): FileMap => Object.fromEntries(weights.map((w) => [`firmware/weights/${w.name}.inc`, w.values()]));
  const result = { diagnostics, resolved, inputs: testInputs, layers: p.layers };
  if (input.deferred) return { ...result, files: sortedFiles(files), sim: null, rest: () => { const s = run(); return { files: vectors(s), synthesis: synthesis(), sim: s }; } };
  return { ...result, files: sortedFiles({ ...files, ...vectors(sim!), ...synthesis() }), sim };
}

/** The files in path order (the generator's output is deterministic down to the order of its keys). */
export function sortedFiles(files: FileMap): FileMap {
  const sorted: FileMap = {};
  for (const k of Object.keys(files).sort()) sorted[k] = files[k];
  return sorted;
}

/** A layer's structs, weights, call and tessera.json entry, from its op's HLS descriptor. */
function layerCode(p: Project, model: Model, r: ResolvedNode, entry: GeneratedLayer, diagnostics: Diagnostic[]): LayerCode {
  const hls = p.resolved.analysis.nodes[r.id].op!.hls!;
  const ctx = layerContext(model, r);
  for (const h of hls.headers) p.headers.add(h);
  const structs: CppStruct[] = hls.configStructs(ctx);
  const weights: WeightCode[] = [];
  const wnames: Record<string, string> = {};
  for (const w of hls.weightArrays(ctx)) {
    wnames[w.name] = w.name;
    if (w.type.W > 53) {
      diagnostics.push(makeDiagnostic({ code: 'hls-width', nodeId: r.id, nodeName: r.node.name, field: 'precision.weight_t', value: formatFixedType(w.type), rule: 'weight and bias types have W ≤ 53 (exact double literals)', fix: 'use a narrower weight/bias type' }));
      continue;
    }
    const text = weightText(w.m, w.type);
    weights.push({ name: w.name, type: w.type, size: w.m.length, header: weightHeader(p, r, w), values: () => text.rows() + '\n', packed: text.packed() });
  }
  const v = p.vars[r.id];
  const ins = r.inputIds.map((s) => p.vars[s]);
  const names: HlsCallNames = {
    inputs: p.stream ? p.wiring.inputs[r.id] : ins.map((x) => x.name),
    output: v.name,
    inputTypes: ins.map((x) => x.type),
    outputType: v.type,
    inputPixelTypes: ins.map((x) => x.px),
    outputPixelType: v.px,
    configs: structs.map((s) => s.name),
    weights: wnames,
  };
  const blocks = hls.productBlocks(ctx);
  const info = reuseInfo(blocks);
  const prec = r.config.precision;
  const call = hls.call(ctx, names);
  return {
    structs: structs.map(structText),
    weights,
    call: `  ${callStatement(call)}`,
    unit: blocks.length ? { templateId: callTemplate(call), headers: hls.headers } : null,
    layer: {
      ...entry,
      strategy: r.config.strategy,
      reuseFactor: r.config.reuseFactor,
      parallelizationFactor: r.config.parallelizationFactor,
      validReuseFactors: info.valid,
      multipliers: info.multipliers(r.config.reuseFactor),
      precision: { weight_t: formatFixedType(prec.weight_t), bias_t: formatFixedType(prec.bias_t), accum_t: formatFixedType(prec.accum_t), result_t: formatFixedType(prec.result_t) },
    },
  };
}

/** Where the layer units go, and the macro that makes the top unit leave their layers to them (C simulation). */
export const LAYER_UNITS_DIR = 'firmware/layers';
export const LAYER_OBJECTS_DEFINE = 'TESSERA_LAYER_OBJECTS';

/**
 * firmware/layers/<layer>.cpp, C simulation only: the layer's template instance on its own, from its config
 * structs (the same text as in parameters.h) and its op's headers, nothing else. A variant that changes only
 * this layer recompiles only this unit and the top one (compileCsim's layer objects); the top unit, compiled
 * with LAYER_OBJECTS_DEFINE, declares the instance extern (firmware/layer_objects.h).
 */
function layerUnit(p: Project, r: ResolvedNode, code: LayerCode & { unit: NonNullable<LayerCode['unit']> }): string {
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: layer ${r.name}'s template instance, compiled on its own for C simulation.`,
    '// Not part of the synthesised design (the vendor tool compiles the top function only).',
    '#include "../defines.h"',
    ...code.unit.headers.map((h) => `#include "../nnet/${h}"`),
    `namespace ${p.ns} {`,
    ...code.structs,
    `}  // namespace ${p.ns}`,
    `using namespace ${p.ns};`,
    `template decltype(${code.unit.templateId}) ${code.unit.templateId};`,
    '',
  ].join('\n');
}

/** firmware/layer_objects.h: the layer units' instances, declared extern for the top unit (LAYER_OBJECTS_DEFINE only). */
function layerObjectsHeader(p: Project, units: readonly NonNullable<LayerCode['unit']>[]): string {
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: C simulation with ${LAYER_OBJECTS_DEFINE} only. These layers' template`,
    `// instances come from their own objects (${LAYER_UNITS_DIR}/*.cpp): ${p.top}.cpp does not instantiate them.`,
    `#ifndef ${guard(p.top, 'layer_objects')}`,
    `#define ${guard(p.top, 'layer_objects')}`,
    `using namespace ${p.ns};`,
    ...units.map((u) => `extern template decltype(${u.templateId}) ${u.templateId};`),
    '#endif',
    '',
  ].join('\n');
}

/** Whether any layer has weights (then weights/csim_arrays.cpp exists). */
function hasWeights(p: Project): boolean {
  return Object.values(p.code).some((c) => c.weights.length > 0);
}

/** The layers compiled on their own (LayerCode.unit), in graph order. */
function unitLayers(p: Project): { r: ResolvedNode; code: LayerCode & { unit: NonNullable<LayerCode['unit']> } }[] {
  return p.resolved.nodes.flatMap((r) => {
    const code = p.code[r.id];
    return code?.unit ? [{ r, code: code as LayerCode & { unit: NonNullable<LayerCode['unit']> } }] : [];
  });
}

/**
 * The units a top unit compiled with LAYER_OBJECTS_DEFINE leaves out, of a generated project: the layer units
 * (firmware/layers/<layer>.cpp) and the weight arrays (CSIM_ARRAYS_SOURCE).
 */
export function layerObjectUnits(files: readonly string[]): string[] {
  return files.filter((f) => (f.startsWith(`${LAYER_UNITS_DIR}/`) && f.endsWith('.cpp')) || f === CSIM_ARRAYS_SOURCE);
}

function structText(s: CppStruct): string {
  const body = s.fields.map((f) => (f.kind === 'type' ? `  typedef ${cppType(f.type)} ${f.name};` : `  static const ${typeof f.value === 'boolean' ? 'bool' : f.value < 0 ? 'int' : 'unsigned'} ${f.name} = ${String(f.value)};`));
  return `struct ${s.name} : ${s.base} {\n${body.join('\n')}\n};`;
}

/**
 * firmware/weights/<name>.h: one weight array. Synthesis defines it with its exact values, 16 a row, from
 * <name>.inc; C simulation fills it from the packed string in weights/csim_values.cpp. Both files stay out of the
 * firmware's own translation unit: g++ neither reads nor skips megabytes of numbers when a layer's settings
 * change, and the packed values compile (and are cached) on their own.
 */
function weightHeader(p: Project, r: ResolvedNode, w: HlsWeightArray): string {
  const n = w.m.length;
  return [
    `// ${cComment(`${r.node.name} (${r.node.type}): ${w.name}, ${n} values of ${formatFixedType(w.type)}${w.comment ? `; ${w.comment}` : ''}`)}`,
    `// Generated by Tessera ${GENERATOR_VERSION}. Values are exact in the type.`,
    `#ifndef ${guard(p.top, `w_${w.name}`)}`,
    `#define ${guard(p.top, `w_${w.name}`)}`,
    `namespace ${p.ns} {`,
    '#ifdef __SYNTHESIS__',
    `static const ${cppType(w.type)} ${w.name}[${n}] = {`,
    `#include "${w.name}.inc"`,
    '};',
    '#else',
    `extern ${cppType(w.type)} ${w.name}[${n}];  // C simulation: weights/csim_arrays.cpp`,
    '#endif',
    `}  // namespace ${p.ns}`,
    '#endif',
    '',
  ].join('\n');
}

/** The C-simulation source that holds every weight array's packed mantissas (csim_arrays.cpp unpacks them). */
export const CSIM_WEIGHTS_SOURCE = 'firmware/weights/csim_values.cpp';

/** Where the parts of CSIM_WEIGHTS_SOURCE are: each compiled on its own by a Tessera build (packedValueUnits). */
export const CSIM_VALUES_DIR = 'firmware/weights/values';

/**
 * The packed string of every weight array, for C simulation (constant-initialized, so complete before the
 * static initializers of csim_arrays.cpp unpack them). In parts without includes, each compiling
 * in a fraction of a second: one per layer compiled on its own (layerUnit: its weights' order follows its reuse
 * factor, so a variant that changes it changes only that part), one for the other layers. CSIM_WEIGHTS_SOURCE
 * includes them all: what the vendor tool's csim compiles (build_prj.tcl adds it with -tb); not for synthesis.
 */
function csimWeightsSources(p: Project): FileMap {
  const parts = new Map<string, WeightCode[]>();
  for (const r of p.resolved.nodes) {
    const code = p.code[r.id];
    if (!code?.weights.length) continue;
    const part = `${CSIM_VALUES_DIR}/${code.unit ? r.name : 'other_layers'}.cpp`;
    parts.set(part, [...(parts.get(part) ?? []), ...code.weights]);
  }
  const files: FileMap = {};
  for (const [part, weights] of parts) {
    files[part] = [
      `// Generated by Tessera ${GENERATOR_VERSION}: weights of ${p.top} for C simulation, packed (little-endian two's`,
      '// complement mantissas; nnet::fill_packed in weights/csim_arrays.cpp unpacks them). Not for synthesis.',
      `namespace ${p.ns} {`,
      ...weights.map((w) => `extern const char ${w.name}_packed[] =\n${w.packed};`),
      `}  // namespace ${p.ns}`,
      '',
    ].join('\n');
  }
  if (hasWeights(p)) files[CSIM_ARRAYS_SOURCE] = csimArraysSource(p, [...parts.values()].flat());
  files[CSIM_WEIGHTS_SOURCE] = [
    `// Generated by Tessera ${GENERATOR_VERSION}: every weight array of ${p.top} for C simulation, packed (the parts in`,
    `// ${CSIM_VALUES_DIR}/; a Tessera build compiles each on its own). Not for synthesis.`,
    ...[...parts.keys()].map((part) => `#include "values/${part.slice(CSIM_VALUES_DIR.length + 1)}"`),
    '',
  ].join('\n');
  return files;
}

/** The parts of the packed weights (csimWeightsSources) of a generated project, compiled instead of CSIM_WEIGHTS_SOURCE. */
export function packedValueUnits(files: readonly string[]): string[] {
  return files.filter((f) => f.startsWith(`${CSIM_VALUES_DIR}/`) && f.endsWith('.cpp'));
}

/** The C-simulation unit that defines the weight arrays and fills them from their packed strings (csimArraysSource). */
export const CSIM_ARRAYS_SOURCE = 'firmware/weights/csim_arrays.cpp';

/**
 * firmware/weights/csim_arrays.cpp: every weight array for C simulation, unpacked once at start-up from its packed
 * string (g++ reads a string ~20× faster than numbers; a static array of N typed constants would be N constructor
 * calls). The top unit includes it, unless compiled with LAYER_OBJECTS_DEFINE: then it is a unit of its own,
 * which depends on the arrays' names, sizes and types only and so stays in the object cache through a sweep
 * (the fills are 0.15 s of the DCGAN top unit's g++).
 */
function csimArraysSource(p: Project, weights: readonly WeightCode[]): string {
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: the weight arrays of ${p.top} for C simulation, filled at start-up from`,
    '// their packed mantissas (weights/values/*.cpp). Not for synthesis (weights/<name>.h defines them there).',
    '#include "../defines.h"',
    `namespace ${p.ns} {`,
    ...weights.flatMap((w) => [
      `extern const char ${w.name}_packed[];`,
      `${cppType(w.type)} ${w.name}[${w.size}];`,
      `[[maybe_unused]] static const bool ${w.name}_filled = nnet::fill_packed(${w.name}, ${w.size}, ${w.name}_packed, ${packedBytes(w.type)}, ${fracBits(w.type)});`,
    ]),
    `}  // namespace ${p.ns}`,
    '',
  ].join('\n');
}

/** Whether a C-simulation source is (a part of) the packed weights: no includes, so no precompiled header. */
export function isPackedValues(src: string): boolean {
  return src === CSIM_WEIGHTS_SOURCE || src.startsWith(`${CSIM_VALUES_DIR}/`);
}

/** firmware/defines.h: port sizes and every tensor's type (and pixel type in io_stream). */
function definesHeader(p: Project): string {
  const typedefs: string[] = [];
  for (const r of p.resolved.nodes) {
    const v = p.vars[r.id];
    typedefs.push(`typedef ${cppType(r.outputType)} ${v.type};`);
    if (p.stream) typedefs.push(`typedef nnet::array<${v.type}, ${v.chans}> ${v.px};`);
  }
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: types and sizes of ${p.top}. Tensors are one image, channels-last.`,
    `#ifndef ${guard(p.top, 'defines')}`,
    `#define ${guard(p.top, 'defines')}`,
    '#include <ap_fixed.h>',
    '#include <ap_int.h>',
    '#include <hls_stream.h>',
    '#include "nnet/nnet_common.h"',
    `namespace ${p.ns} {`,
    ...p.inNodes.map((r) => `static const unsigned N_IN_${p.vars[r.id].name.toUpperCase()} = ${p.vars[r.id].size};`),
    ...p.outNodes.map((r) => `static const unsigned N_OUT_${p.vars[r.id].name.toUpperCase()} = ${p.vars[r.id].size};`),
    ...typedefs,
    `}  // namespace ${p.ns}`,
    '#endif',
    '',
  ].join('\n');
}

/** firmware/parameters.h: the template headers, the weights, every layer's config structs. */
function parametersHeader(p: Project): string {
  const layers = p.resolved.nodes.map((r) => p.code[r.id]).filter((c) => c !== undefined);
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: layer configurations and weights of ${p.top}.`,
    `#ifndef ${guard(p.top, 'parameters')}`,
    `#define ${guard(p.top, 'parameters')}`,
    '#include "defines.h"',
    ...[...p.headers].sort().map((h) => `#include "nnet/${h}"`),
    ...layers.flatMap((c) => c.weights.map((w) => `#include "weights/${w.name}.h"`)),
    `namespace ${p.ns} {`,
    ...layers.flatMap((c) => c.structs),
    `}  // namespace ${p.ns}`,
    '#endif',
    '',
  ].join('\n');
}

/** The top function's parameters: inputs, then outputs. */
function topArgs(p: Project): string {
  const arg = (r: ResolvedNode, out: boolean) => {
    const v = p.vars[r.id];
    return p.stream ? `hls::stream<${p.ns}::${v.px}>& ${v.name}` : `${out ? '' : 'const '}${p.ns}::${v.type} ${v.name}[${v.size}]`;
  };
  return [...p.inNodes.map((r) => arg(r, false)), ...p.outNodes.map((r) => arg(r, true))].join(', ');
}

/** firmware/<top>.h */
function topHeader(p: Project): string {
  return [`// Generated by Tessera ${GENERATOR_VERSION}.`, `#ifndef ${guard(p.top, 'top')}`, `#define ${guard(p.top, 'top')}`, '#include "defines.h"', `void ${p.top}(${topArgs(p)});`, '#endif', ''].join('\n');
}

/** firmware/fifo_depths.h (io_stream): one overridable macro per internal stream. */
function fifoDepthsHeader(p: Project, network: StreamNetwork, modelledReadAhead: boolean): string {
  const edges = Object.values(network.edges).filter((e) => e.internal);
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: depth of every stream FIFO of ${p.top} (io_stream), in pixels.`,
    '// 2 on a chain; an edge around a branch that meets it again (Add / Concatenate after a clone_stream) holds',
    `// what the branch reads before it answers, plus the pixels each of its layers holds in flight (${modelledReadAhead ? 'from the estimate\'s pipeline depths' : `${PIPELINE_SLACK} per layer`}; engine/hls/fifo-depth.ts). Raise one by`,
    '// defining its macro before this header (e.g. -D on the compiler line); a smaller one can deadlock.',
    `#ifndef ${guard(p.top, 'fifo_depths')}`,
    `#define ${guard(p.top, 'fifo_depths')}`,
    ...edges.flatMap((e) => {
      const m = fifoDepthMacro(p.top, e.name);
      const d = p.depths[e.name];
      return [`// ${e.name}: ${e.pixels} pixels of ${e.values} values; ${d.reason}`, `#ifndef ${m}`, `#define ${m} ${d.depth}`, '#endif'];
    }),
    '#endif',
    '',
  ].join('\n');
}

/** firmware/<top>.cpp: the top function, the layers' calls in topological order with their tensors (and stream clones). */
function topSource(p: Project): string {
  const declare = (v: TensorVar, name: string): string[] =>
    p.stream
      ? [`  hls::stream<${v.px}> ${name}("${name}");`, `#pragma HLS STREAM variable = ${name} depth = ${fifoDepthMacro(p.top, name)}`]
      : [`  ${v.type} ${name}[${v.size}];`, `#pragma HLS ARRAY_PARTITION variable = ${name} complete dim = 0`];
  const body: string[] = [];
  for (const r of p.resolved.nodes) {
    const v = p.vars[r.id];
    const code = p.code[r.id];
    if (code) {
      if (!p.outputs.has(r.id)) body.push(...declare(v, v.name));
      body.push(code.call);
      if (!p.stream && !p.outputs.has(r.id)) body.push('#ifdef TESSERA_TRACE', `  nnet::trace_array("${r.name}", ${v.name}, ${v.size}, ${fracBits(r.outputType)});`, '#endif');
    }
    const targets = p.stream ? p.wiring.clones[r.id] : undefined;
    if (targets) {
      for (const t of targets) body.push(...declare(v, t));
      body.push(`  nnet::clone_stream<${v.px}, ${v.pixels}, ${targets.length}>(${v.name}, ${targets.join(', ')});`);
    }
  }
  const ports = [...p.inNodes, ...p.outNodes].map((r) => p.vars[r.id].name);
  return [
    `// Generated by Tessera ${GENERATOR_VERSION}: ${p.cfg.io}, ${p.resolved.nodes.length - p.inNodes.length} layers.`,
    `#include "${p.top}.h"`,
    '#include "parameters.h"',
    ...(p.network ? ['#include "fifo_depths.h"'] : []),
    ...(unitLayers(p).length ? [`#ifdef ${LAYER_OBJECTS_DEFINE}`, '#include "layer_objects.h"  // C simulation: some layers compiled on their own', '#endif'] : []),
    ...(hasWeights(p) ? [`#if !defined(__SYNTHESIS__) && !defined(${LAYER_OBJECTS_DEFINE})`, '#include "weights/csim_arrays.cpp"  // C simulation: the weight arrays, unpacked at start-up', '#endif'] : []),
    '',
    `void ${p.top}(${topArgs(p)}) {`,
    `  using namespace ${p.ns};`,
    ...(p.stream
      ? ports.map((x) => `#pragma HLS INTERFACE axis port = ${x}`).concat(['#pragma HLS DATAFLOW'])
      : ports.map((x) => `#pragma HLS ARRAY_RESHAPE variable = ${x} complete dim = 0`).concat(ports.map((x) => `#pragma HLS INTERFACE ap_vld port = ${x}`), ['#pragma HLS PIPELINE'])),
    ...body,
    '}',
    '',
  ].join('\n');
}

/** What a vendor tool compiles of a generated project: the firmware to synthesise, the testbench side for its csim. */
export function vendorSources(top: string): Pick<HlsScriptInput, 'sources' | 'testbench' | 'cflags' | 'tbCflags'> {
  return {
    sources: [`firmware/${top}.cpp`],
    testbench: [`tb/${top}_test.cpp`, CSIM_WEIGHTS_SOURCE, 'tb_data'],
    cflags: '-std=c++14',
    tbCflags: '-std=c++14 -Wno-unknown-pragmas',
  };
}

/** The vendor script's input (build_prj.tcl, hls_config.cfg). */
function hlsScript(p: Project): HlsScriptInput {
  return {
    projectName: `${p.top}_prj`,
    top: p.top,
    part: p.cfg.part,
    clockPeriodNs: p.cfg.clockPeriodNs,
    ...vendorSources(p.top),
    steps: ['csim', 'csynth'],
  };
}

/** tessera.json: what the project was generated from, its ports, layers and FIFOs (the host reads it back). */
function tesseraJson(p: Project, model: Model, testImages: number, seed: number | null): string {
  const { top, cfg, network } = p;
  return JSON.stringify(
    {
      generator: 'tessera',
      version: GENERATOR_VERSION,
      graphHash: modelHash(model),
      top,
      io: cfg.io,
      part: cfg.part,
      clockPeriodNs: cfg.clockPeriodNs,
      testImages,
      seed,
      inputs: p.inNodes.map((r) => ({ name: r.node.name, firmwareDims: r.outputDims, type: formatFixedType(r.outputType) })),
      outputs: p.outNodes.map((r) => ({ name: r.node.name, firmwareDims: r.outputDims, graphShape: r.outputShape.slice(1), layout: r.layout, type: formatFixedType(r.outputType) })),
      layers: p.layers,
      ...(network ? { fifos: Object.values(network.edges).filter((e) => e.internal).map((e) => ({ name: e.name, pixels: e.pixels, depth: p.depths[e.name].depth, macro: fifoDepthMacro(top, e.name) })) } : {}),
    },
    null,
    2,
  ) + '\n';
}

function testbench(p: Project): string {
  const { top, ns, stream } = p;
  const ins = p.inNodes.map((r) => p.vars[r.id]);
  const outs = p.outNodes.map((r) => p.vars[r.id]);
  const L: string[] = [
    `// Generated by Tessera ${GENERATOR_VERSION}: runs ${top} on every image of tb_data/inputs.dat (one image a line,`,
    '// firmware order), writes tb_data/csim_results.dat and compares with tb_data/expected.dat bit for bit.',
    '#include <cstdio>',
    '#include <fstream>',
    '#include <sstream>',
    '#include <string>',
    '#include <vector>',
    `#include "../firmware/${top}.h"`,
    '',
    `int ${top}_tb(const std::string& dir) {`,
    `  using namespace ${ns};`,
    '  std::ifstream fin((dir + "/tb_data/inputs.dat").c_str());',
    '  std::ifstream fexp((dir + "/tb_data/expected.dat").c_str());',
    '  std::FILE* fres = std::fopen((dir + "/tb_data/csim_results.dat").c_str(), "w");',
    `  if (!fin || !fexp || !fres) { std::fprintf(stderr, "${top}: cannot open tb_data in %s\\n", dir.c_str()); return -1; }`,
    '#ifdef TESSERA_TRACE',
    '  nnet::trace_file() = std::fopen((dir + "/tb_data/trace.dat").c_str(), "w");',
    '#endif',
    '  std::string line, eline;',
    '  long images = 0, mismatches = 0;',
    '  while (std::getline(fin, line)) {',
    '    if (line.empty()) continue;',
    '    std::getline(fexp, eline);',
    '    std::istringstream is(line), es(eline);',
  ];
  for (const v of ins) {
    if (stream) {
      L.push(`    hls::stream<${v.px}> ${v.name}("${v.name}");`);
      L.push(`    for (unsigned p = 0; p < ${v.pixels}; p++) { ${v.px} px; for (unsigned c = 0; c < ${v.chans}; c++) { double d = 0; is >> d; px[c] = (${v.type})d; } ${v.name}.write(px); }`);
    } else {
      L.push(`    static ${v.type} ${v.name}[${v.size}];`);
      L.push(`    for (unsigned i = 0; i < ${v.size}; i++) { double d = 0; is >> d; ${v.name}[i] = (${v.type})d; }`);
    }
  }
  for (const v of outs) L.push(stream ? `    hls::stream<${v.px}> ${v.name}("${v.name}");` : `    static ${v.type} ${v.name}[${v.size}];`);
  L.push(`    ${top}(${[...ins, ...outs].map((v) => v.name).join(', ')});`);
  L.push('    bool first = true;');
  for (const v of outs) {
    L.push(`    for (unsigned i = 0; i < ${v.size}; i++) {`);
    if (stream) {
      L.push(`      static ${v.px} px;`);
      L.push(`      if (i % ${v.chans} == 0) { if (${v.name}.empty()) { std::fprintf(stderr, "${top}: output ${v.name} has fewer than ${v.pixels} pixels\\n"); mismatches++; } px = ${v.name}.read(); }`);
      L.push(`      const double y = px[i % ${v.chans}].to_double();`);
    } else {
      L.push(`      const double y = ${v.name}[i].to_double();`);
    }
    L.push('      double e = 0; es >> e;');
    L.push('      std::fprintf(fres, first ? "%.17g" : " %.17g", y); first = false;');
    L.push(`      if (y != e) { if (mismatches < 10) std::fprintf(stderr, "${top}: image %ld ${v.name}[%u] = %.17g, engine %.17g\\n", images, i, y, e); mismatches++; }`);
    L.push('    }');
    if (stream) L.push(`    if (!${v.name}.empty()) { std::fprintf(stderr, "${top}: output ${v.name} has more than ${v.pixels} pixels\\n"); mismatches++; while (!${v.name}.empty()) ${v.name}.read(); }`);
  }
  if (stream) for (const v of ins) L.push(`    if (!${v.name}.empty()) { std::fprintf(stderr, "${top}: input ${v.name} not fully consumed\\n"); mismatches++; while (!${v.name}.empty()) ${v.name}.read(); }`);
  L.push(
    '    std::fprintf(fres, "\\n");',
    '    images++;',
    '  }',
    '  std::fclose(fres);',
    '#ifdef TESSERA_TRACE',
    '  if (nnet::trace_file()) std::fclose(nnet::trace_file());',
    '  nnet::trace_file() = 0;',
    '#endif',
    `  std::printf("${top}: %ld images, %ld mismatches\\n", images, mismatches);`,
    '  return mismatches ? 1 : 0;',
    '}',
    '',
    '#ifndef TESSERA_TB_NO_MAIN',
    `int main(int argc, char** argv) { return ${top}_tb(argc > 1 ? argv[1] : ".") == 0 ? 0 : 1; }`,
    '#endif',
    '',
  );
  return L.join('\n');
}
