// Fit to a part (the builds panel's fit action, as `tessera fit`): the project's target part is offered first;
// the estimate chooses per-layer reuse factor and strategy so DSP, LUT, FF and BRAM_18K stay within the margin
// of the part's (variants.fit). The answer says fits / does not fit with what is over by how much; Apply stores
// the fitted settings as a variant named after the part and makes the part the project's target part; Undo
// takes both back.
import { useState } from 'react';
import type { z } from 'zod';
import type { FitAnswerJson, VariantConfigJson } from '../../api/builds-contract';
import { FIT_MARGIN } from '../../engine/estimate/fit';
import { KNOWN_DEVICES } from '../../engine/estimate/report';
import { defaultHlsConfig } from '../../engine/hls/config';
import { getApi } from '../api/client';
import { useUi } from '../state/ui';
import { refresh, useVariants } from './store';

type FitAnswer = z.output<typeof FitAnswerJson>;
type Io = 'io_parallel' | 'io_stream';

/** What Undo restores: the variant as it was before (null: it did not exist) and the target part before. */
interface Applied {
  variantId: string;
  variantName: string;
  before: VariantConfigJson | null;
  partBefore: string | undefined;
}

const n = (v: number | null) => (v === null ? '?' : v.toLocaleString('en-US'));

/** 'fits xcvu13p-…: …' or 'does not fit …: DSP 9,800 of 9,830 allowed (80 % of 12,288) …' — one line per answer. */
export function fitLine(f: FitAnswer): string {
  const s = f.summary;
  const res = (['dsp', 'lut', 'ff', 'bram_18k'] as const).map((k) => `${k === 'bram_18k' ? 'BRAM_18K' : k.toUpperCase()} ${n(s.resources[k].used)} of ${n(s.resources[k].available)}`).join(', ');
  if (f.fits) return `fits ${f.part} (${f.io}, estimate): latency ${n(s.latency_cycles)} cycles, interval ${n(s.interval_cycles)} cycles; ${res}`;
  const over = f.over.map((o) => `${o.resource} ${n(o.used)} of ${n(o.budget)} allowed (${Math.round(f.margin * 100)} % of ${n(o.available)}): over by ${n(o.used - o.budget)}`).join('; ');
  return `does not fit ${f.part} (${f.io}, estimate)${over ? `: ${over}` : ''}`;
}

export function FitForm({ saveFirst }: { saveFirst(): Promise<boolean> }) {
  const settings = useUi((s) => s.settings);
  const projectPart = settings.part ?? defaultHlsConfig().part;
  const [part, setPart] = useState(projectPart);
  const [io, setIo] = useState<Io>('io_stream');
  const [objective, setObjective] = useState<'latency' | 'resources'>('latency');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<FitAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const projectId = useUi((s) => s.projectId);

  const run = async (apply: boolean) => {
    if (!projectId || !(await saveFirst())) return;
    setBusy(true);
    setProblem(null);
    const before = useVariants.getState().variants;
    const partBefore = useUi.getState().settings.part;
    try {
      const r = await getApi().variantsFit({ projectId, part: part.trim(), io, objective, apply });
      setAnswer(r.fit);
      if (r.variant) {
        const old = before.find((v) => v.id === r.variant!.id);
        setApplied({ variantId: r.variant.id, variantName: r.variant.name, before: old ? old.config : null, partBefore });
        const ui = useUi.getState();
        ui.set({ settings: { ...ui.settings, ...(r.settingsPart ? { part: r.settingsPart } : {}) } });
        ui.notify('info', `Applied: variant "${r.variant.name}" holds the fitted settings; ${r.fit.part} is the project's target part.`);
        await refresh();
      }
    } catch (e) {
      setAnswer(null);
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const undo = async () => {
    if (!projectId || !applied) return;
    setBusy(true);
    try {
      const api = getApi();
      if (applied.before) await api.variantsUpdate({ projectId, variantId: applied.variantId, config: applied.before });
      else await api.variantsDelete({ projectId, variantId: applied.variantId });
      // the part as it was (absent: the default again; settings.set cannot unset a key, so the default is named)
      const partBack = applied.partBefore ?? defaultHlsConfig().part;
      await api.settingsSet({ projectId, patch: { part: partBack } });
      const ui = useUi.getState();
      ui.set({ settings: { ...ui.settings, part: partBack } });
      ui.notify('info', `Undone: "${applied.variantName}" ${applied.before ? 'restored' : 'removed'}; target part ${partBack}.`);
      setApplied(null);
      await refresh();
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const field = 'rounded border border-slate-300 px-1 py-0.5 text-xs';
  return (
    <div className="space-y-1 border-b border-slate-200 p-2 text-xs" data-testid="fit-form">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-semibold" title={`Per-layer reuse factor and strategy chosen by the estimate so DSP, LUT, FF and BRAM stay within ${Math.round(FIT_MARGIN * 100)} % of the part's (tessera fit)`}>
          Fit to a part
        </span>
        <label>
          Part{' '}
          <input className={`${field} w-48`} list="fit-parts" value={part} onChange={(e) => setPart(e.target.value)} data-testid="fit-part" />
        </label>
        <datalist id="fit-parts">
          {[projectPart, ...Object.keys(KNOWN_DEVICES)].filter((p, i, a) => a.indexOf(p) === i).map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <span className="text-slate-500" data-testid="fit-project-part">
          project's target part: {projectPart}
          {settings.part ? '' : ' (default)'}
        </span>
        <label>
          IO{' '}
          <select className={field} value={io} onChange={(e) => setIo(e.target.value as Io)} data-testid="fit-io">
            <option value="io_stream">io_stream</option>
            <option value="io_parallel">io_parallel</option>
          </select>
        </label>
        <label title="latency: the least reuse that fits; resources: the largest reuse factors">
          for{' '}
          <select className={field} value={objective} onChange={(e) => setObjective(e.target.value as 'latency' | 'resources')} data-testid="fit-objective">
            <option value="latency">latency</option>
            <option value="resources">resources</option>
          </select>
        </label>
        <button className="rounded border border-slate-400 px-2 py-0.5 disabled:opacity-40" disabled={busy || !part.trim()} onClick={() => void run(false)} data-testid="fit-run">
          {busy ? 'Fitting…' : 'Fit'}
        </button>
        <button
          className="rounded bg-slate-700 px-2 py-0.5 text-white disabled:opacity-40"
          disabled={busy || !answer?.fits || answer.part !== part.trim() || answer.io !== io}
          title="store the fitted settings as a variant named after the part and make the part the project's target part"
          onClick={() => void run(true)}
          data-testid="fit-apply"
        >
          Apply
        </button>
        {applied && (
          <button className="underline disabled:opacity-40" disabled={busy} onClick={() => void undo()} data-testid="fit-undo">
            Undo apply
          </button>
        )}
      </div>
      {problem && <div className="text-red-700" data-testid="fit-problem">{problem}</div>}
      {answer && (
        <div className={answer.fits ? 'text-emerald-700' : 'text-red-700'} data-testid="fit-result" data-fits={String(answer.fits)}>
          {fitLine(answer)}
          {!answer.fits && answer.error ? <div className="text-slate-600">{answer.error}</div> : null}
          {answer.fits && (
            <div className="text-slate-600" data-testid="fit-layers">
              {Object.entries(answer.layers).map(([name, l]) => `${name}: RF ${l.reuseFactor ?? 1} ${l.strategy ?? 'latency'}`).join(' · ')}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
