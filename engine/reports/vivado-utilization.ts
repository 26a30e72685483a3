// vivado_synth.rpt (report_utilization after synth_design): post-synthesis resources only.
// 7-series calls the rows "Slice LUTs" / "Slice Registers", UltraScale "CLB LUTs" / "CLB Registers".
// Block RAM is counted in 36 Kb tiles: BRAM_18K = 2 × tiles (tiles may be fractional, .5 = one 18K).

import { readTable, findLine } from './ascii-table';
import { emptyFigures, type HlsReport, type ResourceKey } from './types';
import { readNumber, finishPercents, round } from './values';

const ROWS: { re: RegExp; key: ResourceKey; scale: number }[] = [
  { re: /^(Slice|CLB) LUTs\*?$/, key: 'LUT', scale: 1 },
  { re: /^(Slice|CLB) Registers$/, key: 'FF', scale: 1 },
  { re: /^Block RAM Tile$/, key: 'BRAM_18K', scale: 2 },
  { re: /^URAM$/, key: 'URAM', scale: 1 },
  { re: /^DSPs$/, key: 'DSP', scale: 1 },
];

export function parseVivadoUtilization(text: string): HlsReport {
  const lines = text.split(/\r?\n/);
  const notes: string[] = [];
  const meta = (name: string): string | null => {
    const at = findLine(lines, new RegExp(`^\\|\\s*${name}\\s*:`));
    return at < 0 ? null : lines[at].replace(/^\|\s*[^:]+:\s*/, '').trim() || null;
  };
  const toolLine = meta('Tool Version');
  if (!toolLine && findLine(lines, /Site Type/) < 0) {
    throw new Error('not a Vivado utilization report: no "Tool Version" header and no "Site Type" tables (expected the output of report_utilization)');
  }
  const fig = emptyFigures();
  const seen = new Set<ResourceKey>();
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|\s*Site Type\s*\|/.test(lines[i])) continue;
    // Back up to the table's opening border and read it whole.
    const t = readTable(lines, Math.max(0, i - 1), 2);
    if (!t) continue;
    const header = t.header[t.header.length - 1] ?? [];
    const col = (name: string): number => header.findIndex((h) => h.replace(/\s+/g, '').toLowerCase() === name);
    const used = col('used');
    const avail = col('available');
    const util = col('util%');
    for (const row of t.groups.flat()) {
      const label = row[0];
      const spec = ROWS.find((r) => r.re.test(label));
      if (!spec || seen.has(spec.key)) continue;
      seen.add(spec.key);
      const u = readNumber(row[used]);
      const a = readNumber(row[avail]);
      fig.resources[spec.key] = {
        used: u === null ? null : round(u * spec.scale, 2),
        available: a === null ? null : round(a * spec.scale, 2),
        percent: util >= 0 ? readNumber(row[util]) : null,
      };
    }
    i = t.end - 1;
  }
  for (const k of ['LUT', 'FF', 'BRAM_18K', 'DSP'] as const) if (!seen.has(k)) notes.push(`no ${k} row`);
  finishPercents(fig.resources);
  const version = toolLine ? (/v\.?(\d{4}\.\d+(\.\d+)?)/.exec(toolLine)?.[1] ?? null) : null;
  return {
    format: 'vivado-utilization-rpt',
    tool: { name: 'vivado', version },
    top: meta('Design'),
    part: meta('Device'),
    family: null,
    flowTarget: null,
    ...fig,
    modules: [],
    loops: [],
    notes,
  };
}
