/**
 * Assemble the hand-written WebAssembly kernels: every src/engine/dsp/wasm/*.wat -> *.wasm.
 * `npm run build:wasm`. The .wasm files are committed (the engine loads them at run time); a test
 * re-assembles each .wat and checks it is byte-identical to its .wasm.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import initWabt from 'wabt';

export const WASM_DIR = fileURLToPath(new URL('../src/engine/dsp/wasm/', import.meta.url));

/** The .wat sources of the kernels (file names). */
export function watFiles(): string[] {
  return readdirSync(WASM_DIR)
    .filter((f) => f.endsWith('.wat'))
    .sort();
}

/** Assemble one WAT text to a binary (SIMD on, no debug names: the output depends on the text only). */
export async function assembleWat(name: string, text: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const mod = wabt.parseWat(name, text, { simd: true });
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}

/** `npm run build:wasm [name.wat ...]`: the named kernels only, or all of them. */
async function main(): Promise<void> {
  const named = process.argv.slice(2).map((a) => a.replace(/^.*\//, ''));
  for (const f of named.length > 0 ? named : watFiles()) {
    const bytes = await assembleWat(f, readFileSync(WASM_DIR + f, 'utf8'));
    const out = f.replace(/\.wat$/, '.wasm');
    writeFileSync(WASM_DIR + out, bytes);
    console.log(`${out}: ${bytes.length} bytes`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
