// Accelerated (WebAssembly SIMD) conv kernels. Each returns null where it does not apply, and the
// caller falls back to the JavaScript kernels. Placeholder until the SIMD kernels land.
import type { Tensor } from '../../../tensor/tensor';
import type { ConvGeometry } from '../geometry';

/** x: (N, Cin, …spatial) NCX; w: IOX (Cin, Cout/g, …k); returns (N, Cout, …out) or null. */
export function wasmConvTranspose(_x: Tensor, _w: Tensor, _bias: Float32Array | null, _g: ConvGeometry): Tensor | null {
  return null;
}

/** x: (N, Cin, …spatial) NCX; w: OIX (Cout, Cin/g, …k); returns (N, Cout, …out) or null. */
export function wasmConv(_x: Tensor, _w: Tensor, _bias: Float32Array | null, _g: ConvGeometry): Tensor | null {
  return null;
}
