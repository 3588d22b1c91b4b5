/**
 * What the audio worker publishes for the meters, as the main thread reads it out of the
 * shared meter buffer. The tablet's binary frame, the MCU channel meters and the CLI all
 * consume this shape. Levels are dB (dBFS / LUFS / dBTP); silence is -Infinity.
 */
export interface StageLevels {
  /** Tap point id: `input`, `insertSend`, `insertReturn`, `output`. */
  readonly id: string;
  /** Per channel, max since the last publish. */
  readonly peakDb: readonly number[];
  readonly rmsDb: readonly number[];
  /** Per channel, peak hold with fall (ballistics from the meter settings). */
  readonly holdDb: readonly number[];
}

export interface LoudnessLevels {
  /** Highest momentary loudness (400 ms window, evaluated at every sample) since the last publish. */
  readonly momentaryLufs: number;
  /** Highest short-term loudness (3 s window) since the last publish. */
  readonly shortTermLufs: number;
  /** Gated programme loudness since the programme started (BS.1770-4 §2.8). */
  readonly integratedLufs: number;
  /** EBU Tech 3342 loudness range since the programme started; 0 until there is enough signal. */
  readonly loudnessRangeLu: number;
  /** Highest momentary / short-term loudness since the programme started (EBU Tech 3341). */
  readonly momentaryMaxLufs: number;
  readonly shortTermMaxLufs: number;
  /** Max true peak since reset (BS.1770 Annex 2). */
  readonly truePeakDbtp: number;
  readonly samplePeakDbfs: number;
  /** True peak minus integrated loudness. */
  readonly plrDb: number;
  /** Peak (true, short window) minus short-term loudness. */
  readonly psrDb: number;
}

export interface MeterSnapshot {
  /** Increments with every publish; a reader that sees the same seq twice has nothing new. */
  readonly seq: number;
  /** Audio time of the end of the last block measured, in seconds since the stream started. */
  readonly timeS: number;
  /**
   * Wall clock of the worker's publish (performance.timeOrigin + now()), when the reader asked
   * for it (MeterBufferReader#stampPublishes, AudioEngine#probeTiming: latency probes).
   */
  readonly publishedMs?: number;
  readonly loudness: LoudnessLevels;
  readonly stages: readonly StageLevels[];
  /** Gain reduction of every dynamics processor (digital and reported analog), positive dB. */
  readonly gainReduction: readonly { readonly id: string; readonly db: number }[];
  /** -1..+1, of the output. */
  readonly correlation: number;
  /** -1 (left) .. +1 (right), of the output. */
  readonly balance: number;
  /** Band centre frequencies (Hz) and levels (dB) of the output spectrum. */
  readonly spectrumHz: Float32Array;
  readonly spectrumDb: Float32Array;
  /** Input samples that were NaN/Inf and were scrubbed, since start. */
  readonly nonFiniteSamples: number;
  readonly xruns: number;
}

/** Anything that publishes meter snapshots (the audio worker host, a file player in tests). */
export interface MeterFeed {
  /** Called once per publish (at most at the worker's meter rate, e.g. 60 Hz). Returns unsubscribe. */
  subscribe(listener: (snapshot: MeterSnapshot) => void): () => void;
  latest(): MeterSnapshot | undefined;
}
