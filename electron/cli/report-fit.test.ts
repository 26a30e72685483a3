// Every parsed vendor report says whether it fits the part it names, and which resources are over
// (tessera report DIR, --part PART for another device), on the hls4ml report fixtures in test-data/hls4ml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './cli.testutil';
import { findReports } from '../services/toolchain/find-reports';
import { parseCsynthXml, parseVivadoUtilization, reportFit } from '../../engine/reports';
import { partResources } from '../../engine/estimate/report';

const FIXTURES = join(__dirname, '..', '..', 'test-data', 'hls4ml', 'hls-reports');
const CONV1D = join(FIXTURES, 'hls4ml-vivadohls-2018.2-conv1d');
const DENSE = join(FIXTURES, 'hls4ml-vivado-2020.1');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-report-fit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit of a parsed vendor report', () => {
  it('csynth.xml and vivado_synth.rpt within their own part (xc7z020) fit it', () => {
    const r = parseCsynthXml(readFileSync(join(DENSE, 'myproject_csynth.xml'), 'utf8'));
    expect(reportFit(r)).toEqual({ part: 'xc7z020-clg400-1', fits: true, over: [] });
    const v = parseVivadoUtilization(readFileSync(join(DENSE, 'vivado_synth.rpt'), 'utf8'));
    expect(reportFit(v).fits).toBe(true);
  });

  it('the 2018.2 Conv1D design (792 DSP, 43,343 LUT, 44,641 FF) does not fit xc7z010: DSP, LUT and FF over, most over first', () => {
    const r = parseCsynthXml(readFileSync(join(CONV1D, 'csynth.xml'), 'utf8'));
    expect(reportFit(r)).toEqual({ part: 'xcku115-flva1517-2-e', fits: true, over: [] });
    const f = reportFit(r, { name: 'xc7z010-clg400-1', available: partResources('xc7z010')! });
    expect(f.fits).toBe(false);
    expect(f.over).toEqual([
      { resource: 'DSP', used: 792, available: 80, percent: 990 },
      { resource: 'LUT', used: 43343, available: 17600, percent: 246.27 },
      { resource: 'FF', used: 44641, available: 35200, percent: 126.82 },
    ]);
  });

  it('a report over its own part (DSP available cut to 50) does not fit it, naming DSP only', () => {
    const text = readFileSync(join(DENSE, 'myproject_csynth.xml'), 'utf8').replace(/(<AvailableResources>[\s\S]*?<DSP48E>)220</, '$150<');
    expect(text).not.toBe(readFileSync(join(DENSE, 'myproject_csynth.xml'), 'utf8'));
    const f = reportFit(parseCsynthXml(text));
    expect(f).toEqual({ part: 'xc7z020-clg400-1', fits: false, over: [{ resource: 'DSP', used: 73, available: 50, percent: 146 }] });
  });

  it('findReports gives each solution its synthesis and Vivado fit', () => {
    const [s] = findReports(DENSE);
    expect(s.synthFit?.fits).toBe(true);
    expect(s.vivadoFit?.part).toMatch(/7z020/);
    expect(s.vivadoFit?.fits).toBe(true);
  });
});

describe('tessera report DIR prints fits / does not fit', () => {
  it('on the report’s own part', async () => {
    const r = await runMain('report', CONV1D);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/fit +fits xcku115-flva1517-2-e/);
  });

  it('--part xc7z010: does not fit, each resource over with used, available and percent; --json carries it', async () => {
    const r = await runMain('report', CONV1D, '--part', 'xc7z010-clg400-1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('does not fit xc7z010-clg400-1: DSP 792 of 80 (990 %), LUT 43343 of 17600 (246.27 %), FF 44641 of 35200 (126.82 %)');
    const j = await runMain('report', CONV1D, '--part', 'xc7z010-clg400-1', '--json');
    const sol = (JSON.parse(j.stdout) as { solutions: { synthFit: { fits: boolean; over: { resource: string }[] } }[] }).solutions.find((s) => s.synthFit)!;
    expect(sol.synthFit.fits).toBe(false);
    expect(sol.synthFit.over.map((o) => o.resource)).toEqual(['DSP', 'LUT', 'FF']);
  });

  it('a report over its own part says so without --part', async () => {
    const d = join(dir, 'over');
    mkdirSync(d);
    writeFileSync(join(d, 'csynth.xml'), readFileSync(join(DENSE, 'myproject_csynth.xml'), 'utf8').replace(/(<AvailableResources>[\s\S]*?<DSP48E>)220</, '$150<'));
    copyFileSync(join(DENSE, 'vivado_synth.rpt'), join(d, 'vivado_synth.rpt'));
    const r = await runMain('report', d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('does not fit xc7z020-clg400-1: DSP 73 of 50 (146 %)');
  });

  it('--part: missing, malformed or unknown is a usage error naming the value', async () => {
    expect((await runMain('report', CONV1D, '--part')).code).toBe(2);
    const bad = await runMain('report', CONV1D, '--part', 'xc7z010;rm');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"xc7z010;rm"');
    const unknown = await runMain('report', CONV1D, '--part', 'xc9zzz999-ff1-1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/xc9zzz999-ff1-1: device unknown/);
  });
});
