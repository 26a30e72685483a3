// What commands do: project files through the API, clipboard, layout, ONNX, weights.
import type { ReactFlowInstance } from '@xyflow/react';
import type { PreviewInput, ProjectDocument, ProjectInfo } from '../../api/contract';
import type { Graph, WeightMap } from '../../engine/graph/model';
import { parseGraphDocument } from '../../engine/graph/schema';
import { getOp } from '../../engine/ops/registry';
import type { Shape, Tensor } from '../../engine/tensor/tensor';
import { errorText, getApi } from '../api/client';
import { analyze } from '../lib/analyze';
import { fromGraph, pickWeights, toGraph, type FlowEdge, type FlowNode } from '../lib/doc';
import type { InputSpec } from '../lib/simulate';
import type { LayoutReply, LayoutRequest } from '../workers/layout.worker';
import { base64ToBytes, bytesToBase64, tensorFromJson, tensorToJson, weightsFromJson, weightsToJson } from '../../api/tensor-codec';
import { initWeights, weightsFit, type InitScheme } from '../lib/weightInit';
import { estimatedNodeSize } from '../lib/layout';
import { boundsOf, freeOffset, PLACEMENT_GAP, type Box } from '../lib/placement';
import type { PrecisionField } from '../lib/profile';
import { useEditor, type ClipboardDoc } from './store';
import { DEFAULT_PROJECT_SETTINGS, useUi } from './ui';

/** Set by the canvas: React Flow once mounted, and where the pointer is over the canvas (screen coordinates). */
export const flow: { instance: ReactFlowInstance<FlowNode, FlowEdge> | null; pointer: { x: number; y: number } | null } = { instance: null, pointer: null };

const SESSION_KEY = 'tessera.session';
const CLIPBOARD_KEY = 'tessera.clipboard';
export const CLIPBOARD_KIND = 'tessera/nodes';

function fail(what: string, err: unknown): void {
  useUi.getState().notify('error', `${what}: ${errorText(err)}`);
}

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

/** Weight slots per node for the current graph (empty where shapes are unknown). */
export function weightSlotsOf(graph: Graph): Record<string, ReturnType<NonNullable<ReturnType<typeof getOp>>['weights']>> {
  const a = analyze(graph);
  const out: Record<string, ReturnType<NonNullable<ReturnType<typeof getOp>>['weights']>> = {};
  for (const n of graph.nodes) {
    const info = a.nodes[n.id];
    const op = getOp(n.type);
    if (!op || !info?.params || info.inputShapes.some((s) => !s)) continue;
    try {
      out[n.id] = op.weights(info.params, info.inputShapes as Shape[]);
    } catch {
      /* shapes not valid yet */
    }
  }
  return out;
}

/**
 * Weights for every node that needs them: stored ones where they fit, otherwise the seeded PyTorch
 * default (exactly what the preview uses). Weights of deleted nodes are dropped.
 */
export function completeWeights(graph: Graph, weights: WeightMap, seed: number): WeightMap {
  const slots = weightSlotsOf(graph);
  const out: WeightMap = {};
  for (const n of graph.nodes) {
    const s = slots[n.id];
    if (!s || !s.length) {
      if (weights[n.id]) out[n.id] = weights[n.id];
      continue;
    }
    out[n.id] = weightsFit(s, weights[n.id]) ? weights[n.id] : initWeights(s, 'pytorch', seed, n.name);
  }
  return out;
}

export function initializeWeights(ids: string[] | 'all', scheme: InitScheme, seed: number): number {
  const ed = useEditor.getState();
  const graph = toGraph(ed.nodes, ed.edges);
  const slots = weightSlotsOf(graph);
  const weights = { ...ed.weights };
  let count = 0;
  for (const n of graph.nodes) {
    if (ids !== 'all' && !ids.includes(n.id)) continue;
    const s = slots[n.id];
    if (!s || !s.length) continue;
    weights[n.id] = initWeights(s, scheme, seed, n.name);
    count++;
  }
  if (count) ed.setAllWeights(weights);
  return count;
}

