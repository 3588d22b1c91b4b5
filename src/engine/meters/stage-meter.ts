import { instantiateKernel } from '../dsp/wasm-kernel.ts';
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

/**
 * Frames per call of the WASM kernel (its input area in the kernel's memory). A caller's channel
 * array no longer than this is copied in whole with one native `set()` (no per-sample JS loop);
 * longer ones go in chunks.
 */
const WASM_CHUNK = 8192;
/** Byte offsets in the kernel's memory (dsp/wasm/stage-levels.wat). */
const WASM_INPUT = 256;
/** f64 index of each v128 (L, R) pair of the kernel's state. */
const K_PEAK = 0;
const K_MS = 2;
const K_MAX_MS = 4;
const K_HOLD = 6;
const K_LEFT = 8;
const K_BAD = 10;
const K_COEF = 12;
const K_GAIN = 14;
const K_FALL = 16;
const K_HOLD_SAMPLES = 18;

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
  #run: ((l: number, r: number, frames: number) => void) | null = null;
  /** The kernel's state (see K_*), its f32 input areas. */
  #k = new Float64Array(0);
  #kLeft = new Float32Array(0);
  #kRight = new Float32Array(0);
  /**
   * 'wasm' (default): a stereo pair runs through the WebAssembly SIMD kernel (both channels at
   * once, branch-free; the same state to the bit as the JS loop); 'js': the JS reference.
   */
  kernel: 'wasm' | 'js' = 'wasm';

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
    if (channels === 2) {
      const { memory, exports } = instantiateKernel('stage-levels', WASM_INPUT + 8 * WASM_CHUNK);
      this.#run = exports['run'] as (l: number, r: number, frames: number) => void;
      this.#k = new Float64Array(memory.buffer, 0, WASM_INPUT / 8);
      this.#kLeft = new Float32Array(memory.buffer, WASM_INPUT, WASM_CHUNK);
      this.#kRight = new Float32Array(memory.buffer, WASM_INPUT + 4 * WASM_CHUNK, WASM_CHUNK);
      const gain = 1 - this.#rmsCoef;
      const constants: [number, number][] = [
        [K_COEF, this.#rmsCoef],
        [K_GAIN, gain],
        [K_FALL, this.#fallPerSample],
        [K_HOLD_SAMPLES, this.#holdSamples],
      ];
      for (const [at, v] of constants) this.#k[at] = this.#k[at + 1] = v;
    } else this.#run = null;
  }

  reset(): void {
    this.#peak.fill(0);
    this.#meanSquare.fill(0);
    this.#maxMeanSquare.fill(0);
    this.#hold.fill(0);
    this.#holdLeft.fill(0);
  }

  process(input: readonly Float32Array[], frames: number): void {
    const l = input[0];
    const r = input[1];
    if (this.#run !== null && this.kernel === 'wasm' && l !== undefined && r !== undefined) {
      this.#processWasm(this.#run, l, r, frames);
      return;
    }
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

  /** Both channels of a stereo pair through the kernel: what #processChannel does, per lane. */
  #processWasm(run: (l: number, r: number, frames: number) => void, l: Float32Array, r: Float32Array, frames: number): void {
    const k = this.#k;
    const kl = this.#kLeft;
    const kr = this.#kRight;
    for (let c = 0; c < 2; c++) {
      k[K_PEAK + c] = this.#peak[c]!;
      k[K_MS + c] = this.#meanSquare[c]!;
      k[K_MAX_MS + c] = this.#maxMeanSquare[c]!;
      k[K_HOLD + c] = this.#hold[c]!;
      k[K_LEFT + c] = this.#holdLeft[c]!;
      k[K_BAD + c] = 0;
    }
    if (l.length <= WASM_CHUNK && r.length <= WASM_CHUNK) {
      // The whole arrays (frames <= length): a native copy, and subarray() would allocate.
      kl.set(l);
      kr.set(r);
      run(WASM_INPUT, WASM_INPUT + 4 * WASM_CHUNK, frames);
    } else {
      for (let done = 0; done < frames; done += WASM_CHUNK) {
        const n = frames - done < WASM_CHUNK ? frames - done : WASM_CHUNK;
        for (let i = 0; i < n; i++) {
          kl[i] = l[done + i]!;
          kr[i] = r[done + i]!;
        }
        run(WASM_INPUT, WASM_INPUT + 4 * WASM_CHUNK, n);
      }
    }
    for (let c = 0; c < 2; c++) {
      let ms = k[K_MS + c]!;
      let hold = k[K_HOLD + c]!;
      if (ms < FLUSH) ms = 0;
      if (hold < AMPLITUDE_FLOOR) hold = 0;
      this.#peak[c] = k[K_PEAK + c]!;
      this.#meanSquare[c] = ms;
      this.#maxMeanSquare[c] = k[K_MAX_MS + c]!;
      this.#hold[c] = hold;
      this.#holdLeft[c] = k[K_LEFT + c]!;
      this.#nonFinite += k[K_BAD + c]!;
    }
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
