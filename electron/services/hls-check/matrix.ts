// The projects the static check and its csim run over (issue 11: every template, both io types, both
// strategies, RF 1 and > 1): small graphs that together use every layer template, with widths that are
// not powers of two (so a division by a size would show), generated for io_parallel and io_stream, each
// with Latency at RF 1, Latency at the smallest valid RF > 1 and Resource at a larger valid RF.
import type { Model } from '../../../engine/graph/model';
import { CURRENT_GRAPH_VERSION } from '../../../engine/graph/schema';
import { defaultHlsConfig, type HlsConfig, type IoType, type Strategy } from '../../../engine/hls/config';
import { layerContext, resolveGraph } from '../../../engine/hls/resolve';
import { validReuseFactors } from '../../../engine/hls/reuse';
import { getOp } from '../../../engine/ops/registry';
import { randomTensor } from '../../../engine/tensor/tensor';

/** A node: id (also its name), op type, parameters, and the ids feeding its input ports in order. */
export type GraphRow = [id: string, type: string, params: Record<string, unknown>, inputs: string[]];

/** Nodes named by their ids; each row's inputs become edges to its ports in order. */
export function graphModel(rows: GraphRow[], weights: Model['weights']): Model {
  let e = 0;
  return {
    graph: {
      version: CURRENT_GRAPH_VERSION,
      nodes: rows.map(([id, type, params]) => ({ id, type, name: id, params })),
      edges: rows.flatMap(([id, , , ins]) => ins.map((s, k) => ({ id: `e${e++}`, source: s, sourcePort: 0, target: id, targetPort: k }))),
    },
    weights,
  };
}

let seed = 101;
const rnd = (shape: number[], lo = -1, hi = 1.1) => randomTensor(shape, seed++, lo, hi);
const conv = (filters: number, k: number[], s: number[], pb: number[], pe: number[], extra: Record<string, unknown> = {}) => ({
  filters, kernel: k, stride: s, dilation: k.map(() => 1), padsBegin: pb, padsEnd: pe, groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit', ...extra,
});
const pool = (k: number, s: number, p: number, extra: Record<string, unknown> = {}) => ({ kernel: [k], stride: [s], padsBegin: [p], padsEnd: [p], dataFormat: 'NCX', ceilMode: false, ...extra });

/** Conv k3 "same" on 9×10 → BN → LeakyReLU → MaxPool k3 s3 p1 → ConvT k3 s3 (stride 3: phases by 3) → AveragePool k3 s1 p1 → ReLU. */
function convChain(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, 9, 10], dataFormat: 'NCX' }, []],
      ['c1', 'Conv2D', conv(5, [3, 3], [1, 1], [1, 1], [1, 1]), ['x']],
      ['bn', 'BatchNormalization', { epsilon: 1e-3, dataFormat: 'NCX' }, ['c1']],
      ['lk', 'LeakyReLU', { alpha: 0.25 }, ['bn']],
      ['mp', 'MaxPool', pool(3, 3, 1), ['lk']],
      ['ct', 'ConvTranspose2D', conv(3, [3, 3], [3, 3], [1, 0], [0, 1], { outputPadding: [0, 0] }), ['mp']],
      ['ap', 'AveragePool', pool(3, 1, 1, { countIncludePad: false }), ['ct']],
      ['out', 'ReLU', {}, ['ap']],
    ],
    {
      c1: { weight: rnd([5, 3, 3, 3]), bias: rnd([5]) },
      bn: { gamma: rnd([5], 0.6, 1.4), beta: rnd([5]), mean: rnd([5], -0.3, 0.3), variance: rnd([5], 0.4, 1.5) },
      ct: { weight: rnd([5, 3, 3, 3]), bias: rnd([3]) },
    },
  );
}

/** Strided / dilated / grouped convolutions and the 1D layers: Conv k4 s2 p1 (DCGAN discriminator), ConvT k4 s2 p1, Conv1D. */
function convVariety(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 4, 10, 6], dataFormat: 'NCX' }, []],
      ['down', 'Conv2D', conv(6, [4, 4], [2, 2], [1, 1], [1, 1]), ['x']],
      ['dil', 'Conv2D', conv(6, [3, 3], [1, 1], [2, 2], [2, 2], { dilation: [2, 2], groups: 2 }), ['down']],
      ['up', 'ConvTranspose2D', conv(3, [4, 4], [2, 2], [1, 1], [1, 1], { outputPadding: [0, 0] }), ['dil']],
      ['th', 'Tanh', {}, ['up']],
    ],
    {
      down: { weight: rnd([6, 4, 4, 4], -0.5, 0.6), bias: rnd([6]) },
      dil: { weight: rnd([6, 3, 3, 3], -0.6, 0.5), bias: rnd([6]) },
      up: { weight: rnd([6, 3, 4, 4], -0.5, 0.5), bias: rnd([3]) },
    },
  );
}

/** 1D: Conv1D k5 s1 p2 → ZeroPadding → Cropping → UpSampling ×3 → ConvTranspose1D k3 s2 → Sigmoid. */
function oneD(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, 11], dataFormat: 'NCX' }, []],
      ['c', 'Conv1D', conv(4, [5], [1], [2], [2]), ['x']],
      ['zp', 'ZeroPadding', { padsBegin: [2], padsEnd: [1], dataFormat: 'NCX' }, ['c']],
      ['cr', 'Cropping', { cropBegin: [1], cropEnd: [3], dataFormat: 'NCX' }, ['zp']],
      ['us', 'UpSampling', { scale: [3], dataFormat: 'NCX' }, ['cr']],
      ['ct', 'ConvTranspose1D', conv(2, [3], [2], [0], [0], { outputPadding: [1] }), ['us']],
      ['sg', 'Sigmoid', {}, ['ct']],
    ],
    { c: { weight: rnd([4, 3, 5]), bias: rnd([4]) }, ct: { weight: rnd([4, 2, 3]), bias: rnd([2]) } },
  );
}

