import { EventEmitter } from 'node:events';
import { BridgeError, isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Calibration, CalibrationRoute } from '../../state/store/snapshot-state.ts';
import type { Measurement } from './calibrator.ts';
import type { InsertCompensation } from './hardware-insert.ts';

/**
 * The slice of the snapshot store the calibration needs (src/state/store/snapshot-store.ts
 * implements it: `SnapshotStore` is passed as is).
 */
export interface CalibrationStorePort {
  saveCalibration(calibration: Calibration): void;
  getCalibration(route: CalibrationRoute): (Calibration & { readonly measuredAt: string }) | null;
}

export const CALIBRATION_STATES = ['none', 'measuring', 'valid', 'stale'] as const;
export type CalibrationState = (typeof CALIBRATION_STATES)[number];

/** The answer of `POST /api/calibrate` and `hybrid-bridge calibrate --json`. */
export interface CalibrationResult {
  readonly latencySamples: number;
  readonly gainDb: number;
  readonly polarity: 1 | -1;
  /** 0..1. A calibration loaded from the store was accepted when it was measured: 1. */
  readonly confidence: number;
  readonly peakToNoiseDb: number | null;
  readonly route: CalibrationRoute;
  /** ISO 8601. */
  readonly measuredAt: string;
  /** measured: by this daemon now; stored: loaded from the store for this route. */
  readonly origin: 'measured' | 'stored';
  readonly warning?: string;
}

export interface CalibrationStatus {
  readonly state: CalibrationState;
  readonly result: CalibrationResult | undefined;
  readonly route: CalibrationRoute;
  /** Why it is stale, or why the last measurement failed. */
  readonly reason: string;
}

interface InsertCalibrationEvents {
  /** Every state change (the session machine's `calibration` region follows it). */
  state: [CalibrationStatus];
}

export interface InsertCalibrationDeps {
  /** Runs one measurement (Calibrator#measure). */
  readonly measure: (signal?: AbortSignal) => Promise<Measurement>;
  /** Applies a compensation to the insert (HardwareInsert#setCompensation, or its worker proxy). */
  readonly apply: (compensation: InsertCompensation) => void;
  readonly store?: CalibrationStorePort;
  readonly log: Logger;
  readonly now?: () => Date;
}

/**
 * The calibration of the hardware insert as a long-lived part: which route it belongs to, whether
 * it is valid, the measurement itself, and the store. States (the session machine's `calibration`
 * region): none → measuring → valid; valid → stale when the route changes (interface, channels,
 * sample rate, block size) and the store has nothing for the new route; a failed measurement
 * returns to where it was (stale if there was a result, none otherwise).
 *
 * A stale calibration keeps compensating with its old figures (closer than nothing) until a new
 * one is measured.
 */
export class InsertCalibration extends EventEmitter<InsertCalibrationEvents> {
  readonly #deps: InsertCalibrationDeps;
  #route: CalibrationRoute;
  #state: CalibrationState = 'none';
  #result: CalibrationResult | undefined;
  #reason = '';
  #running: Promise<CalibrationResult> | undefined;

  constructor(route: CalibrationRoute, deps: InsertCalibrationDeps) {
    super();
    this.#route = route;
    this.#deps = deps;
  }

  get state(): CalibrationState {
    return this.#state;
  }

  get result(): CalibrationResult | undefined {
    return this.#result;
  }

  get route(): CalibrationRoute {
    return this.#route;
  }

