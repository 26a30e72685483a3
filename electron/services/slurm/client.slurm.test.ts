// The Slurm client against the real local cluster (scripts/slurm-local.sh): submit, arrays, track, cancel,
// accounting, and the errors of a cluster that is misconfigured or does not answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlurmClient, SlurmError, type SlurmJob } from './client';
import { buildStateOf } from './states';
import { RUN_SLURM_TESTS, startLocalCluster, type LocalCluster } from './local-cluster.testutil';

/** Polls the jobs until `done` holds for the answer (or fails after `ms`). */
async function waitJobs(client: SlurmClient, ids: string[], done: (jobs: Map<string, SlurmJob>) => boolean, ms = 60_000): Promise<Map<string, SlurmJob>> {
  const until = Date.now() + ms;
  let last = new Map<string, SlurmJob>();
  while (Date.now() < until) {
    last = await client.jobs(ids);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`jobs ${ids.join(',')} did not reach the expected state in ${ms} ms: ${JSON.stringify([...last.values()])}`);
}

const ended = (j: SlurmJob | undefined) => !!j && buildStateOf(j).phase !== 'queued' && buildStateOf(j).phase !== 'running';

describe.skipIf(!RUN_SLURM_TESTS)('Slurm client on the local cluster', () => {
  let cluster: LocalCluster;
  let client: SlurmClient;
  let dir: string;

  beforeAll(() => {
    cluster = startLocalCluster();
    client = new SlurmClient({ env: cluster.env });
    dir = mkdtempSync(join(tmpdir(), 'tessera-slurm-client-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function script(name: string, body: string): string {
    const f = join(dir, name);
    writeFileSync(f, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    return f;
  }

  it('answers a ping', async () => {
    expect(await client.ping()).toMatch(/UP/);
  });

  it('submits a job, tracks it to COMPLETED and finds it again in the job completion records', async () => {
    const s = script('one.sh', 'echo "hello from $SLURM_JOB_ID"; echo "$1" > "$PWD/arg.txt"');
    const id = await client.submit(s, [`--chdir=${dir}`, `--output=${dir}/one-%j.log`, '--job-name=tessera-test'], ['an argument with spaces']);
    expect(id).toMatch(/^\d+$/);
    const jobs = await waitJobs(client, [id], (m) => ended(m.get(id)));
    const job = jobs.get(id)!;
    expect(job).toMatchObject({ id, state: 'COMPLETED', arrayJobId: null, taskId: null, source: 'squeue' });
    expect(buildStateOf(job)).toEqual({ phase: 'ended', status: 'running', why: null });
    expect(readFileSync(join(dir, `one-${id}.log`), 'utf8')).toBe(`hello from ${id}\n`);
    expect(readFileSync(join(dir, 'arg.txt'), 'utf8')).toBe('an argument with spaces\n');
    // the controller forgets finished jobs after MinJobAge; the completion log (jobcomp/filetxt) keeps them
    const acct = await client.accounting([id]);
    expect(acct).toEqual([expect.objectContaining({ id, state: 'COMPLETED', exitCode: '0:0', source: 'sacct' })]);
  });

  it('a job array: one entry per task, each task runs with its index', async () => {
    const s = script('array.sh', 'echo "$SLURM_ARRAY_TASK_ID" > "task-$SLURM_ARRAY_TASK_ID.txt"');
    const id = await client.submit(s, [`--chdir=${dir}`, `--output=${dir}/array-%A_%a.log`, '--array=0-2']);
    const jobs = await waitJobs(client, [id], (m) => [0, 1, 2].every((t) => ended(m.get(`${id}_${t}`))));
    for (const t of [0, 1, 2]) {
      expect(jobs.get(`${id}_${t}`)).toMatchObject({ arrayJobId: id, taskId: t, state: 'COMPLETED' });
      expect(readFileSync(join(dir, `task-${t}.txt`), 'utf8')).toBe(`${t}\n`);
    }
  });

  it('a script that exits non-zero ends FAILED (its result decides the build)', async () => {
    const s = script('fail.sh', 'echo failing; exit 3');
    const id = await client.submit(s, [`--chdir=${dir}`, `--output=${dir}/fail-%j.log`]);
    const job = (await waitJobs(client, [id], (m) => ended(m.get(id)))).get(id)!;
    expect(job.state).toBe('FAILED');
    expect(buildStateOf(job).phase).toBe('ended');
    expect((await client.accounting([id]))[0]).toMatchObject({ state: 'FAILED', exitCode: '3:0' });
  });

  it('scancel: a held job (queued) and a running one end CANCELLED, and the running process is gone', async () => {
    const held = await client.submit(script('held.sh', 'echo never'), [`--chdir=${dir}`, '--hold', `--output=${dir}/held-%j.log`]);
    const s = script('sleep.sh', 'echo $$ > "$PWD/sleep-$SLURM_JOB_ID.pid"; exec sleep 300');
    const running = await client.submit(s, [`--chdir=${dir}`, `--output=${dir}/sleep-%j.log`]);
    const before = await waitJobs(client, [held, running], (m) => m.get(running)?.state === 'RUNNING' && existsSync(join(dir, `sleep-${running}.pid`)));
    expect(buildStateOf(before.get(held)!)).toMatchObject({ phase: 'queued', status: 'queued' });
    expect(buildStateOf(before.get(running)!)).toMatchObject({ phase: 'running', status: 'running' });
    const pid = Number(readFileSync(join(dir, `sleep-${running}.pid`), 'utf8'));
    await client.cancel([held, running]);
    const after = await waitJobs(client, [held, running], (m) => ended(m.get(held)) && ended(m.get(running)));
    for (const id of [held, running]) {
      expect(after.get(id)!.state).toBe('CANCELLED');
      expect(buildStateOf(after.get(id)!)).toMatchObject({ phase: 'stopped', status: 'cancelled' });
    }
    const gone = Date.now() + 20_000;
    while (existsSync(`/proc/${pid}`) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    await client.cancel([running]); // cancelling a finished job is not an error
  });

  it('ids no source knows are absent, not an error', async () => {
    expect((await client.jobs(['999999'])).size).toBe(0);
  });

  it('the cluster refuses a setting: the error names the command line and quotes sbatch', async () => {
    const s = script('refused.sh', 'true');
    const err = await client.submit(s, ['--partition=no_such_partition']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlurmError);
    expect((err as SlurmError).message).toMatch(/^sbatch --parsable --partition=no_such_partition \S+refused\.sh failed \(exit 1\): sbatch: error: .*invalid partition/is);
    expect((err as SlurmError).message).toMatch(/fix the partition/);
  });

  it('a missing configuration and missing commands give errors naming the command (an unreachable controller: the backend test)', async () => {
    const [misconfigured, missing] = await Promise.all([
      new SlurmClient({ env: { ...cluster.env, SLURM_CONF: join(dir, 'no-such.conf') }, timeoutMs: 4000 }).submit(join(dir, 'x.sh'), []).catch((e: unknown) => e),
      new SlurmClient({ env: { ...cluster.env, PATH: dir } }).cancel(['1']).catch((e: unknown) => e),
    ]);
    expect(misconfigured).toBeInstanceOf(SlurmError);
    expect((misconfigured as Error).message).toMatch(/^sbatch --parsable .*x\.sh did not answer in 4 s; it printed: .*cannot stat file .*no-such\.conf.*; Slurm could not read its configuration: set SLURM_CONF/s);
    expect(missing).toBeInstanceOf(SlurmError);
    expect((missing as Error).message).toMatch(/^scancel was not found on PATH \(scancel 1\)/);
  });
});
