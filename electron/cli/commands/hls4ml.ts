// `tessera export-hls4ml-config MODEL [--config IN.yml] [--io parallel|stream] [--weights W.h5] --out CONFIG.yml`:
// writes the model's HLS settings (the precisions the file carries — QONNX quantizers, QKeras quantizers —
// optionally on top of an hls4ml configuration) as the YAML hls4ml reads.
// Also `applyHls4mlConfigFile`, used by `tessera build --hls4ml-config CONFIG.yml`.
import fs from 'node:fs';
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { loadModel, readFileOrFail } from '../model-file';
import { TesseraError } from '../../../engine/diagnostics/diagnostics';
import type { Model } from '../../../engine/graph/model';
import { defaultHlsConfig, type HlsConfig } from '../../../engine/hls/config';
import { exportHls4mlConfig, hls4mlConfigToYaml, importHls4mlConfig, parseHls4mlYaml } from '../../../engine/interop/hls4ml/config';

/**
 * Reads an hls4ml YAML file and applies it on top of `base` for `model`; prints what did not map as
 * warnings (stderr). A file that is not YAML / not a mapping is one CliError.
 */
export function applyHls4mlConfigFile(file: string, model: Model, base: HlsConfig, command: string): HlsConfig {
  const text = new TextDecoder().decode(readFileOrFail(file, 'hls4ml configuration'));
  let root: unknown;
  try {
    root = parseHls4mlYaml(text, file);
  } catch (e) {
    if (e instanceof TesseraError) throw new CliError(e.message);
    throw e;
  }
  const r = importHls4mlConfig(root, { model, base });
  for (const m of r.messages) console.error(`tessera ${command}: warning: ${file}: ${m.path ? `${m.path}: ` : ''}${m.message}`);
  return r.config;
}

const HELP = `  --out CONFIG.yml       where to write the hls4ml configuration (YAML)
  --config IN.yml        start from this hls4ml configuration (what does not map is reported)
  --io parallel|stream   IOType (default: the configuration's, else io_parallel)
  --top NAME             ProjectName (top function; default myproject)
  --weights W.h5         weights of a Keras model JSON
  Precisions carried by the model (QONNX Quant nodes, QKeras quantizers) are written per layer.`;

export const hls4mlCommand: CliCommand = {
  ...COMMANDS.hls4ml,
  async run(args) {
    const { positional, flags } = parseArgs('export-hls4ml-config', args, ['out', 'config', 'io', 'top', 'weights'], ['help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    if (typeof flags.out !== 'string') throw new CliError(`missing --out CONFIG.yml; usage: tessera ${this.usage}`, 2);
    const io = flags.io;
    if (io !== undefined && !['parallel', 'stream', 'io_parallel', 'io_stream'].includes(String(io))) throw new CliError(`--io is parallel or stream, got ${JSON.stringify(io)}`, 2);
    if (flags.top !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(flags.top))) throw new CliError(`--top ${JSON.stringify(flags.top)} is not a C identifier`, 2);
    const file = positional[0];
    const loaded = await loadModel(file, typeof flags.weights === 'string' ? flags.weights : undefined);
    const nameOf = (id: string) => loaded.model.graph.nodes.find((n) => n.id === id)?.name ?? id;
    let cfg = defaultHlsConfig({
      layers: Object.fromEntries(Object.entries(loaded.precisions ?? {}).map(([id, p]) => [nameOf(id), { precision: { ...p } }])),
    });
    if (typeof flags.config === 'string') cfg = applyHls4mlConfigFile(flags.config, loaded.model, cfg, 'export-hls4ml-config');
    if (io !== undefined) cfg.io = String(io).endsWith('stream') ? 'io_stream' : 'io_parallel';
    if (typeof flags.top === 'string') cfg.top = flags.top;
    const yaml = hls4mlConfigToYaml(exportHls4mlConfig(cfg, { model: loaded.model }));
    try {
      fs.writeFileSync(flags.out, yaml);
    } catch (e) {
      throw new CliError(`cannot write ${flags.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check that the folder exists and is writable`);
    }
    console.log(`${flags.out}: hls4ml configuration, ${cfg.io}, ${Object.keys(cfg.layers).length} layers with their own settings`);
    return 0;
  },
};
