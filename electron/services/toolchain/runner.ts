// Runs build steps as real processes: argument arrays only, in the project's build folder, each
// command in its own process group. Streams stdout/stderr line by line (in arrival order) with the
// current step and a progress guess; cancel and per-step timeouts kill the whole process tree;
// everything ends up in a run record (status, timestamps, exit codes, log, artifacts), which can be
// persisted so that a run cut short by the app closing is later marked "interrupted", not lost.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { randomUUID } from 'node:crypto';
import { STEP_MARKER } from '../../../engine/hls/scripts';
import { killGroup, pidAlive } from './exec';
import { walkFiles } from './walk';

export type BuildStep = 'csim' | 'csynth' | 'cosim' | 'export' | 'vsynth';
export const BUILD_STEPS: readonly BuildStep[] = ['csim', 'csynth', 'cosim', 'export', 'vsynth'];
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed-out' | 'interrupted';

export interface CommandSpec {
  command: string;
  args: string[];
  /** Steps this process performs, in order (a Tcl flow does several in one process). */
  steps: BuildStep[];
  /** Short name for logs, e.g. "compile", "run", "vitis_hls". */
  label: string;
  /**
   * Niceness (0–19, 19 lowest) for background work that must not slow a user's build: the command runs under
   * nice(1), so the processes it starts (g++'s cc1plus, as) have it from their start.
   */
  priority?: number;
}

export interface RunPlan {
  /** Flow id (see detect.ts), for the record. */
  flow: string;
  /** Build folder: every command runs here. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  commands: CommandSpec[];
  /** Where outputs land, relative to cwd, with how deep to look. */
  artifactDirs: { dir: string; depth: number }[];
}

export interface LogLine {
  seq: number;
  /** ms since the run started. */
  t: number;
  stream: 'stdout' | 'stderr';
  step: BuildStep;
  line: string;
}

export interface CommandRecord {
  label: string;
  command: string;
  args: string[];
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface RunRecord {
  id: string;
  flow: string;
  steps: BuildStep[];
  cwd: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  currentStep: BuildStep;
  /** 0…1, a guess from step markers and known tool milestones. */
  progress: number;
  commands: CommandRecord[];
  /** Process group of the command running now (null when none). */
  pid: number | null;
  exitCode: number | null;
  /** Why the run did not succeed, in words. */
  error: string | null;
  log: LogLine[];
  /** Files (relative to cwd) created or rewritten under the plan's artifact folders during the run. */
  artifacts: string[];
}

export interface LineEvent {
  step: BuildStep;
  line: string;
  stream: 'stdout' | 'stderr';
  progress: number;
}

export interface RunOptions {
  /** Timeout per step in ms; a number applies to every step. Default: none. */
  stepTimeoutMs?: number | Partial<Record<BuildStep, number>>;
  onLine?: (e: LineEvent) => void;
  onStatus?: (r: RunRecord) => void;
  /** Persist the record as JSON here (written at start, at each step change and at the end). */
  recordPath?: string;
  /** Keep at most this many log lines in the record (oldest dropped). Default 200 000. */
  maxLogLines?: number;
  /** Grace between SIGTERM and SIGKILL on cancel/timeout. Default 1500 ms. */
  killGraceMs?: number;
  /** Aborting it cancels the run (as `cancel(reason)`, the signal's reason when it is a string). */
  signal?: AbortSignal;
}

export interface RunHandle {
  record: RunRecord;
  cancel(reason?: string): void;
  /** Stops the run because the app is closing: status "interrupted". */
  interrupt(): void;
  /** Synchronous last resort when the process is exiting now: SIGKILL the group, record "interrupted". */
  abandon(): void;
  done: Promise<RunRecord>;
}

/** Log lines that tell which step a single tool process is in. */
const STEP_LINES: { re: RegExp; step: BuildStep }[] = [
  { re: /Running:?\s+csim_design|Starting C simulation|^\s*INFO: \[SIM 211-2\]/, step: 'csim' },
  { re: /Running:?\s+csynth_design|Starting C synthesis/, step: 'csynth' },
  { re: /Running:?\s+cosim_design|Starting C\/RTL co-?simulation/i, step: 'cosim' },
  { re: /Running:?\s+export_design|Starting export/, step: 'export' },
];

/** Milestones within a step (fraction of that step done). */
const MILESTONES: Partial<Record<BuildStep, { re: RegExp; at: number }[]>> = {
  csim: [
    { re: /Compiling|CSIM-|\bg\+\+\b/i, at: 0.3 },
    { re: /CSim done|C simulation finished|csim.*done/i, at: 1 },
  ],
  csynth: [
    { re: /Analyzing design file|HLS 200-10\] Analyzing/i, at: 0.05 },
    { re: /Starting code transformations|HLS 200-111\] Finished Compiling/i, at: 0.2 },
    { re: /Starting hardware synthesis|Finished Linking/i, at: 0.35 },
    { re: /Synthesizing '|Scheduling module|Implementing module/i, at: 0.55 },
    { re: /Generating RTL|Exporting .* RTL|Generating csynth reports|HLS 200-790/i, at: 0.85 },
    { re: /Finished C synthesis|HLS 200-111\] Finished Command csynth_design/i, at: 1 },
  ],
  cosim: [
    { re: /Generating test vectors|COSIM-47|Compiling .*test bench/i, at: 0.2 },
    { re: /Starting static elaboration|xelab|Launching .*simulation|COSIM-316/i, at: 0.5 },
    { re: /C\/RTL co-simulation finished|COSIM-1000/i, at: 1 },
  ],
  export: [{ re: /Exporting RTL as|IMPL 213-8|Generating .*IP/i, at: 0.5 }],
  vsynth: [
    { re: /Starting synth_design|Command: synth_design/i, at: 0.1 },
    { re: /Finished RTL Elaboration/i, at: 0.3 },
    { re: /Finished Technology Mapping|Start Final Netlist Cleanup/i, at: 0.8 },
    { re: /synth_design completed successfully|report_utilization/i, at: 1 },
  ],
};

