// Command-line options of the CLI commands: one parser, one-line errors that say how to get the help.
import { CliError } from './commands/types';

/** Parses `--name value` / `--name=value` options and positionals; rejects unknown flags. */
export function parseArgs(command: string, args: string[], valueFlags: string[], boolFlags: string[] = []): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
      if (boolFlags.includes(name)) {
        if (eq >= 0) throw new CliError(`option --${name} takes no value; run "tessera ${command} --help"`, 2);
        flags[name] = true;
        continue;
      }
      if (!valueFlags.includes(name)) {
        throw new CliError(`unknown option ${eq >= 0 ? a.slice(0, eq) : a}; run "tessera ${command} --help" for the options`, 2);
      }
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new CliError(`option --${name} needs a value, e.g. --${name} FILE`, 2);
      if (flags[name] !== undefined) throw new CliError(`option --${name} is given twice`, 2);
      flags[name] = value;
      continue;
    }
    positional.push(a);
  }
  return { positional, flags };
}
