// What the CLI tests share: the real command spawned from the checkout (bin/tessera.mjs), and main() run in
// this process with its console output captured.
import { vi } from 'vitest';
import { execFile, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
export const TESSERA_BIN = join(REPO_ROOT, 'bin', 'tessera.mjs');

/** Exit code and output of one `tessera` run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `tessera args…` from the checkout (cwd: the repository) with `env` (default: this process's
 * environment with TESSERA_DEBUG off, so errors are one line); killed after `timeoutMs` (0: never). `watch`
 * hears its standard output so far whenever it prints (to signal it at a given point).
 */
export function spawnTessera(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; watch?: (stdout: string, child: ChildProcess) => void } = {}): Promise<Run> {
  const env = opts.env ?? { ...process.env, TESSERA_DEBUG: '' };
  return new Promise((done) => {
    const child = execFile(process.execPath, [TESSERA_BIN, ...args], { cwd: REPO_ROOT, env, timeout: opts.timeoutMs ?? 120_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (opts.watch) {
      let so = '';
      child.stdout?.on('data', (b: Buffer | string) => opts.watch!((so += b.toString()), child));
    }
  });
}

/** main(args) in this process: exit code, what it logged (console.log lines) and its errors (console.error lines). */
export async function runMain(...args: string[]): Promise<Run> {
  const { main } = await import('./main');
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
