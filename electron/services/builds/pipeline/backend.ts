// Where a build's steps run: the build-backend seam. The build queue hands a backend a BuildSpec and gets
// back a job it can cancel and await. The local backend runs the pipeline in this process (its programs as
// child processes). A remote backend (a batch scheduler, say) serialises the spec into the build folder
// (writeBuildSpecFile), runs `tessera build --spec <file>` on the machine it picks (the same steps through
// runBuildInFolder, then tessera-run.json; phases printed as phaseLine), follows the log (parsePhaseLine),
// and reads the result back (readBuildResultFile) when the job ends.
import fs from 'node:fs';
import path from 'node:path';
import { buildSpecFromJson, buildSpecToJson, type BuildSpec } from '../../../../api/build-spec';
import type { Toolchain } from '../../toolchain/detect';
import { readTemplates } from '../../csim/csim';
import { runBuild, type BuildContext, type BuildObserver, type BuildOutcome, type BuildPhase, type BuildResult } from './run';

export interface BuildJob {
  /** Resolves when the build has ended (also when it failed or was cancelled); never rejects. */
  done: Promise<BuildResult>;
  /** Stops the build: its processes are killed and it ends 'cancelled'. */
  cancel(reason?: string): void;
}

export interface BuildBackend {
  /** For the log: 'local', 'slurm'… */
  readonly name: string;
  /** Starts the build; `runId` (when given) is written into its result file. */
  start(spec: BuildSpec, observer: BuildObserver, runId?: string): BuildJob;
}

/** The build's result in its folder (written when a build ends, read by whoever started it remotely). */
export const BUILD_RESULT_FILE = 'tessera-run.json';
/** The serialised spec in the build folder (remote backends). */
export const BUILD_SPEC_FILE = 'tessera-build-spec.json';

export function writeBuildResultFile(dir: string, result: BuildResult, runId?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, BUILD_RESULT_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...(runId ? { runId } : {}), status: result.status, report: result.report, artifacts: result.artifacts }, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** The result a build left in its folder, or null when there is none (or it is not readable as one). */
export function readBuildResultFile(dir: string): BuildResult | null {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(dir, BUILD_RESULT_FILE), 'utf8')) as Partial<BuildResult>;
    if (!j || !['succeeded', 'failed', 'cancelled'].includes(j.status as string) || typeof j.report !== 'object' || typeof j.artifacts !== 'object') return null;
    return { status: j.status!, report: j.report!, artifacts: j.artifacts! };
  } catch {
    return null;
  }
}

/** Serialises the spec into its build folder; returns the file's path. */
export function writeBuildSpecFile(spec: BuildSpec, layoutOf?: (nodeId: string, slot: string) => string): string {
  fs.mkdirSync(spec.dir, { recursive: true });
  const file = path.join(spec.dir, BUILD_SPEC_FILE);
  fs.writeFileSync(file, JSON.stringify(buildSpecToJson(spec, layoutOf)), { mode: 0o600 });
  return file;
}

export function readBuildSpecFile(file: string): BuildSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the build spec ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON (${(e as Error).message}); it is written by writeBuildSpecFile`);
  }
  return buildSpecFromJson(json);
}

/** Runs a build and leaves its result in its folder. */
export async function runBuildInFolder(spec: BuildSpec, ctx: BuildContext, runId?: string): Promise<BuildOutcome> {
  // a spec run again (a requeued batch job) starts over: the earlier attempt's result is not this one's
  fs.rmSync(path.join(spec.dir, BUILD_RESULT_FILE), { force: true });
  const out = await runBuild(spec, ctx);
  try {
    writeBuildResultFile(spec.dir, out, runId);
  } catch (e) {
    ctx.observer?.line?.(`tessera: cannot write ${path.join(spec.dir, BUILD_RESULT_FILE)}: ${(e as Error).message}`, 'stderr');
  }
  return out;
}

/** How `tessera build --spec` prints a phase change, for a backend that follows its log. */
export function phaseLine(phase: BuildPhase): string {
  return `${PHASE_PREFIX}${phase}`;
}

/** The phase a log line announces, or null. */
export function parsePhaseLine(line: string): BuildPhase | null {
  if (!line.startsWith(PHASE_PREFIX)) return null;
  const p = line.slice(PHASE_PREFIX.length).trim();
  return (['codegen', 'csim', 'synthesis', 'estimate', 'error'] as const).find((x) => x === p) ?? null;
}

const PHASE_PREFIX = '### tessera build phase: ';

/** Runs builds in this process; programs (g++, the vendor tools) as child processes in their own process groups. */
export class LocalBackend implements BuildBackend {
  readonly name = 'local';
  private templates: Record<string, string> | null = null;

  constructor(private readonly opts: { toolchain: Toolchain | null; killGraceMs?: number }) {}

  start(spec: BuildSpec, observer: BuildObserver, runId?: string): BuildJob {
    const abort = new AbortController();
    this.templates ??= readTemplates();
    const done = runBuildInFolder(spec, { templates: this.templates, toolchain: this.opts.toolchain, observer, signal: abort.signal, killGraceMs: this.opts.killGraceMs }, runId)
      .then(({ status, report, artifacts }): BuildResult => ({ status, report, artifacts }));
    return { done, cancel: (reason = 'cancelled by the user') => abort.abort(reason) };
  }
}
