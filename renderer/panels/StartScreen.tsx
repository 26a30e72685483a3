// The start screen: new / open a project, recent projects, the shipped examples.
import { useEffect, useState } from 'react';
import type { ExampleInfo, RecentProject } from '../../api/contract';
import { errorText, getApi } from '../api/client';
import { openDialog, openExample, openProject } from '../state/actions';
import { useUi } from '../state/ui';

export function StartScreen() {
  const [examples, setExamples] = useState<ExampleInfo[]>([]);
  const [recent, setRecent] = useState<RecentProject[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const api = getApi();
    api.examplesList({}).then((r) => setExamples(r.items), (e) => setError(`Examples: ${errorText(e)}`));
    api.projectRecent({}).then((r) => setRecent(r.items), () => undefined);
  }, []);
  return (
    <div className="flex h-full items-start justify-center overflow-y-auto bg-slate-100 p-10" data-testid="start-screen">
      <div className="w-[760px]">
        <h1 className="text-3xl font-semibold text-slate-800">Tessera</h1>
        <p className="mb-6 text-slate-600">Design Conv / ConvTranspose dataflow accelerators: shapes and errors live, preview in float, HLS out.</p>
        <div className="mb-6 flex gap-2">
          <button className="btn-primary" data-testid="start-new" onClick={() => useUi.getState().set({ dialog: { kind: 'new' } })}>New project</button>
          <button className="btn-secondary" data-testid="start-open" onClick={() => void openDialog()}>Open project…</button>
        </div>
        {error && <div className="mb-4 rounded bg-red-50 p-2 text-sm text-red-700">{error}</div>}
        <h2 className="mb-2 text-sm font-semibold uppercase text-slate-500">Examples</h2>
        <div className="mb-6 grid grid-cols-3 gap-3">
          {examples.map((e) => (
            <button key={e.id} data-testid={`example-${e.id}`} className="rounded-lg border border-slate-200 bg-white p-3 text-left shadow-sm hover:border-blue-400" onClick={() => void openExample(e.id)}>
              <div className="font-medium text-slate-800">{e.title}</div>
              <div className="mt-1 text-xs text-slate-500">{e.description}</div>
            </button>
          ))}
          {!examples.length && !error && <div className="text-sm text-slate-500">No examples found.</div>}
        </div>
        {recent.length > 0 && (
          <>
            <h2 className="mb-2 text-sm font-semibold uppercase text-slate-500">Recent</h2>
            <div className="rounded-lg border border-slate-200 bg-white">
              {recent.map((r) => (
                <button key={r.path} disabled={!r.exists} className="flex w-full justify-between border-b border-slate-100 px-3 py-2 text-left text-sm last:border-0 hover:bg-blue-50 disabled:text-slate-400" onClick={() => void openProject(r.path)}>
                  <span className="font-medium">{r.name}</span>
                  <span className="truncate pl-4 text-xs text-slate-400">{r.exists ? r.path : `${r.path} (missing)`}</span>
                </button>
              ))}
            </div>
          </>
        )}
      </div>
    </div>
  );
}
