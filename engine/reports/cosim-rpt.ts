// <top>_cosim.rpt: one row per RTL language with Pass / Fail / NA, latency and interval
// min/avg/max, and (2020.1+) the total execution time in cycles.

import { cells, findLine } from './ascii-table';
import type { CosimReport, CosimResult, CosimStatus } from './types';
import { readNumber } from './values';

function status(raw: string): CosimStatus | null {
  const s = raw.trim().toLowerCase();
  if (s === 'pass') return 'Pass';
  if (s === 'fail' || s === 'failed') return 'Fail';
  if (s === 'na' || s === 'n/a' || s === '') return 'NA';
  return null;
}

export function parseCosimRpt(text: string): CosimReport {
  const lines = text.split(/\r?\n/);
  const notes: string[] = [];
  const results: CosimResult[] = [];
  for (const line of lines) {
    if (!/^\s*\|\s*(VHDL|Verilog|SystemC|SystemVerilog)\s*\|/i.test(line)) continue;
    const c = cells(line);
    const st = status(c[1] ?? '');
    if (!st) {
      notes.push(`unreadable status "${c[1]}" for ${c[0]}`);
      continue;
    }
    const n = (k: number): number | null => readNumber(c[k]);
    results.push({
      language: c[0],
      status: st,
      latency: { min: n(2), avg: n(3), max: n(4) },
      interval: { min: n(5), avg: n(6), max: n(7) },
      totalCycles: c.length > 8 ? n(8) : null,
    });
  }
  if (results.length === 0) {
    throw new Error('not a cosim report: no "| VHDL |" / "| Verilog |" result rows; expected sim/report/<top>_cosim.rpt');
  }
  const titleAt = findLine(lines, /HLS Report for '/);
  const top = titleAt >= 0 ? (/Report for '([^']*)'/.exec(lines[titleAt])?.[1] ?? null) : null;
  const simAt = findLine(lines, /^\s*Simulation tool\s*:/i);
  const simulator = simAt >= 0 ? lines[simAt].replace(/^[^:]*:\s*/, '').replace(/\.\s*$/, '').trim() || null : null;
  const overall: CosimStatus = results.some((r) => r.status === 'Fail') ? 'Fail' : results.some((r) => r.status === 'Pass') ? 'Pass' : 'NA';
  return { top, simulator, results, status: overall, notes };
}
