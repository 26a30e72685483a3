// Variants & builds: create a variant for one layer or the whole design, duplicate / rename / delete,
// sweep ranges into variants, build on this machine or on a Slurm cluster (queue with progress per step,
// the Slurm job and node of each build, live log, cancel one or all).
import { useMemo, useState } from 'react';
import type { BuildRunJson, VariantConfigJson, VariantJson } from '../../api/builds-contract';
import { splitList } from '../../engine/hls/config';
import { useEditor } from '../state/store';
import { askToSaveExample, saveProject } from '../state/actions';
import { useUi } from '../state/ui';
import { useVariants, variantActions } from './store';
import { runStatus } from '../compare/figures';
import { SlurmSettingsForm } from './SlurmSettings';
import { isGraphInput } from '../../engine/ops/input';
import { formatFit, type PartFit } from '../../engine/reports/fit';
import { FitForm } from './FitForm';

/** The Slurm job of a run ("123_4", its node and Slurm's state), or null for a build on this machine. */
function slurmJob(run: BuildRunJson | undefined): { job: string; nodes: string | null; state: string | null } | null {
  const s = (run?.config as { slurm?: { jobId: string | null; task: number; nodes: string | null; state: string | null } } | null)?.slurm;
  if (!s) return null;
  return { job: s.jobId ? `${s.jobId}_${s.task}` : 'submitting', nodes: s.nodes, state: s.state };
}

type Io = 'io_parallel' | 'io_stream';
const MAC_TYPES = /Conv|Dense/;

function useLayers(): { name: string; type: string }[] {
  const nodes = useEditor((s) => s.nodes);
  return useMemo(() => nodes.filter((n) => !isGraphInput(n.data)).map((n) => ({ name: n.data.name, type: n.data.type })), [nodes]);
}

/** The service works on the saved design: unsaved edits are saved first, an example asks where to (false: declined). */
async function saveIfDirty(): Promise<boolean> {
  if (useUi.getState().readOnlyExample) return askToSaveExample();
  return useEditor.getState().project.dirty ? saveProject() : true;
}