function timeoutFor(opts: RunOptions, step: BuildStep): number | null {
  const t = opts.stepTimeoutMs;
  if (t === undefined) return null;
  if (typeof t === 'number') return t;
  return t[step] ?? null;
}

/** Files under the artifact folders with their modification times. */
function snapshot(cwd: string, dirs: { dir: string; depth: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of dirs) walkFiles(join(cwd, d.dir), d.depth, (p, _n, st) => out.set(relative(cwd, p), st.mtimeMs));
  return out;
}

/** Files that appeared or changed since the `before` snapshot. */
function changedSince(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([p, m]) => before.get(p) !== m).map(([p]) => p).sort();
}

function writeRecord(path: string, r: RunRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(r));
  renameSync(tmp, path);
}

const active = new Set<RunHandle>();

/** Runs in progress in this process. */
export function activeRuns(): RunHandle[] {
  return [...active];
}

/** The app is closing: stop every run in progress and mark it interrupted. Resolves when all have ended. */
export async function interruptAllRuns(): Promise<RunRecord[]> {
  const runs = [...active];
  for (const r of runs) r.interrupt();
  return Promise.all(runs.map((r) => r.done));
}

let handlersInstalled = false;

/**
 * For a host process (CLI, app main): on SIGINT/SIGTERM stop every run (status "interrupted",
 * process trees killed) and exit; on exit, abandon whatever is still running. Runs are detached
 * into their own process groups, so a terminal's Ctrl-C does not reach them without this.
 */
export function installShutdownHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      void interruptAllRuns().finally(() => process.exit(code));
    });
  }
  process.once('exit', () => {
    for (const r of active) r.abandon();
  });
}

