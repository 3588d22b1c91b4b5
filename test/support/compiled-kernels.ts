import { nativeDsp } from '../../src/engine/dsp/native-kernel.ts';
import type { KernelBackend } from '../../src/engine/dsp/wasm-kernel.ts';

/** The kernels native/*.cc stands in for (native/addon.cc's table). */
export const NATIVE_KERNELS: readonly string[] = ['biquad-cascade', 'limiter-detect', 'compressor-linked'];

/**
 * The compiled kernels to hold against the JS reference for kernel `name` (a .wat name):
 * 'wasm' always, 'native' where the native addon is built with that kernel. Under CI=true the
 * addon must be there (npm ci builds it): a missing one throws, as a missing system tool does.
 */
export function compiledKernels(name: string): KernelBackend[] {
  const native = nativeDsp();
  const has = native.ok && native.addon.kernels().includes(name);
  if (!has && NATIVE_KERNELS.includes(name) && process.env.CI === 'true') {
    throw new Error(`CI=true but the native DSP kernel "${name}" is missing (${native.ok ? 'not in the addon' : native.reason})`);
  }
  return has ? ['wasm', 'native'] : ['wasm'];
}
