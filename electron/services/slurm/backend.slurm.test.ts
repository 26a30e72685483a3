// The Slurm backend with real builds (codegen, g++ C simulation, estimate, error vs float) on the real local
// cluster: the same results as the local queue, cancel, a node that dies, the project closed and opened again
// while jobs run, an unreachable cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectFile } from '../store';
import type { BuildRunRecord } from '../store/runs';
import { BuildQueue, type BuildEvent, type RunReport } from '../builds/queue';
import { createTinyProject, processesUnder } from '../builds/testing';
import { defaultVariantConfig } from '../builds/variants';
import { SlurmAppSettings, SlurmProjectSettings } from '../../../api/slurm-settings';
import { createSlurmBackend } from './project-backend';
import { slurmInfo } from './backend';
import { RUN_SLURM_TESTS, killNode, restartNode, startLocalCluster, type LocalCluster } from './local-cluster.testutil';

/** What must agree between two builds of one variant (times and paths differ). */
function outcome(r: BuildRunRecord) {
  const rep = r.report as RunReport;
  return {
    status: r.status,
    source: rep.source,
    estimate: rep.estimate,
    csim: { ...rep.csim, compileMs: null, runMs: null },
    error: rep.error,
    steps: rep.steps.map((s) => `${s.name}:${s.status}`),
    failure: rep.failure,
  };
}

