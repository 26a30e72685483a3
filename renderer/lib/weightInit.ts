// Seeded weight initialisation in each op's canonical layout (the op's weight slots state it).
// Fan-in / fan-out follow PyTorch's rule on the canonical tensor: fan_in = shape[1]·∏shape[2:],
// fan_out = shape[0]·∏shape[2:]. For a ConvTranspose in IOX = (Cin, Cout/g, k…) that makes
// PyTorch's default U[−√k, √k] with k = 1/(Cout/g·∏k) — i.e. k = 1/(Cout·kh·kw) for groups = 1.
import type { WeightSlot } from '../../engine/ops/types';
import { seededRandom, sizeOf, type Shape, type Tensor } from '../../engine/tensor/tensor';

export type InitScheme = 'pytorch' | 'he' | 'glorot' | 'zeros';

export const INIT_SCHEMES: { id: InitScheme; label: string; rule: string }[] = [
  { id: 'pytorch', label: 'PyTorch default', rule: 'U[−√k, √k], k = 1/fan_in (fan_in = shape[1]·∏kernel)' },
  { id: 'he', label: 'He (Kaiming normal)', rule: 'N(0, 2/fan_in)' },
  { id: 'glorot', label: 'Glorot (Xavier uniform)', rule: 'U[−a, a], a = √(6/(fan_in + fan_out))' },
  { id: 'zeros', label: 'Zeros', rule: 'all 0' },
];

export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const rf = sizeOf(shape.slice(2));
  return { fanIn: shape[1] * rf, fanOut: shape[0] * rf };
}

/** FNV-1a of a string mixed with a seed: independent streams per node and slot. */
export function mixSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function uniform(shape: Shape, bound: number, seed: number): Tensor {
  const rnd = seededRandom(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = (2 * rnd() - 1) * bound;
  return { shape: [...shape], data };
}

function normal(shape: Shape, std: number, seed: number): Tensor {
  const rnd = seededRandom(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i += 2) {
    const u1 = Math.max(rnd(), 1e-12);
    const u2 = rnd();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    data[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return { shape: [...shape], data };
}

function fill(shape: Shape, v: number): Tensor {
  return { shape: [...shape], data: new Float32Array(sizeOf(shape)).fill(v) };
}

/** Slots that are not the main kernel: their value rule by name. */
function isScaleLike(name: string): boolean {
  return /^(gamma|scale|var|variance|running_var)$/i.test(name);
}
function isShiftLike(name: string): boolean {
  return /^(beta|shift|mean|running_mean)$/i.test(name);
}

/**
 * Initialises every slot of one node. The first slot with rank ≥ 2 is "the weight"; a 'bias' slot takes
 * PyTorch's bias bound 1/√fan_in of that weight (zeros under He / Glorot, as Keras does).
 */
export function initWeights(slots: readonly WeightSlot[], scheme: InitScheme, seed: number, nodeKey: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const main = slots.find((s) => s.shape.length >= 2) ?? slots[0];
  const { fanIn, fanOut } = main ? fans(main.shape) : { fanIn: 1, fanOut: 1 };
  for (const slot of slots) {
    const s = mixSeed(seed, `${nodeKey}/${slot.name}`);
    if (isScaleLike(slot.name)) out[slot.name] = fill(slot.shape, 1);
    else if (isShiftLike(slot.name)) out[slot.name] = fill(slot.shape, 0);
    else if (scheme === 'zeros') out[slot.name] = fill(slot.shape, 0);
    else if (slot === main) {
      if (scheme === 'pytorch') out[slot.name] = uniform(slot.shape, 1 / Math.sqrt(fanIn), s);
      else if (scheme === 'he') out[slot.name] = normal(slot.shape, Math.sqrt(2 / fanIn), s);
      else out[slot.name] = uniform(slot.shape, Math.sqrt(6 / (fanIn + fanOut)), s);
    } else if (scheme === 'pytorch') out[slot.name] = uniform(slot.shape, 1 / Math.sqrt(fanIn), s);
    else out[slot.name] = fill(slot.shape, 0);
  }
  return out;
}

/** True when the stored tensors match the slots exactly (names and shapes). */
export function weightsFit(slots: readonly WeightSlot[], stored: Readonly<Record<string, Tensor>> | undefined): boolean {
  if (!stored) return slots.length === 0;
  return slots.every((s) => {
    const t = stored[s.name];
    return !!t && t.shape.length === s.shape.length && t.shape.every((d, i) => d === s.shape[i]);
  });
}
