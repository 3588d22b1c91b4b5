import { cicFir, cicTaps } from './cic-decimator.ts';
import type { DecimatePairsKernel, SpectrumKernels, SpectrumLayout } from './spectrum-kernels.ts';

/**
 * The CIC decimator of cic-decimator.ts (cicFir, the same outputs to the bit) working in
 * place in the spectrum meter's memory on channel pairs interleaved as (a, b) f64 pairs: it reads
 * its input, and the taps.length - 1 samples before it, straight from the full-rate stage's buffer
 * and writes the decimated pairs straight into the low stage's buffer, so no sample is copied.
 */
export class CicPairDecimator {
  #factor = 1;
  #taps: Float64Array = new Float64Array(1);
  #tapsAt = 0;
  /** Input samples since the last output (the same for every pair). */
  #phase = 0;
  #f64: Float64Array = new Float64Array(0);
  #decimate: DecimatePairsKernel | null = null;
  /** 'wasm' (default): wasm/cic-fir.wat decimatePairs; 'js': cicFir (the reference). */
  kernel: 'wasm' | 'js' = 'wasm';

  get factor(): number {
    return this.#factor;
  }

  /** Input samples before a segment the FIR reads (taps - 1). */
  get history(): number {
    return this.#taps.length - 1;
  }

  /** Input samples until the next output. */
  get untilOutput(): number {
    return this.#factor - this.#phase;
  }

  /** Reserve the taps; bind() once the layout is open. */
  prepare(factor: number, order: number, layout: SpectrumLayout): void {
    this.#factor = factor;
    this.#taps = cicTaps(factor, order);
    this.#tapsAt = layout.reserve(16 * this.#taps.length);
  }

  bind(kernels: SpectrumKernels): void {
    this.#f64 = kernels.f64;
    this.#decimate = kernels.decimatePairs;
    // (t, t) per tap: one SIMD load multiplies both channels of a pair
    const t = this.#tapsAt / 8;
    for (let j = 0; j < this.#taps.length; j++) this.#f64[t + 2 * j] = this.#f64[t + 2 * j + 1] = this.#taps[j]!;
    this.reset();
  }

  reset(): void {
    this.#phase = 0;
  }

  /**
   * `n` new input pairs from byte address `at` (preceded by `history` older ones); the outputs go
   * to byte address `outAt` on. Returns how many (the same for every pair). Call for every pair,
   * then `advance(n)`.
   */
  process(at: number, n: number, outAt: number): number {
    const keep = this.#taps.length - 1;
    const k0 = this.#factor - this.#phase - 1;
    const h = at - 16 * keep;
    if (this.#decimate !== null && this.kernel === 'wasm') {
      const half = this.#taps.length >> 1;
      return this.#decimate(h, this.#tapsAt, half, this.#taps.length & 1, keep, k0, n, this.#factor, outAt);
    }
    const f64 = this.#f64;
    cicFir(f64, h / 8, 2, this.#taps, k0, n, this.#factor, f64, outAt / 8, 2);
    return cicFir(f64, h / 8 + 1, 2, this.#taps, k0, n, this.#factor, f64, outAt / 8 + 1, 2);
  }

  advance(n: number): void {
    this.#phase = (this.#phase + n) % this.#factor;
  }
}
