// The Builds / Compare views as one overlay over the editor (opened from the command registry). Mounted
// in its own React root beside the app (mountVariantsOverlay), so the app shell needs no change.
import { createRoot, type Root } from 'react-dom/client';
import { useEffect } from 'react';
import { useUi } from '../state/ui';
import { BuildsPanel } from './BuildsPanel';
import { CompareView } from '../compare/CompareView';
import { openView, refresh, useVariants } from './store';

export function VariantsOverlay() {
  const open = useVariants((s) => s.open);
  const screen = useUi((s) => s.screen);
  const projectId = useUi((s) => s.projectId);
  useEffect(() => {
    if (open) void refresh();
  }, [open, projectId]);
  if (!open || screen !== 'editor') return null;
  const tab = (v: 'builds' | 'compare', label: string) => (
    <button
      className={`rounded-t px-3 py-1 text-xs ${open === v ? 'bg-white font-semibold text-slate-900' : 'text-slate-200 hover:bg-slate-700'}`}
      onClick={() => openView(v)}
      data-testid={`tab-${v}`}
    >
      {label}
    </button>
  );
  return (
    <div className="fixed inset-x-0 bottom-6 top-9 z-40 flex flex-col border-t border-slate-300 bg-white shadow-2xl" data-testid="variants-overlay">
      <div className="flex items-end gap-1 bg-slate-800 px-2 pt-1">
        {tab('builds', 'Variants & builds')}
        {tab('compare', 'Compare')}
        <button className="ml-auto px-2 pb-1 text-xs text-slate-200 hover:text-white" onClick={() => openView(null)} data-testid="variants-close" aria-label="close">
          ✕ close
        </button>
      </div>
      <div className="min-h-0 flex-1">{open === 'builds' ? <BuildsPanel /> : <CompareView />}</div>
    </div>
  );
}

let root: Root | null = null;

/** Creates the overlay's root once (idempotent). */
export function mountVariantsOverlay(): void {
  if (root || typeof document === 'undefined') return;
  const el = document.createElement('div');
  el.id = 'tessera-variants';
  document.body.appendChild(el);
  root = createRoot(el);
  root.render(<VariantsOverlay />);
}

/** Opens (or switches to) a view; toggles it off when it is already shown. */
export function toggleView(view: 'builds' | 'compare'): void {
  mountVariantsOverlay();
  openView(useVariants.getState().open === view ? null : view);
}

/** From the canvas: the Builds view with its form set to the selected layer. */
export function newVariantForSelection(): void {
  mountVariantsOverlay();
  useVariants.setState((s) => ({ formKey: s.formKey + 1 }));
  openView('builds');
}
