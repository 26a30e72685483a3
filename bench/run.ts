// `npm run bench [-- NAME…]`: runs every suite below (or those whose name contains one of the
// arguments) and prints their tables. Adding a benchmark: write bench/<topic>.bench.ts exporting a
// BenchSuite and add it to the list.
import type { BenchSuite } from './harness';
import { convBench } from './conv.bench';
import { hlsBench } from './hls.bench';

const suites: BenchSuite[] = [convBench, hlsBench];

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice(7)) : 20;

for (const s of suites) {
  if (filters.length && !filters.some((f) => s.name.includes(f))) continue;
  await s.run({ runs });
}