  status(): CalibrationStatus {
    return { state: this.#state, result: this.#result, route: this.#route, reason: this.#reason };
  }

  /** Look the current route up in the store (at start): valid when found, none otherwise. */
  load(): CalibrationStatus {
    const stored = this.#lookup(this.#route);
    if (stored) {
      this.#accept(stored);
      this.#set('valid', '');
    } else {
      this.#set(this.#result ? 'stale' : 'none', this.#result ? 'no calibration stored for this route' : '');
    }
    return this.status();
  }

  /**
   * The interface, channels, sample rate or block size changed. A calibration stored for the new
   * route becomes current; otherwise the current one goes stale.
   */
  setRoute(route: CalibrationRoute): CalibrationStatus {
    if (sameRoute(route, this.#route)) return this.status();
    const before = describeRoute(this.#route);
    this.#route = route;
    if (this.#state === 'measuring') return this.status(); // the running measurement decides
    const stored = this.#lookup(route);
    if (stored) {
      this.#accept(stored);
      this.#set('valid', '');
    } else if (this.#result) {
      this.#set('stale', `the route changed (was ${before}, now ${describeRoute(route)})`);
    } else {
      this.#set('none', '');
    }
    return this.status();
  }

  /**
   * Measure the insert on the current route, apply and store the result. Rejects with
   * E_CALIBRATION_BUSY while one runs, E_CALIBRATION_NO_SIGNAL / E_CALIBRATION_NOISY when the
   * return is absent or noise, the signal's reason when aborted.
   */
  calibrate(signal?: AbortSignal): Promise<CalibrationResult> {
    if (this.#running) return Promise.reject(new BridgeError('E_CALIBRATION_BUSY', 'a calibration is already running'));
    const before: CalibrationState = this.#state;
    const route = this.#route;
    this.#set('measuring', '');
    const run = (async () => {
      try {
        const m = await this.#deps.measure(signal);
        const result: CalibrationResult = {
          latencySamples: m.latencySamples,
          gainDb: m.gainDb,
          polarity: m.polarity,
          confidence: m.confidence,
          peakToNoiseDb: m.peakToNoiseDb,
          route,
          measuredAt: (this.#deps.now?.() ?? new Date()).toISOString(),
          origin: 'measured',
          ...(m.warning !== undefined ? { warning: m.warning } : {}),
        };
        this.#accept(result);
        this.#save(result);
        if (sameRoute(route, this.#route)) this.#set('valid', m.warning ?? '');
        else this.#set('stale', 'the route changed while measuring');
        this.#deps.log.info({ latencySamples: result.latencySamples, gainDb: result.gainDb, polarity: result.polarity, confidence: result.confidence }, 'insert calibrated');
        return result;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        const back: CalibrationState = this.#result ? (before === 'valid' && sameRoute(route, this.#route) ? 'valid' : 'stale') : 'none';
        this.#set(back, `calibration failed: ${why}`);
        if (isBridgeError(err)) this.#deps.log.warn({ code: err.code }, `insert calibration failed: ${why}`);
        throw err;
      } finally {
        this.#running = undefined;
      }
    })();
    this.#running = run;
    return run;
  }

  #accept(result: CalibrationResult): void {
    this.#result = result;
    this.#deps.apply({ latencySamples: result.latencySamples, gainDb: result.gainDb, polarity: result.polarity });
  }

  #lookup(route: CalibrationRoute): CalibrationResult | undefined {
    const store = this.#deps.store;
    if (!store) return undefined;
    try {
      const c = store.getCalibration(route);
      if (!c) return undefined;
      return {
        latencySamples: c.latencySamples,
        gainDb: c.gainDb,
        polarity: c.polarity,
        confidence: 1,
        peakToNoiseDb: null,
        route: c.route,
        measuredAt: c.measuredAt,
        origin: 'stored',
      };
    } catch (err) {
      this.#deps.log.warn({ err }, 'calibration store lookup failed');
      return undefined;
    }
  }

  #save(result: CalibrationResult): void {
    try {
      this.#deps.store?.saveCalibration({ route: result.route, latencySamples: result.latencySamples, gainDb: result.gainDb, polarity: result.polarity });
    } catch (err) {
      // The measurement stands for this run even if it cannot be kept.
      this.#deps.log.warn({ err }, 'calibration could not be stored');
    }
  }

  #set(state: CalibrationState, reason: string): void {
    this.#state = state;
    this.#reason = reason;
    this.emit('state', this.status());
  }
}

export function sameRoute(a: CalibrationRoute, b: CalibrationRoute): boolean {
  return (
    a.interface === b.interface &&
    a.sampleRateHz === b.sampleRateHz &&
    a.blockSize === b.blockSize &&
    a.sendChannels.join(',') === b.sendChannels.join(',') &&
    a.returnChannels.join(',') === b.returnChannels.join(',')
  );
}

export function describeRoute(r: CalibrationRoute): string {
  return `${r.interface} out ${r.sendChannels.join('-')} / in ${r.returnChannels.join('-')} @ ${r.sampleRateHz} Hz, ${r.blockSize} frames`;
}
