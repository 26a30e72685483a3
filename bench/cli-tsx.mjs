// The CLI run the way bin/tessera.mjs ran it before it was compiled: every start transpiles the TypeScript
// sources through tsx. A peer for bench/cli.bench.ts only.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
