/**
 * The block API every simulated unit's audio model offers, for the simulated interface's insert loop.
 * Lifecycle as in libebur128: allocate in `prepare`, then `process` is plain arithmetic in place on
 * preallocated arrays (no allocation, logging, awaiting or throwing).
 */
export interface AnalogModel {
  /** Allocate for `sampleRate` and blocks up to `maxBlock` frames; resets the state. */
  prepare(sampleRate: number, maxBlock: number): void;
  /** Take the unit's state: its control values by front-panel name, in engineering units. */
  setParams(values: Readonly<Record<string, number>>): void;
  /** Process a stereo block in place. `channels` holds 2 arrays of at least `frames` samples. */
  process(channels: readonly Float32Array[], frames: number): void;
  reset(): void;
  /** Noise and saturation on/off (off for null tests). */
  setAnalog(options: { noise: boolean; saturation: boolean }): void;
}

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}
