import { LoudnessMatch, type MatchMode } from './loudness-match.ts';
import { ProtectionLimiter } from './protection-limiter.ts';

/** processed: the chain's output (A); source: the unprocessed source, time-aligned (B). */
export const AB_SOURCES = ['processed', 'source'] as const;
export type AbSource = (typeof AB_SOURCES)[number];

export interface MonitorOptions {
  /** Ramp from silence when the stream starts. */
  readonly fadeInMs: number;
  /** Mute and A/B crossfade time. */
  readonly rampMs: number;
}

/**
 * The monitor outs: what the speakers get. In order:
 *   A/B: the processed programme or the time-aligned source, crossfaded, each with its
 *        loudness-matching gain (LoudnessMatch) ramped;
 *   mute: the operator's mute, and the calibration's hold (a measurement signal never reaches
 *        the speakers), ramped, click-free;
 *   fade-in: after every stream start the outs ramp up from silence (never a full-scale start);
 *   protection limiter at 0 dBFS (ProtectionLimiter).
 * All ramps are linear in gain, per sample. Nothing allocates after prepare().
 */
export class MonitorOutput {
  readonly match = new LoudnessMatch();
  readonly limiter = new ProtectionLimiter();
  #channels = 0;
  #rampStep = 1 / 960;
  #fadeStep = 1 / 24000;
  #fade = 0;
  #mute = 1;
  #muteTarget = 1;
  #operatorMute = false;
  #held = false;
  #ab = 0;
  #abTarget = 0;
  #gP = 1;
  #gS = 1;
  #gainStep = 1 / 4800;

  get muted(): boolean {
    return this.#mute === 0 && this.#muteTarget === 0;
  }

  get ab(): AbSource {
    return this.#abTarget === 0 ? 'processed' : 'source';
  }

  prepare(sampleRate: number, maxBlock: number, channels: number, options: MonitorOptions): void {
    this.#channels = channels;
    this.#rampStep = 1 / Math.max(1, Math.round((options.rampMs * sampleRate) / 1000));
    this.#fadeStep = 1 / Math.max(1, Math.round((options.fadeInMs * sampleRate) / 1000));
    this.#gainStep = 1 / Math.max(1, Math.round((0.1 * sampleRate)));
    this.match.prepare(sampleRate, maxBlock, channels);
    this.limiter.prepare(sampleRate, channels, { ceilingDbfs: 0, lookaheadMs: 1, releaseMs: 80 });
    this.restart();
  }

  /** The stream (re)started: fade in from silence. */
  restart(): void {
    this.#fade = 0;
    this.limiter.reset();
  }

  setMute(on: boolean): void {
    this.#operatorMute = on;
    this.#muteTarget = this.#operatorMute || this.#held ? 0 : 1;
  }

  /** Held by the calibration while it measures (independent of the operator's mute). */
  holdMute(on: boolean): void {
    this.#held = on;
    this.#muteTarget = this.#operatorMute || this.#held ? 0 : 1;
  }

  setAb(source: AbSource): void {
    this.#abTarget = source === 'source' ? 1 : 0;
  }

  setMatchMode(mode: MatchMode): void {
    this.match.setMode(mode);
  }

  /**
   * `processed` and `source` are the program channels (not modified); `out` receives the monitor
   * signal. `forceMute`: the insert is measuring (belt and braces: it also passes silence).
   */
  process(processed: readonly Float32Array[], source: readonly Float32Array[], out: readonly Float32Array[], frames: number, forceMute: boolean): void {
    this.match.process(processed, source, frames);
    const tP = Math.pow(10, this.match.processedGainDb / 20);
    const tS = Math.pow(10, this.match.sourceGainDb / 20);
    const muteTarget = forceMute ? 0 : this.#muteTarget;
    const n = this.#channels;
    let fade = 0;
    let mute = 0;
    let ab = 0;
    let gP = 0;
    let gS = 0;
    for (let c = 0; c < n; c++) {
      const p = processed[c] as Float32Array;
      const s = source[c] as Float32Array;
      const o = out[c] as Float32Array;
      fade = this.#fade;
      mute = this.#mute;
      ab = this.#ab;
      gP = this.#gP;
      gS = this.#gS;
      for (let i = 0; i < frames; i++) {
        fade = towards(fade, 1, this.#fadeStep);
        mute = towards(mute, forceMute ? 0 : muteTarget, forceMute ? 1 : this.#rampStep);
        ab = towards(ab, this.#abTarget, this.#rampStep);
        gP = towards(gP, tP, this.#gainStep);
        gS = towards(gS, tS, this.#gainStep);
        const g = fade * mute;
        o[i] = g * ((1 - ab) * gP * (p[i] as number) + ab * gS * (s[i] as number));
      }
    }
    this.#fade = fade;
    this.#mute = mute;
    this.#ab = ab;
    this.#gP = gP;
    this.#gS = gS;
    this.limiter.process(out, frames);
  }
}

function towards(v: number, target: number, step: number): number {
  if (v < target) return v + step < target ? v + step : target;
  if (v > target) return v - step > target ? v - step : target;
  return v;
}
