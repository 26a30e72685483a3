// Every vendor report fixture parses to the figures written out below (read off the files by hand).
// The real vendor reports are hls4ml's, carried in test-data/hls4ml (Apache-2.0, README there).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  parseCsynthXml,
  parseCsynthRpt,
  parseCosimRpt,
  parseVivadoUtilization,
  parseHls4mlBaseline,
  parseReportFile,
  reportKind,
  withFunctionReports,
  readNumber,
  readTimeNs,
  type HlsReport,
  type ResourceKey,
} from './index';

const FIXTURES = resolve(__dirname, '../../test-data/hls4ml');
const V2020 = join(FIXTURES, 'hls-reports/hls4ml-vivado-2020.1');
const V2018 = join(FIXTURES, 'hls-reports/hls4ml-vivadohls-2018.2-conv1d');
const TESTDATA = join(__dirname, 'testdata');
const read = (p: string): string => readFileSync(p, 'utf8');

type Res = [used: number | null, available: number | null, percent: number | null];
function expectResources(r: { resources: HlsReport['resources'] }, want: Partial<Record<ResourceKey, Res>>): void {
  for (const [k, [used, available, percent]] of Object.entries(want) as [ResourceKey, Res][]) {
    expect({ k, ...r.resources[k] }).toEqual({ k, used, available, percent });
  }
}
function expectLatency(r: { latency: HlsReport['latency'] }, best: Pair, avg: Pair, worst: Pair): void {
  expect(r.latency).toEqual({
    best: { cycles: best[0], ns: best[1] },
    average: { cycles: avg[0], ns: avg[1] },
    worst: { cycles: worst[0], ns: worst[1] },
  });
}
type Pair = [cycles: number | null, ns: number | null];
/** The summary every csynth report carries: tool, design ids, clock (target, uncertainty, estimate), latency, interval, pipeline type. */
interface Summary {
  tool: [name: string, version: string];
  ids: [top: string, part: string, family: string];
  clock: [targetNs: number, uncertaintyNs: number, estimatedNs: number];
  latency: [best: Pair, average: Pair, worst: Pair];
  interval: [min: number, max: number];
  pipelineType?: string;
}
function expectSummary(r: HlsReport, want: Summary): void {
  expect(r.tool).toEqual({ name: want.tool[0], version: want.tool[1] });
  expect([r.top, r.part, r.family]).toEqual(want.ids);
  expect(r.clock).toEqual({ targetNs: want.clock[0], uncertaintyNs: want.clock[1], estimatedNs: want.clock[2] });
  expectLatency(r, ...want.latency);
  expect(r.interval).toEqual({ min: want.interval[0], max: want.interval[1] });
  if (want.pipelineType !== undefined) expect(r.pipelineType).toBe(want.pipelineType);
}

describe('values', () => {
  it('reads the vendor spellings of numbers and times', () => {
    expect(readNumber('undef')).toBeNull();
    expect(readNumber('~0')).toBe(0);
    expect(readNumber('  ~0   ')).toBe(0);
    expect(readNumber('-')).toBeNull();
    expect(readNumber('NA')).toBeNull();
    expect(readNumber('4.049')).toBe(4.049);
    expect(readNumber('1,326,720')).toBe(1326720);
    expect(readTimeNs('50.000 ns')).toBe(50);
    expect(readTimeNs('7.940 us')).toBe(7940);
    expect(readTimeNs('1.25 ms')).toBe(1250000);
    expect(readTimeNs('undef')).toBeNull();
    expect(readTimeNs('3.5')).toBe(3.5);
  });
});

