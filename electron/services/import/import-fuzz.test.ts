// Seeded fuzz of every import format (issue 12): a few hundred mutations of a valid file per format, each
// read the way Tessera reads it (fuzz.testutil.ts, in a worker thread). Every try must end with a valid
// result or a one-line error of the reader's own kind — never a hang (a try over TRY_LIMIT_MS stops the
// worker and fails the test), another exception or a multi-line message, and the process memory stays
// under MEMORY_BOUND.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import path from 'node:path';

const SEED = 12;
const TRY_LIMIT_MS = 20_000;
const MEMORY_BOUND = 1.5 * 2 ** 30;
const TRIES: Record<string, number> = {
  onnx: 300, qonnx: 300, keras: 200, 'h5-model': 200, 'h5-weights': 200, 'model-json': 300, npy: 300, 'hls4ml-yaml': 300, tessera: 200,
};

interface TryResult {
  i: number;
  outcome: 'valid' | 'error' | 'crash';
  message?: string;
  ms: number;
  rss: number;
}

interface Tally {
  valid: number;
  error: number;
  crash: number;
  hang: number;
  slowestMs: number;
  peakRss: number;
  crashes: string[];
  hangs: number[];
}

/** Runs tries [0, n) of a format; a try over the limit is a hang: the worker is stopped and a new one goes on after it. */
async function fuzz(format: string, n: number): Promise<Tally> {
  const tally: Tally = { valid: 0, error: 0, crash: 0, hang: 0, slowestMs: 0, peakRss: 0, crashes: [], hangs: [] };
  let from = 0;
  while (from < n) {
    from = await new Promise<number>((resolve, reject) => {
      const w = new Worker(path.join(__dirname, 'worker-bootstrap.mjs'), { workerData: { entry: './fuzz.testutil.ts' } });
      let current = from;
      let timer: NodeJS.Timeout | null = null;
      const arm = (ms: number) => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          tally.hang++;
          tally.hangs.push(current);
          void w.terminate();
          resolve(current + 1);
        }, ms);
      };
      arm(120_000); // start-up: building the base file
      w.on('message', (m: TryResult | { started: number } | { done: true } | { fatal: string }) => {
        if ('fatal' in m) {
          void w.terminate();
          reject(new Error(`${format}: ${m.fatal}`));
        } else if ('started' in m) {
          current = m.started;
          arm(TRY_LIMIT_MS);
        } else if ('done' in m) {
          if (timer) clearTimeout(timer);
          void w.terminate();
          resolve(n);
        } else {
          tally[m.outcome]++;
          if (m.outcome === 'crash') tally.crashes.push(`try ${m.i}: ${m.message}`);
          tally.slowestMs = Math.max(tally.slowestMs, m.ms);
          tally.peakRss = Math.max(tally.peakRss, m.rss);
        }
      });
      w.on('error', (e) => reject(e));
      w.postMessage({ format, seed: SEED, from, to: n });
    });
  }
  return tally;
}

describe('import fuzz', () => {
  it('every format: a valid result or a one-line error, never a hang, a crash or memory over the bound', async () => {
    const t0 = Date.now();
    const rows: string[] = [];
    const problems: string[] = [];
    for (const [format, n] of Object.entries(TRIES)) {
      const t = await fuzz(format, n);
      rows.push(`${format.padEnd(12)} ${String(n).padStart(4)} tries: ${String(t.valid).padStart(4)} valid, ${String(t.error).padStart(4)} error, ${t.crash} crash, ${t.hang} hang; slowest ${t.slowestMs.toFixed(0)} ms, peak RSS ${(t.peakRss / 2 ** 20).toFixed(0)} MiB`);
      if (t.crash) problems.push(`${format}: ${t.crashes.slice(0, 3).join(' || ')}`);
      if (t.hang) problems.push(`${format}: tries ${t.hangs.join(', ')} ran over ${TRY_LIMIT_MS / 1000} s`);
      if (t.peakRss > MEMORY_BOUND) problems.push(`${format}: peak RSS ${(t.peakRss / 2 ** 20).toFixed(0)} MiB`);
    }
    console.log(`import fuzz (seed ${SEED}, ${((Date.now() - t0) / 1000).toFixed(0)} s):\n${rows.join('\n')}`);
    expect(problems).toEqual([]);
  }, 600_000);
});
