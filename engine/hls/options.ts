// What the UI and CLI show for one layer's hardware settings: the valid reuse factors (per product
// block, i.e. per ConvTranspose phase) and parallelization factors, multipliers per RF, and whether the
// current values are valid — derived from the templates' rules (reuse.ts), never snapped.
import type { Model } from '../graph/model';
import { getOp } from '../ops/registry';
import type { HlsConfig } from './config';
import type { ProductBlock } from '../ops/hls-layer';
import { layerContext, resolveGraph } from './resolve';
import { divisors, validParallelizationFactors, validReuseFactors } from './reuse';
import { isGraphInput } from '../ops/input';

export interface LayerHwOptions {
  nodeId: string;
  name: string;
  type: string;
  blocks: ProductBlock[];
  /** Valid reuse factors (all blocks), ascending. */
  reuseFactors: number[];
  /** Valid reuse factors of each block on its own (ConvTranspose phases padded to the largest share one set). */
  perBlock: { label: string; products: number; valid: number[] }[];
  /** Multipliers at each valid RF. */
  multipliers: Record<number, number>;
  parallelizationFactors: number[];
  current: { reuseFactor: number; parallelizationFactor: number; reuseValid: boolean; parallelizationValid: boolean };
}

/** Hardware options of every synthesizable layer (empty when the graph has errors). */
export function layerHwOptions(model: Model, cfg: HlsConfig): LayerHwOptions[] {
  const r = resolveGraph(model, cfg, { batch: 1 });
  const out: LayerHwOptions[] = [];
  for (const n of r.nodes) {
    const op = getOp(n.node.type);
    if (isGraphInput(n.node) || !op?.hls) continue;
    const ctx = layerContext(model, n);
    const blocks = op.hls.productBlocks(ctx);
    const valid = validReuseFactors(blocks);
    const maxP = Math.max(0, ...blocks.map((b) => b.products));
    const pfs = validParallelizationFactors(cfg.io, op.hls.pixels?.(ctx));
    out.push({
      nodeId: n.id,
      name: n.node.name,
      type: n.node.type,
      blocks,
      reuseFactors: valid,
      perBlock: blocks.map((b) => ({ label: b.label, products: b.products, valid: b.products > 0 ? divisors(b.products) : [1] })),
      multipliers: Object.fromEntries(valid.map((v) => [v, Math.ceil(maxP / v)])),
      parallelizationFactors: pfs,
      current: {
        reuseFactor: n.config.reuseFactor,
        parallelizationFactor: n.config.parallelizationFactor,
        reuseValid: valid.includes(n.config.reuseFactor),
        parallelizationValid: pfs.includes(n.config.parallelizationFactor),
      },
    });
  }
  return out;
}
