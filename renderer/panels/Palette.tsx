// Every registered op, grouped by category; drag one onto the canvas (or double-click to add it).
import { useMemo, useState, type DragEvent } from 'react';
import type { OpCategory } from '../../engine/ops/types';
import { OP_DRAG_TYPE } from '../canvas/Canvas';
import { searchOps } from '../lib/opSearch';
import { addNodeAt, placementPoint } from '../state/actions';

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

/** Double-click: the middle of the visible canvas, moved on into free space. */
function addAtCenter(type: string) {
  const at = placementPoint(false);
  addNodeAt(type, { x: at.x - 80, y: at.y - 35 });
}

export function Palette() {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const by = new Map<OpCategory, { type: string; label: string }[]>();
    for (const op of searchOps(filter)) {
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
