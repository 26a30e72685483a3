// The app shell: menu + toolbar on top, palette | canvas | inspector + preview.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { getApi } from './api/client';
import { Canvas } from './canvas/Canvas';
import { QuickAdd } from './canvas/QuickAdd';
import { handleKeyDown, pasteHandled } from './commands';
import { loadAppInfo, pasteText, serializeSelection, startAutosave, startExampleGuard, startupProject } from './state/actions';
import { startAutoPreview } from './state/preview';
import { plural } from './lib/format';
import { useEditor } from './state/store';
import { useUi } from './state/ui';
import { Dialogs } from './panels/Dialogs';
import { HelpPanel, MenuBar, Notices, SearchBox, Toolbar } from './panels/Chrome';
import { Inspector } from './panels/Inspector';
import { Palette } from './panels/Palette';
import { PreviewPanel } from './panels/PreviewPanel';
import { StartScreen } from './panels/StartScreen';

function inField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

function StatusBar() {
  const errors = useEditor((s) => s.analysis.errors);
  const warnings = useEditor((s) => s.analysis.warnings);
  const count = useEditor((s) => s.nodes.length);
  return (
    <div className="flex items-center gap-3 border-t border-slate-200 bg-slate-50 px-3 py-0.5 text-xs text-slate-600" data-testid="statusbar">
      <span>{plural(count, 'node')}</span>
      <span className={errors ? 'text-red-600' : ''} data-testid="status-errors">{plural(errors, 'error')}</span>
      <span className={warnings ? 'text-amber-600' : ''} data-testid="status-warnings">{plural(warnings, 'warning')}</span>
      <span className="ml-auto">Press ? for shortcuts</span>
    </div>
  );
}

const RIGHT_WIDTH_KEY = 'tessera.rightColumnWidth';
const SPLIT_KEY = 'tessera.inspectorShare';

function stored(key: string, fallback: number, lo: number, hi: number): number {
  try {
    const v = Number(localStorage.getItem(key));
    return Number.isFinite(v) && v >= lo && v <= hi ? v : fallback;
  } catch {
    return fallback;
  }
}

/** Dragging a divider: calls `move` with the pointer position while the button is down. */
function startDrag(e: React.PointerEvent, move: (x: number, y: number) => void, done: () => void): void {
  e.preventDefault();
  const el = e.currentTarget as HTMLElement;
  el.setPointerCapture(e.pointerId);
  const onMove = (ev: PointerEvent) => move(ev.clientX, ev.clientY);
  const onUp = () => {
    el.removeEventListener('pointermove', onMove);
    el.removeEventListener('pointerup', onUp);
    done();
  };
  el.addEventListener('pointermove', onMove);
  el.addEventListener('pointerup', onUp);
}

/**
 * The right column: the inspector above the preview, each in its own scrolling pane with a divider between
 * them that can be dragged (the column's left edge too). Nothing is drawn over anything; a newly selected
 * node's inspector starts at its top, or at its first error.
 */
