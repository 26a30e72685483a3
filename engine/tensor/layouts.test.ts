import { describe, expect, it } from 'vitest';
import { randomTensor, stridesOf, type Tensor } from './tensor';
import { WEIGHT_LAYOUTS, weightFromCanonical, weightToCanonical, type ConvKind, type WeightLayout } from './layouts';

const at = (t: Tensor, idx: number[]) => {
  const st = stridesOf(t.shape);
  return t.data[idx.reduce((s, v, i) => s + v * st[i], 0)];
};

describe('weight layouts', () => {
  const all: [ConvKind, string, WeightLayout][] = [];
  for (const kind of ['conv', 'convTranspose'] as const)
    for (const [name, layout] of Object.entries(WEIGHT_LAYOUTS[kind])) all.push([kind, name, layout]);

  it.each(all)('%s %s: round trip canonical → layout → canonical with random weights (ranks 1–2, groups 1–3)', (kind, _n, layout) => {
    let seed = 1;
    for (const rank of [1, 2])
      for (const groups of [1, 2, 3]) {
        const k = rank === 1 ? [3] : [3, 2];
        const shape = kind === 'convTranspose' ? [2 * groups, 4, ...k] : [4 * groups, 2, ...k];
        const w = randomTensor(shape, seed++);
        const there = weightFromCanonical(w, kind, layout, groups);
        expect(there.data.length).toBe(w.data.length);
        const back = weightToCanonical(there, kind, layout, groups);
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data)).toEqual(Array.from(w.data));
        // a non-trivial layout must actually move data (random weights: no accidental equality)
        if (layout.order !== (kind === 'convTranspose' ? 'IOX' : 'OIX') || (layout.perGroup !== (kind === 'convTranspose' ? 'O' : 'I') && groups > 1))
          expect(Array.from(there.data)).not.toEqual(Array.from(w.data));
      }
  });

  // Known element mappings, written out index by index from the layout definitions.
  const cin = 4, coutG = 3, groups = 2, kh = 3, kw = 2;
  const cinG = cin / groups, cout = coutG * groups;
  const canonT = randomTensor([cin, coutG, kh, kw], 77); // ConvTranspose IOX (Cin, Cout/g, kh, kw)
  const canonC = randomTensor([cout, cinG, kh, kw], 78); // Conv OIX (Cout, Cin/g, kh, kw)
  const loop = (f: (ci: number, col: number, h: number, w: number) => void) => {
    for (let ci = 0; ci < cin; ci++) for (let col = 0; col < coutG; col++) for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) f(ci, col, h, w);
  };

  it('Keras ConvTranspose XOI (k…, Cout, Cin): w[h, w, co, ci] = canonical[ci, co, h, w] (groups 1)', () => {
    const c1 = randomTensor([cin, cout, kh, kw], 5);
    const k = weightFromCanonical(c1, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.keras, 1);
    expect(k.shape).toEqual([kh, kw, cout, cin]);
    for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++)
      expect(at(k, [h, w, co, ci])).toBe(at(c1, [ci, co, h, w]));
  });

  it('oneDNN ConvTranspose IOX (Cin/g, Cout, k…) with groups: [ci mod Cin/g, grp·Cout/g + col] = canonical[ci, col]', () => {
    const o = weightFromCanonical(canonT, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.onednnIOX, groups);
    expect(o.shape).toEqual([cinG, cout, kh, kw]);
    loop((ci, col, h, w) => {
      const grp = Math.floor(ci / cinG);
      expect(at(o, [ci % cinG, grp * coutG + col, h, w])).toBe(at(canonT, [ci, col, h, w]));
    });
    const x = weightFromCanonical(canonT, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.onednnXOI, groups);
    expect(x.shape).toEqual([kh, kw, cout, cinG]);
    loop((ci, col, h, w) => expect(at(x, [h, w, Math.floor(ci / cinG) * coutG + col, ci % cinG])).toBe(at(canonT, [ci, col, h, w])));
  });

  it('cuDNN dgrad KRSC (Cin, R, S, Cout/g) and KCRS (= canonical IOX)', () => {
    const krsc = weightFromCanonical(canonT, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.cudnnKRSC, groups);
    expect(krsc.shape).toEqual([cin, kh, kw, coutG]);
    loop((ci, col, h, w) => expect(at(krsc, [ci, h, w, col])).toBe(at(canonT, [ci, col, h, w])));
    const kcrs = weightFromCanonical(canonT, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.cudnnKCRS, groups);
    expect(Array.from(kcrs.data)).toEqual(Array.from(canonT.data));
  });

  it('Conv: Keras XIO (k…, Cin/g, Cout) and cuDNN KRSC (Cout, R, S, Cin/g)', () => {
    const k = weightFromCanonical(canonC, 'conv', WEIGHT_LAYOUTS.conv.keras, groups);
    expect(k.shape).toEqual([kh, kw, cinG, cout]);
    const r = weightFromCanonical(canonC, 'conv', WEIGHT_LAYOUTS.conv.cudnnKRSC, groups);
    expect(r.shape).toEqual([cout, kh, kw, cinG]);
    for (let co = 0; co < cout; co++) for (let ci = 0; ci < cinG; ci++) for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) {
      expect(at(k, [h, w, ci, co])).toBe(at(canonC, [co, ci, h, w]));
      expect(at(r, [co, h, w, ci])).toBe(at(canonC, [co, ci, h, w]));
    }
  });

  it('PyTorch (Cin, Cout/g) and oneDNN (Cin/g, Cout) group conventions differ for g > 1 and agree for g = 1', () => {
    const pt = weightFromCanonical(canonT, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.pytorch, groups);
    const dn = weightFromCanonical(canonT, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.onednnIOX, groups);
    expect(Array.from(pt.data)).not.toEqual(Array.from(dn.data));
    const g1 = randomTensor([cin, cout, kh, kw], 9);
    expect(Array.from(weightFromCanonical(g1, 'convTranspose', WEIGHT_LAYOUTS.convTranspose.onednnIOX, 1).data)).toEqual(Array.from(g1.data));
  });

  it('rejects weights that do not split into the groups', () => {
    expect(() => weightToCanonical(randomTensor([3, 4, 2, 2], 1), 'convTranspose', WEIGHT_LAYOUTS.convTranspose.onednnIOX, 3)).toThrow(/does not split into 3 groups/);
  });
});
