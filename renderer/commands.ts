// ONE command registry: the menu bar, the toolbar, keyboard shortcuts and the help panel all read it.
import { matches } from './lib/keys';
import {
  autoLayout, closeToStart, copySelection, duplicateSelection, exportOnnx, initializeWeights, openDialog, pasteFromClipboard,
  pickOnnxFile, saveAsDialog, saveProject, zoomToFit,
} from './state/actions';
import { useEditor } from './state/store';
import { useUi } from './state/ui';
import { newVariantForSelection, toggleView } from './variants/VariantsOverlay';
import { openQuickAdd } from './canvas/QuickAdd';

export type MenuGroup = 'File' | 'Edit' | 'View' | 'Graph' | 'Help';

export interface Command {
  id: string;
  label: string;
  group: MenuGroup;
  /** Shortcuts, e.g. 'Mod+Shift+Z'. */
  keys?: string[];
  /** Shown as a toolbar button (with this short text). */
  toolbar?: string;
  /** Not listed in the menu (still in the help panel when it has keys). */
  hidden?: boolean;
  /** Handled by the browser's copy / cut / paste events when triggered from the keyboard. */
  nativeEvent?: 'copy' | 'cut' | 'paste';
  /** Also fires while typing in a text field. */
  inFields?: boolean;
  /** Available only with a project open in the editor. */
  editorOnly?: boolean;
  enabled?(): boolean;
  run(): void | Promise<void>;
}

const hasSelection = () => useEditor.getState().selected.length > 0 || useEditor.getState().edges.some((e) => e.selected);
const inEditor = () => useUi.getState().screen === 'editor';

export const commands: Command[] = [
  { id: 'file.new', label: 'New project…', group: 'File', keys: ['Mod+Alt+N'], toolbar: 'New', run: () => useUi.getState().set({ dialog: { kind: 'new' } }) },
  { id: 'file.open', label: 'Open project…', group: 'File', keys: ['Mod+O'], toolbar: 'Open', run: () => void openDialog() },
  { id: 'file.save', label: 'Save', group: 'File', keys: ['Mod+S'], toolbar: 'Save', inFields: true, editorOnly: true, run: () => void saveProject() },
  {
    id: 'file.saveAs', label: 'Save as…', group: 'File', keys: ['Mod+Shift+S'], inFields: true, editorOnly: true,
    run: () => void saveAsDialog(),
  },
  { id: 'file.importOnnx', label: 'Import model…', group: 'File', keys: ['Mod+I'], toolbar: 'Import model', editorOnly: true, run: pickOnnxFile },
  { id: 'file.exportOnnx', label: 'Export ONNX', group: 'File', keys: ['Mod+E'], editorOnly: true, run: () => void exportOnnx() },
  { id: 'file.close', label: 'Close project (start screen)', group: 'File', editorOnly: true, run: () => void closeToStart() },

  { id: 'edit.undo', label: 'Undo', group: 'Edit', keys: ['Mod+Z'], toolbar: 'Undo', editorOnly: true, enabled: () => useEditor.getState().past.length > 0, run: () => useEditor.getState().undo() },
  { id: 'edit.redo', label: 'Redo', group: 'Edit', keys: ['Mod+Shift+Z', 'Mod+Y'], toolbar: 'Redo', editorOnly: true, enabled: () => useEditor.getState().future.length > 0, run: () => useEditor.getState().redo() },
  { id: 'edit.cut', label: 'Cut', group: 'Edit', keys: ['Mod+X'], nativeEvent: 'cut', editorOnly: true, enabled: hasSelection, run: () => void copySelection(true) },
  { id: 'edit.copy', label: 'Copy', group: 'Edit', keys: ['Mod+C'], nativeEvent: 'copy', editorOnly: true, enabled: hasSelection, run: () => void copySelection(false) },
  { id: 'edit.paste', label: 'Paste', group: 'Edit', keys: ['Mod+V'], nativeEvent: 'paste', editorOnly: true, run: () => void pasteFromClipboard() },
  { id: 'edit.duplicate', label: 'Duplicate', group: 'Edit', keys: ['Mod+D'], editorOnly: true, enabled: hasSelection, run: duplicateSelection },
  { id: 'edit.delete', label: 'Delete', group: 'Edit', keys: ['Delete', 'Backspace'], editorOnly: true, enabled: hasSelection, run: () => useEditor.getState().deleteSelected() },
  { id: 'edit.selectAll', label: 'Select all', group: 'Edit', keys: ['Mod+A'], editorOnly: true, run: () => useEditor.getState().select(useEditor.getState().nodes.map((n) => n.id)) },
  { id: 'edit.nudgeLeft', label: 'Nudge left (Shift: 10×)', group: 'Edit', keys: ['ArrowLeft', 'Shift+ArrowLeft'], hidden: true, editorOnly: true, run: () => undefined },
  { id: 'edit.nudgeRight', label: 'Nudge right (Shift: 10×)', group: 'Edit', keys: ['ArrowRight', 'Shift+ArrowRight'], hidden: true, editorOnly: true, run: () => undefined },
  { id: 'edit.nudgeUp', label: 'Nudge up (Shift: 10×)', group: 'Edit', keys: ['ArrowUp', 'Shift+ArrowUp'], hidden: true, editorOnly: true, run: () => undefined },
  { id: 'edit.nudgeDown', label: 'Nudge down (Shift: 10×)', group: 'Edit', keys: ['ArrowDown', 'Shift+ArrowDown'], hidden: true, editorOnly: true, run: () => undefined },

  { id: 'view.fit', label: 'Zoom to fit', group: 'View', keys: ['Shift+1'], toolbar: 'Fit', editorOnly: true, run: zoomToFit },
  { id: 'view.layout', label: 'Auto-layout', group: 'View', keys: ['Mod+Shift+L'], toolbar: 'Layout', editorOnly: true, run: () => void autoLayout() },
  { id: 'view.search', label: 'Find node…', group: 'View', keys: ['Mod+F'], toolbar: 'Find', inFields: true, editorOnly: true, run: () => useUi.getState().set({ searchOpen: true }) },
  { id: 'view.minimap', label: 'Toggle minimap', group: 'View', keys: ['Mod+Shift+M'], editorOnly: true, run: () => useUi.getState().set({ minimap: !useUi.getState().minimap }) },
  { id: 'view.builds', label: 'Variants & builds', group: 'View', keys: ['Mod+Shift+B'], toolbar: 'Builds', editorOnly: true, run: () => toggleView('builds') },
  { id: 'view.compare', label: 'Compare variants', group: 'View', keys: ['Mod+Shift+K'], toolbar: 'Compare', editorOnly: true, run: () => toggleView('compare') },
  { id: 'view.preview', label: 'Toggle preview panel', group: 'View', keys: ['Mod+Shift+P'], editorOnly: true, run: () => useUi.getState().set({ previewOpen: !useUi.getState().previewOpen }) },

  {
    id: 'graph.quickAdd', label: 'Add a layer by name… (or double-click the canvas)', group: 'Graph', keys: ['Tab', 'Shift+A'], editorOnly: true,
    run: () => openQuickAdd(null),
  },
  {
    id: 'graph.initWeights', label: 'Initialize all weights (seeded)', group: 'Graph', editorOnly: true,
    run: () => {
      const ui = useUi.getState();
      const n = initializeWeights('all', 'pytorch', ui.settings.weightSeed);
      ui.notify('info', `Initialized the weights of ${n} node(s) with PyTorch's default, seed ${ui.settings.weightSeed}.`);
    },
  },

  { id: 'graph.newVariant', label: 'New variant of the selected layer…', group: 'Graph', editorOnly: true, enabled: () => useEditor.getState().selected.length === 1, run: newVariantForSelection },

  { id: 'help.shortcuts', label: 'Keyboard shortcuts', group: 'Help', keys: ['?', 'F1'], toolbar: '?', run: () => useUi.getState().set({ helpOpen: !useUi.getState().helpOpen }) },
];

