// Cropping ↔ ONNX Slice: export runs in onnxruntime like the engine; Slice on spatial axes of computed
// data imports as Cropping (constant starts/ends/axes, steps 1; negative and clamped ends as ONNX
// defines them); other Slices of computed data are one clear error.
import { describe, expect, it } from 'vitest';
import { exportOnnx } from './export';
import { importOnnx } from './import';
import { buildOnnxModel } from './proto';
import { expectClose, expectMatchesOrt, runOrt } from './oracle.testutil';
import { simulateFloat } from '../../sim/float';
import type { Graph, Model } from '../../graph/model';
import { randomTensor } from '../../tensor/tensor';

function model(inShape: number[], fmt: 'NCX' | 'NXC', cropBegin: number[], cropEnd: number[]): Model {
  const graph: Graph = {
    version: 1,
    nodes: [
      { id: 'in', type: 'Input', name: 'x', params: { shape: inShape, dataFormat: fmt } },
      { id: 'crop', type: 'Cropping', name: 'crop', params: { cropBegin, cropEnd, dataFormat: fmt } },
      { id: 'act', type: 'Tanh', name: 'y', params: {} },
    ],
    edges: [
      { id: 'e1', source: 'in', sourcePort: 0, target: 'crop', targetPort: 0 },
      { id: 'e2', source: 'crop', sourcePort: 0, target: 'act', targetPort: 0 },
    ],
  };
  return { graph, weights: {} };
}

/** One Slice node on x with int64 constant inputs (omitted ones left out). */
function sliceModel(shape: number[], outShape: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): Uint8Array {
  const consts: [string, number[] | undefined][] = [['starts', starts], ['ends', ends], ['axes', axes], ['steps', steps]];
  const given = consts.filter((c): c is [string, number[]] => c[1] !== undefined);
  return buildOnnxModel({
    inputs: [{ name: 'x', shape }],
    outputs: [{ name: 'y', shape: outShape }],
    nodes: [{ op: 'Slice', inputs: ['x', ...consts.slice(0, given.length).map((c) => c[0])], outputs: ['y'] }],
    initializers: given.map(([name, data]) => ({ name, dims: [data.length], data, dtype: 'int64' as const })),
  });
}

describe('Cropping ↔ ONNX Slice', () => {
  it.each([
    ['2D NCX', [2, 3, 7, 6], 'NCX', [1, 2], [2, 0]],
    ['2D NXC', [1, 7, 6, 3], 'NXC', [0, 3], [4, 1]],
    ['1D NCX', [1, 4, 9], 'NCX', [3], [1]],
    ['1D NXC', [2, 9, 4], 'NXC', [2], [5]],
  ] as const)('%s: export matches onnxruntime and imports back as the same Cropping', async (_name, shape, fmt, cb, ce) => {
    const m = model([...shape], fmt, [...cb], [...ce]);
    const bytes = exportOnnx(m);
    const x = randomTensor([...shape], 7);
    const want = simulateFloat(m, { in: x }).outputs.y;
    const got = (await runOrt(bytes, { x })).y;
    expect(got.shape).toEqual(want.shape);
    expectClose(got, want, 1e-6); // Tanh after the crop: a last-bit difference at most
    const imp = await expectMatchesOrt(bytes, 3, 1e-6);
    const crops = imp.model.graph.nodes.filter((n) => n.type === 'Cropping');
    expect(crops).toHaveLength(1);
    // NXC: the Transposes around the Slice fold away on import, so the layer comes back as it was.
    expect(crops[0].params).toEqual({ cropBegin: cb, cropEnd: ce, dataFormat: fmt });
    expect(imp.model.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Cropping', 'Tanh']);
  });

  it('imports Slice forms exporters write: negative ends, clamped huge ends, negative axes, no steps', async () => {
    // PyTorch x[:, :, 1:-2, 2:] → ends INT64_MAX-like; axes given as negatives.
    const bytes = sliceModel([1, 3, 8, 7], [1, 3, 5, 5], [1, 2], [-2, 2 ** 40], [-2, -1]);
    const imp = await expectMatchesOrt(bytes, 5, 0);
    const crop = imp.model.graph.nodes.find((n) => n.type === 'Cropping')!;
    expect(crop.params).toEqual({ cropBegin: [1, 2], cropEnd: [2, 0], dataFormat: 'NCX' });
    // Default axes (0..): a full slice of N and C, crop on the 1D spatial axis.
    const imp1 = await expectMatchesOrt(sliceModel([2, 3, 10], [2, 3, 6], [0, 0, 3], [2, 3, 9]), 6, 0);
    expect(imp1.model.graph.nodes.find((n) => n.type === 'Cropping')!.params).toEqual({ cropBegin: [3], cropEnd: [1], dataFormat: 'NCX' });
  });

  it('refuses Slices of computed data that are not a crop, naming the argument', () => {
    const err = (b: Uint8Array) => {
      try {
        importOnnx(b);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err(sliceModel([1, 4, 5, 5], [1, 2, 5, 5], [1], [3], [1]))).toMatch(/batch or channel axis.*axes/);
    expect(err(sliceModel([1, 4, 6, 5], [1, 4, 3, 5], [0], [6], [2], [2]))).toMatch(/step 2 on computed data is not supported/);
  });
});