function CreateForm() {
  const layers = useLayers();
  const selected = useEditor((s) => s.selected);
  const nodes = useEditor((s) => s.nodes);
  const selName = nodes.find((n) => n.id === selected[0])?.data.name;
  const defaultLayer = selName && layers.some((l) => l.name === selName) ? selName : layers.find((l) => MAC_TYPES.test(l.type))?.name ?? '';
  const [layer, setLayer] = useState<string>(defaultLayer);
  const [io, setIo] = useState<Io>('io_parallel');
  const [strategy, setStrategy] = useState<'latency' | 'resource'>('latency');
  const [rf, setRf] = useState('1');
  const [pf, setPf] = useState('1');
  const [precision, setPrecision] = useState('');
  const [name, setName] = useState('');
  const [sweepRf, setSweepRf] = useState('valid');
  const [sweepIo, setSweepIo] = useState('io_parallel,io_stream');
  const [sweepPrec, setSweepPrec] = useState('');

  const choice = () => ({
    strategy,
    reuseFactor: Math.max(1, Number(rf) || 1),
    ...(Number(pf) > 1 ? { parallelizationFactor: Number(pf) } : {}),
    ...(precision.trim() ? { precision: { weight_t: precision.trim(), bias_t: precision.trim(), accum_t: precision.trim(), result_t: precision.trim() } } : {}),
  });
  const create = () => {
    const c = choice();
    const config: VariantConfigJson = layer ? { io, scope: layer, defaults: {}, layers: { [layer]: c } } : { io, scope: null, defaults: c, layers: {} };
    // The service checks variants against the saved design: unsaved edits are saved first.
    void saveIfDirty().then((ok) => {
      if (ok) void variantActions.create(config, name.trim() || undefined);
    });
    setName('');
  };
  const sweep = () => {
    const rfs = sweepRf.trim() === 'valid' ? 'valid' : splitList(sweepRf).map(Number).filter((n) => Number.isInteger(n) && n >= 1);
    const ios = splitList(sweepIo).map((s) => (s.includes('stream') ? 'io_stream' : 'io_parallel')) as Io[];
    const precs = splitList(sweepPrec);
    void saveIfDirty().then((ok) => {
      if (ok) void variantActions.sweep({ ...(layer ? { layer } : {}), reuseFactors: rfs, io: [...new Set(ios)], strategies: [strategy], ...(precs.length ? { precisions: precs } : {}) });
    });
  };
  const field = 'rounded border border-slate-300 px-1 py-0.5 text-xs';
  return (
    <div className="space-y-2 border-b border-slate-200 p-2 text-xs" data-testid="variant-form">
      <div className="flex flex-wrap items-center gap-2">
        <label>
          Layer{' '}
          <select className={field} value={layer} onChange={(e) => setLayer(e.target.value)} data-testid="variant-layer">
            <option value="">whole design</option>
            {layers.map((l) => (
              <option key={l.name} value={l.name}>{`${l.name} (${l.type})`}</option>
            ))}
          </select>
        </label>
        <label>
          IO{' '}
          <select className={field} value={io} onChange={(e) => setIo(e.target.value as Io)} data-testid="variant-io">
            <option value="io_parallel">io_parallel</option>
            <option value="io_stream">io_stream</option>
          </select>
        </label>
        <label>
          Strategy{' '}
          <select className={field} value={strategy} onChange={(e) => setStrategy(e.target.value as 'latency' | 'resource')} data-testid="variant-strategy">
            <option value="latency">latency</option>
            <option value="resource">resource</option>
          </select>
        </label>
        <label>
          RF <input className={`${field} w-12`} value={rf} onChange={(e) => setRf(e.target.value)} data-testid="variant-rf" />
        </label>
        <label>
          PF <input className={`${field} w-12`} value={pf} onChange={(e) => setPf(e.target.value)} data-testid="variant-pf" />
        </label>
        <label>
          Precision <input className={`${field} w-28`} placeholder="ap_fixed<16,6>" value={precision} onChange={(e) => setPrecision(e.target.value)} data-testid="variant-precision" />
        </label>
        <label>
          Name <input className={`${field} w-36`} placeholder="(automatic)" value={name} onChange={(e) => setName(e.target.value)} data-testid="variant-name" />
        </label>
        <button className="rounded bg-slate-700 px-2 py-0.5 text-white" onClick={create} data-testid="variant-create">
          Add variant
        </button>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-semibold">Sweep</span>
        <label>
          RF <input className={`${field} w-20`} value={sweepRf} onChange={(e) => setSweepRf(e.target.value)} title="comma list or 'valid'" data-testid="sweep-rf" />
        </label>
        <label>
          IO <input className={`${field} w-36`} value={sweepIo} onChange={(e) => setSweepIo(e.target.value)} data-testid="sweep-io" />
        </label>
        <label>
          Precisions <input className={`${field} w-44`} placeholder="ap_fixed<16,6>,ap_fixed<8,3>" value={sweepPrec} onChange={(e) => setSweepPrec(e.target.value)} data-testid="sweep-precision" />
        </label>
        <button className="rounded border border-slate-400 px-2 py-0.5" onClick={sweep} data-testid="sweep-run">
          Expand into variants
        </button>
      </div>
    </div>
  );
}

