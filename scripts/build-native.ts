// Build the native DSP addon (binding.gyp, native/*.cc -> build/Release/hybrid_dsp.node) with
// node-gyp; run by `npm ci` / `npm install` (the package's install script) and `npm run build:native`.
// A machine without a C++ toolchain still installs: the engine then runs the WebAssembly kernels
// (the same results to the bit, slower) and says so at start.
import { spawnSync } from 'node:child_process';

const gyp = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit' });
if (gyp.error || gyp.status !== 0) {
  const why = gyp.error ? gyp.error.message : `node-gyp exited with ${String(gyp.status)}`;
  console.warn(`hybrid-bridge: native DSP kernels not built (${why}); the engine will run the WebAssembly kernels`);
}
