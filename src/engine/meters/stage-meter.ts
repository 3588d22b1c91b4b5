import { onePoleCoefficient, resolveBallistics, type Ballistics } from './ballistics.ts';
import { AMPLITUDE_FLOOR, amplitudeToDb, powerToDb } from './levels.ts';

/** What `StageMeter.read()` fills in, per channel (dBFS; silence -Infinity). Arrays are reused. */
export interface StageReading {
  /** Highest |sample| since the previous read(). */
  readonly peakDb: Float64Array;
  /** Highest RMS (exponential, `rmsWindowMs`) since the previous read(). */
  readonly rmsDb: Float64Array;
  /** Peak hold with fall at the time of the read. */
  readonly holdDb: Float64Array;
}

export function emptyStageReading(channels: number): StageReading {
  return {
    peakDb: new Float64Array(channels).fill(-Infinity),
    rmsDb: new Float64Array(channels).fill(-Infinity),
    holdDb: new Float64Array(channels).fill(-Infinity),
  };
}

/** The one-pole states are flushed to zero below this (-200 dB) so they never become denormal. */
const FLUSH = 1e-20;

/**
 * Peak, RMS and peak-hold-with-fall of every channel of one tap point (input, insert send/return,
 * output). Everything runs per sample, so the readings do not depend on the block size: the RMS is a
 * one-pole average of x^2, and the held peak restarts its hold timer on every new maximum and then
 * falls by a constant factor per sample.
 */
export class StageMeter {
  #channels = 0;
  #ballistics: Ballistics = resolveBallistics();
  #rmsCoef = 0;
  #holdSamples = 0;
  #fallPerSample = 1;
  #peak = new Float64Array(0);
  #meanSquare = new Float64Array(0);
  #maxMeanSquare = new Float64Array(0);
  #hold = new Float64Array(0);
  #holdLeft = new Float64Array(0);
  #nonFinite = 0;
  /** Stands in for a channel the caller did not pass: 0.1 s of silence, fed as often as needed. */
  #silent = new Float32Array(0);

  get channels(): number {
    return this.#channels;
  }

  get ballistics(): Ballistics {
    return this.#ballistics;
  }

  get nonFiniteSamples(): number {
    return this.#nonFinite;
  }

  prepare(sampleRate: number, channels: number, ballistics: Partial<Ballistics> = {}): void {
    if (!(sampleRate > 0)) throw new RangeError(`stage meter: sample rate ${sampleRate}`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new RangeError(`stage meter: ${channels} channels`);
    this.#channels = channels;
    this.#ballistics = resolveBallistics(ballistics);
    this.#rmsCoef = onePoleCoefficient(this.#ballistics.rmsWindowMs, sampleRate);
    this.#holdSamples = Math.round((this.#ballistics.peakHoldMs * sampleRate) / 1000);
    this.#fallPerSample = 10 ** (-this.#ballistics.peakFallDbPerS / 20 / sampleRate);
    this.#peak = new Float64Array(channels);
    this.#meanSquare = new Float64Array(channels);
    this.#maxMeanSquare = new Float64Array(channels);
    this.#hold = new Float64Array(channels);
    this.#holdLeft = new Float64Array(channels);
    this.#silent = new Float32Array(Math.max(1, Math.round(sampleRate / 10)));
    this.#nonFinite = 0;
  }

  reset(): void {
    this.#peak.fill(0);
    this.#meanSquare.fill(0);
    this.#maxMeanSquare.fill(0);
    this.#hold.fill(0);
    this.#holdLeft.fill(0);
  }

  process(input: readonly Float32Array[], frames: number): void {
    for (let c = 0; c < this.#channels; c++) {
      const x = input[c];
      if (x !== undefined) {
        this.#processChannel(c, x, 0, frames);
        continue;
      }
      // A channel the caller did not pass: silence (the hold still falls, the RMS still decays).
      for (let done = 0; done < frames; done += this.#silent.length) this.#processChannel(c, this.#silent, 0, Math.min(this.#silent.length, frames - done));
    }
  }

  #processChannel(c: number, x: Float32Array, offset: number, frames: number): void {
    const coef = this.#rmsCoef;
    const gain = 1 - coef;
    const fall = this.#fallPerSample;
    const holdSamples = this.#holdSamples;
    let bad = 0;
    let peak = this.#peak[c]!;
    let ms = this.#meanSquare[c]!;
    let maxMs = this.#maxMeanSquare[c]!;
    let hold = this.#hold[c]!;
    let left = this.#holdLeft[c]!;
    for (let i = 0; i < frames; i++) {
      let v = x[offset + i]!;
      if (v - v !== 0) {
        v = 0;
        bad++;
      }
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      ms = coef * ms + gain * v * v;
      if (ms > maxMs) maxMs = ms;
      if (a >= hold) {
        hold = a;
        left = holdSamples;
      } else if (left > 0) left--;
      else hold *= fall;
    }
    if (ms < FLUSH) ms = 0;
    if (hold < AMPLITUDE_FLOOR) hold = 0;
    this.#peak[c] = peak;
    this.#meanSquare[c] = ms;
    this.#maxMeanSquare[c] = maxMs;
    this.#hold[c] = hold;
    this.#holdLeft[c] = left;
    this.#nonFinite += bad;
  }

  read(out: StageReading): void {
    for (let c = 0; c < this.#channels; c++) {
      out.peakDb[c] = amplitudeToDb(this.#peak[c]!);
      out.rmsDb[c] = powerToDb(this.#maxMeanSquare[c]!);
      out.holdDb[c] = amplitudeToDb(this.#hold[c]!);
      this.#peak[c] = 0;
      this.#maxMeanSquare[c] = this.#meanSquare[c]!;
    }
  }
}
