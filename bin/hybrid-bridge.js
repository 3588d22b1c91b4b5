#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx): no build step between `npm ci` and `npx hybrid-bridge`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
