import type { ParamSpec } from '../params/param-spec.ts';
import { normalise } from '../params/taper.ts';

export const CURVES = ['linear', 'exp', 'log'] as const;
/**
 * Response of an absolute control over its travel, on top of the parameter's own taper:
 * linear = the taper as is; exp = finer at the bottom (c^2); log = finer at the top (sqrt c).
 */
export type Curve = (typeof CURVES)[number];

export interface MappingShape {
  readonly range?: readonly [number, number];
  readonly invert: boolean;
  readonly curve: Curve;
}

function applyCurve(curve: Curve, c: number): number {
  return curve === 'exp' ? c * c : curve === 'log' ? Math.sqrt(c) : c;
}
function invertCurve(curve: Curve, p: number): number {
  return curve === 'exp' ? Math.sqrt(p) : curve === 'log' ? p * p : p;
}
const clamp01 = (n: number): number => (n < 0 ? 0 : n > 1 ? 1 : n);

/** The parameter positions (0..1, taper-aware) that the ends of the control travel map to. */
export function rangePositions(spec: ParamSpec, shape: MappingShape): [number, number] {
  if (!shape.range) return [0, 1];
  return [normalise(spec, shape.range[0]), normalise(spec, shape.range[1])];
}

/** Control position (0..1) -> parameter position (0..1). */
export function controlToPosition(spec: ParamSpec, shape: MappingShape, control: number): number {
  const [lo, hi] = rangePositions(spec, shape);
  const c = clamp01(shape.invert ? 1 - control : control);
  return clamp01(lo + applyCurve(shape.curve, c) * (hi - lo));
}

/** Parameter position (0..1) -> control position (0..1), the inverse (for feedback). */
export function positionToControl(spec: ParamSpec, shape: MappingShape, position: number): number {
  const [lo, hi] = rangePositions(spec, shape);
  const p = hi === lo ? 0 : clamp01((position - lo) / (hi - lo));
  const c = invertCurve(shape.curve, p);
  return clamp01(shape.invert ? 1 - c : c);
}

/** The value range a binding may reach, in parameter units, low to high. */
export function unitRange(spec: ParamSpec, shape: MappingShape): [number, number] {
  if (!shape.range) return [spec.min, spec.max];
  const a = Math.max(spec.min, Math.min(spec.max, shape.range[0]));
  const b = Math.max(spec.min, Math.min(spec.max, shape.range[1]));
  return a <= b ? [a, b] : [b, a];
}
