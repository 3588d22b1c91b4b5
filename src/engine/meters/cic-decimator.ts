import { instantiateKernel } from '../dsp/wasm-kernel.ts';

/** The WASM FIR (dsp/wasm/cic-fir.wat): byte addresses and counts; returns the outputs written. */
type DecimateKernel = (h: number, taps: number, half: number, odd: number, keep: number, k0: number, n: number, factor: number, out: number) => number;

/**
 * Decimation by `factor` with a CIC response (a boxcar of `factor` samples convolved `order` times),
 * computed as a plain FIR at the output rate: no recursive integrators, so no floating-point drift.
 * Its zeros sit on every multiple of the output rate, exactly where the content that would alias
 * onto low frequencies comes from; for the spectrum's low stage (bands under ~600 Hz, decimation by
 * 8 at 48 kHz, order 5) the aliases are below -75 dB. The passband droop is known exactly
 * (`cicPowerGain`) and divided out by the analyser.
 *
 * This class takes and returns plain arrays, one channel at a time; the spectrum meter runs the
 * same FIR (cicFir, to the bit) in place on channel pairs in its WebAssembly memory
 * (cic-pair-decimator.ts).
 */
export class CicDecimator {
  #factor = 1;
  #taps: Float64Array = new Float64Array(1);
  /** Per channel: the last taps - 1 inputs, then the segment being processed. */
  #history: Float64Array[] = [];
  /** Input samples since the last output (the same for every channel). */
  #phase = 0;
  #decimate: DecimateKernel | null = null;
  /** Byte addresses in the kernel's memory: the taps, each channel's history, the outputs. */
  #tapsAt = 0;
  #historyAt: number[] = [];
  #outAt = 0;
  #kernelOut = new Float64Array(0);
  /**
   * 'wasm' (default): the FIR runs in WebAssembly SIMD (dsp/wasm/cic-fir.wat, the same outputs to
   * the bit); 'js': the JS reference.
   */
  kernel: 'wasm' | 'js' = 'wasm';

  get factor(): number {
    return this.#factor;
  }

  /** Input samples until the next output. */
  get untilOutput(): number {
    return this.#factor - this.#phase;
  }

  /** `maxSegment`: the most samples one process() call takes. */
  prepare(factor: number, order: number, channels: number, maxSegment: number): void {
    this.#factor = factor;
    const taps = cicTaps(factor, order);
    const historyLen = taps.length - 1 + maxSegment;
    // Everything in the kernel's memory (+2 samples of slack per buffer, 16-byte aligned).
    const slot = (len: number): number => Math.ceil((len + 2) / 2) * 16;
    this.#tapsAt = 0;
    this.#historyAt = Array.from({ length: channels }, (_, c) => slot(taps.length) + c * slot(historyLen));
    this.#outAt = slot(taps.length) + channels * slot(historyLen);
    const outLen = Math.ceil(maxSegment / factor) + 1;
    const { memory, exports } = instantiateKernel('cic-fir', this.#outAt + slot(outLen));
    this.#decimate = exports['decimate'] as DecimateKernel;
    this.#taps = new Float64Array(memory.buffer, this.#tapsAt, taps.length);
    this.#taps.set(taps);
    this.#history = this.#historyAt.map((at) => new Float64Array(memory.buffer, at, historyLen));
    this.#kernelOut = new Float64Array(memory.buffer, this.#outAt, outLen);
    this.reset();
  }

  reset(): void {
    for (const h of this.#history) h.fill(0);
    this.#phase = 0;
  }

  /**
   * Feed `n` samples of channel `c`; the decimated outputs go to `out` from 0. Returns how many
   * (the same for every channel). Call for every channel, then `advance(n)`.
   */
  process(c: number, x: Float64Array, n: number, out: Float64Array): number {
    const h = this.#history[c]!;
    const taps = this.#taps;
    const keep = taps.length - 1;
    for (let k = 0; k < n; k++) h[keep + k] = x[k]!;
    const len = keep + 1;
    const half = len >> 1;
    const odd = (len & 1) === 1;
    if (this.#decimate !== null && this.kernel === 'wasm') {
      const m = this.#decimate(this.#historyAt[c]!, this.#tapsAt, half, odd ? 1 : 0, keep, this.#factor - this.#phase - 1, n, this.#factor, this.#outAt);
      const y = this.#kernelOut;
      for (let k = 0; k < m; k++) out[k] = y[k]!;
      h.copyWithin(0, n, n + keep);
      return m;
    }
    const m = cicFir(h, 0, 1, taps, this.#factor - this.#phase - 1, n, this.#factor, out, 0, 1);
    h.copyWithin(0, n, n + keep);
    return m;
  }

  advance(n: number): void {
    this.#phase = (this.#phase + n) % this.#factor;
  }
}

/**
 * The JS FIR (the reference of both WASM kernels, wasm/cic-fir.wat): outputs for the windows of
 * taps.length samples starting at h[at + stride k], k = k0, k0 + factor, ... < n (the last input
 * of a window is h[at + stride (k + taps.length - 1)]), to out[outAt + outStride m]. Returns their
 * count. The taps are symmetric: the window is folded around its centre (half the multiplies, and
 * no reversal needed), with two accumulators to overlap the additions.
 */
export function cicFir(h: Float64Array, at: number, stride: number, taps: Float64Array, k0: number, n: number, factor: number, out: Float64Array, outAt: number, outStride: number): number {
  const keep = taps.length - 1;
  const half = taps.length >> 1;
  const odd = (taps.length & 1) === 1;
  let m = 0;
  for (let k = k0; k < n; k += factor) {
    const lo = at + stride * k;
    const top = lo + stride * keep;
    let y0 = 0;
    let y1 = 0;
    let j = 0;
    for (; j + 1 < half; j += 2) {
      y0 += taps[j]! * (h[lo + stride * j]! + h[top - stride * j]!);
      y1 += taps[j + 1]! * (h[lo + stride * (j + 1)]! + h[top - stride * (j + 1)]!);
    }
    if (j < half) y0 += taps[j]! * (h[lo + stride * j]! + h[top - stride * j]!);
    if (odd) y1 += taps[half]! * h[lo + stride * half]!;
    out[outAt + outStride * m++] = y0 + y1;
  }
  return m;
}

/** The FIR of a CIC decimator: a boxcar of `factor` ones convolved `order` times, unity gain at DC. */
export function cicTaps(factor: number, order: number): Float64Array {
  let taps = [1];
  for (let o = 0; o < order; o++) {
    const next = new Array<number>(taps.length + factor - 1).fill(0);
    for (let i = 0; i < taps.length; i++) for (let j = 0; j < factor; j++) next[i + j]! += taps[i]!;
    taps = next;
  }
  const norm = factor ** order;
  return Float64Array.from(taps, (t) => t / norm);
}

/** |H(f)|^2 of `cicTaps(factor, order)` at `hz` (input rate `sampleRate`). */
export function cicPowerGain(hz: number, sampleRate: number, factor: number, order: number): number {
  const x = (Math.PI * hz) / sampleRate;
  if (Math.abs(Math.sin(x)) < 1e-12) return 1;
  const a = Math.sin(factor * x) / (factor * Math.sin(x));
  return a ** (2 * order);
}
