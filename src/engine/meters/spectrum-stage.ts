import FFT from 'fft.js';
import { WasmFft } from '../dsp/wasm-fft.ts';
import type { BandPowersKernel, SpectrumKernels, SpectrumLayout, WindowKernel } from './spectrum-kernels.ts';

/** One band a stage measures: its index in the meter's layout and its edges (Hz). */
export interface StageBand {
  readonly index: number;
  readonly loHz: number;
  readonly hiHz: number;
}

/** A stage's buffer holds this many windows: it slides back once every (BUFFER_WINDOWS - 1) * size samples. */
const BUFFER_WINDOWS = 2;

/**
 * One resolution of the spectrum analyser: the last `size` samples per channel at the stage's own
 * rate, and every `hop` samples a Hann-windowed FFT whose bin powers are summed into the stage's
 * bands with the fraction of each bin that lies inside the band (so a band narrower than a bin is
 * never empty). `binGain(hz)` is the power gain of whatever fed the stage (a decimator) at a bin's
 * frequency; the bin weights divide it out. The result, calibrated so that a sine of amplitude A
 * centred in a band reads A^2 / 2 averaged over channels, raises `maxSinceRead` at the band's
 * layout index.
 *
 * The samples live in the meter's WebAssembly memory (spectrum-kernels.ts), channel pairs
 * interleaved as (a, b) f64 pairs, each pair in a linear buffer of BUFFER_WINDOWS * size samples:
 * new samples are written at the write position (writeAt()), the last `size` are always the
 * contiguous run before it, and when the buffer is full makeRoom() slides the last `size` back to
 * its start (one native copy). Whoever feeds the stage writes there directly (the meter's ingest,
 * the decimator), and the window, the decimator's FIR and the band sums all read contiguous memory.
 */
export class SpectrumStage {
  #pairs = 0;
  #size = 0;
  #hop = 0;
  #hopLeft = 0;
  #fft: FFT | null = null;
  #wasmFft: WasmFft | null = null;
  /**
   * 'wasm' (default): the window, the FFT and the band sums run in WebAssembly SIMD (wasm/spectrum.wat
   * and dsp/wasm-fft.ts: the FFT equal to fft.js to rounding, the rest to the bit); 'js': JS loops
   * and fft.js (the reference).
   */
  kernel: 'wasm' | 'js' = 'wasm';
  #window = new Float64Array(0);
  #frame = new Float64Array(0);
  #spectrum = new Float64Array(0);
  #bandIndex = new Int32Array(0);
  #bandFirst = new Int32Array(0);
  #bandCount = new Int32Array(0);
  #binIndex = new Int32Array(0);
  #binWeight = new Float64Array(0);
  /** 2 / (N * sum(w^2)) / channels: one-sided power normalisation, averaged over channels. */
  #scale = 0;
  #f64: Float64Array = new Float64Array(0);
  #windowKernel: WindowKernel | null = null;
  #bandPowers: BandPowersKernel | null = null;
  /** Byte addresses: pair 0's buffer (pair p's at + p * #bufferBytes), the window as (w, w), ... */
  #bufferAt = 0;
  #bufferBytes = 0;
  #windowAt = 0;
  #binsAt = 0;
  #countsAt = 0;
  #powerAt = 0;
  #fftAt = 0;
  /** Write position in every pair's buffer (samples), in [size, BUFFER_WINDOWS * size]. */
  #pos = 0;

  get size(): number {
    return this.#size;
  }

  get hop(): number {
    return this.#hop;
  }

  /** Samples (at the stage's rate) until the next analysis. */
  get hopLeft(): number {
    return this.#hopLeft;
  }

  get bands(): number {
    return this.#bandIndex.length;
  }

