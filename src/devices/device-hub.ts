import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.ts';
import type { DeviceDescriptor, DeviceStatus, DeviceStatusReporter } from './device-status.ts';

export interface DeviceReport {
  readonly id: string;
  readonly status: DeviceStatus;
  readonly reason: string;
}

interface DeviceHubEvents {
  report: [DeviceReport];
  retry: [string];
}

/**
 * Where every driver reports its devices' status, and where the session machine's
 * retry requests go back to the drivers. It keeps the latest report per device so a
 * listener that subscribes late (the machine enters `ready` after the drivers have
 * started) can replay the current picture.
 */
export class DeviceHub extends EventEmitter<DeviceHubEvents> {
  readonly #descriptors: ReadonlyMap<string, DeviceDescriptor>;
  readonly #latest = new Map<string, DeviceReport>();
  readonly #log: Logger;

  constructor(descriptors: readonly DeviceDescriptor[], log: Logger) {
    super();
    this.setMaxListeners(0);
    this.#descriptors = new Map(descriptors.map((d) => [d.id, d]));
    this.#log = log;
  }

  descriptors(): DeviceDescriptor[] {
    return [...this.#descriptors.values()];
  }

  latest(): DeviceReport[] {
    return [...this.#latest.values()];
  }

  readonly report: DeviceStatusReporter = (id, status, reason = '') => {
    if (!this.#descriptors.has(id)) {
      this.#log.warn({ device: id, status }, 'status report for a device that is not configured');
      return;
    }
    const prev = this.#latest.get(id);
    if (prev && prev.status === status && prev.reason === reason) return;
    const r: DeviceReport = { id, status, reason };
    this.#latest.set(id, r);
    this.#log.info({ device: id, status, reason: reason || undefined }, `device ${id}: ${status}${reason ? ` (${reason})` : ''}`);
    this.emit('report', r);
  };

  /**
   * Wrap a driver callback so that an exception in one device's code becomes that
   * device's fault (status `reconnecting`) instead of taking the daemon down.
   */
  guard<A extends unknown[]>(id: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        this.#log.error({ device: id, err }, `device ${id} faulted`);
        this.report(id, 'reconnecting', `fault: ${(err as Error).message ?? String(err)}`);
      }
    };
  }

  /** The session machine asks a driver to try again now (after its backoff delay). */
  requestRetry(id: string): void {
    this.emit('retry', id);
  }
}
