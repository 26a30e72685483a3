// `tessera build MODEL --out DIR [--io parallel|stream] [--strategy latency|resource] [--rf N]
//   [--pf N] [--precision TYPE] [--input X.npy] [--images N] [--top NAME] [--csim] [--synth [--cosim] [--export]]`
// Builds through the app's build pipeline (electron/services/builds/pipeline): writes the HLS project;
// with --csim compiles it with g++, runs the testbench on the engine's vectors, compares bit for bit
// (every layer when io_parallel) and writes DIR/csim_output.npy; the error vs float; --synth: the vendor
// steps (build-vendor.ts prints them). `tessera build --spec FILE`: a remote backend's build, run here.
import path from 'node:path';
import fs from 'node:fs';
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { loadModel, loadNpy, saveNpy } from '../model-file';
import { defaultHlsConfig, type HlsConfig, type IoType, type Strategy } from '../../../engine/hls/config';
import { parseFixedType, formatFixedType } from '../../../engine/fixed/types';
import { fromFirmwareOrder } from '../../../engine/fixed/tensor';
import { tensor, type Tensor } from '../../../engine/tensor/tensor';
import { applyHls4mlConfigFile } from './hls4ml';
import { printSynthesis, synthesisSummary, vendorFlags, VENDOR_BOOL_FLAGS, VENDOR_HELP, VENDOR_VALUE_FLAGS } from './build-vendor';
import { apIncludeDir, readResults, readTemplates } from '../../services/csim/csim';
import { detectToolchain, type Toolchain } from '../../services/toolchain/detect';
import type { BuildSpec } from '../../../api/build-spec';
import { runBuild, type BuildOutcome } from '../../services/builds/pipeline/run';
import { BUILD_RESULT_FILE, phaseLine, readBuildSpecFile, runBuildInFolder } from '../../services/builds/pipeline/backend';
import { isExact, testImagesOf, VENDOR_RECORD, vendorSteps } from '../../services/builds/pipeline/steps';
import { runBuildOnSlurm } from './build-slurm';
import { isGraphInput } from '../../../engine/ops/input';

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
  --fifo rule|safe       io_stream FIFO depths: rule (default) from the modelled pipeline read-ahead; safe gives
                         every stream a fork writes its whole tensor (never blocks; more memory)
  --csim                 compile with g++ and run the testbench; exit 1 on any mismatch
  --on local|slurm       run here (default) or as a Slurm job on a node (MODEL, DIR and Tessera on storage the
                         nodes share; README "Builds on a Slurm cluster"); its log is printed as it grows; the
                         results stay in DIR (tessera-run.json, tb_data/), no csim_output.npy
