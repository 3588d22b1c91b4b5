import { cicPowerGain } from './cic-decimator.ts';
import { CicPairDecimator } from './cic-pair-decimator.ts';
import { powerToDb } from './levels.ts';
import { SpectrumLayout, type IngestKernel } from './spectrum-kernels.ts';
import { SpectrumStage, type StageBand } from './spectrum-stage.ts';

/** Largest decimation of the low stage (8: 48 kHz -> 6 kHz). */
const MAX_DECIMATION = 8;
/** Smallest FFT of a stage. */
const MIN_STAGE_SIZE = 256;
/** A band goes to the full-rate stage when it is at least this many of its bins wide. */
const MIN_BINS_PER_BAND = 2.5;
/** Order of the CIC decimator (aliases onto the low bands below -75 dB, see cic-decimator.ts). */
const CIC_ORDER = 5;
/** The low stage's bands must end below this fraction of its rate (the decimator's passband). */
const LOW_STAGE_MAX_FRACTION = 0.2;
/**
 * Frames per channel of the Float32 staging in the kernels' memory: a block up to this long is
 * copied in with one native set() per channel; a longer one goes through in pieces (a JS copy).
 */
const STAGING_FRAMES = 8192;

/**
 * Third-octave spectrum for the tablet (IEC 61260 base-10 band centres 1000 * 10^(k/10) Hz, from the
 * 20 Hz band to the 20 kHz band or the last one under Nyquist).
 *
 * Two resolutions, each a Hann-windowed FFT whose bin powers are summed into the bands with the
 * fraction of each bin inside the band (spectrum-stage.ts):
 * - the low bands (narrower than 2.5 bins of the full-rate stage: under ~600 Hz at 48 kHz) are
 *   analysed after a CIC decimation by D (8 by default) with an FFT of fftSize / D points every
 *   fftSize / (4 D) samples: the same ~6 Hz resolution and 75 % overlap as one fftSize-point FFT,
 *   at 1/D of the rate; the decimator's known droop is divided out per bin;
 * - the other bands with an fftSize / D-point FFT at the full rate every fftSize / (2 D) samples
 *   (47 Hz bins at 48 kHz, at least 2.5 per band; 50 % overlap, so every sample has a window
 *   weight of at least 1/2 in some analysis, a hop of 10.7 ms at 48 kHz: well above a 60 Hz
 *   display's rate).
 * Per sample this costs about a fifth of one fftSize-point FFT every fftSize / 4 samples. Levels are
 * calibrated so that a sine of amplitude A centred in a band reads 20 log10(A) dB, averaged over
 * channels (a mono signal on both channels reads like the mono signal). read() returns the highest
 * level of each band since the previous read. Both stages advance per sample, so the result is the
 * same whatever the block size.
 *
 * Everything runs in one WebAssembly memory (spectrum-kernels.ts): the input is staged there as
 * Float32, scrubbed (NaN/Inf -> 0) and widened into the full-rate stage's buffer, the decimator
 * reads that buffer and writes the low stage's, and each stage windows, transforms and sums its
 * bands there; with `kernel` 'js' the same data goes through the JS reference loops instead.
 */
export class SpectrumMeter {
  #channels = 0;
  #size = 0;
  readonly #high = new SpectrumStage();
  readonly #low = new SpectrumStage();
  readonly #decimator = new CicPairDecimator();
  #decimation = 1;
  #f32: Float32Array = new Float32Array(0);
  #f64: Float64Array = new Float64Array(0);
  #ingest: IngestKernel | null = null;
  /** Byte addresses of channel 0's staging (channel c's at + 4 STAGING_FRAMES c), and of zeros. */
  #stagingAt = 0;
  #zerosAt = 0;
  /** Per channel, while a piece of the input is processed: the byte address of its first frame. */
  #sourceAt = new Int32Array(0);
  #bandHz = new Float64Array(0);
  #maxSinceRead = new Float64Array(0);

