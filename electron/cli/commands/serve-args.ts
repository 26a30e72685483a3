// Options shared by `tessera serve` and `tessera start`.
import { CliError } from './types';

export interface ServeArgs {
  port?: number;
  host?: string;
  allowRemote: boolean;
  noOpen: boolean;
  project?: string;
  userDataDir?: string;
  projectsDir?: string;
}

export const SERVE_OPTIONS_HELP = [
  '  --port N            listen on port N (default: a free port)',
  '  --no-open           do not open a browser window',
  '  --project FILE      open this .tessera project in the page',
  '  --host ADDR         bind ADDR instead of 127.0.0.1 (needs --allow-remote for non-loopback addresses)',
  '  --allow-remote      allow binding a non-loopback address (prints a warning)',
  '  --user-data DIR     folder for the recent-projects list (default: the platform config folder)',
  '  --projects-dir DIR  folder for new projects and opened examples',
].join('\n');

export function parseServeArgs(command: string, args: string[]): ServeArgs | 'help' {
  const out: ServeArgs = { allowRemote: false, noOpen: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new CliError(`${a} needs a value; see "tessera ${command} --help"`, 2);
      return v;
    };
    switch (a) {
      case '--help':
      case '-h':
        return 'help';
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port ${v}: give a port number from 0 to 65535`, 2);
        out.port = n;
        break;
      }
      case '--host':
        out.host = value();
        break;
      case '--allow-remote':
        out.allowRemote = true;
        break;
      case '--no-open':
        out.noOpen = true;
        break;
      case '--project':
        out.project = value();
        break;
      case '--user-data':
        out.userDataDir = value();
        break;
      case '--projects-dir':
        out.projectsDir = value();
        break;
      default:
        throw new CliError(`unknown option ${a}; see "tessera ${command} --help"`, 2);
    }
  }
  return out;
}