async function until(what: string, f: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!RUN_SLURM_TESTS)('Slurm build backend on the local cluster (real builds)', () => {
  let cluster: LocalCluster;
  let dir: string;
  const app = SlurmAppSettings.parse({});

  beforeAll(() => {
    cluster = startLocalCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-slurm-backend-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a sweep as one job array: the same results as local builds, each state and the log in the project file', async () => {
    const p = createTinyProject(dir, 'same');
    try {
      p.putVariant({ id: 'v1', name: 'upconv parallel RF1', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 1 } } }) });
      p.putVariant({ id: 'v2', name: 'upconv stream RF2', config: defaultVariantConfig({ io: 'io_stream', scope: 'upconv', layers: { upconv: { reuseFactor: 2, strategy: 'resource' } } }) });
      const events: BuildEvent[] = [];
      const backend = createSlurmBackend(p, { app, env: cluster.env, pollMs: 300, emit: (e) => events.push(e) });
      const runs = await backend.enqueue(['v1', 'v2']);
      const jobIds = runs.map((r) => slurmInfo(r)!.jobId);
      expect(jobIds[0]).toMatch(/^\d+$/);
      expect(jobIds[1]).toBe(jobIds[0]); // one array
      expect(runs.map((r) => slurmInfo(r)!.task)).toEqual([0, 1]);
      await backend.idle();
      const slurm = p.listBuildRuns();
      // local builds of the same variants, same machine
      const local = new BuildQueue({ project: p, concurrency: 2 });
      local.enqueue(['v1', 'v2']);
      await local.idle();
      const localRuns = p.listBuildRuns().filter((r) => !slurmInfo(r));
      for (const vid of ['v1', 'v2']) {
        const s = slurm.find((r) => r.variantId === vid && slurmInfo(r))!;
        const l = localRuns.find((r) => r.variantId === vid)!;
        expect(s.status, s.log).toBe('succeeded');
        expect(outcome(s)).toEqual(outcome(l));
        expect((s.report as RunReport).csim.status).toBe('bit-exact');
        expect(s.log).toMatch(/submitted to Slurm as job \d+_\d/);
        expect(s.log).toMatch(/csim: bit-exact/);
        expect(s.startedAt).not.toBeNull();
        expect(slurmInfo(s)!.state).toMatch(/COMPLETED|RUNNING|COMPLETING/);
        expect(fs.existsSync(path.join(slurmInfo(s)!.dir, 'estimate.json'))).toBe(true);
      }
      // the app saw each run queued, running with its steps, succeeded, and its log as it grew
      for (const r of runs) {
        const mine = events.filter((e) => e.runId === r.id);
        const states = mine.filter((e) => e.type === 'build.status').map((e) => (e.type === 'build.status' ? e.status : ''));
        expect(states[0]).toBe('queued');
        expect(states).toContain('running');
        expect(states.at(-1)).toBe('succeeded');
        expect(mine.some((e) => e.type === 'build.log' && /csim: bit-exact/.test(e.text))).toBe(true);
      }
      await backend.dispose();
    } finally {
      p.close();
    }
  });

  /** The two example variants of the tiny project. */
  function twoVariants(p: ProjectFile): void {
    p.putVariant({ id: 'v1', name: 'upconv parallel RF1', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 1 } } }) });
    p.putVariant({ id: 'v2', name: 'upconv stream RF2', config: defaultVariantConfig({ io: 'io_stream', scope: 'upconv', layers: { upconv: { reuseFactor: 2, strategy: 'resource' } } }) });
  }

  it('cancel: the cancelled build ends cancelled with its processes gone, the other one succeeds', async () => {
    const p = createTinyProject(dir, 'cancel');
    try {
      twoVariants(p);
      const backend = createSlurmBackend(p, { app, env: cluster.env, pollMs: 300 });
      const [a, b] = await backend.enqueue(['v1', 'v2']);
      await until('the first build to run', () => p.getBuildRun(a.id)!.status === 'running');
      expect(await backend.cancel(a.id)).toBe(true);
      await backend.idle();
      const ra = p.getBuildRun(a.id)!;
      const rb = p.getBuildRun(b.id)!;
      expect(ra.status, ra.log).toBe('cancelled');
      expect(ra.log).toMatch(/cancel requested \(scancel \d+_0\)/);
      expect(ra.log).toMatch(/Slurm job \d+_0 was cancelled/);
      expect(slurmInfo(ra)!.state).toBe('CANCELLED');
      expect(rb.status, rb.log).toBe('succeeded');
      await until('the cancelled build\'s processes to end', () => processesUnder(slurmInfo(ra)!.dir).length === 0, 20_000);
      expect(await backend.cancel(a.id)).toBe(false); // finished: nothing to cancel
      await backend.dispose();
    } finally {
      p.close();
    }
  });

  it('the project closed while its jobs run: reopened, the runs are reconciled from Slurm, nothing lost or run twice', async () => {
    const file = createTinyProject(dir, 'reopen');
    twoVariants(file);
    const backend = createSlurmBackend(file, { app, env: cluster.env, pollMs: 300 });
    const runs = await backend.enqueue(['v1', 'v2']);
    const jobName = slurmInfo(runs[0])!.jobName;
    await until('a build to run', () => file.listBuildRuns().some((r) => r.status === 'running'));
    await backend.dispose();
    const projectPath = file.path;
    file.close();
    // the jobs go on without the app; some log lines are written meanwhile
    await new Promise((r) => setTimeout(r, 3000));
    const p = ProjectFile.open(projectPath);
    try {
      // the app's local queue starts first on reopen: it must leave the Slurm runs alone
      const local = new BuildQueue({ project: p });
      expect(local.resume()).toEqual([]);
      expect(p.listBuildRuns().map((r) => r.status)).not.toContain('interrupted');
      const again = createSlurmBackend(p, { app, env: cluster.env, pollMs: 300 });
      expect(again.activeCount).toBe(2);
      await again.idle();
      for (const r of p.listBuildRuns()) {
        expect(r.status, r.log).toBe('succeeded');
        expect((r.report as RunReport).csim.status).toBe('bit-exact');
        // the whole log, once: the build ran once and no line was copied twice
        expect(r.log.match(/tessera: step codegen/g)).toHaveLength(1);
        expect(r.log.match(/csim: bit-exact/g)).toHaveLength(1);
      }
      // Slurm ran exactly one task per run
      const { execFileSync } = await import('node:child_process');
      const tasks = execFileSync('squeue', ['--noheader', '--array', '--states=all', `--name=${jobName}`, '--format=%i'], { env: cluster.env, encoding: 'utf8' }).trim().split('\n');
      expect(tasks.sort()).toEqual(runs.map((r) => `${slurmInfo(r)!.jobId}_${slurmInfo(r)!.task}`).sort());
      await again.dispose();
    } finally {
      p.close();
    }
  });

  it('the node dies during the builds: the run without requeue fails as a node failure with its log, the one with requeue waits again', async () => {
    const p = createTinyProject(dir, 'nodefail');
    try {
      twoVariants(p);
      const backend = createSlurmBackend(p, { app, env: cluster.env, pollMs: 300 });
      const [plain] = await backend.enqueue(['v1']);
      p.setSettings({ ...p.loadSettings(), slurm: SlurmProjectSettings.parse({ requeue: true }) });
      const [requeued] = await backend.enqueue(['v2']);
      await until('both builds to run', () => [plain, requeued].every((r) => p.getBuildRun(r.id)!.status === 'running'));
      killNode(cluster);
      try {
        await until('the node failure to be seen', () => p.getBuildRun(plain.id)!.status === 'failed' && p.getBuildRun(requeued.id)!.status === 'queued', 90_000);
      } finally {
        restartNode();
      }
      const failed = p.getBuildRun(plain.id)!;
      expect((failed.report as RunReport).failure).toMatch(/^Slurm job \d+_0 lost its node vm \(node failure\)/);
      expect(failed.log).toMatch(/tessera: Slurm job \d+_0 \(job id \d+\) on vm/); // the log it had
      expect(failed.log).toMatch(/build failed: Slurm job \d+_0 lost its node/);
      expect(slurmInfo(failed)!.state).toBe('NODE_FAIL');
      const waiting = p.getBuildRun(requeued.id)!;
      expect(waiting.log).toMatch(/Slurm requeued job \d+_0/);
      // the requeued job would start again once Slurm's requeue delay has passed; cancel it here
      await backend.cancel(requeued.id);
      await backend.idle();
      expect(p.getBuildRun(requeued.id)!.status).toBe('cancelled');
      await backend.dispose();
    } finally {
      p.close();
    }
    // the cluster takes jobs again for the next tests
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('sinfo', ['--noheader', '--format=%T'], { env: cluster.env, encoding: 'utf8' }).trim()).toMatch(/^(idle|mixed|allocated)/);
  });

  it('an unreachable cluster fails the submitted runs with the command and its output; local builds keep working', async () => {
    const p = createTinyProject(dir, 'unreachable');
    try {
      twoVariants(p);
      const conf = path.join(dir, 'unreachable.conf');
      fs.writeFileSync(conf, fs.readFileSync(cluster.conf, 'utf8').replace(/^SlurmctldPort=\d+$/m, 'SlurmctldPort=9'));
      const backend = createSlurmBackend(p, { app, env: { ...cluster.env, SLURM_CONF: conf }, pollMs: 300 });
      const [run] = await backend.enqueue(['v1']);
      expect(run.status).toBe('failed');
      expect((run.report as RunReport).failure).toMatch(/^sbatch --parsable --job-name=tessera-\w+ .* failed \(exit 1\): sbatch: error: Batch job submission failed: Unable to contact slurm controller/);
      expect(run.log).toMatch(/build failed: sbatch --parsable/);
      const local = new BuildQueue({ project: p });
      const [l] = local.enqueue(['v1']);
      await local.idle();
      expect(p.getBuildRun(l.id)!.status).toBe('succeeded');
    } finally {
      p.close();
    }
  });

  it('settings that break their rules: nothing is queued, the error names each setting', async () => {
    const p = createTinyProject(dir, 'rules');
    try {
      twoVariants(p);
      // as a shared project file may carry them (the API refuses them, a file is not checked on load)
      p.setSettings({ ...p.loadSettings(), slurm: SlurmProjectSettings.parse({ partition: 'fpga;rm -rf ~', options: ['--output=/etc/passwd'] }) });
      const backend = createSlurmBackend(p, { app: SlurmAppSettings.parse({ setup: ['module load vitis\nrm -rf ~'] }), env: cluster.env });
      const err = await backend.enqueue(['v1']).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/slurm\.setup\[0\] = "module load vitis\\nrm -rf ~" breaks the rule one line of shell/);
      expect((err as Error).message).toMatch(/slurm\.partition = "fpga;rm -rf ~" breaks the rule one or more Slurm partition names/);
      expect((err as Error).message).toMatch(/slurm\.options\[0\] = "--output=\/etc\/passwd" breaks the rule an sbatch option from the allow-list .*--output is not on it/);
      expect(p.listBuildRuns()).toEqual([]);
    } finally {
      p.close();
    }
  });
});
