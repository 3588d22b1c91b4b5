/** What `LoudnessMeter.read()` fills in. LUFS / LU; silence is -Infinity (LRA of silence is 0). */
export interface LoudnessReading {
  /** Momentary loudness (400 ms window) ending at the last sample processed. */
  momentaryLufs: number;
  /** Short-term loudness (3 s window) ending at the last sample processed. */
  shortTermLufs: number;
  /** Highest momentary loudness since the previous read(), over every sample position. */
  momentaryMaxSinceReadLufs: number;
  shortTermMaxSinceReadLufs: number;
  /** Highest momentary / short-term loudness since reset() (the programme maxima of Tech 3341). */
  momentaryMaxLufs: number;
  shortTermMaxLufs: number;
  /** Gated integrated loudness since reset() (BS.1770-4 §2.8). */
  integratedLufs: number;
  /** Loudness range since reset() (EBU Tech 3342). */
  loudnessRangeLu: number;
}

export function emptyLoudnessReading(): LoudnessReading {
  return {
    momentaryLufs: -Infinity,
    shortTermLufs: -Infinity,
    momentaryMaxSinceReadLufs: -Infinity,
    shortTermMaxSinceReadLufs: -Infinity,
    momentaryMaxLufs: -Infinity,
    shortTermMaxLufs: -Infinity,
    integratedLufs: -Infinity,
    loudnessRangeLu: 0,
  };
}
