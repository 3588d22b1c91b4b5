import { resolveBallistics, type Ballistics } from './ballistics.ts';
import { CorrelationMeter, type CorrelationReading } from './correlation-meter.ts';
import { GainReductionMeter } from './gain-reduction-meter.ts';
import { levelDifferenceDb } from './levels.ts';
import { emptyLoudnessReading, LoudnessMeter } from './loudness-meter.ts';
import type { MeterBufferWriter } from './meter-buffer.ts';
import type { MeterLayout } from './meter-layout.ts';
import { SpectrumMeter } from './spectrum-meter.ts';
import { emptyStageReading, StageMeter, type StageReading } from './stage-meter.ts';
import { emptyPeakReading, TruePeakMeter } from './true-peak-meter.ts';

export interface MeterBankOptions {
  /** Stage meter and correlation ballistics (defaults: ballistics.ts). */
  readonly ballistics?: Partial<Ballistics>;
  /** Loudness channel weights of the output (default from the channel count). */
  readonly channelWeights?: ArrayLike<number>;
  /** Spectrum FFT size (default about 6 Hz resolution). */
  readonly fftSize?: number;
}

/**
 * Every meter of the engine, as the audio worker drives it:
 *
 *   prepare(...)            once, off the audio path (allocates everything)
 *   tap(i, block, frames)   per block at each tap point: peak / RMS / hold of stage i
 *   measure(block, frames)  per block on the output: loudness, true peak, correlation, balance, spectrum
 *   setGainReduction(i, dB) per block from each dynamics processor
 *   countNonFinite(n), countXrun()
 *   publish(writer)         at the meter rate (e.g. 60 Hz): one frame into the shared meter buffer
 *
 * Nothing after prepare() allocates, waits or throws. Stage and spectrum values in a frame are the
 * maxima since the previous publish; momentary / short-term are the maxima since the previous publish
 * too (so a 60 Hz display never misses a peak); the programme values (integrated, LRA, the M/S maxima,
 * true and sample peak) run since prepare() or resetProgramme().
 */
export class MeterBank {
  #sampleRate = 0;
  #channels = 0;
  #stageIds: readonly string[] = [];
  #gainReductionIds: readonly string[] = [];
  #stages: StageMeter[] = [];
  #stageReadings: StageReading[] = [];
  readonly #loudness = new LoudnessMeter();
  readonly #truePeak = new TruePeakMeter();
  readonly #correlation = new CorrelationMeter();
  readonly #gainReduction = new GainReductionMeter();
  readonly #spectrum = new SpectrumMeter();
  readonly #loudnessReading = emptyLoudnessReading();
  readonly #peakReading = emptyPeakReading();
  readonly #correlationReading: CorrelationReading = { correlation: 0, balance: 0 };
  #frames = 0;
  #seq = 0;
  #reportedNonFinite = 0;
  #xruns = 0;

  /** The layout a bank prepared with these arguments publishes (for createMeterBuffer on the main thread). */
  static layoutFor(sampleRate: number, channels: number, stageIds: readonly string[], gainReductionIds: readonly string[]): MeterLayout {
    return {
      channels,
      stageIds: [...stageIds],
      gainReductionIds: [...gainReductionIds],
      spectrumBands: SpectrumMeter.bandCount(sampleRate),
    };
  }

