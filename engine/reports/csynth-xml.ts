// csynth.xml / <top>_csynth.xml: Vivado HLS 2018.x–2020.1 and Vitis HLS 2020.1+ (2022+ adds
// ModuleInformation with a per-module breakdown, AVAIL_* / UTIL_* figures and RTLDesignHierarchy).

import { parseXml, child, path, textAt, type XmlElement } from './xml';
import { emptyFigures, type HlsReport, type LoopReport, type ModuleReport, type Resources, type SynthFigures, type HlsToolName } from './types';
import { readNumber, readTimeNs, resourceKey, finishPercents, inferTool, cyclesToNs } from './values';

export interface CsynthXmlOptions {
  /** Overrides the tool inferred from the report. */
  tool?: HlsToolName;
}

const LATENCY_TAGS = {
  best: ['Best-caseLatency', 'Best-caseRealTimeLatency'],
  average: ['Average-caseLatency', 'Average-caseRealTimeLatency'],
  worst: ['Worst-caseLatency', 'Worst-caseRealTimeLatency'],
} as const;

/** Reads latency, interval and pipeline type from a SummaryOfOverallLatency element. */
function readOverall(fig: SynthFigures, overall: XmlElement | undefined, notes: string[], where: string): void {
  if (!overall) {
    notes.push(`${where}: no SummaryOfOverallLatency`);
    return;
  }
  for (const key of ['best', 'average', 'worst'] as const) {
    const [cyclesTag, timeTag] = LATENCY_TAGS[key];
    const raw = textAt(overall, cyclesTag);
    fig.latency[key].cycles = readNumber(raw);
    if (raw !== undefined && fig.latency[key].cycles === null) notes.push(`${where}: ${cyclesTag} is "${raw}"`);
    fig.latency[key].ns = readTimeNs(textAt(overall, timeTag)) ?? cyclesToNs(fig.latency[key].cycles, fig.clock.targetNs);
  }
  const ii = readNumber(textAt(overall, 'PipelineInitiationInterval'));
  fig.interval.min = readNumber(textAt(overall, 'Interval-min')) ?? ii;
  fig.interval.max = readNumber(textAt(overall, 'Interval-max')) ?? ii;
  const pt = textAt(overall, 'PipelineType');
  if (pt) fig.pipelineType = pt;
}

/** Reads a Resources element (used, and in Vitis 2022+ modules also AVAIL_* / UTIL_*) into res. */
function readResources(res: Resources, el: XmlElement | undefined, what: 'used' | 'available'): void {
  if (!el) return;
  for (const c of el.children) {
    const key = resourceKey(c.name);
    if (!key) continue;
    const v = readNumber(c.text);
    if (c.name.startsWith('AVAIL_')) res[key].available = v;
    else if (c.name.startsWith('UTIL_')) res[key].percent = v;
    else res[key][what] = v;
  }
}

const LOOP_FIELDS = new Set(['Name', 'Slack', 'TripCount', 'Latency', 'AbsoluteTimeLatency', 'IterationLatency', 'PipelineII', 'PipelineDepth', 'PipelineType', 'InstanceList', 'unit']);

function readLoops(el: XmlElement | undefined, prefix: string, out: LoopReport[]): void {
  if (!el) return;
  for (const c of el.children) {
    if (LOOP_FIELDS.has(c.name)) continue;
    const name = textAt(c, 'Name') || c.name;
    const p = prefix ? `${prefix}/${name}` : name;
    out.push({
      path: p,
      name,
      tripCount: readNumber(textAt(c, 'TripCount')),
      latency: readNumber(textAt(c, 'Latency')),
      iterationLatency: readNumber(textAt(c, 'IterationLatency')),
      pipelineII: readNumber(textAt(c, 'PipelineII')),
      pipelineDepth: readNumber(textAt(c, 'PipelineDepth')),
    });
    readLoops(c, p, out);
  }
}

/** ModuleName → instance name, from RTLDesignHierarchy (first instance of each module). */
function instanceNames(root: XmlElement): Map<string, string> {
  const map = new Map<string, string>();
  const walk = (el: XmlElement): void => {
    if (el.name === 'Instance') {
      const mod = textAt(el, 'ModuleName');
      const inst = textAt(el, 'InstName');
      if (mod && inst && !map.has(mod)) map.set(mod, inst);
    }
    for (const c of el.children) walk(c);
  };
  const h = child(root, 'RTLDesignHierarchy');
  if (h) walk(h);
  return map;
}

