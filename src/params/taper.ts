import type { ParamSpec } from './param-spec.ts';

/**
 * Position (0..1) <-> value conversions, and quantisation to detents.
 *
 * Discrete controls (stepped, toggle, choice) map their detents to evenly spaced
 * positions: detent i of n sits at i / (n - 1). That makes normalise/denormalise
 * exact for them (no floating drift through a surface and back), and matches how
 * a stepped switch feels: one click per detent, whatever the values are.
 */

const clamp01 = (n: number): number => (n < 0 ? 0 : n > 1 ? 1 : n);

/** Index of the detent nearest to `value` (ties go to the lower detent). Binary search. */
export function nearestStepIndex(steps: readonly number[], value: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  if (value <= (steps[0] as number)) return 0;
  if (value >= (steps[hi] as number)) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid] as number) <= value) lo = mid;
    else hi = mid;
  }
  const dLo = value - (steps[lo] as number);
  const dHi = (steps[hi] as number) - value;
  return dHi < dLo ? hi : lo;
}

/**
 * Clamp a continuous value to its range (and round it to its resolution, when it has one),
 * or snap a discrete one to its nearest detent.
 */
export function quantise(spec: ParamSpec, value: number): number {
  if (spec.steps) return spec.steps[nearestStepIndex(spec.steps, value)] as number;
  let v = value < spec.min ? spec.min : value > spec.max ? spec.max : value;
  if (spec.resolution !== undefined) {
    // toPrecision(12) drops the binary noise of k * 0.1 so equal steps compare equal.
    v = Number((spec.min + Math.round((v - spec.min) / spec.resolution) * spec.resolution).toPrecision(12));
    if (v > spec.max) v -= spec.resolution;
  }
  return v;
}

export function normalise(spec: ParamSpec, value: number): number {
  if (spec.steps) {
    const n = spec.steps.length;
    return nearestStepIndex(spec.steps, value) / (n - 1);
  }
  const v = value < spec.min ? spec.min : value > spec.max ? spec.max : value;
  switch (spec.taper) {
    case 'linear':
      return (v - spec.min) / (spec.max - spec.min);
    case 'log':
      return Math.log(v / spec.min) / Math.log(spec.max / spec.min);
    case 'db':
      return 1 - Math.sqrt((spec.max - v) / (spec.max - spec.min));
  }
}

export function denormalise(spec: ParamSpec, position: number): number {
  const n = clamp01(position);
  if (spec.steps) {
    const last = spec.steps.length - 1;
    return spec.steps[Math.round(n * last)] as number;
  }
  let v: number;
  switch (spec.taper) {
    case 'linear':
      v = spec.min + n * (spec.max - spec.min);
      break;
    case 'log':
      v = spec.min * Math.pow(spec.max / spec.min, n);
      break;
    case 'db':
      v = spec.max - (spec.max - spec.min) * (1 - n) * (1 - n);
      break;
  }
  // Floating error must never push a value outside its own range.
  return v < spec.min ? spec.min : v > spec.max ? spec.max : v;
}

/** Move a value by a number of detents (discrete) or by a normalised delta (continuous). */
export function stepBy(spec: ParamSpec, value: number, detents: number, normalisedDelta: number): number {
  if (spec.steps) {
    const i = nearestStepIndex(spec.steps, value) + Math.trunc(detents);
    const last = spec.steps.length - 1;
    return spec.steps[i < 0 ? 0 : i > last ? last : i] as number;
  }
  return denormalise(spec, normalise(spec, value) + normalisedDelta);
}

/** Human-readable value with unit, for scribble strips, logs and the CLI. */
export function formatValue(spec: ParamSpec, value: number): string {
  if (spec.kind === 'toggle') return value >= 0.5 ? 'on' : 'off';
  if (spec.kind === 'choice') return spec.choices?.[Math.round(value)] ?? String(value);
  const abs = Math.abs(value);
  let text: string;
  if (spec.unit === 'Hz' && abs >= 1000) return `${trimNumber(value / 1000, abs >= 10000 ? 1 : 2)} kHz`;
  else if (abs >= 100) text = trimNumber(value, 0);
  else if (abs >= 10) text = trimNumber(value, 1);
  else text = trimNumber(value, 2);
  return spec.unit ? `${text} ${spec.unit}` : text;
}

function trimNumber(v: number, digits: number): string {
  const s = v.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
