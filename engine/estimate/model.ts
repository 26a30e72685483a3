// Analytical estimate of latency, interval and resources of one HLS layer, from a small description of
// what its template does (loops, pipelining, unrolling, partitioning). Pure arithmetic, no graph: the
// graph adapter (graph.ts) and the hls4ml-equivalent baselines (hls4ml.ts) build the descriptions.
// Every constant below is stated in README.md; none is a measurement of Tessera's own templates yet.
import type { IoType, Strategy } from '../hls/config';

export type EstimateTool = 'vitis_hls' | 'vivado_hls';
/** Whose templates the layer follows: Tessera's (hls-templates/nnet) or hls4ml's (for the baselines). */
export type TemplateFlavour = 'tessera' | 'hls4ml';

export interface TimingModel {
  clockPeriodNs: number;
  /** Fraction of the period the tool keeps as margin (Vitis default 27 %, Vivado HLS 12.5 %). */
  uncertainty: number;
  tool: EstimateTool;
}

export function timingModel(clockPeriodNs: number, tool: EstimateTool = 'vitis_hls'): TimingModel {
  return { clockPeriodNs, uncertainty: tool === 'vitis_hls' ? 0.27 : 0.125, tool };
}

// Combinational delays (UltraScale+ -2, as the HLS tools' own operator library reports them, rounded).
export const DELAY_NS = {
  /** A multiplier in one DSP48E2 without its internal pipeline registers. */
  dspMult: 2.2,
  /** A carry-chain adder of ~16–24 bits. */
  add: 0.6,
  /** Compare + select. */
  cmpMux: 0.7,
} as const;

/** Bits above which both operands must be for a product to go to a DSP (narrower: LUTs). */
export const DSP_MIN_WIDTH = 10;
/**
 * A product by a constant weight (weights fully partitioned and RF 1) whose mantissa has |m| below this is
 * built from LUT shift-adds by the tools (calibrated on the hls4ml baselines, README.md); 0 and ±2^k are free.
 */
export const CONST_DSP_MIN_MAGNITUDE = 48;
/** Arrays of at most this many bits become registers/LUTRAM, larger ones BRAM (Vitis' default threshold). */
export const BRAM_MIN_BITS = 1024;
/** FIFOs up to this depth are shift registers (SRL) in LUTs. */
export const SRL_MAX_DEPTH = 32;

/** DSP48E2 slices for one a×b product (27×18 native; wider operands cascade). */
export function dspPerMultiplier(wa: number, wb: number): number {
  const long = Math.max(wa, wb);
  const short = Math.min(wa, wb);
  if (short <= DSP_MIN_WIDTH) return 0;
  if (long <= 27 && short <= 18) return 1;
  return Math.max(Math.ceil(long / 27), Math.ceil(short / 18));
}

/** LUTs of a product built in fabric (a×b array multiplier ≈ a·b/2 LUT6). */
export function lutPerMultiplier(wa: number, wb: number): number {
  return Math.ceil((wa * wb) / 2);
}

/** BRAM_18K blocks of one memory bank (depth words × width bits), 0 when small enough for LUTRAM. */
export function bramForBank(depth: number, width: number): number {
  if (depth * width <= BRAM_MIN_BITS) return 0;
  // 18K: 1024×18, 2048×9, 512×36 (and wider as several blocks side by side).
  const byWidth = Math.ceil(width / 18) * Math.ceil(depth / 1024);
  const wide = Math.ceil(width / 36) * Math.ceil(depth / 512);
  return Math.max(1, Math.min(byWidth, wide));
}

/** LUTs of a small memory bank as distributed RAM (64×1 per LUT6). */
export function lutramForBank(depth: number, width: number): number {
  return Math.ceil(depth / 64) * width;
}

