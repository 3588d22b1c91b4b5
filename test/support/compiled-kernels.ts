import { nativeDsp } from '../../src/engine/dsp/native-kernel.ts';
import type { NativeWidth } from '../../src/engine/dsp/wasm-kernel.ts';

/** The kernels native/*.cc stands in for (native/addon.cc's table). */
export const NATIVE_KERNELS: readonly string[] = ['biquad-cascade', 'limiter-detect', 'compressor-linked', 'true-peak', 'loudness-k'];

/**
 * The compiled kernels to hold against the JS reference for kernel `name` (a .wat name): 'wasm'
 * always, and where the native addon is built with that kernel its code for every vector width
 * this CPU runs ('native:2', 'native:4', 'native:8'; the default 'native' is one of them, or
 * 'wasm'). Under CI=true the addon must be there (npm test builds it first): a missing one throws, as a
 * missing system tool does.
 */
export function compiledKernels(name: string): ('wasm' | NativeWidth)[] {
  const native = nativeDsp();
  const has = native.ok && native.addon.kernels(true).includes(name);
  if (!has && NATIVE_KERNELS.includes(name) && process.env.CI === 'true') {
    throw new Error(`CI=true but the native DSP kernel "${name}" is missing (${native.ok ? 'not in the addon' : native.reason})`);
  }
  if (!has || !native.ok) return ['wasm'];
  return ['wasm', ...native.addon.widths().map((w) => `native:${w}` as NativeWidth)];
}
