// The estimate in the figures shape of engine/reports (SynthFigures / ModuleReport), every figure labelled
// source 'estimate', plus the per-layer detail (multipliers, LUTRAM, iterations) and a text table.
import type { IoType } from '../hls/config';
import { emptyFigures, type ModuleReport, type Resources, type SynthFigures } from '../reports/types';
import { formatFit, partFit, type PartFit } from '../reports/fit';
import { combine, estimateLayer, fifoResources, type EstimateTool, type LayerDescription, type LayerEstimate, type ResourceEstimate, type TemplateFlavour, type TimingModel } from './model';

export const ESTIMATE_SOURCE = 'estimate' as const;

/** Resources of the part (available), for percentages; absent = unknown part. */
export interface PartResources {
  BRAM_18K: number;
  DSP: number;
  FF: number;
  LUT: number;
  URAM: number;
}

/**
 * Resources by device (AMD product tables; BRAM_18K = 2 × the 36 Kb blocks). A part number is the device
 * followed by package, speed grade and temperature (xcvu13p-flga2577-2-e): resources depend on the device
 * alone. Other devices get no percentages.
 */
export const KNOWN_DEVICES: Record<string, PartResources> = {
  // Virtex UltraScale+ and the Alveo cards built on them
  xcvu13p: { BRAM_18K: 5376, DSP: 12288, FF: 3456000, LUT: 1728000, URAM: 1280 },
  xcu250: { BRAM_18K: 5376, DSP: 12288, FF: 3456000, LUT: 1728000, URAM: 1280 },
  xcvu9p: { BRAM_18K: 4320, DSP: 6840, FF: 2364480, LUT: 1182240, URAM: 960 },
  xcu200: { BRAM_18K: 4320, DSP: 6840, FF: 2364480, LUT: 1182240, URAM: 960 },
  xcu280: { BRAM_18K: 4032, DSP: 9024, FF: 2607360, LUT: 1303680, URAM: 960 },
  xcu50: { BRAM_18K: 2688, DSP: 5952, FF: 1743360, LUT: 871680, URAM: 640 },
  // Kintex UltraScale / UltraScale+
  xcku115: { BRAM_18K: 4320, DSP: 5520, FF: 1326720, LUT: 663360, URAM: 0 },
  xcku035: { BRAM_18K: 1080, DSP: 1700, FF: 406256, LUT: 203128, URAM: 0 },
  xcku5p: { BRAM_18K: 960, DSP: 1824, FF: 433920, LUT: 216960, URAM: 64 },
  // Zynq UltraScale+ MPSoC (and Kria K26, a ZU5EV-class device)
  xczu9eg: { BRAM_18K: 1824, DSP: 2520, FF: 548160, LUT: 274080, URAM: 0 },
  xczu7ev: { BRAM_18K: 624, DSP: 1728, FF: 460800, LUT: 230400, URAM: 96 },
  xczu5ev: { BRAM_18K: 288, DSP: 1248, FF: 234240, LUT: 117120, URAM: 64 },
  xck26: { BRAM_18K: 288, DSP: 1248, FF: 234240, LUT: 117120, URAM: 64 },
  xczu3eg: { BRAM_18K: 432, DSP: 360, FF: 141120, LUT: 70560, URAM: 0 },
  // 7 series
  xc7z020: { BRAM_18K: 280, DSP: 220, FF: 106400, LUT: 53200, URAM: 0 },
  xc7z010: { BRAM_18K: 120, DSP: 80, FF: 35200, LUT: 17600, URAM: 0 },
  xc7z045: { BRAM_18K: 1090, DSP: 900, FF: 437200, LUT: 218600, URAM: 0 },
  xc7a100t: { BRAM_18K: 270, DSP: 240, FF: 126800, LUT: 63400, URAM: 0 },
  xc7a35t: { BRAM_18K: 100, DSP: 90, FF: 41600, LUT: 20800, URAM: 0 },
};

