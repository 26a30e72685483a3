// Conv / ConvTranspose kernels vs peers on the BENCHMARKS.md layers, float32, batch 1, one thread:
// the engine's fast dispatch (WebAssembly kernel if it accepts the case, else JS), the engine's JS
// kernel alone, onnxruntime-node (intraOpNumThreads 1, weights as initializers) and
// tfjs-backend-wasm (setThreadsCount(1)) conv2dTranspose / conv2d. No bias (tfjs has none).
import path from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { measure, printTable, type BenchOptions, type BenchRow, type BenchSuite, type Contender } from './harness';
import { fastConv, fastConvTranspose, jsConv, jsConvTranspose } from '../engine/ops/conv/kernels';
import type { ConvGeometry } from '../engine/ops/conv/geometry';
import { oneNodeModel } from '../engine/ops/conv/oracle-helpers';
import { randomTensor, transpose } from '../engine/tensor/tensor';

interface Layer {
  name: string;
  transpose: boolean;
  cin: number;
  cout: number;
  h: number;
  w: number;
  k: number;
  s: number;
  /** Canonical pads (begin, end), same on both axes. */
  pb: number;
  pe: number;
  /** tfjs padding giving the same output. */
  tfPad: 'same' | 'valid';
}

const layers: Layer[] = [
  { name: '(a) 100×1×1 → 512×4×4 k4 s1 p0', transpose: true, cin: 100, cout: 512, h: 1, w: 1, k: 4, s: 1, pb: 0, pe: 0, tfPad: 'valid' },
  { name: '(b) 512×4×4 → 256×8×8 k4 s2 p1', transpose: true, cin: 512, cout: 256, h: 4, w: 4, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: '(c) 256×8×8 → 128×16×16 k4 s2 p1', transpose: true, cin: 256, cout: 128, h: 8, w: 8, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: '(d) 128×16×16 → 64×32×32 k4 s2 p1', transpose: true, cin: 128, cout: 64, h: 16, w: 16, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: '(e) 64×32×32 → 3×64×64 k4 s2 p1', transpose: true, cin: 64, cout: 3, h: 32, w: 32, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
  { name: 'U-Net 256×8×8 → 128×16×16 k2 s2', transpose: true, cin: 256, cout: 128, h: 8, w: 8, k: 2, s: 2, pb: 0, pe: 0, tfPad: 'valid' },
  { name: 'tiny 4×16×16 → 8×32×32 k3 s2 (Keras same)', transpose: true, cin: 4, cout: 8, h: 16, w: 16, k: 3, s: 2, pb: 0, pe: 1, tfPad: 'same' },
  { name: 'Conv 64×32×32 → 128×16×16 k4 s2 p1', transpose: false, cin: 64, cout: 128, h: 32, w: 32, k: 4, s: 2, pb: 1, pe: 1, tfPad: 'same' },
];

async function initTfWasm(): Promise<boolean> {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(dir + path.sep);
    setThreadsCount(1);
    return await tf.setBackend('wasm');
  } catch (e) {
    console.log(`tfjs-backend-wasm unavailable: ${(e as Error).message}`);
    return false;
  }
}

