// Float preview: inputs per Input node (seeded random, constant, impulse, an image file) and the
// output of the selected node (or of the graph's last node) as heatmaps or plots.
import { memo, useState } from 'react';
import { checkDefaultPrecision } from '../../engine/hls/project-precision';
import type { Shape, Tensor } from '../../engine/tensor/tensor';
import { shapeText, spatialOf } from '../lib/format';
import type { InputSpec } from '../lib/simulate';
import { updateSettings } from '../state/actions';
import { runPreview, usePreview } from '../state/preview';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';
import { ProfilePanel } from './ProfilePanel';
import { TensorView } from './TensorView';
import { isGraphInput } from '../../engine/ops/input';

/** Reads an image file into a tensor of the Input node's shape (values in [0, 1]). */
export async function imageToTensor(file: File, shape: Shape, format: 'NCX' | 'NXC'): Promise<Tensor> {
  const bitmap = await createImageBitmap(file);
  const sizes = spatialOf(shape, format);
  const [H, W] = sizes.length === 2 ? sizes : [1, sizes[0] ?? 1];
  const C = format === 'NCX' ? shape[1] : shape[shape.length - 1];
  const cv = document.createElement('canvas');
  cv.width = W;
  cv.height = H;
  const ctx = cv.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0, W, H);
  const px = ctx.getImageData(0, 0, W, H).data;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const per = C * H * W;
  for (let b = 0; b < n / per; b++) {
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const p = (y * W + x) * 4;
          const v = C >= 3 ? px[p + Math.min(c, 2)] / 255 : (0.299 * px[p] + 0.587 * px[p + 1] + 0.114 * px[p + 2]) / 255;
          const idx = format === 'NCX' ? b * per + (c * H + y) * W + x : b * per + (y * W + x) * C + c;
          data[idx] = v;
        }
      }
    }
  }
  return { shape: [...shape], data };
}

function InputControls({ nodeId, name }: { nodeId: string; name: string }) {
  const spec = useUi((s) => s.previewInputs.find((p) => p.nodeId === nodeId));
  const info = useEditor((s) => s.analysis.nodes[nodeId]);
  const kind = spec?.kind ?? 'random';
  const setSpec = (next: InputSpec) => {
    const list = useUi.getState().previewInputs.filter((p) => p.nodeId !== nodeId);
    useUi.getState().set({ previewInputs: [...list, next] });
  };
  const onKind = (k: string) => {
    if (k === 'random') setSpec({ kind: 'random', nodeId, seed: 1, low: -1, high: 1 });
    else if (k === 'constant') setSpec({ kind: 'constant', nodeId, value: 1 });
    else if (k === 'impulse') {
      // Centre of the spatial axes, batch 0, channel 0 (in the input's own layout).
      const shape = info?.shape ?? [];
      const nxc = info?.format === 'NXC';
      const index = shape.map((d, i) => (i === 0 || (nxc ? i === shape.length - 1 : i === 1) ? 0 : Math.floor(d / 2)));
      setSpec({ kind: 'impulse', nodeId, index, value: 1 });
    }
    else if (k === 'image') document.getElementById(`image-${nodeId}`)?.click();
  };
  return (
    <div className="mb-2 rounded border border-slate-200 p-2 text-xs" data-testid={`preview-input-${name}`}>
      <div className="mb-1 flex items-center gap-2">
        <span className="font-medium">{name}</span>
        <span className="text-slate-500">{shapeText(info?.shape)}</span>
        <select aria-label={`input kind ${name}`} data-testid="input-kind" className="ml-auto rounded border border-slate-300 px-1" value={kind} onChange={(e) => onKind(e.target.value)}>
          <option value="random">seeded random</option>
          <option value="constant">constant</option>
          <option value="impulse">impulse</option>
          <option value="image">image file…</option>
        </select>
        <input
          id={`image-${nodeId}`}
          type="file"
          accept="image/*"
          className="hidden"
          data-testid="input-image"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (!f || !info?.shape) return;
            try {
              const t = await imageToTensor(f, info.shape, info.format ?? 'NCX');
              setSpec({ kind: 'image', nodeId, fileName: f.name, tensor: t });
            } catch (err) {
              useUi.getState().notify('error', `Image ${f.name}: ${(err as Error).message}`);
            }
          }}
        />
      </div>
      {spec?.kind === 'random' || !spec ? (
        <label>
          seed{' '}
          <input aria-label="input seed" data-testid="input-seed" className="w-16 rounded border border-slate-300 px-1" type="number" value={spec?.kind === 'random' ? spec.seed : 1} onChange={(e) => setSpec({ kind: 'random', nodeId, seed: Math.trunc(Number(e.target.value) || 0), low: -1, high: 1 })} />
          <span className="text-slate-400"> U[−1, 1]</span>
        </label>
      ) : spec.kind === 'constant' ? (
        <label>
          value <input aria-label="input value" className="w-16 rounded border border-slate-300 px-1" type="number" value={spec.value} onChange={(e) => setSpec({ ...spec, value: Number(e.target.value) || 0 })} />
        </label>
      ) : spec.kind === 'impulse' ? (
        <label>
          at index{' '}
          <input
            aria-label="impulse index"
            className="w-28 rounded border border-slate-300 px-1"
            defaultValue={spec.index.join(', ')}
            onBlur={(e) => setSpec({ ...spec, index: e.target.value.split(/[\s,]+/).filter(Boolean).map((v) => Math.max(0, Math.trunc(Number(v) || 0))) })}
          />
        </label>
      ) : (
        <span>image {spec.fileName} (scaled to the input, values 0…1)</span>
      )}
    </div>
  );
}

