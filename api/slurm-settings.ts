// Settings of the Slurm build backend and their allow-lists (pure: zod only; the renderer validates as
// the user types, the services before anything reaches sbatch).
//
// Two kinds, split by who may set them:
// - project settings (`settings.slurm` in the .tessera file: they travel with a shared project): partition,
//   account, QoS, time limit, CPUs, memory, extra sbatch options, requeue. Each becomes ONE sbatch argument
//   after its rule is met, so a hostile project can at most ask the cluster for other resources.
// - app settings (this user on this machine, never read from a project file): the shared build folder, the
//   setup lines run on compute nodes (`module load vitis/2024.1`), the AMD tool root, the node command.
//   They decide what runs on the nodes and where files are written: a shared project must not be able
//   to choose them.
import { z } from 'zod';

/** A value that breaks a rule: names the field, the value, the rule and the fix (one sentence). */
export interface SettingProblem {
  field: string;
  message: string;
}

function shown(v: unknown): string {
  const s = typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…` : v;
  return JSON.stringify(s) ?? String(s);
}

function problem(field: string, value: unknown, rule: string, fix: string): SettingProblem {
  return { field, message: `${field} = ${shown(value)} breaks the rule ${rule}; ${fix}.` };
}

interface Rule {
  rule: string;
  fix: string;
  test: (s: string) => boolean;
}

const rx = (re: RegExp) => (s: string) => re.test(s);

/** A Slurm object name (partition, account, QoS, reservation, wckey). */
const NAME = '[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}';
const SLURM_NAME: Rule = { rule: 'a Slurm name of letters, digits, _ . + - (up to 64, not starting with - . or +)', fix: 'use the name as sinfo / sacctmgr show it', test: rx(new RegExp(`^${NAME}$`)) };
const PARTITIONS: Rule = { ...SLURM_NAME, rule: 'one or more Slurm partition names separated by commas (letters, digits, _ . + -)', test: rx(new RegExp(`^${NAME}(,${NAME}){0,15}$`)) };
/** sbatch --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds. */
const TIME: Rule = {
  rule: 'a Slurm time limit: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS',
  fix: 'e.g. 90 (minutes), 4:00:00 (four hours) or 2-00:00:00 (two days)',
  test: rx(/^(\d{1,6}(:\d{1,2}){0,2}|\d{1,4}-\d{1,2}(:\d{1,2}){0,2})$/),
};
const SIZE: Rule = { rule: 'a size in megabytes, or with a unit K, M, G or T (e.g. 4G); 0 = all of a node\'s memory', fix: 'write e.g. 4000 or 16G', test: rx(/^\d{1,9}[KMGT]?$/) };
const HOSTLIST: Rule = { rule: 'a Slurm host list (letters, digits, _ . - , and [ ] ranges)', fix: 'e.g. node[01-04],fpga7', test: rx(/^[A-Za-z0-9_.,[\]-]{1,200}$/) };

/** Extra sbatch options a project may add: the allow-list (README "Slurm settings" lists the same). */
export const SBATCH_OPTIONS: Record<string, { short?: string; value: Rule | null; what: string }> = {
  '--constraint': { short: '-C', what: 'node features', value: { rule: 'node features joined by & | , with [ ] ( ) * and counts (letters, digits, _ . : -)', fix: 'e.g. fpga&ram256', test: rx(/^[A-Za-z0-9_.:&|,*[\]()-]{1,200}$/) } },
  '--gres': { what: 'generic resources', value: { rule: 'NAME[:TYPE][:COUNT] entries separated by commas', fix: 'e.g. fpga:u250:1', test: rx(/^[A-Za-z0-9_.:,/-]{1,200}$/) } },
  '--licenses': { short: '-L', what: 'licenses (e.g. of the vendor tools)', value: { rule: 'NAME[:COUNT] entries separated by commas (letters, digits, _ . @ -)', fix: 'e.g. vivado:1', test: rx(/^[A-Za-z0-9_.@:,-]{1,200}$/) } },
  '--exclusive': { what: 'the whole node for the job', value: null },
  '--nodelist': { short: '-w', what: 'run only on these nodes', value: HOSTLIST },
  '--exclude': { short: '-x', what: 'never on these nodes', value: HOSTLIST },
  '--reservation': { what: 'a reservation', value: SLURM_NAME },
  '--wckey': { what: 'a workload key', value: SLURM_NAME },
  '--tmp': { what: 'local scratch space', value: SIZE },
  '--mem-per-cpu': { what: 'memory per CPU', value: SIZE },
  '--nice': { what: 'a lower priority', value: { rule: 'a whole number from 0 to 10000', fix: 'e.g. 100', test: (s) => /^\d{1,5}$/.test(s) && Number(s) <= 10000 } },
  '--hint': { what: 'task placement hint', value: { rule: 'one of compute_bound, memory_bound, multithread, nomultithread', fix: 'pick one of them', test: rx(/^(compute_bound|memory_bound|multithread|nomultithread)$/) } },
  '--mail-type': { what: 'e-mail on events', value: { rule: 'NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT, TIME_LIMIT_90, TIME_LIMIT_80, TIME_LIMIT_50 or ARRAY_TASKS, separated by commas', fix: 'e.g. END,FAIL', test: rx(/^(NONE|BEGIN|END|FAIL|REQUEUE|ALL|INVALID_DEPEND|STAGE_OUT|TIME_LIMIT|TIME_LIMIT_90|TIME_LIMIT_80|TIME_LIMIT_50|ARRAY_TASKS)(,(NONE|BEGIN|END|FAIL|REQUEUE|ALL|INVALID_DEPEND|STAGE_OUT|TIME_LIMIT|TIME_LIMIT_90|TIME_LIMIT_80|TIME_LIMIT_50|ARRAY_TASKS)){0,12}$/) } },
  '--mail-user': { what: 'the address for those e-mails', value: { rule: 'an e-mail address (letters, digits, _ . + - and one @)', fix: 'e.g. name@lab.example.org', test: rx(/^[A-Za-z0-9_.+-]{1,64}@[A-Za-z0-9.-]{1,190}$/) } },
};

const SHORT_TO_LONG = new Map(Object.entries(SBATCH_OPTIONS).flatMap(([long, o]) => (o.short ? [[o.short, long] as const] : [])));

/**
 * One extra sbatch option as written by a user ("--constraint=fpga", "-C fpga", "#SBATCH --exclusive"),
 * checked against the allow-list: the canonical single argument ("--constraint=fpga"), or the problem.
 */
export function parseSbatchOption(text: string, field: string): { arg: string } | { problem: SettingProblem } {
  const names = Object.keys(SBATCH_OPTIONS).join(' ');
  const refused = (why: string) => ({ problem: problem(field, text, `an sbatch option from the allow-list (${names})`, why) });
  if (typeof text !== 'string' || text.length > 300) return refused('write one option per line, e.g. --constraint=fpga');
  const m = /^\s*(?:#SBATCH\s+)?(--[a-z][a-z-]*|-[A-Za-z])(?:(=|\s+)(.*?))?\s*$/.exec(text);
  if (!m) return refused('write one option per line, e.g. --constraint=fpga');
  const name = SHORT_TO_LONG.get(m[1]) ?? m[1];
  const spec = SBATCH_OPTIONS[name];
  if (!spec) return refused(`${m[1]} is not on it (options that choose files, folders, the environment, the job's user or its array are set by Tessera itself)`);
  const value = m[3];
  if (spec.value === null) {
    if (value !== undefined && value !== '') return { problem: problem(field, text, `${name} takes no value`, `write ${name} alone`) };
    return { arg: name };
  }
  if (value === undefined || value === '') return { problem: problem(field, text, `${name} needs a value: ${spec.value.rule}`, spec.value.fix) };
  if (!spec.value.test(value)) return { problem: problem(field, value, `${spec.value.rule} (the value of ${name})`, spec.value.fix) };
  return { arg: `${name}=${value}` };
}

/** What a project file may hold under settings.slurm (structure only: the rules are checked before use). */
export const SlurmProjectSettings = z.strictObject({
  partition: z.string().max(1100).nullable().default(null),
  account: z.string().max(100).nullable().default(null),
  qos: z.string().max(100).nullable().default(null),
  /** sbatch --time */
  timeLimit: z.string().max(100).nullable().default(null),
  /** sbatch --cpus-per-task */
  cpus: z.number().int().nullable().default(null),
  /** sbatch --mem */
  memory: z.string().max(100).nullable().default(null),
  /** Extra sbatch options from the allow-list, one per entry ("--constraint=fpga"). */
  options: z.array(z.string().max(300)).max(30).default([]),
  /** Let Slurm requeue a build whose node fails (sbatch --requeue); default off: such a build fails. */
  requeue: z.boolean().default(false),
});
export type SlurmProjectSettings = z.output<typeof SlurmProjectSettings>;

/** Checks the project's Slurm settings; returns their sbatch arguments, or every problem. */
export function checkProjectSettings(s: SlurmProjectSettings, prefix = 'slurm.'): { args: string[]; problems: SettingProblem[] } {
  const args: string[] = [];
  const problems: SettingProblem[] = [];
  const text = (key: 'partition' | 'account' | 'qos' | 'timeLimit' | 'memory', option: string, rule: Rule) => {
    const v = s[key];
    if (v === null || v === '') return;
    if (rule.test(v)) args.push(`${option}=${v}`);
    else problems.push(problem(`${prefix}${key}`, v, rule.rule, rule.fix));
  };
  text('partition', '--partition', PARTITIONS);
  text('account', '--account', SLURM_NAME);
  text('qos', '--qos', SLURM_NAME);
  text('timeLimit', '--time', TIME);
  text('memory', '--mem', SIZE);
  if (s.cpus !== null) {
    if (Number.isInteger(s.cpus) && s.cpus >= 1 && s.cpus <= 1024) args.push(`--cpus-per-task=${s.cpus}`);
    else problems.push(problem(`${prefix}cpus`, s.cpus, 'a whole number of CPUs from 1 to 1024', 'e.g. 4 (vendor synthesis uses a few threads)'));
  }
  s.options.forEach((o, i) => {
    const r = parseSbatchOption(o, `${prefix}options[${i}]`);
    if ('problem' in r) problems.push(r.problem);
    else args.push(r.arg);
  });
  args.push(s.requeue ? '--requeue' : '--no-requeue');
  return { args, problems };
}

/**
 * A folder path on the cluster's shared storage, or of the tool install: absolute, printable, and without
 * '%' (Slurm expands %j, %A… in the file names Tessera gives sbatch) or '\'.
 */
const ABSOLUTE_PATH: Rule = {
  rule: "an absolute path (starting with /) of printable characters without % or \\ (Slurm expands % in file names)",
  fix: 'e.g. /scratch/me/tessera-builds',
  test: (s) => s.length <= 1000 && s.startsWith('/') && /^[^\u0000-\u001f\u007f%\\]+$/.test(s) && !s.split('/').includes('..'),
};
const COMMAND: Rule = { rule: 'a command name or an absolute path (letters, digits, _ . + - /)', fix: 'e.g. node or /opt/node20/bin/node', test: rx(/^[A-Za-z0-9_.+/-]{1,500}$/) };
const SETUP_LINE: Rule = { rule: 'one line of shell (no line breaks or control characters, up to 1000 characters)', fix: 'put each command on its own line, e.g. module load vitis/2024.1', test: (s) => s.length <= 1000 && /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/.test(s) };

/** This user's Slurm settings on this machine (the app's settings file; never from a project). */
export const SlurmAppSettings = z.strictObject({
  /** Shared folder (seen by the compute nodes at the same path) where build folders are made; null: next to the project. */
  buildRoot: z.string().max(1000).nullable().default(null),
  /** Shell lines run on the compute node before the build, as written (e.g. module load vitis/2024.1). */
  setup: z.array(z.string().max(1000)).max(50).default([]),
  /** AMD install folder on the compute nodes (its settings64.sh is used, as --tool-root does locally). */
  toolRoot: z.string().max(1000).nullable().default(null),
  /** Node.js on the compute nodes (Tessera runs the build steps there); null: the one running Tessera now. */
  node: z.string().max(500).nullable().default(null),
  /** How often running jobs are looked at (squeue, the logs), in seconds. */
  pollSeconds: z.number().min(0.2).max(60).default(2),
});
export type SlurmAppSettings = z.output<typeof SlurmAppSettings>;

export function checkAppSettings(s: SlurmAppSettings, prefix = 'slurm.'): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const one = (field: string, v: string | null, rule: Rule) => {
    if (v !== null && !rule.test(v)) problems.push(problem(`${prefix}${field}`, v, rule.rule, rule.fix));
  };
  one('buildRoot', s.buildRoot, ABSOLUTE_PATH);
  one('toolRoot', s.toolRoot, ABSOLUTE_PATH);
  one('node', s.node, COMMAND);
  s.setup.forEach((l, i) => one(`setup[${i}]`, l, SETUP_LINE));
  return problems;
}

/** Where builds run: on this machine, or as Slurm jobs. */
export const BuildBackendKind = z.enum(['local', 'slurm']);
export type BuildBackendKind = z.output<typeof BuildBackendKind>;
