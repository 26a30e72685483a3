// The engine caches what it derives from a weight array (quantized and re-laid-out fixed-point weights,
// packed WebAssembly weights) by the array's identity. Weight arrays are values (engine/graph/model.ts); code
// that edits one in place calls this afterwards.
import { invalidatePreparedWeights } from '../fixed/fast';
import { invalidateWasmConvWeights } from './conv/wasm/index';

/** After editing a weight array in place: drops every engine cache derived from it (fixed-point and float). */
export function invalidateWeightCaches(data: Float32Array): void {
  invalidatePreparedWeights(data);
  invalidateWasmConvWeights(data);
}
