// hls4ml-style numerical profiling: per layer, weights and outputs of the last preview run as
// histograms over log2|x| against the range of the layer's fixed-point type (grey band from one LSB
// to the largest value). Values above the band overflow, non-zero values below it underflow.
import { memo, useEffect, useMemo, useRef } from 'react';
import type { WeightMap } from '../../engine/graph/model';
import { toGraph } from '../lib/doc';
import { profileLayers, type ProfileRow } from '../lib/profile';
import { resolveGraph } from '../../engine/hls/resolve';
import { graphLayerPrecisions, previewHlsConfig } from '../../engine/hls/project-precision';
import { formatFixedType } from '../../engine/fixed/types';
import { completeWeights } from '../state/actions';
import { usePreview } from '../state/preview';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';

const W = 150;
const H = 18;

function Strip({ row, lo, hi }: { row: ProfileRow; lo: number; hi: number }) {
  const x = (v: number) => ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * W;
  const p = row.profile;
  if (!row.range.ok || !p) return <svg width={W} height={H} />;
  const bandLo = Math.log2(row.range.lsb);
  const bandHi = Math.log2(Math.max(Math.abs(row.range.min), Math.abs(row.range.max)));
  const peak = Math.max(1, ...p.bins);
  return (
    <svg width={W} height={H} className="shrink-0" aria-label={`log2 distribution of ${row.name} ${row.what}`}>
      <rect x={x(bandLo)} y={0} width={Math.max(1, x(bandHi) - x(bandLo))} height={H} fill="#e2e8f0" />
      {p.bins.map((c, k) => {
        if (!c) return null;
        const b = p.lowBin + k;
        const h = Math.max(1, (c / peak) * (H - 2));
        const bad = b + 1 > bandHi + 1e-9 ? '#dc2626' : b < bandLo ? '#d97706' : '#2563eb';
        return <rect key={k} x={x(b)} y={H - h} width={Math.max(1, x(b + 1) - x(b) - 0.5)} height={h} fill={bad} />;
      })}
      {Number.isFinite(p.log2.median) && <line x1={x(p.log2.median)} x2={x(p.log2.median)} y1={0} y2={H} stroke="#0f172a" strokeWidth={1} />}
    </svg>
  );
}

function ProfilePanelView() {
  const structure = useEditor((s) => s.structure);
  const runId = usePreview((s) => s.runId);
  const outputs = usePreview((s) => s.outputs);
  const defaultType = useUi((s) => s.settings.defaultPrecision);
  const seed = useUi((s) => s.settings.weightSeed);

  const rows = useMemo(() => {
    const ed = useEditor.getState();
    const graph = toGraph(ed.nodes, ed.edges);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const order = ed.analysis.order.filter((id) => byId.has(id)).map((id) => ({ id, name: byId.get(id)!.name }));
    let weights: WeightMap = {};
    try {
      weights = completeWeights(graph, ed.weights, seed);
    } catch {
      weights = ed.weights;
    }
    // 'auto' result types are what the engine infers for this graph (as the fixed-point preview and builds do).
    const resolvedOutputTypes: Record<string, string> = {};
    try {
      const resolved = resolveGraph({ graph, weights }, previewHlsConfig(graph, { defaultPrecision: defaultType }));
      for (const r of resolved.nodes) resolvedOutputTypes[r.id] = formatFixedType(r.outputType);
    } catch {
      // an invalid graph: 'auto' rows stay unresolved
    }
    return profileLayers(order, weights, outputs, graphLayerPrecisions(graph), defaultType, resolvedOutputTypes);
    // structure and runId stand for the document and the preview run the rows are computed from.
  }, [structure, runId, outputs, defaultType, seed]);

  const [lo, hi] = useMemo(() => {
    let a = Infinity;
    let b = -Infinity;
    for (const r of rows) {
      if (r.range.ok) {
        a = Math.min(a, Math.log2(r.range.lsb));
        b = Math.max(b, Math.log2(Math.max(Math.abs(r.range.min), r.range.max)));
      }
      if (r.profile?.bins.length) {
        a = Math.min(a, r.profile.lowBin);
        b = Math.max(b, r.profile.lowBin + r.profile.bins.length);
      }
    }
    return Number.isFinite(a) && Number.isFinite(b) && b > a ? [Math.floor(a), Math.ceil(b)] : [-16, 8];
  }, [rows]);

  const flagged = rows.filter((r) => r.profile && (r.profile.overflow || r.profile.underflow)).length;
  // Turned on: brought into view (it opens below the output, often under the fold).
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.scrollIntoView({ block: 'nearest' }), []);
  return (
    <div ref={ref} className="border-t border-slate-200 p-3" data-testid="profile">
      <div className="mb-1 flex items-baseline gap-2">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Numerical profile</h3>
        <span className="text-[10px] text-slate-500" data-testid="profile-summary">
          {rows.length ? `${rows.length} tensors, ${flagged} with values outside their type` : 'run the preview to profile the layers'}
        </span>
      </div>
      <div className="mb-1 flex justify-between pl-[45%] font-mono text-[9px] text-slate-400">
        <span>2^{lo}</span>
        <span>|x| (log2 bins; grey: representable)</span>
        <span>2^{hi}</span>
      </div>
      {rows.map((r) => {
        const p = r.profile;
        return (
          <div key={`${r.nodeId}:${r.what}`} className="flex items-center gap-1 py-px text-[10px]" data-testid="profile-row" data-node={r.name} data-what={r.what}>
            <button className="w-[25%] truncate text-left font-medium text-slate-800" title={`${r.name} ${r.what}`} onClick={() => useEditor.getState().select([r.nodeId])}>
              {r.name}
            </button>
            <span className="w-[20%] truncate text-slate-500" title={r.typeText}>
              {r.what} <span className="font-mono">{r.range.ok ? r.typeText.replace(/^ap_/, '') : '?'}</span>
            </span>
            <Strip row={r} lo={lo} hi={hi} />
            <span className="ml-1 min-w-0 flex-1 truncate">
              {!r.range.ok ? (
                <span className="text-red-600" title={r.range.message}>bad type</span>
              ) : p ? (
                <>
                  {p.overflow > 0 && <span className="text-red-600" data-testid="profile-overflow" title={`${p.overflow} of ${p.count} values beyond ±${r.range.max}`}>{p.overflow} overflow </span>}
                  {p.underflow > 0 && <span className="text-amber-600" data-testid="profile-underflow" title={`${p.underflow} of ${p.count} non-zero values below one LSB (${r.range.lsb})`}>{p.underflow} &lt;LSB</span>}
                  {!p.overflow && !p.underflow && <span className="text-emerald-600">ok</span>}
                </>
              ) : null}
            </span>
          </div>
        );
      })}
    </div>
  );
}

export const ProfilePanel = memo(ProfilePanelView);
