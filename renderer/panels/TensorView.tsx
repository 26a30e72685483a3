// A tensor drawn on canvas 2D: channel grids of heatmaps for 2D feature maps, line plots for 1D.
import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import type { Tensor } from '../../engine/tensor/tensor';

/**
 * Colour scale of a tensor: diverging around 0 (negative blue, zero white, positive red) when it has both
 * signs; sequential over [min, max] (white → red, or blue → white when all ≤ 0) when it has one sign, so
 * e.g. a sigmoid's outputs in (0.3, 0.7) keep their contrast instead of all showing as pale red.
 */
export interface HeatScale {
  kind: 'diverging' | 'positive' | 'negative';
  lo: number;
  hi: number;
}

export function heatScale(s: Pick<Stats, 'min' | 'max' | 'maxAbs'>): HeatScale {
  if (s.min >= 0 && s.max > s.min) return { kind: 'positive', lo: s.min, hi: s.max };
  if (s.max <= 0 && s.max > s.min) return { kind: 'negative', lo: s.min, hi: s.max };
  return { kind: 'diverging', lo: -s.maxAbs, hi: s.maxAbs };
}

const red = (t: number): [number, number, number] => [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t))];
const blue = (t: number): [number, number, number] => [Math.round(255 * (1 - t)), Math.round(255 * (1 - t)), 255];

export function heatColor(v: number, scale: HeatScale): [number, number, number] {
  const clamp = (t: number) => Math.max(0, Math.min(1, t));
  if (scale.kind === 'positive') return red(clamp((v - scale.lo) / (scale.hi - scale.lo)));
  if (scale.kind === 'negative') return blue(clamp((scale.hi - v) / (scale.hi - scale.lo)));
  const t = scale.hi > 0 ? Math.max(-1, Math.min(1, v / scale.hi)) : 0;
  return t >= 0 ? red(t) : blue(-t);
}

const fmt = (v: number) => Number(v.toPrecision(3)).toString();

/** The legend of a scale, e.g. "blue < 0 < red" or "white 0.31 → red 0.69". */
export function heatLegend(scale: HeatScale): string {
  if (scale.kind === 'positive') return `white ${fmt(scale.lo)} → red ${fmt(scale.hi)}`;
  if (scale.kind === 'negative') return `blue ${fmt(scale.lo)} → white ${fmt(scale.hi)}`;
  return 'blue < 0 < red';
}

export interface Stats {
  min: number;
  max: number;
  mean: number;
  maxAbs: number;
}

export function stats(data: Float32Array): Stats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: data.length ? sum / data.length : 0, maxAbs: Math.max(Math.abs(min), Math.abs(max)) };
}

const MAX_CHANNELS = 16;

