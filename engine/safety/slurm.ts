// The allow-lists of the Slurm build backend's settings (api/slurm-settings.ts holds their schemas).
// Project settings (partition, account, QoS, time, CPUs, memory, extra sbatch options) come from a shared
// project file: each becomes ONE sbatch argument, and only after its rule is met, so a hostile project can at
// most ask the cluster for other resources. App settings (shared build folder, setup lines, tool root, node
// command) are the user's own and decide what runs on the nodes: they are never read from a project, and are
// checked for shape (one line, an absolute path) so that nothing in them is misread.
import { checkText, refusal, type Refusal, type TextRule } from './rules';

const matches = (re: RegExp) => (s: string) => re.test(s);

const NAME = '[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}';

/** A Slurm object name: account, QoS, reservation, wckey. */
export const SLURM_NAME: TextRule = {
  code: 'slurm-name',
  rule: 'a Slurm name of letters, digits, _ . + - (up to 64, not starting with - . or +)',
  fix: 'use the name as sinfo / sacctmgr show it',
  maxLength: 64,
  test: matches(new RegExp(`^${NAME}$`)),
};

export const SLURM_PARTITIONS: TextRule = {
  code: 'slurm-partitions',
  rule: 'one or more Slurm partition names separated by commas (letters, digits, _ . + -)',
  fix: 'use the names sinfo shows, e.g. fpga or fpga,cpu',
  maxLength: 1100,
  test: matches(new RegExp(`^${NAME}(,${NAME}){0,15}$`)),
};

/** sbatch --time: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES, DAYS-HOURS:MINUTES:SECONDS. */
export const SLURM_TIME: TextRule = {
  code: 'slurm-time',
  rule: 'a Slurm time limit: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS',
  fix: 'e.g. 90 (minutes), 4:00:00 (four hours) or 2-00:00:00 (two days)',
  maxLength: 20,
  test: matches(/^(\d{1,6}(:\d{1,2}){0,2}|\d{1,4}-\d{1,2}(:\d{1,2}){0,2})$/),
};

export const SLURM_SIZE: TextRule = {
  code: 'slurm-size',
  rule: "a size in megabytes, or with a unit K, M, G or T (e.g. 4G); 0 = all of a node's memory",
  fix: 'write e.g. 4000 or 16G',
  maxLength: 12,
  test: matches(/^\d{1,9}[KMGT]?$/),
};

const HOSTLIST: TextRule = {
  code: 'slurm-hostlist',
  rule: 'a Slurm host list (letters, digits, _ . - , and [ ] ranges)',
  fix: 'e.g. node[01-04],fpga7',
  maxLength: 200,
  test: matches(/^[A-Za-z0-9_.,[\]-]+$/),
};

const valueRule = (code: string, rule: string, fix: string, re: RegExp): TextRule => ({ code, rule, fix, maxLength: 200, test: matches(re) });
const MAIL_TYPE = '(NONE|BEGIN|END|FAIL|REQUEUE|ALL|INVALID_DEPEND|STAGE_OUT|TIME_LIMIT|TIME_LIMIT_90|TIME_LIMIT_80|TIME_LIMIT_50|ARRAY_TASKS)';

