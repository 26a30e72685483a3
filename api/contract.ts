// The app's one API contract: channel name → zod request schema and zod response schema.
//
// Electron IPC (electron/main + electron/preload) and serve mode (electron/serve) bind the same
// services to it; the renderer talks only to the `AppApi` interface derived below.
//
// This file is pure (zod only, no node:*, no DOM, no electron): the renderer may import its types,
// and may import its schemas too if it wants to validate on the client side.
//
// Wire format in serve mode (see electron/serve/server.ts):
//   POST /api/<channel>            body: JSON request          → 200 { ok: true, result } | 4xx/5xx { ok: false, error: ApiError }
//   GET  /api/events (WebSocket)   server → client pushes, one JSON `AppEvent` per message
//   Authentication: the URL printed by `tessera serve` carries ?token=…; the first page load turns it
//   into a cookie (`tessera_token`, HttpOnly, SameSite=Strict). Clients may also send the header
//   `X-Tessera-Token: <token>`. Without it every /api/ route answers 401.
//   Start-up: `tessera serve --project FILE` / `tessera start` add `&project=<absolute path, URL-encoded>`
//   to the page URL (Electron: the same query on the loaded index.html); the renderer opens it with
//   projectOpen. Opening a file this app instance already has open returns the same projectId.
// In Electron the preload exposes `window.tessera` as a `BridgeApi`: one named function per channel
// answering with the reply itself, `{ ok, result } | { ok: false, error }` (an Error's own fields do not
// cross Electron's contextBridge), plus `onEvent`. renderer/api/client.ts turns both transports into
// `AppApi`, whose calls reject with an Error whose `name` is 'ApiError' and which carries `code`
// (ApiErrorCode), `message` and `details`.
import { z } from 'zod';
import { graphJsonSchema } from '../engine/graph/schema';
import { DEFAULT_TYPE_STRING } from '../engine/fixed/precision';
import { buildsContract } from './builds-contract';
import { checkProjectSettings, SlurmProjectSettings } from './slurm-settings';
import { checkText, FPGA_PART, zodCheck } from '../engine/safety';

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/** Opaque handle of a project opened by this app instance (several projects may be open at once). */
export const ProjectId = z.string().min(1).max(100);

/** Absolute path of a `.tessera` file on the machine running the services. */
export const ProjectPath = z.string().min(1).max(4096);

/**
 * A graph document as engine/graph/model.ts `Graph` describes it, with each node's per-layer precision: the
 * engine's document schema itself (engine/graph/schema.ts), so there is one. Parameters are validated by the
 * ops and the precisions' types by analyzeGraph; a malformed precision is refused here, naming the layer.
 */
export const GraphJson = graphJsonSchema;

export const Dtype = z.enum(['float32', 'float64', 'int8', 'uint8', 'int16', 'int32']);

/**
 * A tensor on the wire: little-endian raw bytes of `dtype`, row-major, base64.
 * `layout` names the axis order, e.g. 'OIHW', 'IOHW' (ConvTranspose), 'HWIO' (Keras), 'O' (bias).
 */
export const TensorJson = z.strictObject({
  dtype: Dtype,
  shape: z.array(z.number().int().min(0)),
  layout: z.string().max(64),
  dataBase64: z.string(),
});

/** Weights by node id, then slot name ('weight', 'bias', 'gamma', …), as engine `WeightMap`. */
export const WeightMapJson = z.record(z.string(), z.record(z.string(), TensorJson));

const settingsFields = {
  /** How activations are shown and laid out: channels first (N×C×H×W) or last (N×H×W×C). */
  tensorLayout: z.enum(['NCHW', 'NHWC']),
  /** Padding convention the inspector offers first. */
  paddingConvention: z.enum(['keras', 'pytorch', 'explicit']),
  /** Default fixed-point type for new layers, e.g. 'ap_fixed<16,6>'. */
  defaultPrecision: z.string().max(64),
  /** Seed used by "initialize weights". */
  weightSeed: z.number().int(),
  /** Re-run the preview after each edit. */
  previewAutoRun: z.boolean(),
  /** Autosave delay in seconds after the last edit; 0 turns autosave off. */
  autosaveSeconds: z.number().min(0).max(3600),
  /** Renderer-owned UI state (viewport, panel sizes…), JSON values only; nothing a build uses (per-layer precision is in the graph). */
  ui: z.record(z.string(), z.unknown()),
  /** How this project's builds ask Slurm for resources (api/slurm-settings.ts; checked before use). Absent: the defaults. */
  slurm: SlurmProjectSettings,
  /**
   * The project's target FPGA part (AMD's name, e.g. xcvu13p-flga2577-2-e): variants without a part of their
   * own build for it, and the fit action fits to it. Absent: the generator's default (engine/hls/config.ts).
   */
  part: z.string().max(64).superRefine(zodCheck((p: string) => checkText(FPGA_PART, 'part', p))),
};
export const DEFAULT_SETTINGS = {
  tensorLayout: 'NHWC',
  paddingConvention: 'keras',
  defaultPrecision: DEFAULT_TYPE_STRING,
  weightSeed: 1,
  previewAutoRun: true,
  autosaveSeconds: 30,
  ui: {},
} as const satisfies Omit<z.input<z.ZodObject<typeof settingsFields>>, 'slurm' | 'part'>;

