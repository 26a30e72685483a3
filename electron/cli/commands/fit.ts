// `tessera fit MODEL --part PART [--io parallel|stream] [--objective latency|resources] [--hls4ml-config C.yml]
// [--weights W.h5] [--out CONFIG.yml] [--json]`: chooses per-layer reuse factor and strategy so the estimate
// stays within FIT_MARGIN of the part's DSP, LUT, FF and BRAM (engine/estimate/fit.ts) and prints the result;
// --out writes the settings as an hls4ml configuration that `tessera build --hls4ml-config` reads back.
import fs from 'node:fs';
import type { CliCommand } from './types';
import { CliError } from './types';
import { loadModel, parseArgs } from '../model-file';
import { applyHls4mlConfigFile } from './hls4ml';
import { defaultHlsConfig, type HlsConfig } from '../../../engine/hls/config';
import { FIT_MARGIN, fitDesign } from '../../../engine/estimate/fit';
import { partResources } from '../../../engine/estimate/report';
import { fitSummary } from '../../../engine/reports/fit';
import { exportHls4mlConfig, hls4mlConfigToYaml } from '../../../engine/interop/hls4ml/config';
import { checkText, FPGA_PART } from '../../../engine/safety';

const HELP = `  --part PART                  the target device (e.g. xcvu13p-flga2577-2-e); required
  --io parallel|stream         IOType (default: the configuration's, else io_parallel)
  --objective latency|resources  latency (default): the least reuse that fits; resources: the largest reuse factors
  --hls4ml-config C.yml        start from this hls4ml configuration (precisions, IOType, clock)
  --weights W.h5               weights of a Keras model JSON
  --out CONFIG.yml             write the fitted settings as an hls4ml configuration
  --json                       print {part, fits, latency_cycles, interval_cycles, resources: {dsp, lut, ff, bram_18k: {used, available}}}
  Each resource stays under ${Math.round(FIT_MARGIN * 100)} % of the part's (room for the estimate's error and place and route).`;

export const fitCommand: CliCommand = {
  name: 'fit',
  usage: 'fit MODEL --part PART [--objective latency|resources] [--out CONFIG.yml] [--json]',
  summary: 'choose per-layer reuse factor and strategy so the design fits a part (estimate)',
  async run(args) {
    const { positional, flags } = parseArgs('fit', args, ['part', 'io', 'objective', 'hls4ml-config', 'weights', 'out'], ['json', 'help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    if (typeof flags.part !== 'string') throw new CliError(`missing --part PART; usage: tessera ${this.usage}`, 2);
    const bad = checkText(FPGA_PART, 'part', flags.part);
    if (bad.length) throw new CliError(`--part ${JSON.stringify(flags.part)}: ${bad[0].rule}; ${bad[0].fix}`, 2);
    if (!partResources(flags.part)) throw new CliError(`--part ${flags.part}: device unknown to the estimator; use one listed in engine/estimate/report.ts KNOWN_DEVICES`, 2);
    const objective = flags.objective ?? 'latency';
    if (objective !== 'latency' && objective !== 'resources') throw new CliError(`--objective is latency or resources, got ${JSON.stringify(objective)}`, 2);
    const io = flags.io;
    if (io !== undefined && !['parallel', 'stream', 'io_parallel', 'io_stream'].includes(String(io))) throw new CliError(`--io is parallel or stream, got ${JSON.stringify(io)}`, 2);
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
