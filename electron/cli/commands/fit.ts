// `tessera fit MODEL --part PART [--io parallel|stream] [--objective latency|resources] [--hls4ml-config C.yml]
// [--weights W.h5] [--out CONFIG.yml] [--json]`: chooses per-layer reuse factor and strategy so the estimate
// stays within FIT_MARGIN of the part's DSP, LUT, FF and BRAM (engine/estimate/fit.ts) and prints the result;
// --out writes the settings as an hls4ml configuration that `tessera build --hls4ml-config` reads back;
// --write (a .tessera project only) stores them in the project as the app's fit action does.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { loadModel } from '../model-file';
import { applyHls4mlConfigFile } from './hls4ml';
import { defaultHlsConfig, type HlsConfig } from '../../../engine/hls/config';
import { FIT_MARGIN, fitDesign, fitPartProblem } from '../../../engine/estimate/fit';
import { fitSummary } from '../../../engine/reports/fit';
import { exportHls4mlConfig, hls4mlConfigToYaml } from '../../../engine/interop/hls4ml/config';
import { ProjectFile, StoreError } from '../../services/store';
import { weightsToEngine } from '../../services/store/tensors';
import { applyProjectFit, fitProject, fitVariantName } from '../../services/builds/fit';

const HELP = `  --part PART                  the target device (e.g. xcvu13p-flga2577-2-e); required
  --io parallel|stream         IOType (default: the configuration's, else io_parallel)
  --objective latency|resources  latency (default): the least reuse that fits; resources: the largest reuse factors
  --hls4ml-config C.yml        start from this hls4ml configuration (precisions, IOType, clock)
  --weights W.h5               weights of a Keras model JSON
  --out CONFIG.yml             write the fitted settings as an hls4ml configuration
  --write                      PROJECT.tessera only: store the fitted settings in the project (as the app's Fit → Apply):
                               a variant "fit PART stream|parallel" (an earlier one of that name is replaced) and PART
                               as the project's target part, in one transaction; nothing is written when it does not fit.
                               Without --write the project file is only read.
  --json                       print {part, fits, latency_cycles, interval_cycles, resources: {dsp, lut, ff, bram_18k: {used, available}}}
  Each resource stays under ${Math.round(FIT_MARGIN * 100)} % of the part's (room for the estimate's error and place and route).`;

