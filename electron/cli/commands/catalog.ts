// What `tessera --help` lists: each command's name, usage line and summary. Data only: the help and an
// unknown-command message need no command's code, so main.ts loads a command's module (and the heavy
// modules it imports) only when that command runs. A new command: one entry here (its key is the module's
// file name, commands/<key>.ts), one loader in main.ts.
export interface CommandInfo {
  name: string;
  /** One-line usage, e.g. 'info MODEL.onnx'. */
  usage: string;
  summary: string;
}

const info = <N extends string>(name: N, usage: string, summary: string) => ({ name, usage, summary });

export const COMMANDS = {
  doctor: info('doctor', 'doctor [--tool-root DIR] [--json]', 'what toolchain is installed (g++, Vitis HLS, Vivado…), versions, and the flows each enables'),
  report: info('report', 'report DIR [--part PART] [--json]', 'find and show the HLS reports of a project folder (csynth, cosim, Vivado utilisation)'),
  info: info('info', 'info MODEL.onnx|.keras|.h5|.json|PROJECT.tessera [--weights W.h5]', 'print the graph with inferred shapes, one node a line'),
  simulate: info('simulate', 'simulate MODEL.onnx|.keras|.h5|.json|PROJECT.tessera --input X.npy --output Y.npy', 'run the float engine on an ONNX or Keras model or a Tessera project; input and output as .npy'),
  serve: info('serve', 'serve [--port N] [--no-open] [--project FILE]', 'run the app in a browser (HTTP + WebSocket on 127.0.0.1, token in the printed URL)'),
  start: info('start', 'start [--no-open] [--project FILE] [--port N]', 'open the desktop app (Electron, or serve mode + Chromium app window where Electron is absent)'),
  build: info('build', 'build MODEL --out DIR [--io parallel|stream] [--csim] …', 'generate the HLS C++ project; --csim compiles it with g++ and checks it bit for bit'),
  sweep: info('sweep', 'sweep PROJECT.tessera --layer NAME --rf 1,2,4 --io stream,parallel …', 'expand ranges into variants, build them (csim + estimate) and store them in the project'),
  builds: info('builds', 'builds PROJECT.tessera [--wait] [--cancel RUN|all]', 'list the build runs; collect, follow (--wait) or cancel (--cancel) Slurm runs'),
  hls4ml: info('export-hls4ml-config', 'export-hls4ml-config MODEL [--config IN.yml] --out CONFIG.yml', "write the model's per-layer HLS settings as an hls4ml configuration (YAML)"),
  fit: info('fit', 'fit MODEL|PROJECT.tessera --part PART [--objective latency|resources] [--out CONFIG.yml] [--write] [--json]', 'choose per-layer reuse factor and strategy so the design fits a part (estimate)'),
};

export type CommandKey = keyof typeof COMMANDS;
