// csynth.rpt / <top>_csynth.rpt text reports, the fallback when no XML is around. Two table
// generations: Vivado HLS ≤ 2019 ("Timing (ns)", latency summary min|max|min|max|type) and
// 2020.1+ (units in cells, latency with absolute times: 7 columns). Vitis HLS uses the later one.
// The average-case latency is not in these reports (null); loops are not read from text.

import { readTable, findLine, type AsciiTable } from './ascii-table';
import { emptyFigures, emptyResources, type HlsReport, type ModuleReport, type Resources, type SynthFigures } from './types';
import { readNumber, readTimeNs, resourceKey, finishPercents, inferTool, cyclesToNs } from './values';

interface LatencyRow {
  min: number | null;
  max: number | null;
  minNs: number | null;
  maxNs: number | null;
  iiMin: number | null;
  iiMax: number | null;
  type: string | null;
}

/** Latency columns after any leading name columns: 5 (old) or 7 (with absolute times). */
function latencyRow(c: string[]): LatencyRow {
  if (c.length >= 7) {
    return { min: readNumber(c[0]), max: readNumber(c[1]), minNs: readTimeNs(c[2]), maxNs: readTimeNs(c[3]), iiMin: readNumber(c[4]), iiMax: readNumber(c[5]), type: c[6] || null };
  }
  return { min: readNumber(c[0]), max: readNumber(c[1]), minNs: null, maxNs: null, iiMin: readNumber(c[2]), iiMax: readNumber(c[3]), type: c[4] || null };
}

function applyLatency(fig: SynthFigures, r: LatencyRow): void {
  fig.latency.best = { cycles: r.min, ns: r.minNs ?? cyclesToNs(r.min, fig.clock.targetNs) };
  fig.latency.worst = { cycles: r.max, ns: r.maxNs ?? cyclesToNs(r.max, fig.clock.targetNs) };
  fig.interval = { min: r.iiMin, max: r.iiMax };
  fig.pipelineType = r.type;
}

/** The "* <label>:" sub-table after line `from`, or null when it says N/A. */
function subTable(lines: string[], label: RegExp, from: number, to: number): AsciiTable | null {
  const at = findLine(lines, label, from, to);
  if (at < 0) return null;
  const next = lines.slice(at + 1, at + 3).join('\n');
  if (/^\s*N\/A\s*$/m.test(next)) return null;
  return readTable(lines, at + 1, 3);
}

function lastHeaderRow(t: AsciiTable): string[] {
  return t.header[t.header.length - 1] ?? [];
}

function resourceColumns(header: string[]): { index: number; key: NonNullable<ReturnType<typeof resourceKey>> }[] {
  const out: { index: number; key: NonNullable<ReturnType<typeof resourceKey>> }[] = [];
  header.forEach((h, index) => {
    const key = resourceKey(h);
    if (key) out.push({ index, key });
  });
  return out;
}