function Heatmaps({ t, format }: { t: Tensor; format: 'NCX' | 'NXC' }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const rank = t.shape.length;
  // Batch 0; rank 4 → C, H, W ; rank 3 with a 2D image (H, W, C) is treated as NXC without batch.
  const [C, H, W] = format === 'NCX' ? [t.shape[rank - 3], t.shape[rank - 2], t.shape[rank - 1]] : [t.shape[rank - 1], t.shape[rank - 3], t.shape[rank - 2]];
  const shown = Math.min(C, MAX_CHANNELS);
  const cols = Math.ceil(Math.sqrt(shown));
  const rows = Math.ceil(shown / cols);
  const zoom = Math.max(1, Math.floor(64 / Math.max(H, W)));
  const tileW = W * zoom;
  const tileH = H * zoom;
  const scale = useMemo(() => heatScale(stats(t.data)), [t]);
  const gap = 2;
  useLayoutEffect(() => {
    const cv = ref.current;
    if (!cv) return;
    const ctx = cv.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols * (tileW + gap), rows * (tileH + gap));
    img.data.fill(241);
    for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
    for (let c = 0; c < shown; c++) {
      const ox = (c % cols) * (tileW + gap);
      const oy = Math.floor(c / cols) * (tileH + gap);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const idx = format === 'NCX' ? (c * H + y) * W + x : (y * W + x) * C + c;
          const [r, g, b] = heatColor(t.data[idx], scale);
          for (let sy = 0; sy < zoom; sy++) {
            for (let sx = 0; sx < zoom; sx++) {
              const p = ((oy + y * zoom + sy) * img.width + ox + x * zoom + sx) * 4;
              img.data[p] = r;
              img.data[p + 1] = g;
              img.data[p + 2] = b;
              img.data[p + 3] = 255;
            }
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  }, [t, scale, format, C, H, W, shown, cols, rows, tileW, tileH, zoom]);
  return (
    <div>
      <canvas ref={ref} data-testid="heatmap" width={cols * (tileW + gap)} height={rows * (tileH + gap)} style={{ imageRendering: 'pixelated', maxWidth: '100%' }} />
      <div className="text-[10px] text-slate-500">
        {shown < C ? `first ${shown} of ${C} channels` : `${C} channel${C > 1 ? 's' : ''}`}, {H}×{W} each; {heatLegend(scale)}
      </div>
    </div>
  );
}

function Plot({ t, format }: { t: Tensor; format: 'NCX' | 'NXC' }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const rank = t.shape.length;
  // rank 3: (N, C, L) or (N, L, C); rank ≤ 2: one signal of the last axis.
  const [C, L] = rank === 3 ? (format === 'NCX' ? [t.shape[1], t.shape[2]] : [t.shape[2], t.shape[1]]) : [1, t.shape[rank - 1] ?? 1];
  const shown = Math.min(C, 8);
  useLayoutEffect(() => {
    const cv = ref.current;
    const ctx = cv?.getContext('2d');
    if (!cv || !ctx) return;
    const { min, max } = stats(t.data);
    const lo = Math.min(min, 0);
    const hi = Math.max(max, 0);
    const span = hi - lo || 1;
    ctx.clearRect(0, 0, cv.width, cv.height);
    ctx.strokeStyle = '#cbd5e1';
    const zy = cv.height - ((0 - lo) / span) * (cv.height - 8) - 4;
    ctx.beginPath();
    ctx.moveTo(0, zy);
    ctx.lineTo(cv.width, zy);
    ctx.stroke();
    const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#db2777'];
    for (let c = 0; c < shown; c++) {
      ctx.strokeStyle = colors[c];
      ctx.beginPath();
      for (let i = 0; i < L; i++) {
        const v = rank === 3 ? (format === 'NCX' ? t.data[c * L + i] : t.data[i * C + c]) : t.data[i];
        const x = L > 1 ? (i / (L - 1)) * (cv.width - 4) + 2 : cv.width / 2;
        const y = cv.height - ((v - lo) / span) * (cv.height - 8) - 4;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
  }, [t, format, C, L, shown, rank]);
  return (
    <div>
      <canvas ref={ref} data-testid="plot" width={260} height={90} className="w-full rounded bg-white" />
      <div className="text-[10px] text-slate-500">{shown < C ? `first ${shown} of ${C} channels` : `${C} signal${C > 1 ? 's' : ''}`} of length {L}</div>
    </div>
  );
}

function TensorViewImpl({ t, format }: { t: Tensor; format: 'NCX' | 'NXC' | null }) {
  const rank = t.shape.length;
  const s = stats(t.data);
  const f = format ?? 'NCX';
  return (
    <div data-testid="tensor-view">
      {rank >= 4 ? <Heatmaps t={t} format={f} /> : <Plot t={t} format={f} />}
      <div className="mt-1 font-mono text-[10px] text-slate-600" data-testid="tensor-stats">
        min {s.min.toPrecision(4)} · max {s.max.toPrecision(4)} · mean {s.mean.toPrecision(4)}
      </div>
    </div>
  );
}

export const TensorView = memo(TensorViewImpl);
