import type { DaemonPart } from '../../src/daemon.ts';
import type { DeviceHub } from '../../src/devices/device-hub.ts';

/**
 * A device driver that drives nothing: tests plug, unplug and remove its devices and it
 * reports exactly what a real driver would (through the same DeviceHub), including the
 * answer to the session machine's retry requests.
 */
export class FakeDriver implements DaemonPart {
  readonly name = 'fake-driver';
  readonly retries: string[] = [];
  readonly #hub: DeviceHub;
  readonly #plugged = new Map<string, boolean>();
  #onRetry = (id: string): void => {
    if (!this.#plugged.has(id)) return;
    this.retries.push(id);
    this.#hub.report(id, this.#plugged.get(id) ? 'online' : 'reconnecting', this.#plugged.get(id) ? '' : 'no answer');
  };

  constructor(hub: DeviceHub, ids: readonly string[]) {
    this.#hub = hub;
    for (const id of ids) this.#plugged.set(id, false);
  }

  async start(): Promise<void> {
    this.#hub.on('retry', this.#onRetry);
  }

  async stop(): Promise<void> {
    this.#hub.off('retry', this.#onRetry);
  }

  connecting(id: string): void {
    this.#hub.report(id, 'connecting');
  }

  plug(id: string): void {
    this.#plugged.set(id, true);
    this.#hub.report(id, 'online');
  }

  unplug(id: string): void {
    this.#plugged.set(id, false);
    this.#hub.report(id, 'reconnecting', 'unplugged');
  }

  remove(id: string): void {
    this.#plugged.set(id, false);
    this.#hub.report(id, 'absent', 'not found');
  }
}
