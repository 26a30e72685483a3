// Small modal dialogs: new project (name), open (projects folder, recent, or a path), save as (path).
import { useEffect, useState } from 'react';
import type { RecentProject } from '../../api/contract';
import { getApi } from '../api/client';
import { answerExampleQuestion, newProject, openProject, saveProjectAs } from '../state/actions';
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
          <button key={i.path} className="flex w-full items-start justify-between gap-3 border-b border-slate-100 px-3 py-1.5 text-left text-sm hover:bg-blue-50" onClick={() => open(i.path)} data-testid={`open-item-${i.name}`} title={i.path}>
            <span className="min-w-0">
              <span className="block font-medium">{i.name}</span>
              {/* The folder, so that projects of the same name can be told apart. */}
              <span className="block truncate font-mono text-[10px] text-slate-400" data-testid="open-item-path">{i.path}</span>
            </span>
            <span className="shrink-0 text-xs text-slate-400">{i.note}</span>
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

function SaveAsDialog({ initial, note }: { initial: string; note?: string }) {
  const [path, setPath] = useState(initial);
  const submit = () => {
    const p = path.trim();
    if (!p) return;
    const file = /\.tessera$/.test(p) ? p : `${p}.tessera`;
    // An example's first edit asked: the answer goes back to the question (see state/actions).
    if (note) void answerExampleQuestion(file);
    else void saveProjectAs(file);
    useUi.getState().set({ dialog: null });
  };
  return (
    <Modal title={note ? 'Save your copy of the example' : 'Save as'} testId="dialog-saveas">
      {note && <p className="mb-2 text-sm text-slate-600" data-testid="saveas-note">{note}</p>}
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
  return <SaveAsDialog key={`${dialog.initial}|${dialog.note ?? ''}`} initial={dialog.initial} note={dialog.note} />;
}