/** Per-project settings. Unknown keys are rejected; missing keys take their defaults; free-form UI state goes in `ui`. */
export const ProjectSettings = z.strictObject({
  tensorLayout: settingsFields.tensorLayout.default(DEFAULT_SETTINGS.tensorLayout),
  paddingConvention: settingsFields.paddingConvention.default(DEFAULT_SETTINGS.paddingConvention),
  defaultPrecision: settingsFields.defaultPrecision.default(DEFAULT_SETTINGS.defaultPrecision),
  weightSeed: settingsFields.weightSeed.default(DEFAULT_SETTINGS.weightSeed),
  previewAutoRun: settingsFields.previewAutoRun.default(DEFAULT_SETTINGS.previewAutoRun),
  autosaveSeconds: settingsFields.autosaveSeconds.default(DEFAULT_SETTINGS.autosaveSeconds),
  ui: settingsFields.ui.default({}),
  slurm: settingsFields.slurm.optional(),
  part: settingsFields.part.optional(),
});
/** A partial change of settings: only the keys given are changed; Slurm settings must meet their rules. */
export const ProjectSettingsPatch = z
  .strictObject(settingsFields)
  .partial()
  .superRefine((patch, ctx) => {
    if (patch.slurm) for (const r of checkProjectSettings(patch.slurm).refusals) ctx.addIssue({ code: 'custom', path: ['slurm'], message: r.message });
  });

/** What feeds an Input node in the preview. */
export const PreviewInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('random'), nodeId: z.string().min(1), seed: z.number().int(), low: z.number().default(-1), high: z.number().default(1) }),
  z.strictObject({ kind: z.literal('constant'), nodeId: z.string().min(1), value: z.number() }),
  z.strictObject({ kind: z.literal('impulse'), nodeId: z.string().min(1), index: z.array(z.number().int().min(0)), value: z.number().default(1) }),
  z.strictObject({ kind: z.literal('image'), nodeId: z.string().min(1), fileName: z.string().max(512), tensor: TensorJson }),
]);

/** Everything a user saves in one project file. */
export const ProjectDocument = z.strictObject({
  graph: GraphJson,
  weights: WeightMapJson,
  settings: ProjectSettings,
  previewInputs: z.array(PreviewInput),
});

export const ProjectInfo = z.strictObject({
  projectId: ProjectId,
  path: ProjectPath,
  /** Display name (file name without `.tessera`, or the name given at creation). */
  name: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.string(),
  /** ISO time of the last committed save. */
  savedAt: z.string(),
  /** Example id when this project was opened from an example (or saved from one). */
  example: z.string().nullable(),
  /**
   * True for an example as opened (examples.open): a private copy that goes away when it is closed. It is
   * read-only for the user until saved under a name with project.saveAs, which makes it a project of theirs.
   */
  readOnly: z.boolean().optional(),
  /** project.open only: true when this app instance already had the file open (same projectId returned). */
  alreadyOpen: z.boolean().optional(),
});

export const RecentProject = z.strictObject({
  path: ProjectPath,
  name: z.string(),
  openedAt: z.string(),
  /** False when the file has gone since it was last opened. */
  exists: z.boolean(),
});

export const ExampleInfo = z.strictObject({
  id: z.string(),
  title: z.string(),
  description: z.string(),
});

export const ApiErrorCode = z.enum([
  'bad-request', // the request does not match the contract (wrong types, extra fields)
  'unauthorized', // serve mode: missing or wrong token
  'forbidden', // serve mode: foreign Origin
  'not-found', // unknown channel, project id, example or file
  'not-a-project', // the file is not a Tessera project (foreign SQLite file or not SQLite at all)
  'corrupt', // the file is a damaged Tessera project
  'newer-schema', // written by a newer Tessera
  'locked', // the project is already open (in this or another process)
  'exists', // target file exists where a new one was asked for
  'unsupported', // not available in this mode or not implemented yet (e.g. ONNX import missing)
  'invalid', // the content is well-formed but fails validation (diagnostics in details)
  'io', // file system error
  'internal',
]);
export const ApiError = z.strictObject({
  code: ApiErrorCode,
  message: z.string(),
  details: z.unknown().optional(),
});

