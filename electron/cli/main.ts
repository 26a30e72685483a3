// Tessera's command line. Returns the process exit code; user errors print one line, no stack.
// The help comes from the catalog alone; a command's module (and everything heavy it imports: the engine,
// SQLite, the build services, the server) is loaded only when that command runs.
import { CliError, type CliCommand } from './commands/types';
import { COMMANDS, type CommandKey } from './commands/catalog';

const LOADERS: Record<CommandKey, () => Promise<CliCommand>> = {
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
  report: async () => (await import('./commands/report')).reportCommand,
  info: async () => (await import('./commands/info')).infoCommand,
  simulate: async () => (await import('./commands/simulate')).simulateCommand,
  serve: async () => (await import('./commands/serve')).serveCommand,
  start: async () => (await import('./commands/start')).startCommand,
  build: async () => (await import('./commands/build')).buildCommand,
  sweep: async () => (await import('./commands/sweep')).sweepCommand,
  hls4ml: async () => (await import('./commands/hls4ml')).hls4mlCommand,
  builds: async () => (await import('./commands/builds')).buildsCommand,
  fit: async () => (await import('./commands/fit')).fitCommand,
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  tessera ${c.usage.padEnd(52)} ${c.summary}`);
  return ['usage:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const key = (Object.keys(COMMANDS) as CommandKey[]).find((k) => COMMANDS[k].name === name);
  if (!key) {
    console.error(`tessera: unknown command "${name}"; run "tessera --help" for the list.`);
    return 2;
  }
  try {
    const command = await LOADERS[key]();
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
