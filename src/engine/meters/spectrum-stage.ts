import FFT from 'fft.js';
import { WasmFft } from '../dsp/wasm-fft.ts';

/** One band a stage measures: its index in the meter's layout and its edges (Hz). */
export interface StageBand {
  readonly index: number;
  readonly loHz: number;
  readonly hiHz: number;
}

/**
 * One resolution of the spectrum analyser: a ring of the last `size` samples per channel at the
 * stage's own rate, and every `hop` samples a Hann-windowed FFT (fft.js) whose bin powers are summed
 * into the stage's bands with the fraction of each bin that lies inside the band (so a band narrower
 * than a bin is never empty). `binGain(hz)` is the power gain of whatever fed the stage (a decimator)
 * at a bin's frequency; the bin weights divide it out. The result, calibrated so that a sine of
 * amplitude A centred in a band reads A^2 / 2 averaged over channels, raises `maxSinceRead` at the
 * band's layout index.
 */
export class SpectrumStage {
  #channels = 0;
  #size = 0;
  #hop = 0;
  #hopLeft = 0;
  #fft: FFT | null = null;
  #wasmFft: WasmFft | null = null;
  /**
   * 'wasm' (default): the FFT runs in WebAssembly SIMD (dsp/wasm-fft.ts, equal to fft.js to
   * rounding); 'js': fft.js.
   */
  kernel: 'wasm' | 'js' = 'wasm';
  #window = new Float64Array(0);
  #ring: Float64Array[] = [];
  #write = 0;
  #frame = new Float64Array(0);
  #spectrum = new Float64Array(0);
  #bandIndex = new Int32Array(0);
  #bandFirst = new Int32Array(0);
  #bandCount = new Int32Array(0);
  #binIndex = new Int32Array(0);
  #binWeight = new Float64Array(0);
  #bandPower = new Float64Array(0);
  /** 2 / (N * sum(w^2)) / channels: one-sided power normalisation, averaged over channels. */
  #scale = 0;

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

  prepare(sampleRate: number, size: number, hop: number, channels: number, bands: readonly StageBand[], binGain: (hz: number) => number): void {
    this.#channels = channels;
    this.#size = size;
    this.#hop = hop;
    this.#fft = bands.length > 0 ? new FFT(size) : null;
    this.#wasmFft = bands.length > 0 && size >= 4 ? new WasmFft(size) : null;
    this.#window = new Float64Array(size);
    let sumSq = 0;
    for (let n = 0; n < size; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
      this.#window[n] = w;
      sumSq += w * w;
    }
    this.#scale = 2 / (size * sumSq) / channels;
    this.#ring = [];
    for (let c = 0; c < channels; c++) this.#ring.push(new Float64Array(size));
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
    this.#bandPower = new Float64Array(bands.length);
    this.reset();
  }

  reset(): void {
    for (const r of this.#ring) r.fill(0);
    this.#write = 0;
    this.#hopLeft = this.#hop;
  }

  /** Append `n` samples of channel `c` (the same `n` for every channel, then `advance(n)`). */
  write(c: number, x: Float64Array, n: number): void {
    const ring = this.#ring[c]!;
    const size = this.#size;
    let w = this.#write;
    for (let k = 0; k < n; k++) {
      ring[w] = x[k]!;
      w = w + 1 === size ? 0 : w + 1;
    }
  }

  /** Account for `n` samples written to every channel; analyse when a hop is complete. */
  advance(n: number, maxSinceRead: Float64Array): void {
    let w = this.#write + n;
    if (w >= this.#size) w -= this.#size;
    this.#write = w;
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
    const mask = size - 1;
    const wasm = this.kernel === 'wasm' ? this.#wasmFft : null;
    // The WASM FFT works in place in its own memory: the frame is written there directly.
    const frame = wasm === null ? this.#frame : wasm.data;
    const spec = wasm === null ? this.#spectrum : wasm.data;
    const win = this.#window;
    const bands = this.#bandIndex.length;
    const bandPower = this.#bandPower;
    const first = this.#bandFirst;
    const count = this.#bandCount;
    const bins = this.#binIndex;
    const weights = this.#binWeight;
    const nch = this.#channels;
    bandPower.fill(0);
    for (let c = 0; c < nch; c += 2) {
      // Oldest sample first: the ring's write position is the oldest.
      const w = this.#write;
      const a = this.#ring[c]!;
      if (c + 1 < nch) {
        const b = this.#ring[c + 1]!;
        for (let n = 0; n < size; n++) {
          const r = (w + n) & mask;
          frame[2 * n] = a[r]! * win[n]!;
          frame[2 * n + 1] = b[r]! * win[n]!;
        }
      } else {
        for (let n = 0; n < size; n++) {
          frame[2 * n] = a[(w + n) & mask]! * win[n]!;
          frame[2 * n + 1] = 0;
        }
      }
      if (wasm === null) fft.transform(spec, frame);
      else wasm.transform();
      for (let bd = 0; bd < bands; bd++) {
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
        bandPower[bd] = bandPower[bd]! + 0.5 * p;
      }
    }
    const scale = this.#scale;
    for (let b = 0; b < bands; b++) {
      const p = bandPower[b]! * scale;
      const i = this.#bandIndex[b]!;
      if (p > maxSinceRead[i]!) maxSinceRead[i] = p;
    }
  }
}
