import { COEF_STRIDE, MAX_SECTIONS } from './filter-types.ts';
import { instantiateKernel, type KernelBackend, type KernelChoice } from './wasm-kernel.ts';

type MoveFn = (a: number, b: number, c: number, frames: number) => void;
type PassFn = (sec: number, n: number, buf: number, frames: number) => void;

/** Bytes per section: b0, c, d, a1, a2, z1, z2 as f64x2 (c, d: see biquad-kernels.ts staticSections). */
const SECTION_BYTES = 112;
const SECTION_F64 = SECTION_BYTES / 8;
const STRIDE = COEF_STRIDE;
const SECTIONS = MAX_SECTIONS;
/** Sections per pass of the WebAssembly kernel (their state kept in registers). */
const PER_PASS = 4;

/**
 * The stereo biquad cascade in WebAssembly SIMD (wasm/biquad-cascade.wat): a list of fixed TDF-II
 * sections, gathered from several EQ bands, run over an f32 stereo block. Bit-identical to
 * dsp/biquad-kernels.ts staticSections applied section after section on Float64 copies of the
 * block (same operations in the same order, f64, no fused multiply-add).
 *
 * Per block: load(L, R), addSections() per band (coefficients and state copied in), run(),
 * storeSections() per band in the same order (state copied back), unload(L, R).
 *
 * With `choice` 'native' and the native addon built, native/biquad_cascade.cc runs the same
 * exports on the same memory, every section in one pass (an eight-section wavefront), to the bit
 * the same.
 */
export class WasmBiquadCascade {
  readonly #maxSections: number;
  readonly #load: MoveFn;
  readonly #store: MoveFn;
  readonly #pass: PassFn;
  readonly #sec: Float64Array;
  readonly #left: Float32Array;
  readonly #right: Float32Array;
  readonly #bufAt: number;
  readonly #leftAt: number;
  readonly #rightAt: number;
  #count = 0;
  /** One section's b0, c, d, a1, a2 on the way into the kernel's memory. */
  readonly #taps = new Float64Array(5);
  /** The last load() copied the whole arrays (see load). */
  #whole = false;
  #readBack = 0;
  /** Sections per call of `pass`: 4 in WebAssembly, all of them natively. */
  readonly #perPass: number;
  readonly backend: KernelBackend;

  constructor(maxSections: number, maxBlock: number, choice: KernelChoice = 'wasm') {
    this.#maxSections = maxSections;
    // A pass of n < 4 sections loads and stores back (unchanged) the state slots of the next
    // 4 - n: room for them after the last section.
    this.#bufAt = (maxSections + PER_PASS) * SECTION_BYTES;
    this.#leftAt = this.#bufAt + 16 * maxBlock;
    this.#rightAt = this.#leftAt + 4 * maxBlock;
    const { memory, exports, backend } = instantiateKernel('biquad-cascade', this.#rightAt + 4 * maxBlock, undefined, choice);
    this.backend = backend;
    this.#perPass = backend === 'native' ? maxSections : PER_PASS;
    this.#load = exports['load'] as MoveFn;
    this.#store = exports['store'] as MoveFn;
    this.#pass = exports['pass'] as PassFn;
    this.#sec = new Float64Array(memory.buffer, 0, (maxSections + PER_PASS) * SECTION_F64);
    this.#left = new Float32Array(memory.buffer, this.#leftAt, maxBlock);
    this.#right = new Float32Array(memory.buffer, this.#rightAt, maxBlock);
  }

  /** Copy a stereo block in and start an empty section list. */
  load(left: Float32Array, right: Float32Array, frames: number): void {
    const sl = this.#left;
    const sr = this.#right;
    // Whole arrays that fit: one native copy each (the kernel leaves the samples past `frames` as
    // they are, so unload() may copy the whole staging area back: it writes the same values).
    this.#whole = left.length === sl.length && right.length === sr.length;
    if (this.#whole) {
      sl.set(left);
      sr.set(right);
    } else copyPair(sl, sr, left, right, frames);
    this.#count = 0;
    this.#readBack = 0;
  }

  /**
   * Append `ns` sections: coefficients `cur` (COEF_STRIDE per section) and the state of channels
   * 0 and 1 in the EQ band layout (st[(c * MAX_SECTIONS + s) * 2 + {0: z1, 1: z2}]).
   * False (nothing added) when the list is full.
   */
  addSections(cur: Float64Array, st: Float64Array, ns: number): boolean {
    if (this.#count + ns > this.#maxSections) return false;
    const sec = this.#sec;
    for (let s = 0; s < ns; s++) {
      const k = s * STRIDE;
      const o = (this.#count + s) * SECTION_F64;
      // b0, c = b1 - a1 b0, d = b2 - a2 b0, a1, a2: the substituted recursion (biquad-kernels.ts).
      const b0 = cur[k] as number;
      const a1 = cur[k + 3] as number;
      const a2 = cur[k + 4] as number;
      const taps = this.#taps;
      taps[0] = b0;
      taps[1] = (cur[k + 1] as number) - a1 * b0;
      taps[2] = (cur[k + 2] as number) - a2 * b0;
      taps[3] = a1;
      taps[4] = a2;
      for (let j = 0; j < 5; j++) {
        const v = taps[j] as number;
        sec[o + 2 * j] = v;
        sec[o + 2 * j + 1] = v;
      }
      const si = s * 2;
      const sj = (SECTIONS + s) * 2;
      sec[o + 10] = st[si] as number;
      sec[o + 11] = st[sj] as number;
      sec[o + 12] = st[si + 1] as number;
      sec[o + 13] = st[sj + 1] as number;
    }
    this.#count += ns;
    return true;
  }

  run(frames: number): void {
    const buf = this.#bufAt;
    this.#load(this.#leftAt, this.#rightAt, buf, frames);
    const per = this.#perPass;
    for (let s = 0; s < this.#count; s += per) {
      const n = this.#count - s < per ? this.#count - s : per;
      this.#pass(s * SECTION_BYTES, n, buf, frames);
    }
    this.#store(buf, this.#leftAt, this.#rightAt, frames);
  }

  /** Copy the next `ns` sections' state back (call in the order of addSections). */
  storeSections(st: Float64Array, ns: number): void {
    const sec = this.#sec;
    for (let s = 0; s < ns; s++) {
      const o = (this.#readBack + s) * SECTION_F64;
      const si = s * 2;
      const sj = (SECTIONS + s) * 2;
      st[si] = sec[o + 10] as number;
      st[sj] = sec[o + 11] as number;
      st[si + 1] = sec[o + 12] as number;
      st[sj + 1] = sec[o + 13] as number;
    }
    this.#readBack += ns;
  }

  /** Copy the processed block out. */
  unload(left: Float32Array, right: Float32Array, frames: number): void {
    if (this.#whole && left.length === this.#left.length && right.length === this.#right.length) {
      left.set(this.#left);
      right.set(this.#right);
    } else copyPair(left, right, this.#left, this.#right, frames);
  }
}

/** dl, dr <- sl, sr over [0, frames): a loop, not set(subarray()) (a subarray is an allocation). */
function copyPair(dl: Float32Array, dr: Float32Array, sl: Float32Array, sr: Float32Array, frames: number): void {
  for (let i = 0; i < frames; i++) {
    dl[i] = sl[i] as number;
    dr[i] = sr[i] as number;
  }
}
