// Importing one weight slot of one layer from a .npy file, with the layout the file was saved in
// stated by the user: Conv / ConvTranspose weights in PyTorch/ONNX, Keras/TF, oneDNN or cuDNN order
// (engine/tensor/layouts.ts converts them to the canonical order), Dense weights as (in, units) or
// PyTorch's (units, in), everything else as is. A shape that does not fit gives one message naming
// the file, its shape, the shape the slot needs in the chosen layout, and the fix.
import { NpyError, readNpy } from '../../engine/interop/npy';
import { WEIGHT_LAYOUTS, weightFromCanonical, weightToCanonical, type ConvKind } from '../../engine/tensor/layouts';
import { transpose, type Tensor } from '../../engine/tensor/tensor';

export interface SlotInfo {
  name: string;
  shape: readonly number[];
  layout: string;
}

export interface LayoutChoice {
  id: string;
  label: string;
}

const convKind = (opType: string): ConvKind | null => (/^ConvTranspose\dD$/.test(opType) ? 'convTranspose' : /^Conv\dD$/.test(opType) ? 'conv' : null);

/** Layouts a file for this slot may be in; the first one is the slot's own (canonical) layout. */
export function layoutChoices(opType: string, slot: string): LayoutChoice[] {
  const kind = convKind(opType);
  if (kind && slot === 'weight') return Object.entries(WEIGHT_LAYOUTS[kind]).map(([id, l]) => ({ id, label: l.label }));
  if (opType === 'Dense' && slot === 'weight') {
    return [
      { id: 'io', label: 'Keras/TF, ONNX Gemm IO (in, units)' },
      { id: 'pytorch', label: 'PyTorch Linear OI (units, in)' },
    ];
  }
  return [{ id: 'as-is', label: 'as stored' }];
}

const fmt = (s: readonly number[]) => `(${s.join(', ')})`;

/** The shape a file in `layoutId` must have to fill `slot` (null when the layout is unknown). */
export function expectedShape(opType: string, slot: SlotInfo, layoutId: string, groups = 1): number[] | null {
  const kind = convKind(opType);
  if (kind && slot.name === 'weight') {
    const layout = (WEIGHT_LAYOUTS[kind] as Record<string, (typeof WEIGHT_LAYOUTS)[ConvKind][keyof (typeof WEIGHT_LAYOUTS)[ConvKind]]>)[layoutId];
    if (!layout) return null;
    const n = slot.shape.reduce((a, b) => a * b, 1);
    return [...weightFromCanonical({ shape: [...slot.shape], data: new Float32Array(n) }, kind, layout, groups).shape];
  }
  if (opType === 'Dense' && slot.name === 'weight' && layoutId === 'pytorch') return [slot.shape[1], slot.shape[0]];
  return [...slot.shape];
}

export type NpyImportResult = { ok: true; tensor: Tensor } | { ok: false; message: string };

/** Reads `bytes` (a .npy file) into the slot's canonical layout, or says why it does not fit. */
export function importNpyWeight(bytes: Uint8Array, fileName: string, opType: string, nodeName: string, slot: SlotInfo, layoutId: string, groups = 1): NpyImportResult {
  let t: Tensor;
  try {
    t = readNpy(bytes, { dtype: 'convert' });
  } catch (err) {
    const why = err instanceof NpyError ? err.message : (err as Error).message;
    return { ok: false, message: `${fileName} is not a .npy array Tessera can read: ${why}` };
  }
  const choice = layoutChoices(opType, slot.name).find((c) => c.id === layoutId);
  if (!choice) return { ok: false, message: `layout '${layoutId}' is not one of ${layoutChoices(opType, slot.name).map((c) => c.id).join(', ')} for ${slot.name} of ${nodeName}` };
  const want = expectedShape(opType, slot, layoutId, groups);
  if (!want || want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) {
    return {
      ok: false,
      message:
        `${fileName} has shape ${fmt(t.shape)}, but ${slot.name} of ${nodeName} (${opType}) needs ${want ? fmt(want) : '?'} in ${choice.label} ` +
        `(canonical ${slot.layout}: ${fmt(slot.shape)}); pick the layout the file was saved in, or change the layer so its shapes match the file.`,
    };
  }
  const kind = convKind(opType);
  if (kind && slot.name === 'weight') {
    const layout = (WEIGHT_LAYOUTS[kind] as Record<string, (typeof WEIGHT_LAYOUTS)[ConvKind][keyof (typeof WEIGHT_LAYOUTS)[ConvKind]]>)[layoutId];
    return { ok: true, tensor: weightToCanonical(t, kind, layout, groups) };
  }
  if (opType === 'Dense' && slot.name === 'weight' && layoutId === 'pytorch') return { ok: true, tensor: transpose(t, [1, 0]) };
  return { ok: true, tensor: { shape: [...t.shape], data: Float32Array.from(t.data) } };
}
