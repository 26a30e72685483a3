// UI state that is not the document: which screen, panels, the open project's id and settings,
// preview inputs, notices.
import { create } from 'zustand';
import { ProjectSettings, type ExampleInfo } from '../../api/contract';
import type { InputSpec } from '../lib/simulate';

/** The defaults of the API contract (one definition for both sides). */
export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = ProjectSettings.parse({});

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  text: string;
}

export type Dialog =
  /** `note`: why the dialog asks (an example's first edit). */
  | { kind: 'saveAs'; initial: string; note?: string }
  | { kind: 'new' }
  | { kind: 'open' }
  | null;

export interface UiState {
  screen: 'start' | 'editor';
  projectId: string | null;
  /** The open project is an example as opened: read-only until saved under a name (its first edit asks). */
  readOnlyExample: { id: string } | null;
  settings: ProjectSettings;
  previewInputs: InputSpec[];
  helpOpen: boolean;
  searchOpen: boolean;
  minimap: boolean;
  previewOpen: boolean;
  dialog: Dialog;
  notices: Notice[];
  examples: ExampleInfo[];
  busy: string | null;
  /** From app.info: Electron has native file dialogs, serve mode does not. */
  nativeDialogs: boolean;
  /** Compare the float preview with bit-accurate fixed point (project's default precision). */
  previewFixed: boolean;
  /** Node whose output the preview shows (defaults to the selection). */
  previewNode: string | null;
  /** Show the numerical profile (weights and outputs per layer against their types). */
  profileOpen: boolean;
  /** The padding convention the user picked per Conv / ConvTranspose node (kept while its parameters are invalid). */
  conventionByNode: Record<string, 'keras' | 'pytorch' | 'explicit'>;
  /** The quick-add box: where it is drawn (screen), where the node goes (flow) and the node it connects from. */
  quickAdd: { screen: { x: number; y: number }; at: { x: number; y: number }; from: string | null } | null;
  set(patch: Partial<UiState>): void;
  notify(level: Notice['level'], text: string): void;
  dismiss(id: number): void;
}

let noticeId = 0;

export const useUi = create<UiState>()((set, get) => ({
  screen: 'start',
  projectId: null,
  readOnlyExample: null,
  settings: DEFAULT_PROJECT_SETTINGS,
  previewInputs: [],
  helpOpen: false,
  searchOpen: false,
  minimap: true,
  previewOpen: true,
  dialog: null,
  notices: [],
  examples: [],
  busy: null,
  nativeDialogs: false,
  previewFixed: false,
  previewNode: null,
  profileOpen: false,
  quickAdd: null,
  conventionByNode: {},
  set(patch) {
    set(patch);
  },
  notify(level, text) {
    const id = ++noticeId;
    set({ notices: [...get().notices.slice(-4), { id, level, text }] });
    if (level === 'info') setTimeout(() => get().dismiss(id), 5000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
}));
