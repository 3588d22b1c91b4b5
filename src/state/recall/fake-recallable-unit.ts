import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError } from '../../errors.ts';
import type { ParamSpec } from '../../params/param-spec.ts';
import { quantise } from '../../params/taper.ts';
import type { RecallMode } from '../store/snapshot-state.ts';
import type { RecallableUnit, UnitCallOptions, UnitIdentity, UnitParamResult } from './recallable-unit.ts';

export interface FakeRecallableUnitOptions {
  id: string;
  identity: UnitIdentity;
  recallMode?: RecallMode;
  /** The unit's controls, with full ids (`outboard.<id>.<param>`). */
  specs: readonly ParamSpec[];
  /** Round trip of one request/answer (identity, read, the recall's first frame). Default 1 ms. */
  latencyMs?: number;
  /** Added per parameter written (one serial frame each). Default 0. */
  perParamMs?: number;
  /** Continuous controls with a coarse resolution (a DAC step): the unit rounds to it. */
  resolution?: Readonly<Record<string, number>>;
  /** Hand-set unit with front-panel reporting (read works); false: read rejects. Default true. */
  reports?: boolean;
}

/**
 * A faithful stand-in for one outboard unit behind the RecallableUnit seam, for tests and
 * benchmarks. Nothing resolves synchronously; the unit snaps stepped controls to detents and
 * continuous ones to its resolution (and says so in its answer); a parameter can be made to
 * NAK or to stick; the identity can change; a front-panel turn is reported to listeners the
 * way the outboard driver's notification would be. Overlapping recalls are refused, as on a
 * real serial line with one request in flight. Each test builds its own units: no registry.
 */
export class FakeRecallableUnit implements RecallableUnit {
  readonly id: string;
  readonly recallMode: RecallMode;
  readonly calls = { identity: 0, recall: 0, read: 0, paramsWritten: 0 };
  /** The values of the last recall request, as sent. */
  lastRecall: Readonly<Record<string, number>> | null = null;
  offline = false;
  #identity: UnitIdentity;
  readonly #specs = new Map<string, ParamSpec>();
  readonly #values = new Map<string, number>();
  readonly #nak = new Map<string, string>();
  readonly #stuck = new Map<string, number>();
  readonly #listeners = new Set<(id: string, value: number) => void>();
  readonly #latencyMs: number;
  readonly #perParamMs: number;
  readonly #resolution: Readonly<Record<string, number>>;
  readonly #reports: boolean;
  #recalling = false;

  constructor(options: FakeRecallableUnitOptions) {
    this.id = options.id;
    this.recallMode = options.recallMode ?? 'electronic';
    this.#identity = { ...options.identity };
    for (const s of options.specs) {
      this.#specs.set(s.id, s);
      this.#values.set(s.id, s.default);
    }
    this.#latencyMs = options.latencyMs ?? 1;
    this.#perParamMs = options.perParamMs ?? 0;
    this.#resolution = options.resolution ?? {};
    this.#reports = options.reports ?? true;
  }

  /** Swap the unit (another serial) or flash it (another firmware). */
  setIdentity(change: Partial<UnitIdentity>): void {
    this.#identity = { ...this.#identity, ...change };
  }

  /** Make the unit refuse writes of one parameter (the driver's NAK). */
  nak(id: string, code = 'E_SERIAL_NAK'): void {
    this.#nak.set(id, code);
  }

  /** A control that no longer follows (a broken motor pot): it acknowledges but stays at `value`. */
  stick(id: string, value: number): void {
    this.#stuck.set(id, value);
    this.#values.set(id, value);
  }

  /** The unit's current settings (what its front panel shows). */
  values(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }

  /** Someone turns a knob: the unit reports it (front-panel notification). */
  turn(id: string, value: number): void {
    const spec = this.#spec(id);
    const v = quantise(spec, value);
    this.#values.set(id, v);
    for (const l of this.#listeners) l(id, v);
  }

  /** Front-panel notifications; the test wires them where the driver would (ParamStore, source `outboard:<id>`). */
  onFrontPanel(listener: (id: string, value: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async identity(options: UnitCallOptions = {}): Promise<UnitIdentity> {
    this.calls.identity++;
    await this.#roundTrip(this.#latencyMs, options.signal);
    return { ...this.#identity };
  }

  async recall(values: Readonly<Record<string, number>>, options: UnitCallOptions = {}): Promise<readonly UnitParamResult[]> {
    this.calls.recall++;
    if (this.recallMode === 'manual') throw new BridgeError('E_DEVICE_UNAVAILABLE', `${this.id} is hand-set; it cannot be recalled electronically`);
    if (this.#recalling) throw new Error(`${this.id}: overlapping recall (one request in flight per serial line)`);
    this.#recalling = true;
    this.lastRecall = { ...values };
    try {
      await this.#roundTrip(this.#latencyMs, options.signal);
      const results: UnitParamResult[] = [];
      for (const [id, requested] of Object.entries(values)) {
        if (this.#perParamMs > 0) await sleep(this.#perParamMs, undefined, { signal: options.signal });
        this.calls.paramsWritten++;
        results.push(this.#write(id, requested));
      }
      return results;
    } finally {
      this.#recalling = false;
    }
  }

  async read(options: UnitCallOptions = {}): Promise<Readonly<Record<string, number>>> {
    this.calls.read++;
    await this.#roundTrip(this.#latencyMs, options.signal);
    if (this.recallMode === 'manual' && !this.#reports) {
      throw new BridgeError('E_DEVICE_UNAVAILABLE', `${this.id} does not report its front panel`);
    }
    return this.values();
  }

  #write(id: string, requested: number): UnitParamResult {
    const spec = this.#specs.get(id);
    if (!spec) return { id, ok: false, code: 'E_SERIAL_NAK', reason: `${this.id} has no control ${id}` };
    const nak = this.#nak.get(id);
    if (nak) return { id, ok: false, code: nak, reason: `${this.id} refused ${id}` };
    if (!Number.isFinite(requested) || requested < spec.min || requested > spec.max) {
      return { id, ok: false, code: 'E_SERIAL_NAK', reason: `${id}: ${requested} is outside ${spec.min}..${spec.max}` };
    }
    let applied = quantise(spec, requested);
    const step = this.#resolution[id];
    if (!spec.steps && step !== undefined && step > 0) applied = quantise(spec, Math.round(applied / step) * step);
    const stuck = this.#stuck.get(id);
    this.#values.set(id, stuck ?? applied);
    return { id, ok: true, value: applied };
  }

  #spec(id: string): ParamSpec {
    const spec = this.#specs.get(id);
    if (!spec) throw new BridgeError('E_PARAM_UNKNOWN', `${this.id} has no control ${id}`, { details: { id } });
    return spec;
  }

  async #roundTrip(ms: number, signal: AbortSignal | undefined): Promise<void> {
    // Never synchronous, even with zero latency: a real answer always comes on a later tick.
    await sleep(ms, undefined, signal ? { signal } : {});
    if (this.offline) throw new BridgeError('E_DEVICE_DISCONNECTED', `${this.id} does not answer`, { details: { unitId: this.id } });
  }
}
