import { onePoleCoefficient } from './ballistics.ts';

/** What `CorrelationMeter.read()` fills in. */
export interface CorrelationReading {
  /** Phase correlation of the first two channels, -1 (anti-phase) .. +1 (mono); 0 for silence. */
  correlation: number;
  /** Power balance, -1 (all left) .. +1 (all right); 0 for silence or a centred image. */
  balance: number;
}

/** Averages below this (-200 dB) count as silence; the states are flushed to zero there. */
const FLOOR = 1e-20;

/**
 * Stereo correlation and balance of channels 0 and 1, from one-pole averages (time constant
 * `windowMs`) of L^2, R^2 and L*R, updated per sample so the reading does not depend on the block size:
 * correlation = <LR> / sqrt(<L^2><R^2>), balance = (<R^2> - <L^2>) / (<R^2> + <L^2>).
 * A mono signal reads correlation +1 and balance 0.
 */
export class CorrelationMeter {
  #coef = 0;
  #ll = 0;
  #rr = 0;
  #lr = 0;
  #mono = false;

  prepare(sampleRate: number, channels: number, windowMs: number): void {
    if (!(sampleRate > 0) || !(windowMs > 0)) throw new RangeError(`correlation meter: rate ${sampleRate}, window ${windowMs} ms`);
    this.#coef = onePoleCoefficient(windowMs, sampleRate);
    this.#mono = channels < 2;
    this.reset();
  }

  reset(): void {
    this.#ll = 0;
    this.#rr = 0;
    this.#lr = 0;
  }

  process(input: readonly Float32Array[], frames: number): void {
    const left = input[0];
    const right = this.#mono ? left : input[1];
    if (left === undefined || right === undefined) return;
    const k = this.#coef;
    const g = 1 - k;
    let ll = this.#ll;
    let rr = this.#rr;
    let lr = this.#lr;
    for (let i = 0; i < frames; i++) {
      let l = left[i]!;
      let r = right[i]!;
      // Non-finite samples are counted by the loudness path; here they only must not poison the state.
      if (l - l !== 0) l = 0;
      if (r - r !== 0) r = 0;
      ll = k * ll + g * l * l;
      rr = k * rr + g * r * r;
      lr = k * lr + g * l * r;
    }
    if (ll < FLOOR) ll = 0;
    if (rr < FLOOR) rr = 0;
    if (lr < FLOOR && lr > -FLOOR) lr = 0;
    this.#ll = ll;
    this.#rr = rr;
    this.#lr = lr;
  }

  read(out: CorrelationReading): void {
    const ll = this.#ll;
    const rr = this.#rr;
    const both = ll * rr;
    let corr = both > FLOOR * FLOOR ? this.#lr / Math.sqrt(both) : 0;
    if (corr > 1) corr = 1;
    else if (corr < -1) corr = -1;
    out.correlation = corr;
    const sum = ll + rr;
    out.balance = sum > FLOOR ? (rr - ll) / sum : 0;
  }
}