  /** Compute the tables and reserve the stage's memory; bind() once the layout is open. */
  prepare(sampleRate: number, size: number, hop: number, channels: number, bands: readonly StageBand[], binGain: (hz: number) => number, layout: SpectrumLayout): void {
    this.#pairs = (channels + 1) >> 1;
    this.#size = size;
    this.#hop = hop;
    this.#fft = bands.length > 0 ? new FFT(size) : null;
    this.#window = new Float64Array(size);
    let sumSq = 0;
    for (let n = 0; n < size; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
      this.#window[n] = w;
      sumSq += w * w;
    }
    this.#scale = 2 / (size * sumSq) / channels;
    this.#frame = new Float64Array(2 * size);
    this.#spectrum = new Float64Array(2 * size);
    const binHz = sampleRate / size;
    const half = size / 2;
    const index: number[] = [];
    const weight: number[] = [];
    this.#bandIndex = Int32Array.from(bands.map((b) => b.index));
    this.#bandFirst = new Int32Array(bands.length);
    this.#bandCount = new Int32Array(bands.length);
    bands.forEach(({ loHz, hiHz }, b) => {
      this.#bandFirst[b] = index.length;
      const kLo = Math.max(0, Math.floor(loHz / binHz - 0.5));
      const kHi = Math.min(half, Math.ceil(hiHz / binHz + 0.5));
      for (let k = kLo; k <= kHi; k++) {
        const overlap = Math.min(hiHz, (k + 0.5) * binHz) - Math.max(loHz, (k - 0.5) * binHz);
        if (overlap <= 0) continue;
        index.push(k);
        weight.push(overlap / binHz / binGain(k * binHz));
      }
      this.#bandCount[b] = index.length - (this.#bandFirst[b] ?? 0);
    });
    this.#binIndex = Int32Array.from(index);
    this.#binWeight = Float64Array.from(weight);
    this.#bufferBytes = 16 * BUFFER_WINDOWS * size;
    this.#bufferAt = layout.reserve(this.#pairs * this.#bufferBytes);
    this.#windowAt = layout.reserve(16 * size);
    this.#binsAt = layout.reserve(16 * index.length);
    this.#countsAt = layout.reserve(4 * bands.length);
    this.#powerAt = layout.reserve(8 * bands.length);
    this.#fftAt = bands.length > 0 ? layout.reserve(WasmFft.bytes(size)) : 0;
  }

