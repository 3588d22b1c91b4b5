import { BridgeError } from '../../errors.ts';
import { defineParam, type ParamSpec } from '../../params/param-spec.ts';
import { nearestStepIndex } from '../../params/taper.ts';
import type { GearMeter, GearParameter, GearProfile } from './gear-profile.ts';

/** One profile parameter bound to a unit: its ParamSpec and how its value travels on the wire. */
export interface UnitParam {
  /** Name inside the profile, e.g. `ch1.band2.gainDb`. */
  readonly name: string;
  /** `outboard.<unitId>.<name>` */
  readonly id: string;
  readonly address: number;
  readonly spec: ParamSpec;
  readonly wireScale: number;
}

export interface UnitMeter {
  readonly name: string;
  readonly address: number;
  readonly wireScale: number;
}

export function paramIdPrefix(unitId: string): string {
  return `outboard.${unitId}.`;
}

/** ParamSpecs `outboard.<unitId>.<param>` for a unit using `profile`, in address order. */
export function unitParams(profile: GearProfile, unitId: string, unitLabel = profile.label): UnitParam[] {
  return [...profile.parameters].sort((a, b) => a.address - b.address).map((p) => toUnitParam(p, unitId, unitLabel));
}

function toUnitParam(p: GearParameter, unitId: string, unitLabel: string): UnitParam {
  const id = `${paramIdPrefix(unitId)}${p.name}`;
  const dot = p.name.lastIndexOf('.');
  const spec = defineParam({
    id,
    label: `${unitLabel}: ${p.label}`,
    kind: p.kind,
    unit: p.unit,
    min: p.min ?? 0,
    max: p.max ?? 1,
    default: p.default,
    ...(p.taper ? { taper: p.taper } : {}),
    ...(p.steps ? { steps: p.steps } : {}),
    ...(p.choices ? { choices: p.choices } : {}),
    // What the wire can carry: the store holds only values the unit can represent.
    ...(p.kind === 'continuous' && (p.wireScale ?? 1) > 1 ? { resolution: 1 / (p.wireScale ?? 1) } : {}),
    group: dot > 0 ? `outboard.${unitId}.${p.name.slice(0, dot)}` : `outboard.${unitId}`,
  });
  return { name: p.name, id, address: p.address, spec, wireScale: p.wireScale ?? 1 };
}

export function unitMeters(profile: GearProfile): UnitMeter[] {
  return profile.meters.map((m: GearMeter) => ({ name: m.name, address: m.address, wireScale: m.wireScale }));
}

/** Value -> wire integer: a discrete control sends its position index, a continuous one value * scale. */
export function toWire(p: UnitParam, value: number): number {
  if (p.spec.steps) return nearestStepIndex(p.spec.steps, value);
  const v = Math.min(p.spec.max, Math.max(p.spec.min, value));
  return Math.round(v * p.wireScale);
}

/** Wire integer -> value; `undefined` when the unit reports something outside the profile's range. */
export function fromWire(p: UnitParam, raw: number): number | undefined {
  if (p.spec.steps) return Number.isInteger(raw) && raw >= 0 && raw < p.spec.steps.length ? p.spec.steps[raw] : undefined;
  const v = raw / p.wireScale;
  const tol = (p.spec.max - p.spec.min) * 1e-9;
  return v >= p.spec.min - tol && v <= p.spec.max + tol ? Math.min(p.spec.max, Math.max(p.spec.min, v)) : undefined;
}

/** What the unit would hold after being sent `value` (the detent, or the wire resolution). */
export function wireQuantise(p: UnitParam, value: number): number {
  return fromWire(p, toWire(p, value)) as number;
}

/**
 * Recall input (parameter names or full ids) checked and quantised to what the unit can hold.
 * All or nothing: E_PARAM_UNKNOWN for a name the unit does not have, E_PARAM_RANGE listing every value
 * out of range.
 */
export function recallTargets(unitId: string, byName: ReadonlyMap<string, UnitParam>, values: Readonly<Record<string, number>>): Map<string, number> {
  const prefix = paramIdPrefix(unitId);
  const out = new Map<string, number>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const p = byName.get(key.startsWith(prefix) ? key.slice(prefix.length) : key);
    if (!p) throw new BridgeError('E_PARAM_UNKNOWN', `${unitId}: unknown parameter ${key}`, { details: { unitId, id: key } });
    const s = p.spec;
    const tol = (s.max - s.min) * 1e-9;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < s.min - tol || value > s.max + tol) {
      problems.push(`${p.id}: ${String(value)} is outside ${s.min}..${s.max}`);
      continue;
    }
    out.set(p.name, wireQuantise(p, value));
  }
  if (problems.length > 0) {
    throw new BridgeError('E_PARAM_RANGE', `recall refused, nothing written: ${problems.join('; ')}`, { details: { unitId, problems } });
  }
  return out;
}
