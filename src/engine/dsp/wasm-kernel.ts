import { readFileSync } from 'node:fs';
import { nativeDsp } from './native-kernel.ts';

/** The slice of the WebAssembly JS API used here (the project's TS libs carry no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

export interface WasmKernel {
  readonly memory: WasmMemory;
  readonly exports: Record<string, unknown>;
  /** Which code runs the exports: the native addon's stand-in, or the WebAssembly module. */
  readonly backend: KernelBackend;
}

/**
 * Which implementation a processor or meter runs: 'native' (the default) the native addon's
 * kernel where it is built and beats the WebAssembly one on this CPU (else the WebAssembly one),
 * 'wasm' the WebAssembly SIMD kernel, 'js' the JS reference. All agree to the bit; the choice
 * between native and wasm is made at prepare(), 'js' switches at the next block. 'native:N'
 * forces the native code for vectors of N doubles (tests hold every width to the same bits).
 */
export type KernelChoice = 'native' | NativeWidth | 'wasm' | 'js';
/** The native code of one vector width (2, 4 or 8 doubles: SSE2, AVX2, AVX-512), where the CPU has it. */
export type NativeWidth = 'native:2' | 'native:4' | 'native:8';
/** The code a prepared kernel runs: the native addon's or the WebAssembly module's. */
export type KernelBackend = 'native' | 'wasm';

/** The backend a choice asks for ('native:N' is native). */
export function requestedBackend(choice: KernelChoice): KernelBackend | 'js' {
  return choice === 'wasm' || choice === 'js' ? choice : 'native';
}

/**
 * One instance of a hand-written WebAssembly kernel (src/engine/dsp/wasm/<name>.wat, assembled
 * by `npm run build:wasm`) with its own memory of at least `bytes` bytes, or on `memory` (from
 * kernelMemory(), at least `bytes` long) when several kernels work on the same data. With
 * `choice` 'native' and the native addon built with a kernel of that name, its
 * functions stand in for the module's exports, on the same memory (native/*.cc). Built at
 * prepare time (compiling a few hundred bytes synchronously is cheap); the hot path only calls
 * the exports. The path is resolved from this module, so it works in the tsx-loaded audio worker too.
 */
export function instantiateKernel(name: string, bytes: number, memory: WasmMemory = kernelMemory(bytes), choice: KernelChoice = 'wasm'): WasmKernel {
  if (memory.buffer.byteLength < bytes) throw new RangeError(`wasm kernel ${name}: memory of ${memory.buffer.byteLength} bytes, needs ${bytes}`);
  if (choice === 'native') {
    const native = nativeDsp();
    if (native.ok && native.addon.kernels(false).includes(name)) return { memory, exports: native.addon.instantiate(name, memory.buffer), backend: 'native' };
  } else if (choice !== 'wasm' && choice !== 'js') {
    // A forced width: the kernel's native code even where it is not the faster one here.
    const native = nativeDsp();
    const lanes = Number(choice.slice('native:'.length));
    if (!native.ok) throw new Error(`kernel ${name} '${choice}': ${native.reason}`);
    return { memory, exports: native.addon.instantiate(name, memory.buffer, lanes), backend: 'native' };
  }
  const wasm = webAssembly();
  const code = readFileSync(new URL(`./wasm/${name}.wasm`, import.meta.url));
  const module = new wasm.Module(code);
  const instance = new wasm.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports, backend: 'wasm' };
}

/** A memory of at least `bytes` bytes (whole 64 KiB pages) that never grows: views on it stay valid. */
export function kernelMemory(bytes: number): WasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  return new (webAssembly().Memory)({ initial: pages, maximum: pages });
}

function webAssembly(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}
