// `tessera build MODEL --out DIR [--io parallel|stream] [--strategy latency|resource] [--rf N]
//   [--pf N] [--precision TYPE] [--input X.npy] [--images N] [--top NAME] [--csim] [--synth [--cosim] [--export]]`
// Writes the HLS project (engine/hls/generate); with --csim compiles it with g++, runs the testbench on
// the engine's vectors, compares bit for bit and writes DIR/csim_output.npy. --synth: build-vendor.ts.
import path from 'node:path';
import fs from 'node:fs';
import type { CliCommand } from './types';
import { CliError } from './types';
import { loadModel, loadNpy, parseArgs, saveNpy } from '../model-file';
import { firmwareValues, generateProject } from '../../../engine/hls/generate';
import { defaultHlsConfig, type HlsConfig, type IoType, type Strategy } from '../../../engine/hls/config';
import { parseFixedType, formatFixedType } from '../../../engine/fixed/types';
import { fromFirmwareOrder } from '../../../engine/fixed/tensor';
import { tensor, type Tensor } from '../../../engine/tensor/tensor';
import { applyHls4mlConfigFile } from './hls4ml';
import { runVendorBuild, vendorFlags, VENDOR_BOOL_FLAGS, VENDOR_HELP, VENDOR_VALUE_FLAGS } from './build-vendor';
import { apIncludeDir, readExpected, readResults, readTemplates, readTrace, runProjectCsim, writeFiles } from '../../services/csim/csim';

const HELP = `  MODEL is an ONNX, QONNX or Keras model (.onnx, .keras, .h5, model .json) or a Tessera project (.tessera).
  --out DIR              project folder to write (created; files are overwritten)
  --io parallel|stream   implementation style for the whole project (default parallel)
  --strategy latency|resource   default strategy of every layer (default latency)
  --rf N                 reuse factor of every layer with multipliers (the others keep 1); it must be valid
                         for each of them (errors list the valid values)
  --pf N                 parallelization factor of every layer with a pixel loop (io_parallel; divides each
                         such layer's output pixels)
  --precision TYPE       default type of inputs, weights, biases, accumulators and results (e.g. ap_fixed<16,6>)
  --input X.npy          test input (float32 .npy; its batch = images); default seeded vectors
  --images N             images for the seeded vectors (default 3)
  --top NAME             top function name (default myproject)
  --weights W.h5         weights of a Keras model JSON
  --hls4ml-config C.yml  apply an hls4ml configuration (IOType, Part, ClockPeriod, Model / LayerType / LayerName);
                         options given on the command line win over its project-wide settings
  --csim                 compile with g++ and run the testbench; exit 1 on any mismatch
${VENDOR_HELP}`;

function intFlag(name: string, v: string | true | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v) || Number(v) < 1) throw new CliError(`--${name} takes a whole number ≥ 1, got ${v === true ? 'nothing' : JSON.stringify(v)}`, 2);
  return Number(v);
}

