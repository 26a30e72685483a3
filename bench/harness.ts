// Tiny benchmark harness (BENCHMARKS.md): contenders of one case run interleaved A B C A B C …,
// after warm-up; the median of the timed runs gives GFLOP/s = 2 · useful MACs / median and the
// ratio to the first contender. Machines here are shared and noisy: read ratios, not absolutes.
// Each run records wall time and the process's CPU time (process.cpuUsage, all threads). On a
// loaded machine the wall time of long runs is inflated by preemption far more than that of short
// runs, so GFLOP/s and ratios use the CPU-time median (equal to wall time on an idle machine for
// single-threaded contenders); the wall median is printed beside it.

export interface Contender {
  name: string;
  /**
   * One run; may be async (awaited inside the timed region). A run that spawns a process returns
   * { childCpuMs }: that process's CPU time, used instead of this process's.
   */
  run: () => unknown;
}

function childCpuMs(result: unknown): number | null {
  const v = (result as { childCpuMs?: unknown } | null)?.childCpuMs;
  return typeof v === 'number' ? v : null;
}

export interface BenchCase {
  name: string;
  /** Useful multiply-accumulates of one run (for GFLOP/s); 0 to print times only. */
  macs: number;
  contenders: Contender[];
}

export interface BenchRow {
  case: string;
  contender: string;
  /** Median wall time. */
  medianMs: number;
  /** Median process CPU time (user + system, all threads). */
  cpuMs: number;
  /** From the CPU-time median. */
  gflops: number;
  /** CPU median of the first contender / this CPU median (> 1: faster than the first). */
  speedup: number;
}

export interface BenchOptions {
  /** Timed runs per contender (≥ 20). */
  runs?: number;
  warmup?: number;
  /** Stop timing a contender early after this many ms (keeps slow peers from dominating the run). */
  budgetMs?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Measures the contenders of one case interleaved; returns one row per contender. */
export async function measure(c: BenchCase, opts: BenchOptions = {}): Promise<BenchRow[]> {
  const runs = Math.max(20, opts.runs ?? 20);
  const warmup = opts.warmup ?? 3;
  const budget = opts.budgetMs ?? 20_000;
  for (let i = 0; i < warmup; i++) for (const k of c.contenders) await k.run();
  const times: number[][] = c.contenders.map(() => []);
  const cpu: number[][] = c.contenders.map(() => []);
  const spent = c.contenders.map(() => 0);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < c.contenders.length; i++) {
      if (spent[i] > budget && times[i].length >= 5) continue;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await c.contenders[i].run();
      const dt = performance.now() - t0;
      const dc = process.cpuUsage(c0);
      times[i].push(dt);
      cpu[i].push(childCpuMs(result) ?? (dc.user + dc.system) / 1000);
      spent[i] += dt;
    }
  }
  const med = times.map(median);
  const cmed = cpu.map(median);
  return c.contenders.map((k, i) => ({
    case: c.name,
    contender: k.name,
    medianMs: med[i],
    cpuMs: cmed[i],
    gflops: c.macs > 0 ? (2 * c.macs) / (cmed[i] * 1e6) : NaN,
    speedup: cmed[0] / cmed[i],
  }));
}

/** Prints rows as an aligned text table (one block per case). */
export function printTable(title: string, rows: BenchRow[]): void {
  const head = ['case', 'contender', 'wall ms', 'CPU ms', 'GFLOP/s', `× vs ${rows[0]?.contender ?? ''}`];
  const body = rows.map((r) => [r.case, r.contender, r.medianMs.toFixed(3), r.cpuMs.toFixed(3), Number.isNaN(r.gflops) ? '-' : r.gflops.toFixed(2), r.speedup.toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  let last = '';
  for (const [i, b] of body.entries()) {
    if (rows[i].case !== last && last !== '') console.log('');
    last = rows[i].case;
    console.log(line(b));
  }
}

/** A benchmark file's export: bench/run.ts runs each suite in turn. */
export interface BenchSuite {
  name: string;
  run: (opts: BenchOptions) => Promise<void>;
}