/** The resources of a part (any package, speed grade or temperature of a known device), or null. */
export function partResources(part: string): PartResources | null {
  const device = part.trim().toLowerCase().split('-')[0];
  return KNOWN_DEVICES[device] ?? null;
}

export interface EstimateReport extends SynthFigures {
  /** Every figure here is an analytical estimate, never a tool's result. */
  source: typeof ESTIMATE_SOURCE;
  flavour: TemplateFlavour;
  /** The tool whose behaviour the timing rules follow. */
  tool: EstimateTool;
  io: IoType;
  top: string | null;
  part: string | null;
  /** Fits the part or not, and which resources are over by how much (null fits: no part, or one unknown). */
  fit: PartFit;
  /** One per layer, in the reports' module shape (each labelled by the report's source). */
  modules: ModuleReport[];
  layers: LayerEstimate[];
  /** Cycles between images once the pipeline is full (the slowest layer); `interval` is what the tool would report. */
  steadyInterval: number;
  /** LUTs used as distributed RAM / shift registers (included in LUT). */
  lutram: number;
  multipliers: number;
  notes: string[];
}

function toResources(r: ResourceEstimate, part: PartResources | null): Resources {
  const out = emptyFigures().resources;
  for (const k of ['BRAM_18K', 'DSP', 'FF', 'LUT', 'URAM'] as const) {
    const used = Math.round(r[k]);
    const available = part ? part[k] : null;
    out[k] = { used, available, percent: available ? Math.round((used / available) * 10000) / 100 : null };
  }
  return out;
}

function figures(latency: number, interval: number, t: TimingModel, r: ResourceEstimate, part: PartResources | null, pipelineType: string): SynthFigures {
  const f = emptyFigures();
  const lat = { cycles: latency, ns: Math.round(latency * t.clockPeriodNs * 1000) / 1000 };
  f.latency = { best: lat, average: { ...lat }, worst: { ...lat } };
  f.interval = { min: interval, max: interval };
  f.pipelineType = pipelineType;
  f.clock = { targetNs: t.clockPeriodNs, uncertaintyNs: Math.round(t.clockPeriodNs * t.uncertainty * 1000) / 1000, estimatedNs: null };
  f.resources = toResources(r, part);
  return f;
}

export interface AssembleInput {
  io: IoType;
  layers: readonly LayerDescription[];
  fifos: readonly { depth: number; bits: number }[];
  timing: TimingModel;
  inputBits: number;
  flavour: TemplateFlavour;
  top?: string | null;
  part?: string | null;
  notes?: string[];
}

export function assembleEstimate(input: AssembleInput): EstimateReport {
  const t = input.timing;
  const part = input.part ? partResources(input.part) : null;
  const layers = input.layers.map((d) => estimateLayer(d, t));
  const fifos = input.fifos.map((f) => fifoResources(f.depth, f.bits));
  const total = combine(input.io, layers, fifos, t, input.inputBits);
  const top = figures(total.latency, total.interval, t, total.resources, part, input.io === 'io_stream' ? 'dataflow' : 'pipelined');
  const modules: ModuleReport[] = layers.map((l) => ({
    name: l.name,
    instance: null,
    ...figures(l.latency, l.interval, t, l.resources, part, l.iterations > 1 ? 'loop pipelined' : 'pipelined'),
  }));
  const fit = partFit(input.part ?? null, top.resources);
  const notes = [
    'estimate: analytical model of the templates (engine/estimate/README.md), not a vendor tool result',
    ...(input.notes ?? []),
    ...(part ? [] : input.part ? [`part ${input.part} unknown to the estimator: no percentages`] : []),
    ...(total.steadyInterval !== total.interval ? [`interval ${total.interval} cycles as ${t.tool === 'vitis_hls' ? 'Vitis HLS' : 'Vivado HLS'} reports a dataflow top (one image in flight); the slowest layer alone allows one image per ${total.steadyInterval} cycles`] : []),
    ...fit.over.map((o) => `${o.resource} ${o.used} exceeds the part's ${o.available} (${o.percent} %): raise the reuse factor or narrow the precision`),
  ];
  return {
    source: ESTIMATE_SOURCE,
    flavour: input.flavour,
    tool: t.tool,
    io: input.io,
    top: input.top ?? null,
    part: input.part ?? null,
    fit,
    ...top,
    modules,
    layers,
    steadyInterval: total.steadyInterval,
    lutram: Math.round(total.resources.LUTRAM),
    multipliers: layers.reduce((a, l) => a + l.multipliers, 0),
    notes,
  };
}

