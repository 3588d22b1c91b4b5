/**
 * Capped exponential backoff for reconnects: 1 s, 2 s, 4 s … 60 s, reset after a good
 * handshake (Companion's reconnect policy). `attempt` counts from 1.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1000, maxMs: 60_000, factor: 2 });

export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  const raw = policy.initialMs * Math.pow(policy.factor, n - 1);
  return Math.min(policy.maxMs, raw);
}
