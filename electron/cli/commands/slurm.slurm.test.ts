// The command line on the real local Slurm cluster: `tessera sweep … --on slurm` against `--on local` on an
// example project (same variants, same results), `tessera build … --on slurm`, a detached sweep collected and
// cancelled with `tessera builds`, and Ctrl-C cancelling a sweep's jobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ProjectFile } from '../../services/store';
import type { BuildRunRecord } from '../../services/store/runs';
import type { RunReport } from '../../services/builds/queue';
import { createTinyProject } from '../../services/builds/testing';
import { slurmInfo } from '../../services/slurm/backend';
import { RUN_SLURM_TESTS, REPO_ROOT, startLocalCluster, type LocalCluster } from '../../services/slurm/local-cluster.testutil';
import { spawnTessera, type Run } from '../cli.testutil';

/** The variants and results of a project: what `--on local` and `--on slurm` must agree on. */
function contents(file: string) {
  const p = ProjectFile.open(file);
  try {
    const names = new Map(p.listVariants().map((v) => [v.id, v.name]));
    return {
      variants: p.listVariants().map((v) => ({ name: v.name, config: v.config })),
      runs: p.listBuildRuns().map((r: BuildRunRecord) => {
        const rep = r.report as RunReport;
        return {
          variant: names.get(r.variantId ?? ''), status: r.status, source: rep.source, estimate: rep.estimate, error: rep.error,
          csim: { ...rep.csim, compileMs: null, runMs: null }, steps: rep.steps.map((s) => `${s.name}:${s.status}`), failure: rep.failure,
        };
      }).sort((a, b) => String(a.variant).localeCompare(String(b.variant))),
    };
  } finally {
    p.close();
  }
}

function runs(file: string): BuildRunRecord[] {
  const p = ProjectFile.open(file);
  try {
    return p.listBuildRuns();
  } finally {
    p.close();
  }
}