/** A plain-text table of the estimate (every line says estimate). */
/** Estimate next to a vendor report's figures: one line per figure with the relative error (labelled). */
export function compareWithReport(est: EstimateReport, rep: SynthFigures): string {
  const rows: [string, number | null, number | null][] = [
    ['latency (cycles)', rep.latency.worst.cycles, est.latency.worst.cycles],
    ['interval (cycles)', rep.interval.min, est.interval.min],
    ['DSP', rep.resources.DSP.used, est.resources.DSP.used],
    ['LUT', rep.resources.LUT.used, est.resources.LUT.used],
    ['FF', rep.resources.FF.used, est.resources.FF.used],
    ['BRAM_18K', rep.resources.BRAM_18K.used, est.resources.BRAM_18K.used],
  ];
  const lines = [`  ${'figure'.padEnd(18)} ${'synthesis'.padStart(10)} ${'estimate'.padStart(10)} ${'error'.padStart(7)}`];
  for (const [name, a, e] of rows) {
    const err = a === null || e === null ? '-' : `${Math.round((Math.abs(e - a) / Math.max(Math.abs(a), 1)) * 100)}%`;
    lines.push(`  ${name.padEnd(18)} ${String(a ?? '-').padStart(10)} ${String(e ?? '-').padStart(10)} ${err.padStart(7)}`);
  }
  return lines.join('\n');
}

export function formatEstimate(r: EstimateReport): string {
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number | null) => (v === null ? '-' : String(v));
  const lines: string[] = [];
  lines.push(`ESTIMATE (analytical model, no vendor tool result) — ${r.io}, ${r.tool === 'vitis_hls' ? 'Vitis HLS' : 'Vivado HLS'} rules, clock ${r.clock.targetNs} ns${r.part ? `, part ${r.part}` : ''}`);
  lines.push(`  latency ${num(r.latency.worst.cycles)} cycles (${num(r.latency.worst.ns)} ns), interval ${num(r.interval.min)} cycles   [estimate]`);
  const res = r.resources;
  const pct = (k: keyof Resources) => (res[k].percent === null ? '' : ` (${res[k].percent}%)`);
  lines.push(`  DSP ${num(res.DSP.used)}${pct('DSP')}  LUT ${num(res.LUT.used)}${pct('LUT')}  FF ${num(res.FF.used)}${pct('FF')}  BRAM_18K ${num(res.BRAM_18K.used)}${pct('BRAM_18K')}  (LUTRAM ${r.lutram}, multipliers ${r.multipliers})   [estimate]`);
  lines.push(`  ${formatFit(r.fit)}   [estimate]`);
  lines.push(`  ${pad('layer', 24)} ${pad('type', 18)} ${pad('latency', 8)} ${pad('II', 6)} ${pad('iter', 7)} ${pad('mult', 6)} ${pad('DSP', 6)} ${pad('LUT', 8)} ${pad('FF', 8)} BRAM`);
  for (const l of r.layers) {
    const x = l.resources;
    lines.push(`  ${pad(l.name, 24)} ${pad(l.type, 18)} ${pad(String(l.latency), 8)} ${pad(String(l.ii), 6)} ${pad(String(l.iterations), 7)} ${pad(String(l.multipliers), 6)} ${pad(String(Math.round(x.DSP)), 6)} ${pad(String(Math.round(x.LUT)), 8)} ${pad(String(Math.round(x.FF)), 8)} ${Math.round(x.BRAM_18K)}`);
  }
  return lines.join('\n');
}
