import { instantiateKernel, type KernelBackend, type KernelChoice } from './wasm-kernel.ts';

type RunFn = (l: number, r: number, s: number, frames: number) => void;

/** The kernel's header: STATE_* in and out, the parameters in (f64 each). */
export const STATE_ENV_DB = 0;
export const STATE_MAX_GR_DB = 1;
export const STATE_KNEE_START_SQ = 2;
export const STATE_THRESHOLD_DB = 3;
export const STATE_SLOPE = 4;
export const STATE_KNEE_DB = 5;
export const STATE_MAKEUP = 6;
export const STATE_ALPHA_ATTACK = 7;
export const STATE_ALPHA_RELEASE = 8;
const STATE_SLOTS = 9;
const HEADER_BYTES = 80;

/**
 * The compressor's stereo, fully linked, peak-detecting path in WebAssembly SIMD
 * (wasm/compressor-linked.wat), bit-identical to Compressor's JS path with dsp/fast-math.ts.
 * Per block: the stereo frames copied in, one call, copied back; the envelope passes through.
 */
export class WasmLinkedCompressor {
  readonly maxBlock: number;
  readonly #run: RunFn;
  readonly #left: Float32Array;
  readonly #right: Float32Array;
  /** maxBlock-long views of the same frames: whole blocks are copied with set() (a memcpy). */
  readonly #leftBlock: Float32Array;
  readonly #rightBlock: Float32Array;
  /**
   * The header (STATE_* slots): set the envelope, the largest envelope so far and the parameters
   * before process(); read the envelope and the largest envelope after. Numbers go through memory:
   * doubles passed as arguments (or returned) are boxed when a call is not inlined.
   */
  readonly state: Float64Array;
  readonly #leftAt: number;
  readonly #rightAt: number;
  readonly #scratchAt: number;

  /** Which code runs the kernel (see KernelChoice). */
  readonly backend: KernelBackend;

  constructor(maxBlock: number, choice: KernelChoice = 'wasm') {
    this.maxBlock = maxBlock;
    // +2 frames each: an odd block's last pair reads and writes one frame past the end.
    const padded = (maxBlock + 4) * 4;
    this.#leftAt = HEADER_BYTES;
    this.#rightAt = this.#leftAt + padded;
    this.#scratchAt = this.#rightAt + padded;
    const { memory, exports, backend } = instantiateKernel('compressor-linked', this.#scratchAt + (maxBlock + 2) * 8, undefined, choice);
    this.backend = backend;
    this.#run = exports['run'] as RunFn;
    this.state = new Float64Array(memory.buffer, 0, STATE_SLOTS);
    this.#left = new Float32Array(memory.buffer, this.#leftAt, maxBlock + 2);
    this.#right = new Float32Array(memory.buffer, this.#rightAt, maxBlock + 2);
    this.#leftBlock = new Float32Array(memory.buffer, this.#leftAt, maxBlock);
    this.#rightBlock = new Float32Array(memory.buffer, this.#rightAt, maxBlock);
  }

  /** Compress `frames` (<= maxBlock) stereo frames in place, from and to `state`. */
  process(c0: Float32Array, c1: Float32Array, frames: number): void {
    const left = this.#left;
    const right = this.#right;
    // A full block (the usual case): set() is a memcpy, the loops cost as much as a kernel pass.
    const whole = frames === this.maxBlock && c0.length === frames && c1.length === frames;
    if (whole) {
      left.set(c0);
      right.set(c1);
    } else {
      for (let i = 0; i < frames; i++) {
        left[i] = c0[i] as number;
        right[i] = c1[i] as number;
      }
    }
    this.#run(this.#leftAt, this.#rightAt, this.#scratchAt, frames);
    if (whole) {
      c0.set(this.#leftBlock);
      c1.set(this.#rightBlock);
    } else {
      for (let i = 0; i < frames; i++) {
        c0[i] = left[i] as number;
        c1[i] = right[i] as number;
      }
    }
  }
}
