// `tessera info MODEL.onnx|.keras|.h5|.json [--weights W.h5]`: the imported graph with inferred shapes, one node a line.
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { formatShape } from '../../../engine/tensor/tensor';
import { graphTableLines } from './graph-table';

export const infoCommand: CliCommand = {
  ...COMMANDS.info,
  async run(args) {
    const { positional, flags } = parseArgs('info', args, ['weights'], ['help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n  Imports an ONNX or Keras model (a model JSON takes --weights W.h5, default <stem>_weights.h5) and prints each node: name, type, output shape, key parameters, diagnostics.`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one model file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    const file = positional[0];
    if (file.toLowerCase().endsWith('.tessera')) {
      if (flags.weights !== undefined) throw new CliError(`--weights is for a Keras model JSON; the project ${file} carries its own weights: drop --weights`, 2);
      // A project: its layers with their shapes (as for a model) and its variants with their last build.
      const { projectInfoLines } = await import('./project-info'); // no importers for a project
      for (const line of projectInfoLines(file)) console.log(line);
      return 0;
    }
    const { loadModel } = await import('../model-file'); // the importers load only for a model file
    const imp = await loadModel(file, typeof flags.weights === 'string' ? flags.weights : undefined);
    const { graph, weights } = imp.model;
    const nParams = Object.values(weights).reduce((t, w) => t + Object.values(w).reduce((s, x) => s + x.data.length, 0), 0);
    const io = (xs: { name: string; shape: number[] }[]) => xs.map((x) => `${x.name} ${formatShape(x.shape)}`).join(', ');
    console.log(
      `${file}: ${imp.source}; ${graph.nodes.length} nodes, ${nParams} weights; ` +
        `input ${io(imp.inputs)}; output ${io(imp.outputs)}`,
    );
    const lines = graphTableLines(graph, weights, imp.precisions);
    // The importer's own graph-level notes, unless the analysis said the same.
    for (const d of imp.diagnostics.filter((x) => !x.nodeId)) if (!lines.includes(`${d.severity}: ${d.message}`)) lines.push(`${d.severity}: ${d.message}`);
    for (const line of lines) console.log(line);
    return 0;
  },
};
