// Tessera's command line. Returns the process exit code; user errors print one line, no stack.
import { CliError, type CliCommand } from './commands/types';
import { doctorCommand } from './commands/doctor';
import { reportCommand } from './commands/report';
import { infoCommand } from './commands/info';
import { simulateCommand } from './commands/simulate';
import { serveCommand } from './commands/serve';
import { startCommand } from './commands/start';
import { buildCommand } from './commands/build';
import { hls4mlCommand } from './commands/hls4ml';
import { fitCommand } from './commands/fit';
import { sweepCommand } from './commands/sweep';
import { buildsCommand } from './commands/builds';

const commands: CliCommand[] = [
  // one line per command module, e.g. infoCommand
  doctorCommand,
  reportCommand,
  infoCommand,
  simulateCommand,
  serveCommand,
  startCommand,
  buildCommand,
  sweepCommand,
  buildsCommand,
  hls4mlCommand,
  fitCommand,
];

function usage(): string {
  const lines = commands.map((c) => `  tessera ${c.usage.padEnd(52)} ${c.summary}`);
  return ['usage:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`tessera: unknown command "${name}"; run "tessera --help" for the list.`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`tessera ${name}: ${err.message}`);
      return err.exitCode;
    }
    if (process.env.TESSERA_DEBUG) throw err;
    const message = err instanceof Error ? err.message : String(err);
    console.error(`tessera ${name}: ${message.split('\n')[0]}`);
    return 1;
  }
}
