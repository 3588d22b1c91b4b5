import { backoffDelayMs } from '../../state/backoff.ts';

/**
 * The reconnect schedule of one unit: the house policy (src/state/backoff.ts: 1 s, 2 s, 4 s ... 60 s)
 * with a counter that a good handshake resets. Bounds are injectable so tests run in milliseconds.
 */
export class Backoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  #attempt = 0;

  constructor(minMs = 1000, maxMs = 60_000) {
    if (!(minMs > 0) || !(maxMs >= minMs)) throw new TypeError(`Backoff: need 0 < minMs <= maxMs (got ${minMs}, ${maxMs})`);
    this.#minMs = minMs;
    this.#maxMs = maxMs;
  }

  /** The delay before the next attempt; each call doubles it up to the cap. */
  next(): number {
    this.#attempt++;
    return backoffDelayMs(this.#attempt, { initialMs: this.#minMs, maxMs: this.#maxMs, factor: 2 });
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}
