// Test helper (not shipped code): a Keras 1D U-Net like the one in hls4ml issue 860 — input L×1, an encoder of
// Conv1D (stride 2 after the first) + BatchNormalization + LeakyReLU widening the channels, a decoder of
// Conv1DTranspose (stride 2) + BatchNormalization + LeakyReLU with Concatenate skips, a 1×1 Conv1D head — and
// its TensorFlow.js twin: tfjs has no Conv1DTranspose layer, so there each one is Reshape(1, L, C) →
// Conv2DTranspose((1, k), strides (1, 2)) → Reshape, with the same kernel ((k, out, in) as (1, k, out, in)).
import { randomTensor, type Tensor } from '../../tensor/tensor';
import { batchNorm, conv, plain, type LayerSpec, type ModelSpec } from './writer.testutil';

export interface Unet1dOptions {
  length: number;
  /** Encoder widths, e.g. [64, 128, 256, 512]; the decoder comes back through all but the last. */
  channels: number[];
  seed?: number;
  /** Weight scale (small channel counts keep values in a fixed-point range). */
  scale?: number;
}

export function unet1d(o: Unet1dOptions): { keras: ModelSpec; tfjs: ModelSpec } {
  let seed = o.seed ?? 860;
  const s = o.scale ?? 1;
  const rnd = (shape: number[], lo = -1, hi = 1): Tensor => randomTensor(shape, seed++, lo * s, hi * s);
  const bnWeights = (c: number) => [randomTensor([c], seed++, 0.5, 1.5), randomTensor([c], seed++, -0.2, 0.2), randomTensor([c], seed++, -0.2, 0.2), randomTensor([c], seed++, 0.5, 2)];
  const keras: LayerSpec[] = [];
  const tfjs: LayerSpec[] = [];
  const both = (l: LayerSpec) => {
    keras.push(l);
    tfjs.push(l);
  };
  /** The layers computing `name` (per target), then BatchNormalization and LeakyReLU; returns the LeakyReLU's name. */
  const block = (name: string, kerasLayers: LayerSpec[], tfjsLayers: LayerSpec[], filters: number) => {
    const bn = batchNorm(`${name}_bn`, {}, bnWeights(filters));
    keras.push(...kerasLayers, { ...bn, inputs: [kerasLayers[kerasLayers.length - 1].name] });
    tfjs.push(...tfjsLayers, { ...bn, inputs: [tfjsLayers[tfjsLayers.length - 1].name] });
    both(plain('LeakyReLU', `${name}_act`, { alpha: 0.2 }, [`${name}_bn`]));
    return `${name}_act`;
  };
  let prev = 'x';
  let cin = 1;
  let len = o.length;
  const skips: { name: string; c: number }[] = [];
  o.channels.forEach((c, i) => {
    const name = `enc${i}`;
    const w = [rnd([3, cin, c], -1 / Math.sqrt(3 * cin), 1 / Math.sqrt(3 * cin)), rnd([c], -0.1, 0.1)];
    const input = prev;
    const layer = { ...conv('Conv1D', name, 1, { filters: c, kernel_size: [3], strides: [i === 0 ? 1 : 2], padding: 'same' }, w), inputs: [input] };
    prev = block(name, [layer], [layer], c);
    if (i > 0) len /= 2;
    skips.push({ name: prev, c });
    cin = c;
  });
  for (let i = o.channels.length - 2; i >= 0; i--) {
    const c = o.channels[i];
    const name = `dec${i}`;
    const kernel = rnd([3, c, cin], -1 / Math.sqrt(3 * cin), 1 / Math.sqrt(3 * cin));
    const bias = rnd([c], -0.1, 0.1);
    const input = prev;
    const inLen = len;
    prev = block(
      name,
      [{ ...conv('Conv1DTranspose', name, 1, { filters: c, kernel_size: [3], strides: [2], padding: 'same' }, [kernel, bias]), inputs: [input] }],
      [
        plain('Reshape', `${name}_to2d`, { target_shape: [1, inLen, cin] }, [input]),
        { ...conv('Conv2DTranspose', name, 2, { filters: c, kernel_size: [1, 3], strides: [1, 2], padding: 'same' }, [{ shape: [1, 3, c, cin], data: kernel.data }, bias]), inputs: [`${name}_to2d`] },
        plain('Reshape', `${name}_to1d`, { target_shape: [inLen * 2, c] }, [name]),
      ],
      c,
    );
    len *= 2;
    both(plain('Concatenate', `cat${i}`, { axis: -1 }, [prev, skips[i].name]));
    prev = `cat${i}`;
    cin = 2 * c;
  }
  both({ ...conv('Conv1D', 'head', 1, { filters: 1, kernel_size: [1], padding: 'same' }, [rnd([1, cin, 1], -1 / Math.sqrt(cin), 1 / Math.sqrt(cin)), rnd([1], -0.1, 0.1)]), inputs: [prev] });
  const inputs = [{ name: 'x', shape: [null, o.length, 1] }];
  return {
    keras: { kind: 'Functional', name: 'unet1d', inputs, layers: keras, outputs: ['head'] },
    tfjs: { kind: 'Functional', name: 'unet1d', inputs, layers: tfjs, outputs: ['head'] },
  };
}
