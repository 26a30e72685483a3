// `npm run bench [-- NAME…]`: runs every suite below (or those whose name contains one of the
// arguments) and prints their tables. Adding a benchmark: write bench/<topic>.bench.ts exporting a
// BenchSuite and add it to the list.
import type { BenchSuite } from './harness';
import { convBench } from './conv.bench';
import { fixedBench } from './fixed.bench';
import { csimBench } from './csim.bench';
import { storeBench } from './store.bench';
import { hlsBench } from './hls.bench';
import { canvasBench } from './canvas.bench';
import { hardwareBench } from './hardware.bench';
import { cliBench } from './cli.bench';
import { previewBench } from './preview.bench';
import { buildBench } from './build.bench';

const suites: BenchSuite[] = [convBench, fixedBench, csimBench, storeBench, hlsBench, canvasBench, hardwareBench, previewBench, cliBench, buildBench];

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice(7)) : 20;

for (const s of suites) {
  if (filters.length && !filters.some((f) => s.name.includes(f))) continue;
  await s.run({ runs });
}
