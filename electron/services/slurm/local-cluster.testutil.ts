// The real one-node Slurm cluster of scripts/slurm-local.sh for the Slurm tests: started when it is not
// running (idempotent, locked, so test files may call it at once), its node killed and brought back for
// the node-failure tests. On a machine without Slurm's packages the Slurm tests are skipped, except under
// CI, where .ci/run installs them and a missing package must fail the tests.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(REPO_ROOT, 'scripts', 'slurm-local.sh');

function onPath(name: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => {
    try {
      accessSync(join(d, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const SLURM_INSTALLED = ['slurmctld', 'slurmd', 'munged', 'sbatch', 'squeue', 'scancel', 'sacct'].every(onPath);
/** Run the Slurm tests: where Slurm is installed, and always under CI (a missing package is a failure). */
export const RUN_SLURM_TESTS = SLURM_INSTALLED || !!process.env.CI;

export interface LocalCluster {
  /** This process's environment with SLURM_CONF set to the local cluster's configuration. */
  env: NodeJS.ProcessEnv;
  conf: string;
  /** The cluster's folder (state, logs, pid files). */
  dir: string;
}

function script(command: 'start' | 'stop' | 'status' | 'env'): string {
  return execFileSync('bash', [SCRIPT, command], { encoding: 'utf8', timeout: 150_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the local cluster unless it runs (a few hundred ms when it does) and returns how to reach it. */
export function startLocalCluster(): LocalCluster {
  try {
    script('start');
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`scripts/slurm-local.sh start failed: ${err.stderr || err.stdout || err.message}${SLURM_INSTALLED ? '' : ' (Slurm is not installed: apt-get install slurm-wlm munge, as .ci/run does)'}`);
  }
  const conf = /SLURM_CONF=(\S+)/.exec(script('env'))![1].replace(/^'|'$/g, '');
  return { env: { ...process.env, SLURM_CONF: conf }, conf, dir: resolve(conf, '..') };
}

function pidOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Child processes of each process (from /proc), for killing a job's whole tree. */
function childrenMap(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return kids;
}

/**
 * The node dies: slurmd and every job process on it (each slurmstepd and what it started) are killed with
 * SIGKILL, as if the machine had lost power. Only processes of the cluster the tests started are touched:
 * slurmd by its pid file, and the step daemons of the jobs its controller lists as running, with their trees.
 */
export function killNode(cluster: LocalCluster): void {
  const slurmd = pidOf(join(cluster.dir, 'run', 'slurmd.pid'));
  if (slurmd === null) throw new Error('slurmd of the local cluster is not running');
  // this cluster's running jobs, to find their step daemons ("slurmstepd: [123.batch]")
  const running = new Set(execFileSync('squeue', ['--noheader', '--states=running', '--format=%A'], { env: cluster.env, encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean));
  const kids = childrenMap();
  const steps: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const m = /^slurmstepd: \[(\d+)\./.exec(readFileSync(`/proc/${name}/cmdline`, 'utf8'));
      if (m && running.has(m[1])) steps.push(Number(name));
    } catch {
      /* gone */
    }
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const k of kids.get(pid) ?? []) walk(k);
  };
  steps.forEach(walk);
  for (const pid of [slurmd, ...tree]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Brings the node back after killNode (slurmd restarts, the node returns to service). */
export function restartNode(): void {
  script('start');
}
