// The app shell: menu + toolbar on top, palette | canvas | inspector + preview.
import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { getApi } from './api/client';
import { Canvas } from './canvas/Canvas';
import { QuickAdd } from './canvas/QuickAdd';
import { handleKeyDown, pasteHandled } from './commands';
import { loadAppInfo, pasteText, serializeSelection, startAutosave, startupProject } from './state/actions';
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

function Editor() {
  const previewOpen = useUi((s) => s.previewOpen);
  return (
    <div className="flex min-h-0 flex-1">
      <Palette />
      <main className="relative min-w-0 flex-1">
        <Canvas />
        <SearchBox />
        <QuickAdd />
      </main>
      <aside className="flex w-80 shrink-0 flex-col overflow-hidden border-l border-slate-200 bg-white">
        <div className="min-h-0 flex-1 overflow-y-auto overflow-x-hidden">
          <Inspector />
        </div>
        {previewOpen && (
          <div className="max-h-[55%] shrink-0 overflow-y-auto overflow-x-hidden">
            <PreviewPanel />
          </div>
        )}
      </aside>
    </div>
  );
}

export function App() {
  const screen = useUi((s) => s.screen);
  const name = useEditor((s) => s.project.name);
  const dirty = useEditor((s) => s.project.dirty);

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
