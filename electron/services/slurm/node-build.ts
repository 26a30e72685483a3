// What a Slurm task runs on its node (`tessera run-build DIR`): the local build queue itself, over a copy of
// the design, so that every step (codegen, g++ C simulation, vendor synthesis where the node has the tools
// else the estimate, error vs float) is the same code as a build on the desktop.
//
// The submitting app writes into the build folder `tessera-build.json` (BuildSpec: run id, variant snapshot,
// path of the design snapshot in the job folder) and never opens the project file on the node: the design
// snapshot (a .tessera file of graph, weights and settings only) is copied to node-local temporary space and
// the queue runs over that copy. The node writes only into the build folder: the sources, the C simulation,
// the log (stdout, which the batch script appends to build.log) and the result tessera-run.json, which the
// app collects into the project store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ProjectFile } from '../store';
import { BuildQueue } from '../builds/queue';
import { VariantConfigJson } from '../../../api/builds-contract';
import { detectToolchain } from '../toolchain/detect';
import { chooseHlsFlow } from '../toolchain/commands';
import { RESULT_FILE, buildFolderOf } from './job';

export const SPEC_FILE = 'tessera-build.json';

/** tessera-build.json: what the node needs to run one build (written by the app, read on the node). */
export const BuildSpec = z.strictObject({
  format: z.literal(1),
  runId: z.string().regex(/^r_[a-z0-9_]{1,60}$/),
  variantId: z.string().min(1).max(100).nullable(),
  variantName: z.string().min(1).max(200),
  variant: VariantConfigJson,
  csim: z.boolean(),
  /** Absolute path of the design snapshot (.tessera) in the job folder. */
  design: z.string().min(2).max(4096).refine((s) => path.isAbsolute(s), 'an absolute path'),
  /** AMD install folder on the node (app setting), or null: the tools on the node's PATH / XILINX_*. */
  toolRoot: z.string().max(1000).nullable(),
});
export type BuildSpec = z.output<typeof BuildSpec>;

export function writeBuildSpec(dir: string, spec: BuildSpec): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, SPEC_FILE), JSON.stringify(BuildSpec.parse(spec), null, 2));
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Runs the build in `dir` (its tessera-build.json) and writes its result; `print` gets the log as it
 * comes (with a "tessera: step NAME" line as each step starts). Returns the build status.
 */
export async function runBuildFolder(dir: string, print: (text: string) => void): Promise<string> {
  const abs = path.resolve(dir);
  let spec: BuildSpec;
  try {
    spec = BuildSpec.parse(JSON.parse(fs.readFileSync(path.join(abs, SPEC_FILE), 'utf8')));
  } catch (e) {
    throw new Error(`${path.join(abs, SPEC_FILE)} is not a Tessera build spec: ${e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (e as Error).message}`);
  }
  if (buildFolderOf(path.dirname(abs), spec.variantName, spec.runId) !== abs) {
    throw new Error(`${abs} is not the build folder of run ${spec.runId} ("${spec.variantName}"); the spec was moved`);
  }
  // a requeued job starts over: the result of an earlier attempt must not be collected
  fs.rmSync(path.join(abs, RESULT_FILE), { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-node-build-'));
  let project: ProjectFile | null = null;
  try {
    const copy = path.join(tmp, 'design.tessera');
    fs.copyFileSync(spec.design, copy);
    project = ProjectFile.open(copy);
    const variantId = spec.variantId ?? 'v_snapshot';
    project.putVariant({ id: variantId, name: spec.variantName, config: spec.variant });
    project.putBuildRun({
      id: spec.runId, variantId, config: { variantName: spec.variantName, variant: spec.variant, csim: spec.csim }, status: 'queued', step: null,
      createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, report: null, artifacts: null, log: '',
    });
    const toolchain = await detectToolchain({ timeoutMs: 20_000, toolRoot: spec.toolRoot ?? undefined }).catch(() => null);
    const flow = toolchain ? chooseHlsFlow(toolchain) : null;
    const vendor = !!flow && flow !== 'csim-gxx';
    print(`tessera: building "${spec.variantName}" on ${os.hostname()} (${vendor ? `vendor flow ${flow}` : 'no vendor HLS tool here: the estimate'})\n`);
    let step: string | null = null;
    const queue = new BuildQueue({
      project, buildRoot: path.dirname(abs), concurrency: 1, toolchain: vendor ? toolchain : null,
      emit: (e) => {
        if (e.type === 'build.log') print(e.text.endsWith('\n') ? e.text : `${e.text}\n`);
        else if (e.status === 'running' && e.step && e.step !== step) {
          step = e.step;
          print(`tessera: step ${e.step}\n`);
        }
      },
    });
    queue.resume();
    await queue.idle();
    const run = project.getBuildRun(spec.runId)!;
    writeAtomically(path.join(abs, RESULT_FILE), JSON.stringify({ runId: run.id, status: run.status, report: run.report, artifacts: run.artifacts }, null, 2));
    print(`tessera: ${run.status}\n`);
    return run.status;
  } finally {
    project?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
