// Every registered op, grouped by category; drag one onto the canvas (or double-click to add it).
import { useMemo, useState, type DragEvent } from 'react';
import { opRegistry } from '../../engine/ops/registry';
import type { OpCategory } from '../../engine/ops/types';
import { OP_DRAG_TYPE } from '../canvas/Canvas';
import { flow } from '../state/actions';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';

const ORDER: OpCategory[] = ['io', 'conv', 'dense', 'activation', 'normalization', 'pooling', 'reshape', 'merge'];
const TITLES: Record<OpCategory, string> = {
  io: 'Input / output',
  conv: 'Convolution',
  dense: 'Dense',
  activation: 'Activation',
  normalization: 'Normalization',
  pooling: 'Pooling',
  reshape: 'Reshape',
  merge: 'Merge',
};

function onDragStart(e: DragEvent, type: string) {
  e.dataTransfer.setData(OP_DRAG_TYPE, type);
  e.dataTransfer.effectAllowed = 'move';
}

function addAtCenter(type: string) {
  const el = document.querySelector('[data-testid="canvas"]');
  const r = el?.getBoundingClientRect();
  const p = flow.instance && r ? flow.instance.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 100, y: 100 };
  const n = useEditor.getState().nodes.length;
  useEditor.getState().addNode(type, { x: p.x - 80 + (n % 5) * 20, y: p.y - 30 + (n % 5) * 20 }, useUi.getState().settings.tensorLayout);
}

export function Palette() {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const by = new Map<OpCategory, { type: string; label: string }[]>();
    for (const op of opRegistry.values()) {
      if (f && !op.label.toLowerCase().includes(f) && !op.type.toLowerCase().includes(f)) continue;
      const list = by.get(op.category) ?? [];
      list.push({ type: op.type, label: op.label });
      by.set(op.category, list);
    }
    return ORDER.filter((c) => by.has(c)).map((c) => ({ category: c, ops: by.get(c)! }));
  }, [filter]);
  return (
    <aside className="flex h-full w-48 shrink-0 flex-col border-r border-slate-200 bg-slate-50" data-testid="palette">
      <div className="p-2">
        <input
          className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          placeholder="Filter ops…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter ops"
        />
      </div>
      <div className="flex-1 overflow-y-auto px-2 pb-2">
        {groups.length === 0 && <div className="text-xs text-slate-500">No op matches.</div>}
        {groups.map((g) => (
          <section key={g.category} className="mb-2">
            <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-slate-500">{TITLES[g.category]}</h3>
            {g.ops.map((op) => (
              <div
                key={op.type}
                draggable
                onDragStart={(e) => onDragStart(e, op.type)}
                onDoubleClick={() => addAtCenter(op.type)}
                className="mb-1 cursor-grab rounded border border-slate-200 bg-white px-2 py-1 text-sm shadow-sm hover:border-blue-400"
                data-testid={`palette-${op.type}`}
                title={`${op.type}: drag onto the canvas, or double-click to add`}
              >
                {op.label}
              </div>
            ))}
          </section>
        ))}
      </div>
    </aside>
  );
}
