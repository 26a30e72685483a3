import { describe, expect, it } from 'vitest';
import { exportOnnx, ONNX_EXPORTERS } from './export';
import { opRegistry } from '../../ops/registry';
import { importOnnx } from './import';
import { buildOnnxModel, decodeModelProto, type NodeSpec, type TensorInit } from './proto';
import { expectClose, runOrt } from './oracle.testutil';
import { analyzeGraph } from '../../graph/analyze';
import { simulateFloat } from '../../sim/float';
import type { Graph, GraphNode, Model, WeightMap } from '../../graph/model';
import { randomTensor, seededRandom, type Tensor } from '../../tensor/tensor';

/** A chain/DAG builder for engine graphs: node(type, params, ...input ids). */
function graphOf(spec: [string, string, Record<string, unknown>, string[]][]): Graph {
  const nodes: GraphNode[] = spec.map(([id, type, params]) => ({ id, type, name: id, params }));
  const edges = spec.flatMap(([id, , , ins]) => ins.map((src, port) => ({ id: `${src}->${id}:${port}`, source: src, sourcePort: 0, target: id, targetPort: port })));
  return { version: 1, nodes, edges };
}

function randomWeights(graph: Graph, seed: number): WeightMap {
  const a = analyzeGraph(graph);
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const weights: WeightMap = {};
  let s = seed;
  for (const id of a.order) {
    for (const slot of a.nodes[id].weightSlots) {
      const positive = slot.name === 'variance' || slot.name === 'gamma';
      (weights[id] ??= {})[slot.name] = randomTensor(slot.shape, s++, positive ? 0.5 : -1, positive ? 1.5 : 1);
    }
  }
  return weights;
}

async function expectExportMatches(model: Model, seed: number): Promise<Uint8Array> {
  const bytes = exportOnnx(model);
  const a = analyzeGraph(model.graph, model.weights);
  const feeds: Record<string, Tensor> = {};
  a.inputs.forEach((id, i) => (feeds[a.nodes[id].node.name] = randomTensor(a.shapes[id]!, seed + i)));
  const sim = simulateFloat(model, feeds);
  const ort = await runOrt(bytes, feeds);
  for (const id of a.outputs) {
    const name = a.nodes[id].node.name;
    expectClose(ort[name], sim.outputs[name]);
  }
  return bytes;
}