${VENDOR_HELP}
  --spec FILE            run the build a spec file describes (written by a remote build backend into its build
                         folder), leaving the result in tessera-run.json there; no other option but --tool-root`;

function intFlag(name: string, v: string | true | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v) || Number(v) < 1) throw new CliError(`--${name} takes a whole number ≥ 1, got ${v === true ? 'nothing' : JSON.stringify(v)}`, 2);
  return Number(v);
}

export const buildCommand: CliCommand = {
  ...COMMANDS.build,
  async run(args) {
    const { positional, flags } = parseArgs('build', args, ['out', 'io', 'strategy', 'rf', 'pf', 'precision', 'input', 'images', 'top', 'weights', 'hls4ml-config', 'spec', 'on', 'fifo', ...VENDOR_VALUE_FLAGS], ['csim', 'json', 'help', 'h', ...VENDOR_BOOL_FLAGS]);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (typeof flags.spec === 'string') {
      const other = [...positional, ...Object.keys(flags).filter((k) => k !== 'spec' && k !== 'tool-root').map((k) => `--${k}`)];
      if (other.length) throw new CliError(`--spec FILE describes the whole build; drop ${other.join(', ')}`, 2);
      return buildFromSpecFile(flags.spec, typeof flags['tool-root'] === 'string' ? path.resolve(flags['tool-root']) : undefined);
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    if (typeof flags.out !== 'string') throw new CliError(`missing --out DIR; usage: tessera ${this.usage}`, 2);
    if (flags.on !== undefined && flags.on !== 'local' && flags.on !== 'slurm') throw new CliError(`--on takes local or slurm, got ${JSON.stringify(flags.on)}`, 2);
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
    if (flags.fifo !== undefined && flags.fifo !== 'rule' && flags.fifo !== 'safe') throw new CliError(`--fifo is rule or safe, got ${JSON.stringify(flags.fifo)}`, 2);
    const vendor = vendorFlags(flags);
    if (flags.json && !vendor) throw new CliError('--json prints the synthesis figures (part, fits, latency, interval, resources): add --synth', 2);
    if (flags.json && flags.on === 'slurm') throw new CliError('--json is for a build run here; on Slurm the result is tessera-run.json in DIR', 2);
    const top = typeof flags.top === 'string' ? flags.top : 'myproject';
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
    }
    if (flags.fifo === 'safe' && cfg.io !== 'io_stream') throw new CliError('--fifo safe sizes the FIFOs of an io_stream design: add --io stream', 2);
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
    const out = flags.out;
    const outStat = fs.statSync(out, { throwIfNoEntry: false });
    if (outStat && !outStat.isDirectory()) throw new CliError(`--out ${out} is a file, not a folder; give the folder to write the HLS project into`, 2);
    const spec: BuildSpec = {
      dir: path.resolve(out),
      name: file,
      model: loaded.model,
      config: cfg,
      inputs: inputs ?? null,
      // io_parallel: every intermediate layer's output is traced (C simulation only) and checked too.
      csim: flags.csim ? { cxxFlags: [], trace: cfg.io === 'io_parallel', timeoutMs: 600_000 } : null,
      synthesis: vendor ? 'vendor' : 'none',
      // a graph that forks gets co-simulation without --cosim (the check of its FIFO depths)
      vendor: { steps: vendorSteps(loaded.model, cfg.io, { cosim: vendor?.cosim, export: vendor?.export }), stepTimeoutMs: vendor?.stepTimeoutMs ?? null },
      errorVsFloat: true,
      ...(flags.fifo === 'safe' ? { fifo: 'safe' as const } : {}),
    };
    // on Slurm the node runs this spec (`tessera build --spec`) with the tools it finds there
    if (flags.on === 'slurm') return runBuildOnSlurm(spec, file, vendor?.toolRoot);
    const toolchain = vendor ? await detectToolchain({ toolRoot: vendor.toolRoot, timeoutMs: 60_000 }) : null;
    return buildAndReport(spec, toolchain, out, flags.json === true);
  },
};

/** Runs `build` with an AbortSignal that Ctrl-C (SIGINT) and SIGTERM fire; `program` names what they stop. */
async function cancelOnSignals<T>(program: () => string, build: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`tessera build: ${sig}: cancelling ${program()} (the whole process tree)…`);
    abort.abort(`cancelled by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await build(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * `tessera build --spec FILE`: the build a serialised spec describes (written by a remote build backend),
 * run here through the same pipeline; phases printed as phaseLine, the result left in tessera-run.json.
 * Exit code 0 succeeded, 1 failed, 130 cancelled.
 */
async function buildFromSpecFile(file: string, toolRoot: string | undefined): Promise<number> {
  let spec: BuildSpec;
  try {
    spec = readBuildSpecFile(file);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  // A spec file lies in the build folder it describes (the backend writes it there); one that names another
  // folder would have this node write, compile and run there.
  if (path.resolve(spec.dir) !== path.dirname(path.resolve(file))) {
    throw new CliError(`${file}: its build folder dir = ${JSON.stringify(spec.dir)} is not the folder the spec file is in; a spec file only builds in its own folder (write it there, or build with --out)`);
  }
  const toolchain = spec.synthesis === 'vendor' ? await detectToolchain({ toolRoot, timeoutMs: 60_000 }) : null;
  let program = 'the build';
  const b = await cancelOnSignals(() => program, (signal) =>
    runBuildInFolder(spec, {
      templates: readTemplates(),
      toolchain,
      signal,
      observer: {
        phase: (p) => console.log(phaseLine(p)),
        program: (label) => (program = label),
        line: (text, stream) => (stream === 'stderr' ? console.error(text) : console.log(text)),
      },
    }),
  );
  console.log(`tessera: build ${b.status}${b.report.failure ? `: ${b.report.failure}` : ''}; result in ${path.join(spec.dir, BUILD_RESULT_FILE)}`);
  return b.status === 'succeeded' ? 0 : b.status === 'cancelled' ? 130 : 1;
}

/** Runs the build through the pipeline the app uses, printing as it goes; returns the exit code. */
async function buildAndReport(spec: BuildSpec, toolchain: Toolchain | null, out: string, json = false): Promise<number> {
  // --json: stdout carries the one JSON line; what is printed for people goes to stderr.
  const stdout = json ? (l: string) => console.error(l) : (l: string) => console.log(l);
  const stderr = (l: string) => console.error(l);
  let phase = '';
  let program = 'the build';
  let toolStep = '';
  const b = await cancelOnSignals(() => program, (signal) =>
    runBuild(spec, {
      templates: readTemplates(),
      toolchain,
      signal,
      observer: {
        phase: (p) => (phase = p),
        program: (label) => (program = label),
        generated: (g) => {
          const nodes = g.resolved.nodes.length;
          stdout(`${out}: ${Object.keys(g.files).length} files, top ${spec.config.top}, ${spec.config.io}, ${nodes} nodes, ${testImagesOf(g)} test images`);
          if (spec.csim) {
            const inc = apIncludeDir();
            stdout(`csim: g++ with ${inc.vendor ? `AMD headers (${inc.dir})` : "Tessera's headers"}`);
          }
        },
        // The vendor tool's log streams with its step and progress; g++'s is shown when it fails.
        line: (text, stream, tool) => {
          // codegen's notes (where the FIFO read-ahead came from); its file count is printed by generated above
          if (phase === 'codegen' && stream === 'info' && !text.startsWith('codegen:')) return stdout(text);
          if (phase !== 'synthesis' || !toolchain) return;
          if (!tool) {
            if (stream === 'info') stdout(`${text}; Ctrl-C cancels`);
            return;
          }
          if (tool.step !== toolStep) {
            toolStep = tool.step;
            stdout(`== step ${tool.step}`);
          }
          const line = `[${tool.step} ${String(Math.round(tool.progress * 100)).padStart(3)}%] ${text}`;
          if (stream === 'stderr') stderr(line);
          else stdout(line);
        },
      },
    }),
  );
  const rep = b.report;
  if (b.status === 'cancelled') {
    const rec = b.vendor?.record;
    stderr(rec ? `tessera build: ${rec.status} during ${rec.currentStep}; run record in ${path.join(spec.dir, VENDOR_RECORD)}` : `tessera build: cancelled during ${phase}`);
    return 130;
  }
  if (!b.generated) {
    const list = b.diagnostics.map((d) => d.message);
    for (const m of list.slice(1)) stderr(`tessera build: ${m}`);
    throw new CliError(list[0] ?? rep.failure ?? 'the project could not be generated');
  }
  if (spec.csim && b.csim) printCsim(spec, b, out, stdout);
  if (rep.error) stdout(`error vs float at ${rep.error.output}: max ${rep.error.maxLsb.toFixed(2)} LSB, RMS ${rep.error.rmsLsb.toFixed(3)} LSB (${rep.error.outputType})`);
  if (spec.synthesis === 'vendor') {
    const code = printSynthesis(spec, b, toolchain!, stdout, stderr);
    if (json) console.log(JSON.stringify(synthesisSummary(rep)));
    return code;
  }
  if (b.status !== 'succeeded') throw new CliError(rep.failure ?? 'the build failed');
  return 0;
}

/** The per-layer table and the C simulation's verdict; throws CliError when it is not bit-exact. */
function printCsim(spec: BuildSpec, b: BuildOutcome, out: string, stdout: (l: string) => void): void {
  const g = b.generated!;
  const csim = b.csim!;
  const cmp = csim.comparison;
  if (cmp) {
    const outputs = new Set(g.resolved.analysis.outputs);
    const rows = g.layers.map((l) => {
      const c = isGraphInput(l) ? null : outputs.has(l.id) ? cmp.output : cmp.layers?.[l.name];
      const status = isGraphInput(l) ? 'input' : !c ? 'internal (io_stream: checked through the output)' : isExact(c) ? 'bit-exact' : `MISMATCH${outputs.has(l.id) ? '' : ` (${c.mismatches} values; first ${c.first ?? 'missing trace'})`}`;
      const hw = l.reuseFactor !== undefined ? `${l.strategy} RF ${l.reuseFactor}, ${l.multipliers} mult` : '';
      return `  ${l.name.padEnd(16)} ${l.type.padEnd(16)} ${l.outputDims.join('×').padEnd(10)} ${l.result_t.padEnd(28)} ${hw.padEnd(28)} ${status}`;
    });
    stdout(rows.join('\n'));
  }
  const rc = b.report.csim;
  stdout(`csim: compile ${((rc.compileMs ?? 0) / 1000).toFixed(1)} s, run ${((rc.runMs ?? 0) / 1000).toFixed(2)} s, ${rc.images} images`);
  const failed = !csim.compile.ok ? csim.compile : csim.run && !csim.run.ok ? csim.run : null;
  if (failed) {
    const log = failed.log;
    throw new CliError(`csim failed (${failed.record.error ?? failed.record.status}): ${log.split('\n').filter((l) => /error|mismatch|fewer|more than/i.test(l)).slice(0, 3).join(' | ') || log.slice(-300)}`);
  }
  const inner = Object.entries(cmp?.layers ?? {}).filter(([, c]) => !isExact(c));
  if (inner.length) throw new CliError(`csim differs from the engine inside the network: ${inner.map(([k, c]) => `${k} MISMATCH (${c.mismatches} values; first ${c.first ?? 'missing trace'})`).join('; ')}`);
  const o = cmp!.output;
  if (!isExact(o)) throw new CliError(`csim differs from the engine: ${o.mismatches} values${o.gotImages !== o.images ? `, ${o.gotImages} of ${o.images} images` : ''}; first: ${o.first}`);
  // csim_output.npy: the (single) output in the graph's layout, float32, batch = images.
  const outNodes = g.resolved.nodes.filter((r) => g.resolved.analysis.outputs.includes(r.id));
  if (outNodes.length === 1) {
    const r = outNodes[0];
    const got = readResults(spec.dir);
    const t = fromFirmwareOrder(tensor([got.length, ...r.outputDims], Float32Array.from(got.flat())), r.layout);
    saveNpy(path.join(out, 'csim_output.npy'), t);
    stdout(`${path.join(out, 'csim_output.npy')}: float32 ${t.shape.join('×')}`);
  }
  stdout(`csim: bit-exact with the engine (${o.images} images, ${o.values} values each)`);
}
