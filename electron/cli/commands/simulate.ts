// `tessera simulate MODEL.onnx --input X.npy --output Y.npy`: runs the float engine on the model's
// single input and writes its single output.
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { loadModel, loadNpy, saveNpy } from '../model-file';
import { simulateFloat } from '../../../engine/sim/float';
import { TesseraError } from '../../../engine/diagnostics/diagnostics';
import { formatShape, type Tensor } from '../../../engine/tensor/tensor';

/** Stacks outputs of equal shape along axis 0. */
function concatBatches(parts: Tensor[]): Tensor {
  const data = new Float32Array(parts.reduce((a, t) => a + t.data.length, 0));
  let at = 0;
  for (const t of parts) {
    data.set(t.data, at);
    at += t.data.length;
  }
  return { shape: [parts.reduce((a, t) => a + t.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

const HELP = `  Runs the float engine on the model's single input and writes its single output.
  --input X.npy    the model's input: float32 .npy with the ONNX input's shape (float64 / integer arrays
                   are accepted when every value is exact in float32); any batch size: a model with a fixed
                   batch B runs the images B at a time
  --output Y.npy   where to write the output (float32 .npy)
  --weights W.h5   weights of a Keras model JSON (default: <stem>_weights.h5 beside it)`;

export const simulateCommand: CliCommand = {
  ...COMMANDS.simulate,
  async run(args) {
    const { positional, flags } = parseArgs('simulate', args, ['input', 'output', 'weights'], ['help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    if (typeof flags.input !== 'string') throw new CliError(`missing --input X.npy; usage: tessera ${this.usage}`, 2);
    if (typeof flags.output !== 'string') throw new CliError(`missing --output Y.npy; usage: tessera ${this.usage}`, 2);
    const file = positional[0];
    const imp = await loadModel(file, typeof flags.weights === 'string' ? flags.weights : undefined);
    if (imp.inputs.length !== 1) {
      throw new CliError(`${file} has ${imp.inputs.length} inputs (${imp.inputs.map((i) => i.name).join(', ')}); simulate runs models with exactly one input`);
    }
    if (imp.outputs.length !== 1) {
      throw new CliError(`${file} has ${imp.outputs.length} outputs (${imp.outputs.map((o) => o.name).join(', ')}); simulate runs models with exactly one output`);
    }
    const input = imp.inputs[0];
    const x = loadNpy(flags.input);
    const symbolicBatch = imp.freeBatchInputs.includes(input.name);
    const sameButBatch = x.shape.length === input.shape.length && x.shape.every((d, i) => i === 0 || d === input.shape[i]);
    const fixedBatch = input.shape[0];
    // A fixed batch B (e.g. 1 in most exported models) is part of the graph (a Reshape may spell it out), so
    // N images run as N/B separate batches of B, outputs concatenated; a symbolic batch runs all at once.
    const chunk = symbolicBatch ? x.shape[0] : fixedBatch;
    if (!sameButBatch || x.shape[0] < 1 || x.shape[0] % chunk !== 0) {
      throw new CliError(
        `${flags.input} has shape (${x.shape.join(', ')}) but the model's input "${input.name}" has shape (${input.shape.join(', ')})` +
          `${symbolicBatch ? ' (any batch size)' : ` (any multiple of its batch ${fixedBatch})`}; save the array with that shape`,
      );
    }
    const started = performance.now();
    let y: Tensor;
    try {
      const node = imp.model.graph.nodes.find((n) => n.id === input.nodeId)!;
      const outNode = imp.model.graph.nodes.find((n) => n.id === imp.outputs[0].nodeId)!;
      const per = x.data.length / x.shape[0];
      const parts: Tensor[] = [];
      for (let n0 = 0; n0 < x.shape[0]; n0 += chunk) {
        const xi: Tensor = { shape: [chunk, ...x.shape.slice(1)], data: x.data.subarray(n0 * per, (n0 + chunk) * per) };
        parts.push(simulateFloat(imp.model, { [node.name]: xi }, { keep: 'outputs' }).outputs[outNode.name]);
      }
      y = parts.length === 1 ? parts[0] : concatBatches(parts);
    } catch (e) {
      if (e instanceof TesseraError) throw new CliError(`${file}: ${e.message.split('\n')[0]}`);
      throw e;
    }
    const ms = performance.now() - started;
    saveNpy(flags.output, y);
    console.log(`${flags.output}: output "${imp.outputs[0].name}" float32 ${formatShape(y.shape)} (engine ${ms.toFixed(1)} ms)`);
    return 0;
  },
};
