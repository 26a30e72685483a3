#!/usr/bin/env node
// The `tessera` command: runs the TypeScript CLI straight from the checkout through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
