// QONNX → Tessera: an ONNX model whose quantization is written as `Quant` / `BipolarQuant` nodes
// (qonnx.custom_op.general, finn.custom_op.general, onnx.brevitas) becomes
//   - the float model with every quantizer removed and every quantized weight replaced by its quantized
//     values (exact in float32), for comparison, and
//   - per-layer precisions (ap_fixed / ap_ufixed type strings) and an HLS config by node name, for
//     simulateFixed and the generator.
//
// Quant(x, scale, zeropt, bitwidth; signed, narrow, rounding_mode) computes
//   y = (clip(round(x / scale + zeropt), min_int, max_int) − zeropt) · scale
// With zeropt = 0 and scale = 2^−F that is a cast to a fixed type with F fractional bits and `bitwidth` bits:
//   signed → ap_fixed<b, b − F>, unsigned → ap_ufixed<b, b − F>; overflow AP_SAT (narrow signed: AP_SAT_SYM);
//   rounding ROUND (= HALF_EVEN, numpy's round) → AP_RND_CONV, FLOOR → AP_TRN, DOWN → AP_TRN_ZERO,
//   HALF_UP → AP_RND_INF, HALF_DOWN → AP_RND_ZERO. CEIL and UP have no ap_fixed mode.
// On a weight the values are quantized here, so any rounding mode and per-channel power-of-two scales are
// accepted (the weight type is wide enough for every channel); on an activation the quantizer must be a cast.
// An activation quantizer becomes the result_t of the node computing its input (the Input's type for a graph
// input); a weight quantizer the weight_t (input 1) or bias_t (input 2, or a bias Add folded into the layer)
// of the layer reading it.
import { makeDiagnostic, TesseraError, type Diagnostic } from '../../diagnostics/diagnostics';
import type { GraphNode, Model } from '../../graph/model';
import { getOp } from '../../ops/registry';
import type { PrecisionSpec } from '../../fixed/precision';
import { fixedType, formatFixedType, type OMode, type QMode } from '../../fixed/types';
import { defaultHlsConfig, type HlsConfig } from '../../hls/config';
import { decodeModelProto, makeTensorProto, tensorProtoValues, attrString, OnnxAttributeType, type OnnxModelProto, type OnnxNodeProto } from '../onnx/proto';
import { decodeOnnxModel, importOnnxProto, type OnnxImportOptions, type OnnxImportResult } from '../onnx/import';
import { TESSERA_DOMAIN } from '../onnx/importer';

export const QUANT_OPS = ['Quant', 'BipolarQuant'] as const;

/** One quantizer of the file and what it became. */
export interface QonnxQuantizer {
  /** ONNX node name of the Quant / BipolarQuant node. */
  node: string;
  op: 'Quant' | 'BipolarQuant';
  /** 'weight': on an initializer (values quantized at import); 'activation': on computed data. */
  on: 'weight' | 'activation';
  /** The type it maps to (cpp spelling), e.g. ap_fixed<8,3,AP_RND_CONV,AP_SAT>. */
  type: string;
  /** Engine node and precision field it set, when it maps to one. */
  target?: { nodeId: string; field: keyof PrecisionSpec };
}

export interface QonnxImportResult extends OnnxImportResult {
  /** Per-node precision specs by engine node id (derived from the quantizers). */
  precisions: Record<string, PrecisionSpec>;
  /** An HLS config with those precisions by node name (the rest at the defaults). */
  config: HlsConfig;
  quantizers: QonnxQuantizer[];
}

/** True when the (decoded) model contains QONNX quantizer nodes. */
export function isQonnxProto(proto: OnnxModelProto): boolean {
  return (proto.graph?.node ?? []).some((n) => (QUANT_OPS as readonly string[]).includes(n.opType ?? ''));
}

/** True when the bytes are an ONNX model with QONNX quantizer nodes (false for anything else). */
export function isQonnx(bytes: Uint8Array): boolean {
  try {
    return isQonnxProto(decodeModelProto(bytes));
  } catch {
    return false;
  }
}

