// A CLI command: one file under electron/cli/commands, one line in electron/cli/main.ts.
export interface CliCommand {
  name: string;
  /** One-line usage, e.g. 'info MODEL.onnx'. */
  usage: string;
  summary: string;
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