function VariantRow({ v, checked, onCheck }: { v: VariantJson; checked: boolean; onCheck(c: boolean): void }) {
  const runs = useVariants((s) => s.runs);
  const live = useVariants((s) => s.live);
  const mine = runs.filter((r) => r.variantId === v.id);
  const last = mine[mine.length - 1];
  const ls = last ? live[last.id] : undefined;
  const status = runStatus(last, live);
  const active = status === 'running' || status === 'queued';
  const job = slurmJob(last);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(v.name);
  return (
    <tr className="border-b border-slate-100" data-testid="variant-row" data-variant={v.name}>
      <td className="px-1">
        <input type="checkbox" checked={checked && !v.problems.length} disabled={v.problems.length > 0} onChange={(e) => onCheck(e.target.checked)} aria-label={`select ${v.name}`} />
      </td>
      <td className="px-1">
        {editing ? (
          <input
            className="w-48 rounded border border-slate-300 px-1 text-xs"
            value={name}
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                void variantActions.rename(v.id, name);
                setEditing(false);
              } else if (e.key === 'Escape') setEditing(false);
              e.stopPropagation();
            }}
            data-testid="variant-rename-input"
          />
        ) : (
          <span onDoubleClick={() => setEditing(true)} title="double-click to rename">{v.name}</span>
        )}
        {v.problems.length > 0 && (
          <div className="mt-0.5 max-w-xl text-red-700" data-testid="variant-problems">
            Builds nothing until fixed: {v.problems.join(' ')}{' '}
            <button className="underline" onClick={() => void variantActions.dropRefused(v)} data-testid="variant-drop-refused">
              remove the refused settings
            </button>
          </div>
        )}
      </td>
      <td className="px-1 text-slate-500">{v.config.io}</td>
      <td className="px-1" data-testid="variant-status">
        {status}
        {ls?.step && status === 'running' ? ` · ${ls.step}` : ''}
        {job && (
          <span className="ml-1 text-slate-500" data-testid="variant-slurm" title={job.state ? `Slurm state ${job.state}` : undefined}>
            [Slurm {job.job}
            {job.nodes ? ` on ${job.nodes}` : ''}]
          </span>
        )}
        {status === 'running' && ls?.progress !== undefined && (
          <span className="ml-1 inline-block h-1.5 w-16 rounded bg-slate-200 align-middle">
            <span className="block h-1.5 rounded bg-sky-500" style={{ width: `${Math.round(ls.progress * 100)}%` }} />
          </span>
        )}
      </td>
      <td className="px-1 text-slate-500">{mine.length}</td>
      <td className="space-x-1 whitespace-nowrap px-1">
        {last && (
          <button className="underline" onClick={() => useVariants.getState().set({ selectedRun: last.id })} data-testid="variant-log">
            log
          </button>
        )}
        {active && last ? (
          <button className="text-red-700 underline" onClick={() => void variantActions.cancel(last.id)} data-testid="variant-cancel">
            cancel
          </button>
        ) : null}
        <button className="underline" onClick={() => setEditing(true)}>rename</button>
        <button className="underline" onClick={() => void variantActions.duplicate(v.id)} data-testid="variant-duplicate">duplicate</button>
        <button className="text-red-700 underline" onClick={() => void variantActions.remove(v.id)} data-testid="variant-delete">delete</button>
      </td>
    </tr>
  );
}

function LogView() {
  const runId = useVariants((s) => s.selectedRun);
  const log = useVariants((s) => (runId ? s.logs[runId] ?? '' : ''));
  const run = useVariants((s) => s.runs.find((r) => r.id === runId));
  if (!runId) return <div className="p-2 text-xs text-slate-500">Select "log" on a variant to follow its build.</div>;
  const report = run?.report as { failure?: string | null; hlsFit?: PartFit | null; estimate?: { fit?: PartFit } | null } | null;
  const failure = report?.failure;
  // The vendor report's fit on its part when a tool ran, else the estimate's, the part named.
  const fit = report?.hlsFit ?? report?.estimate?.fit ?? null;
  return (
    <div className="flex min-h-0 flex-1 flex-col p-2 text-xs">
      <div className="mb-1 font-semibold">
        Build {runId} — {run?.status ?? '…'}
        {failure ? <span className="ml-2 font-normal text-red-700">{failure}</span> : null}
      </div>
      {fit && (
        <div className={`mb-1 ${fit.fits === false ? 'text-red-700' : 'text-slate-700'}`} data-testid="build-fit">
          {formatFit(fit)} ({report?.hlsFit ? 'synthesis report' : 'estimate'})
        </div>
      )}
      <pre className="min-h-0 flex-1 overflow-auto whitespace-pre-wrap rounded bg-slate-900 p-2 font-mono text-[11px] text-slate-100" data-testid="build-log">
        {log.slice(-60_000)}
      </pre>
    </div>
  );
}

