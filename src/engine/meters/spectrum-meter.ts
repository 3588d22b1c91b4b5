import FFT from 'fft.js';
import { powerToDb } from './levels.ts';

/**
 * Third-octave spectrum for the tablet (IEC 61260 base-10 band centres 1000 * 10^(k/10) Hz, from the
 * 20 Hz band to the 20 kHz band or the last one under Nyquist).
 *
 * Each channel keeps the last `fftSize` samples; every `fftSize / 4` samples of stream time a Hann-
 * windowed FFT (fft.js) is taken and the bin powers are summed into the bands with the fraction of each
 * bin that lies inside the band (so even the 20 Hz band, narrower than a bin at small sizes, is never
 * empty). Levels are calibrated so that a sine of amplitude A centred in a band reads 20 log10(A) dB,
 * averaged over channels (a mono signal on both channels reads like the mono signal). read() returns
 * the highest level of each band since the previous read.
 */
export class SpectrumMeter {
  #channels = 0;
  #size = 0;
  #hop = 0;
  #hopLeft = 0;
  #fft: FFT | null = null;
  #window = new Float64Array(0);
  #ring: Float64Array[] = [];
  #write = 0;
  #frame = new Float64Array(0);
  #spectrum = new Float64Array(0);
  #bandHz = new Float64Array(0);
  #bandFirst = new Int32Array(0);
  #bandCount = new Int32Array(0);
  #binIndex = new Int32Array(0);
  #binWeight = new Float64Array(0);
  #bandPower = new Float64Array(0);
  #maxSinceRead = new Float64Array(0);
  /** 2 / (N * sum(w^2)): one-sided power normalisation of the Hann-windowed FFT. */
  #scale = 0;

  /** Number of bands for `sampleRate` (what the meter layout needs before prepare()). */
  static bandCount(sampleRate: number): number {
    return thirdOctaveCentres(sampleRate).length;
  }

  get bands(): number {
    return this.#bandHz.length;
  }

  get fftSize(): number {
    return this.#size;
  }

  prepare(sampleRate: number, channels: number, fftSize = defaultFftSize(sampleRate)): void {
    if (!(sampleRate > 0)) throw new RangeError(`spectrum meter: sample rate ${sampleRate}`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new RangeError(`spectrum meter: ${channels} channels`);
    if (!Number.isInteger(Math.log2(fftSize)) || fftSize < 256 || fftSize > 65536) throw new RangeError(`spectrum meter: FFT size ${fftSize}`);
    this.#channels = channels;
    this.#size = fftSize;
    this.#hop = fftSize / 4;
    this.#fft = new FFT(fftSize);
    this.#window = new Float64Array(fftSize);
    let sumSq = 0;
    for (let n = 0; n < fftSize; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / fftSize);
      this.#window[n] = w;
      sumSq += w * w;
    }
    this.#scale = 2 / (fftSize * sumSq);
    this.#ring = [];
    for (let c = 0; c < channels; c++) this.#ring.push(new Float64Array(fftSize));
    this.#frame = new Float64Array(fftSize);
    this.#spectrum = new Float64Array(2 * fftSize);
    this.#prepareBands(sampleRate);
    this.reset();
  }