export const buildCommand: CliCommand = {
  name: 'build',
  usage: 'build MODEL --out DIR [--io parallel|stream] [--csim] …',
  summary: 'generate the HLS C++ project; --csim compiles it with g++ and checks it bit for bit',
  async run(args) {
    const { positional, flags } = parseArgs('build', args, ['out', 'io', 'strategy', 'rf', 'pf', 'precision', 'input', 'images', 'top', 'weights', 'hls4ml-config', ...VENDOR_VALUE_FLAGS], ['csim', 'help', 'h', ...VENDOR_BOOL_FLAGS]);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    if (typeof flags.out !== 'string') throw new CliError(`missing --out DIR; usage: tessera ${this.usage}`, 2);
    const ioFlag = flags.io ?? 'parallel';
    if (ioFlag !== 'parallel' && ioFlag !== 'stream' && ioFlag !== 'io_parallel' && ioFlag !== 'io_stream') {
      throw new CliError(`--io is parallel or stream, got ${JSON.stringify(ioFlag)}`, 2);
    }
    const io: IoType = String(ioFlag).endsWith('stream') ? 'io_stream' : 'io_parallel';
    const strategy = flags.strategy ?? 'latency';
    if (strategy !== 'latency' && strategy !== 'resource') throw new CliError(`--strategy is latency or resource, got ${JSON.stringify(strategy)}`, 2);
    const rf = intFlag('rf', flags.rf);
    const pf = intFlag('pf', flags.pf);
    const images = intFlag('images', flags.images);
    if (flags.precision !== undefined) {
      const r = parseFixedType(String(flags.precision));
      if (!r.ok) throw new CliError(`--precision ${r.message}`, 2);
      if (r.type.W > 53) throw new CliError(`--precision ${formatFixedType(r.type)}: tensors between layers need W ≤ 53 (exact test vectors); use a narrower type`, 2);
    }
    const vendor = vendorFlags(flags);
    let top = typeof flags.top === 'string' ? flags.top : 'myproject';
    const file = positional[0];
    const loaded = await loadModel(file, typeof flags.weights === 'string' ? flags.weights : undefined);
    const prec = typeof flags.precision === 'string' ? flags.precision : undefined;
    let cfg: HlsConfig = defaultHlsConfig({
      io,
      top,
      testImages: images ?? 3,
      defaults: {
        strategy: strategy as Strategy,
        reuseFactor: rf,
        parallelizationFactor: pf,
        precision: prec ? { weight_t: prec, bias_t: prec, accum_t: prec, result_t: prec } : undefined,
      },
      layers: Object.fromEntries(Object.entries(loaded.precisions ?? {}).map(([id, p]) => [id, { precision: p }])),
    });
    if (typeof flags['hls4ml-config'] === 'string') {
      cfg = applyHls4mlConfigFile(flags['hls4ml-config'], loaded.model, cfg, 'build');
      if (flags.io !== undefined) cfg.io = io;
      if (flags.top !== undefined) cfg.top = top;
      if (images !== undefined) cfg.testImages = images;
      if (flags.strategy !== undefined) cfg.defaults.strategy = strategy as Strategy;
      if (rf !== undefined) cfg.defaults.reuseFactor = rf;
      if (pf !== undefined) cfg.defaults.parallelizationFactor = pf;
      if (prec) cfg.defaults.precision = { ...cfg.defaults.precision, weight_t: prec, bias_t: prec, accum_t: prec, result_t: prec };
      top = cfg.top;
    }
    if (cfg.io === 'io_stream' && pf !== undefined && pf > 1) {
      throw new CliError(`--pf ${pf}: parallelizationFactor = ${pf} breaks the rule io_stream layers take parallelization factor 1 (one pixel per element); drop --pf or use --io parallel`);
    }
    let inputs: Record<string, Tensor> | undefined;
    if (typeof flags.input === 'string') {
      if (loaded.inputs.length !== 1) throw new CliError(`${file} has ${loaded.inputs.length} inputs; --input works with single-input models`);
      const x = loadNpy(flags.input);
      const want = loaded.inputs[0].shape;
      if (x.shape.length !== want.length || x.shape.some((d, i) => i > 0 && d !== want[i])) {
        throw new CliError(`${flags.input} has shape (${x.shape.join(', ')}) but the model's input "${loaded.inputs[0].name}" has shape (${want.join(', ')}) (any batch); save the array with that shape`);
      }
      const node = loaded.model.graph.nodes.find((n) => n.id === loaded.inputs[0].nodeId)!;
      inputs = { [node.name]: x };
    }
    const g = generateProject({ model: loaded.model, config: cfg, templates: readTemplates(), inputs });
    const errors = g.diagnostics.filter((d) => d.severity === 'error');
    if (!g.files || errors.length) {
      const list = errors.map((d) => d.message);
      if (list.length > 1) for (const m of list.slice(1)) console.error(`tessera build: ${m}`);
      throw new CliError(list[0] ?? 'the project could not be generated');
    }
    const out = flags.out;
    const outStat = fs.statSync(out, { throwIfNoEntry: false });
    if (outStat && !outStat.isDirectory()) throw new CliError(`--out ${out} is a file, not a folder; give the folder to write the HLS project into`, 2);
    try {
      fs.mkdirSync(out, { recursive: true });
    } catch (e) {
      throw new CliError(`cannot create --out ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check that its parent folder exists and is writable`);
    }
    writeFiles(out, g.files);
    const nImages = Object.values(g.inputs)[0]?.shape[0] ?? 0;
    console.log(`${out}: ${Object.keys(g.files).length} files, top ${top}, ${cfg.io}, ${g.resolved.nodes.length} nodes, ${nImages} test images`);
    const layers = JSON.parse(g.files['tessera.json'] as string).layers as { name: string; id: string; cname: string; type: string; outputDims: number[]; result_t: string; reuseFactor?: number; strategy?: string; multipliers?: number }[];
    const afterCsim = (): Promise<number> => (vendor ? runVendorBuild({ dir: out, model: loaded.model, config: cfg, flags: vendor }) : Promise.resolve(0));
    if (!flags.csim) return afterCsim();

    const inc = apIncludeDir();
    console.log(`csim: g++ with ${inc.vendor ? `AMD headers (${inc.dir})` : "Tessera's headers"}`);
    // io_parallel: every intermediate layer's output is traced (C simulation only) and checked too.
    const trace = cfg.io === 'io_parallel';
    const run = await runProjectCsim(path.resolve(out), top, { defines: trace ? ['TESSERA_TRACE'] : [] });
    const traced = trace ? readTrace(out) : {};
    const layerStatus: Record<string, string> = {};
    let layerMismatches = 0;
    if (trace && run.ok) {
      for (const r of g.resolved.nodes) {
        if (r.node.type === 'Input' || g.resolved.analysis.outputs.includes(r.id)) continue;
        const want = firmwareValues(g.sim!.values[r.id], r.layout, nImages);
        const got = traced[r.name] ?? [];
        let bad = got.length === want.length ? 0 : want.length * (want[0]?.length ?? 0);
        let where = '';
        for (let b = 0; b < Math.min(got.length, want.length); b++)
          for (let i = 0; i < want[b].length; i++)
            if (got[b][i] !== want[b][i]) {
              if (!where) where = `image ${b} value ${i}: csim ${got[b][i]}, engine ${want[b][i]}`;
              bad++;
            }
        layerMismatches += bad;
        layerStatus[r.node.name] = bad ? `MISMATCH (${bad} values; first ${where || 'missing trace'})` : 'bit-exact';
      }
    }
    const outNodes = g.resolved.nodes.filter((r) => g.resolved.analysis.outputs.includes(r.id));
    const got = readResults(out);
    const want = readExpected(out);
    let mismatches = 0;
    let first = '';
    for (let b = 0; b < want.length; b++) {
      for (let i = 0; i < want[b].length; i++) {
        if (got[b]?.[i] !== want[b][i]) {
          if (!first) first = `image ${b} value ${i}: csim ${got[b]?.[i]}, engine ${want[b][i]}`;
          mismatches++;
        }
      }
    }
    const outputNames = new Set(outNodes.map((r) => r.node.name));
    const rows = layers.map((l) => {
      const status = l.type === 'Input' ? 'input' : outputNames.has(l.name) ? (run.ok && mismatches === 0 && got.length === want.length ? 'bit-exact' : 'MISMATCH') : layerStatus[l.name] ?? 'internal (io_stream: checked through the output)';
      const hw = l.reuseFactor !== undefined ? `${l.strategy} RF ${l.reuseFactor}, ${l.multipliers} mult` : '';
      return `  ${l.name.padEnd(16)} ${l.type.padEnd(16)} ${l.outputDims.join('×').padEnd(10)} ${l.result_t.padEnd(28)} ${hw.padEnd(28)} ${status}`;
    });
    console.log(rows.join('\n'));
    console.log(`csim: compile ${(run.compileMs / 1000).toFixed(1)} s, run ${(run.runMs / 1000).toFixed(2)} s, ${want.length} images`);
    if (!run.ok) {
      throw new CliError(`csim failed (${run.record.error ?? run.record.status}): ${run.log.split('\n').filter((l) => /error|mismatch|fewer|more than/i.test(l)).slice(0, 3).join(' | ') || run.log.slice(-300)}`);
    }
    if (layerMismatches) throw new CliError(`csim differs from the engine inside the network: ${Object.entries(layerStatus).filter(([, v]) => v !== 'bit-exact').map(([k, v]) => `${k} ${v}`).join('; ')}`);
    if (got.length !== want.length || mismatches) {
      throw new CliError(`csim differs from the engine: ${mismatches} values${got.length !== want.length ? `, ${got.length} of ${want.length} images` : ''}; first: ${first}`);
    }
    // csim_output.npy: the (single) output in the graph's layout, float32, batch = images.
    if (outNodes.length === 1) {
      const r = outNodes[0];
      const fw = [got.length, ...r.outputDims];
      const t = fromFirmwareOrder(tensor(fw, Float32Array.from(got.flat())), r.layout);
      saveNpy(path.join(out, 'csim_output.npy'), t);
      console.log(`${path.join(out, 'csim_output.npy')}: float32 ${t.shape.join('×')}`);
    }
    console.log(`csim: bit-exact with the engine (${want.length} images, ${want[0]?.length ?? 0} values each)`);
    return afterCsim();
  },
};
