// `tessera info MODEL.onnx|.keras|.h5|.json [--weights W.h5]`: the imported graph with inferred shapes, one node a line.
import type { CliCommand } from './types';
import { CliError } from './types';
import { loadModel, parseArgs } from '../model-file';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { formatShape } from '../../../engine/tensor/tensor';
import type { GraphNode } from '../../../engine/graph/model';
import { projectInfoLines } from './sweep';

const DEFAULT_HIDDEN: Record<string, unknown> = { dataFormat: 'NCX', autoPad: 'explicit' };

function formatParam(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatParam).join(',')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** Key parameters of a node, compact: 'filters=64 kernel=[4,4] stride=[2,2] …'. */
export function summarizeParams(node: GraphNode, params: unknown): string {
  const p = (params ?? node.params) as Record<string, unknown>;
  if (node.type === 'Input') return '';
  return Object.entries(p)
    .filter(([k, v]) => !(k in DEFAULT_HIDDEN && DEFAULT_HIDDEN[k] === v))
    .map(([k, v]) => `${k}=${formatParam(v)}`)
    .join(' ');
}

export const infoCommand: CliCommand = {
  name: 'info',
  usage: 'info MODEL.onnx|.keras|.h5|.json|PROJECT.tessera [--weights W.h5]',
  summary: 'print the graph with inferred shapes, one node a line',
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
      // A project: its layers (name and type, one a line) and its variants with their last build.
      for (const line of projectInfoLines(file)) console.log(line);
      return 0;
    }
    const imp = await loadModel(file, typeof flags.weights === 'string' ? flags.weights : undefined);
    const { graph, weights } = imp.model;
    const a = analyzeGraph(graph, weights);
    const nParams = Object.values(weights).reduce((t, w) => t + Object.values(w).reduce((s, x) => s + x.data.length, 0), 0);
    const io = (xs: { name: string; shape: number[] }[]) => xs.map((x) => `${x.name} ${formatShape(x.shape)}`).join(', ');
    console.log(
      `${file}: ${imp.source}; ${graph.nodes.length} nodes, ${nParams} weights; ` +
        `input ${io(imp.inputs)}; output ${io(imp.outputs)}`,
    );
    const rows = a.order.map((id) => {
      const info = a.nodes[id];
      const shape = info.outputShape ? formatShape(info.outputShape) : '?';
      const notes = info.diagnostics.map((d) => `${d.severity === 'error' ? 'error' : 'warning'}: ${d.message}`);
      const prec = imp.precisions[id];
      const precText = prec ? ` ${Object.entries(prec).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
      return [info.node.name, info.node.type, shape, `${summarizeParams(info.node, info.params)}${precText}`.trim(), notes.join(' | ')];
    });
    const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ['name', 'type', 'output'][c].length));
    console.log(`  ${'name'.padEnd(w[0])}  ${'type'.padEnd(w[1])}  ${'output'.padEnd(w[2])}  params`);
    for (const r of rows) {
      console.log(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}${r[4] ? `  [${r[4]}]` : ''}`.trimEnd());
    }
    const graphLevel = imp.diagnostics.filter((d) => !d.nodeId);
    for (const d of graphLevel) console.log(`${d.severity}: ${d.message}`);
    return 0;
  },
};