interface Const {
  dims: number[];
  values: Float64Array;
}

interface QuantSpec {
  name: string;
  op: 'Quant' | 'BipolarQuant';
  x: string;
  y: string;
  scale: Const;
  zeropt?: Const;
  bitwidth?: number;
  signed: boolean;
  narrow: boolean;
  rounding: string;
}

const ROUNDING: Record<string, QMode | undefined> = {
  ROUND: 'AP_RND_CONV', HALF_EVEN: 'AP_RND_CONV', FLOOR: 'AP_TRN', DOWN: 'AP_TRN_ZERO', HALF_UP: 'AP_RND_INF', HALF_DOWN: 'AP_RND_ZERO',
  CEIL: undefined, UP: undefined,
};
/** ONNX ops whose input 1 / 2 is a weight / bias. */
const WEIGHT_LAYERS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Engine layers that multiply and accumulate (Dense, the Conv family). */
function isMacLayer(n: GraphNode): boolean {
  const c = getOp(n.type)?.category;
  return c === 'dense' || c === 'conv';
}

/** Engine layers that only move or select values: with no quantizer of their own they keep their input's type. */
function keepsValues(n: GraphNode): boolean {
  const op = getOp(n.type);
  const p = op?.params.safeParse(n.params);
  return !!op?.keepsValues && !!p?.success && op.keepsValues(p.data);
}

function fail(node: string, op: string, what: string, fix: string, field?: string, value?: unknown): never {
  const d = makeDiagnostic({ code: 'qonnx-import', nodeName: node, field, value, rule: what, fix });
  throw new TesseraError(`QONNX node "${node}" (${op}): ${what}; ${fix}`, [d]);
}

/** Rounds v to an integer the way QONNX's rounding_mode says. */
export function qonnxRound(v: number, mode: string): number {
  switch (mode) {
    case 'ROUND':
    case 'HALF_EVEN': {
      const f = Math.floor(v);
      const d = v - f;
      if (d < 0.5) return f;
      if (d > 0.5) return f + 1;
      return f % 2 === 0 ? f : f + 1;
    }
    case 'CEIL': return Math.ceil(v);
    case 'FLOOR': return Math.floor(v);
    case 'UP': return Math.sign(v) * Math.ceil(Math.abs(v));
    case 'DOWN': return Math.trunc(v);
    case 'HALF_UP': return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
    case 'HALF_DOWN': return Math.sign(v) * Math.ceil(Math.abs(v) - 0.5);
    default: throw new Error(`unknown rounding mode ${mode}`);
  }
}

/** QONNX Quant in float64: (clip(round(x/scale + zp), min, max) − zp)·scale. */
export function qonnxQuant(x: number, scale: number, zeropt: number, bitwidth: number, signed: boolean, narrow: boolean, rounding: string): number {
  const min = signed ? -(2 ** (bitwidth - 1)) + (narrow ? 1 : 0) : 0;
  const max = signed ? 2 ** (bitwidth - 1) - 1 : 2 ** bitwidth - 1 - (narrow ? 1 : 0);
  const q = Math.min(max, Math.max(min, qonnxRound(x / scale + zeropt, rounding)));
  return (q - zeropt) * scale + 0; // +0: no negative zero
}

/** numpy broadcasting of `c` to `dims`: the index into c.values for each flat index of dims. */
function broadcastIndex(c: Const, dims: number[], where: () => never): (i: number) => number {
  const n = c.values.length;
  if (n === 1) return () => 0;
  if (c.dims.length > dims.length) where();
  const cd = [...new Array<number>(dims.length - c.dims.length).fill(1), ...c.dims];
  if (cd.some((d, a) => d !== 1 && d !== dims[a])) where();
  const strides = new Array<number>(dims.length).fill(0);
  let s = 1;
  for (let a = dims.length - 1; a >= 0; a--) {
    strides[a] = cd[a] === 1 ? 0 : s;
    s *= cd[a];
  }
  return (i: number) => {
    let r = 0;
    let rest = i;
    for (let a = dims.length - 1; a >= 0; a--) {
      const k = rest % dims[a];
      rest = (rest - k) / dims[a];
      r += k * strides[a];
    }
    return r;
  };
}

