// Menu bar, toolbar, shortcuts help, search and notices: all driven by the one command registry.
import { useEffect, useMemo, useRef, useState } from 'react';
import { commands, isAvailable, runCommand, type MenuGroup } from '../commands';
import { displayChord } from '../lib/keys';
import { FIT_MARGIN } from '../../engine/estimate/fit';
import { flow } from '../state/actions';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';

const GROUPS: MenuGroup[] = ['File', 'Edit', 'View', 'Graph', 'Help'];

export function MenuBar() {
  const [open, setOpen] = useState<MenuGroup | null>(null);
  // Re-render on state changes that decide which commands are enabled.
  useEditor((s) => `${s.past.length}/${s.future.length}/${s.selected.length}`);
  useUi((s) => s.screen);
  useEffect(() => {
    if (!open) return;
    const close = () => setOpen(null);
    window.addEventListener('pointerdown', close);
    return () => window.removeEventListener('pointerdown', close);
  }, [open]);
  return (
    <nav className="flex items-center gap-1 text-sm" data-testid="menubar">
      {GROUPS.map((g) => (
        <div key={g} className="relative" onPointerDown={(e) => e.stopPropagation()}>
          <button className={`rounded px-2 py-0.5 hover:bg-slate-700 ${open === g ? 'bg-slate-700' : ''}`} data-testid={`menu-${g}`} onClick={() => setOpen(open === g ? null : g)}>
            {g}
          </button>
          {open === g && (
            <div className="absolute left-0 top-full z-50 mt-1 min-w-60 rounded border border-slate-300 bg-white py-1 text-slate-800 shadow-lg">
              {commands
                .filter((c) => c.group === g && !c.hidden)
                .map((c) => {
                  const ok = isAvailable(c);
                  return (
                    <button
                      key={c.id}
                      disabled={!ok}
                      data-testid={`cmd-${c.id}`}
                      className="flex w-full items-center justify-between px-3 py-1 text-left hover:bg-blue-50 disabled:text-slate-400 disabled:hover:bg-transparent"
                      onClick={() => {
                        setOpen(null);
                        runCommand(c.id);
                      }}
                    >
                      <span>{c.label}</span>
                      <span className="ml-6 text-xs text-slate-400">{c.keys ? displayChord(c.keys[0]) : ''}</span>
                    </button>
                  );
                })}
            </div>
          )}
        </div>
      ))}
    </nav>
  );
}

export function Toolbar() {
  useEditor((s) => `${s.past.length}/${s.future.length}/${s.selected.length}`);
  const screen = useUi((s) => s.screen);
  return (
    <div className="flex items-center gap-1" data-testid="toolbar">
      {commands
        .filter((c) => c.toolbar && (!c.editorOnly || screen === 'editor'))
        .map((c) => (
          <button
            key={c.id}
            className="rounded border border-slate-600 px-2 py-0.5 text-xs hover:bg-slate-700 disabled:opacity-40"
            disabled={!isAvailable(c)}
            title={`${c.label}${c.keys ? ` (${displayChord(c.keys[0])})` : ''}`}
            data-testid={`tool-${c.id}`}
            onClick={() => runCommand(c.id)}
          >
            {c.toolbar}
          </button>
        ))}
    </div>
  );
}

