// Checks the wasm conv kernels of one flavour against the references on seeded random geometries
// and prints one JSON line {flavor, ran, worst, worstCase}. Used by engine/ops/conv/wasm/wasm.test.ts
// to test the relaxed-SIMD kernels where they need a flag:
//   node --experimental-wasm-relaxed-simd bin/run-ts.mjs scripts/wasm-conv-selfcheck.ts fma 400 7
import { setWasmConvFlavor, wasmConvFlavor, type WasmConvFlavor } from '../engine/ops/conv/wasm';
import { checkRandomCases } from '../engine/ops/conv/wasm/check';

const [flavorArg = 'auto', countArg = '300', seedArg = '1'] = process.argv.slice(2);
if (!['auto', 'fma', 'simd'].includes(flavorArg)) {
  console.error(`wasm-conv-selfcheck: flavour must be auto, fma or simd, got ${flavorArg}`);
  process.exit(2);
}
if (!setWasmConvFlavor(flavorArg as WasmConvFlavor | 'auto')) {
  console.error(`wasm-conv-selfcheck: the ${flavorArg} kernels cannot run here (for fma: node --experimental-wasm-relaxed-simd on Node 20)`);
  process.exit(1);
}
const res = checkRandomCases(Number(countArg), Number(seedArg));
console.log(JSON.stringify({ flavor: wasmConvFlavor(), ...res }));