/** Extra sbatch options a project may add: the allow-list (README "Slurm" lists the same). */
export const SBATCH_OPTIONS: Readonly<Record<string, { short?: string; what: string; value: TextRule | null }>> = {
  '--constraint': { short: '-C', what: 'node features', value: valueRule('slurm-constraint', 'node features joined by & | , with [ ] ( ) * and counts (letters, digits, _ . : -)', 'e.g. fpga&ram256', /^[A-Za-z0-9_.:&|,*[\]()-]+$/) },
  '--gres': { what: 'generic resources', value: valueRule('slurm-gres', 'NAME[:TYPE][:COUNT] entries separated by commas', 'e.g. fpga:u250:1', /^[A-Za-z0-9_.:,/-]+$/) },
  '--licenses': { short: '-L', what: 'licenses (e.g. of the vendor tools)', value: valueRule('slurm-licenses', 'NAME[:COUNT] entries separated by commas (letters, digits, _ . @ -)', 'e.g. vivado:1', /^[A-Za-z0-9_.@:,-]+$/) },
  '--exclusive': { what: 'the whole node for the job', value: null },
  '--nodelist': { short: '-w', what: 'run only on these nodes', value: HOSTLIST },
  '--exclude': { short: '-x', what: 'never on these nodes', value: HOSTLIST },
  '--reservation': { what: 'a reservation', value: SLURM_NAME },
  '--wckey': { what: 'a workload key', value: SLURM_NAME },
  '--tmp': { what: 'local scratch space', value: SLURM_SIZE },
  '--mem-per-cpu': { what: 'memory per CPU', value: SLURM_SIZE },
  '--nice': { what: 'a lower priority', value: valueRule('slurm-nice', 'a whole number from 0 to 10000', 'e.g. 100', /^(\d{1,4}|10000)$/) },
  '--hint': { what: 'task placement hint', value: valueRule('slurm-hint', 'one of compute_bound, memory_bound, multithread, nomultithread', 'pick one of them', /^(compute_bound|memory_bound|multithread|nomultithread)$/) },
  '--mail-type': { what: 'e-mail on events', value: valueRule('slurm-mail-type', 'NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT, TIME_LIMIT_90/80/50 or ARRAY_TASKS, separated by commas', 'e.g. END,FAIL', new RegExp(`^${MAIL_TYPE}(,${MAIL_TYPE}){0,12}$`)) },
  '--mail-user': { what: 'the address for those e-mails', value: valueRule('slurm-mail-user', 'an e-mail address (letters, digits, _ . + - and one @)', 'e.g. name@lab.example.org', /^[A-Za-z0-9_.+-]{1,64}@[A-Za-z0-9.-]{1,120}$/) },
};

const SHORT_TO_LONG = new Map(Object.entries(SBATCH_OPTIONS).flatMap(([long, o]) => (o.short ? [[o.short, long] as const] : [])));
const OPTION_RULE = `an sbatch option from the allow-list (${Object.keys(SBATCH_OPTIONS).join(' ')})`;

/**
 * One extra sbatch option as a user writes it ("--constraint=fpga", "-C fpga", "#SBATCH --exclusive"): the
 * canonical single argument ("--constraint=fpga"), or why it is refused.
 */
