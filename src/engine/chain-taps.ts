/**
 * Where the chain hands audio to the meters. The worker passes an implementation (the meters'
 * MeterBank, or the fallback stage meter) to the chain; the chain calls it at each point with the
 * audio as it is there, once per block. Implementations follow the process() rules.
 */
export const TAP_POINTS = ['input', 'insertSend', 'insertReturn', 'output'] as const;
export type TapPoint = (typeof TAP_POINTS)[number];
export const TAP_INPUT = 0;
export const TAP_INSERT_SEND = 1;
export const TAP_INSERT_RETURN = 2;
export const TAP_OUTPUT = 3;

export interface ChainTaps {
  /** `point` indexes TAP_POINTS. `channels` are only valid during the call. */
  tap(point: number, channels: readonly Float32Array[], frames: number): void;
}

/** Taps that go nowhere (offline processing without meters, tests). */
export const NO_TAPS: ChainTaps = Object.freeze({
  tap(): void {
    // nothing listens
  },
});