/**
 * The project's default fixed-point type, checked as it is typed (the engine's rule, message and fix); only a
 * valid type is stored.
 */
function DefaultPrecisionField({ precision }: { precision: string }) {
  const [text, setText] = useState(precision);
  const problems = checkDefaultPrecision(text);
  const bad = problems.some((d) => d.severity === 'error');
  const commit = () => {
    const t = text.trim();
    if (t && !bad && t !== precision) void updateSettings({ defaultPrecision: t });
  };
  return (
    <span className="flex flex-col">
      <input
        aria-label="fixed-point type"
        data-testid="preview-precision"
        aria-invalid={bad}
        className={`w-28 rounded border px-1 font-mono text-[11px] ${bad ? 'border-red-500 bg-red-50' : 'border-slate-300'}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      />
      {bad && (
        <span className="max-w-xs text-[10px] text-red-600" data-testid="preview-precision-error">
          {problems[0].message}
        </span>
      )}
    </span>
  );
}

function PreviewPanelView() {
  const inputs = useEditor((s) => s.nodes.filter((n) => isGraphInput(n.data)).map((n) => `${n.id}\u0000${n.data.name}`).join('\u0001'));
  const selected = useEditor((s) => (s.selected.length === 1 ? s.selected[0] : null));
  const lastId = useEditor((s) => {
    const order = s.analysis.order;
    return order.length ? order[order.length - 1] : null;
  });
  const shownId = selected ?? lastId;
  const shownName = useEditor((s) => (shownId ? s.nodes.find((n) => n.id === shownId)?.data.name : undefined));
  const format = useEditor((s) => (shownId ? (s.analysis.nodes[shownId]?.format ?? null) : null));
  const status = usePreview((s) => s.status);
  const ms = usePreview((s) => s.ms);
  const parts = usePreview((s) => s.parts);
  const partsRun = usePreview((s) => s.partsRun);
  const cancelled = usePreview((s) => s.cancelled);
  const out = usePreview((s) => (shownId ? s.outputs[shownId] : undefined));
  const err = usePreview((s) => (shownId ? s.errors[shownId] : undefined));
  const runError = usePreview((s) => s.error);
  const filled = usePreview((s) => s.filledWeights.length);
  const fixedOn = useUi((s) => s.previewFixed);
  const precision = useUi((s) => s.settings.defaultPrecision);
  const fx = usePreview((s) => (shownId ? s.fixed[shownId] : undefined));
  const fixedError = usePreview((s) => s.fixedError);
  const profileOpen = useUi((s) => s.profileOpen);
  return (
    <>
    <div className="px-3 pb-3" data-testid="preview">
      <div className="sticky top-0 z-10 -mx-3 mb-2 flex items-center gap-2 bg-white px-3 pb-1 pt-2">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500" data-testid="preview-title">
          Preview <span className="normal-case">({fixedOn ? `float vs ${precision}` : 'float'})</span>
        </h3>
        <span
          className="text-[10px] text-slate-400"
          data-testid="preview-status"
          data-parts={parts}
          data-parts-run={partsRun}
          data-cancelled={cancelled}
          title={parts > 1 ? `split across ${parts} workers; ${partsRun} of the parts ran, the others' results still held` : undefined}
        >
          {status === 'running' ? 'running…' : status === 'done' ? `${ms?.toFixed(1)} ms` : status === 'failed' ? 'failed' : ''}
        </span>
        <button className="btn ml-auto" onClick={() => runPreview({ fresh: true })}>Run</button>
      </div>
      {inputs &&
        inputs.split('\u0001').map((s) => {
          const [id, name] = s.split('\u0000');
          return <InputControls key={id} nodeId={id} name={name} />;
        })}
      <div className="mb-2 flex items-center gap-2 text-xs">
        <label className="flex items-center gap-1">
          <input type="checkbox" data-testid="preview-fixed" checked={fixedOn} onChange={(e) => useUi.getState().set({ previewFixed: e.target.checked })} />
          compare with fixed point
        </label>
        <label className="flex items-center gap-1" title="weights and outputs per layer against the range of their fixed-point types">
          <input type="checkbox" data-testid="profile-toggle" checked={profileOpen} onChange={(e) => useUi.getState().set({ profileOpen: e.target.checked })} />
          profile
        </label>
        <DefaultPrecisionField key={precision} precision={precision} />
      </div>
      {runError && <div className="text-xs text-red-600">{runError}</div>}
      {fixedOn && fixedError && <div className="mb-1 text-xs text-amber-700" data-testid="fixed-error">Fixed point: {fixedError}</div>}
      {shownId && (
        <div>
          <div className="mb-1 text-xs text-slate-600">
            Output of <span className="font-medium">{shownName}</span>
            {out ? ` · ${shapeText(out.shape)}` : ''}
          </div>
          {/* With fixed point on: the error first, then float and fixed point side by side (the fixed-point
              result and its error used to be below the fold, under the float heatmaps). */}
          {fixedOn && fx && (
            <div className="mb-1 font-mono text-[10px] text-slate-700" data-testid="fixed-stats">
              <span className="font-sans text-slate-600">{fx.type} vs float:</span> max |Δ| {fx.maxAbs.toPrecision(3)} ({fx.maxLsb.toFixed(1)} LSB) · RMS {fx.rms.toPrecision(3)}
            </div>
          )}
          {out ? (
            <div className={fixedOn && fx ? 'grid grid-cols-2 gap-2' : ''}>
              <div>
                {fixedOn && fx && <div className="text-[10px] font-semibold text-slate-500">float</div>}
                <TensorView t={out} format={format} />
              </div>
              {fixedOn && fx && (
                <div data-testid="fixed-compare">
                  <div className="truncate text-[10px] font-semibold text-slate-500">fixed point <span className="font-mono font-normal">{fx.type}</span></div>
                  <TensorView t={fx} format={format} />
                </div>
              )}
            </div>
          ) : (
            <div className="text-xs text-slate-400">{err ?? (status === 'running' ? 'computing…' : 'no value: fix the errors above this node')}</div>
          )}
          {filled > 0 && <div className="mt-1 text-[10px] text-slate-400">{filled} node(s) use seeded default weights (not stored yet).</div>}
        </div>
      )}
    </div>
    {profileOpen && <ProfilePanel />}
    </>
  );
}

export const PreviewPanel = memo(PreviewPanelView);
