import type { ParamSpec } from '../params/param-spec.ts';
import type { ParamStore } from '../params/param-store.ts';
import { denormalise, nearestStepIndex, normalise } from '../params/taper.ts';
import type { RelativeEncoding } from '../devices/midi/relative-encoding.ts';
import { controlToPosition, positionToControl, unitRange, type Curve } from './value-mapping.ts';

export const BINDING_MODES = ['absolute', 'relative', 'toggle', 'momentary', 'reset', 'set'] as const;
export type BindingMode = (typeof BINDING_MODES)[number];

export const TAKEOVER_MODES = ['immediate', 'pickup', 'valueScaling'] as const;
/**
 * How an absolute (unmotorised) control takes over a parameter whose value it does not show
 * (reference §2.3; complaint #9):
 * - immediate: the value jumps to the control;
 * - pickup: nothing happens until the control reaches or crosses the value ("soft takeover");
 * - valueScaling: the value moves towards the control's end proportionally and they meet there
 *   (Ableton "Value Scaling", Bitwig "Relative scaling").
 * Takeover re-arms when the target changes (page switch) or the value moves elsewhere, the
 * bugs reported in mixxx #16947 and surge #8068.
 */
export type TakeoverMode = (typeof TAKEOVER_MODES)[number];

export interface ParamBindingSpec {
  readonly control: string;
  readonly param: string;
  readonly mode: BindingMode;
  /** `set` mode: the value a press sets. */
  readonly value?: number;
  readonly range?: readonly [number, number];
  readonly invert: boolean;
  readonly curve: Curve;
  /** Relative: parameter units per tick (continuous parameters). */
  readonly step?: number;
  /** Relative: position (0..1) per tick; the default when no `step` is given is 0.01. */
  readonly stepNormalised?: number;
  /** Extra speed for fast turns: ticks * (1 + acceleration * (|ticks| - 1)). 0 = none. */
  readonly acceleration: number;
  /** Fine modifier divides a tick by this. */
  readonly fineDivisor: number;
  readonly takeover: TakeoverMode;
  /** Pickup distance, as a fraction of the control travel. */
  readonly pickupTolerance: number;
  readonly encoding?: RelativeEncoding;
  /** (N)RPN data resolution. */
  readonly bits?: 7 | 14;
  readonly feedback: boolean;
  /** Relative mode on a button: ticks per press (negative to go down). */
  readonly ticksPerPress: number;
  /** `file:line` of the definition, for logs. */
  readonly where?: string;
}

export const DEFAULT_STEP_NORMALISED = 0.01;

/**
 * The runtime of one binding from a control to a parameter. Holds the takeover state and the
 * relative accumulator, and writes to the store with the control's source id so that feedback
 * can tell an echo from a change made elsewhere.
 *
 * Relative precision (reference §0.3, Ardour PR #1147): the value is never stepped from its own
 * rounded previous value. Ticks are summed exactly (integer coarse and fine counts; only
 * acceleration adds fractions) since the last time the value changed elsewhere, and the value is
 * recomputed as base + step * ticks. 1,000 ticks up and 1,000 down land exactly on the start.
 */
export class ParamBinding {
  readonly spec: ParamBindingSpec;
  readonly source: string;
  readonly #store: ParamStore;
  // relative accumulator
  #base: number | undefined;
  #coarse = 0;
  #fine = 0;
  #accel = 0;
  #lastWritten: number | undefined;
  // absolute takeover
  #pickedUp = false;
  #lastControl: number | undefined;

  constructor(spec: ParamBindingSpec, store: ParamStore, source: string) {
    this.spec = spec;
    this.source = source;
    this.#store = store;
  }

  get active(): boolean {
    return this.#store.has(this.spec.param);
  }

  paramSpec(): ParamSpec | undefined {
    return this.active ? this.#store.spec(this.spec.param) : undefined;
  }

  /** Forget takeover and accumulation (page switch, reconnect): the control no longer shows the value. */
  rearm(): void {
    this.#pickedUp = false;
    this.#lastControl = undefined;
    this.#base = undefined;
  }

  /** An absolute control moved to `control` (0..1). Returns the stored value, or undefined if ignored. */
  absolute(control: number): number | undefined {
    const spec = this.paramSpec();
    if (!spec || !Number.isFinite(control)) return undefined;
    const c = control < 0 ? 0 : control > 1 ? 1 : control;
    const current = this.#store.get(spec.id);
    if (this.#lastWritten !== undefined && !Object.is(current, this.#lastWritten)) {
      // Moved elsewhere since we last wrote it: the control no longer matches the value.
      this.#pickedUp = false;
      this.#lastWritten = undefined;
    }
    const prev = this.#lastControl;
    this.#lastControl = c;
    let target = c;
    if (this.spec.takeover !== 'immediate' && !this.#pickedUp) {
      const cur = positionToControl(spec, this.spec, normalise(spec, current));
      const tol = this.spec.pickupTolerance;
      const crossed = prev !== undefined && (prev - cur) * (c - cur) <= 0;
      if (Math.abs(c - cur) <= tol || crossed) {
        this.#pickedUp = true;
      } else if (this.spec.takeover === 'pickup' || prev === undefined) {
        return undefined;
      } else {
        // Value scaling: move the value by the control's move, scaled by the room left on that
        // side, so both reach the end of travel together.
        let next = cur;
        if (c > prev) next = prev >= 1 ? cur : cur + ((c - prev) * (1 - cur)) / (1 - prev);
        else if (c < prev) next = prev <= 0 ? cur : cur - ((prev - c) * cur) / prev;
        target = next < 0 ? 0 : next > 1 ? 1 : next;
        if (Math.abs(target - c) <= tol) this.#pickedUp = true;
      }
    }
    const stored = this.#store.setNormalised(spec.id, controlToPosition(spec, this.spec, target), this.source);
    this.#lastWritten = stored;
    this.#base = undefined;
    return stored;
  }

