// Tessera's command line. Returns the process exit code; user errors print one line, no stack.
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log('usage: tessera <info|simulate> …');
    return command ? 0 : 2;
  }
  console.error(`tessera: unknown command "${command}"; run "tessera --help" for the list.`);
  return 2;
}
