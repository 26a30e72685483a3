// Starts import-worker.ts (or the module named in workerData.entry, for tests) from a checkout:
// TypeScript through tsx, as bin/tessera.mjs does for the CLI (a worker does not inherit the main
// thread's loader).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData?.entry ?? './import-worker.ts');
