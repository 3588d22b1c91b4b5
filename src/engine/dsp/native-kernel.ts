import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The native DSP addon (native/*.cc, built by scripts/build-native.ts before `npm start` / `npm test`). */
interface NativeDspAddon {
  /**
   * The kernels the addon stands in for (names of src/engine/dsp/wasm/<name>.wat): with `all`
   * false, those faster than the WebAssembly kernel on this CPU's vectors (what 'native' runs).
   */
  kernels(all: boolean): string[];
  /**
   * Functions named and called as the WebAssembly kernel's exports, working on `memory`; `lanes`
   * forces the code for vectors of that many doubles (one of widths()).
   */
  instantiate(name: string, memory: ArrayBuffer, lanes?: number): Record<string, unknown>;
  /** The vector widths (doubles) this CPU runs: 2, and 4 and 8 where it has AVX2 / AVX-512. */
  widths(): number[];
  /** The instruction set the addon's hot loops were picked for on this CPU. */
  isa(): string;
}

/** Where the built addon lives, from the project root. */
export const NATIVE_ADDON_PATH = 'native/build/Release/hybrid_dsp.node';

/** The loaded addon and the instruction set it picked, or why the native kernels are not in use. */
export type NativeDsp = { ok: true; addon: NativeDspAddon; isa: string } | { ok: false; reason: string };

const builtAddon = fileURLToPath(new URL(`../../../${NATIVE_ADDON_PATH}`, import.meta.url));

/**
 * The native DSP addon when it is built and loads here, else why not. Node's module cache keeps
 * one loaded copy per thread (the audio worker loads its own), so calling this per prepare() is cheap.
 */
export function nativeDsp(): NativeDsp {
  // HYBRID_DSP_ADDON: another build of the addon (a developer's scratch build), for tests and benches.
  const addonFile = process.env['HYBRID_DSP_ADDON'] ?? builtAddon;
  if (!existsSync(addonFile)) return { ok: false, reason: `native DSP addon not built (${NATIVE_ADDON_PATH} missing: npm start, npm test and npm run build:native build it with node-gyp)` };
  try {
    const addon = createRequire(import.meta.url)(addonFile) as NativeDspAddon;
    return { ok: true, addon, isa: addon.isa() };
  } catch (err) {
    return { ok: false, reason: `native DSP addon failed to load: ${(err as Error).message}` };
  }
}
