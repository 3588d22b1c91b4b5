import { instantiateKernel } from './wasm-kernel.ts';

type FftFn = (data: number, n: number, tw: number, swaps: number, nswaps: number) => void;

/**
 * In-place complex FFT of a power-of-two size in WebAssembly SIMD (wasm/fft.wat), the forward
 * transform of fft.js (X_k = sum x_n e^(-2 pi i k n / N)), interleaved (re, im) like fft.js's
 * complex arrays. Write the input into `data`, call transform(), read the spectrum from `data`.
 * Radix 2 instead of fft.js's radix 4: equal to rounding, not to the bit.
 */
export class WasmFft {
  readonly size: number;
  /** 2 * size values: (re, im) per point, in the kernel's memory. */
  readonly data: Float64Array;
  readonly #fft: FftFn;
  readonly #twAt: number;
  readonly #swapsAt: number;
  readonly #swaps: number;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new RangeError(`wasm fft: size ${size} is not a power of two >= 4`);
    this.size = size;
    const bits = Math.log2(size);
    const pairs: number[] = [];
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      if (i < r) pairs.push(16 * i, 16 * r);
    }
    this.#twAt = 16 * size;
    this.#swapsAt = this.#twAt + 16 * size;
    this.#swaps = pairs.length / 2;
    const { memory, exports } = instantiateKernel('fft', this.#swapsAt + 4 * pairs.length);
    this.#fft = exports['fft'] as FftFn;
    this.data = new Float64Array(memory.buffer, 0, 2 * size);
    const tw = new Float64Array(memory.buffer, this.#twAt, 2 * size);
    for (let k = 0; k < size / 2; k++) {
      const re = Math.cos((2 * Math.PI * k) / size);
      const im = -Math.sin((2 * Math.PI * k) / size);
      tw[4 * k] = re;
      tw[4 * k + 1] = re;
      tw[4 * k + 2] = -im;
      tw[4 * k + 3] = im;
    }
    new Int32Array(memory.buffer, this.#swapsAt, pairs.length).set(pairs);
  }

  transform(): void {
    this.#fft(0, this.size, this.#twAt, this.#swapsAt, this.#swaps);
  }
}
