// Slurm settings in the builds panel: the project's (what each build asks the cluster for; saved in the
// project file) and this user's (where build folders go, what runs on the nodes; saved in the app's own
// settings, never in a project). Each value is checked as typed with the same rules as the services.
import { useEffect, useState } from 'react';
import { checkSlurmAppStrings, sbatchArgsOf, type Refusal } from '../../engine/safety';
import { SlurmAppSettings, SlurmProjectSettings } from '../../api/slurm-settings';
import { getApi } from '../api/client';
import { useUi } from '../state/ui';

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
const orNull = (s: string) => (s.trim() ? s.trim() : null);

export function SlurmSettingsForm({ projectId }: { projectId: string }) {
  const [project, setProject] = useState<SlurmProjectSettings | null>(null);
  const [app, setApp] = useState<SlurmAppSettings | null>(null);
  const [options, setOptions] = useState('');
  const [setup, setSetup] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [check, setCheck] = useState<{ ok: boolean; message: string } | null>(null);

  useEffect(() => {
    void getApi()
      .slurmGetSettings({ projectId })
      .then((r) => {
        setProject(r.project ?? SlurmProjectSettings.parse({}));
        setApp(r.app);
        setOptions((r.project?.options ?? []).join('\n'));
        setSetup(r.app.setup.join('\n'));
      })
      .catch((e: unknown) => useUi.getState().notify('error', e instanceof Error ? e.message : String(e)));
  }, [projectId]);

  if (!project || !app) return <div className="p-2 text-xs text-slate-500">Loading the Slurm settings…</div>;
  const nextProject: SlurmProjectSettings = { ...project, options: lines(options) };
  const nextApp: SlurmAppSettings = { ...app, setup: lines(setup) };
  const problems: Refusal[] = [...sbatchArgsOf(nextProject).refusals, ...checkSlurmAppStrings(nextApp)];
  const field = 'rounded border border-slate-300 px-1 py-0.5 text-xs';
  const text = (label: string, key: 'partition' | 'account' | 'qos' | 'timeLimit' | 'memory', placeholder: string) => (
    <label>
      {label}{' '}
      <input className={`${field} w-28`} placeholder={placeholder} value={project[key] ?? ''} onChange={(e) => setProject({ ...project, [key]: orNull(e.target.value) })} data-testid={`slurm-${key}`} />
    </label>
  );
  const save = async () => {
    try {
      await getApi().slurmSetSettings({ projectId, project: nextProject, app: nextApp });
      setSaved('saved');
    } catch (e) {
      useUi.getState().notify('error', e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="space-y-2 border-b border-slate-200 bg-slate-50 p-2 text-xs" data-testid="slurm-settings">
      <div className="font-semibold">This project's Slurm requests (saved in the project)</div>
      <div className="flex flex-wrap items-center gap-2">
        {text('Partition', 'partition', 'default')}
        {text('Account', 'account', 'default')}
        {text('QoS', 'qos', 'default')}
        {text('Time limit', 'timeLimit', 'e.g. 4:00:00')}
        {text('Memory', 'memory', 'e.g. 16G')}
        <label>
          CPUs{' '}
          <input className={`${field} w-12`} value={project.cpus ?? ''} placeholder="1" onChange={(e) => setProject({ ...project, cpus: e.target.value.trim() ? Number(e.target.value) : null })} data-testid="slurm-cpus" />
        </label>
        <label title="let Slurm start a build again when its node fails (else it fails as a node failure)">
          <input type="checkbox" checked={project.requeue} onChange={(e) => setProject({ ...project, requeue: e.target.checked })} data-testid="slurm-requeue" /> requeue on node failure
        </label>
      </div>
      <label className="block">
        Extra sbatch options, one a line (--constraint, --gres, --licenses, --exclusive, --nodelist, --exclude, --reservation, --tmp, --mem-per-cpu, --mail-type…)
        <textarea className={`${field} block h-10 w-full font-mono`} value={options} onChange={(e) => setOptions(e.target.value)} placeholder="--constraint=fpga" data-testid="slurm-options" />
      </label>
      <div className="font-semibold">Your cluster settings (this machine only; never read from a project)</div>
      <div className="flex flex-wrap items-center gap-2">
        <label title="a folder the compute nodes see at the same path; empty: beside the project">
          Shared build folder <input className={`${field} w-64`} value={app.buildRoot ?? ''} placeholder="beside the project" onChange={(e) => setApp({ ...app, buildRoot: orNull(e.target.value) })} data-testid="slurm-build-root" />
        </label>
        <label>
          Tool root on the nodes <input className={`${field} w-56`} value={app.toolRoot ?? ''} placeholder="/opt/Xilinx/Vitis/2024.1" onChange={(e) => setApp({ ...app, toolRoot: orNull(e.target.value) })} data-testid="slurm-tool-root" />
        </label>
        <label>
          Node.js on the nodes <input className={`${field} w-40`} value={app.node ?? ''} placeholder="this one" onChange={(e) => setApp({ ...app, node: orNull(e.target.value) })} data-testid="slurm-node" />
        </label>
      </div>
      <label className="block">
        Setup lines run on the node before each build, one a line
        <textarea className={`${field} block h-10 w-full font-mono`} value={setup} onChange={(e) => setSetup(e.target.value)} placeholder="module load vitis/2024.1" data-testid="slurm-setup" />
      </label>
      {problems.length > 0 && (
        <ul className="list-disc pl-4 text-red-700" data-testid="slurm-problems">
          {problems.map((p) => (
            <li key={p.field}>{p.message}</li>
          ))}
        </ul>
      )}
      <div className="flex items-center gap-2">
        <button className="rounded bg-slate-700 px-2 py-0.5 text-white disabled:opacity-40" disabled={problems.length > 0} onClick={() => void save()} data-testid="slurm-save">
          Save Slurm settings
        </button>
        <button className="rounded border border-slate-400 px-2 py-0.5" onClick={() => void getApi().slurmCheck({}).then(setCheck)} data-testid="slurm-check">
          Check the cluster
        </button>
        {saved && <span className="text-slate-500">{saved}</span>}
        {check && (
          <span className={check.ok ? 'text-emerald-700' : 'text-red-700'} data-testid="slurm-check-result">
            {check.message}
          </span>
        )}
      </div>
    </div>
  );
}
