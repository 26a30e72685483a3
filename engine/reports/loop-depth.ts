// Measured pipeline depths from a vendor build's csynth reports (issue 11, deliver 3): a rebuild sizes its
// io_stream FIFOs from the depths the tool scheduled instead of the modelled ones. Each layer's function
// report is found by name — Vitis / Vivado HLS name a template instance after its config struct
// (`…_config_<cname>_s`), a call-site-named function after the layer (`conv_1d_0_0_0_0` for `conv_1d_0`);
// its depth is its deepest loop's pipeline depth (else iteration latency), or, for a function without
// loops, its own latency (a pipelined function's latency is its depth).
import type { HlsReport } from './types';

export interface MeasuredDepth {
  /** Pipeline depth in cycles (at least 1). */
  cycles: number;
  /** The report it came from (its top function) and what was read. */
  from: string;
}

/** The pipeline depth one function report measured, or null when it has no figure. */
export function reportDepth(r: HlsReport): MeasuredDepth | null {
  const loops = r.loops.map((l) => ({ l, d: l.pipelineDepth ?? l.iterationLatency })).filter((x): x is { l: (typeof r.loops)[number]; d: number } => x.d !== null);
  if (loops.length) {
    const deepest = loops.reduce((a, b) => (b.d > a.d ? b : a));
    return { cycles: Math.max(1, deepest.d), from: `${r.top ?? '?'} loop ${deepest.l.path} ${deepest.l.pipelineDepth !== null ? 'pipeline depth' : 'iteration latency'} ${deepest.d}` };
  }
  const lat = r.latency.worst.cycles;
  return lat === null ? null : { cycles: Math.max(1, lat), from: `${r.top ?? '?'} latency ${lat}` };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a function report is the layer's (by any of its names: C name, node name). */
function isLayerReport(top: string, names: readonly string[]): boolean {
  const t = top.toLowerCase();
  return names.some((n) => {
    const k = n.toLowerCase();
    return !!k && (t === k || new RegExp(`^${escape(k)}(_\\d+)+$`).test(t) || new RegExp(`config_${escape(k)}(_|$)`).test(t));
  });
}

/**
 * The measured depth of each layer (key: its C name) that has a function report; when several reports match, the
 * deepest (deeper means more read-ahead, so larger FIFOs: the safe side).
 */
export function measuredPipelineDepths(reports: readonly HlsReport[], layers: readonly { key: string; names: readonly string[] }[]): Record<string, MeasuredDepth> {
  const out: Record<string, MeasuredDepth> = {};
  for (const layer of layers) {
    for (const r of reports) {
      if (!r.top || !isLayerReport(r.top, layer.names)) continue;
      const d = reportDepth(r);
      if (d && (!out[layer.key] || d.cycles > out[layer.key].cycles)) out[layer.key] = d;
    }
  }
  return out;
}