/** Sets one slot of a node's weights; the node's other slots keep what the preview uses (stored or seeded). */
export function setSlotWeight(nodeId: string, slot: string, tensor: Tensor): void {
  const ed = useEditor.getState();
  const graph = toGraph(ed.nodes, ed.edges);
  const base = completeWeights(graph, ed.weights, useUi.getState().settings.weightSeed)[nodeId] ?? {};
  ed.setNodeWeights(nodeId, { ...base, [slot]: tensor });
}

function layoutOf(graph: Graph): (nodeId: string, slot: string) => string {
  const slots = weightSlotsOf(graph);
  return (id, name) => slots[id]?.find((s) => s.name === name)?.layout ?? '';
}

// ---------------------------------------------------------------------------------------------
// Project files
// ---------------------------------------------------------------------------------------------

function toPreviewInputs(specs: InputSpec[]): PreviewInput[] {
  return specs.map((s) => {
    switch (s.kind) {
      case 'random':
        return { kind: 'random', nodeId: s.nodeId, seed: s.seed, low: s.low ?? -1, high: s.high ?? 1 };
      case 'constant':
        return { kind: 'constant', nodeId: s.nodeId, value: s.value };
      case 'impulse':
        return { kind: 'impulse', nodeId: s.nodeId, index: s.index, value: s.value ?? 1 };
      case 'image':
        return { kind: 'image', nodeId: s.nodeId, fileName: s.fileName, tensor: tensorToJson(s.tensor, 'image') };
    }
  });
}

function fromPreviewInputs(items: PreviewInput[]): InputSpec[] {
  return items.map((p) => (p.kind === 'image' ? { kind: 'image', nodeId: p.nodeId, fileName: p.fileName, tensor: tensorFromJson(p.tensor) } : p));
}

export function currentDocument(): ProjectDocument {
  const ed = useEditor.getState();
  const ui = useUi.getState();
  const graph = toGraph(ed.nodes, ed.edges);
  const weights = completeWeights(graph, ed.weights, ui.settings.weightSeed);
  const ids = new Set(graph.nodes.map((n) => n.id));
  return {
    graph,
    weights: weightsToJson(weights, layoutOf(graph)),
    settings: ui.settings,
    previewInputs: toPreviewInputs(ui.previewInputs.filter((p) => ids.has(p.nodeId))),
  };
}

/** What a tab remembers of its project across a page reload. */
interface SessionProject {
  projectId: string;
  path: string;
  name: string;
  /** The example's id when it is an example as opened (read-only): reopened from the example if need be. */
  readOnlyExample?: string;
}

function remember(info: ProjectInfo): void {
  const s: SessionProject = { projectId: info.projectId, path: info.path, name: info.name, ...(info.readOnly && info.example ? { readOnlyExample: info.example } : {}) };
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  } catch {
    /* storage disabled: reload goes to the start screen */
  }
}

async function showProject(info: Pick<ProjectInfo, 'projectId' | 'path' | 'name' | 'example' | 'readOnly'>): Promise<void> {
  const api = getApi();
  const doc = await api.projectLoad({ projectId: info.projectId });
  const graph = doc.graph as Graph;
  useEditor.getState().load(graph, weightsFromJson(doc.weights), { path: info.path, name: info.name, dirty: false });
  useUi.getState().set({
    screen: 'editor',
    projectId: info.projectId,
    readOnlyExample: info.readOnly && info.example ? { id: info.example } : null,
    settings: { ...DEFAULT_PROJECT_SETTINGS, ...doc.settings },
    previewInputs: fromPreviewInputs(doc.previewInputs),
    previewNode: null,
    conventionByNode: {},
  });
  useEditor.getState().setSeed(doc.settings.weightSeed);
  remember(info as ProjectInfo);
  setTimeout(fitLoaded, 50);
}

