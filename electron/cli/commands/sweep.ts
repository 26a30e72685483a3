// `tessera sweep PROJECT.tessera --layer NAME --rf 1,2,4|valid --io stream,parallel [--strategy latency,resource]
//   [--pf N,…] [--precision 'ap_fixed<16,6>,ap_fixed<8,3>'] [--concurrency N] [--no-csim] [--prefix NAME] [--on local|slurm [--detach]]`
// Headless: expands the ranges into variants, writes them into the project, builds each (codegen, g++ csim,
// vendor synthesis or the estimate, error vs float) and stores every run, so the app shows them.
import crypto from 'node:crypto';
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseArgs } from '../args';
import { ProjectFile, StoreError, weightsToEngine } from '../../services/store';
import { BuildQueue, type RunReport } from '../../services/builds/queue';
import { expandSweep, splitList, uniqueName } from '../../services/builds/variants';
import { reportLine } from './project-info';
import { installShutdownHandlers } from '../../services/toolchain/runner';
import { detectToolchain } from '../../services/toolchain/detect';
import { chooseHlsFlow } from '../../services/toolchain/commands';
import type { IoType, Strategy } from '../../../engine/hls/config';
import { parseFixedType } from '../../../engine/fixed/types';
import { slurmInfo } from '../../services/slurm/backend';
import { cancelOnInterrupt, cliSlurmBackend, followSlurmRuns } from './slurm-cli';

const HELP = `  PROJECT.tessera        the project to add the variants to (it must not be open in the app)
  --layer NAME           the layer to vary (default: the whole design's defaults)
  --rf LIST|valid        reuse factors, e.g. 1,2,4; "valid" = every valid RF of the layer
  --io LIST              stream, parallel (default parallel)
  --strategy LIST        latency, resource
  --pf LIST              parallelization factors (io_parallel)
  --precision LIST       types for the layer's weights, biases, accumulator and result, e.g. 'ap_fixed<16,6>,ap_fixed<8,3>'
  --concurrency N        builds at a time on this machine (default: number of cores)
  --on local|slurm       build on this machine (default) or as one Slurm job array with the project's Slurm
                         settings and yours (README "Builds on a Slurm cluster"); Ctrl-C cancels the jobs
  --detach               with --on slurm: submit and return; "tessera builds PROJECT --wait" collects later
  --prefix NAME          variant name prefix (default the layer name)
  --no-csim              skip the g++ C simulation (codegen + estimate only)
  --no-build             only write the variants`;

function ints(name: string, v: string): number[] {
  const xs = splitList(v);
  for (const x of xs) if (!/^\d+$/.test(x) || Number(x) < 1) throw new CliError(`--${name} takes whole numbers ≥ 1 separated by commas, got ${JSON.stringify(x)}`, 2);
  return xs.map(Number);
}

/** One line per run (status, failure, figures) and a total; returns how many did not succeed. */
export function printRuns(project: ProjectFile, runIds: string[], names: Map<string, string>, file: string): number {
  const done = project.listBuildRuns().filter((r) => runIds.includes(r.id));
  let failed = 0;
  for (const r of done) {
    if (r.status !== 'succeeded') failed++;
    const rep = r.report as RunReport | null;
    const job = slurmInfo(r)?.jobId ? ` [Slurm ${slurmInfo(r)!.jobId}_${slurmInfo(r)!.task}]` : '';
    console.log(`${names.get(r.variantId ?? '') ?? r.id}: ${r.status}${job}${rep?.failure ? ` — ${rep.failure}` : ''}${rep ? `; ${reportLine(rep)}` : ''}`);
  }
  console.log(`${done.length - failed} of ${done.length} builds succeeded; results are in ${file} (open it in the app's compare view)`);
  return failed;
}

