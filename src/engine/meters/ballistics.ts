/**
 * Display ballistics of the stage meters. Defaults follow the usual digital peak programme meter:
 * peak hold 1.5 s, then a fall of 20 dB in 1.7 s (IEC 60268-10 Type I return time), RMS integrated
 * over 300 ms (the VU integration time), correlation over 300 ms.
 */
export interface Ballistics {
  /** How long a peak is held before it starts to fall. */
  readonly peakHoldMs: number;
  /** Fall rate of the held peak once the hold time has passed. */
  readonly peakFallDbPerS: number;
  /** Time constant of the exponential RMS average. */
  readonly rmsWindowMs: number;
  /** Time constant of the correlation / balance averages. */
  readonly correlationWindowMs: number;
}

export const DEFAULT_BALLISTICS: Ballistics = Object.freeze({
  peakHoldMs: 1500,
  peakFallDbPerS: 20 / 1.7,
  rmsWindowMs: 300,
  correlationWindowMs: 300,
});

export function resolveBallistics(partial: Partial<Ballistics> = {}): Ballistics {
  const b = { ...DEFAULT_BALLISTICS, ...partial };
  const check = (name: keyof Ballistics, min: number, max: number): void => {
    const v = b[name];
    if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`ballistics: ${name} ${v} is outside ${min}..${max}`);
  };
  check('peakHoldMs', 0, 60000);
  check('peakFallDbPerS', 0.1, 1000);
  check('rmsWindowMs', 1, 60000);
  check('correlationWindowMs', 1, 60000);
  return Object.freeze(b);
}

/** Per-sample coefficient of a one-pole average with time constant `ms` at `sampleRate`. */
export function onePoleCoefficient(ms: number, sampleRate: number): number {
  return Math.exp(-1000 / (ms * sampleRate));
}