async function closeCurrent(): Promise<void> {
  const id = useUi.getState().projectId;
  if (!id) return;
  try {
    await getApi().projectClose({ projectId: id });
  } catch {
    /* already closed */
  }
  useUi.getState().set({ projectId: null });
}

export async function newProject(name: string): Promise<void> {
  try {
    await closeCurrent();
    const info = await getApi().projectNew({ name });
    await showProject(info);
  } catch (err) {
    fail('New project', err);
  }
}

export async function openProject(path: string): Promise<void> {
  try {
    await closeCurrent();
    const info = await getApi().projectOpen({ path });
    await showProject(info);
  } catch (err) {
    fail(`Open ${path}`, err);
  }
}

export async function openExample(id: string): Promise<void> {
  try {
    await closeCurrent();
    const info = await getApi().examplesOpen({ id });
    await showProject(info);
  } catch (err) {
    fail(`Open example ${id}`, err);
  }
}

export async function saveProject(): Promise<boolean> {
  const ui = useUi.getState();
  if (ui.readOnlyExample) return askToSaveExample();
  if (!ui.projectId) {
    ui.set({ dialog: { kind: 'saveAs', initial: 'untitled' } });
    return false;
  }
  try {
    const before = docIdentity();
    const info = await getApi().projectSave({ projectId: ui.projectId, doc: currentDocument() });
    // Edits made while saving keep the project dirty.
    if (docIdentity() === before) useEditor.getState().markSaved({ path: info.path, name: info.name });
    remember(info);
    ui.notify('info', `Saved ${info.name}`);
    return true;
  } catch (err) {
    fail('Save', err);
    return false;
  }
}

let projectsDir: string | null = null;

async function absolutePath(path: string): Promise<string> {
  if (/^([a-zA-Z]:)?[\\/]/.test(path)) return path;
  if (projectsDir === null) projectsDir = (await getApi().appInfo({})).projectsDir;
  return `${projectsDir.replace(/[\\/]+$/, '')}/${path}`;
}

