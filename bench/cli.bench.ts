// CLI start: `tessera --help`, `tessera info` on the DCGAN example and `tessera doctor`, each spawned as the
// user runs it (the compiled CLI, bin/tessera.mjs), beside the same sources run through tsx (the way every
// start worked before the CLI was compiled) and bare `node -e 0` (Node's own start, the floor). CPU time is
// the child's own (user + system, all its threads, not its children such as g++ --version), reported by
// the child at exit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, type BenchRow, type BenchSuite, type Contender } from './harness';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_CPU = 'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`\\ncpu-us ${u.user+u.system}\\n`)})';

/** Runs node with args in the checkout; resolves to the child's CPU ms (throws on a non-zero exit). */
function runNode(args: string[]): Promise<{ childCpuMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REPORT_CPU, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      const m = /cpu-us (\d+)/.exec(err);
      if (code !== 0 || !m) reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().split('\n')[0]}`));
      else resolve({ childCpuMs: Number(m[1]) / 1000 });
    });
  });
}

const tessera = (args: string[]): Contender[] => [
  { name: 'tessera (compiled)', run: () => runNode(['bin/tessera.mjs', ...args]) },
  { name: 'same sources through tsx', run: () => runNode(['bench/cli-tsx.mjs', ...args]) },
  { name: 'node -e 0 (floor)', run: () => runNode(['-e', '0']) },
];

export const cliBench: BenchSuite = {
  name: 'cli',
  async run(opts) {
    await runNode(['bin/tessera.mjs', '--help']); // a stale build is rebuilt here, outside the timing
    const rows: BenchRow[] = [];
    for (const [name, args] of [
      ['tessera --help', ['--help']],
      ['tessera info projects/dcgan-generator.tessera', ['info', 'projects/dcgan-generator.tessera']],
      ['tessera doctor', ['doctor']],
    ] as const) {
      rows.push(...(await measure({ name, macs: 0, contenders: tessera([...args]) }, { ...opts, warmup: 1, budgetMs: 15_000 })));
    }
    printTable('CLI start, spawned (medians; CPU = the child process\'s own user + system time)', rows);
  },
};
