import { performance } from 'node:perf_hooks';

/** Time as the serial driver sees it; injectable so tests can control backoff and timeouts. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});

/** A sleep that `cancel()` ends early (resolving false). */
export function cancellableSleep(clock: Clock, ms: number): { done: Promise<boolean>; cancel(): void } {
  let resolve!: (v: boolean) => void;
  const done = new Promise<boolean>((r) => (resolve = r));
  const handle = clock.setTimeout(() => resolve(true), ms);
  return {
    done,
    cancel: () => {
      clock.clearTimeout(handle);
      resolve(false);
    },
  };
}
