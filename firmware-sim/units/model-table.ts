/**
 * How a simulated unit's firmware describes its own controls. This is the firmware's table, written
 * the way the vendor sees the unit (positions of switches, ranges of pots); the host's view of the same
 * unit is the profile in config/gear/, and a contract test checks that the two agree.
 */
export type UnitModelKey = 'eq' | 'comp' | 'switcher' | 'passive';

export interface ControlDef {
  readonly address: number;
  /** Front-panel name, also used by the control channel (`panel ch1.band2.gainDb 1.5`). */
  readonly name: string;
  /** Switch positions in engineering units; a choice lists 0..n-1. Absent for a continuous control. */
  readonly detents?: readonly number[];
  /** Continuous control: raw = round(value * scale), raw limited to [min*scale, max*scale]. */
  readonly continuous?: { readonly min: number; readonly max: number; readonly scale: number };
  readonly defaultRaw: number;
  /** Changing it switches relays (settle time before the ACK). */
  readonly relay?: boolean;
}

export interface MeterDef {
  readonly address: number;
  readonly name: string;
  /** raw = round(value * scale) */
  readonly scale: number;
}

export interface UnitModel {
  readonly key: UnitModelKey;
  readonly model: string;
  readonly vendor: string;
  readonly firmware: string;
  /** Hand-set unit: reports its switches, refuses SET (NAK 07). */
  readonly manual: boolean;
  readonly controls: readonly ControlDef[];
  readonly meters: readonly MeterDef[];
  /**
   * Other controls a SET moves (an insert switcher keeps its loop order a permutation by swapping).
   * Returns [address, raw] pairs to apply after the requested change.
   */
  readonly linked?: (raw: ReadonlyMap<number, number>, address: number, newRaw: number, oldRaw: number) => readonly (readonly [number, number])[];
}

export function rawRange(c: ControlDef): { min: number; max: number } {
  if (c.detents) return { min: 0, max: c.detents.length - 1 };
  const k = c.continuous as NonNullable<ControlDef['continuous']>;
  return { min: Math.round(k.min * k.scale), max: Math.round(k.max * k.scale) };
}

export function rawToValue(c: ControlDef, raw: number): number {
  if (c.detents) return c.detents[raw] as number;
  return raw / (c.continuous as NonNullable<ControlDef['continuous']>).scale;
}

/** The raw position nearest to an engineering value (what turning the knob to that value gives). */
export function valueToRaw(c: ControlDef, value: number): number {
  if (c.detents) {
    let best = 0;
    for (let i = 1; i < c.detents.length; i++) {
      if (Math.abs((c.detents[i] as number) - value) < Math.abs((c.detents[best] as number) - value)) best = i;
    }
    return best;
  }
  const r = rawRange(c);
  const raw = Math.round(value * (c.continuous as NonNullable<ControlDef['continuous']>).scale);
  return raw < r.min ? r.min : raw > r.max ? r.max : raw;
}

export function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  const n = Math.round((to - from) / step);
  for (let i = 0; i <= n; i++) out.push(Math.round((from + i * step) * 1000) / 1000);
  return out;
}
