#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx): no build step between `npm ci` and `npx hybrid-bridge`.
import { register } from 'tsx/esm/api';

register();
// `hybrid-bridge devices | head`: a closed pipe ends the output, it is not a crash.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