/** Saves the design under a new path (a name in the projects folder, or absolute); true when it was saved. */
export async function saveProjectAs(given: string): Promise<boolean> {
  const ui = useUi.getState();
  try {
    const path = await absolutePath(given);
    let info: ProjectInfo;
    if (!ui.projectId) {
      const name = path.replace(/^.*[\\/]/, '').replace(/\.tessera$/, '') || 'untitled';
      info = await getApi().projectNew({ name, path, doc: currentDocument() });
    } else {
      // An example kept before any edit is the shipped file: the service copies it (encoding and sending
      // megabytes of weights from here took seconds).
      const unchanged = !!ui.readOnlyExample && !useEditor.getState().project.dirty;
      info = await getApi().projectSaveAs({ projectId: ui.projectId, path, ...(unchanged ? {} : { doc: currentDocument() }) });
    }
    ui.set({ projectId: info.projectId, readOnlyExample: null });
    useEditor.getState().markSaved({ path: info.path, name: info.name });
    remember(info);
    ui.notify('info', `Saved as ${info.path}`);
    return true;
  } catch (err) {
    fail('Save as', err);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Examples open as themselves, read-only: the first edit asks where to save a copy (one, named);
// cancelling it takes the edit back.
// ---------------------------------------------------------------------------------------------

/** The open question "where to save this example?", answered true once it is saved. */
let exampleQuestion: { answer: Promise<boolean>; resolve(saved: boolean): void } | null = null;
let savingExample = false;

/** A name in the projects folder not taken yet: the example's id, else "<id> 2", … */
async function freeProjectName(stem: string): Promise<string> {
  let taken = new Set<string>();
  try {
    taken = new Set((await getApi().projectList({})).items.map((p) => p.name));
  } catch {
    /* unknown: the save reports a clash */
  }
  if (!taken.has(stem)) return stem;
  for (let i = 2; ; i++) if (!taken.has(`${stem} ${i}`)) return `${stem} ${i}`;
}

/**
 * Asks where to save the example that is open (the Save-as dialog with a note); resolves true once saved,
 * false when the user declines. Not an example: true at once.
 */
export function askToSaveExample(): Promise<boolean> {
  const ex = useUi.getState().readOnlyExample;
  if (!ex) return Promise.resolve(true);
  if (exampleQuestion) return exampleQuestion.answer;
  let resolve!: (saved: boolean) => void;
  const answer = new Promise<boolean>((r) => (resolve = r));
  exampleQuestion = { answer, resolve };
  void freeProjectName(ex.id).then((initial) =>
    useUi.getState().set({
      dialog: { kind: 'saveAs', initial, note: `This is the example “${useEditor.getState().project.name}”, opened read-only. Save your copy under a name to keep your change (Cancel takes it back).` },
    }),
  );
  return answer;
}

/** The Save-as dialog's answer for an example: saved (the dialog may come back when the save failed) or declined. */
export async function answerExampleQuestion(path: string | null): Promise<void> {
  if (path === null) {
    const q = exampleQuestion;
    exampleQuestion = null;
    q?.resolve(false);
    return;
  }
  savingExample = true;
  const ok = await saveProjectAs(path);
  savingExample = false;
  if (ok) {
    const q = exampleQuestion;
    exampleQuestion = null;
    q?.resolve(true);
  } else if (exampleQuestion) {
    useUi.getState().set({ dialog: { kind: 'saveAs', initial: path.replace(/\.tessera$/, ''), note: 'That did not work (see the message); choose another name, or Cancel to take the change back.' } });
  }
}

/** Back to the example as shipped (its private copy is never written while it is read-only). */
async function revertExample(): Promise<void> {
  const ui = useUi.getState();
  if (!ui.projectId || !ui.readOnlyExample) return;
  const ed = useEditor.getState();
  await showProject({ projectId: ui.projectId, path: ed.project.path ?? '', name: ed.project.name, example: ui.readOnlyExample.id, readOnly: true });
}

/**
 * Watches for the first edit of an example as opened: it asks where to save (declined: the edit is taken
 * back). A dialog closed any other way (Escape, a click beside it) declines too.
 */
export function startExampleGuard(): () => void {
  const a = useEditor.subscribe((s, prev) => {
    if (!s.project.dirty || prev.project.dirty || !useUi.getState().readOnlyExample) return;
    void askToSaveExample().then((saved) => {
      if (!saved) void revertExample();
    });
  });
  const b = useUi.subscribe((s, prev) => {
    if (prev.dialog?.kind === 'saveAs' && !s.dialog && exampleQuestion && !savingExample) void answerExampleQuestion(null);
  });
  return () => {
    a();
    b();
  };
}

export async function closeToStart(): Promise<void> {
  await closeCurrent();
  useUi.getState().set({ readOnlyExample: null });
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* ignore */
  }
  useEditor.getState().load({ version: 1, nodes: [], edges: [] }, {}, { path: null, name: 'untitled', dirty: false });
  useUi.getState().set({ screen: 'start', previewInputs: [] });
}

/** After a page reload: back to the project this tab had open, if the service still has it. */
export async function restoreSession(): Promise<boolean> {
  let saved: SessionProject | null = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    saved = null;
  }
  if (!saved) return false;
  const name = saved.name ?? saved.path.replace(/^.*[\\/]/, '').replace(/\.tessera$/, '');
  try {
    await showProject({ projectId: saved.projectId, path: saved.path, name, example: saved.readOnlyExample ?? null, readOnly: !!saved.readOnlyExample });
    return true;
  } catch {
    try {
      // The service no longer has it (restarted): open the file again, or the example.
      if (saved.readOnlyExample) await showProject(await getApi().examplesOpen({ id: saved.readOnlyExample }));
      else await showProject(await getApi().projectOpen({ path: saved.path }));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * On page load: the project named by `?project=<path>` (what `tessera serve PROJECT` and `tessera start`
 * put on the URL) or the example named by `?example=<id>` is opened through the API; otherwise the tab's last
 * project comes back. The parameter is taken off the address afterwards so a reload keeps whatever the user
 * opened since.
 */
export async function startupProject(): Promise<boolean> {
  let path: string | null = null;
  let example: string | null = null;
  try {
    const url = new URL(window.location.href);
    path = url.searchParams.get('project');
    example = url.searchParams.get('example');
    if (path || example) {
      url.searchParams.delete('project');
      url.searchParams.delete('example');
      history.replaceState(history.state, '', url.toString());
    }
  } catch {
    path = null;
  }
  if (path || example) {
    if (path) await openProject(path);
    else await openExample(example!);
    return useUi.getState().screen === 'editor';
  }
  return restoreSession();
}

export async function updateSettings(patch: Partial<typeof DEFAULT_PROJECT_SETTINGS>): Promise<void> {
  // A setting is an edit too: an example asks where to save first (declined: nothing changes).
  if (!(await askToSaveExample())) return;
  const ui = useUi.getState();
  ui.set({ settings: { ...ui.settings, ...patch } });
  if (patch.weightSeed !== undefined) useEditor.getState().setSeed(patch.weightSeed);
  if (!ui.projectId) return;
  try {
    await getApi().settingsSet({ projectId: ui.projectId, patch });
  } catch (err) {
    fail('Settings', err);
  }
}

/** One layer's type for one field ('' goes back to the project default): an edit of the document (undoable, saved with the graph). */
export function setLayerPrecision(nodeId: string, field: PrecisionField, text: string): void {
  useEditor.getState().setPrecision(nodeId, field, text);
}

// ---------------------------------------------------------------------------------------------
// Clipboard: nodes + internal edges + weights as JSON, so it works across projects and windows
// ---------------------------------------------------------------------------------------------

export function serializeSelection(): string | null {
  const ed = useEditor.getState();
  const nodes = ed.nodes.filter((n) => n.selected);
  if (!nodes.length) return null;
  const ids = new Set(nodes.map((n) => n.id));
  const edges = ed.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const graph = toGraph(nodes, edges);
  const weights = pickWeights(ed.weights, ids);
  return JSON.stringify({ kind: CLIPBOARD_KIND, version: 1, graph, weights: weightsToJson(weights, layoutOf(toGraph(ed.nodes, ed.edges))) });
}

export function parseClipboard(text: string): ClipboardDoc | null {
  try {
    const j = JSON.parse(text);
    if (!j || j.kind !== CLIPBOARD_KIND || !j.graph) return null;
    // The graph document schema, as for project files: a malformed node (or precision) is not pasted.
    const doc = parseGraphDocument(j.graph);
    if ('error' in doc) return null;
    const { nodes, edges } = fromGraph(doc.graph);
    return { nodes, edges, weights: weightsFromJson(j.weights ?? {}) };
  } catch {
    return null;
  }
}

/** The system-clipboard write of the last copy: a paste waits for it, so it never reads what was there before. */
let clipboardWrite: Promise<void> = Promise.resolve();

export function copySelection(cut = false, event?: ClipboardEvent): boolean {
  const text = serializeSelection();
  if (!text) return false;
  try {
    localStorage.setItem(CLIPBOARD_KEY, text);
  } catch {
    /* ignore */
  }
  if (event?.clipboardData) {
    event.clipboardData.setData('text/plain', text);
    event.preventDefault();
  } else {
    clipboardWrite = navigator.clipboard?.writeText(text).catch(() => undefined) ?? Promise.resolve();
  }
  if (cut) useEditor.getState().deleteSelected();
  return true;
}

function nodeBox(n: FlowNode): Box {
  const size = n.measured?.width && n.measured.height ? { width: n.measured.width, height: n.measured.height } : estimatedNodeSize(getOp(n.data.type)?.label ?? n.data.type);
  return { x: n.position.x, y: n.position.y, ...size };
}

/** The pointer over the canvas in flow coordinates (unless `atPointer` is false), else the middle of the visible canvas. */
export function placementPoint(atPointer = true): { x: number; y: number } {
  const rf = flow.instance;
  if (!rf) return { x: 100, y: 100 };
  if (atPointer && flow.pointer) return rf.screenToFlowPosition(flow.pointer);
  const r = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
  return r ? rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 100, y: 100 };
}

/**
 * The offset that moves nodes (as copied) to where they go: a paste puts them at the pointer (their top-left
 * corner there), a duplicate below the originals; either is moved on into free space so that nothing is covered.
 */
export function placementOffset(nodes: readonly FlowNode[], where: 'pointer' | 'below'): { x: number; y: number } {
  const boxes = nodes.map(nodeBox);
  const b = boundsOf(boxes);
  if (!b) return { x: 0, y: 0 };
  const target = where === 'below' ? { x: b.x, y: b.y + b.height + 2 * PLACEMENT_GAP } : placementPoint();
  const shift = { x: Math.round(target.x - b.x), y: Math.round(target.y - b.y) };
  const occupied = useEditor.getState().nodes.map(nodeBox);
  const free = freeOffset(boxes.map((x) => ({ ...x, x: x.x + shift.x, y: x.y + shift.y })), occupied);
  return { x: shift.x + free.x, y: shift.y + free.y };
}

/**
 * Adds a node of `type` with its top-left corner at `at` (flow coordinates), moved on into free space;
 * connected from `from`'s output when given. Returns the new node's id.
 */
export function addNodeAt(type: string, at: { x: number; y: number }, from?: string | null): string {
  const box = { x: Math.round(at.x), y: Math.round(at.y), ...estimatedNodeSize(getOp(type)?.label ?? type) };
  const free = freeOffset([box], useEditor.getState().nodes.map(nodeBox));
  return useEditor.getState().addNode(type, { x: box.x + free.x, y: box.y + free.y }, useUi.getState().settings.tensorLayout, from);
}

/** Right of a node, where the next layer of a chain goes. */
export function besideNode(id: string): { x: number; y: number } | null {
  const n = useEditor.getState().nodes.find((x) => x.id === id);
  if (!n) return null;
  const b = nodeBox(n);
  return { x: b.x + b.width + 120, y: b.y };
}

export function pasteText(text: string | null, where: 'pointer' | 'below' = 'pointer'): boolean {
  const doc = text ? parseClipboard(text) : null;
  if (!doc) return false;
  useEditor.getState().paste(doc, placementOffset(doc.nodes, where));
  return true;
}

export async function pasteFromClipboard(): Promise<void> {
  let text: string | null = null;
  await clipboardWrite;
  try {
    text = await navigator.clipboard.readText();
  } catch {
    text = null;
  }
  if (!text || !parseClipboard(text)) text = localStorage.getItem(CLIPBOARD_KEY);
  if (!pasteText(text)) useUi.getState().notify('warning', 'Nothing to paste: copy nodes first (Ctrl+C).');
}

export function duplicateSelection(): void {
  const text = serializeSelection();
  if (text) pasteText(text, 'below');
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

let layoutWorker: Worker | null = null;
let layoutSeq = 0;

export function autoLayout(): Promise<void> {
  const ed = useEditor.getState();
  if (!ed.nodes.length) return Promise.resolve();
  layoutWorker ??= new Worker(new URL('../workers/layout.worker.ts', import.meta.url), { type: 'module' });
  const id = ++layoutSeq;
  const w = layoutWorker;
  return new Promise((resolve) => {
    w.onmessage = (ev: MessageEvent<LayoutReply>) => {
      if (ev.data.id !== id) return;
      if (ev.data.error) useUi.getState().notify('error', `Auto-layout: ${ev.data.error}`);
      else {
        useEditor.getState().setPositions(ev.data.positions);
        setTimeout(() => flow.instance?.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }), 30);
      }
      resolve();
    };
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    w.postMessage({
      id,
      nodes: ed.nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? 180, height: n.measured?.height ?? 70 })),
      edges: ed.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
      options: canvas ? { viewport: { width: canvas.width, height: canvas.height } } : {},
    } satisfies LayoutRequest);
  });
}

