import { LoudnessMeter } from '../meters/loudness-meter.ts';

/** off: no matching; integrated: gated loudness since play started (BS.1770-4 §2.8); shortTerm: the last 3 s (EBU Tech 3341). */
export const MATCH_MODES = ['off', 'integrated', 'shortTerm'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

/** Gains are re-evaluated every 100 ms of audio (the gating-block hop of BS.1770). */
const UPDATE_MS = 100;
/** Never correct by more than this (a silent source would otherwise ask for +70 dB). */
const MAX_CORRECTION_DB = 24;

/**
 * Loudness matching for the A/B: the processed programme and the source (delayed by the chain's
 * latency, so both are the same music at the same instant) are metered with BS.1770 loudness, and
 * the louder one is turned down by the difference, so that the comparison is at equal loudness
 * ("louder sounds better" is the oldest trap in mastering). Only ever attenuates: the monitor
 * limiter never has to act on a boost the matching made.
 *
 * process() meters and, every 100 ms of audio, updates the two target gains; the monitor ramps
 * towards them. Nothing allocates after prepare().
 */
export class LoudnessMatch {
  readonly #processed = new LoudnessMeter();
  readonly #source = new LoudnessMeter();
  #mode: MatchMode = 'shortTerm';
  #hop = 4800;
  #untilUpdate = 4800;
  #processedGainDb = 0;
  #sourceGainDb = 0;
  #differenceLu = 0;

  get mode(): MatchMode {
    return this.#mode;
  }

  /** dB to apply to the processed signal (<= 0). */
  get processedGainDb(): number {
    return this.#mode === 'off' ? 0 : this.#processedGainDb;
  }

  /** dB to apply to the source (<= 0). */
  get sourceGainDb(): number {
    return this.#mode === 'off' ? 0 : this.#sourceGainDb;
  }

  /** Processed minus source loudness at the last update, LU (what the matching corrects). */
  get differenceLu(): number {
    return this.#differenceLu;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.#processed.prepare(sampleRate, maxBlock, channels);
    this.#source.prepare(sampleRate, maxBlock, channels);
    this.#hop = Math.round((UPDATE_MS * sampleRate) / 1000);
    this.reset();
  }

  setMode(mode: MatchMode): void {
    this.#mode = mode;
  }

  /** A new programme (play from a new position): forget what was measured. Keeps the current gains. */
  reset(): void {
    this.#processed.reset();
    this.#source.reset();
    this.#untilUpdate = this.#hop;
  }

  process(processed: readonly Float32Array[], source: readonly Float32Array[], frames: number): void {
    if (this.#mode === 'off') return;
    this.#processed.process(processed, frames);
    this.#source.process(source, frames);
    this.#untilUpdate -= frames;
    if (this.#untilUpdate > 0) return;
    this.#untilUpdate += this.#hop;
    const p = this.#mode === 'integrated' ? this.#processed.integratedLufs() : this.#processed.shortTermLufs();
    const s = this.#mode === 'integrated' ? this.#source.integratedLufs() : this.#source.shortTermLufs();
    // Below the absolute gate (silence, a pause): keep the gains measured on the music.
    if (!(p > -70) || !(s > -70)) return;
    let d = p - s;
    if (d > MAX_CORRECTION_DB) d = MAX_CORRECTION_DB;
    else if (d < -MAX_CORRECTION_DB) d = -MAX_CORRECTION_DB;
    this.#differenceLu = d;
    if (d > 0) {
      this.#processedGainDb = -d;
      this.#sourceGainDb = 0;
    } else {
      this.#processedGainDb = 0;
      this.#sourceGainDb = d;
    }
  }
}
