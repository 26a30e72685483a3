// Reuse-factor and parallelization-factor rules, derived from Tessera's templates (README.md):
// the reuse loop walks a layer's P products per output pixel (per ConvTranspose phase, padded to the
// largest phase) output-major in RF rounds of P / RF multiplications, so RF is valid iff it divides P
// (for every product block). Invalid values are errors naming the nearest valid ones — never snapped.
import type { DiagnosticSink } from '../diagnostics/diagnostics';
import type { IoType } from './config';
import type { ProductBlock } from '../ops/hls-layer';
import { gcd } from '../ops/reuse-rounds';


export function divisors(n: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d === 0) {
      small.push(d);
      if (d * d !== n) large.unshift(n / d);
    }
  }
  return [...small, ...large];
}

/** Every valid reuse factor of a layer, ascending ([1] for layers without multipliers). */
export function validReuseFactors(blocks: readonly ProductBlock[]): number[] {
  const ps = blocks.map((b) => b.products).filter((p) => p > 0);
  if (ps.length === 0) return [1];
  return divisors(ps.reduce(gcd));
}

/** The valid values closest to `value` (at most one below and one above). */
export function nearestValid(valid: readonly number[], value: number): number[] {
  const below = valid.filter((v) => v < value);
  const above = valid.filter((v) => v > value);
  const out: number[] = [];
  if (below.length) out.push(below[below.length - 1]);
  if (above.length) out.push(above[0]);
  return out;
}

export interface ReuseInfo {
  valid: number[];
  /** Multipliers at a given RF: P / RF (the largest block). */
  multipliers(rf: number): number;
  blocks: readonly ProductBlock[];
}

export function reuseInfo(blocks: readonly ProductBlock[]): ReuseInfo {
  const valid = validReuseFactors(blocks);
  const maxP = Math.max(0, ...blocks.map((b) => b.products));
  return { valid, blocks, multipliers: (rf) => Math.ceil(maxP / rf) };
}

function listValid(valid: readonly number[]): string {
  return valid.length <= 12 ? valid.join(', ') : `${valid.slice(0, 6).join(', ')}, …, ${valid.slice(-3).join(', ')}`;
}

/** Reports an invalid reuse factor; returns true when valid. */
export function checkReuseFactor(rf: number, blocks: readonly ProductBlock[], sink: DiagnosticSink): boolean {
  const valid = validReuseFactors(blocks);
  if (valid.includes(rf)) return true;
  const near = nearestValid(valid, rf);
  const ps = blocks.filter((b) => b.products > 0);
  const rule = ps.length === 0
    ? 'a layer without multipliers takes reuse factor 1'
    : ps.length === 1
      ? `the reuse factor divides the ${ps[0].products} products per output pixel (valid: ${listValid(valid)})`
      : `the reuse factor divides the products of every phase (${ps.map((b) => `${b.label}: ${b.products}`).join(', ')}; valid: ${listValid(valid)})`;
  sink.error('hls-reuse-factor', 'reuseFactor', rf, rule, `use ${near.join(' or ')}`);
  return false;
}

/** Valid parallelization factors: divisors of the output pixel count (io_parallel); io_stream: [1]. */
export function validParallelizationFactors(io: IoType, pixels: number | undefined): number[] {
  if (io === 'io_stream' || pixels === undefined) return [1];
  return divisors(pixels);
}

export function checkParallelizationFactor(pf: number, io: IoType, pixels: number | undefined, sink: DiagnosticSink): boolean {
  const valid = validParallelizationFactors(io, pixels);
  if (valid.includes(pf)) return true;
  if (io === 'io_stream') {
    sink.error('hls-parallelization-factor', 'parallelizationFactor', pf, 'io_stream layers take parallelization factor 1 (one pixel per element)', 'set parallelizationFactor to 1, or use io_parallel');
  } else if (pixels === undefined) {
    sink.error('hls-parallelization-factor', 'parallelizationFactor', pf, 'this layer has no parallelization factor (it must be 1)', 'set parallelizationFactor to 1');
  } else {
    sink.error('hls-parallelization-factor', 'parallelizationFactor', pf, `the parallelization factor divides the ${pixels} output pixels (valid: ${listValid(valid)})`, `use ${nearestValid(valid, pf).join(' or ')}`);
  }
  return false;
}