  reset(): void {
    for (const r of this.#ring) r.fill(0);
    this.#write = 0;
    this.#hopLeft = this.#hop;
    this.#maxSinceRead.fill(0);
  }

  /** Band centre frequencies (Hz) into `out`. */
  frequencies(out: Float64Array | Float32Array, offset = 0): void {
    for (let b = 0; b < this.#bandHz.length; b++) out[offset + b] = this.#bandHz[b]!;
  }

  process(input: readonly Float32Array[], frames: number): void {
    let i = 0;
    while (i < frames) {
      const n = Math.min(frames - i, this.#hopLeft);
      const size = this.#size;
      for (let c = 0; c < this.#channels; c++) {
        const x = input[c];
        const ring = this.#ring[c]!;
        let w = this.#write;
        if (x === undefined) {
          for (let k = 0; k < n; k++, w = w + 1 === size ? 0 : w + 1) ring[w] = 0;
          continue;
        }
        for (let k = 0; k < n; k++) {
          let v = x[i + k]!;
          if (v - v !== 0) v = 0;
          ring[w] = v;
          w = w + 1 === size ? 0 : w + 1;
        }
      }
      this.#write = (this.#write + n) % this.#size;
      i += n;
      this.#hopLeft -= n;
      if (this.#hopLeft === 0) {
        this.#hopLeft = this.#hop;
        this.#analyse();
      }
    }
  }

  /** Highest band levels (dB) since the previous read into `out` (from `offset`), then re-arm. */
  read(out: Float64Array | Float32Array, offset = 0): void {
    for (let b = 0; b < this.#maxSinceRead.length; b++) {
      out[offset + b] = powerToDb(2 * this.#maxSinceRead[b]!);
      this.#maxSinceRead[b] = 0;
    }
  }

  #analyse(): void {
    const fft = this.#fft;
    if (fft === null) return;
    const size = this.#size;
    const frame = this.#frame;
    const spec = this.#spectrum;
    const bands = this.#bandHz.length;
    const bandPower = this.#bandPower;
    bandPower.fill(0);
    for (let c = 0; c < this.#channels; c++) {
      const ring = this.#ring[c]!;
      // Oldest sample first: the ring's write position is the oldest.
      let r = this.#write;
      for (let n = 0; n < size; n++) {
        frame[n] = ring[r]! * this.#window[n]!;
        r = r + 1 === size ? 0 : r + 1;
      }
      fft.realTransform(spec, frame);
      for (let b = 0; b < bands; b++) {
        const first = this.#bandFirst[b]!;
        const end = first + this.#bandCount[b]!;
        let p = 0;
        for (let j = first; j < end; j++) {
          const k = this.#binIndex[j]!;
          const re = spec[2 * k]!;
          const im = spec[2 * k + 1]!;
          p += this.#binWeight[j]! * (re * re + im * im);
        }
        bandPower[b] = bandPower[b]! + p;
      }
    }
    const scale = this.#scale / this.#channels;
    for (let b = 0; b < bands; b++) {
      const p = bandPower[b]! * scale;
      if (p > this.#maxSinceRead[b]!) this.#maxSinceRead[b] = p;
    }
  }

  #prepareBands(sampleRate: number): void {
    const centres = thirdOctaveCentres(sampleRate);
    const binHz = sampleRate / this.#size;
    const half = this.#size / 2;
    const index: number[] = [];
    const weight: number[] = [];
    this.#bandHz = Float64Array.from(centres);
    this.#bandFirst = new Int32Array(centres.length);
    this.#bandCount = new Int32Array(centres.length);
    centres.forEach((fc, b) => {
      const lo = fc * 10 ** (-1 / 20);
      const hi = fc * 10 ** (1 / 20);
      this.#bandFirst[b] = index.length;
      const kLo = Math.max(0, Math.floor(lo / binHz - 0.5));
      const kHi = Math.min(half, Math.ceil(hi / binHz + 0.5));
      for (let k = kLo; k <= kHi; k++) {
        const overlap = Math.min(hi, (k + 0.5) * binHz) - Math.max(lo, (k - 0.5) * binHz);
        if (overlap <= 0) continue;
        index.push(k);
        weight.push(overlap / binHz);
      }
      this.#bandCount[b] = index.length - (this.#bandFirst[b] ?? 0);
    });
    this.#binIndex = Int32Array.from(index);
    this.#binWeight = Float64Array.from(weight);
    this.#bandPower = new Float64Array(centres.length);
    this.#maxSinceRead = new Float64Array(centres.length);
  }
}

/** IEC 61260 base-10 third-octave centres from the 20 Hz band to the 20 kHz band, under Nyquist. */
export function thirdOctaveCentres(sampleRate: number): number[] {
  const out: number[] = [];
  for (let k = -17; k <= 13; k++) {
    const fc = 1000 * 10 ** (k / 10);
    if (fc * 10 ** (1 / 20) < sampleRate / 2) out.push(fc);
  }
  return out;
}

/** About 6 Hz resolution: 8192 points at 44.1/48 kHz, 32768 at 192 kHz. */
export function defaultFftSize(sampleRate: number): number {
  let n = 256;
  while (n < sampleRate / 6 && n < 65536) n *= 2;
  return n;
}