describe('Vivado HLS 2020.1 fixtures (hls4ml dense+relu, io_stream, xc7z020)', () => {
  it('myproject_csynth.xml', () => {
    const r = parseCsynthXml(read(join(V2020, 'myproject_csynth.xml')));
    expect(r.format).toBe('csynth-xml');
    expectSummary(r, { tool: ['vivado_hls', '2020.1'], ids: ['myproject', 'xc7z020-clg400-1', 'zynq'], clock: [5, 0.62, 4.049], latency: [[10, 50], [10, 50], [10, 50]], interval: [8, 8], pipelineType: 'dataflow' });
    expect(r.flowTarget).toBeNull();
    // DSP48E in this generation, reported as DSP; URAM present but none on a Zynq-7000.
    expectResources(r, {
      BRAM_18K: [0, 280, 0],
      DSP: [73, 220, 33.18],
      FF: [7969, 106400, 7.49],
      LUT: [2532, 53200, 4.76],
      URAM: [0, 0, null],
    });
    expect(r.modules).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  it('myproject_csynth.rpt (fallback), with the per-instance breakdown', () => {
    const r = parseCsynthRpt(read(join(V2020, 'myproject_csynth.rpt')));
    expect(r.format).toBe('csynth-rpt');
    expectSummary(r, { tool: ['vivado_hls', '2020.1'], ids: ['myproject', 'xc7z020-clg400-1', 'zynq'], clock: [5, 0.62, 4.049], latency: [[10, 50], [null, null], [10, 50]], interval: [8, 8], pipelineType: 'dataflow' });
    expectResources(r, { BRAM_18K: [0, 280, 0], DSP: [73, 220, 33.18], FF: [7969, 106400, 7.49], LUT: [2532, 53200, 4.76], URAM: [0, 0, null] });
    expect(r.modules.map((m) => [m.instance, m.name])).toEqual([
      ['dense_array_array_ap_fixed_16_6_5_3_0_5u_config2_U0', 'dense_array_array_ap_fixed_16_6_5_3_0_5u_config2_s'],
      ['relu_array_array_ap_fixed_5u_relu_config3_U0', 'relu_array_array_ap_fixed_5u_relu_config3_s'],
    ]);
    const [dense, relu] = r.modules;
    expectLatency(dense, [7, 35], [null, null], [7, 35]);
    expect(dense.interval).toEqual({ min: 7, max: 7 });
    expect(dense.pipelineType).toBe('none');
    expectResources(dense, { BRAM_18K: [0, 280, 0], DSP: [73, 220, 33.18], FF: [7860, 106400, 7.39], LUT: [2134, 53200, 4.01], URAM: [0, 0, null] });
    expectLatency(relu, [2, 10], [null, null], [2, 10]);
    expect(relu.interval).toEqual({ min: 1, max: 1 });
    expect(relu.pipelineType).toBe('function');
    expectResources(relu, { DSP: [0, 220, 0], FF: [84, 106400, 0.08], LUT: [256, 53200, 0.48] });
  });

  it('vivado_synth.rpt (post-synthesis utilisation)', () => {
    const r = parseVivadoUtilization(read(join(V2020, 'vivado_synth.rpt')));
    expect(r.format).toBe('vivado-utilization-rpt');
    expect(r.tool).toEqual({ name: 'vivado', version: '2020.1' });
    expect([r.top, r.part]).toEqual(['myproject', '7z020clg400-1']);
    expectResources(r, {
      LUT: [1526, 53200, 2.87],
      FF: [2428, 106400, 2.28],
      BRAM_18K: [0, 280, 0],
      DSP: [66, 220, 30],
      URAM: [null, null, null],
    });
    expect(r.latency.best.cycles).toBeNull();
  });
});

describe('Vivado HLS 2018.2 fixtures (hls4ml conv1d, xcku115, no URAM)', () => {
  const PART = 'xcku115-flva1517-2-e';
  const AV = { BRAM_18K: 4320, DSP: 5520, FF: 1326720, LUT: 663360 };
  // file, top, estimated clock, latency (best=avg=worst), interval, pipeline type, BRAM, DSP, FF, LUT
  const cases: [string, string, number, number, number, string, number, number, number, number][] = [
    ['csynth.xml', 'myproject_galapagos', 4.312, 115, 116, 'none', 18, 792, 44641, 43343],
    ['myproject_galapagos_csynth.xml', 'myproject_galapagos', 4.312, 115, 116, 'none', 18, 792, 44641, 43343],
    ['myproject_csynth.xml', 'myproject', 4.168, 14, 1, 'function', 18, 792, 43219, 21809],
    ['compute_layer_0_0_0_s_csynth.xml', 'compute_layer_0_0_0_s', 3.806, 2, 1, 'function', 0, 288, 14711, 5129],
    ['conv_1d_0_0_0_0_csynth.xml', 'conv_1d_0_0_0_0', 3.806, 3, 1, 'function', 0, 504, 26679, 9051],
    ['relu_csynth.xml', 'relu', 1.602, 0, 1, 'function', 0, 0, 0, 612],
    ['softmax_csynth.xml', 'softmax', 3.958, 6, 1, 'function', 18, 0, 1621, 7002],
  ];
  for (const [file, top, est, lat, ii, pipe, bram, dsp, ff, lut] of cases) {
    it(file, () => {
      const r = parseCsynthXml(read(join(V2018, file)));
      expectSummary(r, { tool: ['vivado_hls', '2018.2'], ids: [top, PART, 'kintexu'], clock: [5, 0.62, est], latency: [[lat, lat * 5], [lat, lat * 5], [lat, lat * 5]], interval: [ii, ii], pipelineType: pipe });
      expect(r.resources.BRAM_18K.used).toBe(bram);
      expect(r.resources.DSP.used).toBe(dsp);
      expect(r.resources.FF.used).toBe(ff);
      expect(r.resources.LUT.used).toBe(lut);
      for (const k of ['BRAM_18K', 'DSP', 'FF', 'LUT'] as const) expect(r.resources[k].available).toBe(AV[k]);
      expect(r.resources.URAM).toEqual({ used: null, available: null, percent: null });
      expect(r.notes).toContain('no URAM element (report generation without URAM)');
    });
  }

  it('percentages of the top report', () => {
    const r = parseCsynthXml(read(join(V2018, 'csynth.xml')));
    expectResources(r, { BRAM_18K: [18, 4320, 0.42], DSP: [792, 5520, 14.35], FF: [44641, 1326720, 3.36], LUT: [43343, 663360, 6.53] });
  });

  it('nested loops of the top report', () => {
    const r = parseCsynthXml(read(join(V2018, 'csynth.xml')));
    expect(r.loops).toEqual([
      { path: 'Loop1', name: 'Loop1', tripCount: 4, latency: 80, iterationLatency: 20, pipelineII: null, pipelineDepth: null },
      { path: 'Loop1/Loop1.1', name: 'Loop1.1', tripCount: 6, latency: 18, iterationLatency: 3, pipelineII: null, pipelineDepth: null },
      { path: 'Loop2', name: 'Loop2', tripCount: 6, latency: 18, iterationLatency: 3, pipelineII: null, pipelineDepth: null },
    ]);
  });

  it('per-function reports become the module breakdown', () => {
    const top = parseCsynthXml(read(join(V2018, 'myproject_csynth.xml')));
    const fns = ['conv_1d_0_0_0_0_csynth.xml', 'relu_csynth.xml', 'softmax_csynth.xml', 'myproject_csynth.xml'].map((f) => parseCsynthXml(read(join(V2018, f))));
    const r = withFunctionReports(top, fns);
    expect(r.modules.map((m) => [m.name, m.latency.worst.cycles, m.resources.DSP.used, m.resources.LUT.used])).toEqual([
      ['conv_1d_0_0_0_0', 3, 504, 9051],
      ['relu', 0, 0, 612],
      ['softmax', 6, 0, 7002],
    ]);
  });

  // csynth.rpt of the old generation: "Timing (ns)", 5-column latency, "~0" utilisation, SLR rows.
  const rptCases: [string, string, number, number, number, number, number, number, number, number][] = [
    // file, top, est, latency, interval, BRAM, DSP, FF, LUT, instance rows
    ['myproject_galapagos_csynth.rpt', 'myproject_galapagos', 4.312, 115, 115, 18, 792, 44641, 43343, 1],
    ['myproject_csynth.rpt', 'myproject', 4.168, 14, 1, 18, 792, 43219, 21809, 4],
    ['compute_layer_0_0_0_s_csynth.rpt', 'compute_layer_0_0_0_s', 3.806, 2, 1, 0, 288, 14711, 5129, 72],
    ['conv_1d_0_0_0_0_csynth.rpt', 'conv_1d_0_0_0_0', 3.806, 3, 1, 0, 504, 26679, 9051, 126],
    ['relu_csynth.rpt', 'relu', 1.602, 0, 1, 0, 0, 0, 612, 0],
    ['softmax_csynth.rpt', 'softmax', 3.958, 6, 1, 18, 0, 1621, 7002, 0],
  ];
  for (const [file, top, est, lat, ii, bram, dsp, ff, lut, nInst] of rptCases) {
    it(file, () => {
      const r = parseCsynthRpt(read(join(V2018, file)));
      expectSummary(r, { tool: ['vivado_hls', '2018.2'], ids: [top, PART, 'kintexu'], clock: [5, 0.62, est], latency: [[lat, lat * 5], [null, null], [lat, lat * 5]], interval: [ii, ii] });
      expect([r.resources.BRAM_18K.used, r.resources.DSP.used, r.resources.FF.used, r.resources.LUT.used]).toEqual([bram, dsp, ff, lut]);
      expect([r.resources.BRAM_18K.available, r.resources.DSP.available, r.resources.FF.available, r.resources.LUT.available]).toEqual([4320, 5520, 1326720, 663360]);
      expect(r.resources.URAM.used).toBeNull();
      expect(r.modules).toHaveLength(nInst);
    });
  }

  it('the galapagos rpt instance row carries latency and resources', () => {
    const r = parseCsynthRpt(read(join(V2018, 'myproject_galapagos_csynth.rpt')));
    const [m] = r.modules;
    expect([m.instance, m.name]).toEqual(['grp_myproject_fu_216', 'myproject']);
    expectLatency(m, [14, 70], [null, null], [14, 70]);
    expect(m.interval).toEqual({ min: 1, max: 1 });
    expect([m.resources.BRAM_18K.used, m.resources.DSP.used, m.resources.FF.used, m.resources.LUT.used]).toEqual([18, 792, 43219, 21809]);
  });

  it('the relu rpt says ~0 for LUT utilisation; the percentage is computed from the counts', () => {
    const r = parseCsynthRpt(read(join(V2018, 'relu_csynth.rpt')));
    expect(r.resources.LUT).toEqual({ used: 612, available: 663360, percent: 0.09 });
  });
});

describe('Vitis HLS 2023.2-style csynth.xml (hand-written fixture with ModuleInformation)', () => {
  const r = parseCsynthXml(read(join(TESTDATA, 'vitis-2023.2-handwritten_csynth.xml')));
  it('top figures, with undef worst-case latency', () => {
    expectSummary(r, { tool: ['vitis_hls', '2023.2'], ids: ['tessera_top', 'xcvu13p-flga2577-2-e', 'virtexuplus'], clock: [5, 1.35, 3.912], latency: [[1093, 5465], [1101, 5505], [null, null]], interval: [1025, 1040], pipelineType: 'dataflow' });
    expect(r.flowTarget).toBe('vivado');
    expectResources(r, {
      BRAM_18K: [8, 5376, 0.15],
      DSP: [136, 12288, 1.11],
      FF: [9618, 3456000, 0.28],
      LUT: [13105, 1728000, 0.76],
      URAM: [0, 1280, 0],
    });
    expect(r.notes).toContain('top: Worst-caseLatency is "undef"');
  });
  it('per-module breakdown with instance names, AVAIL_/UTIL_ figures and ~0', () => {
    expect(r.modules.map((m) => [m.name, m.instance])).toEqual([
      ['conv2d_3x3_stream_s', 'conv2d_3x3_stream_U0'],
      ['conv_transpose_2x2_s2_s', 'conv_transpose_2x2_s2_U0'],
      ['flush_output', 'flush_output_U0'],
      ['tessera_top', null],
    ]);
    const [conv, convT, flush] = r.modules;
    expectLatency(conv, [1030, 5150], [1030, 5150], [1030, 5150]);
    expect(conv.interval).toEqual({ min: 1025, max: 1025 });
    expect(conv.clock).toEqual({ targetNs: 5, uncertaintyNs: 1.35, estimatedNs: 3.912 });
    expectResources(conv, { BRAM_18K: [4, 5376, 0.07], DSP: [72, 12288, 0.59], FF: [5210, 3456000, 0.15], LUT: [6893, 1728000, 0.4], URAM: [0, 1280, 0] });
    expectLatency(convT, [1036, 5180], [1038, 5190], [1040, 5200]);
    expect(convT.interval).toEqual({ min: 1026, max: 1040 });
    expect(convT.clock.estimatedNs).toBe(3.604);
    expectResources(convT, { BRAM_18K: [2, 5376, 0.04], DSP: [64, 12288, 0.52], FF: [4112, 3456000, 0.12], LUT: [5530, 1728000, 0.32] });
    // undef latencies, no interval, no BRAM/URAM elements at all
    expectLatency(flush, [3, 15], [null, null], [null, null]);
    expect(flush.interval).toEqual({ min: null, max: null });
    expectResources(flush, { BRAM_18K: [null, null, null], DSP: [0, 12288, 0], FF: [38, 3456000, 0], LUT: [121, 1728000, 0.01], URAM: [null, null, null] });
    expect(r.notes).toContain('module flush_output: Average-caseLatency is "undef"');
  });
});

describe('Vitis HLS 2023.2-style csynth.rpt (hand-written fixture, same figures as the XML)', () => {
  const r = parseCsynthRpt(read(join(TESTDATA, 'vitis-2023.2-handwritten_csynth.rpt')));
  it('top figures: Vitis banner, DSP column, undef worst latency, SLR rows ignored', () => {
    expectSummary(r, { tool: ['vitis_hls', '2023.2'], ids: ['tessera_top', 'xcvu13p-flga2577-2-e', 'virtexuplus'], clock: [5, 1.35, 3.912], latency: [[1093, 5465], [null, null], [null, null]], interval: [1025, 1040], pipelineType: 'dataflow' });
    expectResources(r, { BRAM_18K: [8, 5376, 0.15], DSP: [136, 12288, 1.11], FF: [9618, 3456000, 0.28], LUT: [13105, 1728000, 0.76], URAM: [0, 1280, 0] });
  });
  it('instances with latency and resources', () => {
    expect(r.modules.map((m) => [m.instance, m.name, m.latency.best.cycles, m.latency.worst.cycles, m.interval.min, m.interval.max, m.resources.DSP.used, m.resources.LUT.used])).toEqual([
      ['conv2d_3x3_stream_U0', 'conv2d_3x3_stream_s', 1030, 1030, 1025, 1025, 72, 6893],
      ['conv_transpose_2x2_s2_U0', 'conv_transpose_2x2_s2_s', 1036, 1040, 1026, 1040, 64, 5530],
      ['flush_output_U0', 'flush_output', 3, null, 4, null, 0, 121],
    ]);
    expect(r.modules[2].latency.best.ns).toBe(15);
    expect(r.modules[1].latency.worst.ns).toBe(5200);
  });
});

describe('Vivado 2023.2 UltraScale+ utilisation (hand-written fixture)', () => {
  it('CLB rows, Prohibited column, half a Block RAM tile, URAM', () => {
    const r = parseVivadoUtilization(read(join(TESTDATA, 'vivado-2023.2-ultrascale-handwritten_synth.rpt')));
    expect(r.tool).toEqual({ name: 'vivado', version: '2023.2' });
    expect([r.top, r.part]).toEqual(['tessera_top', 'xcvu13p-flga2577-2-e']);
    expectResources(r, {
      LUT: [11873, 1728000, 0.69],
      FF: [9122, 3456000, 0.26],
      BRAM_18K: [7, 5376, 0.13],
      URAM: [2, 1280, 0.16],
      DSP: [130, 12288, 1.06],
    });
  });
});

describe('cosim reports (hand-written fixtures)', () => {
  it('2020-style with total execution time: Verilog Pass, VHDL NA', () => {
    const r = parseCosimRpt(read(join(TESTDATA, 'cosim-2020-handwritten_cosim.rpt')));
    expect(r.status).toBe('Pass');
    expect(r.top).toBe('tessera_top');
    expect(r.simulator).toBe('xsim');
    expect(r.results).toEqual([
      { language: 'VHDL', status: 'NA', latency: { min: null, avg: null, max: null }, interval: { min: null, avg: null, max: null }, totalCycles: null },
      { language: 'Verilog', status: 'Pass', latency: { min: 1093, avg: 1097, max: 1102 }, interval: { min: 1025, avg: 1031, max: 1040 }, totalCycles: 5227 },
    ]);
  });
  it('2018-style: a failing Verilog run fails the whole', () => {
    const r = parseCosimRpt(read(join(TESTDATA, 'cosim-2018-handwritten_cosim.rpt')));
    expect(r.status).toBe('Fail');
    expect(r.top).toBe('myproject');
    expect(r.results).toEqual([
      { language: 'VHDL', status: 'Pass', latency: { min: 14, avg: 14, max: 14 }, interval: { min: 1, avg: 1, max: 1 }, totalCycles: null },
      { language: 'Verilog', status: 'Fail', latency: { min: null, avg: null, max: null }, interval: { min: null, avg: null, max: null }, totalCycles: null },
    ]);
  });
  it('a file with no result rows is one clear error', () => {
    expect(() => parseCosimRpt('Report time : now.\n')).toThrow(/no "\| VHDL \|" \/ "\| Verilog \|" result rows/);
  });
});

describe('tolerance', () => {
  it('missing sections become nulls and notes, not exceptions', () => {
    const r = parseCsynthXml('<profile><ReportVersion><Version>2019.1</Version></ReportVersion><AreaEstimates><Resources><DSP48E>7</DSP48E></Resources></AreaEstimates></profile>');
    expect(r.tool).toEqual({ name: 'vivado_hls', version: '2019.1' });
    expect(r.resources.DSP).toEqual({ used: 7, available: null, percent: null });
    expect(r.latency.best.cycles).toBeNull();
    expect(r.notes).toEqual(expect.arrayContaining(['no UserAssignments', 'no PerformanceEstimates', 'no AreaEstimates/AvailableResources']));
  });
  it('not XML / not a csynth report: one clear error', () => {
    expect(() => parseCsynthXml('<profile><a></profile>')).toThrow(/does not match/);
    expect(() => parseCsynthXml('<project/>')).toThrow(/root element is <project>, expected <profile>/);
    expect(() => parseCsynthRpt('hello')).toThrow(/not a csynth.rpt report/);
    expect(() => parseVivadoUtilization('hello')).toThrow(/not a Vivado utilization report/);
    expect(() => parseReportFile('x/notes.txt', 'hello')).toThrow(/^x\/notes.txt: not a report Tessera reads/);
  });
});

describe('report kind detection on every fixture', () => {
  it('names the right parser for each file', () => {
    const kinds: Record<string, string | null> = {};
    for (const d of [V2020, V2018]) for (const f of readdirSync(d)) kinds[f] = reportKind(f, read(join(d, f)));
    expect(kinds).toEqual({
      'myproject_csynth.xml': 'csynth-xml',
      'myproject_csynth.rpt': 'csynth-rpt',
      'vivado_synth.rpt': 'vivado-utilization-rpt',
      'vivado_hls.app': null,
      'csynth.xml': 'csynth-xml',
      'myproject_galapagos_csynth.xml': 'csynth-xml',
      'myproject_galapagos_csynth.rpt': 'csynth-rpt',
      'compute_layer_0_0_0_s_csynth.xml': 'csynth-xml',
      'compute_layer_0_0_0_s_csynth.rpt': 'csynth-rpt',
      'conv_1d_0_0_0_0_csynth.xml': 'csynth-xml',
      'conv_1d_0_0_0_0_csynth.rpt': 'csynth-rpt',
      'relu_csynth.xml': 'csynth-xml',
      'relu_csynth.rpt': 'csynth-rpt',
      'softmax_csynth.xml': 'csynth-xml',
      'softmax_csynth.rpt': 'csynth-rpt',
    });
    expect(reportKind('a_cosim.rpt', read(join(TESTDATA, 'cosim-2020-handwritten_cosim.rpt')))).toBe('cosim-rpt');
  });
});

// hls4ml baselines: every file, figures written out (target clock, estimated clock, best, worst,
// II min, II max, BRAM_18K, DSP, FF, LUT, URAM). Available: 5376 / 12288 / 3456000 / 1728000 / 1280
// (xcvu13p-flga2577-2-e) in every file.
const BASELINES: [string, number, number, number, number, number, number, number, number, number, number, number][] = [
  ['Vitis/2020.1/test_keras_api_test_dense_io_parallel-Vitis.json', 5, 4.727, 1, 1, 1, 1, 1, 2, 38, 178, 0],
  ['Vitis/2020.1/test_keras_api_test_dense_io_stream-Vitis.json', 5, 2.787, 16, 16, 17, 17, 1, 1, 329, 674, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_parallel-Vitis-elu.json', 5, 3.015, 2, 2, 1, 1, 32, 63, 2135, 4821, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_parallel-Vitis-leaky_relu.json', 5, 1.940, 0, 0, 1, 1, 0, 62, 18, 381, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_parallel-Vitis-prelu.json', 5, 3.018, 0, 0, 1, 1, 0, 61, 18, 2839, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_parallel-Vitis-relu.json', 5, 3.018, 0, 0, 1, 1, 0, 61, 18, 2840, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_parallel-Vitis-sigmoid.json', 5, 2.958, 3, 3, 1, 1, 32, 62, 1689, 11005, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_stream-Vitis-elu.json', 5, 3.275, 4, 4, 4, 4, 32, 57, 3154, 5806, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_stream-Vitis-leaky_relu.json', 5, 3.275, 2, 2, 2, 2, 0, 58, 2064, 1502, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_stream-Vitis-prelu.json', 5, 3.275, 2, 2, 2, 2, 0, 58, 2064, 3946, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_stream-Vitis-relu.json', 5, 3.275, 2, 2, 2, 2, 0, 59, 2064, 3955, 0],
  ['Vitis/2023.1/test_keras_api_test_activations_io_stream-Vitis-sigmoid.json', 5, 3.275, 4, 4, 4, 4, 32, 58, 3858, 11386, 0],
  ['Vitis/2023.1/test_keras_api_test_dense_io_parallel-Vitis.json', 5, 3.015, 2, 2, 1, 1, 1, 2, 89, 190, 0],
  ['Vitis/2023.1/test_keras_api_test_dense_io_stream-Vitis.json', 5, 3.338, 4, 4, 4, 4, 1, 2, 110, 279, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_parallel-Vitis-elu.json', 5, 2.919, 3, 3, 1, 1, 32, 59, 3865, 10082, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_parallel-Vitis-leaky_relu.json', 5, 1.940, 0, 0, 1, 1, 0, 57, 18, 462, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_parallel-Vitis-prelu.json', 5, 3.018, 0, 0, 1, 1, 0, 59, 18, 2910, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_parallel-Vitis-relu.json', 5, 3.018, 0, 0, 1, 1, 0, 58, 18, 2983, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_parallel-Vitis-sigmoid.json', 5, 2.538, 3, 3, 1, 1, 32, 56, 1689, 7825, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_stream-Vitis-elu.json', 5, 3.354, 4, 4, 4, 4, 32, 61, 3154, 5742, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_stream-Vitis-leaky_relu.json', 5, 3.354, 2, 2, 2, 2, 0, 59, 2064, 1539, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_stream-Vitis-prelu.json', 5, 3.373, 2, 2, 2, 2, 0, 58, 2064, 4012, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_stream-Vitis-relu.json', 5, 3.373, 2, 2, 2, 2, 0, 59, 2064, 4043, 0],
  ['Vitis/2024.1/test_keras_api_test_activations_io_stream-Vitis-sigmoid.json', 5, 3.407, 4, 4, 4, 4, 32, 61, 3026, 8518, 0],
  ['Vitis/2024.1/test_keras_api_test_conv2d_io_parallel-Vitis-Resource-same-channels_last.json', 5, 3.480, 52, 52, 53, 53, 0, 792, 33150, 75413, 0],
  ['Vitis/2024.1/test_keras_api_test_dense_io_parallel-Vitis.json', 5, 2.919, 3, 3, 1, 1, 1, 2, 145, 354, 0],
  ['Vitis/2024.1/test_keras_api_test_dense_io_stream-Vitis.json', 5, 3.417, 4, 4, 4, 4, 1, 2, 110, 279, 0],
  ['Vitis/2024.1/test_keras_api_test_depthwise1d_io_stream-Vitis.json', 5, 3.460, 35, 35, 36, 36, 0, 9, 412, 679, 0],
  ['Vitis/2024.1/test_keras_api_test_depthwise2d_io_stream-Vitis.json', 5, 3.513, 1028, 1028, 1029, 1029, 0, 18, 3371, 7768, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-same-AveragePooling1D.json', 5, 0.785, 0, 0, 1, 1, 0, 0, 5810, 4178, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-same-AveragePooling2D.json', 5, 1.460, 0, 0, 1, 1, 0, 0, 12962, 11054, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-same-MaxPooling1D.json', 5, 1.028, 0, 0, 1, 1, 0, 0, 5810, 7175, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-same-MaxPooling2D.json', 5, 3.084, 0, 0, 1, 1, 0, 0, 12962, 25310, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-valid-AveragePooling1D.json', 5, 0.785, 0, 0, 1, 1, 0, 0, 5810, 4178, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-valid-AveragePooling2D.json', 5, 1.460, 0, 0, 1, 1, 0, 0, 12962, 10433, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-valid-MaxPooling1D.json', 5, 1.028, 0, 0, 1, 1, 0, 0, 5810, 7058, 0],
  ['Vitis/2024.1/test_keras_api_test_pooling_Vitis-channels_last-valid-MaxPooling2D.json', 5, 3.084, 0, 0, 1, 1, 0, 0, 12962, 22151, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_parallel-Vivado-elu.json', 5, 2.944, 2, 2, 1, 1, 32, 62, 2135, 4641, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_parallel-Vivado-leaky_relu.json', 5, 1.940, 0, 0, 1, 1, 0, 56, 18, 602, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_parallel-Vivado-prelu.json', 5, 2.909, 0, 0, 1, 1, 0, 59, 18, 2256, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_parallel-Vivado-relu.json', 5, 2.909, 0, 0, 1, 1, 0, 61, 18, 2224, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_parallel-Vivado-sigmoid.json', 5, 3.969, 2, 2, 1, 1, 32, 61, 1047, 9884, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_stream-Vivado-elu.json', 5, 4.245, 3, 3, 1, 1, 32, 58, 1415, 8223, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_stream-Vivado-leaky_relu.json', 5, 3.398, 2, 2, 1, 1, 0, 60, 326, 3978, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_stream-Vivado-prelu.json', 5, 3.398, 2, 2, 1, 1, 0, 58, 326, 5927, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_stream-Vivado-relu.json', 5, 3.398, 2, 2, 1, 1, 0, 60, 326, 5873, 0],
  ['Vivado/2020.1/test_keras_api_test_activations_io_stream-Vivado-sigmoid.json', 5, 4.126, 4, 4, 1, 1, 32, 59, 968, 12674, 0],
  ['Vivado/2020.1/test_keras_api_test_conv2d_io_parallel-Vivado-Resource-same-channels_last.json', 5, 4.263, 51, 52, 49, 49, 0, 740, 52870, 86819, 0],
  ['Vivado/2020.1/test_keras_api_test_dense_io_parallel-Vivado.json', 5, 2.944, 2, 2, 1, 1, 1, 2, 89, 190, 0],
  ['Vivado/2020.1/test_keras_api_test_dense_io_stream-Vivado.json', 5, 4.245, 3, 3, 1, 1, 1, 2, 51, 304, 0],
  ['Vivado/2020.1/test_keras_api_test_depthwise1d_io_stream-Vivado.json', 5, 3.629, 35, 35, 36, 36, 0, 8, 256, 619, 0],
  ['Vivado/2020.1/test_keras_api_test_depthwise2d_io_stream-Vivado.json', 5, 4.141, 1028, 1028, 1029, 1029, 0, 54, 2277, 2649, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-same-AveragePooling1D.json', 5, 1.953, 21, 21, 1, 1, 0, 0, 137178, 89529, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-same-AveragePooling2D.json', 5, 2.628, 21, 21, 1, 1, 0, 0, 181032, 112578, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-same-MaxPooling1D.json', 5, 0.919, 0, 0, 1, 1, 0, 0, 5810, 5345, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-same-MaxPooling2D.json', 5, 3.370, 0, 0, 1, 1, 0, 0, 12962, 20342, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-valid-AveragePooling1D.json', 5, 0.785, 0, 0, 1, 1, 0, 0, 5810, 4178, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-valid-AveragePooling2D.json', 5, 1.460, 0, 0, 1, 1, 0, 0, 12962, 10433, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-valid-MaxPooling1D.json', 5, 0.919, 0, 0, 1, 1, 0, 0, 5810, 5258, 0],
  ['Vivado/2020.1/test_keras_api_test_pooling_Vivado-channels_last-valid-MaxPooling2D.json', 5, 3.370, 0, 0, 1, 1, 0, 0, 12962, 17804, 0],
];

describe('hls4ml baselines parse into the same result type', () => {
  const dir = join(FIXTURES, 'hls4ml-baselines');
  it('the table above covers every baseline file', () => {
    const files: string[] = [];
    for (const tool of readdirSync(dir)) for (const ver of readdirSync(join(dir, tool))) for (const f of readdirSync(join(dir, tool, ver))) files.push(`${tool}/${ver}/${f}`);
    expect(files.sort()).toEqual(BASELINES.map((b) => b[0]).sort());
    expect(files).toHaveLength(60);
  });
  for (const [rel, target, est, best, worst, iiMin, iiMax, bram, dsp, ff, lut, uram] of BASELINES) {
    it(rel, () => {
      const { report: r, name, csim } = parseHls4mlBaseline(read(join(dir, rel)), { relativePath: rel, part: 'xcvu13p-flga2577-2-e' });
      const [tool, version] = rel.split('/');
      expect(r.format).toBe('hls4ml-baseline-json');
      expect(r.tool).toEqual({ name: tool === 'Vivado' ? 'vivado_hls' : 'vitis_hls', version });
      expect(r.part).toBe('xcvu13p-flga2577-2-e');
      expect(name).toBe(rel.split('/')[2].replace('test_keras_api_', '').replace('.json', ''));
      expect(r.clock).toEqual({ targetNs: target, uncertaintyNs: null, estimatedNs: est });
      expectLatency(r, [best, best * target], [null, null], [worst, worst * target]);
      expect(r.interval).toEqual({ min: iiMin, max: iiMax });
      expect([r.resources.BRAM_18K.used, r.resources.DSP.used, r.resources.FF.used, r.resources.LUT.used, r.resources.URAM.used]).toEqual([bram, dsp, ff, lut, uram]);
      expect([r.resources.BRAM_18K.available, r.resources.DSP.available, r.resources.FF.available, r.resources.LUT.available, r.resources.URAM.available]).toEqual([5376, 12288, 3456000, 1728000, 1280]);
      expect(r.resources.DSP.percent).toBe(Math.round((dsp / 12288) * 10000) / 100);
      expect(csim === null).toBe(!(rel.startsWith('Vitis/2023.1/')));
    });
  }
  it('a file without CSynthesisReport is one clear error', () => {
    expect(() => parseHls4mlBaseline('{"x":1}')).toThrow(/no "CSynthesisReport" object/);
    expect(() => parseHls4mlBaseline('{')).toThrow(/not valid JSON/);
  });
});
