import type { ParamSpec } from '../params/param-spec.ts';

/**
 * The contract every stage of the digital chain keeps (libebur128 / x42 style lifecycle):
 *
 * - `prepare(sampleRate, maxBlock, channels)` allocates everything (delay lines, state, scratch)
 *   and resets. It is the only method that may allocate.
 * - `process(channels, frames)` works in place on planar Float32Array channels (each at least
 *   `maxBlock` long). It is plain arithmetic: no allocation, no logging, no await, no throw, no
 *   try, no closures. Internal state is Float64.
 * - `setParam(index, value)` is called between blocks with an already validated, quantised value
 *   (the ParamStore did that); the change is heard from the next `process` call on, smoothed.
 *   It must not allocate either: the worker calls it while running.
 * - `reset()` clears the signal state (filters, envelopes, delay lines), keeping parameters.
 *
 * A processor never sees NaN/Inf from the chain input (the chain scrubs and counts them), but it
 * still checks its own state once per block and resets itself if arithmetic blew up, counting it
 * in `stateResets`; so a poisoned state never outlives the block it appeared in.
 */
export interface Processor {
  /** Parameter id prefix (`eq`, `comp`, `eq2` for a second EQ in the chain). */
  readonly id: string;
  readonly kind: string;
  /** Parameter descriptors in index order; ids are `${id}.${name}`. */
  readonly params: readonly ParamSpec[];
  /**
   * Samples of delay this processor adds (lookahead, insert round trip). Constant after prepare,
   * except for an insert, whose measured round trip may change (up to `maxLatencySamples`).
   */
  readonly latencySamples: number;
  /** Upper bound of `latencySamples` (sizes bypass compensation); default: `latencySamples` after prepare. */
  readonly maxLatencySamples?: number;
  /** Gain reduction in dB (positive) over the last block, for dynamics processors; else 0. */
  readonly gainReductionDb: number;
  /** Times this processor had to reset itself after non-finite state. */
  readonly stateResets: number;
  prepare(sampleRate: number, maxBlock: number, channels: number): void;
  setParam(index: number, value: number): void;
  process(channels: Float32Array[], frames: number): void;
  reset(): void;
}

/** Common options of every processor. */
export interface ProcessorOptions {
  /** Parameter id prefix. */
  readonly id: string;
  /** Parameter glide and switch cross-fade time (engine.smoothingMs). */
  readonly smoothingMs: number;
}

/** Denormals cost ~100x on x86 and V8 does not flush them: filter states below this are zeroed once per block. */
export const DENORMAL_FLOOR = 1e-30;

/** Parameter smoothing runs at control rate: coefficients are redesigned every this many samples. */
export const CONTROL_INTERVAL = 32;

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

/** Copy `frames` samples (a loop: `subarray` would allocate a view on the hot path). */
export function copySamples(src: Float32Array, dst: Float32Array, frames: number): void {
  for (let i = 0; i < frames; i++) dst[i] = src[i] as number;
}
