// A build that prunes the object cache over and over (limit 1 byte: everything goes), beside the test's
// stores: node bin/run-ts.mjs prune-loop.ts CACHE_ROOT STOP_FILE. Prints "pruning" once, then "N prunes" at the end.
import fs from 'node:fs';
import { ObjectCache } from '../object-cache';

const [root, stop] = process.argv.slice(2);
const cache = new ObjectCache(root, 1);
let n = 0;
process.stdout.write('pruning\n');
while (!fs.existsSync(stop)) {
  cache.prune();
  n++;
}
process.stdout.write(`${n} prunes\n`);
