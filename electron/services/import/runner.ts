// Model imports with a time limit (issue 12): the Keras readers (HDF5 through h5wasm) run in a worker
// thread (import-worker.ts), one file at a time; a file that keeps its reader busy past the limit — a damaged HDF5 file can make h5wasm
// loop, and compiled code cannot be interrupted from inside — has its worker terminated and gets a
// one-line error. The size limits (engine/interop/limits.ts) apply inside the worker. The worker stays
// for the next import and does not keep the process alive while idle.
//
// Limits (README "Shared projects and other untrusted input"): TESSERA_IMPORT_TIMEOUT_S (default 60 s)
// and TESSERA_IMPORT_MAX_MB (default 1024 MiB per zip entry or dataset, twice that per file).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TesseraError } from '../../../engine/diagnostics/diagnostics';
import { DEFAULT_IMPORT_LIMITS, importLimitsOf, type ImportLimits } from '../../../engine/interop/limits';
import { loadModelBytes, modelFileKind, type LoadExtra, type LoadedModel } from '../../../engine/interop/load';
import type { JobAnswer, ModelJob } from './import-worker';

export const DEFAULT_IMPORT_TIMEOUT_MS = 60_000;

/** The time limit and size limits from the environment (a bad value is an error naming the variable). */
export function importSettings(env: NodeJS.ProcessEnv = process.env): { timeoutMs: number; limits: ImportLimits } {
  const num = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const v = Number(raw);
    // setTimeout takes at most 2^31 - 1 ms (about 24.8 days); a larger delay would fire at once
    if (!Number.isFinite(v) || v <= 0 || (name === 'TESSERA_IMPORT_TIMEOUT_S' && v > 2_147_483)) throw new TesseraError(`${name}=${JSON.stringify(raw)} is not a positive number (a time limit at most 2147483 s); set it to e.g. ${name === 'TESSERA_IMPORT_TIMEOUT_S' ? 120 : 4096} or unset it`);
    return v;
  };
  const s = num('TESSERA_IMPORT_TIMEOUT_S');
  const mb = num('TESSERA_IMPORT_MAX_MB');
  return { timeoutMs: s === undefined ? DEFAULT_IMPORT_TIMEOUT_MS : s * 1000, limits: mb === undefined ? DEFAULT_IMPORT_LIMITS : importLimitsOf(mb) };
}

/**
 * The worker's entry: the bundled worker beside this code (Electron's import-worker.js, the compiled CLI's
 * import-worker.mjs: bin/cli-build.mjs), else the TypeScript source through tsx.
 */
function workerEntry(): string {
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  const bundled = ['import-worker.js', 'import-worker.mjs'].map((f) => path.join(here, f)).find((f) => fs.existsSync(f));
  return bundled ?? path.join(here, 'worker-bootstrap.mjs');
}

interface Current {
  id: number;
  worker: Worker;
  resolve(a: JobAnswer): void;
  reject(e: Error): void;
}

/** One worker, one job at a time; a job over its time limit terminates the worker (the next job starts a new one). */
export class ImportRunner {
  private worker: Worker | null = null;
  private current: Current | null = null;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();

  private start(): Worker {
    const w = new Worker(workerEntry());
    w.on('message', (a: JobAnswer) => {
      const c = this.current;
      if (c?.worker !== w || c.id !== a.id) return;
      this.current = null;
      w.unref();
      c.resolve(a);
    });
    // Only the job of this worker fails with it (a terminated worker's exit must not fail the next job).
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = null;
      const c = this.current;
      if (c?.worker !== w) return;
      this.current = null;
      c.reject(e);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the import worker stopped (exit code ${code})`)));
    return w;
  }

  /** Runs one job in the worker within `timeoutMs`; jobs wait for each other. */
  run(job: Omit<ModelJob, 'id'>, timeoutMs: number): Promise<JobAnswer> {
    const next = this.chain.then(() => this.runNow(job, timeoutMs));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private runNow(job: Omit<ModelJob, 'id'>, timeoutMs: number): Promise<JobAnswer> {
    const w = (this.worker ??= this.start());
    w.ref();
    const id = this.nextId++;
    return new Promise<JobAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.current?.id !== id) return;
        this.current = null;
        if (this.worker === w) this.worker = null;
        void w.terminate();
        reject(new TimeLimit(timeoutMs));
      }, timeoutMs);
      const done = () => clearTimeout(timer);
      this.current = { id, worker: w, resolve: (a) => (done(), resolve(a)), reject: (e) => (done(), reject(e)) };
      w.postMessage({ ...job, id });
    });
  }

  /** Stops the worker (tests, shutdown). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export class TimeLimit extends Error {
  constructor(readonly ms: number) {
    super(`over the time limit of ${ms / 1000} s`);
  }
}

let shared: ImportRunner | null = null;

/**
 * Imports a model file of any supported kind (engine/interop/load.ts): Keras files in the import worker
 * within the time limit, ONNX here. Throws one-line TesseraErrors only.
 */
export async function loadModelBounded(name: string, bytes: Uint8Array, extra: LoadExtra = {}, options: { timeoutMs?: number; limits?: ImportLimits } = {}): Promise<LoadedModel> {
  const settings = importSettings();
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  // ONNX / QONNX: protobuf and TypeScript only, linear in the file; read here, no worker to start.
  if (modelFileKind(name, bytes) === 'onnx') return loadModelBytes(name, bytes, { ...extra, limits: options.limits ?? extra.limits ?? settings.limits });
  shared ??= new ImportRunner();
  let a: JobAnswer;
  try {
    a = await shared.run({ name, bytes, extra: { weights: extra.weights, weightsName: extra.weightsName }, limits: options.limits ?? extra.limits ?? settings.limits }, timeoutMs);
  } catch (e) {
    if (e instanceof TimeLimit) {
      throw new TesseraError(`reading ${name} took longer than ${timeoutMs / 1000} s and was stopped (a damaged file can keep a reader busy forever); check the file, or raise the limit with TESSERA_IMPORT_TIMEOUT_S=<seconds> if it is genuine and large`);
    }
    throw new TesseraError(`reading ${name} stopped the reader (${(e as Error).message.split('\n')[0]}); the file is probably damaged`);
  }
  if (a.ok) return a.result as LoadedModel;
  const line = a.message.split('\n')[0];
  throw new TesseraError(a.expected ? line : `${name} could not be read (${line}); the file is probably damaged`);
}