/** −log2(s) when s is a power of two (F, the fractional bits), else undefined. */
function powerOfTwoFrac(s: number): number | undefined {
  if (!(s > 0) || !Number.isFinite(s)) return undefined;
  const e = Math.log2(s);
  const r = Math.round(e);
  return 2 ** r === s ? -r : undefined;
}

/**
 * Imports a QONNX model (bytes). Models without quantizers import as plain ONNX with empty precisions.
 * Throws TesseraError (one line naming the node, attribute and value) for quantizers Tessera cannot map.
 */
export function importQonnx(bytes: Uint8Array, options: OnnxImportOptions = {}): QonnxImportResult {
  return importQonnxProto(decodeOnnxModel(bytes), options);
}

export function importQonnxProto(proto: OnnxModelProto, options: OnnxImportOptions = {}): QonnxImportResult {
  const g = proto.graph!;
  const nodes = g.node ?? [];
  const inits = new Map<string, Const>();
  /** A constant's values; a damaged or unreadable tensor is one TesseraError naming it. */
  const valuesOf = (t: Parameters<typeof tensorProtoValues>[0]) => {
    try {
      return tensorProtoValues(t);
    } catch (e) {
      throw new TesseraError(`${(e as Error).message}; re-export the model with float32 / int64 tensors stored inside it`);
    }
  };
  for (const t of g.initializer ?? []) {
    const v = valuesOf(t);
    inits.set(t.name ?? '', { dims: v.dims, values: v.values });
  }
  for (const n of nodes) {
    if (n.opType !== 'Constant' || (n.domain ?? '') !== '') continue;
    const a = (n.attribute ?? []).find((x) => x.name === 'value' && x.t);
    const vf = (n.attribute ?? []).find((x) => x.name === 'value_float');
    const out = (n.output ?? [])[0];
    if (!out) continue;
    if (a?.t) {
      const v = valuesOf(a.t);
      inits.set(out, { dims: v.dims, values: v.values });
    } else if (vf) inits.set(out, { dims: [], values: Float64Array.of(Number(vf.f ?? 0)) });
  }
  const nameOf = (n: OnnxNodeProto, i: number) => n.name || (n.output ?? [])[0] || `${n.opType}_${i}`;

  // 1. Read every quantizer.
  const specs: QuantSpec[] = [];
  nodes.forEach((n, i) => {
    const op = n.opType ?? '';
    if (op !== 'Quant' && op !== 'BipolarQuant') return;
    const name = nameOf(n, i);
    const ins = n.input ?? [];
    const constIn = (k: number, what: string): Const => {
      const c = ins[k] ? inits.get(ins[k]) : undefined;
      if (!c) fail(name, op, `${what} (input ${k}${ins[k] ? ` "${ins[k]}"` : ''}) is ${ins[k] ? 'computed at run time' : 'missing'}; Tessera needs it as an initializer or Constant`, `give ${what} as a constant`, what, ins[k]);
      return c;
    };
    const attrs = new Map((n.attribute ?? []).map((a) => [a.name ?? '', a]));
    const intAttr = (k: string, def: number): number => {
      const a = attrs.get(k);
      if (!a) return def;
      if (a.type !== undefined && a.type !== OnnxAttributeType.INT) fail(name, op, `attribute "${k}" is not an integer`, 're-export the model with a QONNX-conformant exporter', k);
      return Number(a.i ?? 0);
    };
    for (const k of attrs.keys()) {
      const known = op === 'Quant' ? ['signed', 'narrow', 'rounding_mode'] : [];
      if (!known.includes(k)) fail(name, op, `attribute "${k}" is not a ${op} attribute Tessera knows`, `remove it (${op} takes ${known.length ? known.join(', ') : 'no attributes'})`, k);
    }
    const x = ins[0];
    const y = (n.output ?? [])[0];
    if (!x || !y) fail(name, op, 'input x or output y is missing', 'check the model');
    const scale = constIn(1, 'scale');
    if (op === 'BipolarQuant') {
      specs.push({ name, op, x, y, scale, signed: true, narrow: false, rounding: 'ROUND' });
      return;
    }
    const zeropt = constIn(2, 'zero_point');
    const bw = constIn(3, 'bitwidth');
    if (bw.values.length !== 1 || !Number.isInteger(bw.values[0]) || bw.values[0] < 1) {
      fail(name, op, `bitwidth is ${bw.values.length === 1 ? bw.values[0] : `[${[...bw.values].join(', ')}]`}, not one whole number ≥ 1`, 'give bitwidth as a scalar integer', 'bitwidth', [...bw.values]);
    }
    const ra = attrs.get('rounding_mode');
    const rounding = (ra ? attrString(ra) : 'ROUND').toUpperCase();
    if (!(rounding in ROUNDING)) fail(name, op, `rounding_mode "${ra ? attrString(ra) : ''}" is not a QONNX rounding mode`, 'use ROUND, FLOOR, CEIL, UP, DOWN, HALF_UP or HALF_DOWN', 'rounding_mode', ra ? attrString(ra) : '');
    specs.push({ name, op, x, y, scale, zeropt, bitwidth: bw.values[0], signed: intAttr('signed', 1) !== 0, narrow: intAttr('narrow', 0) !== 0, rounding });
  });

  // 2. Rewrite the graph: weights quantized into new initializers, activation quantizers bypassed.
  const rename = new Map<string, string>();
  /** Outputs of requantizing Quant nodes, imported as Linear (cast) layers. */
  const casts = new Set<string>();
  const newInits = [];
  const quantizers: (QonnxQuantizer & { x: string; y: string })[] = [];
  for (const s of specs) {
    const w = inits.get(s.x);
    const scaleWhere = (): never => fail(s.name, s.op, `scale has shape [${s.scale.dims.join(', ')}], which does not broadcast to ${w ? `the weight's [${w.dims.join(', ')}]` : 'x'}`, 'give scale as a scalar or a per-channel tensor of x\'s rank', 'scale', s.scale.dims);
    const zp = s.zeropt;
    if (zp && zp.values.some((v) => v !== 0)) {
      const bad = zp.values.find((v) => v !== 0);
      fail(s.name, s.op, `zero_point is ${bad}; Tessera maps only zero_point 0 (symmetric quantization) to ap_fixed types`, 're-export the model with zero_point 0 (e.g. a symmetric Brevitas quantizer)', 'zero_point', bad);
    }
    const fracs = [...s.scale.values].map((v) => {
      const f = powerOfTwoFrac(v);
      if (f === undefined) fail(s.name, s.op, `scale ${Number(v.toPrecision(7))} is not a power of two; ap_fixed types need scale 2^−F`, 'train with power-of-two scales (e.g. Brevitas restrict_scaling_type=POWER_OF_TWO) and export again', 'scale', v);
      return f;
    });
    const fMax = Math.max(...fracs);
    if (w) {
      // A weight: quantize the values now; the type holds every channel exactly.
      const b = s.op === 'BipolarQuant' ? 2 : s.bitwidth!;
      if (b > 24) fail(s.name, s.op, `bitwidth ${b} on a weight is wider than float32 holds exactly (24 bits)`, 'use at most 24 bits for weights', 'bitwidth', b);
      const idx = broadcastIndex(s.scale, w.dims, scaleWhere);
      const q = new Float64Array(w.values.length);
      for (let i = 0; i < q.length; i++) {
        const sc = s.scale.values[idx(i)];
        q[i] = s.op === 'BipolarQuant' ? (w.values[i] / sc >= 0 ? sc : -sc) : qonnxQuant(w.values[i], sc, 0, b, s.signed, s.narrow, s.rounding);
      }
      const signed = s.op === 'BipolarQuant' || s.signed;
      const I = Math.max(...fracs.map((f) => b - f));
      const t = fixedType(I + fMax, I, { signed });
      const name = `${s.y}__tessera_quantized`;
      newInits.push(makeTensorProto({ name, dims: w.dims, data: q }));
      rename.set(s.y, name);
      quantizers.push({ node: s.name, op: s.op, on: 'weight', type: formatFixedType(t), x: s.x, y: name });
      continue;
    }
    if (s.op === 'BipolarQuant') fail(s.name, s.op, 'BipolarQuant on computed data is a sign function, not a fixed-point cast', 'Tessera has no binary activation layer; quantize activations with Quant (bitwidth ≥ 2)', 'x', s.x);
    if (new Set(fracs).size > 1) fail(s.name, s.op, `scale has ${new Set(fracs).size} different values across channels on computed data; one layer output has one type`, 'use one (per-tensor) scale for activations', 'scale', [...s.scale.values]);
    const Q = ROUNDING[s.rounding];
    if (!Q) fail(s.name, s.op, `rounding_mode "${s.rounding}" has no ap_fixed quantization mode`, 'use ROUND (AP_RND_CONV), FLOOR (AP_TRN), DOWN, HALF_UP or HALF_DOWN', 'rounding_mode', s.rounding);
    if (s.narrow && !s.signed) fail(s.name, s.op, `narrow = 1 with signed = 0 clips at 2^${s.bitwidth} − 2, which no ap_ufixed overflow mode does`, 'use narrow = 0 for unsigned quantizers', 'narrow', 1);
    const O: OMode = s.narrow ? 'AP_SAT_SYM' : 'AP_SAT';
    const b = s.bitwidth!;
    const t = fixedType(b, b - fMax, { signed: s.signed, Q, O });
    // A requantization (a Quant read only by this one): the readers see this cast of that one's values, which
    // needs a layer of its own: a Linear (cast) layer.
    const requantizes = specs.some((p) => p.y === s.x && !inits.has(p.x)) && nodes.filter((n) => (n.input ?? []).includes(s.x)).length === 1 && !(g.output ?? []).some((o) => o.name === s.x);
    if (requantizes) casts.add(s.y);
    else rename.set(s.y, s.x);
    quantizers.push({ node: s.name, op: s.op, on: 'activation', type: formatFixedType(t), x: s.x, y: s.y });
  }
  const resolveName = (t: string): string => {
    let r = t;
    for (let k = 0; rename.has(r) && k < 1000; k++) r = rename.get(r)!;
    return r;
  };
  const kept = nodes.flatMap((n): OnnxNodeProto[] => {
    if (!(QUANT_OPS as readonly string[]).includes(n.opType ?? '')) return [n];
    const y = (n.output ?? [])[0];
    return y && casts.has(y) ? [{ opType: 'Linear', domain: TESSERA_DOMAIN, name: n.name, input: [(n.input ?? [])[0]], output: [y] }] : [];
  });
  const rewritten: OnnxModelProto = {
    ...proto,
    graph: {
      ...g,
      node: kept.map((n) => ({ ...n, input: (n.input ?? []).map((t) => (t ? resolveName(t) : t)) })),
      initializer: [...(g.initializer ?? []), ...newInits],
      output: (g.output ?? []).map((o) => ({ ...o, name: resolveName(o.name ?? '') })),
    },
  };
  const result = importOnnxProto(rewritten, options);

  // 3. Precisions.
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  const precisions: Record<string, PrecisionSpec> = {};
  const set = (nodeId: string, field: keyof PrecisionSpec, type: string, q: QonnxQuantizer) => {
    const p = (precisions[nodeId] ??= {});
    if (p[field] !== undefined && p[field] !== type) {
      fail(q.node, q.op, `node "${nodeId}" already has ${field} ${p[field]} from another quantizer; this one gives ${type}`, 'quantize a tensor once, or with the same settings everywhere', field, type);
    }
    p[field] = type;
    q.target = { nodeId, field };
  };
  const unmapped = (q: QonnxQuantizer, why: string) =>
    diagnostics.push(makeDiagnostic({ severity: 'warning', code: 'qonnx-unmapped', nodeName: q.node, field: 'quantizer', value: q.type, rule: `a quantizer maps to a layer's precision (${why})`, fix: 'its values are kept in the float model; set the precision of the layer by hand' }));
  const nodeByName = new Map<string, { n: OnnxNodeProto; i: number }>();
  kept.forEach((n, i) => nodeByName.set(n.name ?? '', { n, i }));
  const engineNodes = new Map(result.model.graph.nodes.map((n) => [n.id, n]));
  for (const q of quantizers) {
    if (q.on === 'activation') {
      const id = result.tensors[casts.has(q.y) ? q.y : resolveName(q.x)];
      if (!id || !engineNodes.has(id)) {
        unmapped(q, `tensor "${q.x}" is not computed by one node of the imported graph`);
        continue;
      }
      set(id, 'result_t', q.type, q);
      // Readers of x itself (not through this quantizer), in the original graph.
      const others = kept.filter((n) => (n.input ?? []).includes(q.x) && (n.output ?? [])[0] !== q.y).length + (g.output ?? []).filter((o) => o.name === q.x).length;
      if (others > 0) {
        diagnostics.push(makeDiagnostic({ severity: 'warning', code: 'qonnx-shared-tensor', nodeName: q.node, field: 'x', value: q.x, rule: `in the QONNX model ${others} node(s) read "${q.x}" without this quantizer, but in fixed point every reader sees ${engineNodes.get(id)?.name ?? id}'s result_t`, fix: 'the fixed-point simulation quantizes it for all readers; quantize each branch the same way for an exact match' }));
      }
      continue;
    }
    let any = false;
    for (const n of rewritten.graph!.node!) {
      (n.input ?? []).forEach((t, port) => {
        if (t !== q.y) return;
        const id = result.tensors[(n.output ?? [])[0] ?? ''];
        const en = id ? engineNodes.get(id) : undefined;
        if (!en) return;
        if (WEIGHT_LAYERS.has(n.opType ?? '') && (port === 1 || port === 2)) {
          set(id, port === 1 ? 'weight_t' : 'bias_t', q.type, q);
          any = true;
        } else if (n.opType === 'Add' && isMacLayer(en)) {
          set(id, 'bias_t', q.type, q);
          any = true;
        }
      });
    }
    if (!any) unmapped(q, 'the weight is not the weight or bias of a Conv, ConvTranspose, Gemm or MatMul');
  }
  // MAC layers accumulate exactly (hls4ml's 'auto'); without an output quantizer their result is the sum.
  for (const n of result.model.graph.nodes) {
    if (!isMacLayer(n) || !precisions[n.id]) continue;
    const p = precisions[n.id];
    p.accum_t ??= 'auto';
    p.result_t ??= 'auto';
  }
  // Value-moving layers without a quantizer keep their input's type (when it is known).
  const order = orderOf(result.model);
  for (const id of order) {
    const n = engineNodes.get(id)!;
    if (!keepsValues(n) || precisions[id]?.result_t !== undefined) continue;
    const src = result.model.graph.edges.find((e) => e.target === id)?.source;
    const t = src ? precisions[src]?.result_t : undefined;
    if (t && t !== 'auto') (precisions[id] ??= {}).result_t = t;
  }
  const byName: HlsConfig['layers'] = {};
  for (const [id, p] of Object.entries(precisions)) byName[engineNodes.get(id)?.name ?? id] = { precision: { ...p } };
  return {
    ...result,
    diagnostics,
    precisions,
    config: defaultHlsConfig({ layers: byName }),
    quantizers: quantizers.map(({ x: _x, y: _y, ...q }) => q),
  };
}

function orderOf(model: Model): string[] {
  const indeg = new Map(model.graph.nodes.map((n) => [n.id, 0]));
  for (const e of model.graph.edges) indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
  const ready = model.graph.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const out: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    out.push(id);
    for (const e of model.graph.edges) {
      if (e.source !== id) continue;
      const d = indeg.get(e.target)! - 1;
      indeg.set(e.target, d);
      if (d === 0) ready.push(e.target);
    }
  }
  return out;
}