  /** Write the tables into the meter's memory and take its kernels. */
  bind(kernels: SpectrumKernels): void {
    const f64 = kernels.f64;
    const i32 = kernels.i32;
    this.#f64 = f64;
    this.#windowKernel = kernels.window;
    this.#bandPowers = kernels.bandPowers;
    const size = this.#size;
    for (let n = 0; n < size; n++) f64[this.#windowAt / 8 + 2 * n] = f64[this.#windowAt / 8 + 2 * n + 1] = this.#window[n]!;
    // Per bin: the byte offsets of Z_k and Z_(N-k) in the spectrum, and the weight.
    for (let j = 0; j < this.#binIndex.length; j++) {
      const k = this.#binIndex[j]!;
      const at = this.#binsAt + 16 * j;
      i32[at / 4] = 16 * k;
      i32[at / 4 + 1] = 16 * ((size - k) & (size - 1));
      f64[at / 8 + 1] = this.#binWeight[j]!;
    }
    i32.set(this.#bandCount, this.#countsAt / 4);
    this.#wasmFft = this.#fft !== null ? new WasmFft(size, { memory: kernels.memory, at: this.#fftAt }) : null;
    this.reset();
  }

  reset(): void {
    this.#f64.fill(0, this.#bufferAt / 8, (this.#bufferAt + this.#pairs * this.#bufferBytes) / 8);
    this.#pos = this.#size;
    this.#hopLeft = this.#hop;
  }

  /** Byte address where pair `p`'s next sample goes (the `size` before it are the latest). */
  writeAt(p: number): number {
    return this.#bufferAt + p * this.#bufferBytes + 16 * this.#pos;
  }

  /** Make room for `n` (<= (BUFFER_WINDOWS - 1) * size) samples at the write position. */
  makeRoom(n: number): void {
    const size = this.#size;
    if (this.#pos + n <= BUFFER_WINDOWS * size) return;
    // The last `size` samples of every pair back to the start of its buffer (f64 indices).
    const f64 = this.#f64;
    for (let p = 0; p < this.#pairs; p++) {
      const start = (this.#bufferAt + p * this.#bufferBytes) / 8;
      f64.copyWithin(start, start + 2 * (this.#pos - size), start + 2 * this.#pos);
    }
    this.#pos = size;
  }

  /** Account for `n` samples written to every pair; analyse when a hop is complete. */
  advance(n: number, maxSinceRead: Float64Array): void {
    this.#pos += n;
    this.#hopLeft -= n;
    if (this.#hopLeft === 0) {
      this.#hopLeft = this.#hop;
      this.#analyse(maxSinceRead);
    }
  }

  /**
   * Channels go through the FFT in pairs, as the real and imaginary parts of one complex transform:
   * with Z = FFT(a + i b), |A_k|^2 + |B_k|^2 = (|Z_k|^2 + |Z_(N-k)|^2) / 2, and the band power is the
   * sum over channels, so the pair never needs separating (an odd channel out pairs with silence).
   */
  #analyse(maxSinceRead: Float64Array): void {
    const fft = this.#fft;
    if (fft === null) return;
    const size = this.#size;
    const bands = this.#bandIndex.length;
    const f64 = this.#f64;
    const power = this.#powerAt / 8;
    const wasm = this.kernel === 'wasm' ? this.#wasmFft : null;
    const win = this.kernel === 'wasm' ? this.#windowKernel : null;
    const bandPowers = this.kernel === 'wasm' ? this.#bandPowers : null;
    f64.fill(0, power, power + bands);
    for (let p = 0; p < this.#pairs; p++) {
      // The oldest of the last `size` samples first.
      const at = this.#bufferAt + p * this.#bufferBytes + 16 * (this.#pos - size);
      if (wasm !== null && win !== null && bandPowers !== null) {
        win(at, this.#windowAt, wasm.reversedAt, wasm.dataAt, size);
        wasm.transformReversed();
        bandPowers(wasm.dataAt, this.#binsAt, this.#countsAt, bands, this.#powerAt);
      } else this.#analysePairJs(fft, at / 8);
    }
    const scale = this.#scale;
    for (let b = 0; b < bands; b++) {
      const p = f64[power + b]! * scale;
      const i = this.#bandIndex[b]!;
      if (p > maxSinceRead[i]!) maxSinceRead[i] = p;
    }
  }

  /** The reference of wasm/spectrum.wat window and bandPowers, with fft.js. */
  #analysePairJs(fft: FFT, from: number): void {
    const size = this.#size;
    const mask = size - 1;
    const f64 = this.#f64;
    const frame = this.#frame;
    const spec = this.#spectrum;
    const win = this.#window;
    const first = this.#bandFirst;
    const count = this.#bandCount;
    const bins = this.#binIndex;
    const weights = this.#binWeight;
    const power = this.#powerAt / 8;
    for (let n = 0; n < size; n++) {
      frame[2 * n] = f64[from + 2 * n]! * win[n]!;
      frame[2 * n + 1] = f64[from + 2 * n + 1]! * win[n]!;
    }
    fft.transform(spec, frame);
    for (let bd = 0; bd < first.length; bd++) {
      const j0 = first[bd]!;
      const end = j0 + count[bd]!;
      let p = 0;
      for (let j = j0; j < end; j++) {
        const k = bins[j]!;
        const m = (size - k) & mask;
        const re = spec[2 * k]!;
        const im = spec[2 * k + 1]!;
        const re2 = spec[2 * m]!;
        const im2 = spec[2 * m + 1]!;
        p += weights[j]! * (re * re + im * im + re2 * re2 + im2 * im2);
      }
      f64[power + bd] = f64[power + bd]! + 0.5 * p;
    }
  }
}
