// `tessera report DIR`: finds the HLS reports in a project folder and prints them as a table
// (or JSON): latency, interval, clock, resources with availability, per-module breakdown, cosim,
// and Vivado post-synthesis utilisation.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, type CliCommand } from './types';
import { COMMANDS } from './catalog';
import { findReports, type SolutionReports } from '../../services/toolchain/find-reports';
import { formatFit, reportFit, RESOURCE_KEYS, type HlsReport } from '../../../engine/reports';
import { partResources } from '../../../engine/estimate/report';
import { fitPartProblem } from '../../../engine/estimate/fit';

const HELP = `usage: tessera report DIR [--part PART] [--json]

Each synthesis and Vivado utilisation report says whether it fits the part it names and which resources
are over; --part PART checks the same figures against another device's resources instead.

Looks under DIR for <project>/<solution>/syn/report/ (csynth.xml, <top>_csynth.xml, csynth.rpt),
<work_dir>/hls/syn/report/ (Vitis config-file flow), sim/report/<top>_cosim.rpt and vivado_synth.rpt.`;

const n = (v: number | null, unit = ''): string => (v === null ? '—' : `${v}${unit}`);
const TOOL: Record<string, string> = { vivado_hls: 'Vivado HLS', vitis_hls: 'Vitis HLS', vivado: 'Vivado' };

function table(rows: string[][]): string[] {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd());
}

function synthLines(r: HlsReport): string[] {
  const L: string[] = [];
  L.push(`  clock      target ${n(r.clock.targetNs, ' ns')}, estimated ${n(r.clock.estimatedNs, ' ns')}, uncertainty ${n(r.clock.uncertaintyNs, ' ns')}`);
  const lat = (k: 'best' | 'average' | 'worst'): string => `${n(r.latency[k].cycles)}${r.latency[k].ns === null ? '' : ` (${r.latency[k].ns} ns)`}`;
  L.push(`  latency    best ${lat('best')}, average ${lat('average')}, worst ${lat('worst')} cycles`);
  L.push(`  interval   ${n(r.interval.min)}–${n(r.interval.max)} cycles${r.pipelineType ? `, pipeline ${r.pipelineType}` : ''}`);
  L.push(...table([['resource', 'used', 'available', '%'], ...RESOURCE_KEYS.map((k) => [k, n(r.resources[k].used), n(r.resources[k].available), n(r.resources[k].percent)])]));
  if (r.modules.length) {
    L.push('  modules');
    L.push(
      ...table([
        ['name', 'latency', 'interval', 'BRAM_18K', 'DSP', 'FF', 'LUT'],
        ...r.modules.map((m) => [
          m.name,
          m.latency.best.cycles === m.latency.worst.cycles ? n(m.latency.worst.cycles) : `${n(m.latency.best.cycles)}–${n(m.latency.worst.cycles)}`,
          m.interval.min === m.interval.max ? n(m.interval.min) : `${n(m.interval.min)}–${n(m.interval.max)}`,
          n(m.resources.BRAM_18K.used),
          n(m.resources.DSP.used),
          n(m.resources.FF.used),
          n(m.resources.LUT.used),
        ]),
      ]).map((l) => '  ' + l),
    );
  }
  return L;
}

export function formatReports(root: string, sols: SolutionReports[]): string {
  const L: string[] = [`Reports in ${root}`];
  for (const s of sols) {
    L.push('');
    const r = s.synth;
    const head = r ? `${r.tool.name ? TOOL[r.tool.name] : 'HLS'} ${r.tool.version ?? ''}`.trim() + `, part ${r.part ?? '?'}, top ${r.top ?? '?'}` : 'no synthesis report';
    L.push(`${s.dir}  (${head})`);
    if (r) {
      L.push(`  from ${s.synthFile}`);
      L.push(...synthLines(r));
      if (s.synthFit) L.push(`  fit        ${formatFit(s.synthFit)}`);
    }
    if (s.cosim) {
      L.push(`  cosim      ${s.cosim.status}  (${s.cosimFile})`);
      for (const c of s.cosim.results) {
        L.push(`    ${c.language.padEnd(8)} ${c.status.padEnd(4)}${c.status === 'NA' ? '' : ` latency ${n(c.latency.min)}/${n(c.latency.avg)}/${n(c.latency.max)}, interval ${n(c.interval.min)}/${n(c.interval.avg)}/${n(c.interval.max)}${c.totalCycles === null ? '' : `, total ${c.totalCycles} cycles`}`}`);
      }
    }
    if (s.vivado) {
      L.push(`  Vivado post-synthesis ${s.vivado.tool.version ?? ''} (${s.vivadoFile})`);
      L.push(...table([['resource', 'used', 'available', '%'], ...RESOURCE_KEYS.map((k) => [k, n(s.vivado!.resources[k].used), n(s.vivado!.resources[k].available), n(s.vivado!.resources[k].percent)])]).map((l) => '  ' + l));
      if (s.vivadoFit) L.push(`    fit      ${formatFit(s.vivadoFit)}`);
    }
    for (const p of s.problems) L.push(`  ! ${p}`);
  }
  return L.join('\n');
}

export const reportCommand: CliCommand = {
  ...COMMANDS.report,
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(HELP);
      return 0;
    }
    const json = args.includes('--json');
    let rest = args.filter((a) => a !== '--json');
    const at = rest.indexOf('--part');
    let part: string | undefined;
    if (at >= 0) {
      part = rest[at + 1];
      if (part === undefined || part.startsWith('-')) throw new CliError('--part takes a part, e.g. --part xc7z020-clg400-1', 2);
      const badPart = fitPartProblem(part);
      if (badPart) throw new CliError(`--${badPart}`, 2);
      rest = [...rest.slice(0, at), ...rest.slice(at + 2)];
    }
    const available = part === undefined ? null : partResources(part);
    const unknown = rest.find((a) => a.startsWith('-'));
    if (unknown) throw new CliError(`unknown option "${unknown}"; run "tessera report --help"`, 2);
    if (rest.length !== 1) throw new CliError('give one project folder: tessera report DIR [--part PART] [--json]', 2);
    const root = resolve(rest[0]);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`${rest[0]} is not a folder; give the project folder that holds <project>_prj/ or the report files`);
    const sols = findReports(root);
    if (sols.length === 0) {
      const looked = `no HLS reports under ${root}: looked for <project>/<solution>/syn/report/csynth.xml, <work_dir>/hls/syn/report/, sim/report/*_cosim.rpt and vivado_synth.rpt`;
      // A project Tessera generated but no vendor tool synthesised (build --synth without Vitis/Vivado HLS
      // prints the estimate and writes no report): say so instead of asking for a build the user just ran.
      if (existsSync(join(root, 'tessera.json'))) {
        throw new CliError(`${looked}; this project was generated but never synthesised (without Vitis/Vivado HLS, tessera build --synth prints the estimate and writes no report): install the tool or point Tessera at it (tessera doctor), then run tessera build MODEL --out ${rest[0]} --synth`);
      }
      throw new CliError(`${looked}; run a synthesis build first`);
    }
    if (part !== undefined && available) {
      const on = { name: part, available };
      for (const s of sols) {
        s.synthFit = s.synth ? reportFit(s.synth, on) : null;
        s.vivadoFit = s.vivado ? reportFit(s.vivado, on) : null;
      }
    }
    if (json) console.log(JSON.stringify({ root, solutions: sols }, null, 2));
    else console.log(formatReports(root, sols));
    return 0;
  },
};
