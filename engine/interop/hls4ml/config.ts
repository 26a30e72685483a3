// hls4ml configuration in and out. hls4ml reads a dict (or YAML file) shaped like
//   Backend: Vitis
//   Part: xcvu13p-flga2577-2-e
//   ClockPeriod: 5
//   IOType: io_parallel
//   ProjectName: myproject
//   HLSConfig:
//     Model:     { Precision: fixed<16,6> | {default, weight, bias, accum, result, table}, ReuseFactor, Strategy }
//     LayerType: { Dense: {…}, … }             (applies to every layer of that class)
//     LayerName: { conv1: { Precision: {weight: …, result: …}, ReuseFactor: 4, Strategy: Resource,
//                           ParallelizationFactor: 2 }, … }
// hls4ml's precedence is LayerName > LayerType > Model, and per precision field: the layer's own field, then
// its `default`, then the model's field, then the model's default. Tessera's HlsConfig has project-wide
// settings, defaults (= Model) and per-layer specs (= LayerName); LayerType entries are expanded onto the
// matching layers at import. Export writes what Tessera's config holds (plus a `Tessera:` block for the test
// vector settings hls4ml has no key for), so export → import is lossless.
import { C_IDENTIFIER, FPGA_PART, checkText } from '../../safety/rules';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { TesseraError } from '../../diagnostics/diagnostics';
import type { Model } from '../../graph/model';
import type { LayerPrecision, PrecisionSpec } from '../../fixed/precision';
import { formatFixedType, parseFixedType } from '../../fixed/types';
import { defaultHlsConfig, IO_TYPES, STRATEGIES, type HlsConfig, type IoType, type LayerConfigSpec, type Strategy } from '../../hls/config';

export interface Hls4mlLayerConfig {
  Precision?: string | Record<string, string>;
  ReuseFactor?: number;
  Strategy?: string;
  ParallelizationFactor?: number;
  [key: string]: unknown;
}

export interface Hls4mlConfig {
  Backend?: string;
  Part?: string;
  ClockPeriod?: number;
  IOType?: string;
  ProjectName?: string;
  HLSConfig: {
    Model: Hls4mlLayerConfig;
    LayerType?: Record<string, Hls4mlLayerConfig>;
    LayerName?: Record<string, Hls4mlLayerConfig>;
    [key: string]: unknown;
  };
  /** Tessera's own settings without an hls4ml key (hls4ml ignores this block). */
  Tessera?: { TestImages?: number; Seed?: number };
  [key: string]: unknown;
}

/** Something in the configuration that did not map onto Tessera's config (it was left out). */
export interface Hls4mlMessage {
  /** Where in the configuration, e.g. 'HLSConfig.LayerName.fc9' or 'HLSConfig.Model.ReuseFactor'. */
  path: string;
  message: string;
}

/** Engine precision field ↔ hls4ml Precision key. */
const FIELD_KEYS: [keyof LayerPrecision, string][] = [
  ['weight_t', 'weight'], ['bias_t', 'bias'], ['accum_t', 'accum'], ['result_t', 'result'], ['table_t', 'table'],
];
/** hls4ml's `default` precision sets these fields. */
const DEFAULT_FIELDS: (keyof LayerPrecision)[] = ['weight_t', 'bias_t', 'accum_t', 'result_t'];

const LAYER_KEYS = ['Precision', 'ReuseFactor', 'Strategy', 'ParallelizationFactor'];
/** hls4ml keys Tessera knows but does not use (reported as not mapped, not as unknown). */
const HLS4ML_LAYER_KEYS_UNUSED = ['Trace', 'TraceOutput', 'BramFactor', 'ConvImplementation', 'Implementation', 'TableSize', 'ActivationType', 'Compression', 'Streams', 'FifoDepth'];
const TOP_KEYS_UNUSED = ['OutputDir', 'KerasJson', 'KerasH5', 'KerasModel', 'OnnxModel', 'PytorchModel', 'InputShape', 'InputData', 'OutputPredictions', 'ClockUncertainty', 'Board', 'AcceleratorConfig', 'WriterConfig', 'Stamp', 'Version', 'Interface'];
const BACKENDS = ['Vivado', 'Vitis', 'VivadoAccelerator', 'VitisAccelerator'];

