import type { ParamSpec } from '../../params/param-spec.ts';
import { quantise } from '../../params/taper.ts';
import type { ParamResult, UnitParamResult } from './recallable-unit.ts';

/** Relative to the parameter's range: below this two values are the same setting (float noise). */
const SAME_FRACTION = 1e-6;
/**
 * How far a unit may move a continuous value and still count as "adjusted" rather than
 * "mismatched" (only when it acknowledged that very value itself): half a step of a coarse
 * control, e.g. a 21-position attenuator (half a step = 2.5 % of the range) or a 0.5 dB
 * makeup on a 0..20 dB range (1.25 %). Further than that is a fault (clamped, wrong unit).
 */
const ADJUST_FRACTION = 0.05;

function sameValue(a: number, b: number, scale: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-12, scale * SAME_FRACTION);
}

/**
 * Classify one parameter after a recall. `spec` (when the ParamStore knows the id) tells
 * where the detents are; `ack` is the unit's own answer to the write (outboard only).
 */
export function classifyParam(
  expected: number,
  actual: number | null,
  spec: ParamSpec | undefined,
  ack?: UnitParamResult,
): { result: ParamResult; code?: string; reason?: string } {
  if (ack && !ack.ok) return { result: 'failed', code: ack.code, reason: ack.reason };
  if (actual === null || !Number.isFinite(actual)) return { result: 'failed', reason: 'the value could not be read back' };
  const scale = spec ? spec.max - spec.min : Math.max(Math.abs(expected), 1);
  if (sameValue(actual, expected, scale)) return { result: 'matched' };
  if (spec?.steps) {
    // The nearest detent to the saved value is the closest the control can get.
    if (sameValue(actual, quantise(spec, expected), scale)) return { result: 'adjusted' };
    return { result: 'mismatched' };
  }
  if (ack?.ok && sameValue(ack.value, actual, scale) && Math.abs(actual - expected) <= scale * ADJUST_FRACTION) {
    return { result: 'adjusted' };
  }
  return { result: 'mismatched' };
}
