// The worker side of bounded imports (runner.ts): reads model files with the engine's readers, one job at
// a time, and answers each with the model or a one-line error. Runs in a worker thread so the host can
// stop a reader that does not return (h5wasm, compiled C, cannot be interrupted from inside).
import { parentPort } from 'node:worker_threads';
import { loadModelBytes, type LoadExtra } from '../../../engine/interop/load';
import { TesseraError } from '../../../engine/diagnostics/diagnostics';
import type { ImportLimits } from '../../../engine/interop/limits';

export interface ModelJob {
  id: number;
  name: string;
  bytes: Uint8Array;
  extra: LoadExtra;
  limits: ImportLimits;
}

export type JobAnswer =
  | { id: number; ok: true; result: unknown }
  /** expected: a TesseraError (the file's fault); otherwise an error of the reader itself. */
  | { id: number; ok: false; expected: boolean; message: string };

parentPort?.on('message', (job: ModelJob) => {
  void (async () => {
    let answer: JobAnswer;
    try {
      answer = { id: job.id, ok: true, result: await loadModelBytes(job.name, job.bytes, { ...job.extra, limits: job.limits }) };
    } catch (e) {
      answer = { id: job.id, ok: false, expected: e instanceof TesseraError, message: e instanceof Error ? e.message : String(e) };
    }
    parentPort!.postMessage(answer);
  })();
});
