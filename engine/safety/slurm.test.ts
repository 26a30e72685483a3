import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkSlurmAppStrings, parseSbatchOption, SBATCH_OPTIONS, sbatchArgsOf, type SlurmResourceStrings } from './slurm';

const none: SlurmResourceStrings = { partition: null, account: null, qos: null, timeLimit: null, cpus: null, memory: null, options: [], requeue: false };

describe('Slurm settings allow-lists', () => {
  it('turns valid project settings into one sbatch argument each', () => {
    const r = sbatchArgsOf({ partition: 'fpga,cpu', account: 'hep-lab', qos: 'long', timeLimit: '2-00:00:00', cpus: 4, memory: '16G', options: ['#SBATCH --constraint=u250&ram256', '-L vivado:1', '--exclusive', '--mail-type END,FAIL'], requeue: true });
    expect(r.refusals).toEqual([]);
    expect(r.args).toEqual([
      '--partition=fpga,cpu', '--account=hep-lab', '--qos=long', '--time=2-00:00:00', '--mem=16G', '--cpus-per-task=4',
      '--constraint=u250&ram256', '--licenses=vivado:1', '--exclusive', '--mail-type=END,FAIL', '--requeue',
    ]);
    expect(sbatchArgsOf(none).args).toEqual(['--no-requeue']);
  });

  it.each(['90', '30:00', '4:00:00', '1-12', '1-12:30', '1-12:30:00'])('time limit %s is accepted', (t) => {
    expect(sbatchArgsOf({ ...none, timeLimit: t }).refusals).toEqual([]);
  });

  it('refuses each bad value with the field, the value, the rule and the fix', () => {
    const r = sbatchArgsOf({ ...none, partition: 'fpga;rm -rf ~', account: '-x', timeLimit: '4 hours', cpus: 0, memory: '16 GB', options: ['--output=/etc/passwd', '--constraint=$(id)', '--exclusive=yes'] });
    expect(r.refusals.map((x) => x.message)).toEqual([
      'slurm.partition = "fpga;rm -rf ~" breaks the rule one or more Slurm partition names separated by commas (letters, digits, _ . + -); use the names sinfo shows, e.g. fpga or fpga,cpu.',
      'slurm.account = "-x" breaks the rule a Slurm name of letters, digits, _ . + - (up to 64, not starting with - . or +); use the name as sinfo / sacctmgr show it.',
      'slurm.timeLimit = "4 hours" breaks the rule a Slurm time limit: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS; e.g. 90 (minutes), 4:00:00 (four hours) or 2-00:00:00 (two days).',
      'slurm.memory = "16 GB" breaks the rule a size in megabytes, or with a unit K, M, G or T (e.g. 4G); 0 = all of a node\'s memory; write e.g. 4000 or 16G.',
      'slurm.cpus = 0 breaks the rule a whole number of CPUs from 1 to 1024; e.g. 4 (vendor synthesis uses a few threads).',
      expect.stringMatching(/^slurm\.options\[0\] = "--output=\/etc\/passwd" breaks the rule an sbatch option from the allow-list \(--constraint .*\); --output is not on it/),
      expect.stringMatching(/^slurm\.options\[1\] \(the value of --constraint\) = "\$\(id\)" breaks the rule node features/),
      'slurm.options[2] = "--exclusive=yes" breaks the rule --exclusive takes no value; write --exclusive alone.',
    ]);
  });

  it.each(['--chdir=/', '-D /', '--wrap=id', '--export=ALL,LD_PRELOAD=/x', '--uid=0', '--array=0-99', '-o /tmp/x', '--error=x', '--dependency=afterok:1', '--get-user-env', '--container=x', '--clusters=other', '--parsable'])(
    'refuses %s (Tessera sets files, folders, environment, user and array itself)',
    (o) => {
      const r = parseSbatchOption(o, 'slurm.options[0]');
      expect('refusal' in r && r.refusal.code).toBe('sbatch-option');
    },
  );

  it('anything accepted is one plain argument of an allow-listed option (no spaces, quotes, $ or control characters)', () => {
    const names = Object.keys(SBATCH_OPTIONS);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...names).chain((n) => fc.string().map((v) => `${n}=${v}`))), (text) => {
        const r = parseSbatchOption(text, 'x');
        if ('arg' in r) {
          expect(r.arg).toMatch(/^--[a-z-]+(=[A-Za-z0-9_.:&|,*[\]()@/+-]+)?$/);
          expect(names).toContain(r.arg.split('=')[0]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('app settings: absolute folders without % or .., one-line setup, a plain node command', () => {
    expect(checkSlurmAppStrings({ buildRoot: '/scratch/me/tessera builds', toolRoot: '/opt/Xilinx/Vitis/2024.1', node: '/opt/node20/bin/node', setup: ['module load vitis/2024.1', 'source /opt/x/settings64.sh\t# tab ok'] })).toEqual([]);
    const bad = checkSlurmAppStrings({ buildRoot: 'builds', toolRoot: '/scratch/%u/x', node: 'node; rm -rf ~', setup: ['module load a\nrm -rf ~'] });
    expect(bad.map((r) => r.field)).toEqual(['slurm.buildRoot', 'slurm.toolRoot', 'slurm.node', 'slurm.setup[0]']);
    expect(bad[3].message).toBe('slurm.setup[0] = "module load a\\nrm -rf ~" breaks the rule one line of shell (no line breaks or control characters); put each command on its own line, e.g. module load vitis/2024.1.');
    expect(checkSlurmAppStrings({ buildRoot: '/scratch/../etc', toolRoot: null, node: null, setup: [] })).toHaveLength(1);
  });
});
