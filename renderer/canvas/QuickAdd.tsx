// Quick add: type to add a node where the pointer is (double-click on the canvas, or Tab / Shift+A), as in
// ComfyUI's and Blender's search menus. With one node selected, the new node is connected from its output
// (and, opened from the keyboard with the pointer off the canvas, placed right of it), so a chain can be
// typed: Tab "conv" Enter, Tab "relu" Enter, …
import { useMemo, useState } from 'react';
import { searchOps } from '../lib/opSearch';
import { addNodeAt, besideNode, flow, placementPoint } from '../state/actions';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';

/** Opens quick add at a screen point (null: at the pointer if it is over the canvas, else beside the selection or mid-canvas). */
export function openQuickAdd(screen: { x: number; y: number } | null): void {
  const ed = useEditor.getState();
  const from = ed.selected.length === 1 ? ed.selected[0] : null;
  let at: { x: number; y: number };
  if (screen && flow.instance) at = flow.instance.screenToFlowPosition(screen);
  else if (flow.pointer) at = placementPoint();
  else at = (from && besideNode(from)) || placementPoint(false);
  const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
  const shown = screen ?? flow.pointer ?? (canvas ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 3 } : { x: 300, y: 200 });
  useUi.getState().set({ quickAdd: { screen: shown, at, from } });
}

export function QuickAdd() {
  const qa = useUi((s) => s.quickAdd);
  if (!qa) return null;
  return <QuickAddBox key={`${qa.screen.x},${qa.screen.y},${qa.from}`} />;
}

function QuickAddBox() {
  const qa = useUi((s) => s.quickAdd)!;
  const fromName = useEditor((s) => (qa.from ? s.nodes.find((n) => n.id === qa.from)?.data.name : undefined));
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState(0);
  const hits = useMemo(() => searchOps(q).slice(0, 12), [q]);
  const close = () => useUi.getState().set({ quickAdd: null });
  const add = (type: string) => {
    close();
    addNodeAt(type, qa.at, qa.from);
  };
  // Inside the canvas area: the box keeps to the window.
  const left = Math.min(qa.screen.x, window.innerWidth - 300);
  const top = Math.min(qa.screen.y, window.innerHeight - 340);
  return (
    <div className="fixed z-40 w-72 rounded border border-slate-300 bg-white p-2 text-sm shadow-lg" style={{ left, top }} data-testid="quick-add" onMouseDown={(e) => e.stopPropagation()}>
      <input
        autoFocus
        aria-label="Add node"
        data-testid="quick-add-input"
        className="w-full rounded border border-slate-300 px-2 py-1"
        placeholder={fromName ? `Add a layer after ${fromName}…` : 'Add a layer: type its name…'}
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setCursor(0);
        }}
        onBlur={close}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setCursor((c) => Math.min(c + 1, hits.length - 1));
          else if (e.key === 'ArrowUp') setCursor((c) => Math.max(c - 1, 0));
          else if (e.key === 'Enter' && hits[cursor]) add(hits[cursor].type);
          else if (e.key === 'Escape') close();
          else return;
          e.preventDefault();
          e.stopPropagation();
        }}
      />
      <div className="mt-1 max-h-64 overflow-y-auto" role="listbox">
        {hits.map((op, i) => (
          <button
            key={op.type}
            role="option"
            aria-selected={i === cursor}
            data-testid={`quick-add-${op.type}`}
            className={`flex w-full justify-between px-2 py-0.5 text-left ${i === cursor ? 'bg-blue-50' : ''}`}
            // mousedown, not click: the input's blur would close the box first
            onMouseDown={(e) => {
              e.preventDefault();
              add(op.type);
            }}
            onMouseEnter={() => setCursor(i)}
          >
            <span>{op.label}</span>
            <span className="text-xs text-slate-400">{op.category}</span>
          </button>
        ))}
        {!hits.length && <div className="px-2 text-xs text-slate-500">No layer matches “{q}”.</div>}
      </div>
      {fromName && <div className="mt-1 text-[10px] text-slate-500">connected from {fromName}</div>}
    </div>
  );
}