const Empty = z.strictObject({});
const Ok = z.strictObject({ ok: z.literal(true) });
const ForProject = z.strictObject({ projectId: ProjectId });

/** Diagnostics as engine/diagnostics/diagnostics.ts `Diagnostic` (import and validation results). */
export const DiagnosticJson = z.strictObject({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  nodeId: z.string().optional(),
  nodeName: z.string().optional(),
  field: z.string().optional(),
  value: z.unknown().optional(),
  rule: z.string(),
  fix: z.string(),
  message: z.string(),
});

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res, summary: string) {
  return { request, response, summary };
}

export const contract = {
  'app.info': channel(
    Empty,
    z.strictObject({
      version: z.string(),
      mode: z.enum(['electron', 'serve']),
      platform: z.string(),
      /** Folder where new projects (and saved copies of examples) are created when no path is given. */
      projectsDir: z.string(),
      /** Native file dialogs exist (Electron only); in serve mode the renderer asks for paths or uses projectsDir. */
      nativeDialogs: z.boolean(),
    }),
    'Mode, version and folders of this app instance.',
  ),

  'project.new': channel(
    z.strictObject({
      name: z.string().min(1).max(200),
      /** Where to create the file; default: <projectsDir>/<name>.tessera (made unique). */
      path: ProjectPath.optional(),
      /** Initial content; default: an empty graph with default settings. */
      doc: ProjectDocument.optional(),
    }),
    ProjectInfo,
    'Create a new project file and open it.',
  ),
  'project.open': channel(z.strictObject({ path: ProjectPath }), ProjectInfo, 'Open a project file (locks it).'),
  'project.load': channel(ForProject, ProjectDocument, 'Read the whole document of an open project.'),
  'project.save': channel(
    z.strictObject({ projectId: ProjectId, doc: ProjectDocument, autosave: z.boolean().default(false) }),
    ProjectInfo,
    'Save the whole document in one transaction.',
  ),
  'project.saveAs': channel(
    z.strictObject({
      projectId: ProjectId,
      path: ProjectPath,
      /** Content to write; default: the project's last saved content. */
      doc: ProjectDocument.optional(),
      overwrite: z.boolean().default(false),
    }),
    ProjectInfo,
    'Write the project to a new file; the open project then refers to the new file.',
  ),
  'project.close': channel(ForProject, Ok, 'Close an open project (releases its lock).'),
  'project.recent': channel(Empty, z.strictObject({ items: z.array(RecentProject) }), 'Recently opened projects, newest first.'),
  'project.list': channel(
    Empty,
    z.strictObject({ items: z.array(z.strictObject({ path: ProjectPath, name: z.string(), modifiedAt: z.string() })) }),
    'Project files in projectsDir (serve mode has no file dialog).',
  ),

  'dialog.openProject': channel(
    Empty,
    z.strictObject({ path: ProjectPath.nullable() }),
    'Electron only: the native open dialog for a .tessera file (null when cancelled); serve mode answers unsupported.',
  ),
  'dialog.saveProject': channel(
    z.strictObject({ suggestedName: z.string().max(200).optional() }),
    z.strictObject({ path: ProjectPath.nullable() }),
    'Electron only: the native save dialog for a .tessera file (null when cancelled); serve mode answers unsupported.',
  ),

  'examples.list': channel(Empty, z.strictObject({ items: z.array(ExampleInfo) }), 'Example projects shipped with the app.'),
  'examples.open': channel(
    z.strictObject({ id: z.string().min(1) }),
    ProjectInfo,
    'Open an example read-only (a private copy, removed when closed; nothing is added to projectsDir or the recent list); project.saveAs keeps it under a name. Shipped files are never changed.',
  ),

  'graph.load': channel(ForProject, z.strictObject({ graph: GraphJson, weights: WeightMapJson }), 'Graph and weights of an open project.'),
  'graph.save': channel(
    z.strictObject({ projectId: ProjectId, graph: GraphJson, weights: WeightMapJson }),
    ProjectInfo,
    'Save graph and weights (weights of nodes not in the graph are dropped) in one transaction.',
  ),

  'settings.get': channel(ForProject, ProjectSettings, 'Project settings.'),
  'settings.set': channel(
    z.strictObject({ projectId: ProjectId, patch: ProjectSettingsPatch }),
    ProjectSettings,
    'Change some settings (saved at once); returns the full settings.',
  ),

  'preview.getInputs': channel(ForProject, z.strictObject({ inputs: z.array(PreviewInput) }), 'Preview inputs of the project.'),
  'preview.setInputs': channel(
    z.strictObject({ projectId: ProjectId, inputs: z.array(PreviewInput) }),
    Ok,
    'Replace the preview inputs (saved at once).',
  ),

  'onnx.import': channel(
    z.strictObject({ fileName: z.string().max(512), bytesBase64: z.string().min(1) }),
    z.strictObject({
      graph: GraphJson,
      weights: WeightMapJson,
      diagnostics: z.array(DiagnosticJson),
    }),
    'Convert an ONNX / Keras model into a graph with weights; the per-layer precisions of quantized models (QONNX Quant nodes, QKeras quantizers) are on its nodes.',
  ),
  'onnx.export': channel(
    z.strictObject({ graph: GraphJson, weights: WeightMapJson, fileName: z.string().max(512).optional() }),
    z.strictObject({ fileName: z.string(), bytesBase64: z.string() }),
    'Convert a graph with weights into an ONNX model.',
  ),

  // Variants and builds (api/builds-contract.ts).
  ...buildsContract,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export const channels = Object.keys(contract) as Channel[];

/** What a caller passes (defaults may be omitted). */
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
/** What a caller gets back. */
export type ResponseOf<C extends Channel> = z.output<Contract[C]['response']>;

// ---------------------------------------------------------------------------------------------
// Server → client events (WebSocket in serve mode, 'tessera:event' IPC in Electron)
// ---------------------------------------------------------------------------------------------

export const AppEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('project.saved'), projectId: ProjectId, savedAt: z.string(), autosave: z.boolean() }),
  z.strictObject({ type: z.literal('project.closed'), projectId: ProjectId }),
  z.strictObject({ type: z.literal('build.log'), runId: z.string(), projectId: ProjectId.optional(), stream: z.enum(['stdout', 'stderr', 'info']), text: z.string() }),
  z.strictObject({
    type: z.literal('build.status'),
    runId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']),
    projectId: ProjectId.optional(),
    variantId: z.string().nullable().optional(),
    step: z.string().optional(),
    progress: z.number().min(0).max(1).optional(),
  }),
  z.strictObject({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), message: z.string() }),
]);
export type AppEvent = z.output<typeof AppEvent>;