describe.skipIf(!RUN_SLURM_TESTS)('tessera on the local Slurm cluster', () => {
  let cluster: LocalCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    cluster = startLocalCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-slurm-cli-'));
    // the default settings (build folders beside the project) but for the poll: every 0.3 s instead of 2 s, so
    // that the live lines the tests look for ("running (csim)") are seen in builds that take a few seconds
    const userData = path.join(dir, 'user-data');
    fs.mkdirSync(userData);
    fs.writeFileSync(path.join(userData, 'slurm.json'), JSON.stringify({ pollSeconds: 0.3 }));
    env = { ...cluster.env, TESSERA_DEBUG: '', TESSERA_USER_DATA: userData };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('tessera sweep projects/tiny-autoencoder.tessera --layer dec1 --rf 1,2 --io stream,parallel --on slurm writes the same variants and results as --on local', async () => {
    const example = path.join(REPO_ROOT, 'projects', 'tiny-autoencoder.tessera');
    const local = path.join(dir, 'local.tessera');
    const slurm = path.join(dir, 'slurm.tessera');
    fs.copyFileSync(example, local);
    fs.copyFileSync(example, slurm);
    const sweep = ['--layer', 'dec1', '--rf', '1,2', '--io', 'stream,parallel'];
    // both at once: the comparison is of results, not of time
    const [l, s] = await Promise.all([
      spawnTessera(['sweep', local, ...sweep, '--on', 'local', '--concurrency', '1'], { env, timeoutMs: 300_000 }),
      spawnTessera(['sweep', slurm, ...sweep, '--on', 'slurm'], { env, timeoutMs: 300_000 }),
    ]);
    expect(l.code, l.stderr + l.stdout).toBe(0);
    expect(s.code, s.stderr + s.stdout).toBe(0);
    expect(s.stdout).toMatch(/^Slurm job \d+: 4 tasks$/m);
    expect(s.stdout).toMatch(/dec1 stream RF1: running \(csim\) \[Slurm \d+_\d on vm\]/);
    expect(s.stdout).toMatch(/4 of 4 builds succeeded/);
    const a = contents(local);
    const b = contents(slurm);
    expect(b.runs).toHaveLength(4);
    expect(b.runs.every((r) => r.status === 'succeeded' && r.csim.status === 'bit-exact')).toBe(true);
    expect(b).toEqual(a);
    // one job array, each task on the cluster's node
    const stored = runs(slurm);
    expect(new Set(stored.map((r) => slurmInfo(r)!.jobId)).size).toBe(1);
    expect(stored.map((r) => slurmInfo(r)!.task).sort()).toEqual([0, 1, 2, 3]);
    expect(stored.every((r) => slurmInfo(r)!.nodes === 'vm')).toBe(true);
  });

  it('tessera build MODEL --out DIR --csim --on slurm runs its spec (tessera build --spec) on a node and prints its log', async () => {
    createTinyProject(dir, 'model').close();
    const out = path.join(dir, 'built');
    const r = await spawnTessera(['build', path.join(dir, 'model.tessera'), '--out', out, '--io', 'stream', '--csim', '--on', 'slurm'], { env, timeoutMs: 300_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^submitted to Slurm as job \d+_0; its log .* follows$/m);
    expect(r.stdout).toMatch(/tessera: Slurm job \d+_0 \(job id \d+\) on vm/);
    expect(r.stdout).toMatch(/^### tessera build phase: csim$/m);
    expect(r.stdout).toMatch(/^csim: bit-exact, 3 images$/m);
    // the pipeline's outputs (csim_output.npy is the local command's print step, not the pipeline's)
    expect(fs.readFileSync(path.join(out, 'tb_data', 'csim_results.dat'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'tessera-run.json'), 'utf8'))).toMatchObject({ status: 'succeeded', report: { csim: { status: 'bit-exact', images: 3 } } });
  });

  it('a detached sweep: tessera builds --cancel cancels one run with scancel, tessera builds --wait collects the other', async () => {
    createTinyProject(dir, 'detached').close();
    const file = path.join(dir, 'detached.tessera');
    // the node held until the first run's cancel is requested: otherwise it could finish before `builds --cancel`
    // starts (`builds --cancel` then follows the other run to its end, so the node is released meanwhile)
    const release = await holdNode();
    let first: BuildRunRecord, second: BuildRunRecord, c: Run;
    try {
      const s = await spawnTessera(['sweep', file, '--layer', 'upconv', '--rf', '1,2', '--io', 'parallel', '--on', 'slurm', '--detach'], { env });
      expect(s.code, s.stderr + s.stdout).toBe(0);
      expect(s.stdout).toMatch(/detached; the runs are in/);
      [first, second] = runs(file);
      expect([first.status, second.status]).toEqual(['queued', 'queued']);
      // it prints "cancelling RUN" once scancel has answered
      c = await spawnTessera(['builds', file, '--cancel', first.id], { env, timeoutMs: 300_000, watch: (stdout) => /^cancelling /m.test(stdout) && release() });
    } finally {
      release();
    }
    expect(c.code, c.stderr + c.stdout).toBe(0);
    expect(c.stdout).toMatch(new RegExp(`cancelling ${first.id}`));
    const w = await spawnTessera(['builds', file, '--wait'], { env, timeoutMs: 300_000 });
    expect(w.code, w.stderr + w.stdout).toBe(0);
    const after = runs(file);
    expect(after.find((r) => r.id === first.id)!.status).toBe('cancelled');
    const done = after.find((r) => r.id === second.id)!;
    expect(done.status, done.log).toBe('succeeded');
    expect((done.report as RunReport).csim.status).toBe('bit-exact');
    expect(w.stdout).toMatch(/upconv parallel RF2: succeeded \[Slurm \d+_1\]/);
  });

  it('Ctrl-C during a sweep on Slurm cancels its jobs (scancel) and exits 130', async () => {
    createTinyProject(dir, 'interrupted').close();
    const file = path.join(dir, 'interrupted.tessera');
    // the node held: without it a tiny build can end (succeeded) between the submission and the interrupt
    const release = await holdNode();
    try {
      await interruptedSweep(file);
    } finally {
      release();
    }
  });

  /**
   * Submits a job that holds the whole node and waits until it runs, so that jobs submitted next stay queued
   * until the returned function cancels it: a test can then cancel them before they could have finished. It ends
   * by itself after 5 minutes if a test dies before releasing it.
   */
  async function holdNode(): Promise<() => void> {
    const job = execFileSync('sbatch', ['--parsable', '--exclusive', `--chdir=${dir}`, '--time=5', '--output=/dev/null', '--wrap', 'exec sleep 290'], { env: cluster.env, encoding: 'utf8' }).trim();
    let released = false;
    const release = () => {
      if (!released) execFileSync('scancel', [job], { env: cluster.env });
      released = true;
    };
    for (let i = 0; i < 300; i++) {
      const state = execFileSync('squeue', ['--noheader', `--jobs=${job}`, '--format=%T'], { env: cluster.env, encoding: 'utf8' }).trim();
      if (state === 'RUNNING') return release;
      await new Promise((r) => setTimeout(r, 100));
    }
    release();
    throw new Error(`the job holding the node (${job}) did not start within 30 s`);
  }

  async function interruptedSweep(file: string) {
    const r = await spawnTessera(['sweep', file, '--layer', 'upconv', '--rf', '1,2', '--io', 'parallel', '--on', 'slurm'], {
      env,
      watch: (stdout, child) => {
        if (/^Slurm job \d+: 2 tasks$/m.test(stdout) && !child.killed) child.kill('SIGINT');
      },
    });
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(130);
    expect(out).toMatch(/cancelling the Slurm jobs \(scancel\)/);
    const stored = runs(file);
    expect(stored.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    const job = slurmInfo(stored[0])!.jobId!;
    const left = execFileSync('squeue', ['--noheader', '--array', `--jobs=${job}`, '--states=pending,running', '--format=%i'], { env: cluster.env, encoding: 'utf8' }).trim();
    expect(left).toBe('');
  }
});
