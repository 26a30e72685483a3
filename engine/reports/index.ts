// Vendor report parsers: text in, data out (the hosts read the files).

export * from './types';
export { parseXml, XmlParseError, type XmlElement } from './xml';
export { parseCsynthXml, withFunctionReports, type CsynthXmlOptions } from './csynth-xml';
export { parseCsynthRpt } from './csynth-rpt';
export { parseCosimRpt } from './cosim-rpt';
export { parseVivadoUtilization } from './vivado-utilization';
export { parseHls4mlBaseline, type Hls4mlBaseline, type BaselineOptions } from './hls4ml-baseline';
export { readNumber, readTimeNs } from './values';
export { measuredPipelineDepths, reportDepth, type MeasuredDepth } from './loop-depth';
export { partFit, formatFit, reportFit, fitSummary, FIT_RESOURCES, type PartFit, type FitResource, type FitSummary } from './fit';

import type { CosimReport, HlsReport } from './types';
import { parseCsynthXml } from './csynth-xml';
import { parseCsynthRpt } from './csynth-rpt';
import { parseCosimRpt } from './cosim-rpt';
import { parseVivadoUtilization } from './vivado-utilization';
import { parseHls4mlBaseline } from './hls4ml-baseline';

export type ReportKind = 'csynth-xml' | 'csynth-rpt' | 'cosim-rpt' | 'vivado-utilization-rpt' | 'hls4ml-baseline-json';

/** Which parser a file needs, from its name and first bytes; null when it is none of ours. */
export function reportKind(fileName: string, text: string): ReportKind | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const head = text.slice(0, 4000);
  if (/\.xml$/i.test(base) && /<profile[\s>]/.test(head)) return 'csynth-xml';
  if (/\.json$/i.test(base) && head.includes('CSynthesisReport')) return 'hls4ml-baseline-json';
  if (/cosim\.rpt$/i.test(base) || /\|\s*(VHDL|Verilog)\s*\|\s*(Pass|Fail|NA)\s*\|/.test(text)) return 'cosim-rpt';
  if (/HLS Report for '/.test(head) && /Utilization Estimates|Performance Estimates/.test(text)) return 'csynth-rpt';
  if (/report_utilization|Utilization Design Information/.test(head)) return 'vivado-utilization-rpt';
  return null;
}

export type ParsedReport =
  | { kind: 'cosim-rpt'; report: CosimReport }
  | { kind: Exclude<ReportKind, 'cosim-rpt'>; report: HlsReport };

/** Parses any supported report file. Throws an Error naming the file and the problem. */
export function parseReportFile(fileName: string, text: string): ParsedReport {
  const kind = reportKind(fileName, text);
  try {
    switch (kind) {
      case 'csynth-xml':
        return { kind, report: parseCsynthXml(text) };
      case 'csynth-rpt':
        return { kind, report: parseCsynthRpt(text) };
      case 'cosim-rpt':
        return { kind, report: parseCosimRpt(text) };
      case 'vivado-utilization-rpt':
        return { kind, report: parseVivadoUtilization(text) };
      case 'hls4ml-baseline-json':
        return { kind, report: parseHls4mlBaseline(text, { relativePath: fileName }).report };
      default:
        throw new Error('not a report Tessera reads (csynth.xml, csynth.rpt, cosim.rpt, vivado_synth.rpt, hls4ml baseline JSON)');
    }
  } catch (e) {
    throw new Error(`${fileName}: ${(e as Error).message}`);
  }
}