  get layout(): MeterLayout {
    return MeterBank.layoutFor(this.#sampleRate, this.#channels, this.#stageIds, this.#gainReductionIds);
  }

  prepare(
    sampleRate: number,
    maxBlock: number,
    channels: number,
    stageIds: readonly string[],
    gainReductionIds: readonly string[],
    options: MeterBankOptions = {},
  ): void {
    const ballistics = resolveBallistics(options.ballistics);
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#stageIds = [...stageIds];
    this.#gainReductionIds = [...gainReductionIds];
    this.#stages = stageIds.map(() => {
      const m = new StageMeter();
      m.prepare(sampleRate, channels, ballistics);
      return m;
    });
    this.#stageReadings = stageIds.map(() => emptyStageReading(channels));
    this.#loudness.prepare(sampleRate, maxBlock, channels, options.channelWeights === undefined ? {} : { weights: options.channelWeights });
    this.#truePeak.prepare(sampleRate, maxBlock, channels, { trackWindow: true });
    this.#correlation.prepare(sampleRate, channels, ballistics.correlationWindowMs);
    this.#gainReduction.prepare(gainReductionIds.length);
    this.#spectrum.prepare(sampleRate, channels, options.fftSize);
    this.#frames = 0;
    this.#seq = 0;
    this.#reportedNonFinite = 0;
    this.#xruns = 0;
  }

  /** Start a new programme (integrated, LRA, maxima, peaks), e.g. when a print starts. */
  resetProgramme(): void {
    this.#loudness.reset();
    this.#truePeak.reset();
  }

  tap(stageIndex: number, channels: readonly Float32Array[], frames: number): void {
    const m = this.#stages[stageIndex];
    if (m !== undefined) m.process(channels, frames);
  }

  measure(channels: readonly Float32Array[], frames: number): void {
    this.#loudness.process(channels, frames);
    this.#truePeak.process(channels, frames);
    this.#correlation.process(channels, frames);
    this.#spectrum.process(channels, frames);
    this.#frames += frames;
  }

  setGainReduction(index: number, db: number): void {
    this.#gainReduction.set(index, db);
  }

  /** NaN/Inf samples the worker scrubbed before the meters saw them. */
  countNonFinite(n: number): void {
    if (n > 0) this.#reportedNonFinite += n;
  }

  countXrun(): void {
    this.#xruns++;
  }

  publish(writer: MeterBufferWriter): void {
    const v = writer.begin();
    const o = writer.offsets;
    const lr = this.#loudnessReading;
    const pr = this.#peakReading;
    const cr = this.#correlationReading;
    this.#loudness.read(lr);
    this.#truePeak.read(pr);
    this.#correlation.read(cr);
    v[o.seq] = ++this.#seq;
    v[o.timeS] = this.#frames / this.#sampleRate;
    v[o.nonFinite] = this.#reportedNonFinite + this.#loudness.nonFiniteSamples;
    v[o.xruns] = this.#xruns;
    const l = o.loudness;
    v[l] = lr.momentaryMaxSinceReadLufs;
    v[l + 1] = lr.shortTermMaxSinceReadLufs;
    v[l + 2] = lr.integratedLufs;
    v[l + 3] = lr.loudnessRangeLu;
    v[l + 4] = lr.momentaryMaxLufs;
    v[l + 5] = lr.shortTermMaxLufs;
    v[l + 6] = pr.truePeakDbtp;
    v[l + 7] = pr.samplePeakDbfs;
    v[l + 8] = levelDifferenceDb(pr.truePeakDbtp, lr.integratedLufs);
    v[l + 9] = levelDifferenceDb(pr.windowTruePeakDbtp, lr.shortTermLufs);
    v[o.correlation] = cr.correlation;
    v[o.balance] = cr.balance;
    const ch = this.#channels;
    for (let s = 0; s < this.#stages.length; s++) {
      const r = this.#stageReadings[s]!;
      this.#stages[s]!.read(r);
      const base = o.stages + s * ch * 3;
      for (let c = 0; c < ch; c++) {
        v[base + c * 3] = r.peakDb[c]!;
        v[base + c * 3 + 1] = r.rmsDb[c]!;
        v[base + c * 3 + 2] = r.holdDb[c]!;
      }
    }
    this.#gainReduction.read(v, o.gainReduction);
    this.#spectrum.frequencies(v, o.spectrumHz);
    this.#spectrum.read(v, o.spectrumDb);
    writer.commit();
  }
}
