#!/usr/bin/env node
// The `tessera` command: runs the compiled CLI (bin/cli-build.mjs: built by `npm ci`, rebuilt here first
// when a source changed since), so no TypeScript is transpiled at start.
import { currentCliEntry } from './cli-build.mjs';

if (process.env.TESSERA_DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import(await currentCliEntry());
process.exitCode = await main(process.argv.slice(2));