/** What the layer multiplies, for layers with a multiply-accumulate core (Dense, Conv, ConvTranspose, depthwise). */
export interface MacCore {
  /** Terms summed per output value (incl. zero-padded phase terms for ConvTranspose). */
  nIn: number;
  /** Output values per output pixel. */
  nOut: number;
  /** Products per output pixel as the template multiplies them (the largest block). */
  products: number;
  /** Bits of data and weight operands, of the accumulator. */
  dataBits: number;
  weightBits: number;
  accumBits: number;
  hasBias: boolean;
  /**
   * Fraction of the constant weights that still need a real multiplier (|m| ≥ CONST_DSP_MIN_MAGNITUDE, not a
   * power of two, not zero); used only when the weights are constants (RF 1). Undefined = all.
   */
  wideConstantFraction?: number;
  /** Fraction of the weights that are zero (no product at all when constant). */
  zeroFraction?: number;
  /** Values in the gathered window (taps × channels), for the window registers of stream convolutions. */
  windowValues?: number;
}

export type LayerKind = 'mac' | 'table' | 'elementwise' | 'pool' | 'reorder' | 'input';

/** Elementwise operators per value. */
export interface ElementwiseCore {
  /** compare + select per value (ReLU, max). */
  cmpMux: number;
  /** additions per value (Add, BatchNorm bias, average pooling). */
  adds: number;
  /** products by a per-channel or scalar constant per value (BatchNorm scale, LeakyReLU alpha). */
  constMults: number;
  /** The constant differs per channel (BatchNorm's scale): real products; otherwise one scalar the tools fold. */
  perChannelConstant?: boolean;
}

/** How the layer iterates, from its template. */
export interface LayerSchedule {
  io: IoType;
  strategy: Strategy;
  reuseFactor: number;
  parallelizationFactor: number;
  /** Iterations of the layer's pipelined loop per image (stream: cursor steps; parallel: pixel blocks). */
  iterations: number;
  /** Cycles per iteration (pipeline II). */
  ii: number;
  /** Extra cycles per image outside the pipelined loop (row loop overheads, flushes). */
  overhead: number;
  /** Whether the loop is a real loop (false: a single-shot pipelined function). */
  looped: boolean;
}

export interface LayerDescription {
  name: string;
  type: string;
  kind: LayerKind;
  flavour: TemplateFlavour;
  schedule: LayerSchedule;
  /** Values per output pixel (stream element width in values) and bits per value. */
  outValuesPerPixel: number;
  outPixels: number;
  outBits: number;
  /** Values per input pixel / bits (registers of io_parallel inputs, line buffers). */
  inValuesPerPixel: number;
  inPixels: number;
  inBits: number;
  mac?: MacCore;
  elementwise?: ElementwiseCore;
  /** Lookup tables: entries, bits, lookups per value (softmax: 2). */
  table?: { entries: number; bits: number; tables: number };
  /** Pooling window size (values compared / added per output value). */
  poolWindow?: number;
  poolOp?: 'max' | 'average';
  /**
   * Line buffer of a stream layer: rows × (in_width pixels) × inValuesPerPixel values of inBits; 'ram' = an
   * array partitioned by row (Tessera), 'srl' = shift registers (hls4ml's line buffers).
   */
  lineBuffer?: { rows: number; width: number; impl: 'ram' | 'srl' };
  notes?: string[];
}

export interface ResourceEstimate {
  DSP: number;
  LUT: number;
  FF: number;
  BRAM_18K: number;
  URAM: number;
  /** LUTs of distributed RAM / shift registers (included in LUT). */
  LUTRAM: number;
}

export interface LayerEstimate {
  name: string;
  type: string;
  kind: LayerKind;
  /** Cycles from the layer's first input to its last output, per image. */
  latency: number;
  /** Cycles from the first input to the first output (the pipeline fill it adds in io_stream). */
  fill: number;
  /** Cycles between images for this layer alone. */
  interval: number;
  iterations: number;
  ii: number;
  multipliers: number;
  dspMultipliers: number;
  lutMultipliers: number;
  resources: ResourceEstimate;
  notes: string[];
}

function zeroResources(): ResourceEstimate {
  return { DSP: 0, LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, LUTRAM: 0 };
}