// ---------------------------------------------------------------------------------------------
// The typed interface the renderer programs against
// ---------------------------------------------------------------------------------------------

/** 'project.saveAs' → 'projectSaveAs'. */
export type MethodName<C extends string> = C extends `${infer A}.${infer B}` ? `${A}${Capitalize<MethodName<B>>}` : C;

export function methodName<C extends Channel>(c: C): MethodName<C> {
  return c.replace(/\.(\w)/g, (_, ch: string) => ch.toUpperCase()) as MethodName<C>;
}

export type AppApi = {
  [C in Channel as MethodName<C>]: (request: RequestOf<C>) => Promise<ResponseOf<C>>;
} & {
  /** Subscribe to server pushes; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
};

/** One call's answer as the transports carry it. */
export type ApiReply<C extends Channel = Channel> = { ok: true; result: ResponseOf<C> } | { ok: false; error: ApiError };

/** window.tessera in Electron (the preload): AppApi's methods answering with the reply, and onEvent. */
export type BridgeApi = {
  [C in Channel as MethodName<C>]: (request: RequestOf<C>) => Promise<ApiReply<C>>;
} & Pick<AppApi, 'onEvent'>;

export type ProjectDocument = z.output<typeof ProjectDocument>;
export type ProjectInfo = z.output<typeof ProjectInfo>;
export type ProjectSettings = z.output<typeof ProjectSettings>;
export type PreviewInput = z.output<typeof PreviewInput>;
export type DtypeName = z.output<typeof Dtype>;
export type TensorJson = z.output<typeof TensorJson>;
export type WeightMapJson = z.output<typeof WeightMapJson>;
export type GraphJson = z.output<typeof GraphJson>;
export type RecentProject = z.output<typeof RecentProject>;
export type ExampleInfo = z.output<typeof ExampleInfo>;
export type ApiErrorCode = z.output<typeof ApiErrorCode>;
export type ApiError = z.output<typeof ApiError>;

/** The error a failed call rejects with, on both transports. */
export class ApiCallError extends Error {
  constructor(readonly code: ApiErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Electron IPC channel names (main ↔ preload). */
export const ipcChannel = (c: Channel): string => `tessera:${c}`;
export const IPC_EVENT_CHANNEL = 'tessera:event';