export const commandById = new Map(commands.map((c) => [c.id, c]));

export function isAvailable(c: Command): boolean {
  if (c.editorOnly && !inEditor()) return false;
  return c.enabled ? c.enabled() : true;
}

export function runCommand(id: string): void {
  const c = commandById.get(id);
  if (c && isAvailable(c)) void c.run();
}

function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

/** The one keydown handler of the app. */
export function handleKeyDown(e: KeyboardEvent): void {
  const typing = inTextField(e.target);
  if (e.key === 'Escape') {
    const ui = useUi.getState();
    if (ui.helpOpen || ui.searchOpen || ui.dialog || ui.quickAdd) {
      ui.set({ helpOpen: false, searchOpen: false, dialog: null, quickAdd: null });
      e.preventDefault();
    }
    return;
  }
  if (useUi.getState().dialog) return;
  // Nudge: arrows move the selection by 1 px (10 px with Shift), one undo entry per burst.
  if (!typing && inEditor() && e.key.startsWith('Arrow') && !e.ctrlKey && !e.metaKey && !e.altKey) {
    if (!useEditor.getState().selected.length) return;
    const step = e.shiftKey ? 10 : 1;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    if (d) {
      useEditor.getState().nudge(d[0], d[1]);
      e.preventDefault();
    }
    return;
  }
  for (const c of commands) {
    if (!c.keys || !c.keys.some((k) => matches(k, e))) continue;
    if (typing && !c.inFields) return;
    if (c.nativeEvent === 'paste') {
      // The paste event brings the system clipboard; if none comes (no focus / no permission), read it ourselves.
      schedulePasteFallback();
      return;
    }
    if (c.id.startsWith('edit.nudge')) return;
    if (!c.nativeEvent) e.preventDefault(); // copy / cut: let the browser's event reach the system clipboard too
    if (isAvailable(c)) void c.run();
    return;
  }
}

let pasteFallback: ReturnType<typeof setTimeout> | null = null;

function schedulePasteFallback(): void {
  if (!inEditor()) return;
  if (pasteFallback) clearTimeout(pasteFallback);
  pasteFallback = setTimeout(() => {
    pasteFallback = null;
    void pasteFromClipboard();
  }, 80);
}

/** Called by the paste event handler: the event did the paste, no fallback needed. */
export function pasteHandled(): void {
  if (pasteFallback) clearTimeout(pasteFallback);
  pasteFallback = null;
}
