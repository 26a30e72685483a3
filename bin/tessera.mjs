#!/usr/bin/env node
// The `tessera` command: runs the compiled CLI (bin/cli-build.mjs: built by `npm ci`, rebuilt here first
// when a source changed since), so no TypeScript is transpiled at start.
import v8 from 'node:v8';
import { currentCliEntry, holdBuild } from './cli-build.mjs';

// The float kernels' relaxed-SIMD multiply-add, as in Electron's V8 (where it is on by default): a build
// run by this command (a Slurm node, a remote backend) computes the float reference as the app does.
// Set before any WebAssembly is compiled.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

if (process.env.TESSERA_DEBUG) process.setSourceMapsEnabled(true);
const entry = await currentCliEntry();
// A rebuild by another `tessera` must not remove this build's folder while this process still loads from it.
holdBuild(entry);
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
