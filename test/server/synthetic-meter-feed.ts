import type { MeterFeed, MeterSnapshot } from '../../src/engine/meter-snapshot.ts';

export interface SyntheticFeedOptions {
  /** Stage ids (stereo each). */
  readonly stages?: readonly string[];
  readonly gainReduction?: readonly string[];
  /** Number of spectrum bands (log-spaced 20 Hz .. 20 kHz). */
  readonly bands?: number;
}

/**
 * A MeterFeed that publishes made-up but plausible snapshots: loudness that breathes around
 * -14 LUFS, stage levels, gain reduction and a pink-ish spectrum that move with time. For
 * tests and the benchmark until (and besides) the engine's real feed. `publish()` sends one
 * snapshot now; `start(hz)` publishes on a timer.
 */
export class SyntheticMeterFeed implements MeterFeed {
  readonly #listeners = new Set<(s: MeterSnapshot) => void>();
  readonly #stages: readonly string[];
  readonly #gr: readonly string[];
  readonly #hz: Float32Array;
  #seq = 0;
  #latest: MeterSnapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #integratedSum = 0;
  #timeS = 0;
  /** Audio seconds per publish; raise it to fill the loudness history quickly (a time-lapse). */
  timeStepS = 1 / 60;

  constructor(options: SyntheticFeedOptions = {}) {
    this.#stages = options.stages ?? ['input', 'insertReturn', 'output'];
    this.#gr = options.gainReduction ?? ['comp', 'limiter', 'outboard.comp1'];
    const bands = options.bands ?? 31;
    this.#hz = new Float32Array(bands);
    for (let i = 0; i < bands; i++) this.#hz[i] = 20 * Math.pow(1000, bands === 1 ? 0 : i / (bands - 1));
  }

  subscribe(listener: (snapshot: MeterSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  latest(): MeterSnapshot | undefined {
    return this.#latest;
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Publish one snapshot; `overrides` replaces top-level fields (e.g. a fixed loudness). */
  publish(overrides: Partial<MeterSnapshot> = {}): MeterSnapshot {
    const snap = { ...this.make(), ...overrides };
    this.#latest = snap;
    for (const l of this.#listeners) l(snap);
    return snap;
  }

  start(hz: number): void {
    this.stop();
    this.#timer = setInterval(() => this.publish(), 1000 / hz);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The next snapshot (advances seq), without publishing it. */
  make(): MeterSnapshot {
    const seq = ++this.#seq;
    this.#timeS += this.timeStepS;
    // Slow structure in audio time (sections of a song), fast flicker per publish.
    const a = this.#timeS;
    const t = seq / 60;
    const s = -14.5 + Math.sin(a / 37) * 2.2 + Math.sin(a / 9.3) * 0.9 + Math.sin(t * 0.9) * 0.6;
    const m = s + Math.sin(t * 13) * 1.5 + Math.sin(t * 4.1) * 0.8;
    this.#integratedSum += s;
    const i = this.#integratedSum / seq;
    const tp = -1.6 + Math.sin(t * 2.3) * 0.8;
    const level = (base: number, ch: number): number => base + Math.sin(t * 5 + ch) * 2;
    return {
      seq,
      timeS: a,
      loudness: {
        momentaryLufs: m,
        shortTermLufs: s,
        integratedLufs: i,
        loudnessRangeLu: 5.5 + Math.sin(t * 0.1),
        momentaryMaxLufs: -10.2,
        shortTermMaxLufs: -11.8,
        truePeakDbtp: tp,
        samplePeakDbfs: tp - 0.3,
        plrDb: tp - i,
        psrDb: tp - s,
      },
      stages: this.#stages.map((id, k) => ({
        id,
        peakDb: [level(-6 - k, 0), level(-6.5 - k, 1)],
        rmsDb: [level(-16 - k, 0), level(-16.5 - k, 1)],
        holdDb: [-3 - k, -3.4 - k],
      })),
      gainReduction: this.#gr.map((id, k) => ({ id, db: Math.max(0, 2 + k + Math.sin(t * 3 + k) * 2) })),
      correlation: 0.6 + Math.sin(t * 0.7) * 0.3,
      balance: Math.sin(t * 0.5) * 0.2,
      spectrumHz: this.#hz,
      spectrumDb: Float32Array.from(this.#hz, (f, k) => -20 - 3 * Math.log2(f / 100) + Math.sin(t * 2 + k * 0.4) * 4),
      nonFiniteSamples: 0,
      xruns: 0,
    };
  }
}
