// The Slurm backend's faults with real builds on the real local cluster: a node that dies (with and without
// requeue), an unreachable cluster, settings that break their rules. (Results against local builds: the CLI
// test; cancel and the project closed and opened again during a sweep: the API test.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectFile } from '../store';
import { BuildQueue, type RunReport } from '../builds/queue';
import { createTinyProject } from '../builds/testing';
import { defaultVariantConfig } from '../builds/variants';
import { SlurmAppSettings, SlurmProjectSettings } from '../../../api/slurm-settings';
import { createSlurmBackend } from './project-backend';
import { slurmInfo } from './backend';
import { RUN_SLURM_TESTS, killNode, restartNode, startLocalCluster, type LocalCluster } from './local-cluster.testutil';

/** The job script's first line in a build's log (job 0 of the array, on the local cluster's node). */
const JOB_LINE = /tessera: Slurm job \d+_0 \(job id \d+\) on vm/;

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

  /** The two example variants of the tiny project. */
  function twoVariants(p: ProjectFile): void {
    p.putVariant({ id: 'v1', name: 'upconv parallel RF1', config: defaultVariantConfig({ scope: 'upconv', layers: { upconv: { reuseFactor: 1 } } }) });
    p.putVariant({ id: 'v2', name: 'upconv stream RF2', config: defaultVariantConfig({ io: 'io_stream', scope: 'upconv', layers: { upconv: { reuseFactor: 2, strategy: 'resource' } } }) });
  }

  it('the node dies during the builds: the run without requeue fails as a node failure with its log, the one with requeue waits again', async () => {
    const p = createTinyProject(dir, 'nodefail');
    try {
      twoVariants(p);
      // A setup line that outlasts the test keeps both builds on the node until it dies: with a warm object cache
      // this project builds in about 2 s, and the first build once ended before the second had started.
      const backend = createSlurmBackend(p, { app: SlurmAppSettings.parse({ setup: ['sleep 300'] }), env: cluster.env, pollMs: 300 });
      const [plain] = await backend.enqueue(['v1']);
      p.setSettings({ ...p.loadSettings(), slurm: SlurmProjectSettings.parse({ requeue: true }) });
      const [requeued] = await backend.enqueue(['v2']);
      // Slurm starts jobs on its scheduler's cycle; on a loaded 2-core machine that took over a minute once.
      // RUNNING in squeue comes before the job script's first line: the node dies only once that is in the log.
      await until('both builds to run, the first one with its job line in the log', () => {
        const status = [plain, requeued].map((r) => p.getBuildRun(r.id)!.status);
        if (status.some((st) => st !== 'queued' && st !== 'running')) throw new Error(`a build ended before both ran on the node (${status.join(', ')})`);
        return status.every((st) => st === 'running') && JOB_LINE.test(p.getBuildRun(plain.id)!.log);
      }, 180_000);
      killNode(cluster);
      try {
        await until('the node failure to be seen', () => p.getBuildRun(plain.id)!.status === 'failed' && p.getBuildRun(requeued.id)!.status === 'queued', 90_000);
      } finally {
        restartNode();
      }
      const failed = p.getBuildRun(plain.id)!;
      expect((failed.report as RunReport).failure).toMatch(/^Slurm job \d+_0 lost its node vm \(node failure\)/);
      expect(failed.log).toMatch(JOB_LINE); // the log it had
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
  }, 420_000);

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
      const [l] = local.enqueue(['v1'], { csim: false }); // codegen + estimate + error vs float: enough to show it works
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