function readModule(m: XmlElement, instances: Map<string, string>, notes: string[]): ModuleReport {
  const name = textAt(m, 'Name') ?? '(unnamed)';
  const fig = emptyFigures();
  const perf = child(m, 'PerformanceEstimates');
  const timing = child(perf, 'SummaryOfTimingAnalysis');
  fig.clock.targetNs = readNumber(textAt(timing, 'TargetClockPeriod'));
  fig.clock.uncertaintyNs = readNumber(textAt(timing, 'ClockUncertainty'));
  fig.clock.estimatedNs = readNumber(textAt(timing, 'EstimatedClockPeriod'));
  fig.pipelineType = textAt(perf, 'PipelineType') ?? null;
  readOverall(fig, child(perf, 'SummaryOfOverallLatency'), notes, `module ${name}`);
  readResources(fig.resources, path(m, 'AreaEstimates', 'Resources'), 'used');
  // Keep the report's UTIL_ figure only where it cannot be computed; compute otherwise.
  finishPercents(fig.resources);
  return { name, instance: instances.get(name) ?? null, ...fig };
}

/** Parses csynth.xml text. Throws only when the text is not XML or not a csynth report at all. */
export function parseCsynthXml(text: string, opts: CsynthXmlOptions = {}): HlsReport {
  const root = parseXml(text);
  if (root.name !== 'profile') throw new Error(`not a csynth.xml report: the root element is <${root.name}>, expected <profile>`);
  const notes: string[] = [];
  const ua = child(root, 'UserAssignments');
  if (!ua) notes.push('no UserAssignments');
  const perf = child(root, 'PerformanceEstimates');
  if (!perf) notes.push('no PerformanceEstimates');
  const area = child(root, 'AreaEstimates');
  if (!area) notes.push('no AreaEstimates');

  const version = textAt(root, 'ReportVersion', 'Version') ?? null;
  const flowTarget = textAt(ua, 'FlowTarget') ?? null;
  const fig = emptyFigures();
  fig.clock.targetNs = readNumber(textAt(ua, 'TargetClockPeriod'));
  fig.clock.uncertaintyNs = readNumber(textAt(ua, 'ClockUncertainty'));
  fig.clock.estimatedNs = readNumber(textAt(perf, 'SummaryOfTimingAnalysis', 'EstimatedClockPeriod'));
  fig.pipelineType = textAt(perf, 'PipelineType') ?? null;
  if (perf) readOverall(fig, child(perf, 'SummaryOfOverallLatency'), notes, 'top');

  readResources(fig.resources, child(area, 'Resources'), 'used');
  readResources(fig.resources, child(area, 'AvailableResources'), 'available');
  if (area && !child(area, 'AvailableResources')) notes.push('no AreaEstimates/AvailableResources');
  if (area && fig.resources.URAM.used === null) notes.push('no URAM element (report generation without URAM)');
  finishPercents(fig.resources);

  const dsp48e = [child(area, 'Resources'), child(area, 'AvailableResources')].some((r) => r?.children.some((c) => c.name.startsWith('DSP48')));

  const loops: LoopReport[] = [];
  readLoops(child(perf, 'SummaryOfLoopLatency'), '', loops);

  const instances = instanceNames(root);
  const modules = (child(root, 'ModuleInformation')?.children ?? [])
    .filter((m) => m.name === 'Module')
    .map((m) => readModule(m, instances, notes));

  return {
    format: 'csynth-xml',
    tool: { name: opts.tool ?? inferTool(version, { dsp48e, flowTarget: flowTarget !== null }), version },
    top: textAt(ua, 'TopModelName') ?? null,
    part: textAt(ua, 'Part') ?? null,
    family: textAt(ua, 'ProductFamily') ?? null,
    flowTarget,
    ...fig,
    modules,
    loops,
    notes,
  };
}

/**
 * Vivado HLS writes one <fn>_csynth.xml per non-inlined function instead of ModuleInformation.
 * Given the top report and those of the functions, returns the top report with them as modules.
 */
export function withFunctionReports(top: HlsReport, functions: HlsReport[]): HlsReport {
  const modules: ModuleReport[] = functions
    .filter((f) => f.top !== null && f.top !== top.top)
    .map((f) => ({
      name: f.top as string,
      instance: null,
      latency: f.latency,
      interval: f.interval,
      pipelineType: f.pipelineType,
      clock: f.clock,
      resources: f.resources,
    }));
  return { ...top, modules: [...top.modules, ...modules] };
}
