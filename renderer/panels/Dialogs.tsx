// Small modal dialogs: new project (name), open (projects folder, recent, or a path), save as (path).
import { useEffect, useState } from 'react';
import type { RecentProject } from '../../api/contract';
import { getApi } from '../api/client';
import { newProject, openProject, saveProjectAs } from '../state/actions';
import { useUi } from '../state/ui';

function Modal({ title, children, testId }: { title: string; children: React.ReactNode; testId: string }) {
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/30" onClick={() => useUi.getState().set({ dialog: null })}>
      <div className="w-[520px] rounded-lg bg-white p-4 shadow-xl" data-testid={testId} onClick={(e) => e.stopPropagation()}>
        <h2 className="mb-3 text-lg font-semibold">{title}</h2>
        {children}
      </div>
    </div>
  );
}

function NewDialog() {
  const [name, setName] = useState('untitled');
  const submit = () => {
    useUi.getState().set({ dialog: null });
    void newProject(name.trim() || 'untitled');
  };
  return (
    <Modal title="New project" testId="dialog-new">
      <label className="block text-sm">
        Name
        <input autoFocus data-testid="new-name" className="mt-1 w-full rounded border border-slate-300 px-2 py-1" value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && submit()} />
      </label>
      <div className="mt-3 flex justify-end gap-2">
        <button className="btn-secondary" onClick={() => useUi.getState().set({ dialog: null })}>Cancel</button>
        <button className="btn-primary" data-testid="new-create" onClick={submit}>Create</button>
      </div>
    </Modal>
  );
}

function OpenDialog() {
  const [items, setItems] = useState<{ path: string; name: string; note: string }[]>([]);
  const [path, setPath] = useState('');
  useEffect(() => {
    const api = getApi();
    Promise.allSettled([api.projectList({}), api.projectRecent({})]).then(([list, recent]) => {
      const seen = new Map<string, { path: string; name: string; note: string }>();
      if (recent.status === 'fulfilled') for (const r of recent.value.items as RecentProject[]) if (r.exists) seen.set(r.path, { path: r.path, name: r.name, note: `opened ${r.openedAt.slice(0, 16).replace('T', ' ')}` });
      if (list.status === 'fulfilled') for (const r of list.value.items) if (!seen.has(r.path)) seen.set(r.path, { path: r.path, name: r.name, note: `modified ${r.modifiedAt.slice(0, 16).replace('T', ' ')}` });
      setItems([...seen.values()]);
    });
  }, []);
  const open = (p: string) => {
    useUi.getState().set({ dialog: null });
    void openProject(p);
  };
  return (
    <Modal title="Open project" testId="dialog-open">
      <div className="mb-3 max-h-64 overflow-y-auto rounded border border-slate-200">
        {items.map((i) => (
          <button key={i.path} className="flex w-full justify-between border-b border-slate-100 px-3 py-1.5 text-left text-sm hover:bg-blue-50" onClick={() => open(i.path)} data-testid={`open-item-${i.name}`}>
            <span className="font-medium">{i.name}</span>
            <span className="pl-3 text-xs text-slate-400">{i.note}</span>
          </button>
        ))}
        {!items.length && <div className="p-3 text-sm text-slate-500">No projects yet.</div>}
      </div>
      <label className="block text-sm">
        Or a path to a .tessera file
        <input data-testid="open-path" className="mt-1 w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs" value={path} onChange={(e) => setPath(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && path && open(path)} />
      </label>
      <div className="mt-3 flex justify-end gap-2">
        <button className="btn-secondary" onClick={() => useUi.getState().set({ dialog: null })}>Cancel</button>
        <button className="btn-primary" disabled={!path} onClick={() => open(path)}>Open</button>
      </div>
    </Modal>
  );
}

function SaveAsDialog({ initial }: { initial: string }) {
  const [path, setPath] = useState(initial);
  const submit = () => {
    useUi.getState().set({ dialog: null });
    const p = path.trim();
    void saveProjectAs(/\.tessera$/.test(p) ? p : `${p}.tessera`);
  };
  return (
    <Modal title="Save as" testId="dialog-saveas">
      <label className="block text-sm">
        File path (absolute, or a name in the projects folder)
        <input autoFocus data-testid="saveas-path" className="mt-1 w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs" value={path} onChange={(e) => setPath(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && submit()} />
      </label>
      <div className="mt-3 flex justify-end gap-2">
        <button className="btn-secondary" onClick={() => useUi.getState().set({ dialog: null })}>Cancel</button>
        <button className="btn-primary" data-testid="saveas-save" onClick={submit}>Save</button>
      </div>
    </Modal>
  );
}

export function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  if (!dialog) return null;
  if (dialog.kind === 'new') return <NewDialog />;
  if (dialog.kind === 'open') return <OpenDialog />;
  return <SaveAsDialog initial={dialog.initial} />;
}
