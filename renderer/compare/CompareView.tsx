// Compare view: variants side by side (latest build of each), every figure marked estimate (E) or
// measured (M); a baseline with deltas; bars per figure; latency-vs-resource scatter with the Pareto
// front (plain SVG); export CSV and JSON.
import { useMemo, useState } from 'react';
import { useVariants } from '../variants/store';
import { FIGURES, compareRows, delta, distinctLabels, formatValue, paretoFront, placeLabels, toCsv, toJson, type CompareRow, type FigureKey } from './figures';

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function SourceTag({ source }: { source: 'estimate' | 'measured' }) {
  return (
    <span
      className={`ml-0.5 rounded px-0.5 text-[9px] ${source === 'measured' ? 'bg-emerald-100 text-emerald-800' : 'bg-amber-100 text-amber-800'}`}
      title={source === 'measured' ? 'measured (vendor tool report, C simulation or the build itself)' : 'estimate (analytical model, no vendor tool result)'}
      data-testid="figure-source"
    >
      {source === 'measured' ? 'M' : 'E'}
    </span>
  );
}

/** A label cut to `n` characters (an ellipsis at the end). */
const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

function Bars({ rows, k, labels }: { rows: CompareRow[]; k: FigureKey; labels: Map<string, string> }) {
  const f = FIGURES.find((x) => x.key === k)!;
  const vals = rows.map((r) => r.figures[k].value);
  const max = Math.max(0, ...vals.map((v) => v ?? 0)) || 1;
  const W = 300;
  const H = 18 * rows.length + 8;
  return (
    <svg width={W + 160} height={H} className="text-[10px]" data-testid="bar-chart" role="img" aria-label={`${f.label} per variant`}>
      {rows.map((r, i) => {
        const v = vals[i];
        const w = v === null ? 0 : (v / max) * W;
        return (
          <g key={r.variantId} transform={`translate(0, ${4 + i * 18})`}>
            <text x={0} y={11} className="fill-slate-700" data-testid="bar-label">
              {cut(labels.get(r.variantId) ?? r.name, 22)}
              <title>{r.name}</title>
            </text>
            <rect x={130} y={2} width={Math.max(1, w)} height={12} className={r.figures[k].source === 'measured' ? 'fill-emerald-500' : 'fill-amber-400'} />
            <text x={134 + w} y={11} className="fill-slate-700">{formatValue(v, f.digits)}</text>
          </g>
        );
      })}
    </svg>
  );
}

