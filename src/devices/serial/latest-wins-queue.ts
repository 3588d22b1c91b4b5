/**
 * Per-key latest-wins write coalescing with a bound on writes in flight (the pattern of Bitfocus
 * Companion's ImageWriteQueue). Sweeping a knob produces a burst of values for one key; only the
 * newest waiting value is ever sent, a key is never in flight twice (its writes stay in order), and
 * the last value always arrives. Keys are served in the order they first became pending.
 */
export type WriteOutcome<R> = { readonly status: 'done'; readonly result: R } | { readonly status: 'superseded' };

interface Waiting<V, R> {
  value: V;
  resolvers: { resolve: (o: WriteOutcome<R>) => void; reject: (e: Error) => void }[];
}

export class LatestWinsQueue<K, V, R> {
  readonly #send: (key: K, value: V) => Promise<R>;
  readonly #maxInFlight: number;
  readonly #waiting = new Map<K, Waiting<V, R>>();
  readonly #inFlight = new Set<K>();
  readonly #idleWaiters: (() => void)[] = [];
  #paused = false;
  /** Highest number of sends in flight at once (tests check the bound). */
  peakInFlight = 0;
  sent = 0;
  superseded = 0;

  constructor(send: (key: K, value: V) => Promise<R>, maxInFlight: number) {
    if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1)) throw new TypeError(`LatestWinsQueue: maxInFlight must be an integer >= 1, got ${maxInFlight}`);
    this.#send = send;
    this.#maxInFlight = maxInFlight;
  }

  /**
   * Queue `value` for `key`. Resolves `done` with the send's result, or `superseded` when a newer
   * value for the same key replaced it before it was sent. Rejects with the send's error.
   */
  enqueue(key: K, value: V): Promise<WriteOutcome<R>> {
    return new Promise((resolve, reject) => {
      const w = this.#waiting.get(key);
      if (w) {
        for (const r of w.resolvers) r.resolve({ status: 'superseded' });
        this.superseded += w.resolvers.length;
        w.value = value;
        w.resolvers = [{ resolve, reject }];
      } else {
        this.#waiting.set(key, { value, resolvers: [{ resolve, reject }] });
      }
      this.#pump();
    });
  }

  /** A value for `key` is waiting (not yet sent). */
  isWaiting(key: K): boolean {
    return this.#waiting.has(key);
  }

  /** A value for `key` is waiting or being sent. */
  isBusy(key: K): boolean {
    return this.#waiting.has(key) || this.#inFlight.has(key);
  }

  waitingValue(key: K): V | undefined {
    return this.#waiting.get(key)?.value;
  }

  /** Drop a waiting value (not one in flight); its promise resolves `superseded`. */
  cancel(key: K): boolean {
    const w = this.#waiting.get(key);
    if (!w) return false;
    this.#waiting.delete(key);
    for (const r of w.resolvers) r.resolve({ status: 'superseded' });
    this.#checkIdle();
    return true;
  }

  /** Stop sending (values keep coalescing) until `resume()`. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  get paused(): boolean {
    return this.#paused;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** Reject every waiting value (shutdown). In-flight sends finish on their own. */
  clear(reason: Error): void {
    const all = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of all) for (const r of w.resolvers) r.reject(reason);
    this.#checkIdle();
  }

  /** Resolves when nothing waits and nothing is in flight (a paused queue with values never is idle). */
  idle(): Promise<void> {
    if (this.#waiting.size === 0 && this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    if (this.#paused) return;
    for (const [key, w] of this.#waiting) {
      if (this.#inFlight.size >= this.#maxInFlight) return;
      if (this.#inFlight.has(key)) continue; // its newer value goes after the one in flight
      this.#waiting.delete(key);
      this.#inFlight.add(key);
      if (this.#inFlight.size > this.peakInFlight) this.peakInFlight = this.#inFlight.size;
      this.sent++;
      let sending: Promise<R>;
      try {
        sending = this.#send(key, w.value);
      } catch (err) {
        sending = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      sending.then(
        (result) => {
          this.#inFlight.delete(key);
          for (const r of w.resolvers) r.resolve({ status: 'done', result });
          this.#pump();
          this.#checkIdle();
        },
        (err: unknown) => {
          this.#inFlight.delete(key);
          const e = err instanceof Error ? err : new Error(String(err));
          for (const r of w.resolvers) r.reject(e);
          this.#pump();
          this.#checkIdle();
        },
      );
    }
  }

  #checkIdle(): void {
    if (this.#waiting.size > 0 || this.#inFlight.size > 0) return;
    const waiters = this.#idleWaiters.splice(0);
    for (const w of waiters) w();
  }
}
