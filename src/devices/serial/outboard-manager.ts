import { EventEmitter } from 'node:events';
import type { OutboardUnitConfig } from '../../config/sections/outboard.ts';
import { BridgeError, isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { ParamStore } from '../../params/param-store.ts';
import type { DeviceStatus, DeviceStatusReporter } from '../device-status.ts';
import type { PortOpener, SerialBinding } from './binding.ts';
import { systemClock, type Clock } from './clock.ts';
import { loadGearProfile, type LoadedGearProfile } from './gear-profile.ts';
import { RoutingOpener } from './port-opener.ts';
import { RecallableOutboardUnit } from './recallable-outboard-unit.ts';
import { portKey } from './port-candidates.ts';
import { PortFinder, type PortResolver } from './port-finder.ts';
import { paramIdPrefix, unitParams } from './profile-params.ts';
import type { UnitIdentity } from './protocol.ts';
import { DEFAULT_OUTBOARD_TIMING, type OutboardTiming } from './outboard-timing.ts';
import { UnitDriver } from './unit-driver.ts';
import type { UnitInfo } from './unit-info.ts';
import type { UnitRecallResult } from './unit-recall.ts';

export type { UnitInfo } from './unit-info.ts';
export type { OutboardTiming } from './outboard-timing.ts';
export type { UnitRecallResult, ParamRecallResult, RecallStatus } from './unit-recall.ts';

export interface OutboardManagerOptions {
  readonly store: ParamStore;
  readonly units: readonly OutboardUnitConfig[];
  /** Folder of the gear profiles (config/gear): `outboard[].profile` names `<profilesDir>/<profile>.yaml`. */
  readonly profilesDir: string;
  readonly log: Logger;
  readonly report: DeviceStatusReporter;
  /** More candidate ports for a unit, e.g. the simulated studio's pty paths for `port: sim`. */
  readonly resolvePort?: PortResolver;
  /** The serial seam (default: native serialport + TCP). Tests pass a fake. */
  readonly opener?: PortOpener | SerialBinding;
  readonly timing?: Partial<OutboardTiming>;
  readonly clock?: Clock;
}

export interface GainReductionEvent {
  readonly unitId: string;
  /** Gain reduction in dB, >= 0 (the unit's own meter). */
  readonly gainReductionDb: number;
}

export interface MeterEvent {
  readonly unitId: string;
  readonly meter: string;
  readonly value: number;
}

interface ManagerEvents {
  /** A compressor's gain-reduction meter (every `timing.meterIntervalMs` while online). */
  gainReduction: [GainReductionEvent];
  /** Every meter a unit pushes (gain reduction included). */
  meter: [MeterEvent];
  /** A unit's status or reason changed. */
  status: [UnitInfo];
}

/**
 * The outboard gear: loads the profiles, registers `outboard.<unitId>.<param>` in the ParamStore,
 * runs one driver per configured unit, reports their status, and offers recall and identity.
 * A failing unit never throws out of here after `start()`: it becomes `reconnecting` with a reason.
 */
export class OutboardManager extends EventEmitter<ManagerEvents> {
  readonly #o: OutboardManagerOptions;
  readonly #timing: OutboardTiming;
  readonly #drivers = new Map<string, UnitDriver>();
  readonly #boundKeys = new Map<string, string>();
  #started = false;

  constructor(options: OutboardManagerOptions) {
    super();
    this.#o = options;
    this.#timing = { ...DEFAULT_OUTBOARD_TIMING, ...options.timing };
    const ids = new Set<string>();
    const serials = new Set<string>();
    for (const u of options.units) {
      if (ids.has(u.id)) throw new TypeError(`OutboardManager: unit id "${u.id}" appears twice`);
      if (serials.has(u.serial)) throw new TypeError(`OutboardManager: serial "${u.serial}" appears twice (units ${[...ids].join(', ')})`);
      ids.add(u.id);
      serials.add(u.serial);
    }
  }

  /**
   * Load every profile (all problems in one E_GEAR_PROFILE), register the parameters, start the
   * drivers. Resolves once they are looking for their units, not when they are online.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    const loaded = new Map<string, LoadedGearProfile>();
    const errors: BridgeError[] = [];
    for (const name of new Set(this.#o.units.map((u) => u.profile))) {
      try {
        loaded.set(name, await loadGearProfile(this.#o.profilesDir, name));
      } catch (err) {
        if (isBridgeError(err)) errors.push(err);
        else throw err;
      }
    }
    if (errors.length > 0) {
      throw new BridgeError('E_GEAR_PROFILE', errors.map((e) => e.message).join('\n'), { details: { problems: errors.map((e) => e.details) } });
    }
    const clock = this.#o.clock ?? systemClock;
    const finder = new PortFinder({
      opener: this.#o.opener ?? new RoutingOpener(),
      log: this.#o.log,
      clock,
      resolvePort: this.#o.resolvePort,
      probeTimeoutMs: this.#timing.probeTimeoutMs,
      scanSystemPorts: this.#timing.scanSystemPorts,
      byIdDir: this.#timing.byIdDir,
    });
    const perUnit = this.#o.units.map((config) => {
      const l = loaded.get(config.profile) as LoadedGearProfile;
      return { config, loaded: l, params: unitParams(l.profile, config.id) };
    });
    // All or nothing: a duplicate id elsewhere in the store leaves no half-registered unit behind.
    this.#o.store.register(perUnit.flatMap((u) => u.params.map((p) => p.spec)));
    this.#started = true;
    for (const u of perUnit) {
      const driver = new UnitDriver({
        config: u.config,
        profileName: u.loaded.name,
        profile: u.loaded.profile,
        params: u.params,
        store: this.#o.store,
        log: this.#o.log.child({ unit: u.config.id }),
        finder,
        clock,
        timing: this.#timing,
        boundPorts: () => this.#bound(u.config.id),
        onStatus: (info) => this.#onStatus(info),
        onMeter: (meter, value) => {
          this.emit('meter', { unitId: u.config.id, meter: meter.name, value });
          if (meter.name === 'gainReductionDb') this.emit('gainReduction', { unitId: u.config.id, gainReductionDb: value });
        },
      });
      this.#drivers.set(u.config.id, driver);
    }
    for (const d of this.#drivers.values()) d.start();
  }

  /** Close every port, stop every timer; the parameters stay registered (their last values). */
  async stop(): Promise<void> {
    const drivers = [...this.#drivers.values()];
    await Promise.allSettled(drivers.map((d) => d.stop()));
  }

  /**
   * Recall one unit: `values` by parameter name (`ch1.band2.gainDb`) or id (`outboard.eq1.ch1.band2.gainDb`).
   * Rejects with E_RECALL_UNIT_ABSENT when the unit is not online, E_PARAM_UNKNOWN / E_PARAM_RANGE on bad
   * input (nothing written). Hand-set units are compared, not written (mode `manual`).
   */
  async recall(unitId: string, values: Readonly<Record<string, number>>): Promise<UnitRecallResult> {
    return this.#driver(unitId).recall(values);
  }

  /** The identity the unit gave last (model, firmware, serial, protocol, boot count). */
  identity(unitId: string): UnitIdentity | undefined {
    return this.#driver(unitId).identity;
  }

  units(): UnitInfo[] {
    return [...this.#drivers.values()].map((d) => d.info());
  }

  /** Re-read a unit and adopt what it reports (a "read back" button). */
  async refresh(unitId: string): Promise<void> {
    return this.#driver(unitId).refresh();
  }

  /** The values the unit reported last, by parameter id. */
  reported(unitId: string): Record<string, number> {
    const prefix = paramIdPrefix(unitId);
    return Object.fromEntries(Object.entries(this.#driver(unitId).reportedValues()).map(([k, v]) => [prefix + k, v]));
  }

  /** Resolves when the unit has no write waiting or in flight. */
  async idle(unitId: string): Promise<void> {
    return this.#driver(unitId).idle();
  }

  /** Resolves when the unit reaches `status` (now or later); rejects after `timeoutMs`. */
  whenStatus(unitId: string, status: DeviceStatus, timeoutMs = 10_000): Promise<UnitInfo> {
    const d = this.#driver(unitId);
    if (d.status === status) return Promise.resolve(d.info());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('status', onStatus);
        reject(new BridgeError('E_DEVICE_UNAVAILABLE', `${unitId}: not ${status} after ${timeoutMs} ms (${d.status}: ${d.info().reason ?? ''})`, { details: { unitId } }));
      }, timeoutMs);
      const onStatus = (info: UnitInfo): void => {
        if (info.id !== unitId || info.status !== status) return;
        clearTimeout(timer);
        this.off('status', onStatus);
        resolve(info);
      };
      this.on('status', onStatus);
    });
  }

  /** Every unit behind the recall seam of src/state/recall (full parameter ids, live read-back). */
  recallableUnits(): RecallableOutboardUnit[] {
    return [...this.#drivers.values()].map((d) => new RecallableOutboardUnit(d));
  }

  /** Link counters per unit (retries, timeouts, checksum errors...), for diagnostics and the soak test. */
  stats(unitId: string): Readonly<Record<string, number>> | undefined {
    return this.#driver(unitId).linkStats;
  }

  #driver(unitId: string): UnitDriver {
    const d = this.#drivers.get(unitId);
    if (!d) throw new BridgeError('E_DEVICE_NOT_FOUND', `no outboard unit "${unitId}"`, { details: { unitId } });
    return d;
  }

  #bound(except: string): ReadonlySet<string> {
    const out = new Set<string>();
    for (const [id, d] of this.#drivers) {
      if (id === except) continue;
      const p = d.boundPort;
      if (p) {
        out.add(p);
        const key = this.#boundKeys.get(p);
        if (key) out.add(key);
      }
    }
    return out;
  }

  #onStatus(info: UnitInfo): void {
    if (info.status === 'online' && info.path) {
      const path = info.path;
      void portKey(path).then((k) => this.#boundKeys.set(path, k));
    }
    this.#o.report(info.id, info.status, info.reason);
    this.emit('status', info);
  }
}