function Scatter({ rows, x, y, labels }: { rows: CompareRow[]; x: FigureKey; y: FigureKey; labels: Map<string, string> }) {
  const front = paretoFront(rows, x, y);
  const pts = rows.map((r, i) => ({ i, r, x: r.figures[x].value, y: r.figures[y].value })).filter((p) => p.x !== null && p.y !== null) as { i: number; r: CompareRow; x: number; y: number }[];
  const W = 420, H = 260, P = 40;
  const xmax = Math.max(1, ...pts.map((p) => p.x)) * 1.1;
  const ymax = Math.max(1, ...pts.map((p) => p.y)) * 1.1;
  const sx = (v: number) => P + (v / xmax) * (W - 2 * P);
  const sy = (v: number) => H - P - (v / ymax) * (H - 2 * P);
  const fx = FIGURES.find((f) => f.key === x)!;
  const fy = FIGURES.find((f) => f.key === y)!;
  const frontPts = front.map((i) => pts.find((p) => p.i === i)!).filter(Boolean);
  // Labels that would overlap are moved around their point or left out (Pareto points get theirs first).
  // The words the variants' names share are left out of the labels (they all began "ConvTranspose2D_2…").
  const short = (r: CompareRow) => cut(labels.get(r.variantId) ?? r.name, 24);
  const order = [...pts].sort((a, b) => Number(front.includes(b.i)) - Number(front.includes(a.i)));
  const placed = placeLabels(order.map((p) => ({ x: sx(p.x), y: sy(p.y), width: short(p.r).length * 5.5 })), 10, W, H);
  const labelOf = new Map(order.map((p, k) => [p.i, placed[k]]));
  return (
    <svg width={W} height={H} className="text-[10px]" data-testid="scatter-chart" role="img" aria-label="latency versus resource with the Pareto front">
      <line x1={P} y1={H - P} x2={W - P} y2={H - P} className="stroke-slate-400" />
      <line x1={P} y1={P} x2={P} y2={H - P} className="stroke-slate-400" />
      <text x={W / 2} y={H - 8} textAnchor="middle" className="fill-slate-600">{`${fx.label}${fx.unit ? ` (${fx.unit})` : ''}`}</text>
      <text x={12} y={H / 2} textAnchor="middle" transform={`rotate(-90 12 ${H / 2})`} className="fill-slate-600">{`${fy.label} (${fy.unit})`}</text>
      <text x={P} y={H - P + 12} className="fill-slate-500">0</text>
      <text x={W - P} y={H - P + 12} textAnchor="end" className="fill-slate-500">{formatValue(xmax / 1.1, fx.digits)}</text>
      <text x={P - 4} y={P + 4} textAnchor="end" className="fill-slate-500">{formatValue(ymax / 1.1, fy.digits)}</text>
      {frontPts.length > 1 && (
        <polyline points={frontPts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')} className="fill-none stroke-sky-600" strokeDasharray="4 2" data-testid="pareto-line" />
      )}
      {pts.map((p) => (
        <g key={p.r.variantId}>
          <circle cx={sx(p.x)} cy={sy(p.y)} r={front.includes(p.i) ? 5 : 3.5} className={front.includes(p.i) ? 'fill-sky-600' : 'fill-slate-400'} data-testid={front.includes(p.i) ? 'pareto-point' : 'point'}>
            <title>{`${p.r.name}: ${p.x} ${fx.unit}, ${p.y} ${fy.unit}`}</title>
          </circle>
          {labelOf.get(p.i) && (
            <text x={labelOf.get(p.i)!.x} y={labelOf.get(p.i)!.y + 8} className="fill-slate-700" data-testid="scatter-label">
              {short(p.r)}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}

export function CompareView() {
  const variants = useVariants((s) => s.variants);
  const runs = useVariants((s) => s.runs);
  const live = useVariants((s) => s.live);
  const rows = useMemo(() => compareRows(variants, runs, live), [variants, runs, live]);
  const labels = useMemo(() => new Map(distinctLabels(rows.map((r) => r.name)).map((l, i) => [rows[i].variantId, l])), [rows]);
  const parts = [...new Set(rows.map((r) => r.part).filter((p): p is string => !!p))];
  const [baseline, setBaseline] = useState<string | null>(null);
  const [barKey, setBarKey] = useState<FigureKey>('latencyCycles');
  const [xKey, setXKey] = useState<FigureKey>('dsp');
  const base = rows.find((r) => r.variantId === baseline) ?? null;
  const field = 'rounded border border-slate-300 px-1 py-0.5 text-xs';
  const figOptions = FIGURES.map((f) => (
    <option key={f.key} value={f.key}>{`${f.label}${f.unit ? ` (${f.unit})` : ''}`}</option>
  ));
  return (
    <div className="h-full overflow-auto p-2 text-xs" data-testid="compare-view">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <label>
          Baseline{' '}
          <select className={field} value={baseline ?? ''} onChange={(e) => setBaseline(e.target.value || null)} data-testid="compare-baseline">
            <option value="">none</option>
            {rows.map((r) => (
              <option key={r.variantId} value={r.variantId}>{r.name}</option>
            ))}
          </select>
        </label>
        <button className="rounded border border-slate-400 px-2 py-0.5" onClick={() => download('variants.csv', toCsv(rows, baseline), 'text/csv')} data-testid="export-csv">
          Export CSV
        </button>
        <button className="rounded border border-slate-400 px-2 py-0.5" onClick={() => download('variants.json', toJson(rows, baseline), 'application/json')} data-testid="export-json">
          Export JSON
        </button>
        <span className="text-slate-500">
          <SourceTag source="estimate" /> estimate <SourceTag source="measured" /> measured
        </span>
      </div>
      <div className="mb-1 text-slate-600" data-testid="compare-part">
        {parts.length
          ? `% of part: ${parts.join(', ')}${parts.length > 1 ? ' (the variants target different parts)' : ''}`
          : 'No part known for these figures: percentages need a known device (set the variant\'s part).'}
      </div>
      <table className="mb-3 border-collapse text-left" data-testid="compare-table">
        <thead>
          <tr className="bg-slate-50">
            <th className="px-2 py-0.5">Variant</th>
            <th className="px-2">Status</th>
            <th className="px-2">csim</th>
            {FIGURES.map((f) => (
              <th key={f.key} className="px-2 text-right">
                {f.label}
                {f.unit ? <div className="font-normal text-slate-500">{f.unit}</div> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.variantId} className={`border-b border-slate-100 ${r.variantId === baseline ? 'bg-sky-50' : ''}`} data-testid="compare-row" data-variant={r.name}>
              <td className="px-2 py-0.5 font-medium">{r.name}</td>
              <td className="px-2" data-testid="compare-status">
                {r.status}
                {r.figuresFrom && (
                  <div className="text-[10px] text-slate-500" data-testid="compare-figures-from">
                    figures from an earlier build ({r.figuresFrom.status}{r.figuresFrom.finishedAt ? ` ${r.figuresFrom.finishedAt.slice(0, 16).replace('T', ' ')}` : ''})
                  </div>
                )}
                {r.overPart.length > 0 && (
                  <div className="whitespace-nowrap text-[11px] font-semibold text-red-700" data-testid="compare-does-not-fit" title={`needs more ${r.overPart.join(', ')} than ${r.part ?? 'the part'} has`}>
                    does not fit: {r.overPart.join(', ')}
                  </div>
                )}
              </td>
              <td className={`px-2 ${r.csim === 'bit-exact' ? 'text-emerald-700' : r.csim === 'mismatch' || r.csim === 'failed' ? 'text-red-700' : ''}`} data-testid="compare-csim">{r.csim}</td>
              {FIGURES.map((f) => {
                const v = r.figures[f.key];
                const d = base && r !== base ? delta(r, base, f.key) : null;
                return (
                  <td key={f.key} className={`px-2 text-right ${f.unit === '% of part' && (v.value ?? 0) > 100 ? 'font-semibold text-red-700' : ''}`} data-testid={`fig-${f.key}`} title={f.unit === '% of part' && (v.value ?? 0) > 100 ? `over 100 %: the design needs more than ${r.part ?? 'the part'} has` : undefined}>
                    {formatValue(v.value, f.digits)}
                    {v.value !== null && <SourceTag source={v.source} />}
                    {d && d.diff !== null && (
                      <div className={d.diff === 0 ? 'text-slate-400' : (d.diff < 0) === (f.better === 'lower') ? 'text-emerald-700' : 'text-red-700'} data-testid="delta">
                        {d.diff > 0 ? '+' : ''}
                        {formatValue(d.diff, f.digits)}
                        {d.ratio !== null ? ` (${d.ratio.toFixed(2)}×)` : ''}
                      </div>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
          {!rows.length && (
            <tr>
              <td colSpan={3 + FIGURES.length} className="p-2 text-slate-500">No variants to compare: create and build some in the Builds view.</td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="flex flex-wrap gap-6">
        <div>
          <div className="mb-1">
            Bars:{' '}
            <select className={field} value={barKey} onChange={(e) => setBarKey(e.target.value as FigureKey)} data-testid="bar-figure">
              {figOptions}
            </select>
          </div>
          <Bars rows={rows} k={barKey} labels={labels} />
        </div>
        <div>
          <div className="mb-1">
            Latency vs{' '}
            <select className={field} value={xKey} onChange={(e) => setXKey(e.target.value as FigureKey)} data-testid="scatter-x">
              {figOptions}
            </select>{' '}
            (Pareto front in blue)
          </div>
          <Scatter rows={rows} x={xKey} y="latencyCycles" labels={labels} />
        </div>
      </div>
    </div>
  );
}