export function parseSbatchOption(text: unknown, field: string): { arg: string } | { refusal: Refusal } {
  const refused = (fix: string) => ({ refusal: refusal('sbatch-option', field, text, OPTION_RULE, fix) });
  if (typeof text !== 'string' || text.length > 300) return refused('write one option per line, e.g. --constraint=fpga');
  const m = /^\s*(?:#SBATCH\s+)?(--[a-z][a-z-]*|-[A-Za-z])(?:(?:=|\s+)(.*?))?\s*$/.exec(text);
  if (!m) return refused('write one option per line, e.g. --constraint=fpga');
  const name = SHORT_TO_LONG.get(m[1]) ?? m[1];
  const spec = SBATCH_OPTIONS[name];
  if (!spec) return refused(`${m[1]} is not on it (the files, folders, environment, user and array of a job are set by Tessera itself)`);
  const value = m[2];
  if (spec.value === null) {
    return value ? { refusal: refusal('sbatch-option', field, text, `${name} takes no value`, `write ${name} alone`) } : { arg: name };
  }
  if (!value) return { refusal: refusal('sbatch-option', field, text, `${name} needs a value: ${spec.value.rule}`, spec.value.fix) };
  const bad = checkText(spec.value, `${field} (the value of ${name})`, value);
  return bad.length ? { refusal: bad[0] } : { arg: `${name}=${value}` };
}

/** The project's Slurm resource settings (the fields api/slurm-settings.ts SlurmProjectSettings holds). */
export interface SlurmResourceStrings {
  partition: string | null;
  account: string | null;
  qos: string | null;
  timeLimit: string | null;
  cpus: number | null;
  memory: string | null;
  options: readonly string[];
  requeue: boolean;
}

/** The sbatch arguments of the project's Slurm settings, each one argument, or every refusal. */
export function sbatchArgsOf(s: SlurmResourceStrings, prefix = 'slurm.'): { args: string[]; refusals: Refusal[] } {
  const args: string[] = [];
  const refusals: Refusal[] = [];
  const text = (key: 'partition' | 'account' | 'qos' | 'timeLimit' | 'memory', option: string, rule: TextRule) => {
    const v = s[key];
    if (v === null || v === '') return;
    const bad = checkText(rule, `${prefix}${key}`, v);
    if (bad.length) refusals.push(...bad);
    else args.push(`${option}=${v}`);
  };
  text('partition', '--partition', SLURM_PARTITIONS);
  text('account', '--account', SLURM_NAME);
  text('qos', '--qos', SLURM_NAME);
  text('timeLimit', '--time', SLURM_TIME);
  text('memory', '--mem', SLURM_SIZE);
  if (s.cpus !== null) {
    if (Number.isInteger(s.cpus) && s.cpus >= 1 && s.cpus <= 1024) args.push(`--cpus-per-task=${s.cpus}`);
    else refusals.push(refusal('slurm-cpus', `${prefix}cpus`, s.cpus, 'a whole number of CPUs from 1 to 1024', 'e.g. 4 (vendor synthesis uses a few threads)'));
  }
  s.options.forEach((o, i) => {
    const r = parseSbatchOption(o, `${prefix}options[${i}]`);
    if ('refusal' in r) refusals.push(r.refusal);
    else args.push(r.arg);
  });
  args.push(s.requeue ? '--requeue' : '--no-requeue');
  return { args, refusals };
}

/**
 * A folder on the cluster's shared storage, or the tool install on the nodes: absolute, printable, no '..',
 * and no '%' (Slurm expands %j, %A… in the file names Tessera gives sbatch) or '\'.
 */
export const ABSOLUTE_FOLDER: TextRule = {
  code: 'absolute-folder',
  rule: 'an absolute path (starting with /) of printable characters, without .., % or \\ (Slurm expands % in file names)',
  fix: 'e.g. /scratch/me/tessera-builds',
  maxLength: 1000,
  test: (s) => s.startsWith('/') && /^[^\u0000-\u001f\u007f%\\]+$/.test(s) && !s.split('/').includes('..'),
};

export const COMMAND_PATH: TextRule = {
  code: 'command-path',
  rule: 'a command name or an absolute path (letters, digits, _ . + - /)',
  fix: 'e.g. node or /opt/node20/bin/node',
  maxLength: 500,
  test: matches(/^[A-Za-z0-9_.+/-]+$/),
};

/** A setup line run on the nodes as written: one line, no control characters (tabs allowed). */
export const SHELL_LINE: TextRule = {
  code: 'shell-line',
  rule: 'one line of shell (no line breaks or control characters)',
  fix: 'put each command on its own line, e.g. module load vitis/2024.1',
  maxLength: 1000,
  test: matches(/^[^\u0000-\u0008\u000a-\u001f\u007f]*$/),
};

/** The app's Slurm settings (api/slurm-settings.ts SlurmAppSettings). */
export interface SlurmAppStrings {
  buildRoot: string | null;
  toolRoot: string | null;
  node: string | null;
  setup: readonly string[];
}

export function checkSlurmAppStrings(s: SlurmAppStrings, prefix = 'slurm.'): Refusal[] {
  return [
    ...(s.buildRoot === null ? [] : checkText(ABSOLUTE_FOLDER, `${prefix}buildRoot`, s.buildRoot)),
    ...(s.toolRoot === null ? [] : checkText(ABSOLUTE_FOLDER, `${prefix}toolRoot`, s.toolRoot)),
    ...(s.node === null ? [] : checkText(COMMAND_PATH, `${prefix}node`, s.node)),
    ...s.setup.flatMap((l, i) => checkText(SHELL_LINE, `${prefix}setup[${i}]`, l)),
  ];
}