export function zoomToFit(): void {
  // React Flow queues a fitView on an empty canvas until nodes appear: only fit what is there.
  if (useEditor.getState().nodes.length) flow.instance?.fitView({ padding: 0.2, maxZoom: 1.5, duration: 200 });
}

/** After loading a project: fit its nodes, or reset the view of an empty one. */
function fitLoaded(): void {
  if (useEditor.getState().nodes.length) flow.instance?.fitView({ padding: 0.2, maxZoom: 1.2 });
  else flow.instance?.setViewport({ x: 0, y: 0, zoom: 1 });
}

// ---------------------------------------------------------------------------------------------
// ONNX
// ---------------------------------------------------------------------------------------------

export async function importOnnxFile(file: File, at?: { x: number; y: number }): Promise<void> {
  const ui = useUi.getState();
  ui.set({ busy: `Importing ${file.name}…` });
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const res = await getApi().onnxImport({ fileName: file.name, bytesBase64: bytesToBase64(bytes) });
    const { nodes, edges } = fromGraph(res.graph as Graph);
    const weights = weightsFromJson(res.weights);
    const ed = useEditor.getState();
    // Place the imported graph to the right of what is there (or at the drop point).
    const maxX = ed.nodes.length ? Math.max(...ed.nodes.map((n) => n.position.x + (n.measured?.width ?? 180))) + 80 : 0;
    const minX = nodes.length ? Math.min(...nodes.map((n) => n.position.x)) : 0;
    const minY = nodes.length ? Math.min(...nodes.map((n) => n.position.y)) : 0;
    const offset = at ? { x: at.x - minX, y: at.y - minY } : { x: maxX - minX, y: (ed.nodes.length ? 0 : 40) - minY };
    // Per-layer precisions of a quantized model (QONNX / QKeras) come on the nodes and are pasted with them.
    ed.paste({ nodes, edges, weights }, offset);
    const withPrecision = nodes.filter((n) => n.data.precision).length;
    const errs = res.diagnostics.filter((d) => d.severity === 'error').length;
    ui.notify(errs ? 'warning' : 'info', `Imported ${file.name}: ${nodes.length} nodes${withPrecision ? `, precisions of ${withPrecision} layers` : ''}${res.diagnostics.length ? `, ${res.diagnostics.length} diagnostics (${res.diagnostics.slice(0, 2).map((d) => d.message).join(' ')})` : ''}`);
    // Into an empty project: lay the imported graph out with room for the shape labels.
    if (!ed.nodes.length) setTimeout(() => void autoLayout(), 50);
    else if (!at) setTimeout(zoomToFit, 50);
  } catch (err) {
    fail(`Import ${file.name}`, err);
  } finally {
    ui.set({ busy: null });
  }
}