export function parseCsynthRpt(text: string): HlsReport {
  const lines = text.split(/\r?\n/);
  const notes: string[] = [];
  const titleAt = findLine(lines, /==\s*(Vivado|Vitis) HLS Report for '/);
  if (titleAt < 0) throw new Error('not a csynth.rpt report: no "== Vivado HLS Report for" / "== Vitis HLS Report for" title line');
  const title = /==\s*(Vivado|Vitis) HLS Report for '([^']*)'/.exec(lines[titleAt]) as RegExpExecArray;
  const field = (name: string): string | null => {
    const at = findLine(lines, new RegExp(`^\\*\\s*${name}:`));
    return at < 0 ? null : lines[at].replace(/^\*\s*[^:]+:\s*/, '').trim() || null;
  };
  const versionField = field('Version');
  const version = versionField ? (/^(\S+)/.exec(versionField)?.[1] ?? null) : null;

  const fig = emptyFigures();
  const perfAt = findLine(lines, /^==\s*Performance Estimates/);
  const utilAt = findLine(lines, /^==\s*Utilization Estimates/);
  const ifaceAt = findLine(lines, /^==\s*Interface/);
  const perfEnd = utilAt >= 0 ? utilAt : lines.length;
  const utilEnd = ifaceAt >= 0 ? ifaceAt : lines.length;

  // Timing
  const timingAt = findLine(lines, /^\+\s*Timing/, Math.max(perfAt, 0), perfEnd);
  const timing = timingAt >= 0 ? readTable(lines, timingAt + 1, 4) : null;
  const clockRow = timing?.groups[0]?.[0];
  if (clockRow && clockRow.length >= 4) {
    fig.clock = { targetNs: readTimeNs(clockRow[1]), estimatedNs: readTimeNs(clockRow[2]), uncertaintyNs: readTimeNs(clockRow[3]) };
  } else notes.push('no timing summary');

  // Latency summary and per-instance latency
  const latAt = findLine(lines, /^\+\s*Latency/, Math.max(perfAt, 0), perfEnd);
  const latTable = latAt >= 0 ? readTable(lines, latAt + 1, 4) : null;
  const latRow = latTable?.groups[0]?.[0];
  if (latRow) applyLatency(fig, latencyRow(latRow));
  else notes.push('no latency summary');
  notes.push('csynth.rpt gives no average-case latency');

  const modules = new Map<string, ModuleReport>();
  const moduleFor = (instance: string, name: string): ModuleReport => {
    let m = modules.get(instance);
    if (!m) {
      m = { name, instance, ...emptyFigures() };
      m.clock = { ...fig.clock };
      modules.set(instance, m);
    }
    return m;
  };
  const detailAt = latAt >= 0 ? findLine(lines, /^\s*\+\s*Detail/, latAt, perfEnd) : -1;
  const instLat = detailAt >= 0 ? subTable(lines, /^\s*\*\s*Instance:/, detailAt, perfEnd) : null;
  for (const row of instLat?.groups[0] ?? []) {
    if (row.length < 7) continue;
    const m = moduleFor(row[0], row[1]);
    applyLatency(m, latencyRow(row.slice(2)));
  }

  // Utilisation summary and per-instance resources
  const resources: Resources = emptyResources();
  const utilSummary = utilAt >= 0 ? subTable(lines, /^\s*\*\s*Summary:/, utilAt, utilEnd) : null;
  if (utilSummary) {
    const cols = resourceColumns(lastHeaderRow(utilSummary));
    for (const group of utilSummary.groups) {
      for (const row of group) {
        const label = row[0];
        const what = label === 'Total' ? 'used' : label === 'Available' ? 'available' : label === 'Utilization (%)' ? 'percent' : null;
        if (!what) continue;
        for (const { index, key } of cols) resources[key][what] = readNumber(row[index]);
      }
    }
    if (!cols.some((c) => c.key === 'URAM')) notes.push('no URAM column (report generation without URAM)');
  } else notes.push('no utilization summary');
  fig.resources = finishPercents(resources);

  const utilDetailAt = utilAt >= 0 ? findLine(lines, /^\s*\+\s*Detail/, utilAt, utilEnd) : -1;
  const instUtil = utilDetailAt >= 0 ? subTable(lines, /^\s*\*\s*Instance:/, utilDetailAt, utilEnd) : null;
  if (instUtil) {
    const cols = resourceColumns(lastHeaderRow(instUtil));
    for (const row of instUtil.groups[0] ?? []) {
      const m = moduleFor(row[0], row[1]);
      for (const { index, key } of cols) m.resources[key].used = readNumber(row[index]);
      for (const { key } of cols) m.resources[key].available = fig.resources[key].available;
      finishPercents(m.resources);
    }
  }

  const tool = title[1] === 'Vitis' ? 'vitis_hls' : 'vivado_hls';
  return {
    format: 'csynth-rpt',
    tool: { name: inferTool(version, { vitisBanner: tool === 'vitis_hls', vivadoBanner: tool === 'vivado_hls' }), version },
    top: title[2] || null,
    part: field('Target device'),
    family: field('Product family'),
    flowTarget: null,
    ...fig,
    modules: [...modules.values()],
    loops: [],
    notes,
  };
}
