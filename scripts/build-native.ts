// Build the native DSP addon (native/binding.gyp, native/*.cc -> native/build/Release/hybrid_dsp.node)
// with node-gyp, when it is missing or older than its sources. `npm start`, `npm test` and
// `npm run bench` run this first; `npm run build:native` (with --force) always rebuilds. Not an install script:
// the project's .npmrc sets strict-allow-scripts, under which `npx hybrid-bridge` refuses a package
// with one. A machine without a C++ toolchain still runs: the engine then runs the WebAssembly
// kernels (the same results to the bit, slower) and says so at start.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/', import.meta.url));
const addon = `${dir}build/Release/hybrid_dsp.node`;
const sources = readdirSync(dir).filter((f) => /\.(cc|h|gyp)$/.test(f));
const newest = Math.max(...sources.map((f) => statSync(dir + f).mtimeMs));
const upToDate = existsSync(addon) && statSync(addon).mtimeMs >= newest;
if (!upToDate || process.argv.includes('--force')) {
  const gyp = spawnSync('node-gyp', ['rebuild', '--directory', dir, '--loglevel', 'warn'], { stdio: 'inherit' });
  if (gyp.error || gyp.status !== 0) {
    const why = gyp.error ? gyp.error.message : `node-gyp exited with ${String(gyp.status)}`;
    console.warn(`hybrid-bridge: native DSP kernels not built (${why}); the engine will run the WebAssembly kernels`);
  }
}
