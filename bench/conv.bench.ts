// Conv / ConvTranspose kernels vs peers on the BENCHMARKS.md layers, float32, batch 1, one thread:
// the engine's fast dispatch (WebAssembly kernel if it accepts the case, else JS) with the relaxed-SIMD
// multiply-add kernels where this runtime has them (npm run bench turns them on in Node 20; Electron's V8
// has them) and with the SIMD128 kernels, the engine's JS kernel alone, onnxruntime-web (WebAssembly
// SIMD, one thread: the peer that runs in the same sandbox as the preview's Web Worker), onnxruntime-node
// (native MLAS, intraOpNumThreads 1; weights as initializers in both) and tfjs-backend-wasm
// (setThreadsCount(1)) conv2dTranspose / conv2d. No bias (tfjs has none).
import path from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { measure, printTable, type BenchOptions, type BenchRow, type BenchSuite, type Contender } from './harness';
import { fastConv, fastConvTranspose, jsConv, jsConvTranspose } from '../engine/ops/conv/kernels';
import { setWasmConvFlavor, wasmConvFlavor, type WasmConvFlavor } from '../engine/ops/conv/wasm';
import { BENCH_LAYERS, benchLayerShape, type BenchLayer } from './layers';
import { oneNodeModel } from '../engine/ops/conv/oracle-helpers';
import { randomTensor, transpose } from '../engine/tensor/tensor';

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

/** The wasm kernel flavours this runtime runs, best first ('fma' needs relaxed SIMD). */
function flavoursHere(): WasmConvFlavor[] {
  const have = (['fma', 'simd'] as const).filter((f) => setWasmConvFlavor(f));
  setWasmConvFlavor('auto');
  return have;
}

async function layerCase(l: BenchLayer, tfOk: boolean, flavours: WasmConvFlavor[]): Promise<{ contenders: Contender[]; macs: number; cleanup: () => Promise<void> }> {
  const x = randomTensor([1, l.cin, l.h, l.w], 1);
  const wShape = l.transpose ? [l.cin, l.cout, l.k, l.k] : [l.cout, l.cin, l.k, l.k];
  const w = randomTensor(wShape, 2);
  const { g, oh, ow, macs } = benchLayerShape(l);
  const model = oneNodeModel({
    opType: l.transpose ? 'ConvTranspose' : 'Conv',
    inputs: [{ name: 'x', shape: x.shape }, { name: 'w', shape: w.shape }],
    initializers: { w: w.data },
    output: { name: 'y' },
    attributes: { kernel_shape: [l.k, l.k], strides: [l.s, l.s], pads: [l.pb, l.pb, l.pe, l.pe] },
  });
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const feeds = { x: new ort.Tensor('float32', x.data, [...x.shape]) };
  const webSession = await ortWeb.InferenceSession.create(model, { executionProviders: ['wasm'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const webFeeds = { x: new ortWeb.Tensor('float32', x.data, [...x.shape]) };
  const fast = l.transpose ? fastConvTranspose : fastConv;
  const js = l.transpose ? jsConvTranspose : jsConv;
  const label: Record<WasmConvFlavor, string> = { fma: 'engine wasm relaxed-SIMD FMA', simd: 'engine wasm SIMD128' };
  const contenders: Contender[] = flavours.map((f) => ({
    name: label[f],
    run: () => {
      if (wasmConvFlavor() !== f) setWasmConvFlavor(f);
      return fast(x, w, null, g);
    },
  }));
  if (!flavours.length) contenders.push({ name: 'engine fast (no wasm here: JS)', run: () => fast(x, w, null, g) });
  contenders.push({ name: 'engine JS', run: () => js(x, w, null, g) });
  contenders.push({ name: 'onnxruntime-web wasm 1 thread', run: () => webSession.run(webFeeds) });
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
  const want = js(x, w, null, g).data;
  const outs: [string, Float32Array][] = [];
  for (const f of flavours) {
    setWasmConvFlavor(f);
    outs.push([`engine ${f}`, fast(x, w, null, g).data]);
  }
  setWasmConvFlavor('auto');
  outs.push(['onnxruntime-node', (await session.run(feeds)).y.data as Float32Array]);
  outs.push(['onnxruntime-web', (await webSession.run(webFeeds)).y.data as Float32Array]);
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
      await webSession.release();
      tfx?.dispose();
      tfw?.dispose();
    },
  };
}

export const convBench: BenchSuite = {
  name: 'conv',
  async run(opts: BenchOptions) {
    const tfOk = await initTfWasm();
    ortWeb.env.wasm.numThreads = 1;
    const flavours = flavoursHere();
    if (!flavours.includes('fma')) console.log('relaxed SIMD is off in this runtime: no FMA kernels measured (Node 20 needs --experimental-wasm-relaxed-simd; npm run bench passes it)');
    const rows: BenchRow[] = [];
    for (const l of BENCH_LAYERS) {
      const c = await layerCase(l, tfOk, flavours);
      rows.push(...(await measure({ name: l.name, macs: c.macs, contenders: c.contenders }, opts)));
      await c.cleanup();
    }
    setWasmConvFlavor('auto');
    printTable('Conv / ConvTranspose, float32, batch 1, single thread (medians; GFLOP/s = 2·useful MACs / CPU-time median)', rows);
  },
};