export function HelpPanel() {
  const open = useUi((s) => s.helpOpen);
  if (!open) return null;
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/30" onClick={() => useUi.getState().set({ helpOpen: false })}>
      <div className="max-h-[80vh] w-[520px] overflow-y-auto rounded-lg bg-white p-4 shadow-xl" data-testid="help-panel" onClick={(e) => e.stopPropagation()}>
        <h2 className="mb-2 text-lg font-semibold">Keyboard shortcuts</h2>
        {GROUPS.filter((g) => commands.some((c) => c.group === g && c.keys)).map((g) => (
          <section key={g} className="mb-2" data-testid={`help-${g}`}>
            <h3 className="text-xs font-semibold uppercase text-slate-500">{g}</h3>
            {commands
              .filter((c) => c.group === g && c.keys)
              .map((c) => (
                <div key={c.id} className="flex justify-between border-b border-slate-100 py-0.5 text-sm">
                  <span>{c.label}</span>
                  <span className="font-mono text-xs text-slate-600">{c.keys!.map(displayChord).join('  /  ')}</span>
                </div>
              ))}
          </section>
        ))}
        <p className="mt-2 text-xs text-slate-500">Mouse: drag from the palette to add, or double-click the canvas and type a layer's name; drag from an output port to an input port to connect; Shift+drag on the canvas to box-select; Shift+click to add to the selection.</p>
        <p className="mt-2 text-xs text-slate-500" data-testid="help-import">Import (File ▸ Import model…, Mod+I, or drop a file on the canvas): ONNX <code>.onnx</code>, with QONNX quantizers and QONNX channels-last Conv / MaxPool / BatchNormalization; Keras <code>.keras</code> / <code>.h5</code>, with QKeras quantizers (<code>quantized_bits</code>, <code>quantized_relu</code>, power-of-two <code>quantized_po2</code> weights). Quantizers become per-layer precisions.</p>
        <p className="mt-2 text-xs text-slate-500" data-testid="help-builds">Builds (Mod+Shift+B): Fit to a part chooses per-layer reuse factors and strategies so the estimate stays within {Math.round(FIT_MARGIN * 100)} % of the part's DSP, LUT, FF and BRAM; Apply stores them as a variant and makes the part the project's target part (Undo apply takes it back). FIFOs safe gives every stream a fork writes its whole tensor.</p>
      </div>
    </div>
  );
}

export function SearchBox() {
  const open = useUi((s) => s.searchOpen);
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState(0);
  const ref = useRef<HTMLInputElement>(null);
  const nodes = useEditor((s) => s.nodes);
  const hits = useMemo(() => {
    const f = q.trim().toLowerCase();
    if (!f) return [];
    return nodes.filter((n) => n.data.name.toLowerCase().includes(f) || n.data.type.toLowerCase().includes(f)).slice(0, 20);
  }, [q, nodes]);
  useEffect(() => {
    if (open) setTimeout(() => ref.current?.select(), 0);
  }, [open]);
  if (!open) return null;
  const go = (id: string) => {
    useEditor.getState().select([id]);
    flow.instance?.fitView({ nodes: [{ id }], duration: 200, maxZoom: 1.5 });
  };
  return (
    <div className="absolute left-1/2 top-2 z-40 w-80 -translate-x-1/2 rounded border border-slate-300 bg-white p-2 shadow-lg" data-testid="search">
      <input
        ref={ref}
        aria-label="Find node"
        className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
        placeholder="Find node by name or type…"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setCursor(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setCursor((c) => Math.min(c + 1, hits.length - 1));
          else if (e.key === 'ArrowUp') setCursor((c) => Math.max(c - 1, 0));
          else if (e.key === 'Enter' && hits[cursor]) {
            go(hits[cursor].id);
            useUi.getState().set({ searchOpen: false });
          } else if (e.key === 'Escape') useUi.getState().set({ searchOpen: false });
        }}
      />
      {hits.map((n, i) => (
        <button key={n.id} className={`block w-full px-2 py-0.5 text-left text-sm ${i === cursor ? 'bg-blue-50' : ''}`} onClick={() => go(n.id)}>
          {n.data.name} <span className="text-xs text-slate-400">{n.data.type}</span>
        </button>
      ))}
      {q && !hits.length && <div className="px-2 text-xs text-slate-500">No node matches.</div>}
    </div>
  );
}

export function Notices() {
  const notices = useUi((s) => s.notices);
  const busy = useUi((s) => s.busy);
  return (
    <div className="fixed bottom-3 left-1/2 z-50 flex w-[560px] -translate-x-1/2 flex-col gap-1">
      {busy && <div className="rounded bg-slate-800 px-3 py-2 text-sm text-white shadow">{busy}</div>}
      {notices.map((n) => (
        <div
          key={n.id}
          data-testid={`notice-${n.level}`}
          className={`flex items-start gap-2 rounded px-3 py-2 text-sm shadow ${n.level === 'error' ? 'bg-red-600 text-white' : n.level === 'warning' ? 'bg-amber-500 text-white' : 'bg-slate-800 text-white'}`}
        >
          <span className="flex-1">{n.text}</span>
          <button className="opacity-70 hover:opacity-100" onClick={() => useUi.getState().dismiss(n.id)} aria-label="dismiss">×</button>
        </div>
      ))}
    </div>
  );
}