export const sweepCommand: CliCommand = {
  ...COMMANDS.sweep,
  async run(args) {
    const { positional, flags } = parseArgs('sweep', args, ['layer', 'rf', 'io', 'strategy', 'pf', 'precision', 'concurrency', 'prefix', 'on'], ['no-csim', 'no-build', 'detach', 'help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n${HELP}`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one project file, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    const file = positional[0];
    if (!file.endsWith('.tessera')) throw new CliError(`${file} is not a .tessera project; sweep works on Tessera projects (create one in the app or with tessera start)`, 2);
    const io = flags.io === undefined ? undefined : splitList(String(flags.io)).map((s): IoType => {
      if (s === 'stream' || s === 'io_stream') return 'io_stream';
      if (s === 'parallel' || s === 'io_parallel') return 'io_parallel';
      throw new CliError(`--io takes stream and/or parallel, got ${JSON.stringify(s)}`, 2);
    });
    const strategies = flags.strategy === undefined ? undefined : splitList(String(flags.strategy)).map((s): Strategy => {
      if (s !== 'latency' && s !== 'resource') throw new CliError(`--strategy takes latency and/or resource, got ${JSON.stringify(s)}`, 2);
      return s;
    });
    const rf = flags.rf === undefined ? undefined : flags.rf === 'valid' ? ('valid' as const) : ints('rf', String(flags.rf));
    const pf = flags.pf === undefined ? undefined : ints('pf', String(flags.pf));
    const precisions = flags.precision === undefined ? undefined : splitList(String(flags.precision));
    for (const p of precisions ?? []) {
      const r = parseFixedType(p);
      if (!r.ok) throw new CliError(`--precision ${JSON.stringify(p)}: ${r.message}`, 2);
    }
    const concurrency = flags.concurrency === undefined ? undefined : ints('concurrency', String(flags.concurrency))[0];
    if (rf === 'valid' && flags.layer === undefined) throw new CliError('--rf valid needs --layer NAME (valid reuse factors are per layer)', 2);
    const on = flags.on ?? 'local';
    if (on !== 'local' && on !== 'slurm') throw new CliError(`--on takes local or slurm, got ${JSON.stringify(on)}`, 2);
    if (flags.detach && on !== 'slurm') throw new CliError('--detach goes with --on slurm (local builds end with the command)', 2);

    let project: ProjectFile;
    try {
      project = ProjectFile.open(file);
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(e.code === 'locked' ? `${e.message} (close it in the app, then run the sweep again)` : e.message);
      throw e;
    }
    try {
      const doc = project.load();
      const model = { graph: doc.graph, weights: weightsToEngine(doc.weights) };
      const sweep = expandSweep(model, {
        layer: typeof flags.layer === 'string' ? flags.layer : undefined,
        reuseFactors: rf, io, strategies, parallelizationFactors: pf, precisions,
        prefix: typeof flags.prefix === 'string' ? flags.prefix : undefined,
        project: doc.settings,
      });
      if (sweep.problems.length) throw new CliError(sweep.problems.join('; '));
      for (const r of sweep.rejected) {
        const why = r.diagnostics.map((d) => d.message).join(' ');
        console.error(`rejected: ${r.name}: ${why}`);
      }
      if (!sweep.variants.length) throw new CliError(`every combination was rejected (${sweep.rejected.length}); see the reasons above`);
      const taken = project.listVariants().map((v) => v.name);
      const ids: string[] = [];
      for (const v of sweep.variants) {
        const name = uniqueName(v.name, taken);
        taken.push(name);
        const id = `v_${crypto.randomBytes(6).toString('hex')}`;
        project.putVariant({ id, name, config: v.config });
        ids.push(id);
        console.log(`variant ${name}`);
      }
      console.log(`${sweep.variants.length} variants written${sweep.rejected.length ? `, ${sweep.rejected.length} combinations rejected` : ''}`);
      if (flags['no-build']) return 0;

      const names = new Map(project.listVariants().map((v) => [v.id, v.name]));
      let runs;
      if (on === 'slurm') {
        const backend = cliSlurmBackend(project);
        const guard = cancelOnInterrupt(backend);
        console.log(`submitting ${ids.length} builds to Slurm as one job array (each node: codegen${flags['no-csim'] ? '' : ', g++ csim'}, vendor synthesis where it has the tools else the estimate, error vs float)`);
        try {
          runs = await backend.enqueue(ids, { csim: !flags['no-csim'] });
        } catch (e) {
          guard.release();
          throw new CliError((e as Error).message);
        }
        const job = runs.map((r) => slurmInfo(r)?.jobId).find(Boolean);
        if (job) console.log(`Slurm job ${job}: ${runs.length} tasks`);
        if (flags.detach && !guard.interrupted()) {
          guard.release();
          await backend.dispose();
          console.log(`detached; the runs are in ${file}: "tessera builds ${file} --wait" (or opening it in the app) collects the results`);
          return runs.some((r) => r.status === 'failed') ? 1 : 0;
        }
        if (await followSlurmRuns(backend, guard)) {
          printRuns(project, runs.map((r) => r.id), names, file);
          return 130;
        }
      } else {
        installShutdownHandlers();
        const toolchain = await detectToolchain({ timeoutMs: 20_000 }).catch(() => null);
        const flow = toolchain ? chooseHlsFlow(toolchain) : null;
        const vendor = !!flow && flow !== 'csim-gxx';
        console.log(`building ${ids.length} variants (${vendor ? `vendor flow ${flow}` : 'no vendor HLS tool: estimate'}${flags['no-csim'] ? '' : ' + g++ csim'})`);
        const queue = new BuildQueue({
          project, concurrency, toolchain: vendor ? toolchain : null,
          emit: (e) => {
            if (e.type === 'build.status' && (e.status !== 'running' || e.step)) {
              console.log(`  ${names.get(e.variantId ?? '') ?? e.runId}: ${e.status}${e.step ? ` (${e.step})` : ''}`);
            }
          },
        });
        runs = queue.enqueue(ids, { csim: !flags['no-csim'] });
        await queue.idle();
      }
      return printRuns(project, runs.map((r) => r.id), names, file) ? 1 : 0;
    } finally {
      project.close();
    }
  },
};