describe('ONNX export: onnxruntime runs the exported graph like the engine', () => {
  it('channels-first conv stack with every layer kind', async () => {
    const graph = graphOf([
      ['in', 'Input', { shape: [1, 3, 9, 8] }, []],
      ['conv', 'Conv2D', { filters: 6, kernel: [3, 2], stride: [2, 1], dilation: [1, 2], padsBegin: [1, 0], padsEnd: [2, 1], groups: 3 }, ['in']],
      ['bn', 'BatchNormalization', { epsilon: 1e-3 }, ['conv']],
      ['act', 'LeakyReLU', { alpha: 0.2 }, ['bn']],
      // (ZeroPadding → MaxPool, which onnxruntime mis-fuses at opset < 18, has its own test below.)
      ['pool', 'MaxPool', { kernel: [2], stride: [2], ceilMode: true }, ['act']],
      ['pad', 'ZeroPadding', { padsBegin: [1, 0], padsEnd: [0, 2] }, ['pool']],
      ['up', 'UpSampling', { scale: [2, 3] }, ['pad']],
      ['ct', 'ConvTranspose2D', { filters: 4, kernel: [3, 4], stride: [2, 2], dilation: [1, 2], padsBegin: [1, 2], padsEnd: [1, 4], outputPadding: [1, 1], groups: 2, bias: true }, ['up']],
      ['ct_same', 'ConvTranspose2D', { filters: 4, kernel: [3, 3], stride: [2, 2], autoPad: 'same_upper', bias: false }, ['up']],
      ['avg', 'AveragePool', { kernel: [3, 3], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1], countIncludePad: true }, ['ct']],
      ['avg2', 'AveragePool', { kernel: [3, 3], stride: [2, 2], padsBegin: [1, 1], padsEnd: [1, 1] }, ['ct_same']],
      ['sum', 'Add', {}, ['avg', 'avg2', 'avg']],
      ['cat', 'Concatenate', { axis: 1 }, ['sum', 'avg2']],
      ['selu', 'Selu', {}, ['cat']],
      ['flat', 'Flatten', {}, ['selu']],
      ['fc', 'Dense', { units: 5 }, ['flat']],
      ['soft', 'Softmax', {}, ['fc']],
    ]);
    const model = { graph, weights: randomWeights(graph, 10) };
    const bytes = await expectExportMatches(model, 1);
    const proto = decodeModelProto(bytes);
    expect(proto.opsetImport?.[0].version).toBe(13);
    expect(proto.graph?.node?.map((n) => n.name)).toContain('ct');
  });

  it('channels-last layers (wrapped in Transposes), 1D, Dense on rank 3, Reshape, Transpose', async () => {
    const graph = graphOf([
      ['x', 'Input', { shape: [2, 11, 3], dataFormat: 'NXC' }, []],
      ['c1', 'Conv1D', { filters: 4, kernel: [3], stride: [2], autoPad: 'same_lower', dataFormat: 'NXC' }, ['x']],
      ['bn', 'BatchNormalization', { dataFormat: 'NXC' }, ['c1']],
      ['r', 'ReLU', {}, ['bn']],
      ['pad', 'ZeroPadding', { padsBegin: [2], padsEnd: [1], dataFormat: 'NXC' }, ['r']],
      ['up', 'UpSampling', { scale: [2], dataFormat: 'NXC' }, ['pad']],
      ['t1', 'ConvTranspose1D', { filters: 2, kernel: [4], stride: [3], dilation: [2], padsBegin: [1], padsEnd: [2], outputPadding: [1], dataFormat: 'NXC' }, ['up']],
      ['mp', 'MaxPool', { kernel: [3], stride: [2], padsBegin: [1], padsEnd: [1], dataFormat: 'NXC' }, ['t1']],
      ['fc', 'Dense', { units: 3 }, ['mp']],
      ['sig', 'Sigmoid', {}, ['fc']],
      ['tr', 'Transpose', { perm: [0, 2, 1] }, ['sig']],
      ['rs', 'Reshape', { targetShape: [-1] }, ['tr']],
      ['th', 'Tanh', {}, ['rs']],
    ]);
    await expectExportMatches({ graph, weights: randomWeights(graph, 20) }, 2);
  });

  it('import → export → onnxruntime round trip keeps the results (DCGAN-like generator)', async () => {
    const nodes: NodeSpec[] = [];
    const inits: TensorInit[] = [];
    const chans = [16, 8, 4, 3];
    let prev = 'z';
    chans.slice(0, -1).forEach((ci, l) => {
      const co = chans[l + 1];
      inits.push({ name: `w${l}`, dims: [ci, co, 4, 4], data: randomTensor([ci, co, 4, 4], l).data });
      nodes.push({ op: 'ConvTranspose', inputs: [prev, `w${l}`], outputs: [`c${l}`], attrs: l === 0 ? {} : { strides: [2, 2], pads: [1, 1, 1, 1] }, name: `deconv${l}` });
      nodes.push({ op: l === 2 ? 'Tanh' : 'Relu', inputs: [`c${l}`], outputs: [l === 2 ? 'img' : `r${l}`], name: `act${l}` });
      prev = `r${l}`;
    });
    const onnx = buildOnnxModel({ inputs: [{ name: 'z', shape: [1, 16, 1, 1] }], outputs: [{ name: 'img' }], nodes, initializers: inits });
    const imported = importOnnx(onnx);
    const bytes = await expectExportMatches(imported.model, 3);
    const feeds = { z: randomTensor([1, 16, 1, 1], 99) };
    const [a, b] = [await runOrt(onnx, feeds), await runOrt(bytes, feeds)];
    expectClose(b.act2, a.img, 1e-5);
    // Re-import of the export gives the same graph structure.
    const again = importOnnx(bytes);
    expect(again.model.graph.nodes.map((n) => [n.name, n.type])).toEqual(imported.model.graph.nodes.map((n) => [n.name, n.type]));
  });

  describe('Conv family sweep: every auto pad mode, both data formats, groups, dilation, output padding', () => {
    const r = seededRandom(4242);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
    for (let i = 0; i < 32; i++) {
      const rank = i % 2 === 0 ? 1 : 2;
      const isT = i % 4 >= 2;
      const groups = pick([1, 2, 3]);
      const cin = groups * pick([1, 2]);
      const filters = groups * pick([1, 2]);
      const kernel = Array.from({ length: rank }, () => pick([1, 2, 3, 4, 5]));
      const stride = Array.from({ length: rank }, () => pick([1, 2, 3]));
      const dilation = Array.from({ length: rank }, () => pick([1, 2]));
      const autoPad = pick(['explicit', 'explicit', 'valid', 'same_upper', 'same_lower']);
      const dataFormat = pick(['NCX', 'NXC']);
      const params: Record<string, unknown> = {
        filters, kernel, stride, dilation, groups, autoPad, dataFormat, bias: r() < 0.5,
        padsBegin: kernel.map((k) => Math.floor(r() * k)), padsEnd: kernel.map((k) => Math.floor(r() * k)),
      };
      // onnxruntime wants output_padding < stride (Tessera and PyTorch allow < max(stride, dilation)).
      if (isT) params.outputPadding = stride.map((st) => Math.floor(r() * st));
      const spatial = kernel.map((k, a) => (k - 1) * dilation[a] + 1 + pick([2, 4, 5]));
      const shape = dataFormat === 'NCX' ? [1, cin, ...spatial] : [1, ...spatial, cin];
      const type = `${isT ? 'ConvTranspose' : 'Conv'}${rank}D`;
      it(`${type} ${JSON.stringify(params)} in ${shape}`, async () => {
        const graph = graphOf([
          ['x', 'Input', { shape, dataFormat }, []],
          ['layer', type, params, ['x']],
        ]);
        await expectExportMatches({ graph, weights: randomWeights(graph, 300 + i) }, i);
      });
    }
  });

  it('ZeroPadding → MaxPool survives onnxruntime\'s Pad fusion (opset 18 Pad with axes)', async () => {
    const graph = graphOf([
      ['x', 'Input', { shape: [1, 2, 5, 6] }, []],
      ['sig', 'Sigmoid', {}, ['x']],
      ['pad', 'ZeroPadding', { padsBegin: [1, 2], padsEnd: [2, 1] }, ['sig']],
      ['pool', 'MaxPool', { kernel: [3, 3], stride: [2, 2] }, ['pad']],
      ['pad2', 'ZeroPadding', { padsBegin: [1], padsEnd: [0], dataFormat: 'NCX' }, ['x']],
      ['pool2', 'MaxPool', { kernel: [2], stride: [1] }, ['pad2']],
    ]);
    // Negative inputs make the zero padding matter for the max (pool2).
    const model = { graph, weights: {} };
    const bytes = exportOnnx(model);
    expect(decodeModelProto(bytes).opsetImport?.[0].version).toBe(18);
    const x = randomTensor([1, 2, 5, 6], 3, -2, -0.5);
    const sim = simulateFloat(model, { x });
    const ort = await runOrt(bytes, { x });
    expectClose(ort.pool2, sim.outputs.pool2);
    expectClose(ort.pool, sim.outputs.pool);
    // The opset-18 file imports back to the same layers.
    const back = importOnnx(bytes);
    expect(back.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Sigmoid', 'ZeroPadding', 'MaxPool', 'ZeroPadding', 'MaxPool']);
    // With opset 13 (Pad without axes) onnxruntime fuses and differs: the reason for the rule above.
    const fused = await runOrt(exportOnnx(model, { opset: 13 }), { x });
    expect(Math.max(...fused.pool2.data.map((v, i) => Math.abs(v - sim.outputs.pool2.data[i])))).toBeGreaterThan(0.1);
  });

  it('refuses a graph with errors', () => {
    const graph = graphOf([
      ['in', 'Input', { shape: [1, 3, 8, 8] }, []],
      ['conv', 'Conv2D', { filters: 4, kernel: [3, 3], stride: [0, 1] }, ['in']],
    ]);
    expect(() => exportOnnx({ graph, weights: {} })).toThrow(/cannot export a graph with errors: conv: stride\[0\] = 0/);
  });
});

describe('ONNX export table', () => {
  it('every registered op has an ONNX form (a new op needs its entry in ONNX_EXPORTERS)', () => {
    expect([...opRegistry.keys()].filter((type) => !ONNX_EXPORTERS[type])).toEqual([]);
  });
});
