// hls4ml synthesis baselines (test/pytest/baselines/<Tool>/<version>/*.json): a flat
// CSynthesisReport of strings. Tool, version and part are not in the file; the caller passes
// them (or the relative path, from which tool and version are read).

import { emptyFigures, RESOURCE_KEYS, type HlsReport, type HlsToolName } from './types';
import { readNumber, finishPercents, cyclesToNs, resourceKey } from './values';

export interface BaselineOptions {
  /** e.g. "Vivado/2020.1/test_keras_api_test_dense_io_parallel-Vivado.json": tool and version come from it. */
  relativePath?: string;
  tool?: HlsToolName;
  version?: string;
  part?: string;
  top?: string;
}

export interface Hls4mlBaseline {
  report: HlsReport;
  /** Case name: the file stem without "test_keras_api_". */
  name: string | null;
  /** C simulation outputs when the file has them (strings in the file, numbers here). */
  csim: number[][] | null;
}

function toolFromPath(p: string): { tool: HlsToolName | null; version: string | null } {
  const parts = p.split(/[\\/]/);
  for (let i = 0; i + 1 < parts.length; i++) {
    if (/^\d{4}\.\d+$/.test(parts[i + 1])) {
      const t = parts[i].toLowerCase();
      return { tool: t === 'vivado' ? 'vivado_hls' : t === 'vitis' ? 'vitis_hls' : null, version: parts[i + 1] };
    }
  }
  return { tool: null, version: null };
}

export function parseHls4mlBaseline(text: string, opts: BaselineOptions = {}): Hls4mlBaseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`hls4ml baseline is not valid JSON: ${(e as Error).message}`);
  }
  const rep = (data as { CSynthesisReport?: Record<string, unknown> })?.CSynthesisReport;
  if (!rep || typeof rep !== 'object') throw new Error('not an hls4ml baseline: no "CSynthesisReport" object');
  const str = (k: string): string | undefined => (rep[k] === undefined || rep[k] === null ? undefined : String(rep[k]));
  const notes: string[] = [];
  const fig = emptyFigures();
  fig.clock.targetNs = readNumber(str('TargetClockPeriod'));
  fig.clock.estimatedNs = readNumber(str('EstimatedClockPeriod'));
  const best = readNumber(str('BestLatency'));
  const worst = readNumber(str('WorstLatency'));
  fig.latency.best = { cycles: best, ns: cyclesToNs(best, fig.clock.targetNs) };
  fig.latency.worst = { cycles: worst, ns: cyclesToNs(worst, fig.clock.targetNs) };
  fig.interval = { min: readNumber(str('IntervalMin')), max: readNumber(str('IntervalMax')) };
  for (const [k, v] of Object.entries(rep)) {
    const avail = k.startsWith('Available');
    const key = resourceKey(avail ? k.slice('Available'.length) : k);
    if (!key) continue;
    fig.resources[key][avail ? 'available' : 'used'] = readNumber(String(v));
  }
  for (const k of RESOURCE_KEYS) if (fig.resources[k].used === null) notes.push(`no ${k}`);
  finishPercents(fig.resources);
  notes.push('hls4ml baselines give no average-case latency');

  const fromPath = opts.relativePath ? toolFromPath(opts.relativePath) : { tool: null, version: null };
  const stem = opts.relativePath?.split(/[\\/]/).pop()?.replace(/\.json$/, '').replace(/^test_keras_api_/, '') ?? null;
  const csimRaw = (data as { CSimResults?: unknown }).CSimResults;
  const csim = Array.isArray(csimRaw) ? csimRaw.map((row) => (Array.isArray(row) ? row.map((x) => Number(x)) : [Number(row)])) : null;
  return {
    name: stem,
    csim,
    report: {
      format: 'hls4ml-baseline-json',
      tool: { name: opts.tool ?? fromPath.tool, version: opts.version ?? fromPath.version },
      top: opts.top ?? null,
      part: opts.part ?? null,
      family: null,
      flowTarget: null,
      ...fig,
      modules: [],
      loops: [],
      notes,
    },
  };
}
