// `tessera serve`: the app in a browser — renderer and API on 127.0.0.1 with a token.
import type { CliCommand } from './types';
import { CliError } from './types';
import { COMMANDS } from './catalog';
import { parseServeArgs, SERVE_OPTIONS_HELP } from './serve-args';
import { runServeMode, serveUntilSignal } from '../../serve/run';
import { isLoopback } from '../../serve/server';

export const serveCommand: CliCommand = {
  ...COMMANDS.serve,
  async run(args) {
    const a = parseServeArgs('serve', args);
    if (a === 'help') {
      console.log(`usage: tessera ${this.usage}\n${SERVE_OPTIONS_HELP}`);
      return 0;
    }
    if (a.host && !isLoopback(a.host) && !a.allowRemote) {
      throw new CliError(`--host ${a.host} is not a loopback address: add --allow-remote to expose your projects on the network`, 2);
    }
    const { server, services } = await runServeMode({ ...a, open: a.noOpen ? false : 'browser' });
    await serveUntilSignal(server, services);
    return 0;
  },
};