export function BuildsPanel() {
  const variants = useVariants((s) => s.variants);
  const queue = useVariants((s) => s.queue);
  const runs = useVariants((s) => s.runs);
  const formKey = useVariants((s) => s.formKey);
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [csim, setCsim] = useState(true);
  const [fifo, setFifo] = useState<'rule' | 'safe'>('rule');
  const live = useVariants((s) => s.live);
  const starting = useVariants((s) => s.starting);
  const buildable = variants.filter((v) => !v.problems.length);
  // A variant with a build queued or running is not built again (the service would return that build).
  const active = new Set(
    variants.filter((v) => {
      const mine = runs.filter((r) => r.variantId === v.id);
      const st = runStatus(mine[mine.length - 1], live);
      return st === 'queued' || st === 'running';
    }).map((v) => v.id),
  );
  const idle = buildable.filter((v) => !active.has(v.id)).map((v) => v.id);
  const chosen = idle.filter((id) => checked[id]);
  const on = useVariants((s) => s.on);
  const projectId = useVariants((s) => s.projectId);
  const [slurmOpen, setSlurmOpen] = useState(false);
  const build = async (ids: string[]) => {
    useVariants.setState({ starting: true });
    if (await saveIfDirty()) await variantActions.build(ids, csim, on, fifo);
    else useVariants.setState({ starting: false });
  };
  const interrupted = runs.filter((r) => r.status === 'interrupted').length;
  // runs left queued on this machine (those on Slurm wait in Slurm's queue, not here)
  const waiting = runs.filter((r) => r.status === 'queued' && !slurmJob(r)).length;
  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="builds-panel">
      <FitForm saveFirst={saveIfDirty} />
      <CreateForm key={formKey} />
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 p-2 text-xs">
        <button className="rounded bg-sky-700 px-2 py-0.5 text-white disabled:opacity-40" disabled={starting || !chosen.length} onClick={() => void build(chosen)} data-testid="build-selected">
          Build selected ({chosen.length})
        </button>
        <button
          className="rounded border border-slate-400 px-2 py-0.5 disabled:opacity-40"
          disabled={starting || !idle.length}
          title={buildable.length && !idle.length ? 'every variant is queued or building' : undefined}
          onClick={() => void build(idle)}
          data-testid="build-all"
        >
          {starting ? 'Starting…' : 'Build all'}
          {buildable.length < variants.length ? ` (${buildable.length}; ${variants.length - buildable.length} need fixing)` : ''}
        </button>
        <button className="rounded border border-red-400 px-2 py-0.5 text-red-700" onClick={() => void variantActions.cancel()} data-testid="cancel-all">
          Cancel all
        </button>
        <label>
          <input type="checkbox" checked={csim} onChange={(e) => setCsim(e.target.checked)} data-testid="build-csim" /> C simulation (g++)
        </label>
        <label title="io_stream FIFO depths: from the modelled pipeline read-ahead, or safe: every stream a fork writes holds its whole tensor (tessera build --fifo safe); io_parallel has no FIFOs">
          FIFOs{' '}
          <select className="rounded border border-slate-300 px-1 py-0.5 text-xs" value={fifo} onChange={(e) => setFifo(e.target.value as 'rule' | 'safe')} data-testid="build-fifo">
            <option value="rule">modelled depths</option>
            <option value="safe">safe (fork edges: whole tensor)</option>
          </select>
        </label>
        <label title="this machine, or jobs on a Slurm cluster (README: Builds on a Slurm cluster)">
          on{' '}
          <select className="rounded border border-slate-300 px-1 py-0.5 text-xs" value={on} onChange={(e) => useVariants.setState({ on: e.target.value as 'local' | 'slurm' })} data-testid="build-on">
            <option value="local">this machine</option>
            <option value="slurm">Slurm cluster</option>
          </select>
        </label>
        {on === 'slurm' && (
          <button className="underline" onClick={() => setSlurmOpen(!slurmOpen)} data-testid="slurm-settings-toggle">
            Slurm settings
          </button>
        )}
        <span className="text-slate-500" data-testid="queue-state">
          {queue.active} running, {queue.queued} queued, {queue.concurrency} at a time
          {queue.onSlurm > 0 ? ` · ${queue.onSlurm} on Slurm` : ''}
        </span>
        {waiting > 0 && queue.queued === 0 && (
          <button className="underline" onClick={() => void variantActions.resume()} data-testid="resume">
            resume {waiting} queued from last session
          </button>
        )}
        {interrupted > 0 && <span className="text-amber-700">{interrupted} interrupted by a restart</span>}
      </div>
      {on === 'slurm' && slurmOpen && projectId && <SlurmSettingsForm projectId={projectId} />}
      <div className="max-h-[45%] min-h-0 overflow-auto">
        <table className="w-full text-left text-xs">
          <thead className="sticky top-0 bg-slate-50">
            <tr>
              <th className="px-1" />
              <th className="px-1">Variant</th>
              <th className="px-1">IO</th>
              <th className="px-1">Status</th>
              <th className="px-1">Runs</th>
              <th className="px-1" />
            </tr>
          </thead>
          <tbody>
            {variants.map((v) => (
              <VariantRow key={v.id} v={v} checked={!!checked[v.id]} onCheck={(c) => setChecked((s) => ({ ...s, [v.id]: c }))} />
            ))}
            {!variants.length && (
              <tr>
                <td colSpan={6} className="p-2 text-slate-500">No variants yet: add one above, or sweep a layer's choices.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <LogView />
    </div>
  );
}
