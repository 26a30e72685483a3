// Quick throughput check of the WebAssembly SIMD conv kernels on the BENCHMARKS.md layers
// (single thread, median of ≥ 20 runs after warm-up). Not a test; bench/ has the full comparison.
// Run: node bin/run-ts.mjs scripts/bench-wasm-conv.ts [runs]
// (on Node 20 add --experimental-wasm-relaxed-simd after `node` to measure the FMA kernels).
import { seededRandom, type Tensor } from '../engine/tensor/tensor';
import type { ConvGeometry } from '../engine/ops/conv/geometry';
import { wasmConv, wasmConvFlavor, wasmConvTranspose } from '../engine/ops/conv/wasm';

function rand(shape: number[], seed: number): Tensor {
  const r = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = r() * 2 - 1;
  return { shape, data };
}

interface Layer {
  name: string;
  transposed: boolean;
  cin: number;
  cout: number;
  size: number;
  k: number;
  s: number;
  p: number;
}

const layers: Layer[] = [
  { name: '(a) 100x1x1 -> 512x4x4 k4 s1 p0', transposed: true, cin: 100, cout: 512, size: 1, k: 4, s: 1, p: 0 },
  { name: '(b) 512x4x4 -> 256x8x8', transposed: true, cin: 512, cout: 256, size: 4, k: 4, s: 2, p: 1 },
  { name: '(c) 256x8x8 -> 128x16x16', transposed: true, cin: 256, cout: 128, size: 8, k: 4, s: 2, p: 1 },
  { name: '(d) 128x16x16 -> 64x32x32', transposed: true, cin: 128, cout: 64, size: 16, k: 4, s: 2, p: 1 },
  { name: '(e) 64x32x32 -> 3x64x64', transposed: true, cin: 64, cout: 3, size: 32, k: 4, s: 2, p: 1 },
  { name: 'U-Net 256x8x8 -> 128x16x16 k2 s2', transposed: true, cin: 256, cout: 128, size: 8, k: 2, s: 2, p: 0 },
  { name: 'tiny 4x16x16 -> 8 k3 s2 (ConvT)', transposed: true, cin: 4, cout: 8, size: 16, k: 3, s: 2, p: 0 },
  { name: 'Conv2d 128x32x32 -> 64 k3 s1 p1', transposed: false, cin: 128, cout: 64, size: 32, k: 3, s: 1, p: 1 },
  { name: 'Conv2d 64x32x32 -> 128 k4 s2 p1', transposed: false, cin: 64, cout: 128, size: 32, k: 4, s: 2, p: 1 },
];

const runs = Number(process.argv[2] ?? 30);
console.log(`wasm conv kernels: ${wasmConvFlavor() ?? 'unavailable'}; ${runs} runs per layer`);
for (const L of layers) {
  const g: ConvGeometry = {
    kernel: [L.k, L.k],
    stride: [L.s, L.s],
    dilation: [1, 1],
    padsBegin: [L.p, L.p],
    padsEnd: [L.p, L.p],
    outputPadding: [0, 0],
    groups: 1,
  };
  const x = rand([1, L.cin, L.size, L.size], 1);
  const w = L.transposed ? rand([L.cin, L.cout, L.k, L.k], 2) : rand([L.cout, L.cin, L.k, L.k], 2);
  const bias = rand([L.cout], 3).data;
  const f = () => (L.transposed ? wasmConvTranspose(x, w, bias, g) : wasmConv(x, w, bias, g));
  const y = f();
  if (!y) throw new Error(`${L.name}: kernel returned null`);
  for (let i = 0; i < 5; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  const best = times[0];
  // ConvTranspose: useful MACs = Cin·Cout·k²·Hin·Win; Conv: Cout·Cin·k²·Hout·Wout.
  const outHW = y.shape[2] * y.shape[3];
  const macs = L.transposed ? L.cin * L.cout * L.k * L.k * L.size * L.size : L.cout * L.cin * L.k * L.k * outHW;
  const gf = (t: number) => ((2 * macs) / t / 1e6).toFixed(1).padStart(6);
  console.log(`${L.name.padEnd(36)} median ${med.toFixed(3).padStart(8)} ms ${gf(med)} GFLOP/s   best ${best.toFixed(3).padStart(8)} ms ${gf(best)} GFLOP/s`);
}