export function pickOnnxFile(): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = '.onnx,.keras,.h5';
  input.style.display = 'none';
  input.setAttribute('data-testid', 'onnx-file-input');
  input.onchange = () => {
    const f = input.files?.[0];
    input.remove();
    if (f) void importOnnxFile(f);
  };
  document.body.appendChild(input);
  input.click();
}

export async function exportOnnx(): Promise<void> {
  const ed = useEditor.getState();
  const ui = useUi.getState();
  const graph = toGraph(ed.nodes, ed.edges);
  const a = analyze(graph);
  if (a.errors) {
    ui.notify('error', `Export ONNX: fix the ${a.errors} error(s) first (${a.diagnostics.find((d) => d.severity === 'error')?.message ?? ''})`);
    return;
  }
  try {
    const weights = completeWeights(graph, ed.weights, ui.settings.weightSeed);
    const name = `${ed.project.name || 'model'}.onnx`;
    const res = await getApi().onnxExport({ graph, weights: weightsToJson(weights, layoutOf(graph)), fileName: name });
    const blob = new Blob([base64ToBytes(res.bytesBase64) as BlobPart], { type: 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = res.fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    ui.notify('info', `Exported ${res.fileName}`);
  } catch (err) {
    fail('Export ONNX', err);
  }
}

export type { Tensor };

// ---------------------------------------------------------------------------------------------
// File dialogs: native ones in Electron, the app's own in serve mode
// ---------------------------------------------------------------------------------------------

export async function loadAppInfo(): Promise<void> {
  try {
    const info = await getApi().appInfo({});
    projectsDir = info.projectsDir;
    useUi.getState().set({ nativeDialogs: info.nativeDialogs });
  } catch {
    /* the start screen reports API problems */
  }
}

export async function openDialog(): Promise<void> {
  const ui = useUi.getState();
  if (!ui.nativeDialogs) {
    ui.set({ dialog: { kind: 'open' } });
    return;
  }
  try {
    const r = await getApi().dialogOpenProject({});
    if (r.path) await openProject(r.path);
  } catch (err) {
    fail('Open', err);
  }
}

export async function saveAsDialog(): Promise<void> {
  const ui = useUi.getState();
  const project = useEditor.getState().project;
  if (!ui.nativeDialogs) {
    ui.set({ dialog: { kind: 'saveAs', initial: project.path ?? project.name } });
    return;
  }
  try {
    const r = await getApi().dialogSaveProject({ suggestedName: project.name });
    if (r.path) await saveProjectAs(r.path);
  } catch (err) {
    fail('Save as', err);
  }
}

// ---------------------------------------------------------------------------------------------
// Autosave: after `autosaveSeconds` without edits (0 = off), one transaction like a save
// ---------------------------------------------------------------------------------------------

let identityCounter = 0;
const identities = new WeakMap<object, number>();
function idOf(o: object): number {
  let v = identities.get(o);
  if (v === undefined) identities.set(o, (v = ++identityCounter));
  return v;
}

/** Changes whenever the document (nodes, edges, weights) changes. */
function docIdentity(): string {
  const s = useEditor.getState();
  return `${idOf(s.nodes)}/${idOf(s.edges)}/${idOf(s.weights)}`;
}

let autosaveTimer: ReturnType<typeof setTimeout> | null = null;

async function autosaveNow(): Promise<void> {
  const ui = useUi.getState();
  const ed = useEditor.getState();
  if (!ui.projectId || !ed.project.dirty || ui.screen !== 'editor' || ui.readOnlyExample) return;
  const before = docIdentity();
  try {
    const info = await getApi().projectSave({ projectId: ui.projectId, doc: currentDocument(), autosave: true });
    if (docIdentity() === before) useEditor.getState().markSaved({ path: info.path, name: info.name });
  } catch (err) {
    fail('Autosave', err);
  }
}

export function startAutosave(): () => void {
  const unsub = useEditor.subscribe((s, prev) => {
    if (s.nodes === prev.nodes && s.edges === prev.edges && s.weights === prev.weights) return;
    if (!s.project.dirty) return;
    const seconds = useUi.getState().settings.autosaveSeconds;
    if (autosaveTimer) clearTimeout(autosaveTimer);
    autosaveTimer = null;
    if (!seconds) return;
    autosaveTimer = setTimeout(() => {
      autosaveTimer = null;
      void autosaveNow();
    }, seconds * 1000);
  });
  return () => {
    unsub();
    if (autosaveTimer) clearTimeout(autosaveTimer);
  };
}
