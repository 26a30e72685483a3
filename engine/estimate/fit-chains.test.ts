// fast-check on random Conv / ConvTranspose chains ending in Flatten → Dense, with random starting reuse
// factors and strategies, on parts from the smallest to a large one: fitDesign's "fits" is never contradicted
// by the estimate of the settings it returns (every budgeted resource within the margin, every resource within
// the part), and when it says a design cannot fit, neither strategy at every layer's largest reuse factor
// — the cheapest corners of its search space — fits the budget.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Model } from '../graph/model';
import { CURRENT_GRAPH_VERSION } from '../graph/schema';
import { randomTensor, type Tensor } from '../tensor/tensor';
import { defaultHlsConfig, type HlsConfig, type IoType, type Strategy } from '../hls/config';
import { layerHwOptions } from '../hls/options';
import { estimateDesign } from './graph';
import { FIT_MARGIN, fitDesign } from './fit';
import { partResources } from './report';

interface ConvStep { transpose: boolean; cout: number; k: number; s: number }
interface Chain { cin: number; h: number; w: number; convs: ConvStep[]; units: number }

/** Input [1, cin, h, w] → each conv step (valid padding) → Flatten → Dense(units); null when a Conv would not fit the image. */
function chainModel(c: Chain, seed: number): Model | null {
  const nodes: Model['graph']['nodes'] = [{ id: 'in', type: 'Input', name: 'x', params: { shape: [1, c.cin, c.h, c.w], dataFormat: 'NCX' } }];
  const edges: Model['graph']['edges'] = [];
  const weights: Record<string, Record<string, Tensor>> = {};
  let [ch, h, w] = [c.cin, c.h, c.w];
  const link = (id: string) => edges.push({ id: `e${edges.length}`, source: nodes[nodes.length - 2].id, sourcePort: 0, target: id, targetPort: 0 });
  c.convs.forEach((s, i) => {
    if (!s.transpose && (h < s.k || w < s.k)) return;
    const id = `c${i}`;
    nodes.push({
      id, type: s.transpose ? 'ConvTranspose2D' : 'Conv2D', name: `conv${i}`,
      params: { filters: s.cout, kernel: [s.k, s.k], stride: [s.s, s.s], dilation: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], groups: 1, bias: true, dataFormat: 'NCX', autoPad: 'explicit', ...(s.transpose ? { outputPadding: [0, 0] } : {}) },
    });
    link(id);
    weights[id] = { weight: randomTensor(s.transpose ? [ch, s.cout, s.k, s.k] : [s.cout, ch, s.k, s.k], seed + 3 * i, -1, 1), bias: randomTensor([s.cout], seed + 3 * i + 1, -1, 1) };
    [h, w] = s.transpose ? [(h - 1) * s.s + s.k, (w - 1) * s.s + s.k] : [Math.floor((h - s.k) / s.s) + 1, Math.floor((w - s.k) / s.s) + 1];
    ch = s.cout;
  });
  if (nodes.length === 1) return null;
  nodes.push({ id: 'flat', type: 'Flatten', name: 'flat', params: { axis: 1 } });
  link('flat');
  nodes.push({ id: 'd', type: 'Dense', name: 'dense', params: { units: c.units, bias: true } });
  link('d');
  weights.d = { weight: randomTensor([ch * h * w, c.units], seed + 99, -1, 1), bias: randomTensor([c.units], seed + 100, -1, 1) };
  return { graph: { version: CURRENT_GRAPH_VERSION, nodes, edges }, weights };
}

const BUDGETED = ['DSP', 'LUT', 'FF', 'BRAM_18K'] as const;
const PARTS = ['xc7z010-clg400-1', 'xc7a35t-cpg236-1', 'xc7z020-clg400-1', 'xczu3eg-sbva484-1-e', 'xcku5p-ffvb676-2-e', 'xcvu9p-flga2104-2-e'];

describe('fitDesign on random chains (fast-check)', () => {
  it('a fit is within the part by the estimate; a no-fit leaves the largest reuse factors over budget in both strategies', () => {
    const step = fc.record({ transpose: fc.boolean(), cout: fc.integer({ min: 1, max: 24 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }) });
    let fits = 0;
    let noFit = 0;
    fc.assert(
      fc.property(
        fc.record({
          chain: fc.record({ cin: fc.integer({ min: 1, max: 16 }), h: fc.integer({ min: 2, max: 6 }), w: fc.integer({ min: 2, max: 6 }), convs: fc.array(step, { minLength: 1, maxLength: 3 }), units: fc.integer({ min: 1, max: 64 }) }),
          io: fc.constantFrom<IoType>('io_parallel', 'io_stream'),
          part: fc.constantFrom(...PARTS),
          start: fc.array(fc.record({ rf: fc.nat(), strategy: fc.constantFrom<Strategy>('latency', 'resource') }), { minLength: 4, maxLength: 4 }),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        (g) => {
          const model = chainModel(g.chain, g.seed);
          if (!model) return;
          let cfg: HlsConfig = defaultHlsConfig({ io: g.io });
          const options = layerHwOptions(model, cfg);
          expect(options.length).toBeGreaterThan(0);
          // random valid starting settings per layer
          cfg = { ...cfg, layers: Object.fromEntries(options.map((o, i) => [o.name, { reuseFactor: o.reuseFactors[g.start[i % 4].rf % o.reuseFactors.length], strategy: g.start[i % 4].strategy }])) };
          const part = partResources(g.part)!;
          const r = fitDesign(model, cfg, { part: g.part });
          if (r.fits) {
            fits++;
            const e = estimateDesign(model, r.config).report!;
            expect(e.fit.fits).toBe(true);
            for (const k of BUDGETED) expect(e.resources[k].used ?? 0).toBeLessThanOrEqual(part[k] * FIT_MARGIN);
            for (const k of BUDGETED) expect(e.resources[k].used ?? 0).toBeLessThanOrEqual(part[k]);
            return;
          }
          expect(r.error).toMatch(/^does not fit /);
          noFit++;
          for (const strategy of ['resource', 'latency'] as const) {
            const largest: HlsConfig = { ...cfg, part: g.part, layers: Object.fromEntries(options.map((o) => [o.name, { reuseFactor: o.reuseFactors[o.reuseFactors.length - 1], strategy }])) };
            const e = estimateDesign(model, largest).report!;
            expect(BUDGETED.some((k) => (e.resources[k].used ?? 0) > part[k] * FIT_MARGIN), `${strategy} at the largest reuse factors fits ${g.part}`).toBe(true);
          }
        },
      ),
      { numRuns: 30, seed: 1106 },
    );
    // the sweep reaches both answers (sizes and parts chosen so that it does)
    expect(fits).toBeGreaterThan(0);
    expect(noFit).toBeGreaterThan(0);
  }, 120_000);
});
