import { instantiateKernel, type WasmMemory } from './wasm-kernel.ts';

type FftFn = (data: number, n: number, tw: number, swaps: number, nswaps: number) => void;

/** Where a WasmFft lives when it shares a memory with other kernels: `bytes(size)` from `at`. */
export interface WasmFftPlace {
  readonly memory: WasmMemory;
  /** Byte address, a multiple of 16. */
  readonly at: number;
}

/**
 * In-place complex FFT of a power-of-two size in WebAssembly SIMD (wasm/fft.wat), the forward
 * transform of fft.js (X_k = sum x_n e^(-2 pi i k n / N)), interleaved (re, im) like fft.js's
 * complex arrays. Write the input into `data`, call transform(), read the spectrum from `data`.
 * Not fft.js's order of operations: equal to rounding, not to the bit.
 *
 * In its own memory, or placed in a memory shared with other kernels (`place`), which can then
 * write the input in bit-reversed order themselves (point n at byte `dataAt + reversed[n]`, the
 * table at `reversedAt`) and call transformReversed(), which skips the permutation.
 */
export class WasmFft {
  readonly size: number;
  /** 2 * size values: (re, im) per point, in the kernel's memory. */
  readonly data: Float64Array;
  /** Byte address of `data` in the kernel's memory. */
  readonly dataAt: number;
  /** Byte address of `size` i32: the byte offset in `data` of point n in bit-reversed order. */
  readonly reversedAt: number;
  readonly #fft: FftFn;
  readonly #twAt: number;
  readonly #swapsAt: number;
  readonly #swaps: number;

  /** Bytes from `place.at` a placed instance uses (a multiple of 16). */
  static bytes(size: number): number {
    // data 16 bytes per point, the twiddles, the swaps at most 8 per 2 points, the table 4 per point
    return 16 * size + 8 * twiddleValues(size) + 4 * size + 4 * size;
  }

  constructor(size: number, place?: WasmFftPlace) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new RangeError(`wasm fft: size ${size} is not a power of two >= 4`);
    this.size = size;
    const bits = Math.log2(size);
    const pairs: number[] = [];
    const reversed = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      reversed[i] = 16 * r;
      if (i < r) pairs.push(16 * i, 16 * r);
    }
    const at = place?.at ?? 0;
    if (at % 16 !== 0) throw new RangeError(`wasm fft: address ${at} is not 16-byte aligned`);
    this.dataAt = at;
    this.#twAt = at + 16 * size;
    this.#swapsAt = this.#twAt + 8 * twiddleValues(size);
    this.#swaps = pairs.length / 2;
    this.reversedAt = this.#swapsAt + 4 * pairs.length;
    const end = this.reversedAt + 4 * size;
    const { memory, exports } = instantiateKernel('fft', end, place?.memory);
    this.#fft = exports['fft'] as FftFn;
    this.data = new Float64Array(memory.buffer, at, 2 * size);
    // Per radix-4 pass after the first (q = 4, 16, ... or 2, 8, ...; wasm/fft.wat), per j < q:
    // w^m = e^(-2 pi i m j / 4q), m = 1, 2, 3, as (re, re), (-im, im).
    const tw = new Float64Array(memory.buffer, this.#twAt, twiddleValues(size));
    let t = 0;
    for (let q = bits % 2 === 1 ? 2 : 4; 4 * q <= size; q *= 4) {
      for (let j = 0; j < q; j++) {
        for (let m = 1; m <= 3; m++) {
          // fft.js's angle, pi * integer / power of two: the same double, so the same twiddle
          const angle = (Math.PI * (2 * m * j)) / (4 * q);
          const re = Math.cos(angle);
          const im = -Math.sin(angle);
          tw[t++] = re;
          tw[t++] = re;
          tw[t++] = -im;
          tw[t++] = im;
        }
      }
    }
    new Int32Array(memory.buffer, this.#swapsAt, pairs.length).set(pairs);
    new Int32Array(memory.buffer, this.reversedAt, size).set(reversed);
  }

  transform(): void {
    this.#fft(this.dataAt, this.size, this.#twAt, this.#swapsAt, this.#swaps);
  }

  /** The transform of input already in bit-reversed order (see the class comment). */
  transformReversed(): void {
    this.#fft(this.dataAt, this.size, this.#twAt, this.#swapsAt, 0);
  }
}

/** f64 values of the twiddle table of wasm/fft.wat: 12 per j < q per radix-4 pass after the first. */
function twiddleValues(size: number): number {
  let n = 0;
  for (let q = Math.log2(size) % 2 === 1 ? 2 : 4; 4 * q <= size; q *= 4) n += 12 * q;
  return n;
}