  /** A relative control moved by `ticks` (signed). Returns the stored value. */
  relative(ticks: number, fine = false): number | undefined {
    const spec = this.paramSpec();
    if (!spec || !Number.isFinite(ticks) || ticks === 0) return undefined;
    const current = this.#store.get(spec.id);
    if (this.#base === undefined || this.#lastWritten === undefined || !Object.is(current, this.#lastWritten)) {
      this.#base = current;
      this.#coarse = 0;
      this.#fine = 0;
      this.#accel = 0;
    }
    const dir = this.spec.invert ? -1 : 1;
    const t = Math.trunc(ticks) * dir;
    const extra = Math.abs(t) > 1 && this.spec.acceleration > 0 ? t * this.spec.acceleration * (Math.abs(t) - 1) : 0;
    if (fine) {
      this.#fine += t;
      this.#accel += extra / this.spec.fineDivisor;
    } else {
      this.#coarse += t;
      this.#accel += extra;
    }
    const total = this.#coarse + this.#fine / this.spec.fineDivisor + this.#accel;
    const base = this.#base;
    let value: number;
    let clamped = false;
    if (spec.steps) {
      const [lo, hi] = unitRange(spec, this.spec);
      const loI = nearestStepIndex(spec.steps, lo);
      const hiI = nearestStepIndex(spec.steps, hi);
      let i = nearestStepIndex(spec.steps, base) + Math.trunc(total);
      if (i < loI || i > hiI) {
        i = i < loI ? loI : hiI;
        clamped = true;
      }
      value = spec.steps[i] as number;
    } else if (total === 0) {
      // Back where we started: the start value exactly, not a taper round trip of it.
      value = base;
    } else if (this.spec.step !== undefined) {
      const [lo, hi] = unitRange(spec, this.spec);
      value = base + this.spec.step * total;
      if (value < lo || value > hi) {
        value = value < lo ? lo : hi;
        clamped = true;
      }
    } else {
      const [lo, hi] = [normalise(spec, unitRange(spec, this.spec)[0]), normalise(spec, unitRange(spec, this.spec)[1])];
      let p = normalise(spec, base) + (this.spec.stepNormalised ?? DEFAULT_STEP_NORMALISED) * total;
      if (p < lo || p > hi) {
        p = p < lo ? lo : hi;
        clamped = true;
      }
      value = denormalise(spec, p);
    }
    const stored = this.#store.set(spec.id, value, this.source);
    this.#lastWritten = stored;
    if (clamped) {
      // At an end stop: turning back must move at once, not unwind the overshoot.
      this.#base = stored;
      this.#coarse = 0;
      this.#fine = 0;
      this.#accel = 0;
    }
    return stored;
  }

  /** A button bound to the parameter was pressed or released. */
  button(pressed: boolean, fine = false): number | undefined {
    const spec = this.paramSpec();
    if (!spec) return undefined;
    const [lo, hi] = unitRange(spec, this.spec);
    const [off, on] = this.spec.invert ? [hi, lo] : [lo, hi];
    let value: number | undefined;
    switch (this.spec.mode) {
      case 'toggle':
        if (pressed) value = this.isOn() ? off : on;
        break;
      case 'momentary':
        value = pressed ? on : off;
        break;
      case 'reset':
        if (pressed) value = spec.default;
        break;
      case 'set':
        if (pressed && this.spec.value !== undefined) value = this.spec.value;
        break;
      case 'relative':
        return pressed ? this.relative(this.spec.ticksPerPress, fine) : undefined;
      case 'absolute':
        // A button as an absolute control: pressed = top, released = bottom.
        return this.absolute(pressed ? 1 : 0);
    }
    if (value === undefined) return undefined;
    const stored = this.#store.set(spec.id, value, this.source);
    this.#lastWritten = stored;
    this.#base = undefined;
    return stored;
  }

  /** Where the control should show the current value (0..1), for feedback. */
  controlPosition(): number | undefined {
    const spec = this.paramSpec();
    if (!spec) return undefined;
    return positionToControl(spec, this.spec, normalise(spec, this.#store.get(spec.id)));
  }

  /** Whether a button LED bound to the parameter should be lit. */
  isOn(): boolean {
    const spec = this.paramSpec();
    if (!spec) return false;
    const v = this.#store.get(spec.id);
    if (this.spec.mode === 'set' && this.spec.value !== undefined) return Object.is(v, this.spec.value) || Math.abs(v - this.spec.value) < 1e-9;
    if (this.spec.mode === 'reset') return Math.abs(v - spec.default) < 1e-9;
    const [lo, hi] = unitRange(spec, this.spec);
    const on = v > (lo + hi) / 2;
    return this.spec.invert ? !on : on;
  }

  /** True when a change from `source` is this control's own move coming back (an echo). */
  isEcho(source: string): boolean {
    return source === this.source;
  }
}