export function startRun(plan: RunPlan, opts: RunOptions = {}): RunHandle {
  const steps = [...new Set(plan.commands.flatMap((c) => c.steps))];
  const t0 = Date.now();
  const before = snapshot(plan.cwd, plan.artifactDirs);
  const record: RunRecord = {
    id: randomUUID(),
    flow: plan.flow,
    steps,
    cwd: plan.cwd,
    status: 'running',
    startedAt: new Date(t0).toISOString(),
    endedAt: null,
    currentStep: steps[0] ?? 'csim',
    progress: 0,
    commands: [],
    pid: null,
    exitCode: null,
    error: null,
    log: [],
    artifacts: [],
  };
  const maxLog = opts.maxLogLines ?? 200_000;
  const grace = opts.killGraceMs ?? 1500;
  let seq = 0;
  let child: ChildProcess | null = null;
  let stopping: { status: RunStatus; error: string } | null = null;
  let stepTimer: NodeJS.Timeout | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  let stepFraction = 0;

  let persistProblem = false;
  const persist = (): void => {
    if (!opts.recordPath || persistProblem) return;
    try {
      writeRecord(opts.recordPath, record);
    } catch (e) {
      // The run goes on; the record stays in memory and the log says why it is not on disk.
      persistProblem = true;
      record.log.push({ seq: seq++, t: Date.now() - t0, stream: 'stderr', step: record.currentStep, line: `tessera: cannot save the run record to ${opts.recordPath}: ${(e as Error).message}` });
    }
  };
  const status = (): void => {
    persist();
    opts.onStatus?.(record);
  };
  const progress = (): number => {
    const i = Math.max(0, steps.indexOf(record.currentStep));
    return steps.length ? Math.min(1, (i + stepFraction) / steps.length) : 0;
  };

  const stopProcess = (s: RunStatus, error: string): void => {
    if (stopping || record.status !== 'running') return;
    stopping = { status: s, error };
    if (stepTimer) clearTimeout(stepTimer);
    if (child) {
      killGroup(child, 'SIGTERM');
      const c = child;
      killTimer = setTimeout(() => killGroup(c, 'SIGKILL'), grace);
    }
  };

  const armTimer = (step: BuildStep): void => {
    if (stepTimer) clearTimeout(stepTimer);
    stepTimer = null;
    const ms = timeoutFor(opts, step);
    if (ms !== null) stepTimer = setTimeout(() => stopProcess('timed-out', `step ${step} exceeded its time limit of ${ms / 1000} s`), ms);
  };

  const enterStep = (step: BuildStep): void => {
    if (step === record.currentStep) return;
    record.currentStep = step;
    stepFraction = 0;
    record.progress = progress();
    armTimer(step);
    status();
  };

  const onLine = (stream: 'stdout' | 'stderr', line: string, cmd: CommandSpec): void => {
    if (line.startsWith(STEP_MARKER)) {
      const s = line.slice(STEP_MARKER.length).trim() as BuildStep;
      if (cmd.steps.includes(s)) enterStep(s);
    } else {
      const hit = STEP_LINES.find((x) => x.re.test(line) && cmd.steps.includes(x.step));
      if (hit && steps.indexOf(hit.step) > steps.indexOf(record.currentStep)) enterStep(hit.step);
    }
    for (const m of MILESTONES[record.currentStep] ?? []) if (m.re.test(line) && m.at > stepFraction) stepFraction = m.at;
    record.progress = progress();
    record.log.push({ seq: seq++, t: Date.now() - t0, stream, step: record.currentStep, line });
    if (record.log.length > maxLog) record.log.splice(0, record.log.length - maxLog);
    opts.onLine?.({ step: record.currentStep, line, stream, progress: record.progress });
  };

  const runOne = (cmd: CommandSpec): Promise<{ code: number | null; signal: NodeJS.Signals | null; error: string | null }> =>
    new Promise((resolve) => {
      const cr: CommandRecord = { label: cmd.label, command: cmd.command, args: cmd.args, pid: null, exitCode: null, signal: null, startedAt: new Date().toISOString(), endedAt: null };
      record.commands.push(cr);
      let c: ChildProcess;
      try {
        const niced = cmd.priority !== undefined && Number.isInteger(cmd.priority) && cmd.priority > 0 && cmd.priority <= 19 && process.platform !== 'win32';
        const [command, args] = niced ? ['nice', ['-n', String(cmd.priority), cmd.command, ...cmd.args]] : [cmd.command, cmd.args];
        c = spawn(command, args, { cwd: plan.cwd, env: plan.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        resolve({ code: null, signal: null, error: (e as Error).message });
        return;
      }
      child = c;
      cr.pid = c.pid ?? null;
      record.pid = cr.pid;
      if (cmd.steps[0] && cmd.steps[0] !== record.currentStep && steps.indexOf(cmd.steps[0]) > steps.indexOf(record.currentStep)) enterStep(cmd.steps[0]);
      // Several commands for one step (g++ compile, then run): each done one is a share of the step.
      if (cmd.steps.length === 1) {
        const same = plan.commands.filter((c) => c.steps.length === 1 && c.steps[0] === cmd.steps[0]);
        const k = same.indexOf(cmd);
        if (same.length > 1 && k > 0) stepFraction = Math.max(stepFraction, k / same.length);
        record.progress = progress();
      }
      status();
      const buffers = { stdout: '', stderr: '' };
      const feed = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
        buffers[stream] += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffers[stream].indexOf('\n')) >= 0) {
          const line = buffers[stream].slice(0, nl).replace(/\r$/, '');
          buffers[stream] = buffers[stream].slice(nl + 1);
          onLine(stream, line, cmd);
        }
      };
      c.stdout?.on('data', (b: Buffer) => feed('stdout', b));
      c.stderr?.on('data', (b: Buffer) => feed('stderr', b));
      let settled = false;
      let spawnError: string | null = null;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        for (const s of ['stdout', 'stderr'] as const) if (buffers[s] !== '') onLine(s, buffers[s].replace(/\r$/, ''), cmd);
        cr.exitCode = code;
        cr.signal = signal;
        cr.endedAt = new Date().toISOString();
        child = null;
        record.pid = null;
        resolve({ code, signal, error: spawnError });
      };
      c.on('error', (e) => {
        spawnError = `could not start ${cmd.command}: ${e.message}`;
        if (c.pid === undefined) finish(null, null);
      });
      c.on('close', (code, signal) => {
        // The group may hold stragglers that closed their pipes but live on: take them down too.
        if (c.pid !== undefined) {
          try {
            process.kill(-c.pid, 'SIGKILL');
          } catch {
            /* group already empty */
          }
        }
        finish(code, signal);
      });
    });

  const done = (async (): Promise<RunRecord> => {
    status();
    armTimer(record.currentStep);
    for (const cmd of plan.commands) {
      if (stopping) break;
      const r = await runOne(cmd);
      if (stopping) break;
      if (r.error || r.code !== 0) {
        record.status = 'failed';
        record.exitCode = r.code;
        // The line that says what went wrong: the last stderr line naming an error (compilers end with
        // boilerplate such as "See <…README.Bugs>"), else the last stderr line.
        const errLines = record.log.filter((l) => l.stream === 'stderr').map((l) => l.line);
        const tail = [...errLines].reverse().find((l) => /\berror\b/i.test(l)) ?? errLines[errLines.length - 1];
        record.error = r.error ?? `${cmd.label} (${cmd.command}) ${r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`} during ${record.currentStep}${tail ? `: ${tail}` : ''}`;
        break;
      }
      record.exitCode = r.code;
    }
    if (stepTimer) clearTimeout(stepTimer);
    if (killTimer) clearTimeout(killTimer);
    const stop = stopping as { status: RunStatus; error: string } | null;
    if (stop) {
      record.status = stop.status;
      record.error = stop.error;
    } else if (record.status === 'running') {
      record.status = 'succeeded';
      stepFraction = 1;
      record.currentStep = steps[steps.length - 1] ?? record.currentStep;
      record.progress = 1;
    }
    record.endedAt = new Date().toISOString();
    record.artifacts = changedSince(before, snapshot(plan.cwd, plan.artifactDirs));
    status();
    return record;
  })();

  const handle: RunHandle = {
    record,
    cancel: (reason = 'cancelled by the user') => stopProcess('cancelled', reason),
    interrupt: () => stopProcess('interrupted', 'the app closed while the run was in progress'),
    abandon: () => {
      if (record.status !== 'running') return;
      if (child) killGroup(child, 'SIGKILL');
      record.status = 'interrupted';
      record.error = 'the app closed while the run was in progress';
      record.endedAt = new Date().toISOString();
      record.pid = null;
      persist();
    },
    done,
  };
  active.add(handle);
  const signal = opts.signal;
  if (signal) {
    const onAbort = () => handle.cancel(typeof signal.reason === 'string' ? signal.reason : undefined);
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      done.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    }
  }
  done.finally(() => active.delete(handle)).catch(() => {});
  return handle;
}

/**
 * A persisted record left "running" by an app that closed or crashed: mark it interrupted.
 * Returns the updated record, or the same record when it was not running.
 */
export function markInterrupted(r: RunRecord, now = new Date()): RunRecord {
  if (r.status !== 'running') return r;
  const alive = r.pid !== null && pidAlive(r.pid);
  return {
    ...r,
    status: 'interrupted',
    endedAt: now.toISOString(),
    pid: null,
    error: `the app closed while the run was in progress (step ${r.currentStep})${alive ? `; process ${r.pid} may still be running` : ''}`,
  };
}

/** Reads persisted records, marks the orphaned "running" ones interrupted (rewriting the files). */
export function recoverRunRecords(paths: string[]): RunRecord[] {
  const out: RunRecord[] = [];
  for (const p of paths) {
    if (!existsSync(p)) continue;
    let r: RunRecord;
    try {
      r = JSON.parse(readFileSync(p, 'utf8')) as RunRecord;
    } catch {
      continue;
    }
    const fixed = markInterrupted(r);
    if (fixed !== r) writeRecord(p, fixed);
    out.push(fixed);
  }
  return out;
}
