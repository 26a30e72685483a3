// `tessera run-build DIR`: runs the build described by DIR/tessera-build.json and writes DIR/tessera-run.json.
// This is what a Slurm task runs on its node (electron/services/slurm/node-build.ts); not for interactive use.
import type { CliCommand } from './types';
import { CliError } from './types';
import { parseArgs } from '../model-file';
import { installShutdownHandlers } from '../../services/toolchain/runner';
import { runBuildFolder } from '../../services/slurm/node-build';

export const runBuildCommand: CliCommand = {
  name: 'run-build',
  usage: 'run-build DIR',
  summary: 'run the build a Slurm job was given (DIR/tessera-build.json → DIR/tessera-run.json)',
  async run(args) {
    const { positional, flags } = parseArgs('run-build', args, [], ['help', 'h']);
    if (flags.help || flags.h) {
      console.log(`usage: tessera ${this.usage}\n  DIR  a build folder prepared by Tessera's Slurm backend (what each Slurm task runs on its node)`);
      return 0;
    }
    if (positional.length !== 1) throw new CliError(`expected one build folder, got ${positional.length}; usage: tessera ${this.usage}`, 2);
    installShutdownHandlers();
    try {
      const status = await runBuildFolder(positional[0], (text) => process.stdout.write(text));
      return status === 'succeeded' ? 0 : 1;
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  },
};
