// Number and unit reading shared by the report parsers. Vendor reports write "undef" for
// unknown latencies, "~0" for utilisation under 1 %, "-" or "NA" for not applicable.

import { RESOURCE_KEYS, type ResourceKey, type Resources, type HlsToolName } from './types';

/** A count or a plain number; null for undef / - / NA / N/A / empty / anything unreadable. "~0" reads as 0. */
export function readNumber(raw: string | undefined | null): number | null {
  if (raw === undefined || raw === null) return null;
  const s = raw.trim().replace(/,/g, '');
  if (s === '' || /^(undef|-+|na|n\/a|none)$/i.test(s)) return null;
  if (/^~\s*0+(\.0*)?$/.test(s)) return 0;
  const m = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(s);
  if (!m) return null;
  const v = Number(m[0]);
  return Number.isFinite(v) ? v : null;
}

const TIME_UNITS: Record<string, number> = { ps: 1e-3, ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9 };

/** A time such as "50.000 ns", "7.940 us", "4.049"; returns nanoseconds (bare numbers are ns). */
export function readTimeNs(raw: string | undefined | null): number | null {
  if (raw === undefined || raw === null) return null;
  const s = raw.trim();
  const v = readNumber(s);
  if (v === null) return null;
  const unit = /([a-zµμ]+)\s*$/i.exec(s)?.[1]?.toLowerCase();
  const scale = unit ? TIME_UNITS[unit] : 1;
  if (scale === undefined) return null;
  return round(v * scale, 6);
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Maps a vendor resource column/tag name to ours: DSP48E/DSP48/DSP → DSP, BRAM/BRAM_18K → BRAM_18K. */
export function resourceKey(name: string): ResourceKey | null {
  const n = name.trim().toUpperCase().replace(/^(AVAIL|UTIL)_/, '');
  if (n === 'BRAM_18K' || n === 'BRAM') return 'BRAM_18K';
  if (n === 'DSP' || n.startsWith('DSP48')) return 'DSP';
  if (n === 'FF') return 'FF';
  if (n === 'LUT') return 'LUT';
  if (n === 'URAM') return 'URAM';
  return null;
}

/** Fills percent from used/available (two decimals) where both are known; keeps the report's own figure otherwise; null when available is 0. */
export function finishPercents(res: Resources): Resources {
  for (const k of RESOURCE_KEYS) {
    const r = res[k];
    if (r.available === 0) r.percent = null; // nothing of this kind on the part: a percentage means nothing
    else if (r.used !== null && r.available !== null) r.percent = round((r.used / r.available) * 100, 2);
  }
  return res;
}

/** Tool name from the version string and what the report looks like. */
export function inferTool(version: string | null, hints: { dsp48e?: boolean; flowTarget?: boolean; vitisBanner?: boolean; vivadoBanner?: boolean }): HlsToolName | null {
  if (hints.vitisBanner) return 'vitis_hls';
  if (hints.vivadoBanner) return 'vivado_hls';
  if (hints.flowTarget) return 'vitis_hls';
  if (hints.dsp48e) return 'vivado_hls';
  const year = version ? Number(/^(\d{4})/.exec(version)?.[1]) : NaN;
  if (Number.isFinite(year)) return year >= 2021 ? 'vitis_hls' : year < 2020 ? 'vivado_hls' : null;
  return null;
}

/** Latency in ns from cycles and the target clock when the report gives no absolute time. */
export function cyclesToNs(cycles: number | null, periodNs: number | null): number | null {
  return cycles !== null && periodNs !== null ? round(cycles * periodNs, 6) : null;
}
