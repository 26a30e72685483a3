// Finds and parses the vendor reports in a project folder, grouped by solution:
//   <prj>/<solution>/syn/report/{csynth.xml, <top>_csynth.xml, *.rpt}    (Tcl flows)
//   <work_dir>/hls/syn/report/…                                          (config-file flow)
//   …/sim/report/<top>_cosim.rpt, vivado_synth.rpt, or report files lying in the folder itself.

import { readFileSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import {
  parseCsynthXml,
  parseCsynthRpt,
  parseCosimRpt,
  parseVivadoUtilization,
  reportFit,
  withFunctionReports,
  type CosimReport,
  type HlsReport,
  type PartFit,
} from '../../../engine/reports';
import { walkFiles } from './walk';

export interface SolutionReports {
  /** Folder of the solution (or of the loose reports), relative to the searched folder ("." for itself). */
  dir: string;
  /** The top-level synthesis report (csynth.xml, else <top>_csynth.xml, else the .rpt fallback). */
  synth: HlsReport | null;
  /** Which file `synth` came from, relative to the searched folder. */
  synthFile: string | null;
  cosim: CosimReport | null;
  cosimFile: string | null;
  /** Post-synthesis utilisation from Vivado (vivado_synth.rpt). */
  vivado: HlsReport | null;
  vivadoFile: string | null;
  /** Fits or not the part the synthesis report names, and each resource over (null: no synthesis report). */
  synthFit: PartFit | null;
  /** The same for Vivado's post-synthesis utilisation (null: no vivado_synth.rpt). */
  vivadoFit: PartFit | null;
  /** Every csynth.xml report of the solution parsed (the top and each function's: their loops give measured depths). */
  functions: HlsReport[];
  /** Every report file seen for this solution. */
  files: string[];
  /** Files that could not be parsed, with why. */
  problems: string[];
}

const SKIP_DIRS = new Set(['.autopilot', '.git', 'node_modules', '.Xil', 'xsim.dir', 'db', 'verilog', 'vhdl', 'systemc', 'ip', 'hdl']);
const REPORT_FILE = /(^|_)csynth\.(xml|rpt)$|_cosim\.rpt$|^vivado_synth\.rpt$/;

/** The solution folder a report belongs to: …/<solution>/{syn,sim,csim}/report/file → …/<solution>. */
function solutionOf(file: string): string {
  const parent = dirname(file);
  if (basename(parent) === 'report' && ['syn', 'sim', 'csim'].includes(basename(dirname(parent)))) return dirname(dirname(parent));
  return parent;
}

function tryParse<T>(file: string, root: string, problems: string[], parse: (t: string) => T): T | null {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${relative(root, file)}: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

function size(r: HlsReport): number {
  return (r.resources.LUT.used ?? 0) + (r.resources.FF.used ?? 0) + (r.resources.DSP.used ?? 0) * 100;
}

export function findReports(root: string, maxDepth = 6): SolutionReports[] {
  const files: string[] = [];
  walkFiles(root, maxDepth, (p, n) => {
    if (REPORT_FILE.test(n)) files.push(p);
  }, (n) => !SKIP_DIRS.has(n));
  const groups = new Map<string, string[]>();
  for (const f of files.sort()) {
    const key = solutionOf(f);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const out: SolutionReports[] = [];
  for (const [key, fs] of groups) {
    const problems: string[] = [];
    const rel = (f: string): string => relative(root, f) || '.';
    const sol: SolutionReports = { dir: rel(key), synth: null, synthFile: null, cosim: null, cosimFile: null, vivado: null, vivadoFile: null, synthFit: null, vivadoFit: null, functions: [], files: fs.map(rel), problems };

    const xmls = fs.filter((f) => f.endsWith('.xml'));
    const parsed = xmls.map((f) => ({ f, r: tryParse(f, root, problems, parseCsynthXml) })).filter((x): x is { f: string; r: HlsReport } => x.r !== null);
    sol.functions = parsed.map((x) => x.r);
    const top = parsed.find((x) => basename(x.f) === 'csynth.xml') ?? [...parsed].sort((a, b) => size(b.r) - size(a.r))[0];
    if (top) {
      const fns = parsed.filter((x) => x !== top && x.r.top !== top.r.top).map((x) => x.r);
      sol.synth = top.r.modules.length === 0 && fns.length ? withFunctionReports(top.r, fns) : top.r;
      sol.synthFile = rel(top.f);
    } else {
      const rpts = fs.filter((f) => /csynth\.rpt$/.test(f));
      const parsedRpt = rpts.map((f) => ({ f, r: tryParse(f, root, problems, parseCsynthRpt) })).filter((x): x is { f: string; r: HlsReport } => x.r !== null);
      const t = parsedRpt.find((x) => basename(x.f) === 'csynth.rpt') ?? [...parsedRpt].sort((a, b) => size(b.r) - size(a.r))[0];
      if (t) {
        sol.synth = t.r;
        sol.synthFile = rel(t.f);
      }
    }
    const cosimFile = fs.find((f) => f.endsWith('_cosim.rpt'));
    if (cosimFile) {
      sol.cosim = tryParse(cosimFile, root, problems, parseCosimRpt);
      if (sol.cosim) sol.cosimFile = rel(cosimFile);
    }
    const viv = fs.find((f) => basename(f) === 'vivado_synth.rpt');
    if (viv) {
      sol.vivado = tryParse(viv, root, problems, parseVivadoUtilization);
      if (sol.vivado) sol.vivadoFile = rel(viv);
    }
    out.push(sol);
  }
  for (const s of out) {
    s.synthFit = s.synth ? reportFit(s.synth) : null;
    s.vivadoFit = s.vivado ? reportFit(s.vivado) : null;
  }
  // A lone vivado_synth.rpt (project root) belongs to the one solution that was synthesised.
  const lone = out.filter((s) => !s.synth && !s.cosim && s.vivado);
  const withSynth = out.filter((s) => s.synth);
  if (lone.length === 1 && withSynth.length === 1 && !withSynth[0].vivado) {
    const [l] = lone;
    Object.assign(withSynth[0], { vivado: l.vivado, vivadoFile: l.vivadoFile, vivadoFit: l.vivadoFit, files: [...withSynth[0].files, ...l.files], problems: [...withSynth[0].problems, ...l.problems] });
    out.splice(out.indexOf(l), 1);
  }
  return out.sort((a, b) => a.dir.split(sep).length - b.dir.split(sep).length || a.dir.localeCompare(b.dir));
}
