/**
 * What a shared meter buffer holds, agreed by the audio worker (writer) and the main thread (reader).
 * Plain data, so it can be posted to the worker with the SharedArrayBuffer.
 */
export interface MeterLayout {
  /** Channels of every stage tap and of the output. */
  readonly channels: number;
  /** Tap point ids, in MeterBank stage index order (e.g. input, insertSend, insertReturn, output). */
  readonly stageIds: readonly string[];
  /** Dynamics processors whose gain reduction is shown, in setGainReduction index order. */
  readonly gainReductionIds: readonly string[];
  /** Bands of the output spectrum (SpectrumMeter.bandCount(sampleRate)). */
  readonly spectrumBands: number;
}

/**
 * Float64 offsets of one published frame ("slot"). Order inside a slot:
 *   0 seq, 1 timeS, 2 nonFiniteSamples, 3 xruns,
 *   4..13 loudness (momentary, shortTerm, integrated, loudnessRange, momentaryMax, shortTermMax,
 *         truePeak, samplePeak, plr, psr), 14 correlation, 15 balance,
 *   stages: for each stage, for each channel: peak, rms, hold,
 *   gain reduction: one per processor,
 *   spectrum: band frequencies, then band levels,
 *   publishedMs: the wall clock of the publish (performance.timeOrigin + now(), for latency probes).
 */
export interface MeterSlotOffsets {
  readonly seq: 0;
  readonly timeS: 1;
  readonly nonFinite: 2;
  readonly xruns: 3;
  readonly loudness: 4;
  readonly correlation: 14;
  readonly balance: 15;
  readonly stages: number;
  readonly gainReduction: number;
  readonly spectrumHz: number;
  readonly spectrumDb: number;
  readonly publishedMs: number;
  /** Float64 values per slot. */
  readonly length: number;
}

export const LOUDNESS_FIELDS = 10;

export function slotOffsets(layout: MeterLayout): MeterSlotOffsets {
  validateLayout(layout);
  const stages = 16;
  const gainReduction = stages + layout.stageIds.length * layout.channels * 3;
  const spectrumHz = gainReduction + layout.gainReductionIds.length;
  const spectrumDb = spectrumHz + layout.spectrumBands;
  return {
    seq: 0,
    timeS: 1,
    nonFinite: 2,
    xruns: 3,
    loudness: 4,
    correlation: 14,
    balance: 15,
    stages,
    gainReduction,
    spectrumHz,
    spectrumDb,
    publishedMs: spectrumDb + layout.spectrumBands,
    length: spectrumDb + layout.spectrumBands + 1,
  };
}

export function validateLayout(layout: MeterLayout): void {
  if (!Number.isInteger(layout.channels) || layout.channels < 1 || layout.channels > 64) {
    throw new TypeError(`meter layout: channels ${layout.channels} must be 1..64`);
  }
  if (!Number.isInteger(layout.spectrumBands) || layout.spectrumBands < 0 || layout.spectrumBands > 256) {
    throw new TypeError(`meter layout: spectrumBands ${layout.spectrumBands} must be 0..256`);
  }
  if (layout.stageIds.length > 64 || layout.gainReductionIds.length > 256) {
    throw new TypeError('meter layout: too many stages or gain reduction ids');
  }
}
