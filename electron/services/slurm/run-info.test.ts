// A run's Slurm record comes from the project file, which anyone may have written: its job id reaches scancel
// and its folders are read, so a record that does not have the shape the backend writes is not a Slurm run.
import { describe, expect, it } from 'vitest';
import { slurmInfo, type SlurmRunInfo } from './backend';

const good: SlurmRunInfo = {
  jobId: '1234', task: 0, jobName: 'tessera-abc_1', jobDir: '/shared/builds/slurm-jobs/tessera-abc_1',
  dir: '/shared/builds/v1-r_1', logBytes: 0, state: null, nodes: null,
};
const run = (slurm: unknown) => ({ config: { variantName: 'v', slurm } as never });

describe('slurmInfo: only records of the shape the backend writes', () => {
  it('takes a record as written, before and after submission', () => {
    expect(slurmInfo(run(good))).toEqual(good);
    expect(slurmInfo(run({ ...good, jobId: null, task: -1 }))).not.toBeNull();
    expect(slurmInfo({ config: { variantName: 'v' } as never })).toBeNull();
  });

  it.each([
    ['a job id that is an option', { jobId: '--nodelist=fpga01,x' }],
    ['a job id that is not digits', { jobId: '12;3' }],
    ['a job id that is a number, not text', { jobId: 12 }],
    ['a task that is not an integer', { task: '0' }],
    ['a task below -1', { task: -2 }],
    ['a job name with a slash', { jobName: '../x' }],
    ['a relative build folder', { dir: 'builds/v1' }],
    ['a build folder that is not text', { dir: { path: '/x' } }],
    ['a relative job folder', { jobDir: 'jobs' }],
    ['a negative log offset', { logBytes: -1 }],
  ])('refuses %s', (_what, change) => {
    expect(slurmInfo(run({ ...good, ...change }))).toBeNull();
  });
});
