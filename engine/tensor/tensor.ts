// Dense float32 tensors, row-major. Shapes include the batch axis where the graph has one.

export type Shape = readonly number[];

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape (last axis contiguous). */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function tensor(shape: Shape, data?: Float32Array | ArrayLike<number>): Tensor {
  const n = sizeOf(shape);
  const buf = data instanceof Float32Array ? data : data ? Float32Array.from(data) : new Float32Array(n);
  if (buf.length !== n) throw new RangeError(`tensor data has ${buf.length} values, shape [${shape.join(', ')}] needs ${n}`);
  return { shape: [...shape], data: buf };
}

export function zeros(shape: Shape): Tensor {
  return { shape: [...shape], data: new Float32Array(sizeOf(shape)) };
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return shape.join('×');
}

/** Permutes axes: result axis i is input axis perm[i]. */
export function transpose(t: Tensor, perm: readonly number[]): Tensor {
  const rank = t.shape.length;
  if (perm.length !== rank) throw new RangeError(`transpose: perm has ${perm.length} axes, tensor has ${rank}`);
  const outShape = perm.map((p) => t.shape[p]);
  const inStrides = stridesOf(t.shape);
  const srcStride = perm.map((p) => inStrides[p]);
  const out = new Float32Array(t.data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = t.data[src];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      src += srcStride[a];
      if (idx[a] < outShape[a]) break;
      src -= srcStride[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** Deterministic PRNG (mulberry32) for seeded inputs and weights. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(shape: Shape, seed: number, lo = -1, hi = 1): Tensor {
  const rnd = seededRandom(seed);
  const t = zeros(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * rnd();
  return t;
}
