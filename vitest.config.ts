import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

const include = ['api/**/*.test.ts', 'engine/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'hls-templates/**/*.test.ts', 'scripts/**/*.test.ts'];
// Tests on the one-node Slurm cluster (scripts/slurm-local.sh) share it, and some kill its node: their files
// run one after another (beside the other tests).
const slurm = ['electron/**/*.slurm.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Relaxed SIMD (Electron's V8 and current Chromium have it; Node 20 behind this flag): the FMA conv kernels
    // are then tested in-process beside the SIMD128 ones (engine/ops/conv/wasm, oracle tests).
    execArgv: ['--experimental-wasm-relaxed-simd'],
    // No csim object cache unless asked: every test's g++ compile really runs (object-cache.test.ts tests the cache).
    // Tests that turn the cache on keep their precompiled headers out of the user's cache folder.
    env: { TESSERA_CSIM_CACHE: process.env.TESSERA_CSIM_CACHE ?? 'off', TESSERA_CSIM_PCH: process.env.TESSERA_CSIM_PCH ?? join(tmpdir(), `tessera-test-pch-${process.getuid?.() ?? 0}`) },
    projects: [
      { extends: true, test: { name: 'unit', include, exclude: [...configDefaults.exclude, ...slurm] } },
      { extends: true, test: { name: 'slurm', include: slurm, fileParallelism: false } },
    ],
  },
});