/** Registers a combinational chain of `delayNs` needs at this clock (0 = fits in one cycle unregistered). */
export function pipelineRegisters(delayNs: number, t: TimingModel): number {
  const budget = t.clockPeriodNs * (1 - t.uncertainty);
  return Math.max(0, Math.ceil(delayNs / budget) - 1);
}

function log2ceil(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/** Estimates one layer. */
export function estimateLayer(d: LayerDescription, t: TimingModel): LayerEstimate {
  const s = d.schedule;
  const notes = [...(d.notes ?? [])];
  const res = zeroResources();
  let multipliers = 0;
  let dspMults = 0;
  let lutMults = 0;
  let delay = 0;
  let memCycles = 0;
  // Values handled per loop iteration: a single-shot io_parallel layer does the whole tensor at once.
  const outValues = s.io === 'io_parallel' && !s.looped ? d.outPixels * d.outValuesPerPixel : d.outValuesPerPixel * (s.io === 'io_parallel' ? Math.max(1, s.parallelizationFactor) : 1);

  if (d.kind === 'mac' && d.mac) {
    const m = d.mac;
    const rf = Math.max(1, s.reuseFactor);
    const pf = s.io === 'io_parallel' ? Math.max(1, s.parallelizationFactor) : 1;
    const perPixel = Math.ceil(m.products / rf);
    multipliers = perPixel * pf;
    const constants = rf === 1;
    let dspEligible = multipliers;
    if (constants) {
      const zero = m.zeroFraction ?? 0;
      const wide = m.wideConstantFraction ?? 1;
      dspEligible = Math.round(multipliers * wide);
      const narrow = Math.round(multipliers * (1 - zero)) - dspEligible;
      lutMults = Math.max(0, narrow);
      if (m.wideConstantFraction !== undefined) notes.push(`constant weights: ${Math.round(wide * 100)} % need a multiplier, ${Math.round((1 - zero - wide) * 100)} % are LUT shift-adds, ${Math.round(zero * 100)} % zero`);
    }
    const per = dspPerMultiplier(m.dataBits, m.weightBits);
    if (per === 0) {
      lutMults += dspEligible;
      dspMults = 0;
    } else {
      dspMults = dspEligible;
    }
    res.DSP = dspMults * per;
    // LUT multipliers: constants ≈ a shift-add per set bit of a narrow constant (~ data bits × 2); variable narrow ones an array.
    const lutPerNarrow = constants ? m.dataBits * 3 : lutPerMultiplier(m.dataBits, m.weightBits);
    res.LUT += lutMults * lutPerNarrow;
    // Adders: per output value (nIn − 1 + bias) additions of accumBits over the RF rounds, in fabric (the tools
    // rarely use the DSP post-adder for these trees at this clock).
    const adds = Math.max(0, Math.ceil(((m.nIn - 1 + (m.hasBias ? 1 : 0)) * m.nOut) / rf)) * pf;
    res.LUT += adds * m.accumBits;
    // Stream convolutions keep the gathered window in registers.
    if (s.io === 'io_stream' && s.looped) res.FF += (m.windowValues ?? m.nIn) * d.inBits;
    // Accumulator registers across RF rounds, output cast.
    res.FF += rf > 1 ? m.nOut * m.accumBits * pf : 0;
    // Weight storage.
    if (!constants) {
      const banks = perPixel; // one weight per multiplier per round: a bank of depth RF for each
      const depth = rf;
      const w = m.weightBits;
      if (s.strategy === 'resource') {
        // ARRAY_RESHAPE block factor RF (Tessera dense) / reshaped rows: n_mult words of depth RF → banks packed into BRAM words.
        const bits = banks * w;
        const b = bramForBank(depth, bits);
        if (b > 0 && depth >= 64) res.BRAM_18K += b;
        else {
          res.LUTRAM += lutramForBank(depth, bits);
          notes.push('weights (reshaped) small enough for LUTRAM');
        }
      } else {
        // Latency strategy, fully partitioned: a mux of RF constants per multiplier input.
        res.LUT += banks * w * Math.ceil(log2ceil(depth) / 2 + 0.5);
        notes.push('weights fully partitioned: constants selected by RF-way muxes');
      }
    }
    const chainAdds = log2ceil(m.nIn + (m.hasBias ? 1 : 0));
    delay = (per > 0 ? DELAY_NS.dspMult : DELAY_NS.add * 2) + DELAY_NS.add * chainAdds;
    if (!constants && s.strategy === 'resource') memCycles = 1;
  } else if (d.kind === 'table' && d.table) {
    const lookups = outValues * d.table.tables;
    // Dual-port BRAMs: two lookups per copy of each table per cycle.
    const perTable = bramForBank(d.table.entries, d.table.bits);
    if (perTable > 0) res.BRAM_18K += Math.ceil(lookups / 2) * perTable;
    else res.LUTRAM += Math.ceil(lookups / 2) * lutramForBank(d.table.entries, d.table.bits);
    res.LUT += lookups * d.inBits * 6; // index: scale, offset, clamp, and the read-out mux
    if (d.table.tables > 1) {
      // softmax: max tree, sum tree, final product
      res.LUT += outValues * d.inBits * 3;
      const per = dspPerMultiplier(d.table.bits, d.table.bits);
      res.DSP += per * outValues;
      multipliers += outValues;
      dspMults += per > 0 ? outValues : 0;
    }
    delay = DELAY_NS.add * 2;
    memCycles = 2 * d.table.tables;
  } else if (d.kind === 'elementwise' && d.elementwise) {
    const e = d.elementwise;
    res.LUT += outValues * (e.cmpMux * 2 * d.inBits + e.adds * d.outBits);
    if (e.constMults > 0) {
      multipliers = outValues * e.constMults;
      const per = dspPerMultiplier(d.inBits, d.outBits);
      if (per > 0 && e.perChannelConstant) {
        // Per-channel scale: a real product per value.
        dspMults = multipliers;
        res.DSP += multipliers * per;
      } else {
        // A scalar constant (LeakyReLU alpha, PReLU's per-value alpha on the negative branch): the tools fold it
        // into the select (measured: no extra DSP, LUTs within the ReLU figure); counted as LUT multipliers.
        lutMults = multipliers;
      }
    }
    delay = e.cmpMux * DELAY_NS.cmpMux + e.adds * DELAY_NS.add + (dspMults > 0 ? DELAY_NS.dspMult : 0);
  } else if (d.kind === 'pool') {
    const win = Math.max(1, d.poolWindow ?? 1);
    const ops = outValues * (win - 1);
    if (d.poolOp === 'average') {
      res.LUT += ops * d.inBits + outValues * d.outBits; // sum tree + scale by 1/n (shift-add)
      delay = DELAY_NS.add * (log2ceil(win) + 1);
    } else {
      res.LUT += ops * d.inBits * 2; // compare + select
      delay = DELAY_NS.cmpMux * log2ceil(win);
    }
  }

  // Line buffers (stream layers): rows banks of width pixels × values × bits.
  if (d.lineBuffer) {
    const bankBits = d.inValuesPerPixel * d.inBits;
    for (let r = 0; r < d.lineBuffer.rows; r++) {
      const b = d.lineBuffer.impl === 'ram' ? bramForBank(d.lineBuffer.width, bankBits) : 0;
      if (b > 0) res.BRAM_18K += b;
      else if (d.lineBuffer.impl === 'srl') res.LUTRAM += Math.ceil(d.lineBuffer.width / 32) * bankBits;
      else res.FF += d.lineBuffer.width * bankBits;
    }
  }

  const regs = pipelineRegisters(delay, t) + memCycles;
  // Control (FSM, handshakes, counters) of each layer.
  res.LUT += s.looped ? 120 : 40;
  res.FF += s.looped ? 60 : s.io === 'io_stream' ? 10 : 0;
  // A Vitis stream stage registers its output element (Vivado HLS hands it to the FIFO directly).
  if (s.io === 'io_stream' && t.tool === 'vitis_hls') res.FF += d.outValuesPerPixel * d.outBits;
  // Pipeline registers: the live output values at each register stage.
  const outBitsPerIteration = outValues * d.outBits;
  res.FF += regs * outBitsPerIteration;
  res.LUT += res.LUTRAM;

  let latency: number;
  let fill: number;
  let interval: number;
  if (s.io === 'io_parallel') {
    if (s.looped) {
      // Pipelined pixel loop: (N − 1)·II + iteration latency, + 1 for entering/leaving the loop.
      const iterLat = regs + 1;
      latency = (s.iterations - 1) * s.ii + iterLat + 1 + s.overhead;
      interval = s.iterations * s.ii + s.overhead + (t.tool === 'vitis_hls' ? 4 : 0);
    } else {
      latency = regs + s.overhead;
      interval = Math.max(1, s.ii);
    }
    fill = latency;
  } else {
    // A stream stage: read (1) + compute (regs) + write (1) for a loop; a single element adds the compute only.
    const depth = s.looped ? regs + 2 : regs + 1;
    latency = (s.iterations - 1) * s.ii + depth + s.overhead + (s.looped ? 2 : 0);
    fill = depth;
    interval = s.looped ? latency + 1 : Math.max(1, s.ii);
  }
  return {
    name: d.name,
    type: d.type,
    kind: d.kind,
    latency,
    fill,
    interval,
    iterations: s.iterations,
    ii: s.ii,
    multipliers,
    dspMultipliers: dspMults,
    lutMultipliers: lutMults,
    resources: res,
    notes,
  };
}

/** Stream FIFO between two stream layers: depth elements of width bits → SRL (LUT) or BRAM. */
export function fifoResources(depth: number, widthBits: number): ResourceEstimate {
  const r = zeroResources();
  if (depth <= 2) {
    // One or two elements: the producer's output register does (handshake only).
    r.FF = 2;
  } else if (depth <= SRL_MAX_DEPTH || depth * widthBits <= BRAM_MIN_BITS) {
    r.LUTRAM = Math.ceil(depth / 32) * widthBits;
    r.LUT = r.LUTRAM + 20;
    r.FF = widthBits + 10;
  } else {
    r.BRAM_18K = bramForBank(depth, widthBits);
    r.LUT = 40;
    r.FF = 40;
  }
  return r;
}

export interface DesignTotals {
  latency: number;
  interval: number;
  /** Cycles between images once the pipeline is full (the slowest layer), whatever the tool reports. */
  steadyInterval: number;
  resources: ResourceEstimate;
}

/**
 * Whole design. io_parallel: layers run one after another inside the pipelined top (latency = Σ, interval =
 * the slowest layer). io_stream (DATAFLOW): latency = pipeline fill (Σ first-output times) + the slowest
 * stage's per-image streaming time; interval = the slowest stage (Vivado HLS overlaps images); Vitis HLS
 * reports the interval of such tops as no shorter than their latency (one image in flight, README.md).
 */
export function combine(io: IoType, layers: readonly LayerEstimate[], fifos: readonly ResourceEstimate[], t: TimingModel, inputBits: number): DesignTotals {
  const res = zeroResources();
  for (const r of [...layers.map((l) => l.resources), ...fifos]) {
    res.DSP += r.DSP;
    res.LUT += r.LUT;
    res.FF += r.FF;
    res.BRAM_18K += r.BRAM_18K;
    res.URAM += r.URAM;
    res.LUTRAM += r.LUTRAM;
  }
  let latency = 0;
  let interval = 1;
  const steadyInterval = Math.max(1, ...layers.map((l) => l.interval));
  if (io === 'io_parallel') {
    for (const l of layers) latency += l.latency;
    interval = Math.max(1, ...layers.map((l) => l.interval));
    // The top registers its input ports (ap_vld).
    res.FF += inputBits + 2;
  } else {
    let fill = 0;
    let slowest = 0;
    for (const l of layers) {
      fill += l.fill;
      slowest = Math.max(slowest, l.latency - l.fill);
    }
    latency = fill + slowest;
    interval = Math.max(1, ...layers.map((l) => l.interval));
    if (t.tool === 'vitis_hls') interval = Math.max(interval, latency);
  }
  return { latency, interval, steadyInterval, resources: res };
}
