/**
 * Runs one job at a time. A request while it runs asks for exactly one more run after the
 * current one (however many requests arrive), and is answered when that run is done: the
 * debounced, serialised rescan that port watchers need (Companion's hot-plug scan).
 */
export class CoalescedRun {
  readonly #job: () => Promise<void>;
  readonly #stopped: () => boolean;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(job: () => Promise<void>, stopped: () => boolean) {
    this.#job = job;
    this.#stopped = stopped;
  }

  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#job();
        } while (this.#again && !this.#stopped());
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Wait for a run in progress (if any) to finish, ignoring its outcome. */
  async settled(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }
}