export const fitCommand: CliCommand = {
  ...COMMANDS.fit,
  async run(args) {
    const { positional, flags } = parseArgs('fit', args, ['part', 'io', 'objective', 'hls4ml-config', 'weights', 'out'], ['json', 'write', 'help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    if (typeof flags.part !== 'string') throw new CliError(`missing --part PART; usage: tessera ${this.usage}`, 2);
    const badPart = fitPartProblem(flags.part);
    if (badPart) throw new CliError(`--${badPart}`, 2);
    const objective = flags.objective ?? 'latency';
    if (objective !== 'latency' && objective !== 'resources') throw new CliError(`--objective is latency or resources, got ${JSON.stringify(objective)}`, 2);
    const io = flags.io;
    if (io !== undefined && !['parallel', 'stream', 'io_parallel', 'io_stream'].includes(String(io))) throw new CliError(`--io is parallel or stream, got ${JSON.stringify(io)}`, 2);
    if (flags.write) return writeFit(positional[0], flags.part, io === undefined ? 'io_parallel' : String(io).endsWith('stream') ? 'io_stream' : 'io_parallel', objective, flags);
    const loaded = await loadModel(positional[0], typeof flags.weights === 'string' ? flags.weights : undefined);
    const nameOf = (id: string) => loaded.model.graph.nodes.find((n) => n.id === id)?.name ?? id;
    let cfg: HlsConfig = defaultHlsConfig({ layers: Object.fromEntries(Object.entries(loaded.precisions ?? {}).map(([id, p]) => [nameOf(id), { precision: { ...p } }])) });
    if (typeof flags['hls4ml-config'] === 'string') cfg = applyHls4mlConfigFile(flags['hls4ml-config'], loaded.model, cfg, 'fit');
    if (io !== undefined) cfg.io = String(io).endsWith('stream') ? 'io_stream' : 'io_parallel';
    const r = fitDesign(loaded.model, cfg, { part: flags.part, objective });
    const res = r.report?.resources;
    if (flags.json) {
      console.log(JSON.stringify({
        ...fitSummary(flags.part, r.fits, r.report ?? null),
        layers: r.config.layers,
        ...(r.fits ? {} : { error: r.error }),
      }));
    } else if (r.fits) {
      const f = (k: 'DSP' | 'LUT' | 'FF' | 'BRAM_18K') => `${k} ${res![k].used} of ${res![k].available} (${res![k].percent} %)`;
      console.log(`fits ${flags.part} (${cfg.io}, estimate): latency ${r.report.latency.worst.cycles} cycles, interval ${r.report.interval.min} cycles; ${(['DSP', 'LUT', 'FF', 'BRAM_18K'] as const).map(f).join(', ')}`);
      for (const [name, spec] of Object.entries(r.config.layers)) if (spec.reuseFactor !== undefined || spec.strategy !== undefined) console.log(`  ${name}: reuse factor ${spec.reuseFactor ?? 1}, ${spec.strategy ?? 'latency'}`);
    }
    if (!r.fits) {
      if (!flags.json) console.error(`tessera fit: ${r.error}`);
      return 1;
    }
    if (typeof flags.out === 'string') {
      try {
        fs.writeFileSync(flags.out, hls4mlConfigToYaml(exportHls4mlConfig(r.config, { model: loaded.model })));
      } catch (e) {
        throw new CliError(`cannot write ${flags.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check that the folder exists and is writable`);
      }
      if (!flags.json) console.log(`${flags.out}: hls4ml configuration with the fitted settings (tessera build --hls4ml-config ${flags.out})`);
    }
    return 0;
  },
};

/**
 * `tessera fit PROJECT.tessera --part P --write`: the fit of the project's design at its own precisions
 * (services/builds/fit.ts, as the app's fit action), stored in the project when it fits.
 */
function writeFit(file: string, part: string, io: 'io_parallel' | 'io_stream', objective: 'latency' | 'resources', flags: Record<string, string | true>): number {
  if (!file.toLowerCase().endsWith('.tessera')) throw new CliError(`--write stores the fit in a Tessera project (.tessera); for ${file} use --out CONFIG.yml`, 2);
  if (flags.out !== undefined) throw new CliError('--out is for model files; with --write the project holds the settings', 2);
  if (flags['hls4ml-config'] !== undefined || flags.weights !== undefined) throw new CliError('--write fits the project at its own precisions: drop --hls4ml-config / --weights', 2);
  let project: ProjectFile;
  try {
    project = ProjectFile.open(file);
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.code === 'locked' ? `${e.message} (close it in the app, or use its builds panel's Fit)` : e.message.split('\n')[0]);
    throw e;
  }
  try {
    const doc = project.load();
    const fit = fitProject({ graph: doc.graph, weights: weightsToEngine(doc.weights) }, doc.settings, { part, io, objective });
    const s = fit.summary;
    let written: { variant: string; part: string } | null = null;
    if (fit.fits) {
      const v = applyProjectFit(project, fit, () => `v_${crypto.randomBytes(6).toString('hex')}`);
      written = { variant: v.name, part };
    }
    if (flags.json) console.log(JSON.stringify({ ...s, layers: fit.layers, written, ...(fit.fits ? {} : { error: fit.error }) }));
    else if (fit.fits) {
      const f = (k: 'dsp' | 'lut' | 'ff' | 'bram_18k') => `${k === 'bram_18k' ? 'BRAM_18K' : k.toUpperCase()} ${s.resources[k].used} of ${s.resources[k].available}`;
      console.log(`fits ${part} (${io}, estimate): latency ${s.latency_cycles} cycles, interval ${s.interval_cycles} cycles; ${(['dsp', 'lut', 'ff', 'bram_18k'] as const).map(f).join(', ')}`);
      for (const [name, l] of Object.entries(fit.layers)) console.log(`  ${name}: reuse factor ${l.reuseFactor ?? 1}, ${l.strategy ?? 'latency'}`);
      console.log(`${file}: variant "${fitVariantName(fit)}" holds the fitted settings; target part ${part} (build it in the app's builds panel)`);
    }
    if (!fit.fits) {
      if (!flags.json) console.error(`tessera fit: ${fit.error}; nothing written to ${file}`);
      return 1;
    }
    return 0;
  } finally {
    project.close();
  }
}