async function layerCase(l: Layer, tfOk: boolean): Promise<{ contenders: Contender[]; macs: number; cleanup: () => Promise<void> }> {
  const x = randomTensor([1, l.cin, l.h, l.w], 1);
  const g: ConvGeometry = { kernel: [l.k, l.k], stride: [l.s, l.s], dilation: [1, 1], padsBegin: [l.pb, l.pb], padsEnd: [l.pe, l.pe], outputPadding: [0, 0], groups: 1 };
  const wShape = l.transpose ? [l.cin, l.cout, l.k, l.k] : [l.cout, l.cin, l.k, l.k];
  const w = randomTensor(wShape, 2);
  const oh = l.transpose ? (l.h - 1) * l.s + l.k - l.pb - l.pe : Math.floor((l.h + l.pb + l.pe - l.k) / l.s) + 1;
  const ow = l.transpose ? (l.w - 1) * l.s + l.k - l.pb - l.pe : Math.floor((l.w + l.pb + l.pe - l.k) / l.s) + 1;
  const macs = l.transpose ? l.cin * l.cout * l.k * l.k * l.h * l.w : l.cin * l.cout * l.k * l.k * oh * ow;
  const session = await ort.InferenceSession.create(oneNodeModel({
    opType: l.transpose ? 'ConvTranspose' : 'Conv',
    inputs: [{ name: 'x', shape: x.shape }, { name: 'w', shape: w.shape }],
    initializers: { w: w.data },
    output: { name: 'y' },
    attributes: { kernel_shape: [l.k, l.k], strides: [l.s, l.s], pads: [l.pb, l.pb, l.pe, l.pe] },
  }), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const feeds = { x: new ort.Tensor('float32', x.data, [...x.shape]) };
  const contenders: Contender[] = l.transpose
    ? [
        { name: 'engine fast (wasm→JS)', run: () => fastConvTranspose(x, w, null, g) },
        { name: 'engine JS', run: () => jsConvTranspose(x, w, null, g) },
      ]
    : [
        { name: 'engine fast (wasm→JS)', run: () => fastConv(x, w, null, g) },
        { name: 'engine JS', run: () => jsConv(x, w, null, g) },
      ];
  contenders.push({ name: 'onnxruntime-node 1 thread', run: () => session.run(feeds) });
  let tfx: tf.Tensor4D | null = null, tfw: tf.Tensor4D | null = null;
  if (tfOk) {
    tfx = tf.tensor4d(transpose(x, [0, 2, 3, 1]).data, [1, l.h, l.w, l.cin]);
    if (l.transpose) {
      tfw = tf.tensor4d(transpose(w, [2, 3, 1, 0]).data, [l.k, l.k, l.cout, l.cin]); // XOI
      const xt = tfx, wt = tfw;
      contenders.push({
        name: 'tfjs-wasm conv2dTranspose 1 thread',
        run: () => {
          const y = tf.conv2dTranspose(xt, wt, [1, oh, ow, l.cout], l.s, l.tfPad);
          y.dataSync();
          y.dispose();
        },
      });
    } else {
      tfw = tf.tensor4d(transpose(w, [2, 3, 1, 0]).data, [l.k, l.k, l.cin, l.cout]); // XIO
      const xt = tfx, wt = tfw;
      contenders.push({
        name: 'tfjs-wasm conv2d 1 thread',
        run: () => {
          const y = tf.conv2d(xt, wt, l.s, l.tfPad);
          y.dataSync();
          y.dispose();
        },
      });
    }
  }
  // Sanity: every contender computes the same layer (compared with the engine's JS kernel, NCHW).
  const want = (l.transpose ? jsConvTranspose(x, w, null, g) : jsConv(x, w, null, g)).data;
  const outs: [string, Float32Array][] = [
    ['engine fast', (l.transpose ? fastConvTranspose(x, w, null, g) : fastConv(x, w, null, g)).data],
    ['onnxruntime', (await session.run(feeds)).y.data as Float32Array],
  ];
  if (tfx && tfw) {
    const y = l.transpose ? tf.conv2dTranspose(tfx, tfw, [1, oh, ow, l.cout], l.s, l.tfPad) : tf.conv2d(tfx, tfw, l.s, l.tfPad);
    outs.push(['tfjs', transpose({ shape: [1, oh, ow, l.cout], data: y.dataSync() as Float32Array }, [0, 3, 1, 2]).data]);
    y.dispose();
  }
  let scale = 1;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  for (const [name, got] of outs) {
    let err = got.length === want.length ? 0 : Infinity;
    for (let i = 0; i < want.length && err !== Infinity; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    if (!(err <= 1e-3 * scale)) console.log(`WARNING ${l.name}: ${name} differs from the engine's JS kernel (max abs error ${err})`);
  }
  return {
    contenders,
    macs,
    cleanup: async () => {
      await session.release();
      tfx?.dispose();
      tfw?.dispose();
    },
  };
}

export const convBench: BenchSuite = {
  name: 'conv',
  async run(opts: BenchOptions) {
    const tfOk = await initTfWasm();
    const rows: BenchRow[] = [];
    for (const l of layers) {
      const c = await layerCase(l, tfOk);
      rows.push(...(await measure({ name: l.name, macs: c.macs, contenders: c.contenders }, opts)));
      await c.cleanup();
    }
    printTable('Conv / ConvTranspose, float32, batch 1, single thread (medians; GFLOP/s = 2·useful MACs / CPU-time median)', rows);
  },
};