  /** 'wasm' (default) or 'js': the input's staging, both stages and the decimator (see their `kernel`). */
  get kernel(): 'wasm' | 'js' {
    return this.#high.kernel;
  }

  set kernel(k: 'wasm' | 'js') {
    this.#high.kernel = k;
    this.#low.kernel = k;
    this.#decimator.kernel = k;
  }

  /** Number of bands for `sampleRate` (what the meter layout needs before prepare()). */
  static bandCount(sampleRate: number): number {
    return thirdOctaveCentres(sampleRate).length;
  }

  get bands(): number {
    return this.#bandHz.length;
  }

  /** The resolution of the lowest bands, as the size of one full-rate FFT with the same bin width. */
  get fftSize(): number {
    return this.#size;
  }

  prepare(sampleRate: number, channels: number, fftSize = defaultFftSize(sampleRate)): void {
    if (!(sampleRate > 0)) throw new RangeError(`spectrum meter: sample rate ${sampleRate}`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new RangeError(`spectrum meter: ${channels} channels`);
    if (!Number.isInteger(Math.log2(fftSize)) || fftSize < 256 || fftSize > 65536) throw new RangeError(`spectrum meter: FFT size ${fftSize}`);
    this.#channels = channels;
    this.#size = fftSize;
    const centres = thirdOctaveCentres(sampleRate);
    this.#bandHz = Float64Array.from(centres);
    this.#maxSinceRead = new Float64Array(centres.length);
    let d = MAX_DECIMATION;
    while (d > 1 && fftSize / d < MIN_STAGE_SIZE) d /= 2;
    const size = fftSize / d;
    const lowRate = sampleRate / d;
    const highBinHz = sampleRate / size;
    const high: StageBand[] = [];
    const low: StageBand[] = [];
    centres.forEach((fc, index) => {
      const band = { index, loHz: fc * 10 ** (-1 / 20), hiHz: fc * 10 ** (1 / 20) };
      const narrow = band.hiHz - band.loHz < MIN_BINS_PER_BAND * highBinHz;
      if (d > 1 && narrow && band.hiHz < LOW_STAGE_MAX_FRACTION * lowRate) low.push(band);
      else high.push(band);
    });
    if (low.length === 0) d = 1;
    this.#decimation = d;
    // One stage only (small FFT sizes): the full-rate stage at fftSize, 75 % overlap.
    const highSize = d === 1 ? fftSize : size;
    const layout = new SpectrumLayout();
    this.#high.prepare(sampleRate, highSize, d === 1 ? highSize / 4 : highSize / 2, channels, d === 1 ? [...high, ...low] : high, () => 1, layout);
    this.#low.prepare(lowRate, size, size / 4, channels, d === 1 ? [] : low, (hz) => cicPowerGain(hz, sampleRate, d, CIC_ORDER), layout);
    this.#decimator.prepare(d, CIC_ORDER, layout);
    this.#stagingAt = layout.reserve(4 * STAGING_FRAMES * channels);
    this.#zerosAt = layout.reserve(4 * STAGING_FRAMES);
    const kernels = layout.open();
    this.#high.bind(kernels);
    this.#low.bind(kernels);
    this.#decimator.bind(kernels);
    this.#f32 = kernels.f32;
    this.#f64 = kernels.f64;
    this.#ingest = kernels.ingest;
    this.#sourceAt = new Int32Array(channels);
    this.reset();
  }

  reset(): void {
    this.#high.reset();
    this.#low.reset();
    this.#decimator.reset();
    this.#maxSinceRead.fill(0);
  }

  /** Band centre frequencies (Hz) into `out`. */
  frequencies(out: Float64Array | Float32Array, offset = 0): void {
    for (let b = 0; b < this.#bandHz.length; b++) out[offset + b] = this.#bandHz[b]!;
  }

  process(input: readonly Float32Array[], frames: number): void {
    const wasm = this.#ingest !== null && this.#high.kernel === 'wasm';
    let i = 0;
    while (i < frames) {
      let n = frames - i;
      if (wasm) {
        if (n > STAGING_FRAMES) n = STAGING_FRAMES;
        this.#stage(input, i, n, frames);
      }
      this.#run(input, i, n);
      i += n;
    }
  }

  /** Frames from..from + n of every channel into the staging (`#sourceAt`). */
  #stage(input: readonly Float32Array[], from: number, n: number, frames: number): void {
    const f32 = this.#f32;
    for (let c = 0; c < this.#channels; c++) {
      const x = input[c];
      const at = this.#stagingAt + 4 * STAGING_FRAMES * c;
      if (x === undefined) this.#sourceAt[c] = this.#zerosAt;
      else if (from === 0 && x.length >= frames && x.length <= STAGING_FRAMES) {
        // The whole array (native; subarray() would allocate).
        f32.set(x, at / 4);
        this.#sourceAt[c] = at;
      } else {
        for (let k = 0; k < n; k++) f32[at / 4 + k] = x[from + k]!;
        this.#sourceAt[c] = at;
      }
    }
  }

  /** Frames from..from + count (staged when the kernel is 'wasm') through both stages. */
  #run(input: readonly Float32Array[], from: number, count: number): void {
    const high = this.#high;
    const low = this.#low;
    const dec = this.#decimator;
    const twoStage = this.#decimation > 1;
    const ingest = this.#high.kernel === 'wasm' ? this.#ingest : null;
    const channels = this.#channels;
    const maxSinceRead = this.#maxSinceRead;
    const end = from + count;
    let i = from;
    while (i < end) {
      // Up to the next analysis of either stage, so each sees exactly its hop.
      let n = end - i;
      if (high.hopLeft < n) n = high.hopLeft;
      if (twoStage) {
        const untilLow = dec.untilOutput + (low.hopLeft - 1) * dec.factor;
        if (untilLow < n) n = untilLow;
      }
      high.makeRoom(n);
      if (twoStage) low.makeRoom(low.hopLeft);
      let m = 0;
      for (let c = 0; c < channels; c += 2) {
        const at = high.writeAt(c >> 1);
        if (ingest !== null) {
          const offset = 4 * (i - from);
          const b = c + 1 < channels ? this.#sourceAt[c + 1]! : this.#zerosAt;
          ingest(this.#sourceAt[c]! + offset, b + offset, n, at);
        } else {
          this.#ingestJs(input[c], i, n, at / 8);
          if (c + 1 < channels) this.#ingestJs(input[c + 1], i, n, at / 8 + 1);
        }
        if (twoStage) m = dec.process(at, n, low.writeAt(c >> 1));
      }
      high.advance(n, maxSinceRead);
      if (twoStage) {
        dec.advance(n);
        if (m > 0) low.advance(m, maxSinceRead);
      }
      i += n;
    }
  }

  /** The reference of wasm/spectrum.wat ingest: x[from..from + n), scrubbed, to every other f64 from `to`. */
  #ingestJs(x: Float32Array | undefined, from: number, n: number, to: number): void {
    const f64 = this.#f64;
    if (x === undefined) {
      for (let k = 0; k < n; k++) f64[to + 2 * k] = 0;
      return;
    }
    for (let k = 0; k < n; k++) {
      const v = x[from + k]!;
      f64[to + 2 * k] = v - v === 0 ? v : 0;
    }
  }

  /** Highest band levels (dB) since the previous read into `out` (from `offset`), then re-arm. */
  read(out: Float64Array | Float32Array, offset = 0): void {
    for (let b = 0; b < this.#maxSinceRead.length; b++) {
      out[offset + b] = powerToDb(2 * this.#maxSinceRead[b]!);
      this.#maxSinceRead[b] = 0;
    }
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