/** hls4ml layer class names → Tessera node types (for LayerType entries). */
const CLASS_TO_TYPES: Record<string, string[]> = {
  inputlayer: ['Input'], input: ['Input'], dense: ['Dense'], conv1d: ['Conv1D'], conv2d: ['Conv2D'],
  conv1dtranspose: ['ConvTranspose1D'], conv2dtranspose: ['ConvTranspose2D'],
  activation: ['ReLU', 'LeakyReLU', 'Selu', 'Sigmoid', 'Tanh', 'Softmax'], relu: ['ReLU'], leakyrelu: ['LeakyReLU'],
  softmax: ['Softmax'], batchnormalization: ['BatchNormalization'], pooling1d: ['MaxPool', 'AveragePool'], pooling2d: ['MaxPool', 'AveragePool'],
  maxpooling1d: ['MaxPool'], maxpooling2d: ['MaxPool'], averagepooling1d: ['AveragePool'], averagepooling2d: ['AveragePool'],
  zeropadding1d: ['ZeroPadding'], zeropadding2d: ['ZeroPadding'], upsampling1d: ['UpSampling'], upsampling2d: ['UpSampling', 'Resize'], resize: ['Resize'],
  cropping1d: ['Cropping'], cropping2d: ['Cropping'],
  reshape: ['Reshape', 'Flatten'], flatten: ['Flatten'], transpose: ['Transpose'], merge: ['Add', 'Concatenate'], add: ['Add'], concatenate: ['Concatenate'],
};

export interface ExportOptions {
  /** Maps layer keys that are node ids to node names. */
  model?: Model;
  /** Default 'Vitis' (Tessera generates Vitis HLS C++). */
  backend?: string;
  /** Spelling of types: 'hls4ml' (default) `fixed<16,6,RND_CONV,SAT>` or 'cpp' `ap_fixed<16,6,AP_RND_CONV,AP_SAT>`. */
  typeStyle?: 'hls4ml' | 'cpp';
}

function typeString(s: string, style: 'hls4ml' | 'cpp'): string {
  if (s.trim().toLowerCase() === 'auto') return 'auto';
  const r = parseFixedType(s);
  return r.ok ? formatFixedType(r.type, style) : s;
}

function exportLayer(spec: LayerConfigSpec, style: 'hls4ml' | 'cpp'): Hls4mlLayerConfig {
  const out: Hls4mlLayerConfig = {};
  const p = spec.precision ?? {};
  const prec: Record<string, string> = {};
  for (const [f, k] of FIELD_KEYS) if (p[f] !== undefined) prec[k] = typeString(p[f]!, style);
  if (Object.keys(prec).length) out.Precision = prec;
  if (spec.reuseFactor !== undefined) out.ReuseFactor = spec.reuseFactor;
  if (spec.strategy !== undefined) out.Strategy = spec.strategy === 'resource' ? 'Resource' : 'Latency';
  if (spec.parallelizationFactor !== undefined) out.ParallelizationFactor = spec.parallelizationFactor;
  return out;
}

/** A design's HLS settings as the dict hls4ml reads. */
export function exportHls4mlConfig(cfg: HlsConfig, options: ExportOptions = {}): Hls4mlConfig {
  const style = options.typeStyle ?? 'hls4ml';
  const nameOf = (key: string): string => options.model?.graph.nodes.find((n) => n.id === key)?.name ?? key;
  const layerName: Record<string, Hls4mlLayerConfig> = {};
  for (const [key, spec] of Object.entries(cfg.layers)) layerName[nameOf(key)] = exportLayer(spec, style);
  const out: Hls4mlConfig = {
    Backend: options.backend ?? 'Vitis',
    Part: cfg.part,
    ClockPeriod: cfg.clockPeriodNs,
    IOType: cfg.io,
    ProjectName: cfg.top,
    HLSConfig: { Model: exportLayer(cfg.defaults, style), LayerName: layerName },
  };
  if (cfg.testImages !== undefined || cfg.seed !== undefined) {
    out.Tessera = {};
    if (cfg.testImages !== undefined) out.Tessera.TestImages = cfg.testImages;
    if (cfg.seed !== undefined) out.Tessera.Seed = cfg.seed;
  }
  return out;
}

