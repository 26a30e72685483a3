// The API on the real local Slurm cluster: Slurm settings (checked), a sweep of an example project built on
// Slurm through builds.start, a waiting and a running build cancelled, the project closed while its jobs run
// and opened again, every result and state read back from the project file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AppEvent } from '../../api/contract';
import type { BuildRunJson } from '../../api/builds-contract';
import type { RunReport } from '../services/builds/queue';
import { ProjectFile } from '../services/store';
import { slurmInfo } from '../services/slurm/backend';
import { processesUnder } from '../services/builds/testing';
import { RUN_SLURM_TESTS, REPO_ROOT, startLocalCluster, type LocalCluster } from '../services/slurm/local-cluster.testutil';
import { closeTempServices, openTempServices, type TempServices } from './services.testutil';

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!RUN_SLURM_TESTS)('API: builds on the local Slurm cluster', () => {
  let cluster: LocalCluster;
  let temp: TempServices;
  const conf = process.env.SLURM_CONF;

  beforeAll(() => {
    cluster = startLocalCluster();
    process.env.SLURM_CONF = cluster.conf; // the services run Slurm's commands with this process's environment
    temp = openTempServices('tessera-api-slurm-');
  });
  afterAll(() => {
    closeTempServices(temp);
    if (conf === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = conf;
  });

  it('Slurm settings: the app part goes to the user data folder, the project part into the project; values breaking their rule are refused', async () => {
    const { services, dir } = temp;
    expect((await services.invoke('slurm.check', {})).message).toMatch(/Slurmctld\(primary\) at vm is UP/);
    const file = path.join(dir, 'settings.tessera');
    fs.copyFileSync(path.join(REPO_ROOT, 'projects', 'tiny-autoencoder.tessera'), file);
    const { projectId } = await services.invoke('project.open', { path: file });
    const bad = await services.call('slurm.setSettings', { projectId, project: { partition: 'debug; rm -rf ~', options: ['--wrap=id'] }, app: { setup: ['a\nb'] } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('bad-request');
      expect(bad.error.message).toMatch(/slurm\.setup\[0\] = "a\\nb" breaks the rule one line of shell/);
      expect(bad.error.message).toMatch(/slurm\.partition = "debug; rm -rf ~" breaks the rule/);
      expect(bad.error.message).toMatch(/slurm\.options\[0\] = "--wrap=id" breaks the rule an sbatch option from the allow-list/);
    }
    const set = await services.invoke('slurm.setSettings', { projectId, project: { timeLimit: '20', cpus: 1, options: ['--hint=compute_bound'] }, app: { buildRoot: path.join(dir, 'shared'), pollSeconds: 0.3 } });
    expect(set.project).toMatchObject({ timeLimit: '20', cpus: 1, options: ['--hint=compute_bound'], requeue: false });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'user', 'slurm.json'), 'utf8'))).toMatchObject({ buildRoot: path.join(dir, 'shared'), pollSeconds: 0.3 });
    await services.invoke('project.close', { projectId });
    const p = ProjectFile.open(file);
    try {
      expect(p.loadSettings().slurm).toMatchObject({ timeLimit: '20', cpus: 1 });
    } finally {
      p.close();
    }
  });

  it('a sweep of an example built on Slurm: one build cancelled, the project closed and opened again meanwhile, every result collected once', async () => {
    const { services, dir } = temp;
    const file = path.join(dir, 'settings.tessera'); // the example with the Slurm settings of the test above
    const events: AppEvent[] = [];
    const off = services.onEvent((e) => events.push(e));
    let { projectId } = await services.invoke('project.open', { path: file });
    const sweep = await services.invoke('variants.sweep', { projectId, layer: 'dec1', reuseFactors: [1, 2], io: ['io_stream', 'io_parallel'] });
    expect(sweep.items).toHaveLength(4);
    const started = await services.invoke('builds.start', { projectId, variantIds: sweep.items.map((v) => v.id), on: 'slurm' });
    const runIds = started.runs.map((r) => r.id);
    const job = slurmInfo(started.runs[0])!.jobId!;
    expect(started.runs.map((r) => [r.status, slurmInfo(r)!.jobId, slurmInfo(r)!.task])).toEqual([0, 1, 2, 3].map((t) => ['queued', job, t]));
    // the project's settings reached sbatch: a 20-minute limit
    expect(execFileSync('squeue', ['--noheader', `--jobs=${job}`, '--array', '--states=all', '--format=%l'], { env: cluster.env, encoding: 'utf8' }).trim().split('\n')[0]).toBe('20:00');
    // build folders in the shared folder of the app settings
    expect(slurmInfo(started.runs[0])!.dir.startsWith(path.join(dir, 'shared', 'settings.builds'))).toBe(true);

    // cancel the last task while it waits (two CPUs, four tasks) and the first one as soon as it runs
    const [first, last] = [runIds[0], runIds[3]];
    expect((await services.invoke('builds.cancel', { projectId, runId: last })).cancelled).toBe(1);
    await until('the first build to run', async () => (await services.invoke('builds.list', { projectId })).items.find((r) => r.id === first)?.status === 'running');
    expect((await services.invoke('builds.cancel', { projectId, runId: first })).cancelled).toBe(1);
    const firstDir = slurmInfo(started.runs[0])!.dir;
    await until("the cancelled build's processes to end", async () => processesUnder(firstDir).length === 0, 30_000);
    await until('a build to run', async () => (await services.invoke('builds.list', { projectId })).items.some((r) => r.status === 'running'));
    expect(events.some((e) => e.type === 'build.log' && e.runId === first)).toBe(true);

    // the app closes the project while its jobs run; they go on
    await services.invoke('project.close', { projectId });
    await new Promise((r) => setTimeout(r, 2000));
    ({ projectId } = await services.invoke('project.open', { path: file }));
    const reopened = await services.invoke('builds.list', { projectId });
    expect(reopened.items.map((r) => r.status)).not.toContain('interrupted');
    const finished = await until('every build to finish', async () => {
      const l = await services.invoke('builds.list', { projectId });
      return l.onSlurm === 0 && l.items.every((r) => !['queued', 'running'].includes(r.status)) ? l : null;
    });
    off();
    await services.invoke('project.close', { projectId });

    const by = (id: string) => finished.items.find((r: BuildRunJson) => r.id === id)!;
    expect(by(last).status, by(last).log).toBe('cancelled');
    expect(by(last).log).toMatch(/was cancelled before it started/);
    expect(by(first).status, by(first).log).toBe('cancelled');
    expect(by(first).log).toMatch(/cancel requested \(scancel \d+_0\)[\s\S]*Slurm job \d+_0 was cancelled/);
    // the app saw each build queued, running with its steps, and ending, with its log as it grew
    for (const id of runIds.slice(1, 3)) {
      const states = events.filter((e) => e.type === 'build.status' && e.runId === id).map((e) => (e.type === 'build.status' ? `${e.status}${e.step ? `:${e.step}` : ''}` : ''));
      expect(states[0]).toBe('queued');
      expect(states).toContain('running:csim');
      expect(events.some((e) => e.type === 'build.log' && e.runId === id && /csim: bit-exact/.test(e.text))).toBe(true);
    }
    for (const id of runIds.slice(1, 3)) {
      const r = by(id);
      expect(r.status, r.log).toBe('succeeded');
      const rep = r.report as RunReport;
      expect(rep.csim.status).toBe('bit-exact');
      expect(rep.estimate?.latency.worst.cycles).toBeGreaterThan(0);
      expect(rep.error?.output).toBe('reconstruction');
      expect(r.log.match(/^### tessera build phase: codegen$/gm)).toHaveLength(1); // built once, log copied once
    }
    // the project file holds the same: read it directly
    const p = ProjectFile.open(file);
    try {
      expect(p.listBuildRuns().map((r) => [r.id, r.status])).toEqual(finished.items.map((r) => [r.id, r.status]));
    } finally {
      p.close();
    }
    // Slurm ran one task per run and nothing else under this job
    const tasks = execFileSync('squeue', ['--noheader', `--jobs=${job}`, '--array', '--states=all', '--format=%i|%T'], { env: cluster.env, encoding: 'utf8' }).trim().split('\n');
    expect(tasks.filter((t) => t.endsWith('|COMPLETED'))).toHaveLength(2);
  });
});