/** Fork and merge: ZeroPadding 2D, UpSampling 2D ×(2,3), Cropping 2D; Concatenate on channels and on rows; Add of three; Resize bilinear ×(2,4) and nearest ×(3,1), Linear (a requantization). */
function merges(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, 6, 5], dataFormat: 'NCX' }, []],
      ['a', 'Conv2D', conv(3, [1, 1], [1, 1], [0, 0], [0, 0]), ['x']],
      ['b', 'Conv2D', conv(6, [1, 1], [1, 1], [0, 0], [0, 0]), ['x']],
      ['cat', 'Concatenate', { axis: 1 }, ['x', 'a']],
      ['rows', 'Concatenate', { axis: 2 }, ['cat', 'b']],
      ['us', 'UpSampling', { scale: [2, 3], dataFormat: 'NCX' }, ['rows']],
      ['zp', 'ZeroPadding', { padsBegin: [1, 2], padsEnd: [0, 1], dataFormat: 'NCX' }, ['us']],
      ['cr', 'Cropping', { cropBegin: [1, 2], cropEnd: [0, 1], dataFormat: 'NCX' }, ['zp']],
      ['r1', 'ReLU', {}, ['cr']],
      ['r2', 'Selu', {}, ['cr']],
      ['sum', 'Add', {}, ['r1', 'r2', 'cr']],
      ['bl', 'Resize', { scale: [2, 4], mode: 'bilinear', dataFormat: 'NCX' }, ['sum']],
      ['nn', 'Resize', { scale: [3, 1], mode: 'nearest', dataFormat: 'NCX' }, ['bl']],
      ['lin', 'Linear', {}, ['nn']],
    ],
    { a: { weight: rnd([3, 3, 1, 1]), bias: rnd([3]) }, b: { weight: rnd([6, 3, 1, 1]), bias: rnd([6]) } },
  );
}

/** Dense on a flat vector and per pixel; Flatten of NCX data (a gather), Reshape, Transpose; Softmax. */
function denseAndReorder(): Model {
  return graphModel(
    [
      ['x', 'Input', { shape: [1, 3, 5, 3], dataFormat: 'NXC' }, []],
      ['pix', 'Dense', { units: 6, bias: true }, ['x']],
      ['tr', 'Transpose', { perm: [0, 3, 1, 2] }, ['pix']],
      ['fl', 'Flatten', { axis: 1 }, ['tr']],
      ['d1', 'Dense', { units: 10, bias: true }, ['fl']],
      ['th', 'Tanh', {}, ['d1']],
      ['rs', 'Reshape', { targetShape: [2, 5] }, ['th']],
      ['d2', 'Dense', { units: 7, bias: false }, ['rs']],
      ['sm', 'Softmax', { axis: -1 }, ['d2']],
    ],
    {
      pix: { weight: rnd([3, 6], -0.6, 0.7), bias: rnd([6]) },
      d1: { weight: rnd([90, 10], -0.3, 0.3), bias: rnd([10]) },
      d2: { weight: rnd([5, 7], -0.7, 0.6) },
    },
  );
}

export const MATRIX_GRAPHS: Record<string, () => Model> = { chain: convChain, variety: convVariety, oned: oneD, merges, dense: denseAndReorder };

export interface MatrixProject {
  top: string;
  model: Model;
  cfg: HlsConfig;
}

/** Per layer with multipliers: the smallest valid RF above 1, or the largest valid one (1 when none). */
function reuseFactors(model: Model, base: HlsConfig, pick: 'min' | 'max'): HlsConfig['layers'] {
  const r = resolveGraph(model, base);
  const out: HlsConfig['layers'] = {};
  for (const n of r.nodes) {
    const hls = getOp(n.node.type)?.hls;
    if (!hls) continue;
    const valid = validReuseFactors(hls.productBlocks(layerContext(model, n)));
    if (valid.length < 2) continue;
    const rf = pick === 'min' ? valid[1] : valid[Math.max(1, valid.length - 2)];
    out[n.node.name] = { reuseFactor: rf };
  }
  return out;
}

const VARIANTS: { tag: string; strategy: Strategy; rf: 'one' | 'min' | 'max' }[] = [
  { tag: 'lat1', strategy: 'latency', rf: 'one' },
  { tag: 'latrf', strategy: 'latency', rf: 'min' },
  { tag: 'resrf', strategy: 'resource', rf: 'max' },
];

export function matrixProjects(images = 2): MatrixProject[] {
  const out: MatrixProject[] = [];
  for (const [name, make] of Object.entries(MATRIX_GRAPHS)) {
    for (const io of ['io_parallel', 'io_stream'] as IoType[]) {
      for (const v of VARIANTS) {
        const model = make();
        const top = `${name}_${io === 'io_stream' ? 's' : 'p'}_${v.tag}`;
        const base = defaultHlsConfig({ io, top, testImages: images, seed: 3, defaults: { strategy: v.strategy } });
        const cfg = v.rf === 'one' ? base : { ...base, layers: reuseFactors(model, base, v.rf) };
        out.push({ top, model, cfg });
      }
    }
  }
  return out;
}