/** The configuration as hls4ml's YAML file. */
export function hls4mlConfigToYaml(c: Hls4mlConfig): string {
  return stringifyYaml(c, { lineWidth: 0 });
}

/** Parses hls4ml YAML (or JSON) text. Throws TesseraError with one line for text that is not a mapping. */
export function parseHls4mlYaml(text: string, file = 'the configuration'): unknown {
  let v: unknown;
  try {
    v = parseYaml(text, { logLevel: 'error', maxAliasCount: 100 }); // warnings are not errors; alias expansion bounded (a 'billion laughs' file)
  } catch (e) {
    throw new TesseraError(`${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}; fix the syntax (hls4ml configs are YAML mappings)`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new TesseraError(`${file} is not an hls4ml configuration: expected a YAML mapping with an HLSConfig key, got ${v === null ? 'nothing' : Array.isArray(v) ? 'a list' : typeof v}`);
  }
  return v;
}

export interface ImportOptions {
  /** The graph the configuration is applied to: layer names are checked against its nodes. */
  model?: Model;
  /** Settings the configuration does not give (default: defaultHlsConfig()). */
  base?: HlsConfig;
}

export interface Hls4mlImportResult {
  config: HlsConfig;
  messages: Hls4mlMessage[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** An hls4ml configuration (dict or YAML text) → Tessera's HlsConfig, with what did not map. */
export function importHls4mlConfig(input: unknown, options: ImportOptions = {}): Hls4mlImportResult {
  const root = typeof input === 'string' ? parseHls4mlYaml(input) : input;
  const messages: Hls4mlMessage[] = [];
  const msg = (path: string, message: string) => messages.push({ path, message });
  const base = options.base ?? defaultHlsConfig();
  const config: HlsConfig = { ...base, defaults: { ...base.defaults }, layers: { ...base.layers } };
  if (!isRecord(root)) {
    msg('', `the configuration is ${show(root)}, not a mapping; nothing was imported`);
    return { config, messages };
  }

  const precisionOf = (v: unknown, path: string): PrecisionSpec | undefined => {
    const check = (s: unknown, p: string): string | undefined => {
      if (typeof s !== 'string') {
        msg(p, `precision ${show(s)} is not a type string; use e.g. fixed<16,6> or ap_fixed<16,6,AP_RND_CONV,AP_SAT>`);
        return undefined;
      }
      if (s.trim().toLowerCase() === 'auto') return 'auto';
      const r = parseFixedType(s);
      if (!r.ok) {
        msg(p, `precision ${show(s)} is not valid: ${r.rule}; ${r.fix}`);
        return undefined;
      }
      return s.trim();
    };
    const out: PrecisionSpec = {};
    if (!isRecord(v)) {
      const s = check(v, path);
      if (s === undefined) return undefined;
      if (s === 'auto') {
        msg(path, "'auto' as a whole-layer precision is not used (Tessera infers only accum and result); set Precision: {accum: auto, result: auto}");
        return undefined;
      }
      for (const f of DEFAULT_FIELDS) out[f] = s;
      return out;
    }
    const def = v.default !== undefined ? check(v.default, `${path}.default`) : undefined;
    if (def === 'auto') msg(`${path}.default`, "'auto' as the default precision is not used (only accum and result are inferred)");
    else if (def !== undefined) for (const f of DEFAULT_FIELDS) out[f] = def;
    for (const [k, s] of Object.entries(v)) {
      if (k === 'default') continue;
      const f = FIELD_KEYS.find(([, key]) => key === k.toLowerCase())?.[0];
      if (!f) {
        msg(`${path}.${k}`, `precision field "${k}" is not used by Tessera (it has weight, bias, accum, result, table, default)`);
        continue;
      }
      const t = check(s, `${path}.${k}`);
      if (t === undefined) continue;
      if (t === 'auto' && f !== 'accum_t' && f !== 'result_t') {
        msg(`${path}.${k}`, `'auto' is inferred only for accum and result; give ${k} a type`);
        continue;
      }
      out[f] = t;
    }
    return out;
  };

  const layerOf = (v: unknown, path: string): LayerConfigSpec | undefined => {
    if (!isRecord(v)) {
      msg(path, `expected a mapping of layer settings (Precision, ReuseFactor, Strategy, ParallelizationFactor), got ${show(v)}`);
      return undefined;
    }
    const spec: LayerConfigSpec = {};
    for (const [k, val] of Object.entries(v)) {
      const p = `${path}.${k}`;
      if (k === 'Precision') {
        const pr = precisionOf(val, p);
        if (pr && Object.keys(pr).length) spec.precision = pr;
      } else if (k === 'ReuseFactor' || k === 'ParallelizationFactor') {
        if (typeof val !== 'number' || !Number.isInteger(val) || val < 1) msg(p, `${k} ${show(val)} is not a whole number ≥ 1`);
        else if (k === 'ReuseFactor') spec.reuseFactor = val;
        else spec.parallelizationFactor = val;
      } else if (k === 'Strategy') {
        const s = typeof val === 'string' ? val.toLowerCase() : '';
        if (!STRATEGIES.includes(s as Strategy)) msg(p, `Strategy ${show(val)} is not one Tessera implements (Latency or Resource)`);
        else spec.strategy = s as Strategy;
      } else if (HLS4ML_LAYER_KEYS_UNUSED.includes(k)) {
        msg(p, `${k} is an hls4ml setting Tessera does not use`);
      } else {
        msg(p, `unknown key "${k}" (Tessera reads ${LAYER_KEYS.join(', ')})`);
      }
    }
    return spec;
  };

  // Top level.
  for (const [k, v] of Object.entries(root)) {
    switch (k) {
      case 'HLSConfig':
        break;
      case 'Backend':
        if (typeof v !== 'string' || !BACKENDS.some((b) => b.toLowerCase() === v.toLowerCase())) msg(k, `Backend ${show(v)}: Tessera generates Vitis/Vivado HLS C++; the backend is not used`);
        break;
      case 'Part': {
        // The part goes into the Tcl and cfg scripts: the allow-list (engine/safety) decides.
        const refused = checkText(FPGA_PART, 'Part', typeof v === 'string' ? v.trim() : v);
        if (refused.length) msg(k, refused[0].message);
        else config.part = (v as string).trim();
        break;
      }
      case 'ClockPeriod':
        if (typeof v !== 'number' || !(v > 0) || v > 1000) msg(k, `ClockPeriod ${show(v)} is not a clock period in ns (> 0 and ≤ 1000)`);
        else config.clockPeriodNs = v;
        break;
      case 'IOType': {
        const io = typeof v === 'string' ? v.toLowerCase() : '';
        if (!IO_TYPES.includes(io as IoType)) msg(k, `IOType ${show(v)} is not io_parallel or io_stream`);
        else config.io = io as IoType;
        break;
      }
      case 'ProjectName':
        if (checkText(C_IDENTIFIER, 'ProjectName', v).length) msg(k, `ProjectName ${show(v)} is not a C identifier of at most ${C_IDENTIFIER.maxLength} characters (it names the top function)`);
        else config.top = v as string;
        break;
      case 'Tessera':
        if (!isRecord(v)) {
          msg(k, `expected a mapping (TestImages, Seed), got ${show(v)}`);
          break;
        }
        for (const [tk, tv] of Object.entries(v)) {
          if ((tk === 'TestImages' || tk === 'Seed') && typeof tv === 'number' && Number.isInteger(tv) && tv >= (tk === 'Seed' ? 0 : 1)) {
            if (tk === 'TestImages') config.testImages = tv;
            else config.seed = tv;
          } else msg(`${k}.${tk}`, tk === 'TestImages' || tk === 'Seed' ? `${tk} ${show(tv)} is not a whole number` : `unknown key "${tk}"`);
        }
        break;
      default:
        msg(k, TOP_KEYS_UNUSED.includes(k) ? `${k} is an hls4ml setting Tessera does not use` : `unknown key "${k}" (Tessera reads Backend, Part, ClockPeriod, IOType, ProjectName, HLSConfig)`);
    }
  }
  const hc = root.HLSConfig;
  if (hc === undefined) {
    msg('HLSConfig', 'missing: no Model or per-layer settings were imported');
    return { config, messages };
  }
  if (!isRecord(hc)) {
    msg('HLSConfig', `expected a mapping with Model / LayerType / LayerName, got ${show(hc)}`);
    return { config, messages };
  }
  for (const k of Object.keys(hc)) {
    if (!['Model', 'LayerType', 'LayerName'].includes(k)) msg(`HLSConfig.${k}`, `${k} is not used by Tessera (it reads Model, LayerType, LayerName)`);
  }
  if (hc.Model !== undefined) {
    const m = layerOf(hc.Model, 'HLSConfig.Model');
    if (m) config.defaults = mergeLayer(config.defaults, m);
  }
  const nodes = options.model?.graph.nodes;
  const findNode = (name: string) => nodes?.find((n) => n.name === name) ?? nodes?.find((n) => n.id === name) ?? nodes?.find((n) => n.name.toLowerCase() === name.toLowerCase());
  // LayerType first (LayerName overrides it).
  if (hc.LayerType !== undefined) {
    if (!isRecord(hc.LayerType)) msg('HLSConfig.LayerType', `expected a mapping of layer classes, got ${show(hc.LayerType)}`);
    else {
      for (const [cls, v] of Object.entries(hc.LayerType)) {
        const path = `HLSConfig.LayerType.${cls}`;
        const spec = layerOf(v, path);
        if (!spec) continue;
        if (!nodes) {
          msg(path, 'LayerType entries need the graph to find the layers of that class; nothing was applied');
          continue;
        }
        const types = CLASS_TO_TYPES[cls.toLowerCase()] ?? [cls];
        const hits = nodes.filter((n) => types.some((t) => t.toLowerCase() === n.type.toLowerCase()));
        if (!hits.length) msg(path, `no layer of class ${cls} in the graph`);
        for (const n of hits) config.layers[n.name] = mergeLayer(config.layers[n.name] ?? {}, spec);
      }
    }
  }
  if (hc.LayerName !== undefined) {
    if (!isRecord(hc.LayerName)) msg('HLSConfig.LayerName', `expected a mapping of layer names, got ${show(hc.LayerName)}`);
    else {
      for (const [name, v] of Object.entries(hc.LayerName)) {
        const path = `HLSConfig.LayerName.${name}`;
        let key = name;
        if (nodes) {
          const n = findNode(name);
          if (!n) {
            msg(path, `unknown layer name "${name}": the graph has no such node (its layers: ${nodes.slice(0, 12).map((x) => x.name).join(', ')}${nodes.length > 12 ? ', …' : ''})`);
            continue;
          }
          key = n.name;
        }
        const spec = layerOf(v, path);
        if (spec) config.layers[key] = mergeLayer(config.layers[key] ?? {}, spec);
      }
    }
  }
  return { config, messages };
}

/** `over` on top of `under` (fields of over win; precision merged per field). Omits unset fields. */
function mergeLayer(under: LayerConfigSpec, over: LayerConfigSpec): LayerConfigSpec {
  const out: LayerConfigSpec = { ...under, ...over };
  if (under.precision || over.precision) out.precision = { ...(under.precision ?? {}), ...(over.precision ?? {}) };
  for (const k of Object.keys(out) as (keyof LayerConfigSpec)[]) if (out[k] === undefined) delete out[k];
  return out;
}
