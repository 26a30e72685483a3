// A CLI command: one file under electron/cli/commands, its help entry in catalog.ts, its loader in main.ts.
import type { CommandInfo } from './catalog';

export interface CliCommand extends CommandInfo {
  /** Returns the exit code. Throws CliError for user mistakes (printed as one line, no stack). */
  run(args: string[]): Promise<number>;
}

/** A user mistake on the command line or in a file: printed as one line, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
