import { BridgeError } from '../../errors.ts';

/**
 * Wait for `work`, but stop waiting when `signal` aborts (rejects with the signal's reason)
 * or after `timeoutMs` (rejects with E_RECALL_TIMEOUT naming `what`). The timer and the
 * abort listener are always removed, whichever way it ends.
 */
export function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  // The unit call gets its own signal so that a timeout also cancels its pending I/O.
  const inner = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      inner.abort(signal?.reason);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      cleanup();
      const err = new BridgeError('E_RECALL_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`, { details: { timeoutMs } });
      inner.abort(err);
      reject(asError(err));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    let started: Promise<T>;
    try {
      started = work(inner.signal);
    } catch (err) {
      cleanup();
      reject(asError(err));
      return;
    }
    started.then(
      (v) => {
        cleanup();
        resolve(v);
      },
      (err: unknown) => {
        cleanup();
        reject(asError(err));
      },
    );
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