function RightColumn() {
  const previewOpen = useUi((s) => s.previewOpen);
  const selected = useEditor((s) => (s.selected.length === 1 ? s.selected[0] : null));
  const [width, setWidth] = useState(() => stored(RIGHT_WIDTH_KEY, 320, 280, 900));
  const [share, setShare] = useState(() => stored(SPLIT_KEY, 0.5, 0.15, 0.85));
  const column = useRef<HTMLElement>(null);
  const inspector = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const pane = inspector.current;
    if (!pane) return;
    pane.scrollTop = 0;
    const firstError = pane.querySelector('[data-testid="node-diagnostics"], [data-testid^="field-error-"]');
    firstError?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  const save = (key: string, v: number) => {
    try {
      localStorage.setItem(key, String(v));
    } catch {
      /* storage disabled: the size lasts for this page */
    }
  };
  return (
    <aside ref={column} className="relative flex shrink-0 flex-col border-l border-slate-200 bg-white" style={{ width }} data-testid="right-column">
      <div
        className="absolute -left-1 top-0 z-10 h-full w-2 cursor-col-resize hover:bg-blue-300/50"
        title="drag to resize"
        data-testid="right-column-resize"
        onPointerDown={(e) => {
          let w = width;
          startDrag(e, (x) => setWidth((w = Math.max(280, Math.min(900, window.innerWidth - x)))), () => save(RIGHT_WIDTH_KEY, w));
        }}
      />
      <div ref={inspector} className="min-h-0 overflow-y-auto overflow-x-hidden" style={{ flex: previewOpen ? `${share} 1 0` : '1 1 0' }} data-testid="inspector-pane">
        <Inspector />
      </div>
      {previewOpen && (
        <>
          <div
            className="h-1.5 shrink-0 cursor-row-resize border-y border-slate-200 bg-slate-100 hover:bg-blue-200"
            title="drag to share the column between the inspector and the preview"
            data-testid="right-column-split"
            onPointerDown={(e) => {
              const r = column.current!.getBoundingClientRect();
              let f = share;
              startDrag(e, (_x, y) => setShare((f = Math.max(0.15, Math.min(0.85, (y - r.top) / r.height)))), () => save(SPLIT_KEY, f));
            }}
          />
          <div className="min-h-0 overflow-y-auto overflow-x-hidden" style={{ flex: `${1 - share} 1 0` }} data-testid="preview-pane">
            <PreviewPanel />
          </div>
        </>
      )}
    </aside>
  );
}

function Editor() {
  return (
    <div className="flex min-h-0 flex-1">
      <Palette />
      <main className="relative min-w-0 flex-1">
        <Canvas />
        <SearchBox />
        <QuickAdd />
      </main>
      <RightColumn />
    </div>
  );
}

export function App() {
  const screen = useUi((s) => s.screen);
  const name = useEditor((s) => s.project.name);
  const dirty = useEditor((s) => s.project.dirty);
  const readOnly = useUi((s) => !!s.readOnlyExample);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => handleKeyDown(e);
    // Ctrl+C / Ctrl+X run as commands from keydown (local copy + clipboard API); the copy event also
    // puts the nodes on the system clipboard where the API is not allowed.
    const onCopy = (e: ClipboardEvent) => {
      if (useUi.getState().screen !== 'editor' || inField(e.target)) return;
      const text = serializeSelection();
      if (text && e.clipboardData) {
        e.clipboardData.setData('text/plain', text);
        e.preventDefault();
      }
    };
    const onCut = onCopy;
    const onPaste = (e: ClipboardEvent) => {
      if (useUi.getState().screen !== 'editor' || inField(e.target)) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (!text) return; // empty event: the keydown fallback reads the clipboard itself
      pasteHandled();
      if (pasteText(text)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    const stop = startAutoPreview();
    const stopAutosave = startAutosave();
    const stopExampleGuard = startExampleGuard();
    void loadAppInfo();
    // Service notices (and autosaves done elsewhere) arrive as events.
    let stopEvents = () => {};
    try {
      stopEvents = getApi().onEvent((ev) => {
        if (ev.type === 'notice') useUi.getState().notify(ev.level, ev.message);
      });
    } catch {
      /* no event channel: notices only come with call results */
    }
    void startupProject();
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
      stop();
      stopAutosave();
      stopExampleGuard();
      stopEvents();
    };
  }, []);

  useEffect(() => {
    document.title = screen === 'editor' ? `${dirty ? '• ' : ''}${name} — Tessera` : 'Tessera';
  }, [screen, name, dirty]);

  return (
    <ReactFlowProvider>
      <div className="flex h-screen flex-col bg-white text-slate-900">
        <header className="flex items-center gap-3 bg-slate-800 px-2 py-1 text-slate-100">
          <span className="font-semibold">Tessera</span>
          <MenuBar />
          <Toolbar />
          {screen === 'editor' && (
            <span className="ml-auto truncate text-xs text-slate-300" data-testid="project-name">
              {name}
              {readOnly ? ' (example, read-only)' : ''}
              {dirty ? ' •' : ''}
            </span>
          )}
        </header>
        {screen === 'editor' ? <Editor /> : <StartScreen />}
        {screen === 'editor' && <StatusBar />}
        <HelpPanel />
        <Dialogs />
        <Notices />
      </div>
    </ReactFlowProvider>
  );
}
