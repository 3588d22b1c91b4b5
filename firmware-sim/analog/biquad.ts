/**
 * One second-order section, transposed direct form II, coefficients from R. Bristow-Johnson's
 * "Cookbook formulae for audio EQ biquad filter coefficients" (peaking, shelves with S = 1, high-pass).
 * Per-instance coefficients, a 2-value state per channel, nothing allocated after construction.
 */
export class Biquad {
  readonly #c = new Float64Array(5); // b0 b1 b2 a1 a2, normalised by a0
  readonly #z: Float64Array;
  /** An inactive section is skipped entirely (exact bypass, for null tests). */
  active = false;

  constructor(maxChannels: number) {
    this.#z = new Float64Array(maxChannels * 2);
  }

  reset(): void {
    this.#z.fill(0);
  }

  bypass(): void {
    this.active = false;
  }

  peaking(fs: number, freqHz: number, q: number, gainDb: number): void {
    if (gainDb === 0) return this.bypass();
    const a = Math.pow(10, gainDb / 40);
    const w = (2 * Math.PI * clampFreq(freqHz, fs)) / fs;
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    this.#set(1 + alpha * a, -2 * cos, 1 - alpha * a, 1 + alpha / a, -2 * cos, 1 - alpha / a);
  }

  lowShelf(fs: number, freqHz: number, gainDb: number): void {
    if (gainDb === 0) return this.bypass();
    const a = Math.pow(10, gainDb / 40);
    const w = (2 * Math.PI * clampFreq(freqHz, fs)) / fs;
    const cos = Math.cos(w);
    const alpha = (Math.sin(w) / 2) * Math.SQRT2; // shelf slope S = 1
    const k = 2 * Math.sqrt(a) * alpha;
    this.#set(
      a * (a + 1 - (a - 1) * cos + k),
      2 * a * (a - 1 - (a + 1) * cos),
      a * (a + 1 - (a - 1) * cos - k),
      a + 1 + (a - 1) * cos + k,
      -2 * (a - 1 + (a + 1) * cos),
      a + 1 + (a - 1) * cos - k,
    );
  }

  highShelf(fs: number, freqHz: number, gainDb: number): void {
    if (gainDb === 0) return this.bypass();
    const a = Math.pow(10, gainDb / 40);
    const w = (2 * Math.PI * clampFreq(freqHz, fs)) / fs;
    const cos = Math.cos(w);
    const alpha = (Math.sin(w) / 2) * Math.SQRT2;
    const k = 2 * Math.sqrt(a) * alpha;
    this.#set(
      a * (a + 1 + (a - 1) * cos + k),
      -2 * a * (a - 1 + (a + 1) * cos),
      a * (a + 1 + (a - 1) * cos - k),
      a + 1 - (a - 1) * cos + k,
      2 * (a - 1 - (a + 1) * cos),
      a + 1 - (a - 1) * cos - k,
    );
  }

  highpass(fs: number, freqHz: number, q = Math.SQRT1_2): void {
    if (freqHz <= 0) return this.bypass();
    const w = (2 * Math.PI * clampFreq(freqHz, fs)) / fs;
    const cos = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    this.#set((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
  }

  /** Filter `frames` samples of channel `ch` in place. */
  process(buf: Float64Array, ch: number, frames: number): void {
    if (!this.active) return;
    const c = this.#c;
    const b0 = c[0] as number;
    const b1 = c[1] as number;
    const b2 = c[2] as number;
    const a1 = c[3] as number;
    const a2 = c[4] as number;
    const zi = ch * 2;
    let z1 = this.#z[zi] as number;
    let z2 = this.#z[zi + 1] as number;
    for (let i = 0; i < frames; i++) {
      const x = buf[i] as number;
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      buf[i] = y;
    }
    // Flush denormals; scrub a blown-up state (NaN/Inf) instead of letting it spread.
    if (!(Math.abs(z1) > 1e-30) || !Number.isFinite(z1)) z1 = 0;
    if (!(Math.abs(z2) > 1e-30) || !Number.isFinite(z2)) z2 = 0;
    this.#z[zi] = z1;
    this.#z[zi + 1] = z2;
  }

  /** Magnitude response in dB at `freqHz` (for tests and the tablet's curve). */
  magnitudeDb(fs: number, freqHz: number): number {
    if (!this.active) return 0;
    const c = this.#c;
    const w = (2 * Math.PI * freqHz) / fs;
    const cos1 = Math.cos(w);
    const sin1 = Math.sin(w);
    const cos2 = Math.cos(2 * w);
    const sin2 = Math.sin(2 * w);
    const nr = (c[0] as number) + (c[1] as number) * cos1 + (c[2] as number) * cos2;
    const ni = -((c[1] as number) * sin1 + (c[2] as number) * sin2);
    const dr = 1 + (c[3] as number) * cos1 + (c[4] as number) * cos2;
    const di = -((c[3] as number) * sin1 + (c[4] as number) * sin2);
    return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
  }

  #set(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): void {
    this.#c[0] = b0 / a0;
    this.#c[1] = b1 / a0;
    this.#c[2] = b2 / a0;
    this.#c[3] = a1 / a0;
    this.#c[4] = a2 / a0;
    this.active = true;
  }
}

function clampFreq(freqHz: number, fs: number): number {
  return Math.min(Math.max(freqHz, 1), fs * 0.45);
}
