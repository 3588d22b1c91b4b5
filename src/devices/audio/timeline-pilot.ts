/**
 * A sample counter on a spare output looped back (digitally) to a spare input: every returning
 * sample says which output sample it was, so any slip of the stream's timeline (a block dropped
 * or repeated somewhere below PortAudio without a flag, as the ALSA jack plugin does under heavy
 * load) is seen and counted instead of silently shifting the insert's round trip. Only for a
 * bit-exact loop (the JACK loopback, an interface's internal digital loopback).
 *
 * Silence on the pilot input (the device played silence for a late block) is not a slip: the
 * counter is expected to continue behind it.
 */
const MODULUS = 1 << 20; // exact in float32 (< 2^24), 21.8 s at 48 kHz before it wraps

export class TimelinePilot {
  readonly output: number;
  readonly input: number;
  #written = 0;
  #expected = -1;
  #slips = 0;

  /** 0-based interface channels. */
  constructor(output: number, input: number) {
    this.output = output;
    this.input = input;
  }

  /** Slips seen since construction. */
  get slips(): number {
    return this.#slips;
  }

  /** True once the counter has come back at least once. */
  get locked(): boolean {
    return this.#expected >= 0;
  }

  /** Fill the pilot output of this block. */
  write(output: readonly Float32Array[], frames: number): void {
    const out = output[this.output] as Float32Array;
    let n = this.#written;
    for (let i = 0; i < frames; i++) {
      out[i] = (n + 1) / MODULUS;
      n = n + 1 === MODULUS - 1 ? 0 : n + 1;
    }
    this.#written = n;
  }

  /** Check the pilot input of this block; returns the slips found in it (0 or 1). */
  check(input: readonly Float32Array[], frames: number): number {
    const x = input[this.input] as Float32Array;
    let expected = this.#expected;
    let slipped = 0;
    for (let i = 0; i < frames; i++) {
      const v = x[i] as number;
      if (v > 0) {
        const counter = Math.round(v * MODULUS) - 1;
        if (expected >= 0 && counter !== expected) slipped = 1;
        expected = counter + 1 === MODULUS - 1 ? 0 : counter + 1;
      } else if (expected >= 0) {
        expected = expected + 1 === MODULUS - 1 ? 0 : expected + 1;
      }
    }
    this.#expected = expected;
    this.#slips += slipped;
    return slipped;
  }
}
